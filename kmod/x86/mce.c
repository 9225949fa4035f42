// SPDX-License-Identifier: GPL-2.0
/*
 * Machine-check architecture of a vCPU: MCG_CAP/STATUS/CTL and the error
 * reporting banks, set up by userspace (KVM_X86_SETUP_MCE) and filled by
 * it (KVM_X86_SET_MCE, e.g. QEMU forwarding a host memory error). A vCPU
 * never sees the host's banks. Until KVM_X86_SETUP_MCE a vCPU has the
 * most banks (HXEN_MCE_BANKS) with reporting off, as on KVM.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <asm/mce.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "../hxen.h"
#include "../vendor.h"
#include "x86.h"

/* What KVM offers (KVM_MCE_CAP_SUPPORTED): MCG_CTL and software recovery. */
#define HXEN_MCG_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)
/* Bits of MCG_CAP userspace may set beyond those: bank count, extended count. */
#define HXEN_MCG_CAP_COUNTS	(MCG_BANKCNT_MASK | 0xff0000ULL)

long hxen_mce_cap_supported(u64 __user *arg)
{
	u64 cap = HXEN_MCG_CAP_SUPPORTED;

	return copy_to_user(arg, &cap, sizeof(cap)) ? -EFAULT : 0;
}

long hxen_mce_setup(struct hxen_vcpu *vcpu, u64 __user *arg)
{
	unsigned int banks, i;
	u64 cap;

	if (copy_from_user(&cap, arg, sizeof(cap)))
		return -EFAULT;
	banks = cap & MCG_BANKCNT_MASK;
	if (!banks || banks > HXEN_MCE_BANKS)
		return -EINVAL;
	if (cap & ~(HXEN_MCG_CAP_SUPPORTED | HXEN_MCG_CAP_COUNTS))
		return -EINVAL;
	vcpu->mce.cap = cap & hxen_ops->mcg_cap_mask;
	vcpu->mce.status = 0;
	/* Reporting enabled everywhere, as after a BIOS (and KVM) setup. */
	vcpu->mce.ctl = (cap & MCG_CTL_P) ? ~0ULL : 0;
	for (i = 0; i < banks; i++) {
		vcpu->mce.banks[i][0] = ~0ULL;
		vcpu->mce.banks[i][1] = 0;
		vcpu->mce.banks[i][2] = 0;
		vcpu->mce.banks[i][3] = 0;
	}
	return 0;
}

static unsigned int mce_banks(struct hxen_vcpu *vcpu)
{
	return vcpu->mce.cap & MCG_BANKCNT_MASK;
}

/*
 * KVM_X86_SET_MCE: an uncorrected error raises #MC unless the guest cannot
 * take one (CR4.MCE clear, or one in progress: MCG_STATUS.MCIP), which
 * shuts the vCPU down (SDM Vol. 3 15.10.1). A corrected one is only logged,
 * and never over a valid entry.
 */
long hxen_mce_inject(struct hxen_vcpu *vcpu, struct kvm_x86_mce __user *arg)
{
	struct kvm_x86_mce m;
	struct kvm_sregs sregs;
	u64 *bank;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.bank >= mce_banks(vcpu) || !(m.status & MCI_STATUS_VAL))
		return -EINVAL;
	bank = vcpu->mce.banks[array_index_nospec(m.bank, HXEN_MCE_BANKS)];
	/* Reporting turned off for this error by MCG_CTL or MCi_CTL: dropped. */
	if ((m.status & MCI_STATUS_UC) && (vcpu->mce.cap & MCG_CTL_P) &&
	    vcpu->mce.ctl != ~0ULL)
		return 0;
	if ((m.status & MCI_STATUS_UC) && bank[0] != ~0ULL)
		return 0;
	if (!(m.status & MCI_STATUS_UC)) {
		/* A corrected error replaces a corrected one, never an uncorrected one. */
		if ((bank[1] & MCI_STATUS_VAL) && (bank[1] & MCI_STATUS_UC)) {
			bank[1] |= MCI_STATUS_OVER;
			return 0;
		}
		if (bank[1] & MCI_STATUS_VAL)
			m.status |= MCI_STATUS_OVER;
		bank[1] = m.status;
		bank[2] = m.addr;
		bank[3] = m.misc;
		return 0;
	}
	hxen_ops->get_sregs(vcpu, &sregs);
	if ((vcpu->mce.status & MCG_STATUS_MCIP) || !(sregs.cr4 & X86_CR4_MCE)) {
		set_bit(HXEN_REQ_TRIPLE_FAULT, &vcpu->requests);
		return 0;
	}
	if (bank[1] & MCI_STATUS_VAL)
		m.status |= MCI_STATUS_OVER;
	vcpu->mce.status = m.mcg_status;
	bank[1] = m.status;
	bank[2] = m.addr;
	bank[3] = m.misc;
	hxen_ops->inject_exception(vcpu, X86_TRAP_MC, false, 0);
	return 0;
}

/*
 * The bank register @msr names (MCi_CTL/STATUS/ADDR/MISC), as an index
 * into mce.banks' 4 * HXEN_MCE_BANKS registers; -1 past the vCPU's banks.
 */
static int mce_bank_reg(struct hxen_vcpu *vcpu, u32 msr)
{
	u32 i = msr - MSR_IA32_MC0_CTL;

	if (i / 4 >= mce_banks(vcpu))
		return -1;
	return array_index_nospec(i, 4 * HXEN_MCE_BANKS);
}

/* RDMSR / KVM_GET_MSRS of an MCA register (x86/msr.c routes them here). */
int hxen_mce_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val, bool host)
{
	int i;

	switch (msr) {
	case MSR_IA32_MCG_CAP:
		*val = vcpu->mce.cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*val = vcpu->mce.status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(vcpu->mce.cap & MCG_CTL_P) && !host)
			return -EINVAL;
		*val = vcpu->mce.ctl;
		return 0;
	}
	i = mce_bank_reg(vcpu, msr);
	if (i < 0)
		return -EINVAL;
	*val = vcpu->mce.banks[i / 4][i % 4];
	return 0;
}

/* WRMSR / KVM_SET_MSRS of an MCA register: 0, or -EINVAL (#GP). */
int hxen_mce_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host)
{
	int i;

	switch (msr) {
	case MSR_IA32_MCG_CAP:
		/* Read-only to the guest; userspace sets it by KVM_X86_SETUP_MCE. */
		return host ? 0 : -EINVAL;
	case MSR_IA32_MCG_STATUS:
		vcpu->mce.status = val;
		return 0;
	case MSR_IA32_MCG_CTL:
		/* All or nothing (SDM Vol. 3 15.3.1.3), and only with MCG_CTL_P. */
		if (!(vcpu->mce.cap & MCG_CTL_P) && (val || !host))
			return -EINVAL;
		if (val && val != ~0ULL)
			return -EINVAL;
		vcpu->mce.ctl = val;
		return 0;
	}
	i = mce_bank_reg(vcpu, msr);
	if (i < 0)
		return -EINVAL;
	switch (i % 4) {
	case 0:
		/*
		 * MCi_CTL: all or nothing, except that Linux clears bit 10
		 * of bank 4 on AMD K8 (GART TLB walk errors) and UnixWare
		 * bit 0 of bank 1; KVM allows both.
		 */
		if (val && (val | BIT_ULL(10) | 1) != ~0ULL)
			return -EINVAL;
		break;
	case 1:
		/* MCi_STATUS: the guest may only clear it. */
		if (val && !host)
			return -EINVAL;
		break;
	}
	vcpu->mce.banks[i / 4][i % 4] = val;
	return 0;
}
