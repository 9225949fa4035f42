// SPDX-License-Identifier: GPL-2.0
/*
 * The PV console ring's backend side (userspace/xen/cons_ring.c): output
 * and input across the wrap, a full input ring, and hostile indices from
 * the guest (out_prod too far ahead or behind, in_cons ahead of what was
 * written or too far behind), which break the ring for good; indices the
 * guest scribbles over ours never steer us.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xen/cons_ring.c"

static struct xencons_interface page;

/* The guest writes @s into out[] as hvc_xen does. */
static void guest_out(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		page.out[MASK_XENCONS_IDX(page.out_prod + i, page.out)] = s[i];
	page.out_prod += i;
}

static void test_output(void)
{
	struct cons_ring r;
	uint8_t buf[4096];
	int n;

	memset(&page, 0, sizeof(page));
	cons_ring_init(&r, &page);
	CHECK(cons_ring_read_out(&r, buf, sizeof(buf)) == 0, "empty ring read something");
	guest_out("hello");
	n = cons_ring_read_out(&r, buf, sizeof(buf));
	CHECK(n == 5 && !memcmp(buf, "hello", 5), "read %d", n);
	CHECK(page.out_cons == 5 && r.out_cons == 5, "out_cons %u", page.out_cons);

	/* Across the end of out[]: 2046 .. 2052. */
	page.out_prod = page.out_cons = r.out_cons = 2046;
	guest_out("abcdef");
	n = cons_ring_read_out(&r, buf, 4);
	CHECK(n == 4 && !memcmp(buf, "abcd", 4), "wrapped first part %d", n);
	n = cons_ring_read_out(&r, buf, sizeof(buf));
	CHECK(n == 2 && !memcmp(buf, "ef", 2), "wrapped rest %d", n);

	/* Across the 2^32 wrap of the index, a full ring. */
	page.out_prod = page.out_cons = r.out_cons = 0xfffffc00u;
	page.out_prod += 2048;
	n = cons_ring_read_out(&r, buf, sizeof(buf));
	CHECK(n == 2048 && r.out_cons == 0x400, "index wrap read %d cons %x", n, r.out_cons);
	CHECK(!cons_ring_broken(&r), "broken after a full ring");

	/* The guest rewrites out_cons (ours): ignored, we keep our own. */
	page.out_cons = 12345;
	guest_out("x");
	n = cons_ring_read_out(&r, buf, sizeof(buf));
	CHECK(n == 1 && buf[0] == 'x' && page.out_cons == r.out_cons, "scribbled out_cons %d", n);
}

static void test_output_hostile(void)
{
	static const uint32_t bad[] = { 2049, 0x80000000u, 0xffffffffu };
	struct cons_ring r;
	uint8_t buf[64];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&page, 0, sizeof(page));
		cons_ring_init(&r, &page);
		page.out_prod = bad[i];
		CHECK(cons_ring_read_out(&r, buf, sizeof(buf)) == -1, "out_prod %u accepted", bad[i]);
		CHECK(cons_ring_broken(&r) && page.out_cons == 0, "out_prod %u: state", bad[i]);
		/* Broken stays broken, even once the indices look fine. */
		page.out_prod = 1;
		CHECK(cons_ring_read_out(&r, buf, sizeof(buf)) == -1, "served again after %u", bad[i]);
		CHECK(cons_ring_write_in(&r, buf, 1) == -1, "input after %u", bad[i]);
	}
}

static void test_input(void)
{
	uint8_t data[1500];
	struct cons_ring r;
	int n;

	memset(&page, 0, sizeof(page));
	memset(data, 'q', sizeof(data));
	cons_ring_init(&r, &page);
	CHECK(cons_ring_write_in(&r, (const uint8_t *)"ls\n", 3) == 3, "short input");
	CHECK(page.in_prod == 3 && !memcmp(page.in, "ls\n", 3), "in_prod %u", page.in_prod);
	CHECK(!r.guest_read, "guest_read before the guest read");
	/* Full: 1024 bytes in flight at most. */
	n = cons_ring_write_in(&r, data, sizeof(data));
	CHECK(n == 1021, "took %d of 1500 with 3 pending", n);
	CHECK(cons_ring_write_in(&r, data, 1) == 0, "took a byte into a full ring");
	/* The guest reads 10: room for 10, written across the end of in[]. */
	page.in_cons = 10;
	n = cons_ring_write_in(&r, (const uint8_t *)"0123456789AB", 12);
	CHECK(n == 10 && r.guest_read, "took %d after the guest read 10", n);
	CHECK(page.in[1023] == 'q' && page.in[0] == '0' && page.in[9] == '9' && page.in[2] == '2',
	      "wrapped input bytes");
	CHECK(page.in_prod == 1034, "in_prod %u", page.in_prod);
	/* The guest rewrites in_prod (ours): ignored. */
	page.in_prod = 7;
	page.in_cons = 1034;
	CHECK(cons_ring_write_in(&r, (const uint8_t *)"z", 1) == 1 && page.in_prod == 1035 &&
	      page.in[MASK_XENCONS_IDX(1034, page.in)] == 'z', "scribbled in_prod");
}

static void test_input_hostile(void)
{
	struct cons_ring r;

	/* in_cons ahead of what we wrote. */
	memset(&page, 0, sizeof(page));
	cons_ring_init(&r, &page);
	cons_ring_write_in(&r, (const uint8_t *)"abc", 3);
	page.in_cons = 4;
	CHECK(cons_ring_write_in(&r, (const uint8_t *)"d", 1) == -1 && cons_ring_broken(&r),
	      "in_cons past in_prod accepted");
	/* in_cons more than the ring behind: would let us overwrite unread bytes. */
	memset(&page, 0, sizeof(page));
	cons_ring_init(&r, &page);
	r.in_prod = 3000;
	page.in_cons = 3000 - 1025;
	CHECK(cons_ring_write_in(&r, (const uint8_t *)"d", 1) == -1 && cons_ring_broken(&r),
	      "in_cons 1025 behind accepted");
	/* Exactly a full ring behind is fine (nothing taken, not broken). */
	memset(&page, 0, sizeof(page));
	cons_ring_init(&r, &page);
	r.in_prod = 3000;
	page.in_cons = 3000 - 1024;
	CHECK(cons_ring_write_in(&r, (const uint8_t *)"d", 1) == 0 && !cons_ring_broken(&r),
	      "full ring treated as broken");
}

/* Random indices: never a copy outside the page, never more than asked. */
static void test_random(void)
{
	uint8_t buf[3000];
	struct cons_ring r;
	int i, n;

	srand(18);
	for (i = 0; i < 100000; i++) {
		memset(&page, 0, sizeof(page));
		cons_ring_init(&r, &page);
		r.out_cons = rand() * 2654435761u;
		r.in_prod = rand() * 2654435761u;
		page.out_prod = r.out_cons + (rand() % 4 ? (unsigned int)rand() % 2100 : rand() * 2654435761u);
		page.in_cons = r.in_prod - (rand() % 4 ? (unsigned int)rand() % 1100 : rand() * 2654435761u);
		n = cons_ring_read_out(&r, buf, rand() % sizeof(buf));
		if (n > 2048 || (n >= 0 && page.out_prod - r.out_cons > 2048))
			break;
		n = cons_ring_write_in(&r, buf, rand() % sizeof(buf));
		if (n > 1024 || (n >= 0 && r.in_prod - page.in_cons > 1024))
			break;
	}
	CHECK(i == 100000, "random indices: bad result at round %d (n %d)", i, n);
}

int main(void)
{
	test_output();
	test_output_hostile();
	test_input();
	test_input_hostile();
	test_random();
	check(failed == 0, "cons_ring: output, input, wrap, hostile indices");
	return check_summary();
}
