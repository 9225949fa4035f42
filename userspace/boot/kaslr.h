/* SPDX-License-Identifier: GPL-2.0 */
/* kaslr.c: a launcher-decompressed x86-64 kernel moved to a random virtual offset. */
#ifndef HXEN_KASLR_H
#define HXEN_KASLR_H

#include <stddef.h>
#include <stdint.h>

#define KASLR_KERNEL_MAP	0xffffffff80000000ULL	/* __START_KERNEL_map */
#define KASLR_IMAGE_MAX		(1ULL << 30)	/* KERNEL_IMAGE_SIZE, RANDOMIZE_BASE */
#define KASLR_MIN_ALIGN		(2ULL << 20)

/* The relocation table's three runs (kaslr.c). */
struct kaslr_table {
	size_t nr32;		/* 32-bit fields, offset added */
	size_t nr32_neg;	/* 32-bit fields, offset subtracted */
	size_t nr64;		/* 64-bit fields, offset added */
};

/*
 * Check the @nwords-word table @tbl: well formed, and every field inside
 * the loaded image, guest-physical [@lo, @hi). -1 with *@why if not.
 */
int kaslr_parse(const uint32_t *tbl, size_t nwords, uint64_t lo, uint64_t hi,
		struct kaslr_table *t, const char **why);
/*
 * Add @offset to the kernel's virtual addresses in its image, @ram being
 * where its link-time guest-physical address 0 is in the launcher.
 */
void kaslr_apply(const uint32_t *tbl, size_t nwords, const struct kaslr_table *t,
		 uint8_t *ram, uint64_t offset);
/*
 * A random offset (from @rnd) for an image of @span bytes at @load that
 * must end by @limit: a non-zero multiple of @align; 0 if there is no room
 * to move it. Virtual: @limit is KASLR_IMAGE_MAX; physical: where RAM free
 * for the kernel ends.
 */
uint64_t kaslr_pick_offset(uint64_t load, uint64_t span, uint64_t align, uint64_t limit,
			   uint64_t rnd);

#endif /* HXEN_KASLR_H */
