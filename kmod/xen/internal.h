/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest-facing Xen ABI, internal to xen/: the per-VM and per-vCPU state
 * behind HXEN_XEN_ENABLE and the functions the files of xen/ share.
 * Common code sees only the hooks in ../hxen.h.
 *
 * Lock order, outermost first: xen->lock, xen->host_lock and cons_lock
 * (mutexes; cons_lock never under the other two), then evtchn_lock (raw
 * spinlock taken irqsave: deliveries come from any context), then the
 * LAPIC's lock. Two VMs' evtchn_locks are taken together only to bind or
 * close an interdomain channel, lower domid first, never more than two; a
 * send holds one at a time (evtchn_link.c). updown_lock and a vCPU's
 * runstate_lock are innermost, process context only. Overlay maps take
 * vm->lock (mmu/overlay.c) inside xen->lock.
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

/*
 * One vCPU's Xen state, vm->xen->vcpus[id].
 *   (c) set at KVM_CREATE_VCPU (hxen_xen_vcpu_attach, under vm->lock)
 *   (o) the vCPU's own thread only
 *   (l) written under xen->lock
 *   (e) written under xen->evtchn_lock
 *   (s) written under runstate_lock, by the vCPU's own thread
 *   (u) under xen->updown_lock
 *   (a) any context, READ_ONCE/WRITE_ONCE or atomic
 */
struct hxen_xen_vcpu {
	struct hxen_vcpu *vcpu;		/* (c) NULL: no such vCPU */
	/*
	 * (l,e) vcpu_info placed by VCPUOP_register_vcpu_info (once, as on
	 * Xen): the guest page, pinned until the VM goes, and its kernel
	 * address + offset. NULL: the vCPU uses shared_info's slot (ids
	 * below 32) or has none.
	 */
	struct page *vi_page;
	u8 *vi;
	u8 upcall_vector;	/* (e) HVMOP_set_evtchn_upcall_vector; 0: none */
	/*
	 * (e) The LAPIC refused the upcall vector (software-disabled, as when
	 * Linux sets the vector up early in boot): offered again before each
	 * entry while evtchn_upcall_pending stays set.
	 */
	bool upcall_retry;
	bool time_dirty;		/* (a) rewrite vcpu_info.time before entry */
	unsigned long time_next;	/* (o) jiffies of the next periodic refresh */
	int time_cpu;			/* (o) host CPU of the last refresh */

	/*
	 * Timers (timer.c): Xen's singleshot timer (set_timer_op and
	 * VCPUOP_set_singleshot_timer share it, as on Xen) and its periodic
	 * timer, hrtimers expiring in hard-irq context; both raise
	 * VIRQ_TIMER. Armed by hypercalls only (the singleshot one by its own
	 * vCPU, the periodic one by any), cancelled by hxen_xen_vm_stop().
	 */
	struct hrtimer singleshot;
	struct hrtimer periodic;
	u64 period_ns;			/* (a) 0: stopped */
	bool timer_fired;		/* (a) since the last block / poll began */

	/*
	 * Runstate (runstate.c): the vCPU rewrites the guest's copy at
	 * runstate_area (a guest linear address, 0: none) at every state
	 * change, through its own page tables as on Xen, and after a
	 * registration set runstate_dirty.
	 */
	spinlock_t runstate_lock;
	struct vcpu_runstate_info runstate;	/* (s) */
	u64 runstate_area;			/* (l) */
	bool runstate_dirty;			/* (a) */

	/*
	 * (u) VCPUOP_initialise/up/down/is_up (vcpu_up.c), Xen's view,
	 * changed at once by any vCPU's hypercall: initialised (Xen's
	 * is_initialised: a context from VCPUOP_initialise, a SIPI or
	 * creation as the BSP) and down (Xen's _VPF_down; the run loop also
	 * reads it with READ_ONCE). The holder of the vCPU's mutex makes
	 * mp_state follow them (hxen_xen_vcpu_sync): down is
	 * KVM_MP_STATE_UNINITIALIZED, up RUNNABLE (HALTED again if it was
	 * halted when it went down, was_halted); ctx_pending: ctx is loaded
	 * through the vendor ops at the next sync. INIT, SIPI and
	 * KVM_SET_MP_STATE update both flags (hxen_xen_vcpu_mp_changed).
	 */
	bool initialised;
	bool down;
	bool ctx_pending;
	bool was_halted;
	struct hxen_xen_vcpu_ctx ctx;
};

/*
 * A VM's Xen state, vm->xen.
 *   (c) constant once HXEN_XEN_ENABLE published it
 *   (l) under lock
 *   (e) under evtchn_lock
 *   (h) written under host_lock, read under RCU
 *   (k) under cons_lock
 *   (a) any context, READ_ONCE/WRITE_ONCE or atomic
 */
struct hxen_xen {
	struct hxen_vm *vm;		/* (c) */
	u16 domid;			/* (c) domain.c */
	u8 handle[16];			/* (c) xen_domain_handle_t */
	struct mutex lock;		/* configuration hypercalls */

	/* Keep this structure (not the VM) for peers; see domain.c. */
	refcount_t refs;		/* (a) */
	struct rcu_head rcu;
	bool dead;			/* (e) the VM is going; never cleared */
	/*
	 * (a) vCPUs in SCHEDOP_poll, which a send wakes to look at their
	 * ports: a send with no poller costs one load. Set and cleared by the
	 * poller; see hxen_xen_poll_kick() for the ordering.
	 */
	DECLARE_BITMAP(polling, HXEN_MAX_VCPUS);

	/* Overlay frames (mmu/overlay.h). */
	struct hxen_overlay shinfo_frame;	/* (l) always allocated */
	u8 *shinfo;				/* (c) its kernel address */

	/* Grant table v1 (grant.c). */
	u32 gnttab_version;		/* (l) 0 until first used, then 1 */
	u32 gnttab_nr_frames;		/* (l) frames allocated */
	struct hxen_overlay gnttab[HXEN_GNTTAB_MAX_FRAMES];	/* (l) */

	/* HXEN_XEN_SET_MEMORY_MAP (memory.c). */
	struct e820_entry *e820;	/* (l) */
	u32 nr_e820;			/* (l) */

	/* Host ends of event channels (evtchn_host.c). */
	struct mutex host_lock;
	struct xarray evfds;		/* (h) port -> struct hxen_xen_evfd */
	/* (l,e) Latched guest mode: 64-bit layouts of shared state, else compat. */
	bool long_mode;

	/*
	 * Console input (console.c): HXEN_XEN_CONSOLE_INPUT adds at
	 * cons_prod, CONSOLEIO_read takes at cons_cons (free-running byte
	 * counts). cons_lock is a mutex: both sides copy user or guest memory
	 * while holding it.
	 */
	struct mutex cons_lock;
	u64 cons_prod;					/* (k) */
	u64 cons_cons;					/* (k) */
	u8 cons_ring[HXEN_XEN_CONSOLE_RING];		/* (k) */

	u64 params[HVM_NR_PARAMS];	/* (l) */
	u8 callback_vector;		/* (l,a) HVM_PARAM_CALLBACK_IRQ vector */

	/* PV time: system time 0 is ENABLE's monotonic time; wallclock of it. */
	u64 boot_ns;			/* (c) */
	u64 boot_wall_ns;		/* (c) */

	unsigned long vm_assist;	/* (a) VMASST_TYPE_* bits (runstate.c) */

	raw_spinlock_t evtchn_lock;	/* port table, deliveries */
	spinlock_t updown_lock;		/* every vCPU's up/down state */
	struct hxen_xen_vcpu vcpus[HXEN_MAX_VCPUS];
	struct hxen_evtchn evtchn;	/* (e) */
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

/*
 * sched.c: a port of the VM went pending; SCHEDOP_poll looks again. Under
 * xen->evtchn_lock with xen->dead false (the vCPUs must exist).
 */
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

/* toolstack.c: HXEN_XEN_SET_PARAM. */
long hxen_xen_set_param(struct hxen_xen *xen, struct hxen_xen_param __user *arg);

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
