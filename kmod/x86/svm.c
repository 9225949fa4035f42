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
#include <asm/svm.h>

#include "../hxen.h"

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

	info->vendor = HXEN_VENDOR_SVM;
	info->nr_asids = cpuid_ebx(SVM_CPUID_LEAF);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (boot_cpu_has(map[i].cpu_feature))
			info->features |= map[i].hxen_feature;
	return 0;
}

static int svm_cpu_enable(struct page *area)
{
	u64 efer;

	rdmsrl(MSR_EFER, efer);
	/* EFER.SVME already set: another hypervisor (e.g. kvm_amd) owns SVM. */
	if (efer & EFER_SVME)
		return -EBUSY;
	wrmsrl(MSR_EFER, efer | EFER_SVME);
	wrmsrl(MSR_VM_HSAVE_PA, page_to_phys(area));
	return 0;
}

static void svm_cpu_disable(void)
{
	u64 efer;

	wrmsrl(MSR_VM_HSAVE_PA, 0);
	rdmsrl(MSR_EFER, efer);
	wrmsrl(MSR_EFER, efer & ~EFER_SVME);
}

const struct hxen_vendor_ops svm_vendor_ops = {
	.name = "SVM",
	.cpu_enable = svm_cpu_enable,
	.cpu_disable = svm_cpu_disable,
};
