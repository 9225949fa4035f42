// SPDX-License-Identifier: GPL-2.0
/*
 * VMX exit handling: one switch on the basic exit reason whose arms call
 * named handlers. Handlers return HXEN_RESUME, HXEN_USER (vcpu->run filled
 * in) or a negative errno. They run with interrupts and preemption on:
 * what the exit reported was saved by vmx_vcpu_run while the VMCS was
 * current, and other VMCS fields are read or written only between
 * vmx_access_begin and vmx_access_end.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "vmx.h"
#include "../../xen/hooks.h"
#include "../emulate/mmio.h"

/* General purpose register operands: 64-bit in 64-bit mode, else 32. */
static u64 vmx_gpr_read(struct hxen_vcpu *vcpu, int reg, bool is64)
{
	u64 v = vcpu->regs[reg & 15];

	return is64 ? v : (u32)v;
}

static void vmx_gpr_write(struct hxen_vcpu *vcpu, int reg, u64 val, bool is64)
{
	vcpu->regs[reg & 15] = is64 ? val : (u32)val;
}

static bool vmx_canonical(u64 v)
{
	return (u64)(((s64)v << 16) >> 16) == v;
}

static int vmx_handle_unexpected(struct hxen_vcpu *vcpu)
{
	return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
					to_vmx(vcpu)->exit.reason, vcpu->cpu);
}

/*
 * #DB, intercepted only while a debugger single-steps (guest_debug.c):
 * every #DB goes to it, as on KVM. DR6's condition bits are in the exit
 * qualification (the CPU leaves DR6 alone, SDM Vol. 3 27.1).
 */
static int vmx_handle_db(struct hxen_vcpu *vcpu)
{
	return hxen_guest_debug_exit(vcpu, X86_TRAP_DB,
				     HXEN_DR6_RESET | to_vmx(vcpu)->exit.qual);
}

static int vmx_handle_exception_nmi(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->exit.intr_info;
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	switch (info & INTR_INFO_INTR_TYPE_MASK) {
	case INTR_TYPE_NMI_INTR:
		/* vmx_vcpu_run gave it to the host's NMI handler already. */
		return HXEN_RESUME;
	case INTR_TYPE_HARD_EXCEPTION:
		/* A machine check in the guest is the host's to handle. */
		if (vector == X86_TRAP_MC) {
			asm volatile("int $" __stringify(X86_TRAP_MC));
			return HXEN_RESUME;
		}
		if (vector == X86_TRAP_DB)
			return vmx_handle_db(vcpu);
		break;
	case INTR_TYPE_SOFT_EXCEPTION:
		/* INT3, intercepted for a debugger's breakpoints: RIP is at it. */
		if (vector == X86_TRAP_BP)
			return hxen_guest_debug_bp(vcpu, vmx->rip, vmx->exit.instr_len);
		break;
	}
	return vmx_handle_unexpected(vcpu);
}

/* After a shared handler (x86/exit_common.c): past the instruction, or #GP. */
static int vmx_complete_insn(struct hxen_vcpu *vcpu, int r)
{
	if (r)
		vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
	else
		vmx_skip_instruction(vcpu);
	return HXEN_RESUME;
}

static int vmx_handle_cpuid(struct hxen_vcpu *vcpu)
{
	hxen_exit_cpuid(vcpu);
	return vmx_complete_insn(vcpu, 0);
}

/*
 * A PAUSE loop ran out its window (vmx.c, vmx_ple_window_update). The
 * owner of what it waits for may be a preempted vCPU: let one run. If none
 * could, spinning here is not for want of a CPU: a longer window.
 */
static int vmx_handle_pause(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!hxen_vcpu_on_spin(vcpu))
		vmx->ple_window = min(vmx->ple_window * 2, VMX_PLE_WINDOW_MAX);
	vmx_skip_instruction(vcpu);
	return HXEN_RESUME;
}

static int vmx_handle_hlt(struct hxen_vcpu *vcpu)
{
	vmx_skip_instruction(vcpu);
	return hxen_handle_hlt(vcpu);
}

/* Exit qualification for I/O instructions: SDM Vol. 3 Table 27-5. */
static int vmx_handle_io(struct hxen_vcpu *vcpu)
{
	u64 q = to_vmx(vcpu)->exit.qual;
	u16 port = q >> 16;
	u8 size = (q & 7) + 1;
	bool in = q & BIT(3);

	if (q & BIT(4)) {
		/*
		 * INS/OUTS: the instruction-information field gives the address
		 * size (bits 9:7) and the segment (17:15, ES CS SS DS FS GS) on
		 * CPUs that report it (Table 27-8); RIP stays on the instruction
		 * until the count is done.
		 */
		u32 info = to_vmx(vcpu)->exit.instr_info;

		if (!vmx_ins_outs_info())
			return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION,
							EXIT_REASON_IO_INSTRUCTION, q);
		return hxen_exit_pio_string(vcpu, port, size, in, q & BIT(5),
					    (info >> 15) & 7, 2 << ((info >> 7) & 7),
					    to_vmx(vcpu)->rip + to_vmx(vcpu)->exit.instr_len);
	}
	vmx_skip_instruction(vcpu);
	return hxen_exit_pio(vcpu, port, size, in, vcpu->regs[VCPU_RAX]);
}

static int vmx_handle_ept_violation(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 gpa = vmx->exit.gpa;
	int r;

	/*
	 * An IRET that unblocked NMIs faulted and will run again: the
	 * blocking must be back until it does (SDM Vol. 3 27.2.3).
	 */
	if ((vmx->exit.qual & BIT(12)) && !(vmx->exit.vectoring & VECTORING_INFO_VALID_MASK))
		vmx->interruptibility |= GUEST_INTR_STATE_NMI;
	/* Qualification bit 1: the access was a write (Table 27-7). */
	r = hxen_tdp_fault(vcpu, gpa, vmx->exit.qual & EPT_VIOLATION_ACC_WRITE);
	if (r < 0)
		return r;
	if (r == HXEN_TDP_MAPPED)
		return HXEN_RESUME;
	/* No RAM there, or a write to a read-only slot: MMIO to userspace. */
	return hxen_emulate_mmio(vcpu);
}

/* We never write a misconfigured EPT entry: this is a bug of ours. */
static int vmx_handle_ept_misconfig(struct hxen_vcpu *vcpu)
{
	pr_err_ratelimited("VMX: EPT misconfiguration at GPA %#llx\n",
			   to_vmx(vcpu)->exit.gpa);
	return hxen_exit_internal_error(vcpu, KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
					EXIT_REASON_EPT_MISCONFIG, to_vmx(vcpu)->exit.gpa);
}

/*
 * MSRs whose state is the backend's: in the VMCS or in struct vmx_vcpu
 * (x86/msr.c keeps the rest). -errno where WRMSR/RDMSR would #GP.
 */
int vmx_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field;

	switch (msr) {
	case MSR_EFER:
		*val = vmx->efer;
		return 0;
	case MSR_KERNEL_GS_BASE:
		*val = vmx->kernel_gs_base;
		return 0;
	case MSR_STAR:
		*val = vmx->syscall.star;
		return 0;
	case MSR_LSTAR:
		*val = vmx->syscall.lstar;
		return 0;
	case MSR_CSTAR:
		*val = vmx->syscall.cstar;
		return 0;
	case MSR_SYSCALL_MASK:
		*val = vmx->syscall.sfmask;
		return 0;
	case MSR_IA32_TSC:
		/* What RDTSC in the guest reads: TSC offsetting is on. */
		*val = rdtsc() + vmx->tsc_offset;
		return 0;
	case MSR_FS_BASE:
		field = GUEST_FS_BASE;
		break;
	case MSR_GS_BASE:
		field = GUEST_GS_BASE;
		break;
	case MSR_IA32_SYSENTER_CS:
		field = GUEST_SYSENTER_CS;
		break;
	case MSR_IA32_SYSENTER_ESP:
		field = GUEST_SYSENTER_ESP;
		break;
	case MSR_IA32_SYSENTER_EIP:
		field = GUEST_SYSENTER_EIP;
		break;
	case MSR_IA32_CR_PAT:
		field = GUEST_IA32_PAT;
		break;
	default:
		return -ENOENT;
	}
	if (!vmx_access_begin(vcpu))
		return -EIO;
	*val = vmcs_read(field);
	vmx_access_end(vcpu);
	return 0;
}

static bool vmx_pat_valid(u64 val)
{
	int i;

	/* Each entry: UC, WC, WT, WP, WB or UC- (0, 1, 4, 5, 6, 7). */
	for (i = 0; i < 8; i++) {
		u8 t = (val >> (8 * i)) & 0xff;

		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

#define VMX_EFER_BITS	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR)

/* @host: KVM_SET_MSRS, which may set what the guest's CPUID does not offer. */
int vmx_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	unsigned long field;

	switch (msr) {
	case MSR_EFER:
		if (!host)
			return vmx_set_efer(vcpu, val);
		/* Userspace restores LMA too; VM entry checks it against CR0. */
		if (val & ~(u64)VMX_EFER_BITS)
			return -EINVAL;
		if (!vmx_access_begin(vcpu))
			return -EIO;
		vmx_write_efer(vcpu, val);
		vmx_access_end(vcpu);
		return 0;
	/*
	 * These are loaded into the real MSRs around VM entry: a value the
	 * CPU would refuse must fault here, in the guest, not in the host.
	 */
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
		if (!vmx_canonical(val))
			return -EINVAL;
		if (msr == MSR_KERNEL_GS_BASE)
			vmx->kernel_gs_base = val;
		else if (msr == MSR_LSTAR)
			vmx->syscall.lstar = val;
		else
			vmx->syscall.cstar = val;
		return 0;
	case MSR_STAR:
		vmx->syscall.star = val;
		return 0;
	case MSR_SYSCALL_MASK:
		/* Bits 63:32 are reserved (SDM Vol. 4 Table 2-2). */
		if (val >> 32)
			return -EINVAL;
		vmx->syscall.sfmask = val;
		return 0;
	case MSR_IA32_TSC:
		vmx->tsc_offset = val - rdtsc();
		field = TSC_OFFSET;
		val = vmx->tsc_offset;
		break;
	/* VM entry checks these are canonical (SDM Vol. 3 26.3.1.2). */
	case MSR_FS_BASE:
	case MSR_GS_BASE:
		if (!vmx_canonical(val))
			return -EINVAL;
		field = msr == MSR_FS_BASE ? GUEST_FS_BASE : GUEST_GS_BASE;
		break;
	/*
	 * These too (26.3.1.1), but an AMD-minded guest may write any 64-bit
	 * value: made canonical rather than refused, as KVM does.
	 */
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		val = (u64)(((s64)val << 16) >> 16);
		field = msr == MSR_IA32_SYSENTER_ESP ? GUEST_SYSENTER_ESP : GUEST_SYSENTER_EIP;
		break;
	case MSR_IA32_SYSENTER_CS:
		field = GUEST_SYSENTER_CS;
		val = (u32)val;
		break;
	case MSR_IA32_CR_PAT:
		if (!vmx_pat_valid(val))
			return -EINVAL;
		field = GUEST_IA32_PAT;
		break;
	default:
		return -ENOENT;
	}
	if (!vmx_access_begin(vcpu))
		return -EIO;
	vmcs_write(field, val);
	vmx_access_end(vcpu);
	return 0;
}

static int vmx_handle_msr_read(struct hxen_vcpu *vcpu)
{
	return vmx_complete_insn(vcpu, hxen_exit_rdmsr(vcpu));
}

static int vmx_handle_msr_write(struct hxen_vcpu *vcpu)
{
	return vmx_complete_insn(vcpu, hxen_exit_wrmsr(vcpu));
}

/*
 * MOV to/from CR0, CR3, CR4, CR8, CLTS and LMSW (qualification: SDM Vol. 3
 * Table 27-3). CR0 and CR4 exit when the guest changes a host-owned bit,
 * CR8 always (no TPR shadow), CR3 only on CPUs that force CR3 exiting.
 */
static int vmx_handle_cr_access(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 q = vmx->exit.qual, val;
	int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15, r = 0;
	bool is64 = vmx_is_64bit(vcpu);

	switch (type) {
	case 0:		/* MOV to CR */
		val = vmx_gpr_read(vcpu, reg, is64);
		switch (cr) {
		case 0:
			r = vmx_set_cr0(vcpu, val);
			break;
		case 3:
			r = vmx_set_cr3(vcpu, val);
			break;
		case 4:
			r = vmx_set_cr4(vcpu, val);
			break;
		case 8:
			r = val > 15 ? -EINVAL : 0;
			if (!r)
				vmx->cr8 = val;
			break;
		default:
			return vmx_handle_unexpected(vcpu);
		}
		break;
	case 1:		/* MOV from CR */
		if (cr == 8) {
			val = vmx->cr8;
		} else if (cr == 3) {
			if (!vmx_access_begin(vcpu))
				return -EIO;
			val = vmcs_read(GUEST_CR3);
			vmx_access_end(vcpu);
		} else {
			return vmx_handle_unexpected(vcpu);
		}
		vmx_gpr_write(vcpu, reg, val, is64);
		break;
	case 2:		/* CLTS */
		r = vmx_set_cr0(vcpu, vmx->cr0 & ~(u64)X86_CR0_TS);
		break;
	case 3:		/* LMSW: sets PE (never clears it), MP, EM, TS */
		val = (q >> LMSW_SOURCE_DATA_SHIFT) & 0xf;
		r = vmx_set_cr0(vcpu, (vmx->cr0 & ~0xeULL) | val);
		break;
	}
	if (r == -EIO)
		return r;
	if (r) {
		vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
		return HXEN_RESUME;
	}
	vmx_skip_instruction(vcpu);
	return HXEN_RESUME;
}

/*
 * The guest's first MOV to/from a debug register. From now on DR0-3 (run
 * loop), DR6 (vmx_vcpu_run) and DR7 (VMCS, saved on exit) are the guest's
 * while it runs, so MOV DR can run natively: stop exiting and let the
 * instruction run again. Until now DR0-3 held the host's values and the
 * guest could not have changed DR6 or DR7 (SDM Vol. 3 25.1.3: MOV DR
 * exiting covers all eight).
 */
void vmx_activate_debugregs(struct hxen_vcpu *vcpu)
{
	to_vmx(vcpu)->proc_base &= ~CPU_BASED_MOV_DR_EXITING;
	hxen_guest_debugregs_used(vcpu);
}

static int vmx_handle_dr_access(struct hxen_vcpu *vcpu)
{
	vmx_activate_debugregs(vcpu);
	return HXEN_RESUME;
}

static int vmx_handle_xsetbv(struct hxen_vcpu *vcpu)
{
	int cpl = 0;

	/* CPL is SS.DPL (SDM Vol. 3 24.4.1). */
	if (vmx_access_begin(vcpu)) {
		cpl = VMX_AR_DPL(vmcs_read(GUEST_SS_AR_BYTES));
		vmx_access_end(vcpu);
	}
	return vmx_complete_insn(vcpu, hxen_exit_xsetbv(vcpu, cpl));
}

/* The guest can take an interrupt now: stop asking (run loop injects). */
static int vmx_handle_irq_window(struct hxen_vcpu *vcpu)
{
	to_vmx(vcpu)->irq_window = false;
	return HXEN_RESUME;
}

/*
 * The guest stopped blocking NMIs: the run loop injects the queued one,
 * and vmx_vcpu_run drops NMI-window exiting once none is queued.
 */
static int vmx_handle_nmi_window(struct hxen_vcpu *vcpu)
{
	return HXEN_RESUME;
}

static int vmx_handle_triple_fault(struct hxen_vcpu *vcpu)
{
	/* Like SVM after SHUTDOWN: userspace finds the vCPU at reset. */
	vmx_reset_vcpu(vcpu);
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return HXEN_USER;
}

static int vmx_handle_invd(struct hxen_vcpu *vcpu)
{
	/* Nothing of the host's may be dropped: treat it as WBINVD's no-op. */
	vmx_skip_instruction(vcpu);
	return HXEN_RESUME;
}

/* Only on CPUs that force INVLPG exiting. */
static int vmx_handle_invlpg(struct hxen_vcpu *vcpu)
{
	set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
	vmx_skip_instruction(vcpu);
	return HXEN_RESUME;
}

/* Not offered to guests: they fault as on a CPU without them. */
static int vmx_handle_ud(struct hxen_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, X86_TRAP_UD, false, 0);
	return HXEN_RESUME;
}

/* A Xen hypercall in a VM with the Xen ABI (xen/hypercall.c); else #UD. */
static int vmx_handle_vmcall(struct hxen_vcpu *vcpu)
{
	if (!vcpu->xen)
		return vmx_handle_ud(vcpu);
	vmx_skip_instruction(vcpu);
	return hxen_xen_hypercall(vcpu);
}

/* No performance counters for guests: every counter index is invalid. */
static int vmx_handle_rdpmc(struct hxen_vcpu *vcpu)
{
	vmx_inject_exception(vcpu, X86_TRAP_GP, true, 0);
	return HXEN_RESUME;
}

/*
 * VM entry failed while loading guest state (invalid guest state, MSR
 * loading, machine check; SDM Vol. 3 26.8): the full exit reason, bit 31
 * set, goes to userspace as KVM reports it.
 */
static int vmx_handle_entry_failure(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;

	if ((vmx->exit.reason & 0xffff) == EXIT_REASON_MCE_DURING_VMENTRY)
		asm volatile("int $" __stringify(X86_TRAP_MC));
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vmx->exit.reason;
	run->fail_entry.cpu = vcpu->cpu;
	return HXEN_USER;
}

/*
 * VMLAUNCH/VMRESUME failed before entering (VMfail): the controls or the
 * host state are wrong, which is our bug, not the guest's. Reported as KVM
 * does, with the VM-instruction error.
 */
static int vmx_handle_vmfail(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct kvm_run *run = vcpu->run;

	pr_err_ratelimited("VMX: VM entry failed with VM-instruction error %u (injecting %#x/%#x)\n",
			   vmx->exit.instr_error, vmx->inject.info, vmx->inject.error);
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = vmx->exit.instr_error;
	run->fail_entry.cpu = vcpu->cpu;
	return HXEN_USER;
}

int vmx_handle_exit(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx->exit.vmfail)
		return vmx_handle_vmfail(vcpu);

	switch (vmx->exit.reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		return vmx_handle_exception_nmi(vcpu);
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		/* Still pending: the host took it when interrupts came back on. */
		return HXEN_RESUME;
	case EXIT_REASON_PREEMPTION_TIMER:
		/* The backstop (vmx.c): the run loop checks signals, resched. */
		return HXEN_RESUME;
	case EXIT_REASON_TRIPLE_FAULT:
		return vmx_handle_triple_fault(vcpu);
	case EXIT_REASON_INTERRUPT_WINDOW:
		return vmx_handle_irq_window(vcpu);
	case EXIT_REASON_NMI_WINDOW:
		return vmx_handle_nmi_window(vcpu);
	case EXIT_REASON_CPUID:
		return vmx_handle_cpuid(vcpu);
	case EXIT_REASON_HLT:
		return vmx_handle_hlt(vcpu);
	case EXIT_REASON_PAUSE_INSTRUCTION:
		return vmx_handle_pause(vcpu);
	case EXIT_REASON_INVD:
		return vmx_handle_invd(vcpu);
	case EXIT_REASON_INVLPG:
		return vmx_handle_invlpg(vcpu);
	case EXIT_REASON_RDPMC:
		return vmx_handle_rdpmc(vcpu);
	case EXIT_REASON_CR_ACCESS:
		return vmx_handle_cr_access(vcpu);
	case EXIT_REASON_DR_ACCESS:
		return vmx_handle_dr_access(vcpu);
	case EXIT_REASON_IO_INSTRUCTION:
		return vmx_handle_io(vcpu);
	case EXIT_REASON_MSR_READ:
		return vmx_handle_msr_read(vcpu);
	case EXIT_REASON_MSR_WRITE:
		return vmx_handle_msr_write(vcpu);
	case EXIT_REASON_XSETBV:
		return vmx_handle_xsetbv(vcpu);
	case EXIT_REASON_EPT_VIOLATION:
		return vmx_handle_ept_violation(vcpu);
	case EXIT_REASON_EPT_MISCONFIG:
		return vmx_handle_ept_misconfig(vcpu);
	case EXIT_REASON_INVALID_STATE:
	case EXIT_REASON_MSR_LOAD_FAIL:
	case EXIT_REASON_MCE_DURING_VMENTRY:
		return vmx_handle_entry_failure(vcpu);
	case EXIT_REASON_VMCALL:
		return vmx_handle_vmcall(vcpu);
	/* No nested VMX. */
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_MWAIT_INSTRUCTION:
		return vmx_handle_ud(vcpu);
	default:
		return vmx_handle_unexpected(vcpu);
	}
}
