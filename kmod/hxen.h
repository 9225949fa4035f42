/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hxen's core objects: the VM and the vCPU, the run loop's return codes,
 * and the prototypes of the core files (main.c, hwvirt.c, vm.c, vcpu.c,
 * vcpu_ioctl.c). Other contracts have their own headers, included by the
 * files that use them:
 *   vendor.h            struct hxen_vendor_ops, hxen_ops (VMX/SVM behind it)
 *   mmu/mmu.h           memslot lookups, second-level tables
 *   iobus.h             the in-kernel device bus
 *   x86/x86.h           CPUID, MSRs, FPU, kvm-clock, reset, shared exit handlers
 *   x86/irqchip/        LAPIC, PIC, IOAPIC, PIT, routing (irqchip.h, lapic.h)
 *   x86/emulate/mmio.h  MMIO and string I/O emulation, MOV-to-CR decoding
 *   xen/hooks.h         the Xen ABI's hooks into the core
 * Common files never include x86/svm/svm.h or x86/vmx/vmx.h.
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

struct hxen_memslot {
	u64 base_gfn;
	u64 npages;		/* 0: slot unused */
	u64 userspace_addr;
	u32 flags;		/* KVM_MEM_* */
	/*
	 * With KVM_MEM_LOG_DIRTY_PAGES: one bit per page (mmu/dirty.c). The
	 * pointer is (lm) like the rest of the slot; its bits are set under
	 * vm->mmu_lock and cleared under vm->lock + vm->mmu_lock, atomically.
	 */
	unsigned long *dirty_bitmap;
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
	unsigned long pages;	/* table pages held (empty ones are freed) */
};

enum hxen_vcpu_mode {
	OUTSIDE_GUEST_MODE,
	IN_GUEST_MODE,
};

/* Requests to a vCPU, acted on before the next guest entry. */
#define HXEN_REQ_TLB_FLUSH	0
/* Leave KVM_RUN with KVM_EXIT_SHUTDOWN (a machine check it cannot take). */
#define HXEN_REQ_TRIPLE_FAULT	1

/* Machine-check banks a vCPU may have (KVM_MAX_MCE_BANKS, KVM_CAP_MCE). */
#define HXEN_MCE_BANKS		32

/*
 * Locking of the fields of struct hxen_vm and struct hxen_vcpu, by letter:
 *   (c) set at creation, constant after
 *   (o) set once under vm->lock (by its ioctl), constant until teardown
 *   (l) vm->lock
 *   (m) vm->mmu_lock
 *   (lm) written under vm->lock and vm->mmu_lock, read under either
 *   (k) vm->kvmclock_lock
 *   (u) vcpu->mutex: the vCPU's own ioctls, KVM_RUN among them
 *   (a) atomic, or READ_ONCE/WRITE_ONCE with no lock by design
 *   (r) read under RCU
 */
struct hxen_vm {
	refcount_t users;	/* (a) the VM fd and each vCPU fd */
	u64 id;			/* (c) unique while the module is loaded (IBPB between VMs) */
	struct mm_struct *mm;	/* (c) owner's; KVM_RUN from another mm: -EIO */

	/* Serialises memslot changes and vCPU creation. */
	struct mutex lock;
	struct hxen_memslot slots[HXEN_MAX_MEMSLOTS];	/* (lm) */

	/* (l) written, (a) read; a vCPU appears here complete (release store) */
	struct hxen_vcpu *vcpus[HXEN_MAX_VCPUS];
	atomic_t nr_vcpus;				/* (a) */
	int last_boosted;	/* (a) where hxen_vcpu_on_spin last gave the CPU: a hint */

	/*
	 * mmu_lock protects the second-level tables. A fault that raced with
	 * an MMU-notifier invalidation (in progress, or seq moved) retries.
	 */
	spinlock_t mmu_lock;
	struct hxen_tdp tdp;		/* (m) */
	unsigned long mmu_seq;		/* (m) */
	long mmu_invalidating;		/* (m) */
	struct mmu_notifier mmu_notifier;
	/* Module pages shown over guest frames (mmu/overlay.c); set at the first map. */
	struct hxen_overlays *overlays;	/* (l) */
	/*
	 * (l) KVM_DIRTY_LOG_* flags enabled with KVM_ENABLE_CAP
	 * (KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2), mmu/dirty.c.
	 */
	u64 dirty_log_manual;

	/* In-kernel devices (x86/irqchip/, iobus.h), each created by its ioctl. */
	struct hxen_irqchip *irqchip;	/* (o) PICs, IOAPIC, GSI routing */
	struct hxen_pit *pit;		/* (o) */
	struct hxen_iobus *iobus;	/* (o) */

	/* Guest-facing Xen ABI (xen/), set by HXEN_XEN_ENABLE before any vCPU. */
	struct hxen_xen *xen;		/* (o) */

	/*
	 * kvm-clock (x86/kvmclock.c): the VM's clock is the host's monotonic
	 * ns plus kvmclock_offset, which KVM_SET_CLOCK moves and then bumps
	 * kvmclock_gen so every vCPU republishes. wall_msr: the last
	 * MSR_KVM_WALL_CLOCK(_NEW) value written by any vCPU.
	 */
	s64 kvmclock_offset;		/* (k) written, (a) read */
	atomic_t kvmclock_gen;		/* (a) */
	u64 kvmclock_wall_msr;		/* (a) */
	/*
	 * While the host's clocksource is the TSC, every vCPU publishes from
	 * one host (TSC, monotonic ns) pair, sampled once per kvmclock_gen,
	 * so their records agree and carry PVCLOCK_TSC_STABLE_BIT (KVM's
	 * "master clock").
	 */
	spinlock_t kvmclock_lock;
	struct {
		bool valid;		/* sampled, and the host clock is the TSC */
		u32 gen;		/* kvmclock_gen it was sampled for */
		u64 host_tsc;
		u64 mono_ns;
	} kvmclock_master;		/* (k) */

	/* KVM_SET_NR_MMU_PAGES (0: not set); no shadow tables to bound yet. */
	unsigned long nr_mmu_pages;	/* (a) */

	u64 tsc_base;		/* (c) host TSC at creation: the guest TSCs' 0 */
	/* KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID): vCPU ids below it (0: not set). */
	u32 max_vcpu_ids;	/* (l) vm->lock */

	void *vendor;		/* (c) vendor's per-VM data */
};

struct guest_view;

struct hxen_vcpu {
	struct hxen_vm *vm;	/* (c) */
	int id;			/* (c) */
	struct mutex mutex;	/* serialises this vCPU's ioctls */
	struct kvm_run *run;	/* (c) shared with userspace through mmap */
	void *pio_page;		/* (c) mmap page KVM_PIO_PAGE_OFFSET: port I/O data */

	int cpu;		/* (a) host CPU it last ran on, -1 if none */
	int mode;		/* (a) enum hxen_vcpu_mode, for kicks */
	unsigned long requests;	/* (a) HXEN_REQ_* bits */

	/*
	 * (u) The guest's general registers, all 16 on both vendors between
	 * exits (the backends copy RAX/RSP to and from the VMCB/VMCS around
	 * entry), so exit handlers may use them directly; RIP and RFLAGS
	 * are the vendor's (get_regs).
	 */
	u64 regs[16];

	/* Events queued by KVM_INTERRUPT (-1: none) and KVM_NMI. */
	int irq_vector;		/* (u) */
	bool nmi_pending;	/* (u) */

	u64 xcr0;		/* (u) guest XCR0 (XSETBV, KVM_SET_XCRS) */

	/*
	 * (u) Guest DR0-3. Switched around every entry only once the guest
	 * has touched one (the vendor intercepts accesses until then and
	 * calls hxen_guest_debugregs_used()); most guests never do.
	 */
	bool db_active;
	u64 db[4];

	/*
	 * (u) KVM_SET_GUEST_DEBUG (x86/guest_debug.c): its flags (0: off);
	 * the linear RIP where single-stepping set TF; a step the kernel
	 * completed, to report before the next entry; the last #BP exit's
	 * RIP and instruction length (INJECT_BP returns past it).
	 */
	u32 guest_debug;
	u64 singlestep_rip;
	bool singlestep_done;
	u64 bp_rip;
	u8 bp_len;

	/*
	 * (u) Guest PKRU and TSC_AUX: loaded into the CPU only around entry
	 * (hxen_pkru_*, hxen_tsc_aux_load); the host's values are back before
	 * the VMM thread can see them. pkru_live: the guest could change
	 * PKRU in this run (CR4.PKE or XCR0.PKRU).
	 */
	u32 pkru, host_pkru;
	bool pkru_live;
	u64 tsc_aux;
	u64 tsc_adjust;		/* (u) IA32_TSC_ADJUST (x86/tsc.c) */
	/* (u) Flush L1D before the next entry where the CPU needs it (L1TF, VMX). */
	bool l1d_flush;

	/* (u) MSRs kept by common code (x86/msr.c). */
	u64 apic_base;
	u64 misc_enable;
	u64 feat_ctl;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];

	/*
	 * (u) Machine-check architecture (x86/mce.c): MCG_CAP as set by
	 * KVM_X86_SETUP_MCE (0: no banks), MCG_STATUS, MCG_CTL, and per bank
	 * MCi_CTL, MCi_STATUS, MCi_ADDR, MCi_MISC.
	 */
	struct {
		u64 cap, status, ctl;
		u64 banks[HXEN_MCE_BANKS][4];
	} mce;
	/*
	 * (u) The TSC rate userspace set (KVM_SET_TSC_KHZ), within KVM's
	 * tolerance of the host's: no TSC scaling, so the guest's TSC runs at
	 * the host's rate and this is only reported back.
	 */
	u32 tsc_khz;

	/* (u) An IN not yet completed: where userspace's data goes. */
	struct {
		bool pending;
		u8 size;
		/* INS: count elements go to ES:rDI (x86/emulate/pio_string.c). */
		bool string, rep;
		u8 addr_bytes;
		u32 count;
		u64 next_rip;
	} pio;

	/* (u) MMIO being emulated (x86/emulate/mmio.c). */
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

	/* (u) KVM_SET_CPUID2 table (read in KVM_RUN). */
	struct kvm_cpuid_entry2 *cpuid;
	int cpuid_nent;
	bool cpuid_set;		/* (u) KVM_SET_CPUID2 done: CR4 follows the table */
	bool has_run;		/* (u) KVM_RUN went past its checks once: CPUID fixed */

	struct fpu_guest guest_fpu;	/* (u) */
	bool sigset_active;		/* (u) */
	sigset_t sigset;		/* (u) */

	struct hxen_lapic *lapic;	/* (c) with an in-kernel irqchip; else NULL */
	/*
	 * (u) KVM_MP_STATE_*: always RUNNABLE without a LAPIC. Only the
	 * vCPU's own thread writes it (KVM_RUN, KVM_SET_MP_STATE); other
	 * contexts queue INIT/SIPI in the LAPIC, or change Xen's up/down
	 * state (xen/vcpu_up.c, under xen->updown_lock), and
	 * hxen_vcpu_wake() it; its thread then updates mp_state.
	 */
	u32 mp_state;
	/* KVM_RUN sleeps here while halted or waiting for INIT/SIPI. */
	struct rcuwait wait;
	/*
	 * (u) written, (r) read: the thread of the last KVM_RUN, for other
	 * vCPUs' directed yields (hxen_vcpu_on_spin).
	 */
	struct pid __rcu *pid;

	/*
	 * (c) Its part of vm->xen (xen/), NULL without Xen; set before the
	 * vCPU is visible to other vCPUs' hypercalls (hxen_xen_vcpu_attach).
	 */
	struct hxen_xen_vcpu *xen;

	struct hxen_tdp_cache tdp_cache;	/* (u) */

	/* (u) kvm-clock record (x86/kvmclock.c). */
	struct {
		u64 msr;		/* MSR_KVM_SYSTEM_TIME(_NEW): GPA | enable */
		u32 version;		/* last version published */
		u32 gen;		/* vm->kvmclock_gen published */
		bool dirty;		/* publish before the next entry */
		unsigned long next;	/* jiffies of the next refresh */
	} kvmclock;

	/* (u) steal time record (x86/steal_time.c). */
	struct {
		u64 msr;		/* MSR_KVM_STEAL_TIME: GPA | enable */
		u64 last;		/* sched_info.run_delay accounted */
		bool baseline;		/* take "last" at the next entry */
	} steal;

	/* (u) KVM PV EOI word (x86/irqchip/pv_eoi.c). */
	struct {
		u64 msr;		/* MSR_KVM_PV_EOI_EN: GPA | enable */
		unsigned long hva;	/* the word in the VMM, for mmu_seq "seq"; 0 if off */
		unsigned long seq;
		bool armed;		/* bit 0 set at the last entry */
	} pv_eoi;

	/*
	 * (u) The emulator's scratch view of the guest (x86/emulate/view.c),
	 * made once: an exit that emulates allocates nothing.
	 */
	struct guest_view *view;

	void *vendor;		/* (c) VMCB / VMCS and friends */
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

/* main.c */
extern struct hxen_info hxen_detected;
bool hxen_kvm_alias_active(void);

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

/* vcpu.c */
int hxen_create_vcpu(struct hxen_vm *vm, unsigned long id);
/* The vCPU's mmap'ed pages (vcpu_mmap.c): kvm_run, then port I/O data. */
#define HXEN_VCPU_MMAP_PAGES	2
int hxen_vcpu_pages_alloc(struct hxen_vcpu *vcpu);
void hxen_vcpu_pages_free(struct hxen_vcpu *vcpu);
int hxen_vcpu_mmap(struct file *filp, struct vm_area_struct *vma);
void hxen_vcpu_kick(struct hxen_vcpu *vcpu);
/*
 * Any context (hardirq too): make a blocked vCPU runnable or a running
 * one re-check events.
 */
void hxen_vcpu_wake(struct hxen_vcpu *vcpu);
/*
 * With a LAPIC, on the vCPU's thread: act on INIT/SIPI/NMI, then make
 * mp_state follow a Xen VCPUOP_up/down.
 */
void hxen_vcpu_accept_events(struct hxen_vcpu *vcpu);
/* KVM_RUN: 0 or a negative errno, the exit in vcpu->run. Under vcpu->mutex. */
int hxen_vcpu_run(struct hxen_vcpu *vcpu);
/* A PAUSE-loop exit: yield to a preempted vCPU of the VM; true if one ran. */
bool hxen_vcpu_on_spin(struct hxen_vcpu *vcpu);
void hxen_guest_debugregs_used(struct hxen_vcpu *vcpu);
/*
 * The guest executed HLT (RIP already past it): exit to userspace, or
 * with an in-kernel irqchip block until an interrupt is due.
 */
int hxen_handle_hlt(struct hxen_vcpu *vcpu);

/* vcpu_ioctl.c */
long hxen_vcpu_ioctl(struct file *filp, unsigned int ioctl, unsigned long arg);

#endif /* HXEN_H */
