// SPDX-License-Identifier: GPL-2.0
/* VMX: the L1D flush before VM entry on CPUs with L1TF. */
#include <linux/printk.h>
#include <asm/cpufeature.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/sync_core.h>
#include <asm/vmx.h>
#include "vmx.h"

/*
 * L1TF (SDM "L1 Terminal Fault"; Linux's Documentation/admin-guide/hw-vuln/
 * l1tf.rst): on affected CPUs a guest can read what is in L1D through a
 * not-present guest PTE, since EPT does not apply there. As KVM's default
 * ("cond"), L1D is flushed before an entry when anything else may have put
 * data there since the last one: userspace or another task ran, an
 * interrupt (the kernel counts them for KVM: kvm_get_cpu_l1tf_flush_l1d),
 * or an exit the host handled at length (emulation, faults, hypercalls).
 * Not needed where the CPU says so (ARCH_CAPABILITIES.SKIP_VMENTRY_L1DFLUSH)
 * or the admin turned the mitigation off (l1tf=off).
 */
bool vmx_l1d_flush_needed __read_mostly;
/* The software flush (no IA32_FLUSH_CMD) reads this: twice the L1D size. */
#define VMX_L1D_FLUSH_SIZE	(64 * 1024)
static u8 vmx_l1d_flush_buf[VMX_L1D_FLUSH_SIZE] __aligned(PAGE_SIZE);

void vmx_l1d_flush_setup(void)
{
	u64 caps = 0;

	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl_safe(MSR_IA32_ARCH_CAPABILITIES, &caps);
	vmx_l1d_flush_needed = boot_cpu_has_bug(X86_BUG_L1TF) &&
			       !(caps & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH) &&
			       l1tf_mitigation != L1TF_MITIGATION_OFF;
	if (vmx_l1d_flush_needed)
		pr_info("VMX: L1D flush before VM entry (L1TF)%s\n",
			boot_cpu_has(X86_FEATURE_FLUSH_L1D) ? "" : ", in software");
}

/* Exits handled quickly, touching no more than the vCPU's own state. */
static bool vmx_exit_is_light(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_EXTERNAL_INTERRUPT:	/* the interrupt itself is counted */
	case EXIT_REASON_CPUID:
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
	case EXIT_REASON_XSETBV:
	case EXIT_REASON_CR_ACCESS:
	case EXIT_REASON_DR_ACCESS:
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
	case EXIT_REASON_PREEMPTION_TIMER:
	case EXIT_REASON_PAUSE_INSTRUCTION:	/* a yield is a context switch */
	case EXIT_REASON_HLT:			/* so is blocking */
		return true;
	}
	return false;
}

/* Interrupts off, right before entry. */
void vmx_l1d_flush(struct hxen_vcpu *vcpu)
{
	unsigned int i;
	bool flush = vcpu->l1d_flush || kvm_get_cpu_l1tf_flush_l1d();

	vcpu->l1d_flush = false;
	kvm_clear_cpu_l1tf_flush_l1d();
	if (!flush)
		return;
	if (static_cpu_has(X86_FEATURE_FLUSH_L1D)) {
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
		return;
	}
	/* Every page's translation first, then every line: L1D holds only ours. */
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += PAGE_SIZE)
		READ_ONCE(vmx_l1d_flush_buf[i]);
	sync_core();
	for (i = 0; i < VMX_L1D_FLUSH_SIZE; i += L1_CACHE_BYTES)
		READ_ONCE(vmx_l1d_flush_buf[i]);
	rmb();
}

/* After an exit, where entries flush L1D: one the host handled at length counts. */
void vmx_l1d_note_exit(struct hxen_vcpu *vcpu, u32 reason)
{
	if (!vmx_exit_is_light(reason))
		vcpu->l1d_flush = true;
}
