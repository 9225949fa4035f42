// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GUEST_DEBUG: a debugger in the VMM (QEMU's gdbstub) single-steps
 * the guest and catches its INT3 breakpoints. As KVM does (x86.c):
 *  - single-stepping sets RFLAGS.TF in the guest and hides it from
 *    KVM_GET_REGS; KVM_SET_REGS puts it back only at the linear RIP where
 *    stepping began, so a VMM that moves RIP elsewhere drops it;
 *  - the vendor intercepts #DB while stepping and #BP for software
 *    breakpoints; either reaches userspace as KVM_EXIT_DEBUG with the
 *    vector, the linear RIP, DR6 and DR7;
 *  - an instruction the kernel completes for the guest (CPUID, MSRs, port
 *    I/O, MMIO, HLT...) never retires in the guest with TF set, so its
 *    step is reported here before the next entry (what
 *    KVM_CAP_X86_ROBUST_SINGLESTEP promises), and when TF is the guest's
 *    own, the guest gets its single-step #DB.
 * The debugger's hardware breakpoints (KVM_GUESTDBG_USE_HW_BP) are not
 * offered: DR0-3 and DR7 stay the guest's. KVM_CAP_SET_GUEST_DEBUG2
 * reports the flags that work.
 */
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/string.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>

#include "../hxen.h"
#include "../vendor.h"
#include "emulate/walk.h"
#include "x86.h"

u64 hxen_linear_rip(struct hxen_vcpu *vcpu, u64 rip)
{
	struct hxen_walk_mode m;
	struct kvm_sregs s;
	bool code64;

	hxen_ops->get_cpu_mode(vcpu, &m, &code64);
	if (code64)
		return rip;
	hxen_ops->get_sregs(vcpu, &s);
	return (u32)(s.cs.base + rip);
}

static u64 vcpu_rip(struct hxen_vcpu *vcpu)
{
	struct kvm_regs regs;

	hxen_ops->get_regs(vcpu, &regs);
	return regs.rip;
}

/* KVM_GET_REGS: the debugger's TF is not the guest's. */
void hxen_guest_debug_regs_out(struct hxen_vcpu *vcpu, struct kvm_regs *regs)
{
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		regs->rflags &= ~X86_EFLAGS_TF;
}

/* KVM_SET_REGS: TF again while RIP stays where stepping began. */
void hxen_guest_debug_regs_in(struct hxen_vcpu *vcpu, struct kvm_regs *regs)
{
	if ((vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) &&
	    hxen_linear_rip(vcpu, regs->rip) == vcpu->singlestep_rip)
		regs->rflags |= X86_EFLAGS_TF;
}

/*
 * INJECT_BP after a #BP exit: the guest's handler must return past the
 * INT3, as after a real one (a trap); the vendor injects #BP as a
 * hardware exception at the RIP given.
 */
static void guest_debug_inject(struct hxen_vcpu *vcpu, u32 control, struct kvm_regs *regs)
{
	if (control & KVM_GUESTDBG_INJECT_DB) {
		hxen_ops->inject_exception(vcpu, X86_TRAP_DB, false, 0);
		return;
	}
	if (regs->rip == vcpu->bp_rip)
		regs->rip += vcpu->bp_len;
	vcpu->bp_len = 0;
	hxen_ops->inject_exception(vcpu, X86_TRAP_BP, false, 0);
}

long hxen_set_guest_debug(struct hxen_vcpu *vcpu, const struct kvm_guest_debug *dbg)
{
	u32 control = dbg->control;
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;

	if (control & ~HXEN_GUESTDBG_VALID)
		return -EINVAL;
	hxen_ops->get_regs(vcpu, &regs);
	if (control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		/* One event slot: never overwrite one already queued. */
		memset(&ev, 0, sizeof(ev));
		hxen_ops->get_events(vcpu, &ev);
		if (ev.exception.injected || ev.interrupt.injected || ev.nmi.injected)
			return -EBUSY;
		guest_debug_inject(vcpu, control, &regs);
	}
	hxen_guest_debug_regs_out(vcpu, &regs);
	vcpu->guest_debug = (control & KVM_GUESTDBG_ENABLE) ? control : 0;
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		vcpu->singlestep_rip = hxen_linear_rip(vcpu, regs.rip);
	hxen_guest_debug_regs_in(vcpu, &regs);
	vcpu->singlestep_done = false;
	hxen_ops->set_regs(vcpu, &regs);
	hxen_ops->update_debug_intercepts(vcpu);
	return 0;
}

/* A #DB or #BP the vendor intercepted for the debugger: KVM_EXIT_DEBUG. */
int hxen_guest_debug_exit(struct hxen_vcpu *vcpu, u8 vector, u64 dr6)
{
	struct kvm_run *run = vcpu->run;
	u64 cur_dr6, dr7;

	hxen_ops->get_dr67(vcpu, &cur_dr6, &dr7);
	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = vector;
	run->debug.arch.pc = hxen_linear_rip(vcpu, vcpu_rip(vcpu));
	run->debug.arch.dr6 = dr6;
	run->debug.arch.dr7 = dr7;
	return HXEN_USER;
}

/* A #BP exit at @rip of an instruction @len bytes long (INT3: 1, INT 3: 2). */
int hxen_guest_debug_bp(struct hxen_vcpu *vcpu, u64 rip, u8 len)
{
	vcpu->bp_rip = rip;
	vcpu->bp_len = len;
	return hxen_guest_debug_exit(vcpu, X86_TRAP_BP, 0);
}

/*
 * hxen_instruction_done with TF set: the single step the completed
 * instruction owes. Any exit handler's context.
 */
void hxen_single_step_owed(struct hxen_vcpu *vcpu)
{
	u64 dr6, dr7;

	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) {
		vcpu->singlestep_done = true;
		return;
	}
	/* The guest's own TF: its single-step trap, DR6.BS set. */
	hxen_ops->get_dr67(vcpu, &dr6, &dr7);
	hxen_ops->set_dr67(vcpu, dr6 | DR_STEP, dr7);
	hxen_ops->inject_exception(vcpu, X86_TRAP_DB, false, 0);
}

/* The run loop, before an entry: report a step the kernel completed. */
int hxen_guest_debug_step_exit(struct hxen_vcpu *vcpu)
{
	vcpu->singlestep_done = false;
	return hxen_guest_debug_exit(vcpu, X86_TRAP_DB, HXEN_DR6_RESET | DR_STEP);
}
