// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a second-level fault with no RAM behind it, emulated instruction
 * by instruction with x86/emulate/emulate.c and handed to userspace as
 * KVM_EXIT_MMIO (string port I/O is pio_string.c).
 *
 * A KVM_EXIT_MMIO read is completed when userspace re-enters KVM_RUN: the
 * instruction is emulated again from the start, and the reads it issues
 * are answered, in order, from what userspace supplied (emulate.h's
 * contract: reads come first, a PENDING read leaves nothing done).
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../../mmu/mmu.h"
#include "../../iobus.h"
#include "../x86.h"
#include "mmio.h"
#include "view.h"

static int emul_read(void *opaque, u64 la, void *val, unsigned int bytes)
{
	struct guest_view *v = opaque;
	struct hxen_vcpu *vcpu = v->vcpu;
	unsigned long hva;
	u64 gpa;
	int r;

	r = hxen_view_translate(v, la, bytes, 0, &gpa);
	if (r)
		return r;
	hva = hxen_gpa_to_hva(vcpu->vm, gpa, false);
	if (hva)
		return copy_from_user(val, (void __user *)hva, bytes) ?
		       HXEN_EMUL_UNHANDLED : HXEN_EMUL_OK;

	/* In-kernel devices (LAPIC, IOAPIC) answer at once (again on a replay). */
	if (!hxen_iobus_read(vcpu, HXEN_BUS_MMIO, gpa, bytes, val))
		return HXEN_EMUL_OK;
	/* MMIO: answered from what userspace completed, in issue order. */
	if (v->mmio_reads < vcpu->mmio.nr_done) {
		const typeof(vcpu->mmio.done[0]) *d = &vcpu->mmio.done[v->mmio_reads++];

		if (d->gpa != gpa || d->len != bytes)
			return HXEN_EMUL_UNHANDLED;
		memcpy(val, d->data, bytes);
		return HXEN_EMUL_OK;
	}
	if (vcpu->mmio.nr_done >= ARRAY_SIZE(vcpu->mmio.done))
		return HXEN_EMUL_UNHANDLED;
	vcpu->mmio.pending_read = true;
	vcpu->mmio.gpa = gpa;
	vcpu->mmio.len = bytes;
	return HXEN_EMUL_PENDING;
}

static int emul_write(void *opaque, u64 la, const void *val, unsigned int bytes)
{
	struct guest_view *v = opaque;
	struct hxen_vcpu *vcpu = v->vcpu;
	unsigned long hva;
	u64 gpa;
	int r;

	r = hxen_view_translate(v, la, bytes, HXEN_PF_WRITE, &gpa);
	if (r)
		return r;
	hva = hxen_gpa_to_hva(vcpu->vm, gpa, true);
	if (hva) {
		if (copy_to_user((void __user *)hva, val, bytes))
			return HXEN_EMUL_UNHANDLED;
		/* Dirty logging: the module wrote the page, not the guest's access. */
		hxen_mark_gpa_dirty(vcpu->vm, gpa);
		return HXEN_EMUL_OK;
	}
	if (!hxen_iobus_write(vcpu, HXEN_BUS_MMIO, gpa, bytes, val))
		return HXEN_EMUL_OK;
	/* The last side effect of the instruction: it becomes the exit. */
	vcpu->mmio.pending_write = true;
	vcpu->mmio.gpa = gpa;
	vcpu->mmio.len = bytes;
	memcpy(vcpu->mmio.data, val, bytes);
	return HXEN_EMUL_OK;
}

static const struct hxen_emul_ops mmio_emul_ops = {
	.read = emul_read,
	.write = emul_write,
};

/*
 * Emulate the instruction at RIP that touched MMIO. Returns HXEN_RESUME or
 * HXEN_USER with a KVM_EXIT_MMIO (or an internal error) in vcpu->run.
 */
int hxen_emulate_mmio(struct hxen_vcpu *vcpu)
{
	struct guest_view *v;
	struct hxen_emul_regs er;
	struct kvm_run *run = vcpu->run;
	unsigned int len, i;
	u8 insn[15];
	int r;

	v = hxen_view_get(vcpu);
	v->ctx.ops = &mmio_emul_ops;
	v->ctx.opaque = v;
	vcpu->mmio.pending_read = false;
	vcpu->mmio.pending_write = false;

	len = hxen_view_fetch(v, insn);
	/* struct kvm_regs orders RAX RBX RCX RDX; the emulator wants encoding order. */
	er.gpr[HXEN_RAX] = v->regs.rax;
	er.gpr[HXEN_RCX] = v->regs.rcx;
	er.gpr[HXEN_RDX] = v->regs.rdx;
	er.gpr[HXEN_RBX] = v->regs.rbx;
	er.gpr[HXEN_RSP] = v->regs.rsp;
	er.gpr[HXEN_RBP] = v->regs.rbp;
	er.gpr[HXEN_RSI] = v->regs.rsi;
	er.gpr[HXEN_RDI] = v->regs.rdi;
	er.gpr[HXEN_R8] = v->regs.r8;
	er.gpr[HXEN_R9] = v->regs.r9;
	er.gpr[HXEN_R10] = v->regs.r10;
	er.gpr[HXEN_R11] = v->regs.r11;
	er.gpr[HXEN_R12] = v->regs.r12;
	er.gpr[HXEN_R13] = v->regs.r13;
	er.gpr[HXEN_R14] = v->regs.r14;
	er.gpr[HXEN_R15] = v->regs.r15;
	er.rip = v->regs.rip;
	er.rflags = v->regs.rflags;
	er.seg_base[HXEN_SEG_ES] = v->sregs.es.base;
	er.seg_base[HXEN_SEG_CS] = v->sregs.cs.base;
	er.seg_base[HXEN_SEG_SS] = v->sregs.ss.base;
	er.seg_base[HXEN_SEG_DS] = v->sregs.ds.base;
	er.seg_base[HXEN_SEG_FS] = v->sregs.fs.base;
	er.seg_base[HXEN_SEG_GS] = v->sregs.gs.base;

	r = len ? hxen_emulate(&v->ctx, insn, len, &er) : HXEN_EMUL_UNHANDLED;
	switch (r) {
	case HXEN_EMUL_OK:
		v->regs.rax = er.gpr[HXEN_RAX];
		v->regs.rcx = er.gpr[HXEN_RCX];
		v->regs.rdx = er.gpr[HXEN_RDX];
		v->regs.rbx = er.gpr[HXEN_RBX];
		v->regs.rsp = er.gpr[HXEN_RSP];
		v->regs.rbp = er.gpr[HXEN_RBP];
		v->regs.rsi = er.gpr[HXEN_RSI];
		v->regs.rdi = er.gpr[HXEN_RDI];
		v->regs.r8 = er.gpr[HXEN_R8];
		v->regs.r9 = er.gpr[HXEN_R9];
		v->regs.r10 = er.gpr[HXEN_R10];
		v->regs.r11 = er.gpr[HXEN_R11];
		v->regs.r12 = er.gpr[HXEN_R12];
		v->regs.r13 = er.gpr[HXEN_R13];
		v->regs.r14 = er.gpr[HXEN_R14];
		v->regs.r15 = er.gpr[HXEN_R15];
		v->regs.rip = er.rip;
		v->regs.rflags = er.rflags;
		hxen_ops->set_regs(vcpu, &v->regs);
		hxen_instruction_done(vcpu, v->regs.rflags);
		vcpu->mmio.nr_done = 0;
		if (!vcpu->mmio.pending_write) {
			r = HXEN_RESUME;
			break;
		}
		run->exit_reason = KVM_EXIT_MMIO;
		run->mmio.phys_addr = vcpu->mmio.gpa;
		run->mmio.len = vcpu->mmio.len;
		run->mmio.is_write = 1;
		memcpy(run->mmio.data, vcpu->mmio.data, sizeof(run->mmio.data));
		r = HXEN_USER;
		break;
	case HXEN_EMUL_PENDING:
		run->exit_reason = KVM_EXIT_MMIO;
		run->mmio.phys_addr = vcpu->mmio.gpa;
		run->mmio.len = vcpu->mmio.len;
		run->mmio.is_write = 0;
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
		r = HXEN_USER;
		break;
	case HXEN_EMUL_EXCEPTION:
		vcpu->mmio.nr_done = 0;
		hxen_view_inject(v);
		r = HXEN_RESUME;
		break;
	default:
		vcpu->mmio.nr_done = 0;
		run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
		run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
		/* The instruction bytes, as KVM reports them. */
		run->internal.ndata = 1 + DIV_ROUND_UP(len, 8);
		run->internal.data[0] = len;
		memset(&run->internal.data[1], 0, 16);
		for (i = 0; i < len; i++)
			((u8 *)&run->internal.data[1])[i] = insn[i];
		r = HXEN_USER;
		break;
	}
	return r;
}

/* KVM_RUN after a KVM_EXIT_MMIO read: feed the data, finish the instruction. */
int hxen_complete_mmio(struct hxen_vcpu *vcpu)
{
	typeof(vcpu->mmio.done[0]) *d;

	if (!vcpu->mmio.pending_read)
		return HXEN_RESUME;
	vcpu->mmio.pending_read = false;
	d = &vcpu->mmio.done[vcpu->mmio.nr_done++];
	d->gpa = vcpu->mmio.gpa;
	d->len = vcpu->mmio.len;
	memcpy(d->data, vcpu->run->mmio.data, d->len);
	return hxen_emulate_mmio(vcpu);
}

