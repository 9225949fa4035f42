// SPDX-License-Identifier: GPL-2.0
/*
 * event_channel_op: the EVTCHNOP_* hypercalls around the pure port logic
 * of evtchn.c, and the channels between domains: two VMs on this host
 * (domain ids from HXEN_XEN_ENABLE, domain.c), a VM and itself, or a VM
 * and the host (domain 0, eventfds: evtchn_host.c).
 *
 * Locking: a VM's port table is under its evtchn_lock. Binding and closing
 * an interdomain channel change both ends, so both locks are held, taken
 * in increasing domid order (lock_pair). A send holds one lock at a time:
 * it reads its peer under its own lock, drops it, then delivers under the
 * peer's, where hxen_evtchn_deliver() checks that the peer's port still
 * points back at the sender; a channel closed in between drops the event,
 * which a send racing with a close may do on Xen too. Every check runs
 * against the state under the lock, so a peer that vanished or a domain id
 * reused by a new VM is harmless. A VM that goes closes each channel to
 * another domain (hxen_xen_evtchn_teardown, xen->dead already set): the
 * peer's port becomes unbound, as on Xen.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/lockdep.h>
#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>

#include "internal.h"

/*
 * Lock @a's and, if not NULL and not @a, @b's evtchn_lock, lower domid
 * first. Interrupts stay off until unlock_pair.
 */
static void lock_pair(struct hxen_xen *a, struct hxen_xen *b, unsigned long *flags)
{
	struct hxen_xen *first = a, *second = b;

	if (!b || b == a) {
		raw_spin_lock_irqsave(&a->evtchn_lock, *flags);
		return;
	}
	if (b->domid < a->domid)
		swap(first, second);
	raw_spin_lock_irqsave(&first->evtchn_lock, *flags);
	raw_spin_lock_nested(&second->evtchn_lock, SINGLE_DEPTH_NESTING);
}

static void unlock_pair(struct hxen_xen *a, struct hxen_xen *b, unsigned long flags)
{
	if (b && b != a)
		raw_spin_unlock(&b->evtchn_lock);
	raw_spin_unlock_irqrestore(&a->evtchn_lock, flags);
}

/*
 * Close @port with whatever it is connected to: the other end of an
 * interdomain channel becomes unbound (a loopback's other port too), a
 * host end loses its eventfds. 0 or -EINVAL.
 */
static int xen_close_port(struct hxen_xen *xen, u32 port)
{
	struct hxen_evtchn *e = &xen->evtchn;
	struct hxen_evtchn_peer peer, now;
	struct hxen_xen *r;
	unsigned long flags;
	int ret;

	for (;;) {
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		if (!hxen_evtchn_peer(e, port, &peer)) {
			ret = hxen_evtchn_close(e, port);
			raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
			return ret;
		}
		if (peer.dom == xen->domid) {
			ret = hxen_evtchn_close(e, port);
			hxen_evtchn_unlink(e, peer.port, xen->domid, port);
			raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
			return ret;
		}
		if (peer.dom == HXEN_EVTCHN_HOST_DOM) {
			ret = hxen_evtchn_close(e, port);
			raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
			hxen_xen_host_port_closed(xen, port);
			return ret;
		}
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);

		/* NULL: the peer is gone; its teardown unlinks us or did. */
		r = hxen_xen_domain_get(peer.dom);
		lock_pair(xen, r, &flags);
		if (hxen_evtchn_peer(e, port, &now) && now.dom == peer.dom &&
		    now.port == peer.port) {
			ret = hxen_evtchn_close(e, port);
			if (r && !r->dead)
				hxen_evtchn_unlink(&r->evtchn, peer.port, xen->domid, port);
			unlock_pair(xen, r, flags);
			if (r)
				hxen_xen_domain_put(r);
			return ret;
		}
		/* Rebound or closed meanwhile: look again. */
		unlock_pair(xen, r, flags);
		if (r)
			hxen_xen_domain_put(r);
	}
}

void hxen_xen_evtchn_teardown(struct hxen_xen *xen)
{
	struct hxen_evtchn_peer peer;
	unsigned long flags;
	bool remote;
	u32 port;

	for (port = 1; port < HXEN_EVTCHN_PORTS_64; port++) {
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		remote = hxen_evtchn_peer(&xen->evtchn, port, &peer) && peer.dom != xen->domid;
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
		if (remote)
			xen_close_port(xen, port);
	}
}

static long xen_send(struct hxen_xen *xen, u32 port)
{
	struct hxen_evtchn_peer peer;
	struct hxen_xen *r;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	ret = hxen_evtchn_send(&xen->evtchn, port, &peer);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	/* A masked port raises nothing: SCHEDOP_poll waiters look themselves. */
	if (!ret)
		hxen_xen_poll_kick(xen);
	if (ret <= 0)
		return ret;
	if (peer.dom == HXEN_EVTCHN_HOST_DOM) {
		hxen_xen_host_signal(xen, port);
		return 0;
	}
	r = hxen_xen_domain_get(peer.dom);
	if (!r)
		return 0;
	raw_spin_lock_irqsave(&r->evtchn_lock, flags);
	if (!r->dead)
		hxen_evtchn_deliver(&r->evtchn, peer.port, xen->domid, port);
	raw_spin_unlock_irqrestore(&r->evtchn_lock, flags);
	hxen_xen_poll_kick(r);
	hxen_xen_domain_put(r);
	return 0;
}

/*
 * EVTCHNOP_bind_interdomain: the remote domain must be alive (-ESRCH) and
 * its port unbound, offered to us (-EINVAL). The host (domain 0) binds
 * through HXEN_XEN_EVTCHN_EVENTFD, not by port: binding to it is -ESRCH.
 */
static long xen_bind_interdomain(struct xen_call *c, struct evtchn_bind_interdomain *b)
{
	struct hxen_xen *xen = c->xen, *r;
	unsigned long flags;
	long ret;

	if (hxen_xen_dom_is_self(c, b->remote_dom)) {
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		ret = hxen_evtchn_bind_interdomain(&xen->evtchn, &xen->evtchn, b);
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
		return ret;
	}
	r = hxen_xen_domain_get(b->remote_dom);
	if (!r)
		return -ESRCH;
	lock_pair(xen, r, &flags);
	if (r->dead)
		ret = -ESRCH;
	else
		ret = hxen_evtchn_bind_interdomain(&xen->evtchn, &r->evtchn, b);
	unlock_pair(xen, r, flags);
	hxen_xen_domain_put(r);
	return ret;
}

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
		xen_close_port(c->xen, port);
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
		r = xen_bind_interdomain(c, &u.inter);
		break;
	case EVTCHNOP_close:
		r = xen_close_port(xen, u.close.port);
		break;
	case EVTCHNOP_send:
		r = xen_send(xen, u.send.port);
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
