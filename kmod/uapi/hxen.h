/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * hxen-only ioctls on /dev/hxen. Everything else on /dev/hxen and on the
 * VM and vCPU descriptors is the Linux KVM API (linux/kvm.h, API 12).
 */
#ifndef _UAPI_HXEN_H
#define _UAPI_HXEN_H

#include <linux/types.h>
#include <linux/ioctl.h>

/* 0xB8 is unassigned in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define HXEN_IOCTL_MAGIC	0xB8

#define HXEN_VENDOR_SVM		1
#define HXEN_VENDOR_VMX		2

/* SVM features (CPUID 0x8000000A EDX and friends). */
#define HXEN_FEAT_NPT			(1ULL << 0)
#define HXEN_FEAT_NRIPS			(1ULL << 1)
#define HXEN_FEAT_VMCB_CLEAN		(1ULL << 2)
#define HXEN_FEAT_FLUSH_BY_ASID		(1ULL << 3)
#define HXEN_FEAT_DECODE_ASSISTS	(1ULL << 4)
#define HXEN_FEAT_PAUSE_FILTER		(1ULL << 5)
#define HXEN_FEAT_LBRV			(1ULL << 6)
#define HXEN_FEAT_TSC_RATE		(1ULL << 7)
#define HXEN_FEAT_VGIF			(1ULL << 8)
#define HXEN_FEAT_AVIC			(1ULL << 9)
#define HXEN_FEAT_V_VMSAVE_VMLOAD	(1ULL << 10)
/* VMX features (IA32_VMX_* capability MSRs). */
#define HXEN_FEAT_EPT			(1ULL << 32)
#define HXEN_FEAT_UNRESTRICTED_GUEST	(1ULL << 33)
#define HXEN_FEAT_VPID			(1ULL << 34)
#define HXEN_FEAT_EPT_AD		(1ULL << 35)
#define HXEN_FEAT_EPT_2M		(1ULL << 36)
#define HXEN_FEAT_EPT_1G		(1ULL << 37)
#define HXEN_FEAT_PML			(1ULL << 38)
#define HXEN_FEAT_APICV			(1ULL << 39)
#define HXEN_FEAT_POSTED_INTR		(1ULL << 40)
#define HXEN_FEAT_TSC_SCALING		(1ULL << 41)
#define HXEN_FEAT_SHADOW_VMCS		(1ULL << 42)
#define HXEN_FEAT_VMFUNC		(1ULL << 43)
#define HXEN_FEAT_TRUE_CTLS		(1ULL << 44)

/*
 * HXEN_GET_INFO: what the module detected, and its live state (for tests
 * and diagnostics). Fields may be appended; @size says how much the kernel
 * filled in.
 */
struct hxen_info {
	__u32 size;		/* out: sizeof(struct hxen_info) */
	__u32 vendor;		/* HXEN_VENDOR_* */
	__u64 features;		/* HXEN_FEAT_* */
	__u32 nr_asids;		/* SVM: ASIDs; VMX: 0 */
	__u32 vmcs_revision;	/* VMX: IA32_VMX_BASIC[30:0]; SVM: 0 */
	__u32 live_vms;		/* VM objects alive now */
	__u32 virt_cpus;	/* CPUs with VMX/SVM enabled by hxen now */
	__u64 live_pages;	/* pages the module holds now */
	__u32 kvm_alias;	/* 1 if /dev/kvm is hxen's alias */
	__u32 live_vcpus;	/* vCPU objects alive now */
	__u32 reserved[6];
};

#define HXEN_GET_INFO		_IOR(HXEN_IOCTL_MAGIC, 0x00, struct hxen_info)

/*
 * HXEN_XEN_ENABLE, on a VM descriptor: the guest sees a Xen hypervisor
 * (CPUID leaves 0x40000000-0x40000004, the hypercall-page MSR 0x40000000,
 * hypercalls through VMCALL/VMMCALL, shared_info, event channels), all
 * handled in the kernel. Without it nothing of this exists and the VM is
 * a plain KVM-API VM.
 *
 * Call it once, before KVM_CREATE_VCPU. Errors: EFAULT (bad pointer),
 * EINVAL (flags or reserved not zero), EBUSY (Xen already enabled on this
 * VM, or a vCPU exists already), ENOSPC (no domain id left), ENOMEM.
 * On success the module fills in @domid: the VM's Xen domain id (1 to
 * 0x7fef), unique among the VMs alive on this host.
 */
struct hxen_xen_config {
	__u32 flags;		/* in: 0 */
	__u32 domid;		/* out */
	__u8 handle[16];	/* in: XENVER_guest_handle, e.g. the VM's UUID */
	__u32 reserved[8];	/* in: 0 */
};

#define HXEN_XEN_ENABLE		_IOWR(HXEN_IOCTL_MAGIC, 0x10, struct hxen_xen_config)

/*
 * The guest's console_io(CONSOLEIO_write) text reaches userspace as an
 * OUT string to this port (the 0xe9 "debug console" launchers already
 * print): KVM_EXIT_IO, direction OUT, size 1, count = bytes, data at
 * io.data_offset. Long writes come in several exits; nothing needs to be
 * completed before the next KVM_RUN.
 */
#define HXEN_XEN_CONSOLE_PORT	0xe9

/*
 * SCHEDOP_shutdown reaches userspace as KVM_EXIT_SYSTEM_EVENT with
 * ndata 1 and data[0] the Xen reason: poweroff as KVM_SYSTEM_EVENT_SHUTDOWN,
 * reboot as _RESET, crash and watchdog as _CRASH, suspend as _SUSPEND.
 * The hypercall is complete by then, its result (0) in RAX: after a
 * suspend, KVM_RUN resumes the guest with whatever RAX userspace left, 0
 * for "resumed after a real suspend" (a restore) or 1 for "suspend
 * cancelled, same domain" (KVM_SET_REGS), as Xen's toolstack sets it.
 */

/*
 * HXEN_XEN_SET_MEMORY_MAP, on a VM descriptor after HXEN_XEN_ENABLE: the
 * e820 map the guest reads with XENMEM_memory_map (as Xen's toolstack sets
 * it with XENMEM_set_memory_map). May be called again: the guest sees the
 * latest map. Until it is called XENMEM_memory_map fails with -ENOSYS, as
 * on Xen for a domain without a map.
 *
 * Errors: EFAULT (bad pointer), EINVAL (Xen not enabled, reserved not
 * zero, nr_entries 0, an entry with reserved not zero, size 0 or
 * addr + size overflowing 64 bits), E2BIG (nr_entries above HXEN_XEN_E820_MAX), ENOMEM.
 */
struct hxen_xen_memory_map {
	__u32 nr_entries;	/* in: entries at @entries, 1..HXEN_XEN_E820_MAX */
	__u32 reserved;		/* in: 0 */
	__u64 entries;		/* in: user pointer to nr_entries struct hxen_e820_entry */
};

struct hxen_e820_entry {
	__u64 addr;
	__u64 size;
	__u32 type;		/* E820 type, as the guest will see it */
	__u32 reserved;		/* in: 0 */
};

#define HXEN_XEN_E820_MAX	128

#define HXEN_XEN_SET_MEMORY_MAP	_IOW(HXEN_IOCTL_MAGIC, 0x11, struct hxen_xen_memory_map)

/*
 * HXEN_XEN_EVTCHN_EVENTFD, on a VM descriptor after HXEN_XEN_ENABLE: ties
 * a guest event channel to an eventfd, so a host process (a backend, the
 * launcher) talks to the guest without exits. The host is domain 0 for
 * the guest: the guest allocates the port with EVTCHNOP_alloc_unbound
 * (remote_dom 0) and passes its number to the host (xenstore, a param).
 *
 *  HXEN_XEN_EVTCHN_FROM_GUEST: EVTCHNOP_send on @port signals @fd.
 *  HXEN_XEN_EVTCHN_TO_GUEST:   a write to @fd raises @port in the guest
 *                              (like KVM's irqfd; the count is consumed).
 * One direction per call, each with its own eventfd (one eventfd both
 * ways would hand the guest's sends straight back to it: EINVAL). Binding
 * the first direction makes the port interdomain (EVTCHNOP_status: dom 0,
 * port 0); a second call may add the other direction.
 *
 * With HXEN_XEN_EVTCHN_DEASSIGN the given directions are dropped (@fd is
 * not looked at); when none is left the port is unbound again (remote
 * dom 0), as when dom0 closes its end on Xen. The guest closing the port
 * (EVTCHNOP_close / reset) drops the bindings; VM teardown drops all.
 *
 * Errors: EFAULT, EINVAL (Xen not enabled, no direction or both on
 * assign, unknown flags, reserved not zero, @port out of range or neither
 * unbound to dom 0 nor bound to the host, the other direction's eventfd),
 * EBADF (@fd not open), EINVAL (@fd not an eventfd), EBUSY (the direction
 * is bound already), ENOENT (deassign of a direction not bound), ENOMEM.
 */
struct hxen_xen_evtchn_eventfd {
	__u32 port;		/* in: the guest's port */
	__s32 fd;		/* in: an eventfd */
	__u32 flags;		/* in: HXEN_XEN_EVTCHN_* */
	__u32 reserved[5];	/* in: 0 */
};

#define HXEN_XEN_EVTCHN_FROM_GUEST	(1U << 0)
#define HXEN_XEN_EVTCHN_TO_GUEST	(1U << 1)
#define HXEN_XEN_EVTCHN_DEASSIGN	(1U << 2)

#define HXEN_XEN_EVTCHN_EVENTFD	_IOW(HXEN_IOCTL_MAGIC, 0x12, struct hxen_xen_evtchn_eventfd)

/*
 * HXEN_XEN_CONSOLE_INPUT, on a VM descriptor after HXEN_XEN_ENABLE: console
 * input for the guest, which it reads with console_io(CONSOLEIO_read), as
 * a Xen console domain reads Xen's serial input. The bytes at @buf go into
 * a per-VM ring of HXEN_XEN_CONSOLE_RING bytes (the size of Xen's PV
 * console input ring); like write(), the ioctl returns how many it took
 * (0 to @len, fewer when the ring is full: offer the rest again later,
 * nothing is dropped) and reads @buf only as far as it takes bytes. If it
 * took any and the guest bound VIRQ_CONSOLE (EVTCHNOP_bind_virq), the
 * VIRQ is raised, as Xen raises it on serial input. @consumed tells
 * whether the guest reads this console at all (a launcher feeding several
 * consoles uses it to tell which ones); @len 0 just reports it.
 *
 * Errors: EFAULT (bad pointer; then no byte is taken), EINVAL (Xen not
 * enabled, flags or reserved not zero).
 */
struct hxen_xen_console_input {
	__u64 buf;		/* in: user pointer to @len bytes */
	__u32 len;		/* in */
	__u32 flags;		/* in: 0 */
	__u64 consumed;		/* out: bytes the guest has read, in total */
	__u32 reserved[4];	/* in: 0 */
};

#define HXEN_XEN_CONSOLE_RING	1024

#define HXEN_XEN_CONSOLE_INPUT	_IOWR(HXEN_IOCTL_MAGIC, 0x13, struct hxen_xen_console_input)

/*
 * HXEN_XEN_SET_PARAM, on a VM descriptor after HXEN_XEN_ENABLE: the HVM
 * parameters a Xen toolstack sets for its guest (HVMOP_set_param from
 * domain 0), which the guest reads with HVMOP_get_param:
 *
 *  HVM_PARAM_STORE_PFN, HVM_PARAM_CONSOLE_PFN (public/hvm/params.h): the
 *    guest frame of the xenstore ring (xen/io/xs_wire.h) and of the PV
 *    console ring (xen/io/console.h). The frame must be backed by a
 *    memslot when the call is made (the VMM's memory, which it serves
 *    the ring from; mark it reserved in the guest's e820 as Xen's special
 *    pages are); 0 means none (Linux treats 0 as "no store").
 *    The guest cannot change these (-EPERM, as on Xen).
 *  HVM_PARAM_STORE_EVTCHN, HVM_PARAM_CONSOLE_EVTCHN: the guest's port of
 *    the channel to the backend. @value 0 (none) or a port of the guest's
 *    2-level range. With HXEN_XEN_PARAM_ALLOC_PORT (@value 0 on input)
 *    the module first allocates a fresh port in the guest, unbound with
 *    remote domain 0 (what Xen's toolstack does with
 *    EVTCHNOP_alloc_unbound), sets the parameter to it and returns it in
 *    @value; bind it to eventfds with HXEN_XEN_EVTCHN_EVENTFD. The guest
 *    may set these itself, as on Xen.
 *
 * Call it before the vCPUs run (the guest reads the parameters at boot).
 * Errors: EFAULT (bad pointer; an allocated port is freed again), EINVAL
 * (Xen not enabled, unknown flags, reserved not zero, another @index, a
 * frame with no memslot, a port out of range, ALLOC_PORT on a frame or
 * with @value not 0), ENOSPC (no free port), ENODEV (the VM is going).
 */
struct hxen_xen_param {
	__u32 index;		/* in: HVM_PARAM_* above */
	__u32 flags;		/* in: HXEN_XEN_PARAM_* */
	__u64 value;		/* in; out: the port allocated */
	__u32 reserved[4];	/* in: 0 */
};

#define HXEN_XEN_PARAM_ALLOC_PORT	(1U << 0)

#define HXEN_XEN_SET_PARAM	_IOWR(HXEN_IOCTL_MAGIC, 0x14, struct hxen_xen_param)

#endif /* _UAPI_HXEN_H */
