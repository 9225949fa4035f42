/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of cpu_state_tests.c: CPU state a guest may or may not own (CR4
 * bits, PKRU, TSC_AUX) and the source segment of string OUT. Loaded at
 * GUEST_CODE (0x1000), data at DATA (0x2000). A fault has no handler:
 * it ends in a triple fault (KVM_EXIT_SHUTDOWN), which is how a test sees
 * that the CPU refused something.
 */
#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

#define MSR_TSC_AUX	0xc0000103
#define DATA_OFF	0x2000

	.section .rodata, "a"

/*
 * 32-bit, paging off. ESI: CR4 bits to set; the CR4 the CPU then has goes
 * to EBX. Second run: WRPKRU with EDI. Third run: RDPKRU into EBP.
 */
	.code32
GUEST(cr4_pkru)
	mov	%cr4, %eax
	or	%esi, %eax
	mov	%eax, %cr4
	mov	%cr4, %ebx
	hlt
	xor	%ecx, %ecx
	xor	%edx, %edx
	mov	%edi, %eax
	wrpkru
	hlt
	xor	%ecx, %ecx
	rdpkru
	mov	%eax, %ebp
	hlt
END(cr4_pkru)

/*
 * 32-bit, paging off. WRMSR TSC_AUX = ESI, then RDTSCP's ECX into EBX.
 * Second run: RDTSCP's ECX into EBX again (userspace set TSC_AUX in
 * between). Third run: RDPID into EBP.
 */
GUEST(tsc_aux)
	mov	$MSR_TSC_AUX, %ecx
	mov	%esi, %eax
	xor	%edx, %edx
	wrmsr
	rdtscp
	mov	%ecx, %ebx
	hlt
	rdtscp
	mov	%ecx, %ebx
	hlt
	rdpid	%eax
	mov	%eax, %ebp
	hlt
END(tsc_aux)

/* Real mode: REP OUTSB from FS:SI, then from GS:SI, to port 0x3f8. */
	.code16
GUEST(strio_seg)
	mov	$DATA_OFF, %si
	mov	$5, %cx
	mov	$0x3f8, %dx
	cld
	rep outsb %fs:(%si), (%dx)
	mov	$DATA_OFF, %si
	mov	$3, %cx
	rep outsb %gs:(%si), (%dx)
	hlt
END(strio_seg)
	.section .note.GNU-stack, "", @progbits
