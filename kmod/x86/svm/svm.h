/* SPDX-License-Identifier: GPL-2.0 */
/* SVM backend internals, shared by svm*.c only. */
#ifndef HXEN_X86_SVM_H
#define HXEN_X86_SVM_H

#include <asm/svm.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../../mmu/mmu.h"
#include "../x86.h"

/* Permission map sizes (APM 15.10.1, 15.11): 12 KiB of ports, 8 KiB of MSRs. */
#define SVM_IOPM_SIZE	(3 * PAGE_SIZE)
#define SVM_MSRPM_SIZE	(2 * PAGE_SIZE)
/* Pause filter: PAUSEs before an exit, and their gap in cycles (KVM's defaults). */
#define SVM_PAUSE_FILTER_COUNT	3000
#define SVM_PAUSE_FILTER_THRESH	128

struct svm_vm {
	struct page *iopm;	/* 12 KiB: intercept every port */
	struct page *msrpm;	/* 8 KiB: intercept every MSR */
};

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_generation;	/* with the CPU's generation: ASID still valid */
	u32 asid;
	u64 efer;		/* guest-visible EFER (the VMCB's has SVME too) */
	u64 next_rip;		/* of the intercepted instruction, if known */
	/*
	 * NMIs stay blocked from delivery until the guest's IRET (APM 15.20);
	 * IRET is intercepted, and once RIP has moved past it they unblock.
	 */
	bool nmi_masked;
	bool awaiting_iret;
	u64 iret_rip;
	/*
	 * An external interrupt is injected as a virtual interrupt (V_IRQ
	 * with int_vector), not through EVENTINJ: see svm_inject_irq(). Set
	 * from injection until the guest has taken it (V_IRQ clear again
	 * after an exit). The vCPU's own thread only.
	 */
	bool virq_injected;
};

static inline struct svm_vcpu *to_svm(struct hxen_vcpu *vcpu)
{
	return vcpu->vendor;
}

void __hxen_svm_enter(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

/* exit.c */
int svm_handle_exit(struct hxen_vcpu *vcpu);
int svm_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
int svm_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);

/* svm.c */
/* CR4 bits a guest may set (svm_probe; see svm_cr4_host_valid). */
extern u64 svm_cr4_guest_valid;
void svm_set_intercept(struct vmcb *vmcb, int bit);
void svm_clear_intercept(struct vmcb *vmcb, int bit);

/* state.c */
void svm_reset_vcpu(struct hxen_vcpu *vcpu);
void svm_skip_instruction(struct hxen_vcpu *vcpu, unsigned int len);
void svm_update_debug_intercepts(struct hxen_vcpu *vcpu);
void svm_inject_exception(struct hxen_vcpu *vcpu, u8 vector, bool has_error, u32 error);
void svm_virq_exit(struct svm_vcpu *svm);
void svm_inject_virq(struct svm_vcpu *svm, u8 vector);
bool svm_interrupt_allowed(struct hxen_vcpu *vcpu);
bool svm_nmi_allowed(struct hxen_vcpu *vcpu);
void svm_inject_irq(struct hxen_vcpu *vcpu, u8 vector);
void svm_inject_nmi(struct hxen_vcpu *vcpu);
void svm_enable_irq_window(struct hxen_vcpu *vcpu);
void svm_set_cr2(struct hxen_vcpu *vcpu, u64 cr2);
void svm_get_events(struct hxen_vcpu *vcpu, struct kvm_vcpu_events *ev);
void svm_set_events(struct hxen_vcpu *vcpu, const struct kvm_vcpu_events *ev);
u64 svm_get_rflags(struct hxen_vcpu *vcpu);
u8 svm_get_cr8(struct hxen_vcpu *vcpu);
void svm_set_cr8(struct hxen_vcpu *vcpu, u8 cr8);
void svm_watch_cr8_write(struct hxen_vcpu *vcpu, bool on);
void svm_get_regs(struct hxen_vcpu *vcpu, struct kvm_regs *r);
void svm_set_regs(struct hxen_vcpu *vcpu, const struct kvm_regs *r);
void svm_get_sregs(struct hxen_vcpu *vcpu, struct kvm_sregs *sr);
void svm_get_cpu_mode(struct hxen_vcpu *vcpu, struct hxen_walk_mode *m, bool *code64);
u64 svm_get_tsc_offset(struct hxen_vcpu *vcpu);
void svm_get_dr67(struct hxen_vcpu *vcpu, u64 *dr6, u64 *dr7);
void svm_set_dr67(struct hxen_vcpu *vcpu, u64 dr6, u64 dr7);
void svm_activate_debugregs(struct hxen_vcpu *vcpu);
int svm_set_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr);
u64 svm_cr4_valid(void);

#endif
