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

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <xen/interface/xen.h>
#include <xen/interface/hvm/params.h>

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
	/* PV time (vcpu_info.time) must be rewritten before the next entry. */
	bool time_dirty;
	unsigned long time_next;	/* jiffies of the next periodic refresh */
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
/* Guest-physical @gpa in a writable RAM slot: its host address, else 0. */

#endif
