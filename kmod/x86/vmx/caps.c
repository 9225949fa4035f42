// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capabilities: what the IA32_VMX_* MSRs allow, reported to
 * HXEN_GET_INFO, and the VMCS controls every vCPU is set up with
 * (vmx_cfg).
 *
 * Running vCPUs needs EPT (4-level walk, write-back), unrestricted guest
 * (real mode and unpaged protected mode run natively), INVEPT, and the
 * controls that load IA32_EFER and IA32_PAT on VM entry and VM exit. A
 * CPU without them still gets VMs, but KVM_CREATE_VCPU fails.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mm.h>
#include <linux/printk.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "vmx.h"

u32 vmx_revision;
struct vmx_config vmx_cfg;

/* Longest the guest runs without an exit: see vmx_setup_config. */
#define VMX_BACKSTOP_MS		10

static u32 vmx_allowed1(u32 msr)
{
	u64 v;

	/* Allowed-1 settings are the high half (SDM Vol. 3 A.3). */
	if (rdmsrl_safe(msr, &v))
		return 0;
	return v >> 32;
}

/*
 * Combine what we need (@required) and would like (@optional) with what a
 * VMX capability MSR allows: its low half holds the bits that must be 1,
 * its high half the bits that may be 1 (SDM Vol. 3 A.3-A.5).
 */
static int vmx_adjust_ctls(u32 msr, u32 required, u32 optional, u32 *out)
{
	u64 v;

	if (rdmsrl_safe(msr, &v))
		return -EIO;
	if (required & ~(u32)(v >> 32))
		return -EOPNOTSUPP;
	*out = required | (optional & (u32)(v >> 32)) | (u32)v;
	return 0;
}

static int vmx_setup_config(u64 basic, u64 ept_vpid)
{
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	int r;

	/*
	 * External interrupts exit but are not acknowledged on exit: the
	 * interrupt stays pending in the APIC and the host takes it as soon
	 * as it enables interrupts again. NMIs exit; vmx_vcpu_run hands them
	 * to the host's handler. Virtual NMIs make the CPU track the guest's
	 * own NMI blocking (injected NMI until IRET) for us (SDM Vol. 3 25.3,
	 * 26.6.1.2).
	 */
	r = vmx_adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
					MSR_IA32_VMX_PINBASED_CTLS,
			    PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING |
			    PIN_BASED_VIRTUAL_NMIS, PIN_BASED_VMX_PREEMPTION_TIMER,
			    &vmx_cfg.pin);
	/*
	 * No I/O or MSR bitmaps: every port access and every RDMSR/WRMSR
	 * exits. MOV DR exits until the guest's first one, after which its
	 * debug registers are switched around every entry (most guests never
	 * touch them); CR8 accesses exit since without a TPR shadow they
	 * would reach the real APIC's TPR (SDM Vol. 3 25.3).
	 */
	if (!r)
		r = vmx_adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
						MSR_IA32_VMX_PROCBASED_CTLS,
				    CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
				    CPU_BASED_MOV_DR_EXITING | CPU_BASED_CR8_LOAD_EXITING |
				    CPU_BASED_CR8_STORE_EXITING | CPU_BASED_MWAIT_EXITING |
				    CPU_BASED_MONITOR_EXITING | CPU_BASED_RDPMC_EXITING |
				    CPU_BASED_USE_TSC_OFFSETTING |
				    CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0,
				    &vmx_cfg.proc);
	/* RDTSCP and INVPCID would #UD without their enables, unlike on SVM. */
	if (!r)
		r = vmx_adjust_ctls(MSR_IA32_VMX_PROCBASED_CTLS2,
				    SECONDARY_EXEC_ENABLE_EPT |
				    SECONDARY_EXEC_UNRESTRICTED_GUEST,
				    SECONDARY_EXEC_ENABLE_VPID |
				    SECONDARY_EXEC_ENABLE_RDTSCP |
				    SECONDARY_EXEC_ENABLE_INVPCID |
				    SECONDARY_EXEC_PAUSE_LOOP_EXITING,
				    &vmx_cfg.proc2);
	if (!r)
		r = vmx_adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
						MSR_IA32_VMX_EXIT_CTLS,
				    VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_LOAD_IA32_EFER |
				    VM_EXIT_LOAD_IA32_PAT | VM_EXIT_SAVE_DEBUG_CONTROLS, 0,
				    &vmx_cfg.exit);
	if (!r)
		r = vmx_adjust_ctls(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
						MSR_IA32_VMX_ENTRY_CTLS,
				    VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
				    VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, &vmx_cfg.entry);
	if (r)
		return r;
	/* Set per guest as EFER.LMA says; it must be allowed, not forced. */
	if (vmx_allowed1(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				     MSR_IA32_VMX_ENTRY_CTLS) & VM_ENTRY_IA32E_MODE)
		vmx_cfg.entry &= ~VM_ENTRY_IA32E_MODE;
	else
		return -EOPNOTSUPP;
	if (vmx_cfg.exit & VM_EXIT_ACK_INTR_ON_EXIT)
		return -EOPNOTSUPP;
	/* Interrupt- and NMI-window exiting are switched on when needed. */
	if ((vmx_allowed1(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				      MSR_IA32_VMX_PROCBASED_CTLS) &
	     (CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING)) !=
	    (CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING))
		return -EOPNOTSUPP;

	if (!(ept_vpid & VMX_EPT_PAGE_WALK_4_BIT) || !(ept_vpid & VMX_EPTP_WB_BIT) ||
	    !(ept_vpid & VMX_EPT_INVEPT_BIT) ||
	    !(ept_vpid & (VMX_EPT_EXTENT_CONTEXT_BIT | VMX_EPT_EXTENT_GLOBAL_BIT)))
		return -EOPNOTSUPP;
	vmx_cfg.invept_single = ept_vpid & VMX_EPT_EXTENT_CONTEXT_BIT;
	vmx_cfg.invept_global = ept_vpid & VMX_EPT_EXTENT_GLOBAL_BIT;
	vmx_cfg.vpid = vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_VPID;
	/* IA32_VMX_BASIC[54]: segment and address size of INS/OUTS (A.1). */
	vmx_cfg.ins_outs_info = basic & VMX_BASIC_INOUT;
	/* RDTSCP and RDPID run with "enable RDTSCP"; TSC_AUX is switched (msr.c). */
	hxen_guest_rdtscp = (vmx_cfg.proc2 & SECONDARY_EXEC_ENABLE_RDTSCP) &&
			    (boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID));
	vmx_l1d_flush_setup();

	/*
	 * The VMX-preemption timer as a backstop: the guest exits at least
	 * every VMX_BACKSTOP_MS whatever it does, so the host always gets its
	 * CPU back. CPUs that turn every host interrupt into an exit need no
	 * help; on an implementation that does not while the guest runs with
	 * RFLAGS.IF=0 (the README names one), a guest spinning with
	 * interrupts off would hang the host. The timer counts down
	 * once every 2^IA32_VMX_MISC[4:0] TSC ticks (SDM Vol. 3 25.5.1, A.6).
	 */
	if (vmx_cfg.pin & PIN_BASED_VMX_PREEMPTION_TIMER) {
		u64 misc, ticks = (u64)(tsc_khz ? tsc_khz : 1000000) * VMX_BACKSTOP_MS;

		if (rdmsrl_safe(MSR_IA32_VMX_MISC, &misc))
			return -EIO;
		ticks >>= vmx_misc_preemption_timer_rate(misc);
		vmx_cfg.preempt_value = min_t(u64, max_t(u64, ticks, 1), U32_MAX);
		vmx_cfg.preempt_timer = true;
	}

	/* Bits of CR0/CR4 fixed to 1 (FIXED0) and allowed to be 1 (FIXED1), A.7-A.8. */
	if (rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED0, &vmx_cfg.cr0_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR0_FIXED1, &vmx_cfg.cr0_fixed1) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED0, &vmx_cfg.cr4_fixed0) ||
	    rdmsrl_safe(MSR_IA32_VMX_CR4_FIXED1, &vmx_cfg.cr4_fixed1))
		return -EIO;
	vmx_cfg.usable = true;
	return 0;
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
	if (vmx_setup_config(basic, ept_vpid))
		pr_info("VMX: no EPT with INVEPT, unrestricted guest or EFER/PAT load controls: VMs can be created but vCPUs cannot run\n");
	return 0;
}
