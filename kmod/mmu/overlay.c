// SPDX-License-Identifier: GPL-2.0
/*
 * Overlay frames (overlay.h): a per-VM map gfn -> struct hxen_overlay that
 * the second-level fault path (hxen_overlay_lookup) and the module's
 * copies of guest memory (hxen_overlay_va) consult before the memslots.
 *
 * Ordering with the fault path: a map or unmap changes the xarray first,
 * then zaps the frames concerned, which moves mmu_seq under mmu_lock. A
 * fault that read the old state either sees mmu_seq moved and retries, or
 * installed its entry before the zap, which removes it.
 *
 * Overlay pages outlive every lookup (overlay.h), so a reader that found
 * one under RCU may keep using its address.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "../hxen.h"
#include "mmu.h"
#include "overlay.h"

/* What 4-level second-level tables map (48-bit guest-physical). */
#define HXEN_OVERLAY_GFN_LIMIT	(1ULL << (48 - PAGE_SHIFT))

/*
 * One VM's overlays; allocated at the first map, freed with the VM.
 *   (l) written under vm->lock
 *   (r) read under RCU, or anywhere for a bit test
 */
struct hxen_overlays {
	struct xarray map;	/* (l,r) gfn -> struct hxen_overlay */
	/*
	 * (l,r) Bit gfn % BITS_PER_LONG set for every gfn ever mapped (before
	 * its xarray entry, never cleared): a copy to any other frame skips
	 * the xarray walk. A stale bit costs one lookup.
	 */
	unsigned long hint;
};

/* vm->overlays, published with its xarray initialised. */
static struct hxen_overlays *overlays_of(struct hxen_vm *vm)
{
	return smp_load_acquire(&vm->overlays);
}

/* Under vm->lock: the VM's overlays, allocated if need be; NULL: -ENOMEM. */
static struct hxen_overlays *overlays_get(struct hxen_vm *vm)
{
	struct hxen_overlays *set = vm->overlays;

	lockdep_assert_held(&vm->lock);
	if (set)
		return set;
	set = kzalloc(sizeof(*set), GFP_KERNEL_ACCOUNT);
	if (!set)
		return NULL;
	xa_init(&set->map);
	smp_store_release(&vm->overlays, set);
	return set;
}

static void overlay_zap(struct hxen_vm *vm, u64 gfn)
{
	if (gfn != HXEN_OVERLAY_NO_GFN)
		hxen_tdp_zap_gfn_range(vm, gfn, gfn + 1);
}

int hxen_overlay_map(struct hxen_vm *vm, struct hxen_overlay *ov, u64 gfn)
{
	struct hxen_overlays *set;
	struct hxen_overlay *prev;
	u64 old;
	int r = 0;

	/* Any frame the tables map, RAM or not: guests put such pages in holes. */
	if (gfn >= HXEN_OVERLAY_GFN_LIMIT)
		return -EINVAL;
	mutex_lock(&vm->lock);
	old = ov->gfn;
	if (old == gfn)
		goto out;
	set = overlays_get(vm);
	if (!set) {
		r = -ENOMEM;
		goto out;
	}
	prev = xa_load(&set->map, gfn);
	/* Before the entry: xa_store() orders the two for readers. */
	set_bit(gfn % BITS_PER_LONG, &set->hint);
	r = xa_err(xa_store(&set->map, gfn, ov, GFP_KERNEL_ACCOUNT));
	if (r)
		goto out;
	/* The page that was there leaves the guest's physical map. */
	if (prev)
		WRITE_ONCE(prev->gfn, HXEN_OVERLAY_NO_GFN);
	if (old != HXEN_OVERLAY_NO_GFN)
		xa_erase(&set->map, old);
	WRITE_ONCE(ov->gfn, gfn);
	overlay_zap(vm, old);
	overlay_zap(vm, gfn);
out:
	mutex_unlock(&vm->lock);
	return r;
}

void hxen_overlay_unmap(struct hxen_vm *vm, struct hxen_overlay *ov)
{
	u64 old;

	mutex_lock(&vm->lock);
	old = ov->gfn;
	if (old != HXEN_OVERLAY_NO_GFN) {
		xa_erase(&vm->overlays->map, old);
		WRITE_ONCE(ov->gfn, HXEN_OVERLAY_NO_GFN);
		overlay_zap(vm, old);
	}
	mutex_unlock(&vm->lock);
}

struct page *hxen_overlay_lookup(struct hxen_vm *vm, u64 gfn)
{
	struct hxen_overlays *set = overlays_of(vm);
	struct hxen_overlay *ov;
	struct page *page = NULL;

	lockdep_assert_held(&vm->mmu_lock);
	if (!set || gfn >= HXEN_OVERLAY_GFN_LIMIT)
		return NULL;
	rcu_read_lock();
	ov = xa_load(&set->map, gfn);
	if (ov) {
		page = ov->page;
		get_page(page);
	}
	rcu_read_unlock();
	return page;
}

void *hxen_overlay_va(struct hxen_vm *vm, u64 gfn)
{
	struct hxen_overlays *set = overlays_of(vm);
	struct hxen_overlay *ov;
	void *va = NULL;

	if (!set || !(READ_ONCE(set->hint) & BIT(gfn % BITS_PER_LONG)))
		return NULL;
	rcu_read_lock();
	ov = xa_load(&set->map, gfn);
	if (ov)
		va = page_address(ov->page);
	rcu_read_unlock();
	return va;
}

void hxen_overlay_destroy(struct hxen_vm *vm)
{
	struct hxen_overlays *set = vm->overlays;

	if (!set)
		return;
	xa_destroy(&set->map);
	kfree(set);
	vm->overlays = NULL;
}
