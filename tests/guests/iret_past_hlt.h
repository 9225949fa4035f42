/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IRET_PAST_HLT: an interrupt handler's IRET, stepping over a HLT it would
 * return onto. No interrupt may come between STI and the instruction after
 * it (the STI shadow), so a guest that does STI; HLT cannot miss its
 * wake-up. QEMU TCG's nested SVM, our SVM test host, drops the shadow
 * when it resumes a guest after a #VMEXIT that fell inside it (measured:
 * a #VMEXIT(INTR) with int_state 1, then at once #VMEXIT(VINTR) at the
 * HLT with int_state 0), under KVM as under hxen. The interrupt then
 * returns onto the HLT and a guest waiting for a one-shot timer would
 * sleep for good. 32-bit flat guests only; IRET restores the flags.
 */
#define IRET_PAST_HLT							\
	push	%eax;							\
	mov	4(%esp), %eax;		/* the return EIP */		\
	cmpb	$0xf4, (%eax);		/* HLT */			\
	pop	%eax;							\
	jne	9f;							\
	incl	(%esp);							\
9:	iret
