// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: sched_op. SCHEDOP_shutdown (and shutdown_code,
 * remote_shutdown), SCHEDOP_yield, SCHEDOP_block and SCHEDOP_poll.
 *
 * SCHEDOP_block and SCHEDOP_poll: the vCPU's thread sleeps in the kernel,
 * in the hypercall, on the vCPU's rcuwait (the one KVM_RUN halts on), so
 * every existing wakeup reaches it: event upcalls (xen_raise_upcall ->
 * hxen_vcpu_wake or the LAPIC), LAPIC interrupts, INIT/SIPI, the Xen
 * timers (timer.c), and for poll the EVTCHNOP_send kick. A signal (also
 * how userspace asks an immediate_exit) ends the sleep: the call returns
 * 0, which both operations allow as a spurious wakeup, and the run loop
 * then leaves with -EINTR; the guest resumes after the call.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/bitops.h>
#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/processor-flags.h>
#include <xen/interface/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>

#include "../x86/irqchip/lapic.h"
#include "internal.h"

/* struct vcpu_info: evtchn_upcall_pending, evtchn_upcall_mask (both layouts). */
#define VI_UPCALL_PENDING	0
#define VI_UPCALL_MASK		1

struct xen_poll_args {
	const u32 *ports;
	u32 nr;
};

/* Any interrupt the vCPU's LAPIC holds for it, or INIT/SIPI. */
static bool xen_lapic_wake(struct hxen_vcpu *vcpu)
{
	return vcpu->lapic && (hxen_lapic_has_wake_event(vcpu) ||
			       hxen_lapic_interrupt_ready(vcpu));
}

static bool xen_upcall_pending(struct hxen_vcpu *vcpu)
{
	u8 *vi = hxen_xen_vcpu_info(vcpu->vm->xen, vcpu->id);

	return vi && READ_ONCE(vi[VI_UPCALL_PENDING]);
}

/*
 * SCHEDOP_block ends on an event for the vCPU (with delivery re-enabled,
 * upcall_pending is exactly that), a timer of the vCPU firing (even with
 * VIRQ_TIMER unbound), or an interrupt in its LAPIC.
 */
static bool xen_block_done(struct hxen_vcpu *vcpu, const void *unused)
{
	return xen_upcall_pending(vcpu) || READ_ONCE(vcpu->xen->timer_fired) ||
	       xen_lapic_wake(vcpu);
}

static bool xen_port_pending(struct hxen_xen *xen, u32 port)
{
	/* 4-byte and 8-byte words lay bits out alike (evtchn.h). */
	return test_bit(port, (unsigned long *)(xen->shinfo + HXEN_SHINFO_PENDING));
}

/*
 * SCHEDOP_poll ends when one of the ports is pending (masked or not, as
 * Linux's PV spinlocks rely on), or an event could be delivered now (Xen's
 * local_events_need_delivery: upcall pending and the guest's IF set).
 */
static bool xen_poll_done(struct hxen_vcpu *vcpu, const void *arg)
{
	const struct xen_poll_args *p = arg;
	struct hxen_xen *xen = vcpu->vm->xen;
	u32 i;

	for (i = 0; i < p->nr; i++)
		if (xen_port_pending(xen, p->ports[i]))
			return true;
	return xen_upcall_pending(vcpu) && (hxen_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
}

/*
 * Sleep until @done, a signal, or host monotonic time @deadline (0: none).
 * The caller set any flag wakers look at before calling (rcuwait orders
 * the task pointer against the condition, as in the HLT path).
 */
static void xen_wait(struct hxen_vcpu *vcpu,
		     bool (*done)(struct hxen_vcpu *vcpu, const void *arg),
		     const void *arg, ktime_t deadline)
{
	prepare_to_rcuwait(&vcpu->wait);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (done(vcpu, arg) || signal_pending(current) ||
		    READ_ONCE(vcpu->run->immediate_exit))
			break;
		if (!deadline) {
			schedule();
		} else if (!schedule_hrtimeout(&deadline, HRTIMER_MODE_ABS)) {
			/* 0: the deadline passed. */
			break;
		}
	}
	finish_rcuwait(&vcpu->wait);
}

static long xen_block(struct hxen_vcpu *vcpu)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	struct hxen_xen_vcpu *xv = vcpu->xen;
	u8 *vi = hxen_xen_vcpu_info(xen, vcpu->id);

	/* Xen re-enables event delivery first (vcpu_block_enable_events). */
	if (vi)
		WRITE_ONCE(vi[VI_UPCALL_MASK], 0);
	WRITE_ONCE(xv->timer_fired, false);
	smp_mb();
	if (xen_block_done(vcpu, NULL))
		return 0;
	hxen_xen_runstate(vcpu, RUNSTATE_blocked);
	xen_wait(vcpu, xen_block_done, NULL, 0);
	hxen_xen_runstate(vcpu, RUNSTATE_running);
	return 0;
}

/*
 * SCHEDOP_poll with the ports already read (xen_poll checked nr_ports and
 * the pointer): -EINVAL for a port past the last one, else 0 once a
 * port is pending, an event is deliverable, @timeout (absolute Xen system
 * time; 0: none) passed, or a signal came. Ports are checked in order and
 * the first pending one ends the call, as on Xen.
 */
static long xen_poll_wait(struct hxen_vcpu *vcpu, const u32 *ports, u32 nr, u64 timeout)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	struct xen_poll_args p = { .ports = ports, .nr = nr };
	u32 max = hxen_evtchn_nr_ports(&xen->evtchn);
	ktime_t deadline = 0;
	u32 i;

	if (xen_upcall_pending(vcpu) && (hxen_ops->get_rflags(vcpu) & X86_EFLAGS_IF))
		return 0;
	for (i = 0; i < nr; i++) {
		if (ports[i] >= max)
			return -EINVAL;
		if (xen_port_pending(xen, ports[i]))
			return 0;
	}
	if (timeout) {
		if (timeout <= hxen_xen_now(xen))
			return 0;
		deadline = timeout > (u64)KTIME_MAX - xen->boot_ns ?
			   KTIME_MAX : ns_to_ktime(xen->boot_ns + timeout);
	}
	/* Pairs with the barrier between setting a port pending and the kick. */
	set_bit(vcpu->id, xen->polling);
	smp_mb__after_atomic();
	hxen_xen_runstate(vcpu, RUNSTATE_blocked);
	xen_wait(vcpu, xen_poll_done, &p, deadline);
	hxen_xen_runstate(vcpu, RUNSTATE_running);
	clear_bit(vcpu->id, xen->polling);
	return 0;
}

/*
 * A port of the VM was just set pending (EVTCHNOP_send): pollers look at
 * their ports again. Any context, under xen->evtchn_lock with xen->dead
 * false: the VM's teardown sets dead under that lock before it frees the
 * vCPUs, so the vCPUs read here exist until the caller unlocks (a kick
 * from another VM holds a reference on struct hxen_xen only).
 */
void hxen_xen_poll_kick(struct hxen_xen *xen)
{
	unsigned int i;

	lockdep_assert_held(&xen->evtchn_lock);

	/*
	 * Pending bit set, barrier, polling bits read; the poller sets its
	 * bit, barrier, reads the pending bits: one of the two sees the other.
	 */
	smp_mb();
	for_each_set_bit(i, xen->polling, HXEN_MAX_VCPUS) {
		struct hxen_vcpu *vcpu = READ_ONCE(xen->vcpus[i].vcpu);

		if (vcpu)
			rcuwait_wake_up(&vcpu->wait);
	}
}

/* ---- the hypercall ---- */

static long xen_shutdown(struct xen_call *c, u64 arg)
{
	struct kvm_run *run = c->vcpu->run;
	struct sched_shutdown s;
	u32 type;

	if (hxen_xen_copy_from_guest(c, &s, arg, sizeof(s)))
		return -EFAULT;
	switch (s.reason) {
	case SHUTDOWN_poweroff:
		type = KVM_SYSTEM_EVENT_SHUTDOWN;
		break;
	case SHUTDOWN_reboot:
		type = KVM_SYSTEM_EVENT_RESET;
		break;
	case SHUTDOWN_crash:
	case SHUTDOWN_watchdog:
		type = KVM_SYSTEM_EVENT_CRASH;
		break;
	case SHUTDOWN_suspend:
		/*
		 * The launcher saves the VM (or not) and runs it again. The
		 * call returns 0, "resumed in a new domain after a real
		 * suspend"; a launcher that cancels the suspend sets RAX to 1
		 * with KVM_SET_REGS first, as Xen's toolstack does.
		 */
		type = KVM_SYSTEM_EVENT_SUSPEND;
		break;
	case SHUTDOWN_soft_reset:
		return -ENOSYS;		/* later: kexec */
	default:
		return -EINVAL;
	}
	/* data[0] is Xen's reason, for launchers that care (watchdog). */
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = type;
	run->system_event.ndata = 1;
	run->system_event.data[0] = s.reason;
	c->exit = true;
	return 0;
}

/*
 * SCHEDOP_poll: struct sched_poll is ports (a guest handle: 8 bytes, 4
 * for 32-bit guests), nr_ports, timeout (4-byte aligned for 32-bit
 * guests). Xen's checks: more than 128 ports -EINVAL, the port array not
 * readable -EFAULT; then xen_poll_wait waits.
 */
#define XEN_POLL_MAX_PORTS	128

static long xen_poll(struct xen_call *c, u64 arg)
{
	struct sched_poll p;
	u64 ports_la;
	u32 *ports;
	long r;

	if (c->long_mode) {
		if (hxen_xen_copy_from_guest(c, &p, arg, sizeof(p)))
			return -EFAULT;
		ports_la = (u64)(unsigned long)p.ports;
	} else {
		struct { u32 ports, nr_ports; u64 timeout; } __packed p32;

		if (hxen_xen_copy_from_guest(c, &p32, arg, sizeof(p32)))
			return -EFAULT;
		ports_la = p32.ports;
		p.nr_ports = p32.nr_ports;
		p.timeout = p32.timeout;
	}
	if (p.nr_ports > XEN_POLL_MAX_PORTS)
		return -EINVAL;
	ports = kmalloc_array(max(p.nr_ports, 1U), sizeof(*ports), GFP_KERNEL_ACCOUNT);
	if (!ports)
		return -ENOMEM;
	r = -EFAULT;
	if (!hxen_xen_copy_from_guest(c, ports, ports_la, p.nr_ports * sizeof(*ports)))
		r = xen_poll_wait(c->vcpu, ports, p.nr_ports, p.timeout);
	kfree(ports);
	return r;
}

long hxen_xen_sched_op(struct xen_call *c, u64 cmd, u64 arg)
{
	struct sched_shutdown s;

	switch (cmd) {
	case SCHEDOP_yield:
		cond_resched();
		return 0;
	case SCHEDOP_block:
		return xen_block(c->vcpu);
	case SCHEDOP_poll:
		return xen_poll(c, arg);
	case SCHEDOP_shutdown:
		return xen_shutdown(c, arg);
	case SCHEDOP_shutdown_code:
		/* Only remembered by Xen for the toolstack; checked here. */
		return hxen_xen_copy_from_guest(c, &s, arg, sizeof(s)) ? -EFAULT : 0;
	case SCHEDOP_remote_shutdown:
		return -EPERM;
	default:
		/* SCHEDOP_watchdog, SCHEDOP_pin_override: later. */
		return -ENOSYS;
	}
}
