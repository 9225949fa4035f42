/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest of the dirty-logging tests (dirty_tests.c), 32-bit flat with
 * paging off (enter_prot32). It takes commands from IN port 0x10: a page
 * address with the operation in the low 12 bits:
 *   1  increment the dword at the page's start (a read and a write)
 *   2  read that dword
 *   3  REP INSB 16 bytes from port 0x11 to the page's start (the
 *      hypervisor writes guest RAM itself)
 *   0  HLT; the next KVM_RUN takes the next command.
 */
#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

	.section .rodata, "a"
	.code32

GUEST(dirty)
1:	in	$0x10, %eax
	mov	%eax, %ebx
	and	$0xfffff000, %ebx
	and	$0xfff, %eax
	cmp	$1, %eax
	je	2f
	cmp	$2, %eax
	je	3f
	cmp	$3, %eax
	je	4f
	hlt
	jmp	1b
2:	incl	(%ebx)
	jmp	1b
3:	mov	(%ebx), %ecx
	jmp	1b
4:	mov	%ebx, %edi
	mov	$16, %ecx
	mov	$0x11, %dx
	cld
	rep insb
	jmp	1b
END(dirty)
	.section .note.GNU-stack, "", @progbits
