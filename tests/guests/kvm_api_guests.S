/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of kvm_api_tests.c, real mode at GUEST_CODE (0x1000): what the
 * guest sees of state userspace set through ioctls.
 */
#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

	.section .rodata, "a"
	.code16

/* DR0, DR7 and MCG_CAP as the guest reads them: EBX, EBP, EDI:ESI. */
GUEST(api_read_state)
	mov	%dr0, %ebx
	mov	%dr7, %ebp
	mov	$0x179, %ecx		/* IA32_MCG_CAP */
	rdmsr
	mov	%eax, %esi
	mov	%edx, %edi
	hlt
END(api_read_state)

/* Halt again and again (a vCPU userspace sends a machine check to). */
GUEST(api_hlt_loop)
1:	hlt
	jmp	1b
END(api_hlt_loop)

/*
 * A software breakpoint at offset 6; the #BP handler (IVT entry 3 set by
 * the test) halts, the return address on the stack at 0x6ffa.
 */
GUEST(api_bp)
	mov	$0x7000, %sp
	int3
	mov	$9, %cx
	hlt
GUEST(api_bp_handler)
	hlt
END(api_bp)

/*
 * 64-bit (enter_long64): CR8 as the vCPU entered with it into RBX, then
 * CR8 = 9.
 */
	.code64
/*
 * Single-stepped by a debugger (KVM_SET_GUEST_DEBUG), 64-bit: the steps
 * end after MOV (5 bytes), INC (2), CPUID (2, completed by the kernel)
 * and NOP (1).
 */
GUEST(api_step)
	mov	$1, %eax
	inc	%eax
	cpuid
	nop
	hlt
END(api_step)

GUEST(api_cr8)
	mov	%cr8, %rbx
	hlt
	mov	$9, %eax
	mov	%rax, %cr8
	hlt
END(api_cr8)

	.section .note.GNU-stack, "", @progbits
