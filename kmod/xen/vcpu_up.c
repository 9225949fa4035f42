// SPDX-License-Identifier: GPL-2.0
/*
 * VCPUOP_initialise, VCPUOP_up, VCPUOP_down and VCPUOP_is_up for HVM
 * guests, with Xen's semantics for HVM/PVH domains:
 *
 * - initialise takes a struct vcpu_hvm_context. It has one layout for
 *   64-bit and 32-bit callers (fixed-width members only, every u64 at an
 *   offset that is a multiple of 8), so both copy the same 128 bytes.
 *   -EFAULT if unreadable, then -EEXIST if the vCPU already has a context
 *   (Xen's is_initialised: it is running, was started by SIPI or was
 *   initialised before), then -EINVAL for a context Xen rejects. The vCPU
 *   stays down until VCPUOP_up.
 * - up: -EINVAL without a context; else the vCPU runs, from the context
 *   if it has not run since, else from where it went down.
 * - down: the vCPU stops before it next enters the guest (before the
 *   caller's next instruction if it downs itself; another vCPU is kicked
 *   out of guest mode) and waits in KVM_RUN. Taking down the last vCPU
 *   that is up powers the domain off, as Xen's domain_shutdown(
 *   SHUTDOWN_poweroff) does: the caller leaves KVM_RUN with
 *   KVM_EXIT_SYSTEM_EVENT (SHUTDOWN, data[0] = SHUTDOWN_poweroff), as for
 *   SCHEDOP_shutdown, and stays up; the call returns 0.
 * - is_up: 1 unless the vCPU is down.
 *
 * Only with the in-kernel LAPIC (KVM_CREATE_IRQCHIP), where hxen owns the
 * MP state and a stopped vCPU can wait in the kernel; without it userspace
 * starts and stops vCPUs: initialise, up and down are -ENOSYS, is_up 1.
 *
 * A down vCPU reports KVM_MP_STATE_UNINITIALIZED: like an AP before INIT,
 * it ignores a SIPI, and an INIT resets it (dropping its context, as Xen's
 * vcpu_reset clears is_initialised) so that INIT/SIPI start it again.
 *
 * Beyond Xen's checks, contexts VM entry would refuse are -EINVAL here
 * (Xen accepts them and the domain crashes at entry): a limit its G bit
 * cannot express, CR0.PG without PE, NW without CD, EFER.LMA without
 * CR0.PG and CR4.PAE, CR4.PCIDE outside long mode, a long-mode CS with L
 * and D set, CR4 bits the vendor does not take. EFER bits are checked
 * against the caller's CPUID (Xen: the domain's policy). RFLAGS keeps the
 * defined flags but VM (Xen keeps VM too; a vm86 start needs vm86
 * segments, which neither mode describes). The parts of the state the
 * context does not name: selectors 0 (as Xen), FS and GS flat 4 GiB data
 * segments (a fresh Xen vCPU's), LDTR unusable, GDTR and IDTR, CR2 and
 * CR8 as they were (after creation or INIT: base 0, limit 0xffff).
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <xen/interface/xen.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/hvm/hvm_vcpu.h>

#include "../x86/irqchip/irqchip.h"
#include "internal.h"

/* The flags a context may set (Xen's X86_EFLAGS_ALL, less VM). */
#define XV_RFLAGS	(X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF |	\
			 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF |	\
			 X86_EFLAGS_IF | X86_EFLAGS_DF | X86_EFLAGS_OF |	\
			 X86_EFLAGS_IOPL | X86_EFLAGS_NT | X86_EFLAGS_RF |	\
			 X86_EFLAGS_AC | X86_EFLAGS_VIF | X86_EFLAGS_VIP |	\
			 X86_EFLAGS_ID)

/* Descriptor types (SDM Vol. 3 3.4.5.1) the checks name. */
#define XV_TYPE_CODE		0x8	/* data when clear */
#define XV_TYPE_WRITE_READ	0x2	/* data: writable; code: readable */
#define XV_TYPE_ACCESSED	0x1
#define XV_TYPE_TSS_BUSY	0xb	/* 32-bit TSS, busy */

enum xv_seg { XV_CS, XV_DS, XV_SS, XV_ES, XV_TR };

static bool xv_running(u32 mp_state)
{
	return mp_state == KVM_MP_STATE_RUNNABLE || mp_state == KVM_MP_STATE_HALTED;
}

/*
 * One segment of a 32B context (the _ar layout of hvm_vcpu.h: descriptor
 * bits 40-55), checked as Xen's check_segment does: after the accessed
 * bit (busy, for TR) of a present segment is set.
 */
static int xv_seg(struct kvm_segment *s, enum xv_seg which, u32 base, u32 limit, u16 ar)
{
	memset(s, 0, sizeof(*s));
	if (ar & 0xf000)
		return -EINVAL;
	if (!ar) {
		/* A null DS or ES is allowed; a null CS, SS or TR is not. */
		if (which != XV_DS && which != XV_ES)
			return -EINVAL;
		s->unusable = 1;
		return 0;
	}
	s->base = base;
	s->limit = limit;
	s->type = ar & 0xf;
	s->s = (ar >> 4) & 1;
	s->dpl = (ar >> 5) & 3;
	s->present = (ar >> 7) & 1;
	s->avl = (ar >> 8) & 1;
	s->l = (ar >> 9) & 1;
	s->db = (ar >> 10) & 1;
	s->g = (ar >> 11) & 1;
	if (s->present)
		s->type |= which == XV_TR ? XV_TYPE_WRITE_READ : XV_TYPE_ACCESSED;
	if (which == XV_TR) {
		if (s->s || s->type != XV_TYPE_TSS_BUSY)
			return -EINVAL;
	} else if (!s->s) {
		return -EINVAL;
	}
	if (!s->present)
		return -EINVAL;
	switch (which) {
	case XV_CS:
		if (!(s->type & XV_TYPE_CODE))
			return -EINVAL;
		break;
	case XV_SS:
		if ((s->type & XV_TYPE_CODE) || !(s->type & XV_TYPE_WRITE_READ))
			return -EINVAL;
		break;
	case XV_DS:
	case XV_ES:
		/* Execute-only code cannot be read through DS or ES. */
		if ((s->type & XV_TYPE_CODE) && !(s->type & XV_TYPE_WRITE_READ))
			return -EINVAL;
		break;
	case XV_TR:
		break;
	}
	/* hxen: a byte limit G can express (checked by VM entry). */
	if (s->g ? (limit & 0xfff) != 0xfff : limit > 0xfffff)
		return -EINVAL;
	return 0;
}

/* A flat 4 GiB code (64-bit if @l) or data segment, selector 0. */
static void xv_flat(struct kvm_segment *s, bool code, bool l)
{
	*s = (struct kvm_segment){
		.limit = 0xffffffff,
		.type = code ? 0xb : 0x3,
		.present = 1, .s = 1, .l = l, .db = !l, .g = 1,
	};
}

static int xv_parse32(const struct vcpu_hvm_x86_32 *r, struct hxen_xen_vcpu_ctx *x)
{
	u32 limit;

	if (r->pad1 || r->pad2[0] || r->pad2[1] || r->pad2[2])
		return -EINVAL;
	if (xv_seg(&x->cs, XV_CS, r->cs_base, r->cs_limit, r->cs_ar) ||
	    xv_seg(&x->ds, XV_DS, r->ds_base, r->ds_limit, r->ds_ar) ||
	    xv_seg(&x->ss, XV_SS, r->ss_base, r->ss_limit, r->ss_ar) ||
	    xv_seg(&x->es, XV_ES, r->es_base, r->es_limit, r->es_ar) ||
	    xv_seg(&x->tr, XV_TR, r->tr_base, r->tr_limit, r->tr_ar))
		return -EINVAL;
	/* Xen scales a G=1 limit by 4 KiB here, in 32 bits. */
	limit = x->cs.g ? (x->cs.limit << 12) | 0xfff : x->cs.limit;
	if (r->eip > limit)
		return -EINVAL;
	if (x->ss.dpl != x->cs.dpl ||
	    (x->ds.present && x->ds.dpl > x->cs.dpl) ||
	    (x->es.present && x->es.dpl > x->cs.dpl))
		return -EINVAL;
	if ((r->efer & EFER_LMA) && !(r->efer & EFER_LME))
		return -EINVAL;
	x->regs.rax = r->eax;
	x->regs.rcx = r->ecx;
	x->regs.rdx = r->edx;
	x->regs.rbx = r->ebx;
	x->regs.rsp = r->esp;
	x->regs.rbp = r->ebp;
	x->regs.rsi = r->esi;
	x->regs.rdi = r->edi;
	x->regs.rip = r->eip;
	x->regs.rflags = r->eflags;
	x->cr0 = r->cr0;
	x->cr3 = r->cr3;
	x->cr4 = r->cr4;
	x->efer = r->efer;
	return 0;
}

static int xv_parse64(const struct vcpu_hvm_x86_64 *r, struct hxen_xen_vcpu_ctx *x)
{
	/* Long mode from the first instruction: paging, PAE, LME, canonical RIP. */
	if ((u64)(((s64)r->rip << 16) >> 16) != r->rip || !(r->cr0 & X86_CR0_PG) ||
	    !(r->cr4 & X86_CR4_PAE) || !(r->efer & EFER_LME))
		return -EINVAL;
	x->regs.rax = r->rax;
	x->regs.rcx = r->rcx;
	x->regs.rdx = r->rdx;
	x->regs.rbx = r->rbx;
	x->regs.rsp = r->rsp;
	x->regs.rbp = r->rbp;
	x->regs.rsi = r->rsi;
	x->regs.rdi = r->rdi;
	x->regs.rip = r->rip;
	x->regs.rflags = r->rflags;
	x->cr0 = r->cr0;
	x->cr3 = r->cr3;
	x->cr4 = r->cr4;
	x->efer = r->efer;
	/* The segments Xen gives a 64B context: flat, 64-bit code, a busy TSS. */
	xv_flat(&x->cs, true, true);
	xv_flat(&x->ds, false, false);
	x->ss = x->es = x->ds;
	x->tr = (struct kvm_segment){ .limit = 0x67, .type = XV_TYPE_TSS_BUSY, .present = 1 };
	return 0;
}

/* Xen's arch_set_info_hvm_guest checks, then hxen's (see the top). */
static int xv_parse(struct xen_call *c, const struct vcpu_hvm_context *hc,
		    struct hxen_xen_vcpu_ctx *x)
{
	int r;

	memset(x, 0, sizeof(*x));
	if (hc->pad)
		return -EINVAL;
	switch (hc->mode) {
	case VCPU_HVM_MODE_32B:
		r = xv_parse32(&hc->cpu_regs.x86_32, x);
		break;
	case VCPU_HVM_MODE_64B:
		r = xv_parse64(&hc->cpu_regs.x86_64, x);
		break;
	default:
		r = -EINVAL;
	}
	if (r)
		return r;
	x->regs.rflags = (x->regs.rflags & XV_RFLAGS) | X86_EFLAGS_FIXED;
	if (x->efer & EFER_LME)
		x->efer |= EFER_LMA;
	if ((x->cr4 & ~hxen_ops->cr4_valid()) || !hxen_guest_efer_valid(c->vcpu, x->efer))
		return -EINVAL;
	if ((x->cr0 >> 32) || ((x->cr0 & X86_CR0_NW) && !(x->cr0 & X86_CR0_CD)) ||
	    ((x->cr0 & X86_CR0_PG) && !(x->cr0 & X86_CR0_PE)))
		return -EINVAL;
	if ((x->efer & EFER_LMA) &&
	    (!(x->cr0 & X86_CR0_PG) || !(x->cr4 & X86_CR4_PAE) || (x->cs.l && x->cs.db)))
		return -EINVAL;
	if ((x->cr4 & X86_CR4_PCIDE) && !(x->efer & EFER_LMA))
		return -EINVAL;
	return 0;
}

static long xv_initialise(struct xen_call *c, struct hxen_xen_vcpu *xv, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct vcpu_hvm_context hc;
	struct hxen_xen_vcpu_ctx ctx;
	bool initialised;
	long r;

	/* The compat layout is the same: the i386 ABI's 4-byte u64 alignment never shows. */
	BUILD_BUG_ON(sizeof(hc) != 128);
	BUILD_BUG_ON(offsetof(struct vcpu_hvm_context, cpu_regs.x86_32.efer) != 64);
	BUILD_BUG_ON(offsetof(struct vcpu_hvm_context, cpu_regs.x86_64) != 8);
	if (hxen_xen_copy_from_guest(c, &hc, arg, sizeof(hc)))
		return -EFAULT;
	spin_lock(&xen->updown_lock);
	initialised = xv->initialised;
	spin_unlock(&xen->updown_lock);
	if (initialised)
		return -EEXIST;
	r = xv_parse(c, &hc, &ctx);
	if (r)
		return r;
	spin_lock(&xen->updown_lock);
	/* Another vCPU may have got there first; a SIPI may have started it. */
	if (xv->initialised) {
		r = -EEXIST;
	} else {
		xv->ctx = ctx;
		xv->ctx_pending = true;
		xv->initialised = true;
		xv->down = true;
		/* Not halted: it starts at the context's RIP. */
		xv->was_halted = false;
	}
	spin_unlock(&xen->updown_lock);
	return r;
}

static long xv_up(struct xen_call *c, struct hxen_xen_vcpu *xv)
{
	struct hxen_xen *xen = c->xen;
	bool wake = false;
	long r = 0;

	spin_lock(&xen->updown_lock);
	if (!xv->initialised) {
		r = -EINVAL;
	} else if (xv->down) {
		xv->down = false;
		wake = true;
	}
	spin_unlock(&xen->updown_lock);
	/* Its thread sleeps in KVM_RUN (vcpu_block) until it sees the change. */
	if (wake)
		hxen_vcpu_wake(xv->vcpu);
	return r;
}

/* The last vCPU went down: the domain powers off (Xen's domain_shutdown). */
static void xv_poweroff(struct xen_call *c)
{
	struct kvm_run *run = c->vcpu->run;

	memset(&run->system_event, 0, sizeof(run->system_event));
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_SHUTDOWN;
	run->system_event.ndata = 1;
	run->system_event.data[0] = SHUTDOWN_poweroff;
	c->exit = true;
}

static long xv_down(struct xen_call *c, struct hxen_xen_vcpu *xv)
{
	struct hxen_xen *xen = c->xen;
	bool others = false, wake = false;
	int i;

	/* Looking and setting under one lock: two vCPUs downing each other leave one up. */
	spin_lock(&xen->updown_lock);
	for (i = 0; i < HXEN_MAX_VCPUS && !others; i++) {
		struct hxen_xen_vcpu *o = &xen->vcpus[i];

		others = o != xv && READ_ONCE(o->vcpu) && !o->down;
	}
	if (others) {
		wake = !xv->down;
		xv->down = true;
	}
	spin_unlock(&xen->updown_lock);
	if (!others) {
		xv_poweroff(c);
		return 0;
	}
	/* Out of guest mode; the run loop then sees it (hxen_xen_vcpu_stale). */
	if (wake)
		hxen_vcpu_wake(xv->vcpu);
	return 0;
}

long hxen_xen_vcpu_updown(struct xen_call *c, u64 cmd, struct hxen_vcpu *target, u64 arg)
{
	struct hxen_xen_vcpu *xv = target->xen;

	if (cmd == VCPUOP_is_up)
		return !READ_ONCE(xv->down);
	if (!target->lapic)
		return -ENOSYS;
	switch (cmd) {
	case VCPUOP_initialise:
		return xv_initialise(c, xv, arg);
	case VCPUOP_up:
		return xv_up(c, xv);
	case VCPUOP_down:
		return xv_down(c, xv);
	default:
		return -ENOSYS;
	}
}

void hxen_xen_vcpu_updown_init(struct hxen_xen *xen, struct hxen_xen_vcpu *xv,
			       struct hxen_vcpu *vcpu)
{
	bool running = xv_running(vcpu->mp_state);

	spin_lock(&xen->updown_lock);
	xv->initialised = running;
	xv->down = !running;
	xv->ctx_pending = false;
	xv->was_halted = false;
	spin_unlock(&xen->updown_lock);
}

bool __hxen_xen_vcpu_stale(struct hxen_vcpu *vcpu)
{
	return READ_ONCE(vcpu->xen->down) == xv_running(vcpu->mp_state);
}

/* The context into the vCPU, through the vendor ops; under its mutex. */
static void xv_load(struct hxen_vcpu *vcpu, const struct hxen_xen_vcpu_ctx *x)
{
	struct kvm_vcpu_events ev = { .flags = KVM_VCPUEVENT_VALID_SHADOW };
	struct kvm_sregs s;

	hxen_ops->get_sregs(vcpu, &s);
	s.cs = x->cs;
	s.ds = x->ds;
	s.ss = x->ss;
	s.es = x->es;
	s.tr = x->tr;
	xv_flat(&s.fs, false, false);
	s.gs = s.fs;
	s.ldt = (struct kvm_segment){ .unusable = 1 };
	s.cr0 = x->cr0;
	s.cr3 = x->cr3;
	s.cr4 = x->cr4;
	s.efer = x->efer;
	memset(s.interrupt_bitmap, 0, sizeof(s.interrupt_bitmap));
	/* VCPUOP_initialise checked what set_sregs checks: not expected to fail. */
	if (hxen_ops->set_sregs(vcpu, &s))
		pr_info_ratelimited("vCPU %d: VCPUOP_initialise context not loaded\n", vcpu->id);
	hxen_ops->set_regs(vcpu, &x->regs);
	/* Nothing queued from before survives a new context (as INIT). */
	hxen_ops->set_events(vcpu, &ev);
	vcpu->nmi_pending = false;
	vcpu->irq_vector = -1;
}

void __hxen_xen_vcpu_sync(struct hxen_vcpu *vcpu)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	struct hxen_xen_vcpu *xv = vcpu->xen;
	struct hxen_xen_vcpu_ctx ctx;
	bool load = false;

	if (!vcpu->lapic)
		return;
	spin_lock(&xen->updown_lock);
	/* A new context goes in at once, down or not (Xen writes it at initialise). */
	load = xv->ctx_pending;
	if (load)
		ctx = xv->ctx;
	xv->ctx_pending = false;
	if (xv->down && xv_running(vcpu->mp_state)) {
		xv->was_halted = vcpu->mp_state == KVM_MP_STATE_HALTED;
		vcpu->mp_state = KVM_MP_STATE_UNINITIALIZED;
	} else if (!xv->down && !xv_running(vcpu->mp_state)) {
		vcpu->mp_state = xv->was_halted ? KVM_MP_STATE_HALTED : KVM_MP_STATE_RUNNABLE;
		xv->was_halted = false;
	}
	spin_unlock(&xen->updown_lock);
	/*
	 * Outside the lock (the vendor may sleep reading PDPTEs). A down that
	 * comes in between is seen before entry: the loop syncs again.
	 */
	if (load)
		xv_load(vcpu, &ctx);
}

void __hxen_xen_vcpu_mp_changed(struct hxen_vcpu *vcpu, bool reset)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	struct hxen_xen_vcpu *xv = vcpu->xen;

	spin_lock(&xen->updown_lock);
	if (xv_running(vcpu->mp_state)) {
		/* Started (SIPI, a BSP's INIT, KVM_SET_MP_STATE): up, with its registers. */
		xv->initialised = true;
		xv->down = false;
		xv->ctx_pending = false;
	} else {
		xv->down = true;
		/*
		 * INIT (waiting for SIPI) resets it. KVM_SET_MP_STATE to
		 * UNINITIALIZED is what a down vCPU reports: it keeps its
		 * context, so a saved down vCPU restores as one.
		 */
		if (reset || vcpu->mp_state != KVM_MP_STATE_UNINITIALIZED) {
			xv->initialised = false;
			xv->ctx_pending = false;
		}
	}
	xv->was_halted = false;
	spin_unlock(&xen->updown_lock);
}
