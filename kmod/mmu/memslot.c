// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory slots (KVM_SET_USER_MEMORY_REGION): guest-physical ranges
 * backed by the VMM's memory, and the lookups gfn -> slot, gpa -> hva.
 * Slots are written under vm->lock and vm->mmu_lock, read under either.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>

#include "../hxen.h"
#include "mmu.h"

/* KVM's limit on one slot (2^31 - 1 pages), so userspace sizes carry over. */
#define HXEN_MEM_MAX_NR_PAGES	((1ULL << 31) - 1)

/* Under vm->lock or vm->mmu_lock. */
struct hxen_memslot *hxen_gfn_to_slot(struct hxen_vm *vm, u64 gfn)
{
	int i;

	for (i = 0; i < HXEN_MAX_MEMSLOTS; i++) {
		struct hxen_memslot *s = &vm->slots[i];

		if (s->npages && gfn >= s->base_gfn && gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

unsigned long hxen_gpa_to_hva(struct hxen_vm *vm, u64 gpa, bool write)
{
	struct hxen_memslot *s;
	unsigned long hva = 0;

	spin_lock(&vm->mmu_lock);
	s = hxen_gfn_to_slot(vm, gpa >> PAGE_SHIFT);
	if (s && !(write && (s->flags & KVM_MEM_READONLY)))
		hva = s->userspace_addr + (gpa - (s->base_gfn << PAGE_SHIFT));
	spin_unlock(&vm->mmu_lock);
	return hva;
}

/*
 * KVM_SET_USER_MEMORY_REGION, under vm->lock: create, move or delete a
 * slot, or turn its dirty logging on or off (mmu/dirty.c); changing its
 * size, address or KVM_MEM_READONLY in place is -EINVAL, as on KVM.
 */
int hxen_set_memory_region(struct hxen_vm *vm, const struct kvm_userspace_memory_region *m)
{
	u32 id = m->slot & 0xffff;
	u64 npages = m->memory_size >> PAGE_SHIFT;
	u64 base_gfn = m->guest_phys_addr >> PAGE_SHIFT;
	struct hxen_memslot *slot, new, old;
	int i, r;

	if (m->flags & ~(KVM_MEM_READONLY | KVM_MEM_LOG_DIRTY_PAGES))
		return -EINVAL;
	/* Address space (slot >> 16) 0 only: no SMM. */
	if ((m->slot >> 16) || id >= HXEN_MAX_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(m->memory_size) || !PAGE_ALIGNED(m->guest_phys_addr) ||
	    !PAGE_ALIGNED(m->userspace_addr))
		return -EINVAL;
	if (m->memory_size &&
	    (npages > HXEN_MEM_MAX_NR_PAGES ||
	     m->guest_phys_addr + m->memory_size < m->guest_phys_addr ||
	     base_gfn + npages > (1ULL << (48 - PAGE_SHIFT)) ||
	     !access_ok((void __user *)(unsigned long)m->userspace_addr, m->memory_size)))
		return -EINVAL;

	slot = &vm->slots[id];
	new = (struct hxen_memslot){
		.base_gfn = base_gfn,
		.npages = npages,
		.userspace_addr = m->userspace_addr,
		.flags = m->flags,
	};
	if (slot->npages && npages) {
		/* Changing a slot: moving it, or its dirty logging. */
		if (new.npages != slot->npages ||
		    new.userspace_addr != slot->userspace_addr ||
		    ((new.flags ^ slot->flags) & KVM_MEM_READONLY))
			return -EINVAL;
		if (new.base_gfn == slot->base_gfn && new.flags == slot->flags)
			return 0;
	}
	if (!slot->npages && !npages)
		return 0;
	for (i = 0; npages && i < HXEN_MAX_MEMSLOTS; i++) {
		struct hxen_memslot *o = &vm->slots[i];

		if (i == id || !o->npages)
			continue;
		if (base_gfn < o->base_gfn + o->npages && o->base_gfn < base_gfn + npages)
			return -EEXIST;
	}

	/*
	 * Publish the new slot, then unmap the old range. A fault that read
	 * the old slot sees mmu_seq move and retries.
	 */
	old = *slot;
	r = hxen_dirty_slot_prepare(vm, &old, &new);
	if (r)
		return r;
	spin_lock(&vm->mmu_lock);
	*slot = new;
	vm->mmu_seq++;
	spin_unlock(&vm->mmu_lock);
	/* A flags-only change keeps the mappings (dirty.c protects them). */
	if (old.npages && (!new.npages || new.base_gfn != old.base_gfn))
		hxen_tdp_zap_gfn_range(vm, old.base_gfn, old.base_gfn + old.npages);
	hxen_dirty_slot_commit(vm, &old, &new);
	return 0;
}
