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
 * 64-bit (enter_long64): CR8 as the vCPU entered with it into RBX, then
 * CR8 = 9.
 */
	.code64
GUEST(api_cr8)
	mov	%cr8, %rbx
	hlt
	mov	$9, %eax
	mov	%rax, %cr8
	hlt
END(api_cr8)

	.section .note.GNU-stack, "", @progbits
