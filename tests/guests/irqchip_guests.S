/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of the in-kernel PIC/IOAPIC/PIT/MSI tests (irqchip_tests.c).
 * Each is copied to GUEST_CODE and entered in flat 32-bit protected mode
 * (enter_prot32: CS 8, DS 16, paging off), so the IOAPIC and LAPIC pages
 * are reachable. Each loads its own GDT (interrupt gates and IRET load CS
 * from it) and an IDT at 0x6000; the stack is below 0x8000. They talk to
 * the test with OUTs: 0x80 "ready", 0x81/0x82 from handlers (EAX = a
 * count), 0x83 "idle, about to wait for an interrupt".
 */
#include "iret_past_hlt.h"

#define GUEST_CODE	0x1000
#define DATA		0x2000
#define IDT		0x6000
#define ABS(g, l)	(GUEST_CODE + (l - guest_##g))

#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

#define LAPIC		0xfee00000
#define IOAPIC		0xfec00000

	.section .rodata, "a"
	.code32

/* GDT and IDT registers; zero the counters at DATA. */
#define PM_SETUP(g)							\
	lgdt	ABS(g, gdtr_##g);					\
	lidt	ABS(g, idtr_##g);					\
	mov	$0x7ff0, %esp;						\
	movl	$0, DATA;						\
	movl	$0, DATA + 4

#define PM_TABLES(g)							\
	.balign 8;							\
gdt_##g:								\
	.quad	0;							\
	.quad	0x00cf9b000000ffff;	/* 8: flat 32-bit code */	\
	.quad	0x00cf93000000ffff;	/* 16: flat data */		\
gdtr_##g:								\
	.word	23;							\
	.long	ABS(g, gdt_##g);					\
idtr_##g:								\
	.word	0x7ff;							\
	.long	IDT

/* A 32-bit interrupt gate for @vec to label @l of guest @g. */
#define SET_GATE(g, vec, l)						\
	mov	$ABS(g, l), %eax;					\
	mov	%ax, IDT + (vec) * 8;					\
	movw	$8, IDT + (vec) * 8 + 2;				\
	movw	$0x8e00, IDT + (vec) * 8 + 4;				\
	shr	$16, %eax;						\
	mov	%ax, IDT + (vec) * 8 + 6

/* Both 8259As: master vectors 0x20-0x27, slave 0x28-0x2f; then the masks. */
#define PIC_INIT(mmask, smask)						\
	mov	$0x11, %al;	out	%al, $0x20;			\
	mov	$0x20, %al;	out	%al, $0x21;			\
	mov	$0x04, %al;	out	%al, $0x21;			\
	mov	$0x01, %al;	out	%al, $0x21;			\
	mov	$0x11, %al;	out	%al, $0xa0;			\
	mov	$0x28, %al;	out	%al, $0xa1;			\
	mov	$0x02, %al;	out	%al, $0xa1;			\
	mov	$0x01, %al;	out	%al, $0xa1;			\
	mov	$mmask, %al;	out	%al, $0x21;			\
	mov	$smask, %al;	out	%al, $0xa1

/* Software-enable the local APIC (spurious vector 0xff), LINT0 masked, PICs masked. */
#define LAPIC_ON							\
	mov	$0xff, %al;	out	%al, $0x21;			\
	out	%al, $0xa1;						\
	movl	$0x1ff, LAPIC + 0xf0;					\
	movl	$0x10000, LAPIC + 0x350

/*
 * Report idle (interrupts off), then wait with STI; HLT: the STI shadow
 * makes an interrupt already pending arrive after the HLT, so its IRET
 * comes back here and not onto the HLT again (IRET_PAST_HLT: also where
 * the emulated host loses the shadow). An interrupt still pending after
 * an IRET is taken before the CLI.
 */
#define IDLE_LOOP							\
1:	cli;								\
	mov	DATA, %eax;						\
	out	%eax, $0x83;						\
	sti;								\
	hlt;								\
	jmp	1b

/*
 * PIC: IRQ 3 unmasked (IRQ 4 masked). The handler reports
 * (ISR << 8) | count on 0x81 before its EOI; a vector 0x24 would say 0x82.
 */
GUEST(pic)
	PM_SETUP(pic)
	SET_GATE(pic, 0x23, pic_irq3)
	SET_GATE(pic, 0x24, pic_irq4)
	PIC_INIT(0xf7, 0xff)
	mov	$1, %al
	out	%al, $0x80
	IDLE_LOOP
pic_irq3:
	push	%eax
	incl	DATA
	mov	$0x0b, %al		/* OCW3: read ISR */
	out	%al, $0x20
	in	$0x20, %al
	movzbl	%al, %eax
	shl	$8, %eax
	or	DATA, %eax
	out	%eax, $0x81
	mov	$0x0a, %al		/* OCW3: back to IRR */
	out	%al, $0x20
	mov	$0x20, %al		/* non-specific EOI */
	out	%al, $0x20
	pop	%eax
	IRET_PAST_HLT
pic_irq4:
	out	%eax, $0x82
	iret
	PM_TABLES(pic)
END(pic)

/*
 * IOAPIC pin 10: level-triggered, vector 0x40, to APIC 0. The handler
 * reports the count on 0x81, then EOIs at the local APIC.
 */
GUEST(ioapic_level)
	PM_SETUP(ioapic_level)
	SET_GATE(ioapic_level, 0x40, ioapic_irq)
	LAPIC_ON
	movl	$0x10 + 2 * 10 + 1, IOAPIC
	movl	$0, IOAPIC + 0x10		/* destination APIC ID 0 */
	movl	$0x10 + 2 * 10, IOAPIC
	movl	$0x8040, IOAPIC + 0x10		/* level, fixed, vector 0x40 */
	/* Read back the version register for the test: EAX on 0x80. */
	movl	$1, IOAPIC
	mov	IOAPIC + 0x10, %eax
	out	%eax, $0x80
	IDLE_LOOP
ioapic_irq:
	push	%eax
	incl	DATA
	mov	DATA, %eax
	out	%eax, $0x81
	movl	$0, LAPIC + 0xb0		/* EOI */
	pop	%eax
	IRET_PAST_HLT
	PM_TABLES(ioapic_level)
END(ioapic_level)

/* PIT channel 0, mode 2 at 100 Hz, through the PIC: report after 10 ticks. */
GUEST(pit_periodic)
	PM_SETUP(pit_periodic)
	SET_GATE(pit_periodic, 0x20, pit_irq0)
	PIC_INIT(0xfe, 0xff)
	mov	$1, %al
	out	%al, $0x80
	mov	$0x34, %al			/* channel 0, LSB then MSB, mode 2 */
	out	%al, $0x43
	mov	$11932 & 0xff, %al
	out	%al, $0x40
	mov	$11932 >> 8, %al
	out	%al, $0x40
	sti
1:	hlt
	cmpl	$10, DATA
	jb	1b
	cli
	mov	DATA, %eax
	out	%eax, $0x81
	hlt
pit_irq0:
	push	%eax
	incl	DATA
	mov	$0x20, %al
	out	%al, $0x20
	pop	%eax
	IRET_PAST_HLT
	PM_TABLES(pit_periodic)
END(pit_periodic)

/*
 * PIT channel 2 in mode 0 with the gate on and the speaker off (as Linux's
 * TSC calibration): load 0xffff (54.9 ms), poll OUT2 in port 0x61 bit 5.
 * Reports on 0x80 the latched count just after loading, on 0x81 how many
 * polls it took.
 */
GUEST(pit_ch2)
	PM_SETUP(pit_ch2)
	in	$0x61, %al
	and	$~2, %al
	or	$1, %al
	out	%al, $0x61
	mov	$0xb0, %al			/* channel 2, LSB then MSB, mode 0 */
	out	%al, $0x43
	mov	$0xff, %al
	out	%al, $0x42
	out	%al, $0x42
	mov	$0x80, %al			/* latch channel 2 */
	out	%al, $0x43
	in	$0x42, %al
	mov	%al, %bl
	in	$0x42, %al
	mov	%al, %bh
	in	$0x61, %al			/* OUT2 must still be low */
	movzbl	%al, %eax
	shl	$16, %eax
	mov	%bx, %ax
	out	%eax, $0x80
	xor	%ecx, %ecx
1:	inc	%ecx
	in	$0x61, %al
	test	$0x20, %al
	jz	1b
	mov	%ecx, %eax
	out	%eax, $0x81
	hlt
	PM_TABLES(pit_ch2)
END(pit_ch2)

/* MSIs: vector 0x50 reports on 0x81, 0x51 on 0x82; both EOI at the LAPIC. */
GUEST(msi)
	PM_SETUP(msi)
	SET_GATE(msi, 0x50, msi_50)
	SET_GATE(msi, 0x51, msi_51)
	LAPIC_ON
	mov	$1, %al
	out	%al, $0x80
	IDLE_LOOP
msi_50:
	push	%eax
	incl	DATA
	mov	DATA, %eax
	out	%eax, $0x81
	movl	$0, LAPIC + 0xb0
	pop	%eax
	IRET_PAST_HLT
msi_51:
	push	%eax
	incl	DATA + 4
	mov	DATA + 4, %eax
	out	%eax, $0x82
	movl	$0, LAPIC + 0xb0
	pop	%eax
	IRET_PAST_HLT
	PM_TABLES(msi)
END(msi)

/*
 * PIC cascade and ELCR: IRQ 12 through the slave (vector 0x2c) reports
 * (master ISR << 8 | slave ISR) on 0x82; IRQ 5, made level-triggered in
 * the ELCR, reports its count on 0x81 before its EOI.
 */
GUEST(pic_cascade)
	PM_SETUP(pic_cascade)
	SET_GATE(pic_cascade, 0x2c, casc_irq12)
	SET_GATE(pic_cascade, 0x25, casc_irq5)
	PIC_INIT(0xdb, 0xef)
	mov	$0x20, %al			/* ELCR1: IRQ 5 level-triggered */
	mov	$0x4d0, %dx
	out	%al, %dx
	in	%dx, %al
	movzbl	%al, %eax
	out	%eax, $0x80
	IDLE_LOOP
casc_irq12:
	push	%eax
	push	%ebx
	mov	$0x0b, %al
	out	%al, $0xa0
	in	$0xa0, %al
	mov	%al, %bl
	mov	$0x0b, %al
	out	%al, $0x20
	in	$0x20, %al
	mov	%al, %bh
	movzwl	%bx, %eax
	out	%eax, $0x82
	mov	$0x0a, %al
	out	%al, $0xa0
	out	%al, $0x20
	mov	$0x20, %al			/* EOI the slave, then the master */
	out	%al, $0xa0
	out	%al, $0x20
	pop	%ebx
	pop	%eax
	IRET_PAST_HLT
casc_irq5:
	push	%eax
	incl	DATA
	mov	DATA, %eax
	out	%eax, $0x81
	mov	$0x20, %al
	out	%al, $0x20
	pop	%eax
	IRET_PAST_HLT
	PM_TABLES(pic_cascade)
END(pic_cascade)

/*
 * PIT channel 0 in mode 0 (one-shot, 0xc000 ticks = 41 ms) through the
 * PIC. Reports on 0x80 channel 0's read-back status right after loading,
 * on 0x81 the status after its interrupt, then on 0x82 the interrupt count
 * after a further 55 ms measured on channel 2 (one-shot: still 1).
 */
GUEST(pit_oneshot)
	PM_SETUP(pit_oneshot)
	SET_GATE(pit_oneshot, 0x20, oneshot_irq0)
	PIC_INIT(0xfe, 0xff)
	mov	$0x30, %al			/* channel 0, LSB then MSB, mode 0 */
	out	%al, $0x43
	xor	%al, %al
	out	%al, $0x40
	mov	$0xc0, %al
	out	%al, $0x40
	mov	$0xe2, %al			/* read-back: status of channel 0 */
	out	%al, $0x43
	in	$0x40, %al
	movzbl	%al, %eax
	out	%eax, $0x80
	sti
1:	hlt
	cmpl	$1, DATA
	jb	1b
	mov	$0xe2, %al
	out	%al, $0x43
	in	$0x40, %al
	movzbl	%al, %eax
	out	%eax, $0x81
	/* Channel 2 for 55 ms with interrupts on: no second IRQ 0. */
	in	$0x61, %al
	and	$~2, %al
	or	$1, %al
	out	%al, $0x61
	mov	$0xb0, %al
	out	%al, $0x43
	mov	$0xff, %al
	out	%al, $0x42
	out	%al, $0x42
2:	in	$0x61, %al
	test	$0x20, %al
	jz	2b
	mov	DATA, %eax
	out	%eax, $0x82
	cli
	hlt
oneshot_irq0:
	push	%eax
	incl	DATA
	mov	$0x20, %al
	out	%al, $0x20
	pop	%eax
	IRET_PAST_HLT
	PM_TABLES(pit_oneshot)
END(pit_oneshot)

/*
 * Fuzz: every vector to one handler (EOI everywhere, IRET); then forever
 * random INs and OUTs on the PIC, ELCR, PIT and port 0x61 ports and
 * random IOAPIC register writes (fixed delivery only), with interrupts on.
 * The seed is in ESI.
 */
GUEST(irq_fuzz)
	PM_SETUP(irq_fuzz)
	xor	%ecx, %ecx
1:	mov	$ABS(irq_fuzz, fuzz_handler), %eax
	mov	%ax, IDT(,%ecx,8)
	movw	$8, IDT + 2(,%ecx,8)
	movw	$0x8e00, IDT + 4(,%ecx,8)
	shr	$16, %eax
	mov	%ax, IDT + 6(,%ecx,8)
	inc	%ecx
	cmp	$256, %ecx
	jb	1b
	movl	$0x1ff, LAPIC + 0xf0
	sti
2:	imul	$1103515245, %esi, %esi
	add	$12345, %esi
	mov	%esi, %ebx
	shr	$8, %ebx
	and	$15, %ebx
	cmp	$15, %ebx
	je	4f
	movzwl	ABS(irq_fuzz, fuzz_ports)(,%ebx,2), %edx
	mov	%esi, %eax
	shr	$16, %eax
	bt	$5, %esi
	jc	3f
	out	%al, %dx
	jmp	2b
3:	in	%dx, %al
	jmp	2b
4:	mov	%esi, %eax
	shr	$16, %eax
	and	$0x3f, %eax
	mov	%eax, IOAPIC
	mov	%esi, %eax
	and	$0xfffff8ff, %eax
	bt	$6, %esi
	jc	5f
	mov	%eax, IOAPIC + 0x10
	jmp	2b
5:	mov	IOAPIC + 0x10, %eax
	jmp	2b
fuzz_handler:
	push	%eax
	mov	$0x20, %al
	out	%al, $0xa0
	out	%al, $0x20
	movl	$0, LAPIC + 0xb0
	pop	%eax
	iret
	.balign 2
fuzz_ports:
	.word	0x20, 0x21, 0xa0, 0xa1, 0x40, 0x41, 0x42, 0x43
	.word	0x4d0, 0x4d1, 0x61, 0x20, 0x21, 0x43, 0x40
	PM_TABLES(irq_fuzz)
END(irq_fuzz)

/*
 * String I/O on an in-kernel device: REP OUTSB 0x5a, 0xa5 to the master's
 * IMR, REP INSB it twice; reports the two bytes read on 0x80 (no exits
 * in between).
 */
GUEST(pic_string)
	PM_SETUP(pic_string)
	PIC_INIT(0xff, 0xff)
	mov	$ABS(pic_string, string_src), %esi
	mov	$2, %ecx
	mov	$0x21, %dx
	rep outsb
	mov	$DATA + 8, %edi
	mov	$2, %ecx
	rep insb
	movzwl	DATA + 8, %eax
	out	%eax, $0x80
	hlt
string_src:
	.byte	0x5a, 0xa5
	PM_TABLES(pic_string)
END(pic_string)

	.section .note.GNU-stack, "", @progbits
