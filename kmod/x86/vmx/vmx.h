/* SPDX-License-Identifier: GPL-2.0 */
/* VMX backend internals, shared by vmx*.c only. */
#ifndef HXEN_X86_VMX_H
#define HXEN_X86_VMX_H

/*
 * Encoding of the HOST_RSP field, for the entry assembly (which cannot use
 * the enum in <asm/vmx.h>); vmx.c checks that the two agree.
 */
#define HXEN_VMCS_HOST_RSP	0x00006c14

#ifndef __ASSEMBLY__

#include <linux/list.h>
#include <asm/asm.h>
#include <asm/vmx.h>

#include "../../hxen.h"
#include "../../vendor.h"
#include "../../mmu/mmu.h"
#include "../x86.h"

/*
 * CR0 bits the guest owns: it reads and writes them directly. Every other
 * bit is host-owned: the guest reads it from the read shadow and a write
 * that changes it exits (SDM Vol. 3 24.6.6, 25.3).
 */
#define VMX_CR0_GUEST_OWNED	(X86_CR0_TS | X86_CR0_MP | X86_CR0_EM | \
				 X86_CR0_WP | X86_CR0_AM)

/* The SYSCALL MSRs: not in the VMCS (SDM Vol. 3 24.4), switched by software. */
struct vmx_syscall_msrs {
	u64 star, lstar, cstar, sfmask;
};

/*
 * PAUSE-loop exiting, in TSC cycles: PAUSEs at most VMX_PLE_GAP apart form
 * a loop, which exits once it lasts the window (KVM's defaults: 128, 4096).
 */
#define VMX_PLE_GAP		128
#define VMX_PLE_WINDOW		4096
#define VMX_PLE_WINDOW_MAX	(1U << 30)

/* VMCS settings chosen once at probe time from the capability MSRs (caps.c). */
struct vmx_config {
	bool usable;			/* vCPUs can run */
	bool vpid;
	bool invept_single;		/* else INVEPT all-context */
	bool invept_global;
	bool ins_outs_info;		/* INS/OUTS exits describe their operands */
	bool preempt_timer;
	u32 preempt_value;		/* VMX_PREEMPTION_TIMER_VALUE for an entry */
	u32 pin, proc, proc2, exit, entry;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};
extern struct vmx_config vmx_cfg;
/* VMCS revision identifier (IA32_VMX_BASIC), for VMXON regions and VMCSs. */
extern u32 vmx_revision;

/* What the last exit reported, read while the VMCS was current. */
struct vmx_exit_info {
	u32 reason;		/* full exit reason, bit 31 = VM-entry failure */
	bool vmfail;		/* VMLAUNCH/VMRESUME failed: no exit happened */
	u32 instr_error;	/* VM-instruction error after a VMfail */
	u64 qual;		/* exit qualification */
	u32 intr_info;		/* VM-exit interruption information */
	u32 intr_error;
	u32 vectoring;		/* IDT-vectoring information */
	u32 vectoring_error;
	u32 instr_len;
	u32 instr_info;		/* VM-exit instruction information */
	u64 gpa;		/* guest-physical address (EPT exits) */
};

struct vmx_vcpu {
	struct hxen_vcpu *vcpu;
	void *vmcs;
	u64 vmcs_pa;
	u64 eptp;
	u16 vpid;		/* 0: VPID not used */

	/*
	 * Where the VMCS is active (VMPTRLD without VMCLEAR yet): -1 or the
	 * CPU, on whose per-CPU list loaded_link then is. Changed only on that
	 * CPU with interrupts off (SDM Vol. 3 24.11.1: a VMCS may be active on
	 * one CPU at a time and must be cleared before it moves).
	 */
	int loaded_cpu;
	struct list_head loaded_link;
	bool launched;		/* VMRESUME next, not VMLAUNCH */
	bool temp_loaded;	/* loaded only for an access outside KVM_RUN */
	bool need_flush;	/* new on this CPU: stale EPT translations may exist */

	/* Guest state kept here rather than in the VMCS, or cached from it. */
	u64 rip;
	u64 rflags;
	u32 interruptibility;
	/*
	 * What the VMCS holds of RSP, RFLAGS and the interruptibility state
	 * (read at the exit, or written at the last entry), so an entry
	 * writes only what changed; nothing is known before the first entry
	 * (vmcs_synced false) or after a failed one.
	 */
	bool vmcs_synced;
	u64 vmcs_rsp, vmcs_rflags;
	u32 vmcs_intr;
	/* The VM-entry interruption-information field may be valid. */
	bool entry_intr_set;
	/* BS pending forced for a debugger's TF in an STI/MOV SS shadow. */
	bool forced_bs;
	u64 cr0;		/* as the guest sees it */
	u64 cr4;		/* as the guest sees it (no VMXE) */
	u64 efer;		/* as the guest sees it, LMA included */
	u64 cr2;
	u8 cr8;			/* TPR; no APIC yet */
	/*
	 * DR6; DR7 is in the VMCS, DR0-3 in struct hxen_vcpu. Live in the CPU
	 * while the guest runs once it has used debug registers.
	 */
	u64 dr6;
	u32 proc_base;		/* processor-based controls besides windows */
	u64 kernel_gs_base;
	struct vmx_syscall_msrs syscall;
	u64 tsc_offset;
	u32 entry_ctls;
	u32 proc_ctls;		/* as last written */
	/* PAUSE-loop window (0: no PAUSE-loop exiting), and as last written. */
	u32 ple_window, vmcs_ple_window;
	unsigned long ple_switches;	/* the thread's context switches seen */
	bool irq_window;	/* exit once the guest can take an interrupt */

	/* Host values last written, to skip VMWRITEs that change nothing. */
	unsigned long host_cr3, host_cr4, host_fs_base, host_gs_base;

	/* An event to inject at the next entry (VM-entry interruption info). */
	struct {
		u32 info;
		u32 error;
		u32 len;
	} inject;

	struct vmx_exit_info exit;
};

static inline struct vmx_vcpu *to_vmx(struct hxen_vcpu *vcpu)
{
	return vcpu->vendor;
}

/* entry.S: 0 after a VM exit, 1 after VMfail (nothing was entered). */
int __hxen_vmx_enter(u64 *regs, u32 launched);
extern const char __hxen_vmx_exit[];

/* vmx.c */
void vmx_insn_failed(const char *insn, u64 arg);
/* l1tf.c: at probe, whether entries flush L1D (L1TF), and how. */
void vmx_l1d_flush_setup(void);
extern bool vmx_l1d_flush_needed;
/* Interrupts off, right before entry; only where vmx_l1d_flush_needed. */
void vmx_l1d_flush(struct hxen_vcpu *vcpu);
void vmx_l1d_note_exit(struct hxen_vcpu *vcpu, u32 reason);

/*
 * Inline: the exit path makes a dozen of these per round trip. VMfail
 * shows in CF/ZF (SDM Vol. 3 30.2). A fault (#UD once VMX was turned off
 * under us, e.g. by the reboot notifier's IPI during an ioctl) skips the
 * instruction instead of oopsing; VMREAD then returns 0.
 */
static __always_inline u64 vmcs_read(unsigned long field)
{
	unsigned long value = 0;
	bool fail;

	asm volatile("1: vmread %[field], %[value]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : [value] "+r"(value), "=@ccbe"(fail)
		     : [field] "r"(field));
	if (unlikely(fail))
		vmx_insn_failed("VMREAD", field);
	return value;
}

static __always_inline void vmcs_write(unsigned long field, u64 value)
{
	bool fail;

	asm volatile("1: vmwrite %[value], %[field]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "=@ccbe"(fail)
		     : [value] "r"(value), [field] "r"(field)
		     : "memory");
	if (unlikely(fail))
		vmx_insn_failed("VMWRITE", field);
}
bool vmx_access_begin(struct hxen_vcpu *vcpu);
void vmx_access_end(struct hxen_vcpu *vcpu);
void vmx_reset_vcpu(struct hxen_vcpu *vcpu);
void vmx_skip_instruction(struct hxen_vcpu *vcpu);
void vmx_update_debug_intercepts(struct hxen_vcpu *vcpu);
void vmx_inject_exception(struct hxen_vcpu *vcpu, u8 vector, bool has_error, u32 error);
bool vmx_is_64bit(struct hxen_vcpu *vcpu);
bool vmx_ins_outs_info(void);
u64 vmx_cr4_valid_bits(void);
int vmx_set_cr0(struct hxen_vcpu *vcpu, u64 val);
int vmx_set_cr3(struct hxen_vcpu *vcpu, u64 val);
int vmx_set_cr4(struct hxen_vcpu *vcpu, u64 val);
int vmx_set_efer(struct hxen_vcpu *vcpu, u64 efer);
/* VMCS current (vmx_access_begin): set EFER as is, LMA included. */
void vmx_write_efer(struct hxen_vcpu *vcpu, u64 efer);

/* state.c */
/* Power-on state (VMCS current). */
void __vmx_reset(struct hxen_vcpu *vcpu);
u32 vmx_fix_error_code(struct vmx_vcpu *vmx, u32 info);
/* The vendor ops on guest state. */
bool vmx_interrupt_allowed(struct hxen_vcpu *vcpu);
bool vmx_nmi_allowed(struct hxen_vcpu *vcpu);
void vmx_inject_irq(struct hxen_vcpu *vcpu, u8 vector);
void vmx_inject_nmi(struct hxen_vcpu *vcpu);
void vmx_enable_irq_window(struct hxen_vcpu *vcpu);
void vmx_set_cr2(struct hxen_vcpu *vcpu, u64 cr2);
void vmx_get_events(struct hxen_vcpu *vcpu, struct kvm_vcpu_events *ev);
void vmx_set_events(struct hxen_vcpu *vcpu, const struct kvm_vcpu_events *ev);
u64 vmx_get_rflags(struct hxen_vcpu *vcpu);
u8 vmx_get_cr8(struct hxen_vcpu *vcpu);
void vmx_set_cr8(struct hxen_vcpu *vcpu, u8 cr8);
void vmx_get_regs(struct hxen_vcpu *vcpu, struct kvm_regs *r);
void vmx_set_regs(struct hxen_vcpu *vcpu, const struct kvm_regs *r);
void vmx_get_sregs(struct hxen_vcpu *vcpu, struct kvm_sregs *sr);
void vmx_get_cpu_mode(struct hxen_vcpu *vcpu, struct hxen_walk_mode *m, bool *code64);
u64 vmx_get_tsc_offset(struct hxen_vcpu *vcpu);
void vmx_get_dr67(struct hxen_vcpu *vcpu, u64 *dr6, u64 *dr7);
void vmx_set_dr67(struct hxen_vcpu *vcpu, u64 dr6, u64 dr7);
void vmx_activate_debugregs(struct hxen_vcpu *vcpu);
int vmx_set_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr);

/* exit.c */
int vmx_handle_exit(struct hxen_vcpu *vcpu);
int vmx_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
int vmx_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);

#endif /* __ASSEMBLY__ */
#endif
