/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX world switch. Called with interrupts off and the vCPU's VMCS current.
 *
 * int __hxen_vmx_enter(u64 *regs, u32 launched)
 *
 * VM entry loads the guest's RSP, RIP and RFLAGS from the VMCS and a VM
 * exit loads the host's from it (SDM Vol. 3 26.3.2.3, 27.5.3), so only the
 * other general purpose registers are switched here, from and to @regs.
 * HOST_RSP is written here because only this code knows the stack pointer
 * the exit will come back to; HOST_RIP is __hxen_vmx_exit.
 *
 * Returns 0 after a VM exit (including an exit for a VM-entry failure
 * while loading guest state, SDM 26.8) and 1 when VMLAUNCH/VMRESUME itself
 * failed (VMfailInvalid: CF set, or VMfailValid: ZF set, SDM 30.2): then
 * the guest never ran and the VM-instruction error field says why.
 *
 * Speculation hygiene, on the same kernel feature bits KVM's VMX entry
 * uses (arch/x86/kernel/cpu/bugs.c sets them for the CPU's bugs):
 *  - right before entry: VERW clears CPU buffers (MDS, TAA, MMIO stale
 *    data, RFDS: CLEAR_CPU_BUF; CLEAR_CPU_BUF_VM as well);
 *  - after the exit, before any RET: the return stack buffer is refilled
 *    (RSB_VMEXIT; one entry for PBRSB with eIBRS: RSB_VMEXIT_LITE), the
 *    host's SPEC_CTRL is written again where IBRS works only after a
 *    write (KERNEL_IBRS), and the branch history is cleared (BHI:
 *    CLEAR_BHB_LOOP_ON_VMEXIT).
 * The L1D flush for L1TF is done in C before this (vmx.c).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/unwind_hints.h>

#include "vmx.h"

#define REG(n)	(n * 8)

.text

SYM_FUNC_START(__hxen_vmx_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdi		/* regs, found at HOST_RSP after the exit */

	mov	$HXEN_VMCS_HOST_RSP, %eax
	vmwrite	%rsp, %rax
	jbe	.Lvmfail_host

	/*
	 * CF from this test picks VMLAUNCH or VMRESUME; MOVs keep flags and
	 * VERW changes only ZF.
	 */
	bt	$0, %esi

	mov	REG(0)(%rdi), %rax
	mov	REG(1)(%rdi), %rcx
	mov	REG(2)(%rdi), %rdx
	mov	REG(3)(%rdi), %rbx
	mov	REG(5)(%rdi), %rbp
	mov	REG(6)(%rdi), %rsi
	mov	REG(8)(%rdi), %r8
	mov	REG(9)(%rdi), %r9
	mov	REG(10)(%rdi), %r10
	mov	REG(11)(%rdi), %r11
	mov	REG(12)(%rdi), %r12
	mov	REG(13)(%rdi), %r13
	mov	REG(14)(%rdi), %r14
	mov	REG(15)(%rdi), %r15
	mov	REG(7)(%rdi), %rdi

	/*
	 * A successful entry does not come back here: the exit resumes at
	 * __hxen_vmx_exit with the stack as it is now. Tell objtool to carry
	 * this point's unwind state over to there.
	 */
	UNWIND_HINT_SAVE
	/* Clobbers EFLAGS.ZF. */
	ALTERNATIVE_2 "jmp .Lno_verw", "", X86_FEATURE_CLEAR_CPU_BUF, \
		      "", X86_FEATURE_CLEAR_CPU_BUF_VM
	verw	x86_verw_sel(%rip)
.Lno_verw:
	jc	.Lresume
	vmlaunch
	jmp	.Lvmfail
.Lresume:
	vmresume

.Lvmfail:
	/* The guest's GPRs are loaded but it never ran: drop them. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebx, %ebx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
.Lvmfail_host:
	mov	$1, %eax
	jmp	.Lout

SYM_INNER_LABEL(__hxen_vmx_exit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	/* RSP is HOST_RSP again: regs is on top. Guest RAX goes via the stack. */
	push	%rax
	mov	8(%rsp), %rax
	mov	%rcx, REG(1)(%rax)
	mov	%rdx, REG(2)(%rax)
	mov	%rbx, REG(3)(%rax)
	mov	%rbp, REG(5)(%rax)
	mov	%rsi, REG(6)(%rax)
	mov	%rdi, REG(7)(%rax)
	mov	%r8, REG(8)(%rax)
	mov	%r9, REG(9)(%rax)
	mov	%r10, REG(10)(%rax)
	mov	%r11, REG(11)(%rax)
	mov	%r12, REG(12)(%rax)
	mov	%r13, REG(13)(%rax)
	mov	%r14, REG(14)(%rax)
	mov	%r15, REG(15)(%rax)
	popq	REG(0)(%rax)

	/* Leave no guest values in registers for speculation to use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE
	/* Guests never get SPEC_CTRL: the host's value is still there. */
	ALTERNATIVE "jmp .Lno_ibrs", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PER_CPU_VAR(x86_spec_ctrl_current), %eax
	mov	PER_CPU_VAR(x86_spec_ctrl_current + 4), %edx
	wrmsr
.Lno_ibrs:
	CLEAR_BRANCH_HISTORY_VMEXIT
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx

.Lout:
	add	$8, %rsp	/* regs */
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__hxen_vmx_enter)
