/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor-neutral x86 parts of a vCPU: CPUID, MSRs, FPU/XSAVE state,
 * kvm-clock, and the exit handling both vendors share.
 */
#ifndef HXEN_X86_H
#define HXEN_X86_H

#include <linux/kvm.h>
#include <linux/types.h>
#include <asm/processor-flags.h>

struct hxen_vm;
struct hxen_vcpu;

/* Reset values of DR6 and DR7 (SDM Vol. 3 Table 9-1, APM 13.1.1). */
#define HXEN_DR6_RESET	0xffff0ff0ULL
#define HXEN_DR7_RESET	0x400ULL

/* x86/guest_debug.c: KVM_SET_GUEST_DEBUG. */
#define HXEN_GUESTDBG_VALID	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
				 KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_INJECT_DB | \
				 KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_BLOCKIRQ)
u64 hxen_linear_rip(struct hxen_vcpu *vcpu, u64 rip);
long hxen_set_guest_debug(struct hxen_vcpu *vcpu, const struct kvm_guest_debug *dbg);
void hxen_guest_debug_regs_out(struct hxen_vcpu *vcpu, struct kvm_regs *regs);
void hxen_guest_debug_regs_in(struct hxen_vcpu *vcpu, struct kvm_regs *regs);
int hxen_guest_debug_exit(struct hxen_vcpu *vcpu, u8 vector, u64 dr6);
int hxen_guest_debug_bp(struct hxen_vcpu *vcpu, u64 rip, u8 len);
void hxen_single_step_owed(struct hxen_vcpu *vcpu);
int hxen_guest_debug_step_exit(struct hxen_vcpu *vcpu);

/*
 * The kernel completed the guest's instruction (RIP moved past it), with
 * RFLAGS as the caller holds them: a single step may be owed. Exit paths
 * pay one test of TF.
 */
static inline void hxen_instruction_done(struct hxen_vcpu *vcpu, u64 rflags)
{
	if (unlikely(rflags & X86_EFLAGS_TF))
		hxen_single_step_owed(vcpu);
}

/* x86/exit_common.c */
/*
 * Port I/O: an in-kernel device completes it (HXEN_RESUME), else it exits
 * to userspace (HXEN_USER). hxen_exit_pio_user always exits.
 */
int hxen_exit_pio(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in, u64 val);
int hxen_exit_pio_user(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in, u64 val);
/*
 * Port I/O data sits in the vCPU mapping's own page at KVM_PIO_PAGE_OFFSET
 * (KVM's layout), the offset KVM_EXIT_IO reports in run->io.data_offset.
 * The kernel never reads that field (or any other kvm_run field it wrote
 * for itself) back: userspace may rewrite the mmap'ed pages at any time, so
 * sizes, counts and offsets come from vcpu->pio and this constant only.
 */
#define HXEN_PIO_DATA_OFFSET	(KVM_PIO_PAGE_OFFSET * PAGE_SIZE)
#define hxen_pio_data(vcpu)	((u8 *)(vcpu)->pio_page)
/* KVM_RUN after an IN went to userspace: its data into the guest's RAX. */
int hxen_complete_pio(struct hxen_vcpu *vcpu);
/* Exits to userspace; returns HXEN_USER. */
int hxen_exit_internal_error(struct hxen_vcpu *vcpu, u32 suberror,
			     u64 data0, u64 data1);
/*
 * KVM_SET_SREGS checks shared by the vendors (valid CR4/EFER bits are
 * theirs); also applies the APIC base. 0 or -EINVAL.
 */
int hxen_check_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr,
		     u64 cr4_valid, u64 efer_valid);
/* XSETBV / KVM_SET_XCRS: 0, or -EINVAL for a value the SDM makes #GP. */
int hxen_set_xcr0(struct hxen_vcpu *vcpu, u64 val);
/*
 * CR4 bits the guest's CPUID gates (on top of the vendor's valid bits):
 * false if @cr4 sets one its CPUID does not offer (PKE without PKU).
 */
bool hxen_guest_cr4_ok(struct hxen_vcpu *vcpu, u64 cr4);
bool hxen_guest_has_tsc_adjust(struct hxen_vcpu *vcpu);
/* MSR_IA32_TSC and MSR_IA32_TSC_ADJUST (x86/tsc.c). */
u64 hxen_tsc_reset_offset(struct hxen_vcpu *vcpu);
int hxen_tsc_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
int hxen_tsc_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);
/*
 * Instruction exits, decoded by the vendor: CPUID always completes; the
 * others return 0 when done or -EINVAL when the guest gets #GP. The
 * vendor then moves RIP past the instruction (0) or injects the #GP.
 */
void hxen_exit_cpuid(struct hxen_vcpu *vcpu);
int hxen_exit_rdmsr(struct hxen_vcpu *vcpu);
int hxen_exit_wrmsr(struct hxen_vcpu *vcpu);
int hxen_exit_xsetbv(struct hxen_vcpu *vcpu, int cpl);

/* x86/mce.c: KVM_X86_GET_MCE_CAP_SUPPORTED, KVM_X86_SETUP_MCE, KVM_X86_SET_MCE. */
long hxen_mce_cap_supported(u64 __user *arg);
long hxen_mce_setup(struct hxen_vcpu *vcpu, u64 __user *arg);
long hxen_mce_inject(struct hxen_vcpu *vcpu, struct kvm_x86_mce __user *arg);
/*
 * The MCA MSRs (MCG_CAP, MCG_STATUS, MCG_CTL, HXEN_MSR_MC_BANKS), routed
 * here by x86/msr.c's switch: 0, or -EINVAL (the guest gets #GP).
 */
#define HXEN_MSR_MC_BANKS	MSR_IA32_MC0_CTL ... MSR_IA32_MC0_CTL + 4 * HXEN_MCE_BANKS - 1
int hxen_mce_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val, bool host);
int hxen_mce_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);

/* x86/reset.c */
/* INIT: the architectural INIT state (SDM Table 9-1); APIC base and FPU kept. */
void hxen_vcpu_init_reset(struct hxen_vcpu *vcpu);
/* SIPI with vector @vec: real mode at @vec * 4 KiB (SDM 8.4.4.1). */
void hxen_vcpu_sipi(struct hxen_vcpu *vcpu, u8 vec);

/* x86/fpu.c */
long hxen_get_fpu(struct hxen_vcpu *vcpu, struct kvm_fpu __user *arg);
long hxen_set_fpu(struct hxen_vcpu *vcpu, struct kvm_fpu __user *arg);
long hxen_get_xsave(struct hxen_vcpu *vcpu, struct kvm_xsave __user *arg);
long hxen_set_xsave(struct hxen_vcpu *vcpu, struct kvm_xsave __user *arg);
long hxen_get_xcrs(struct hxen_vcpu *vcpu, struct kvm_xcrs __user *arg);
long hxen_set_xcrs(struct hxen_vcpu *vcpu, struct kvm_xcrs __user *arg);
/*
 * PKRU around entry (interrupts off): the guest's in before (@cr4: the
 * guest's CR4), the host's back right after the exit, before anything
 * can run on the VMM thread's behalf.
 */
void hxen_pkru_load_guest(struct hxen_vcpu *vcpu, u64 cr4);
void hxen_pkru_load_host(struct hxen_vcpu *vcpu);

/* x86/msr.c */
void hxen_msr_reset(struct hxen_vcpu *vcpu);
int hxen_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val, bool host);
/* @host: from KVM_SET_MSRS, which may set what the guest cannot. */
int hxen_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);
long hxen_get_msr_index_list(struct kvm_msr_list __user *arg);
long hxen_vcpu_msrs(struct hxen_vcpu *vcpu, struct kvm_msrs __user *arg, bool set);
/*
 * Interrupts off, right before entry: the guest's TSC_AUX into this CPU
 * (RDTSCP/RDPID run natively); the host's comes back when the CPU next
 * returns to user mode.
 */
void hxen_tsc_aux_load(struct hxen_vcpu *vcpu);
/* This CPU gives up virtualization: the host's user-return MSRs back now. */
void hxen_user_msrs_drop(void);
/*
 * RDTSCP/RDPID can be offered: the host has TSC_AUX and the vendor lets
 * guests run them (set by svm_probe/vmx_probe).
 */
extern bool hxen_guest_rdtscp;

/* x86/steal_time.c */
bool hxen_steal_time_supported(void);
int hxen_steal_time_set_msr(struct hxen_vcpu *vcpu, u64 val);
void hxen_steal_time_record(struct hxen_vcpu *vcpu);

/* x86/kvmclock.c */
/* Before each entry, from the vCPU's thread (may touch guest memory). */
void hxen_kvmclock_refresh(struct hxen_vcpu *vcpu);
bool hxen_kvmclock_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
bool hxen_kvmclock_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val);
int hxen_kvmclock_cap(void);
long hxen_kvmclock_get(struct hxen_vm *vm, struct kvm_clock_data __user *arg);
long hxen_kvmclock_set(struct hxen_vm *vm, struct kvm_clock_data __user *arg);
void hxen_kvmclock_cpuid(struct kvm_cpuid_entry2 *sig, struct kvm_cpuid_entry2 *feat);

/* x86/cpuid.c */
long hxen_set_cpuid2(struct hxen_vcpu *vcpu, struct kvm_cpuid2 __user *arg);
long hxen_get_cpuid2(struct hxen_vcpu *vcpu, struct kvm_cpuid2 __user *arg);
/* CPUID for the guest: leaf in *eax, subleaf in *ecx; results in all four. */
void hxen_cpuid(struct hxen_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx);
bool hxen_guest_efer_valid(struct hxen_vcpu *vcpu, u64 efer);
u64 hxen_guest_xcr0_mask(struct hxen_vcpu *vcpu);
bool hxen_guest_is_intel(struct hxen_vcpu *vcpu);
/* The guest's CPUID offers RDTSCP or RDPID (so TSC_AUX). */
bool hxen_guest_has_rdtscp(struct hxen_vcpu *vcpu);
long hxen_get_supported_cpuid(struct kvm_cpuid2 __user *arg);

#endif /* HXEN_X86_H */
