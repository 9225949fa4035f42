/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SVM world switch. Called with interrupts off and GIF clear (CLGI).
 *
 * void __hxen_svm_enter(u64 vmcb_pa, u64 *regs, u64 host_save_pa)
 *
 * VMRUN saves and restores only part of the host state (AMD APM 15.5):
 * RSP, RAX, RIP, RFLAGS, CR0/3/4, EFER, GDTR/IDTR and the CS/SS/DS/ES
 * selectors. The rest that VMLOAD/VMSAVE cover (FS, GS, TR, LDTR with
 * their hidden parts, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK, SYSENTER_*) is
 * saved to a per-CPU area before and loaded back right after, before any
 * code that needs the host's GS base (per-CPU data) runs. General purpose
 * registers other than RAX and RSP are switched here; RAX and RSP live in
 * the VMCB.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/nospec-branch.h>

/*
 * Speculation hygiene, on the same kernel feature bits KVM's SVM entry
 * uses (arch/x86/kernel/cpu/bugs.c sets them for the CPU's bugs):
 *  - before VMRUN: VERW clears CPU buffers (TSA: CLEAR_CPU_BUF_VM);
 *  - after #VMEXIT, before any RET: the return stack buffer is refilled
 *    (retpoline kernels), returns are untrained (RETBleed/SRSO: UNRET,
 *    SRSO_ALIAS, ENTRY_IBPB) and IBPB_ON_VMEXIT issues an IBPB.
 */

#define REG(n)	(n * 8)

.text

SYM_FUNC_START(__hxen_svm_enter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	push	%rdx		/* host save area */
	push	%rsi		/* regs */
	push	%rdi		/* VMCB */

	/* Host state VMRUN does not cover. */
	mov	%rdx, %rax
	vmsave	%rax

	/* Guest GPRs; RSI last since it holds the array. */
	mov	REG(1)(%rsi), %rcx
	mov	REG(2)(%rsi), %rdx
	mov	REG(3)(%rsi), %rbx
	mov	REG(5)(%rsi), %rbp
	mov	REG(7)(%rsi), %rdi
	mov	REG(8)(%rsi), %r8
	mov	REG(9)(%rsi), %r9
	mov	REG(10)(%rsi), %r10
	mov	REG(11)(%rsi), %r11
	mov	REG(12)(%rsi), %r12
	mov	REG(13)(%rsi), %r13
	mov	REG(14)(%rsi), %r14
	mov	REG(15)(%rsi), %r15
	mov	REG(6)(%rsi), %rsi

	mov	(%rsp), %rax	/* VMCB */
	vmload	%rax
	/* Clobbers EFLAGS.ZF only. */
	VM_CLEAR_CPU_BUFFERS
	vmrun	%rax
	vmsave	%rax

	/* Back in the host with the guest's GPRs (RAX = VMCB again). */
	mov	16(%rsp), %rax	/* host save area */
	vmload	%rax

	mov	8(%rsp), %rax	/* regs */
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

	/* Leave no guest values in registers for speculation to use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	/* The first RET is below: the RSB holds the guest's entries. */
#ifdef CONFIG_RETPOLINE
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE
#endif
	/* Before interrupts come back on: their returns would not untrain. */
	UNTRAIN_RET
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
	/* entry_ibpb clobbers RAX, RCX, RDX: all free here. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx

	add	$24, %rsp
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET
SYM_FUNC_END(__hxen_svm_enter)
