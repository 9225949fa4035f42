// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU ioctls: KVM_RUN and the state a VMM reads and writes (registers,
 * events, MP state, LAPIC, FPU, MSRs, CPUID), each under the vCPU's mutex.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/tsc.h>

#include "hxen.h"
#include "vendor.h"
#include "x86/x86.h"
#include "x86/irqchip/lapic.h"
#include "xen/hooks.h"

static long vcpu_get_events(struct hxen_vcpu *vcpu,
			    struct kvm_vcpu_events __user *argp)
{
	struct kvm_vcpu_events ev;

	memset(&ev, 0, sizeof(ev));
	hxen_ops->get_events(vcpu, &ev);
	/* Queued by KVM_INTERRUPT / KVM_NMI, not yet handed to the CPU. */
	if (vcpu->irq_vector >= 0 && !ev.interrupt.injected) {
		ev.interrupt.injected = 1;
		ev.interrupt.nr = vcpu->irq_vector;
	}
	ev.nmi.pending = vcpu->nmi_pending;
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	return copy_to_user(argp, &ev, sizeof(ev)) ? -EFAULT : 0;
}

static long vcpu_set_events(struct hxen_vcpu *vcpu,
			    struct kvm_vcpu_events __user *argp)
{
	struct kvm_vcpu_events ev;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	/* What KVM checks: known flags, a real exception vector, no SMM. */
	if (ev.flags & ~(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |
			 KVM_VCPUEVENT_VALID_SHADOW | KVM_VCPUEVENT_VALID_SMM))
		return -EINVAL;
	if (ev.exception.injected && (ev.exception.nr > 31 || ev.exception.nr == 2))
		return -EINVAL;
	if ((ev.flags & KVM_VCPUEVENT_VALID_SMM) && ev.smi.smm)
		return -EINVAL;
	if (ev.flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		vcpu->nmi_pending = ev.nmi.pending;
	vcpu->irq_vector = -1;
	hxen_ops->set_events(vcpu, &ev);
	return 0;
}

static long vcpu_set_signal_mask(struct hxen_vcpu *vcpu,
				 struct kvm_signal_mask __user *argp)
{
	struct kvm_signal_mask hdr;
	sigset_t set;

	if (!argp) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&hdr, argp, sizeof(hdr)))
		return -EFAULT;
	if (hdr.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, argp->sigset, sizeof(set)))
		return -EFAULT;
	/* SIGKILL and SIGSTOP cannot be blocked. */
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

static long vcpu_set_mp_state(struct hxen_vcpu *vcpu, u32 state)
{
	if (!vcpu->lapic)
		return state == KVM_MP_STATE_RUNNABLE ? 0 : -EINVAL;
	switch (state) {
	case KVM_MP_STATE_RUNNABLE:
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_HALTED:
		vcpu->mp_state = state;
		break;
	case KVM_MP_STATE_SIPI_RECEIVED:
		/* A SIPI with the last vector, taken on the next KVM_RUN (KVM). */
		vcpu->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		hxen_lapic_queue_sipi(vcpu);
		break;
	default:
		return -EINVAL;
	}
	/* Xen's up/down view follows (UNINITIALIZED: a down vCPU keeps its context). */
	hxen_xen_vcpu_mp_changed(vcpu, false);
	return 0;
}

static long vcpu_get_debugregs(struct hxen_vcpu *vcpu, struct kvm_debugregs __user *argp)
{
	struct kvm_debugregs d;

	memset(&d, 0, sizeof(d));
	memcpy(d.db, vcpu->db, sizeof(d.db));
	hxen_ops->get_dr67(vcpu, &d.dr6, &d.dr7);
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

static long vcpu_set_debugregs(struct hxen_vcpu *vcpu, struct kvm_debugregs __user *argp)
{
	struct kvm_debugregs d;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	/* KVM's checks: no flags; bits 63:32 of DR6 and DR7 are reserved. */
	if (d.flags || (d.dr6 >> 32) || (d.dr7 >> 32))
		return -EINVAL;
	memcpy(vcpu->db, d.db, sizeof(vcpu->db));
	hxen_ops->set_dr67(vcpu, d.dr6, d.dr7);
	/*
	 * Breakpoints that may fire, or addresses a guest would find: the
	 * registers are the guest's from now on. All zero (and DR7 at its
	 * reset value, as QEMU sets at reset) keeps the cheap lazy path.
	 */
	if (!vcpu->db_active &&
	    (d.db[0] || d.db[1] || d.db[2] || d.db[3] || d.dr7 != HXEN_DR7_RESET))
		hxen_ops->activate_debugregs(vcpu);
	return 0;
}

/*
 * KVM_SET_TSC_KHZ without TSC scaling, as KVM: the host's rate (0 means
 * it), or one within 250 ppm of it (KVM's default tolerance, so a guest
 * migrated between hosts of nearly the same rate keeps running).
 */
static long vcpu_set_tsc_khz(struct hxen_vcpu *vcpu, unsigned long khz)
{
	u64 host = tsc_khz, tol = div_u64(host * 250, 1000000);

	if (!host)
		return -EIO;
	if ((u32)khz == 0)
		khz = host;
	if ((u32)khz < host - tol || (u32)khz > host + tol)
		return -EINVAL;
	vcpu->tsc_khz = khz;
	return 0;
}

long hxen_vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg)
{
	struct hxen_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;
	switch (ioctl) {
	case KVM_RUN:
		r = -EINVAL;
		if (arg)
			break;
		r = hxen_vcpu_run(vcpu);
		break;
	case KVM_GET_REGS: {
		struct kvm_regs regs;

		memset(&regs, 0, sizeof(regs));
		hxen_ops->get_regs(vcpu, &regs);
		hxen_guest_debug_regs_out(vcpu, &regs);
		r = copy_to_user(argp, &regs, sizeof(regs)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_REGS: {
		struct kvm_regs regs;

		r = -EFAULT;
		if (copy_from_user(&regs, argp, sizeof(regs)))
			break;
		hxen_guest_debug_regs_in(vcpu, &regs);
		hxen_ops->set_regs(vcpu, &regs);
		r = 0;
		break;
	}
	case KVM_INTERRUPT: {
		struct kvm_interrupt irq;

		r = -EFAULT;
		if (copy_from_user(&irq, argp, sizeof(irq)))
			break;
		r = -EINVAL;
		if (irq.irq >= 256)
			break;
		/* The in-kernel PIC is the only source then (as on KVM). */
		r = -ENXIO;
		if (vcpu->lapic)
			break;
		/* A second one replaces the first, as on KVM. */
		vcpu->irq_vector = irq.irq;
		r = 0;
		break;
	}
	case KVM_NMI:
		vcpu->nmi_pending = true;
		r = 0;
		break;
	case KVM_GET_VCPU_EVENTS:
		r = vcpu_get_events(vcpu, argp);
		break;
	case KVM_SET_VCPU_EVENTS:
		r = vcpu_set_events(vcpu, argp);
		break;
	case KVM_SET_SIGNAL_MASK:
		r = vcpu_set_signal_mask(vcpu, argp);
		break;
	case KVM_GET_MP_STATE: {
		/* Without an in-kernel irqchip a vCPU is always runnable. */
		struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

		if (vcpu->lapic) {
			hxen_vcpu_accept_events(vcpu);
			mp.mp_state = vcpu->mp_state;
		}
		r = copy_to_user(argp, &mp, sizeof(mp)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_MP_STATE: {
		struct kvm_mp_state mp;

		r = -EFAULT;
		if (copy_from_user(&mp, argp, sizeof(mp)))
			break;
		r = vcpu_set_mp_state(vcpu, mp.mp_state);
		break;
	}
	case KVM_GET_LAPIC:
		r = hxen_lapic_get_state(vcpu, argp);
		break;
	case KVM_SET_LAPIC:
		r = hxen_lapic_set_state(vcpu, argp);
		break;
	case KVM_GET_FPU:
		r = hxen_get_fpu(vcpu, argp);
		break;
	case KVM_SET_FPU:
		r = hxen_set_fpu(vcpu, argp);
		break;
	case KVM_GET_XSAVE:
		r = hxen_get_xsave(vcpu, argp);
		break;
	case KVM_SET_XSAVE:
		r = hxen_set_xsave(vcpu, argp);
		break;
	case KVM_GET_XCRS:
		r = hxen_get_xcrs(vcpu, argp);
		break;
	case KVM_SET_XCRS:
		r = hxen_set_xcrs(vcpu, argp);
		break;
	case KVM_GET_MSRS:
		r = hxen_vcpu_msrs(vcpu, argp, false);
		break;
	case KVM_SET_MSRS:
		r = hxen_vcpu_msrs(vcpu, argp, true);
		break;
	case KVM_SET_CPUID2:
		r = hxen_set_cpuid2(vcpu, argp);
		break;
	case KVM_GET_CPUID2:
		r = hxen_get_cpuid2(vcpu, argp);
		break;
	case KVM_GET_SREGS: {
		struct kvm_sregs sregs;

		memset(&sregs, 0, sizeof(sregs));
		hxen_ops->get_sregs(vcpu, &sregs);
		r = copy_to_user(argp, &sregs, sizeof(sregs)) ? -EFAULT : 0;
		break;
	}
	case KVM_SET_SREGS: {
		struct kvm_sregs sregs;

		r = -EFAULT;
		if (copy_from_user(&sregs, argp, sizeof(sregs)))
			break;
		r = hxen_ops->set_sregs(vcpu, &sregs);
		break;
	}
	case KVM_SET_GUEST_DEBUG: {
		struct kvm_guest_debug dbg;

		r = -EFAULT;
		if (copy_from_user(&dbg, argp, sizeof(dbg)))
			break;
		r = hxen_set_guest_debug(vcpu, &dbg);
		break;
	}
	case KVM_GET_DEBUGREGS:
		r = vcpu_get_debugregs(vcpu, argp);
		break;
	case KVM_SET_DEBUGREGS:
		r = vcpu_set_debugregs(vcpu, argp);
		break;
	case KVM_X86_SETUP_MCE:
		r = hxen_mce_setup(vcpu, argp);
		break;
	case KVM_X86_SET_MCE:
		r = hxen_mce_inject(vcpu, argp);
		break;
	case KVM_GET_TSC_KHZ:
		r = vcpu->tsc_khz ? vcpu->tsc_khz : -EIO;
		break;
	case KVM_SET_TSC_KHZ:
		r = vcpu_set_tsc_khz(vcpu, arg);
		break;
	case KVM_SET_VAPIC_ADDR: {
		struct kvm_vapic_addr va;

		/*
		 * The TPR-patching helper page of QEMU's kvmvapic ROM (32-bit
		 * Windows XP era). hxen offers no KVM_CAP_VAPIC and never
		 * reports TPR accesses, so a guest is never patched: only
		 * "none" (0), which QEMU sets at every reset, is accepted.
		 */
		r = -EFAULT;
		if (copy_from_user(&va, argp, sizeof(va)))
			break;
		r = (vcpu->lapic && !va.vapic_addr) ? 0 : -EINVAL;
		break;
	}
	case KVM_ENABLE_CAP: {
		struct kvm_enable_cap cap;

		/* No per-vCPU capability can be enabled (Hyper-V's are KVM's). */
		r = copy_from_user(&cap, argp, sizeof(cap)) ? -EFAULT : -EINVAL;
		break;
	}
	default:
		r = -ENOTTY;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}
