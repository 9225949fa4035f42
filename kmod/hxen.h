/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hxen internal interfaces shared by the common code and the vendor
 * backends. Common files include only this header; VMX/SVM details stay
 * behind struct hxen_vendor_ops.
 */
#ifndef HXEN_H
#define HXEN_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/rcuwait.h>
#include <linux/refcount.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "uapi/hxen.h"

#define HXEN_KVM_API_VERSION	12
#define HXEN_MAX_VCPUS		64
#define HXEN_MAX_MEMSLOTS	32

struct page;
struct hxen_vm;
struct hxen_vcpu;
struct hxen_walk_mode;

struct hxen_memslot {
	u64 base_gfn;
	u64 npages;		/* 0: slot unused */
	u64 userspace_addr;
	u32 flags;		/* KVM_MEM_* */
};

/*
 * Second-level (NPT/EPT) page-table entry format, supplied by the vendor:
 * the two formats differ only in their permission and memory-type bits.
 */
struct hxen_tdp_format {
	u64 table;		/* bits of a non-leaf entry */
	u64 leaf_read;		/* bits of a readable leaf (incl. memory type) */
	u64 leaf_write;		/* added for a writable leaf */
	u64 present_mask;	/* any of these set: the entry is present */
};

/*
 * Table pages a second-level fault may need (one per level below the
 * root), allocated before mmu_lock is taken and kept between faults, so a
 * fault that needs no new table allocates nothing (mmu/tdp.c). The vCPU's
 * own thread only.
 */
struct hxen_tdp_cache {
	struct page *pages[3];
	int n;
};

/* Second-level page tables of one VM (mmu/tdp.c). */
struct hxen_tdp {
	struct page *root;	/* 4-level table; protected by vm->mmu_lock */
	unsigned long pages;	/* table pages held */
};

enum hxen_vcpu_mode {
	OUTSIDE_GUEST_MODE,
	IN_GUEST_MODE,
};

/* Requests to a vCPU, acted on before the next guest entry. */
#define HXEN_REQ_TLB_FLUSH	0

struct hxen_vm {
	refcount_t users;	/* the VM fd and each vCPU fd */
	struct mm_struct *mm;	/* owner's; KVM_RUN from another mm: -EIO */

	/* Serialises memslot changes and vCPU creation. */
	struct mutex lock;
	/* Slots: written under lock + mmu_lock, read under either. */
	struct hxen_memslot slots[HXEN_MAX_MEMSLOTS];

	struct hxen_vcpu *vcpus[HXEN_MAX_VCPUS];	/* under lock */
	atomic_t nr_vcpus;
	/* Where hxen_vcpu_on_spin last gave the CPU: a hint, no lock. */
	int last_boosted;

	/*
	 * mmu_lock protects the second-level tables. A fault that raced with
	 * an MMU-notifier invalidation (in progress, or seq moved) retries.
	 */
	spinlock_t mmu_lock;
	struct hxen_tdp tdp;
	unsigned long mmu_seq;
	long mmu_invalidating;
	struct mmu_notifier mmu_notifier;

	/*
	 * In-kernel devices (x86/irqchip/irqchip.h). Each is created once by its
	 * ioctl under lock and lives until the VM is destroyed.
	 */
	struct hxen_irqchip *irqchip;	/* PICs, IOAPIC, GSI routing */
	struct hxen_pit *pit;
	struct hxen_iobus *iobus;

	/* Guest-facing Xen ABI (xen/); set once by HXEN_XEN_ENABLE under lock. */
	struct hxen_xen *xen;

	/*
	 * kvm-clock (x86/kvmclock.c): the VM's clock is the host's monotonic
	 * ns plus kvmclock_offset, which KVM_SET_CLOCK moves and then bumps
	 * kvmclock_gen so every vCPU republishes. wall_msr: the last
	 * MSR_KVM_WALL_CLOCK(_NEW) value written by any vCPU.
	 */
	s64 kvmclock_offset;
	atomic_t kvmclock_gen;
	u64 kvmclock_wall_msr;
	/*
	 * While the host's clocksource is the TSC, every vCPU publishes from
	 * one host (TSC, monotonic ns) pair, sampled once per kvmclock_gen,
	 * so their records agree and carry PVCLOCK_TSC_STABLE_BIT (KVM's
	 * "master clock"). Under kvmclock_lock.
	 */
	spinlock_t kvmclock_lock;
	struct {
		bool valid;		/* sampled, and the host clock is the TSC */
		u32 gen;		/* kvmclock_gen it was sampled for */
		u64 host_tsc;
		u64 mono_ns;
	} kvmclock_master;

	void *vendor;		/* vendor's per-VM data */
};

struct hxen_vcpu {
	struct hxen_vm *vm;
	int id;
	/* Serialises this vCPU's ioctls (KVM_RUN among them). */
	struct mutex mutex;
	struct kvm_run *run;	/* shared with userspace through mmap */

	int cpu;		/* host CPU it last ran on, -1 if none */
	int mode;		/* enum hxen_vcpu_mode, for kicks */
	unsigned long requests;	/* HXEN_REQ_* bits */

	/*
	 * The guest's general registers, all 16 on both vendors between
	 * exits (the backends copy RAX/RSP to and from the VMCB/VMCS around
	 * entry), so exit handlers may use them directly; RIP and RFLAGS
	 * are the vendor's (get_regs).
	 */
	u64 regs[16];

	/* Events queued by KVM_INTERRUPT (-1: none) and KVM_NMI; under mutex. */
	int irq_vector;
	bool nmi_pending;

	u64 xcr0;		/* guest XCR0 (XSETBV, KVM_SET_XCRS) */

	/*
	 * Guest DR0-3. Switched around every entry only once the guest has
	 * touched one (the vendor intercepts accesses until then and calls
	 * hxen_guest_debugregs_used()); most guests never do.
	 */
	bool db_active;
	u64 db[4];

	/* MSRs kept by common code (x86/msr.c). */
	u64 apic_base;
	u64 misc_enable;
	u64 mcg_status;
	u64 feat_ctl;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];

	/* An IN not yet completed: where userspace's data goes. */
	struct {
		bool pending;
		u8 size;
		/* INS: count elements go to ES:rDI (x86/emulate/mmio.c). */
		bool string, rep;
		u8 addr_bytes;
		u32 count;
		u64 next_rip;
	} pio;

	/* MMIO being emulated (x86/emulate/mmio.c). */
	struct {
		bool pending_read;	/* a KVM_EXIT_MMIO read awaits data */
		bool pending_write;	/* the instruction ends in this write */
		u64 gpa;
		u32 len;
		u8 data[8];
		/* Reads userspace completed for the instruction, in order. */
		int nr_done;
		struct {
			u64 gpa;
			u32 len;
			u8 data[8];
		} done[2];
	} mmio;

	/* KVM_SET_CPUID2 table; under mutex (read in KVM_RUN). */
	struct kvm_cpuid_entry2 *cpuid;
	int cpuid_nent;

	struct fpu_guest guest_fpu;
	bool sigset_active;
	sigset_t sigset;

	struct hxen_lapic *lapic;	/* with an in-kernel irqchip; else NULL */
	/*
	 * KVM_MP_STATE_*: always RUNNABLE without a LAPIC. Written by the
	 * vCPU's own thread under mutex (KVM_RUN, KVM_SET_MP_STATE); other
	 * contexts queue INIT/SIPI in the LAPIC, or change Xen's up/down
	 * state (xen/vcpu_up.c, under xen->updown_lock), and
	 * hxen_vcpu_wake() it; its thread then updates mp_state.
	 */
	u32 mp_state;
	/* KVM_RUN sleeps here while halted or waiting for INIT/SIPI. */
	struct rcuwait wait;
	/*
	 * The thread of the last KVM_RUN, for other vCPUs' directed yields
	 * (hxen_vcpu_on_spin). Written under mutex, read under RCU.
	 */
	struct pid __rcu *pid;

	/* Its part of vm->xen (xen/), set at creation; NULL without Xen. */
	struct hxen_xen_vcpu *xen;

	struct hxen_tdp_cache tdp_cache;

	/* kvm-clock record (x86/kvmclock.c); the vCPU's own thread only. */
	struct {
		u64 msr;		/* MSR_KVM_SYSTEM_TIME(_NEW): GPA | enable */
		u32 version;		/* last version published */
		u32 gen;		/* vm->kvmclock_gen published */
		bool dirty;		/* publish before the next entry */
		unsigned long next;	/* jiffies of the next refresh */
	} kvmclock;

	void *vendor;		/* VMCB / VMCS and friends */
};

enum { VCPU_RAX, VCPU_RCX, VCPU_RDX, VCPU_RBX, VCPU_RSP, VCPU_RBP, VCPU_RSI,
       VCPU_RDI, VCPU_R8, VCPU_R9, VCPU_R10, VCPU_R11, VCPU_R12, VCPU_R13,
       VCPU_R14, VCPU_R15 };

/*
 * Vendor exit handlers return one of these: go back into the guest, or
 * leave to userspace with vcpu->run filled in, or fail KVM_RUN with an errno.
 */
#define HXEN_RESUME	1
#define HXEN_USER	0

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
extern struct hxen_info hxen_detected;

/* Pages the module holds, for leak checks (HXEN_GET_INFO.live_pages). */
extern atomic64_t hxen_live_pages;
extern atomic_t hxen_live_vms;
extern atomic_t hxen_live_vcpus;
struct page *hxen_alloc_page(void);
void hxen_free_page(struct page *page);

/* hwvirt.c: hardware virtualization held while at least one VM exists. */
int hxen_virt_init(void);
void hxen_virt_exit(void);
int hxen_virt_get(void);
void hxen_virt_put(void);
unsigned int hxen_virt_cpus(void);

/* vm.c */
int hxen_create_vm(unsigned long type);
long hxen_check_extension(long cap);
void hxen_vm_put(struct hxen_vm *vm);
struct hxen_memslot *hxen_gfn_to_slot(struct hxen_vm *vm, u64 gfn);
/* Host address of guest-physical @gpa if RAM (writable if @write), else 0. */
unsigned long hxen_gpa_to_hva(struct hxen_vm *vm, u64 gpa, bool write);

/* vcpu.c */
/* A PAUSE-loop exit: yield to a preempted vCPU of the VM; true if one ran. */
bool hxen_vcpu_on_spin(struct hxen_vcpu *vcpu);
int hxen_create_vcpu(struct hxen_vm *vm, unsigned long id);
void hxen_guest_debugregs_used(struct hxen_vcpu *vcpu);
void hxen_vcpu_kick(struct hxen_vcpu *vcpu);
/*
 * The guest executed HLT (RIP already past it): exit to userspace, or
 * with an in-kernel irqchip block until an interrupt is due.
 */
int hxen_handle_hlt(struct hxen_vcpu *vcpu);
/*
 * Port I/O: an in-kernel device completes it (HXEN_RESUME), else it exits
 * to userspace (HXEN_USER). hxen_exit_pio_user always exits.
 */
int hxen_exit_pio(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in, u64 val);
int hxen_exit_pio_user(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in, u64 val);
/* Exits to userspace; returns HXEN_USER. */
int hxen_exit_internal_error(struct hxen_vcpu *vcpu, u32 suberror,
			     u64 data0, u64 data1);

/* vcpu.c */
/*
 * KVM_SET_SREGS checks shared by the vendors (valid CR4/EFER bits are
 * theirs); also applies the APIC base. 0 or -EINVAL.
 */
int hxen_check_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr,
		     u64 cr4_valid, u64 efer_valid);
/* XSETBV / KVM_SET_XCRS: 0, or -EINVAL for a value the SDM makes #GP. */
int hxen_set_xcr0(struct hxen_vcpu *vcpu, u64 val);

/* x86/irqchip/irq.c: in-kernel irqchip and PIT (x86/irqchip/irqchip.h has the rest). */
#define HXEN_MAX_IRQ_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES: entries and GSIs */
/* The irqchip and PIT VM ioctls; -ENOTTY for others. */
long hxen_irq_vm_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp);
/* VM teardown: stop device timers before the vCPUs go, free all after. */
void hxen_irq_vm_stop(struct hxen_vm *vm);
void hxen_irq_vm_free(struct hxen_vm *vm);
/* iobus.c: does an in-kernel device take port I/O at @port (string I/O)? */
bool hxen_iobus_pio_claims(struct hxen_vm *vm, u16 port, u32 len);

/* x86/emulate/mmio.c */
int hxen_emulate_mmio(struct hxen_vcpu *vcpu);
int hxen_complete_mmio(struct hxen_vcpu *vcpu);
int hxen_exit_pio_string(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in,
			 bool rep, int seg, u8 addr_bytes, u64 next_rip);
int hxen_complete_pio_string(struct hxen_vcpu *vcpu);
/*
 * The MOV to CR at RIP (for exits without decode assists): the CR number
 * and the source GPR (VCPU_* order), and the instruction length. -EINVAL
 * if RIP holds no such instruction or cannot be read.
 */
int hxen_decode_guest_mov_to_cr(struct hxen_vcpu *vcpu, u8 *cr, u8 *gpr, u8 *len);

/* x86/fpu.c */
long hxen_get_fpu(struct hxen_vcpu *vcpu, struct kvm_fpu __user *arg);
long hxen_set_fpu(struct hxen_vcpu *vcpu, struct kvm_fpu __user *arg);
long hxen_get_xsave(struct hxen_vcpu *vcpu, struct kvm_xsave __user *arg);
long hxen_set_xsave(struct hxen_vcpu *vcpu, struct kvm_xsave __user *arg);
long hxen_get_xcrs(struct hxen_vcpu *vcpu, struct kvm_xcrs __user *arg);
long hxen_set_xcrs(struct hxen_vcpu *vcpu, struct kvm_xcrs __user *arg);

/* x86/msr.c */
void hxen_msr_reset(struct hxen_vcpu *vcpu);
int hxen_get_msr(struct hxen_vcpu *vcpu, u32 msr, u64 *val);
/* @host: from KVM_SET_MSRS, which may set what the guest cannot. */
int hxen_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, bool host);
long hxen_get_msr_index_list(struct kvm_msr_list __user *arg);
long hxen_vcpu_msrs(struct hxen_vcpu *vcpu, struct kvm_msrs __user *arg, bool set);

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
long hxen_get_supported_cpuid(struct kvm_cpuid2 __user *arg);

/* mmu/tdp.c */
int hxen_tdp_init(struct hxen_vm *vm);
void hxen_tdp_destroy(struct hxen_vm *vm);
u64 hxen_tdp_root_pa(struct hxen_vm *vm);
/* A guest access to @gpa faulted in the second-level tables. */
#define HXEN_TDP_MAPPED	0	/* mapped: retry the access */
#define HXEN_TDP_MMIO	1	/* no RAM there (or a write to a read-only slot) */
int hxen_tdp_fault(struct hxen_vcpu *vcpu, u64 gpa, bool write);
void hxen_tdp_vcpu_free(struct hxen_vcpu *vcpu);
/* Zap guest frames [start, end); flushes TLBs. Under vm->lock. */
void hxen_tdp_zap_gfn_range(struct hxen_vm *vm, u64 start, u64 end);
int hxen_mmu_notifier_register(struct hxen_vm *vm);

/* main.c */
bool hxen_kvm_alias_active(void);

#endif /* HXEN_H */
