// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory for hypercalls: the guest's pointers are linear addresses,
 * translated through the guest's own page tables (x86/emulate/walk.c) and
 * checked page by page: anything not in RAM, not mapped or not writable
 * where written is -EFAULT. An overlay frame (shared_info, a grant frame:
 * mmu/overlay.h) is read and written in the module's page, as the guest
 * sees it.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mm.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include "../x86/emulate/walk.h"
#include "internal.h"

static int read_pt(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	struct xen_call *c = opaque;
	unsigned long hva = hxen_gpa_to_hva(c->vcpu->vm, gpa, false);

	if (!hva || (gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return -1;
	return copy_from_user(buf, (void __user *)hva, len) ? -1 : 0;
}

static bool xen_canonical(u64 la)
{
	return (u64)(((s64)la << 16) >> 16) == la;
}

static int guest_copy(struct xen_call *c, u64 la, void *buf, size_t len, bool write)
{
	while (len) {
		size_t n;
		unsigned long hva;
		u64 gpa;
		u32 err;
		u8 *ov;

		if (!c->long_mode)
			la &= 0xffffffffULL;
		else if (!xen_canonical(la))
			return -EFAULT;
		n = min_t(size_t, len, PAGE_SIZE - (la & ~PAGE_MASK));
		if (hxen_walk(&c->mode, la, write ? HXEN_PF_WRITE : 0, read_pt, c, &gpa,
			      &err) != HXEN_WALK_OK)
			return -EFAULT;
		ov = hxen_overlay_va(c->vcpu->vm, gpa >> PAGE_SHIFT);
		if (ov) {
			/* A module page (shared_info, grant frame) sits over this frame. */
			u8 *p = ov + (gpa & ~PAGE_MASK);

			if (write)
				memcpy(p, buf, n);
			else
				memcpy(buf, p, n);
		} else {
			hva = hxen_gpa_to_hva(c->vcpu->vm, gpa, write);
			if (!hva)
				return -EFAULT;
			if (write ? copy_to_user((void __user *)hva, buf, n) :
				    copy_from_user(buf, (void __user *)hva, n))
				return -EFAULT;
			/* Dirty logging: guest RAM the module wrote. */
			if (write)
				hxen_mark_gpa_dirty(c->vcpu->vm, gpa);
		}
		la += n;
		buf = (u8 *)buf + n;
		len -= n;
	}
	return 0;
}

int hxen_xen_copy_from_guest(struct xen_call *c, void *dst, u64 la, size_t len)
{
	return guest_copy(c, la, dst, len, false);
}

int hxen_xen_copy_to_guest(struct xen_call *c, u64 la, const void *src, size_t len)
{
	return guest_copy(c, la, (void *)src, len, true);
}

int hxen_xen_write_guest(struct hxen_vcpu *vcpu, u64 la, const void *buf, size_t len)
{
	struct xen_call c;
	bool code64;

	memset(&c, 0, sizeof(c));
	c.vcpu = vcpu;
	c.xen = vcpu->vm->xen;
	hxen_ops->get_cpu_mode(vcpu, &c.mode, &code64);
	/* Any code segment: in long mode linear addresses are 64-bit. */
	c.long_mode = c.mode.efer & EFER_LMA;
	c.mode.cpl = 0;
	return guest_copy(&c, la, (void *)buf, len, true);
}
