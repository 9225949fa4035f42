/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-facing Xen ABI, internal to xen/: the per-VM and per-vCPU state
 * behind HXEN_XEN_ENABLE. Common code sees only the hooks in ../hxen.h.
 *
 * Locking:
 *  - xen->lock (mutex) serialises configuration hypercalls: shared_info
 *    placement, vcpu_info registration, HVM params, the hypercall page.
 *  - xen->evtchn_lock (raw spinlock, irqsave: later deliveries come from
 *    any context) protects the port table, the shared_info layout and the
 *    vcpu_info pointers deliveries use.
 *  - Overlay frames (shared_info, grant-table frames: module pages laid
 *    over guest frames, mmu/overlay.h) move under xen->lock.
 *  - Two VMs' evtchn_locks are taken together (interdomain bind and
 *    close) in increasing domid order, never more than two; a send holds
 *    only one at a time (evtchn_link.c). hxen_xen_domains_lock (mutex)
 *    and xen->host_lock nest outside any evtchn_lock.
 *  - xen->refs keeps the structure (not the VM) alive for a peer that
 *    looked it up (domain.c); xen->dead, set under evtchn_lock when the
 *    VM starts to go, stops every delivery into it.
 *  - xen->updown_lock (spinlock, process context only, innermost) guards
 *    every vCPU's VCPUOP_initialise/up/down state (vcpu_up.c): one vCPU
 *    changes another's under it, and VCPUOP_down looks at all of them.
 */
#ifndef HXEN_XEN_INTERNAL_H
#define HXEN_XEN_INTERNAL_H

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/xarray.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/vcpu.h>

#include <asm/e820/types.h>

#include "../hxen.h"
#include "../vendor.h"
#include "../mmu/mmu.h"
#include "../x86/x86.h"
#include "hooks.h"
#include "../mmu/overlay.h"
#include "../x86/emulate/walk.h"
#include "evtchn.h"

/* What the guest is told: Xen 4.17. */
#define HXEN_XEN_MAJOR		4
#define HXEN_XEN_MINOR		17
/* CPUID leaf 0x40000002 EBX: the hypercall-page MSR. */
#define HXEN_XEN_HYPERCALL_MSR	0x40000000
/*
 * Grant-table frames per domain (v1: 512 entries each): Xen's default
 * max_grant_frames, which Linux's frontends are sized for. Allocated as
 * the guest asks (setup_table, add_to_physmap), at most 256 KiB a VM.
 */
#define HXEN_GNTTAB_MAX_FRAMES	64

/*
 * One hypercall in progress (hypercall.c): the guest's registers, mode
 * and arguments. The sub-op handlers in other files get it for their
 * guest copies.
 */
struct xen_call {
	struct hxen_vcpu *vcpu;
	struct hxen_xen *xen;
	struct hxen_walk_mode mode;
	bool long_mode;		/* 64-bit hypercall ABI */
	u64 arg[5];
	bool exit;		/* vcpu->run describes an exit to userspace */
	bool restart;		/* continuation: re-execute with updated args */
};

/*
 * A context VCPUOP_initialise accepted, as the vendor ops take it. The
 * segments are complete kvm_segments (selector 0); FS, GS, LDTR, GDTR and
 * IDTR are not part of Xen's context (vcpu_up.c decides them).
 */
struct hxen_xen_vcpu_ctx {
	struct kvm_regs regs;
	u64 cr0, cr3, cr4, efer;
	struct kvm_segment cs, ds, ss, es, tr;
};

struct hxen_xen_vcpu {
	struct hxen_vcpu *vcpu;
	/*
	 * vcpu_info placed by VCPUOP_register_vcpu_info (once, as on Xen):
	 * the guest page is pinned until the VM goes; vi is its kernel
	 * address + offset. NULL: the vCPU uses shared_info's slot (ids
	 * below 32) or has none. Written under both locks.
	 */
	struct page *vi_page;
	u8 *vi;
	/* HVMOP_set_evtchn_upcall_vector: through the LAPIC; 0: none. */
	u8 upcall_vector;
	/*
	 * The LAPIC refused the upcall vector (software-disabled, as when
	 * Linux sets the vector up early in boot): offered again before
	 * each entry while evtchn_upcall_pending stays set. Set under
	 * evtchn_lock, cleared by the vCPU's thread under it.
	 */
	bool upcall_retry;
	/* PV time (vcpu_info.time) must be rewritten before the next entry. */
	bool time_dirty;
	unsigned long time_next;	/* jiffies of the next periodic refresh */
	int time_cpu;			/* host CPU of the last refresh */

	/*
	 * Timers (timer.c): Xen's singleshot timer (set_timer_op and
	 * VCPUOP_set_singleshot_timer share it, as on Xen) and its periodic
	 * timer, host hrtimers expiring in hard-irq context; both raise
	 * VIRQ_TIMER. Armed by hypercalls only (the singleshot one by its
	 * own vCPU, the periodic one by any), cancelled by hxen_xen_vm_stop()
	 * before the vCPU is freed. period_ns: 0 when stopped; WRITE_ONCE by
	 * the arming hypercall, READ_ONCE by the callback.
	 */
	struct hrtimer singleshot;
	struct hrtimer periodic;
	u64 period_ns;
	/* A timer fired since the last SCHEDOP_block / poll began. */
	bool timer_fired;

	/*
	 * Runstate (runstate.c). runstate: changed only by the vCPU's own
	 * thread, under runstate_lock so other vCPUs can read it
	 * (VCPUOP_get_runstate_info). runstate_area: the guest linear address
	 * of the guest's copy (0: none), written under xen->lock by any vCPU,
	 * read by the owner, which rewrites the copy at every state change
	 * (through its own page tables, as Xen does) and after
	 * runstate_dirty is set by a registration.
	 */
	spinlock_t runstate_lock;
	struct vcpu_runstate_info runstate;
	u64 runstate_area;
	bool runstate_dirty;

	/*
	 * VCPUOP_initialise/up/down/is_up (vcpu_up.c), all under
	 * xen->updown_lock; down is also read with READ_ONCE by the vCPU's
	 * run loop to notice a change. Xen's view, changed at once by any
	 * vCPU's hypercall: initialised (Xen's is_initialised: the vCPU has
	 * a context, from VCPUOP_initialise, a SIPI or creation as the BSP)
	 * and down (Xen's _VPF_down; VCPUOP_is_up is !down). The holder of
	 * the vCPU's mutex (its KVM_RUN before entering the guest, or
	 * KVM_GET_MP_STATE) makes mp_state follow them (hxen_xen_vcpu_sync):
	 * down is KVM_MP_STATE_UNINITIALIZED,
	 * up RUNNABLE (HALTED again if it was halted when it went down,
	 * was_halted). ctx_pending: ctx is to be loaded through the vendor
	 * ops at the next sync. INIT, SIPI and KVM_SET_MP_STATE, under the
	 * vCPU's mutex, update both flags (hxen_xen_vcpu_mp_changed).
	 */
	bool initialised;
	bool down;
	bool ctx_pending;
	bool was_halted;
	struct hxen_xen_vcpu_ctx ctx;
};

struct hxen_xen {
	struct hxen_vm *vm;
	u16 domid;
	u8 handle[16];
	struct mutex lock;

	/* Keeps this structure (not the VM) for peers; see domain.c. */
	refcount_t refs;
	struct rcu_head rcu;
	bool dead;			/* under evtchn_lock; never cleared */
	/*
	 * vCPUs in SCHEDOP_poll, which EVTCHNOP_send wakes to look at their
	 * ports: a bitmap, so a send with no poller (the common case) costs
	 * one load, not a walk over every vCPU. Atomic bit operations by the
	 * poller itself; see hxen_xen_poll_kick() for the ordering.
	 */
	DECLARE_BITMAP(polling, HXEN_MAX_VCPUS);

	/* Overlay frames (mmu/overlay.h), mapped under lock. */
	struct hxen_overlay shinfo_frame;	/* always there */
	u8 *shinfo;

	/* Grant table v1 (grant.c), under lock. */
	u32 gnttab_version;		/* 0 until first used, then 1 */
	u32 gnttab_nr_frames;		/* frames allocated */
	struct hxen_overlay gnttab[HXEN_GNTTAB_MAX_FRAMES];

	/* HXEN_XEN_SET_MEMORY_MAP (memory.c), under lock. */
	struct e820_entry *e820;
	u32 nr_e820;

	/*
	 * Host ends of event channels (evtchn_host.c): port -> struct
	 * hxen_xen_evfd, written under host_lock, read under RCU.
	 */
	struct mutex host_lock;
	struct xarray evfds;
	/* Latched guest mode: 64-bit layouts of shared state (else compat). */
	bool long_mode;

	/*
	 * Console input (console.c): HXEN_XEN_CONSOLE_INPUT adds at
	 * cons_prod, CONSOLEIO_read takes at cons_cons; free-running byte
	 * counts, the ring is HXEN_XEN_CONSOLE_RING bytes. All three under
	 * cons_lock, a mutex because both sides copy user and guest memory
	 * while holding it; never taken inside evtchn_lock or xen->lock.
	 */
	struct mutex cons_lock;
	u64 cons_prod;
	u64 cons_cons;
	u8 cons_ring[HXEN_XEN_CONSOLE_RING];

	u64 params[HVM_NR_PARAMS];	/* under lock */
	u8 callback_vector;		/* HVM_PARAM_CALLBACK_IRQ type vector */

	/* PV time: system time 0 is ENABLE's monotonic time; wallclock of it. */
	u64 boot_ns;
	u64 boot_wall_ns;

	/* VMASST_TYPE_* bits enabled by vm_assist (runstate.c); atomic bitops. */
	unsigned long vm_assist;

	raw_spinlock_t evtchn_lock;
	spinlock_t updown_lock;		/* see the top of this file */
	struct hxen_xen_vcpu vcpus[HXEN_MAX_VCPUS];
	struct hxen_evtchn evtchn;
};

/*
 * The hypercall families (hypercall.c dispatches): each takes the call and
 * its arguments as the guest passed them, and returns the result for RAX.
 */
long hxen_xen_version_op(struct xen_call *c, u64 cmd, u64 arg);		/* version.c */
long hxen_xen_memory_op(struct xen_call *c, u64 cmd, u64 arg);		/* memory.c */
long hxen_xen_hvm_op(struct xen_call *c, u64 op, u64 arg);		/* hvm.c */
long hxen_xen_sched_op(struct xen_call *c, u64 cmd, u64 arg);		/* sched.c */
long hxen_xen_vcpu_op(struct xen_call *c, u64 cmd, u64 id, u64 arg);	/* vcpu_op.c */
long hxen_xen_console_io(struct xen_call *c, u64 cmd, u64 count, u64 buf); /* console.c */
long hxen_xen_evtchn_op(struct xen_call *c, u64 cmd, u64 arg);		/* evtchn_op.c */
long hxen_xen_grant_table_op(struct xen_call *c, u64 cmd, u64 uop, u64 count); /* grant.c */
long hxen_xen_set_timer_op(struct hxen_vcpu *vcpu, u64 timeout);	/* timer.c */
long hxen_xen_vm_assist(struct hxen_xen *xen, u64 cmd, u64 type);	/* runstate.c */

/* guest_copy.c: guest linear memory with the hypercall's paging; -EFAULT. */
int hxen_xen_copy_from_guest(struct xen_call *c, void *dst, u64 la, size_t len);
int hxen_xen_copy_to_guest(struct xen_call *c, u64 la, const void *src, size_t len);
/* Write guest linear memory with @vcpu's paging (its own thread). */
int hxen_xen_write_guest(struct hxen_vcpu *vcpu, u64 la, const void *buf, size_t len);

/* xen.c */
u8 *hxen_xen_vcpu_info(struct hxen_xen *xen, u32 vcpu);
void hxen_xen_set_long_mode(struct hxen_xen *xen, bool long_mode);
void hxen_xen_update_time(struct hxen_vcpu *vcpu);
void hxen_xen_write_wallclock(struct hxen_xen *xen);

/* timer.c */
u64 hxen_xen_now(struct hxen_xen *xen);
void hxen_xen_timer_init(struct hxen_xen_vcpu *xv);
void hxen_xen_timer_cancel(struct hxen_xen_vcpu *xv);
long hxen_xen_set_singleshot(struct hxen_vcpu *vcpu, u64 timeout, u32 flags);
void hxen_xen_stop_singleshot(struct hxen_vcpu *vcpu);
long hxen_xen_set_periodic(struct hxen_xen_vcpu *xv, u64 period_ns);

/* sched.c: a port of the VM went pending; SCHEDOP_poll looks again. */
void hxen_xen_poll_kick(struct hxen_xen *xen);

/* runstate.c */
void hxen_xen_runstate_init(struct hxen_xen_vcpu *xv, u64 now);
void hxen_xen_runstate_get(struct hxen_xen *xen, struct hxen_xen_vcpu *xv,
			   struct vcpu_runstate_info *out);
void hxen_xen_runstate_register(struct hxen_vcpu *caller, struct hxen_xen_vcpu *xv, u64 area);
/* The runstate in the guest's layout: 48 bytes, 44 for 32-bit guests. */
size_t hxen_xen_runstate_layout(bool long_mode, const struct vcpu_runstate_info *rs, u8 *buf);

/* vcpu_up.c: VCPUOP_initialise, up, down, is_up for @target (exists). */
long hxen_xen_vcpu_updown(struct xen_call *c, u64 cmd, struct hxen_vcpu *target, u64 arg);
/* KVM_CREATE_VCPU, under vm->lock: the flags from the vCPU's MP state. */
void hxen_xen_vcpu_updown_init(struct hxen_xen *xen, struct hxen_xen_vcpu *xv,
			       struct hxen_vcpu *vcpu);

/* memory.c */
void hxen_xen_memory_free(struct hxen_xen *xen);
long hxen_xen_set_memory_map(struct hxen_xen *xen, struct hxen_xen_memory_map __user *arg);

/* grant.c */
/* XENMAPSPACE_grant_table: frame @idx at @gfn; under xen->lock. */
int hxen_xen_gnttab_map(struct hxen_xen *xen, u64 idx, u64 gfn);
void hxen_xen_gnttab_free(struct hxen_xen *xen);

/* console.c: console input (HXEN_XEN_CONSOLE_INPUT). */
long hxen_xen_console_input(struct hxen_xen *xen, struct hxen_xen_console_input __user *arg);

/* domain.c: the domid registry. */
/* Sets xen->domid: 0, -ENOSPC (no id left) or -ENOMEM. */
int hxen_xen_domain_register(struct hxen_xen *xen);
void hxen_xen_domain_unregister(struct hxen_xen *xen);
/* A live domain other than the caller's, referenced; NULL if none. */
struct hxen_xen *hxen_xen_domain_get(u16 domid);
void hxen_xen_domain_put(struct hxen_xen *xen);
/* Is @dom the calling domain (DOMID_SELF or its own id)? */
bool hxen_xen_dom_is_self(struct xen_call *c, u16 dom);

/* evtchn_link.c: channels whose ends are in different port tables. */
long hxen_xen_evtchn_bind_interdomain(struct xen_call *c, struct evtchn_bind_interdomain *b);
/* Close @port and unlink its other end: 0 or -EINVAL. */
int hxen_xen_evtchn_close(struct hxen_xen *xen, u32 port);
long hxen_xen_evtchn_send(struct hxen_xen *xen, u32 port);
/* The VM goes: close every channel to other domains (peers see unbound). */
void hxen_xen_evtchn_teardown(struct hxen_xen *xen);

/* evtchn_host.c: eventfd ends. */
long hxen_xen_evtchn_eventfd(struct hxen_xen *xen, struct hxen_xen_evtchn_eventfd __user *arg);
/* Guest sent on a port bound to the host. Any context. */
void hxen_xen_host_signal(struct hxen_xen *xen, u32 port);
/* The guest closed @port (process context, no evtchn_lock). */
void hxen_xen_host_port_closed(struct hxen_xen *xen, u32 port);
void hxen_xen_host_free(struct hxen_xen *xen);

#endif
