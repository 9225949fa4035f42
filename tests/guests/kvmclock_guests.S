/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of the kvm-clock tests (kvmclock_tests.c), 64-bit, entered by
 * enter_long64. It enables kvm-clock with its record at KVMCLOCK_REC and
 * asks for the wall clock at KVMCLOCK_WALL, then forever: reads its TSC
 * into RBX and exits with OUT to port 0x41, so the test can evaluate the
 * record at a TSC value the guest really saw.
 */
#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

#define KVMCLOCK_REC	0x2100
#define KVMCLOCK_WALL	0x2200
#define MSR_KVM_WALL_CLOCK_NEW	0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW	0x4b564d01

	.section .rodata, "a"
	.code64

GUEST(kvmclock)
	mov	$MSR_KVM_SYSTEM_TIME_NEW, %ecx
	mov	$(KVMCLOCK_REC | 1), %eax
	xor	%edx, %edx
	wrmsr
	mov	$MSR_KVM_WALL_CLOCK_NEW, %ecx
	mov	$KVMCLOCK_WALL, %eax
	wrmsr
1:	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, %rbx
	out	%al, $0x41
	jmp	1b
END(kvmclock)
	.section .note.GNU-stack, "", @progbits
