// SPDX-License-Identifier: GPL-2.0
/*
 * The toolstack's role for a guest (HXEN_XEN_SET_PARAM): on Xen, domain 0's
 * toolstack writes the store and console parameters of a new HVM/PVH
 * guest and allocates their event channels in it (unbound, remote domain
 * 0) before the guest runs. Here the VMM is domain 0 and does it through
 * this ioctl; the guest reads the result with HVMOP_get_param (hvm.c).
 *
 * Everything the VMM passes is checked: only the four parameters of a
 * toolstack's store and console, frames the VMM backs with a memslot,
 * ports of the guest's 2-level range.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/uaccess.h>
#include <xen/interface/hvm/params.h>

#include "internal.h"

/* A frame the guest could map and the VMM serves: inside a memslot. */
static bool frame_backed(struct hxen_vm *vm, u64 gfn)
{
	bool ok;

	mutex_lock(&vm->lock);
	ok = hxen_gfn_to_slot(vm, gfn) != NULL;
	mutex_unlock(&vm->lock);
	return ok;
}

/*
 * EVTCHNOP_alloc_unbound in the guest on domain 0's behalf; the port, or
 * -ENOSPC / -ENODEV.
 */
static long alloc_host_port(struct hxen_xen *xen)
{
	struct evtchn_alloc_unbound a = {
		.dom = DOMID_SELF,
		.remote_dom = HXEN_EVTCHN_HOST_DOM,
	};
	unsigned long flags;
	int r;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	r = xen->dead ? -ENODEV : hxen_evtchn_alloc_unbound(&xen->evtchn, &a);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	/* Not "r ? r : a.port": that is unsigned, and -ENOSPC would pass as a port. */
	if (r)
		return r;
	return a.port;
}

long hxen_xen_set_param(struct hxen_xen *xen, struct hxen_xen_param __user *arg)
{
	struct hxen_xen_param p;
	bool alloc, is_port;
	unsigned long flags;
	u32 nr_ports;
	long r = 0;

	if (copy_from_user(&p, arg, sizeof(p)))
		return -EFAULT;
	if ((p.flags & ~HXEN_XEN_PARAM_ALLOC_PORT) || memchr_inv(p.reserved, 0, sizeof(p.reserved)))
		return -EINVAL;
	switch (p.index) {
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_CONSOLE_PFN:
		is_port = false;
		break;
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
		is_port = true;
		break;
	default:
		return -EINVAL;
	}
	alloc = p.flags & HXEN_XEN_PARAM_ALLOC_PORT;
	if (alloc && (!is_port || p.value))
		return -EINVAL;
	if (!is_port && p.value && !frame_backed(xen->vm, p.value))
		return -EINVAL;

	mutex_lock(&xen->lock);
	if (is_port && !alloc) {
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		nr_ports = hxen_evtchn_nr_ports(&xen->evtchn);
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
		if (p.value >= nr_ports)
			r = -EINVAL;
	} else if (alloc) {
		r = alloc_host_port(xen);
		if (r > 0) {
			p.value = r;
			r = 0;
		}
	}
	if (!r && alloc && copy_to_user(&arg->value, &p.value, sizeof(p.value))) {
		/* Nobody learnt the port: give it back. */
		hxen_xen_evtchn_close(xen, p.value);
		r = -EFAULT;
	}
	if (!r)
		xen->params[p.index] = p.value;
	mutex_unlock(&xen->lock);
	return r;
}
