// SPDX-License-Identifier: GPL-2.0
/*
 * Exit handling both vendors share: what an exit means once the vendor
 * has decoded it (CPUID, RDMSR/WRMSR, XSETBV, port I/O, internal errors)
 * and the vendor-neutral KVM_SET_SREGS checks. The vendor's handler reads
 * its exit information, calls one of these, then moves RIP past the
 * instruction or injects the #GP they ask for.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr-index.h>

#include "../hxen.h"
#include "../iobus.h"
#include "x86.h"
#include "emulate/mmio.h"

/* An IN's data into the guest's RAX. */
static void pio_in_to_rax(struct hxen_vcpu *vcpu, u8 size, u64 val)
{
	u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (8 * size)) - 1;
	u64 *rax = &vcpu->regs[VCPU_RAX];	/* both vendors keep it here */

	/* A 32-bit IN zero-extends into RAX like any 32-bit write. */
	*rax = size == 4 ? (val & mask) : (*rax & ~mask) | (val & mask);
}

int hxen_exit_pio(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in, u64 val)
{
	u64 data = 0;

	/* In-kernel devices (PIC, PIT, ...) complete it here, with no exit. */
	if (READ_ONCE(vcpu->vm->iobus)) {
		if (in && !hxen_iobus_read(vcpu, HXEN_BUS_PIO, port, size, &data)) {
			pio_in_to_rax(vcpu, size, data);
			return HXEN_RESUME;
		}
		if (!in && !hxen_iobus_write(vcpu, HXEN_BUS_PIO, port, size, &val))
			return HXEN_RESUME;
	}
	return hxen_exit_pio_user(vcpu, port, size, in, val);
}

int hxen_exit_pio_user(struct hxen_vcpu *vcpu, u16 port, u8 size, bool in, u64 val)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = port;
	run->io.count = 1;
	run->io.data_offset = HXEN_PIO_DATA_OFFSET;
	if (in) {
		vcpu->pio.pending = true;
		vcpu->pio.size = size;
	} else {
		memcpy(hxen_pio_data(vcpu), &val, size);
	}
	return HXEN_USER;
}

/* KVM_RUN after an IN went to userspace: its data into the guest's RAX. */
int hxen_complete_pio(struct hxen_vcpu *vcpu)
{
	u64 val = 0;

	if (!vcpu->pio.pending)
		return HXEN_RESUME;
	vcpu->pio.pending = false;
	if (vcpu->pio.string)
		return hxen_complete_pio_string(vcpu);
	/* Never run->io.data_offset: userspace may have rewritten it. */
	memcpy(&val, hxen_pio_data(vcpu), vcpu->pio.size);
	pio_in_to_rax(vcpu, vcpu->pio.size, val);
	return HXEN_RESUME;
}

int hxen_exit_internal_error(struct hxen_vcpu *vcpu, u32 suberror,
			     u64 data0, u64 data1)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 2;
	run->internal.data[0] = data0;
	run->internal.data[1] = data1;
	return HXEN_USER;
}

int hxen_set_xcr0(struct hxen_vcpu *vcpu, u64 val)
{
	u64 host = boot_cpu_has(X86_FEATURE_XSAVE) ?
		   xgetbv(XCR_XFEATURE_ENABLED_MASK) : XFEATURE_MASK_FP;
	u64 valid = (host & hxen_guest_xcr0_mask(vcpu)) | XFEATURE_MASK_FP;

	/*
	 * SDM XSETBV: x87 must stay on, AVX needs SSE; and only what the host
	 * has and the guest's CPUID leaf 0xD offers (as on KVM).
	 */
	if (!(val & XFEATURE_MASK_FP) || (val & ~valid) ||
	    ((val & XFEATURE_MASK_YMM) && !(val & XFEATURE_MASK_SSE)))
		return -EINVAL;
	vcpu->xcr0 = val;
	return 0;
}

/*
 * KVM_SET_SREGS, the vendor-neutral part: the CR0/CR4/EFER combinations
 * VM entry would fail on (or the SDM/APM forbid), with the vendor's valid
 * CR4 and EFER bits; then the APIC base. -EINVAL for a bad combination.
 */
int hxen_check_sregs(struct hxen_vcpu *vcpu, const struct kvm_sregs *sr,
		     u64 cr4_valid, u64 efer_valid)
{
	bool pg = sr->cr0 & X86_CR0_PG;

	if ((sr->cr0 >> 32) || (sr->cr4 & ~cr4_valid) || (sr->efer & ~efer_valid) ||
	    !hxen_guest_cr4_ok(vcpu, sr->cr4) ||
	    ((sr->cr0 & X86_CR0_NW) && !(sr->cr0 & X86_CR0_CD)) ||
	    (pg && !(sr->cr0 & X86_CR0_PE)))
		return -EINVAL;
	if ((sr->efer & EFER_LME) && pg) {
		if (!(sr->cr4 & X86_CR4_PAE) || !(sr->efer & EFER_LMA))
			return -EINVAL;
	} else if (sr->efer & EFER_LMA) {
		return -EINVAL;
	}
	if (sr->cr8 > 15 || hxen_set_msr(vcpu, MSR_IA32_APICBASE, sr->apic_base, true))
		return -EINVAL;
	return 0;
}

/* CPUID: leaf in EAX, subleaf in ECX; the answer in all four. */
void hxen_exit_cpuid(struct hxen_vcpu *vcpu)
{
	u32 eax = vcpu->regs[VCPU_RAX], ebx, ecx = vcpu->regs[VCPU_RCX], edx;

	hxen_cpuid(vcpu, &eax, &ebx, &ecx, &edx);
	vcpu->regs[VCPU_RAX] = eax;
	vcpu->regs[VCPU_RBX] = ebx;
	vcpu->regs[VCPU_RCX] = ecx;
	vcpu->regs[VCPU_RDX] = edx;
}

/* RDMSR of the MSR in ECX into EDX:EAX. */
int hxen_exit_rdmsr(struct hxen_vcpu *vcpu)
{
	u64 val;

	if (hxen_get_msr(vcpu, vcpu->regs[VCPU_RCX], &val, false))
		return -EINVAL;
	vcpu->regs[VCPU_RAX] = (u32)val;
	vcpu->regs[VCPU_RDX] = val >> 32;
	return 0;
}

/* WRMSR of EDX:EAX to the MSR in ECX. */
int hxen_exit_wrmsr(struct hxen_vcpu *vcpu)
{
	u64 val = (vcpu->regs[VCPU_RDX] << 32) | (u32)vcpu->regs[VCPU_RAX];

	return hxen_set_msr(vcpu, vcpu->regs[VCPU_RCX], val, false) ? -EINVAL : 0;
}

/* XSETBV of EDX:EAX to the XCR in ECX, at privilege @cpl. */
int hxen_exit_xsetbv(struct hxen_vcpu *vcpu, int cpl)
{
	u64 val = (vcpu->regs[VCPU_RDX] << 32) | (u32)vcpu->regs[VCPU_RAX];

	/* #GP for CPL > 0 and XCRs other than XCR0, too (SDM XSETBV). */
	if (cpl || (u32)vcpu->regs[VCPU_RCX] || hxen_set_xcr0(vcpu, val))
		return -EINVAL;
	return 0;
}
