/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel interrupt controllers and timers (KVM_CREATE_IRQCHIP,
 * KVM_CREATE_PIT2): the contracts between the local APICs (x86/irqchip/lapic.c),
 * the IOAPIC (x86/irqchip/ioapic.c), the PICs (x86/irqchip/pic.c), the PIT (x86/irqchip/pit.c),
 * GSI routing and MSIs (x86/irqchip/irq.c); they reach the guest's buses
 * through iobus.h.
 *
 * Lock order: a device's own lock (PIC, IOAPIC, PIT) may be held while
 * calling hxen_lapic_deliver(); LAPIC code never calls back into a device
 * with its own lock held (hxen_ioapic_eoi() is called without it).
 * hxen_lapic_deliver(), hxen_irq_set() and hxen_vcpu_wake() may be called
 * from any context, hardirq (hrtimer callbacks) included.
 */
#ifndef HXEN_IRQCHIP_H
#define HXEN_IRQCHIP_H

#include <linux/types.h>

struct hxen_vm;
struct hxen_vcpu;

/*
 * An interrupt message to local APICs: from an IOAPIC redirection entry,
 * an MSI or an IPI (ICR). Field values are the hardware encodings.
 */
struct hxen_apic_irq {
	u32 dest;		/* APIC ID or logical destination */
	bool dest_logical;
	u8 shorthand;		/* ICR bits 19:18: 0 none, 1 self, 2 all, 3 all but self */
	u8 delivery_mode;	/* ICR bits 10:8: 0 fixed, 1 lowest, 2 SMI, 4 NMI,
				 * 5 INIT, 6 SIPI, 7 ExtINT */
	u8 vector;
	bool level;		/* level-triggered (sets TMR) */
	bool assert;		/* INIT level de-assert has assert == false */
	struct hxen_vcpu *src;	/* sender, for shorthands; NULL for devices */
};

/* x86/irqchip/lapic.c */
/* Deliver to every matching local APIC; returns how many accepted it. */
int hxen_lapic_deliver(struct hxen_vm *vm, const struct hxen_apic_irq *irq);
/* The PIC's output changed: wake the vCPU that accepts ExtINT. */
void hxen_lapic_extint_changed(struct hxen_vm *vm);
/*
 * Guest access to a local APIC's MMIO page (the accessing vCPU's
 * apic_base): 0 if handled, -ENODEV if @gpa is not its APIC page.
 */
int hxen_lapic_mmio_read(struct hxen_vcpu *vcpu, u64 gpa, u32 len, void *val);
int hxen_lapic_mmio_write(struct hxen_vcpu *vcpu, u64 gpa, u32 len, const void *val);

/* x86/irqchip/ioapic.c: a LAPIC took an EOI for a level-triggered @vector. */
void hxen_ioapic_eoi(struct hxen_vm *vm, u8 vector);

/* x86/irqchip/pic.c: the master PIC's INTR output, and its INTA cycle (a vector). */
bool hxen_pic_has_interrupt(struct hxen_vm *vm);
int hxen_pic_ack(struct hxen_vm *vm);

/* x86/irqchip/irq.c: drive GSI @gsi to @level through the routing table. */
int hxen_irq_set(struct hxen_vm *vm, u32 gsi, int level);
/* An MSI write (address/data as on the bus) to the local APICs. */
int hxen_msi_deliver(struct hxen_vm *vm, u64 addr, u32 data);
/* vm->irqchip exists (KVM_CREATE_IRQCHIP done). */
bool hxen_irqchip_in_kernel(struct hxen_vm *vm);

/* x86/irqchip/irq.c: the VM's in-kernel irqchip and PIT. */
#define HXEN_MAX_IRQ_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES: entries and GSIs */
/* The irqchip and PIT VM ioctls; -ENOTTY for others. */
long hxen_irq_vm_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp);
/* VM teardown: stop device timers before the vCPUs go, free all after. */
void hxen_irq_vm_stop(struct hxen_vm *vm);
void hxen_irq_vm_free(struct hxen_vm *vm);

#endif /* HXEN_IRQCHIP_H */
