// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: the table userspace sets with KVM_SET_CPUID2, looked
 * up on every CPUID exit. A leaf that is not in the table reads as zeros.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

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

void hxen_cpuid(struct hxen_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	u32 function = *eax, index = *ecx;
	int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function != function)
			continue;
		if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != index)
			continue;
		*eax = e->eax;
		*ebx = e->ebx;
		*ecx = e->ecx;
		*edx = e->edx;
		return;
	}
	*eax = *ebx = *ecx = *edx = 0;
}
