/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A vCPU's guest state as the emulator's kernel side sees it (view.c):
 * registers, paging mode, linear-to-physical translation, instruction
 * fetch and exception injection. Shared by mmio.c, pio_string.c and
 * decode_cr.c; built on the pure emulator (emulate.h) and page walker
 * (walk.h).
 */
#ifndef HXEN_EMULATE_VIEW_H
#define HXEN_EMULATE_VIEW_H

#include <linux/kvm.h>
#include <linux/types.h>

#include "emulate.h"
#include "walk.h"

struct hxen_vcpu;

struct guest_view {
	struct hxen_vcpu *vcpu;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct hxen_walk_mode mode;
	struct hxen_emul_ctx ctx;
	int mmio_reads;		/* MMIO reads issued so far by this emulation */
	bool fault;		/* a #PF was queued (ctx.exc_*, cr2) */
	u64 cr2;
};

/* Registers and paging mode of @vcpu (via the vendor ops). */
void hxen_view_init(struct guest_view *v, struct hxen_vcpu *vcpu);
/*
 * The vCPU's own view, made at vCPU creation, filled by hxen_view_init:
 * for its thread only, one emulation at a time (never nested).
 */
struct guest_view *hxen_view_get(struct hxen_vcpu *vcpu);
/* walk.h's physical read callback: @opaque is the vCPU. 0 or -1. */
int hxen_view_read_gpa(void *opaque, u64 gpa, void *buf, unsigned int len);
/*
 * Linear to guest-physical for @bytes at @la (which must not cross a page).
 * Queues #PF on a fault. Returns HXEN_EMUL_OK, _EXCEPTION or _UNHANDLED.
 */
int hxen_view_translate(struct guest_view *v, u64 la, unsigned int bytes, u32 access,
			u64 *gpa);
/* Up to 15 instruction bytes at CS:RIP; returns how many, 0 on failure. */
unsigned int hxen_view_fetch(struct guest_view *v, u8 *buf);
/* Inject the exception the emulation queued (with CR2 for a #PF). */
void hxen_view_inject(struct guest_view *v);

#endif /* HXEN_EMULATE_VIEW_H */
