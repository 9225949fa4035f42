// SPDX-License-Identifier: GPL-2.0
/*
 * 2-level event channels: the port table and the EVTCHNOP_* state machine
 * (see evtchn.h). Error codes follow Xen's event_channel.c behaviour as
 * its public header documents it.
 */
#include "evtchn.h"

#ifdef __KERNEL__
#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/compiler_attributes.h>
#include <linux/errno.h>
#include <linux/string.h>

#define ev_test(nr, p)		test_bit(nr, (unsigned long *)(p))
#define ev_set(nr, p)		test_and_set_bit(nr, (unsigned long *)(p))
#define ev_clear(nr, p)		test_and_clear_bit(nr, (unsigned long *)(p))
#define ev_xchg8(p, v)		xchg((u8 *)(p), (u8)(v))
#else
#include <errno.h>
#include <string.h>

static inline bool ev_test(unsigned int nr, void *p)
{
	return __atomic_load_n((u64 *)p + nr / 64, __ATOMIC_SEQ_CST) & (1ULL << (nr % 64));
}

static inline bool ev_set(unsigned int nr, void *p)
{
	u64 m = 1ULL << (nr % 64);

	return __atomic_fetch_or((u64 *)p + nr / 64, m, __ATOMIC_SEQ_CST) & m;
}

static inline bool ev_clear(unsigned int nr, void *p)
{
	u64 m = 1ULL << (nr % 64);

	return __atomic_fetch_and((u64 *)p + nr / 64, ~m, __ATOMIC_SEQ_CST) & m;
}

#define ev_xchg8(p, v)	__atomic_exchange_n((u8 *)(p), (u8)(v), __ATOMIC_SEQ_CST)
#define fallthrough	__attribute__((__fallthrough__))
#endif

/* Per-vCPU VIRQs (Xen's "V" in xen.h); all others are global, on vCPU 0. */
static bool virq_is_global(u32 virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
	       virq != VIRQ_XENPMU;
}

void hxen_evtchn_init(struct hxen_evtchn *e)
{
	memset(e->virq_port, 0, sizeof(e->virq_port));
	memset(e->port, 0, sizeof(e->port));
	e->port[0].state = HXEN_ECS_RESERVED;
}

u32 hxen_evtchn_nr_ports(const struct hxen_evtchn *e)
{
	return e->compat ? HXEN_EVTCHN_PORTS_32 : HXEN_EVTCHN_PORTS_64;
}

/* A port the current layout's pending and mask bits can represent. */
static bool port_valid(const struct hxen_evtchn *e, u32 port)
{
	return port < hxen_evtchn_nr_ports(e);
}

/*
 * A port of the layout, or one in use past it. A guest that switches to
 * the 32-bit layout (hxen_xen_set_long_mode) after it bound ports at 1024
 * or above keeps them: closing them, their status, and the other end's
 * unlink and the VM's teardown must still reach them, or peers stay
 * linked to a port nobody can close. Only their bits are out of reach
 * (set_pending drops events to them). Free ports past the layout stay
 * invalid, as before.
 */
static bool port_known(const struct hxen_evtchn *e, u32 port)
{
	return port_valid(e, port) ||
	       (port < HXEN_EVTCHN_PORTS_64 && e->port[port].state != HXEN_ECS_FREE);
}

static bool vcpu_valid(const struct hxen_evtchn *e, u32 vcpu)
{
	return vcpu < HXEN_EVTCHN_MAX_VCPUS && e->vcpu_exists(e->opaque, vcpu);
}

static u8 *pending_bits(const struct hxen_evtchn *e)
{
	return e->shinfo + HXEN_SHINFO_PENDING;
}

static u8 *mask_bits(const struct hxen_evtchn *e)
{
	return e->shinfo + (e->compat ? HXEN_SHINFO_MASK_32 : HXEN_SHINFO_MASK_64);
}

/*
 * Set selector bit @word of @vcpu's evtchn_pending_sel; true if it was
 * clear. The 32-bit selector (offset 4) is bits 32-63 of the aligned
 * 8-byte word at offset 0, so every access stays 8-byte aligned.
 */
static bool sel_set(const struct hxen_evtchn *e, u8 *vi, u32 word)
{
	if (e->compat)
		return !ev_set(32 + word, vi);
	return !ev_set(word, vi + HXEN_VCPU_INFO_SEL_64);
}

/* evtchn_upcall_pending 0 -> 1: the caller's upcall is due. */
static void mark_upcall(const struct hxen_evtchn *e, u32 vcpu, u8 *vi)
{
	/* Atomic against the guest clearing it (Xen: test_and_set_bit). */
	if (!ev_xchg8(vi, 1))
		e->raise(e->opaque, vcpu);
}

/* Xen's evtchn_2l_set_pending: pending bit, then selector, then upcall. */
static void set_pending(struct hxen_evtchn *e, u32 vcpu, u32 port)
{
	u32 bits = e->compat ? 32 : 64;
	u8 *vi;

	/* Bound before a switch to the 32-bit layout: it has no bit there. */
	if (!port_valid(e, port))
		return;
	if (ev_set(port, pending_bits(e)))
		return;
	if (ev_test(port, mask_bits(e)))
		return;
	vi = e->vcpu_info(e->opaque, vcpu);
	if (!vi)
		return;
	if (sel_set(e, vi, port / bits))
		mark_upcall(e, vcpu, vi);
}

/* The lowest free port, as Xen hands them out. */
static int get_free_port(struct hxen_evtchn *e)
{
	u32 p, n = hxen_evtchn_nr_ports(e);

	for (p = 1; p < n; p++)
		if (e->port[p].state == HXEN_ECS_FREE)
			return p;
	return -ENOSPC;
}

static bool dom_is_self(const struct hxen_evtchn *e, u16 dom)
{
	return dom == DOMID_SELF || dom == e->domid;
}

int hxen_evtchn_alloc_unbound(struct hxen_evtchn *e, struct evtchn_alloc_unbound *a)
{
	int port;

	/* Only for ourselves: there is no privileged domain here. */
	if (!dom_is_self(e, a->dom))
		return -EPERM;
	port = get_free_port(e);
	if (port < 0)
		return port;
	e->port[port] = (struct hxen_evtchn_port){
		.state = HXEN_ECS_UNBOUND,
		.remote_dom = a->remote_dom == DOMID_SELF ? e->domid : a->remote_dom,
		.vcpu = 0,
	};
	a->port = port;
	return 0;
}

int hxen_evtchn_bind_virq(struct hxen_evtchn *e, struct evtchn_bind_virq *b)
{
	int port;

	if (b->virq >= NR_VIRQS)
		return -EINVAL;
	if (virq_is_global(b->virq) && b->vcpu != 0)
		return -EINVAL;
	if (!vcpu_valid(e, b->vcpu))
		return -ENOENT;
	if (e->virq_port[b->vcpu][b->virq])
		return -EEXIST;
	port = get_free_port(e);
	if (port < 0)
		return port;
	e->port[port] = (struct hxen_evtchn_port){
		.state = HXEN_ECS_VIRQ, .virq = b->virq, .vcpu = b->vcpu,
	};
	e->virq_port[b->vcpu][b->virq] = port;
	b->port = port;
	return 0;
}

int hxen_evtchn_bind_ipi(struct hxen_evtchn *e, struct evtchn_bind_ipi *b)
{
	int port;

	if (!vcpu_valid(e, b->vcpu))
		return -ENOENT;
	port = get_free_port(e);
	if (port < 0)
		return port;
	e->port[port] = (struct hxen_evtchn_port){ .state = HXEN_ECS_IPI, .vcpu = b->vcpu };
	b->port = port;
	return 0;
}

/*
 * Xen: only global VIRQs, unbound and interdomain ports move; per-vCPU
 * VIRQs and IPIs are tied to their vCPU (-EINVAL).
 */
int hxen_evtchn_bind_vcpu(struct hxen_evtchn *e, const struct evtchn_bind_vcpu *b)
{
	struct hxen_evtchn_port *p;

	if (!port_known(e, b->port))
		return -EINVAL;
	if (!vcpu_valid(e, b->vcpu))
		return -ENOENT;
	p = &e->port[b->port];
	switch (p->state) {
	case HXEN_ECS_VIRQ:
		if (!virq_is_global(p->virq))
			return -EINVAL;
		fallthrough;
	case HXEN_ECS_UNBOUND:
	case HXEN_ECS_INTERDOMAIN:
		p->vcpu = b->vcpu;
		return 0;
	default:
		return -EINVAL;
	}
}

int hxen_evtchn_close(struct hxen_evtchn *e, u32 port)
{
	struct hxen_evtchn_port *p;

	if (!port_known(e, port))
		return -EINVAL;
	p = &e->port[port];
	switch (p->state) {
	case HXEN_ECS_FREE:
	case HXEN_ECS_RESERVED:
		return -EINVAL;
	case HXEN_ECS_VIRQ:
		if (e->virq_port[virq_is_global(p->virq) ? 0 : p->vcpu][p->virq] == port)
			e->virq_port[virq_is_global(p->virq) ? 0 : p->vcpu][p->virq] = 0;
		break;
	}
	/*
	 * A freed port is not left pending (Xen clears the bit; mask stays).
	 * Past the layout's ports that bit would be another's (a mask bit).
	 */
	if (port_valid(e, port))
		ev_clear(port, pending_bits(e));
	*p = (struct hxen_evtchn_port){ .state = HXEN_ECS_FREE };
	return 0;
}

int hxen_evtchn_send(struct hxen_evtchn *e, u32 port, struct hxen_evtchn_peer *peer)
{
	struct hxen_evtchn_port *p;

	if (!port_valid(e, port))
		return -EINVAL;
	p = &e->port[port];
	switch (p->state) {
	case HXEN_ECS_IPI:
		set_pending(e, p->vcpu, port);
		return 0;
	case HXEN_ECS_INTERDOMAIN:
		if (p->remote_dom == e->domid)
			return hxen_evtchn_deliver(e, p->remote_port, e->domid, port) ? -EINVAL : 0;
		peer->dom = p->remote_dom;
		peer->port = p->remote_port;
		return 1;
	case HXEN_ECS_UNBOUND:
		/* Nobody listens yet: dropped silently, as on Xen. */
		return 0;
	default:
		return -EINVAL;
	}
}

int hxen_evtchn_bind_interdomain(struct hxen_evtchn *l, struct hxen_evtchn *r,
				 struct evtchn_bind_interdomain *b)
{
	struct hxen_evtchn_port *rp;
	int port;

	/* Xen's order: a free local port first, then the remote one. */
	port = get_free_port(l);
	if (port < 0)
		return port;
	if (!port_valid(r, b->remote_port))
		return -EINVAL;
	rp = &r->port[b->remote_port];
	if (rp->state != HXEN_ECS_UNBOUND || rp->remote_dom != l->domid)
		return -EINVAL;
	l->port[port] = (struct hxen_evtchn_port){
		.state = HXEN_ECS_INTERDOMAIN,
		.remote_dom = r->domid,
		.remote_port = b->remote_port,
	};
	/* The remote port keeps the vCPU it was bound to. */
	rp->state = HXEN_ECS_INTERDOMAIN;
	rp->remote_dom = l->domid;
	rp->remote_port = port;
	b->local_port = port;
	/*
	 * Sends to the unbound port were dropped: like Xen, set the new
	 * local port pending so the binder looks once.
	 */
	set_pending(l, 0, port);
	return 0;
}

bool hxen_evtchn_peer(const struct hxen_evtchn *e, u32 port, struct hxen_evtchn_peer *peer)
{
	const struct hxen_evtchn_port *p;

	if (!port_known(e, port))
		return false;
	p = &e->port[port];
	if (p->state != HXEN_ECS_INTERDOMAIN)
		return false;
	peer->dom = p->remote_dom;
	peer->port = p->remote_port;
	return true;
}

/* Is @rport of @r the end of (@dom, @port)? */
static bool linked(const struct hxen_evtchn *r, u32 rport, u16 dom, u32 port)
{
	const struct hxen_evtchn_port *p;

	if (!port_known(r, rport))
		return false;
	p = &r->port[rport];
	return p->state == HXEN_ECS_INTERDOMAIN && p->remote_dom == dom && p->remote_port == port;
}

bool hxen_evtchn_unlink(struct hxen_evtchn *r, u32 rport, u16 dom, u32 port)
{
	struct hxen_evtchn_port *p;

	if (!linked(r, rport, dom, port))
		return false;
	p = &r->port[rport];
	p->state = HXEN_ECS_UNBOUND;
	p->remote_port = 0;
	return true;
}

int hxen_evtchn_deliver(struct hxen_evtchn *r, u32 rport, u16 dom, u32 port)
{
	if (!linked(r, rport, dom, port))
		return -ENOENT;
	set_pending(r, r->port[rport].vcpu, rport);
	return 0;
}

int hxen_evtchn_bind_host(struct hxen_evtchn *e, u32 port)
{
	struct hxen_evtchn_port *p;

	if (!port_valid(e, port))
		return -EINVAL;
	p = &e->port[port];
	if (p->state != HXEN_ECS_UNBOUND || p->remote_dom != HXEN_EVTCHN_HOST_DOM)
		return -EINVAL;
	p->state = HXEN_ECS_INTERDOMAIN;
	p->remote_port = 0;
	return 0;
}

int hxen_evtchn_unbind_host(struct hxen_evtchn *e, u32 port)
{
	return hxen_evtchn_unlink(e, port, HXEN_EVTCHN_HOST_DOM, 0) ? 0 : -EINVAL;
}

int hxen_evtchn_send_virq(struct hxen_evtchn *e, u32 vcpu, u32 virq)
{
	u32 port;

	if (virq >= NR_VIRQS || vcpu >= HXEN_EVTCHN_MAX_VCPUS)
		return -EINVAL;
	port = e->virq_port[virq_is_global(virq) ? 0 : vcpu][virq];
	if (!port)
		return -ENOENT;
	set_pending(e, e->port[port].vcpu, port);
	return 0;
}

int hxen_evtchn_status(struct hxen_evtchn *e, struct evtchn_status *s)
{
	const struct hxen_evtchn_port *p;

	if (!dom_is_self(e, s->dom))
		return -EPERM;
	if (!port_known(e, s->port))
		return -EINVAL;
	p = &e->port[s->port];
	memset(&s->u, 0, sizeof(s->u));
	s->vcpu = p->vcpu;
	switch (p->state) {
	case HXEN_ECS_FREE:
	case HXEN_ECS_RESERVED:
		s->status = EVTCHNSTAT_closed;
		break;
	case HXEN_ECS_UNBOUND:
		s->status = EVTCHNSTAT_unbound;
		s->u.unbound.dom = p->remote_dom;
		break;
	case HXEN_ECS_INTERDOMAIN:
		s->status = EVTCHNSTAT_interdomain;
		s->u.interdomain.dom = p->remote_dom;
		s->u.interdomain.port = p->remote_port;
		break;
	case HXEN_ECS_VIRQ:
		s->status = EVTCHNSTAT_virq;
		s->u.virq = p->virq;
		break;
	case HXEN_ECS_IPI:
		s->status = EVTCHNSTAT_ipi;
		break;
	}
	return 0;
}

/* Xen's evtchn_2l_unmask: a port pending while masked notifies now. */
int hxen_evtchn_unmask(struct hxen_evtchn *e, u32 port)
{
	u32 bits = e->compat ? 32 : 64;
	u8 *vi;

	if (!port_valid(e, port))
		return -EINVAL;
	if (!ev_clear(port, mask_bits(e)) || !ev_test(port, pending_bits(e)))
		return 0;
	vi = e->vcpu_info(e->opaque, e->port[port].vcpu);
	if (vi && sel_set(e, vi, port / bits))
		mark_upcall(e, e->port[port].vcpu, vi);
	return 0;
}

void hxen_evtchn_vcpu_info_moved(struct hxen_evtchn *e, u32 vcpu)
{
	u8 *vi = e->vcpu_info(e->opaque, vcpu);
	u32 i, bits = e->compat ? 32 : 64;

	if (!vi)
		return;
	for (i = 0; i < bits; i++)
		sel_set(e, vi, i);
	mark_upcall(e, vcpu, vi);
}
