// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-clock, the KVM paravirtual clock (Documentation/virt/kvm/x86/msr.rst):
 * the guest names a guest-physical address with MSR_KVM_SYSTEM_TIME(_NEW)
 * and hxen keeps a struct pvclock_vcpu_time_info there; with
 * MSR_KVM_WALL_CLOCK(_NEW) it asks once for the wall-clock time of the
 * clock's zero. Linux reads the TSC rate from the record instead of
 * calibrating against the PIT, which under emulation is slow and
 * unreliable, and uses the clock as its clocksource.
 *
 * The VM's clock is the host's monotonic clock plus vm->kvmclock_offset
 * (0 at VM creation; KVM_SET_CLOCK moves it). Each vCPU publishes its own
 * record from its own thread before entering the guest: when enabled,
 * after KVM_SET_CLOCK, and once a second.
 *
 * While the host's clocksource is the TSC (so the kernel keeps its CPUs'
 * TSCs in step), all records come from one VM-wide sample of the host's
 * TSC and monotonic clock (kvmclock_master), so every vCPU computes the
 * same time from the same TSC and the records carry
 * PVCLOCK_TSC_STABLE_BIT, as KVM's master clock does: guests then trust
 * the clock across CPUs (stable sched_clock, kvm-clock in the vDSO). The
 * VM's clock is then the TSC's pace from that sample, as on KVM; with
 * another host clocksource each vCPU samples for itself, without the bit,
 * and the once-a-second refresh keeps it within microseconds of the host.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/jiffies.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>

#include "../hxen.h"
#include "../vendor.h"
#include "../mmu/mmu.h"
#include "x86.h"
#include "pvclock.h"

#define KVMCLOCK_ENABLE		1ULL

/* The VM's clock now, in ns. */
static u64 kvmclock_now(struct hxen_vm *vm, u64 mono_ns)
{
	return mono_ns + READ_ONCE(vm->kvmclock_offset);
}

/* @len bytes at @gpa, all in one page of a writable RAM slot: host address. */
static void __user *kvmclock_hva(struct hxen_vm *vm, u64 gpa, size_t len)
{
	if ((gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return NULL;
	return (void __user *)hxen_gpa_to_hva(vm, gpa, true);
}

/*
 * Is the host's timekeeping clocksource the TSC? Then the kernel keeps its
 * CPUs' TSCs in step and at one rate, which is KVM's condition for its
 * master clock too. The timekeeping snapshot's counter value is a TSC
 * reading exactly then: it falls between two reads of the TSC around it
 * (HPET or ACPI PM counts never land in that window of a few thousand
 * cycles). A later switch away from the TSC shows at the next refresh.
 */
static bool kvmclock_host_clock_is_tsc(void)
{
	struct system_time_snapshot snap;
	unsigned long flags;
	u64 before, after;

	local_irq_save(flags);
	before = rdtsc_ordered();
	ktime_get_snapshot(&snap);
	after = rdtsc_ordered();
	local_irq_restore(flags);
	return snap.cycles >= before && snap.cycles <= after;
}

/*
 * The VM's master sample for the current kvm-clock generation: false if the
 * host's clock is not the TSC (each vCPU samples for itself then).
 */
static bool kvmclock_master(struct hxen_vm *vm, u64 *host_tsc, u64 *mono_ns)
{
	bool tsc = kvmclock_host_clock_is_tsc(), valid;
	unsigned long flags;
	u32 gen;

	spin_lock_irqsave(&vm->kvmclock_lock, flags);
	/* KVM_SET_CLOCK moves offset and generation under the lock. */
	gen = atomic_read(&vm->kvmclock_gen);
	if (!tsc) {
		vm->kvmclock_master.valid = false;
	} else if (!vm->kvmclock_master.valid || vm->kvmclock_master.gen != gen) {
		/* Interrupts are off: the two reads describe one instant. */
		vm->kvmclock_master.host_tsc = rdtsc();
		vm->kvmclock_master.mono_ns = ktime_get_ns();
		vm->kvmclock_master.gen = gen;
		vm->kvmclock_master.valid = true;
	}
	valid = vm->kvmclock_master.valid;
	*host_tsc = vm->kvmclock_master.host_tsc;
	*mono_ns = vm->kvmclock_master.mono_ns;
	spin_unlock_irqrestore(&vm->kvmclock_lock, flags);
	return valid;
}

/*
 * Write @t to the guest with pvclock's version protocol: an odd version
 * while the fields change. The vCPU's own thread (the guest is not
 * running on it), so only other vCPUs could see a half-written record.
 */
static void kvmclock_publish(struct hxen_vcpu *vcpu)
{
	struct pvclock_vcpu_time_info t = {};
	struct pvclock_vcpu_time_info __user *u;
	u8 flags = 0;
	u64 tsc, mono;

	vcpu->kvmclock.dirty = false;
	vcpu->kvmclock.next = jiffies + HZ;
	u = kvmclock_hva(vcpu->vm, vcpu->kvmclock.msr & ~KVMCLOCK_ENABLE, sizeof(t));
	if (!u)
		return;
	if (kvmclock_master(vcpu->vm, &tsc, &mono)) {
		/* The guest's TSC at the sample: the same instant on every vCPU. */
		tsc += hxen_ops->get_tsc_offset(vcpu);
		flags = PVCLOCK_TSC_STABLE_BIT;
	} else {
		hxen_pvclock_sample(vcpu, &tsc, &mono);
	}
	hxen_pvclock_fill(&t, tsc, kvmclock_now(vcpu->vm, mono), flags);
	t.version = vcpu->kvmclock.version | 1;
	if (put_user(t.version, &u->version))
		return;
	smp_wmb();
	if (!copy_to_user((u8 __user *)u + sizeof(t.version), (u8 *)&t + sizeof(t.version),
			  sizeof(t) - sizeof(t.version))) {
		smp_wmb();
		vcpu->kvmclock.version = t.version + 1;
		put_user(vcpu->kvmclock.version, &u->version);
	}
	/* Dirty logging: written through the host mapping, not the guest's. */
	hxen_mark_gpa_dirty(vcpu->vm, vcpu->kvmclock.msr & ~KVMCLOCK_ENABLE);
}

void hxen_kvmclock_refresh(struct hxen_vcpu *vcpu)
{
	u32 gen = atomic_read(&vcpu->vm->kvmclock_gen);

	if (vcpu->kvmclock.dirty || vcpu->kvmclock.gen != gen ||
	    time_after_eq(jiffies, vcpu->kvmclock.next)) {
		vcpu->kvmclock.gen = gen;
		kvmclock_publish(vcpu);
	}
}

/* struct pvclock_wall_clock at @gpa: the wall-clock time of the clock's 0. */
static void kvmclock_write_wall(struct hxen_vm *vm, u64 gpa)
{
	struct pvclock_wall_clock __user *u = kvmclock_hva(vm, gpa, sizeof(*u));
	u64 wall, sec;
	u32 version;

	if (!u || get_user(version, &u->version))
		return;
	wall = ktime_get_real_ns() - kvmclock_now(vm, ktime_get_ns());
	sec = div_u64(wall, NSEC_PER_SEC);
	/* Continue the guest's sequence, odd while the fields change. */
	version = (version + 1) | 1;
	if (put_user(version, &u->version))
		return;
	smp_wmb();
	if (!put_user((u32)sec, &u->sec) &&
	    !put_user((u32)(wall - sec * NSEC_PER_SEC), &u->nsec)) {
		smp_wmb();
		put_user(version + 1, &u->version);
	}
	hxen_mark_gpa_dirty(vm, gpa);
}

bool hxen_kvmclock_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val)
{
	switch (msr) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		*val = vcpu->kvmclock.msr;
		return true;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		*val = READ_ONCE(vcpu->vm->kvmclock_wall_msr);
		return true;
	default:
		return false;
	}
}

/* Both the old and the new MSR numbers: KVM_FEATURE_CLOCKSOURCE(2). */
bool hxen_kvmclock_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val)
{
	switch (msr) {
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		vcpu->kvmclock.msr = val;
		vcpu->kvmclock.dirty = !!(val & KVMCLOCK_ENABLE);
		return true;
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		WRITE_ONCE(vcpu->vm->kvmclock_wall_msr, val);
		kvmclock_write_wall(vcpu->vm, val);
		return true;
	default:
		return false;
	}
}

/* KVM_CAP_ADJUST_CLOCK: the flags KVM_GET_CLOCK may fill in. */
int hxen_kvmclock_cap(void)
{
	return KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
}

/*
 * The clock the guests read: from the master sample when there is one
 * (KVM_CLOCK_TSC_STABLE, as KVM reports its master clock), else the host's
 * monotonic clock plus the offset.
 */
long hxen_kvmclock_get(struct hxen_vm *vm, struct kvm_clock_data __user *arg)
{
	struct kvm_clock_data d = {};
	unsigned long irqflags;
	u64 mono, m_tsc, m_mono;
	bool master;

	master = kvmclock_master(vm, &m_tsc, &m_mono);
	/* One instant for the three clocks. */
	local_irq_save(irqflags);
	mono = ktime_get_ns();
	d.realtime = ktime_get_real_ns();
	d.host_tsc = rdtsc();
	local_irq_restore(irqflags);
	d.flags = KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
	if (master && d.host_tsc >= m_tsc) {
		d.clock = kvmclock_now(vm, m_mono + hxen_pvclock_delta_ns(m_tsc, d.host_tsc));
		d.flags |= KVM_CLOCK_TSC_STABLE;
	} else {
		d.clock = kvmclock_now(vm, mono);
	}
	return copy_to_user(arg, &d, sizeof(d)) ? -EFAULT : 0;
}

/*
 * KVM_SET_CLOCK: the clock reads @clock now; with KVM_CLOCK_REALTIME,
 * plus the real time that passed since @realtime (a restore after a
 * pause). Every vCPU republishes its record before its next entry.
 */
long hxen_kvmclock_set(struct hxen_vm *vm, struct kvm_clock_data __user *arg)
{
	struct kvm_clock_data d;
	u64 clock, mono, real;

	if (copy_from_user(&d, arg, sizeof(d)))
		return -EFAULT;
	if (d.flags & ~KVM_CLOCK_REALTIME)
		return -EINVAL;
	mono = ktime_get_ns();
	real = ktime_get_real_ns();
	clock = d.clock;
	if ((d.flags & KVM_CLOCK_REALTIME) && real > d.realtime)
		clock += real - d.realtime;
	/* A new generation: the master is sampled afresh, from this offset. */
	spin_lock_irq(&vm->kvmclock_lock);
	WRITE_ONCE(vm->kvmclock_offset, clock - mono);
	atomic_inc(&vm->kvmclock_gen);
	spin_unlock_irq(&vm->kvmclock_lock);
	return 0;
}

/*
 * KVM's CPUID leaves for KVM_GET_SUPPORTED_CPUID: the signature and the
 * features hxen implements: both kvm-clock MSR sets, the "port 0x80
 * delays are not needed" hint (each such OUT would be an exit), and that
 * the records' PVCLOCK_TSC_STABLE_BIT means what it says.
 */
void hxen_kvmclock_cpuid(struct kvm_cpuid_entry2 *sig, struct kvm_cpuid_entry2 *feat)
{
	static const char id[12] = "KVMKVMKVM\0\0\0";

	memset(sig, 0, sizeof(*sig));
	sig->function = KVM_CPUID_SIGNATURE;
	sig->eax = KVM_CPUID_FEATURES;
	memcpy(&sig->ebx, id, 4);
	memcpy(&sig->ecx, id + 4, 4);
	memcpy(&sig->edx, id + 8, 4);
	memset(feat, 0, sizeof(*feat));
	feat->function = KVM_CPUID_FEATURES;
	feat->eax = BIT(KVM_FEATURE_CLOCKSOURCE) | BIT(KVM_FEATURE_NOP_IO_DELAY) |
		    BIT(KVM_FEATURE_CLOCKSOURCE2) | BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
	/* PV EOI (x86/irqchip/pv_eoi.c); armed only with an in-kernel LAPIC. */
	feat->eax |= BIT(KVM_FEATURE_PV_EOI);
	/* Steal time (x86/steal_time.c). */
	if (hxen_steal_time_supported())
		feat->eax |= BIT(KVM_FEATURE_STEAL_TIME);
}
