// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: event_channel_op, the EVTCHNOP_* hypercalls around
 * the pure port logic of evtchn.c. Operations on one port table run here
 * under the VM's evtchn_lock; bind_interdomain, close and send, whose
 * other end may be another VM or the host, go through evtchn_link.c.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/spinlock.h>
#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>

#include "internal.h"

/* EVTCHNOP_reset: every port of ours closed; others' are not ours to reset. */
static long xen_reset(struct xen_call *c, u16 dom)
{
	struct hxen_xen *other;
	u32 port;

	if (!hxen_xen_dom_is_self(c, dom)) {
		other = hxen_xen_domain_get(dom);
		if (!other)
			return -ESRCH;
		hxen_xen_domain_put(other);
		return -EPERM;
	}
	for (port = 1; port < HXEN_EVTCHN_PORTS_64; port++)
		hxen_xen_evtchn_close(c->xen, port);
	return 0;
}

long hxen_xen_evtchn_op(struct xen_call *c, u64 cmd, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct hxen_evtchn *e = &xen->evtchn;
	union {
		struct evtchn_alloc_unbound alloc;
		struct evtchn_bind_interdomain inter;
		struct evtchn_bind_virq virq;
		struct evtchn_bind_ipi ipi;
		struct evtchn_bind_vcpu vcpu;
		struct evtchn_close close;
		struct evtchn_send send;
		struct evtchn_status status;
		struct evtchn_unmask unmask;
		struct evtchn_reset reset;
	} u;
	size_t size;
	bool out = true;
	unsigned long flags;
	long r;

	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		size = sizeof(u.alloc);
		break;
	case EVTCHNOP_bind_interdomain:
		size = sizeof(u.inter);
		break;
	case EVTCHNOP_bind_virq:
		size = sizeof(u.virq);
		break;
	case EVTCHNOP_bind_ipi:
		size = sizeof(u.ipi);
		break;
	case EVTCHNOP_status:
		size = sizeof(u.status);
		break;
	case EVTCHNOP_bind_vcpu:
		size = sizeof(u.vcpu);
		out = false;
		break;
	case EVTCHNOP_close:
	case EVTCHNOP_send:
	case EVTCHNOP_unmask:
		size = sizeof(u.send);
		out = false;
		break;
	case EVTCHNOP_reset:
		size = sizeof(u.reset);
		out = false;
		break;
	default:
		/* FIFO (init_control, expand_array, set_priority), bind_pirq: not offered. */
		return -ENOSYS;
	}
	if (hxen_xen_copy_from_guest(c, &u, arg, size))
		return -EFAULT;

	switch (cmd) {
	case EVTCHNOP_bind_interdomain:
		r = hxen_xen_evtchn_bind_interdomain(c, &u.inter);
		break;
	case EVTCHNOP_close:
		r = hxen_xen_evtchn_close(xen, u.close.port);
		break;
	case EVTCHNOP_send:
		r = hxen_xen_evtchn_send(xen, u.send.port);
		break;
	case EVTCHNOP_reset:
		r = xen_reset(c, u.reset.dom);
		break;
	default:
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		switch (cmd) {
		case EVTCHNOP_alloc_unbound:
			r = hxen_evtchn_alloc_unbound(e, &u.alloc);
			break;
		case EVTCHNOP_bind_virq:
			r = hxen_evtchn_bind_virq(e, &u.virq);
			break;
		case EVTCHNOP_bind_ipi:
			r = hxen_evtchn_bind_ipi(e, &u.ipi);
			break;
		case EVTCHNOP_status:
			r = hxen_evtchn_status(e, &u.status);
			break;
		case EVTCHNOP_bind_vcpu:
			r = hxen_evtchn_bind_vcpu(e, &u.vcpu);
			break;
		default:
			r = hxen_evtchn_unmask(e, u.unmask.port);
			break;
		}
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
		break;
	}
	/* As on Xen, a port bound but not reported stays bound. */
	if (!r && out && hxen_xen_copy_to_guest(c, arg, &u, size))
		r = -EFAULT;
	return r;
}
