// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker (SDM Vol. 3 4.3-4.6). See walk.h.
 */
#include "walk.h"

#define CR0_PG		(1ULL << 31)
#define CR0_WP		(1ULL << 16)
#define CR4_PSE		(1ULL << 4)
#define CR4_PAE		(1ULL << 5)
#define CR4_SMEP	(1ULL << 20)
#define CR4_SMAP	(1ULL << 21)
#define EFER_LMA	(1ULL << 10)
#define EFER_NXE	(1ULL << 11)
#define RFLAGS_AC	(1ULL << 18)

#define PTE_P		(1ULL << 0)
#define PTE_RW		(1ULL << 1)
#define PTE_US		(1ULL << 2)
#define PTE_PS		(1ULL << 7)
#define PTE_XD		(1ULL << 63)
#define PTE_ADDR	0x000ffffffffff000ULL	/* bits 51:12 */

struct walk {
	const struct hxen_walk_mode *m;
	u32 access;
	bool user, writable, user_ok, nx;
};

static int walk_fault(const struct walk *w, u32 extra, u32 *error)
{
	*error = (w->access & (HXEN_PF_WRITE | HXEN_PF_FETCH)) |
		 (w->user ? HXEN_PF_USER : 0) | extra;
	/* The I/D bit is reported only with NX or SMEP in use (SDM 4.7). */
	if (!(w->m->efer & EFER_NXE) && !(w->m->cr4 & CR4_SMEP))
		*error &= ~HXEN_PF_FETCH;
	return HXEN_WALK_PF;
}

/* Permissions of the whole walk against the access (SDM 4.6). */
static int walk_check(const struct walk *w, u32 *error)
{
	const struct hxen_walk_mode *m = w->m;
	bool write = w->access & HXEN_PF_WRITE, fetch = w->access & HXEN_PF_FETCH;

	if (w->user) {
		if (!w->user_ok || (write && !w->writable))
			return walk_fault(w, HXEN_PF_PRESENT, error);
	} else {
		if (write && !w->writable && (m->cr0 & CR0_WP))
			return walk_fault(w, HXEN_PF_PRESENT, error);
		if (fetch && w->user_ok && (m->cr4 & CR4_SMEP))
			return walk_fault(w, HXEN_PF_PRESENT, error);
		if (!fetch && w->user_ok && (m->cr4 & CR4_SMAP) &&
		    !(m->rflags & RFLAGS_AC))
			return walk_fault(w, HXEN_PF_PRESENT, error);
	}
	if (fetch && w->nx)
		return walk_fault(w, HXEN_PF_PRESENT, error);
	return HXEN_WALK_OK;
}

/* One paging-structure entry: accumulate its permissions. */
static int walk_entry(struct walk *w, u64 pte, u32 *error)
{
	if (!(pte & PTE_P))
		return walk_fault(w, 0, error);
	if ((pte & PTE_XD) && !(w->m->efer & EFER_NXE))
		return walk_fault(w, HXEN_PF_PRESENT | HXEN_PF_RSVD, error);
	w->writable &= !!(pte & PTE_RW);
	w->user_ok &= !!(pte & PTE_US);
	w->nx |= !!(pte & PTE_XD);
	return HXEN_WALK_OK;
}

int hxen_walk(const struct hxen_walk_mode *m, u64 la, u32 access,
	      hxen_read_gpa_t read, void *opaque, u64 *gpa, u32 *error)
{
	struct walk w = { .m = m, .access = access, .user = m->cpl == 3,
			  .writable = true, .user_ok = true };
	int level, r, shift;
	u64 table, pte;

	if (!(m->cr0 & CR0_PG)) {
		*gpa = la & 0xffffffffULL;
		return HXEN_WALK_OK;
	}

	if (!(m->cr4 & CR4_PAE)) {
		/* 32-bit paging: 4-byte entries, 4 MiB pages with CR4.PSE. */
		u32 pde, pte32;

		if (read(opaque, (m->cr3 & 0xfffff000ULL) + ((la >> 22) & 0x3ff) * 4, &pde, 4))
			return HXEN_WALK_BAD;
		if ((r = walk_entry(&w, pde, error)))
			return r;
		if ((pde & PTE_PS) && (m->cr4 & CR4_PSE)) {
			if ((r = walk_check(&w, error)))
				return r;
			/* PSE-36: bits 20:13 of the PDE are address bits 39:32. */
			*gpa = (pde & 0xffc00000ULL) | ((u64)(pde >> 13 & 0xff) << 32) |
			       (la & 0x3fffff);
			return HXEN_WALK_OK;
		}
		if (read(opaque, (pde & 0xfffff000ULL) + ((la >> 12) & 0x3ff) * 4, &pte32, 4))
			return HXEN_WALK_BAD;
		if ((r = walk_entry(&w, pte32, error)) || (r = walk_check(&w, error)))
			return r;
		*gpa = (pte32 & 0xfffff000ULL) | (la & 0xfff);
		return HXEN_WALK_OK;
	}

	if (m->efer & EFER_LMA) {
		level = 4;
		table = m->cr3 & PTE_ADDR;
	} else {
		/* PAE: the PDPTE has only P and reserved bits for us to see. */
		u64 pdpte;

		if (read(opaque, (m->cr3 & 0xffffffe0ULL) + ((la >> 30) & 3) * 8, &pdpte, 8))
			return HXEN_WALK_BAD;
		if (!(pdpte & PTE_P))
			return walk_fault(&w, 0, error);
		level = 2;
		table = pdpte & PTE_ADDR;
		la &= 0xffffffffULL;
	}

	for (;; level--) {
		shift = 12 + 9 * (level - 1);
		if (read(opaque, table + ((la >> shift) & 0x1ff) * 8, &pte, 8))
			return HXEN_WALK_BAD;
		if ((r = walk_entry(&w, pte, error)))
			return r;
		/* A large page at the PDPT (1 GiB) or PD (2 MiB) level. */
		if (level == 1 || (level <= 3 && (pte & PTE_PS))) {
			u64 mask = (1ULL << shift) - 1;

			if ((r = walk_check(&w, error)))
				return r;
			*gpa = (pte & PTE_ADDR & ~mask) | (la & mask);
			return HXEN_WALK_OK;
		}
		table = pte & PTE_ADDR;
	}
}
