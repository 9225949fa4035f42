/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 2-level event channels (Xen public/event_channel.h), the pure logic:
 * the port table, the operations of EVTCHNOP_*, and the pending / mask /
 * selector bits in a guest's shared_info and vcpu_info. It touches no
 * kernel object: the caller hands in the shared_info page, and callbacks
 * say which vCPUs exist, where each one's vcpu_info is and how to raise
 * its upcall. tests/unit/evtchn_test.c builds it in userspace against
 * libxen-dev's copy of the same public headers.
 *
 * Locking is the caller's: every function here runs under one per-VM lock
 * (the bits in guest memory are updated with atomic operations, since the
 * guest changes them concurrently).
 */
#ifndef HXEN_XEN_EVTCHN_H
#define HXEN_XEN_EVTCHN_H

#include "../pure_types.h"
#ifdef __KERNEL__
#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>
#else
#include <xen/xen.h>
#include <xen/event_channel.h>
#endif

/*
 * Ports a 2-level guest can use: one bit per port in evtchn_pending, i.e.
 * 64 words of 64 bits for a 64-bit guest, 32 words of 32 bits for a
 * 32-bit one (xen_ulong_t is the guest's long).
 */
#define HXEN_EVTCHN_PORTS_64	4096
#define HXEN_EVTCHN_PORTS_32	1024
#define HXEN_EVTCHN_MAX_VCPUS	64

/*
 * Where the 2-level bits live (Xen public xen.h, struct shared_info and
 * struct vcpu_info). Linux's headers carry only the 64-bit layout, so the
 * 32-bit (compat) offsets are spelt out here: vcpu_info[32] is 2 KiB in
 * both; a 32-bit guest's evtchn_pending and evtchn_mask are 32 words of 4
 * bytes, and its evtchn_pending_sel is a 4-byte word at offset 4. A bit
 * array of 4-byte little-endian words is laid out like one of 8-byte
 * words, so both layouts are handled as bitmaps at these offsets.
 */
#define HXEN_SHINFO_PENDING		2048
#define HXEN_SHINFO_MASK_64		(2048 + 512)
#define HXEN_SHINFO_MASK_32		(2048 + 128)
#define HXEN_VCPU_INFO_SEL_64		8
#define HXEN_VCPU_INFO_SEL_32		4
#define HXEN_VCPU_INFO_SIZE		64

/* Port states: Xen's ECS_* (kept in our table, not guest-visible). */
enum {
	HXEN_ECS_FREE,
	HXEN_ECS_RESERVED,	/* port 0 */
	HXEN_ECS_UNBOUND,
	HXEN_ECS_INTERDOMAIN,	/* to another domain, ourselves or the host */
	HXEN_ECS_VIRQ,
	HXEN_ECS_IPI,
};

/*
 * The host (a process holding eventfds, HXEN_XEN_EVTCHN_EVENTFD) is
 * domain 0 for the guests. Its end of an interdomain channel has no port
 * table: the guest's port says (remote_dom 0, remote_port 0), and port 0
 * is never a real port.
 */
#define HXEN_EVTCHN_HOST_DOM	0

struct hxen_evtchn_port {
	u8 state;
	u8 virq;		/* ECS_VIRQ */
	u16 remote_dom;		/* ECS_UNBOUND: who may bind; ECS_INTERDOMAIN: the peer */
	u32 vcpu;		/* the vCPU notified */
	u32 remote_port;	/* ECS_INTERDOMAIN: the peer's port */
};

/* The other end of an interdomain channel. */
struct hxen_evtchn_peer {
	u16 dom;
	u32 port;
};

struct hxen_evtchn {
	/* The 4 KiB shared_info page, always present. */
	u8 *shinfo;
	/* 32-bit (compat) layout of shared_info and vcpu_info. */
	bool compat;
	u16 domid;
	/* Does vCPU @vcpu exist? */
	bool (*vcpu_exists)(void *opaque, u32 vcpu);
	/* Its vcpu_info (8-byte aligned), or NULL if it has none. */
	u8 *(*vcpu_info)(void *opaque, u32 vcpu);
	/* Its evtchn_upcall_pending just went from 0 to 1: deliver. */
	void (*raise)(void *opaque, u32 vcpu);
	void *opaque;

	u16 virq_port[HXEN_EVTCHN_MAX_VCPUS][NR_VIRQS];	/* 0: unbound */
	struct hxen_evtchn_port port[HXEN_EVTCHN_PORTS_64];
};

void hxen_evtchn_init(struct hxen_evtchn *e);
/* How many ports the current layout allows. */
u32 hxen_evtchn_nr_ports(const struct hxen_evtchn *e);

/* EVTCHNOP_*: 0 or a negative Xen errno (equal to Linux's on x86). */
int hxen_evtchn_alloc_unbound(struct hxen_evtchn *e, struct evtchn_alloc_unbound *a);
int hxen_evtchn_bind_virq(struct hxen_evtchn *e, struct evtchn_bind_virq *b);
int hxen_evtchn_bind_ipi(struct hxen_evtchn *e, struct evtchn_bind_ipi *b);
int hxen_evtchn_bind_vcpu(struct hxen_evtchn *e, const struct evtchn_bind_vcpu *b);
/*
 * Frees @port. An interdomain port's peer is the caller's: it reads it
 * first (hxen_evtchn_peer) and hxen_evtchn_unlink()s the other end.
 */
int hxen_evtchn_close(struct hxen_evtchn *e, u32 port);
/*
 * 0: done here (an IPI, a loopback channel, an unbound port). 1: @port is
 * connected to another domain or the host, *@peer says which; the caller
 * hxen_evtchn_deliver()s there. Else a negative Xen errno.
 */
int hxen_evtchn_send(struct hxen_evtchn *e, u32 port, struct hxen_evtchn_peer *peer);
int hxen_evtchn_status(struct hxen_evtchn *e, struct evtchn_status *s);
int hxen_evtchn_unmask(struct hxen_evtchn *e, u32 port);

/*
 * Interdomain channels. Every function touching two tables runs with both
 * tables' locks held (@l may be @r: a channel to ourselves).
 *
 * EVTCHNOP_bind_interdomain: @r is the remote domain's table; its port
 * b->remote_port must be unbound and offered to @l's domain.
 */
int hxen_evtchn_bind_interdomain(struct hxen_evtchn *l, struct hxen_evtchn *r,
				 struct evtchn_bind_interdomain *b);
/* Is @port interdomain? Its peer in *@peer. */
bool hxen_evtchn_peer(const struct hxen_evtchn *e, u32 port, struct hxen_evtchn_peer *peer);
/*
 * The peer (@dom, @port) closed its end: if @rport of @r is still bound
 * to it, it becomes unbound, offered to @dom again (Xen's behaviour).
 */
bool hxen_evtchn_unlink(struct hxen_evtchn *r, u32 rport, u16 dom, u32 port);
/* (@dom, @port) sent to @rport of @r: set it pending if still bound there. */
int hxen_evtchn_deliver(struct hxen_evtchn *r, u32 rport, u16 dom, u32 port);
/*
 * The host takes or drops its end: @port goes between unbound to dom 0
 * and interdomain to (0, 0). 0 or -EINVAL (not in the state required).
 */
int hxen_evtchn_bind_host(struct hxen_evtchn *e, u32 port);
int hxen_evtchn_unbind_host(struct hxen_evtchn *e, u32 port);

/* Raise VIRQ @virq on @vcpu if a port is bound to it; 0 or -ENOENT. */
int hxen_evtchn_send_virq(struct hxen_evtchn *e, u32 vcpu, u32 virq);
/*
 * A vcpu_info was just placed (VCPUOP_register_vcpu_info): mark every
 * selector bit and the upcall pending, so nothing pending is lost (Xen
 * does the same; the guest copes with a spurious upcall).
 */
void hxen_evtchn_vcpu_info_moved(struct hxen_evtchn *e, u32 vcpu);

#endif
