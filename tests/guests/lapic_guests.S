/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of the in-kernel local APIC tests (lapic_tests.c). Each is copied
 * to GUEST_CODE and entered in 32-bit flat protected mode (paging off) with
 * the GDT and IDT the test writes into guest memory; handler labels are
 * global so the test can point IDT gates at them. Counters live at DATA;
 * results go out to ports 0x60-0x6f, 32 bits each. A guest ends spinning
 * after its last OUT (the test never runs it again): a final HLT with
 * interrupts off would sleep in the kernel for good.
 */
#include "iret_past_hlt.h"

#define GUEST_CODE	0x1000
#define DATA		0x2000
#define ABS(g, l)	(GUEST_CODE + (l - guest_##g))

#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:
#define LABEL(name)	.globl guest_##name; guest_##name:

#define APIC		0xfee00000
#define APIC_TPR	(APIC + 0x80)
#define APIC_PPR	(APIC + 0xa0)
#define APIC_EOI	(APIC + 0xb0)
#define APIC_SVR	(APIC + 0xf0)
#define APIC_ISR1	(APIC + 0x110)	/* vectors 32-63 */
#define APIC_IRR1	(APIC + 0x210)
#define APIC_ISR2	(APIC + 0x120)	/* vectors 64-95 */
#define APIC_IRR2	(APIC + 0x220)
#define APIC_ICR	(APIC + 0x300)
#define APIC_ICR2	(APIC + 0x310)
#define APIC_LVTT	(APIC + 0x320)
#define APIC_TMICT	(APIC + 0x380)
#define APIC_TMCCT	(APIC + 0x390)
#define APIC_TDCR	(APIC + 0x3e0)

#define REPORT(port, src)	mov src, %eax; out %eax, $port

	.section .rodata, "a"
	.code32

/* Counts an interrupt in DATA and EOIs it through the xAPIC page. */
#define XAPIC_HANDLER(name, counter)	\
LABEL(name)				\
	incl	(counter);		\
	movl	$0, APIC_EOI;		\
	IRET_PAST_HLT

/* Timer one-shot: vector 0x40 after 1 ms; HLT sleeps in the kernel. */
GUEST(lapic_oneshot)
	mov	$0x7000, %esp
	movl	$0x1ff, APIC_SVR
	movl	$0xb, APIC_TDCR			/* divide by 1 */
	movl	$0x40, APIC_LVTT		/* one-shot, vector 0x40 */
	movl	$1000000, APIC_TMICT
	sti
1:	hlt
	cmpl	$0, (DATA)
	je	1b
	cli
	REPORT(0x60, APIC_TMCCT)		/* 0: expired */
	REPORT(0x61, (DATA))			/* 1 interrupt */
	jmp	.
	XAPIC_HANDLER(lapic_oneshot_irq, DATA)
END(lapic_oneshot)

/*
 * Timer periodic: 10 ms period (KVM nested under TCG cannot keep up with
 * 1 ms), five ticks, then stopped.
 */
GUEST(lapic_periodic)
	mov	$0x7000, %esp
	movl	$0x1ff, APIC_SVR
	movl	$0x3, APIC_TDCR			/* divide by 16 */
	movl	$0x20040, APIC_LVTT		/* periodic, vector 0x40 */
	movl	$625000, APIC_TMICT		/* 10 ms at 1 GHz / 16 */
	sti
1:	hlt
	cmpl	$5, (DATA)
	jb	1b
	cli
	REPORT(0x60, APIC_TMCCT)		/* running: 0 < count <= initial */
	movl	$0x10040, APIC_LVTT		/* masked */
	movl	$0, APIC_TMICT			/* stopped */
	REPORT(0x61, APIC_TMCCT)		/* 0 */
	REPORT(0x62, (DATA))			/* >= 5 */
	jmp	.
	XAPIC_HANDLER(lapic_periodic_irq, DATA)
END(lapic_periodic)

/* TSC-deadline: arm 2M TSC cycles ahead; the MSR reads 0 once it fired. */
GUEST(lapic_deadline)
	mov	$0x7000, %esp
	movl	$0x1ff, APIC_SVR
	movl	$0x40040, APIC_LVTT		/* TSC-deadline, vector 0x40 */
	mov	$0x6e0, %ecx
	rdmsr
	out	%eax, $0x60			/* 0: not armed */
	rdtsc
	/* Far enough that a descheduled emulator thread does not see it fire. */
	add	$100000000, %eax
	adc	$0, %edx
	mov	$0x6e0, %ecx
	wrmsr
	rdmsr
	or	%edx, %eax
	setnz	%al
	movzbl	%al, %eax
	out	%eax, $0x61			/* 1: armed */
	sti
1:	hlt
	cmpl	$0, (DATA)
	je	1b
	cli
	mov	$0x6e0, %ecx
	rdmsr
	or	%edx, %eax
	out	%eax, $0x62			/* 0: disarmed by the interrupt */
	REPORT(0x63, (DATA))			/* 1 */
	movl	$0x40, APIC_LVTT		/* one-shot: the MSR is inert */
	mov	$0x6e0, %ecx
	mov	$12345, %eax
	xor	%edx, %edx
	wrmsr
	rdmsr
	out	%eax, $0x64			/* 0 */
	jmp	.
	XAPIC_HANDLER(lapic_deadline_irq, DATA)
END(lapic_deadline)

/* Self-IPI with interrupts off sits in IRR; taken after STI, in ISR, EOI'd. */
GUEST(lapic_selfipi)
	mov	$0x7000, %esp
	movl	$0x1ff, APIC_SVR
	cli
	movl	$0x40041, APIC_ICR		/* self, fixed, vector 0x41 */
	REPORT(0x60, APIC_IRR2)			/* bit 1 */
	sti
	nop
	cli
	REPORT(0x61, (DATA + 4))		/* ISR seen by the handler: bit 1 */
	REPORT(0x62, APIC_ISR2)			/* 0 after EOI */
	REPORT(0x63, APIC_IRR2)			/* 0 */
	REPORT(0x64, (DATA))			/* 1 */
	jmp	.
LABEL(lapic_selfipi_irq)
	push	%eax
	mov	APIC_ISR2, %eax
	mov	%eax, (DATA + 4)
	incl	(DATA)
	movl	$0, APIC_EOI
	pop	%eax
	iret
END(lapic_selfipi)

/* TPR 0x50 holds vector 0x45 back and lets 0x61 through; TPR 0 frees 0x45. */
GUEST(lapic_tpr)
	mov	$0x7000, %esp
	movl	$0x1ff, APIC_SVR
	cli
	movl	$0x50, APIC_TPR
	movl	$0x40045, APIC_ICR
	movl	$0x40061, APIC_ICR
	REPORT(0x60, APIC_PPR)			/* 0x50 */
	sti
	nop
	nop
	cli
	REPORT(0x61, (DATA + 0x10))		/* 0x45 taken: 0 */
	REPORT(0x62, (DATA + 0x14))		/* 0x61 taken: 1 */
	movl	$0, APIC_TPR
	sti
	nop
	nop
	cli
	REPORT(0x63, (DATA + 0x10))		/* 1 */
	REPORT(0x64, APIC_PPR)			/* 0 */
	jmp	.
	XAPIC_HANDLER(lapic_tpr_irq45, DATA + 0x10)
	XAPIC_HANDLER(lapic_tpr_irq61, DATA + 0x14)
END(lapic_tpr)

/*
 * INIT + SIPI: the AP starts at the blob's first byte in real mode
 * (SIPI vector 1: CS 0x100, IP 0) and reports; the BSP enters at
 * guest_lapic_sipi_bsp in 32-bit mode and sends INIT, INIT de-assert, SIPI.
 */
GUEST(lapic_sipi)
	.code16
	mov	%cs, %ax
	out	%ax, $0x61			/* 0x100 */
	jmp	.
	.code32
LABEL(lapic_sipi_bsp)
	movl	$0x1ff, APIC_SVR
	movl	$0x01000000, APIC_ICR2		/* APIC ID 1 */
	movl	$0x00004500, APIC_ICR		/* INIT, assert */
	movl	$0x00008500, APIC_ICR		/* INIT level de-assert */
	movl	$0x00004601, APIC_ICR		/* SIPI, vector 1 */
	REPORT(0x60, $1)
	jmp	.
END(lapic_sipi)

/* x2APIC through the MSRs; #GP on what x2APIC mode does not have. */
GUEST(lapic_x2apic)
	mov	$0x7000, %esp
	mov	$0x1b, %ecx
	rdmsr
	or	$0xc00, %eax			/* EN | EXTD */
	wrmsr
	mov	$0x802, %ecx
	rdmsr
	out	%eax, $0x60			/* ID 0 */
	mov	$0x80d, %ecx
	rdmsr
	out	%eax, $0x61			/* LDR 1 */
	mov	$0x80f, %ecx
	mov	$0x1ff, %eax
	xor	%edx, %edx
	wrmsr
	cli
	mov	$0x83f, %ecx			/* SELF IPI 0x42 */
	mov	$0x42, %eax
	wrmsr
	mov	$0x830, %ecx			/* ICR: self, vector 0x43 */
	mov	$0x40043, %eax
	wrmsr
	sti
	nop
	nop
	cli
	REPORT(0x62, (DATA))			/* 2 */
	mov	$0x80e, %ecx			/* DFR: gone in x2APIC mode */
	rdmsr
	mov	$0x1b, %ecx
	rdmsr
	and	$~0x400, %eax			/* x2APIC -> xAPIC: #GP */
	wrmsr
	REPORT(0x63, (DATA + 8))		/* 2 #GPs */
	mov	$0x1b, %ecx
	rdmsr
	out	%eax, $0x64			/* 0xfee00d00 */
	REPORT(0x65, APIC + 0x30)		/* the page reads all ones */
	jmp	.
LABEL(lapic_x2apic_irq)
	push	%eax
	push	%ecx
	push	%edx
	incl	(DATA)
	mov	$0x80b, %ecx			/* EOI */
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	pop	%edx
	pop	%ecx
	pop	%eax
	iret
LABEL(lapic_x2apic_gp)
	incl	(DATA + 8)
	add	$4, %esp			/* error code */
	addl	$2, (%esp)			/* skip the 2-byte RDMSR/WRMSR */
	iret
END(lapic_x2apic)

/* Halted with interrupts off: only a signal (to userspace) or an NMI ends it. */
GUEST(lapic_halt)
	mov	$0x7000, %esp
	cli
1:	hlt
	jmp	1b
LABEL(lapic_halt_nmi)
	REPORT(0x62, $2)
	jmp	.
END(lapic_halt)

/*
 * 64-bit (CR8 exists only there), x2APIC: TPR class 15 through CR8, a
 * self-IPI of vector 0x50 (class 5) that it holds back, CR8 to 5 (still
 * held), then to 4: the interrupt must be taken before the very next
 * instruction, which reads the handler's counter. Reports 0x66-0x69.
 */
	.code64
GUEST(lapic_cr8)
	mov	$0x7ff0, %rsp		/* the interrupt frame goes here */
	mov	$0x1b, %ecx		/* APIC_BASE: x2APIC on */
	rdmsr
	or	$0xc00, %eax
	wrmsr
	mov	$0x80f, %ecx		/* SVR: enabled, spurious vector 0xff */
	mov	$0x1ff, %eax
	xor	%edx, %edx
	wrmsr
	mov	$15, %eax
	mov	%rax, %cr8
	sti
	mov	$0x83f, %ecx		/* SELF IPI, vector 0x50 */
	mov	$0x50, %eax
	wrmsr
	nop
	REPORT(0x66, DATA)		/* 0: held back by TPR 15 */
	mov	$5, %eax
	mov	%rax, %cr8
	REPORT(0x67, DATA)		/* 0: class 5 is not above TPR 5 */
	mov	$4, %eax
	mov	%rax, %cr8
	REPORT(0x68, DATA)		/* 1: taken right after the write */
	mov	%cr8, %rax
	REPORT(0x69, %eax)		/* 4 */
	jmp	.
LABEL(lapic_cr8_irq)
	incl	DATA
	push	%rax
	push	%rcx
	push	%rdx
	mov	$0x80b, %ecx		/* x2APIC EOI */
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	pop	%rdx
	pop	%rcx
	pop	%rax
	iretq
END(lapic_cr8)


/*
 * KVM PV EOI, the word at PVEOI_WORD: the handler (both vectors) logs the
 * word it finds at DATA + 8 + 4 * n, then clears bit 0 instead of an EOI
 * write when the hypervisor had set it. One vector alone: set, and the
 * ISR reads 0 after the next exit. 0x42 with 0x41 requested behind it: not
 * set for 0x42 (its EOI must exit to let 0x41 in), set for 0x41. After the
 * MSR is cleared: never set.
 */
#define PVEOI_WORD	(DATA + 0x100)
#define MSR_KVM_PV_EOI_EN	0x4b564d04
	.code32
GUEST(lapic_pv_eoi)
	mov	$0x7000, %esp
	movl	$0x1ff, APIC_SVR
	mov	$MSR_KVM_PV_EOI_EN, %ecx
	mov	$(PVEOI_WORD + 1), %eax
	xor	%edx, %edx
	wrmsr
	/*
	 * Fault in the pages delivery and the handler touch (IDT and stack,
	 * DATA): KVM arms the word only at the entry that injects, and an
	 * exit inside the handler before it reads the word would clear it.
	 */
	mov	(0x6000 + 0x41 * 8), %eax
	mov	%eax, (0x6000 + 0x41 * 8)
	movl	$0, (DATA)
	cli
	movl	$0x40041, APIC_ICR		/* self, fixed, vector 0x41 */
	sti
1:	cmpl	$1, (DATA)
	jb	1b
	cli
	REPORT(0x60, (DATA + 8))		/* 1: armed */
	REPORT(0x61, APIC_ISR2)			/* 0: the PV EOI ended it */
	REPORT(0x62, (PVEOI_WORD))		/* 0 */
	movl	$0x40041, APIC_ICR
	movl	$0x40042, APIC_ICR
	sti
1:	cmpl	$3, (DATA)
	jb	1b
	cli
	REPORT(0x63, (DATA + 12))		/* 0: 0x41 was waiting */
	REPORT(0x64, (DATA + 16))		/* 1 */
	REPORT(0x65, APIC_ISR2)			/* 0 */
	REPORT(0x66, APIC_IRR2)			/* 0 */
	mov	$MSR_KVM_PV_EOI_EN, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	wrmsr
	movl	$0x40041, APIC_ICR
	sti
1:	cmpl	$4, (DATA)
	jb	1b
	cli
	REPORT(0x67, (DATA + 20))		/* 0: disabled */
	REPORT(0x68, APIC_ISR2)			/* 0 */
	jmp	.
LABEL(lapic_pv_eoi_irq)
	push	%eax
	push	%ebx
	mov	(DATA), %ebx
	mov	(PVEOI_WORD), %eax
	mov	%eax, (DATA + 8)(,%ebx,4)
	incl	(DATA)
	btrl	$0, (PVEOI_WORD)
	jc	1f
	movl	$0, APIC_EOI
1:	pop	%ebx
	pop	%eax
	iret
END(lapic_pv_eoi)

	.section .note.GNU-stack, "", @progbits
