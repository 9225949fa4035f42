// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: feature detection and per-CPU enable (EFER.SVME + host
 * save area). Optional features are reported only when CPUID says so; QEMU
 * TCG, for one, offers NPT but no NRIP save, clean bits or decode assists.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/fpu/xcr.h>
#include <asm/trapnr.h>
#include <asm/svm.h>

#include "svm.h"
#include "../emulate/walk.h"

/* CPUID Fn8000_000A: SVM revision and feature identification (AMD APM 3). */
#define SVM_CPUID_LEAF	0x8000000a

int svm_probe(struct hxen_info *info)
{
	static const struct {
		u16 cpu_feature;
		u64 hxen_feature;
	} map[] = {
		{ X86_FEATURE_NPT, HXEN_FEAT_NPT },
		{ X86_FEATURE_NRIPS, HXEN_FEAT_NRIPS },
		{ X86_FEATURE_VMCBCLEAN, HXEN_FEAT_VMCB_CLEAN },
		{ X86_FEATURE_FLUSHBYASID, HXEN_FEAT_FLUSH_BY_ASID },
		{ X86_FEATURE_DECODEASSISTS, HXEN_FEAT_DECODE_ASSISTS },
		{ X86_FEATURE_PAUSEFILTER, HXEN_FEAT_PAUSE_FILTER },
		{ X86_FEATURE_LBRV, HXEN_FEAT_LBRV },
		{ X86_FEATURE_TSCRATEMSR, HXEN_FEAT_TSC_RATE },
		{ X86_FEATURE_VGIF, HXEN_FEAT_VGIF },
		{ X86_FEATURE_AVIC, HXEN_FEAT_AVIC },
		{ X86_FEATURE_V_VMSAVE_VMLOAD, HXEN_FEAT_V_VMSAVE_VMLOAD },
	};
	u64 vm_cr;
	int i;

	if (!boot_cpu_has(X86_FEATURE_SVM)) {
		pr_info("SVM: not offered by this CPU\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_VM_CR, &vm_cr)) {
		pr_err("SVM: VM_CR MSR is not readable\n");
		return -ENODEV;
	}
	if (vm_cr & SVM_VM_CR_SVM_DIS_MASK) {
		pr_err("SVM: disabled by firmware (VM_CR.SVMDIS); enable it in the BIOS setup\n");
		return -ENODEV;
	}

	if (!boot_cpu_has(X86_FEATURE_NPT)) {
		pr_err("SVM: no nested paging (NPT); shadow paging is not implemented yet\n");
		return -ENODEV;
	}
	info->vendor = HXEN_VENDOR_SVM;
	info->nr_asids = cpuid_ebx(SVM_CPUID_LEAF);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (boot_cpu_has(map[i].cpu_feature))
			info->features |= map[i].hxen_feature;
	return 0;
}


/*
 * Per-CPU state: the host save area VMSAVE/VMLOAD use around VMRUN (the
 * second page of the area hwvirt.c hands us; the first is VM_HSAVE_PA's) and
 * ASID allocation. ASIDs are handed out per CPU; when they run out the
 * generation moves on and the whole TLB is flushed, so a vCPU's ASID is
 * valid only on the CPU and in the generation it got it.
 */
struct svm_cpu {
	u64 host_save_pa;
	u64 asid_generation;
	u32 next_asid;
	u32 max_asid;
	bool flush_all;		/* next VMRUN on this CPU flushes all ASIDs */
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu);

static int svm_cpu_enable(struct page *area)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	/* EFER.SVME already set: another hypervisor (e.g. kvm_amd) owns SVM. */
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(area));
	sc->host_save_pa = page_to_phys(area) + PAGE_SIZE;
	/* ASID 0 is the host's. */
	sc->max_asid = min(cpuid_ebx(SVM_CPUID_LEAF), 65536u) - 1;
	sc->next_asid = sc->max_asid + 1;
	sc->asid_generation++;
	sc->flush_all = true;
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

/* Give the vCPU a fresh ASID on this CPU: its old translations are gone. */
static void svm_new_asid(struct svm_vcpu *svm, struct svm_cpu *sc)
{
	if (sc->next_asid > sc->max_asid) {
		sc->asid_generation++;
		sc->next_asid = 1;
		sc->flush_all = true;
	}
	svm->asid = sc->next_asid++;
	svm->asid_generation = sc->asid_generation;
	svm->vmcb->control.asid = svm->asid;
}

void svm_set_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] |= 1U << (bit % 32);
}

void svm_clear_intercept(struct vmcb *vmcb, int bit)
{
	vmcb->control.intercepts[bit / 32] &= ~(1U << (bit % 32));
}

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
	save->dr6 = SVM_DR6_RESET;
	save->dr7 = SVM_DR7_RESET;
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
	svm->vmcb->control.tsc_offset = 0;
	hxen_msr_reset(vcpu);
}

static int svm_vm_init(struct hxen_vm *vm)
{
	struct svm_vm *sv = kzalloc(sizeof(*sv), GFP_KERNEL_ACCOUNT);

	if (!sv)
		return -ENOMEM;
	/* All ones: every port and every MSR is intercepted. */
	sv->iopm = alloc_pages(GFP_KERNEL_ACCOUNT, get_order(SVM_IOPM_SIZE));
	sv->msrpm = alloc_pages(GFP_KERNEL_ACCOUNT, get_order(SVM_MSRPM_SIZE));
	if (!sv->iopm || !sv->msrpm) {
		if (sv->iopm)
			__free_pages(sv->iopm, get_order(SVM_IOPM_SIZE));
		if (sv->msrpm)
			__free_pages(sv->msrpm, get_order(SVM_MSRPM_SIZE));
		kfree(sv);
		return -ENOMEM;
	}
	memset(page_address(sv->iopm), 0xff, PAGE_SIZE << get_order(SVM_IOPM_SIZE));
	memset(page_address(sv->msrpm), 0xff, PAGE_SIZE << get_order(SVM_MSRPM_SIZE));
	atomic64_add((1 << get_order(SVM_IOPM_SIZE)) + (1 << get_order(SVM_MSRPM_SIZE)),
		     &hxen_live_pages);
	vm->vendor = sv;
	return 0;
}

static void svm_vm_destroy(struct hxen_vm *vm)
{
	struct svm_vm *sv = vm->vendor;

	__free_pages(sv->iopm, get_order(SVM_IOPM_SIZE));
	__free_pages(sv->msrpm, get_order(SVM_MSRPM_SIZE));
	atomic64_sub((1 << get_order(SVM_IOPM_SIZE)) + (1 << get_order(SVM_MSRPM_SIZE)),
		     &hxen_live_pages);
	kfree(sv);
	vm->vendor = NULL;
}

static int svm_vcpu_create(struct hxen_vcpu *vcpu)
{
	struct svm_vm *sv = vcpu->vm->vendor;
	struct vmcb_control_area *c;
	struct svm_vcpu *svm;
	struct page *page;
	static const int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_CPUID,
		INTERCEPT_HLT, INTERCEPT_INVD, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_TASK_SWITCH,
		INTERCEPT_FERR_FREEZE, INTERCEPT_SHUTDOWN, INTERCEPT_VMRUN,
		INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
		INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_XSETBV,
		INTERCEPT_RDPRU,
	};
	int i;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	page = hxen_alloc_page();
	if (!page) {
		kfree(svm);
		return -ENOMEM;
	}
	svm->vmcb = page_address(page);
	svm->vmcb_pa = page_to_phys(page);
	vcpu->vendor = svm;

	c = &svm->vmcb->control;
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		svm_set_intercept(svm->vmcb, intercepts[i]);
	/* DR0-3 accesses, until the guest's first one (svm_exit.c). */
	for (i = 0; i < 4; i++) {
		svm_set_intercept(svm->vmcb, INTERCEPT_DR0_READ + i);
		svm_set_intercept(svm->vmcb, INTERCEPT_DR0_WRITE + i);
	}
	/* Machine checks belong to the host. */
	svm_set_intercept(svm->vmcb, INTERCEPT_EXCEPTION_OFFSET + MC_VECTOR);
	/*
	 * Pause filter (APM Vol. 2 15.14.4): a spin loop exits after
	 * SVM_PAUSE_FILTER_COUNT PAUSEs (with the threshold, PAUSEs at most
	 * that many cycles apart), so a preempted vCPU can run. Without the
	 * filter every PAUSE would exit: no intercept then (KVM does so too).
	 */
	if (boot_cpu_has(X86_FEATURE_PAUSEFILTER)) {
		c->pause_filter_count = SVM_PAUSE_FILTER_COUNT;
		if (boot_cpu_has(X86_FEATURE_PFTHRESHOLD))
			c->pause_filter_thresh = SVM_PAUSE_FILTER_THRESH;
		svm_set_intercept(svm->vmcb, INTERCEPT_PAUSE);
	}
	c->iopm_base_pa = page_to_phys(sv->iopm);
	c->msrpm_base_pa = page_to_phys(sv->msrpm);
	/* Guest IF masks only virtual interrupts; host ones always exit. */
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = hxen_tdp_root_pa(vcpu->vm);
	svm_reset_vcpu(vcpu);
	return 0;
}

static void svm_vcpu_free(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	hxen_free_page(virt_to_page(svm->vmcb));
	kfree(svm);
	vcpu->vendor = NULL;
}

static void svm_vcpu_load(struct hxen_vcpu *vcpu, int cpu)
{
	/* A vCPU that moved CPUs gets a new ASID there (svm_vcpu_run). */
	to_svm(vcpu)->asid_generation = 0;
}

static void svm_vcpu_put(struct hxen_vcpu *vcpu)
{
}

void svm_skip_instruction(struct hxen_vcpu *vcpu, unsigned int len)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm->vmcb->save.rip = svm->next_rip ? svm->next_rip : svm->vmcb->save.rip + len;
	svm->vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

void svm_inject_exception(struct hxen_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->event_inj = vector | SVM_EVTINJ_VALID | SVM_EVTINJ_TYPE_EXEPT |
		       (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = error;
}

static int svm_vcpu_run(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	struct vmcb *vmcb = svm->vmcb;
	u64 host_xcr0 = 0;

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	if (test_and_clear_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests))
		svm->asid_generation = 0;
	if (svm->asid_generation != sc->asid_generation)
		svm_new_asid(svm, sc);
	if (sc->flush_all) {
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		sc->flush_all = false;
	}
	vmcb->save.rax = vcpu->regs[VCPU_RAX];
	vmcb->save.rsp = vcpu->regs[VCPU_RSP];

	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (vcpu->xcr0 != host_xcr0 && (vmcb->save.cr4 & X86_CR4_OSXSAVE))
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	}

	/*
	 * With V_INTR_MASKING, the host's IF at VMRUN decides whether host
	 * interrupts end the guest's run (APM 15.21.1): run with IF set.
	 * GIF stays clear until we are back, so nothing is taken before.
	 */
	asm volatile("clgi; sti" ::: "memory");
	__hxen_svm_enter(svm->vmcb_pa, vcpu->regs, sc->host_save_pa);
	asm volatile("cli; stgi" ::: "memory");

	if (host_xcr0 && xgetbv(XCR_XFEATURE_ENABLED_MASK) != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	vcpu->regs[VCPU_RAX] = vmcb->save.rax;
	vcpu->regs[VCPU_RSP] = vmcb->save.rsp;
	svm->next_rip = boot_cpu_has(X86_FEATURE_NRIPS) ? vmcb->control.next_rip : 0;
	return HXEN_RESUME;
}

static bool svm_event_queued(struct svm_vcpu *svm)
{
	return (svm->vmcb->control.event_inj & SVM_EVTINJ_VALID) || svm->virq_injected;
}

static bool svm_interrupt_allowed(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb *vmcb = svm->vmcb;

	return !svm_event_queued(svm) && (vmcb->save.rflags & X86_EFLAGS_IF) &&
	       !(vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK);
}

static bool svm_nmi_allowed(struct hxen_vcpu *vcpu)
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
 * for the next entry, see svm_virq_exit()). Not EVENTINJ: QEMU's TCG
 * (the emulated test hosts, up to 10.x) delivers an EVENTINJ interrupt
 * and leaves its vector as the pending exception, which it delivers a
 * second time when its CPU loop next leaves for the main loop: guests saw
 * the same interrupt twice (a Linux guest then runs its entry code with
 * the user GS base and dies). The interrupt it takes through V_IRQ goes
 * through its interrupt path, which has no such leftover.
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

static void svm_inject_irq(struct hxen_vcpu *vcpu, u8 vector)
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

static void svm_inject_nmi(struct hxen_vcpu *vcpu)
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
static void svm_enable_irq_window(struct hxen_vcpu *vcpu)
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

static void svm_watch_cr8_write(struct hxen_vcpu *vcpu, bool on)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (on)
		svm_set_intercept(vmcb, INTERCEPT_CR8_WRITE);
	else
		svm_clear_intercept(vmcb, INTERCEPT_CR8_WRITE);
}

static void svm_set_cr2(struct hxen_vcpu *vcpu, u64 cr2)
{
	to_svm(vcpu)->vmcb->save.cr2 = cr2;
}

static void svm_get_events(struct hxen_vcpu *vcpu, struct kvm_vcpu_events *ev)
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

static void svm_set_events(struct hxen_vcpu *vcpu, const struct kvm_vcpu_events *ev)
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

static u64 svm_get_rflags(struct hxen_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->save.rflags;
}

static u8 svm_get_cr8(struct hxen_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.int_ctl & V_TPR_MASK;
}

static void svm_set_cr8(struct hxen_vcpu *vcpu, u8 cr8)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;

	c->int_ctl = (c->int_ctl & ~V_TPR_MASK) | (cr8 & V_TPR_MASK);
}

static void svm_get_regs(struct hxen_vcpu *vcpu, struct kvm_regs *r)
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

static void svm_set_regs(struct hxen_vcpu *vcpu, const struct kvm_regs *r)
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

static void svm_get_sregs(struct hxen_vcpu *vcpu, struct kvm_sregs *sr)
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

static u64 svm_get_tsc_offset(struct hxen_vcpu *vcpu)
{
	return to_svm(vcpu)->vmcb->control.tsc_offset;
}

static void svm_get_cpu_mode(struct hxen_vcpu *vcpu, struct hxen_walk_mode *m, bool *code64)
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
#define SVM_CR4_VALID	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
			 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | \
			 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | \
			 X86_CR4_FSGSBASE | X86_CR4_OSXSAVE | X86_CR4_SMEP | \
			 X86_CR4_SMAP | X86_CR4_UMIP)

static u64 svm_cr4_valid(void)
{
	return SVM_CR4_VALID;
}

static int svm_set_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	/* The consistency rules VMRUN would otherwise fail on (APM 15.5.1). */
	if (hxen_check_sregs(vcpu, sr, SVM_CR4_VALID, SVM_EFER_VALID))
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

static const struct hxen_tdp_format svm_tdp_format = {
	/* NPT walks treat every access as a user access (APM 15.25.5). */
	.table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
	.leaf_read = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY,
	.leaf_write = _PAGE_RW,
	.present_mask = _PAGE_PRESENT,
};

const struct hxen_vendor_ops svm_vendor_ops = {
	.name = "SVM",
	.cpu_area_order = 1,
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
	.tdp_format = &svm_tdp_format,
	.vm_init = svm_vm_init,
	.vm_destroy = svm_vm_destroy,
	.vcpu_create = svm_vcpu_create,
	.vcpu_free = svm_vcpu_free,
	.vcpu_load = svm_vcpu_load,
	.vcpu_put = svm_vcpu_put,
	.vcpu_run = svm_vcpu_run,
	.handle_exit = svm_handle_exit,
	.interrupt_allowed = svm_interrupt_allowed,
	.nmi_allowed = svm_nmi_allowed,
	.inject_irq = svm_inject_irq,
	.inject_nmi = svm_inject_nmi,
	.enable_irq_window = svm_enable_irq_window,
	.inject_exception = svm_inject_exception,
	.set_cr2 = svm_set_cr2,
	.get_events = svm_get_events,
	.set_events = svm_set_events,
	.get_msr = svm_get_msr,
	.set_msr = svm_set_msr,
	.get_rflags = svm_get_rflags,
	.get_cr8 = svm_get_cr8,
	.set_cr8 = svm_set_cr8,
	.watch_cr8_write = svm_watch_cr8_write,
	.get_regs = svm_get_regs,
	.set_regs = svm_set_regs,
	.get_sregs = svm_get_sregs,
	.get_cpu_mode = svm_get_cpu_mode,
	.get_tsc_offset = svm_get_tsc_offset,
	.set_sregs = svm_set_sregs,
	.cr4_valid = svm_cr4_valid,
};
