// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the launcher's xenstore (userspace/xen/), built by
 * tests/fuzz/run with -fsanitize=fuzzer,address,undefined; leaks are
 * caught by LeakSanitizer when libFuzzer exits.
 *
 * Input: [chunk][flags][guest bytes...]. A store with domain 5's tree and
 * a ring connection for it; the guest bytes go into the request ring
 * chunk bytes at a time (1..256), the server runs after each chunk, and
 * the guest reads its replies unless flags bit 0 says it stalls. Flags
 * bit 1: the toolstack writes a node in the guest's tree between chunks
 * (watch events); bit 2: the guest scribbles an index from the stream
 * (the byte after each chunk) between chunks; bit 3: a second, local
 * dom0 connection sends the same bytes as requests. Besides memory
 * safety and UB, each run checks that the server never claims more
 * response bytes than the ring holds, and that every message it writes
 * has a header within XENSTORE_PAYLOAD_MAX.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xenstore.c"
#include "xen/xs_txn.c"
#include "xen/xs_watch.c"
#include "xen/xs_ops.c"
#include "xen/xs_ring.c"
#include "xen/xs_domain.c"

static struct xenstore_domain_interface ring;

/* The guest's reader: a byte stream cut into messages, checked. */
static uint8_t acc[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
static unsigned int acc_n;
/*
 * The guest moved its own rsp_cons (flags bit 2): it skipped reply bytes,
 * so what it reads next is no longer cut at message boundaries and its
 * headers say nothing about the server's.
 */
static bool desync;

static void guest_read(void)
{
	struct xsd_sockmsg h;

	if (ring.rsp_prod - ring.rsp_cons > XENSTORE_RING_SIZE)
		return;	/* scribbled by the "guest"; the server flags it */
	while (ring.rsp_cons != ring.rsp_prod) {
		acc[acc_n++] = ring.rsp[MASK_XENSTORE_IDX(ring.rsp_cons)];
		ring.rsp_cons++;
		if (desync) {
			acc_n = 0;
			continue;
		}
		if (acc_n < sizeof(h))
			continue;
		memcpy(&h, acc, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			abort();
		if (acc_n == sizeof(h) + h.len)
			acc_n = 0;
	}
}

static void local_requests(struct xs_conn *c, const uint8_t *p, size_t n)
{
	struct xsd_sockmsg h, o;
	static char buf[XENSTORE_PAYLOAD_MAX];

	while (n >= sizeof(h)) {
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		n -= sizeof(h);
		h.len %= XENSTORE_PAYLOAD_MAX + 2;
		if (h.len > n)
			h.len = n;
		xs_conn_request(c, &h, p);
		p += h.len;
		n -= h.len;
		while (xs_conn_pop(c, &o, buf, sizeof(buf)))
			if (o.len > XENSTORE_PAYLOAD_MAX)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xs_domain_info d = { .domid = 5, .name = "fuzz", .uuid = "f",
				    .memory_kib = 1024, .vcpus = 2 };
	struct xs_store *s;
	struct xs_conn *g, *t = NULL;
	unsigned int chunk, flags, i = 0;
	size_t off = 2;

	if (size < 2)
		return 0;
	chunk = data[0] + 1u;
	flags = data[1];
	s = xs_store_new();
	if (!s)
		return 0;
	xs_domain_create(s, &d);
	g = xs_conn_new(s, 5);
	if (flags & 8) {
		t = xs_conn_new(s, 0);
		local_requests(t, data + 2, size - 2);
	}
	xs_ring_init(&ring);
	acc_n = 0;
	desync = false;
	while (off < size && !xs_conn_broken(g)) {
		size_t n = 0;

		while (n < chunk && off < size &&
		       ring.req_prod - ring.req_cons < XENSTORE_RING_SIZE) {
			ring.req[MASK_XENSTORE_IDX(ring.req_prod)] = data[off++];
			ring.req_prod++;
			n++;
		}
		xs_ring_process(g, &ring);
		if (!xs_conn_broken(g) && ring.rsp_prod - ring.rsp_cons > XENSTORE_RING_SIZE)
			abort();
		if (!(flags & 1))
			guest_read();
		if (flags & 2)
			xs_store_printf(s, "/local/domain/5/data/tick", "%u", i++);
		if ((flags & 4) && off < size) {
			uint8_t b = data[off++];

			if (b & 0x80) {
				ring.req_prod += b & 0x7f ? (b & 0x7f) * 997u : 0x80000000u;
			} else if (b & 0x40) {
				ring.rsp_cons += (b & 0x3f) * 131u;
				desync = true;
			}
		}
		if (n == 0 && !(flags & 4)) {
			/* The ring is full and the guest stalls: it reads once. */
			guest_read();
			xs_ring_process(g, &ring);
			if (ring.req_prod - ring.req_cons >= XENSTORE_RING_SIZE)
				break;
		}
	}
	for (i = 0; i < 16 && !xs_conn_broken(g); i++) {
		guest_read();
		xs_ring_process(g, &ring);
	}
	xs_store_free(s);
	return 0;
}
