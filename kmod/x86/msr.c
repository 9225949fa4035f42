// SPDX-License-Identifier: GPL-2.0
/*
 * Model-specific registers: the common ones are kept here, the ones whose
 * state lives in the VMCB/VMCS go to the vendor. Used by guest RDMSR/WRMSR
 * exits and by KVM_GET_MSRS/KVM_SET_MSRS/KVM_GET_MSR_INDEX_LIST.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user-return-notifier.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/kvm_para.h>

#include "../hxen.h"
#include "../vendor.h"
#include "x86.h"
#include "../xen/hooks.h"
#include "irqchip/lapic.h"

/* Same limit as KVM (KVM_MAX_MSR_ENTRIES), so userspace batches carry over. */
#define HXEN_MAX_MSR_ENTRIES	256

/* MTRRs as KVM offers them: 8 variable ranges, fixed ranges, WC. */
#define HXEN_MTRR_CAP		(8 | (1 << 8) | (1 << 10))
/* No PEBS, no BTS: what KVM reports by default. */
#define HXEN_MISC_ENABLE_RESET	(MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL | \
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL)

/* Saved and restored by userspace (migration); KVM_GET_MSR_INDEX_LIST. */
static const u32 hxen_msrs[] = {
	MSR_EFER, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_KERNEL_GS_BASE, MSR_FS_BASE, MSR_GS_BASE,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_IA32_TSC, MSR_IA32_TSC_ADJUST, MSR_IA32_CR_PAT, MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE,
	MSR_MTRRdefType, MSR_IA32_TSC_DEADLINE,
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL,
	MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW,
	MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK, MSR_KVM_STEAL_TIME, MSR_KVM_PV_EOI_EN,
	MSR_TSC_AUX,		/* last: only with hxen_guest_rdtscp */
};

bool hxen_guest_rdtscp;

/*
 * TSC_AUX: RDTSCP and RDPID run natively in the guest and read the CPU's
 * TSC_AUX, which the host kernel keeps as its CPU/node number for user
 * mode (vgetcpu). The guest's value goes in before entry and stays while
 * the CPU is in the kernel; the host's is put back when this CPU next
 * returns to user mode (a user-return notifier), as KVM does. The kernel
 * itself never reads TSC_AUX for that reason (its entry code uses LSL).
 */
struct hxen_tsc_aux_cpu {
	struct user_return_notifier urn;
	bool registered;
	u64 host;		/* valid while registered */
	u64 cur;		/* in the CPU while registered */
};

static DEFINE_PER_CPU(struct hxen_tsc_aux_cpu, hxen_tsc_aux_cpu);

/* This CPU: the host's TSC_AUX back, the notifier off. */
static void tsc_aux_restore(struct hxen_tsc_aux_cpu *c)
{
	unsigned long flags;

	local_irq_save(flags);
	if (c->registered) {
		if (c->cur != c->host)
			wrmsrl(MSR_TSC_AUX, c->host);
		/* Allowed from the notifier itself (the list walk is _safe). */
		user_return_notifier_unregister(&c->urn);
		c->registered = false;
	}
	local_irq_restore(flags);
}

static void tsc_aux_on_user_return(struct user_return_notifier *urn)
{
	tsc_aux_restore(container_of(urn, struct hxen_tsc_aux_cpu, urn));
}

void hxen_tsc_aux_load(struct hxen_vcpu *vcpu)
{
	struct hxen_tsc_aux_cpu *c = this_cpu_ptr(&hxen_tsc_aux_cpu);

	if (!hxen_guest_rdtscp)
		return;
	if (!c->registered) {
		rdmsrl(MSR_TSC_AUX, c->host);
		c->cur = c->host;
		c->urn.on_user_return = tsc_aux_on_user_return;
		user_return_notifier_register(&c->urn);
		c->registered = true;
	}
	if (c->cur != vcpu->tsc_aux) {
		wrmsrl(MSR_TSC_AUX, vcpu->tsc_aux);
		c->cur = vcpu->tsc_aux;
	}
}

void hxen_user_msrs_drop(void)
{
	tsc_aux_restore(this_cpu_ptr(&hxen_tsc_aux_cpu));
}

void hxen_msr_reset(struct hxen_vcpu *vcpu)
{
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == 0 ? MSR_IA32_APICBASE_BSP : 0);
	vcpu->misc_enable = HXEN_MISC_ENABLE_RESET;
	vcpu->mce.status = 0;
	vcpu->feat_ctl = 0;
	vcpu->mtrr_def_type = 0;
	memset(vcpu->mtrr_fixed, 0, sizeof(vcpu->mtrr_fixed));
	memset(vcpu->mtrr_var, 0, sizeof(vcpu->mtrr_var));
}

/* Index into mtrr_fixed for the 11 fixed-range MTRRs, or -1. */
static int mtrr_fixed_index(u32 msr)
{
	switch (msr) {
	case MSR_MTRRfix64K_00000:
		return 0;
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return 1 + msr - MSR_MTRRfix16K_80000;
	case MSR_MTRRfix4K_C0000 ... MSR_MTRRfix4K_F8000:
		return 3 + msr - MSR_MTRRfix4K_C0000;
	default:
		return -1;
	}
}

/* Memory types valid in an MTRR: UC, WC, WT, WP, WB. */
static bool mtrr_type_valid(u8 t)
{
	return t <= 6 && t != 2 && t != 3;
}

int hxen_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val, bool host)
{
	int i;

	switch (msr) {
	case MSR_IA32_TSC:
	case MSR_IA32_TSC_ADJUST:
		return hxen_tsc_get_msr(vcpu, msr, val);
	case MSR_IA32_APICBASE:
		*val = vcpu->apic_base;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		/* Without an in-kernel LAPIC it reads 0 (as on KVM). */
		if (!vcpu->lapic) {
			*val = 0;
			return 0;
		}
		return hxen_lapic_get_msr(vcpu, msr, val);
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		/* x2APIC registers; #GP without a LAPIC in x2APIC mode. */
		return hxen_lapic_get_msr(vcpu, msr, val);
	case MSR_IA32_MISC_ENABLE:
		*val = vcpu->misc_enable;
		return 0;
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_MCG_CTL:
	case HXEN_MSR_MC_BANKS:
		return hxen_mce_get_msr(vcpu, msr, val, host);
	case MSR_IA32_FEAT_CTL:
		*val = vcpu->feat_ctl;
		return 0;
	case MSR_IA32_UCODE_REV:
		/* What KVM reports: no microcode update applies to a vCPU. */
		*val = 0x100000000ULL;
		return 0;
	case MSR_IA32_PLATFORM_ID:
	case MSR_AMD64_SYSCFG:
	case MSR_K7_HWCR:
	case MSR_AMD64_NB_CFG:
	case MSR_AMD64_DE_CFG:
		/* Platform configuration Linux reads at boot: nothing set. */
		*val = 0;
		return 0;
	case MSR_MTRRcap:
		*val = HXEN_MTRR_CAP;
		return 0;
	case MSR_MTRRdefType:
		*val = vcpu->mtrr_def_type;
		return 0;
	case 0x200 ... 0x20f:		/* MTRRphysBase0..MTRRphysMask7 */
		*val = vcpu->mtrr_var[msr - 0x200];
		return 0;
	case MSR_TSC_AUX:
		if (!hxen_guest_rdtscp)
			return -ENOENT;
		*val = vcpu->tsc_aux;
		return 0;
	case MSR_KVM_STEAL_TIME:
		if (!hxen_steal_time_supported())
			return -ENOENT;
		*val = vcpu->steal.msr;
		return 0;
	case MSR_KVM_PV_EOI_EN:
		*val = vcpu->pv_eoi.msr;
		return 0;
	}
	i = mtrr_fixed_index(msr);
	if (i >= 0) {
		*val = vcpu->mtrr_fixed[i];
		return 0;
	}
	if (hxen_kvmclock_get_msr(vcpu, msr, val))
		return 0;
	return hxen_ops->get_msr(vcpu, msr, val);
}

int hxen_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host)
{
	int i;

	/* A Xen VM's hypercall-page MSR (xen/xen.c). */
	if (vcpu->xen && hxen_xen_set_msr(vcpu, msr, val, &i))
		return i;

	switch (msr) {
	case MSR_IA32_TSC:
	case MSR_IA32_TSC_ADJUST:
		return hxen_tsc_set_msr(vcpu, msr, val, host);
	case MSR_IA32_APICBASE:
		/* Without an in-kernel APIC only the stored value changes. */
		if (val & ~(u64)(MSR_IA32_APICBASE_BSP | MSR_IA32_APICBASE_ENABLE |
				 X2APIC_ENABLE | GENMASK_ULL(51, 12)))
			return -EINVAL;
		if (vcpu->lapic)
			return hxen_lapic_set_base(vcpu, val, host);
		vcpu->apic_base = val;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		/* Ignored without an in-kernel LAPIC (as on KVM). */
		return vcpu->lapic ? hxen_lapic_set_msr(vcpu, msr, val, host) : 0;
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		return hxen_lapic_set_msr(vcpu, msr, val, host);
	case MSR_IA32_MISC_ENABLE:
		vcpu->misc_enable = val;
		return 0;
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_MCG_CTL:
	case HXEN_MSR_MC_BANKS:
		return hxen_mce_set_msr(vcpu, msr, val, host);
	case MSR_IA32_FEAT_CTL:
		/* Once locked, writes #GP (SDM); VMX/SMX enables are not offered. */
		if (!host && ((vcpu->feat_ctl & FEAT_CTL_LOCKED) || (val & ~FEAT_CTL_LOCKED)))
			return -EINVAL;
		vcpu->feat_ctl = val;
		return 0;
	case MSR_IA32_UCODE_REV:
		/* Linux writes 0 before CPUID to read the revision: ignored. */
		return 0;
	case MSR_IA32_PLATFORM_ID:
		return host ? 0 : -EINVAL;
	case MSR_AMD64_SYSCFG:
	case MSR_K7_HWCR:
	case MSR_AMD64_NB_CFG:
	case MSR_AMD64_DE_CFG:
		/* Configuration a vCPU does not have: writes are dropped. */
		return 0;
	case MSR_MTRRcap:
		return host ? 0 : -EINVAL;
	case MSR_MTRRdefType:
		if ((val & ~0xcffULL) || !mtrr_type_valid(val & 0xff))
			return -EINVAL;
		vcpu->mtrr_def_type = val;
		return 0;
	case 0x200 ... 0x20f:
		if ((msr & 1) == 0 && !mtrr_type_valid(val & 0xff))
			return -EINVAL;
		vcpu->mtrr_var[msr - 0x200] = val;
		return 0;
	case MSR_TSC_AUX:
		/*
		 * Bits 63:32 are reserved (#GP), and the guest may write it
		 * only if its CPUID offers RDTSCP or RDPID (as on KVM).
		 */
		if (!hxen_guest_rdtscp || (val >> 32) ||
		    (!host && !hxen_guest_has_rdtscp(vcpu)))
			return -EINVAL;
		vcpu->tsc_aux = val;
		return 0;
	case MSR_KVM_STEAL_TIME:
		return hxen_steal_time_set_msr(vcpu, val);
	case MSR_KVM_PV_EOI_EN:
		return hxen_pv_eoi_set_msr(vcpu, val);
	}
	i = mtrr_fixed_index(msr);
	if (i >= 0) {
		int b;

		for (b = 0; b < 8; b++)
			if (!mtrr_type_valid(val >> (8 * b)))
				return -EINVAL;
		vcpu->mtrr_fixed[i] = val;
		return 0;
	}
	if (hxen_kvmclock_set_msr(vcpu, msr, val))
		return 0;
	return hxen_ops->set_msr(vcpu, msr, val, host);
}

long hxen_get_msr_index_list(struct kvm_msr_list __user *arg)
{
	u32 n, count = ARRAY_SIZE(hxen_msrs) - !hxen_guest_rdtscp;

	if (get_user(n, &arg->nmsrs))
		return -EFAULT;
	if (put_user(count, &arg->nmsrs))
		return -EFAULT;
	if (n < count)
		return -E2BIG;
	return copy_to_user(arg->indices, hxen_msrs, count * sizeof(u32)) ? -EFAULT : 0;
}

/* KVM_GET_MSRS / KVM_SET_MSRS: the number of entries done, up to the first failure. */
long hxen_vcpu_msrs(struct hxen_vcpu *vcpu, struct kvm_msrs __user *arg, bool set)
{
	struct kvm_msr_entry *e;
	struct kvm_msrs hdr;
	long r;
	u32 i;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs >= HXEN_MAX_MSR_ENTRIES)
		return -E2BIG;
	e = memdup_user(arg->entries, array_size(hdr.nmsrs, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr.nmsrs; i++) {
		if (set ? hxen_set_msr(vcpu, e[i].index, e[i].data, true) :
			  hxen_get_msr(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	r = i;
	if (!set && copy_to_user(arg->entries, e, array_size(i, sizeof(*e))))
		r = -EFAULT;
	kfree(e);
	return r;
}
