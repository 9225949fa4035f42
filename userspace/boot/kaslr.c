// SPDX-License-Identifier: GPL-2.0
/*
 * KASLR for a kernel the launcher decompressed (unpack.c). Linux's own
 * x86-64 decompressor picks a random virtual offset for the kernel image
 * before it jumps to startup_64: a multiple of the kernel's alignment that
 * keeps the image inside the 1 GiB kernel text mapping (KERNEL_IMAGE_SIZE
 * with CONFIG_RANDOMIZE_BASE), applied through the relocation table the
 * build appends behind the ELF (arch/x86/tools/relocs). The launcher does
 * the same, so such a boot is as randomized as a normal one. It also picks
 * the physical load address as that decompressor does, any 2 MiB-aligned
 * spot in RAM where the image fits (the kernel relocates itself there:
 * startup_64 works out where it runs); and the kernel randomizes its own
 * memory layout (RANDOMIZE_MEMORY) once told KASLR is on.
 *
 * The table is 32-bit words. Read from its end backwards:
 *   fields of 32 bits the offset is added to, then a 0;
 *   fields of 32 bits it is subtracted from (PC-relative references
 *   between the zero-based per-CPU data and the image), then a 0;
 *   fields of 64 bits it is added to, then the table's leading 0.
 * Each word is the low half of the field's kernel virtual address;
 * sign-extended, it lies in the window at __START_KERNEL_map, which maps
 * the kernel's link-time physical addresses; the fields are found there,
 * plus however far the image was moved physically.
 *
 * Pure logic: tests/unit/kaslr_test.c builds this file as it is. The
 * table comes from the kernel file, so every field is checked to lie in
 * the loaded image before the first one is changed.
 */
#include <stdint.h>
#include <string.h>

#include "kaslr.h"

/* The three runs of the table, from the end backwards; the leading 0 must be word 0. */
int kaslr_parse(const uint32_t *tbl, size_t nwords, uint64_t lo, uint64_t hi,
		struct kaslr_table *t, const char **why)
{
	size_t *counts[3] = { &t->nr32, &t->nr32_neg, &t->nr64 };
	size_t i = nwords;
	int run;

	memset(t, 0, sizeof(*t));
	for (run = 0; run < 3; run++) {
		unsigned int width = run == 2 ? 8 : 4;

		for (;;) {
			uint64_t va, pa;

			if (!i) {
				*why = "it ends before its three terminators";
				return -1;
			}
			if (!tbl[--i])
				break;
			/* Sign-extend: the field's kernel virtual address. */
			va = (uint64_t)(int64_t)(int32_t)tbl[i];
			if (va < KASLR_KERNEL_MAP) {
				*why = "a field outside the kernel mapping";
				return -1;
			}
			pa = va - KASLR_KERNEL_MAP;
			if (pa < lo || pa > hi || hi - pa < width) {
				*why = "a field outside the loaded kernel";
				return -1;
			}
			(*counts[run])++;
		}
	}
	if (i) {
		*why = "words before its leading terminator";
		return -1;
	}
	return 0;
}

static uint64_t field_pa(uint32_t word)
{
	return (uint64_t)(int64_t)(int32_t)word - KASLR_KERNEL_MAP;
}

/* Add @delta to the @width-byte field at @p (unaligned, little endian). */
static void field_add(uint8_t *p, unsigned int width, uint64_t delta)
{
	uint64_t v = 0;

	memcpy(&v, p, width);
	v += delta;
	memcpy(p, &v, width);
}

void kaslr_apply(const uint32_t *tbl, size_t nwords, const struct kaslr_table *t,
		 uint8_t *ram, uint64_t offset)
{
	const uint32_t *w = tbl + nwords - 1;
	size_t n;

	/* Each run, then the 0 before it. */
	for (n = 0; n < t->nr32; n++)
		field_add(ram + field_pa(*w--), 4, offset);
	w--;
	for (n = 0; n < t->nr32_neg; n++)
		field_add(ram + field_pa(*w--), 4, -offset);
	w--;
	for (n = 0; n < t->nr64; n++)
		field_add(ram + field_pa(*w--), 8, offset);
}

uint64_t kaslr_pick_offset(uint64_t load, uint64_t span, uint64_t align, uint64_t limit,
			   uint64_t rnd)
{
	uint64_t slots;

	/* A power of two of at least 2 MiB: the kernel maps itself in 2 MiB pages. */
	if (align < KASLR_MIN_ALIGN || (align & (align - 1)))
		return 0;
	if (load > limit || span > limit - load)
		return 0;
	/* Positions load + i * align, i = 0 .. slots - 1, where the image fits. */
	slots = (limit - load - span) / align + 1;
	if (slots < 2)
		return 0;
	/* Never 0, the link address: a randomized boot always moves. */
	return (1 + rnd % (slots - 1)) * align;
}
