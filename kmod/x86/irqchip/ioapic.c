// SPDX-License-Identifier: GPL-2.0
/*
 * The IOAPIC at 0xFEC00000 (82093AA datasheet): IOREGSEL at +0x00, IOWIN
 * at +0x10, and the EOI register of later versions at +0x40 (KVM offers it
 * too). Version 0x11 with 24 redirection entries, as KVM reports.
 *
 * Each entry routes its pin to local APICs through hxen_lapic_deliver().
 * Edge pins send a message per rising edge while unmasked (an edge on a
 * masked pin is lost, as on the 82093AA). Level pins send one while
 * asserted, unmasked and Remote IRR is clear; Remote IRR is set when a
 * LAPIC accepts and cleared by the EOI for the vector, after which a line
 * still asserted is delivered again. Polarity is ignored: the level given
 * to KVM_IRQ_LINE is always "asserted" (KVM_CAP_IOAPIC_POLARITY_IGNORED).
 *
 * All state is under ioapic->lock (irqsave), which is held while calling
 * hxen_lapic_deliver() (allowed by irqchip.h's lock order).
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>

#include "../../hxen.h"
#include "irqdev.h"

#define IOAPIC_VERSION		0x11
#define IOREGSEL		0x00
#define IOWIN			0x10
#define IOEOI			0x40

#define REG_ID			0x00
#define REG_VER			0x01
#define REG_ARB			0x02
#define REG_REDIR		0x10	/* two registers per entry */

/* Redirection entry bits. */
#define RTE_VECTOR		0xffULL
#define RTE_DELMODE_SHIFT	8
#define RTE_DEST_LOGICAL	BIT_ULL(11)
#define RTE_DELIVS		BIT_ULL(12)	/* read-only */
#define RTE_POLARITY		BIT_ULL(13)
#define RTE_REMOTE_IRR		BIT_ULL(14)	/* read-only */
#define RTE_LEVEL		BIT_ULL(15)
#define RTE_MASKED		BIT_ULL(16)
#define RTE_DEST_SHIFT		56
#define RTE_RO_BITS		(RTE_DELIVS | RTE_REMOTE_IRR)

/* Under lock: send pin @pin's message; returns how many LAPICs took it. */
static int ioapic_send(struct hxen_irqchip *chip, int pin)
{
	struct hxen_ioapic *io = &chip->ioapic;
	u64 e = io->redir[pin];
	struct hxen_apic_irq irq = {
		.dest = e >> RTE_DEST_SHIFT,
		.dest_logical = !!(e & RTE_DEST_LOGICAL),
		.delivery_mode = (e >> RTE_DELMODE_SHIFT) & 7,
		.vector = e & RTE_VECTOR,
		.level = !!(e & RTE_LEVEL),
		.assert = true,
	};
	int n = hxen_lapic_deliver(chip->vm, &irq);

	/* Remote IRR: a LAPIC holds the level interrupt until its EOI. */
	if (n > 0 && (e & RTE_LEVEL))
		io->redir[pin] |= RTE_REMOTE_IRR;
	return n;
}

/* Under lock: deliver a level pin if it is asserted and may go now. */
static int ioapic_service_level(struct hxen_irqchip *chip, int pin)
{
	struct hxen_ioapic *io = &chip->ioapic;
	u64 e = io->redir[pin];

	if (!(e & RTE_LEVEL) || !(io->irr & BIT(pin)))
		return -1;
	if (e & (RTE_MASKED | RTE_REMOTE_IRR))
		return -1;	/* held back (KVM's status for both) */
	return ioapic_send(chip, pin);
}

int hxen_ioapic_set_irq(struct hxen_irqchip *chip, int src, u32 pin, int level)
{
	struct hxen_ioapic *io = &chip->ioapic;
	unsigned long flags;
	bool was, now;
	int ret;

	if (pin >= HXEN_IOAPIC_PINS)
		return -1;
	raw_spin_lock_irqsave(&io->lock, flags);
	was = io->src_level[pin];
	if (level)
		io->src_level[pin] |= BIT(src);
	else
		io->src_level[pin] &= ~BIT(src);
	now = io->src_level[pin];
	if (now)
		io->irr |= BIT(pin);
	else
		io->irr &= ~BIT(pin);
	if (!now)
		ret = 1;	/* a de-assertion always "succeeds" (KVM) */
	else if (io->redir[pin] & RTE_LEVEL)
		ret = ioapic_service_level(chip, pin);
	else if (was)
		ret = 0;	/* no edge: coalesced with the one before */
	else if (io->redir[pin] & RTE_MASKED)
		ret = -1;
	else
		ret = ioapic_send(chip, pin);
	raw_spin_unlock_irqrestore(&io->lock, flags);
	return ret;
}

/* Under lock: a LAPIC's EOI for @vector (or a write to IOEOI). */
static void ioapic_eoi_locked(struct hxen_irqchip *chip, u8 vector)
{
	struct hxen_ioapic *io = &chip->ioapic;
	int pin;

	for (pin = 0; pin < HXEN_IOAPIC_PINS; pin++) {
		u64 e = io->redir[pin];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_LEVEL) || !(e & RTE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		/* Still asserted: it goes again (the level interrupt persists). */
		ioapic_service_level(chip, pin);
	}
}

void hxen_ioapic_eoi(struct hxen_vm *vm, u8 vector)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vm->irqchip);
	unsigned long flags;

	if (!chip)
		return;
	raw_spin_lock_irqsave(&chip->ioapic.lock, flags);
	ioapic_eoi_locked(chip, vector);
	raw_spin_unlock_irqrestore(&chip->ioapic.lock, flags);
}

static u32 ioapic_read_reg(struct hxen_ioapic *io)
{
	u32 reg = io->ioregsel & 0xff;
	int pin;

	switch (reg) {
	case REG_ID:
	case REG_ARB:
		return (io->id & 0xf) << 24;
	case REG_VER:
		return IOAPIC_VERSION | ((HXEN_IOAPIC_PINS - 1) << 16);
	default:
		pin = (reg - REG_REDIR) >> 1;
		if (reg < REG_REDIR || pin >= HXEN_IOAPIC_PINS)
			return 0;
		return (reg & 1) ? io->redir[pin] >> 32 : (u32)io->redir[pin];
	}
}

static void ioapic_write_reg(struct hxen_irqchip *chip, u32 val)
{
	struct hxen_ioapic *io = &chip->ioapic;
	u32 reg = io->ioregsel & 0xff;
	u64 e;
	int pin;

	if (reg == REG_ID) {
		io->id = (val >> 24) & 0xf;
		return;
	}
	pin = (reg - REG_REDIR) >> 1;
	if (reg < REG_REDIR || pin >= HXEN_IOAPIC_PINS)
		return;		/* version and arbitration are read-only */
	e = io->redir[pin];
	if (reg & 1)
		e = (e & 0xffffffffULL) | ((u64)val << 32);
	else
		e = (e & ~0xffffffffULL) | (e & RTE_RO_BITS) | (val & ~(u32)RTE_RO_BITS);
	/* Remote IRR only has a meaning for level entries. */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->redir[pin] = e;
	/* Unmasked (or made level) while asserted: deliver now. */
	ioapic_service_level(chip, pin);
}

/* Accesses are 32-bit registers; narrower reads take the addressed bytes. */
static int ioapic_mmio_read(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len,
			    void *val)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vcpu->vm->irqchip);
	struct hxen_ioapic *io;
	unsigned long flags;
	u64 off;
	u32 v = 0;

	if (!chip)
		return -ENODEV;
	io = &chip->ioapic;
	raw_spin_lock_irqsave(&io->lock, flags);
	off = addr - io->base_address;
	/* A base moved by KVM_SET_IRQCHIP leaves the default page to userspace. */
	if (addr < io->base_address || off >= HXEN_IOAPIC_SIZE) {
		raw_spin_unlock_irqrestore(&io->lock, flags);
		return -ENODEV;
	}
	switch (off & ~3ULL) {
	case IOREGSEL:
		v = io->ioregsel;
		break;
	case IOWIN:
		v = ioapic_read_reg(io);
		break;
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
	memset(val, 0, len);
	v >>= 8 * (off & 3);
	memcpy(val, &v, min_t(u32, len, 4 - (off & 3)));
	return 0;
}

static int ioapic_mmio_write(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len,
			     const void *val)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vcpu->vm->irqchip);
	struct hxen_ioapic *io;
	unsigned long flags;
	u32 v = 0;
	u64 off;

	if (!chip)
		return -ENODEV;
	io = &chip->ioapic;
	/* 8-byte writes act on the low dword; bytes only on IOREGSEL (as KVM). */
	memcpy(&v, val, min_t(u32, len, 4));
	raw_spin_lock_irqsave(&io->lock, flags);
	off = addr - io->base_address;
	if (addr < io->base_address || off >= HXEN_IOAPIC_SIZE) {
		raw_spin_unlock_irqrestore(&io->lock, flags);
		return -ENODEV;
	}
	switch (off) {
	case IOREGSEL:
		io->ioregsel = v & 0xff;
		break;
	case IOWIN:
		if (len >= 4)
			ioapic_write_reg(chip, v);
		break;
	case IOEOI:
		if (len >= 4)
			ioapic_eoi_locked(chip, v & 0xff);
		break;
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
	return 0;
}

static const struct hxen_io_dev_ops ioapic_ops = {
	.read = ioapic_mmio_read,
	.write = ioapic_mmio_write,
};

int hxen_ioapic_register(struct hxen_vm *vm, struct hxen_irqchip *chip)
{
	return hxen_iobus_register(vm, HXEN_BUS_MMIO, HXEN_IOAPIC_BASE, HXEN_IOAPIC_SIZE,
				   &ioapic_ops, NULL);
}

/* Reset: every entry masked (82093AA), ID 0. */
void hxen_ioapic_init(struct hxen_irqchip *chip)
{
	struct hxen_ioapic *io = &chip->ioapic;
	int pin;

	raw_spin_lock_init(&io->lock);
	io->base_address = HXEN_IOAPIC_BASE;
	for (pin = 0; pin < HXEN_IOAPIC_PINS; pin++)
		io->redir[pin] = RTE_MASKED;
}

void hxen_ioapic_get_state(struct hxen_irqchip *chip, struct kvm_ioapic_state *s)
{
	struct hxen_ioapic *io = &chip->ioapic;
	unsigned long flags;
	int pin;

	BUILD_BUG_ON(ARRAY_SIZE(s->redirtbl) != HXEN_IOAPIC_PINS);
	memset(s, 0, sizeof(*s));
	raw_spin_lock_irqsave(&io->lock, flags);
	s->base_address = io->base_address;
	s->ioregsel = io->ioregsel;
	s->id = io->id;
	s->irr = io->irr;
	for (pin = 0; pin < HXEN_IOAPIC_PINS; pin++)
		s->redirtbl[pin].bits = io->redir[pin];
	raw_spin_unlock_irqrestore(&io->lock, flags);
}

/*
 * Restore (migration): entries as given; the IRR's pins count as asserted
 * by userspace, so level lines stay up until KVM_IRQ_LINE lowers them and
 * pending edges are delivered once.
 */
void hxen_ioapic_set_state(struct hxen_irqchip *chip, const struct kvm_ioapic_state *s)
{
	struct hxen_ioapic *io = &chip->ioapic;
	unsigned long flags;
	int pin;

	raw_spin_lock_irqsave(&io->lock, flags);
	io->base_address = s->base_address;
	io->ioregsel = s->ioregsel;
	io->id = s->id;
	for (pin = 0; pin < HXEN_IOAPIC_PINS; pin++) {
		io->redir[pin] = s->redirtbl[pin].bits;
		io->src_level[pin] = 0;
	}
	io->irr = 0;
	for (pin = 0; pin < HXEN_IOAPIC_PINS; pin++) {
		u64 e = io->redir[pin];

		if (!(s->irr & BIT(pin)))
			continue;
		if (e & RTE_LEVEL) {
			io->src_level[pin] = BIT(HXEN_IRQ_SRC_USER);
			io->irr |= BIT(pin);
			ioapic_service_level(chip, pin);
		} else if (!(e & RTE_MASKED)) {
			ioapic_send(chip, pin);
		}
	}
	raw_spin_unlock_irqrestore(&io->lock, flags);
}
