// SPDX-License-Identifier: GPL-2.0
/*
 * MOV to CR decoding for exits that do not say which register was the
 * source, and the segment of an OUTS for exits that do not say it (SVM
 * without decode assists): fetch the instruction at RIP and decode it with
 * the emulator's decoder (decode.c).
 */

#include "../../hxen.h"
#include "view.h"
#include "mmio.h"

int hxen_decode_guest_mov_to_cr(struct hxen_vcpu *vcpu, u8 *cr, u8 *gpr, u8 *len)
{
	struct guest_view *v;
	unsigned int n;
	u8 insn[15];
	int r;

	v = hxen_view_get(vcpu);
	n = hxen_view_fetch(v, insn);
	r = n && hxen_decode_mov_to_cr(&v->ctx, insn, n, cr, gpr, len) == HXEN_EMUL_OK ?
	    0 : -EINVAL;
	return r;
}

int hxen_decode_guest_string_io(struct hxen_vcpu *vcpu, int *seg, u8 *addr_bytes)
{
	struct guest_view *v;
	unsigned int n;
	u8 insn[15];
	int r;

	v = hxen_view_get(vcpu);
	n = hxen_view_fetch(v, insn);
	r = n ? hxen_decode_string_io(&v->ctx, insn, n, seg, addr_bytes) : -1;
	return r < 0 ? -EINVAL : 0;
}
