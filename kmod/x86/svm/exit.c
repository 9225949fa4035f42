// SPDX-License-Identifier: GPL-2.0
/*
 * SVM exit handling: one switch on the exit code whose arms call named
 * handlers. Handlers return HXEN_RESUME, HXEN_USER (vcpu->run filled in)
 * or a negative errno. They run with interrupts and preemption on.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/svm.h>
#include <asm/traps.h>
#include <asm/trap_pf.h>
#include <asm/trapnr.h>

#include "svm.h"
#include "../../xen/hooks.h"
#include "../emulate/mmio.h"

/* After a shared handler (x86/exit_common.c): past the instruction, or #GP. */
static int svm_complete_insn(struct hxen_vcpu *vcpu, int r, unsigned int len)
{
	if (r)
		svm_inject_exception(vcpu, X86_TRAP_GP, true, 0);
	else
		svm_skip_instruction(vcpu, len);
	return HXEN_RESUME;
}

static int svm_handle_cpuid(struct hxen_vcpu *vcpu)
{
	hxen_exit_cpuid(vcpu);
	return svm_complete_insn(vcpu, 0, 2);
}

/* The pause filter ran out (svm.c): let a preempted vCPU of the VM run. */
static int svm_handle_pause(struct hxen_vcpu *vcpu)
{
	hxen_vcpu_on_spin(vcpu);
	svm_skip_instruction(vcpu, 2);	/* F3 90 */
	return HXEN_RESUME;
}

static int svm_handle_hlt(struct hxen_vcpu *vcpu)
{
	svm_skip_instruction(vcpu, 1);
	return hxen_handle_hlt(vcpu);
}

/*
 * A string I/O exit's segment (ES CS SS DS FS GS: 0-5) and address size.
 * EXITINFO1 has the address size in bits 7-9 and, with decode assists
 * only, OUTS's segment in bits 12:10 (APM 15.10.2); INS always writes
 * ES:rDI. What it lacks comes from the instruction: the segment without
 * decode assists, and the address size where no bit is set, which real
 * CPUs never do but QEMU TCG's nested SVM does (it leaves them clear).
 */
static int svm_ioio_string(struct hxen_vcpu *vcpu, u32 info, bool in, int *seg,
			   u8 *addr_bytes)
{
	*addr_bytes = (info & BIT(9)) ? 8 : (info & BIT(8)) ? 4 : (info & BIT(7)) ? 2 : 0;
	if (in)
		*seg = 0;
	else if (boot_cpu_has(X86_FEATURE_DECODEASSISTS))
		*seg = (info >> 10) & 7;
	else
		*seg = -1;
	if (*seg < 0 || !*addr_bytes) {
		int r = hxen_decode_guest_string_io(vcpu, seg, addr_bytes);

		if (r)
			return r;
	}
	return *seg <= 5 ? 0 : -EINVAL;
}

static int svm_handle_ioio(struct hxen_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u32 info = c->exit_info_1;
	u16 port = info >> 16;
	u8 size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;
	bool in = info & SVM_IOIO_TYPE_MASK;

	/* EXITINFO2 is the next RIP for IOIO, NRIP save or not (APM 15.10.2). */
	if (info & SVM_IOIO_STR_MASK) {
		u8 addr_bytes;
		int seg;

		if (svm_ioio_string(vcpu, info, in, &seg, &addr_bytes))
			return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
							SVM_EXIT_IOIO, info);
		return hxen_exit_pio_string(vcpu, port, size, in,
					    info & SVM_IOIO_REP_MASK, seg, addr_bytes,
					    c->exit_info_2);
	}
	to_svm(vcpu)->vmcb->save.rip = c->exit_info_2;
	return hxen_exit_pio(vcpu, port, size, in, vcpu->regs[VCPU_RAX]);
}

static int svm_handle_npf(struct hxen_vcpu *vcpu)
{
	struct vmcb_control_area *c = &to_svm(vcpu)->vmcb->control;
	u64 gpa = c->exit_info_2;
	int r;

	r = hxen_tdp_fault(vcpu, gpa, c->exit_info_1 & X86_PF_WRITE);
	if (r < 0)
		return r;
	if (r == HXEN_TDP_MAPPED)
		return HXEN_RESUME;
	return hxen_emulate_mmio(vcpu);
}

int svm_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	switch (msr) {
	case MSR_EFER:
		*val = svm->efer | (s->efer & EFER_LMA);
		return 0;
	case MSR_FS_BASE:
		*val = s->fs.base;
		return 0;
	case MSR_GS_BASE:
		*val = s->gs.base;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*val = s->kernel_gs_base;
		return 0;
	case MSR_STAR:
		*val = s->star;
		return 0;
	case MSR_LSTAR:
		*val = s->lstar;
		return 0;
	case MSR_CSTAR:
		*val = s->cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*val = s->sfmask;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*val = s->sysenter_cs;
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*val = s->sysenter_esp;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*val = s->sysenter_eip;
		return 0;
	case MSR_IA32_CR_PAT:
		*val = s->g_pat;
		return 0;
	case MSR_IA32_TSC:
		*val = rdtsc() + svm->vmcb->control.tsc_offset;
		return 0;
	default:
		return -ENOENT;
	}
}

static bool svm_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

int svm_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;

	switch (msr) {
	case MSR_EFER:
		/* Userspace may set what CPUID does not offer (KVM does too). */
		if (host ? (val & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX |
					 EFER_FFXSR)) :
			   !hxen_guest_efer_valid(vcpu, val))
			return -EINVAL;
		if (host) {
			svm->efer = val & ~EFER_LMA;
			s->efer = val | EFER_SVME;
			return 0;
		}
		/* LME may not change while paging is on (SDM/APM). */
		if ((s->cr0 & X86_CR0_PG) && ((val ^ svm->efer) & EFER_LME))
			return -EINVAL;
		svm->efer = val & ~EFER_LMA;
		s->efer = (val & ~EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
		if (!svm_canonical(val))
			return -EINVAL;
		if (msr == MSR_FS_BASE)
			s->fs.base = val;
		else if (msr == MSR_GS_BASE)
			s->gs.base = val;
		else if (msr == MSR_KERNEL_GS_BASE)
			s->kernel_gs_base = val;
		else if (msr == MSR_LSTAR)
			s->lstar = val;
		else
			s->cstar = val;
		return 0;
	case MSR_STAR:
		s->star = val;
		return 0;
	case MSR_SYSCALL_MASK:
		s->sfmask = val;
		return 0;
	case MSR_IA32_SYSENTER_CS:
		s->sysenter_cs = val;
		return 0;
	/*
	 * AMD CPUs keep only the low 32 bits of these; a guest that calls
	 * itself Intel gets all 64 (KVM behaves the same).
	 */
	case MSR_IA32_SYSENTER_ESP:
		s->sysenter_esp = hxen_guest_is_intel(vcpu) ? val : (u32)val;
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		s->sysenter_eip = hxen_guest_is_intel(vcpu) ? val : (u32)val;
		return 0;
	case MSR_IA32_CR_PAT: {
		int i;

		/* Each entry: UC, WC, WT, WP, WB or UC- (0,1,4,5,6,7). */
		for (i = 0; i < 8; i++) {
			u8 t = (val >> (8 * i)) & 0xff;

			if (t > 7 || t == 2 || t == 3)
				return -EINVAL;
		}
		s->g_pat = val;
		return 0;
	}
	case MSR_IA32_TSC:
		svm->vmcb->control.tsc_offset = val - rdtsc();
		return 0;
	default:
		return -ENOENT;
	}
}

static int svm_handle_msr(struct hxen_vcpu *vcpu)
{
	bool write = to_svm(vcpu)->vmcb->control.exit_info_1;

	return svm_complete_insn(vcpu, write ? hxen_exit_wrmsr(vcpu) : hxen_exit_rdmsr(vcpu), 2);
}

static int svm_handle_xsetbv(struct hxen_vcpu *vcpu)
{
	return svm_complete_insn(vcpu, hxen_exit_xsetbv(vcpu, to_svm(vcpu)->vmcb->save.cpl), 3);
}

/* The guest can take an interrupt now: drop the window request. */
static int svm_handle_vintr(struct hxen_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	vmcb->control.int_ctl &= ~V_IRQ_INJECTION_BITS_MASK;
	svm_clear_intercept(vmcb, INTERCEPT_VINTR);
	return HXEN_RESUME;
}

/* The NMI handler returns: let IRET run, unblock NMIs once it has. */
static int svm_handle_iret(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	svm_clear_intercept(svm->vmcb, INTERCEPT_IRET);
	svm->awaiting_iret = true;
	svm->iret_rip = svm->vmcb->save.rip;
	return HXEN_RESUME;
}

/*
 * The guest's first debug register access: from now on DR0-3 are switched
 * around every entry and DR6 is looked after (svm_vcpu_run), so accesses
 * can run natively. Re-execute it.
 */
void svm_activate_debugregs(struct hxen_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	int i;

	for (i = 0; i < 8; i++) {
		svm_clear_intercept(vmcb, INTERCEPT_DR0_READ + i);
		svm_clear_intercept(vmcb, INTERCEPT_DR0_WRITE + i);
	}
	hxen_guest_debugregs_used(vcpu);
}

static int svm_handle_dr_access(struct hxen_vcpu *vcpu)
{
	svm_activate_debugregs(vcpu);
	return HXEN_RESUME;
}

/* GPR @idx (VCPU_* order): RAX and RSP live in the VMCB. */
static u64 svm_gpr(struct hxen_vcpu *vcpu, u8 idx)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;

	if (idx == VCPU_RAX)
		return vmcb->save.rax;
	if (idx == VCPU_RSP)
		return vmcb->save.rsp;
	return vcpu->regs[idx & 15];
}

/*
 * The value an intercepted MOV to CR@want writes, and the instruction's
 * length (0 if next_rip has it). With decode assists EXITINFO1 names the
 * GPR (APM 15.8.1); else the instruction is decoded. -EINVAL if it cannot
 * be read back.
 */
static int svm_mov_to_cr_value(struct hxen_vcpu *vcpu, u8 want, u64 *val, u8 *len)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 info = vmcb->control.exit_info_1;
	u8 cr, gpr;

	*len = 0;
	if (boot_cpu_has(X86_FEATURE_DECODEASSISTS) && (info & BIT_ULL(63)) &&
	    to_svm(vcpu)->next_rip)
		gpr = info & 15;
	else if (hxen_decode_guest_mov_to_cr(vcpu, &cr, &gpr, len) || cr != want)
		return -EINVAL;
	*val = svm_gpr(vcpu, gpr);
	if (!((vmcb->save.efer & EFER_LMA) && (vmcb->save.cs.attrib & SVM_SELECTOR_L_MASK)))
		*val = (u32)*val;
	return 0;
}

/*
 * MOV to CR8, intercepted only while an interrupt waits for the TPR to
 * drop (svm_watch_cr8_write): emulate it, so that the interrupt goes in
 * before the next instruction, as on hardware.
 */
static int svm_handle_cr8_write(struct hxen_vcpu *vcpu)
{
	struct vmcb *vmcb = to_svm(vcpu)->vmcb;
	u64 val;
	u8 len;

	if (svm_mov_to_cr_value(vcpu, 8, &val, &len))
		/* The instruction cannot be read back: as KVM, an emulation failure. */
		return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
						SVM_EXIT_WRITE_CR8, vmcb->save.rip);
	/* Reserved bits set or CPL > 0: #GP(0) (APM MOV CRn). */
	if ((val & ~15ULL) || vmcb->save.cpl) {
		svm_inject_exception(vcpu, X86_TRAP_GP, true, 0);
		return HXEN_RESUME;
	}
	hxen_ops->set_cr8(vcpu, val);
	svm_skip_instruction(vcpu, len);
	return HXEN_RESUME;
}

/* CR4 bits whose change flushes the TLB on a real MOV to CR4 (SDM 4.10.4.1). */
#define SVM_CR4_TLB_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PCIDE | \
				 X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PKE)

/*
 * MOV to CR4, always intercepted: the guest gets only the bits hxen lets
 * it have (svm.c svm_cr4_host_valid, the guest's CPUID), with the #GP a
 * CPU without them raises, and the TLB flush a real MOV to CR4 does.
 */
static int svm_handle_cr4_write(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	struct vmcb_save_area *s = &svm->vmcb->save;
	u64 val, old = s->cr4;
	u8 len;

	if (svm_mov_to_cr_value(vcpu, 4, &val, &len))
		return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
						SVM_EXIT_WRITE_CR4, s->rip);
	/*
	 * #GP(0) (APM MOV CRn, SDM MOV to CR4): CPL > 0, a bit not offered,
	 * PAE off in long mode, PCIDE 0 -> 1 outside long mode or with
	 * CR3[11:0] set.
	 */
	if (s->cpl || (val & ~svm_cr4_guest_valid) || !hxen_guest_cr4_ok(vcpu, val) ||
	    ((s->efer & EFER_LMA) && !(val & X86_CR4_PAE)) ||
	    ((val & ~old & X86_CR4_PCIDE) && (!(s->efer & EFER_LMA) || (s->cr3 & 0xfff)))) {
		svm_inject_exception(vcpu, X86_TRAP_GP, true, 0);
		return HXEN_RESUME;
	}
	s->cr4 = val;
	if ((old ^ val) & SVM_CR4_TLB_BITS)
		set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
	svm_skip_instruction(vcpu, len);
	return HXEN_RESUME;
}

static int svm_handle_shutdown(struct hxen_vcpu *vcpu)
{
	/* The VMCB is undefined after SHUTDOWN (APM 15.11): start afresh. */
	svm_reset_vcpu(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return HXEN_USER;
}

/*
 * #DB, intercepted only while a debugger single-steps (guest_debug.c):
 * every #DB goes to it, as on KVM (QEMU gives back those it did not
 * cause, with KVM_GUESTDBG_INJECT_DB). The CPU put the condition in the
 * VMCB's DR6.
 */
static int svm_handle_db(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);

	return hxen_guest_debug_exit(vcpu, X86_TRAP_DB, svm->vmcb->save.dr6);
}

/* #BP, intercepted for the debugger's software breakpoints: RIP is at the INT3. */
static int svm_handle_bp(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u64 rip = svm->vmcb->save.rip;

	return hxen_guest_debug_bp(vcpu, rip, svm->next_rip ? svm->next_rip - rip : 1);
}

static int svm_handle_ud(struct hxen_vcpu *vcpu)
{
	svm_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return HXEN_RESUME;
}

/* A Xen hypercall in a VM with the Xen ABI (xen/hypercall.c); else #UD. */
static int svm_handle_vmmcall(struct hxen_vcpu *vcpu)
{
	if (!vcpu->xen)
		return svm_handle_ud(vcpu);
	svm_skip_instruction(vcpu, 3);
	return hxen_xen_hypercall(vcpu);
}

static int svm_handle_invalid(struct hxen_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason =
		(u32)to_svm(vcpu)->vmcb->control.exit_code;
	run->fail_entry.cpu = vcpu->cpu;
	return HXEN_USER;
}

/* The guest was delivering an event when it exited: deliver it again. */
static void svm_requeue_event(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	u32 type = c->exit_int_info & SVM_EXITINTINFO_TYPE_MASK;
	u8 vector = c->exit_int_info & SVM_EXITINTINFO_VEC_MASK;

	if (!(c->exit_int_info & SVM_EXITINTINFO_VALID))
		return;
	/* A software interrupt is redone by re-executing INTn. */
	if (type == SVM_EVTINJ_TYPE_SOFT)
		return;
	/*
	 * An external interrupt goes back in the way it came, as V_IRQ (see
	 * svm_inject_irq); the guest's IF and shadow are as they were when
	 * its delivery began. An implementation may report one it was
	 * delivering from V_IRQ as an exception (type 3) with its vector (see
	 * the README); exceptions are vectors 0-31, and VMRUN refuses to
	 * inject type 3 above those.
	 */
	if (type == SVM_EVTINJ_TYPE_INTR || (type == SVM_EVTINJ_TYPE_EXEPT && vector >= 32)) {
		svm_inject_virq(svm, vector);
		return;
	}
	c->event_inj = c->exit_int_info;
	c->event_inj_err = c->exit_int_info_err;
}

int svm_handle_exit(struct hxen_vcpu *vcpu)
{
	struct svm_vcpu *svm = to_svm(vcpu);
	u32 code = svm->vmcb->control.exit_code;

	svm->vmcb->control.event_inj = 0;
	svm_virq_exit(svm);
	svm_requeue_event(svm);
	if (svm->awaiting_iret && svm->vmcb->save.rip != svm->iret_rip) {
		svm->awaiting_iret = false;
		svm->nmi_masked = false;
	}

	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
		/* The host took it when interrupts came back on. */
		return HXEN_RESUME;
	case SVM_EXIT_EXCP_BASE + MC_VECTOR:
		/* A machine check in the guest is the host's to handle. */
		asm volatile("int $" __stringify(X86_TRAP_MC));
		return HXEN_RESUME;
	case SVM_EXIT_EXCP_BASE + DB_VECTOR:
		return svm_handle_db(vcpu);
	case SVM_EXIT_EXCP_BASE + BP_VECTOR:
		return svm_handle_bp(vcpu);
	case SVM_EXIT_CPUID:
		return svm_handle_cpuid(vcpu);
	case SVM_EXIT_PAUSE:
		return svm_handle_pause(vcpu);
	case SVM_EXIT_HLT:
		return svm_handle_hlt(vcpu);
	case SVM_EXIT_IOIO:
		return svm_handle_ioio(vcpu);
	case SVM_EXIT_NPF:
		return svm_handle_npf(vcpu);
	case SVM_EXIT_MSR:
		return svm_handle_msr(vcpu);
	case SVM_EXIT_WRITE_CR4:
		return svm_handle_cr4_write(vcpu);
	case SVM_EXIT_WRITE_CR8:
		return svm_handle_cr8_write(vcpu);
	case SVM_EXIT_XSETBV:
		return svm_handle_xsetbv(vcpu);
	case SVM_EXIT_VINTR:
		return svm_handle_vintr(vcpu);
	case SVM_EXIT_IRET:
		return svm_handle_iret(vcpu);
	case SVM_EXIT_SHUTDOWN:
		return svm_handle_shutdown(vcpu);
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		return svm_handle_dr_access(vcpu);
	case SVM_EXIT_INVD:
		svm_skip_instruction(vcpu, 2);
		return HXEN_RESUME;
	case SVM_EXIT_VMMCALL:
		return svm_handle_vmmcall(vcpu);
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_RDPRU:
		/* Not offered to guests: they fault as on a CPU without them. */
		return svm_handle_ud(vcpu);
	case SVM_EXIT_ERR:
		return svm_handle_invalid(vcpu);
	default:
		return hxen_exit_internal_error(vcpu,
				KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
				code, vcpu->cpu);
	}
}
