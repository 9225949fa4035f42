// SPDX-License-Identifier: GPL-2.0
/*
 * Two cascaded 8259A PICs (master 0x20/0x21, slave 0xa0/0xa1 on the
 * master's IR2) and the PIIX ELCR (0x4d0/0x4d1) that makes lines
 * level-triggered. Behaviour from the Intel 8259A datasheet: ICW1-ICW4,
 * OCW1-OCW3, rotation, specific and non-specific EOI, automatic EOI,
 * special mask, poll, IRR/ISR reads.
 *
 * Not modelled (as KVM): single mode (ICW1 SNGL; ICW3 is always
 * expected), level-triggered mode by ICW1 LTIM (the ELCR does it),
 * buffered mode and 8080 call addresses.
 *
 * All state is under pic->lock (irqsave: lines are raised from hrtimer
 * callbacks). hxen_lapic_extint_changed() is called after dropping it.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>

#include "../../hxen.h"
#include "irqdev.h"

/* Priority order 0 (highest) to 7 of the set bits; 8 if none is set. */
static int pic_priority(const struct hxen_pic_chip *c, u8 bits)
{
	int p;

	for (p = 0; p < 8; p++)
		if (bits & BIT((p + c->priority_add) & 7))
			return p;
	return 8;
}

/* The IR this chip would present now, or -1. */
static int pic_pending(const struct hxen_pic_chip *c, bool master)
{
	u8 in_service = c->isr;
	int req = pic_priority(c, c->irr & ~c->imr);

	if (req == 8)
		return -1;
	/* Special mask mode: masked in-service levels do not block others. */
	if (c->special_mask)
		in_service &= ~c->imr;
	/*
	 * Special fully nested mode: a slave's further requests get through
	 * while its cascade line is in service on the master.
	 */
	if (master && c->special_fully_nested_mode)
		in_service &= ~BIT(2);
	return req < pic_priority(c, in_service) ? (req + c->priority_add) & 7 : -1;
}

/*
 * Sample a new input level on @irq of @c. Edge lines latch a rising edge
 * into the IRR; ELCR level lines make the IRR follow the input.
 */
static void pic_set_input(struct hxen_pic_chip *c, int irq, bool level)
{
	u8 bit = BIT(irq);

	if (c->elcr & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= ~bit;
	} else if (level && !(c->last_irr & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->last_irr |= bit;
	else
		c->last_irr &= ~bit;
}

/*
 * Propagate: the slave's INT drives the master's IR2 as a level, the
 * master's INT is the output. Returns true if the vCPU must look again.
 */
static bool pic_update(struct hxen_pic *p)
{
	bool slave = pic_pending(&p->chip[1], false) >= 0;
	bool out, old = p->output;

	if (slave) {
		p->chip[0].irr |= BIT(2);
		p->chip[0].last_irr |= BIT(2);
	} else {
		p->chip[0].irr &= ~BIT(2);
		p->chip[0].last_irr &= ~BIT(2);
	}
	out = pic_pending(&p->chip[0], true) >= 0;
	p->output = out;
	return out != old || out;
}

static void pic_notify(struct hxen_vm *vm, bool changed)
{
	if (changed)
		hxen_lapic_extint_changed(vm);
}

int hxen_pic_set_irq(struct hxen_irqchip *chip, int src, u32 pin, int level)
{
	struct hxen_pic *p = &chip->pic;
	struct hxen_pic_chip *c;
	unsigned long flags;
	bool changed, high;
	int ret = 1;
	u8 bit;

	if (pin >= HXEN_PIC_PINS)
		return -1;
	c = &p->chip[pin >> 3];
	bit = BIT(pin & 7);
	raw_spin_lock_irqsave(&p->lock, flags);
	if (level)
		p->src_level[pin] |= BIT(src);
	else
		p->src_level[pin] &= ~BIT(src);
	high = p->src_level[pin];
	/* Status (KVM's): 0 if a new request merged with a pending one. */
	if (high && ((c->elcr & bit) || !(c->last_irr & bit)))
		ret = !(c->irr & bit);
	pic_set_input(c, pin & 7, high);
	if (c->imr & bit)
		ret = -1;
	changed = pic_update(p);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	pic_notify(chip->vm, changed);
	return ret;
}

bool hxen_pic_has_interrupt(struct hxen_vm *vm)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vm->irqchip);

	return chip && READ_ONCE(chip->pic.output);
}

/* INTA on @c for @irq: into service (unless AEOI), an edge request is consumed. */
static void pic_intack(struct hxen_pic_chip *c, int irq)
{
	if (c->auto_eoi) {
		if (c->rotate_on_auto_eoi)
			c->priority_add = (irq + 1) & 7;
	} else {
		c->isr |= BIT(irq);
	}
	if (!(c->elcr & BIT(irq)))
		c->irr &= ~BIT(irq);
}

/* Under lock: the INTA sequence of the pair; returns the vector. */
static int pic_ack_locked(struct hxen_pic *p)
{
	struct hxen_pic_chip *m = &p->chip[0], *s = &p->chip[1];
	int irq = pic_pending(m, true), sirq, vec;

	if (irq < 0)
		return m->irq_base + 7;		/* spurious IR7 */
	pic_intack(m, irq);
	if (irq != 2) {
		vec = m->irq_base + irq;
	} else {
		sirq = pic_pending(s, false);
		if (sirq >= 0) {
			pic_intack(s, sirq);
			vec = s->irq_base + sirq;
		} else {
			vec = s->irq_base + 7;	/* the slave's spurious IR7 */
		}
	}
	return vec;
}

int hxen_pic_ack(struct hxen_vm *vm)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vm->irqchip);
	struct hxen_pic *p;
	unsigned long flags;
	bool changed;
	int vec;

	if (!chip)
		return -1;
	p = &chip->pic;
	raw_spin_lock_irqsave(&p->lock, flags);
	vec = pic_ack_locked(p);
	changed = pic_update(p);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	pic_notify(vm, changed);
	return vec;
}

/* ICW1 (8259A datasheet): IMR and ISR cleared, IR7 lowest, edge sense reset. */
static void pic_icw1(struct hxen_pic_chip *c, u8 val)
{
	c->imr = 0;
	c->isr = 0;
	c->priority_add = 0;
	c->read_reg_select = 0;
	c->poll = 0;
	c->special_mask = 0;
	c->auto_eoi = 0;
	c->rotate_on_auto_eoi = 0;
	c->special_fully_nested_mode = 0;
	c->init4 = val & 1;
	c->init_state = 1;
	/* A held edge line needs a new rising edge; level lines stay requested. */
	c->irr &= c->elcr;
}

static void pic_ocw2(struct hxen_pic_chip *c, u8 val)
{
	int irq, p;

	switch (val >> 5) {
	case 0:		/* rotate in automatic EOI mode: clear */
	case 4:		/* rotate in automatic EOI mode: set */
		c->rotate_on_auto_eoi = val >> 7;
		break;
	case 1:		/* non-specific EOI */
	case 5:		/* rotate on non-specific EOI */
		p = pic_priority(c, c->isr);
		if (p == 8)
			break;
		irq = (p + c->priority_add) & 7;
		c->isr &= ~BIT(irq);
		if (val >> 5 == 5)
			c->priority_add = (irq + 1) & 7;
		break;
	case 3:		/* specific EOI */
		c->isr &= ~BIT(val & 7);
		break;
	case 6:		/* set priority: IR val&7 becomes the lowest */
		c->priority_add = (val + 1) & 7;
		break;
	case 7:		/* rotate on specific EOI */
		c->isr &= ~BIT(val & 7);
		c->priority_add = (val + 1) & 7;
		break;
	default:	/* 2: no operation */
		break;
	}
}

static void pic_write(struct hxen_pic *p, int id, bool data, u8 val)
{
	struct hxen_pic_chip *c = &p->chip[id];

	if (!data) {
		if (val & 0x10) {
			pic_icw1(c, val);
		} else if (val & 0x08) {	/* OCW3 */
			if (val & 0x04)
				c->poll = 1;
			if (val & 0x02)
				c->read_reg_select = val & 1;
			if (val & 0x40)
				c->special_mask = (val >> 5) & 1;
		} else {
			pic_ocw2(c, val);
		}
		return;
	}
	switch (c->init_state) {
	case 0:		/* OCW1 */
		c->imr = val;
		break;
	case 1:		/* ICW2: vector base; T2-T0 come from the IR number */
		c->irq_base = val & 0xf8;
		c->init_state = 2;
		break;
	case 2:		/* ICW3: the cascade wiring is fixed */
		c->init_state = c->init4 ? 3 : 0;
		break;
	default:	/* ICW4 */
		c->special_fully_nested_mode = (val >> 4) & 1;
		c->auto_eoi = (val >> 1) & 1;
		c->init_state = 0;
		break;
	}
}

/*
 * Poll command: the read is an INTA that answers 0x80 | IR (or 0 with no
 * request) instead of a vector.
 */
static u8 pic_poll(struct hxen_pic *p, int id)
{
	struct hxen_pic_chip *c = &p->chip[id];
	int irq = pic_pending(c, id == 0);

	c->poll = 0;
	if (irq < 0)
		return 0;
	pic_intack(c, irq);
	return 0x80 | irq;
}

static u8 pic_read(struct hxen_pic *p, int id, bool data)
{
	struct hxen_pic_chip *c = &p->chip[id];

	if (c->poll)
		return pic_poll(p, id);
	if (data)
		return c->imr;
	return c->read_reg_select ? c->isr : c->irr;
}

static int pic_port_read(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len, void *val)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vcpu->vm->irqchip);
	struct hxen_pic *p;
	unsigned long flags;
	bool changed;
	u8 v;

	if (!chip)
		return -ENODEV;
	/* An 8-bit device: wider accesses read 0 and write nothing (as KVM). */
	memset(val, 0, len);
	if (len != 1)
		return 0;
	p = &chip->pic;
	raw_spin_lock_irqsave(&p->lock, flags);
	if (addr >= 0x4d0)
		v = p->chip[addr & 1].elcr;
	else
		v = pic_read(p, addr >= 0xa0, addr & 1);
	changed = pic_update(p);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	pic_notify(vcpu->vm, changed);
	*(u8 *)val = v;
	return 0;
}

static int pic_port_write(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len,
			  const void *val)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vcpu->vm->irqchip);
	u8 v = *(const u8 *)val;
	struct hxen_pic *p;
	unsigned long flags;
	bool changed;
	int pin;

	if (!chip)
		return -ENODEV;
	if (len != 1)
		return 0;
	p = &chip->pic;
	raw_spin_lock_irqsave(&p->lock, flags);
	if (addr >= 0x4d0) {
		struct hxen_pic_chip *c = &p->chip[addr & 1];

		c->elcr = v & c->elcr_mask;
		/* Lines now level-triggered follow their input at once. */
		for (pin = 0; pin < 8; pin++)
			if (c->elcr & BIT(pin))
				pic_set_input(c, pin, p->src_level[(addr & 1) * 8 + pin]);
	} else {
		pic_write(p, addr >= 0xa0, addr & 1, v);
	}
	changed = pic_update(p);
	raw_spin_unlock_irqrestore(&p->lock, flags);
	pic_notify(vcpu->vm, changed);
	return 0;
}

static const struct hxen_io_dev_ops pic_ops = {
	.read = pic_port_read,
	.write = pic_port_write,
};

int hxen_pic_register(struct hxen_vm *vm, struct hxen_irqchip *chip)
{
	int r;

	r = hxen_iobus_register(vm, HXEN_BUS_PIO, 0x20, 2, &pic_ops, NULL);
	if (!r)
		r = hxen_iobus_register(vm, HXEN_BUS_PIO, 0xa0, 2, &pic_ops, NULL);
	if (!r)
		r = hxen_iobus_register(vm, HXEN_BUS_PIO, 0x4d0, 2, &pic_ops, NULL);
	return r;
}

void hxen_pic_init(struct hxen_irqchip *chip)
{
	raw_spin_lock_init(&chip->pic.lock);
	/* PIIX: IRQ 0, 1, 2, 8 and 13 are always edge-triggered. */
	chip->pic.chip[0].elcr_mask = 0xf8;
	chip->pic.chip[1].elcr_mask = 0xde;
}

void hxen_pic_get_state(struct hxen_irqchip *chip, int id, struct kvm_pic_state *s)
{
	const struct hxen_pic_chip *c = &chip->pic.chip[id];
	unsigned long flags;

	BUILD_BUG_ON(sizeof(*c) != sizeof(*s));
	memset(s, 0, sizeof(*s));
	raw_spin_lock_irqsave(&chip->pic.lock, flags);
	s->last_irr = c->last_irr;
	s->irr = c->irr;
	s->imr = c->imr;
	s->isr = c->isr;
	s->priority_add = c->priority_add;
	s->irq_base = c->irq_base;
	s->read_reg_select = c->read_reg_select;
	s->poll = c->poll;
	s->special_mask = c->special_mask;
	s->init_state = c->init_state;
	s->auto_eoi = c->auto_eoi;
	s->rotate_on_auto_eoi = c->rotate_on_auto_eoi;
	s->special_fully_nested_mode = c->special_fully_nested_mode;
	s->init4 = c->init4;
	s->elcr = c->elcr;
	s->elcr_mask = c->elcr_mask;
	raw_spin_unlock_irqrestore(&chip->pic.lock, flags);
}

/* Taken as given, as on KVM (a migration stream); only ranges are clamped. */
void hxen_pic_set_state(struct hxen_irqchip *chip, int id, const struct kvm_pic_state *s)
{
	struct hxen_pic_chip *c = &chip->pic.chip[id];
	unsigned long flags;
	bool changed;

	raw_spin_lock_irqsave(&chip->pic.lock, flags);
	c->last_irr = s->last_irr;
	c->irr = s->irr;
	c->imr = s->imr;
	c->isr = s->isr;
	c->priority_add = s->priority_add & 7;
	c->irq_base = s->irq_base;
	c->read_reg_select = s->read_reg_select;
	c->poll = s->poll;
	c->special_mask = s->special_mask;
	c->init_state = s->init_state & 3;
	c->auto_eoi = s->auto_eoi;
	c->rotate_on_auto_eoi = s->rotate_on_auto_eoi;
	c->special_fully_nested_mode = s->special_fully_nested_mode;
	c->init4 = s->init4;
	c->elcr = s->elcr;
	c->elcr_mask = s->elcr_mask;
	changed = pic_update(&chip->pic);
	raw_spin_unlock_irqrestore(&chip->pic.lock, flags);
	pic_notify(chip->vm, changed);
}
