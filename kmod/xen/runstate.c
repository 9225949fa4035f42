// SPDX-License-Identifier: GPL-2.0
/*
 * Xen vCPU runstate (public/vcpu.h): the time each vCPU spent running,
 * runnable, blocked and offline, in ns of Xen system time; the guest's
 * copy (VCPUOP_register_runstate_memory_area) and VCPUOP_get_runstate_info;
 * vm_assist (VMASST_TYPE_runstate_update_flag).
 *
 * What hxen counts: running while KVM_RUN executes the guest, runnable
 * while the run loop yields its host CPU to another task (cond_resched
 * with a reschedule due: Linux's steal time), blocked while it sleeps
 * halted or in SCHEDOP_block/poll and while the vCPU is out in userspace
 * (Xen counts a vCPU waiting for its device model as blocked), offline
 * while it waits for INIT/SIPI and before its first KVM_RUN. Preemption
 * elsewhere in KVM_RUN (a preemptible kernel preempting the thread) is
 * not seen: there is no preempt notifier.
 *
 * The guest's copy is written by the vCPU's own thread at every state
 * change, through the vCPU's page tables at that moment (the area is a
 * linear address, as on Xen for HVM guests); a write that faults is
 * dropped, as on Xen. With the update-flag assist on, XEN_RUNSTATE_UPDATE
 * is set in state_entry_time around the rewrite so remote readers retry.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/spinlock.h>
#include <linux/string.h>
#include <xen/interface/xen.h>
#include <xen/interface/vcpu.h>

#include "internal.h"

/*
 * The 32-bit (compat) struct vcpu_runstate_info: uint64_t is 4-byte
 * aligned on i386, so state_entry_time follows state directly.
 */
#define RS32_ENTRY		4
#define RS32_TIME		12
#define RS32_SIZE		44
#define RS64_ENTRY		offsetof(struct vcpu_runstate_info, state_entry_time)
#define RS64_TIME		offsetof(struct vcpu_runstate_info, time)

/* Runstates a guest can be in (RUNSTATE_running .. RUNSTATE_offline). */
#define XEN_NR_RUNSTATES	4

/* VM assists an HVM guest may use (Xen's arch_vm_assist_valid_mask). */
#define XEN_VMASST_VALID_HVM	BIT(VMASST_TYPE_runstate_update_flag)

void hxen_xen_runstate_init(struct hxen_xen_vcpu *xv, u64 now)
{
	spin_lock_init(&xv->runstate_lock);
	memset(&xv->runstate, 0, sizeof(xv->runstate));
	xv->runstate.state = RUNSTATE_offline;
	xv->runstate.state_entry_time = now;
	xv->runstate_area = 0;
	xv->runstate_dirty = false;
}

size_t hxen_xen_runstate_layout(bool long_mode, const struct vcpu_runstate_info *rs, u8 *buf)
{
	BUILD_BUG_ON(sizeof(struct vcpu_runstate_info) != 48);
	/*
	 * Field by field into a zeroed buffer, never the structure as a
	 * whole: the 64-bit one has 4 bytes of padding after state, and
	 * callers' copies live on the kernel stack, whose old contents a
	 * struct assignment may leave there for the guest to read.
	 */
	memset(buf, 0, sizeof(*rs));
	if (long_mode) {
		memcpy(buf, &rs->state, 4);
		memcpy(buf + RS64_ENTRY, &rs->state_entry_time, 8);
		memcpy(buf + RS64_TIME, rs->time, sizeof(rs->time));
		return sizeof(*rs);
	}
	memcpy(buf, &rs->state, 4);
	memcpy(buf + RS32_ENTRY, &rs->state_entry_time, 8);
	memcpy(buf + RS32_TIME, rs->time, sizeof(rs->time));
	return RS32_SIZE;
}

/* The guest's copy from @rs; the vCPU's own thread. */
static void xen_runstate_publish(struct hxen_vcpu *vcpu, const struct vcpu_runstate_info *rs)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	u64 area = READ_ONCE(vcpu->xen->runstate_area);
	bool long_mode = READ_ONCE(xen->long_mode);
	u64 entry_la = area + (long_mode ? RS64_ENTRY : RS32_ENTRY);
	u8 buf[sizeof(struct vcpu_runstate_info)];
	size_t len;
	u64 entry;

	if (!area)
		return;
	len = hxen_xen_runstate_layout(long_mode, rs, buf);
	if (!test_bit(VMASST_TYPE_runstate_update_flag, &xen->vm_assist)) {
		hxen_xen_write_guest(vcpu, area, buf, len);
		return;
	}
	/* Flag up, everything (flag still up), flag down: readers retry in between. */
	entry = rs->state_entry_time | XEN_RUNSTATE_UPDATE;
	if (hxen_xen_write_guest(vcpu, entry_la, &entry, sizeof(entry)))
		return;
	smp_wmb();
	memcpy(buf + (long_mode ? RS64_ENTRY : RS32_ENTRY), &entry, sizeof(entry));
	hxen_xen_write_guest(vcpu, area, buf, len);
	smp_wmb();
	entry = rs->state_entry_time;
	hxen_xen_write_guest(vcpu, entry_la, &entry, sizeof(entry));
}

void __hxen_xen_runstate(struct hxen_vcpu *vcpu, int state)
{
	struct hxen_xen_vcpu *xv = vcpu->xen;
	struct vcpu_runstate_info rs;
	u64 now = hxen_xen_now(vcpu->vm->xen);
	bool dirty = READ_ONCE(xv->runstate_dirty);

	spin_lock(&xv->runstate_lock);
	if (xv->runstate.state == state && !dirty) {
		spin_unlock(&xv->runstate_lock);
		return;
	}
	if (xv->runstate.state != state) {
		if (now > xv->runstate.state_entry_time)
			xv->runstate.time[xv->runstate.state] +=
				now - xv->runstate.state_entry_time;
		xv->runstate.state = state;
		xv->runstate.state_entry_time = now;
	}
	rs = xv->runstate;
	spin_unlock(&xv->runstate_lock);
	if (dirty)
		WRITE_ONCE(xv->runstate_dirty, false);
	xen_runstate_publish(vcpu, &rs);
}

/* VCPUOP_get_runstate_info: the current state's time counts up to now. */
void hxen_xen_runstate_get(struct hxen_xen *xen, struct hxen_xen_vcpu *xv,
			   struct vcpu_runstate_info *out)
{
	u64 now = hxen_xen_now(xen);

	spin_lock(&xv->runstate_lock);
	*out = xv->runstate;
	spin_unlock(&xv->runstate_lock);
	if ((u32)out->state < XEN_NR_RUNSTATES && now > out->state_entry_time)
		out->time[out->state] += now - out->state_entry_time;
}

/*
 * VCPUOP_register_runstate_memory_area for the vCPU of @xv, from @caller's
 * hypercall, under xen->lock. Xen checks nothing about the address (for
 * HVM guests any handle is "okay") and 0 turns the copy off; the copy is
 * written at once when the vCPU registers its own area, else by the
 * target at its next state change.
 */
void hxen_xen_runstate_register(struct hxen_vcpu *caller, struct hxen_xen_vcpu *xv, u64 area)
{
	struct vcpu_runstate_info rs;

	lockdep_assert_held(&caller->vm->xen->lock);
	WRITE_ONCE(xv->runstate_area, area);
	if (xv != caller->xen) {
		WRITE_ONCE(xv->runstate_dirty, true);
		return;
	}
	spin_lock(&xv->runstate_lock);
	rs = xv->runstate;
	spin_unlock(&xv->runstate_lock);
	xen_runstate_publish(caller, &rs);
}

/* vm_assist(cmd, type): Xen's checks, type first. */
long hxen_xen_vm_assist(struct hxen_xen *xen, u64 cmd, u64 type)
{
	if (type >= BITS_PER_LONG || !(XEN_VMASST_VALID_HVM & BIT(type)))
		return -EINVAL;
	switch (cmd) {
	case VMASST_CMD_enable:
		set_bit(type, &xen->vm_assist);
		return 0;
	case VMASST_CMD_disable:
		clear_bit(type, &xen->vm_assist);
		return 0;
	default:
		return -ENOSYS;
	}
}
