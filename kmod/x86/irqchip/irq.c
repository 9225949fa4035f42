// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel irqchip as a whole: KVM_CREATE_IRQCHIP (two 8259As and an
 * IOAPIC), GSI routing (KVM_SET_GSI_ROUTING), KVM_IRQ_LINE(_STATUS),
 * MSIs (KVM_SIGNAL_MSI, MSI routes), KVM_GET/SET_IRQCHIP; and the VM
 * ioctl entry point for the PIT.
 *
 * The routing table is immutable once published: readers (any context,
 * hardirq included) use rcu_read_lock; KVM_SET_GSI_ROUTING builds a new
 * table and swaps it in under routing_lock.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/uaccess.h>

#include "../../hxen.h"
#include "irqdev.h"

bool hxen_irqchip_in_kernel(struct hxen_vm *vm)
{
	return !!smp_load_acquire(&vm->irqchip);
}

static int route_cmp(const void *a, const void *b)
{
	const struct hxen_route *x = a, *y = b;

	return x->gsi < y->gsi ? -1 : x->gsi > y->gsi;
}

/*
 * Check and sort a new table. KVM's rules: a GSI maps to at most one pin
 * per irqchip, and an MSI route must be its GSI's only entry.
 */
static int routing_check(struct hxen_routing *rt)
{
	u32 i, j;

	sort(rt->e, rt->nr, sizeof(rt->e[0]), route_cmp, NULL);
	for (i = 0; i < rt->nr; i = j) {
		for (j = i + 1; j < rt->nr && rt->e[j].gsi == rt->e[i].gsi; j++) {
			u32 k;

			for (k = i; k < j; k++) {
				if (rt->e[j].type != KVM_IRQ_ROUTING_IRQCHIP ||
				    rt->e[k].type != KVM_IRQ_ROUTING_IRQCHIP)
					return -EINVAL;
				if (rt->e[j].irqchip.chip == rt->e[k].irqchip.chip)
					return -EINVAL;
			}
		}
	}
	return 0;
}

static int route_from_user(struct hxen_route *r, const struct kvm_irq_routing_entry *ue)
{
	if (ue->gsi >= HXEN_MAX_IRQ_ROUTES)
		return -EINVAL;
	r->gsi = ue->gsi;
	r->type = ue->type;
	switch (ue->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (ue->flags)
			return -EINVAL;
		r->irqchip.chip = ue->u.irqchip.irqchip;
		r->irqchip.pin = ue->u.irqchip.pin;
		switch (ue->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_MASTER:
		case KVM_IRQCHIP_PIC_SLAVE:
			if (ue->u.irqchip.pin >= 8)
				return -EINVAL;
			/* One 16-pin PIC pair: the slave's pins are 8-15. */
			if (ue->u.irqchip.irqchip == KVM_IRQCHIP_PIC_SLAVE)
				r->irqchip.pin += 8;
			return 0;
		case KVM_IRQCHIP_IOAPIC:
			return ue->u.irqchip.pin < HXEN_IOAPIC_PINS ? 0 : -EINVAL;
		default:
			return -EINVAL;
		}
	case KVM_IRQ_ROUTING_MSI:
		/* A device ID is accepted and not needed on x86 (as KVM). */
		if (ue->flags & ~KVM_MSI_VALID_DEVID)
			return -EINVAL;
		r->msi.addr = ((u64)ue->u.msi.address_hi << 32) | ue->u.msi.address_lo;
		r->msi.data = ue->u.msi.data;
		return 0;
	default:
		return -EINVAL;
	}
}

static void routing_publish(struct hxen_irqchip *chip, struct hxen_routing *rt)
{
	struct hxen_routing *old;

	mutex_lock(&chip->routing_lock);
	old = rcu_dereference_protected(chip->routing, lockdep_is_held(&chip->routing_lock));
	rcu_assign_pointer(chip->routing, rt);
	mutex_unlock(&chip->routing_lock);
	if (old)
		kvfree_rcu(old, rcu);
}

/* KVM's default: GSI 0-15 to the PIC and IOAPIC pin alike, 16-23 IOAPIC only. */
static struct hxen_routing *routing_default(void)
{
	struct hxen_routing *rt;
	u32 gsi, n = 0;

	rt = kzalloc(struct_size(rt, e, HXEN_PIC_PINS + HXEN_IOAPIC_PINS), GFP_KERNEL_ACCOUNT);
	if (!rt)
		return NULL;
	for (gsi = 0; gsi < HXEN_IOAPIC_PINS; gsi++) {
		if (gsi < HXEN_PIC_PINS)
			rt->e[n++] = (struct hxen_route){
				.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.irqchip = { gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
					     KVM_IRQCHIP_PIC_SLAVE, gsi },
			};
		rt->e[n++] = (struct hxen_route){
			.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.irqchip = { KVM_IRQCHIP_IOAPIC, gsi },
		};
	}
	rt->nr = n;
	return rt;
}

static long set_gsi_routing(struct hxen_vm *vm, struct kvm_irq_routing __user *argp)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vm->irqchip);
	struct kvm_irq_routing_entry *ue = NULL;
	struct kvm_irq_routing hdr;
	struct hxen_routing *rt;
	long r = 0;
	u32 i;

	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	/* Without an in-kernel irqchip there is nothing to route to (KVM: EINVAL). */
	if (!chip || hdr.nr > HXEN_MAX_IRQ_ROUTES || hdr.flags)
		return -EINVAL;
	if (hdr.nr) {
		ue = vmemdup_user(argp->entries, array_size(hdr.nr, sizeof(*ue)));
		if (IS_ERR(ue))
			return PTR_ERR(ue);
	}
	rt = kvzalloc(struct_size(rt, e, hdr.nr), GFP_KERNEL_ACCOUNT);
	if (!rt) {
		kvfree(ue);
		return -ENOMEM;
	}
	rt->nr = hdr.nr;
	for (i = 0; i < hdr.nr && !r; i++)
		r = route_from_user(&rt->e[i], &ue[i]);
	kvfree(ue);
	if (!r)
		r = routing_check(rt);
	if (r) {
		kvfree(rt);
		return r;
	}
	routing_publish(chip, rt);
	return 0;
}

/*
 * KVM's status convention, also KVM_IRQ_LINE_STATUS's: > 0 delivered (to
 * that many targets), 0 coalesced with one still pending, < 0 ignored
 * (masked, or no route).
 */
static int status_add(int total, int r)
{
	if (r < 0)
		return total;
	return total < 0 ? r : total + r;
}

int hxen_irq_set_src(struct hxen_vm *vm, int src, u32 gsi, int level)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vm->irqchip);
	struct hxen_routing *rt;
	int ret = -1;
	u32 lo, hi;

	if (!chip)
		return -ENXIO;
	rcu_read_lock();
	rt = rcu_dereference(chip->routing);
	/* The table is sorted by GSI: find its first entry. */
	lo = 0;
	hi = rt ? rt->nr : 0;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (rt->e[mid].gsi < gsi)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; rt && lo < rt->nr && rt->e[lo].gsi == gsi; lo++) {
		const struct hxen_route *e = &rt->e[lo];
		int r = -1;

		if (e->type == KVM_IRQ_ROUTING_MSI) {
			/* An MSI is a message: only the assertion sends it. */
			if (level)
				r = hxen_msi_deliver(vm, e->msi.addr, e->msi.data);
		} else if (e->irqchip.chip == KVM_IRQCHIP_IOAPIC) {
			r = hxen_ioapic_set_irq(chip, src, e->irqchip.pin, level);
		} else {
			r = hxen_pic_set_irq(chip, src, e->irqchip.pin, level);
		}
		ret = status_add(ret, r);
	}
	rcu_read_unlock();
	return ret;
}

int hxen_irq_set(struct hxen_vm *vm, u32 gsi, int level)
{
	return hxen_irq_set_src(vm, HXEN_IRQ_SRC_KERNEL, gsi, level);
}

/*
 * An MSI as written on the bus (Intel SDM 11.11 / APM 16.7): address
 * 0xFEExxxxx with the destination in bits 19:12 and the destination mode
 * in bit 2; data holds the vector, delivery mode and trigger mode.
 */
int hxen_msi_deliver(struct hxen_vm *vm, u64 addr, u32 data)
{
	struct hxen_apic_irq irq = {
		.dest = (addr >> 12) & 0xff,
		.dest_logical = !!(addr & BIT(2)),
		.delivery_mode = (data >> 8) & 7,
		.vector = data & 0xff,
		.level = !!(data & BIT(15)),
		.assert = true,
	};

	return hxen_lapic_deliver(vm, &irq);
}

static int irqchip_create(struct hxen_vm *vm)
{
	struct hxen_irqchip *chip;
	struct hxen_routing *rt;
	int r;

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (vm->irqchip)
		goto out;
	/* Local APICs come with vCPUs created after this (KVM: EINVAL). */
	r = -EINVAL;
	if (atomic_read(&vm->nr_vcpus))
		goto out;
	r = -ENOMEM;
	chip = kzalloc(sizeof(*chip), GFP_KERNEL_ACCOUNT);
	rt = routing_default();
	if (!chip || !rt) {
		kfree(chip);
		kfree(rt);
		goto out;
	}
	chip->vm = vm;
	mutex_init(&chip->routing_lock);
	RCU_INIT_POINTER(chip->routing, rt);
	hxen_pic_init(chip);
	hxen_ioapic_init(chip);
	/*
	 * The devices find their state through vm->irqchip, so ranges left
	 * registered by a failure here are harmless (they decline, and a
	 * retry registers the same ranges again).
	 */
	r = hxen_pic_register(vm, chip);
	if (!r)
		r = hxen_ioapic_register(vm, chip);
	if (r) {
		kfree(rt);
		kfree(chip);
		goto out;
	}
	smp_store_release(&vm->irqchip, chip);
out:
	mutex_unlock(&vm->lock);
	return r;
}

static long irqchip_get_set(struct hxen_vm *vm, struct kvm_irqchip __user *argp, bool set)
{
	struct hxen_irqchip *chip = smp_load_acquire(&vm->irqchip);
	struct kvm_irqchip *ic;
	long r = 0;

	ic = memdup_user(argp, sizeof(*ic));
	if (IS_ERR(ic))
		return PTR_ERR(ic);
	if (!chip) {
		r = -ENXIO;
		goto out;
	}
	switch (ic->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		if (set)
			hxen_pic_set_state(chip, ic->chip_id, &ic->chip.pic);
		else
			hxen_pic_get_state(chip, ic->chip_id, &ic->chip.pic);
		break;
	case KVM_IRQCHIP_IOAPIC:
		if (set)
			hxen_ioapic_set_state(chip, &ic->chip.ioapic);
		else
			hxen_ioapic_get_state(chip, &ic->chip.ioapic);
		break;
	default:
		r = -EINVAL;
	}
	if (!r && !set && copy_to_user(argp, ic, sizeof(*ic)))
		r = -EFAULT;
out:
	kfree(ic);
	return r;
}

static long irq_line(struct hxen_vm *vm, struct kvm_irq_level __user *argp, bool status)
{
	struct kvm_irq_level l;

	if (copy_from_user(&l, argp, sizeof(l)))
		return -EFAULT;
	if (!hxen_irqchip_in_kernel(vm))
		return -ENXIO;
	l.status = hxen_irq_set_src(vm, HXEN_IRQ_SRC_USER, l.irq, !!l.level);
	if (status && copy_to_user(argp, &l, sizeof(l)))
		return -EFAULT;
	return 0;
}

static long signal_msi(struct hxen_vm *vm, struct kvm_msi __user *argp)
{
	struct kvm_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (!hxen_irqchip_in_kernel(vm) || (msi.flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	/* address_hi is ignored without the x2APIC API (api.rst). */
	return hxen_msi_deliver(vm, msi.address_lo, msi.data);
}

/* The VM ioctls of the irqchip and the PIT; -ENOTTY for any other. */
long hxen_irq_vm_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp)
{
	switch (ioctl) {
	case KVM_CREATE_IRQCHIP:
		return irqchip_create(vm);
	case KVM_IRQ_LINE:
		return irq_line(vm, argp, false);
	case KVM_IRQ_LINE_STATUS:
		return irq_line(vm, argp, true);
	case KVM_GET_IRQCHIP:
		return irqchip_get_set(vm, argp, false);
	case KVM_SET_IRQCHIP:
		return irqchip_get_set(vm, argp, true);
	case KVM_SET_GSI_ROUTING:
		return set_gsi_routing(vm, argp);
	case KVM_SIGNAL_MSI:
		return signal_msi(vm, argp);
	case KVM_CREATE_PIT2:
	case KVM_GET_PIT2:
	case KVM_SET_PIT2:
		return hxen_pit_ioctl(vm, ioctl, argp);
	default:
		return -ENOTTY;
	}
}

/* Before the vCPUs go: nothing may fire into them afterwards. */
void hxen_irq_vm_stop(struct hxen_vm *vm)
{
	hxen_pit_destroy(vm);
}

/* Last: no vCPU runs and no ioctl is in flight any more. */
void hxen_irq_vm_free(struct hxen_vm *vm)
{
	struct hxen_irqchip *chip = vm->irqchip;

	if (chip) {
		kvfree(rcu_dereference_protected(chip->routing, 1));
		kfree(chip);
		vm->irqchip = NULL;
	}
	hxen_iobus_destroy(vm);
}

