/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of the VCPUOP_initialise/up/down tests (xen_vcpu_tests.c): what
 * vCPU 1 runs from the context vCPU 0 gives it. Copied anywhere (only
 * relative jumps); RSI/ESI is the mailbox, RSP/ESP a stack. Mailbox,
 * 8-byte slots (a 32-bit guest writes the low halves):
 *   +0x00 RBX (the marker)  +0x08 RCX  +0x10 RDX  +0x18 RDI  +0x20 RBP
 *   +0x28 RSP  +0x30 RFLAGS  +0x38 CR0  +0x40 CR4  +0x48 CS selector
 *   +0x50 RAX  +0x58 EFER  +0x60 loop counter  +0x68 "go": nonzero makes
 *   it leave the loop, cleared  +0x70 the result of VCPUOP_down on itself
 *   +0x78 CR3
 * After "go": OUT 0x81 (to userspace), VCPUOP_down(self) through the
 * hypercall page, its result stored, OUT 0x82, then the loop again.
 */
#define HCPAGE		0x100000
#define HC_VCPU_OP	24
#define VCPUOP_DOWN	2

#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

	.section .rodata, "a"

	.code32
GUEST(xvcpu32)
	mov	%ebx, 0x00(%esi)
	mov	%ecx, 0x08(%esi)
	mov	%edx, 0x10(%esi)
	mov	%edi, 0x18(%esi)
	mov	%ebp, 0x20(%esi)
	mov	%esp, 0x28(%esi)
	mov	%eax, 0x50(%esi)
	pushf
	pop	%ecx
	mov	%ecx, 0x30(%esi)
	mov	%cr0, %ecx
	mov	%ecx, 0x38(%esi)
	mov	%cr4, %ecx
	mov	%ecx, 0x40(%esi)
	mov	%cs, %ecx
	mov	%ecx, 0x48(%esi)
	mov	%cr3, %ecx
	mov	%ecx, 0x78(%esi)
	mov	$0xc0000080, %ecx
	rdmsr
	mov	%eax, 0x58(%esi)
	mov	%edx, 0x5c(%esi)
1:	lock incl 0x60(%esi)
	pause
	cmpl	$0, 0x68(%esi)
	je	1b
	movl	$0, 0x68(%esi)
	out	%al, $0x81
	mov	%esi, %ebp
	mov	$VCPUOP_DOWN, %ebx
	mov	$1, %ecx
	xor	%edx, %edx
	mov	$HCPAGE + HC_VCPU_OP * 32, %eax
	call	*%eax
	mov	%eax, 0x70(%ebp)
	mov	%ebp, %esi
	out	%al, $0x82
	jmp	1b
END(xvcpu32)

	.code64
GUEST(xvcpu64)
	mov	%rbx, 0x00(%rsi)
	mov	%rcx, 0x08(%rsi)
	mov	%rdx, 0x10(%rsi)
	mov	%rdi, 0x18(%rsi)
	mov	%rbp, 0x20(%rsi)
	mov	%rsp, 0x28(%rsi)
	mov	%rax, 0x50(%rsi)
	pushf
	pop	%rcx
	mov	%rcx, 0x30(%rsi)
	mov	%cr0, %rcx
	mov	%rcx, 0x38(%rsi)
	mov	%cr4, %rcx
	mov	%rcx, 0x40(%rsi)
	mov	%cs, %ecx
	mov	%rcx, 0x48(%rsi)
	mov	%cr3, %rcx
	mov	%rcx, 0x78(%rsi)
	mov	$0xc0000080, %ecx
	rdmsr
	mov	%eax, 0x58(%rsi)
	mov	%edx, 0x5c(%rsi)
1:	lock incq 0x60(%rsi)
	pause
	cmpq	$0, 0x68(%rsi)
	je	1b
	movq	$0, 0x68(%rsi)
	out	%al, $0x81
	mov	%rsi, %rbp
	mov	$VCPUOP_DOWN, %edi
	mov	$1, %esi
	xor	%edx, %edx
	mov	$HCPAGE + HC_VCPU_OP * 32, %eax
	call	*%rax
	mov	%rax, 0x70(%rbp)
	mov	%rbp, %rsi
	out	%al, $0x82
	jmp	1b
END(xvcpu64)

	.section .note.GNU-stack, "", @progbits
