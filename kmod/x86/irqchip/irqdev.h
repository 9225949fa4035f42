/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private state of the in-kernel PICs, IOAPIC, PIT and GSI routing
 * (x86/irqchip/pic.c, ioapic.c, pit.c, irq.c). The contract with the rest of hxen
 * is x86/irqchip/irqchip.h; this header is only for those files and vm.c.
 */
#ifndef HXEN_IRQDEV_H
#define HXEN_IRQDEV_H

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include "irqchip.h"
#include "../../iobus.h"

#define HXEN_PIC_PINS		16
#define HXEN_IOAPIC_PINS	24	/* KVM_IOAPIC_NUM_PINS */
#define HXEN_IOAPIC_BASE	0xfec00000ULL
#define HXEN_IOAPIC_SIZE	0x100

/*
 * Who drives a line: a pin's level is the OR of its sources, so a device
 * model in the kernel (the PIT) and userspace (KVM_IRQ_LINE) sharing a
 * GSI do not cancel each other's assertions.
 */
enum { HXEN_IRQ_SRC_USER, HXEN_IRQ_SRC_KERNEL };

/* One 8259A; the fields mirror struct kvm_pic_state. */
struct hxen_pic_chip {
	u8 last_irr;		/* input levels as last sampled (edge detection) */
	u8 irr;
	u8 imr;
	u8 isr;
	u8 priority_add;	/* the IR with the highest priority */
	u8 irq_base;		/* ICW2 vector base */
	u8 read_reg_select;	/* OCW3 RR/RIS: 1 = reads return ISR */
	u8 poll;		/* OCW3 poll command pending */
	u8 special_mask;
	u8 init_state;		/* 0 ready, 1-3 expecting ICW2-ICW4 */
	u8 auto_eoi;
	u8 rotate_on_auto_eoi;
	u8 special_fully_nested_mode;
	u8 init4;		/* ICW1 IC4: an ICW4 follows */
	u8 elcr;		/* ELCR: 1 = level-triggered */
	u8 elcr_mask;		/* lines whose ELCR bit is writable */
};

/* The master/slave pair. */
struct hxen_pic {
	/*
	 * Raw, taken irqsave: lines are raised from hardirq (the PIT's
	 * hrtimer) and the INTA comes from the run loop with interrupts off.
	 */
	raw_spinlock_t lock;
	struct hxen_pic_chip chip[2];	/* 0 master, 1 slave; under lock */
	u8 src_level[HXEN_PIC_PINS];	/* BIT(HXEN_IRQ_SRC_*) asserting; under lock */
	bool output;			/* master INTR; under lock */
};

struct hxen_ioapic {
	/* Raw, irqsave (as the PIC's); held while calling hxen_lapic_deliver(). */
	raw_spinlock_t lock;
	/* All below under lock; mirror struct kvm_ioapic_state. */
	u64 base_address;
	u32 ioregsel;
	u32 id;
	u32 irr;			/* pins asserted (sources ORed) */
	u64 redir[HXEN_IOAPIC_PINS];
	u8 src_level[HXEN_IOAPIC_PINS];	/* BIT(HXEN_IRQ_SRC_*) asserting */
};

/* One routing entry: a GSI to an irqchip pin or an MSI. */
struct hxen_route {
	u32 gsi;
	u32 type;		/* KVM_IRQ_ROUTING_IRQCHIP or _MSI */
	union {
		struct {
			u32 chip;	/* KVM_IRQCHIP_PIC_MASTER/_SLAVE/_IOAPIC */
			u32 pin;	/* PIC: 0-15 (slave +8); IOAPIC 0-23 */
		} irqchip;
		struct {
			u64 addr;
			u32 data;
		} msi;
	};
};

/* An immutable routing table, published with RCU. */
struct hxen_routing {
	struct rcu_head rcu;
	u32 nr;
	struct hxen_route e[];
};

struct hxen_irqchip {
	struct hxen_vm *vm;
	struct hxen_pic pic;
	struct hxen_ioapic ioapic;
	/* Readers: rcu_read_lock (any context). Writers: routing_lock. */
	struct hxen_routing __rcu *routing;
	struct mutex routing_lock;
};

/* i8254 channel; the fields mirror struct kvm_pit_channel_state. */
struct hxen_pit_channel {
	u32 count;		/* reload value, 1-0x10000 */
	u16 latched_count;
	u8 count_latched;	/* rw mode of a latched count still to read, 0 none */
	u8 status_latched;
	u8 status;
	u8 read_state;
	u8 write_state;
	u8 write_latch;
	u8 rw_mode;
	u8 mode;
	u8 bcd;
	u8 gate;
	ktime_t count_load_time;	/* when counting (re)started at start_count */
	/* Not in the ABI: */
	u32 start_count;	/* counter value at count_load_time (or held) */
	bool armed;		/* a count was written since the control word */
	bool running;		/* counting now (armed, gate/trigger allow) */
	bool out_high;		/* mode 0: terminal count reached while held */
};

struct hxen_pit {
	struct hxen_vm *vm;
	/* Raw, irqsave: the hrtimer callback runs in hardirq context (_HARD). */
	raw_spinlock_t lock;
	struct hxen_pit_channel ch[3];	/* under lock */
	u32 flags;			/* KVM_PIT_FLAGS_*; under lock */
	u8 speaker_data;		/* port 0x61 bit 1; under lock */
	/*
	 * Channel 0's interrupts: the timer is queued only with timer_on;
	 * period_ns 0 = one-shot. Under lock. The callback treats an expiry
	 * as stale if the timer was re-queued or turned off meanwhile.
	 */
	struct hrtimer timer;
	bool timer_on;
	u64 period_ns;
	bool dying;			/* no re-arming: the VM is going */
};

/* irq.c */
int hxen_irq_set_src(struct hxen_vm *vm, int src, u32 gsi, int level);

/* pic.c */
void hxen_pic_init(struct hxen_irqchip *chip);
int hxen_pic_set_irq(struct hxen_irqchip *chip, int src, u32 pin, int level);
void hxen_pic_get_state(struct hxen_irqchip *chip, int id, struct kvm_pic_state *s);
void hxen_pic_set_state(struct hxen_irqchip *chip, int id, const struct kvm_pic_state *s);
int hxen_pic_register(struct hxen_vm *vm, struct hxen_irqchip *chip);

/* ioapic.c */
void hxen_ioapic_init(struct hxen_irqchip *chip);
int hxen_ioapic_set_irq(struct hxen_irqchip *chip, int src, u32 pin, int level);
void hxen_ioapic_get_state(struct hxen_irqchip *chip, struct kvm_ioapic_state *s);
void hxen_ioapic_set_state(struct hxen_irqchip *chip, const struct kvm_ioapic_state *s);
int hxen_ioapic_register(struct hxen_vm *vm, struct hxen_irqchip *chip);

/* pit.c */
long hxen_pit_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp);
void hxen_pit_destroy(struct hxen_vm *vm);

#endif /* HXEN_IRQDEV_H */
