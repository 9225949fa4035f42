// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty page logging: KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG,
 * KVM_CLEAR_DIRTY_LOG and KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, with KVM's
 * semantics (Documentation/virt/kvm/api.rst), on both vendors through the
 * write bit of the second-level tables (hxen_tdp_format.leaf_write).
 *
 * The invariant: a page of a logged slot is mapped writable in the
 * second-level tables only while its bit is set. So
 *   - the fault path (hxen_dirty_log_fault) sets the bit of a write and
 *     maps a read writable only if the bit is already set;
 *   - whoever clears bits (GET_DIRTY_LOG without manual protect,
 *     CLEAR_DIRTY_LOG) write-protects those pages under the same hold of
 *     mmu_lock and flushes the vCPUs' TLBs before returning;
 *   - logging turned on over a slot that may already be mapped
 *     write-protects the whole slot before the ioctl returns, unless
 *     KVM_DIRTY_LOG_INITIALLY_SET starts every bit set.
 * A zap (MMU notifier, slot change) never touches the bitmap, so a page
 * written and then invalidated stays dirty. Overlay frames (overlay.c)
 * are module pages, not guest RAM: the fault path maps them writable
 * without logging them. Pages the module itself writes through their host
 * address (string I/O, MMIO emulation, kvm-clock, Xen copies) are marked by
 * hxen_mark_gpa_dirty() after the write.
 *
 * The second-level tables map 4 KiB pages only (tdp.c), so there are no
 * huge mappings to split when logging starts.
 *
 * Locking: a slot's dirty_bitmap pointer is (lm) like the slot itself
 * (hxen.h); a bitmap is allocated before and freed after the slot change
 * that publishes or retires it, so anyone who read the pointer under
 * mmu_lock (or under vm->lock) may use it until they drop that lock; the
 * fault path uses its copy of the slot only after checking mmu_seq under
 * mmu_lock. Bits are set under mmu_lock (set_bit) and cleared under
 * vm->lock and mmu_lock (atomic andnot); GET/CLEAR hold vm->lock
 * throughout, as KVM holds its slots_lock, and take mmu_lock per chunk of
 * the bitmap, so a huge slot never holds the spinlock long. Neither the
 * bitmap copies nor the write-protection allocate more than a page.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/kvm.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../hxen.h"
#include "mmu.h"
#include "dirty_check.h"

#define DIRTY_MANUAL_CAPS	(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | \
				 KVM_DIRTY_LOG_INITIALLY_SET)
/* Bitmap words per user copy and per mmu_lock hold: 32768 pages. */
#define DIRTY_CHUNK_LONGS	(PAGE_SIZE / sizeof(unsigned long))
/* Frames write-protected per mmu_lock hold when logging starts (1 GiB). */
#define WRPROT_CHUNK_GFNS	(1ULL << 18)

static_assert(BITS_PER_LONG == 64);	/* KVM's bitmaps are in u64s */

/* Under vm->lock. */
static bool dirty_initially_set(struct hxen_vm *vm)
{
	return (vm->dirty_log_manual & DIRTY_MANUAL_CAPS) == DIRTY_MANUAL_CAPS;
}

int hxen_dirty_enable_manual_protect(struct hxen_vm *vm, u64 flags)
{
	u64 allowed = KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE;

	/* INITIALLY_SET only with MANUAL_PROTECT_ENABLE; 0 turns both off. */
	if (flags & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE)
		allowed = DIRTY_MANUAL_CAPS;
	if (flags & ~allowed)
		return -EINVAL;
	mutex_lock(&vm->lock);
	vm->dirty_log_manual = flags;
	mutex_unlock(&vm->lock);
	return 0;
}

/* Write-protect frames [start, end) a chunk per mmu_lock hold; then flush. */
static void dirty_wrprot_range(struct hxen_vm *vm, u64 start, u64 end)
{
	bool flush = false;

	while (start < end) {
		u64 next = min(end, start + WRPROT_CHUNK_GFNS);

		spin_lock(&vm->mmu_lock);
		flush |= hxen_tdp_wrprot_locked(vm, start, next);
		spin_unlock(&vm->mmu_lock);
		start = next;
		cond_resched();
	}
	if (flush)
		hxen_tdp_flush(vm);
}

int hxen_dirty_slot_prepare(struct hxen_vm *vm, const struct hxen_memslot *old,
			    struct hxen_memslot *new)
{
	lockdep_assert_held(&vm->lock);
	new->dirty_bitmap = NULL;
	if (!new->npages || !(new->flags & KVM_MEM_LOG_DIRTY_PAGES))
		return 0;
	/* A slot that moves keeps its log, as on KVM. */
	if (old->npages && old->dirty_bitmap) {
		new->dirty_bitmap = old->dirty_bitmap;
		return 0;
	}
	/* At most 256 MiB: a slot has fewer than 2^31 pages (memslot.c). */
	new->dirty_bitmap = kvzalloc(hxen_dirty_bitmap_bytes(new->npages),
				     GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!new->dirty_bitmap)
		return -ENOMEM;
	if (dirty_initially_set(vm))
		bitmap_set(new->dirty_bitmap, 0, new->npages);
	return 0;
}

void hxen_dirty_slot_commit(struct hxen_vm *vm, const struct hxen_memslot *old,
			    const struct hxen_memslot *new)
{
	lockdep_assert_held(&vm->lock);
	/* Published over: no fault past its mmu_seq check can reach it. */
	if (old->dirty_bitmap && old->dirty_bitmap != new->dirty_bitmap)
		kvfree(old->dirty_bitmap);
	/*
	 * Logging starts: pages mapped writable before have clear bits. (A
	 * new or moved slot has nothing mapped yet but overlay frames, which
	 * just fault once more.) With every bit set there is nothing to do.
	 */
	if (new->dirty_bitmap && new->dirty_bitmap != old->dirty_bitmap &&
	    !dirty_initially_set(vm))
		dirty_wrprot_range(vm, new->base_gfn, new->base_gfn + new->npages);
}

void hxen_dirty_vm_free(struct hxen_vm *vm)
{
	int i;

	for (i = 0; i < HXEN_MAX_MEMSLOTS; i++) {
		kvfree(vm->slots[i].dirty_bitmap);
		vm->slots[i].dirty_bitmap = NULL;
	}
}

bool hxen_dirty_log_fault(const struct hxen_memslot *slot, u64 gfn, bool write)
{
	unsigned long i = gfn - slot->base_gfn;

	if (write) {
		set_bit(i, slot->dirty_bitmap);
		return true;
	}
	return test_bit(i, slot->dirty_bitmap);
}

void hxen_mark_gpa_dirty(struct hxen_vm *vm, u64 gpa)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	struct hxen_memslot *s;

	spin_lock(&vm->mmu_lock);
	s = hxen_gfn_to_slot(vm, gfn);
	if (s && s->dirty_bitmap)
		set_bit(gfn - s->base_gfn, s->dirty_bitmap);
	spin_unlock(&vm->mmu_lock);
}

/* The logged slot a dirty-log ioctl names, or NULL (-ENOENT). Under vm->lock. */
static struct hxen_memslot *dirty_slot(struct hxen_vm *vm, u32 id)
{
	struct hxen_memslot *s;

	lockdep_assert_held(&vm->lock);
	/* Address space 1 (SMM) and slots past ours exist on KVM, never here. */
	if ((id >> 16) || id >= HXEN_MAX_MEMSLOTS)
		return NULL;
	s = &vm->slots[id];
	return s->npages && s->dirty_bitmap ? s : NULL;
}

/*
 * Write-protect the pages of @mask, bit 0 = page @first of @s. Under
 * mmu_lock; true if a leaf changed.
 */
static bool dirty_wrprot_mask(struct hxen_vm *vm, const struct hxen_memslot *s,
			      u64 first, unsigned long mask)
{
	bool changed = false;

	while (mask) {
		unsigned int b = __ffs(mask);
		unsigned long rest = ~(mask >> b);
		unsigned int len = rest ? __ffs(rest) : BITS_PER_LONG - b;
		u64 gfn = s->base_gfn + first + b;

		changed |= hxen_tdp_wrprot_locked(vm, gfn, gfn + len);
		if (b + len >= BITS_PER_LONG)
			break;
		mask &= ~0UL << (b + len);
	}
	return changed;
}

int hxen_get_dirty_log(struct hxen_vm *vm, const struct kvm_dirty_log *log)
{
	unsigned long __user *ubuf = (unsigned long __user *)log->dirty_bitmap;
	unsigned long i, j, n, nlongs, *buf = NULL, *bm;
	struct hxen_memslot *s;
	bool clear, flush = false;
	u64 bytes;
	int r;

	r = hxen_dirty_slot_check(log->slot);
	if (r)
		return r;
	mutex_lock(&vm->lock);
	s = dirty_slot(vm, log->slot);
	if (!s) {
		r = -ENOENT;
		goto out;
	}
	bm = s->dirty_bitmap;
	bytes = hxen_dirty_bitmap_bytes(s->npages);
	nlongs = bytes / sizeof(long);
	clear = !(vm->dirty_log_manual & KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE);
	/*
	 * A buffer userspace cannot write fails here, before any bit is
	 * cleared (KVM clears first and loses them).
	 */
	if (clear_user(ubuf, bytes)) {
		r = -EFAULT;
		goto out;
	}
	buf = kmalloc(DIRTY_CHUNK_LONGS * sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nlongs; i += n) {
		n = min(nlongs - i, DIRTY_CHUNK_LONGS);
		for (j = 0; j < n; j++)
			buf[j] = READ_ONCE(bm[i + j]);
		/*
		 * Copied out before clearing: a write after the snapshot
		 * either hit a page already in it (userspace reads the page
		 * after this returns) or set a bit the andnot below keeps.
		 */
		if (copy_to_user(ubuf + i, buf, n * sizeof(long))) {
			r = -EFAULT;
			break;
		}
		if (!clear)
			continue;
		spin_lock(&vm->mmu_lock);
		for (j = 0; j < n; j++) {
			if (!buf[j])
				continue;
			atomic_long_andnot(buf[j], (atomic_long_t *)&bm[i + j]);
			flush |= dirty_wrprot_mask(vm, s, (i + j) * BITS_PER_LONG, buf[j]);
		}
		spin_unlock(&vm->mmu_lock);
		cond_resched();
	}
	if (flush)
		hxen_tdp_flush(vm);
out:
	mutex_unlock(&vm->lock);
	kfree(buf);
	return r;
}

int hxen_clear_dirty_log(struct hxen_vm *vm, const struct kvm_clear_dirty_log *log)
{
	unsigned long __user *ubuf = (unsigned long __user *)log->dirty_bitmap;
	unsigned long i, j, n, nlongs, *buf = NULL, *bm;
	struct hxen_memslot *s;
	bool flush = false;
	u64 first_long;
	int r;

	r = hxen_dirty_slot_check(log->slot);
	if (!r)
		r = hxen_dirty_clear_first_check(log->first_page);
	if (r)
		return r;
	mutex_lock(&vm->lock);
	s = dirty_slot(vm, log->slot);
	if (!s) {
		r = -ENOENT;
		goto out;
	}
	r = hxen_dirty_clear_range_check(log->first_page, log->num_pages, s->npages);
	if (r)
		goto out;
	bm = s->dirty_bitmap;
	first_long = log->first_page / BITS_PER_LONG;
	nlongs = DIV_ROUND_UP(log->num_pages, BITS_PER_LONG);
	if (!nlongs)
		goto out;
	buf = kmalloc(DIRTY_CHUNK_LONGS * sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nlongs; i += n) {
		n = min(nlongs - i, DIRTY_CHUNK_LONGS);
		if (copy_from_user(buf, ubuf + i, n * sizeof(long))) {
			r = -EFAULT;
			break;
		}
		spin_lock(&vm->mmu_lock);
		for (j = 0; j < n; j++) {
			unsigned long *w = &bm[first_long + i + j];
			unsigned long mask = buf[j];

			if (!mask)
				continue;
			/*
			 * Only bits that were set: never past the slot's end,
			 * whatever userspace passed beyond num_pages.
			 */
			mask &= atomic_long_fetch_andnot(mask, (atomic_long_t *)w);
			if (mask)
				flush |= dirty_wrprot_mask(vm, s, (first_long + i + j) *
							   BITS_PER_LONG, mask);
		}
		spin_unlock(&vm->mmu_lock);
		cond_resched();
	}
	if (flush)
		hxen_tdp_flush(vm);
out:
	mutex_unlock(&vm->lock);
	kfree(buf);
	return r;
}
