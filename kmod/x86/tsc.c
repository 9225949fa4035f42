// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's time-stamp counter: MSR_IA32_TSC and MSR_IA32_TSC_ADJUST as
 * KVM keeps them (SDM Vol. 3 18.17.3). Every vCPU's TSC counts from 0 at
 * KVM_CREATE_VM, all with the same offset, so a guest sees them in sync.
 * A guest write to either MSR moves the TSC and TSC_ADJUST by the same
 * amount; a write from userspace (KVM_SET_MSRS) sets only the MSR written.
 * The offset itself is the vendor's (VMCB/VMCS): it is read and written
 * through the vendor's MSR_IA32_TSC.
 */
#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "../hxen.h"
#include "../vendor.h"
#include "x86.h"

/* The TSC offset of a vCPU at creation and reset: its VM's TSC is 0 at creation. */
u64 hxen_tsc_reset_offset(struct hxen_vcpu *vcpu)
{
	return -vcpu->vm->tsc_base;
}

static u64 guest_tsc(struct hxen_vcpu *vcpu)
{
	u64 tsc = 0;

	hxen_ops->get_msr(vcpu, MSR_IA32_TSC, &tsc);
	return tsc;
}

int hxen_tsc_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val)
{
	if (msr == MSR_IA32_TSC_ADJUST) {
		*val = vcpu->tsc_adjust;
		return 0;
	}
	return hxen_ops->get_msr(vcpu, msr, val);
}

int hxen_tsc_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host)
{
	if (msr == MSR_IA32_TSC) {
		if (!host)
			vcpu->tsc_adjust += val - guest_tsc(vcpu);
		return hxen_ops->set_msr(vcpu, msr, val, host);
	}
	/* MSR_IA32_TSC_ADJUST: without the feature in CPUID a write is dropped (KVM). */
	if (!hxen_guest_has_tsc_adjust(vcpu))
		return 0;
	if (!host) {
		hxen_ops->set_msr(vcpu, MSR_IA32_TSC, guest_tsc(vcpu) + val - vcpu->tsc_adjust,
				  false);
	}
	vcpu->tsc_adjust = val;
	return 0;
}
