/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The emulator at work on a vCPU (x86/emulate/): instructions that touched
 * MMIO, string port I/O, and decoding a MOV to CR the CPU did not decode.
 * The pure instruction emulator behind them is emulate.h.
 */
#ifndef HXEN_EMULATE_MMIO_H
#define HXEN_EMULATE_MMIO_H

#include <linux/types.h>

struct hxen_vcpu;

/* view.c: the vCPU's emulator scratch, at vCPU creation and destruction. */
int hxen_view_alloc(struct hxen_vcpu *vcpu);
void hxen_view_free(struct hxen_vcpu *vcpu);

/* mmio.c */
/*
 * Emulate the instruction at RIP that touched MMIO. Returns HXEN_RESUME or
 * HXEN_USER with a KVM_EXIT_MMIO (or an internal error) in vcpu->run.
 */
int hxen_emulate_mmio(struct hxen_vcpu *vcpu);
/* KVM_RUN after a KVM_EXIT_MMIO read: feed the data, finish the instruction. */
int hxen_complete_mmio(struct hxen_vcpu *vcpu);

/* pio_string.c: INS/OUTS, with or without REP. */
int hxen_exit_pio_string(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in,
			 bool rep, int seg, u8 addr_bytes, u64 next_rip);
/* KVM_RUN after a string IN: store the elements at ES:rDI. */
int hxen_complete_pio_string(struct hxen_vcpu *vcpu);

/* decode_cr.c */
/*
 * The MOV to CR at RIP (for exits without decode assists): the CR number
 * and the source GPR (VCPU_* order), and the instruction length. -EINVAL
 * if RIP holds no such instruction or cannot be read.
 */
int hxen_decode_guest_mov_to_cr(struct hxen_vcpu *vcpu, u8 *cr, u8 *gpr, u8 *len);
/*
 * The string I/O instruction at RIP, for exits that do not report all of
 * it (hxen_decode_string_io): the segment (ES CS SS DS FS GS: 0-5) it
 * uses and its address size in bytes. -EINVAL if RIP cannot be read or
 * holds no INS/OUTS.
 */
int hxen_decode_guest_string_io(struct hxen_vcpu *vcpu, int *seg, u8 *addr_bytes);

#endif /* HXEN_EMULATE_MMIO_H */
