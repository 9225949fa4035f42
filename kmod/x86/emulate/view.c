// SPDX-License-Identifier: GPL-2.0
/*
 * The guest as the emulator's kernel side reads it: a snapshot of the
 * vCPU's registers, guest-virtual to guest-physical translation through
 * the guest's page tables, instruction fetch at CS:RIP (view.h).
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../../mmu/mmu.h"
#include "mmio.h"
#include "view.h"

int hxen_view_alloc(struct hxen_vcpu *vcpu)
{
	vcpu->view = kmalloc(sizeof(*vcpu->view), GFP_KERNEL_ACCOUNT);
	return vcpu->view ? 0 : -ENOMEM;
}

void hxen_view_free(struct hxen_vcpu *vcpu)
{
	kfree(vcpu->view);
	vcpu->view = NULL;
}

struct guest_view *hxen_view_get(struct hxen_vcpu *vcpu)
{
	hxen_view_init(vcpu->view, vcpu);
	return vcpu->view;
}

void hxen_view_init(struct guest_view *v, struct hxen_vcpu *vcpu)
{
	memset(v, 0, sizeof(*v));
	v->vcpu = vcpu;
	hxen_ops->get_regs(vcpu, &v->regs);
	hxen_ops->get_sregs(vcpu, &v->sregs);
	v->mode = (struct hxen_walk_mode){
		.cr0 = v->sregs.cr0, .cr3 = v->sregs.cr3, .cr4 = v->sregs.cr4,
		.efer = v->sregs.efer, .rflags = v->regs.rflags,
		.cpl = v->sregs.ss.dpl,
	};
	/* The code's mode, for decoding and address wrap-around. */
	v->ctx.cs_db = v->sregs.cs.db;
	v->ctx.long_mode = (v->sregs.efer & EFER_LMA) && v->sregs.cs.l;
	v->ctx.la57 = !!(v->sregs.cr4 & X86_CR4_LA57);
}

int hxen_view_read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	struct hxen_vcpu *vcpu = opaque;
	unsigned long hva = hxen_gpa_to_hva(vcpu->vm, gpa, false);

	if (!hva || (gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return -1;
	return copy_from_user(buf, (void __user *)hva, len) ? -1 : 0;
}

/*
 * Linear to guest-physical for @bytes at @la (which must not cross a page).
 * Queues #PF on a fault. Returns HXEN_EMUL_OK, _EXCEPTION or _UNHANDLED.
 */
int hxen_view_translate(struct guest_view *v, u64 la, unsigned int bytes, u32 access,
			u64 *gpa)
{
	u32 error;
	int r;

	if ((la & ~PAGE_MASK) + bytes > PAGE_SIZE)
		return HXEN_EMUL_UNHANDLED;
	r = hxen_walk(&v->mode, la, access, hxen_view_read_gpa, v->vcpu, gpa, &error);
	if (r == HXEN_WALK_PF) {
		hxen_emul_set_exc(&v->ctx, X86_TRAP_PF, true, error);
		v->fault = true;
		v->cr2 = la;
		return HXEN_EMUL_EXCEPTION;
	}
	return r == HXEN_WALK_OK ? HXEN_EMUL_OK : HXEN_EMUL_UNHANDLED;
}

/* Up to 15 instruction bytes at CS:RIP; returns how many, 0 on failure. */
unsigned int hxen_view_fetch(struct guest_view *v, u8 *buf)
{
	u64 la = v->sregs.cs.base + v->regs.rip;
	unsigned int got = 0, n;
	u64 gpa;

	if (!v->ctx.long_mode)
		la &= 0xffffffffULL;
	while (got < 15) {
		n = min_t(unsigned int, 15 - got, PAGE_SIZE - ((la + got) & ~PAGE_MASK));
		if (hxen_view_translate(v, la + got, 1, HXEN_PF_FETCH, &gpa) ||
		    hxen_view_read_gpa(v->vcpu, gpa, buf + got, n))
			break;
		got += n;
	}
	return got;
}

void hxen_view_inject(struct guest_view *v)
{
	if (v->fault)
		hxen_ops->set_cr2(v->vcpu, v->cr2);
	hxen_ops->inject_exception(v->vcpu, v->ctx.exc_vector, v->ctx.exc_has_error,
				   v->ctx.exc_error);
}
