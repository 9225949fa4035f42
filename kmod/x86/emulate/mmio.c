// SPDX-License-Identifier: GPL-2.0
/*
 * Guest accesses that need hxen to act on guest memory itself: MMIO
 * (a second-level fault with no RAM behind it, emulated instruction by
 * instruction with x86/emulate/emulate.c and handed to userspace as KVM_EXIT_MMIO)
 * and string port I/O (INS/OUTS, KVM_EXIT_IO with a count).
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
#include "emulate.h"
#include "walk.h"

struct guest_view {
	struct hxen_vcpu *vcpu;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct hxen_walk_mode mode;
	struct hxen_emul_ctx ctx;
	int mmio_reads;		/* MMIO reads issued so far by this emulation */
	bool fault;		/* a #PF was queued (ctx.exc_*, cr2) */
	u64 cr2;
};

static void view_init(struct guest_view *v, struct hxen_vcpu *vcpu)
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
}

static int read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len)
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
static int view_translate(struct guest_view *v, u64 la, unsigned int bytes,
			  u32 access, u64 *gpa)
{
	u32 error;
	int r;

	if ((la & ~PAGE_MASK) + bytes > PAGE_SIZE)
		return HXEN_EMUL_UNHANDLED;
	r = hxen_walk(&v->mode, la, access, read_gpa, v->vcpu, gpa, &error);
	if (r == HXEN_WALK_PF) {
		hxen_emul_set_exc(&v->ctx, X86_TRAP_PF, true, error);
		v->fault = true;
		v->cr2 = la;
		return HXEN_EMUL_EXCEPTION;
	}
	return r == HXEN_WALK_OK ? HXEN_EMUL_OK : HXEN_EMUL_UNHANDLED;
}

static int emul_read(void *opaque, u64 la, void *val, unsigned int bytes)
{
	struct guest_view *v = opaque;
	struct hxen_vcpu *vcpu = v->vcpu;
	unsigned long hva;
	u64 gpa;
	int r;

	r = view_translate(v, la, bytes, 0, &gpa);
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

	r = view_translate(v, la, bytes, HXEN_PF_WRITE, &gpa);
	if (r)
		return r;
	hva = hxen_gpa_to_hva(vcpu->vm, gpa, true);
	if (hva)
		return copy_to_user((void __user *)hva, val, bytes) ?
		       HXEN_EMUL_UNHANDLED : HXEN_EMUL_OK;
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

/* Up to 15 instruction bytes at CS:RIP; returns how many, 0 on failure. */
static unsigned int view_fetch(struct guest_view *v, u8 *buf)
{
	u64 la = v->sregs.cs.base + v->regs.rip;
	unsigned int got = 0, n;
	u64 gpa;

	if (!v->ctx.long_mode)
		la &= 0xffffffffULL;
	while (got < 15) {
		n = min_t(unsigned int, 15 - got, PAGE_SIZE - ((la + got) & ~PAGE_MASK));
		if (view_translate(v, la + got, 1, HXEN_PF_FETCH, &gpa) ||
		    read_gpa(v->vcpu, gpa, buf + got, n))
			break;
		got += n;
	}
	return got;
}

int hxen_decode_guest_mov_to_cr(struct hxen_vcpu *vcpu, u8 *cr, u8 *gpr, u8 *len)
{
	struct guest_view *v;
	unsigned int n;
	u8 insn[15];
	int r;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	view_init(v, vcpu);
	v->ctx.long_mode = (v->sregs.efer & EFER_LMA) && v->sregs.cs.l;
	n = view_fetch(v, insn);
	r = n && hxen_decode_mov_to_cr(&v->ctx, insn, n, cr, gpr, len) == HXEN_EMUL_OK ?
	    0 : -EINVAL;
	kfree(v);
	return r;
}

static void view_inject(struct guest_view *v)
{
	if (v->fault)
		hxen_ops->set_cr2(v->vcpu, v->cr2);
	hxen_ops->inject_exception(v->vcpu, v->ctx.exc_vector, v->ctx.exc_has_error,
				   v->ctx.exc_error);
}

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

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	view_init(v, vcpu);
	v->ctx.ops = &mmio_emul_ops;
	v->ctx.opaque = v;
	v->ctx.cs_db = v->sregs.cs.db;
	v->ctx.long_mode = (v->sregs.efer & EFER_LMA) && v->sregs.cs.l;
	v->ctx.la57 = !!(v->sregs.cr4 & X86_CR4_LA57);
	vcpu->mmio.pending_read = false;
	vcpu->mmio.pending_write = false;

	len = view_fetch(v, insn);
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
		view_inject(v);
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
	kfree(v);
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

/* One step of a string port I/O address register, per address size and DF. */
static u64 str_step(u64 reg, int delta, unsigned int addr_bytes)
{
	u64 mask = addr_bytes == 8 ? ~0ULL : (1ULL << (8 * addr_bytes)) - 1;

	if (addr_bytes == 4)
		return (u32)(reg + delta);
	return (reg & ~mask) | ((reg + delta) & mask);
}

static u64 str_count(u64 rcx, unsigned int addr_bytes)
{
	return addr_bytes == 8 ? rcx : rcx & ((1ULL << (8 * addr_bytes)) - 1);
}

/*
 * Move @n elements between guest memory at SEG:@reg and @buf. Stops at the
 * first element that faults or is not RAM; returns how many were moved, or
 * -1 if the first one queued an exception.
 */
static int str_copy(struct guest_view *v, u64 seg_base, u64 *reg, void *buf,
		    unsigned int size, unsigned int n, bool to_guest,
		    unsigned int addr_bytes)
{
	int delta = (v->regs.rflags & X86_EFLAGS_DF) ? -(int)size : (int)size;
	unsigned long hva;
	unsigned int i;
	u64 la, gpa;

	for (i = 0; i < n; i++) {
		la = seg_base + str_count(*reg, addr_bytes);
		if (!v->ctx.long_mode)
			la &= 0xffffffffULL;
		if (view_translate(v, la, size, to_guest ? HXEN_PF_WRITE : 0, &gpa))
			return i ? i : (v->fault ? -1 : 0);
		hva = hxen_gpa_to_hva(v->vcpu->vm, gpa, to_guest);
		if (!hva)
			break;
		if (to_guest ? copy_to_user((void __user *)hva, buf + i * size, size) :
			       copy_from_user(buf + i * size, (void __user *)hva, size))
			break;
		*reg = str_step(*reg, delta, addr_bytes);
	}
	return i;
}

#define PIO_DATA_MAX	1024

/*
 * INS/OUTS (with or without REP): up to PIO_DATA_MAX bytes per exit; RIP
 * moves to @next_rip once the count is done, so a long REP takes several
 * exits (and interrupts can come in between, as on hardware).
 */
int hxen_exit_pio_string(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in,
			 bool rep, int seg, u8 addr_bytes, u64 next_rip)
{
	struct kvm_run *run = vcpu->run;
	struct guest_view *v;
	u64 count, seg_base;
	int n, r, i;
	bool kern;
	u8 *data;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	view_init(v, vcpu);
	v->ctx.long_mode = (v->sregs.efer & EFER_LMA) && v->sregs.cs.l;
	count = rep ? str_count(v->regs.rcx, addr_bytes) : 1;
	if (!count) {
		v->regs.rip = next_rip;
		hxen_ops->set_regs(vcpu, &v->regs);
		kfree(v);
		return HXEN_RESUME;
	}
	n = min_t(u64, count, PIO_DATA_MAX / size);
	/* An in-kernel device's port (PIC, PIT): the same, minus the exit. */
	kern = hxen_iobus_pio_claims(vcpu->vm, port, size);
	r = hxen_exit_pio_user(vcpu, port, size, in, 0);
	data = (u8 *)run + run->io.data_offset;
	if (in) {
		/* Elements land at ES:rDI once userspace supplied them. */
		vcpu->pio.string = true;
		vcpu->pio.count = n;
		vcpu->pio.rep = rep;
		vcpu->pio.addr_bytes = addr_bytes;
		vcpu->pio.next_rip = next_rip;
		if (kern) {
			memset(data, 0, n * size);
			for (i = 0; i < n; i++)
				hxen_iobus_read(vcpu, HXEN_BUS_PIO, port, size, data + i * size);
			vcpu->pio.pending = false;
			kfree(v);
			return hxen_complete_pio_string(vcpu);
		}
	} else {
		/* @seg: the source segment in encoding order (ES CS SS DS FS GS). */
		const struct kvm_segment *segs[] = { &v->sregs.es, &v->sregs.cs,
			&v->sregs.ss, &v->sregs.ds, &v->sregs.fs, &v->sregs.gs };

		seg_base = (v->ctx.long_mode && seg < 4) ? 0 : segs[seg]->base;
		n = str_copy(v, seg_base, &v->regs.rsi,
			     (u8 *)run + run->io.data_offset, size, n, false, addr_bytes);
		if (n <= 0) {
			if (n < 0)
				view_inject(v);
			kfree(v);
			if (n < 0)
				return HXEN_RESUME;
			return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
							port, 0);
		}
		if (rep)
			v->regs.rcx = str_step(v->regs.rcx, -n, addr_bytes);
		if (!rep || !str_count(v->regs.rcx, addr_bytes))
			v->regs.rip = next_rip;
		hxen_ops->set_regs(vcpu, &v->regs);
		for (i = 0; kern && i < n; i++)
			hxen_iobus_write(vcpu, HXEN_BUS_PIO, port, size, data + i * size);
		if (kern)
			r = HXEN_RESUME;
	}
	run->io.count = n;
	kfree(v);
	return r;
}

/* KVM_RUN after a string IN: store the elements at ES:rDI. */
int hxen_complete_pio_string(struct hxen_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct guest_view *v;
	u64 seg_base;
	int n;

	vcpu->pio.string = false;
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	view_init(v, vcpu);
	v->ctx.long_mode = (v->sregs.efer & EFER_LMA) && v->sregs.cs.l;
	seg_base = v->ctx.long_mode ? 0 : v->sregs.es.base;	/* no override for INS */
	n = str_copy(v, seg_base, &v->regs.rdi, (u8 *)run + run->io.data_offset,
		     vcpu->pio.size, vcpu->pio.count, true, vcpu->pio.addr_bytes);
	if (n < 0) {
		view_inject(v);
		kfree(v);
		return HXEN_RESUME;
	}
	if (vcpu->pio.rep)
		v->regs.rcx = str_step(v->regs.rcx, -n, vcpu->pio.addr_bytes);
	if (!vcpu->pio.rep || !str_count(v->regs.rcx, vcpu->pio.addr_bytes))
		v->regs.rip = vcpu->pio.next_rip;
	hxen_ops->set_regs(vcpu, &v->regs);
	kfree(v);
	return HXEN_RESUME;
}
