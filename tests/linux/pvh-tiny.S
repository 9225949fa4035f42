/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tiny PVH guests for tests/linux/run (the linux-less cases pvh-entry-state
 * and xen-shutdown-*): loaded from an ELF the script builds, code at
 * physical P + 0x100. The script holds the bytes (as printf octal escapes);
 * after a change, regenerate them with
 *   as --32 -o t.o tests/linux/pvh-tiny.S && objcopy -O binary t.o t.bin &&
 *   od -An -v -to1 t.bin
 * and update the entry offsets there (nm t.o).
 *
 * entry_native (offset 0): checks the PVH ABI's entry state - EBX points
 * at hvm_start_info (magic, version 1), CR0 = PE (+ET, read-only), CR4 = 0,
 * EFLAGS.VM/IF/TF clear - prints PVH-ENTRY-OK or PVH-ENTRY-BAD on COM1 and
 * powers off through ACPI PM1a (S5). Runs the same on hxen and KVM.
 *
 * entry_xen: installs the hypercall page (MSR from CPUID 0x40000002),
 * writes XEN-CONSOLE-OK with console_io, then SCHEDOP_shutdown with the
 * reason given as the first character of the command line ("0" poweroff,
 * "1" reboot, "2" suspend, "3" crash). A suspend that returns 1 (cancelled)
 * writes XEN-SUSPEND-CANCELLED and powers off; any other return crashes.
 * With "r" instead it reads console input with CONSOLEIO_read, one byte
 * at a time (yielding while there is none), echoes it with console_io up
 * to a newline, then powers off; a failed read crashes.
 */
	.code32
	.set P, 0x1000000
	/* The ELF header area is 0x100 bytes; the code is at P + 0x100. */
	.org 0
entry_native:
	cmpl $0x336ec578, (%ebx)
	jne 2f
	cmpl $1, 4(%ebx)
	jne 2f
	mov %cr0, %eax
	cmp $0x11, %eax		/* PE, ET only */
	jne 2f
	mov %cr4, %eax
	test %eax, %eax
	jnz 2f
	mov $(P + 0x3000), %esp	/* ESP is unspecified: our own */
	pushf
	pop %eax
	test $0x20300, %eax	/* VM, IF, TF */
	jnz 2f
	mov $(P + 0x100 + msg_ok - entry_native), %esi
	jmp 3f
2:	mov $(P + 0x100 + msg_bad - entry_native), %esi
3:	mov $0x3f8, %dx
4:	lodsb
	test %al, %al
	jz 5f
	out %al, %dx
	jmp 4b
5:	mov $0x604, %dx
	mov $((5 << 10) | (1 << 13)), %ax
	out %ax, %dx
	hlt
	jmp 5b

entry_xen:
	mov $(P + 0x3000), %esp
	mov 0x18(%ebx), %esi	/* cmdline_paddr: "N", the shutdown reason */
	movzbl (%esi), %eax
	sub $0x30, %eax
	mov %eax, (P + 0x2ff0)
	mov $0x40000002, %eax	/* the hypercall-page MSR */
	cpuid
	mov %ebx, %ecx
	mov $(P + 0x1000), %eax
	xor %edx, %edx
	wrmsr
	xor %ebx, %ebx		/* CONSOLEIO_write */
	mov $(msg_end - msg_xen), %ecx
	mov $(P + 0x100 + msg_xen - entry_native), %edx
	mov $(P + 0x1000 + 18 * 32), %eax
	call *%eax
	cmpl $('r' - 0x30), (P + 0x2ff0)
	je 7f
	call 6f			/* returns only from a suspend */
	cmp $1, %eax		/* cancelled */
	jne 8f
	xor %ebx, %ebx		/* CONSOLEIO_write */
	mov $(msg_susp_end - msg_susp), %ecx
	mov $(P + 0x100 + msg_susp - entry_native), %edx
	mov $(P + 0x1000 + 18 * 32), %eax
	call *%eax
	movl $0, (P + 0x2ff0)	/* poweroff */
	call 6f
8:	movl $3, (P + 0x2ff0)	/* crash */
	call 6f
	hlt
	jmp .
6:	mov $2, %ebx		/* SCHEDOP_shutdown, reason at P + 0x2ff0 */
	mov $(P + 0x2ff0), %ecx
	mov $(P + 0x1000 + 29 * 32), %eax
	jmp *%eax
7:	mov $1, %ebx		/* CONSOLEIO_read, 1 byte */
	mov $1, %ecx
	mov $(P + 0x2e00), %edx
	mov $(P + 0x1000 + 18 * 32), %eax
	call *%eax
	test %eax, %eax
	js 8b
	jnz 9f
	xor %ebx, %ebx		/* SCHEDOP_yield */
	mov $(P + 0x1000 + 29 * 32), %eax
	call *%eax
	jmp 7b
9:	xor %ebx, %ebx		/* CONSOLEIO_write it back */
	mov $1, %ecx
	mov $(P + 0x2e00), %edx
	mov $(P + 0x1000 + 18 * 32), %eax
	call *%eax
	cmpb $0x0a, (P + 0x2e00)
	jne 7b
	movl $0, (P + 0x2ff0)	/* poweroff */
	call 6b

msg_ok:	.asciz "PVH-ENTRY-OK\n"
msg_bad: .asciz "PVH-ENTRY-BAD\n"
msg_xen: .ascii "XEN-CONSOLE-OK\n"
msg_end:
msg_susp: .ascii "XEN-SUSPEND-CANCELLED\n"
msg_susp_end:
