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

/*
 * Xen guests (real mode, so the hypercall ABI is the 32-bit one: number in
 * EAX, arguments in EBX, ECX, ...). They use VMCALL; hxen-bench rewrites it
 * to VMMCALL on AMD hosts. Data at 0x3000, shared_info laid over 0x4000.
 */
#define XB_DATA		0x3000
#define XB_SHINFO	0x4000
#define XB_VECTOR	0xf3
#define HCALL		.byte 0x0f, 0x01, 0xc1

/* xen_version(XENVER_version) EDI times, then HLT. */
GUEST(xenver)
1:	mov	$17, %eax		/* __HYPERVISOR_xen_version */
	xor	%ebx, %ebx		/* XENVER_version */
	HCALL
	dec	%edi
	jnz	1b
	hlt
END(xenver)

/*
 * Event channel to self: an IPI port, the callback vector; EDI times send
 * it and wait for the upcall, then HLT. The upcall handler clears the
 * pending bits as Linux does and counts.
 */
GUEST(xenevt)
	mov	$0x7000, %esp		/* the upcall's frame stays in RAM */
	/* IVT entry of the callback vector: the handler below, segment 0. */
	movw	$(0x1000 + 9f - bench_xenevt), (XB_VECTOR * 4)
	movw	$0, (XB_VECTOR * 4 + 2)
	/* XENMEM_add_to_physmap(shared_info -> frame 4), compat layout. */
	movw	$0x7ff0, (XB_DATA)	/* DOMID_SELF */
	movw	$0, (XB_DATA + 2)
	movl	$0, (XB_DATA + 4)	/* XENMAPSPACE_shared_info */
	movl	$0, (XB_DATA + 8)
	movl	$(XB_SHINFO >> 12), (XB_DATA + 12)
	mov	$12, %eax		/* __HYPERVISOR_memory_op */
	mov	$7, %ebx		/* XENMEM_add_to_physmap */
	mov	$XB_DATA, %ecx
	HCALL
	test	%eax, %eax
	jnz	8f
	/* HVMOP_set_param(HVM_PARAM_CALLBACK_IRQ, vector type). */
	movw	$0x7ff0, (XB_DATA)
	movl	$0, (XB_DATA + 4)	/* HVM_PARAM_CALLBACK_IRQ */
	movl	$XB_VECTOR, (XB_DATA + 8)
	movl	$0x02000000, (XB_DATA + 12)	/* HVM_PARAM_CALLBACK_TYPE_VECTOR << 56 */
	mov	$34, %eax		/* __HYPERVISOR_hvm_op */
	mov	$0, %ebx		/* HVMOP_set_param */
	mov	$XB_DATA, %ecx
	HCALL
	test	%eax, %eax
	jnz	8f
	/* EVTCHNOP_bind_ipi(vcpu 0): the port at XB_DATA + 0x24. */
	movl	$0, (XB_DATA + 0x20)
	mov	$32, %eax		/* __HYPERVISOR_event_channel_op */
	mov	$7, %ebx		/* EVTCHNOP_bind_ipi */
	mov	$(XB_DATA + 0x20), %ecx
	HCALL
	test	%eax, %eax
	jnz	8f
	movl	(XB_DATA + 0x24), %eax
	movl	%eax, (XB_DATA + 0x40)	/* struct evtchn_send */
	movb	$0, (XB_SHINFO + 1)	/* vcpu_info[0].evtchn_upcall_mask */
	movl	$0, (XB_DATA + 0x44)	/* upcalls seen */
	sti
1:	mov	%edi, %esi
	mov	$32, %eax
	mov	$4, %ebx		/* EVTCHNOP_send */
	mov	$(XB_DATA + 0x40), %ecx
	HCALL
	test	%eax, %eax
	jnz	8f
	/* The upcall comes right after the call returns. */
2:	cmpl	$0, (XB_DATA + 0x44)
	je	2b
	movl	$0, (XB_DATA + 0x44)
	dec	%edi
	jnz	1b
	hlt
8:	movl	%eax, (XB_DATA + 0x48)	/* a hypercall failed: report it */
	hlt
9:	movb	$0, (XB_SHINFO)		/* evtchn_upcall_pending */
	movl	$0, (XB_SHINFO + 4)	/* evtchn_pending_sel (compat) */
	movl	$0, (XB_SHINFO + 2048)	/* evtchn_pending[0]: ports 0-31 */
	incl	(XB_DATA + 0x44)
	iret
END(xenevt)

/*
 * LAPIC timer interrupts (in-kernel irqchip), EDI times: arm the one-shot
 * timer with a count of 1 and spin until its interrupt handler ran; the
 * handler EOIs. FS is based at the LAPIC page (0xfee00000, set by
 * hxen-bench), so real mode reaches its registers. Ends with OUT to 0x80:
 * a HLT with nothing pending would sleep in the kernel for ever.
 */
#define LT_VECTOR	0xf0
GUEST(lapic_timer)
	mov	$0x7000, %esp
	movw	$(0x1000 + 9f - bench_lapic_timer), (LT_VECTOR * 4)
	movw	$0, (LT_VECTOR * 4 + 2)
	movl	$0x1ff, %fs:0xf0	/* SVR: software enable, spurious 0xff */
	movl	$0xb, %fs:0x3e0		/* TDCR: divide by 1 */
	movl	$LT_VECTOR, %fs:0x320	/* LVT timer: one-shot, unmasked */
	movl	$0, (XB_DATA + 0x44)
	sti
1:	movl	$1, %fs:0x380		/* TMICT: fire after one tick */
2:	cmpl	$0, (XB_DATA + 0x44)
	je	2b
	movl	$0, (XB_DATA + 0x44)
	dec	%edi
	jnz	1b
	out	%al, $0x80
9:	movl	$0, %fs:0xb0		/* EOI */
	incl	(XB_DATA + 0x44)
	iret
END(lapic_timer)

	.section .note.GNU-stack, "", @progbits
