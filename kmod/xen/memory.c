// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: memory_op.
 *
 * XENMEM_add_to_physmap lays shared_info and the grant-table frames, module
 * pages, over a guest frame as overlay frames (mmu/overlay.h): the guest
 * sees the module page there, and the slot's own page comes back when the
 * frame moves on. Any frame the second-level tables map, RAM or not, like
 * Xen's p2m: Linux PVH puts its grant frames in address space no RAM backs
 * (xen_alloc_unpopulated_pages). As on Xen, whatever overlay sat at the
 * target frame before leaves the physmap.
 *
 * XENMEM_memory_map returns the e820 map userspace set with
 * HXEN_XEN_SET_MEMORY_MAP.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <xen/interface/xen.h>
#include <xen/interface/memory.h>

#include "internal.h"

/*
 * memory_op's cmd carries a continuation extent above bit 6 (Xen's
 * MEMOP_EXTENT_SHIFT, in its hypervisor-only part of public/memory.h).
 */
#define XEN_MEMOP_CMD_MASK	0x3f

/*
 * struct xen_add_to_physmap of a 32-bit guest (xen_ulong_t and xen_pfn_t
 * are 4 bytes there): Xen's compat layout of the same public structure.
 */
struct xen_add_to_physmap_32 {
	u16 domid;
	u16 size;
	u32 space;
	u32 idx;
	u32 gpfn;
};

/* struct xen_memory_map of a 32-bit guest: the handle is 4 bytes. */
struct xen_memory_map_32 {
	u32 nr_entries;
	u32 buffer;
};

void hxen_xen_memory_free(struct hxen_xen *xen)
{
	kfree(xen->e820);
	xen->e820 = NULL;
}

/* ---- XENMEM_add_to_physmap ---- */

/*
 * XENMEM_add_to_physmap(XENMAPSPACE_shared_info): the page appears at
 * @gfn in place of what was there; a frame it was at before gets its
 * RAM back. Under xen->lock.
 */
static int xen_map_shinfo(struct hxen_xen *xen, u64 gfn)
{
	lockdep_assert_held(&xen->lock);
	return hxen_overlay_map(xen->vm, &xen->shinfo_frame, gfn);
}

static long xen_add_to_physmap(struct xen_call *c, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct xen_add_to_physmap a;
	long r;

	if (c->long_mode) {
		if (hxen_xen_copy_from_guest(c, &a, arg, sizeof(a)))
			return -EFAULT;
	} else {
		struct xen_add_to_physmap_32 a32;

		if (hxen_xen_copy_from_guest(c, &a32, arg, sizeof(a32)))
			return -EFAULT;
		a = (struct xen_add_to_physmap){
			.domid = a32.domid, .size = a32.size, .space = a32.space,
			.idx = a32.idx, .gpfn = a32.gpfn,
		};
	}
	if (!hxen_xen_dom_is_self(c, a.domid))
		return -ESRCH;
	switch (a.space) {
	case XENMAPSPACE_shared_info:
		if (a.idx != 0)
			return -EINVAL;
		mutex_lock(&xen->lock);
		hxen_xen_set_long_mode(xen, c->long_mode);
		r = xen_map_shinfo(xen, a.gpfn);
		mutex_unlock(&xen->lock);
		return r;
	case XENMAPSPACE_grant_table:
		mutex_lock(&xen->lock);
		r = hxen_xen_gnttab_map(xen, a.idx, a.gpfn);
		mutex_unlock(&xen->lock);
		return r;
	case XENMAPSPACE_gmfn:
	case XENMAPSPACE_gmfn_range:
	case XENMAPSPACE_gmfn_foreign:
	case XENMAPSPACE_dev_mmio:
		/* Guest RAM belongs to the VMM's memslots: it cannot move. */
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

/* ---- XENMEM_memory_map ---- */

/*
 * Xen: -ENOSYS while the domain has no map; else min(nr_entries, map
 * size) 20-byte entries go to the buffer and nr_entries says how many
 * (a short buffer gets the first ones, no error).
 */
static long xen_memory_map(struct xen_call *c, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct xen_memory_map_32 m32;
	struct xen_memory_map m;
	u64 buf;
	u32 n;
	long r = 0;

	if (c->long_mode) {
		if (hxen_xen_copy_from_guest(c, &m, arg, sizeof(m)))
			return -EFAULT;
		n = m.nr_entries;
		buf = (u64)(unsigned long)m.buffer;
	} else {
		if (hxen_xen_copy_from_guest(c, &m32, arg, sizeof(m32)))
			return -EFAULT;
		n = m32.nr_entries;
		buf = m32.buffer;
	}
	mutex_lock(&xen->lock);
	if (!xen->nr_e820) {
		r = -ENOSYS;
		goto out;
	}
	n = min(n, xen->nr_e820);
	BUILD_BUG_ON(sizeof(struct e820_entry) != 20);
	if (hxen_xen_copy_to_guest(c, buf, xen->e820, n * sizeof(struct e820_entry))) {
		r = -EFAULT;
		goto out;
	}
	if (c->long_mode) {
		m.nr_entries = n;
		r = hxen_xen_copy_to_guest(c, arg, &m, sizeof(m));
	} else {
		m32.nr_entries = n;
		r = hxen_xen_copy_to_guest(c, arg, &m32, sizeof(m32));
	}
out:
	mutex_unlock(&xen->lock);
	return r;
}

long hxen_xen_set_memory_map(struct hxen_xen *xen, struct hxen_xen_memory_map __user *arg)
{
	struct hxen_xen_memory_map m;
	struct hxen_e820_entry *in;
	struct e820_entry *map, *old;
	u32 i;
	long r = 0;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.reserved || !m.nr_entries)
		return -EINVAL;
	if (m.nr_entries > HXEN_XEN_E820_MAX)
		return -E2BIG;
	in = memdup_user(u64_to_user_ptr(m.entries), m.nr_entries * sizeof(*in));
	if (IS_ERR(in))
		return PTR_ERR(in);
	map = kmalloc_array(m.nr_entries, sizeof(*map), GFP_KERNEL_ACCOUNT);
	if (!map) {
		kfree(in);
		return -ENOMEM;
	}
	for (i = 0; i < m.nr_entries; i++) {
		if (in[i].reserved || !in[i].size || in[i].addr + in[i].size < in[i].addr) {
			r = -EINVAL;
			break;
		}
		map[i] = (struct e820_entry){
			.addr = in[i].addr, .size = in[i].size, .type = in[i].type,
		};
	}
	kfree(in);
	if (r) {
		kfree(map);
		return r;
	}
	mutex_lock(&xen->lock);
	old = xen->e820;
	xen->e820 = map;
	xen->nr_e820 = m.nr_entries;
	mutex_unlock(&xen->lock);
	kfree(old);
	return 0;
}

/* ---- dispatch ---- */

long hxen_xen_memory_op(struct xen_call *c, u64 cmd, u64 arg)
{
	switch (cmd & XEN_MEMOP_CMD_MASK) {
	case XENMEM_add_to_physmap:
		return xen_add_to_physmap(c, arg);
	case XENMEM_memory_map:
		return xen_memory_map(c, arg);
	case XENMEM_increase_reservation:
	case XENMEM_decrease_reservation:
	case XENMEM_populate_physmap:
	case XENMEM_exchange:
	case XENMEM_remove_from_physmap:
	case XENMEM_add_to_physmap_range:
		/*
		 * Ballooning and physmap surgery: guest RAM is the VMM's
		 * memslots, which the guest cannot give back or grow. Linux's
		 * balloon and xlate paths see -ENOSYS as "not available".
		 */
		return -ENOSYS;
	case XENMEM_maximum_reservation:
	case XENMEM_current_reservation:
	case XENMEM_maximum_ram_page:
	case XENMEM_machine_memory_map:
	case XENMEM_machphys_mapping:
	case XENMEM_acquire_resource:
		/*
		 * PV-only, for other domains, or a privileged domain's:
		 * Linux 6.1 HVM/PVH guests do not call them at boot.
		 */
		return -ENOSYS;
	default:
		return -ENOSYS;
	}
}
