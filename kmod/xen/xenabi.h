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
 *  - xen->shinfo_gfn changes under xen->lock and vm->mmu_lock; the
 *    second-level fault path reads it under vm->mmu_lock.
 */
#ifndef HXEN_XEN_XENABI_H
#define HXEN_XEN_XENABI_H

#include <linux/hrtimer.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/vcpu.h>

#include "../hxen.h"
#include "evtchn.h"

/* What the guest is told: Xen 4.17. */
#define HXEN_XEN_MAJOR		4
#define HXEN_XEN_MINOR		17
/* CPUID leaf 0x40000002 EBX: the hypercall-page MSR. */
#define HXEN_XEN_HYPERCALL_MSR	0x40000000
#define HXEN_XEN_NO_GFN		(~0ULL)

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
	/* In SCHEDOP_poll: EVTCHNOP_send wakes it to look at its ports. */
	bool polling;

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
};

struct hxen_xen {
	struct hxen_vm *vm;
	u16 domid;
	u8 handle[16];
	struct mutex lock;

	struct page *shinfo_page;	/* always there; mapped at shinfo_gfn */
	u8 *shinfo;
	u64 shinfo_gfn;
	/* Latched guest mode: 64-bit layouts of shared state (else compat). */
	bool long_mode;

	u64 params[HVM_NR_PARAMS];	/* under lock */
	u8 callback_vector;		/* HVM_PARAM_CALLBACK_IRQ type vector */

	/* PV time: system time 0 is ENABLE's monotonic time; wallclock of it. */
	u64 boot_ns;
	u64 boot_wall_ns;

	/* VMASST_TYPE_* bits enabled by vm_assist (runstate.c); atomic bitops. */
	unsigned long vm_assist;

	raw_spinlock_t evtchn_lock;
	struct hxen_xen_vcpu vcpus[HXEN_MAX_VCPUS];
	struct hxen_evtchn evtchn;
};

/* xen.c */
u8 *hxen_xen_vcpu_info(struct hxen_xen *xen, u32 vcpu);
void hxen_xen_set_long_mode(struct hxen_xen *xen, bool long_mode);
int hxen_xen_map_shinfo(struct hxen_xen *xen, u64 gfn);
int hxen_xen_register_vcpu_info(struct hxen_xen *xen, u32 vcpu, u64 gfn, u32 offset);
void hxen_xen_update_time(struct hxen_vcpu *vcpu);
void hxen_xen_write_wallclock(struct hxen_xen *xen);

/* hypercall.c: write guest linear memory with @vcpu's paging (its own thread). */
int hxen_xen_write_guest(struct hxen_vcpu *vcpu, u64 la, const void *buf, size_t len);

/* timer.c */
u64 hxen_xen_now(struct hxen_xen *xen);
void hxen_xen_timer_init(struct hxen_xen_vcpu *xv);
void hxen_xen_timer_cancel(struct hxen_xen_vcpu *xv);
long hxen_xen_set_timer_op(struct hxen_vcpu *vcpu, u64 timeout);
long hxen_xen_set_singleshot(struct hxen_vcpu *vcpu, u64 timeout, u32 flags);
void hxen_xen_stop_singleshot(struct hxen_vcpu *vcpu);
long hxen_xen_set_periodic(struct hxen_xen_vcpu *xv, u64 period_ns);

/* sched.c */
long hxen_xen_block(struct hxen_vcpu *vcpu);
long hxen_xen_poll(struct hxen_vcpu *vcpu, const u32 *ports, u32 nr, u64 timeout);
void hxen_xen_poll_kick(struct hxen_xen *xen);

/* runstate.c */
void hxen_xen_runstate_init(struct hxen_xen_vcpu *xv, u64 now);
void hxen_xen_runstate_get(struct hxen_xen *xen, struct hxen_xen_vcpu *xv,
			   struct vcpu_runstate_info *out);
void hxen_xen_runstate_register(struct hxen_vcpu *caller, struct hxen_xen_vcpu *xv, u64 area);
/* The runstate in the guest's layout: 48 bytes, 44 for 32-bit guests. */
size_t hxen_xen_runstate_layout(bool long_mode, const struct vcpu_runstate_info *rs, u8 *buf);
long hxen_xen_vm_assist(struct hxen_xen *xen, u64 cmd, u64 type);

#endif
