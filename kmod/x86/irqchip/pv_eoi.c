// SPDX-License-Identifier: GPL-2.0
/*
 * KVM paravirtual EOI (Documentation/virt/kvm/x86/msr.rst, MSR_KVM_PV_EOI_EN).
 * The guest names a 4-byte aligned word in its memory. When, at entry, one
 * vector is in service, none is requested and the EOI would do nothing
 * beyond the LAPIC (edge-triggered: no IOAPIC remote IRR to clear), hxen
 * sets bit 0 of the word. The guest's EOI routine then clears the bit
 * instead of writing the EOI register, which saves an exit; after the next
 * exit hxen finds the bit cleared and does the EOI itself. A bit still set
 * is cleared: the guest has not EOI'd, and will the usual way. Nothing is
 * left armed while the vCPU is out of KVM_RUN, so KVM_GET_LAPIC and
 * migration see a plain LAPIC and a clear bit. The same rules as KVM's.
 *
 * Arming runs with interrupts off, right after injection: the word is
 * written through the VMM's mapping with page faults disabled, and a page
 * that is not present just means no PV EOI this time. Its address is found
 * before that (the lookup takes mmu_lock, which must not be taken with
 * interrupts off: its holders wait for IPIs) and kept while mmu_seq stays.
 * The page is marked dirty after the exit, where mmu_lock may be taken.
 */
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/uaccess.h>

#include "../../mmu/mmu.h"
#include "lapic.h"
#include "lapic_priv.h"

/*
 * MSR_KVM_PV_EOI_EN from the guest or userspace: GPA | KVM_MSR_ENABLED.
 * A GPA that is not 4-byte aligned, or (when enabling) not guest RAM, is
 * refused (#GP), as on KVM.
 */
int hxen_pv_eoi_set_msr(struct hxen_vcpu *vcpu, u64 val)
{
	u64 gpa = val & ~KVM_MSR_ENABLED;

	if (!IS_ALIGNED(gpa, 4))
		return -EINVAL;
	if ((val & KVM_MSR_ENABLED) && !hxen_gpa_to_hva(vcpu->vm, gpa, true))
		return -EINVAL;
	vcpu->pv_eoi.msr = val;
	vcpu->pv_eoi.hva = 0;
	return 0;
}

/* Before each entry while enabled: the word's address for the VM's mappings now. */
void hxen_pv_eoi_prepare(struct hxen_vcpu *vcpu)
{
	unsigned long seq = READ_ONCE(vcpu->vm->mmu_seq);

	if (vcpu->pv_eoi.hva && vcpu->pv_eoi.seq == seq)
		return;
	/* Read mmu_seq first: a change after it moves it again. */
	smp_rmb();
	vcpu->pv_eoi.hva = hxen_gpa_to_hva(vcpu->vm, vcpu->pv_eoi.msr & ~KVM_MSR_ENABLED, true);
	vcpu->pv_eoi.seq = seq;
}

/* The one vector in service while none is requested, else -1. Under l->lock. */
static int pv_eoi_lone_isr(struct hxen_lapic *l)
{
	int i, v = -1;

	for (i = 0; i < 8; i++) {
		u32 isr = lreg(l, APIC_ISR + i * 0x10);

		if (lreg(l, APIC_IRR + i * 0x10))
			return -1;
		if (!isr)
			continue;
		if (v >= 0 || hweight32(isr) != 1)
			return -1;
		v = i * 32 + __ffs(isr);
	}
	return v;
}

/* Interrupts off, after injection (hxen_lapic_inject). */
void hxen_pv_eoi_arm(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	u8 __user *word = (u8 __user *)vcpu->pv_eoi.hva;
	u8 val;
	int v;

	lockdep_assert_irqs_disabled();
	raw_spin_lock(&l->lock);
	v = pv_eoi_lone_isr(l);
	/* Level-triggered: the EOI must reach the IOAPIC (lapic_eoi). */
	if (v >= 0 && vec_test(l, APIC_TMR, v))
		v = -1;
	raw_spin_unlock(&l->lock);
	if (v < 0)
		return;
	if (copy_from_user_nofault(&val, word, 1))
		return;
	val |= KVM_PV_EOI_ENABLED;
	if (copy_to_user_nofault(word, &val, 1))
		return;
	vcpu->pv_eoi.armed = true;
}

/* After each exit while armed, interrupts on: the guest's EOI, if it did one. */
void hxen_pv_eoi_sync(struct hxen_vcpu *vcpu)
{
	u8 __user *word = (u8 __user *)vcpu->pv_eoi.hva;
	u8 val;

	vcpu->pv_eoi.armed = false;
	/* Dirty logging: the arming write went through the VMM's mapping. */
	hxen_mark_gpa_dirty(vcpu->vm, vcpu->pv_eoi.msr & ~KVM_MSR_ENABLED);
	if (get_user(val, word))
		return;
	if (val & KVM_PV_EOI_ENABLED) {
		/* Not EOI'd yet: it will be, through the register. */
		put_user(val & ~KVM_PV_EOI_ENABLED, word);
		return;
	}
	lapic_eoi(vcpu);
}
