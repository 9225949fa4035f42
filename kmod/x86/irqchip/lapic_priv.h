/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Local APIC internals shared by lapic.c (registers, delivery, timer) and
 * lapic_state.c (reset, INIT/SIPI, injection, KVM_GET/SET_LAPIC, life
 * cycle). Not for other files: they use lapic.h and irqchip.h.
 */
#ifndef HXEN_LAPIC_PRIV_H
#define HXEN_LAPIC_PRIV_H

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <asm/apicdef.h>

#include "../../hxen.h"

/* Integrated APIC (0x14), six LVT entries: timer..error (max LVT index 5). */
#define LAPIC_VERSION		(0x14 | (5 << 16))
/* Timer input clock: 1 GHz (one bus cycle per ns), as on KVM. */
#define LAPIC_BUS_NS		1
/* Shortest periodic timer period, KVM's default (min_timer_period_us). */
#define LAPIC_MIN_PERIOD_NS	200000ULL

#define LVT_TIMER_MODE		(3 << 17)
#define LVT_ONESHOT		0
#define LVT_PERIODIC		(1 << 17)
#define LVT_DEADLINE		(2 << 17)
/* Writable LVT bits (SDM Figure 10-8); delivery status, remote IRR read-only. */
#define LVT_BASE_MASK		(APIC_LVT_MASKED | APIC_VECTOR_MASK)
#define LVT_MODE_MASK		(LVT_BASE_MASK | APIC_MODE_MASK)
#define LVT_LINT_MASK		(LVT_MODE_MASK | APIC_INPUT_POLARITY | APIC_LVT_LEVEL_TRIGGER)

#define DM_FIXED	0
#define DM_LOWEST	1
#define DM_NMI		4
#define DM_INIT		5
#define DM_SIPI		6
#define DM_EXTINT	7

struct hxen_lapic {
	struct hxen_vcpu *vcpu;
	/*
	 * Protects regs, the pending events and the timer fields. Raw and
	 * always taken with interrupts off: the timer and devices deliver
	 * from hardirq context. Never held while calling other irqchip code,
	 * waking a vCPU or cancelling the timer (its callback takes it).
	 * Registers only the vCPU's own thread writes (LVTs, SVR, TPR, ID,
	 * LDR, DFR, TDCR) may be read by that thread without it, and by
	 * deliveries with READ_ONCE (a racing change is like one on hardware).
	 */
	raw_spinlock_t lock;
	u32 regs[KVM_APIC_REG_SIZE / 4];
	bool init_pending, sipi_pending, nmi_pending;
	u8 sipi_vector;

	/* Started and cancelled only by the vCPU's thread (not under lock). */
	struct hrtimer timer;
	bool timer_armed;	/* counting (or a deadline set) and not expired */
	u64 period_ns;		/* periodic: the period; 0 if stopped */
	ktime_t expires;	/* the current period's (or deadline's) end */
	u64 tsc_deadline;	/* IA32_TSC_DEADLINE; 0 when disarmed */
};

static inline u32 lreg(struct hxen_lapic *l, u32 off)
{
	return READ_ONCE(l->regs[off >> 2]);
}

static inline void lset(struct hxen_lapic *l, u32 off, u32 val)
{
	WRITE_ONCE(l->regs[off >> 2], val);
}

/* IRR, ISR, TMR: 256 bits in eight registers 16 bytes apart. */
static inline u32 vec_reg(u32 base, u8 vec)
{
	return base + (vec >> 5) * 0x10;
}

static inline bool vec_test(struct hxen_lapic *l, u32 base, u8 vec)
{
	return lreg(l, vec_reg(base, vec)) & BIT(vec & 31);
}

static inline void vec_set(struct hxen_lapic *l, u32 base, u8 vec)
{
	lset(l, vec_reg(base, vec), lreg(l, vec_reg(base, vec)) | BIT(vec & 31));
}

static inline void vec_clear(struct hxen_lapic *l, u32 base, u8 vec)
{
	lset(l, vec_reg(base, vec), lreg(l, vec_reg(base, vec)) & ~BIT(vec & 31));
}

/* lapic.c */
u32 x2apic_ldr(u32 id);
bool lapic_hw_enabled(struct hxen_vcpu *vcpu);
bool lapic_x2apic(struct hxen_vcpu *vcpu);
void lapic_update_ppr(struct hxen_lapic *l);
int lapic_deliverable(struct hxen_lapic *l);
void lapic_pull_cr8(struct hxen_vcpu *vcpu);
bool lapic_tpr_blocks(struct hxen_lapic *l);
bool lapic_extint_pending(struct hxen_vcpu *vcpu);
u32 lapic_timer_mode(struct hxen_lapic *l);
bool lapic_timer_start(struct hxen_lapic *l, u32 count);
u32 lapic_current_count(struct hxen_lapic *l);
u32 lapic_lvt_mask(struct hxen_vcpu *vcpu, u32 off);
/* EOI of the highest vector in service; the IOAPIC hears of a level one. */
void lapic_eoi(struct hxen_vcpu *vcpu);

/* pv_eoi.c */
void hxen_pv_eoi_arm(struct hxen_vcpu *vcpu);
enum hrtimer_restart lapic_timer_fn(struct hrtimer *t);

#endif /* HXEN_LAPIC_PRIV_H */
