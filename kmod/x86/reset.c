// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU reset by INIT and start by SIPI: the register state the SDM gives
 * them. The local APIC decides when they happen (x86/irqchip/lapic_state.c,
 * which also resets its own registers).
 */
#include <linux/kvm.h>
#include <asm/processor-flags.h>

#include "../hxen.h"
#include "../vendor.h"
#include "x86.h"

/* The architectural INIT state (SDM Table 9-1); APIC base and FPU kept. */
void hxen_vcpu_init_reset(struct hxen_vcpu *vcpu)
{
	struct kvm_segment data = {
		.limit = 0xffff, .type = 3, .present = 1, .s = 1,
	};
	struct kvm_vcpu_events ev = { .flags = KVM_VCPUEVENT_VALID_SHADOW };
	struct kvm_regs regs = { .rip = 0xfff0, .rflags = X86_EFLAGS_FIXED, .rdx = 0x600 };
	struct kvm_sregs s;

	hxen_ops->get_sregs(vcpu, &s);
	/* CD and NW are kept, ET set, the rest cleared. */
	s.cr0 = X86_CR0_ET | (s.cr0 & (X86_CR0_CD | X86_CR0_NW));
	s.cr2 = s.cr3 = s.cr4 = s.cr8 = s.efer = 0;
	s.apic_base = vcpu->apic_base;
	s.cs = data;
	s.cs.type = 11;
	s.cs.selector = 0xf000;
	s.cs.base = 0xffff0000;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.ldt = (struct kvm_segment){ .limit = 0xffff, .type = 2, .present = 1 };
	s.tr = (struct kvm_segment){ .limit = 0xffff, .type = 11, .present = 1 };
	s.gdt = (struct kvm_dtable){ .limit = 0xffff };
	s.idt = (struct kvm_dtable){ .limit = 0xffff };
	memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
	hxen_ops->set_sregs(vcpu, &s);
	hxen_ops->set_regs(vcpu, &regs);
	hxen_ops->set_events(vcpu, &ev);
	vcpu->nmi_pending = false;
	vcpu->irq_vector = -1;
	/* KVM drops steal time at INIT too: the record's page is the old OS's. */
	vcpu->steal.msr = 0;
	/* And PV EOI (kvm_lapic_reset). Never armed outside KVM_RUN. */
	vcpu->pv_eoi.msr = 0;
	vcpu->pv_eoi.hva = 0;
}

/* SIPI with vector @vec: real mode at @vec * 4 KiB (SDM 8.4.4.1). */
void hxen_vcpu_sipi(struct hxen_vcpu *vcpu, u8 vec)
{
	struct kvm_sregs s;
	struct kvm_regs regs;

	hxen_ops->get_sregs(vcpu, &s);
	s.cs.selector = (u16)vec << 8;
	s.cs.base = (u64)vec << 12;
	hxen_ops->set_sregs(vcpu, &s);
	hxen_ops->get_regs(vcpu, &regs);
	regs.rip = 0;
	hxen_ops->set_regs(vcpu, &regs);
}
