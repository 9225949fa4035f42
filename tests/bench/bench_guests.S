/* SPDX-License-Identifier: GPL-2.0 */
/* Guests for hxen-bench: each loops on one kind of exit (real mode). */
#define GUEST(name)	.globl bench_##name; bench_##name:
#define END(name)	.globl bench_##name##_end; bench_##name##_end:

	.section .rodata, "a"
	.code16

/* CPUID exits (handled in the kernel), EDI times, then HLT. */
GUEST(cpuid)
1:	xor	%eax, %eax
	cpuid
	dec	%edi
	jnz	1b
	hlt
END(cpuid)

/* Port I/O exits to userspace, forever. */
GUEST(pio)
1:	out	%al, $0x80
	jmp	1b
END(pio)

/* MMIO write exits to userspace (no RAM at 0x8000), forever. */
GUEST(mmio)
1:	movb	%al, (0x8000)
	jmp	1b
END(mmio)

/* HLT exits (to userspace: no in-kernel irqchip), forever. */
GUEST(hlt)
1:	hlt
	jmp	1b
END(hlt)

	.section .note.GNU-stack, "", @progbits
