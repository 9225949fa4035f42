/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HXEN_XEN_HOOKS_H
#define HXEN_XEN_HOOKS_H

#include "../hxen.h"

/*
 * xen/: the guest-facing Xen ABI of VMs that enabled it (HXEN_XEN_ENABLE).
 * Every hook below is called only when vm->xen / vcpu->xen is set.
 */
struct hxen_xen;
struct hxen_xen_vcpu;
long hxen_xen_enable(struct hxen_vm *vm, struct hxen_xen_config __user *arg);
/* VM teardown, first (vCPUs still there): Xen timers stop, links to other VMs are cut. */
void hxen_xen_vm_stop(struct hxen_vm *vm, struct hxen_xen *xen);
/* VM teardown, after the vCPUs and the second-level tables are gone. */
void hxen_xen_vm_free(struct hxen_vm *vm);
/* HXEN_XEN_SET_MEMORY_MAP, _EVTCHN_EVENTFD, _CONSOLE_INPUT, _SET_PARAM. */
long hxen_xen_vm_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp);
/* KVM_CREATE_VCPU, under vm->lock: the vCPU's Xen state (NULL without Xen). */
struct hxen_xen_vcpu *hxen_xen_vcpu_attach(struct hxen_vm *vm, struct hxen_vcpu *vcpu);
/* VMCALL/VMMCALL, RIP already past it: HXEN_RESUME or HXEN_USER. */
int hxen_xen_hypercall(struct hxen_vcpu *vcpu);
/* CPUID leaves 0x40000000-0x400000ff: true if answered. */
bool hxen_xen_cpuid(struct hxen_vcpu *vcpu, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
		    u32 *ecx, u32 *edx);
/* The hypercall-page MSR: true if @msr is it; *r is 0 or -EINVAL (#GP). */
bool hxen_xen_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, int *r);
/*
 * Interrupts off, right before entry: refresh PV time if due and inject
 * the callback vector if an upcall is pending. True if the entry's one
 * interrupt slot is used (injected, or a window requested).
 */
bool hxen_xen_inject(struct hxen_vcpu *vcpu);
/* HLT / blocking: an upcall the guest can take now is pending (any vCPU). */
bool hxen_xen_upcall_ready(struct hxen_vcpu *vcpu);
/*
 * The vCPU's own thread, preemptible: its Xen runstate is now @state
 * (RUNSTATE_running in KVM_RUN, _blocked when halted or out to userspace,
 * _offline while waiting for INIT/SIPI).
 */
void __hxen_xen_runstate(struct hxen_vcpu *vcpu, int state);
static inline void hxen_xen_runstate(struct hxen_vcpu *vcpu, int state)
{
	if (vcpu->xen)
		__hxen_xen_runstate(vcpu, state);
}
/*
 * Xen VCPUOP_up/down (xen/vcpu_up.c). Xen's up/down state of a vCPU with
 * an in-kernel LAPIC is changed at once by any vCPU's hypercall; the
 * vCPU's own thread makes its mp_state follow it (down: UNINITIALIZED,
 * waiting in KVM_RUN) and loads a VCPUOP_initialise context:
 *  - hxen_xen_vcpu_stale: lockless; true when Xen's state and mp_state
 *    disagree, so the run loop must not enter the guest (or must wake
 *    from its wait) and call hxen_xen_vcpu_sync first.
 *  - hxen_xen_vcpu_sync: under the vCPU's mutex (its KVM_RUN,
 *    KVM_GET_MP_STATE), preemptible.
 *  - hxen_xen_vcpu_mp_changed: under the vCPU's mutex, mp_state changed
 *    (INIT/SIPI accepted, KVM_SET_MP_STATE); @reset: an INIT, which
 *    drops a VCPUOP_initialise context as Xen's vcpu_reset does.
 */
bool __hxen_xen_vcpu_stale(struct hxen_vcpu *vcpu);
void __hxen_xen_vcpu_sync(struct hxen_vcpu *vcpu);
void __hxen_xen_vcpu_mp_changed(struct hxen_vcpu *vcpu, bool reset);
static inline bool hxen_xen_vcpu_stale(struct hxen_vcpu *vcpu)
{
	return vcpu->xen && __hxen_xen_vcpu_stale(vcpu);
}

static inline void hxen_xen_vcpu_sync(struct hxen_vcpu *vcpu)
{
	if (vcpu->xen)
		__hxen_xen_vcpu_sync(vcpu);
}

static inline void hxen_xen_vcpu_mp_changed(struct hxen_vcpu *vcpu, bool reset)
{
	if (vcpu->xen)
		__hxen_xen_vcpu_mp_changed(vcpu, reset);
}

#endif /* HXEN_XEN_HOOKS_H */
