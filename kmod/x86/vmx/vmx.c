// SPDX-License-Identifier: GPL-2.0
/*
 * Intel VMX backend: per-CPU VMXON/VMXOFF, where each VMCS is active,
 * guest state set-up and the run path around the world switch (entry.S).
 * Capabilities are read in caps.c, register state is state.c's, exits are
 * handled in exit.c.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/idr.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/user-return-notifier.h>
#include <asm/asm.h>
#include <asm/cpu_entry_area.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/hardirq.h>
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/sync_core.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "vmx.h"

static DEFINE_IDA(vmx_vpid_ida);

/* VMXON; a VMfail (CF or ZF set) or a fault (#GP, #UD) is an error. */
static int vmx_vmxon(u64 phys)
{
	asm goto("1: vmxon %0\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "m"(phys) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static void vmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
	return;
fault:
	pr_err_ratelimited("VMX: VMXOFF faulted on CPU %d\n", smp_processor_id());
}

/* VMREAD/VMWRITE failed (vmx.h): reported, never fatal. */
noinline void vmx_insn_failed(const char *insn, u64 arg)
{
	pr_err_ratelimited("VMX: %s %#llx failed on CPU %d\n", insn, arg,
			   raw_smp_processor_id());
}

static void vmx_vmclear(u64 pa)
{
	bool fail;

	asm volatile("1: vmclear %[pa]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "=@ccbe"(fail) : [pa] "m"(pa) : "memory");
	if (unlikely(fail))
		vmx_insn_failed("VMCLEAR", pa);
}

static void vmx_vmptrld(u64 pa)
{
	bool fail;

	asm volatile("1: vmptrld %[pa]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "=@ccbe"(fail) : [pa] "m"(pa) : "memory");
	if (unlikely(fail))
		vmx_insn_failed("VMPTRLD", pa);
}

/* INVEPT (SDM Vol. 3 30.3): drop translations derived from @eptp. */
static void vmx_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp;
		u64 reserved;
	} desc = { eptp, 0 };
	bool fail;

	asm volatile("1: invept %[desc], %[type]\n\t"
		     "2:\n\t"
		     _ASM_EXTABLE(1b, 2b)
		     : "=@ccbe"(fail) : [desc] "m"(desc), [type] "r"(type) : "memory");
	if (unlikely(fail))
		vmx_insn_failed("INVEPT", eptp);
}

/*
 * Per-CPU state. @loaded lists the VMCSs active on this CPU, so they can be
 * cleared (written back to memory and made launchable elsewhere) before
 * VMXOFF; @current_vmcs is the one VMPTRLD made current. Both change only on
 * this CPU with interrupts off.
 *
 * The SYSCALL MSRs matter to the host only in user mode, so a guest's
 * values stay loaded across exits and entries: a user-return notifier
 * puts the host's back before this CPU next returns to user mode, or
 * VMX going off here does (as KVM does; it saves four WRMSRs each way per
 * exit). @host_syscall is read at enable time (fixed once the CPU is up),
 * @cur_syscall is what the CPU holds; @urn_active says @urn is
 * registered. All of them change on this CPU with interrupts off.
 */
struct vmx_cpu {
	bool on;
	struct list_head loaded;
	struct vmx_vcpu *current_vmcs;
	struct vmx_syscall_msrs host_syscall;
	struct vmx_syscall_msrs cur_syscall;
	bool urn_active;
	struct user_return_notifier urn;
};

static DEFINE_PER_CPU(struct vmx_cpu, vmx_cpus);

/* Interrupts off: make this CPU's SYSCALL MSRs @want, writing only changes. */
static void vmx_write_syscall_msrs(struct vmx_syscall_msrs *cur,
				   const struct vmx_syscall_msrs *want)
{
	if (cur->star != want->star)
		wrmsrl(MSR_STAR, cur->star = want->star);
	if (cur->lstar != want->lstar)
		wrmsrl(MSR_LSTAR, cur->lstar = want->lstar);
	if (cur->cstar != want->cstar)
		wrmsrl(MSR_CSTAR, cur->cstar = want->cstar);
	if (cur->sfmask != want->sfmask)
		wrmsrl(MSR_SYSCALL_MASK, cur->sfmask = want->sfmask);
}

/* This CPU: the host's SYSCALL MSRs back where a guest's are loaded. */
static void vmx_restore_syscall_msrs(struct vmx_cpu *vc)
{
	unsigned long flags;

	local_irq_save(flags);
	vmx_write_syscall_msrs(&vc->cur_syscall, &vc->host_syscall);
	if (vc->urn_active) {
		/* Allowed from the notifier itself (the list walk is _safe). */
		user_return_notifier_unregister(&vc->urn);
		vc->urn_active = false;
	}
	local_irq_restore(flags);
}

static void vmx_on_user_return(struct user_return_notifier *urn)
{
	vmx_restore_syscall_msrs(container_of(urn, struct vmx_cpu, urn));
}

/* Interrupts off, before entry: the guest's SYSCALL MSRs into this CPU. */
static void vmx_load_syscall_msrs(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	vmx_write_syscall_msrs(&vc->cur_syscall, &vmx->syscall);
	if (!vc->urn_active &&
	    memcmp(&vc->cur_syscall, &vc->host_syscall, sizeof(vc->cur_syscall))) {
		vc->urn.on_user_return = vmx_on_user_return;
		user_return_notifier_register(&vc->urn);
		vc->urn_active = true;
	}
}

static int vmx_cpu_enable(struct page *area)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	u64 feat_ctl;
	int r;

	/*
	 * CR4.VMXE already set: another hypervisor (e.g. kvm_intel) is in VMX
	 * operation here. kvm_intel makes the same check against us.
	 */
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    !(feat_ctl & FEAT_CTL_LOCKED) ||
	    !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		return -EIO;

	/* The VMXON region starts with the VMCS revision (SDM Vol. 3 24.11.5). */
	*(u32 *)page_address(area) = vmx_revision;
	cr4_set_bits(X86_CR4_VMXE);
	r = vmx_vmxon(page_to_phys(area));
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		return r;
	}
	INIT_LIST_HEAD(&vc->loaded);
	vc->current_vmcs = NULL;
	rdmsrl(MSR_STAR, vc->host_syscall.star);
	rdmsrl(MSR_LSTAR, vc->host_syscall.lstar);
	rdmsrl(MSR_CSTAR, vc->host_syscall.cstar);
	rdmsrl(MSR_SYSCALL_MASK, vc->host_syscall.sfmask);
	vc->cur_syscall = vc->host_syscall;
	vc->urn_active = false;
	/*
	 * EPT translations may outlive VMXOFF and name tables whose pages
	 * now hold our roots (a previous hypervisor's, or our own earlier).
	 */
	if (vmx_cfg.usable && vmx_cfg.invept_global)
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
	vc->on = true;
	return 0;
}

/* On the owning CPU, interrupts off: write the VMCS back, make it inactive. */
static void vmx_clear_local(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);

	vmx_vmclear(vmx->vmcs_pa);
	if (vc->current_vmcs == vmx)
		vc->current_vmcs = NULL;
	list_del_init(&vmx->loaded_link);
	/* VMCLEAR leaves the launch state clear (SDM Vol. 3 24.11.3). */
	vmx->launched = false;
	/* Another CPU may VMPTRLD it once it sees this, after the VMCLEAR. */
	smp_store_release(&vmx->loaded_cpu, -1);
}

/*
 * VMX goes off on this CPU (last VM gone, CPU going offline, suspend,
 * reboot). The VMCSs active here must be cleared first, or their state
 * might never reach memory (SDM Vol. 3 24.11.1); their vCPUs load them
 * again wherever they run next.
 */
static void vmx_cpu_disable(void)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	struct vmx_vcpu *vmx, *tmp;

	if (vc->on) {
		vmx_restore_syscall_msrs(vc);
		list_for_each_entry_safe(vmx, tmp, &vc->loaded, loaded_link)
			vmx_clear_local(vmx);
	}
	vc->on = false;
	vmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
}

static void vmx_clear_ipi(void *arg)
{
	struct vmx_vcpu *vmx = arg;

	if (READ_ONCE(vmx->loaded_cpu) == smp_processor_id())
		vmx_clear_local(vmx);
}

/*
 * Make the VMCS inactive wherever it is active. Interrupts on. If its CPU
 * went offline the IPI fails, but then vmx_cpu_disable cleared it before
 * the CPU was gone.
 */
static void vmx_unload(struct vmx_vcpu *vmx)
{
	int cpu = smp_load_acquire(&vmx->loaded_cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_ipi, vmx, 1);
}

/*
 * Host state that depends on the CPU (SDM Vol. 3 24.5, 26.2.2-26.2.4):
 * Linux has per-CPU GDT, TSS and SYSENTER stack. Written whenever the VMCS
 * becomes active on a CPU.
 */
static void vmx_write_host_percpu(int cpu)
{
	struct desc_ptr gdt, idt;
	u64 v;

	native_store_gdt(&gdt);
	store_idt(&idt);
	vmcs_write(HOST_GDTR_BASE, gdt.address);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	vmcs_write(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_CR0, read_cr0());
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	vmcs_write(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	vmcs_write(HOST_IA32_SYSENTER_ESP, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	vmcs_write(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_EFER, v);
	vmcs_write(HOST_IA32_EFER, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	vmcs_write(HOST_IA32_PAT, v);
}

/*
 * Make the vCPU's VMCS current on this CPU (preemption off). It must not be
 * active on another CPU. Becoming active here also means translations for
 * its EPT root left on this CPU from an earlier time may be stale.
 */
static void vmx_make_current(struct vmx_vcpu *vmx)
{
	struct vmx_cpu *vc = this_cpu_ptr(&vmx_cpus);
	int cpu = smp_processor_id();
	unsigned long flags;

	local_irq_save(flags);
	if (vmx->loaded_cpu == cpu) {
		if (vc->current_vmcs != vmx) {
			vmx_vmptrld(vmx->vmcs_pa);
			vc->current_vmcs = vmx;
		}
		local_irq_restore(flags);
		return;
	}
	vmx_vmptrld(vmx->vmcs_pa);
	vc->current_vmcs = vmx;
	list_add(&vmx->loaded_link, &vc->loaded);
	vmx->loaded_cpu = cpu;
	local_irq_restore(flags);
	vmx_write_host_percpu(cpu);
	vmx->host_cr3 = vmx->host_cr4 = vmx->host_fs_base = vmx->host_gs_base = 0;
	vmx->need_flush = true;
}

/*
 * A debugger's TF in an STI or MOV SS shadow: entry needs BS pending then
 * (SDM Vol. 3 26.3.1.5), and must not have it once TF is gone. The step's
 * #DB comes at once after an STI, after the next instruction after a MOV
 * SS. Before entry, VMCS current.
 */
static void vmx_single_step_shadow(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool shadow = vmx->interruptibility & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	bool bs = shadow && (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) &&
		  (vmx->rflags & X86_EFLAGS_TF);

	if (bs == vmx->forced_bs)
		return;
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, bs ? DR_STEP : 0);
	vmx->forced_bs = bs;
}

/*
 * VMREAD/VMWRITE outside KVM_RUN (ioctls, exit handlers with preemption
 * on): make the VMCS current here, with preemption off until
 * vmx_access_end. If it was active on another CPU it is cleared there and
 * loaded here only for the access, then cleared again: the run loop may
 * then load it where it runs without an IPI (it runs with interrupts off).
 * Returns false if VMX is off on this CPU (reboot under way).
 */
bool vmx_access_begin(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	preempt_disable();
	if (!this_cpu_read(vmx_cpus.on)) {
		preempt_enable();
		return false;
	}
	vmx->temp_loaded = false;
	if (READ_ONCE(vmx->loaded_cpu) != smp_processor_id()) {
		vmx_unload(vmx);
		vmx->temp_loaded = true;
	}
	vmx_make_current(vmx);
	return true;
}

void vmx_access_end(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx->temp_loaded) {
		local_irq_disable();
		if (vmx->loaded_cpu == smp_processor_id())
			vmx_clear_local(vmx);
		local_irq_enable();
		vmx->temp_loaded = false;
	}
	preempt_enable();
}

/* Drop the guest's cached translations on this CPU before the next entry. */
static void vmx_flush_tlb(struct vmx_vcpu *vmx)
{
	/*
	 * With EPT on, guest translations are guest-physical or combined
	 * mappings, all tagged with the EPTP: single-context INVEPT drops
	 * them for every VPID and PCID (SDM Vol. 3 28.3.1, 28.3.3).
	 */
	if (vmx_cfg.invept_single)
		vmx_invept(VMX_EPT_EXTENT_CONTEXT, vmx->eptp);
	else
		vmx_invept(VMX_EPT_EXTENT_GLOBAL, 0);
}

/* Fields that never change after creation. VMCS current. */
static void __vmx_init_vmcs(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 proc2 = vmx_cfg.proc2;

	BUILD_BUG_ON(HOST_RSP != HXEN_VMCS_HOST_RSP);

	if (vmx->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, vmx->vpid);
	else
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_cfg.pin);
	vmx->proc_base = vmx_cfg.proc;
	vmx->proc_ctls = vmx_cfg.proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx->proc_ctls);
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_cfg.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_cfg.entry);
	/* Machine checks belong to the host. */
	vmcs_write(EXCEPTION_BITMAP, BIT(X86_TRAP_MC));
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	/* No shadow VMCS: the link pointer must be all ones (26.3.1.5). */
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(EPT_POINTER, vmx->eptp);
	vmcs_write(CR0_GUEST_HOST_MASK, ~(unsigned long)VMX_CR0_GUEST_OWNED);
	vmcs_write(CR4_GUEST_HOST_MASK, ~0UL);

	/*
	 * Host selectors must have RPL 0 and TI 0 (26.2.3); DS, ES, FS and GS
	 * come back as null and vmx_vcpu_run restores the task's own ones.
	 */
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	vmcs_write(HOST_RIP, (unsigned long)__hxen_vmx_exit);
	/*
	 * Loaded into the timer at every entry; exits leave the field alone
	 * (no "save VMX-preemption timer value" control, SDM Vol. 3 25.5.1).
	 */
	if (vmx_cfg.preempt_timer)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_cfg.preempt_value);
	if (proc2 & SECONDARY_EXEC_PAUSE_LOOP_EXITING) {
		vmcs_write(PLE_GAP, VMX_PLE_GAP);
		vmx->ple_window = vmx->vmcs_ple_window = VMX_PLE_WINDOW;
		vmcs_write(PLE_WINDOW, vmx->ple_window);
	}
	vmx->vmcs_synced = false;
}

static int vmx_vm_init(struct hxen_vm *vm)
{
	/* Nothing per VM: the EPT root is common, the rest is per vCPU. */
	return 0;
}

static void vmx_vm_destroy(struct hxen_vm *vm)
{
}

static int vmx_vcpu_create(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx;
	struct page *page;
	int vpid;

	if (!vmx_cfg.usable) {
		pr_info_once("VMX: this CPU lacks EPT with INVEPT, unrestricted guest or the EFER/PAT load controls; vCPUs cannot run\n");
		return -EOPNOTSUPP;
	}
	vmx = kzalloc(sizeof(*vmx), GFP_KERNEL_ACCOUNT);
	if (!vmx)
		return -ENOMEM;
	page = hxen_alloc_page();
	if (!page) {
		kfree(vmx);
		return -ENOMEM;
	}
	vmx->vcpu = vcpu;
	vmx->vmcs = page_address(page);
	vmx->vmcs_pa = page_to_phys(page);
	/* Revision identifier first; bit 31 clear: not a shadow VMCS (24.2). */
	*(u32 *)vmx->vmcs = vmx_revision;
	vmx->loaded_cpu = -1;
	INIT_LIST_HEAD(&vmx->loaded_link);
	/* Write-back paging structures, 4-level walk, no A/D bits (24.6.11). */
	vmx->eptp = hxen_tdp_root_pa(vcpu->vm) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	/* VPIDs tag this vCPU's translations; without one, each entry flushes. */
	if (vmx_cfg.vpid) {
		vpid = ida_alloc_range(&vmx_vpid_ida, 1, VMX_NR_VPIDS - 1, GFP_KERNEL);
		if (vpid > 0)
			vmx->vpid = vpid;
	}
	vcpu->vendor = vmx;

	/*
	 * A new VMCS region is VMCLEARed before its first VMPTRLD, which puts
	 * it in a known launch state (SDM Vol. 3 24.11.3).
	 */
	preempt_disable();
	if (this_cpu_read(vmx_cpus.on))
		vmx_vmclear(vmx->vmcs_pa);
	preempt_enable();
	if (!vmx_access_begin(vcpu)) {
		vcpu->vendor = NULL;
		if (vmx->vpid)
			ida_free(&vmx_vpid_ida, vmx->vpid);
		hxen_free_page(page);
		kfree(vmx);
		return -EIO;
	}
	__vmx_init_vmcs(vcpu);
	__vmx_reset(vcpu);
	vmx_access_end(vcpu);
	return 0;
}

static void vmx_vcpu_free(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx_unload(vmx);
	if (vmx->vpid)
		ida_free(&vmx_vpid_ida, vmx->vpid);
	hxen_free_page(virt_to_page(vmx->vmcs));
	kfree(vmx);
	vcpu->vendor = NULL;
}

/* The vCPU runs on @cpu (this CPU) now: move its VMCS here. */
static void vmx_vcpu_load(struct hxen_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!this_cpu_read(vmx_cpus.on))
		return;
	if (READ_ONCE(vmx->loaded_cpu) != cpu)
		vmx_unload(vmx);
	vmx_make_current(vmx);
}

static void vmx_vcpu_put(struct hxen_vcpu *vcpu)
{
}

/*
 * Host state a VM exit does not restore (SDM Vol. 3 27.5): the task's
 * data segment selectors, FS selector and base, GS selector, LDTR, the
 * user GS base (IA32_KERNEL_GS_BASE) and the SYSCALL MSRs, which hold the
 * guest's values while it runs; debug state; GDT and TSS limits.
 */
struct vmx_host_state {
	u16 ds, es, fs, gs, ldt;
	unsigned long fs_base, kernel_gs_base;
	unsigned long debugctl;
};

static void vmx_switch_to_guest(struct vmx_vcpu *vmx, struct vmx_host_state *h)
{
	unsigned long v;

	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	store_ldt(h->ldt);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	/* VM exits clear IA32_DEBUGCTL (27.5.1). */
	h->debugctl = get_debugctlmsr();

	/* Task-dependent host state: written when it changed. */
	v = __read_cr3();
	if (v != vmx->host_cr3)
		vmcs_write(HOST_CR3, vmx->host_cr3 = v);
	v = cr4_read_shadow();
	if (v != vmx->host_cr4)
		vmcs_write(HOST_CR4, vmx->host_cr4 = v);
	if (h->fs_base != vmx->host_fs_base)
		vmcs_write(HOST_FS_BASE, vmx->host_fs_base = h->fs_base);
	rdmsrl(MSR_GS_BASE, v);
	if (v != vmx->host_gs_base)
		vmcs_write(HOST_GS_BASE, vmx->host_gs_base = v);

	/*
	 * Not in the VMCS: the guest's own values go into the MSRs. The host
	 * uses KERNEL_GS_BASE on a context switch (put back after every
	 * exit), the SYSCALL MSRs only in user mode (vmx_load_syscall_msrs).
	 */
	wrmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	vmx_load_syscall_msrs(vmx);
}

static void vmx_switch_to_host(struct vmx_vcpu *vmx, struct vmx_host_state *h)
{
	rdmsrl(MSR_KERNEL_GS_BASE, vmx->kernel_gs_base);
	/*
	 * The exit set the GDT limit to 0xffff and the TR limit to 0x67
	 * (27.5.2), which hides the I/O bitmap from tasks using ioperm().
	 */
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	if (h->ldt)
		asm volatile("lldt %0" : : "rm"(h->ldt));
	if (h->gs)
		load_gs_index(h->gs);
	if (h->fs) {
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	/* After load_gs_index, which loads the user GS base from the GDT/LDT. */
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	if (h->debugctl)
		update_debugctlmsr(h->debugctl);
	/* DR7 (0x400 after the exit) is the run loop's to restore. */
}

/*
 * The exit's fields, read while the VMCS is current. Only those the
 * exit's handler uses (SDM Vol. 3 27.2 says which are valid for which
 * exit): every VMREAD costs, most of all under nested VMX. The others
 * read as 0, never as a stale value of an earlier exit.
 */
static void vmx_read_exit(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_exit_info *e = &vmx->exit;

	*e = (struct vmx_exit_info){
		.reason = vmcs_read(VM_EXIT_REASON),
		.vectoring = vmcs_read(IDT_VECTORING_INFO_FIELD),
	};
	switch (e->reason & 0xffff) {
	case EXIT_REASON_EXCEPTION_NMI:
		e->intr_info = vmcs_read(VM_EXIT_INTR_INFO);
		if (e->intr_info & INTR_INFO_DELIVER_CODE_MASK)
			e->intr_error = vmcs_read(VM_EXIT_INTR_ERROR_CODE);
		e->qual = vmcs_read(EXIT_QUALIFICATION);
		/* INT3/INTO: the length, to return past it (guest_debug.c). */
		if ((e->intr_info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_SOFT_EXCEPTION)
			e->instr_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		break;
	case EXIT_REASON_EPT_VIOLATION:
		e->qual = vmcs_read(EXIT_QUALIFICATION);
		fallthrough;
	case EXIT_REASON_EPT_MISCONFIG:
		e->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		break;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
	case EXIT_REASON_TRIPLE_FAULT:
	case EXIT_REASON_INTERRUPT_WINDOW:
	case EXIT_REASON_NMI_WINDOW:
	case EXIT_REASON_PREEMPTION_TIMER:
		break;
	case EXIT_REASON_IO_INSTRUCTION:
		e->instr_info = vmcs_read(VMX_INSTRUCTION_INFO);
		fallthrough;
	case EXIT_REASON_CR_ACCESS:
	case EXIT_REASON_DR_ACCESS:
	case EXIT_REASON_INVLPG:
		e->qual = vmcs_read(EXIT_QUALIFICATION);
		fallthrough;
	default:
		/* Instruction exits: vmx_skip_instruction needs the length. */
		e->instr_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
		break;
	}
	if (e->vectoring & VECTORING_INFO_VALID_MASK) {
		e->vectoring_error = vmcs_read(IDT_VECTORING_ERROR_CODE);
		e->instr_len = vmcs_read(VM_EXIT_INSTRUCTION_LEN);
	}

	vmx->rip = vmcs_read(GUEST_RIP);
	vcpu->regs[VCPU_RSP] = vmx->vmcs_rsp = vmcs_read(GUEST_RSP);
	vmx->rflags = vmx->vmcs_rflags = vmcs_read(GUEST_RFLAGS);
	vmx->interruptibility = vmx->vmcs_intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);
	/* The exit cleared the valid bit of the entry's event (27.2.4). */
	vmx->entry_intr_set = false;
	vmx->cr0 = (vmx->cr0 & ~(u64)VMX_CR0_GUEST_OWNED) |
		   (vmcs_read(GUEST_CR0) & VMX_CR0_GUEST_OWNED);
}

/*
 * An exit during event delivery (IDT-vectoring information valid, SDM Vol.
 * 3 27.2.4): deliver the event again at the next entry (31.7.1.1). Software
 * interrupts and exceptions need the instruction length to push the right
 * return address.
 */
static void vmx_requeue_event(struct vmx_vcpu *vmx)
{
	u32 v = vmx->exit.vectoring, type = v & VECTORING_INFO_TYPE_MASK;

	if (!(v & VECTORING_INFO_VALID_MASK))
		return;
	vmx->inject.info = v & (VECTORING_INFO_VALID_MASK | VECTORING_INFO_TYPE_MASK |
				VECTORING_INFO_DELIVER_CODE_MASK |
				VECTORING_INFO_VECTOR_MASK);
	vmx->inject.error = vmx->exit.vectoring_error;
	vmx->inject.len = 0;
	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		vmx->inject.len = vmx->exit.instr_len;
	/*
	 * An exit while delivering an NMI leaves virtual-NMI blocking set
	 * (27.1), but injecting an NMI requires it clear (26.3.1.5); the
	 * injection sets it again.
	 */
	if (type == INTR_TYPE_NMI_INTR)
		vmx->interruptibility &= ~GUEST_INTR_STATE_NMI;
}

/*
 * PAUSE-loop exiting (SDM Vol. 3 25.1.3): a loop of PAUSEs at most
 * VMX_PLE_GAP cycles apart that lasts more than the window exits. Each
 * exit doubles the window, so a guest that spins while nobody is preempted
 * (nothing to yield to) soon stops paying for exits; once this thread has
 * been off its CPU (a yield, a preemption) it is back at the start, as
 * KVM shrinks its window when the vCPU is scheduled in.
 */
static void vmx_ple_window_update(struct vmx_vcpu *vmx)
{
	unsigned long switches = current->nvcsw + current->nivcsw;

	if (switches != vmx->ple_switches) {
		vmx->ple_switches = switches;
		vmx->ple_window = VMX_PLE_WINDOW;
	}
	if (vmx->ple_window != vmx->vmcs_ple_window)
		vmcs_write(PLE_WINDOW, vmx->vmcs_ple_window = vmx->ple_window);
}

static int vmx_vcpu_run(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	struct vmx_host_state host;
	u64 host_xcr0 = 0;
	int cpu = smp_processor_id();
	int loaded, fail;
	u32 proc;

	/* VMX was turned off here (reboot under way): nothing can run. */
	if (!this_cpu_read(vmx_cpus.on))
		return -EIO;
	/*
	 * Common code loads the vCPU on a CPU change; an access outside the
	 * loop leaves it inactive. Active elsewhere would be a bug, and with
	 * interrupts off it cannot be fetched by IPI.
	 */
	loaded = READ_ONCE(vmx->loaded_cpu);
	if (loaded >= 0 && loaded != cpu) {
		pr_err_ratelimited("VMX: vCPU %d's VMCS is active on CPU %d, not %d\n",
				   vcpu->id, loaded, cpu);
		return -EIO;
	}
	vmx_make_current(vmx);

	if (test_and_clear_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests) || vmx->need_flush) {
		vmx_flush_tlb(vmx);
		vmx->need_flush = false;
	}

	/*
	 * Window exits (SDM Vol. 3 25.2): common code asked for an exit once
	 * the guest takes interrupts, or could not inject a queued NMI
	 * because the guest still blocks NMIs.
	 */
	proc = vmx->proc_base;
	if (vmx->irq_window)
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	if (vcpu->nmi_pending)
		proc |= CPU_BASED_NMI_WINDOW_EXITING;
	if (proc != vmx->proc_ctls) {
		vmx->proc_ctls = proc;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	}

	/* Each VMWRITE costs (most of all nested): only what changed. */
	if (vmx->ple_window)
		vmx_ple_window_update(vmx);
	vmcs_write(GUEST_RIP, vmx->rip);
	if (!vmx->vmcs_synced || vcpu->regs[VCPU_RSP] != vmx->vmcs_rsp)
		vmcs_write(GUEST_RSP, vmx->vmcs_rsp = vcpu->regs[VCPU_RSP]);
	if (!vmx->vmcs_synced || vmx->rflags != vmx->vmcs_rflags)
		vmcs_write(GUEST_RFLAGS, vmx->vmcs_rflags = vmx->rflags);
	/* STI blocking with IF clear (userspace cleared IF) fails entry (26.3.1.5). */
	if (!(vmx->rflags & X86_EFLAGS_IF))
		vmx->interruptibility &= ~GUEST_INTR_STATE_STI;
	if (!vmx->vmcs_synced || vmx->interruptibility != vmx->vmcs_intr)
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO, vmx->vmcs_intr = vmx->interruptibility);
	if (unlikely(vcpu->guest_debug || vmx->forced_bs))
		vmx_single_step_shadow(vcpu);
	if (vmx->inject.info)
		vmx->inject.info = vmx_fix_error_code(vmx, vmx->inject.info);
	/*
	 * Every VM exit clears the valid bit (SDM Vol. 3 27.2.4): "nothing"
	 * needs a write only after an entry that did not happen. The error
	 * code counts only with the deliver bit, the instruction length
	 * only for software interrupts and exceptions (26.6.1.1, 26.6.1.3).
	 */
	if (!vmx->vmcs_synced || vmx->inject.info || vmx->entry_intr_set)
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, vmx->inject.info);
	vmx->entry_intr_set = vmx->inject.info & INTR_INFO_VALID_MASK;
	if (vmx->inject.info & INTR_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmx->inject.error);
	if (vmx->inject.info && vmx->inject.len)
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmx->inject.len);
	vmx->vmcs_synced = true;

	vmx_switch_to_guest(vmx, &host);
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
		if (vcpu->xcr0 != host_xcr0 && (vmx->cr4 & X86_CR4_OSXSAVE))
			xsetbv(XCR_XFEATURE_ENABLED_MASK, vcpu->xcr0);
	}
	hxen_pkru_load_guest(vcpu, vmx->cr4);
	/* CR2 and DR6 are not in the VMCS (SDM Vol. 3 24.4.1). */
	if (native_read_cr2() != vmx->cr2)
		native_write_cr2(vmx->cr2);
	if (vcpu->db_active)
		set_debugreg(vmx->dr6, 6);
	if (vmx_l1d_flush_needed)
		vmx_l1d_flush(vcpu);

	fail = __hxen_vmx_enter(vcpu->regs, vmx->launched);

	vmx->cr2 = native_read_cr2();
	if (vcpu->db_active) {
		/* The host's #DB handler must not see the guest's status bits. */
		get_debugreg(vmx->dr6, 6);
		if (vmx->dr6 != DR6_RESERVED)
			set_debugreg(DR6_RESERVED, 6);
	}
	hxen_pkru_load_host(vcpu);
	if (host_xcr0 && xgetbv(XCR_XFEATURE_ENABLED_MASK) != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	vmx_switch_to_host(vmx, &host);

	if (fail) {
		/* The guest never ran; the VM-instruction error says why. */
		vmx->exit.vmfail = true;
		vmx->exit.instr_error = vmcs_read(VM_INSTRUCTION_ERROR);
		return HXEN_RESUME;
	}
	vmx->launched = true;
	vmx_read_exit(vcpu);
	if (vmx_l1d_flush_needed)
		vmx_l1d_note_exit(vcpu, vmx->exit.reason & 0xffff);

	if (vmx->exit.reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		vmx->vmcs_synced = false;
		/*
		 * Entry failed while loading guest state (SDM Vol. 3 26.8): the
		 * VMCS never became launched. VMCLEAR + VMPTRLD makes the
		 * launch state clear for sure, so the next try is a VMLAUNCH.
		 */
		vmx_vmclear(vmx->vmcs_pa);
		vmx_vmptrld(vmx->vmcs_pa);
		vmx->launched = false;
		return HXEN_RESUME;
	}
	vmx->inject.info = 0;
	vmx_requeue_event(vmx);

	/*
	 * An NMI caused the exit: NMIs stay blocked until the next IRET (SDM
	 * Vol. 3 27.1) and the host must see this one. INT 2 runs
	 * the host's NMI handler now, on its IST stack as for a real NMI, and
	 * its IRET ends the blocking. (A self-NMI through the APIC would
	 * stay pending until some unrelated IRET, delaying perf and the
	 * watchdog by an unbounded time.)
	 */
	if ((vmx->exit.reason & 0xffff) == EXIT_REASON_EXCEPTION_NMI &&
	    (vmx->exit.intr_info & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK)) ==
		    (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR))
		asm volatile("int $2" ::: "memory");
	return HXEN_RESUME;
}

/*
 * EPT entries (SDM Vol. 3 28.2.2): no present bit, an entry is present when
 * any of read/write/execute is set. Leaves are write-back with "ignore
 * PAT", so guest RAM is never accessed with another memory type than the
 * host's own write-back mapping of the same pages (KVM does the same for
 * VMs without non-coherent DMA); guest CR0.CD is hidden for that reason.
 */
static const struct hxen_tdp_format vmx_tdp_format = {
	.table = VMX_EPT_RWX_MASK,
	.leaf_read = VMX_EPT_READABLE_MASK | VMX_EPT_EXECUTABLE_MASK |
		     (VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT) | VMX_EPT_IPAT_BIT,
	.leaf_write = VMX_EPT_WRITABLE_MASK,
	.present_mask = VMX_EPT_RWX_MASK,
};

const struct hxen_vendor_ops vmx_vendor_ops = {
	.name = "VMX",
	.cpu_area_order = 0,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.tdp_format = &vmx_tdp_format,
	.vm_init = vmx_vm_init,
	.vm_destroy = vmx_vm_destroy,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_free = vmx_vcpu_free,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_put = vmx_vcpu_put,
	.vcpu_run = vmx_vcpu_run,
	.handle_exit = vmx_handle_exit,
	.interrupt_allowed = vmx_interrupt_allowed,
	.nmi_allowed = vmx_nmi_allowed,
	.inject_irq = vmx_inject_irq,
	.inject_nmi = vmx_inject_nmi,
	.enable_irq_window = vmx_enable_irq_window,
	.inject_exception = vmx_inject_exception,
	.set_cr2 = vmx_set_cr2,
	.get_events = vmx_get_events,
	.set_events = vmx_set_events,
	.get_msr = vmx_get_msr,
	.set_msr = vmx_set_msr,
	.get_rflags = vmx_get_rflags,
	.get_cr8 = vmx_get_cr8,
	.set_cr8 = vmx_set_cr8,
	.get_regs = vmx_get_regs,
	.set_regs = vmx_set_regs,
	.get_sregs = vmx_get_sregs,
	.mcg_cap_mask = ~0ULL,
	.get_dr67 = vmx_get_dr67,
	.set_dr67 = vmx_set_dr67,
	.update_debug_intercepts = vmx_update_debug_intercepts,
	.activate_debugregs = vmx_activate_debugregs,
	.get_cpu_mode = vmx_get_cpu_mode,
	.get_tsc_offset = vmx_get_tsc_offset,
	.set_sregs = vmx_set_sregs,
	.cr4_valid = vmx_cr4_valid_bits,
};
