/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor backends (x86/svm/, x86/vmx/) behind one table, chosen once
 * at module load. Common code calls them only through hxen_ops.
 */
#ifndef HXEN_VENDOR_H
#define HXEN_VENDOR_H

#include <linux/kvm.h>
#include <linux/types.h>

struct page;
struct hxen_info;
struct hxen_vm;
struct hxen_vcpu;
struct hxen_walk_mode;
struct hxen_tdp_format;

/*
 * One table per vendor, chosen once at module load (hxen_vendor_probe).
 * cpu_enable/cpu_disable run on the CPU concerned with interrupts off.
 * A backend that sets vcpu_run must fill in every vCPU op: main.c checks
 * at load and names what is missing.
 */
struct hxen_vendor_ops {
	const char *name;		/* "SVM" or "VMX" */
	unsigned int cpu_area_order;	/* pages per CPU for cpu_enable: 2^order */
	/*
	 * Enter VMX operation / set EFER.SVME on this CPU. @area is zeroed
	 * (2^cpu_area_order pages) for the VMXON region or the host save areas. Returns -EBUSY if
	 * another hypervisor already holds this CPU's virtualization.
	 */
	int (*cpu_enable)(struct page *area);
	void (*cpu_disable)(void);

	const struct hxen_tdp_format *tdp_format;
	/* MCG_CAP bits the vendor's CPUs define (AMD: 63:9 reserved). */
	u64 mcg_cap_mask;

	int (*vm_init)(struct hxen_vm *vm);
	void (*vm_destroy)(struct hxen_vm *vm);
	/* Allocate vcpu->vendor and put the vCPU in its reset state. */
	int (*vcpu_create)(struct hxen_vcpu *vcpu);
	void (*vcpu_free)(struct hxen_vcpu *vcpu);
	/* Make the vCPU current on this CPU (preemption off) / stop that. */
	void (*vcpu_load)(struct hxen_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct hxen_vcpu *vcpu);
	/*
	 * Enter the guest once and handle the exit; interrupts are off on
	 * entry and on return, preemption off. Returns HXEN_RESUME,
	 * HXEN_USER or a negative errno.
	 */
	int (*vcpu_run)(struct hxen_vcpu *vcpu);
	/* Handle the exit's slow part with interrupts and preemption on. */
	int (*handle_exit)(struct hxen_vcpu *vcpu);

	/* Event injection; called with interrupts off right before vcpu_run. */
	bool (*interrupt_allowed)(struct hxen_vcpu *vcpu);
	bool (*nmi_allowed)(struct hxen_vcpu *vcpu);
	void (*inject_irq)(struct hxen_vcpu *vcpu, u8 vector);
	void (*inject_nmi)(struct hxen_vcpu *vcpu);
	/* Exit as soon as the guest can take an interrupt. */
	void (*enable_irq_window)(struct hxen_vcpu *vcpu);
	/* An exception for the next entry (emulation faults). */
	void (*inject_exception)(struct hxen_vcpu *vcpu, u8 vector, bool has_error,
				 u32 error);
	void (*set_cr2)(struct hxen_vcpu *vcpu, u64 cr2);
	/*
	 * KVM_GET/SET_VCPU_EVENTS, the vendor's part: an event queued for
	 * injection (exception, interrupt, NMI), NMI masking, the STI/MOV SS
	 * shadow. set_events gets checked input.
	 */
	void (*get_events)(struct hxen_vcpu *vcpu, struct kvm_vcpu_events *ev);
	void (*set_events)(struct hxen_vcpu *vcpu, const struct kvm_vcpu_events *ev);

	/* MSRs whose state the vendor holds; -errno (guest: #GP) if unknown. */
	int (*get_msr)(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
	int (*set_msr)(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);

	u64 (*get_rflags)(struct hxen_vcpu *vcpu);
	u8 (*get_cr8)(struct hxen_vcpu *vcpu);
	/* Guest CR8 (TPR bits 7:4), e.g. from the in-kernel local APIC. */
	void (*set_cr8)(struct hxen_vcpu *vcpu, u8 cr8);
	/*
	 * Exit on the guest's CR8 writes (@on: an interrupt waits for the TPR
	 * to drop) or let them run without exits. Optional: NULL means CR8
	 * writes always exit (VMX without a TPR shadow).
	 */
	void (*watch_cr8_write)(struct hxen_vcpu *vcpu, bool on);
	void (*get_regs)(struct hxen_vcpu *vcpu, struct kvm_regs *regs);
	void (*set_regs)(struct hxen_vcpu *vcpu, const struct kvm_regs *regs);
	void (*get_sregs)(struct hxen_vcpu *vcpu, struct kvm_sregs *sregs);
	/*
	 * The paging mode and privilege a guest-memory access by linear
	 * address needs (CR0/3/4, EFER, RFLAGS, CPL), and whether CS is a
	 * 64-bit code segment: for exit handlers that would otherwise read
	 * every segment through get_sregs (VMX: three VMREADs, not 37).
	 */
	void (*get_cpu_mode)(struct hxen_vcpu *vcpu, struct hxen_walk_mode *m, bool *code64);
	int (*set_sregs)(struct hxen_vcpu *vcpu, const struct kvm_sregs *sregs);
	/*
	 * KVM_GET/SET_DEBUGREGS, the vendor's part: DR6 and DR7. activate_debugregs
	 * stops intercepting debug-register accesses: from now on DR0-3 are
	 * switched around entry (db_active), as after the guest's first MOV DR.
	 */
	void (*get_dr67)(struct hxen_vcpu *vcpu, u64 *dr6, u64 *dr7);
	void (*set_dr67)(struct hxen_vcpu *vcpu, u64 dr6, u64 dr7);
	void (*activate_debugregs)(struct hxen_vcpu *vcpu);
	/* Intercept #DB and #BP as vcpu->guest_debug asks (KVM_SET_GUEST_DEBUG). */
	void (*update_debug_intercepts)(struct hxen_vcpu *vcpu);
	/* Guest TSC minus host TSC (no TSC scaling): kvm-clock's master clock. */
	u64 (*get_tsc_offset)(struct hxen_vcpu *vcpu);
	/* CR4 bits set_sregs accepts (checks ahead of it, e.g. Xen's VCPUOP_initialise). */
	u64 (*cr4_valid)(void);
};

/* x86/cpu.c: detect the vendor and fill @info; NULL if neither is usable. */
const struct hxen_vendor_ops *hxen_vendor_probe(struct hxen_info *info);
/* x86/svm/svm.c, x86/vmx/vmx.c */
int svm_probe(struct hxen_info *info);
int vmx_probe(struct hxen_info *info);
extern const struct hxen_vendor_ops svm_vendor_ops;
extern const struct hxen_vendor_ops vmx_vendor_ops;

extern const struct hxen_vendor_ops *hxen_ops;

#endif /* HXEN_VENDOR_H */
