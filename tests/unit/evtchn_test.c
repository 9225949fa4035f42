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

static int passed, failed;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			printf("not ok %s:%d: ", __func__, __LINE__);          \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

static uint64_t page[512];		/* shared_info, 8-byte aligned */
static uint64_t vinfo[2][8];		/* registered vcpu_info of vCPU 1 */
static int raised[4];
static int nr_vcpus = 2;
static bool use_registered;

static bool cb_exists(void *o, u32 v)
{
	(void)o;
	return (int)v < nr_vcpus;
}

static u8 *cb_vcpu_info(void *o, u32 v)
{
	(void)o;
	if (v == 1 && use_registered)
		return (u8 *)vinfo[1];
	return (u8 *)page + v * 64;
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
	CHECK(hxen_evtchn_send(e, port) == 0, "send");
	CHECK(bit(pend, port), "not pending");
	CHECK(vi[0] == 1 && raised[1] == 1 && raised[0] == 0, "upcall %u raised %d/%d", vi[0],
	      raised[0], raised[1]);
	CHECK(compat ? bit(vi + 4, 1) && !bit(vi + 4, 0) : bit(vi + 8, 1) && !bit(vi + 8, 0),
	      "selector");
	CHECK(hxen_evtchn_send(e, port) == 0 && raised[1] == 1, "second send raised again");
	/* Guest handled it. */
	memset(pend, 0, 512);
	memset(vi, 0, 16);
	mask[port / 8] |= 1 << (port % 8);
	CHECK(hxen_evtchn_send(e, port) == 0 && bit(pend, port) && vi[0] == 0 && raised[1] == 1,
	      "masked send raised");
	CHECK(hxen_evtchn_unmask(e, port) == 0 && !bit(mask, port) && vi[0] == 1 &&
	      raised[1] == 2, "unmask did not deliver");
	CHECK(hxen_evtchn_unmask(e, port) == 0 && raised[1] == 2, "unmask twice raised");
	CHECK(hxen_evtchn_unmask(e, 100000) == -EINVAL, "unmask bad port");
	/* Close clears pending, not mask. */
	mask[port / 8] |= 1 << (port % 8);
	CHECK(hxen_evtchn_close(e, port) == 0 && !bit(pend, port) && bit(mask, port), "close bits");
	CHECK(hxen_evtchn_send(e, port) == -EINVAL, "send closed");
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
	CHECK(hxen_evtchn_send(e, p) == -EINVAL, "send to a VIRQ");
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
	printf("evtchn: %d passed, %d failed\n", passed, failed);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
