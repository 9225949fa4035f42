// SPDX-License-Identifier: GPL-2.0
/*
 * VMX guest state: control registers and EFER as the guest sees them
 * (with the VMCS's fixed bits and read shadows), PAE PDPTEs, segments,
 * the power-on state, event injection and the KVM_GET/SET_REGS, SREGS and
 * VCPU_EVENTS views. vmx.c owns the VMCS life cycle and the world switch.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/irq_vectors.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>

#include "vmx.h"
#include "../emulate/walk.h"

static u64 vmx_hw_cr0(u64 cr0)
{
	/*
	 * Unrestricted guest exempts PE and PG from IA32_VMX_CR0_FIXED0 (SDM
	 * Vol. 3 26.3.1.1); NE stays forced and is hidden by the read shadow.
	 * CD and NW are kept clear, as KVM does: EPT maps guest RAM write-back
	 * and ignores the guest's memory types anyway (see vmx_tdp_format).
	 */
	u64 must1 = vmx_cfg.cr0_fixed0 & ~(u64)(X86_CR0_PE | X86_CR0_PG);

	return ((cr0 & ~(u64)(X86_CR0_CD | X86_CR0_NW)) | must1) & vmx_cfg.cr0_fixed1;
}

static u64 vmx_hw_cr4(u64 cr4)
{
	return cr4 | vmx_cfg.cr4_fixed0;
}

/*
 * CR4 bits a guest may set: those of SVM's list the CPU allows in VMX.
 * PKE only where the host has OSPKE (PKRU is switched then, x86/fpu.c);
 * never LA57 (the page walker knows 4 levels) nor CET. The guest's CPUID
 * gates some further (hxen_guest_cr4_ok).
 */
u64 vmx_cr4_valid_bits(void)
{
	u64 valid = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		    X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		    X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
		    X86_CR4_FSGSBASE | X86_CR4_OSXSAVE | X86_CR4_SMEP |
		    X86_CR4_SMAP | X86_CR4_UMIP | X86_CR4_PCIDE;

	if (boot_cpu_has(X86_FEATURE_OSPKE))
		valid |= X86_CR4_PKE;
	return valid & vmx_cfg.cr4_fixed1 & ~(u64)X86_CR4_VMXE;
}

/* VMCS current: EFER and the entry control that must agree with its LMA. */
static void __vmx_write_efer(struct vmx_vcpu *vmx, u64 efer)
{
	vmx->efer = efer;
	vmcs_write(GUEST_IA32_EFER, efer);
	/* SDM Vol. 3 26.3.1.1: "IA-32e mode guest" must equal EFER.LMA. */
	if (efer & EFER_LMA)
		vmx->entry_ctls |= VM_ENTRY_IA32E_MODE;
	else
		vmx->entry_ctls &= ~VM_ENTRY_IA32E_MODE;
	vmcs_write(VM_ENTRY_CONTROLS, vmx->entry_ctls);
}

void vmx_write_efer(struct hxen_vcpu *vcpu, u64 efer)
{
	__vmx_write_efer(to_vmx(vcpu), efer);
}

/* Guest memory for the kernel's own reads (PDPTEs); process context. */
static int vmx_read_guest(struct hxen_vcpu *vcpu, u64 gpa, void *buf, size_t len)
{
	struct hxen_vm *vm = vcpu->vm;
	struct hxen_memslot *s;
	unsigned long hva = 0;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return -EFAULT;
	spin_lock(&vm->mmu_lock);
	s = hxen_gfn_to_slot(vm, gpa >> PAGE_SHIFT);
	if (s)
		hva = s->userspace_addr + (gpa - (s->base_gfn << PAGE_SHIFT));
	spin_unlock(&vm->mmu_lock);
	if (!s)
		return -EFAULT;
	return copy_from_user(buf, (void __user *)hva, len) ? -EFAULT : 0;
}

/*
 * PAE paging (CR0.PG, CR4.PAE, not long mode) with EPT takes the four
 * PDPTEs from the VMCS, not from memory, at VM entry (SDM Vol. 3 26.3.2.4).
 * The CPU reloads them itself on a guest MOV to CR3, but a change of
 * CR0/CR4 that we emulate must read them, as MOV to CR0/CR4 would (SDM
 * Vol. 3 4.4.1): reserved bits in a present entry make that MOV #GP.
 */
static int vmx_read_pdptrs(struct hxen_vcpu *vcpu, u64 cr3, u64 pdpte[4])
{
	u64 rsvd = GENMASK_ULL(63, boot_cpu_data.x86_phys_bits) | 0x1e6;
	int i;

	if (vmx_read_guest(vcpu, cr3 & 0xffffffe0ULL, pdpte, 4 * sizeof(u64)))
		return -EINVAL;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & _PAGE_PRESENT) && (pdpte[i] & rsvd))
			return -EINVAL;
	return 0;
}

static void __vmx_write_pdptrs(const u64 pdpte[4])
{
	vmcs_write(GUEST_PDPTR0, pdpte[0]);
	vmcs_write(GUEST_PDPTR1, pdpte[1]);
	vmcs_write(GUEST_PDPTR2, pdpte[2]);
	vmcs_write(GUEST_PDPTR3, pdpte[3]);
}

static bool vmx_pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/*
 * The guest's MOV to CR0 (or LMSW, CLTS) changing a host-owned bit. Returns
 * -EINVAL where the instruction raises #GP (SDM Vol. 2 MOV CR, Vol. 3
 * 9.8.5 for entering and leaving IA-32e mode).
 */
int vmx_set_cr0(struct hxen_vcpu *vcpu, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 old = vmx->cr0, efer = vmx->efer, pdpte[4], cr3;
	bool cs_l, pae;

	/* ET is hardwired to 1 on every CPU with VMX. */
	val |= X86_CR0_ET;
	if ((val >> 32) || ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(val & X86_CR0_PE)))
		return -EINVAL;
	if (!vmx_access_begin(vcpu))
		return -EIO;
	cs_l = vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK;
	cr3 = vmcs_read(GUEST_CR3);
	vmx_access_end(vcpu);

	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME)) {
		/* Activating IA-32e mode: needs PAE, and not from 64-bit code. */
		if (!(vmx->cr4 & X86_CR4_PAE) || cs_l)
			return -EINVAL;
		efer |= EFER_LMA;
	} else if (!(val & X86_CR0_PG) && (efer & EFER_LMA)) {
		/* Leaving it is allowed from compatibility mode only. */
		if (cs_l)
			return -EINVAL;
		efer &= ~EFER_LMA;
	}
	pae = vmx_pae_paging(val, vmx->cr4, efer) && !vmx_pae_paging(old, vmx->cr4, efer);
	if (pae && vmx_read_pdptrs(vcpu, cr3, pdpte))
		return -EINVAL;

	if (!vmx_access_begin(vcpu))
		return -EIO;
	vmcs_write(GUEST_CR0, vmx_hw_cr0(val));
	vmcs_write(CR0_READ_SHADOW, val);
	if (efer != vmx->efer)
		__vmx_write_efer(vmx, efer);
	if (pae)
		__vmx_write_pdptrs(pdpte);
	vmx_access_end(vcpu);
	vmx->cr0 = val;
	/* The CPU flushes on these changes; our VMWRITE did not. */
	if ((old ^ val) & (X86_CR0_PG | X86_CR0_PE | X86_CR0_WP | X86_CR0_CD))
		set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

/*
 * The guest's MOV to CR3, on CPUs that force CR3-load exiting (no TRUE
 * controls): in PAE paging the PDPTEs load with it (SDM Vol. 3 4.4.1).
 */
int vmx_set_cr3(struct hxen_vcpu *vcpu, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool pae = vmx_pae_paging(vmx->cr0, vmx->cr4, vmx->efer);
	u64 pdpte[4];

	/* With CR4.PCIDE, bit 63 asks not to flush; it is not part of CR3. */
	if (vmx->cr4 & X86_CR4_PCIDE)
		val &= ~BIT_ULL(63);
	if (pae && vmx_read_pdptrs(vcpu, val, pdpte))
		return -EINVAL;
	if (!vmx_access_begin(vcpu))
		return -EIO;
	vmcs_write(GUEST_CR3, val);
	if (pae)
		__vmx_write_pdptrs(pdpte);
	vmx_access_end(vcpu);
	set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

/* The guest's MOV to CR4: every bit exits. -EINVAL where it raises #GP. */
int vmx_set_cr4(struct hxen_vcpu *vcpu, u64 val)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 old = vmx->cr4, pdpte[4], cr3 = 0;
	u64 pdptr_bits = X86_CR4_PGE | X86_CR4_PSE | X86_CR4_PAE | X86_CR4_SMEP;
	bool pae;

	if ((val & ~vmx_cr4_valid_bits()) || !hxen_guest_cr4_ok(vcpu, val))
		return -EINVAL;
	if ((vmx->efer & EFER_LMA) && !(val & X86_CR4_PAE))
		return -EINVAL;
	/* SDM MOV to CR4: PCIDE 0 -> 1 only in IA-32e mode with CR3[11:0] = 0. */
	if ((val & ~old & X86_CR4_PCIDE) && !(vmx->efer & EFER_LMA))
		return -EINVAL;
	if (val & ~old & X86_CR4_PCIDE) {
		if (!vmx_access_begin(vcpu))
			return -EIO;
		cr3 = vmcs_read(GUEST_CR3);
		vmx_access_end(vcpu);
		if (cr3 & 0xfff)
			return -EINVAL;
	}
	pae = vmx_pae_paging(vmx->cr0, val, vmx->efer) && ((old ^ val) & pdptr_bits);
	if (pae) {
		if (!vmx_access_begin(vcpu))
			return -EIO;
		cr3 = vmcs_read(GUEST_CR3);
		vmx_access_end(vcpu);
		if (vmx_read_pdptrs(vcpu, cr3, pdpte))
			return -EINVAL;
	}
	if (!vmx_access_begin(vcpu))
		return -EIO;
	vmcs_write(GUEST_CR4, vmx_hw_cr4(val));
	vmcs_write(CR4_READ_SHADOW, val);
	if (pae)
		__vmx_write_pdptrs(pdpte);
	vmx_access_end(vcpu);
	vmx->cr4 = val;
	if (old != val)
		set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

/* WRMSR to EFER. -EINVAL where it raises #GP. */
int vmx_set_efer(struct hxen_vcpu *vcpu, u64 efer)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (!hxen_guest_efer_valid(vcpu, efer))
		return -EINVAL;
	/* LME may not change while paging is on; LMA is read-only. */
	if ((vmx->cr0 & X86_CR0_PG) && ((efer ^ vmx->efer) & EFER_LME))
		return -EINVAL;
	efer = (efer & ~EFER_LMA) | (vmx->efer & EFER_LMA);
	if (!vmx_access_begin(vcpu))
		return -EIO;
	__vmx_write_efer(vmx, efer);
	vmx_access_end(vcpu);
	return 0;
}

bool vmx_ins_outs_info(void)
{
	return vmx_cfg.ins_outs_info;
}

bool vmx_is_64bit(struct hxen_vcpu *vcpu)
{
	bool l = false;

	if (!(to_vmx(vcpu)->efer & EFER_LMA))
		return false;
	if (vmx_access_begin(vcpu)) {
		l = vmcs_read(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK;
		vmx_access_end(vcpu);
	}
	return l;
}

void vmx_skip_instruction(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->rip += vmx->exit.instr_len;
	if (!(vmx->efer & EFER_LMA))
		vmx->rip = (u32)vmx->rip;
	/* The instruction completed: STI / MOV SS blocking ends with it. */
	vmx->interruptibility &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
	hxen_instruction_done(vcpu, vmx->rflags);
}

/* #MC always (the host's); #DB and #BP for a debugger (guest_debug.c). */
void vmx_update_debug_intercepts(struct hxen_vcpu *vcpu)
{
	u32 bitmap = BIT(X86_TRAP_MC);

	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP)
		bitmap |= BIT(X86_TRAP_DB);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP)
		bitmap |= BIT(X86_TRAP_BP);
	if (vmx_access_begin(vcpu)) {
		vmcs_write(EXCEPTION_BITMAP, bitmap);
		vmx_access_end(vcpu);
	}
}

/*
 * VM entry insists that a hardware exception comes with an error code
 * exactly when it pushes one, and never in real mode (SDM Vol. 3
 * 26.2.1.3). Decided at entry: userspace may have changed CR0.PE since the
 * event was queued, and KVM_SET_VCPU_EVENTS input may say otherwise.
 */
u32 vmx_fix_error_code(struct vmx_vcpu *vmx, u32 info)
{
	u8 vector = info & INTR_INFO_VECTOR_MASK;

	if ((info & INTR_INFO_INTR_TYPE_MASK) != INTR_TYPE_HARD_EXCEPTION)
		return info;
	info &= ~INTR_INFO_DELIVER_CODE_MASK;
	if ((vmx->cr0 & X86_CR0_PE) &&
	    (vector == X86_TRAP_DF || (vector >= X86_TRAP_TS && vector <= X86_TRAP_PF) ||
	     vector == X86_TRAP_AC))
		info |= INTR_INFO_DELIVER_CODE_MASK;
	return info;
}

void vmx_inject_exception(struct hxen_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	/* Whether the error code is delivered: vmx_fix_error_code. */
	vmx->inject.info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK |
			   (has_error ? INTR_INFO_DELIVER_CODE_MASK : 0);
	/* Its bits 31:16 must be clear (26.2.1.3); no exception sets them. */
	vmx->inject.error = error & 0xffff;
	vmx->inject.len = 0;
}

/* Access rights of a segment in the VMCS format (SDM Vol. 3 24.4.1). */
#define VMX_AR_CODE_RX_ACCESSED	0x9b	/* P, S, type 11 */
#define VMX_AR_DATA_RW_ACCESSED	0x93	/* P, S, type 3 */
#define VMX_AR_LDT		0x82	/* P, type 2 */
#define VMX_AR_TSS_BUSY		0x8b	/* P, type 11 */

struct vmx_seg_fields {
	u32 selector, base, limit, ar;
};

#define VMX_SEG(s) { GUEST_##s##_SELECTOR, GUEST_##s##_BASE, \
		     GUEST_##s##_LIMIT, GUEST_##s##_AR_BYTES }

static const struct vmx_seg_fields vmx_seg_es = VMX_SEG(ES), vmx_seg_cs = VMX_SEG(CS),
	vmx_seg_ss = VMX_SEG(SS), vmx_seg_ds = VMX_SEG(DS), vmx_seg_fs = VMX_SEG(FS),
	vmx_seg_gs = VMX_SEG(GS), vmx_seg_ldtr = VMX_SEG(LDTR), vmx_seg_tr = VMX_SEG(TR);

static void __vmx_write_seg(const struct vmx_seg_fields *f, u16 sel, u64 base,
			    u32 limit, u32 ar)
{
	vmcs_write(f->selector, sel);
	vmcs_write(f->base, base);
	vmcs_write(f->limit, limit);
	vmcs_write(f->ar, ar);
}

/*
 * Power-on state (SDM Vol. 3 Table 9-1), as KVM sets it up: real mode at
 * F000:FFF0 with CS base FFFF0000, caches disabled. VMCS current.
 */
void __vmx_reset(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	static const u64 zero[4];

	__vmx_write_seg(&vmx_seg_cs, 0xf000, 0xffff0000, 0xffff, VMX_AR_CODE_RX_ACCESSED);
	__vmx_write_seg(&vmx_seg_ds, 0, 0, 0xffff, VMX_AR_DATA_RW_ACCESSED);
	__vmx_write_seg(&vmx_seg_es, 0, 0, 0xffff, VMX_AR_DATA_RW_ACCESSED);
	__vmx_write_seg(&vmx_seg_fs, 0, 0, 0xffff, VMX_AR_DATA_RW_ACCESSED);
	__vmx_write_seg(&vmx_seg_gs, 0, 0, 0xffff, VMX_AR_DATA_RW_ACCESSED);
	__vmx_write_seg(&vmx_seg_ss, 0, 0, 0xffff, VMX_AR_DATA_RW_ACCESSED);
	__vmx_write_seg(&vmx_seg_ldtr, 0, 0, 0xffff, VMX_AR_LDT);
	__vmx_write_seg(&vmx_seg_tr, 0, 0, 0xffff, VMX_AR_TSS_BUSY);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);

	vmx->cr0 = X86_CR0_NW | X86_CR0_CD | X86_CR0_ET;
	vmcs_write(GUEST_CR0, vmx_hw_cr0(vmx->cr0));
	vmcs_write(CR0_READ_SHADOW, vmx->cr0);
	vmx->cr4 = 0;
	vmcs_write(GUEST_CR4, vmx_hw_cr4(0));
	vmcs_write(CR4_READ_SHADOW, 0);
	vmcs_write(GUEST_CR3, 0);
	__vmx_write_pdptrs(zero);
	vmx->entry_ctls = vmx_cfg.entry;
	__vmx_write_efer(vmx, 0);

	vmcs_write(GUEST_DR7, HXEN_DR7_RESET);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);	/* the power-on PAT */
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmx->tsc_offset = hxen_tsc_reset_offset(vcpu);
	vmcs_write(TSC_OFFSET, vmx->tsc_offset);

	vmx->rip = 0xfff0;
	vmx->rflags = X86_EFLAGS_FIXED;
	vmx->interruptibility = 0;
	vmx->cr2 = 0;
	vmx->cr8 = 0;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vmx->irq_window = false;
	vmx->dr6 = HXEN_DR6_RESET;
	memset(vcpu->db, 0, sizeof(vcpu->db));
	vmx->kernel_gs_base = 0;
	vmx->syscall = (struct vmx_syscall_msrs){};
	memset(&vmx->inject, 0, sizeof(vmx->inject));
	memset(vcpu->regs, 0, sizeof(vcpu->regs));
	/* RDX holds the processor signature at reset; KVM uses 0x600. */
	vcpu->regs[VCPU_RDX] = 0x600;
	hxen_msr_reset(vcpu);
	set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
}

void vmx_reset_vcpu(struct hxen_vcpu *vcpu)
{
	if (!vmx_access_begin(vcpu))
		return;
	__vmx_reset(vcpu);
	vmx_access_end(vcpu);
}


/*
 * Event injection for the common run loop. Everything here works on state
 * cached in struct vmx_vcpu (read at the last exit, written at the next
 * entry), so it needs no current VMCS.
 */
static bool vmx_event_queued(struct vmx_vcpu *vmx)
{
	return vmx->inject.info & INTR_INFO_VALID_MASK;
}

bool vmx_interrupt_allowed(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	return !vmx_event_queued(vmx) && (vmx->rflags & X86_EFLAGS_IF) &&
	       !(vmx->interruptibility & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

bool vmx_nmi_allowed(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	/* Blocking by NMI is the virtual-NMI blocking the CPU keeps for us. */
	return !vmx_event_queued(vmx) &&
	       !(vmx->interruptibility & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS |
					  GUEST_INTR_STATE_NMI));
}

void vmx_inject_irq(struct hxen_vcpu *vcpu, u8 vector)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->inject.info = vector | INTR_TYPE_EXT_INTR | INTR_INFO_VALID_MASK;
	vmx->inject.error = 0;
	vmx->inject.len = 0;
}

void vmx_inject_nmi(struct hxen_vcpu *vcpu)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->inject.info = NMI_VECTOR | INTR_TYPE_NMI_INTR | INTR_INFO_VALID_MASK;
	vmx->inject.error = 0;
	vmx->inject.len = 0;
}

void vmx_enable_irq_window(struct hxen_vcpu *vcpu)
{
	to_vmx(vcpu)->irq_window = true;
}

/* CR2 is switched by vmx_vcpu_run; this is the guest's value. */
void vmx_set_cr2(struct hxen_vcpu *vcpu, u64 cr2)
{
	to_vmx(vcpu)->cr2 = cr2;
}

void vmx_get_events(struct hxen_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 info = vmx->inject.info, type = info & INTR_INFO_INTR_TYPE_MASK;

	if (info & INTR_INFO_VALID_MASK) {
		switch (type) {
		case INTR_TYPE_HARD_EXCEPTION:
		case INTR_TYPE_SOFT_EXCEPTION:
		case INTR_TYPE_PRIV_SW_EXCEPTION:
			ev->exception.injected = 1;
			ev->exception.nr = info & INTR_INFO_VECTOR_MASK;
			ev->exception.has_error_code = !!(info & INTR_INFO_DELIVER_CODE_MASK);
			ev->exception.error_code = vmx->inject.error;
			break;
		case INTR_TYPE_EXT_INTR:
		case INTR_TYPE_SOFT_INTR:
			ev->interrupt.injected = 1;
			ev->interrupt.nr = info & INTR_INFO_VECTOR_MASK;
			ev->interrupt.soft = type == INTR_TYPE_SOFT_INTR;
			break;
		case INTR_TYPE_NMI_INTR:
			ev->nmi.injected = 1;
			break;
		}
	}
	ev->nmi.masked = !!(vmx->interruptibility & GUEST_INTR_STATE_NMI);
	ev->interrupt.shadow =
		((vmx->interruptibility & GUEST_INTR_STATE_STI) ? KVM_X86_SHADOW_INT_STI : 0) |
		((vmx->interruptibility & GUEST_INTR_STATE_MOV_SS) ? KVM_X86_SHADOW_INT_MOV_SS : 0);
}

void vmx_set_events(struct hxen_vcpu *vcpu, const struct kvm_vcpu_events *ev)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	vmx->inject.info = 0;
	if (ev->exception.injected)
		vmx_inject_exception(vcpu, ev->exception.nr, ev->exception.has_error_code,
				     ev->exception.error_code);
	else if (ev->interrupt.injected)
		vmx_inject_irq(vcpu, ev->interrupt.nr);
	else if (ev->nmi.injected)
		vmx_inject_nmi(vcpu);
	if (ev->nmi.masked)
		vmx->interruptibility |= GUEST_INTR_STATE_NMI;
	else
		vmx->interruptibility &= ~GUEST_INTR_STATE_NMI;
	if (ev->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		vmx->interruptibility &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
		/* Only one of the two can be in effect (26.3.1.5). */
		if (ev->interrupt.shadow & KVM_X86_SHADOW_INT_MOV_SS)
			vmx->interruptibility |= GUEST_INTR_STATE_MOV_SS;
		else if (ev->interrupt.shadow & KVM_X86_SHADOW_INT_STI)
			vmx->interruptibility |= GUEST_INTR_STATE_STI;
	}
}

u64 vmx_get_rflags(struct hxen_vcpu *vcpu)
{
	return to_vmx(vcpu)->rflags;
}

u8 vmx_get_cr8(struct hxen_vcpu *vcpu)
{
	return to_vmx(vcpu)->cr8;
}

void vmx_set_cr8(struct hxen_vcpu *vcpu, u8 cr8)
{
	to_vmx(vcpu)->cr8 = cr8 & 15;
}

void vmx_get_regs(struct hxen_vcpu *vcpu, struct kvm_regs *r)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *g = vcpu->regs;

	r->rax = g[VCPU_RAX]; r->rbx = g[VCPU_RBX]; r->rcx = g[VCPU_RCX];
	r->rdx = g[VCPU_RDX]; r->rsi = g[VCPU_RSI]; r->rdi = g[VCPU_RDI];
	r->rsp = g[VCPU_RSP]; r->rbp = g[VCPU_RBP];
	r->r8 = g[VCPU_R8]; r->r9 = g[VCPU_R9]; r->r10 = g[VCPU_R10];
	r->r11 = g[VCPU_R11]; r->r12 = g[VCPU_R12]; r->r13 = g[VCPU_R13];
	r->r14 = g[VCPU_R14]; r->r15 = g[VCPU_R15];
	r->rip = vmx->rip;
	r->rflags = vmx->rflags;
}

void vmx_set_regs(struct hxen_vcpu *vcpu, const struct kvm_regs *r)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u64 *g = vcpu->regs;

	g[VCPU_RAX] = r->rax; g[VCPU_RBX] = r->rbx; g[VCPU_RCX] = r->rcx;
	g[VCPU_RDX] = r->rdx; g[VCPU_RSI] = r->rsi; g[VCPU_RDI] = r->rdi;
	g[VCPU_RSP] = r->rsp; g[VCPU_RBP] = r->rbp;
	g[VCPU_R8] = r->r8; g[VCPU_R9] = r->r9; g[VCPU_R10] = r->r10;
	g[VCPU_R11] = r->r11; g[VCPU_R12] = r->r12; g[VCPU_R13] = r->r13;
	g[VCPU_R14] = r->r14; g[VCPU_R15] = r->r15;
	vmx->rip = r->rip;
	/* Bit 1 is always set; reserved bits are dropped (KVM does too). */
	vmx->rflags = (r->rflags & 0x3f7fd7) | X86_EFLAGS_FIXED;
}

static void __vmx_get_seg(const struct vmx_seg_fields *f, struct kvm_segment *k)
{
	u32 ar = vmcs_read(f->ar);

	k->selector = vmcs_read(f->selector);
	k->base = vmcs_read(f->base);
	k->limit = vmcs_read(f->limit);
	k->type = ar & VMX_AR_TYPE_MASK;
	k->s = !!(ar & VMX_AR_S_MASK);
	k->dpl = VMX_AR_DPL(ar);
	k->avl = !!(ar & BIT(12));
	k->l = !!(ar & VMX_AR_L_MASK);
	k->db = !!(ar & VMX_AR_DB_MASK);
	k->g = !!(ar & VMX_AR_G_MASK);
	k->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	/* A usable segment is present (26.3.1.2): report unusable as absent. */
	k->present = !k->unusable;
}

static void __vmx_set_seg(const struct vmx_seg_fields *f, const struct kvm_segment *k,
			  bool ldtr)
{
	u32 ar;

	if (k->unusable || !k->present) {
		ar = VMX_AR_UNUSABLE_MASK;
	} else {
		ar = (k->type & VMX_AR_TYPE_MASK) | (k->s ? VMX_AR_S_MASK : 0) |
		     ((k->dpl & 3) << VMX_AR_DPL_SHIFT) | VMX_AR_P_MASK |
		     (k->avl ? BIT(12) : 0) | (k->l ? VMX_AR_L_MASK : 0) |
		     (k->db ? VMX_AR_DB_MASK : 0) | (k->g ? VMX_AR_G_MASK : 0);
		/*
		 * VM entry wants usable code/data segments and TR marked
		 * accessed (busy, for TR); the CPU would set the bit on first
		 * use anyway. KVM does the same for unrestricted guests.
		 */
		if (!ldtr)
			ar |= VMX_AR_TYPE_ACCESSES_MASK;
	}
	__vmx_write_seg(f, k->selector, k->base, k->limit, ar);
}

void vmx_get_sregs(struct hxen_vcpu *vcpu, struct kvm_sregs *sr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);

	if (vmx_access_begin(vcpu)) {
		__vmx_get_seg(&vmx_seg_cs, &sr->cs);
		__vmx_get_seg(&vmx_seg_ds, &sr->ds);
		__vmx_get_seg(&vmx_seg_es, &sr->es);
		__vmx_get_seg(&vmx_seg_fs, &sr->fs);
		__vmx_get_seg(&vmx_seg_gs, &sr->gs);
		__vmx_get_seg(&vmx_seg_ss, &sr->ss);
		__vmx_get_seg(&vmx_seg_tr, &sr->tr);
		__vmx_get_seg(&vmx_seg_ldtr, &sr->ldt);
		sr->gdt.base = vmcs_read(GUEST_GDTR_BASE);
		sr->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
		sr->idt.base = vmcs_read(GUEST_IDTR_BASE);
		sr->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
		sr->cr3 = vmcs_read(GUEST_CR3);
		vmx_access_end(vcpu);
	}
	sr->cr0 = vmx->cr0;
	sr->cr2 = vmx->cr2;
	sr->cr4 = vmx->cr4;
	sr->cr8 = vmx->cr8;
	sr->efer = vmx->efer;
	sr->apic_base = vcpu->apic_base;
}

void vmx_get_dr67(struct hxen_vcpu *vcpu, u64 *dr6, u64 *dr7)
{
	*dr6 = to_vmx(vcpu)->dr6;
	*dr7 = 0;
	if (vmx_access_begin(vcpu)) {
		*dr7 = vmcs_read(GUEST_DR7);
		vmx_access_end(vcpu);
	}
}

void vmx_set_dr67(struct hxen_vcpu *vcpu, u64 dr6, u64 dr7)
{
	to_vmx(vcpu)->dr6 = dr6;
	if (vmx_access_begin(vcpu)) {
		vmcs_write(GUEST_DR7, dr7);
		vmx_access_end(vcpu);
	}
}

u64 vmx_get_tsc_offset(struct hxen_vcpu *vcpu)
{
	return to_vmx(vcpu)->tsc_offset;
}

void vmx_get_cpu_mode(struct hxen_vcpu *vcpu, struct hxen_walk_mode *m, bool *code64)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	u32 cs_ar = 0, ss_ar = 0;

	m->cr3 = 0;
	if (vmx_access_begin(vcpu)) {
		m->cr3 = vmcs_read(GUEST_CR3);
		cs_ar = vmcs_read(GUEST_CS_AR_BYTES);
		ss_ar = vmcs_read(GUEST_SS_AR_BYTES);
		vmx_access_end(vcpu);
	}
	m->cr0 = vmx->cr0;
	m->cr4 = vmx->cr4;
	m->efer = vmx->efer;
	m->rflags = vmx->rflags;
	/* SS.DPL is the CPL (SDM Vol. 3 24.4.1). */
	m->cpl = VMX_AR_DPL(ss_ar);
	*code64 = cs_ar & VMX_AR_L_MASK;
}

#define VMX_EFER_VALID	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR)

int vmx_set_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr)
{
	struct vmx_vcpu *vmx = to_vmx(vcpu);
	bool pae;
	u64 pdpte[4] = { 0 };

	/*
	 * The same rules as SVM's set_sregs (those VM entry would otherwise
	 * fail on). Segment consistency is left to VM entry, which reports
	 * a violation as KVM_EXIT_FAIL_ENTRY, as KVM does.
	 */
	if (hxen_check_sregs(vcpu, sr, vmx_cr4_valid_bits(), VMX_EFER_VALID))
		return -EINVAL;
	/* Unreadable PDPTEs load as zeros (not present), as with KVM. */
	pae = vmx_pae_paging(sr->cr0, sr->cr4, sr->efer);
	if (pae && vmx_read_pdptrs(vcpu, sr->cr3, pdpte))
		memset(pdpte, 0, sizeof(pdpte));

	if (!vmx_access_begin(vcpu))
		return -EIO;
	__vmx_set_seg(&vmx_seg_cs, &sr->cs, false);
	__vmx_set_seg(&vmx_seg_ds, &sr->ds, false);
	__vmx_set_seg(&vmx_seg_es, &sr->es, false);
	__vmx_set_seg(&vmx_seg_fs, &sr->fs, false);
	__vmx_set_seg(&vmx_seg_gs, &sr->gs, false);
	__vmx_set_seg(&vmx_seg_ss, &sr->ss, false);
	__vmx_set_seg(&vmx_seg_tr, &sr->tr, false);
	__vmx_set_seg(&vmx_seg_ldtr, &sr->ldt, true);
	vmcs_write(GUEST_GDTR_BASE, sr->gdt.base);
	vmcs_write(GUEST_GDTR_LIMIT, sr->gdt.limit);
	vmcs_write(GUEST_IDTR_BASE, sr->idt.base);
	vmcs_write(GUEST_IDTR_LIMIT, sr->idt.limit);
	vmcs_write(GUEST_CR0, vmx_hw_cr0(sr->cr0));
	vmcs_write(CR0_READ_SHADOW, sr->cr0);
	vmcs_write(GUEST_CR3, sr->cr3);
	vmcs_write(GUEST_CR4, vmx_hw_cr4(sr->cr4));
	vmcs_write(CR4_READ_SHADOW, sr->cr4);
	__vmx_write_efer(vmx, sr->efer);
	__vmx_write_pdptrs(pdpte);
	vmx_access_end(vcpu);
	vmx->cr0 = sr->cr0;
	vmx->cr2 = sr->cr2;
	vmx->cr4 = sr->cr4;
	vmx->cr8 = sr->cr8;
	/* New page-table roots or modes: cached translations are stale. */
	set_bit(HXEN_REQ_TLB_FLUSH, &vcpu->requests);
	return 0;
}

