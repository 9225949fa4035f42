// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC, one per vCPU with an in-kernel irqchip: the
 * xAPIC register page (MMIO) and the x2APIC MSRs, interrupt acceptance
 * (IRR/ISR/TMR, PPR), IPIs through the ICR, the timer (one-shot, periodic,
 * TSC-deadline) on a host hrtimer, and INIT/SIPI for the MP states.
 *
 * The registers live in the xAPIC page layout (Intel SDM Vol. 3 10.4.1),
 * which is also KVM_GET/SET_LAPIC's format; in x2APIC mode the ID register
 * holds the 32-bit x2APIC ID and the ICR's destination sits in the ICR2
 * slot. The guest's TPR[7:4] is CR8, held by the vendor: every TPR change
 * made here is pushed with set_cr8, and CR8 writes the guest made itself
 * are pulled back (lapic_pull_cr8) before the TPR is used.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../x86.h"
#include "irqchip.h"
#include "lapic.h"
#include "lapic_priv.h"

static int vec_highest(struct hxen_lapic *l, u32 base)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = lreg(l, base + i * 0x10);

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

bool lapic_hw_enabled(struct hxen_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic_base) & MSR_IA32_APICBASE_ENABLE;
}

bool lapic_x2apic(struct hxen_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic_base) & X2APIC_ENABLE;
}

static bool lapic_sw_enabled(struct hxen_lapic *l)
{
	return lreg(l, APIC_SPIV) & APIC_SPIV_APIC_ENABLED;
}

/* x2APIC logical ID: cluster (ID[31:4]) in 31:16, one bit for ID[3:0] (SDM 10.12.10.2). */
u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

static bool guest_cpuid_ecx1(struct hxen_vcpu *vcpu, int bit)
{
	u32 a = 1, b, c = 0, d;

	hxen_cpuid(vcpu, &a, &b, &c, &d);
	return c & BIT(bit);
}

/*
 * An interrupt waits in the IRR that the TPR holds back (its class not above
 * TPR[7:4]): the guest may lower the TPR with MOV CR8, which the vendor
 * may let run without an exit. Ask for that exit now, so the interrupt
 * goes in right after the write (SDM 10.8.3.1), and only now: Windows
 * writes CR8 all the time. Under lock.
 */
bool lapic_tpr_blocks(struct hxen_lapic *l)
{
	int irr = vec_highest(l, APIC_IRR);

	return irr >= 0 && (irr >> 4) <= (lreg(l, APIC_TASKPRI) >> 4);
}

/* Under lock: PPR from TPR and the highest in-service vector (SDM 10.8.3.1). */
void lapic_update_ppr(struct hxen_lapic *l)
{
	u32 tpr = lreg(l, APIC_TASKPRI);
	int isrv = vec_highest(l, APIC_ISR);
	u32 isr_class = isrv < 0 ? 0 : isrv & 0xf0;

	lset(l, APIC_PROCPRI, (tpr & 0xf0) >= isr_class ? tpr : isr_class);
}

/* Under lock: the IRR vector the PPR lets through, or -1. */
int lapic_deliverable(struct hxen_lapic *l)
{
	int v = vec_highest(l, APIC_IRR);

	if (v < 0 || (v & 0xf0) <= (lreg(l, APIC_PROCPRI) & 0xf0))
		return -1;
	return v;
}

static void lapic_set_tpr(struct hxen_vcpu *vcpu, u32 tpr)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;

	raw_spin_lock_irqsave(&l->lock, flags);
	lset(l, APIC_TASKPRI, tpr & 0xff);
	lapic_update_ppr(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	hxen_ops->set_cr8(vcpu, (tpr >> 4) & 0xf);
}

/* The guest may have written CR8 (MOV CR8 runs without an exit): take it. */
void lapic_pull_cr8(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	u8 cr8 = hxen_ops->get_cr8(vcpu) & 0xf;
	unsigned long flags;

	if (cr8 == lreg(l, APIC_TASKPRI) >> 4)
		return;
	/* MOV CR8 sets TPR[7:4] and clears TPR[3:0] (SDM 10.8.6.1). */
	raw_spin_lock_irqsave(&l->lock, flags);
	lset(l, APIC_TASKPRI, cr8 << 4);
	lapic_update_ppr(l);
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

/* ExtINT from the PIC goes to the BSP while LVT0 says so or the APIC is off. */
static bool lapic_accepts_extint(struct hxen_vcpu *vcpu)
{
	u32 lvt0;

	if (vcpu->id != 0)
		return false;
	if (!lapic_hw_enabled(vcpu))
		return true;
	lvt0 = lreg(vcpu->lapic, APIC_LVT0);
	return !(lvt0 & APIC_LVT_MASKED) && ((lvt0 >> 8) & 7) == DM_EXTINT;
}

bool lapic_extint_pending(struct hxen_vcpu *vcpu)
{
	return lapic_accepts_extint(vcpu) && hxen_pic_has_interrupt(vcpu->vm);
}

/*
 * Under the target's lock: take one message (SDM 10.6). Fixed and
 * lowest-priority interrupts need a software-enabled APIC (as on KVM).
 */
static bool lapic_accept(struct hxen_lapic *l, const struct hxen_apic_irq *irq)
{
	switch (irq->delivery_mode) {
	case DM_FIXED:
	case DM_LOWEST:
		if (!lapic_sw_enabled(l))
			return false;
		if (irq->level)
			vec_set(l, APIC_TMR, irq->vector);
		else
			vec_clear(l, APIC_TMR, irq->vector);
		vec_set(l, APIC_IRR, irq->vector);
		return true;
	case DM_NMI:
		l->nmi_pending = true;
		return true;
	case DM_INIT:
		/* INIT level de-assert (level-triggered, level 0) does nothing. */
		if (irq->level && !irq->assert)
			return false;
		l->init_pending = true;
		return true;
	case DM_SIPI:
		l->sipi_vector = irq->vector;
		l->sipi_pending = true;
		return true;
	case DM_EXTINT:
		/* The vector comes from the PIC at acknowledge time. */
		return true;
	default:
		return false;	/* SMI, reserved */
	}
}

static int lapic_deliver_one(struct hxen_vcpu *vcpu, const struct hxen_apic_irq *irq)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;
	bool ok;

	raw_spin_lock_irqsave(&l->lock, flags);
	ok = lapic_accept(l, irq);
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (ok)
		hxen_vcpu_wake(vcpu);
	return ok;
}

/* Is @dst addressed by @irq (SDM 10.6.2, 10.12.9)? */
static bool lapic_match(struct hxen_vcpu *dst, const struct hxen_apic_irq *irq)
{
	struct hxen_lapic *l = dst->lapic;
	/* Messages from an x2APIC carry 32-bit destinations, others 8-bit. */
	bool wide = irq->src && lapic_x2apic(irq->src);
	u32 ldr = lreg(l, APIC_LDR), dest = irq->dest;

	switch (irq->shorthand) {
	case 1:
		return dst == irq->src;
	case 2:
		return true;
	case 3:
		return dst != irq->src;
	}
	if (dest == (wide ? 0xffffffff : 0xff))
		return true;
	if (!irq->dest_logical) {
		if (lapic_x2apic(dst))
			return dest == lreg(l, APIC_ID);
		return dest == lreg(l, APIC_ID) >> 24;
	}
	if (lapic_x2apic(dst))
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	if (dest > 0xff)
		return false;
	ldr >>= 24;
	switch (lreg(l, APIC_DFR) >> 28) {
	case 0xf:	/* flat */
		return dest & ldr;
	case 0x0:	/* cluster: ID in 7:4, member bits in 3:0 */
		return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
	default:
		return false;
	}
}

int hxen_lapic_deliver(struct hxen_vm *vm, const struct hxen_apic_irq *irq)
{
	struct hxen_vcpu *lowest = NULL;
	int i, n = 0;

	for (i = 0; i < HXEN_MAX_VCPUS; i++) {
		struct hxen_vcpu *v = READ_ONCE(vm->vcpus[i]);

		/* A hardware-disabled APIC takes no messages at all. */
		if (!v || !v->lapic || !lapic_hw_enabled(v) || !lapic_match(v, irq))
			continue;
		if (irq->delivery_mode != DM_LOWEST) {
			n += lapic_deliver_one(v, irq);
			continue;
		}
		/*
		 * Lowest priority: one target, the enabled APIC with the
		 * lowest TPR, the lowest vCPU id among equals (deterministic).
		 */
		if (!lapic_sw_enabled(v->lapic))
			continue;
		if (!lowest || (lreg(v->lapic, APIC_TASKPRI) & 0xf0) <
			       (lreg(lowest->lapic, APIC_TASKPRI) & 0xf0))
			lowest = v;
	}
	if (lowest)
		n += lapic_deliver_one(lowest, irq);
	return n;
}

void hxen_lapic_extint_changed(struct hxen_vm *vm)
{
	struct hxen_vcpu *bsp = READ_ONCE(vm->vcpus[0]);

	if (bsp && bsp->lapic)
		hxen_vcpu_wake(bsp);
}

/* An interrupt of the LVT entry at @off (timer, error...), under lock. */
static bool lapic_lvt_fire(struct hxen_lapic *l, u32 off)
{
	u32 lvt = lreg(l, off);
	struct hxen_apic_irq irq = {
		.delivery_mode = (lvt >> 8) & 7,
		.vector = lvt & APIC_VECTOR_MASK,
		.level = lvt & APIC_LVT_LEVEL_TRIGGER,
		.assert = true,
	};

	if ((lvt & APIC_LVT_MASKED) || !lapic_hw_enabled(l->vcpu))
		return false;
	if (off == APIC_LVTT || off == APIC_LVTERR) {
		irq.delivery_mode = DM_FIXED;
		irq.level = false;
	}
	return lapic_accept(l, &irq);
}

/* ---- Timer ---- */

static u32 lapic_divisor(struct hxen_lapic *l)
{
	u32 d = lreg(l, APIC_TDCR);

	d = (d & 3) | ((d & 8) >> 1);
	return d == 7 ? 1 : 2 << d;	/* SDM Figure 10-10 */
}

u32 lapic_timer_mode(struct hxen_lapic *l)
{
	return lreg(l, APIC_LVTT) & LVT_TIMER_MODE;
}

/* Under lock: a one-shot count or a TSC deadline ran out. */
static bool lapic_oneshot_expired(struct hxen_lapic *l)
{
	l->timer_armed = false;
	/* The deadline disarms and the MSR reads 0 (SDM 10.5.4.1). */
	l->tsc_deadline = 0;
	return lapic_lvt_fire(l, APIC_LVTT);
}

/*
 * Under lock, timer cancelled: run the hrtimer to l->expires; a one-shot
 * count or deadline already past fires now instead, without a host timer
 * interrupt and a kick (a count of 1, a deadline behind the TSC; KVM too
 * fires an expired deadline at once). True if it fired: the caller wakes
 * the vCPU once the lock is dropped.
 */
static bool lapic_timer_arm(struct hxen_lapic *l)
{
	if (lapic_timer_mode(l) == LVT_PERIODIC || ktime_after(l->expires, ktime_get())) {
		hrtimer_start(&l->timer, l->expires, HRTIMER_MODE_ABS_HARD);
		return false;
	}
	return lapic_oneshot_expired(l);
}

enum hrtimer_restart lapic_timer_fn(struct hrtimer *t)
{
	struct hxen_lapic *l = container_of(t, struct hxen_lapic, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool fired;

	raw_spin_lock_irqsave(&l->lock, flags);
	if (lapic_timer_mode(l) == LVT_PERIODIC && l->period_ns) {
		fired = lapic_lvt_fire(l, APIC_LVTT);
		hrtimer_forward_now(t, ns_to_ktime(max(l->period_ns, LAPIC_MIN_PERIOD_NS)));
		l->expires = hrtimer_get_expires(t);
		ret = HRTIMER_RESTART;
	} else {
		fired = lapic_oneshot_expired(l);
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	if (fired)
		hxen_vcpu_wake(l->vcpu);
	return ret;
}

/*
 * Under lock, timer cancelled: count @count bus cycles (x divisor) from
 * now. True if it ran out at once: hxen_vcpu_wake() after unlocking.
 */
bool lapic_timer_start(struct hxen_lapic *l, u32 count)
{
	u64 div = lapic_divisor(l) * LAPIC_BUS_NS;
	u64 ns = count * div;

	l->period_ns = (u64)lreg(l, APIC_TMICT) * div;
	if (l->period_ns && lapic_timer_mode(l) == LVT_PERIODIC) {
		l->period_ns = max(l->period_ns, LAPIC_MIN_PERIOD_NS);
		ns = max(ns, LAPIC_MIN_PERIOD_NS);
	}
	l->timer_armed = count != 0;
	if (!count)
		return false;
	l->expires = ktime_add_ns(ktime_get(), ns);
	return lapic_timer_arm(l);
}

/* The guest's TSC now: the host's plus the vendor's offset. */
static u64 lapic_guest_tsc(struct hxen_vcpu *vcpu)
{
	u64 tsc = 0;

	hxen_ops->get_msr(vcpu, MSR_IA32_TSC, &tsc);
	return tsc;
}

/*
 * Under lock, timer cancelled: arm for l->tsc_deadline given guest TSC
 * @now. True if it is already due and fired (as lapic_timer_start).
 */
static bool lapic_deadline_start(struct hxen_lapic *l, u64 now)
{
	u32 khz = tsc_khz ? tsc_khz : 1000000;
	u64 ns = 0;

	l->timer_armed = l->tsc_deadline != 0;
	if (!l->timer_armed)
		return false;
	if (l->tsc_deadline > now)
		ns = min(mul_u64_u32_div(l->tsc_deadline - now, 1000000, khz), 1ULL << 62);
	l->expires = ktime_add_ns(ktime_get(), ns);
	return lapic_timer_arm(l);
}

/* Under lock: the current count register (SDM 10.5.4). */
u32 lapic_current_count(struct hxen_lapic *l)
{
	u64 div = lapic_divisor(l) * LAPIC_BUS_NS;
	s64 rem;

	if (!l->timer_armed || lapic_timer_mode(l) == LVT_DEADLINE)
		return 0;
	rem = ktime_to_ns(ktime_sub(l->expires, ktime_get()));
	if (rem < 0) {
		/* A periodic timer whose callback has not run yet. */
		if (lapic_timer_mode(l) != LVT_PERIODIC || !l->period_ns)
			return 0;
		rem = l->period_ns - (u64)(-rem) % l->period_ns;
	}
	return min_t(u64, div64_u64(rem, div), U32_MAX);
}

/* ---- Registers ---- */

u32 lapic_lvt_mask(struct hxen_vcpu *vcpu, u32 off)
{
	switch (off) {
	case APIC_LVTT:
		/* TSC-deadline mode only with the CPUID bit (leaf 1 ECX 24). */
		return LVT_BASE_MASK | (guest_cpuid_ecx1(vcpu, 24) ?
					LVT_TIMER_MODE : LVT_PERIODIC);
	case APIC_LVTTHMR:
	case APIC_LVTPC:
		return LVT_MODE_MASK;
	case APIC_LVT0:
	case APIC_LVT1:
		return LVT_LINT_MASK;
	default:
		return LVT_BASE_MASK;
	}
}

void lapic_eoi(struct hxen_vcpu *vcpu)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;
	bool level = false;
	int v;

	raw_spin_lock_irqsave(&l->lock, flags);
	v = vec_highest(l, APIC_ISR);
	if (v >= 0) {
		vec_clear(l, APIC_ISR, v);
		level = vec_test(l, APIC_TMR, v);
		lapic_update_ppr(l);
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	/* Level-triggered: the IOAPIC may deliver again (remote IRR). */
	if (level)
		hxen_ioapic_eoi(vcpu->vm, v);
}

static void lapic_send_ipi(struct hxen_vcpu *vcpu, u32 icr, u32 dest)
{
	struct hxen_apic_irq irq = {
		.dest = dest,
		.dest_logical = icr & APIC_DEST_LOGICAL,
		.shorthand = (icr >> 18) & 3,
		.delivery_mode = (icr >> 8) & 7,
		.vector = icr & APIC_VECTOR_MASK,
		.level = icr & APIC_INT_LEVELTRIG,
		.assert = icr & APIC_INT_ASSERT,
		.src = vcpu,
	};

	hxen_lapic_deliver(vcpu->vm, &irq);
}

/* Register @off (16-byte aligned) for the guest; -EINVAL if not readable. */
static int lapic_read(struct hxen_vcpu *vcpu, u32 off, u64 *val, bool x2)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;

	switch (off) {
	case APIC_ID:
	case APIC_LVR:
	case APIC_LDR:
	case APIC_SPIV:
	case APIC_ESR:
	case APIC_LVTT:
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
	case APIC_TMICT:
	case APIC_TDCR:
	case APIC_ISR ... APIC_IRR + 0x70:
		*val = lreg(l, off);
		return 0;
	case APIC_TASKPRI:
	case APIC_PROCPRI:
		lapic_pull_cr8(vcpu);
		*val = lreg(l, off);
		return 0;
	case APIC_ICR:
		*val = lreg(l, APIC_ICR);
		if (x2)
			*val |= (u64)lreg(l, APIC_ICR2) << 32;
		return 0;
	case APIC_ARBPRI:
	case APIC_DFR:
	case APIC_ICR2:
		/* Gone in x2APIC mode (SDM Table 10-6). APR reads 0, as on KVM. */
		if (x2)
			return -EINVAL;
		*val = off == APIC_ARBPRI ? 0 : lreg(l, off);
		return 0;
	case APIC_TMCCT:
		raw_spin_lock_irqsave(&l->lock, flags);
		*val = lapic_current_count(l);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return 0;
	default:
		return -EINVAL;
	}
}

static void lapic_write_lvtt(struct hxen_vcpu *vcpu, u32 val)
{
	struct hxen_lapic *l = vcpu->lapic;
	u32 old = lapic_timer_mode(l);
	unsigned long flags;
	bool stop;

	val &= lapic_lvt_mask(vcpu, APIC_LVTT);
	if ((val & LVT_TIMER_MODE) == LVT_TIMER_MODE)
		val &= ~LVT_TIMER_MODE;		/* reserved mode 3 */
	if (!lapic_sw_enabled(l))
		val |= APIC_LVT_MASKED;
	/* Into or out of TSC-deadline mode the timer stops (as on KVM). */
	stop = (old == LVT_DEADLINE) != ((val & LVT_TIMER_MODE) == LVT_DEADLINE);
	if (stop)
		hrtimer_cancel(&l->timer);
	raw_spin_lock_irqsave(&l->lock, flags);
	lset(l, APIC_LVTT, val);
	if (stop) {
		lset(l, APIC_TMICT, 0);
		l->timer_armed = false;
		l->period_ns = 0;
		l->tsc_deadline = 0;
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
}

/*
 * Guest write of @val to register @off. In x2APIC mode (@x2) a write the
 * SDM makes #GP returns -EINVAL; in xAPIC mode such writes are dropped.
 */
static int lapic_write(struct hxen_vcpu *vcpu, u32 off, u64 val, bool x2)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;
	bool fired;
	u32 v = val;
	int i;

	if (x2 && off != APIC_ICR && (val >> 32))
		return -EINVAL;
	switch (off) {
	case APIC_ID:
		if (x2)
			return -EINVAL;
		lset(l, APIC_ID, v & 0xff000000);
		break;
	case APIC_TASKPRI:
		if (x2 && (v & ~0xffu))
			return -EINVAL;
		lapic_set_tpr(vcpu, v & 0xff);
		break;
	case APIC_EOI:
		if (x2 && v)
			return -EINVAL;
		lapic_eoi(vcpu);
		break;
	case APIC_LDR:
		if (x2)
			return -EINVAL;
		lset(l, APIC_LDR, v & 0xff000000);
		break;
	case APIC_DFR:
		if (x2)
			return -EINVAL;
		lset(l, APIC_DFR, v | 0x0fffffff);
		break;
	case APIC_SPIV:
		/* Vector, APIC enable, focus check; no EOI-broadcast suppression. */
		if (x2 && (v & ~0x3ffu))
			return -EINVAL;
		raw_spin_lock_irqsave(&l->lock, flags);
		lset(l, APIC_SPIV, v & 0x3ff);
		/* Software disable masks every LVT entry (SDM 10.4.7.2). */
		if (!(v & APIC_SPIV_APIC_ENABLED))
			for (i = APIC_LVTT; i <= APIC_LVTERR; i += 0x10)
				lset(l, i, lreg(l, i) | APIC_LVT_MASKED);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		break;
	case APIC_ESR:
		if (x2 && v)
			return -EINVAL;
		lset(l, APIC_ESR, 0);
		break;
	case APIC_ICR:
		/* x2APIC: one 64-bit register, destination in 63:32. */
		lset(l, APIC_ICR, v & ~APIC_ICR_BUSY);
		if (x2)
			lset(l, APIC_ICR2, val >> 32);
		lapic_send_ipi(vcpu, v, x2 ? val >> 32 : lreg(l, APIC_ICR2) >> 24);
		break;
	case APIC_ICR2:
		if (x2)
			return -EINVAL;
		lset(l, APIC_ICR2, v & 0xff000000);
		break;
	case APIC_LVTT:
		lapic_write_lvtt(vcpu, v);
		break;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		v &= lapic_lvt_mask(vcpu, off);
		if (!lapic_sw_enabled(l))
			v |= APIC_LVT_MASKED;
		raw_spin_lock_irqsave(&l->lock, flags);
		/* Keep the read-only remote IRR of LINT0/1. */
		lset(l, off, v | (lreg(l, off) & APIC_LVT_REMOTE_IRR));
		raw_spin_unlock_irqrestore(&l->lock, flags);
		break;
	case APIC_TMICT:
		/* Ignored in TSC-deadline mode (SDM 10.5.4.1). */
		if (lapic_timer_mode(l) == LVT_DEADLINE)
			break;
		hrtimer_cancel(&l->timer);
		raw_spin_lock_irqsave(&l->lock, flags);
		lset(l, APIC_TMICT, v);
		fired = lapic_timer_start(l, v);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		if (fired)
			hxen_vcpu_wake(vcpu);
		break;
	case APIC_TDCR:
		if (x2 && (v & ~0xbu))
			return -EINVAL;
		raw_spin_lock_irqsave(&l->lock, flags);
		lset(l, APIC_TDCR, v & 0xb);
		/* The running count keeps its end; later periods use the new divisor. */
		if (l->period_ns)
			l->period_ns = (u64)lreg(l, APIC_TMICT) * lapic_divisor(l) * LAPIC_BUS_NS;
		raw_spin_unlock_irqrestore(&l->lock, flags);
		break;
	case APIC_SELF_IPI:
		/* x2APIC only: a fixed, edge interrupt to this APIC. */
		if (!x2)
			break;
		if (v & ~0xffu)
			return -EINVAL;
		lapic_send_ipi(vcpu, APIC_DEST_SELF | (v & 0xff), 0);
		break;
	default:
		/* Read-only or reserved. */
		return x2 ? -EINVAL : 0;
	}
	return 0;
}

/* ---- xAPIC MMIO ---- */

/* Is @gpa in the vCPU's APIC page (wherever IA32_APIC_BASE puts it)? */
static bool lapic_in_page(struct hxen_vcpu *vcpu, u64 gpa)
{
	return vcpu->lapic &&
	       (gpa & ~0xfffULL) == (READ_ONCE(vcpu->apic_base) & GENMASK_ULL(51, 12));
}

int hxen_lapic_mmio_read(struct hxen_vcpu *vcpu, u64 gpa, u32 len, void *val)
{
	u32 off = gpa & 0xfff, align = off & 0xf;
	u64 reg = 0;

	if (!lapic_in_page(vcpu, gpa))
		return -ENODEV;
	if (len > 8)
		return -ENODEV;
	/*
	 * Hardware-disabled or x2APIC: the page reads all ones and ignores
	 * writes (KVM's LAPIC_MMIO_HOLE behaviour, on by default).
	 */
	if (!lapic_hw_enabled(vcpu) || lapic_x2apic(vcpu)) {
		memset(val, 0xff, len);
		return 0;
	}
	memset(val, 0, len);
	/* Registers are read 32 bits at a time within their first dword. */
	if (align + len > 4 || off >= KVM_APIC_REG_SIZE)
		return 0;
	if (lapic_read(vcpu, off & ~0xfu, &reg, false))
		return 0;
	reg >>= align * 8;
	memcpy(val, &reg, len);
	return 0;
}

int hxen_lapic_mmio_write(struct hxen_vcpu *vcpu, u64 gpa, u32 len, const void *val)
{
	u32 off = gpa & 0xfff, v;

	if (!lapic_in_page(vcpu, gpa))
		return -ENODEV;
	if (!lapic_hw_enabled(vcpu) || lapic_x2apic(vcpu))
		return 0;
	/* Only aligned 32-bit writes do anything (SDM 10.4.1). */
	if (len != 4 || (off & 0xf) || off >= KVM_APIC_REG_SIZE)
		return 0;
	memcpy(&v, val, 4);
	lapic_write(vcpu, off, v, false);
	return 0;
}

/* ---- MSRs ---- */

int hxen_lapic_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;

	if (!l)
		return -EINVAL;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* Reads 0 outside TSC-deadline mode (SDM 10.5.4.1). */
		raw_spin_lock_irqsave(&l->lock, flags);
		*val = lapic_timer_mode(l) == LVT_DEADLINE ? l->tsc_deadline : 0;
		raw_spin_unlock_irqrestore(&l->lock, flags);
		return 0;
	}
	if (!lapic_x2apic(vcpu) || msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -EINVAL;
	return lapic_read(vcpu, (msr - APIC_BASE_MSR) << 4, val, true);
}

int hxen_lapic_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host)
{
	struct hxen_lapic *l = vcpu->lapic;
	unsigned long flags;
	bool fired;
	u64 now;

	if (!l)
		return -EINVAL;
	if (msr == MSR_IA32_TSC_DEADLINE) {
		/* Writes are ignored outside TSC-deadline mode. */
		if (lapic_timer_mode(l) != LVT_DEADLINE)
			return 0;
		now = lapic_guest_tsc(vcpu);
		hrtimer_cancel(&l->timer);
		raw_spin_lock_irqsave(&l->lock, flags);
		l->tsc_deadline = val;
		fired = lapic_deadline_start(l, now);
		raw_spin_unlock_irqrestore(&l->lock, flags);
		if (fired)
			hxen_vcpu_wake(vcpu);
		return 0;
	}
	if (!lapic_x2apic(vcpu) || msr < APIC_BASE_MSR || msr > APIC_BASE_MSR + 0xff)
		return -EINVAL;
	return lapic_write(vcpu, (msr - APIC_BASE_MSR) << 4, val, true);
}

int hxen_lapic_set_base(struct hxen_vcpu *vcpu, u64 val, bool host)
{
	struct hxen_lapic *l = vcpu->lapic;
	u64 old = vcpu->apic_base;
	bool en = val & MSR_IA32_APICBASE_ENABLE, x2 = val & X2APIC_ENABLE;
	unsigned long flags;

	/* EXTD without EN is invalid; x2APIC needs the CPUID bit (leaf 1 ECX 21). */
	if ((x2 && !en) || (x2 && !guest_cpuid_ecx1(vcpu, 21)))
		return -EINVAL;
	/* SDM 10.12.5: x2APIC to xAPIC and disabled to x2APIC #GP (host: free). */
	if (!host && (old & X2APIC_ENABLE) && en && !x2)
		return -EINVAL;
	if (!host && !(old & MSR_IA32_APICBASE_ENABLE) && x2)
		return -EINVAL;
	WRITE_ONCE(vcpu->apic_base, val);
	raw_spin_lock_irqsave(&l->lock, flags);
	/* Enabling sets the xAPIC ID, x2APIC mode the x2APIC ID and LDR. */
	if (((old ^ val) & MSR_IA32_APICBASE_ENABLE) && en)
		lset(l, APIC_ID, (u32)vcpu->id << 24);
	if (((old ^ val) & X2APIC_ENABLE) && x2) {
		lset(l, APIC_ID, vcpu->id);
		lset(l, APIC_LDR, x2apic_ldr(vcpu->id));
	}
	raw_spin_unlock_irqrestore(&l->lock, flags);
	return 0;
}
