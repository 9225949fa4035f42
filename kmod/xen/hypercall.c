// SPDX-License-Identifier: GPL-2.0
/*
 * Xen hypercalls from HVM guests: VMCALL/VMMCALL with the call number in
 * EAX and arguments in RDI, RSI, RDX, R10, R8 (64-bit mode) or EBX, ECX,
 * EDX, ESI, EDI (every other mode); the result goes to RAX. Calls from
 * CPL > 0 or virtual-8086 mode get -EPERM, unknown ones -ENOSYS.
 *
 * Here: the hypercall's registers and the dispatch to the file of each
 * hypercall family (version.c, memory.c, hvm.c, sched.c, vcpu_op.c,
 * console.c, evtchn_op.c, grant.c, timer.c, runstate.c). Guest pointers
 * are read and written with guest_copy.c. Structures whose layout differs
 * for 32-bit guests (xen_ulong_t / xen_pfn_t members) are converted by the
 * family's file; every other argument structure has one layout.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <xen/interface/xen.h>

#include "internal.h"

/* VMCALL and VMMCALL are both 3 bytes. */
#define XEN_HYPERCALL_LEN	3

static long xen_dispatch(struct xen_call *c, u64 nr)
{
	u64 *a = c->arg;

	switch (nr) {
	case __HYPERVISOR_memory_op:
		return hxen_xen_memory_op(c, a[0], a[1]);
	case __HYPERVISOR_grant_table_op:
		return hxen_xen_grant_table_op(c, a[0], a[1], a[2]);
	/*
	 * physdev_op. What Linux 6.1 HVM / PVH guests may call: PIRQs (PHYSDEVOP_map_pirq,
	 * get_free_pirq, eoi, pirq_eoi_gmfn_v2, irq_status_query, unmap_pirq)
	 * only with XENFEAT_hvm_pirqs, which hxen does not offer; the PCI and
	 * MSI-X reports (pci_device_add, manage_pci_*, prepare_msix,
	 * pci_mmcfg_reserved, dbgp_op) only from a hardware domain; set_iopl,
	 * set_iobitmap and apic_read from PV guests. Xen answers an HVM domU's
	 * PHYSDEVOP_* with -ENOSYS for the ops its HVM table does not route;
	 * hxen has no physical devices to manage, so every op is -ENOSYS (Linux
	 * treats that as "not available": pci.c skips its reports, events_base.c
	 * its PIRQ paths). The argument is not read.
	 */
	case __HYPERVISOR_physdev_op:
		return -ENOSYS;
	case __HYPERVISOR_xen_version:
		return hxen_xen_version_op(c, a[0], a[1]);
	case __HYPERVISOR_console_io:
		return hxen_xen_console_io(c, a[0], a[1], a[2]);
	case __HYPERVISOR_vcpu_op:
		return hxen_xen_vcpu_op(c, a[0], a[1], a[2]);
	case __HYPERVISOR_sched_op:
		return hxen_xen_sched_op(c, a[0], a[1]);
	case __HYPERVISOR_event_channel_op:
		return hxen_xen_evtchn_op(c, a[0], a[1]);
	case __HYPERVISOR_hvm_op:
		return hxen_xen_hvm_op(c, a[0], a[1]);
	case __HYPERVISOR_set_timer_op:
		/* 32-bit guests split the u64 over EBX (low) and ECX (high). */
		return hxen_xen_set_timer_op(c->vcpu, c->long_mode ? a[0] : a[0] | a[1] << 32);
	case __HYPERVISOR_vm_assist:
		return hxen_xen_vm_assist(c->xen, a[0], a[1]);
	default:
		return -ENOSYS;
	}
}

/* Argument registers of each ABI, in order. */
static const int xen_args64[5] = { VCPU_RDI, VCPU_RSI, VCPU_RDX, VCPU_R10, VCPU_R8 };
static const int xen_args32[5] = { VCPU_RBX, VCPU_RCX, VCPU_RDX, VCPU_RSI, VCPU_RDI };

int hxen_xen_hypercall(struct hxen_vcpu *vcpu)
{
	u64 *regs = vcpu->regs;
	const int *regs_of;
	struct xen_call c;
	bool code64;
	long ret;
	u64 nr;
	u8 cpl;
	int i;

	/*
	 * The exit handler's hot path: the mode comes from get_cpu_mode and
	 * the arguments straight from vcpu->regs (the general registers of
	 * both vendors live there), not from a full get_regs/get_sregs.
	 */
	memset(&c, 0, sizeof(c));
	c.vcpu = vcpu;
	c.xen = vcpu->vm->xen;
	hxen_ops->get_cpu_mode(vcpu, &c.mode, &code64);
	c.long_mode = (c.mode.efer & EFER_LMA) && code64;
	/* Hypercalls run at CPL 0; copies are supervisor accesses. */
	cpl = c.mode.cpl;
	c.mode.cpl = 0;
	regs_of = c.long_mode ? xen_args64 : xen_args32;
	for (i = 0; i < 5; i++)
		c.arg[i] = c.long_mode ? regs[regs_of[i]] : (u32)regs[regs_of[i]];
	nr = c.long_mode ? regs[VCPU_RAX] : (u32)regs[VCPU_RAX];

	if (((c.mode.cr0 & X86_CR0_PE) && cpl) || (c.mode.rflags & X86_EFLAGS_VM))
		ret = -EPERM;
	else
		ret = xen_dispatch(&c, nr);

	if (c.restart) {
		/* Continuation: run the call again with the updated arguments. */
		struct kvm_regs r;

		for (i = 0; i < 5; i++)
			regs[regs_of[i]] = c.arg[i];
		hxen_ops->get_regs(vcpu, &r);
		r.rip -= XEN_HYPERCALL_LEN;
		if (!c.long_mode)
			r.rip = (u32)r.rip;
		hxen_ops->set_regs(vcpu, &r);
	} else {
		regs[VCPU_RAX] = c.long_mode ? (u64)ret : (u32)ret;
	}
	return c.exit ? HXEN_USER : HXEN_RESUME;
}
