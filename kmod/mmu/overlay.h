/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Overlay frames: module pages a VM shows in place of guest frames (RAM or
 * not), such as the pages a paravirtual guest ABI shares with the guest
 * at frames the guest chooses. The guest's
 * accesses through the second-level tables and the module's own copies of
 * guest memory both see the overlay page there; when the overlay moves on
 * or is unmapped, the slot's own memory (or nothing) comes back.
 *
 * The owner embeds a struct hxen_overlay per page and serialises its own
 * map and unmap calls; the page must stay allocated until the VM is
 * destroyed (lookups may still hold its address after an unmap).
 */
#ifndef HXEN_MMU_OVERLAY_H
#define HXEN_MMU_OVERLAY_H

#include <linux/types.h>

struct page;
struct hxen_vm;

#define HXEN_OVERLAY_NO_GFN	(~0ULL)

struct hxen_overlay {
	struct page *page;	/* the owner's; set before the first map */
	/*
	 * Where it is mapped, HXEN_OVERLAY_NO_GFN if nowhere (initially, or
	 * after another overlay took its frame). Written by the calls below;
	 * stable while the owner holds the lock that serialises its maps.
	 */
	u64 gfn;
};

static inline void hxen_overlay_init(struct hxen_overlay *ov, struct page *page)
{
	ov->page = page;
	ov->gfn = HXEN_OVERLAY_NO_GFN;
}

/*
 * Show @ov at guest frame @gfn (any frame 4-level second-level tables
 * map; -EINVAL beyond). It leaves the frame it was at; an overlay already
 * at @gfn is displaced (its gfn becomes HXEN_OVERLAY_NO_GFN). Process
 * context; takes vm->lock. 0, -EINVAL or -ENOMEM.
 */
int hxen_overlay_map(struct hxen_vm *vm, struct hxen_overlay *ov, u64 gfn);
/* @ov is no longer shown anywhere. Process context; takes vm->lock. */
void hxen_overlay_unmap(struct hxen_vm *vm, struct hxen_overlay *ov);
/*
 * Under vm->mmu_lock (the second-level fault path): the page shown at
 * @gfn, referenced, or NULL.
 */
struct page *hxen_overlay_lookup(struct hxen_vm *vm, u64 gfn);
/*
 * The kernel address of the page shown at @gfn, or NULL; any context. For
 * the module's copies of guest memory: frames never overlaid cost a bit
 * test.
 */
void *hxen_overlay_va(struct hxen_vm *vm, u64 gfn);
/* VM teardown, after the second-level tables are gone. */
void hxen_overlay_destroy(struct hxen_vm *vm);

#endif
