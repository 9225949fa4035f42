// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: KVM_CREATE_VCPU, the mmap'ed struct kvm_run, kicks and wakeups,
 * halting, and the run loop (KVM_RUN; the other vCPU ioctls are in
 * vcpu_ioctl.c). The loop enters the guest through the vendor ops and goes
 * back to userspace only for what userspace must see (I/O, MMIO, HLT
 * without an in-kernel irqchip, shutdown, failures) or a pending signal.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/kvm_para.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/nospec-branch.h>
#include <asm/tsc.h>
#include <xen/interface/xen.h>
#include <xen/interface/vcpu.h>

#include "hxen.h"
#include "vendor.h"
#include "x86/x86.h"
#include "x86/emulate/mmio.h"
#include "xen/hooks.h"
#include "x86/irqchip/irqchip.h"
#include "x86/irqchip/lapic.h"

static void hxen_kick_nop(void *unused)
{
}

/*
 * Force the vCPU out of guest mode, waiting until it is out. Pairs with
 * the smp_mb() between setting IN_GUEST_MODE and the last request check.
 */
void hxen_vcpu_kick(struct hxen_vcpu *vcpu)
{
	int cpu;

	smp_mb__after_atomic();
	if (READ_ONCE(vcpu->mode) != IN_GUEST_MODE)
		return;
	cpu = READ_ONCE(vcpu->cpu);
	if (cpu >= 0 && cpu != raw_smp_processor_id())
		smp_call_function_single(cpu, hxen_kick_nop, NULL, 1);
}

int hxen_handle_hlt(struct hxen_vcpu *vcpu)
{
	if (!vcpu->lapic) {
		vcpu->run->exit_reason = KVM_EXIT_HLT;
		return HXEN_USER;
	}
	/* With an in-kernel LAPIC the run loop sleeps until an event is due. */
	if (!(vcpu->nmi_pending && hxen_ops->nmi_allowed(vcpu)) &&
	    !hxen_lapic_interrupt_ready(vcpu) && !hxen_xen_upcall_ready(vcpu))
		vcpu->mp_state = KVM_MP_STATE_HALTED;
	return HXEN_RESUME;
}

/*
 * Any context (hardirq too): the vCPU's LAPIC or PIC input changed. A
 * sleeping KVM_RUN wakes up; a vCPU in guest mode on another CPU gets an
 * IPI so it exits and re-evaluates. No lost wakeups: the caller changed
 * the state first, and the run loop reads it after its mode write and
 * smp_mb(), before entry (like the request check).
 */
void hxen_vcpu_wake(struct hxen_vcpu *vcpu)
{
	int cpu;

	smp_mb();
	if (READ_ONCE(vcpu->mode) == IN_GUEST_MODE) {
		cpu = READ_ONCE(vcpu->cpu);
		if (cpu >= 0 && cpu != raw_smp_processor_id() && cpu_online(cpu))
			smp_send_reschedule(cpu);
	}
	rcuwait_wake_up(&vcpu->wait);
}

/*
 * A PAUSE-loop exit: the guest spins, most likely on a lock or on an IPI
 * whose owner is another vCPU that the host preempted (more vCPUs than
 * host CPUs). Give the CPU to a thread of this VM that could run but does
 * not, so the owner gets on; true if one took it. Round robin from the
 * last one helped, as two spinners helping each other would not.
 */
bool hxen_vcpu_on_spin(struct hxen_vcpu *vcpu)
{
	struct hxen_vm *vm = vcpu->vm;
	int start = READ_ONCE(vm->last_boosted), k;

	if (atomic_read(&vm->nr_vcpus) < 2)
		return false;
	for (k = 1; k <= HXEN_MAX_VCPUS; k++) {
		int i = (start + k) % HXEN_MAX_VCPUS, r;
		struct hxen_vcpu *v = READ_ONCE(vm->vcpus[i]);
		struct task_struct *task;

		/* In guest mode it is running already; halted ones cannot. */
		if (!v || v == vcpu || READ_ONCE(v->mode) == IN_GUEST_MODE)
			continue;
		rcu_read_lock();
		task = get_pid_task(rcu_dereference(v->pid), PIDTYPE_PID);
		rcu_read_unlock();
		if (!task)
			continue;
		r = yield_to(task, true);
		put_task_struct(task);
		if (r > 0) {
			WRITE_ONCE(vm->last_boosted, i);
			return true;
		}
	}
	return false;
}

/*
 * KVM_RUN from a thread other than the last one: the yield target moves.
 * put_pid frees at once, so readers must be out first (rare: a VMM moving
 * a vCPU to another thread).
 */
static void vcpu_note_thread(struct hxen_vcpu *vcpu)
{
	struct pid *old = rcu_dereference_protected(vcpu->pid, lockdep_is_held(&vcpu->mutex));

	if (likely(old == task_pid(current)))
		return;
	rcu_assign_pointer(vcpu->pid, get_task_pid(current, PIDTYPE_PID));
	if (old) {
		synchronize_rcu();
		put_pid(old);
	}
}

/*
 * With a LAPIC, on the vCPU's thread: act on INIT/SIPI/NMI, then make
 * mp_state follow a Xen VCPUOP_up/down (after the LAPIC, whose INIT and
 * SIPI update Xen's view first).
 */
void hxen_vcpu_accept_events(struct hxen_vcpu *vcpu)
{
	hxen_lapic_accept_events(vcpu);
	hxen_xen_vcpu_sync(vcpu);
}

/*
 * With a LAPIC: accept events, then sleep while the vCPU is halted, waits
 * for INIT/SIPI or is down (Xen). -EINTR on a signal (the MP state is kept).
 */
static int vcpu_block(struct hxen_vcpu *vcpu)
{
	int r;

	for (;;) {
		hxen_vcpu_accept_events(vcpu);
		/* A Xen callback-vector upcall (xen/xen.c) ends HLT too. */
		if (vcpu->mp_state == KVM_MP_STATE_HALTED && hxen_xen_upcall_ready(vcpu))
			vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
		if (vcpu->mp_state == KVM_MP_STATE_RUNNABLE)
			return 0;
		hxen_xen_runstate(vcpu, vcpu->mp_state == KVM_MP_STATE_HALTED ?
				  RUNSTATE_blocked : RUNSTATE_offline);
		r = rcuwait_wait_event(&vcpu->wait, hxen_lapic_has_wake_event(vcpu) ||
				       hxen_xen_vcpu_stale(vcpu) ||
				       (vcpu->mp_state == KVM_MP_STATE_HALTED &&
					hxen_xen_upcall_ready(vcpu)),
				       TASK_INTERRUPTIBLE);
		hxen_xen_runstate(vcpu, RUNSTATE_running);
		if (r)
			return -EINTR;
	}
}


/*
 * Deliver what userspace queued, as soon as the guest can take it; else
 * ask for an exit when it can. Interrupts are off; the vCPU is loaded.
 */
static void vcpu_inject_events(struct hxen_vcpu *vcpu)
{
	if (vcpu->nmi_pending && hxen_ops->nmi_allowed(vcpu)) {
		hxen_ops->inject_nmi(vcpu);
		vcpu->nmi_pending = false;
	}
	/* KVM_GUESTDBG_BLOCKIRQ: interrupts wait while a debugger steps. */
	if (unlikely(vcpu->guest_debug & KVM_GUESTDBG_BLOCKIRQ))
		return;
	/* Xen: PV time refresh, the callback vector ahead of the LAPIC (xen/). */
	if (vcpu->xen && hxen_xen_inject(vcpu))
		return;
	if (vcpu->lapic) {
		hxen_lapic_inject(vcpu);
		return;
	}
	if (vcpu->irq_vector < 0 && !vcpu->run->request_interrupt_window)
		return;
	if (vcpu->irq_vector >= 0 && hxen_ops->interrupt_allowed(vcpu)) {
		hxen_ops->inject_irq(vcpu, vcpu->irq_vector);
		vcpu->irq_vector = -1;
	} else {
		hxen_ops->enable_irq_window(vcpu);
	}
}

static bool vcpu_ready_for_interrupt(struct hxen_vcpu *vcpu)
{
	return vcpu->irq_vector < 0 && hxen_ops->interrupt_allowed(vcpu);
}

/* What every exit to userspace reports besides the exit itself. */
static void vcpu_fill_run(struct hxen_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(hxen_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
	run->cr8 = hxen_ops->get_cr8(vcpu);
	run->apic_base = vcpu->apic_base;
	/* With an in-kernel irqchip userspace never injects: always 1 (KVM). */
	run->ready_for_interrupt_injection = vcpu->lapic || vcpu_ready_for_interrupt(vcpu);
}

void hxen_guest_debugregs_used(struct hxen_vcpu *vcpu)
{
	vcpu->db_active = true;
}

/*
 * Interrupts off, right before entry: the guest's DR0-3 into the CPU. The
 * host's DR7 goes off first, so its breakpoints never match the guest's
 * addresses in between (entry loads the guest's DR7; DR6 is the vendor's).
 */
static void vcpu_load_debugregs(struct hxen_vcpu *vcpu)
{
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	set_debugreg(vcpu->db[0], 0);
	set_debugreg(vcpu->db[1], 1);
	set_debugreg(vcpu->db[2], 2);
	set_debugreg(vcpu->db[3], 3);
}

static void vcpu_save_debugregs(struct hxen_vcpu *vcpu)
{
	get_debugreg(vcpu->db[0], 0);
	get_debugreg(vcpu->db[1], 1);
	get_debugreg(vcpu->db[2], 2);
	get_debugreg(vcpu->db[3], 3);
}

/*
 * The VM whose guest ran last on this CPU (its id; 0: none). Another VM's
 * guest gets an IBPB first (where the kernel uses IBPB at all), so one
 * guest's branch predictions never steer another's, as KVM does when it
 * switches VMCS/VMCB. Guests of one VM share them, as their vCPUs would.
 */
static DEFINE_PER_CPU(u64, hxen_last_vm);

static void vcpu_switch_vm(struct hxen_vcpu *vcpu)
{
	if (likely(this_cpu_read(hxen_last_vm) == vcpu->vm->id))
		return;
	this_cpu_write(hxen_last_vm, vcpu->vm->id);
	/* With IBPB after every exit (AMD SRSO), the barrier is there already. */
	if (!cpu_feature_enabled(X86_FEATURE_IBPB_ON_VMEXIT))
		indirect_branch_prediction_barrier();
}

/*
 * L1TF (vmx.c flushes L1D before entry where the CPU needs it): anything
 * else that ran on this CPU may have left secrets in L1D. A context switch
 * of the vCPU's thread (preemption, a halt, a yield, a move to another
 * CPU) since the last entry counts; interrupts are counted by the kernel
 * (kvm_get_cpu_l1tf_flush_l1d), heavy exits by the vendor.
 */
static void vcpu_note_switches(struct hxen_vcpu *vcpu, unsigned long *switches)
{
	unsigned long n = current->nvcsw + current->nivcsw;

	if (n != *switches) {
		vcpu->l1d_flush = true;
		*switches = n;
	}
}

static bool vcpu_must_leave(void)
{
	return need_resched() || signal_pending(current);
}

/* Finish what the last exit to userspace left open: an IN, an MMIO read. */
static int vcpu_complete_userspace_exit(struct hxen_vcpu *vcpu)
{
	int r = hxen_complete_pio(vcpu);

	if (r == HXEN_RESUME)
		r = hxen_complete_mmio(vcpu);
	return r;
}

int hxen_vcpu_run(struct hxen_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	unsigned long switches = 0;
	int r, cpu;

	/*
	 * With the LAPIC in userspace, its TPR comes in as CR8 at every
	 * KVM_RUN (and goes out in run->cr8 at every exit), as on KVM.
	 */
	if (!vcpu->lapic) {
		u64 cr8 = READ_ONCE(run->cr8);

		if (cr8 > 15) {
			/* Every return from KVM_RUN leaves the run page current (KVM too). */
			vcpu_fill_run(vcpu);
			return -EINVAL;
		}
		hxen_ops->set_cr8(vcpu, cr8);
	}
	r = vcpu_complete_userspace_exit(vcpu);
	if (r != HXEN_RESUME) {
		vcpu_fill_run(vcpu);
		return r < 0 ? r : 0;
	}
	/*
	 * After completing what the last exit left open, as KVM: the exit
	 * reason stays as it was (KVM's selftests read a ucall's I/O exit
	 * again after completing it this way).
	 */
	/*
	 * What the run page reports must be current here too: userspace
	 * reads ready_for_interrupt_injection after this -EINTR like after
	 * any exit. A stale 1 with a KVM_INTERRUPT still queued made QEMU
	 * (kernel-irqchip=off) queue the next one over it: the first was
	 * lost with its vector in QEMU's APIC in service for good, and the
	 * serial console's interrupt behind it never came again.
	 */
	if (READ_ONCE(run->immediate_exit)) {
		vcpu_fill_run(vcpu);
		return -EINTR;
	}

	vcpu_note_thread(vcpu);
	vcpu->has_run = true;
	/* Userspace ran since the last entry (KVM does the same). */
	vcpu->l1d_flush = true;
	if (vcpu->sigset_active)
		sigprocmask(SIG_SETMASK, &vcpu->sigset, &current->real_blocked);
	/* Xen runstate: out in userspace counts as blocked (Xen: waiting on a device model). */
	hxen_xen_runstate(vcpu, RUNSTATE_running);
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		if (test_and_clear_bit(HXEN_REQ_TRIPLE_FAULT, &vcpu->requests)) {
			run->exit_reason = KVM_EXIT_SHUTDOWN;
			r = HXEN_USER;
			break;
		}
		if (unlikely(vcpu->singlestep_done)) {
			r = hxen_guest_debug_step_exit(vcpu);
			break;
		}
		if (vcpu->lapic && vcpu_block(vcpu)) {
			run->exit_reason = KVM_EXIT_INTR;
			r = -EINTR;
			break;
		}
		if (need_resched()) {
			/* Xen runstate: waiting for a host CPU is "runnable" (steal time). */
			hxen_xen_runstate(vcpu, RUNSTATE_runnable);
			cond_resched();
			hxen_xen_runstate(vcpu, RUNSTATE_running);
		}
		if (vcpu->kvmclock.msr)
			hxen_kvmclock_refresh(vcpu);
		if (vcpu->steal.msr)
			hxen_steal_time_record(vcpu);
		if (vcpu->pv_eoi.msr & KVM_MSR_ENABLED)
			hxen_pv_eoi_prepare(vcpu);

		preempt_disable();
		cpu = smp_processor_id();
		if (vcpu->cpu != cpu) {
			hxen_ops->vcpu_load(vcpu, cpu);
			WRITE_ONCE(vcpu->cpu, cpu);
		}
		local_irq_disable();
		/* Guest FPU registers must be live in the CPU, not in memory. */
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		WRITE_ONCE(vcpu->mode, IN_GUEST_MODE);
		smp_mb();
		/* A Xen VCPUOP_down since vcpu_block: back there (pairs with hxen_vcpu_wake). */
		if (vcpu_must_leave() || hxen_xen_vcpu_stale(vcpu)) {
			WRITE_ONCE(vcpu->mode, OUTSIDE_GUEST_MODE);
			local_irq_enable();
			preempt_enable();
			continue;
		}
		vcpu_inject_events(vcpu);
		if (vcpu->db_active)
			vcpu_load_debugregs(vcpu);
		vcpu_switch_vm(vcpu);
		vcpu_note_switches(vcpu, &switches);
		hxen_tsc_aux_load(vcpu);
		r = hxen_ops->vcpu_run(vcpu);
		/*
		 * VMSCAPE: the guest may have trained branch predictions the
		 * VMM would use; the kernel issues an IBPB before this CPU
		 * next returns to user mode, where it needs that.
		 */
		if (cpu_feature_enabled(X86_FEATURE_IBPB_EXIT_TO_USER))
			this_cpu_write(x86_ibpb_exit_to_user, true);
		if (vcpu->db_active)
			vcpu_save_debugregs(vcpu);
		/* World switches reset DR7 (and DR6): give the host its breakpoints back. */
		if (hw_breakpoint_active())
			hw_breakpoint_restore();
		WRITE_ONCE(vcpu->mode, OUTSIDE_GUEST_MODE);
		local_irq_enable();
		preempt_enable();
		if (vcpu->pv_eoi.armed)
			hxen_pv_eoi_sync(vcpu);
		if (r == HXEN_RESUME)
			r = hxen_ops->handle_exit(vcpu);
		if (r != HXEN_RESUME)
			break;
		/* Userspace asked to hear when it may inject (KVM ABI). */
		if (run->request_interrupt_window && !vcpu->lapic &&
		    vcpu_ready_for_interrupt(vcpu)) {
			run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
			r = HXEN_USER;
			break;
		}
	}
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
	hxen_xen_runstate(vcpu, RUNSTATE_blocked);
	if (vcpu->sigset_active) {
		sigprocmask(SIG_SETMASK, &current->real_blocked, NULL);
		sigemptyset(&current->real_blocked);
	}
	vcpu_fill_run(vcpu);
	return r < 0 ? r : 0;
}


static int hxen_vcpu_release(struct inode *inode, struct file *filp)
{
	struct hxen_vcpu *vcpu = filp->private_data;

	hxen_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations hxen_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = hxen_vcpu_release,
	.unlocked_ioctl = hxen_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = hxen_vcpu_mmap,
	.llseek = noop_llseek,
};

int hxen_create_vcpu(struct hxen_vm *vm, unsigned long id)
{
	struct hxen_vcpu *vcpu;
	struct file *file;
	int r, fd;

	if (id >= HXEN_MAX_VCPUS)
		return -EINVAL;
	if (!hxen_ops->vcpu_run) {
		pr_info_once("running vCPUs on %s is not implemented yet\n", hxen_ops->name);
		return -EOPNOTSUPP;
	}

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->irq_vector = -1;
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
	/* As on KVM: every bank there, reporting off, until KVM_X86_SETUP_MCE. */
	vcpu->mce.cap = HXEN_MCE_BANKS;
	vcpu->tsc_khz = tsc_khz;
	rcuwait_init(&vcpu->wait);
	mutex_init(&vcpu->mutex);
	r = hxen_vcpu_pages_alloc(vcpu);
	if (r)
		goto free_vcpu;
	r = hxen_view_alloc(vcpu);
	if (r)
		goto free_run;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu)) {
		r = -ENOMEM;
		goto free_run;
	}
	r = hxen_ops->vcpu_create(vcpu);
	if (r)
		goto free_fpu;

	mutex_lock(&vm->lock);
	if (vm->max_vcpu_ids && id >= vm->max_vcpu_ids) {
		r = -EINVAL;
		goto unlock;
	}
	if (vm->vcpus[id]) {
		r = -EEXIST;
		goto unlock;
	}
	/*
	 * With an in-kernel irqchip: a LAPIC; APs wait for INIT and SIPI.
	 * Decided under vm->lock, which KVM_CREATE_IRQCHIP also takes, so a
	 * vCPU never lands in an irqchip VM without a LAPIC.
	 */
	if (hxen_irqchip_in_kernel(vm)) {
		r = hxen_lapic_create(vcpu);
		if (r)
			goto unlock;
		if (id != 0)
			vcpu->mp_state = KVM_MP_STATE_UNINITIALIZED;
	}
	/*
	 * The descriptor is reserved and its file made now, but installed
	 * only once the vCPU is complete and published: userspace cannot
	 * reach a half-made vCPU through a guessed fd number.
	 */
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto unlock;
	}
	refcount_inc(&vm->users);
	file = anon_inode_getfile("hxen-vcpu", &hxen_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		refcount_dec(&vm->users);
		put_unused_fd(fd);
		r = PTR_ERR(file);
		goto unlock;
	}
	/*
	 * Its Xen state, if the VM enabled Xen (fixed before any vCPU).
	 * hxen_xen_vcpu_attach sets vcpu->xen before other vCPUs' hypercalls
	 * can find the vCPU in xen->vcpus[]; nothing fails from here on.
	 */
	vcpu->xen = hxen_xen_vcpu_attach(vm, vcpu);
	/* Everything above is visible before the pointer (lockless readers). */
	smp_store_release(&vm->vcpus[id], vcpu);
	atomic_inc(&vm->nr_vcpus);
	atomic_inc(&hxen_live_vcpus);
	mutex_unlock(&vm->lock);
	fd_install(fd, file);
	return fd;

unlock:
	mutex_unlock(&vm->lock);
	hxen_lapic_free(vcpu);
	hxen_ops->vcpu_free(vcpu);
free_fpu:
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
free_run:
	hxen_view_free(vcpu);
	hxen_vcpu_pages_free(vcpu);
free_vcpu:
	kfree(vcpu);
	return r;
}
