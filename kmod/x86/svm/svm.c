// SPDX-License-Identifier: GPL-2.0
/*
 * AMD SVM backend: feature detection and per-CPU enable (EFER.SVME + host
 * save area). Optional features (NRIP save, VMCB clean bits, decode
 * assists) are used only when CPUID reports them; each has a fallback.
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

u64 svm_cr4_guest_valid;

/*
 * CR4 bits a guest may set (KVM_SET_SREGS, MOV to CR4, which exits: see
 * svm_handle_cr4_write): the architectural ones every SVM CPU has, and
 * the optional ones only where the host CPU has them, so VMRUN never sees
 * a bit the CPU lacks. PKE only with OSPKE (PKRU is switched then); no
 * LA57 (the page walker knows 4 levels), no CET (its MSRs are not
 * virtualized). The guest's CPUID gates some further (hxen_guest_cr4_ok).
 */
static u64 svm_cr4_host_valid(void)
{
	static const struct {
		u16 feature;
		u64 bit;
	} opt[] = {
		{ X86_FEATURE_FSGSBASE, X86_CR4_FSGSBASE },
		{ X86_FEATURE_PCID, X86_CR4_PCIDE },
		{ X86_FEATURE_XSAVE, X86_CR4_OSXSAVE },
		{ X86_FEATURE_SMEP, X86_CR4_SMEP },
		{ X86_FEATURE_SMAP, X86_CR4_SMAP },
		{ X86_FEATURE_UMIP, X86_CR4_UMIP },
		{ X86_FEATURE_OSPKE, X86_CR4_PKE },
	};
	u64 valid = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		    X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		    X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	int i;

	for (i = 0; i < ARRAY_SIZE(opt); i++)
		if (boot_cpu_has(opt[i].feature))
			valid |= opt[i].bit;
	return valid;
}

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
	/* RDTSCP and RDPID are never intercepted: TSC_AUX is switched (msr.c). */
	hxen_guest_rdtscp = boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID);
	svm_cr4_guest_valid = svm_cr4_host_valid();
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
		/* The guest may not own CR4: see svm_cr4_host_valid. */
		INTERCEPT_CR4_WRITE,
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
	/*
	 * Debug register accesses, until the guest's first one (exit.c):
	 * all eight, so that neither DR6 nor DR7 changes before the run
	 * loop switches DR0-3 and DR6 is looked after (as VMX's MOV-DR
	 * exiting).
	 */
	for (i = 0; i < 8; i++) {
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
	hxen_pkru_load_guest(vcpu, vmcb->save.cr4);

	/*
	 * With V_INTR_MASKING, the host's IF at VMRUN decides whether host
	 * interrupts end the guest's run (APM 15.21.1): run with IF set.
	 * GIF stays clear until we are back, so nothing is taken before.
	 */
	asm volatile("clgi; sti" ::: "memory");
	__hxen_svm_enter(svm->vmcb_pa, vcpu->regs, sc->host_save_pa);
	asm volatile("cli; stgi" ::: "memory");

	hxen_pkru_load_host(vcpu);
	if (host_xcr0 && xgetbv(XCR_XFEATURE_ENABLED_MASK) != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	/*
	 * VMRUN loaded the guest's DR6 from the VMCB and #VMEXIT saves it
	 * there, but the host's is not part of the state it restores: once
	 * the guest owns the debug registers, the host's #DB handler must
	 * not find the guest's status bits (run loop: DR0-3 and DR7).
	 */
	if (vcpu->db_active) {
		unsigned long dr6;

		get_debugreg(dr6, 6);
		if (dr6 != DR6_RESERVED)
			set_debugreg(DR6_RESERVED, 6);
	}
	vcpu->regs[VCPU_RAX] = vmcb->save.rax;
	vcpu->regs[VCPU_RSP] = vmcb->save.rsp;
	svm->next_rip = boot_cpu_has(X86_FEATURE_NRIPS) ? vmcb->control.next_rip : 0;
	return HXEN_RESUME;
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
	.mcg_cap_mask = 0x1ff,
	.get_dr67 = svm_get_dr67,
	.set_dr67 = svm_set_dr67,
	.update_debug_intercepts = svm_update_debug_intercepts,
	.activate_debugregs = svm_activate_debugregs,
	.get_tsc_offset = svm_get_tsc_offset,
	.set_sregs = svm_set_sregs,
	.cr4_valid = svm_cr4_valid,
};
