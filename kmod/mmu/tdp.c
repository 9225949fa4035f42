// SPDX-License-Identifier: GPL-2.0
/*
 * Two-dimensional paging: the second-level tables (AMD NPT, Intel EPT) that
 * map guest-physical to host-physical memory. Tables are built on demand
 * from guest faults; nothing is pinned: the MMU notifier zaps entries when
 * the host unmaps, migrates or swaps the backing pages, and the guest
 * faults them back in.
 *
 * Both formats are 4-level radix trees of 512 8-byte entries with 4 KiB
 * leaves; only the permission and memory-type bits differ, and those come
 * from the vendor (struct hxen_tdp_format). Only 4 KiB leaves are ever
 * installed, so dirty logging (mmu/dirty.c) has no huge mapping to split:
 * it takes the write bit from the leaves of clean pages
 * (hxen_tdp_wrprot_locked), and the fault path asks it whether a page of
 * a logged slot may be mapped writable.
 *
 * A table page below the root counts its present entries in page->private
 * (under mmu_lock). A zap that empties a table unlinks and frees it, so
 * the tables held stay bounded by the frames mapped (at most three per
 * leaf): a guest moving an overlay frame (shared_info, a grant frame)
 * across its 48-bit space, or a VMM moving memslots around, would
 * otherwise leave an empty table behind at every place it touched, until
 * the VM goes. Unlinked tables are freed only after every vCPU has left
 * guest mode (tdp_flush_remote), since a CPU in the guest may be walking
 * them; each vCPU flushes its TLB and paging-structure caches before its
 * next entry.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/sched/mm.h>

#include "../hxen.h"
#include "../vendor.h"
#include "mmu.h"
#include "overlay.h"

#define TDP_LEVELS	4
#define TDP_ENTRIES	512
#define TDP_PFN_MASK	GENMASK_ULL(51, 12)

static u64 *tdp_table(u64 entry)
{
	return phys_to_virt(entry & TDP_PFN_MASK);
}

static int tdp_index(u64 gfn, int level)
{
	return (gfn >> (9 * (level - 1))) & (TDP_ENTRIES - 1);
}

int hxen_tdp_init(struct hxen_vm *vm)
{
	vm->tdp.root = hxen_alloc_page();
	if (!vm->tdp.root)
		return -ENOMEM;
	vm->tdp.pages = 1;
	return 0;
}

u64 hxen_tdp_root_pa(struct hxen_vm *vm)
{
	return page_to_phys(vm->tdp.root);
}

/* Present entries of a table page (see the top); under mmu_lock. */
static void tdp_count(u64 *table, long delta)
{
	struct page *page = virt_to_page(table);

	set_page_private(page, page_private(page) + delta);
}

static void tdp_free_page(struct page *page)
{
	set_page_private(page, 0);
	hxen_free_page(page);
}

static void tdp_free_table(u64 *table, int level)
{
	const struct hxen_tdp_format *fmt = hxen_ops->tdp_format;
	int i;

	if (level > 1)
		for (i = 0; i < TDP_ENTRIES; i++)
			if (table[i] & fmt->present_mask)
				tdp_free_table(tdp_table(table[i]), level - 1);
	tdp_free_page(virt_to_page(table));
}

void hxen_tdp_destroy(struct hxen_vm *vm)
{
	if (vm->tdp.root)
		tdp_free_table(page_address(vm->tdp.root), TDP_LEVELS);
	vm->tdp.root = NULL;
	/* No table maps an overlay page any more. */
	hxen_overlay_destroy(vm);
}

/*
 * Every vCPU flushes its guest TLB before its next entry; vCPUs in the
 * guest now are forced out (the IPI causes an exit) before we return, so
 * no stale translation is used once the caller goes on.
 */
static void tdp_flush_remote(struct hxen_vm *vm)
{
	int i;

	for (i = 0; i < HXEN_MAX_VCPUS; i++) {
		struct hxen_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);

		if (!vcpu)
			continue;
		set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
		hxen_vcpu_kick(vcpu);
	}
}

/*
 * Clear leaves for gfns [start, end); tables left empty are unlinked and
 * put on @freed. Under mmu_lock. Returns true if anything was cleared.
 */
static bool tdp_zap(struct hxen_vm *vm, u64 *table, int level, u64 base,
		    u64 start, u64 end, struct list_head *freed)
{
	const struct hxen_tdp_format *fmt = hxen_ops->tdp_format;
	u64 span = 1ULL << (9 * (level - 1));	/* gfns per entry */
	bool zapped = false;
	int i;

	for (i = 0; i < TDP_ENTRIES; i++) {
		u64 gfn = base + i * span;
		u64 *child;

		if (gfn + span <= start || gfn >= end)
			continue;
		if (!(table[i] & fmt->present_mask))
			continue;
		if (level == 1) {
			WRITE_ONCE(table[i], 0);
			tdp_count(table, -1);
			zapped = true;
			continue;
		}
		child = tdp_table(table[i]);
		zapped |= tdp_zap(vm, child, level - 1, gfn, start, end, freed);
		if (page_private(virt_to_page(child)))
			continue;
		WRITE_ONCE(table[i], 0);
		tdp_count(table, -1);
		list_add(&virt_to_page(child)->lru, freed);
		vm->tdp.pages--;
		zapped = true;
	}
	return zapped;
}

static void tdp_zap_locked(struct hxen_vm *vm, u64 start, u64 end)
{
	struct page *page, *next;
	LIST_HEAD(freed);

	lockdep_assert_held(&vm->mmu_lock);
	if (!vm->tdp.root ||
	    !tdp_zap(vm, page_address(vm->tdp.root), TDP_LEVELS, 0, start, end, &freed))
		return;
	/* No CPU walks the unlinked tables once every vCPU is out. */
	tdp_flush_remote(vm);
	list_for_each_entry_safe(page, next, &freed, lru) {
		list_del(&page->lru);
		tdp_free_page(page);
	}
}

/*
 * Take the write permission from the leaves of gfns [start, end) (dirty
 * logging, mmu/dirty.c); only the entries in range are visited. Under
 * mmu_lock. Returns true if a leaf changed.
 */
static bool tdp_wrprot(u64 *table, int level, u64 base, u64 start, u64 end)
{
	const struct hxen_tdp_format *fmt = hxen_ops->tdp_format;
	u64 span = 1ULL << (9 * (level - 1));	/* gfns per entry */
	u64 first = start > base ? (start - base) / span : 0;
	u64 last = min_t(u64, TDP_ENTRIES, DIV_ROUND_UP_ULL(end - base, span));
	bool changed = false;
	u64 i;

	for (i = first; i < last; i++) {
		u64 e = table[i];

		if (!(e & fmt->present_mask))
			continue;
		if (level > 1)
			changed |= tdp_wrprot(tdp_table(e), level - 1, base + i * span,
					      start, end);
		else if (e & fmt->leaf_write) {
			WRITE_ONCE(table[i], e & ~fmt->leaf_write);
			changed = true;
		}
	}
	return changed;
}

bool hxen_tdp_wrprot_locked(struct hxen_vm *vm, u64 start, u64 end)
{
	lockdep_assert_held(&vm->mmu_lock);
	if (!vm->tdp.root || start >= end || start >= 1ULL << (9 * TDP_LEVELS))
		return false;
	return tdp_wrprot(page_address(vm->tdp.root), TDP_LEVELS, 0, start, end);
}

void hxen_tdp_flush(struct hxen_vm *vm)
{
	tdp_flush_remote(vm);
}

void hxen_tdp_zap_gfn_range(struct hxen_vm *vm, u64 start, u64 end)
{
	spin_lock(&vm->mmu_lock);
	tdp_zap_locked(vm, start, end);
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
}

static int tdp_cache_fill(struct hxen_tdp_cache *c)
{
	while (c->n < ARRAY_SIZE(c->pages)) {
		c->pages[c->n] = hxen_alloc_page();
		if (!c->pages[c->n])
			return -ENOMEM;
		c->n++;
	}
	return 0;
}

void hxen_tdp_vcpu_free(struct hxen_vcpu *vcpu)
{
	struct hxen_tdp_cache *c = &vcpu->tdp_cache;

	while (c->n)
		tdp_free_page(c->pages[--c->n]);
}

static void tdp_install(struct hxen_vm *vm, struct hxen_tdp_cache *c, u64 gfn,
			u64 leaf)
{
	const struct hxen_tdp_format *fmt = hxen_ops->tdp_format;
	u64 *table = page_address(vm->tdp.root);
	int level;

	for (level = TDP_LEVELS; level > 1; level--) {
		u64 *e = &table[tdp_index(gfn, level)];

		if (!(*e & fmt->present_mask)) {
			struct page *p = c->pages[--c->n];

			set_page_private(p, 0);
			vm->tdp.pages++;
			WRITE_ONCE(*e, page_to_phys(p) | fmt->table);
			tdp_count(table, 1);
		}
		table = tdp_table(*e);
	}
	if (!(table[tdp_index(gfn, 1)] & fmt->present_mask))
		tdp_count(table, 1);
	WRITE_ONCE(table[tdp_index(gfn, 1)], leaf);
}

int hxen_tdp_fault(struct hxen_vcpu *vcpu, u64 gpa, bool write)
{
	const struct hxen_tdp_format *fmt = hxen_ops->tdp_format;
	struct hxen_vm *vm = vcpu->vm;
	struct hxen_memslot slot, *s;
	u64 gfn = gpa >> PAGE_SHIFT;
	unsigned long hva, seq;
	struct page *page;
	bool writable, logged = false;
	int r;

	spin_lock(&vm->mmu_lock);
	s = hxen_gfn_to_slot(vm, gfn);
	if (s)
		slot = *s;
	seq = vm->mmu_seq;
	/* An overlay frame maps the module's page, not the slot's. */
	page = hxen_overlay_lookup(vm, gfn);
	spin_unlock(&vm->mmu_lock);

	writable = true;
	if (page)
		goto map;
	if (!s)
		return HXEN_TDP_MMIO;
	/* Writes to a read-only slot go to userspace as MMIO (KVM ABI). */
	writable = !(slot.flags & KVM_MEM_READONLY);
	if (write && !writable)
		return HXEN_TDP_MMIO;
	if (gpa >= (1ULL << 48))
		return HXEN_TDP_MMIO;
	/* Dirty logging (mmu/dirty.c); overlay frames are not guest RAM. */
	logged = slot.dirty_bitmap;

	hva = slot.userspace_addr + ((gfn - slot.base_gfn) << PAGE_SHIFT);
	r = get_user_pages_fast(hva, 1, writable ? FOLL_WRITE : 0, &page);
	if (r != 1 && writable && !write) {
		/* A read of memory the host maps read-only: map it so. */
		writable = false;
		r = get_user_pages_fast(hva, 1, 0, &page);
	}
	if (r != 1)
		return r < 0 ? r : -EFAULT;

map:
	r = tdp_cache_fill(&vcpu->tdp_cache);
	if (r)
		goto out;

	spin_lock(&vm->mmu_lock);
	/* An invalidation ran or runs: the page may be stale; fault again. */
	if (vm->mmu_invalidating || vm->mmu_seq != seq) {
		spin_unlock(&vm->mmu_lock);
		r = HXEN_TDP_MAPPED;
		goto out;
	}
	/* mmu_seq unchanged: slot.dirty_bitmap is still the slot's. */
	if (logged && writable)
		writable = hxen_dirty_log_fault(&slot, gfn, write);
	tdp_install(vm, &vcpu->tdp_cache, gfn, page_to_phys(page) | fmt->leaf_read |
		    (writable ? fmt->leaf_write : 0));
	spin_unlock(&vm->mmu_lock);
	r = HXEN_TDP_MAPPED;
out:
	put_page(page);
	return r;
}

static struct hxen_vm *notifier_to_vm(struct mmu_notifier *mn)
{
	return container_of(mn, struct hxen_vm, mmu_notifier);
}

/* Zap what the host unmaps in [start, end) of the slots' host ranges. */
static void tdp_zap_hva_range(struct hxen_vm *vm, unsigned long start,
			      unsigned long end)
{
	int i;

	for (i = 0; i < HXEN_MAX_MEMSLOTS; i++) {
		struct hxen_memslot *s = &vm->slots[i];
		unsigned long s_start = s->userspace_addr;
		unsigned long s_end = s_start + (s->npages << PAGE_SHIFT);
		unsigned long a = max(start, s_start), b = min(end, s_end);

		if (!s->npages || a >= b)
			continue;
		tdp_zap_locked(vm, s->base_gfn + ((a - s_start) >> PAGE_SHIFT),
			       s->base_gfn + ((b - s_start + PAGE_SIZE - 1) >> PAGE_SHIFT));
	}
}

static int hxen_mn_invalidate_range_start(struct mmu_notifier *mn,
					  const struct mmu_notifier_range *range)
{
	struct hxen_vm *vm = notifier_to_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_invalidating++;
	tdp_zap_hva_range(vm, range->start, range->end);
	spin_unlock(&vm->mmu_lock);
	return 0;
}

static void hxen_mn_invalidate_range_end(struct mmu_notifier *mn,
					 const struct mmu_notifier_range *range)
{
	struct hxen_vm *vm = notifier_to_vm(mn);

	spin_lock(&vm->mmu_lock);
	vm->mmu_seq++;
	vm->mmu_invalidating--;
	spin_unlock(&vm->mmu_lock);
}

/* The owner's address space is going away: nothing may stay mapped. */
static void hxen_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct hxen_vm *vm = notifier_to_vm(mn);

	spin_lock(&vm->mmu_lock);
	tdp_zap_locked(vm, 0, ~0ULL);
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
}

static const struct mmu_notifier_ops hxen_mmu_notifier_ops = {
	.invalidate_range_start = hxen_mn_invalidate_range_start,
	.invalidate_range_end = hxen_mn_invalidate_range_end,
	.release = hxen_mn_release,
};

int hxen_mmu_notifier_register(struct hxen_vm *vm)
{
	vm->mmu_notifier.ops = &hxen_mmu_notifier_ops;
	return mmu_notifier_register(&vm->mmu_notifier, vm->mm);
}
