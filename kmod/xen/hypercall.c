// SPDX-License-Identifier: GPL-2.0
/*
 * Xen hypercalls from HVM guests: VMCALL/VMMCALL with the call number in
 * EAX and arguments in RDI, RSI, RDX, R10, R8 (64-bit mode) or EBX, ECX,
 * EDX, ESI, EDI (every other mode); the result goes to RAX. Calls from
 * CPL > 0 or virtual-8086 mode get -EPERM, unknown ones -ENOSYS.
 *
 * Guest pointers are linear addresses, translated through the guest's own
 * page tables (x86/emulate/walk.c) and checked page by page: anything not in RAM,
 * not mapped or not writable where written is -EFAULT. Structures whose
 * layout differs for 32-bit guests (xen_ulong_t / xen_pfn_t members) are
 * converted here; every other argument structure has one layout.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <xen/interface/xen.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/features.h>
#include <xen/interface/hvm/hvm_op.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>
#include <xen/interface/sched.h>
#include <xen/interface/vcpu.h>
#include <xen/interface/version.h>

#include "../x86/irqchip/irqchip.h"
#include "../x86/emulate/walk.h"
#include "internal.h"

/* Xen's 32-bit HYPERVISOR_VIRT_START (compat XENVER_platform_parameters). */
#define XEN_COMPAT_VIRT_START	0xF5800000U
/* console_io text per exit; fits the kvm_run page after the structure. */
#define XEN_CONSOLE_CHUNK	1024
#define XEN_PIO_DATA_OFFSET	ALIGN(sizeof(struct kvm_run), 64)
/* VMCALL and VMMCALL are both 3 bytes. */
#define XEN_HYPERCALL_LEN	3

/* ---- guest memory ---- */

static int read_pt(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	struct xen_call *c = opaque;
	unsigned long hva = hxen_gpa_to_hva(c->vcpu->vm, gpa, false);

	if (!hva || (gpa & ~PAGE_MASK) + len > PAGE_SIZE)
		return -1;
	return copy_from_user(buf, (void __user *)hva, len) ? -1 : 0;
}

static bool xen_canonical(u64 la)
{
	return (u64)(((s64)la << 16) >> 16) == la;
}

static int guest_copy(struct xen_call *c, u64 la, void *buf, size_t len, bool write)
{
	while (len) {
		size_t n;
		unsigned long hva;
		u64 gpa;
		u32 err;
		u8 *ov;

		if (!c->long_mode)
			la &= 0xffffffffULL;
		else if (!xen_canonical(la))
			return -EFAULT;
		n = min_t(size_t, len, PAGE_SIZE - (la & ~PAGE_MASK));
		if (hxen_walk(&c->mode, la, write ? HXEN_PF_WRITE : 0, read_pt, c, &gpa,
			      &err) != HXEN_WALK_OK)
			return -EFAULT;
		ov = hxen_overlay_va(c->vcpu->vm, gpa >> PAGE_SHIFT);
		if (ov) {
			/* A module page (shared_info, grant frame) sits over this frame. */
			u8 *p = ov + (gpa & ~PAGE_MASK);

			if (write)
				memcpy(p, buf, n);
			else
				memcpy(buf, p, n);
		} else {
			hva = hxen_gpa_to_hva(c->vcpu->vm, gpa, write);
			if (!hva)
				return -EFAULT;
			if (write ? copy_to_user((void __user *)hva, buf, n) :
				    copy_from_user(buf, (void __user *)hva, n))
				return -EFAULT;
		}
		la += n;
		buf = (u8 *)buf + n;
		len -= n;
	}
	return 0;
}

int hxen_xen_copy_from_guest(struct xen_call *c, void *dst, u64 la, size_t len)
{
	return guest_copy(c, la, dst, len, false);
}

int hxen_xen_copy_to_guest(struct xen_call *c, u64 la, const void *src, size_t len)
{
	return guest_copy(c, la, (void *)src, len, true);
}

int hxen_xen_write_guest(struct hxen_vcpu *vcpu, u64 la, const void *buf, size_t len)
{
	struct xen_call c;
	bool code64;

	memset(&c, 0, sizeof(c));
	c.vcpu = vcpu;
	c.xen = vcpu->vm->xen;
	hxen_ops->get_cpu_mode(vcpu, &c.mode, &code64);
	/* Any code segment: in long mode linear addresses are 64-bit. */
	c.long_mode = c.mode.efer & EFER_LMA;
	c.mode.cpl = 0;
	return guest_copy(&c, la, (void *)buf, len, true);
}

bool hxen_xen_dom_is_self(struct xen_call *c, u16 dom)
{
	return dom == DOMID_SELF || dom == c->xen->domid;
}

/* The short names this file has always used for the exported helpers. */
#define copy_from_guest		hxen_xen_copy_from_guest
#define copy_to_guest		hxen_xen_copy_to_guest
#define dom_is_self		hxen_xen_dom_is_self

/* ---- xen_version ---- */

static long xen_version(struct xen_call *c, u64 cmd, u64 arg)
{
	struct hxen_xen *xen = c->xen;

	switch (cmd) {
	case XENVER_version:
		return (HXEN_XEN_MAJOR << 16) | HXEN_XEN_MINOR;
	case XENVER_extraversion: {
		struct xen_extraversion v = { .extraversion = "-hxen" };

		return copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_compile_info: {
		struct xen_compile_info v = {
			.compiler = "hxen.ko", .compile_by = "hxen",
			.compile_domain = "", .compile_date = "",
		};

		return copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_capabilities: {
		static const struct xen_capabilities_info v = {
			.info = "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64",
		};

		return copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_changeset: {
		struct xen_changeset_info v = { .info = "hxen" };

		return copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_platform_parameters: {
		/* Meaningless for HVM; Xen's value for the guest's width. */
		if (c->long_mode) {
			struct xen_platform_parameters v = { .virt_start = HYPERVISOR_VIRT_START };

			return copy_to_guest(c, arg, &v, sizeof(v));
		} else {
			u32 v = XEN_COMPAT_VIRT_START;

			return copy_to_guest(c, arg, &v, sizeof(v));
		}
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;

		if (copy_from_guest(c, &fi, arg, sizeof(fi)))
			return -EFAULT;
		if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
			return -EINVAL;
		/*
		 * What hxen really does for an HVM guest: translated physmap,
		 * the callback vector, PV clock that is safe to use.
		 */
		fi.submap = BIT(XENFEAT_writable_page_tables) |
			    BIT(XENFEAT_auto_translated_physmap) |
			    BIT(XENFEAT_hvm_callback_vector) |
			    BIT(XENFEAT_hvm_safe_pvclock);
		return copy_to_guest(c, arg, &fi, sizeof(fi));
	}
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_guest_handle:
		return copy_to_guest(c, arg, xen->handle, sizeof(xen_domain_handle_t));
	case XENVER_commandline: {
		/* No hypervisor command line to show: an empty string. */
		static const struct xen_commandline v;

		return copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_build_id:
		/* Denied to unprivileged guests by Xen's default policy. */
		return -EPERM;
	default:
		return -ENOSYS;
	}
}

/* ---- hvm_op ---- */

/* HVM_PARAM_CALLBACK_IRQ: bits 63:56 the type, the rest its target. */
static long xen_set_callback(struct xen_call *c, u64 val)
{
	struct hxen_xen *xen = c->xen;
	u8 vec = 0;

	switch (val >> 56) {
	case HVM_PARAM_CALLBACK_TYPE_GSI:
		/* Accepted and kept; delivery through a GSI comes later. */
		if ((u32)val >= 24 || (val & GENMASK_ULL(55, 32)))
			return -EINVAL;
		break;
	case HVM_PARAM_CALLBACK_TYPE_PCI_INTX:
		break;
	case HVM_PARAM_CALLBACK_TYPE_VECTOR:
		vec = val & 0xff;
		/* Vectors below 16 are exceptions / illegal for interrupts. */
		if (vec < 0x10 || (val & GENMASK_ULL(55, 8)))
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	hxen_xen_set_long_mode(xen, c->long_mode);
	xen->params[HVM_PARAM_CALLBACK_IRQ] = val;
	WRITE_ONCE(xen->callback_vector, val ? vec : 0);
	return 0;
}

static long xen_hvm_param(struct xen_call *c, bool set, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct xen_hvm_param p;
	long r = 0;

	if (copy_from_guest(c, &p, arg, sizeof(p)))
		return -EFAULT;
	if (!dom_is_self(c, p.domid))
		return -ESRCH;
	if (p.index >= HVM_NR_PARAMS)
		return -EINVAL;
	mutex_lock(&xen->lock);
	switch (p.index) {
	case HVM_PARAM_CALLBACK_IRQ:
		if (set)
			r = xen_set_callback(c, p.value);
		break;
	case HVM_PARAM_STORE_EVTCHN:
	case HVM_PARAM_CONSOLE_EVTCHN:
	case HVM_PARAM_VM86_TSS:
		/* The guest may set these (Xen's hvm_allow_set_param). */
		if (set)
			xen->params[p.index] = p.value;
		break;
	case HVM_PARAM_STORE_PFN:
	case HVM_PARAM_CONSOLE_PFN:
		/* Read-only to the guest; the toolstack's to set. */
		if (set)
			r = -EPERM;
		break;
	case HVM_PARAM_PAE_ENABLED:
	case HVM_PARAM_DM_DOMAIN:
		/* Deprecated. */
		r = set ? -EPERM : -ENODATA;
		break;
	default:
		r = -EPERM;
		break;
	}
	if (!r && !set)
		p.value = xen->params[p.index];
	mutex_unlock(&xen->lock);
	if (!r && !set && copy_to_guest(c, arg, &p, sizeof(p)))
		r = -EFAULT;
	return r;
}

static long xen_set_upcall_vector(struct xen_call *c, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct xen_hvm_evtchn_upcall_vector op;
	struct hxen_xen_vcpu *xv;
	unsigned long flags;
	u8 *vi;

	if (copy_from_guest(c, &op, arg, sizeof(op)))
		return -EFAULT;
	if (op.vector < 0x10)
		return -EINVAL;
	if (op.vcpu >= HXEN_MAX_VCPUS || !READ_ONCE(xen->vcpus[op.vcpu].vcpu))
		return -ENOENT;
	xv = &xen->vcpus[op.vcpu];
	/* Delivered through the in-kernel LAPIC (KVM_CREATE_IRQCHIP). */
	if (!xv->vcpu->lapic)
		return -ENOSYS;
	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	WRITE_ONCE(xv->upcall_vector, op.vector);
	/* Already pending: deliver now (Xen's hvm_assert_evtchn_irq). */
	vi = hxen_xen_vcpu_info(xen, op.vcpu);
	if (vi && READ_ONCE(*vi))
		xen->evtchn.raise(xen, op.vcpu);
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	return 0;
}

static long xen_hvm_op(struct xen_call *c, u64 op, u64 arg)
{
	switch (op) {
	case HVMOP_set_param:
		return xen_hvm_param(c, true, arg);
	case HVMOP_get_param:
		return xen_hvm_param(c, false, arg);
	case HVMOP_set_evtchn_upcall_vector:
		return xen_set_upcall_vector(c, arg);
	default:
		return -ENOSYS;
	}
}

/* ---- sched_op ---- */

static long xen_shutdown(struct xen_call *c, u64 arg)
{
	struct kvm_run *run = c->vcpu->run;
	struct sched_shutdown s;
	u32 type;

	if (copy_from_guest(c, &s, arg, sizeof(s)))
		return -EFAULT;
	switch (s.reason) {
	case SHUTDOWN_poweroff:
		type = KVM_SYSTEM_EVENT_SHUTDOWN;
		break;
	case SHUTDOWN_reboot:
		type = KVM_SYSTEM_EVENT_RESET;
		break;
	case SHUTDOWN_crash:
	case SHUTDOWN_watchdog:
		type = KVM_SYSTEM_EVENT_CRASH;
		break;
	case SHUTDOWN_suspend:
		/*
		 * The launcher saves the VM (or not) and runs it again. The
		 * call returns 0, "resumed in a new domain after a real
		 * suspend"; a launcher that cancels the suspend sets RAX to 1
		 * with KVM_SET_REGS first, as Xen's toolstack does.
		 */
		type = KVM_SYSTEM_EVENT_SUSPEND;
		break;
	case SHUTDOWN_soft_reset:
		return -ENOSYS;		/* later: kexec */
	default:
		return -EINVAL;
	}
	/* data[0] is Xen's reason, for launchers that care (watchdog). */
	memset(&run->system_event, 0, sizeof(run->system_event));
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = type;
	run->system_event.ndata = 1;
	run->system_event.data[0] = s.reason;
	c->exit = true;
	return 0;
}

/*
 * SCHEDOP_poll: struct sched_poll is ports (a guest handle: 8 bytes, 4
 * for 32-bit guests), nr_ports, timeout (4-byte aligned for 32-bit
 * guests). Xen's checks: more than 128 ports -EINVAL, the port array not
 * readable -EFAULT; then sched.c waits.
 */
#define XEN_POLL_MAX_PORTS	128

static long xen_poll(struct xen_call *c, u64 arg)
{
	struct sched_poll p;
	u64 ports_la;
	u32 *ports;
	long r;

	if (c->long_mode) {
		if (copy_from_guest(c, &p, arg, sizeof(p)))
			return -EFAULT;
		ports_la = (u64)(unsigned long)p.ports;
	} else {
		struct { u32 ports, nr_ports; u64 timeout; } __packed p32;

		if (copy_from_guest(c, &p32, arg, sizeof(p32)))
			return -EFAULT;
		ports_la = p32.ports;
		p.nr_ports = p32.nr_ports;
		p.timeout = p32.timeout;
	}
	if (p.nr_ports > XEN_POLL_MAX_PORTS)
		return -EINVAL;
	ports = kmalloc_array(max(p.nr_ports, 1U), sizeof(*ports), GFP_KERNEL_ACCOUNT);
	if (!ports)
		return -ENOMEM;
	r = -EFAULT;
	if (!copy_from_guest(c, ports, ports_la, p.nr_ports * sizeof(*ports)))
		r = hxen_xen_poll(c->vcpu, ports, p.nr_ports, p.timeout);
	kfree(ports);
	return r;
}

static long xen_sched_op(struct xen_call *c, u64 cmd, u64 arg)
{
	struct sched_shutdown s;

	switch (cmd) {
	case SCHEDOP_yield:
		cond_resched();
		return 0;
	case SCHEDOP_block:
		return hxen_xen_block(c->vcpu);
	case SCHEDOP_poll:
		return xen_poll(c, arg);
	case SCHEDOP_shutdown:
		return xen_shutdown(c, arg);
	case SCHEDOP_shutdown_code:
		/* Only remembered by Xen for the toolstack; checked here. */
		return copy_from_guest(c, &s, arg, sizeof(s)) ? -EFAULT : 0;
	case SCHEDOP_remote_shutdown:
		return -EPERM;
	default:
		/* SCHEDOP_watchdog, SCHEDOP_pin_override: later. */
		return -ENOSYS;
	}
}

/* ---- console_io ---- */

/*
 * CONSOLEIO_write: up to XEN_CONSOLE_CHUNK bytes per exit to userspace as
 * an OUT string to HXEN_XEN_CONSOLE_PORT; the rest by continuation (the
 * call is re-executed with buffer and count advanced, as Xen does for
 * preempted hypercalls), so userspace sees the text in order.
 * CONSOLEIO_read: console.c. Xen's cmd and count are unsigned ints.
 */
static long xen_console_io(struct xen_call *c, u64 cmd, u64 count, u64 buf)
{
	struct kvm_run *run = c->vcpu->run;
	u32 n, left = count;

	BUILD_BUG_ON(XEN_PIO_DATA_OFFSET + XEN_CONSOLE_CHUNK > PAGE_SIZE);
	switch ((u32)cmd) {
	case CONSOLEIO_write:
		if (!left)
			return 0;
		n = min_t(u32, left, XEN_CONSOLE_CHUNK);
		if (copy_from_guest(c, (u8 *)run + XEN_PIO_DATA_OFFSET, buf, n))
			return -EFAULT;
		run->exit_reason = KVM_EXIT_IO;
		run->io.direction = KVM_EXIT_IO_OUT;
		run->io.size = 1;
		run->io.port = HXEN_XEN_CONSOLE_PORT;
		run->io.count = n;
		run->io.data_offset = XEN_PIO_DATA_OFFSET;
		c->exit = true;
		if (n < left) {
			c->restart = true;
			c->arg[1] = left - n;
			c->arg[2] = buf + n;
		}
		return 0;
	case CONSOLEIO_read:
		return hxen_xen_console_read(c, count, buf);
	default:
		return -ENOSYS;
	}
}

/* ---- vcpu_op ---- */

/*
 * The timer and runstate operations of vcpu_op. The singleshot timer is
 * the caller's own only (Xen: -EINVAL for another vCPU); the periodic
 * timer and the runstate of any vCPU. struct vcpu_set_singleshot_timer
 * is 12 bytes for 32-bit guests (4-byte aligned u64), 16 otherwise;
 * vcpu_register_runstate_memory_area's address is a union with a u64, so
 * 8 bytes in both, of which a 32-bit guest's handle is the low half.
 */
static long xen_vcpu_op_time(struct xen_call *c, u64 cmd, u64 id, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct hxen_xen_vcpu *xv = &xen->vcpus[id];
	bool self = xv == c->vcpu->xen;

	switch (cmd) {
	case VCPUOP_set_singleshot_timer: {
		struct vcpu_set_singleshot_timer st;

		if (!self)
			return -EINVAL;
		memset(&st, 0, sizeof(st));
		if (copy_from_guest(c, &st, arg, c->long_mode ? sizeof(st) : 12))
			return -EFAULT;
		return hxen_xen_set_singleshot(c->vcpu, st.timeout_abs_ns, st.flags);
	}
	case VCPUOP_stop_singleshot_timer:
		if (!self)
			return -EINVAL;
		hxen_xen_stop_singleshot(c->vcpu);
		return 0;
	case VCPUOP_set_periodic_timer: {
		struct vcpu_set_periodic_timer pt;

		if (copy_from_guest(c, &pt, arg, sizeof(pt)))
			return -EFAULT;
		/* 0 is below Xen's 1 ms minimum, not "stop". */
		if (!pt.period_ns)
			return -EINVAL;
		return hxen_xen_set_periodic(xv, pt.period_ns);
	}
	case VCPUOP_stop_periodic_timer:
		return hxen_xen_set_periodic(xv, 0);
	case VCPUOP_register_runstate_memory_area: {
		u64 area;

		if (copy_from_guest(c, &area, arg, sizeof(area)))
			return -EFAULT;
		if (!c->long_mode)
			area = (u32)area;
		mutex_lock(&xen->lock);
		hxen_xen_runstate_register(c->vcpu, xv, area);
		mutex_unlock(&xen->lock);
		return 0;
	}
	case VCPUOP_get_runstate_info: {
		struct vcpu_runstate_info rs;
		u8 buf[sizeof(rs)];
		size_t len;

		hxen_xen_runstate_get(xen, xv, &rs);
		len = hxen_xen_runstate_layout(c->long_mode, &rs, buf);
		return copy_to_guest(c, arg, buf, len);
	}
	case VCPUOP_send_nmi: {
		struct hxen_vcpu *target = READ_ONCE(xv->vcpu);
		struct hxen_apic_irq irq = {
			.shorthand = 1,		/* self: exactly the target */
			.src = target,
			.delivery_mode = 4,	/* NMI */
			.assert = true,
		};

		/* Through the target's LAPIC; KVM_NMI is userspace's without one. */
		if (!target->lapic)
			return -ENOSYS;
		hxen_lapic_deliver(xen->vm, &irq);
		return 0;
	}
	default:
		/* register_vcpu_time_memory_area and the rest: Linux copes. */
		return -ENOSYS;
	}
}

static long xen_vcpu_op(struct xen_call *c, u64 cmd, u64 id, u64 arg)
{
	struct hxen_xen *xen = c->xen;
	struct vcpu_register_vcpu_info info;
	struct hxen_vcpu *target;
	long r;

	if (id >= HXEN_MAX_VCPUS)
		return -ENOENT;
	target = READ_ONCE(xen->vcpus[id].vcpu);
	if (!target)
		return -ENOENT;
	switch (cmd) {
	case VCPUOP_register_vcpu_info:
		if (copy_from_guest(c, &info, arg, sizeof(info)))
			return -EFAULT;
		mutex_lock(&xen->lock);
		r = hxen_xen_register_vcpu_info(xen, id, info.mfn, info.offset);
		mutex_unlock(&xen->lock);
		return r;
	case VCPUOP_initialise:
	case VCPUOP_up:
	case VCPUOP_down:
	case VCPUOP_is_up:
		return hxen_xen_vcpu_updown(c, cmd, target, arg);
	default:
		return xen_vcpu_op_time(c, cmd, id, arg);
	}
}

/* ---- physdev_op ---- */

/*
 * What Linux 6.1 HVM / PVH guests may call: PIRQs (PHYSDEVOP_map_pirq,
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
static long xen_physdev_op(struct xen_call *c, u64 cmd, u64 arg)
{
	return -ENOSYS;
}

/* ---- dispatch ---- */

static long xen_dispatch(struct xen_call *c, u64 nr)
{
	u64 *a = c->arg;

	switch (nr) {
	case __HYPERVISOR_memory_op:
		return hxen_xen_memory_op(c, a[0], a[1]);
	case __HYPERVISOR_grant_table_op:
		return hxen_xen_grant_table_op(c, a[0], a[1], a[2]);
	case __HYPERVISOR_physdev_op:
		return xen_physdev_op(c, a[0], a[1]);
	case __HYPERVISOR_xen_version:
		return xen_version(c, a[0], a[1]);
	case __HYPERVISOR_console_io:
		return xen_console_io(c, a[0], a[1], a[2]);
	case __HYPERVISOR_vcpu_op:
		return xen_vcpu_op(c, a[0], a[1], a[2]);
	case __HYPERVISOR_sched_op:
		return xen_sched_op(c, a[0], a[1]);
	case __HYPERVISOR_event_channel_op:
		return hxen_xen_evtchn_op(c, a[0], a[1]);
	case __HYPERVISOR_hvm_op:
		return xen_hvm_op(c, a[0], a[1]);
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
