// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the 2-level event-channel logic (kmod/xen/evtchn.c) built
 * in userspace against libxen-dev's copy of Xen's public headers: port
 * allocation, binding rules, send/mask/unmask/close and the pending,
 * selector and upcall bits in both shared_info layouts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xen/errno.h>

#include "xen/evtchn.c"

#include "check.h"

static uint64_t page[512];		/* shared_info, 8-byte aligned */
static uint64_t vinfo[2][8];		/* registered vcpu_info of vCPU 1 */
static int raised[4];
static int nr_vcpus = 2;
static bool use_registered;
static struct hxen_evtchn_peer peer;

static bool cb_exists(void *o, u32 v)
{
	(void)o;
	return (int)v < nr_vcpus;
}

static u8 *cb_vcpu_info(void *o, u32 v)
{
	struct hxen_evtchn *e = o;

	if (v == 1 && use_registered)
		return (u8 *)vinfo[1];
	return e->shinfo + v * 64;
}

static void cb_raise(void *o, u32 v)
{
	(void)o;
	raised[v]++;
}

static struct hxen_evtchn *mk(bool compat)
{
	struct hxen_evtchn *e = calloc(1, sizeof(*e));

	memset(page, 0, sizeof(page));
	memset(vinfo, 0, sizeof(vinfo));
	memset(raised, 0, sizeof(raised));
	use_registered = false;
	e->shinfo = (u8 *)page;
	e->compat = compat;
	e->domid = 5;
	e->vcpu_exists = cb_exists;
	e->vcpu_info = cb_vcpu_info;
	e->raise = cb_raise;
	e->opaque = e;
	hxen_evtchn_init(e);
	return e;
}

static bool bit(const void *base, unsigned int n)
{
	return ((const u8 *)base)[n / 8] & (1 << (n % 8));
}

static void test_errno_values(void)
{
	/* Xen's public errno values are Linux's on x86 (we return the latter). */
	CHECK(XEN_EINVAL == EINVAL && XEN_ENOENT == ENOENT && XEN_EEXIST == EEXIST &&
	      XEN_ENOSPC == ENOSPC && XEN_EPERM == EPERM && XEN_ENOSYS == ENOSYS,
	      "errno values differ");
}

static void test_alloc_status_close(bool compat)
{
	struct hxen_evtchn *e = mk(compat);
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = 9 };
	struct evtchn_status s = { .dom = DOMID_SELF };
	u32 n = compat ? 1024 : 4096, i;

	CHECK(hxen_evtchn_alloc_unbound(e, &a) == 0 && a.port == 1, "first port %u", a.port);
	s.port = 1;
	CHECK(hxen_evtchn_status(e, &s) == 0 && s.status == EVTCHNSTAT_unbound &&
	      s.u.unbound.dom == 9, "status %u dom %u", s.status, s.u.unbound.dom);
	s.port = 0;
	CHECK(hxen_evtchn_status(e, &s) == 0 && s.status == EVTCHNSTAT_closed, "port 0");
	s.port = n;
	CHECK(hxen_evtchn_status(e, &s) == -EINVAL, "status past the end");
	s.dom = 3;
	s.port = 1;
	CHECK(hxen_evtchn_status(e, &s) == -EPERM, "status of another domain");
	a.dom = 5;	/* our own id is "self" too */
	CHECK(hxen_evtchn_alloc_unbound(e, &a) == 0 && a.port == 2, "own domid");
	a.dom = 6;
	CHECK(hxen_evtchn_alloc_unbound(e, &a) == -EPERM, "other domain");
	a.dom = DOMID_SELF;
	for (i = 3; i < n; i++)
		if (hxen_evtchn_alloc_unbound(e, &a))
			break;
	CHECK(i == n, "filled up to %u of %u", i, n);
	CHECK(hxen_evtchn_alloc_unbound(e, &a) == -ENOSPC, "full table");
	CHECK(hxen_evtchn_close(e, 7) == 0, "close");
	CHECK(hxen_evtchn_close(e, 7) == -EINVAL, "close twice");
	CHECK(hxen_evtchn_close(e, 0) == -EINVAL, "close 0");
	CHECK(hxen_evtchn_close(e, n) == -EINVAL, "close past the end");
	CHECK(hxen_evtchn_alloc_unbound(e, &a) == 0 && a.port == 7, "reuse %u", a.port);
	free(e);
}

static void test_ipi_mask_unmask(bool compat)
{
	struct hxen_evtchn *e = mk(compat);
	struct evtchn_bind_ipi b = { .vcpu = 1 };
	u8 *pend = (u8 *)page + HXEN_SHINFO_PENDING;
	u8 *mask = (u8 *)page + (compat ? HXEN_SHINFO_MASK_32 : HXEN_SHINFO_MASK_64);
	u32 bits = compat ? 32 : 64, port, i;
	u8 *vi;

	use_registered = true;
	vi = (u8 *)vinfo[1];
	/* Push the port into the second selector word. */
	for (i = 0; i < bits + 3; i++) {
		struct evtchn_bind_ipi t = { .vcpu = 0 };

		hxen_evtchn_bind_ipi(e, &t);
	}
	CHECK(hxen_evtchn_bind_ipi(e, &b) == 0, "bind_ipi");
	port = b.port;
	CHECK(port == bits + 4, "port %u", port);
	b.vcpu = 2;
	CHECK(hxen_evtchn_bind_ipi(e, &b) == -ENOENT, "bind_ipi to a missing vCPU");
	CHECK(hxen_evtchn_send(e, port, &peer) == 0, "send");
	CHECK(bit(pend, port), "not pending");
	CHECK(vi[0] == 1 && raised[1] == 1 && raised[0] == 0, "upcall %u raised %d/%d", vi[0],
	      raised[0], raised[1]);
	CHECK(compat ? bit(vi + 4, 1) && !bit(vi + 4, 0) : bit(vi + 8, 1) && !bit(vi + 8, 0),
	      "selector");
	CHECK(hxen_evtchn_send(e, port, &peer) == 0 && raised[1] == 1, "second send raised again");
	/* Guest handled it. */
	memset(pend, 0, 512);
	memset(vi, 0, 16);
	mask[port / 8] |= 1 << (port % 8);
	CHECK(hxen_evtchn_send(e, port, &peer) == 0 && bit(pend, port) && vi[0] == 0 && raised[1] == 1,
	      "masked send raised");
	CHECK(hxen_evtchn_unmask(e, port) == 0 && !bit(mask, port) && vi[0] == 1 &&
	      raised[1] == 2, "unmask did not deliver");
	CHECK(hxen_evtchn_unmask(e, port) == 0 && raised[1] == 2, "unmask twice raised");
	CHECK(hxen_evtchn_unmask(e, 100000) == -EINVAL, "unmask bad port");
	/* Close clears pending, not mask. */
	mask[port / 8] |= 1 << (port % 8);
	CHECK(hxen_evtchn_close(e, port) == 0 && !bit(pend, port) && bit(mask, port), "close bits");
	CHECK(hxen_evtchn_send(e, port, &peer) == -EINVAL, "send closed");
	free(e);
}

static void test_virq(void)
{
	struct hxen_evtchn *e = mk(false);
	struct evtchn_bind_virq v = { .virq = VIRQ_TIMER, .vcpu = 1 };
	struct evtchn_bind_vcpu bv;
	u32 p;

	CHECK(hxen_evtchn_bind_virq(e, &v) == 0 && v.port == 1, "bind_virq");
	p = v.port;
	CHECK(hxen_evtchn_bind_virq(e, &v) == -EEXIST, "twice");
	v.vcpu = 0;
	CHECK(hxen_evtchn_bind_virq(e, &v) == 0 && v.port == 2, "same VIRQ on another vCPU");
	v.vcpu = 3;
	CHECK(hxen_evtchn_bind_virq(e, &v) == -ENOENT, "missing vCPU");
	v.virq = NR_VIRQS;
	CHECK(hxen_evtchn_bind_virq(e, &v) == -EINVAL, "NR_VIRQS");
	v.virq = VIRQ_CONSOLE;
	v.vcpu = 1;
	CHECK(hxen_evtchn_bind_virq(e, &v) == -EINVAL, "global VIRQ on vCPU 1");
	v.vcpu = 0;
	CHECK(hxen_evtchn_bind_virq(e, &v) == 0 && v.port == 3, "global VIRQ");
	bv.port = 3;
	bv.vcpu = 1;
	CHECK(hxen_evtchn_bind_vcpu(e, &bv) == 0, "move global VIRQ");
	CHECK(hxen_evtchn_send_virq(e, 0, VIRQ_CONSOLE) == 0 && raised[1] == 1, "global to vCPU 1");
	bv.port = p;
	CHECK(hxen_evtchn_bind_vcpu(e, &bv) == -EINVAL, "move per-vCPU VIRQ");
	CHECK(hxen_evtchn_send(e, p, &peer) == -EINVAL, "send to a VIRQ");
	CHECK(hxen_evtchn_send_virq(e, 1, VIRQ_TIMER) == 0 && raised[1] == 1 &&
	      bit((u8 *)page + HXEN_SHINFO_PENDING, p), "VIRQ_TIMER on vCPU 1");
	CHECK(hxen_evtchn_close(e, p) == 0 && hxen_evtchn_send_virq(e, 1, VIRQ_TIMER) == -ENOENT,
	      "closed VIRQ");
	v.virq = VIRQ_TIMER;
	v.vcpu = 1;
	CHECK(hxen_evtchn_bind_virq(e, &v) == 0 && v.port == p, "rebind after close");
	free(e);
}

static void test_moved(bool compat)
{
	struct hxen_evtchn *e = mk(compat);
	u8 *vi;

	use_registered = true;
	vi = (u8 *)vinfo[1];
	hxen_evtchn_vcpu_info_moved(e, 1);
	CHECK(vi[0] == 1 && raised[1] == 1, "not raised");
	CHECK(compat ? *(u32 *)(vi + 4) == 0xffffffffu && *(u32 *)vi == 0x00000001u :
		       vinfo[1][1] == ~0ULL, "selector not all set");
	free(e);
}

static uint64_t page2[512];		/* the second domain's shared_info */

/* Two domains (5 and 8) and the host: bind, send both ways, close, host ends. */
static void test_interdomain(bool compat)
{
	struct hxen_evtchn *a = mk(compat), *b = mk(false);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 5 };
	struct evtchn_bind_interdomain bi = { .remote_dom = 8 };
	struct evtchn_status s = { .dom = DOMID_SELF };
	struct hxen_evtchn_peer pr;
	u8 *pa = (u8 *)page + HXEN_SHINFO_PENDING, *pb = (u8 *)page2 + HXEN_SHINFO_PENDING;
	u32 ap, bp;

	memset(page2, 0, sizeof(page2));
	b->shinfo = (u8 *)page2;
	b->domid = 8;
	/* b offers a port to a (5); a binds it. */
	CHECK(hxen_evtchn_alloc_unbound(b, &au) == 0 && au.port == 1, "alloc_unbound");
	bp = au.port;
	bi.remote_port = 2;
	CHECK(hxen_evtchn_bind_interdomain(a, b, &bi) == -EINVAL, "bind a free remote port");
	bi.remote_port = 5000;
	CHECK(hxen_evtchn_bind_interdomain(a, b, &bi) == -EINVAL, "bind a bad remote port");
	bi.remote_port = bp;
	CHECK(hxen_evtchn_bind_interdomain(b, b, &bi) == -EINVAL, "port offered to someone else");
	CHECK(hxen_evtchn_bind_interdomain(a, b, &bi) == 0 && bi.local_port == 1, "bind");
	ap = bi.local_port;
	CHECK(bit(pa, ap), "new local port not pending");
	CHECK(hxen_evtchn_bind_interdomain(a, b, &bi) == -EINVAL, "bind twice");
	s.port = ap;
	CHECK(hxen_evtchn_status(a, &s) == 0 && s.status == EVTCHNSTAT_interdomain &&
	      s.u.interdomain.dom == 8 && s.u.interdomain.port == bp, "status a");
	s.port = bp;
	CHECK(hxen_evtchn_status(b, &s) == 0 && s.status == EVTCHNSTAT_interdomain &&
	      s.u.interdomain.dom == 5 && s.u.interdomain.port == ap, "status b");
	/* Sends go to the caller to deliver. */
	memset(pa, 0, 512);
	CHECK(hxen_evtchn_send(a, ap, &pr) == 1 && pr.dom == 8 && pr.port == bp, "send a->b");
	CHECK(hxen_evtchn_deliver(b, pr.port, 5, ap) == 0 && bit(pb, bp), "deliver to b");
	CHECK(hxen_evtchn_send(b, bp, &pr) == 1 && pr.dom == 5 && pr.port == ap, "send b->a");
	CHECK(hxen_evtchn_deliver(a, pr.port, 8, bp) == 0 && bit(pa, ap), "deliver to a");
	CHECK(hxen_evtchn_deliver(a, ap, 9, bp) == -ENOENT, "deliver from a stranger");
	CHECK(hxen_evtchn_deliver(a, ap + 1, 8, bp) == -ENOENT, "deliver to a free port");
	/* a closes: b's end is unbound again, offered to a. */
	CHECK(hxen_evtchn_peer(a, ap, &pr) && pr.dom == 8 && pr.port == bp, "peer");
	CHECK(hxen_evtchn_close(a, ap) == 0 && hxen_evtchn_unlink(b, bp, 5, ap), "close a");
	CHECK(!hxen_evtchn_unlink(b, bp, 5, ap), "unlink twice");
	CHECK(!hxen_evtchn_peer(a, ap, &pr), "closed port has a peer");
	s.port = bp;
	CHECK(hxen_evtchn_status(b, &s) == 0 && s.status == EVTCHNSTAT_unbound &&
	      s.u.unbound.dom == 5, "b after close: %u", s.status);
	CHECK(hxen_evtchn_deliver(b, bp, 5, ap) == -ENOENT, "deliver after close");
	CHECK(hxen_evtchn_send(b, bp, &pr) == 0, "send to an unbound port after close");
	/* Rebind, then b closes. */
	CHECK(hxen_evtchn_bind_interdomain(a, b, &bi) == 0 && bi.local_port == ap, "rebind");
	CHECK(hxen_evtchn_close(b, bp) == 0 && hxen_evtchn_unlink(a, ap, 8, bp), "close b");
	s.port = ap;
	CHECK(hxen_evtchn_status(a, &s) == 0 && s.status == EVTCHNSTAT_unbound &&
	      s.u.unbound.dom == 8, "a after close");
	/* Loopback: a binds its own port; send is delivered locally. */
	au.remote_dom = DOMID_SELF;
	CHECK(hxen_evtchn_alloc_unbound(a, &au) == 0, "alloc loopback");
	bi.remote_dom = DOMID_SELF;
	bi.remote_port = au.port;
	CHECK(hxen_evtchn_bind_interdomain(a, a, &bi) == 0, "bind loopback");
	memset(pa, 0, 512);
	CHECK(hxen_evtchn_send(a, bi.local_port, &pr) == 0 && bit(pa, au.port) &&
	      !bit(pa, bi.local_port), "loopback send");
	/* The host end. */
	au.remote_dom = HXEN_EVTCHN_HOST_DOM;
	CHECK(hxen_evtchn_alloc_unbound(a, &au) == 0, "alloc for the host");
	CHECK(hxen_evtchn_bind_host(a, bi.local_port) == -EINVAL, "host binds a bound port");
	CHECK(hxen_evtchn_bind_host(a, 5000) == -EINVAL, "host binds a bad port");
	CHECK(hxen_evtchn_unbind_host(a, au.port) == -EINVAL, "host unbinds an unbound port");
	CHECK(hxen_evtchn_bind_host(a, au.port) == 0, "host binds");
	CHECK(hxen_evtchn_bind_host(a, au.port) == -EINVAL, "host binds twice");
	CHECK(hxen_evtchn_send(a, au.port, &pr) == 1 && pr.dom == 0 && pr.port == 0, "send to host");
	memset(pa, 0, 512);
	CHECK(hxen_evtchn_deliver(a, au.port, 0, 0) == 0 && bit(pa, au.port), "host raises");
	CHECK(hxen_evtchn_unbind_host(a, au.port) == 0, "host unbinds");
	s.port = au.port;
	CHECK(hxen_evtchn_status(a, &s) == 0 && s.status == EVTCHNSTAT_unbound &&
	      s.u.unbound.dom == 0, "unbound to the host again");
	CHECK(hxen_evtchn_deliver(a, au.port, 0, 0) == -ENOENT, "host raises after unbind");
	free(a);
	free(b);
}

/*
 * Ports bound at 1024 and above in the 64-bit layout, then the guest
 * switches to the 32-bit one (issue 15, finding 7): they can still be
 * closed and unlinked, and events to them touch no bit (port 1026's
 * pending bit would be the 32-bit layout's mask bit of port 2).
 */
static void test_layout_switch(void)
{
	struct hxen_evtchn *a = mk(false), *b = mk(false);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain bi = { .remote_dom = 5 };
	struct evtchn_status s = { .dom = DOMID_SELF };
	u8 *mask32 = a->shinfo + HXEN_SHINFO_MASK_32;
	u8 before[128];
	u32 i;

	b->domid = 7;
	b->shinfo = calloc(1, 4096);
	for (i = 1; i < 1025; i++)
		hxen_evtchn_alloc_unbound(a, &au);
	au.remote_dom = 7;
	CHECK(hxen_evtchn_alloc_unbound(a, &au) == 0 && au.port == 1025, "port %u", au.port);
	CHECK(hxen_evtchn_alloc_unbound(a, &au) == 0 && au.port == 1026, "port %u", au.port);
	bi.remote_port = 1025;
	CHECK(hxen_evtchn_bind_interdomain(b, a, &bi) == 0, "bind 1025");
	bi.remote_port = 1026;
	CHECK(hxen_evtchn_bind_interdomain(b, a, &bi) == 0, "bind 1026");
	a->compat = true;	/* hxen_xen_set_long_mode(false) */
	memcpy(before, mask32, sizeof(before));
	CHECK(hxen_evtchn_deliver(a, 1026, 7, bi.local_port) == 0, "deliver to 1026");
	CHECK(!memcmp(before, mask32, sizeof(before)), "an event to 1026 changed mask bits");
	CHECK(hxen_evtchn_peer(a, 1025, &peer) && peer.dom == 7, "1025 has no peer");
	s.port = 1025;
	CHECK(hxen_evtchn_status(a, &s) == 0 && s.status == EVTCHNSTAT_interdomain,
	      "status of 1025: %u", s.status);
	CHECK(hxen_evtchn_close(a, 1025) == 0, "close 1025 after the switch");
	CHECK(!memcmp(before, mask32, sizeof(before)), "closing 1025 changed mask bits");
	CHECK(hxen_evtchn_unlink(a, 1026, 7, bi.local_port), "unlink 1026 after the switch");
	s.port = 1026;
	CHECK(hxen_evtchn_status(a, &s) == 0 && s.status == EVTCHNSTAT_unbound,
	      "status of 1026 after unlink: %u", s.status);
	CHECK(hxen_evtchn_close(a, 1026) == 0, "close 1026");
	/* Free ports past the layout stay invalid. */
	CHECK(hxen_evtchn_close(a, 1026) == -EINVAL, "close 1026 twice");
	s.port = 1027;
	CHECK(hxen_evtchn_status(a, &s) == -EINVAL, "status of free 1027");
	CHECK(hxen_evtchn_alloc_unbound(a, &au) == -ENOSPC, "alloc past the 32-bit layout");
	free(b->shinfo);
	free(a);
	free(b);
}

int main(void)
{
	test_errno_values();
	test_alloc_status_close(false);
	test_alloc_status_close(true);
	test_ipi_mask_unmask(false);
	test_ipi_mask_unmask(true);
	test_virq();
	test_moved(false);
	test_moved(true);
	test_interdomain(false);
	test_interdomain(true);
	test_layout_switch();
	printf("evtchn: %d passed, %d failed\n", passed, failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
