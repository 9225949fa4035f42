/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of the Xen ABI tests (xen_tests.c). Each is copied to GUEST_CODE
 * and serves requests the test writes into a mailbox at DATA, one per
 * KVM_RUN, answering each with OUT 0x80:
 *   +0x00 op: 1 hypercall through the hypercall page, 2 CPUID, 3 WRMSR,
 *             4 raw VMCALL, 5 raw VMMCALL, 6 STI;HLT, 7 load qword,
 *             8 store qword, 9 RDMSR
 *   +0x08 hypercall nr / leaf / MSR / address;  +0x10.. +0x30 arguments
 *   +0x40.. +0x58 results (RAX, RBX, RCX, RDX)
 *   +0x80 upcall count; +0x88 address of the evtchn_upcall_pending byte
 *   the handler clears (0: none); +0x90 nonzero: the handler EOIs the
 *   LAPIC; +0x98 #GP count; +0xa0 #UD count (faulting WRMSR/RDMSR and
 *   VMCALL/VMMCALL are skipped).
 * The test sets up the GDT and IDT (vectors 6, 13 and XEN_VEC).
 */
#define GUEST_CODE	0x1000
#define DATA		0x2000
#define HCPAGE		0x100000
#define ABS(g, l)	(GUEST_CODE + (l - guest_##g))

#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:
#define LABEL(g, l)	.globl guest_##g##_##l; guest_##g##_##l:

	.section .rodata, "a"

/* ---- 64-bit ---- */
	.code64
GUEST(xen64)
	mov	$0x7ff0, %rsp
	sti
1:	mov	DATA, %eax
	cmp	$1, %eax
	je	10f
	cmp	$2, %eax
	je	20f
	cmp	$3, %eax
	je	30f
	cmp	$4, %eax
	je	40f
	cmp	$5, %eax
	je	50f
	cmp	$6, %eax
	je	60f
	cmp	$7, %eax
	je	70f
	cmp	$8, %eax
	je	80f
	cmp	$9, %eax
	je	90f
	jmp	99f
10:	mov	DATA + 0x08, %rax
	shl	$5, %rax
	add	$HCPAGE, %rax
	mov	DATA + 0x10, %rdi
	mov	DATA + 0x18, %rsi
	mov	DATA + 0x20, %rdx
	mov	DATA + 0x28, %r10
	mov	DATA + 0x30, %r8
	call	*%rax
	mov	%rax, DATA + 0x40
	jmp	99f
20:	mov	DATA + 0x08, %eax
	mov	DATA + 0x10, %ecx
	cpuid
	mov	%rax, DATA + 0x40
	mov	%rbx, DATA + 0x48
	mov	%rcx, DATA + 0x50
	mov	%rdx, DATA + 0x58
	jmp	99f
30:	mov	DATA + 0x08, %ecx
	mov	DATA + 0x10, %eax
	mov	DATA + 0x14, %edx
	wrmsr
	jmp	99f
40:	mov	DATA + 0x08, %rax
	mov	DATA + 0x10, %rdi
	mov	DATA + 0x18, %rsi
	mov	DATA + 0x20, %rdx
	mov	DATA + 0x28, %r10
	mov	DATA + 0x30, %r8
	vmcall
	mov	%rax, DATA + 0x40
	jmp	99f
50:	mov	DATA + 0x08, %rax
	mov	DATA + 0x10, %rdi
	mov	DATA + 0x18, %rsi
	mov	DATA + 0x20, %rdx
	mov	DATA + 0x28, %r10
	mov	DATA + 0x30, %r8
	vmmcall
	mov	%rax, DATA + 0x40
	jmp	99f
60:	sti
	hlt
	jmp	99f
70:	mov	DATA + 0x08, %rax
	mov	(%rax), %rax
	mov	%rax, DATA + 0x40
	jmp	99f
80:	mov	DATA + 0x08, %rax
	mov	DATA + 0x10, %rcx
	mov	%rcx, (%rax)
	jmp	99f
90:	mov	DATA + 0x08, %ecx
	xor	%eax, %eax
	xor	%edx, %edx
	rdmsr
	mov	%eax, DATA + 0x40
	mov	%edx, DATA + 0x44
99:	out	%al, $0x80
	jmp	1b

/* The upcall: count, clear evtchn_upcall_pending, EOI if asked. */
LABEL(xen64, upcall)
	push	%rax
	incl	DATA + 0x80
	mov	DATA + 0x88, %rax
	test	%rax, %rax
	jz	1f
	movb	$0, (%rax)
1:	pop	%rax
	iretq
/* #GP from WRMSR/RDMSR: count, skip the 2 bytes. */
LABEL(xen64, gp)
	incl	DATA + 0x98
	add	$8, %rsp		/* error code */
	addq	$2, (%rsp)
	iretq
/* #UD from VMCALL/VMMCALL: count, skip the 3 bytes. */
LABEL(xen64, ud)
	incl	DATA + 0xa0
	addq	$3, (%rsp)
	iretq
END(xen64)

/*
 * A hostile guest: hypercalls with random numbers and arguments from a
 * xorshift generator seeded at DATA, then OUT 0x80; forever. Arguments mix
 * small numbers (ports, domain ids of other VMs), guest addresses and
 * random 64-bit values; a quarter of the calls go to memory_op,
 * grant_table_op, event_channel_op or physdev_op with a small sub-op.
 */
GUEST(xenfuzz)
	mov	$0x7ff0, %rsp
	mov	DATA, %r15		/* seed */
1:	mov	$64, %r14d		/* calls per report */
2:	call	8f
	mov	%rax, %rbx
	and	$0x3f, %ebx		/* mostly the implemented range */
	call	8f
	test	$0x70, %al
	jnz	3f
	mov	%eax, %ebx		/* sometimes any number */
3:	call	9f
	mov	%rax, %rdi
	call	9f
	mov	%rax, %rsi
	call	9f
	mov	%rax, %rdx
	call	9f
	mov	%rax, %r10
	call	9f
	mov	%rax, %r8
	/*
	 * One call in four: memory, grant table, event channel or physdev
	 * op, a small sub-op, its argument in the Xen pages.
	 */
	call	8f
	test	$3, %al
	jnz	4f
	mov	%rax, %rcx
	shr	$8, %rcx
	and	$3, %ecx
	movzbl	ABS(xenfuzz, guest_xenfuzz_calls)(%rcx), %ebx
	shr	$16, %rax
	mov	%rax, %rdi
	and	$0xf, %edi
	shr	$4, %rax		/* the argument in the Xen pages */
	and	$0xfff8, %eax
	add	$HCPAGE, %rax
	mov	%rax, %rsi
4:	mov	%rbx, %rax
	.byte	0x0f, 0x01
LABEL(xenfuzz, insn)
	.byte	0xd9			/* patched to 0xc1 (VMCALL) on Intel */
	dec	%r14d
	jnz	2b
	mov	%r15, DATA + 0x40
	out	%al, $0x80
	jmp	1b
/* xorshift64 step: r15 -> rax. */
8:	mov	%r15, %rax
	shl	$13, %rax
	xor	%rax, %r15
	mov	%r15, %rax
	shr	$7, %rax
	xor	%rax, %r15
	mov	%r15, %rax
	shl	$17, %rax
	xor	%rax, %r15
	mov	%r15, %rax
	ret
/* An argument: small, an address in the Xen pages, or random. */
9:	call	8b
	mov	%rax, %rcx
	and	$3, %ecx
	jz	91f
	cmp	$1, %ecx
	je	92f
	cmp	$2, %ecx
	je	93f
	ret				/* random 64-bit */
91:	and	$0x1f, %eax		/* small */
	ret
92:	and	$0xfff8, %eax		/* in the Xen pages (0x100000+) */
	add	$HCPAGE, %rax
	ret
93:	and	$0x3ff, %eax		/* a frame number near RAM */
	ret
/* memory_op, grant_table_op, event_channel_op, physdev_op */
LABEL(xenfuzz, calls)
	.byte	12, 20, 32, 33
END(xenfuzz)

/* ---- 32-bit protected mode, paging off ---- */
	.code32
GUEST(xen32)
	mov	$0x7ff0, %esp
	sti
1:	mov	DATA, %eax
	cmp	$1, %eax
	je	10f
	cmp	$2, %eax
	je	20f
	cmp	$3, %eax
	je	30f
	cmp	$4, %eax
	je	40f
	cmp	$5, %eax
	je	50f
	cmp	$6, %eax
	je	60f
	cmp	$7, %eax
	je	70f
	cmp	$8, %eax
	je	80f
	cmp	$9, %eax
	je	90f
	jmp	99f
10:	mov	DATA + 0x08, %eax
	shl	$5, %eax
	add	$HCPAGE, %eax
	mov	%eax, DATA + 0x38
	mov	DATA + 0x10, %ebx
	mov	DATA + 0x18, %ecx
	mov	DATA + 0x20, %edx
	mov	DATA + 0x28, %esi
	mov	DATA + 0x30, %edi
	call	*DATA + 0x38
	mov	%eax, DATA + 0x40
	movl	$0, DATA + 0x44
	jmp	99f
20:	mov	DATA + 0x08, %eax
	mov	DATA + 0x10, %ecx
	cpuid
	mov	%eax, DATA + 0x40
	mov	%ebx, DATA + 0x48
	mov	%ecx, DATA + 0x50
	mov	%edx, DATA + 0x58
	jmp	99f
30:	mov	DATA + 0x08, %ecx
	mov	DATA + 0x10, %eax
	mov	DATA + 0x14, %edx
	wrmsr
	jmp	99f
40:	mov	DATA + 0x08, %eax
	mov	DATA + 0x10, %ebx
	mov	DATA + 0x18, %ecx
	mov	DATA + 0x20, %edx
	mov	DATA + 0x28, %esi
	mov	DATA + 0x30, %edi
	vmcall
	mov	%eax, DATA + 0x40
	movl	$0, DATA + 0x44
	jmp	99f
50:	mov	DATA + 0x08, %eax
	mov	DATA + 0x10, %ebx
	mov	DATA + 0x18, %ecx
	mov	DATA + 0x20, %edx
	mov	DATA + 0x28, %esi
	mov	DATA + 0x30, %edi
	vmmcall
	mov	%eax, DATA + 0x40
	movl	$0, DATA + 0x44
	jmp	99f
60:	sti
	hlt
	jmp	99f
70:	mov	DATA + 0x08, %eax
	mov	(%eax), %ecx
	mov	%ecx, DATA + 0x40
	mov	4(%eax), %ecx
	mov	%ecx, DATA + 0x44
	jmp	99f
80:	mov	DATA + 0x08, %eax
	mov	DATA + 0x10, %ecx
	mov	%ecx, (%eax)
	mov	DATA + 0x14, %ecx
	mov	%ecx, 4(%eax)
	jmp	99f
90:	mov	DATA + 0x08, %ecx
	rdmsr
	mov	%eax, DATA + 0x40
	mov	%edx, DATA + 0x44
99:	out	%al, $0x80
	jmp	1b

LABEL(xen32, upcall)
	push	%eax
	incl	DATA + 0x80
	mov	DATA + 0x88, %eax
	test	%eax, %eax
	jz	1f
	movb	$0, (%eax)
1:	cmpl	$0, DATA + 0x90
	je	2f
	movl	$0, 0xfee000b0		/* LAPIC EOI */
2:	pop	%eax
	iret
LABEL(xen32, gp)
	incl	DATA + 0x98
	add	$4, %esp		/* error code */
	addl	$2, (%esp)
	iret
LABEL(xen32, ud)
	incl	DATA + 0xa0
	addl	$3, (%esp)
	iret
END(xen32)

	.section .note.GNU-stack, "", @progbits
