/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest memory as the rest of the module sees it: memslots
 * (mmu/memslot.c) and the second-level page tables (mmu/tdp.c). The
 * per-VM and per-vCPU MMU state (struct hxen_tdp, struct hxen_tdp_cache)
 * sits in hxen.h, as the VM and vCPU embed it.
 */
#ifndef HXEN_MMU_H
#define HXEN_MMU_H

#include <linux/kvm.h>
#include <linux/types.h>

struct hxen_vm;
struct hxen_vcpu;
struct hxen_memslot;

/*
 * Second-level (NPT/EPT) page-table entry format, supplied by the vendor:
 * the two formats differ only in their permission and memory-type bits.
 */
struct hxen_tdp_format {
	u64 table;		/* bits of a non-leaf entry */
	u64 leaf_read;		/* bits of a readable leaf (incl. memory type) */
	u64 leaf_write;		/* added for a writable leaf */
	u64 present_mask;	/* any of these set: the entry is present */
};
/* mmu/memslot.c */
/* KVM_SET_USER_MEMORY_REGION, under vm->lock. */
int hxen_set_memory_region(struct hxen_vm *vm, const struct kvm_userspace_memory_region *m);
/* The slot holding @gfn, or NULL. Under vm->lock or vm->mmu_lock. */
struct hxen_memslot *hxen_gfn_to_slot(struct hxen_vm *vm, u64 gfn);
/* Host address of guest-physical @gpa if RAM (writable if @write), else 0. */
unsigned long hxen_gpa_to_hva(struct hxen_vm *vm, u64 gpa, bool write);

/* mmu/tdp.c */
int hxen_tdp_init(struct hxen_vm *vm);
void hxen_tdp_destroy(struct hxen_vm *vm);
u64 hxen_tdp_root_pa(struct hxen_vm *vm);
/* A guest access to @gpa faulted in the second-level tables. */
#define HXEN_TDP_MAPPED	0	/* mapped: retry the access */
#define HXEN_TDP_MMIO	1	/* no RAM there (or a write to a read-only slot) */
int hxen_tdp_fault(struct hxen_vcpu *vcpu, u64 gpa, bool write);
void hxen_tdp_vcpu_free(struct hxen_vcpu *vcpu);
/* Zap guest frames [start, end); flushes TLBs. Under vm->lock. */
void hxen_tdp_zap_gfn_range(struct hxen_vm *vm, u64 start, u64 end);
int hxen_mmu_notifier_register(struct hxen_vm *vm);
/*
 * Take write permission from the leaves of guest frames [start, end);
 * under vm->mmu_lock. True if one changed: flush (hxen_tdp_flush) before
 * relying on it.
 */
bool hxen_tdp_wrprot_locked(struct hxen_vm *vm, u64 start, u64 end);
/*
 * Every vCPU flushes its second-level TLB before its next entry; vCPUs in
 * the guest are forced out before this returns. Any context that may
 * sleep or holds vm->mmu_lock.
 */
void hxen_tdp_flush(struct hxen_vm *vm);

/*
 * mmu/dirty.c: dirty page logging (KVM_MEM_LOG_DIRTY_PAGES). A page of a
 * logged slot is mapped writable in the second-level tables only while
 * its bit is set, so the first write after the bit is cleared faults and
 * sets it again; pages the module writes itself are marked by
 * hxen_mark_gpa_dirty().
 */
/*
 * KVM_SET_USER_MEMORY_REGION, under vm->lock, before @new is published
 * over @old (a copy of the slot; npages 0 if unused): give @new its
 * bitmap (@old's, a new one, or none). 0 or -ENOMEM.
 */
int hxen_dirty_slot_prepare(struct hxen_vm *vm, const struct hxen_memslot *old,
			    struct hxen_memslot *new);
/* After @new is published: write-protect a newly logged slot, free @old's bitmap. */
void hxen_dirty_slot_commit(struct hxen_vm *vm, const struct hxen_memslot *old,
			    const struct hxen_memslot *new);
/* VM teardown: the slots' bitmaps go. */
void hxen_dirty_vm_free(struct hxen_vm *vm);
/*
 * Second-level fault on a logged slot, under vm->mmu_lock with @slot's
 * bitmap still the slot's: may the page be mapped writable? A write sets
 * its bit.
 */
bool hxen_dirty_log_fault(const struct hxen_memslot *slot, u64 gfn, bool write);
/* The module wrote guest RAM at @gpa (through its host address): log it. */
void hxen_mark_gpa_dirty(struct hxen_vm *vm, u64 gpa);
/* The VM ioctls; they take vm->lock. */
int hxen_get_dirty_log(struct hxen_vm *vm, const struct kvm_dirty_log *log);
int hxen_clear_dirty_log(struct hxen_vm *vm, const struct kvm_clear_dirty_log *log);
/* KVM_ENABLE_CAP(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) with args[0] = @flags. */
int hxen_dirty_enable_manual_protect(struct hxen_vm *vm, u64 flags);

#endif /* HXEN_MMU_H */
