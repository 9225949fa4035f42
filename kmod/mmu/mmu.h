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

#endif /* HXEN_MMU_H */
