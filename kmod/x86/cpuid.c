// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: the table userspace sets with KVM_SET_CPUID2, looked
 * up on every CPUID exit. A leaf that is not in the table reads as zeros.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>

#include "../hxen.h"

/* KVM's limit (KVM_MAX_CPUID_ENTRIES), so userspace sizes carry over. */
#define HXEN_MAX_CPUID_ENTRIES	256

long hxen_set_cpuid2(struct hxen_vcpu *vcpu, struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > HXEN_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = vmemdup_user(arg->entries, array_size(hdr.nent, sizeof(*e)));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	return 0;
}

long hxen_get_cpuid2(struct hxen_vcpu *vcpu, struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < vcpu->cpuid_nent) {
		hdr.nent = vcpu->cpuid_nent;
		return put_user(hdr.nent, &arg->nent) ? -EFAULT : -E2BIG;
	}
	if (copy_to_user(arg->entries, vcpu->cpuid,
			 array_size(vcpu->cpuid_nent, sizeof(*vcpu->cpuid))))
		return -EFAULT;
	return put_user(vcpu->cpuid_nent, &arg->nent) ? -EFAULT : 0;
}


static const struct kvm_cpuid_entry2 *cpuid_find(struct hxen_vcpu *vcpu,
						 u32 function, u32 index)
{
	int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

/* CPUID 0x80000001 EDX bits that gate EFER bits. */
#define EXT_EDX_NX	BIT(20)
#define EXT_EDX_FFXSR	BIT(25)
#define EXT_EDX_LM	BIT(29)

/*
 * May the guest set these EFER bits with WRMSR? Only what its CPUID
 * offers (the same rule as KVM's, so guests see the same #GP).
 */
bool hxen_guest_efer_valid(struct hxen_vcpu *vcpu, u64 efer)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(vcpu, 0x80000001, 0);
	u32 edx = e ? e->edx : 0;

	if (efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR))
		return false;
	if ((efer & (EFER_LME | EFER_LMA)) && !(edx & EXT_EDX_LM))
		return false;
	if ((efer & EFER_NX) && !(edx & EXT_EDX_NX))
		return false;
	if ((efer & EFER_FFXSR) && !(edx & EXT_EDX_FFXSR))
		return false;
	return true;
}

void hxen_cpuid(struct hxen_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(vcpu, *eax, *ecx);

	if (!e) {
		*eax = *ebx = *ecx = *edx = 0;
		return;
	}
	*eax = e->eax;
	*ebx = e->ebx;
	*ecx = e->ecx;
	*edx = e->edx;
}
