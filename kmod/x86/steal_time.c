// SPDX-License-Identifier: GPL-2.0
/*
 * KVM steal time (Documentation/virt/kvm/x86/msr.rst, MSR_KVM_STEAL_TIME):
 * the guest names a 64-byte aligned struct kvm_steal_time with the MSR and
 * hxen adds to its "steal" field the time the vCPU's thread waited for a
 * host CPU while runnable. The scheduler keeps that sum per task
 * (sched_info.run_delay, CONFIG_SCHED_INFO); it only grows when the task
 * is switched in, so a look before each entry sees every wait. Linux
 * guests take it out of their CPU accounting (the "st" column of top).
 *
 * The record is written by the vCPU's own thread before entry, with the
 * version protocol (odd while "steal" changes). "steal" is read back from
 * guest memory and added to, as KVM does: the guest owns the record, so a
 * guest that scribbles on it only confuses its own accounting.
 * "preempted" is always 0: hxen has no preempt notifier to set it when the
 * thread is switched out, and 0 is the safe answer for the guest's
 * vcpu_is_preempted() (it keeps spinning rather than yielding).
 */
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/uaccess.h>

#include "../hxen.h"
#include "../mmu/mmu.h"
#include "x86.h"

static u64 steal_time_run_delay(void)
{
#ifdef CONFIG_SCHED_INFO
	return current->sched_info.run_delay;
#else
	return 0;
#endif
}

/* Offered only where the scheduler counts run delay. */
bool hxen_steal_time_supported(void)
{
	return sched_info_on();
}

/*
 * MSR_KVM_STEAL_TIME from the guest or userspace: GPA | KVM_MSR_ENABLED.
 * Bits 1-5 are reserved (a #GP, as on KVM). Counting starts when enabled:
 * the thread's earlier waits are not the guest's.
 */
int hxen_steal_time_set_msr(struct hxen_vcpu *vcpu, u64 val)
{
	if (!hxen_steal_time_supported() || (val & KVM_STEAL_RESERVED_MASK))
		return -EINVAL;
	vcpu->steal.msr = val;
	vcpu->steal.baseline = true;
	return 0;
}

/* Before each entry (vcpu.c) while the MSR is non-zero. */
void hxen_steal_time_record(struct hxen_vcpu *vcpu)
{
	u64 gpa = vcpu->steal.msr & KVM_STEAL_VALID_BITS;
	u64 delay = steal_time_run_delay(), steal;
	struct kvm_steal_time __user *st;
	u32 version;

	if (!(vcpu->steal.msr & KVM_MSR_ENABLED))
		return;
	if (vcpu->steal.baseline) {
		vcpu->steal.baseline = false;
		vcpu->steal.last = delay;
	} else if (delay == vcpu->steal.last) {
		return;
	}
	/* 64-byte aligned and 64 bytes long: never crosses a page. */
	st = (struct kvm_steal_time __user *)hxen_gpa_to_hva(vcpu->vm, gpa, true);
	if (!st)
		return;
	if (get_user(version, &st->version))
		return;
	/* Odd while "steal" changes (an odd value the guest left stays odd). */
	version |= 1;
	if (put_user(version, &st->version))
		return;
	smp_wmb();
	if (!get_user(steal, &st->steal)) {
		steal += delay - vcpu->steal.last;
		vcpu->steal.last = delay;
		put_user(steal, &st->steal);
		put_user(0, &st->preempted);
	}
	smp_wmb();
	put_user(version + 1, &st->version);
	/* Dirty logging: written through the host mapping, not the guest's. */
	hxen_mark_gpa_dirty(vcpu->vm, gpa);
}
