/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pvclock time record (struct pvclock_vcpu_time_info) both paravirtual
 * clocks publish: Xen's vcpu_info.time (xen/xen.c) and kvm-clock
 * (x86/kvmclock.c). Guests compute ns = system_time +
 * (((tsc - tsc_timestamp) << shift) * mul >> 32), shift negative meaning
 * a right shift.
 */
#ifndef HXEN_X86_PVCLOCK_H
#define HXEN_X86_PVCLOCK_H

#include <linux/types.h>
#include <asm/pvclock-abi.h>

struct hxen_vcpu;

/*
 * Fill @t (all but version) for guest TSC @tsc taken at @system_ns of the
 * guest's clock. @flags: PVCLOCK_* bits.
 */
void hxen_pvclock_fill(struct pvclock_vcpu_time_info *t, u64 tsc, u64 system_ns, u8 flags);

/* What a record filled for @tsc adds to its system_time at TSC @now (>= @tsc). */
u64 hxen_pvclock_delta_ns(u64 tsc, u64 now);

/*
 * The vCPU's TSC and the host's monotonic ns sampled together (interrupts
 * off between the two reads, so the pair describes one instant).
 */
void hxen_pvclock_sample(struct hxen_vcpu *vcpu, u64 *tsc, u64 *mono_ns);

#endif
