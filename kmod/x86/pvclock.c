// SPDX-License-Identifier: GPL-2.0
/*
 * pvclock arithmetic shared by Xen's PV time and kvm-clock (pvclock.h).
 */
#include <linux/irqflags.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <linux/ktime.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "../hxen.h"
#include "../vendor.h"
#include "pvclock.h"

/*
 * mul and shift for the host TSC rate, which is also the guest's (no TSC
 * scaling): bring the rate into (1e9, 2e9] Hz by shifting, so that
 * mul = 2^32 * 1e9 / rate lies in [2^31, 2^32).
 */
static void pvclock_scale(u32 *mul, s8 *shift)
{
	u64 hz = (u64)tsc_khz * 1000;
	int s = 0;

	if (!hz)
		hz = NSEC_PER_SEC;
	while (hz > 2 * NSEC_PER_SEC) {
		hz >>= 1;
		s--;
	}
	while (hz <= NSEC_PER_SEC) {
		hz <<= 1;
		s++;
	}
	*mul = div64_u64((u64)NSEC_PER_SEC << 32, hz);
	*shift = s;
}

u64 hxen_pvclock_delta_ns(u64 tsc, u64 now)
{
	u64 delta = now - tsc;
	u32 mul;
	s8 shift;

	pvclock_scale(&mul, &shift);
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return mul_u64_u32_shr(delta, mul, 32);
}

void hxen_pvclock_fill(struct pvclock_vcpu_time_info *t, u64 tsc, u64 system_ns, u8 flags)
{
	pvclock_scale(&t->tsc_to_system_mul, &t->tsc_shift);
	t->tsc_timestamp = tsc;
	t->system_time = system_ns;
	t->flags = flags;
}

void hxen_pvclock_sample(struct hxen_vcpu *vcpu, u64 *tsc, u64 *mono_ns)
{
	unsigned long irqflags;

	local_irq_save(irqflags);
	/* Both vendors keep the TSC offset in memory: no need to be loaded. */
	if (hxen_ops->get_msr(vcpu, MSR_IA32_TSC, tsc))
		*tsc = rdtsc();
	*mono_ns = ktime_get_ns();
	local_irq_restore(irqflags);
}
