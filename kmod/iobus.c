// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel device bus: guest port I/O and MMIO that a device model in
 * the kernel (PIC, PIT, IOAPIC; the local APIC first for MMIO) completes
 * without an exit to userspace.
 *
 * Devices are registered while vCPUs may run (KVM_CREATE_PIT2 after the
 * vCPUs exist), so each bus is an immutable array published with RCU:
 * lookups take rcu_read_lock only; registration copies the array under
 * iobus_mutex and frees the old one after a grace period. Nothing is ever
 * unregistered before the VM goes.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>

#include "hxen.h"
#include "iobus.h"
#include "x86/irqchip/irqchip.h"
#include "x86/irqchip/irqdev.h"

struct hxen_io_range {
	u64 base, len;
	const struct hxen_io_dev_ops *ops;
	void *opaque;
};

struct hxen_io_ranges {
	struct rcu_head rcu;
	unsigned int nr;
	struct hxen_io_range r[];
};

struct hxen_iobus {
	/* Readers: rcu_read_lock. Writers: iobus_mutex. */
	struct hxen_io_ranges __rcu *bus[2];	/* by enum hxen_bus */
};

/* Serialises registration (rare: device creation) across all VMs. */
static DEFINE_MUTEX(iobus_mutex);

int hxen_iobus_register(struct hxen_vm *vm, enum hxen_bus bus, u64 base, u64 len,
			const struct hxen_io_dev_ops *ops, void *opaque)
{
	struct hxen_io_ranges *old, *new;
	struct hxen_iobus *iob;
	unsigned int i, n;
	int r = 0;

	if ((bus != HXEN_BUS_PIO && bus != HXEN_BUS_MMIO) || !len || base + len < base)
		return -EINVAL;
	mutex_lock(&iobus_mutex);
	iob = vm->iobus;
	if (!iob) {
		iob = kzalloc(sizeof(*iob), GFP_KERNEL_ACCOUNT);
		if (!iob) {
			r = -ENOMEM;
			goto out;
		}
		smp_store_release(&vm->iobus, iob);
	}
	old = rcu_dereference_protected(iob->bus[bus], lockdep_is_held(&iobus_mutex));
	n = old ? old->nr : 0;
	for (i = 0; i < n; i++) {
		const struct hxen_io_range *o = &old->r[i];

		/* The same device again (a retried creation): already there. */
		if (o->base == base && o->len == len && o->ops == ops && o->opaque == opaque)
			goto out;
		if (base < o->base + o->len && o->base < base + len) {
			r = -EEXIST;
			goto out;
		}
	}
	new = kmalloc(struct_size(new, r, n + 1), GFP_KERNEL_ACCOUNT);
	if (!new) {
		r = -ENOMEM;
		goto out;
	}
	new->nr = n + 1;
	if (n)
		memcpy(new->r, old->r, n * sizeof(new->r[0]));
	new->r[n] = (struct hxen_io_range){ base, len, ops, opaque };
	rcu_assign_pointer(iob->bus[bus], new);
	if (old)
		kfree_rcu(old, rcu);
out:
	mutex_unlock(&iobus_mutex);
	return r;
}

/* Under rcu_read_lock: the device wholly covering [addr, addr + len). */
static const struct hxen_io_range *iobus_find(struct hxen_vm *vm, enum hxen_bus bus,
					      u64 addr, u32 len)
{
	struct hxen_iobus *iob = smp_load_acquire(&vm->iobus);
	struct hxen_io_ranges *rs;
	unsigned int i;

	if (!iob)
		return NULL;
	rs = rcu_dereference(iob->bus[bus]);
	for (i = 0; rs && i < rs->nr; i++) {
		const struct hxen_io_range *d = &rs->r[i];

		if (addr >= d->base && addr - d->base < d->len && len <= d->len - (addr - d->base))
			return d;
	}
	return NULL;
}

bool hxen_iobus_pio_claims(struct hxen_vm *vm, u16 port, u32 len)
{
	bool r;

	rcu_read_lock();
	r = iobus_find(vm, HXEN_BUS_PIO, port, len);
	rcu_read_unlock();
	return r;
}

/*
 * Device callbacks run under rcu_read_lock (they must not sleep); a
 * device answers -ENODEV to decline (e.g. its state is gone or moved).
 */
int hxen_iobus_read(struct hxen_vcpu *vcpu, enum hxen_bus bus, u64 addr, u32 len,
		    void *val)
{
	const struct hxen_io_range *d;
	int r = -ENODEV;

	if (bus == HXEN_BUS_MMIO && vcpu->lapic) {
		r = hxen_lapic_mmio_read(vcpu, addr, len, val);
		if (r != -ENODEV)
			return r;
	}
	rcu_read_lock();
	d = iobus_find(vcpu->vm, bus, addr, len);
	if (d)
		r = d->ops->read(vcpu, d->opaque, addr, len, val);
	rcu_read_unlock();
	return r;
}

int hxen_iobus_write(struct hxen_vcpu *vcpu, enum hxen_bus bus, u64 addr, u32 len,
		     const void *val)
{
	const struct hxen_io_range *d;
	int r = -ENODEV;

	if (bus == HXEN_BUS_MMIO && vcpu->lapic) {
		r = hxen_lapic_mmio_write(vcpu, addr, len, val);
		if (r != -ENODEV)
			return r;
	}
	rcu_read_lock();
	d = iobus_find(vcpu->vm, bus, addr, len);
	if (d)
		r = d->ops->write(vcpu, d->opaque, addr, len, val);
	rcu_read_unlock();
	return r;
}

/* VM teardown: no vCPU runs any more. */
void hxen_iobus_destroy(struct hxen_vm *vm)
{
	struct hxen_iobus *iob = vm->iobus;
	int i;

	if (!iob)
		return;
	for (i = 0; i < ARRAY_SIZE(iob->bus); i++)
		kfree(rcu_dereference_protected(iob->bus[i], 1));
	kfree(iob);
	vm->iobus = NULL;
}
