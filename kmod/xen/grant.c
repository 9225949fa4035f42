// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: grant tables, version 1 (Xen public
 * grant_table.h). The table is HXEN_GNTTAB_MAX_FRAMES module pages at
 * most, allocated as the guest asks for them; an HVM / PVH guest maps
 * them with XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx) over its
 * own frames (overlay frames, mmu/overlay.h) and reads the frame list with
 * GNTTABOP_setup_table. Nothing in hxen maps grants yet: the table is the
 * guest's to fill, ready for a backend.
 *
 * Version 2 is not offered: GNTTABOP_set_version(2) is -ENOSYS, what Xen
 * answers when its administrator caps the version at 1 ("gnttab=max-ver:1";
 * Linux then stays on v1). v2 adds status frames (a second overlay set,
 * XENMAPIDX_grant_table_status) and is only needed for frames above 2^44
 * bytes (Linux asks for it only when max_possible_pfn needs more than 32
 * bits); v1 covers every guest a memslot can hold below that.
 *
 * Errors follow Xen: an unreadable or unwritable argument structure is
 * -EFAULT; the per-op outcome is the structure's GNTST_* status.
 * Other domains exist (domain.c) but are never ours to inspect:
 * GNTST_permission_denied, as Xen's default XSM policy says for a domU.
 * GNTTABOP_map_grant_ref and the other operations on foreign grants are
 * -ENOSYS: no cross-VM mapping yet.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mm.h>
#include <xen/interface/xen.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/memory.h>

#include "internal.h"

/* Xen's GNTTABOP_CMD_MASK: bits above are a continuation (none here). */
#define XEN_GNTTABOP_CMD_MASK		0xfff

/* struct gnttab_setup_table of a 32-bit guest: 4-byte handle and frames. */
struct gnttab_setup_table_32 {
	u16 dom;
	u32 nr_frames;
	s16 status;
	u32 frame_list;
};

/*
 * Who is @dom for a grant-table op: ourselves (GNTST_okay), another live
 * domain (GNTST_permission_denied) or nobody (GNTST_bad_domain).
 */
static s16 gnttab_dom_status(struct xen_call *c, u16 dom)
{
	struct hxen_xen *other;

	if (hxen_xen_dom_is_self(c, dom))
		return GNTST_okay;
	other = hxen_xen_domain_get(dom);
	if (!other)
		return GNTST_bad_domain;
	hxen_xen_domain_put(other);
	return GNTST_permission_denied;
}

/* Grow the table to @n frames; under xen->lock. 0 or -ENOMEM. */
static int gnttab_grow(struct hxen_xen *xen, u32 n)
{
	lockdep_assert_held(&xen->lock);
	/* The first use fixes the version, as on Xen. */
	if (!xen->gnttab_version)
		xen->gnttab_version = 1;
	while (xen->gnttab_nr_frames < n) {
		struct page *p = hxen_alloc_page();

		if (!p)
			return -ENOMEM;
		hxen_overlay_init(&xen->gnttab[xen->gnttab_nr_frames], p);
		xen->gnttab_nr_frames++;
	}
	return 0;
}

int hxen_xen_gnttab_map(struct hxen_xen *xen, u64 idx, u64 gfn)
{
	lockdep_assert_held(&xen->lock);
	/*
	 * v1 has no status frames: XENMAPIDX_grant_table_status makes the
	 * index too big, -EINVAL like any index past the maximum.
	 */
	if (idx >= HXEN_GNTTAB_MAX_FRAMES)
		return -EINVAL;
	if (gnttab_grow(xen, idx + 1))
		return -ENOMEM;
	return hxen_overlay_map(xen->vm, &xen->gnttab[idx], gfn);
}

void hxen_xen_gnttab_free(struct hxen_xen *xen)
{
	u32 i;

	for (i = 0; i < xen->gnttab_nr_frames; i++)
		hxen_free_page(xen->gnttab[i].page);
	xen->gnttab_nr_frames = 0;
}

/*
 * GNTTABOP_setup_table: the guest frames of the first nr_frames frames
 * (growing the table to that many), where the guest mapped them, or ~0
 * (in the guest's width) for one not mapped: an HVM guest has no other
 * way to reach a frame. A frame list the guest cannot write is
 * GNTST_bad_virt_addr; only the status goes back into the structure.
 */
static long gnttab_setup_table(struct xen_call *c, u64 uop)
{
	struct hxen_xen *xen = c->xen;
	struct gnttab_setup_table_32 op32;
	struct gnttab_setup_table op;
	u64 list, gfn;
	u32 i, n;
	s16 st;

	if (c->long_mode) {
		if (hxen_xen_copy_from_guest(c, &op, uop, sizeof(op)))
			return -EFAULT;
		n = op.nr_frames;
		list = (u64)(unsigned long)op.frame_list;
		st = gnttab_dom_status(c, op.dom);
	} else {
		if (hxen_xen_copy_from_guest(c, &op32, uop, sizeof(op32)))
			return -EFAULT;
		n = op32.nr_frames;
		list = op32.frame_list;
		st = gnttab_dom_status(c, op32.dom);
	}
	/* Xen checks the count against the maximum first. */
	if (n > HXEN_GNTTAB_MAX_FRAMES)
		st = GNTST_general_error;
	if (st == GNTST_okay) {
		mutex_lock(&xen->lock);
		if (gnttab_grow(xen, n))
			st = GNTST_general_error;
		for (i = 0; st == GNTST_okay && i < n; i++) {
			gfn = xen->gnttab[i].gfn;
			if (c->long_mode) {
				if (hxen_xen_copy_to_guest(c, list + i * 8, &gfn, 8))
					st = GNTST_bad_virt_addr;
			} else {
				u32 g = gfn;

				if (hxen_xen_copy_to_guest(c, list + i * 4, &g, 4))
					st = GNTST_bad_virt_addr;
			}
		}
		mutex_unlock(&xen->lock);
	}
	BUILD_BUG_ON(offsetof(struct gnttab_setup_table, status) != 8);
	BUILD_BUG_ON(offsetof(struct gnttab_setup_table_32, status) != 8);
	return hxen_xen_copy_to_guest(c, uop + 8, &st, sizeof(st)) ? -EFAULT : 0;
}

/* GNTTABOP_query_size: one layout for both widths. */
static long gnttab_query_size(struct xen_call *c, u64 uop)
{
	struct hxen_xen *xen = c->xen;
	struct gnttab_query_size op;

	if (hxen_xen_copy_from_guest(c, &op, uop, sizeof(op)))
		return -EFAULT;
	op.status = gnttab_dom_status(c, op.dom);
	if (op.status == GNTST_okay) {
		mutex_lock(&xen->lock);
		/* Xen starts a table with one frame. */
		op.nr_frames = max_t(u32, xen->gnttab_nr_frames, 1);
		mutex_unlock(&xen->lock);
		op.max_nr_frames = HXEN_GNTTAB_MAX_FRAMES;
	}
	return hxen_xen_copy_to_guest(c, uop, &op, sizeof(op)) ? -EFAULT : 0;
}

/*
 * GNTTABOP_set_version: 1 only (see the top). The version in effect is
 * written back whatever the result, as Xen does.
 */
static long gnttab_set_version(struct xen_call *c, u64 uop)
{
	struct hxen_xen *xen = c->xen;
	struct gnttab_set_version op;
	long r;

	if (hxen_xen_copy_from_guest(c, &op, uop, sizeof(op)))
		return -EFAULT;
	mutex_lock(&xen->lock);
	if (op.version != 1 && op.version != 2) {
		r = -EINVAL;
	} else if (op.version == 2) {
		r = -ENOSYS;
	} else {
		xen->gnttab_version = 1;
		r = 0;
	}
	op.version = xen->gnttab_version;
	mutex_unlock(&xen->lock);
	if (hxen_xen_copy_to_guest(c, uop, &op, sizeof(op)))
		r = -EFAULT;
	return r;
}

/*
 * GNTTABOP_get_version: 0 until the table is first used (setup_table,
 * add_to_physmap, set_version), then 1. Other domains: -ESRCH / -EPERM.
 */
static long gnttab_get_version(struct xen_call *c, u64 uop)
{
	struct hxen_xen *xen = c->xen;
	struct gnttab_get_version op;

	if (hxen_xen_copy_from_guest(c, &op, uop, sizeof(op)))
		return -EFAULT;
	switch (gnttab_dom_status(c, op.dom)) {
	case GNTST_okay:
		break;
	case GNTST_bad_domain:
		return -ESRCH;
	default:
		return -EPERM;
	}
	op.version = READ_ONCE(xen->gnttab_version);
	return hxen_xen_copy_to_guest(c, uop, &op, sizeof(op)) ? -EFAULT : 0;
}

long hxen_xen_grant_table_op(struct xen_call *c, u64 cmd, u64 uop, u64 count)
{
	/* Xen takes unsigned int cmd and count; no continuations here. */
	if ((u32)cmd & ~XEN_GNTTABOP_CMD_MASK)
		return -EINVAL;
	if ((s32)count < 0)
		return -EINVAL;
	switch ((u32)cmd) {
	case GNTTABOP_setup_table:
	case GNTTABOP_query_size:
	case GNTTABOP_set_version:
	case GNTTABOP_get_version:
		/* One structure per call (Xen's rule for these four). */
		if ((u32)count != 1)
			return -EINVAL;
		break;
	default:
		/*
		 * map/unmap_grant_ref, copy, transfer, get_status_frames
		 * (v2), swap_grant_ref, cache_flush, dump_table: not yet.
		 */
		return -ENOSYS;
	}
	switch ((u32)cmd) {
	case GNTTABOP_setup_table:
		return gnttab_setup_table(c, uop);
	case GNTTABOP_query_size:
		return gnttab_query_size(c, uop);
	case GNTTABOP_set_version:
		return gnttab_set_version(c, uop);
	default:
		return gnttab_get_version(c, uop);
	}
}
