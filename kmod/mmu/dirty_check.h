/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Argument checks of KVM_GET_DIRTY_LOG and KVM_CLEAR_DIRTY_LOG (mmu/dirty.c),
 * pure so the unit tests build them in userspace. The errno values are
 * KVM's (Linux 6.1, virt/kvm/kvm_main.c), so VMMs see the same answers.
 */
#ifndef HXEN_MMU_DIRTY_CHECK_H
#define HXEN_MMU_DIRTY_CHECK_H

#include "../pure_types.h"
#ifdef __KERNEL__
#include <linux/errno.h>
#else
#include <errno.h>
#endif

/*
 * KVM on x86 names slots 0 .. 32763 (KVM_USER_MEM_SLOTS) in 2 address
 * spaces (the second for SMM); a slot field outside is -EINVAL, a slot
 * inside that holds no memory is -ENOENT. hxen offers fewer slots and one
 * address space; the others are "no such slot", as on KVM.
 */
#define HXEN_KVM_USER_MEM_SLOTS		32764
#define HXEN_KVM_ADDRESS_SPACES		2

/* Bytes of a slot's dirty bitmap: one bit per page, in whole u64s. */
static inline u64 hxen_dirty_bitmap_bytes(u64 npages)
{
	return ((npages + 63) / 64) * 8;
}

/* The slot field of a dirty-log ioctl: 0, or -EINVAL where KVM says so. */
static inline int hxen_dirty_slot_check(u32 slot)
{
	if ((slot >> 16) >= HXEN_KVM_ADDRESS_SPACES ||
	    (slot & 0xffff) >= HXEN_KVM_USER_MEM_SLOTS)
		return -EINVAL;
	return 0;
}

/*
 * KVM_CLEAR_DIRTY_LOG: first_page a multiple of 64 (checked before the slot
 * is looked up, as KVM does), the range inside the slot's @npages pages,
 * and num_pages a multiple of 64 unless the range ends at the slot's end.
 */
static inline int hxen_dirty_clear_first_check(u64 first_page)
{
	return (first_page & 63) ? -EINVAL : 0;
}

static inline int hxen_dirty_clear_range_check(u64 first_page, u32 num_pages, u64 npages)
{
	if (first_page > npages || num_pages > npages - first_page ||
	    (num_pages < npages - first_page && (num_pages & 63)))
		return -EINVAL;
	return 0;
}

#endif /* HXEN_MMU_DIRTY_CHECK_H */
