// SPDX-License-Identifier: GPL-2.0
/*
 * Local APIC state outside the register page's own semantics: reset and
 * the INIT/SIPI protocol behind the MP states (the vCPU's own INIT and
 * SIPI states are x86/reset.c's), the choice of what to
 * inject before an entry, KVM_GET/SET_LAPIC, and creation and teardown.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../x86.h"
#include "irqchip.h"
#include "lapic.h"
#include "lapic_priv.h"
#include "../../xen/hooks.h"

/* ---- Reset, INIT, SIPI ---- */

/* Power-up (@init false) or INIT state of the registers (SDM 10.4.7.1, 10.4.7.3). */
static void lapic_reset(struct hxen_vcpu *vcpu, bool init)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;
	u32 id, ldr;
	int i;

	hrtimer_cancel(&l->timer);
	raw_spin_lock_irqsave(&l->lock, flags);
	id = init ? lreg(l, APIC_ID) : (u32)vcpu->id << 24;
	/* INIT keeps the APIC ID, and in x2APIC mode the LDR derived from it. */
	ldr = init && lapic_x2apic(vcpu) ? lreg(l, APIC_LDR) : 0;
	memset(l->regs, 0, sizeof(l->regs));
	lset(l, APIC_ID, id);
	lset(l, APIC_LDR, ldr);
	lset(l, APIC_LVR, LAPIC_VERSION);
	for (i = APIC_LVTT; i <= APIC_LVTERR; i += 0x10)
		lset(l, i, APIC_LVT_MASKED);
	/*
	 * The BSP's LINT0 comes up as ExtINT, unmasked, so the PIC reaches it
	 * before the guest programs its APIC (KVM's LINT0_REENABLED quirk).
	 */
	if (vcpu->id == 0)
		lset(l, APIC_LVT0, DM_EXTINT << 8);
	lset(l, APIC_DFR, 0xffffffff);
	lset(l, APIC_SPIV, 0xff);
	l->timer_armed = false;
	l->period_ns = 0;
	l->tsc_deadline = 0;
	l->nmi_pending = false;
	lapic_update_ppr(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	hxen_ops->set_cr8(vcpu, 0);
}

void hxen_lapic_accept_events(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	bool init, sipi, nmi;
	unsigned long flags;
	u8 vec;

	raw_spin_lock_irqsave(&l->lock, flags);
	init = l->init_pending;
	sipi = l->sipi_pending;
	nmi = l->nmi_pending;
	vec = l->sipi_vector;
	l->init_pending = l->sipi_pending = l->nmi_pending = false;
	raw_spin_unlock_irqrestore(&l->lock, flags);

	if (nmi)
		vcpu->nmi_pending = true;
	if (init) {
		hxen_vcpu_init_reset(vcpu);
		lapic_reset(vcpu, true);
		vcpu->mp_state = vcpu->id == 0 ? KVM_MP_STATE_RUNNABLE :
						 KVM_MP_STATE_INIT_RECEIVED;
		/* Xen: a reset vCPU is down and has no context (vcpu_reset). */
		hxen_xen_vcpu_mp_changed(vcpu, true);
	}
	/* A SIPI starts only a vCPU waiting for one; it is dropped otherwise. */
	if (sipi && vcpu->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
		hxen_vcpu_sipi(vcpu, vec);
		vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
		hxen_xen_vcpu_mp_changed(vcpu, false);
	}
	if (vcpu->mp_state == KVM_MP_STATE_HALTED &&
	    ((vcpu->nmi_pending && hxen_ops->nmi_allowed(vcpu)) ||
	     hxen_lapic_interrupt_ready(vcpu)))
		vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
}

void hxen_lapic_queue_sipi(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;

	raw_spin_lock_irqsave(&l->lock, flags);
	l->sipi_pending = true;
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

bool hxen_lapic_interrupt_ready(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;
	int v;

	if (!(hxen_ops->get_rflags(vcpu) & X86_EFLAGS_IF))
		return false;
	if (lapic_extint_pending(vcpu))
		return true;
	if (!lapic_hw_enabled(vcpu))
		return false;
	lapic_pull_cr8(vcpu);
	raw_spin_lock_irqsave(&l->lock, flags);
	v = lapic_deliverable(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return v >= 0;
}

bool hxen_lapic_has_wake_event(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;

	if (READ_ONCE(l->init_pending) || READ_ONCE(l->sipi_pending))
		return true;
	if (vcpu->mp_state != KVM_MP_STATE_HALTED)
		return false;
	if (READ_ONCE(l->nmi_pending))
		return true;
	return hxen_lapic_interrupt_ready(vcpu);
}

void hxen_lapic_inject(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	bool watch = false;
	unsigned long flags;
	int v = -1;

	lapic_pull_cr8(vcpu);
	if (lapic_extint_pending(vcpu)) {
		if (!hxen_ops->interrupt_allowed(vcpu)) {
			hxen_ops->enable_irq_window(vcpu);
			goto out;
		}
		/* The INTA cycle: the PIC may have nothing left (spurious 7/15). */
		v = hxen_pic_ack(vcpu->vm);
		if (v >= 0)
			hxen_ops->inject_irq(vcpu, v);
		goto out;
	}
	if (!lapic_hw_enabled(vcpu))
		goto out;
	raw_spin_lock_irqsave(&l->lock, flags);
	v = lapic_deliverable(l);
	if (v >= 0 && hxen_ops->interrupt_allowed(vcpu)) {
		/* Acknowledge: IRR to ISR, PPR up (SDM 10.8.4). */
		vec_clear(l, APIC_IRR, v);
		vec_set(l, APIC_ISR, v);
		lapic_update_ppr(l);
		hxen_ops->inject_irq(vcpu, v);
		/* Another one above the new PPR: exit when it can go in. */
		v = lapic_deliverable(l);
	}
	watch = v < 0 && lapic_tpr_blocks(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (v >= 0)
		hxen_ops->enable_irq_window(vcpu);
	else if (vcpu->pv_eoi.hva)
		hxen_pv_eoi_arm(vcpu);
out:
	if (hxen_ops->watch_cr8_write)
		hxen_ops->watch_cr8_write(vcpu, watch);
}

/* ---- KVM_GET_LAPIC / KVM_SET_LAPIC ---- */

long hxen_lapic_get_state(struct hxen_vcpu *vcpu, struct kvm_lapic_state __user *arg)
{
	struct hxen_lapic *l = vcpu->lapic;
	struct kvm_lapic_state *s;
	unsigned long flags;
	u32 *regs;
	long r;

	/* No in-kernel LAPIC: EINVAL, as KVM answers. */
	if (!l)
		return -EINVAL;
	s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return -ENOMEM;
	regs = (u32 *)s->regs;
	lapic_pull_cr8(vcpu);
	raw_spin_lock_irqsave(&l->lock, flags);
	memcpy(s->regs, l->regs, sizeof(s->regs));
	regs[APIC_TMCCT >> 2] = lapic_current_count(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	/* Without KVM_CAP_X2APIC_API the ID is in xAPIC form (bits 31:24). */
	if (lapic_x2apic(vcpu))
		regs[APIC_ID >> 2] <<= 24;
	r = copy_to_user(arg, s, sizeof(*s)) ? -EFAULT : 0;
	kfree(s);
	return r;
}

long hxen_lapic_set_state(struct hxen_vcpu *vcpu, struct kvm_lapic_state __user *arg)
{
	struct hxen_lapic *l = vcpu->lapic;
	struct kvm_lapic_state *s;
	unsigned long flags;
	bool fired = false;
	u32 *regs, count;
	int i;

	if (!l)
		return -EINVAL;
	s = memdup_user(arg, sizeof(*s));
	if (IS_ERR(s))
		return PTR_ERR(s);
	regs = (u32 *)s->regs;
	hrtimer_cancel(&l->timer);
	raw_spin_lock_irqsave(&l->lock, flags);
	memcpy(l->regs, s->regs, sizeof(l->regs));
	/* Keep what the guest could not have written valid. */
	if (lapic_x2apic(vcpu)) {
		lset(l, APIC_ID, regs[APIC_ID >> 2] >> 24);
		lset(l, APIC_LDR, x2apic_ldr(lreg(l, APIC_ID)));
	} else {
		lset(l, APIC_ID, regs[APIC_ID >> 2] & 0xff000000);
	}
	lset(l, APIC_LVR, LAPIC_VERSION);
	lset(l, APIC_TASKPRI, lreg(l, APIC_TASKPRI) & 0xff);
	lset(l, APIC_ARBPRI, 0);
	lset(l, APIC_EOI, 0);
	lset(l, APIC_SPIV, lreg(l, APIC_SPIV) & 0x3ff);
	lset(l, APIC_DFR, lreg(l, APIC_DFR) | 0x0fffffff);
	lset(l, APIC_ICR, lreg(l, APIC_ICR) & ~APIC_ICR_BUSY);
	for (i = APIC_LVTT; i <= APIC_LVTERR; i += 0x10)
		lset(l, i, lreg(l, i) & (lapic_lvt_mask(vcpu, i) |
					 (i >= APIC_LVT0 && i <= APIC_LVT1 ?
					  APIC_LVT_REMOTE_IRR : 0)));
	if (lapic_timer_mode(l) == LVT_TIMER_MODE)
		lset(l, APIC_LVTT, lreg(l, APIC_LVTT) & ~LVT_TIMER_MODE);
	lset(l, APIC_TDCR, lreg(l, APIC_TDCR) & 0xb);
	lset(l, APIC_TMCCT, 0);
	lapic_update_ppr(l);
	/* The timer goes on from the saved current count (a full period if 0). */
	l->timer_armed = false;
	l->period_ns = 0;
	l->tsc_deadline = 0;
	if (lapic_timer_mode(l) != LVT_DEADLINE && lreg(l, APIC_TMICT)) {
		count = regs[APIC_TMCCT >> 2];
		fired = lapic_timer_start(l, count ? count : lreg(l, APIC_TMICT));
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (fired)
		hxen_vcpu_wake(vcpu);
	hxen_ops->set_cr8(vcpu, lreg(l, APIC_TASKPRI) >> 4);
	kfree(s);
	return 0;
}

/* ---- Life cycle ---- */

int hxen_lapic_create(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = kzalloc(sizeof(*l), GFP_KERNEL_ACCOUNT);

	if (!l)
		return -ENOMEM;
	l->vcpu = vcpu;
	raw_spin_lock_init(&l->lock);
	hrtimer_init(&l->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	l->timer.function = lapic_timer_fn;
	vcpu->lapic = l;
	lapic_reset(vcpu, false);
	return 0;
}

void hxen_lapic_free(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;

	if (!l)
		return;
	hrtimer_cancel(&l->timer);
	vcpu->lapic = NULL;
	kfree(l);
}
