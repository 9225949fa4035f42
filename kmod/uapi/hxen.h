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

#endif /* _UAPI_HXEN_H */
