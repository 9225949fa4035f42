/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests of the security regression tests (sec_tests.c, issue 15). The
 * Xen ones run in a VM set up by xen_tests.c's xg_open (64-bit, hypercall
 * page at HCPAGE, identity map of the first 2 MiB with its PD at 0x5000)
 * and take their parameters from a mailbox at SEC_MB:
 *   +0x00 stop flag (the test sets it)     +0x08 iterations done
 *   +0x10 argument (port, count)           +0x18 argument (base frame)
 *   +0x20 result / port array              +0x30.. +0x5f argument structures
 */
#define GUEST_CODE	0x1000
#define DATA		0x2000
#define SEC_MB		0x2800
#define HCPAGE		0x100000
#define SHINFO		0x101000
#define HC_MEMORY_OP	12
#define HC_SCHED_OP	29
#define HC_EVTCHN_OP	32
#define HC_VCPU_OP	24
#define VCPUOP_UP	0
#define VCPUOP_IS_UP	3
#define SCHEDOP_POLL	3
#define EVTCHNOP_SEND	4
#define XENMEM_ADD_TO_PHYSMAP	7

#define GUEST(name)	.globl guest_##name; guest_##name:
#define END(name)	.globl guest_##name##_end; guest_##name##_end:

	.section .rodata, "a"

/*
 * Real mode, port I/O whose data userspace supplies (finding 1): IN of
 * size 1 and 4 from port 0x71, REP INSB x16 to DATA + 0x100, 32 times REP
 * OUTSB x16 from DATA + 0x200, an MMIO read at 0xf000 (no slot there).
 */
	.code16
GUEST(sec_pio)
	mov	$0x71, %dx
	in	%dx, %al
	mov	%al, DATA
	in	%dx, %eax
	mov	%eax, DATA + 4
	cld
	mov	$DATA + 0x100, %di
	mov	$16, %cx
	rep insb
	mov	$32, %bx
1:	mov	$DATA + 0x200, %si
	mov	$16, %cx
	rep outsb
	dec	%bx
	jnz	1b
	mov	(0xf000), %eax
	mov	%eax, DATA + 8
	hlt
END(sec_pio)

	.code64
/*
 * Finding 2: VCPUOP_is_up and VCPUOP_up on every vCPU id 1..63 in a
 * loop until the stop flag is set, then OUT 0x80. Counts rounds.
 */
GUEST(sec_isup)
1:	mov	$1, %ebx
2:	mov	$VCPUOP_IS_UP, %edi
	mov	%ebx, %esi
	xor	%edx, %edx
	mov	$HCPAGE + HC_VCPU_OP * 32, %eax
	call	*%rax
	mov	$VCPUOP_UP, %edi
	mov	%ebx, %esi
	xor	%edx, %edx
	mov	$HCPAGE + HC_VCPU_OP * 32, %eax
	call	*%rax
	inc	%ebx
	cmp	$64, %ebx
	jb	2b
	incq	SEC_MB + 0x08
	cmpq	$0, SEC_MB
	je	1b
	out	%al, $0x80
	hlt
END(sec_isup)

/*
 * Finding 3, the sender: EVTCHNOP_send on the port in the struct at
 * SEC_MB + 0x30 until the stop flag is set, then OUT 0x80.
 */
GUEST(sec_send)
1:	mov	$EVTCHNOP_SEND, %edi
	mov	$SEC_MB + 0x30, %esi
	mov	$HCPAGE + HC_EVTCHN_OP * 32, %eax
	call	*%rax
	incq	SEC_MB + 0x08
	cmpq	$0, SEC_MB
	je	1b
	out	%al, $0x80
	hlt
END(sec_send)

/*
 * Finding 3, the receiver: with interrupts off (so only its port ends
 * the poll), SCHEDOP_poll on the struct sched_poll at SEC_MB + 0x30
 * (ports at SEC_MB + 0x20), clear the port's pending bit, again; forever
 * (the test stops it with a signal).
 */
GUEST(sec_poll)
	cli
1:	mov	$SCHEDOP_POLL, %edi
	mov	$SEC_MB + 0x30, %esi
	mov	$HCPAGE + HC_SCHED_OP * 32, %eax
	call	*%rax
	mov	SEC_MB + 0x20, %eax
	lock btr %rax, SHINFO + 2048
	incq	SEC_MB + 0x08
	jmp	1b
END(sec_poll)

/*
 * Finding 5: move shared_info to frame base + 512 * i (SEC_MB + 0x18,
 * i counted in SEC_MB + 0x08) with the struct xen_add_to_physmap at
 * SEC_MB + 0x30, map its 2 MiB region at linear 0x200000 (PD entry 1),
 * and read the frame: the upcall mask of vcpu_info[0] (byte 1) must be 1.
 * OUT 0x80 every 1024 moves, OUT 0x82 when SEC_MB + 0x10 moves are done,
 * OUT 0x81 on a failure (the hypercall's result at SEC_MB + 0x20).
 * With SEC_MB + 0x28 nonzero the frame is not moved by hypercall: OUT
 * 0x83 asks the test to move a memslot there, and the byte must be 0x5a.
 */
GUEST(sec_shmove)
1:	mov	SEC_MB + 0x08, %rax
	shl	$9, %rax
	add	SEC_MB + 0x18, %rax
	mov	%rax, SEC_MB + 0x40		/* gpfn */
	cmpq	$0, SEC_MB + 0x28
	jne	3f
	mov	$XENMEM_ADD_TO_PHYSMAP, %edi
	mov	$SEC_MB + 0x30, %esi
	mov	$HCPAGE + HC_MEMORY_OP * 32, %eax
	call	*%rax
	mov	%rax, SEC_MB + 0x20
	test	%rax, %rax
	jnz	9f
	mov	$1, %cl
	jmp	4f
3:	out	%al, $0x83
	mov	$0x5a, %cl
4:	mov	SEC_MB + 0x40, %rax
	shl	$12, %rax
	or	$0x83, %rax			/* present, writable, 2 MiB */
	mov	%rax, 0x5008
	invlpg	0x200000
	cmp	%cl, 0x200001
	jne	8f
	incq	SEC_MB + 0x08
	testq	$1023, SEC_MB + 0x08
	jnz	5f
	out	%al, $0x80
5:	mov	SEC_MB + 0x08, %rax
	cmp	SEC_MB + 0x10, %rax
	jb	1b
	out	%al, $0x82
	hlt
8:	movq	$-1, SEC_MB + 0x20
9:	out	%al, $0x81
	hlt
END(sec_shmove)

	.section .note.GNU-stack, "", @progbits
