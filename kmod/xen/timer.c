// SPDX-License-Identifier: GPL-2.0
/*
 * Xen vCPU timers: the singleshot timer (set_timer_op,
 * VCPUOP_set/stop_singleshot_timer) and the periodic timer
 * (VCPUOP_set/stop_periodic_timer). Both are host hrtimers on
 * CLOCK_MONOTONIC expiring in hard-irq context; expiry raises VIRQ_TIMER
 * on the vCPU through the event-channel code (evtchn_lock is a raw
 * spinlock taken irqsave, so that is allowed there) and wakes the vCPU
 * (out of HLT, SCHEDOP_block or SCHEDOP_poll).
 *
 * Xen system time is ns since HXEN_XEN_ENABLE on the host's monotonic
 * clock (xen->boot_ns), the same clock vcpu_info.time describes, so an
 * absolute timeout the guest computes from its PV clock maps to
 * boot_ns + timeout on the host.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/timekeeping.h>
#include <xen/interface/xen.h>
#include <xen/interface/vcpu.h>

#include "../x86/irqchip/irqchip.h"
#include "internal.h"

/*
 * Xen's bounds for VCPUOP_set_periodic_timer: at least 1 ms, at most
 * STIME_DELTA_MAX (2^62 - 1 ns).
 */
#define XEN_PERIOD_MIN_NS	NSEC_PER_MSEC
#define XEN_STIME_DELTA_MAX	((u64)~0ULL >> 2)
/*
 * set_timer_op: timeouts that went negative or lie more than 2^50 ns
 * (about 13 days) ahead come from guest jiffies wrapping; Xen fires them
 * in 100 ms rather than never or at once.
 */
#define XEN_TIMER_FAR_SHIFT	50
#define XEN_TIMER_FAR_DELAY_NS	(100 * NSEC_PER_MSEC)

u64 hxen_xen_now(struct hxen_xen *xen)
{
	return ktime_get_ns() - xen->boot_ns;
}

/* Xen system time @t as a host CLOCK_MONOTONIC expiry. */
static ktime_t xen_expiry(struct hxen_xen *xen, u64 t)
{
	if (t > (u64)KTIME_MAX - xen->boot_ns)
		return KTIME_MAX;
	return ns_to_ktime(xen->boot_ns + t);
}

/* Any context (hard irq from the hrtimers). */
static void xen_timer_fire(struct hxen_xen_vcpu *xv)
{
	struct hxen_vcpu *vcpu = READ_ONCE(xv->vcpu);
	struct hxen_xen *xen = vcpu->vm->xen;
	unsigned long flags;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	/* Not bound: dropped, as on Xen (it still ends a block, see sched.c). */
	hxen_evtchn_send_virq(&xen->evtchn, vcpu->id, VIRQ_TIMER);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	WRITE_ONCE(xv->timer_fired, true);
	hxen_vcpu_wake(vcpu);
}

static enum hrtimer_restart xen_singleshot_fn(struct hrtimer *t)
{
	xen_timer_fire(container_of(t, struct hxen_xen_vcpu, singleshot));
	return HRTIMER_NORESTART;
}

static enum hrtimer_restart xen_periodic_fn(struct hrtimer *t)
{
	struct hxen_xen_vcpu *xv = container_of(t, struct hxen_xen_vcpu, periodic);
	u64 period = READ_ONCE(xv->period_ns);

	if (!period)
		return HRTIMER_NORESTART;
	xen_timer_fire(xv);
	/* Missed periods collapse into this one event (Xen does the same). */
	hrtimer_forward_now(t, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

/* KVM_CREATE_VCPU (hxen_xen_vcpu_attach), before any hypercall. */
void hxen_xen_timer_init(struct hxen_xen_vcpu *xv)
{
	hrtimer_init(&xv->singleshot, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	xv->singleshot.function = xen_singleshot_fn;
	hrtimer_init(&xv->periodic, CLOCK_MONOTONIC, HRTIMER_MODE_REL_HARD);
	xv->periodic.function = xen_periodic_fn;
}

/* VM teardown: no vCPU thread runs any more, so nothing re-arms them. */
void hxen_xen_timer_cancel(struct hxen_xen_vcpu *xv)
{
	WRITE_ONCE(xv->period_ns, 0);
	hrtimer_cancel(&xv->periodic);
	hrtimer_cancel(&xv->singleshot);
}

static void xen_singleshot_start(struct hxen_vcpu *vcpu, u64 t)
{
	hrtimer_start(&vcpu->xen->singleshot, xen_expiry(vcpu->vm->xen, t),
		      HRTIMER_MODE_ABS_HARD);
}

/* set_timer_op: always 0 (Xen). */
long hxen_xen_set_timer_op(struct hxen_vcpu *vcpu, u64 timeout)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	u64 now = hxen_xen_now(xen);
	s64 offset = timeout - now;

	if (!timeout) {
		hrtimer_cancel(&vcpu->xen->singleshot);
		return 0;
	}
	if ((s64)timeout < 0 || (offset > 0 && (offset >> XEN_TIMER_FAR_SHIFT))) {
		timeout = now + XEN_TIMER_FAR_DELAY_NS;
	} else if (offset <= 0) {
		/*
		 * Due already: the event before the guest runs again (Xen's
		 * timer softirq runs on the way back to the guest).
		 */
		hrtimer_cancel(&vcpu->xen->singleshot);
		xen_timer_fire(vcpu->xen);
		return 0;
	}
	xen_singleshot_start(vcpu, timeout);
	return 0;
}

/* VCPUOP_set_singleshot_timer on the calling vCPU (the caller checks). */
long hxen_xen_set_singleshot(struct hxen_vcpu *vcpu, u64 timeout, u32 flags)
{
	if (timeout < hxen_xen_now(vcpu->vm->xen)) {
		if (flags & VCPU_SSHOTTMR_future)
			return -ETIME;
		/* Already due: the event now, as Xen does. */
		hrtimer_cancel(&vcpu->xen->singleshot);
		xen_timer_fire(vcpu->xen);
		return 0;
	}
	xen_singleshot_start(vcpu, timeout);
	return 0;
}

void hxen_xen_stop_singleshot(struct hxen_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->xen->singleshot);
}

/* VCPUOP_set_periodic_timer (@period_ns != 0) / stop_periodic_timer (0). */
long hxen_xen_set_periodic(struct hxen_xen_vcpu *xv, u64 period_ns)
{
	if (period_ns && (period_ns < XEN_PERIOD_MIN_NS || period_ns > XEN_STIME_DELTA_MAX))
		return -EINVAL;
	/*
	 * Stop first: the callback must not re-arm with the old period
	 * after the new one is in place.
	 */
	WRITE_ONCE(xv->period_ns, 0);
	hrtimer_cancel(&xv->periodic);
	if (!period_ns)
		return 0;
	WRITE_ONCE(xv->period_ns, period_ns);
	hrtimer_start(&xv->periodic, ns_to_ktime(period_ns), HRTIMER_MODE_REL_HARD);
	return 0;
}
