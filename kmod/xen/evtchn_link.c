// SPDX-License-Identifier: GPL-2.0
/*
 * Event channels whose two ends are in different port tables: between two
 * VMs on this host (domain ids from HXEN_XEN_ENABLE, domain.c), and from a
 * VM to the host (domain 0, eventfds: evtchn_host.c); a VM's channel to
 * itself is handled alike. Binding, closing and sending on them, and
 * cutting them when a VM goes; the EVTCHNOP_* layer is evtchn_op.c.
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
#include <linux/sched.h>
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
int hxen_xen_evtchn_close(struct hxen_xen *xen, u32 port)
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
		/*
		 * Process context (a hypercall, the VM's teardown): a peer
		 * that keeps rebinding must not hold this CPU in the loop.
		 */
		cond_resched();
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
			hxen_xen_evtchn_close(xen, port);
	}
}

long hxen_xen_evtchn_send(struct hxen_xen *xen, u32 port)
{
	struct hxen_evtchn_peer peer;
	struct hxen_xen *r;
	unsigned long flags;
	int ret;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	ret = hxen_evtchn_send(&xen->evtchn, port, &peer);
	/* A masked port raises nothing: SCHEDOP_poll waiters look themselves. */
	if (!ret)
		hxen_xen_poll_kick(xen);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	if (ret <= 0)
		return ret;
	if (peer.dom == HXEN_EVTCHN_HOST_DOM) {
		hxen_xen_host_signal(xen, port);
		return 0;
	}
	r = hxen_xen_domain_get(peer.dom);
	if (!r)
		return 0;
	/*
	 * The kick too under r's lock and only while r is not dead: our
	 * reference keeps struct hxen_xen, not r's vCPUs, which r's teardown
	 * frees once dead is set (under this lock). Kicking after unlocking
	 * raced with that free.
	 */
	raw_spin_lock_irqsave(&r->evtchn_lock, flags);
	if (!r->dead) {
		hxen_evtchn_deliver(&r->evtchn, peer.port, xen->domid, port);
		hxen_xen_poll_kick(r);
	}
	raw_spin_unlock_irqrestore(&r->evtchn_lock, flags);
	hxen_xen_domain_put(r);
	return 0;
}

/*
 * EVTCHNOP_bind_interdomain: the remote domain must be alive (-ESRCH) and
 * its port unbound, offered to us (-EINVAL). The host (domain 0) binds
 * through HXEN_XEN_EVTCHN_EVENTFD, not by port: binding to it is -ESRCH.
 */
long hxen_xen_evtchn_bind_interdomain(struct xen_call *c, struct evtchn_bind_interdomain *b)
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
