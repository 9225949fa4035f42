// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the dirty-log argument checks (kmod/mmu/dirty_check.h):
 * the slot field and KVM_CLEAR_DIRTY_LOG's range rules, with the errno
 * values of KVM (Linux 6.1, kvm_clear_dirty_log_protect).
 */
#include <stdio.h>

#include "mmu/dirty_check.h"

#include "check.h"

static void test_bitmap_bytes(void)
{
	CHECK(hxen_dirty_bitmap_bytes(0) == 0, "0 pages");
	CHECK(hxen_dirty_bitmap_bytes(1) == 8, "1 page");
	CHECK(hxen_dirty_bitmap_bytes(64) == 8, "64 pages");
	CHECK(hxen_dirty_bitmap_bytes(65) == 16, "65 pages");
	/* KVM's largest slot: 2^31 - 1 pages, 256 MiB of bitmap. */
	CHECK(hxen_dirty_bitmap_bytes((1ULL << 31) - 1) == 1ULL << 28, "largest slot");
	printf("ok bitmap_bytes\n");
}

static void test_slot_field(void)
{
	CHECK(hxen_dirty_slot_check(0) == 0, "slot 0");
	CHECK(hxen_dirty_slot_check(31) == 0, "slot 31");
	CHECK(hxen_dirty_slot_check(32763) == 0, "slot 32763 (ENOENT later)");
	CHECK(hxen_dirty_slot_check(32764) == -EINVAL, "slot 32764");
	CHECK(hxen_dirty_slot_check(0xffff) == -EINVAL, "slot 0xffff");
	CHECK(hxen_dirty_slot_check(1u << 16) == 0, "address space 1 (ENOENT later)");
	CHECK(hxen_dirty_slot_check((1u << 16) | 32764) == -EINVAL, "as 1, slot 32764");
	CHECK(hxen_dirty_slot_check(2u << 16) == -EINVAL, "address space 2");
	CHECK(hxen_dirty_slot_check(~0u) == -EINVAL, "~0");
	printf("ok slot_field\n");
}

static void test_clear_range(void)
{
	CHECK(hxen_dirty_clear_first_check(0) == 0, "first 0");
	CHECK(hxen_dirty_clear_first_check(64) == 0, "first 64");
	CHECK(hxen_dirty_clear_first_check(1) == -EINVAL, "first 1");
	CHECK(hxen_dirty_clear_first_check(63) == -EINVAL, "first 63");
	CHECK(hxen_dirty_clear_first_check(~0ULL & ~63ULL) == 0, "first ~63 (range check later)");

	/* 128 pages. */
	CHECK(hxen_dirty_clear_range_check(0, 128, 128) == 0, "all");
	CHECK(hxen_dirty_clear_range_check(0, 64, 128) == 0, "first half");
	CHECK(hxen_dirty_clear_range_check(64, 64, 128) == 0, "second half");
	CHECK(hxen_dirty_clear_range_check(0, 0, 128) == 0, "nothing");
	CHECK(hxen_dirty_clear_range_check(128, 0, 128) == 0, "nothing at the end");
	CHECK(hxen_dirty_clear_range_check(192, 0, 128) == -EINVAL, "past the end");
	CHECK(hxen_dirty_clear_range_check(0, 32, 128) == -EINVAL, "32 mid-slot");
	CHECK(hxen_dirty_clear_range_check(0, 65, 128) == -EINVAL, "65 mid-slot");
	CHECK(hxen_dirty_clear_range_check(64, 65, 128) == -EINVAL, "one too many");
	CHECK(hxen_dirty_clear_range_check(0, 0xffffffffu, 128) == -EINVAL, "2^32-1 pages");
	CHECK(hxen_dirty_clear_range_check(~0ULL & ~63ULL, 64, 128) == -EINVAL, "first near 2^64");

	/* 100 pages: the tail may be short when it ends at the slot's end. */
	CHECK(hxen_dirty_clear_range_check(64, 36, 100) == 0, "tail 36");
	CHECK(hxen_dirty_clear_range_check(0, 100, 100) == 0, "whole 100");
	CHECK(hxen_dirty_clear_range_check(0, 36, 100) == -EINVAL, "36 not at the end");
	CHECK(hxen_dirty_clear_range_check(64, 37, 100) == -EINVAL, "37 past the end");
	CHECK(hxen_dirty_clear_range_check(64, 35, 100) == -EINVAL, "35, short of the end");
	CHECK(hxen_dirty_clear_range_check(0, 64, 100) == 0, "first 64 of 100");

	/* A slot of 2^31 - 1 pages. */
	CHECK(hxen_dirty_clear_range_check((1ULL << 31) - 64, 63, (1ULL << 31) - 1) == 0,
	      "tail of the largest slot");
	CHECK(hxen_dirty_clear_range_check(0, (1u << 31) - 1, (1ULL << 31) - 1) == 0,
	      "the whole largest slot");
	printf("ok clear_range\n");
}

int main(void)
{
	test_bitmap_bytes();
	test_slot_field();
	test_clear_range();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
