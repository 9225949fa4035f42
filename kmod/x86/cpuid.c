// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's CPUID: the table userspace sets with KVM_SET_CPUID2, looked
 * up on every CPUID exit. A leaf that is not in the table reads as zeros.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/fpu/xstate.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "../hxen.h"
#include "../vendor.h"
#include "x86.h"
#include "../xen/hooks.h"
#include "emulate/walk.h"

/* KVM's limit (KVM_MAX_CPUID_ENTRIES), so userspace sizes carry over. */
#define HXEN_MAX_CPUID_ENTRIES	256

static const struct kvm_cpuid_entry2 *cpuid_find(struct hxen_vcpu *vcpu,
						 u32 function, u32 index)
{
	int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

/* CPUID 0x80000001 EDX bits that gate EFER bits; RDTSCP. */
#define EXT_EDX_NX	BIT(20)
#define EXT_EDX_FFXSR	BIT(25)
#define EXT_EDX_RDTSCP	BIT(27)
#define EXT_EDX_LM	BIT(29)
/* CPUID.(7,0):ECX. */
#define CPUID_7_ECX_PKU		BIT(3)
#define CPUID_7_ECX_OSPKE	BIT(4)
#define CPUID_7_ECX_RDPID	BIT(22)
/* CPUID.(0xD,1):EAX. */
#define CPUID_D1_XSAVEC	BIT(1)
#define CPUID_D1_XSAVES	BIT(3)

/*
 * May the guest set these EFER bits with WRMSR? Only what its CPUID
 * offers (the same rule as KVM's, so guests see the same #GP).
 */
bool hxen_guest_efer_valid(struct hxen_vcpu *vcpu, u64 efer)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(vcpu, 0x80000001, 0);
	u32 edx = e ? e->edx : 0;

	if (efer & ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX | EFER_FFXSR))
		return false;
	if ((efer & (EFER_LME | EFER_LMA)) && !(edx & EXT_EDX_LM))
		return false;
	if ((efer & EFER_NX) && !(edx & EXT_EDX_NX))
		return false;
	if ((efer & EFER_FFXSR) && !(edx & EXT_EDX_FFXSR))
		return false;
	return true;
}

/* CPUID.(7,0):EBX bit 1, IA32_TSC_ADJUST (emulated: x86/tsc.c). */
#define CPUID_7_EBX_TSC_ADJUST	BIT(1)

bool hxen_guest_has_tsc_adjust(struct hxen_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *l7 = cpuid_find(vcpu, 7, 0);

	return l7 && (l7->ebx & CPUID_7_EBX_TSC_ADJUST);
}

bool hxen_guest_has_rdtscp(struct hxen_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *ext = cpuid_find(vcpu, 0x80000001, 0);
	const struct kvm_cpuid_entry2 *l7 = cpuid_find(vcpu, 7, 0);

	return (ext && (ext->edx & EXT_EDX_RDTSCP)) || (l7 && (l7->ecx & CPUID_7_ECX_RDPID));
}

/*
 * Bytes of an XSAVE area holding the components in @xcr0 (SDM Vol. 1
 * 13.4.3): in the standard format each sits at its own leaf 0xD offset
 * (EBX); in the compacted format (XSAVEC/XSAVES) they follow each other in
 * bit order, those with leaf 0xD ECX bit 1 aligned to 64 bytes.
 */
static u32 cpuid_xsave_size(struct hxen_vcpu *vcpu, u64 xcr0, bool compacted)
{
	u32 size = 512 + 64;	/* legacy area and XSAVE header */
	u32 offset = size;
	int i;

	for (i = 2; i < 63; i++) {
		const struct kvm_cpuid_entry2 *c;

		if (!(xcr0 & BIT_ULL(i)))
			continue;
		c = cpuid_find(vcpu, 0xd, i);
		if (!c || !c->eax)
			continue;
		if (compacted) {
			if (c->ecx & BIT(1))
				offset = ALIGN(offset, 64);
		} else {
			offset = c->ebx;
		}
		size = max(size, offset + c->eax);
		offset += c->eax;
	}
	return size;
}

/*
 * Bits that follow the vCPU's state rather than the table, as on real
 * CPUs and KVM: leaf 1 OSXSAVE mirrors CR4.OSXSAVE and the APIC bit the
 * APIC's global enable; leaf 7 OSPKE mirrors CR4.PKE; leaf 0xD EBX is the
 * XSAVE size for the current XCR0.
 */
static void cpuid_runtime_bits(struct hxen_vcpu *vcpu, const struct kvm_cpuid_entry2 *e,
			       u32 *ebx, u32 *ecx, u32 *edx)
{
	struct kvm_sregs sregs;

	if (e->function == 7) {
		struct hxen_walk_mode m;
		bool code64;

		hxen_ops->get_cpu_mode(vcpu, &m, &code64);
		if ((e->ecx & CPUID_7_ECX_PKU) && (m.cr4 & X86_CR4_PKE))
			*ecx |= CPUID_7_ECX_OSPKE;
		else
			*ecx &= ~CPUID_7_ECX_OSPKE;
		return;
	}

	/*
	 * Sub-leaf 1 EBX: the compacted size for XCR0 | IA32_XSS (which is 0
	 * here: no XSAVES), when XSAVEC or XSAVES is offered; Linux sizes its
	 * XSAVEC buffers from it and warns if it disagrees with sub-leaves 2+.
	 */
	if (e->function == 0xd) {
		if (e->index == 0)
			*ebx = cpuid_xsave_size(vcpu, vcpu->xcr0, false);
		else if (e->eax & (CPUID_D1_XSAVEC | CPUID_D1_XSAVES))
			*ebx = cpuid_xsave_size(vcpu, vcpu->xcr0, true);
		return;
	}
	hxen_ops->get_sregs(vcpu, &sregs);
	/* Leaf 1: ECX 26 XSAVE, 27 OSXSAVE; EDX 9 APIC. */
	if ((e->ecx & BIT(26)) && (sregs.cr4 & X86_CR4_OSXSAVE))
		*ecx |= BIT(27);
	else
		*ecx &= ~BIT(27);
	if (!(vcpu->apic_base & MSR_IA32_APICBASE_ENABLE))
		*edx &= ~BIT(9);
}

/*
 * The entry as the guest reads it: KVM keeps the runtime bits in its table
 * (KVM_GET_CPUID2 shows them); hxen computes them from the vCPU's state.
 */
static void cpuid_entry_now(struct hxen_vcpu *vcpu, struct kvm_cpuid_entry2 *e)
{
	if (e->function == 1 || (e->function == 0xd && e->index < 2) ||
	    (e->function == 7 && e->index == 0))
		cpuid_runtime_bits(vcpu, e, &e->ebx, &e->ecx, &e->edx);
}

void hxen_cpuid(struct hxen_vcpu *vcpu, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	const struct kvm_cpuid_entry2 *found;
	struct kvm_cpuid_entry2 e;

	/* A Xen VM's hypervisor leaves are the module's (xen/xen.c). */
	if (vcpu->xen && hxen_xen_cpuid(vcpu, *eax, *ecx, eax, ebx, ecx, edx))
		return;
	found = cpuid_find(vcpu, *eax, *ecx);
	if (!found) {
		*eax = *ebx = *ecx = *edx = 0;
		return;
	}
	e = *found;
	cpuid_entry_now(vcpu, &e);
	*eax = e.eax;
	*ebx = e.ebx;
	*ecx = e.ecx;
	*edx = e.edx;
}

/*
 * After KVM_RUN the table is fixed, as on KVM 6.1: setting it again is
 * accepted only if it is the same, runtime bits aside (-EINVAL otherwise).
 */
static bool cpuid_same(struct hxen_vcpu *vcpu, const struct kvm_cpuid_entry2 *e, u32 nent)
{
	struct kvm_cpuid_entry2 a, b;
	u32 i;

	if (nent != vcpu->cpuid_nent)
		return false;
	for (i = 0; i < nent; i++) {
		a = e[i];
		b = vcpu->cpuid[i];
		cpuid_entry_now(vcpu, &a);
		cpuid_entry_now(vcpu, &b);
		if (a.function != b.function || a.index != b.index || a.flags != b.flags ||
		    a.eax != b.eax || a.ebx != b.ebx || a.ecx != b.ecx || a.edx != b.edx)
			return false;
	}
	return true;
}

long hxen_set_cpuid2(struct hxen_vcpu *vcpu, struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid_entry2 *e = NULL;
	struct kvm_cpuid2 hdr;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > HXEN_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr.nent) {
		e = vmemdup_user(arg->entries, array_size(hdr.nent, sizeof(*e)));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	if (vcpu->has_run) {
		bool same = cpuid_same(vcpu, e, hdr.nent);

		kvfree(e);
		return same ? 0 : -EINVAL;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	vcpu->cpuid_set = true;
	return 0;
}

/* The table with its runtime bits as the guest would read them now (KVM). */
long hxen_get_cpuid2(struct hxen_vcpu *vcpu, struct kvm_cpuid2 __user *arg)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 hdr;
	long r = 0;
	int i;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < vcpu->cpuid_nent) {
		hdr.nent = vcpu->cpuid_nent;
		return put_user(hdr.nent, &arg->nent) ? -EFAULT : -E2BIG;
	}
	if (vcpu->cpuid_nent) {
		e = kvmalloc_array(vcpu->cpuid_nent, sizeof(*e), GFP_KERNEL_ACCOUNT);
		if (!e)
			return -ENOMEM;
		memcpy(e, vcpu->cpuid, array_size(vcpu->cpuid_nent, sizeof(*e)));
		for (i = 0; i < vcpu->cpuid_nent; i++)
			cpuid_entry_now(vcpu, &e[i]);
		if (copy_to_user(arg->entries, e, array_size(vcpu->cpuid_nent, sizeof(*e))))
			r = -EFAULT;
		kvfree(e);
		if (r)
			return r;
	}
	return put_user(vcpu->cpuid_nent, &arg->nent) ? -EFAULT : 0;
}

/* Does the guest's CPUID say "GenuineIntel"? */
bool hxen_guest_is_intel(struct hxen_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(vcpu, 0, 0);

	return e && e->ebx == 0x756e6547 && e->edx == 0x49656e69 &&
	       e->ecx == 0x6c65746e;
}

/* XCR0 bits the guest's CPUID leaf 0xD sub-leaf 0 offers. */
u64 hxen_guest_xcr0_mask(struct hxen_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = cpuid_find(vcpu, 0xd, 0);

	return e ? e->eax | ((u64)e->edx << 32) : 0;
}

/*
 * KVM_GET_SUPPORTED_CPUID: the host's CPUID, cut down to what a guest of
 * hxen can use. A feature stays only where hxen virtualizes everything it
 * needs (instructions that run natively under NPT/EPT, state the FPU code
 * switches); features that need MSRs or devices hxen does not emulate
 * (MONITOR, TSC deadline, PMU, SPEC_CTRL, PKU, ...) or virtualization
 * itself (VMX, SVM) are cleared. RDTSCP and RDPID stay where the vendor
 * runs them and TSC_AUX is switched (hxen_guest_rdtscp). PKU is not
 * offered (a VMM may set it: CR4.PKE and PKRU then work, see fpu.c).
 */
struct cpuid_filter {
	u32 function;
	u32 keep[4];		/* EAX, EBX, ECX, EDX bits kept */
};

#define ALL	0xffffffffU
static const struct cpuid_filter cpuid_filters[] = {
	/* EAX is capped below; vendor string. */
	{ 0x0, { ALL, ALL, ALL, ALL } },
	/* ECX: no MONITOR, DS-CPL, VMX, SMX, EST, TM2, xTPR, PDCM, DCA,
	 * x2APIC (set below), TSC-deadline, OSXSAVE (the guest's own CR4 shows it).
	 * EDX: no DS, ACPI, TM, PBE. */
	{ 0x1, { ALL, ALL, (u32)~(BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) |
			     BIT(14) | BIT(15) | BIT(18) | BIT(21) | BIT(24) | BIT(27)),
		 (u32)~(BIT(21) | BIT(22) | BIT(29) | BIT(31)) } },
	{ 0x2, { ALL, ALL, ALL, ALL } },
	{ 0x4, { ALL, ALL, ALL, ALL } },
	/* Leaf 7.0 EBX: FSGSBASE BMI1 AVX2 FDP SMEP BMI2 ERMS INVPCID AVX512F/DQ
	 * RDSEED ADX SMAP IFMA CLFLUSHOPT CLWB AVX512PF/ER/CD SHA BW VL.
	 * ECX: ... RDPID (22; cleared below without hxen_guest_rdtscp). */
	{ 0x7, { ALL, 0xfdfb07e9U,
		 BIT(1) | BIT(2) | BIT(6) | BIT(8) | BIT(9) | BIT(10) | BIT(11) |
		 BIT(12) | BIT(14) | BIT(22) | BIT(27) | BIT(28),
		 BIT(2) | BIT(3) | BIT(4) | BIT(8) | BIT(14) } },
	{ 0xd, { ALL, ALL, ALL, ALL } },
	{ 0x80000000, { ALL, ALL, ALL, ALL } },
	/* ECX: LAHF CMP_LEGACY CR8_LEGACY ABM SSE4A MISALIGNSSE 3DNOWPREFETCH
	 * XOP FMA4 TBM. EDX: all (RDTSCP cleared below without hxen_guest_rdtscp). */
	{ 0x80000001, { ALL, ALL, BIT(0) | BIT(1) | BIT(4) | BIT(5) | BIT(6) | BIT(7) |
			BIT(8) | BIT(11) | BIT(16) | BIT(21), ALL } },
	{ 0x80000002, { ALL, ALL, ALL, ALL } },
	{ 0x80000003, { ALL, ALL, ALL, ALL } },
	{ 0x80000004, { ALL, ALL, ALL, ALL } },
	{ 0x80000005, { ALL, ALL, ALL, ALL } },
	{ 0x80000006, { ALL, ALL, ALL, ALL } },
	/* Invariant TSC only: the guest TSC is the host's plus an offset. */
	{ 0x80000007, { 0, 0, 0, BIT(8) } },
	/* Address sizes; no IBPB & co., no core counts (userspace's to say). */
	{ 0x80000008, { ALL, 0, 0, 0 } },
};
#undef ALL

static const struct cpuid_filter *cpuid_filter_find(u32 function)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(cpuid_filters); i++)
		if (cpuid_filters[i].function == function)
			return &cpuid_filters[i];
	return NULL;
}

/*
 * CR4 bits that need a CPUID feature (KVM's __cr4_reserved_bits). KVM
 * refuses each whose feature it does not offer (KVM_GET_SUPPORTED_CPUID),
 * and, once KVM_SET_CPUID2 was done, each the guest's table lacks.
 */
static const struct {
	u32 function;
	u8 reg;			/* CPUID_EBX, CPUID_ECX */
	u8 bit;
	u64 cr4;
} cr4_features[] = {
	{ 0x1, CPUID_ECX, 26, X86_CR4_OSXSAVE },
	{ 0x1, CPUID_ECX, 17, X86_CR4_PCIDE },
	{ 0x1, CPUID_ECX, 5, X86_CR4_VMXE },
	{ 0x7, CPUID_EBX, 0, X86_CR4_FSGSBASE },
	{ 0x7, CPUID_EBX, 7, X86_CR4_SMEP },
	{ 0x7, CPUID_EBX, 20, X86_CR4_SMAP },
	{ 0x7, CPUID_ECX, 2, X86_CR4_UMIP },
	{ 0x7, CPUID_ECX, 16, X86_CR4_LA57 },
};

static u32 cpuid_reg(const struct kvm_cpuid_entry2 *e, int reg)
{
	return reg == CPUID_EBX ? e->ebx : reg == CPUID_ECX ? e->ecx : 0;
}

/* Is the feature in KVM_GET_SUPPORTED_CPUID (the host's, filtered)? */
static bool cpuid_supported_has(u32 function, int reg, int bit)
{
	const struct cpuid_filter *f = cpuid_filter_find(function);
	struct kvm_cpuid_entry2 e = {};

	if (!f || cpuid_eax(0) < function)
		return false;
	cpuid_count(function, 0, &e.eax, &e.ebx, &e.ecx, &e.edx);
	return cpuid_reg(&e, reg) & f->keep[reg] & BIT(bit);
}

/*
 * CR4.PKE only with PKU in the guest's CPUID (the vendors offer the bit
 * only where the host has OSPKE: PKRU is switched then, see fpu.c), also
 * before KVM_SET_CPUID2: KVM_GET_SUPPORTED_CPUID does not offer PKU, a VMM
 * may set it. LA57 is in no vendor's valid bits: the page walker
 * (emulate/walk.c) knows 4-level paging only, and CPUID never offers it.
 */
bool hxen_guest_cr4_ok(struct hxen_vcpu *vcpu, u64 cr4)
{
	const struct kvm_cpuid_entry2 *l7 = cpuid_find(vcpu, 7, 0);
	int i;

	if ((cr4 & X86_CR4_PKE) && !(l7 && (l7->ecx & CPUID_7_ECX_PKU)))
		return false;
	if (cr4 & X86_CR4_LA57)
		return false;
	for (i = 0; i < ARRAY_SIZE(cr4_features); i++) {
		const struct kvm_cpuid_entry2 *e;

		if (!(cr4 & cr4_features[i].cr4))
			continue;
		if (!cpuid_supported_has(cr4_features[i].function, cr4_features[i].reg,
					 cr4_features[i].bit))
			return false;
		if (!vcpu->cpuid_set)
			continue;
		e = cpuid_find(vcpu, cr4_features[i].function, 0);
		if (!e || !(cpuid_reg(e, cr4_features[i].reg) & BIT(cr4_features[i].bit)))
			return false;
	}
	return true;
}

/* XCR0 features a guest may enable: x87, SSE, AVX, AVX-512. */
#define HXEN_GUEST_XCR0	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | XFEATURE_MASK_YMM | \
			 XFEATURE_MASK_OPMASK | XFEATURE_MASK_ZMM_Hi256 | \
			 XFEATURE_MASK_Hi16_ZMM)

struct cpuid_out {
	struct kvm_cpuid_entry2 *e;
	int n, max;
};

static void cpuid_add(struct cpuid_out *o, u32 function, u32 index, bool indexed,
		      const u32 keep[4])
{
	struct kvm_cpuid_entry2 *e;

	if (o->n >= o->max)
		return;
	e = &o->e[o->n++];
	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
	cpuid_count(function, index, &e->eax, &e->ebx, &e->ecx, &e->edx);
	e->eax &= keep[0];
	e->ebx &= keep[1];
	e->ecx &= keep[2];
	e->edx &= keep[3];
}

static void cpuid_add_leaf(struct cpuid_out *o, const struct cpuid_filter *f)
{
	u64 xcr0 = boot_cpu_has(X86_FEATURE_XSAVE) ?
		   xgetbv(XCR_XFEATURE_ENABLED_MASK) & HXEN_GUEST_XCR0 : 0;
	struct kvm_cpuid_entry2 *e;
	u32 i, eax, ebx, ecx, edx;

	switch (f->function) {
	case 0x4:
		/* One sub-leaf per cache level, until the null type. */
		for (i = 0; i < 16; i++) {
			cpuid_count(4, i, &eax, &ebx, &ecx, &edx);
			if (!(eax & 0x1f))
				break;
			cpuid_add(o, 4, i, true, f->keep);
		}
		return;
	case 0x7:
		cpuid_add(o, 7, 0, true, f->keep);
		o->e[o->n - 1].eax = 0;		/* sub-leaf 0 only */
		/* TSC_ADJUST is emulated whatever the host has (x86/tsc.c), as on KVM. */
		o->e[o->n - 1].ebx |= CPUID_7_EBX_TSC_ADJUST;
		if (!hxen_guest_rdtscp)
			o->e[o->n - 1].ecx &= ~CPUID_7_ECX_RDPID;
		return;
	case 0xd:
		if (!xcr0)
			return;
		cpuid_add(o, 0xd, 0, true, f->keep);
		e = &o->e[o->n - 1];
		e->eax = (u32)xcr0;
		e->edx = xcr0 >> 32;
		cpuid_add(o, 0xd, 1, true, f->keep);
		/* XSAVEOPT, XSAVEC, XGETBV1; no XSAVES (it needs IA32_XSS). */
		o->e[o->n - 1].eax &= 0x7;
		o->e[o->n - 1].ebx = 0;
		o->e[o->n - 1].ecx = 0;
		o->e[o->n - 1].edx = 0;
		for (i = 2; i < 64; i++)
			if (xcr0 & BIT_ULL(i))
				cpuid_add(o, 0xd, i, true, f->keep);
		return;
	}
	cpuid_add(o, f->function, 0, false, f->keep);
	e = &o->e[o->n - 1];
	/*
	 * x2APIC is emulated whatever the host has (x86/irqchip/lapic.c), as KVM
	 * reports it; TSC-deadline is not reported here, as on KVM
	 * (KVM_CAP_TSC_DEADLINE_TIMER says userspace may set it).
	 */
	if (f->function == 1)
		e->ecx |= BIT(21);
	if (f->function == 0x80000001 && !hxen_guest_rdtscp)
		e->edx &= ~EXT_EDX_RDTSCP;
	if (f->function == 0)
		e->eax = min(e->eax, 0xdU);
	else if (f->function == 0x80000000)
		e->eax = min(e->eax, 0x80000008U);
}

long hxen_get_supported_cpuid(struct kvm_cpuid2 __user *arg)
{
	u32 max_basic = cpuid_eax(0), max_ext = cpuid_eax(0x80000000);
	struct cpuid_out o = { .max = HXEN_MAX_CPUID_ENTRIES };
	struct kvm_cpuid2 hdr;
	long r = 0;
	int i;

	if (copy_from_user(&hdr, arg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	o.e = kvcalloc(o.max, sizeof(*o.e), GFP_KERNEL_ACCOUNT);
	if (!o.e)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(cpuid_filters); i++) {
		u32 fn = cpuid_filters[i].function;

		if (fn < 0x80000000 ? fn <= max_basic : fn <= max_ext)
			cpuid_add_leaf(&o, &cpuid_filters[i]);
	}
	/* KVM's paravirtual leaves: kvm-clock (x86/kvmclock.c). */
	if (o.n + 2 <= o.max) {
		hxen_kvmclock_cpuid(&o.e[o.n], &o.e[o.n + 1]);
		o.n += 2;
	}
	if (hdr.nent < o.n) {
		r = -E2BIG;
	} else if (copy_to_user(arg->entries, o.e, array_size(o.n, sizeof(*o.e)))) {
		r = -EFAULT;
	}
	if (r != -EFAULT && put_user((u32)o.n, &arg->nent))
		r = -EFAULT;
	kvfree(o.e);
	return r;
}
