// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's KASLR (userspace/boot/kaslr.c): the relocation table of a
 * decompressed kernel applied to a fake guest RAM, tables it must refuse,
 * random tables that must never make it write outside the kernel image
 * (built with ASan/UBSan by tests/unit/run), and the offsets it picks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boot/kaslr.c"

#include "check.h"

/* The fake kernel: guest-physical [LO, HI); RAM from gpa 0, GUARD bytes past HI checked. */
#define LO	0x1000000ULL
#define HI	0x1010000ULL
#define GUARD	4096
#define VA(pa)	((uint32_t)(KASLR_KERNEL_MAP + (pa)))

static uint8_t *ram;

static uint64_t rd(uint64_t pa, int width)
{
	uint64_t v = 0;

	memcpy(&v, ram + pa, width);
	return v;
}

static void wr(uint64_t pa, uint64_t v, int width)
{
	memcpy(ram + pa, &v, width);
}

/* Layout as arch/x86/tools/relocs writes it: 0, 64-bit, 0, negative 32-bit, 0, 32-bit. */
static size_t make_table(uint32_t *t, const uint32_t *r64, int n64, const uint32_t *neg,
			 int nneg, const uint32_t *r32, int n32)
{
	size_t n = 0;
	int i;

	t[n++] = 0;
	for (i = 0; i < n64; i++)
		t[n++] = r64[i];
	t[n++] = 0;
	for (i = 0; i < nneg; i++)
		t[n++] = neg[i];
	t[n++] = 0;
	for (i = 0; i < n32; i++)
		t[n++] = r32[i];
	return n;
}

static void test_apply(void)
{
	const uint32_t r64[] = { VA(LO + 0x10), VA(LO + 0x43) };	/* one unaligned */
	const uint32_t neg[] = { VA(LO + 0x30) };
	const uint32_t r32[] = { VA(LO + 0x20), VA(HI - 4) };
	const uint64_t off = 0x2000000;
	struct kaslr_table kt;
	const char *why = NULL;
	uint32_t t[16];
	size_t n;
	int r;

	wr(LO + 0x10, 0xffffffff81000100ULL, 8);
	wr(LO + 0x43, 0xffffffff81234567ULL, 8);
	wr(LO + 0x30, 0x7cf00000, 4);
	wr(LO + 0x20, 0x81000200, 4);
	wr(HI - 4, 0x81fffff0, 4);
	wr(LO + 0x50, 0x1122334455667788ULL, 8);	/* not in the table */
	n = make_table(t, r64, 2, neg, 1, r32, 2);
	r = kaslr_parse(t, n, LO, HI, &kt, &why);
	check(r == 0 && kt.nr64 == 2 && kt.nr32_neg == 1 && kt.nr32 == 2, "parse_counts");
	kaslr_apply(t, n, &kt, ram, off);
	check(rd(LO + 0x10, 8) == 0xffffffff83000100ULL, "apply_64");
	check(rd(LO + 0x43, 8) == 0xffffffff83234567ULL, "apply_64_unaligned");
	check(rd(LO + 0x30, 4) == 0x7af00000, "apply_32_negative");
	check(rd(LO + 0x20, 4) == 0x83000200, "apply_32");
	check(rd(HI - 4, 4) == 0x83fffff0, "apply_32_last_bytes_of_image");
	check(rd(LO + 0x50, 8) == 0x1122334455667788ULL, "apply_leaves_others");

	/* Moved physically by 2 MiB: the same fields, 2 MiB further into RAM. */
	wr(LO + 0x20, 0x81000200, 4);
	memcpy(ram + 0x200000 + LO + 0x20, ram + LO + 0x20, 4);
	n = make_table(t, NULL, 0, NULL, 0, r32, 1);
	if (kaslr_parse(t, n, LO, HI, &kt, &why) == 0)
		kaslr_apply(t, n, &kt, ram + 0x200000, off);
	check(rd(LO + 0x200000 + 0x20, 4) == 0x83000200 && rd(LO + 0x20, 4) == 0x81000200,
	      "apply_physically_moved");

	/* Empty runs are a valid table (three terminators only). */
	n = make_table(t, NULL, 0, NULL, 0, NULL, 0);
	check(kaslr_parse(t, n, LO, HI, &kt, &why) == 0 && !kt.nr32 && !kt.nr64,
	      "parse_empty_runs");
}

static void expect_refused(const uint32_t *t, size_t n, const char *name)
{
	struct kaslr_table kt;
	const char *why = NULL;

	check(kaslr_parse(t, n, LO, HI, &kt, &why) == -1 && why, name);
}

static void test_refused(void)
{
	const uint32_t ok32[] = { VA(LO) };
	const uint32_t below[] = { VA(LO - 4) };
	const uint32_t past[] = { VA(HI - 3) };		/* 32-bit field over the end */
	const uint32_t past64[] = { VA(HI - 4) };	/* 64-bit field over the end */
	const uint32_t low_va[] = { 0x00100000 };	/* positive: not a kernel address */
	uint32_t t[16];
	size_t n;

	expect_refused(t, 0, "refuse_empty");
	t[0] = VA(LO);
	expect_refused(t, 1, "refuse_no_terminator");
	t[0] = 0;
	t[1] = 0;
	expect_refused(t, 2, "refuse_two_terminators");
	n = make_table(t, NULL, 0, NULL, 0, below, 1);
	expect_refused(t, n, "refuse_field_below_image");
	n = make_table(t, NULL, 0, NULL, 0, past, 1);
	expect_refused(t, n, "refuse_field_past_image");
	n = make_table(t, past64, 1, NULL, 0, NULL, 0);
	expect_refused(t, n, "refuse_64bit_field_past_image");
	n = make_table(t, NULL, 0, low_va, 1, NULL, 0);
	expect_refused(t, n, "refuse_field_outside_kernel_map");
	/* Words ahead of the leading 0: not the table the build wrote. */
	t[0] = VA(LO);
	n = 1 + make_table(t + 1, NULL, 0, NULL, 0, ok32, 1);
	expect_refused(t, n, "refuse_words_before_table");
}

/*
 * Random tables, shaped like real ones (three runs of fields near and
 * inside the image) with random damage: refused, or every write lands
 * inside [LO, HI).
 */
static uint32_t random_field(void)
{
	switch (rand() % 64) {
	case 0: return (uint32_t)rand() << 1 ^ rand();
	case 1: return VA(LO - 16 + rand() % 32);
	case 2: return VA(HI - 16 + rand() % 32);
	default: return VA(LO + rand() % (HI - LO));
	}
}

static void test_random_tables(void)
{
	static uint8_t copy[HI + GUARD];
	uint32_t r[3][16], t[64];
	int i, accepted = 0, outside = 0;

	srand(7);
	for (i = 0; i < 20000; i++) {
		int cnt[3], k, j;
		struct kaslr_table kt;
		const char *why;
		size_t n;

		for (k = 0; k < 3; k++) {
			cnt[k] = rand() % 16;
			for (j = 0; j < cnt[k]; j++)
				r[k][j] = random_field();
		}
		n = make_table(t, r[0], cnt[0], r[1], cnt[1], r[2], cnt[2]);
		if (rand() % 4 == 0)	/* a word dropped, changed or added */
			t[rand() % n] = rand() % 2 ? 0 : random_field();
		if (rand() % 8 == 0 && n > 1)
			n--;
		if (kaslr_parse(t, n, LO, HI, &kt, &why))
			continue;
		accepted++;
		memcpy(copy, ram, sizeof(copy));
		kaslr_apply(t, n, &kt, ram, 0x40000000 - 0x200000);
		if (memcmp(copy, ram, LO) || memcmp(copy + HI, ram + HI, GUARD))
			outside++;
	}
	printf("# %d of 20000 random tables accepted\n", accepted);
	check(accepted > 1000 && !outside, "random_tables_write_only_the_image");
}

/* A virtual offset with a fixed random number. */
static uint64_t pick(uint64_t load, uint64_t span, uint64_t align)
{
	return kaslr_pick_offset(load, span, align, KASLR_IMAGE_MAX, 5);
}

static void test_pick(void)
{
	const uint64_t load = 0x1000000, span = 0x4000000, align = 0x200000;
	const uint64_t slots = (KASLR_IMAGE_MAX - load - span) / align + 1;
	uint64_t r, off, lo = UINT64_MAX, hi = 0;
	int bad = 0;

	for (r = 0; r < 4 * slots; r++) {
		off = kaslr_pick_offset(load, span, align, KASLR_IMAGE_MAX, r * 0x9e3779b97f4a7c15ULL);
		if (!off || off % align || load + off + span > KASLR_IMAGE_MAX)
			bad++;
		lo = off < lo ? off : lo;
		hi = off > hi ? off : hi;
	}
	check(!bad, "pick_aligned_nonzero_inside_1g");
	check(lo == align && hi == (slots - 1) * align, "pick_reaches_first_and_last_slot");
	check(pick(load, span, 0x100000) == 0, "pick_refuses_align_below_2m");
	check(pick(load, span, 0x300000) == 0, "pick_refuses_align_not_power_of_2");
	check(pick(load, KASLR_IMAGE_MAX, align) == 0, "pick_refuses_huge_image");
	check(pick(load, KASLR_IMAGE_MAX - load - align, align) == align,
	      "pick_one_slot_beyond_link_address");
	check(pick(load, KASLR_IMAGE_MAX - load, align) == 0, "pick_no_room_to_move");
	/* Physical: a 256 MiB guest whose initrd starts at 250 MiB. */
	off = kaslr_pick_offset(load, span, align, 250 << 20, 12345);
	check(off && !(off % align) && load + off + span <= (250 << 20), "pick_below_limit");
	check(kaslr_pick_offset(load, span, align, load + span + align - 1, 3) == 0,
	      "pick_limit_without_a_second_slot");
	check(kaslr_pick_offset(load, span, align, load - 1, 3) == 0, "pick_limit_below_load");
}

int main(void)
{
	ram = calloc(1, HI + 0x200000 + GUARD);	/* room to move 2 MiB */
	if (!ram)
		return 1;
	test_apply();
	test_refused();
	test_random_tables();
	test_pick();
	free(ram);
	return check_summary();
}
