/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC (x86/irqchip/lapic.c) as the common code sees it: the
 * run loop, the vCPU ioctls and the MSR code. The contract with the other
 * interrupt controllers is in irqchip.h.
 *
 * Unless said otherwise these run in the vCPU's own thread (KVM_RUN or a
 * vCPU ioctl, under vcpu->mutex) on a vCPU that has a LAPIC.
 */
#ifndef HXEN_LAPIC_H
#define HXEN_LAPIC_H

#include <linux/kvm.h>
#include <linux/types.h>

struct hxen_vcpu;

/* With an in-kernel irqchip, at vCPU creation (after the vendor's reset). */
int hxen_lapic_create(struct hxen_vcpu *vcpu);
/* Stops the timer; nothing may deliver to the vCPU any more. */
void hxen_lapic_free(struct hxen_vcpu *vcpu);

/*
 * Act on queued INIT, SIPI and NMI messages: INIT resets the vCPU to its
 * INIT state (INIT_RECEIVED, or RUNNABLE for the BSP), SIPI starts an
 * INIT_RECEIVED vCPU. A halted vCPU with an event it can take becomes
 * RUNNABLE.
 */
void hxen_lapic_accept_events(struct hxen_vcpu *vcpu);
/* KVM_SET_MP_STATE(SIPI_RECEIVED): a SIPI with the last vector. */
void hxen_lapic_queue_sipi(struct hxen_vcpu *vcpu);
/* A blocked vCPU has something to wake up for (no sleeping, no locks held). */
bool hxen_lapic_has_wake_event(struct hxen_vcpu *vcpu);
/* HLT: true if an interrupt the guest can take now is already pending. */
bool hxen_lapic_interrupt_ready(struct hxen_vcpu *vcpu);
/* Interrupts off, right before entry: inject an IRR or ExtINT vector. */
void hxen_lapic_inject(struct hxen_vcpu *vcpu);

/* x2APIC MSRs (0x800-0x8ff) and IA32_TSC_DEADLINE; -EINVAL means #GP. */
int hxen_lapic_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
int hxen_lapic_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);
/* IA32_APIC_BASE with the SDM 10.12.5 mode transitions. */
int hxen_lapic_set_base(struct hxen_vcpu *vcpu, u64 val, bool host);

/*
 * KVM PV EOI (pv_eoi.c): MSR_KVM_PV_EOI_EN (-EINVAL means #GP); before
 * each entry while enabled (interrupts on); after each exit while armed.
 */
int hxen_pv_eoi_set_msr(struct hxen_vcpu *vcpu, u64 val);
void hxen_pv_eoi_prepare(struct hxen_vcpu *vcpu);
void hxen_pv_eoi_sync(struct hxen_vcpu *vcpu);

long hxen_lapic_get_state(struct hxen_vcpu *vcpu, struct kvm_lapic_state __user *arg);
long hxen_lapic_set_state(struct hxen_vcpu *vcpu, struct kvm_lapic_state __user *arg);

#endif /* HXEN_LAPIC_H */
