// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: hvm_op. HVM parameters (the event-channel callback
 * among them, HVM_PARAM_CALLBACK_IRQ) and per-vCPU upcall vectors; xen.c
 * delivers the upcalls they select.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mutex.h>
#include <xen/interface/xen.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>

#include "internal.h"

/* HVM_PARAM_CALLBACK_IRQ: bits 63:56 the type, the rest its target. */
static long xen_set_callback(struct xen_call *c, u64 val)
{
	struct hxen_xen *xen = c->xen;
	u8 vec = 0;

	switch (val >> 56) {
	case HVM_PARAM_CALLBACK_TYPE_GSI:
		/* Accepted and kept; delivery through a GSI comes later. */
		if ((u32)val >= 24 || (val & GENMASK_ULL(55, 32)))
			return -EINVAL;
		break;
	case HVM_PARAM_CALLBACK_TYPE_PCI_INTX:
		break;
	case HVM_PARAM_CALLBACK_TYPE_VECTOR:
		vec = val & 0xff;
		/* Vectors below 16 are exceptions / illegal for interrupts. */
		if (vec < 0x10 || (val & GENMASK_ULL(55, 8)))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	hxen_xen_set_long_mode(xen, c->long_mode);
	xen->params[HVM_PARAM_CALLBACK_IRQ] = val;
	WRITE_ONCE(xen->callback_vector, val ? vec : 0);
	return 0;
}

static long xen_hvm_param(struct xen_call *c, bool set, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct xen_hvm_param p;
	long r = 0;

	if (hxen_xen_copy_from_guest(c, &p, arg, sizeof(p)))
		return -EFAULT;
	if (!hxen_xen_dom_is_self(c, p.domid))
		return -ESRCH;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	mutex_lock(&xen->lock);
	switch (p.index) {
	case HVM_PARAM_CALLBACK_IRQ:
		if (set)
			r = xen_set_callback(c, p.value);
		break;
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
	case HVM_PARAM_VM86_TSS:
		/* The guest may set these (Xen's hvm_allow_set_param). */
		if (set)
			xen->params[p.index] = p.value;
		break;
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_CONSOLE_PFN:
		/* Read-only to the guest; the toolstack's to set. */
		if (set)
			r = -EPERM;
		break;
	case HVM_PARAM_PAE_ENABLED:
	case HVM_PARAM_DM_DOMAIN:
		/* Deprecated. */
		r = set ? -EPERM : -ENODATA;
		break;
	default:
		r = -EPERM;
		break;
	}
	if (!r && !set)
		p.value = xen->params[p.index];
	mutex_unlock(&xen->lock);
	if (!r && !set && hxen_xen_copy_to_guest(c, arg, &p, sizeof(p)))
		r = -EFAULT;
	return r;
}

static long xen_set_upcall_vector(struct xen_call *c, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct xen_hvm_evtchn_upcall_vector op;
	struct hxen_xen_vcpu *xv;
	unsigned long flags;
	u8 *vi;

	if (hxen_xen_copy_from_guest(c, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.vector < 0x10)
		return -EINVAL;
	if (op.vcpu >= HXEN_MAX_VCPUS || !READ_ONCE(xen->vcpus[op.vcpu].vcpu))
		return -ENOENT;
	xv = &xen->vcpus[op.vcpu];
	/* Delivered through the in-kernel LAPIC (KVM_CREATE_IRQCHIP). */
	if (!xv->vcpu->lapic)
		return -ENOSYS;
	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	WRITE_ONCE(xv->upcall_vector, op.vector);
	/* Already pending: deliver now (Xen's hvm_assert_evtchn_irq). */
	vi = hxen_xen_vcpu_info(xen, op.vcpu);
	if (vi && READ_ONCE(*vi))
		xen->evtchn.raise(xen, op.vcpu);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	return 0;
}

long hxen_xen_hvm_op(struct xen_call *c, u64 op, u64 arg)
{
	switch (op) {
	case HVMOP_set_param:
		return xen_hvm_param(c, true, arg);
	case HVMOP_get_param:
		return xen_hvm_param(c, false, arg);
	case HVMOP_set_evtchn_upcall_vector:
		return xen_set_upcall_vector(c, arg);
	default:
		return -ENOSYS;
	}
}
