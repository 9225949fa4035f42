// SPDX-License-Identifier: GPL-2.0
/*
 * SVM vCPU state in the VMCB: reset, registers and segments (KVM_GET/SET_REGS,
 * _SREGS), event injection and KVM_GET/SET_VCPU_EVENTS, RIP past an
 * intercepted instruction.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <asm/fpu/api.h>
#include <asm/trapnr.h>
#include <asm/svm.h>

#include "svm.h"
#include "../emulate/walk.h"

static void svm_init_seg(struct vmcb_seg *seg, u16 attrib)
{
	seg->selector = 0;
	seg->attrib = attrib;
	seg->limit = 0xffff;
	seg->base = 0;
}

/* Architectural reset state (APM 14.1.3), as KVM sets it up. */
void svm_reset_vcpu(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *save = &svm->vmcb->save;
	u16 data = SVM_SELECTOR_P_MASK | SVM_SELECTOR_S_MASK | SVM_SELECTOR_WRITE_MASK;

	memset(save, 0, sizeof(*save));
	svm_init_seg(&save->es, data);
	svm_init_seg(&save->ss, data);
	svm_init_seg(&save->ds, data);
	svm_init_seg(&save->fs, data);
	svm_init_seg(&save->gs, data);
	svm_init_seg(&save->cs, SVM_SELECTOR_P_MASK | SVM_SELECTOR_S_MASK |
		     SVM_SELECTOR_READ_MASK | SVM_SELECTOR_CODE_MASK);
	save->cs.selector = 0xf000;
	save->cs.base = 0xffff0000;
	svm_init_seg(&save->ldtr, SVM_SELECTOR_P_MASK | 2);	/* LDT */
	svm_init_seg(&save->tr, SVM_SELECTOR_P_MASK | 3);	/* busy 16-bit TSS */
	save->gdtr.limit = 0xffff;
	save->idtr.limit = 0xffff;
	save->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	save->efer = EFER_SVME;		/* required by VMRUN; hidden from the guest */
	save->dr6 = HXEN_DR6_RESET;
	save->dr7 = HXEN_DR7_RESET;
	save->rflags = X86_EFLAGS_FIXED;
	save->rip = 0xfff0;
	save->g_pat = 0x0007040600070406ULL;	/* the power-on PAT */
	svm->efer = 0;
	svm->nmi_masked = false;
	svm->awaiting_iret = false;
	svm_clear_intercept(svm->vmcb, INTERCEPT_IRET);
	vcpu->xcr0 = XFEATURE_MASK_FP;
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	/* RDX holds the processor signature at reset; KVM uses 0x600. */
	vcpu->regs[VCPU_RDX] = 0x600;
	svm->vmcb->control.event_inj = 0;
	svm->vmcb->control.int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	svm_clear_intercept(svm->vmcb, INTERCEPT_VINTR);
	svm->virq_injected = false;
	svm->vmcb->control.int_state = 0;
	svm->vmcb->control.tsc_offset = hxen_tsc_reset_offset(vcpu);
	hxen_msr_reset(vcpu);
}

void svm_skip_instruction(struct hxen_vcpu *vcpu, unsigned int len)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->save.rip = svm->next_rip ? svm->next_rip : svm->vmcb->save.rip + len;
	svm->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	hxen_instruction_done(vcpu, svm->vmcb->save.rflags);
}

void svm_update_debug_intercepts(struct hxen_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR);
	else
		svm_clear_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + DB_VECTOR);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP)
		svm_set_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + BP_VECTOR);
	else
		svm_clear_intercept(vmcb, INTERCEPT_EXCEPTION_OFFSET + BP_VECTOR);
}

void svm_inject_exception(struct hxen_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->event_inj = vector | SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
		       (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = error;
}

static bool svm_event_queued(struct svm_vcpu *svm)
{
	return (svm->vmcb->control.event_inj & SVM_EVTINJ_VALID) || svm->virq_injected;
}

bool svm_interrupt_allowed(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	return !svm_event_queued(svm) && (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

bool svm_nmi_allowed(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return !svm_event_queued(svm) && !svm->nmi_masked &&
	       !(svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

/*
 * svm_inject_irq: an external interrupt goes in as a virtual interrupt
 * (APM 15.21.4):
 * V_IRQ with the vector, top priority, TPR ignored (the LAPIC's priority
 * was applied already). It is only offered when the guest can take it,
 * so the CPU takes it right after VMRUN, like an EVENTINJ interrupt; a
 * host interrupt pending at VMRUN exits first and leaves it pending (kept
 * for the next entry, see svm_virq_exit()). Not EVENTINJ, which the APM
 * allows as well: an SVM implementation the README names delivers an
 * EVENTINJ interrupt a second time, while V_IRQ takes its ordinary
 * interrupt path.
 */
void svm_inject_virq(struct svm_vcpu *svm, u8 vector)
{
	struct vmcb_control_area *c = &svm->vmcb->control;

	svm_clear_intercept(svm->vmcb, INTERCEPT_VINTR);
	c->int_vector = vector;
	c->int_ctl = (c->int_ctl & ~V_IRQ_INJECTION_BITS_MASK) | V_IRQ_MASK | V_IGN_TPR_MASK |
		     (0xf << V_INTR_PRIO_SHIFT);
	svm->virq_injected = true;
}

void svm_inject_irq(struct hxen_vcpu *vcpu, u8 vector)
{
	svm_inject_virq(to_svm(vcpu), vector);
}

/*
 * After every #VMEXIT: a taken virtual interrupt has cleared V_IRQ (one
 * taken but not delivered, e.g. a nested page fault on its stack, is in
 * EXITINTINFO and requeued like any event).
 */
void svm_virq_exit(struct svm_vcpu *svm)
{
	if (svm->virq_injected && !(svm->vmcb->control.int_ctl & V_IRQ_MASK))
		svm->virq_injected = false;
}

void svm_inject_nmi(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->control.event_inj = X86_TRAP_NMI | SVM_EVTINJ_VALID |
				       SVM_EVTINJ_TYPE_NMI;
	svm->nmi_masked = true;
	svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
}

/*
 * A virtual interrupt request that the guest's IF and shadow gate like a
 * real one (V_IGN_TPR, top priority): its VINTR intercept fires exactly
 * when the guest could take an interrupt (APM 15.21.4).
 */
void svm_enable_irq_window(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	/*
	 * V_IRQ carries an injected interrupt not yet taken (a host
	 * interrupt exited first): it is taken at the next VMRUN, and the
	 * window is asked for again at the next exit (a host tick at the
	 * latest), since one V_IRQ cannot be both.
	 */
	if (svm->virq_injected)
		return;
	vmcb->control.int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK |
				 (0xf << V_INTR_PRIO_SHIFT);
	svm_set_intercept(vmcb, INTERCEPT_VINTR);
}

void svm_watch_cr8_write(struct hxen_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (on)
		svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE);
	else
		svm_clear_intercept(vmcb, INTERCEPT_CR8_WRITE);
}

void svm_set_cr2(struct hxen_vcpu *vcpu, u64 cr2)
{
	to_svm(vcpu)->vmcb->save.cr2 = cr2;
}

void svm_get_events(struct hxen_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u32 inj = svm->vmcb->control.event_inj;
	u32 type = inj & SVM_EVTINJ_TYPE_MASK;

	if (svm->virq_injected) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = svm->vmcb->control.int_vector;
	}
	if (inj & SVM_EVTINJ_VALID) {
		if (type == SVM_EVTINJ_TYPE_EXEPT) {
			ev->exception.injected = 1;
			ev->exception.nr = inj & SVM_EVTINJ_VEC_MASK;
			ev->exception.has_error_code = !!(inj & SVM_EVTINJ_VALID_ERR);
			ev->exception.error_code = svm->vmcb->control.event_inj_err;
		} else if (type == SVM_EVTINJ_TYPE_INTR) {
			ev->interrupt.injected = 1;
			ev->interrupt.nr = inj & SVM_EVTINJ_VEC_MASK;
		} else if (type == SVM_EVTINJ_TYPE_NMI) {
			ev->nmi.injected = 1;
		}
	}
	ev->nmi.masked = svm->nmi_masked;
	ev->interrupt.shadow = (svm->vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK) ?
			       KVM_X86_SHADOW_INT_MOV_SS | KVM_X86_SHADOW_INT_STI : 0;
}

void svm_set_events(struct hxen_vcpu *vcpu, const struct kvm_vcpu_events *ev)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = 0;
	if (svm->virq_injected) {
		c->int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
		svm->virq_injected = false;
	}
	if (ev->exception.injected)
		svm_inject_exception(vcpu, ev->exception.nr, ev->exception.has_error_code,
				     ev->exception.error_code);
	else if (ev->interrupt.injected)
		c->event_inj = ev->interrupt.nr | SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_INTR;
	else if (ev->nmi.injected)
		c->event_inj = X86_TRAP_NMI | SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_NMI;
	svm->nmi_masked = ev->nmi.masked;
	if (svm->nmi_masked)
		svm_set_intercept(svm->vmcb, INTERCEPT_IRET);
	if (ev->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		if (ev->interrupt.shadow)
			c->int_state |= SVM_INTERRUPT_SHADOW_MASK;
		else
			c->int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
	}
}

u64 svm_get_rflags(struct hxen_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rflags;
}

u8 svm_get_cr8(struct hxen_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_ctl & V_TPR_MASK;
}

void svm_set_cr8(struct hxen_vcpu *vcpu, u8 cr8)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (cr8 & V_TPR_MASK);
}

void svm_get_regs(struct hxen_vcpu *vcpu, struct kvm_regs *r)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 *g = vcpu->regs;

	r->rax = g[VCPU_RAX]; r->rbx = g[VCPU_RBX]; r->rcx = g[VCPU_RCX];
	r->rdx = g[VCPU_RDX]; r->rsi = g[VCPU_RSI]; r->rdi = g[VCPU_RDI];
	r->rsp = g[VCPU_RSP]; r->rbp = g[VCPU_RBP];
	r->r8 = g[VCPU_R8]; r->r9 = g[VCPU_R9]; r->r10 = g[VCPU_R10];
	r->r11 = g[VCPU_R11]; r->r12 = g[VCPU_R12]; r->r13 = g[VCPU_R13];
	r->r14 = g[VCPU_R14]; r->r15 = g[VCPU_R15];
	r->rip = svm->vmcb->save.rip;
	r->rflags = svm->vmcb->save.rflags;
}

void svm_set_regs(struct hxen_vcpu *vcpu, const struct kvm_regs *r)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 *g = vcpu->regs;

	g[VCPU_RAX] = r->rax; g[VCPU_RBX] = r->rbx; g[VCPU_RCX] = r->rcx;
	g[VCPU_RDX] = r->rdx; g[VCPU_RSI] = r->rsi; g[VCPU_RDI] = r->rdi;
	g[VCPU_RSP] = r->rsp; g[VCPU_RBP] = r->rbp;
	g[VCPU_R8] = r->r8; g[VCPU_R9] = r->r9; g[VCPU_R10] = r->r10;
	g[VCPU_R11] = r->r11; g[VCPU_R12] = r->r12; g[VCPU_R13] = r->r13;
	g[VCPU_R14] = r->r14; g[VCPU_R15] = r->r15;
	svm->vmcb->save.rip = r->rip;
	/* Bit 1 is always set; reserved bits are dropped (KVM does too). */
	svm->vmcb->save.rflags = (r->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED;
}

static void svm_seg_to_kvm(const struct vmcb_seg *s, struct kvm_segment *k)
{
	k->base = s->base;
	k->limit = s->limit;
	k->selector = s->selector;
	k->type = s->attrib & SVM_SELECTOR_TYPE_MASK;
	k->s = !!(s->attrib & SVM_SELECTOR_S_MASK);
	k->dpl = (s->attrib >> SVM_SELECTOR_DPL_SHIFT) & 3;
	k->present = !!(s->attrib & SVM_SELECTOR_P_MASK);
	k->avl = !!(s->attrib & SVM_SELECTOR_AVL_MASK);
	k->l = !!(s->attrib & SVM_SELECTOR_L_MASK);
	k->db = !!(s->attrib & SVM_SELECTOR_DB_MASK);
	k->g = !!(s->attrib & SVM_SELECTOR_G_MASK);
	k->unusable = !k->present;
}

static void svm_seg_from_kvm(struct vmcb_seg *s, const struct kvm_segment *k)
{
	s->base = k->base;
	s->limit = k->limit;
	s->selector = k->selector;
	s->attrib = k->unusable ? 0 :
		(k->type & SVM_SELECTOR_TYPE_MASK) |
		(k->s << SVM_SELECTOR_S_SHIFT) |
		((k->dpl & 3) << SVM_SELECTOR_DPL_SHIFT) |
		(k->present << SVM_SELECTOR_P_SHIFT) |
		(k->avl << SVM_SELECTOR_AVL_SHIFT) |
		(k->l << SVM_SELECTOR_L_SHIFT) |
		(k->db << SVM_SELECTOR_DB_SHIFT) |
		(k->g << SVM_SELECTOR_G_SHIFT);
}

void svm_get_dr67(struct hxen_vcpu *vcpu, u64 *dr6, u64 *dr7)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	*dr6 = s->dr6;
	*dr7 = s->dr7;
}

void svm_set_dr67(struct hxen_vcpu *vcpu, u64 dr6, u64 dr7)
{
	struct vmcb_save_area *s = &to_svm(vcpu)->vmcb->save;

	s->dr6 = dr6;
	s->dr7 = dr7;
}

void svm_get_sregs(struct hxen_vcpu *vcpu, struct kvm_sregs *sr)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	svm_seg_to_kvm(&s->cs, &sr->cs);
	svm_seg_to_kvm(&s->ds, &sr->ds);
	svm_seg_to_kvm(&s->es, &sr->es);
	svm_seg_to_kvm(&s->fs, &sr->fs);
	svm_seg_to_kvm(&s->gs, &sr->gs);
	svm_seg_to_kvm(&s->ss, &sr->ss);
	svm_seg_to_kvm(&s->tr, &sr->tr);
	svm_seg_to_kvm(&s->ldtr, &sr->ldt);
	sr->gdt.base = s->gdtr.base;
	sr->gdt.limit = s->gdtr.limit;
	sr->idt.base = s->idtr.base;
	sr->idt.limit = s->idtr.limit;
	sr->cr0 = s->cr0;
	sr->cr2 = s->cr2;
	sr->cr3 = s->cr3;
	sr->cr4 = s->cr4;
	sr->cr8 = svm->vmcb->control.int_ctl & V_TPR_MASK;
	sr->efer = svm->efer | (s->efer & EFER_LMA);
	sr->apic_base = vcpu->apic_base;
}

u64 svm_get_tsc_offset(struct hxen_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.tsc_offset;
}

void svm_get_cpu_mode(struct hxen_vcpu *vcpu, struct hxen_walk_mode *m, bool *code64)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	m->cr0 = s->cr0;
	m->cr3 = s->cr3;
	m->cr4 = s->cr4;
	m->efer = svm->efer | (s->efer & EFER_LMA);
	m->rflags = s->rflags;
	/* The VMCB's CPL field is the CPL (APM Vol. 2 15.5.1), SS.DPL elsewhere. */
	m->cpl = s->cpl;
	*code64 = s->cs.attrib & SVM_SELECTOR_L_MASK;
}

#define SVM_EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR)

u64 svm_cr4_valid(void)
{
	return svm_cr4_guest_valid;
}

int svm_set_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	/* The consistency rules VMRUN would otherwise fail on (APM 15.5.1). */
	if (hxen_check_sregs(vcpu, sr, svm_cr4_guest_valid, SVM_EFER_VALID))
		return -EINVAL;

	svm_seg_from_kvm(&s->cs, &sr->cs);
	svm_seg_from_kvm(&s->ds, &sr->ds);
	svm_seg_from_kvm(&s->es, &sr->es);
	svm_seg_from_kvm(&s->fs, &sr->fs);
	svm_seg_from_kvm(&s->gs, &sr->gs);
	svm_seg_from_kvm(&s->ss, &sr->ss);
	svm_seg_from_kvm(&s->tr, &sr->tr);
	svm_seg_from_kvm(&s->ldtr, &sr->ldt);
	s->cpl = sr->ss.dpl;
	s->gdtr.base = sr->gdt.base;
	s->gdtr.limit = sr->gdt.limit;
	s->idtr.base = sr->idt.base;
	s->idtr.limit = sr->idt.limit;
	s->cr0 = sr->cr0;
	s->cr2 = sr->cr2;
	s->cr3 = sr->cr3;
	s->cr4 = sr->cr4;
	svm->vmcb->control.int_ctl = (svm->vmcb->control.int_ctl & ~V_TPR_MASK) | sr->cr8;
	svm->efer = sr->efer & ~EFER_LMA;
	s->efer = sr->efer | EFER_SVME;
	/* New page-table roots or modes: the old ASID's entries are stale. */
	svm->asid_generation = 0;
	return 0;
}
