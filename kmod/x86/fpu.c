// SPDX-License-Identifier: GPL-2.0
/*
 * Guest FPU/SSE/AVX state for userspace: KVM_GET/SET_FPU (the legacy
 * FXSAVE view), KVM_GET/SET_XSAVE (the XSAVE layout) and KVM_GET/SET_XCRS.
 * The state itself lives in the vCPU's guest fpstate, which the kernel's
 * FPU code switches in and out around KVM_RUN; outside KVM_RUN (these
 * ioctls hold the vCPU mutex) it is in memory.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/fpu/xcr.h>
#include <asm/special_insns.h>

#include "../hxen.h"
#include "x86.h"

/* KVM's limit on XCRs in struct kvm_xcrs. */
#define HXEN_MAX_XCRS	16

static u64 guest_xfeatures(struct hxen_vcpu *vcpu)
{
	return vcpu->guest_fpu.fpstate->user_xfeatures;
}

static struct kvm_xsave *fpu_get_uabi(struct hxen_vcpu *vcpu)
{
	struct kvm_xsave *x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);

	if (x)
		fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, x->region,
					       sizeof(x->region),
					       guest_xfeatures(vcpu), vcpu->pkru);
	return x;
}

/* The PKRU component, if present, is the guest's PKRU (hxen_pkru_*). */
static long fpu_set_uabi(struct hxen_vcpu *vcpu, struct kvm_xsave *x)
{
	return fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, x->region,
					      guest_xfeatures(vcpu), &vcpu->pkru);
}

/*
 * PKRU is not part of what the kernel's FPU code switches for KVM
 * (fpu_swap_kvm_fpstate leaves it to the hypervisor): in the CPU it is
 * always the current task's, and the kernel saves it as the task's on a
 * context switch. A guest that can change it (CR4.PKE lets it WRPKRU,
 * XCR0.PKRU lets XRSTOR load it) gets its own value loaded right before
 * entry, and the host's is put back right after the exit, with
 * interrupts still off. Without OSPKE no guest can have CR4.PKE (the
 * vendors do not offer it) nor XCR0.PKRU (the host's XCR0 lacks it).
 */
void hxen_pkru_load_guest(struct hxen_vcpu *vcpu, u64 cr4)
{
	vcpu->pkru_live = false;
	if (!cpu_feature_enabled(X86_FEATURE_OSPKE))
		return;
	if (!(cr4 & X86_CR4_PKE) && !(vcpu->xcr0 & XFEATURE_MASK_PKRU))
		return;
	vcpu->pkru_live = true;
	vcpu->host_pkru = rdpkru();
	if (vcpu->pkru != vcpu->host_pkru)
		wrpkru(vcpu->pkru);
}

void hxen_pkru_load_host(struct hxen_vcpu *vcpu)
{
	if (!vcpu->pkru_live)
		return;
	vcpu->pkru = rdpkru();
	if (vcpu->pkru != vcpu->host_pkru)
		wrpkru(vcpu->host_pkru);
}

long hxen_get_fpu(struct hxen_vcpu *vcpu, struct kvm_fpu __user *arg)
{
	struct kvm_xsave *x = fpu_get_uabi(vcpu);
	struct fxregs_state *fx;
	struct kvm_fpu fpu;
	long r;

	if (!x)
		return -ENOMEM;
	fx = (struct fxregs_state *)x->region;
	memset(&fpu, 0, sizeof(fpu));
	memcpy(fpu.fpr, fx->st_space, sizeof(fpu.fpr));
	fpu.fcw = fx->cwd;
	fpu.fsw = fx->swd;
	fpu.ftwx = fx->twd;
	fpu.last_opcode = fx->fop;
	fpu.last_ip = fx->rip;
	fpu.last_dp = fx->rdp;
	memcpy(fpu.xmm, fx->xmm_space, sizeof(fpu.xmm));
	fpu.mxcsr = fx->mxcsr;
	kfree(x);
	r = copy_to_user(arg, &fpu, sizeof(fpu)) ? -EFAULT : 0;
	return r;
}

long hxen_set_fpu(struct hxen_vcpu *vcpu, struct kvm_fpu __user *arg)
{
	struct xstate_header *hdr;
	struct fxregs_state *fx;
	struct kvm_xsave *x;
	struct kvm_fpu fpu;
	long r;

	if (copy_from_user(&fpu, arg, sizeof(fpu)))
		return -EFAULT;
	x = fpu_get_uabi(vcpu);
	if (!x)
		return -ENOMEM;
	fx = (struct fxregs_state *)x->region;
	memcpy(fx->st_space, fpu.fpr, sizeof(fpu.fpr));
	fx->cwd = fpu.fcw;
	fx->swd = fpu.fsw;
	fx->twd = fpu.ftwx;
	fx->fop = fpu.last_opcode;
	fx->rip = fpu.last_ip;
	fx->rdp = fpu.last_dp;
	memcpy(fx->xmm_space, fpu.xmm, sizeof(fpu.xmm));
	fx->mxcsr = fpu.mxcsr;
	/* The legacy area is now in use: mark x87 and SSE state present. */
	hdr = (struct xstate_header *)(x->region + sizeof(*fx) / sizeof(u32));
	hdr->xfeatures |= XFEATURE_MASK_FP | XFEATURE_MASK_SSE;
	r = fpu_set_uabi(vcpu, x);
	kfree(x);
	return r;
}

long hxen_get_xsave(struct hxen_vcpu *vcpu, struct kvm_xsave __user *arg)
{
	struct kvm_xsave *x = fpu_get_uabi(vcpu);
	long r;

	if (!x)
		return -ENOMEM;
	r = copy_to_user(arg, x, sizeof(*x)) ? -EFAULT : 0;
	kfree(x);
	return r;
}

long hxen_set_xsave(struct hxen_vcpu *vcpu, struct kvm_xsave __user *arg)
{
	struct kvm_xsave *x = memdup_user(arg, sizeof(*x));
	long r;

	if (IS_ERR(x))
		return PTR_ERR(x);
	r = fpu_set_uabi(vcpu, x);
	kfree(x);
	return r;
}

long hxen_get_xcrs(struct hxen_vcpu *vcpu, struct kvm_xcrs __user *arg)
{
	struct kvm_xcrs xcrs;

	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
	xcrs.xcrs[0].value = vcpu->xcr0;
	return copy_to_user(arg, &xcrs, sizeof(xcrs)) ? -EFAULT : 0;
}

long hxen_set_xcrs(struct hxen_vcpu *vcpu, struct kvm_xcrs __user *arg)
{
	struct kvm_xcrs xcrs;
	u32 i;

	if (copy_from_user(&xcrs, arg, sizeof(xcrs)))
		return -EFAULT;
	if (xcrs.nr_xcrs > HXEN_MAX_XCRS || xcrs.flags)
		return -EINVAL;
	for (i = 0; i < xcrs.nr_xcrs; i++)
		if (xcrs.xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK ||
		    hxen_set_xcr0(vcpu, xcrs.xcrs[i].value))
			return -EINVAL;
	return 0;
}
