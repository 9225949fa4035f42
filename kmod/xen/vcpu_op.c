// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: vcpu_op. vcpu_info placement, the vCPU timers
 * (timer.c), runstate (runstate.c) and NMIs here; VCPUOP_initialise, up,
 * down and is_up in vcpu_up.c.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <xen/interface/xen.h>
#include <xen/interface/vcpu.h>

#include "../x86/irqchip/irqchip.h"
#include "internal.h"

/*
 * VCPUOP_register_vcpu_info: vcpu_info moves into guest page @gfn at
 * @offset, once per vCPU (Xen's rule). The page is pinned until the VM
 * goes so deliveries from any context can write it. Unlike Xen we also
 * need @offset 8-byte aligned (the bit operations must not split a cache
 * line); Linux's per-CPU vcpu_info is 64-byte aligned.
 */
static int xen_register_vcpu_info(struct hxen_xen *xen, u32 id, u64 gfn, u32 offset)
{
	struct hxen_xen_vcpu *xv = &xen->vcpus[id];
	unsigned long hva, flags;
	struct page *page;
	u8 *old, *vi;

	lockdep_assert_held(&xen->lock);
	if (xv->vi_page)
		return -EINVAL;
	if (offset > PAGE_SIZE - sizeof(struct vcpu_info) || (offset & 7))
		return -EINVAL;
	/* Not on shared_info or a grant frame: they are not guest RAM. */
	if (gfn >= (1ULL << (52 - PAGE_SHIFT)) || hxen_overlay_va(xen->vm, gfn))
		return -EINVAL;
	hva = hxen_gpa_to_hva(xen->vm, gfn << PAGE_SHIFT, true);
	if (!hva)
		return -EINVAL;
	if (pin_user_pages_fast(hva, 1, FOLL_WRITE | FOLL_LONGTERM, &page) != 1)
		return -EINVAL;
	vi = (u8 *)page_address(page) + offset;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	old = hxen_xen_vcpu_info(xen, id);
	if (old)
		memcpy(vi, old, sizeof(struct vcpu_info));
	else
		memset(vi, 0, sizeof(struct vcpu_info));
	xv->vi_page = page;
	WRITE_ONCE(xv->vi, vi);
	hxen_evtchn_vcpu_info_moved(&xen->evtchn, id);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	WRITE_ONCE(xv->time_dirty, true);
	/*
	 * Dirty logging sees this first write only: the page stays pinned
	 * and event delivery writes it from any context (README).
	 */
	hxen_mark_gpa_dirty(xen->vm, gfn << PAGE_SHIFT);
	return 0;
}

/*
 * The timer and runstate operations of vcpu_op. The singleshot timer is
 * the caller's own only (Xen: -EINVAL for another vCPU); the periodic
 * timer and the runstate of any vCPU. struct vcpu_set_singleshot_timer
 * is 12 bytes for 32-bit guests (4-byte aligned u64), 16 otherwise;
 * vcpu_register_runstate_memory_area's address is a union with a u64, so
 * 8 bytes in both, of which a 32-bit guest's handle is the low half.
 */
static long xen_vcpu_op_time(struct xen_call *c, u64 cmd, u64 id, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct hxen_xen_vcpu *xv = &xen->vcpus[id];
	bool self = xv == c->vcpu->xen;

	switch (cmd) {
	case VCPUOP_set_singleshot_timer: {
		struct vcpu_set_singleshot_timer st;

		if (!self)
			return -EINVAL;
		memset(&st, 0, sizeof(st));
		if (hxen_xen_copy_from_guest(c, &st, arg, c->long_mode ? sizeof(st) : 12))
			return -EFAULT;
		return hxen_xen_set_singleshot(c->vcpu, st.timeout_abs_ns, st.flags);
	}
	case VCPUOP_stop_singleshot_timer:
		if (!self)
			return -EINVAL;
		hxen_xen_stop_singleshot(c->vcpu);
		return 0;
	case VCPUOP_set_periodic_timer: {
		struct vcpu_set_periodic_timer pt;

		if (hxen_xen_copy_from_guest(c, &pt, arg, sizeof(pt)))
			return -EFAULT;
		/* 0 is below Xen's 1 ms minimum, not "stop". */
		if (!pt.period_ns)
			return -EINVAL;
		return hxen_xen_set_periodic(xv, pt.period_ns);
	}
	case VCPUOP_stop_periodic_timer:
		return hxen_xen_set_periodic(xv, 0);
	case VCPUOP_register_runstate_memory_area: {
		u64 area;

		if (hxen_xen_copy_from_guest(c, &area, arg, sizeof(area)))
			return -EFAULT;
		if (!c->long_mode)
			area = (u32)area;
		mutex_lock(&xen->lock);
		hxen_xen_runstate_register(c->vcpu, xv, area);
		mutex_unlock(&xen->lock);
		return 0;
	}
	case VCPUOP_get_runstate_info: {
		struct vcpu_runstate_info rs;
		u8 buf[sizeof(rs)];
		size_t len;

		hxen_xen_runstate_get(xen, xv, &rs);
		len = hxen_xen_runstate_layout(c->long_mode, &rs, buf);
		return hxen_xen_copy_to_guest(c, arg, buf, len);
	}
	case VCPUOP_send_nmi: {
		struct hxen_vcpu *target = READ_ONCE(xv->vcpu);
		struct hxen_apic_irq irq = {
			.shorthand = 1,		/* self: exactly the target */
			.src = target,
			.delivery_mode = 4,	/* NMI */
			.assert = true,
		};

		/* Through the target's LAPIC; KVM_NMI is userspace's without one. */
		if (!target->lapic)
			return -ENOSYS;
		hxen_lapic_deliver(xen->vm, &irq);
		return 0;
	}
	default:
		/* register_vcpu_time_memory_area and the rest: Linux copes. */
		return -ENOSYS;
	}
}

long hxen_xen_vcpu_op(struct xen_call *c, u64 cmd, u64 id, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct vcpu_register_vcpu_info info;
	struct hxen_vcpu *target;
	long r;

	if (id >= HXEN_MAX_VCPUS)
		return -ENOENT;
	target = READ_ONCE(xen->vcpus[id].vcpu);
	if (!target)
		return -ENOENT;
	switch (cmd) {
	case VCPUOP_register_vcpu_info:
		if (hxen_xen_copy_from_guest(c, &info, arg, sizeof(info)))
			return -EFAULT;
		mutex_lock(&xen->lock);
		r = xen_register_vcpu_info(xen, id, info.mfn, info.offset);
		mutex_unlock(&xen->lock);
		return r;
	case VCPUOP_initialise:
	case VCPUOP_up:
	case VCPUOP_down:
	case VCPUOP_is_up:
		return hxen_xen_vcpu_updown(c, cmd, target, arg);
	default:
		return xen_vcpu_op_time(c, cmd, id, arg);
	}
}
