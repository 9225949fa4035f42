/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny test guests. Each is copied to guest-physical GUEST_CODE (0x1000)
 * and entered there in the mode its test sets up. ABS(g, l) is label l's
 * guest address in guest g. Data lives at 0x2000+ (DATA).
 */
#define GUEST_CODE	0x1000
#define DATA		0x2000
#define ABS(g, l)	(GUEST_CODE + (l - guest_##g))

#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

	.section .rodata, "a"

/* Real mode: stop at once. */
	.code16
GUEST(hlt)
	hlt
END(hlt)

/* Real mode: OUT of each size, then HLT. */
GUEST(out)
	mov	$0x42, %al
	out	%al, $0x80
	mov	$0x1234, %ax
	mov	$0x3f8, %dx
	out	%ax, %dx
	mov	$0xdeadbeef, %eax
	out	%eax, $0x81
	hlt
END(out)

/* Real mode: IN of each size keeps or clears the upper bits as hardware. */
GUEST(in)
	mov	$0x11111111, %eax
	in	$0x71, %al
	mov	%eax, %ebx
	mov	$0x22222222, %eax
	mov	$0x1f0, %dx
	in	%dx, %ax
	mov	%eax, %ecx
	in	%dx, %eax
	hlt
END(in)

/* CPUID leaves from the table userspace set. */
GUEST(cpuid)
	mov	$0x0, %eax
	cpuid
	mov	%eax, %esi
	mov	$0x7, %eax
	mov	$0x1, %ecx
	cpuid
	hlt
END(cpuid)

/* Real mode: add to a word in RAM, twice, then stop. */
GUEST(ram)
	movl	(DATA), %eax
	add	$1, %eax
	movl	%eax, (DATA)
	movl	%eax, (0x8000)		/* second slot */
	hlt
	movl	(DATA), %eax
	hlt
END(ram)

/*
 * Spin until userspace stops us (signal, immediate_exit). Interrupts on
 * (none are ever injected): Bochs's VMX misses external-interrupt exits
 * while the guest has IF clear, which would hang KVM's run there.
 */
GUEST(spin)
	sti
1:	incl	(DATA)
	jmp	1b
END(spin)

/* Real mode triple fault: no IDT, then an exception. */
GUEST(triple_fault)
	lidt	ABS(triple_fault, 1f)
	int3
	hlt
1:	.word	0
	.long	0
END(triple_fault)

/*
 * Real mode -> 32-bit protected mode -> 64-bit long mode, all by the
 * guest itself, reporting each stage on port 0x10. Page tables at 0x3000.
 */
GUEST(modes)
	cli
	lgdt	ABS(modes, gdtr)
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $ABS(modes, pm32)
	.code32
pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$32, %al
	out	%al, $0x10
	/* PML4[0] -> PDPT[0] -> PD[0]: 2 MiB identity page. */
	movl	$0x4003, (0x3000)
	movl	$0x5003, (0x4000)
	movl	$0x83, (0x5000)
	mov	$0x3000, %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$0x20, %eax		/* PAE */
	mov	%eax, %cr4
	mov	$0xc0000080, %ecx	/* EFER.LME */
	rdmsr
	or	$0x100, %eax
	wrmsr
	mov	%cr0, %eax
	or	$0x80000000, %eax	/* PG */
	mov	%eax, %cr0
	ljmp	$0x18, $ABS(modes, lm64)
	.code64
lm64:
	mov	$64, %al
	out	%al, $0x10
	mov	$0xc0000080, %ecx
	rdmsr
	mov	%rax, %rbx		/* EFER as the guest sees it */
	movabs	$0x123456789abcdef0, %rax
	mov	%rax, (DATA)
	hlt
	.p2align 3
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08: 32-bit code */
	.quad	0x00cf92000000ffff	/* 0x10: data */
	.quad	0x00af9a000000ffff	/* 0x18: 64-bit code */
gdtr:
	.word	gdtr - gdt - 1
	.long	ABS(modes, gdt)
END(modes)

/* 64-bit guest entered directly by the runner (long-mode sregs). */
	.code64
GUEST(long64)
	mov	(DATA), %rax
	not	%rax
	mov	%rax, (DATA + 8)
	mov	$0x3fd, %dx
	out	%al, %dx
	hlt
END(long64)

/*
 * 64-bit: xmm0-7 hold patterns from DATA; check them 2000 times while
 * taking CPUID exits (in the kernel) and, every 64th time, an OUT to
 * userspace; report 0x31 on port 0x31 if they survived, else 0x3e.
 */
#define XMM_CHECK(n)				\
	movdqa	%xmm##n, %xmm8;			\
	pcmpeqb	(n * 16)(%rsi), %xmm8;		\
	pmovmskb %xmm8, %edx;			\
	cmp	$0xffff, %edx;			\
	jne	9f
GUEST(sse)
	mov	$DATA, %rsi
	movdqu	0x00(%rsi), %xmm0
	movdqu	0x10(%rsi), %xmm1
	movdqu	0x20(%rsi), %xmm2
	movdqu	0x30(%rsi), %xmm3
	movdqu	0x40(%rsi), %xmm4
	movdqu	0x50(%rsi), %xmm5
	movdqu	0x60(%rsi), %xmm6
	movdqu	0x70(%rsi), %xmm7
	mov	$2000, %r9d
1:	XMM_CHECK(0); XMM_CHECK(1); XMM_CHECK(2); XMM_CHECK(3)
	XMM_CHECK(4); XMM_CHECK(5); XMM_CHECK(6); XMM_CHECK(7)
	xor	%eax, %eax
	cpuid
	test	$63, %r9d
	jnz	2f
	mov	$0x30, %al
	out	%al, $0x30
2:	dec	%r9d
	jnz	1b
	mov	$0x31, %al
	out	%al, $0x31
	hlt
9:	mov	$0x3e, %al
	out	%al, $0x31
	hlt
END(sse)

/* MSRs: write SYSENTER_CS and STAR, read back TSC-free values, then #GP. */
GUEST(msr)
	mov	$0x174, %ecx		/* SYSENTER_CS */
	mov	$0x1234, %eax
	xor	%edx, %edx
	wrmsr
	mov	$0xc0000081, %ecx	/* STAR */
	mov	$0x89abcdef, %eax
	mov	$0x00230010, %edx
	wrmsr
	mov	$0x40, %al
	out	%al, $0x40		/* userspace checks KVM_GET_MSRS, sets SYSENTER_EIP */
	mov	$0x176, %ecx		/* SYSENTER_EIP */
	rdmsr
	mov	%rax, %rbx
	mov	%rdx, %rbp
	hlt
	mov	$0x12345, %ecx		/* an MSR nobody has: #GP, no IDT: shutdown */
	rdmsr
	hlt
END(msr)

/*
 * 64-bit MMIO at 1 MiB (mapped by the guest's page tables, no RAM there):
 * every decoded instruction form the test checks, then HLT.
 */
#define MMIO	0x100000
GUEST(mmio)
	movb	$0x11, (MMIO)
	movw	$0x2233, (MMIO + 0x10)
	movl	$0x44556677, (MMIO + 0x20)
	movabs	$0x8899aabbccddeeff, %rax
	mov	%rax, (MMIO + 0x30)
	mov	(MMIO + 0x40), %bl
	movzwl	(MMIO + 0x50), %ecx
	movsbq	(MMIO + 0x60), %rdx
	addl	$5, (MMIO + 0x70)
	mov	$0xabcd, %esi
	xchg	%esi, (MMIO + 0x80)
	mov	$0x77, %al
	mov	$MMIO + 0x90, %rdi
	mov	$3, %rcx
	rep stosb
	mov	$DATA, %rsi
	movsq				/* RAM -> MMIO at rdi (0x100093) */
	mov	$MMIO + 0xa0, %r8
	orq	$0x100, 8(%r8)		/* read-modify-write, 8 bytes, base+disp */
	hlt
END(mmio)

/* Real mode string port I/O: REP OUTSB of 5 bytes, REP INSW of 3 words. */
	.code16
GUEST(strio)
	mov	$DATA, %si
	mov	$5, %cx
	mov	$0x3f8, %dx
	cld
	rep outsb
	mov	$DATA + 0x100, %di
	mov	$3, %cx
	mov	$0x1f0, %dx
	rep insw
	hlt
END(strio)

/* Write to a read-only slot (MMIO exit), read it (RAM), then halt. */
GUEST(rom)
	movl	(0x8000), %eax
	movl	$0x1234, (0x8000)
	hlt
END(rom)

/* 32-bit protected mode, flat segments, paging off. */
	.code32
GUEST(prot32)
	mov	(DATA), %eax
	lea	1(%eax,%eax,2), %eax
	mov	%eax, (DATA + 4)
	hlt
END(prot32)

/* Read a word userspace changes behind the guest's back (MMU notifier). */
	.code16
GUEST(reread)
	movl	(DATA), %eax
	hlt
	movl	(DATA), %eax
	hlt
END(reread)

/* Per-vCPU counter loop: 1000 increments of DATA + 4*id (id in ebx). */
	.code32
/*
 * Ping-pong between two vCPUs (EBX: 0 or 1): spin with PAUSE until the
 * turn word at DATA names this vCPU, hand the turn over; ECX turns, HLT.
 */
GUEST(pingpong)
1:	pause
	cmp	%ebx, DATA
	jne	1b
	mov	%ebx, %eax
	xor	$1, %eax
	mov	%eax, DATA
	dec	%ecx
	jnz	1b
	hlt
END(pingpong)

GUEST(count)
	mov	$1000, %ecx
1:	incl	DATA(,%ebx,4)
	dec	%ecx
	jnz	1b
	hlt
END(count)

/*
 * Real mode with handlers for vector 0x20 (reports 0x20 on port 0x20) and
 * NMI (reports 0x22 on port 0x22) in the IVT; stack at 0x7000.
 */
	.code16
#define IVT_SETUP(g)						\
	mov	$0x7000, %sp;					\
	movw	$ABS(g, irq_handler_##g), (0x20 * 4);		\
	movw	$0, (0x20 * 4 + 2);				\
	movw	$ABS(g, nmi_handler_##g), (2 * 4);		\
	movw	$0, (2 * 4 + 2)
#define HANDLERS(g)						\
irq_handler_##g:						\
	push	%ax;						\
	mov	$0x20, %al;					\
	out	%al, $0x20;					\
	pop	%ax;						\
	iret;							\
nmi_handler_##g:						\
	push	%ax;						\
	mov	$0x22, %al;					\
	out	%al, $0x22;					\
	pop	%ax;						\
	iret

/* Exceptions the guest handles itself: #UD (ud2) and #DE (div by 0). */
GUEST(exceptions)
	mov	$0x7000, %sp
	movw	$ABS(exceptions, 1f), (6 * 4)
	movw	$0, (6 * 4 + 2)
	movw	$ABS(exceptions, 2f), (0 * 4)
	movw	$0, (0 * 4 + 2)
	ud2
	xor	%bl, %bl
	mov	$1, %ax
	div	%bl
	hlt
1:	mov	$6, %al			/* #UD: report, skip the 2-byte ud2 */
	out	%al, $0x60
	mov	%sp, %bp
	addw	$2, (%bp)
	iret
2:	mov	$0, %al			/* #DE: report, skip the 2-byte div */
	out	%al, $0x60
	mov	%sp, %bp
	addw	$2, (%bp)
	iret
END(exceptions)

/* Debug registers: write DR0, let userspace run, read DR0 back. */
GUEST(debugregs)
	mov	$0x1234, %eax
	mov	%eax, %dr0
	mov	$0x42, %al
	out	%al, $0x42
	mov	%dr0, %ebx
	hlt
END(debugregs)

/* Interrupts on, halt forever. */
GUEST(irq)
	IVT_SETUP(irq)
	sti
1:	hlt
	jmp	1b
	HANDLERS(irq)
END(irq)

/* Interrupts off, report, then on: the interrupt window opens. */
GUEST(irq_window)
	IVT_SETUP(irq_window)
	cli
	mov	$0x21, %al
	out	%al, $0x21
	sti
	nop
1:	hlt
	jmp	1b
	HANDLERS(irq_window)
END(irq_window)

/* Interrupts off for good: only an NMI gets through. */
GUEST(nmi)
	IVT_SETUP(nmi)
	cli
1:	hlt
	jmp	1b
	HANDLERS(nmi)
END(nmi)

	.section .note.GNU-stack, "", @progbits
