// SPDX-License-Identifier: GPL-2.0
/*
 * String port I/O (INS/OUTS, with or without REP): elements move between
 * guest memory and the kvm_run data area, or an in-kernel device, and
 * leave as one KVM_EXIT_IO with a count.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/processor-flags.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../../mmu/mmu.h"
#include "../../iobus.h"
#include "../x86.h"
#include "view.h"
#include "mmio.h"

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
		if (hxen_view_translate(v, la, size, to_guest ? HXEN_PF_WRITE : 0, &gpa))
			return i ? i : (v->fault ? -1 : 0);
		hva = hxen_gpa_to_hva(v->vcpu->vm, gpa, to_guest);
		if (!hva)
			break;
		if (to_guest ? copy_to_user((void __user *)hva, buf + i * size, size) :
			       copy_from_user(buf + i * size, (void __user *)hva, size))
			break;
		/* Dirty logging: the module wrote the page, not the guest's access. */
		if (to_guest)
			hxen_mark_gpa_dirty(v->vcpu->vm, gpa);
		*reg = str_step(*reg, delta, addr_bytes);
	}
	return i;
}

/* The data page, as KVM batches string I/O (a page per exit). */
#define PIO_DATA_MAX	PAGE_SIZE

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

	v = hxen_view_get(vcpu);
	count = rep ? str_count(v->regs.rcx, addr_bytes) : 1;
	if (!count) {
		v->regs.rip = next_rip;
		hxen_ops->set_regs(vcpu, &v->regs);
		hxen_instruction_done(vcpu, v->regs.rflags);
		return HXEN_RESUME;
	}
	n = min_t(u64, count, PIO_DATA_MAX / size);
	/* An in-kernel device's port (PIC, PIT): the same, minus the exit. */
	kern = hxen_iobus_pio_claims(vcpu->vm, port, size);
	r = hxen_exit_pio_user(vcpu, port, size, in, 0);
	/* The kernel's own offset: userspace may rewrite run->io at any time. */
	data = hxen_pio_data(vcpu);
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
			return hxen_complete_pio_string(vcpu);
		}
	} else {
		/* @seg: the source segment in encoding order (ES CS SS DS FS GS). */
		const struct kvm_segment *segs[] = { &v->sregs.es, &v->sregs.cs,
			&v->sregs.ss, &v->sregs.ds, &v->sregs.fs, &v->sregs.gs };

		if (seg < 0 || seg >= ARRAY_SIZE(segs)) {
			return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
							port, seg);
		}
		seg_base = (v->ctx.long_mode && seg < 4) ? 0 : segs[seg]->base;
		n = str_copy(v, seg_base, &v->regs.rsi, data, size, n, false, addr_bytes);
		if (n <= 0) {
			if (n < 0)
				hxen_view_inject(v);
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
		if (v->regs.rip == next_rip)
			hxen_instruction_done(vcpu, v->regs.rflags);
		for (i = 0; kern && i < n; i++)
			hxen_iobus_write(vcpu, HXEN_BUS_PIO, port, size, data + i * size);
		if (kern)
			r = HXEN_RESUME;
	}
	run->io.count = n;
	return r;
}

/* KVM_RUN after a string IN: store the elements at ES:rDI. */
int hxen_complete_pio_string(struct hxen_vcpu *vcpu)
{
	struct guest_view *v;
	u64 seg_base, count;
	int n;

	vcpu->pio.string = false;
	v = hxen_view_get(vcpu);
	seg_base = v->ctx.long_mode ? 0 : v->sregs.es.base;	/* no override for INS */
	/*
	 * No more than the count userspace left in rCX (it may have changed
	 * it, as KVM's selftests do): the rest of the data is dropped, and
	 * a larger count goes on in further exits.
	 */
	count = vcpu->pio.count;
	if (vcpu->pio.rep)
		count = min_t(u64, count, str_count(v->regs.rcx, vcpu->pio.addr_bytes));
	n = count ? str_copy(v, seg_base, &v->regs.rdi, hxen_pio_data(vcpu),
			     vcpu->pio.size, count, true, vcpu->pio.addr_bytes) : 0;
	if (n < 0) {
		hxen_view_inject(v);
		return HXEN_RESUME;
	}
	if (vcpu->pio.rep)
		v->regs.rcx = str_step(v->regs.rcx, -n, vcpu->pio.addr_bytes);
	if (!vcpu->pio.rep || !str_count(v->regs.rcx, vcpu->pio.addr_bytes))
		v->regs.rip = vcpu->pio.next_rip;
	hxen_ops->set_regs(vcpu, &v->regs);
	if (v->regs.rip == vcpu->pio.next_rip)
		hxen_instruction_done(vcpu, v->regs.rflags);
	return HXEN_RESUME;
}
