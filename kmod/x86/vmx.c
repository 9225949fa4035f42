// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: capability detection from the IA32_VMX_* MSRs and
 * per-CPU VMXON/VMXOFF.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/io.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <asm/asm.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/processor-flags.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "../hxen.h"

static u32 vmx_revision;

static u32 vmx_allowed1(u32 msr)
{
	u64 v;

	/* Allowed-1 settings are the high half (SDM Vol. 3 A.3). */
	if (rdmsrl_safe(msr, &v))
		return 0;
	return v >> 32;
}

int vmx_probe(struct hxen_info *info)
{
	u64 feat_ctl, basic, ept_vpid = 0;
	u32 procbased, secondary = 0, pinbased;
	bool true_ctls;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info("VMX: not offered by this CPU (or disabled by firmware)\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    !(feat_ctl & FEAT_CTL_LOCKED) ||
	    !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) {
		pr_err("VMX: disabled by firmware (IA32_FEATURE_CONTROL); enable it in the BIOS setup\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_IA32_VMX_BASIC, &basic)) {
		pr_err("VMX: IA32_VMX_BASIC is not readable\n");
		return -ENODEV;
	}
	/* VMXON/VMCS regions are one page, written back (SDM Vol. 3 A.1). */
	if (((basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & 0x1fff) > PAGE_SIZE ||
	    ((basic & VMX_BASIC_MEM_TYPE_MASK) >> VMX_BASIC_MEM_TYPE_SHIFT) !=
		    VMX_BASIC_MEM_TYPE_WB) {
		pr_err("VMX: unsupported VMCS size or memory type (IA32_VMX_BASIC=%#llx)\n",
		       basic);
		return -ENODEV;
	}
	vmx_revision = basic & 0x7fffffff;
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;

	procbased = vmx_allowed1(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
					     MSR_IA32_VMX_PROCBASED_CTLS);
	pinbased = vmx_allowed1(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					    MSR_IA32_VMX_PINBASED_CTLS);
	if (procbased & CPU_BASED_ACTIVATE_SECONDARY_CONTROLS)
		secondary = vmx_allowed1(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (secondary & (SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_ENABLE_VPID))
		rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &ept_vpid);

	info->vendor = HXEN_VENDOR_VMX;
	info->vmcs_revision = vmx_revision;
	if (true_ctls)
		info->features |= HXEN_FEAT_TRUE_CTLS;
	/* EPT is usable with a 4-level walk and write-back paging structures. */
	if ((secondary & SECONDARY_EXEC_ENABLE_EPT) &&
	    (ept_vpid & VMX_EPT_PAGE_WALK_4_BIT) && (ept_vpid & VMX_EPTP_WB_BIT)) {
		info->features |= HXEN_FEAT_EPT;
		if (secondary & SECONDARY_EXEC_UNRESTRICTED_GUEST)
			info->features |= HXEN_FEAT_UNRESTRICTED_GUEST;
		if (ept_vpid & VMX_EPT_AD_BIT)
			info->features |= HXEN_FEAT_EPT_AD;
		if (ept_vpid & VMX_EPT_2MB_PAGE_BIT)
			info->features |= HXEN_FEAT_EPT_2M;
		if (ept_vpid & VMX_EPT_1GB_PAGE_BIT)
			info->features |= HXEN_FEAT_EPT_1G;
		if (secondary & SECONDARY_EXEC_ENABLE_PML)
			info->features |= HXEN_FEAT_PML;
	}
	if ((secondary & SECONDARY_EXEC_ENABLE_VPID) &&
	    ((ept_vpid >> 32) & VMX_VPID_INVVPID_BIT))
		info->features |= HXEN_FEAT_VPID;
	if ((secondary & SECONDARY_EXEC_APIC_REGISTER_VIRT) &&
	    (secondary & SECONDARY_EXEC_VIRTUAL_INTR_DELIVERY))
		info->features |= HXEN_FEAT_APICV;
	if (pinbased & PIN_BASED_POSTED_INTR)
		info->features |= HXEN_FEAT_POSTED_INTR;
	if (secondary & SECONDARY_EXEC_TSC_SCALING)
		info->features |= HXEN_FEAT_TSC_SCALING;
	if (secondary & SECONDARY_EXEC_SHADOW_VMCS)
		info->features |= HXEN_FEAT_SHADOW_VMCS;
	if (secondary & SECONDARY_EXEC_ENABLE_VMFUNC)
		info->features |= HXEN_FEAT_VMFUNC;
	return 0;
}

/* VMXON; a VMfail (CF or ZF set) or a fault (#GP, #UD) is an error. */
static int vmx_vmxon(u64 phys)
{
	asm goto("1: vmxon %0\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m"(phys) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static void vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
	return;
fault:
	pr_err_ratelimited("VMX: VMXOFF faulted on CPU %d\n", smp_processor_id());
}

static int vmx_cpu_enable(struct page *area)
{
	u64 feat_ctl;
	int r;

	/*
	 * CR4.VMXE already set: another hypervisor (e.g. kvm_intel) is in VMX
	 * operation here. kvm_intel makes the same check against us.
	 */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    !(feat_ctl & FEAT_CTL_LOCKED) ||
	    !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -EIO;

	/* The VMXON region starts with the VMCS revision (SDM Vol. 3 24.11.5). */
	*(u32 *)page_address(area) = vmx_revision;
	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(page_to_phys(area));
	if (r)
		cr4_clear_bits(X86_CR4_VMXE);
	return r;
}

static void vmx_cpu_disable(void)
{
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
}

/* EPT entries (SDM Vol. 3 28.3.2): read/write/execute bits, WB leaves. */
static const struct hxen_tdp_format vmx_tdp_format = {
	.table = VMX_EPT_RWX_MASK,
	.leaf_read = VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK |
		     (MTRR_TYPE_WRBACK << VMX_EPT_MT_EPTE_SHIFT),
	.leaf_write = VMX_EPT_WRITABLE_MASK,
	.present_mask = VMX_EPT_RWX_MASK,
};

/*
 * VMs and VMX ownership only: running vCPUs on VMX is the next step
 * (vcpu_run stays NULL, so KVM_CREATE_VCPU answers EOPNOTSUPP).
 */
const struct hxen_vendor_ops vmx_vendor_ops = {
	.name = "VMX",
	.cpu_area_order = 0,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.tdp_format = &vmx_tdp_format,
};
