// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects and their file descriptors (KVM_CREATE_VM); guest memory slots
 * (KVM_SET_USER_MEMORY_REGION) are in mmu/memslot.c. A VM holds the hardware virtualization
 * reference while it lives; the VM fd and every vCPU fd hold the VM, and
 * the last one closed frees everything.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/ktime.h>
#include <linux/uaccess.h>

#include "hxen.h"
#include "vendor.h"
#include "mmu/mmu.h"
#include "x86/x86.h"
#include "x86/irqchip/irqchip.h"
#include "xen/hooks.h"
#include "x86/irqchip/lapic.h"
#include "x86/emulate/mmio.h"

atomic_t hxen_live_vms = ATOMIC_INIT(0);
atomic_t hxen_live_vcpus = ATOMIC_INIT(0);
/* VM ids, never reused while the module is loaded (vcpu.c: IBPB between VMs). */
static atomic64_t hxen_vm_ids = ATOMIC64_INIT(0);

struct page *hxen_alloc_page(void)
{
	struct page *page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);

	if (page)
		atomic64_inc(&hxen_live_pages);
	return page;
}

void hxen_free_page(struct page *page)
{
	__free_page(page);
	atomic64_dec(&hxen_live_pages);
}

/*
 * KVM_CHECK_EXTENSION, on /dev/hxen and on VM descriptors. Report only what
 * is implemented: userspace (QEMU) keys its behaviour on these answers.
 */
long hxen_check_extension(long cap)
{
	/* A backend that cannot run vCPUs yet offers no more than VMs. */
	if (!hxen_ops->vcpu_run)
		return cap == KVM_CAP_CHECK_EXTENSION_VM;

	switch (cap) {
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_USER_MEMORY:
	/* Semantics of the old memory API KVM always has; QEMU requires them. */
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_SYNC_MMU:
		return 1;
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_TSC_DEADLINE_TIMER:	/* in-kernel LAPIC, x86/irqchip/lapic.c */
	case KVM_CAP_MP_STATE:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_SET_GUEST_DEBUG:		/* x86/guest_debug.c */
	case KVM_CAP_X86_ROBUST_SINGLESTEP:
	case KVM_CAP_GET_TSC_KHZ:
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:
		return 1;
	case KVM_CAP_MCE:			/* x86/mce.c */
		return HXEN_MCE_BANKS;
	case KVM_CAP_SET_GUEST_DEBUG2:
		return HXEN_GUESTDBG_VALID;
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	/* In-kernel PIC, IOAPIC, PIT, GSI routing and MSIs (x86/irqchip/irq.c). */
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_IOAPIC_POLARITY_IGNORED:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		return HXEN_MAX_IRQ_ROUTES;
	case KVM_CAP_ADJUST_CLOCK:		/* kvm-clock, x86/kvmclock.c */
		return hxen_kvmclock_cap();
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:	/* mmu/dirty.c */
		return KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET;
	case KVM_CAP_NR_MEMSLOTS:
		return HXEN_MAX_MEMSLOTS;
	case KVM_CAP_NR_VCPUS:
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return HXEN_MAX_VCPUS;
	default:
		return 0;
	}
}

/*
 * KVM_ENABLE_CAP on a VM: manual dirty-log protection (mmu/dirty.c), the
 * highest vCPU id (once, as KVM: the same value again is accepted); the
 * others KVM has (exception payloads, exit controls, split irqchip, ...)
 * are refused, checked as KVM does so a bad call gets the same errno.
 */
static long hxen_vm_enable_cap(struct hxen_vm *vm, struct kvm_enable_cap __user *argp)
{
	struct kvm_enable_cap cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	if (cap.flags)
		return -EINVAL;
	switch (cap.cap) {
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return hxen_dirty_enable_manual_protect(vm, cap.args[0]);
	case KVM_CAP_MAX_VCPU_ID: {
		long r = -EINVAL;

		if (cap.args[0] > HXEN_MAX_VCPUS)
			return -EINVAL;
		mutex_lock(&vm->lock);
		if (vm->max_vcpu_ids == cap.args[0] || !vm->max_vcpu_ids) {
			vm->max_vcpu_ids = cap.args[0];
			r = 0;
		}
		mutex_unlock(&vm->lock);
		return r;
	}
	default:
		return -EINVAL;
	}
}

/* KVM's minimum for KVM_SET_NR_MMU_PAGES (KVM_MIN_ALLOC_MMU_PAGES). */
#define HXEN_MIN_MMU_PAGES	64

static long hxen_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct hxen_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vm->mm != current->mm)
		return -EIO;
	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return hxen_check_extension(arg);
	case KVM_SET_USER_MEMORY_REGION: {
		struct kvm_userspace_memory_region m;

		if (copy_from_user(&m, argp, sizeof(m)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		r = hxen_set_memory_region(vm, &m);
		mutex_unlock(&vm->lock);
		return r;
	}
	case KVM_GET_DIRTY_LOG: {
		struct kvm_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		return hxen_get_dirty_log(vm, &log);
	}
	case KVM_CLEAR_DIRTY_LOG: {
		struct kvm_clear_dirty_log log;

		if (copy_from_user(&log, argp, sizeof(log)))
			return -EFAULT;
		return hxen_clear_dirty_log(vm, &log);
	}
	case KVM_CREATE_VCPU:
		return hxen_create_vcpu(vm, arg);
	case KVM_ENABLE_CAP:
		return hxen_vm_enable_cap(vm, argp);
	case KVM_SET_NR_MMU_PAGES:
		/*
		 * A bound on shadow page tables. Two-dimensional paging has
		 * none to bound; kept (and checked) as KVM does, for QEMU's
		 * -machine kvm-shadow-mem and KVM_GET_NR_MMU_PAGES.
		 */
		if (arg < HXEN_MIN_MMU_PAGES)
			return -EINVAL;
		WRITE_ONCE(vm->nr_mmu_pages, arg);
		return 0;
	case KVM_GET_NR_MMU_PAGES:
		return READ_ONCE(vm->nr_mmu_pages);
	case HXEN_XEN_ENABLE:
		return hxen_xen_enable(vm, argp);
	case HXEN_XEN_SET_MEMORY_MAP:
	case HXEN_XEN_EVTCHN_EVENTFD:
	case HXEN_XEN_CONSOLE_INPUT:
	case HXEN_XEN_SET_PARAM:
		return hxen_xen_vm_ioctl(vm, ioctl, argp);
	case KVM_GET_CLOCK:
		return hxen_kvmclock_get(vm, argp);
	case KVM_SET_CLOCK:
		return hxen_kvmclock_set(vm, argp);
	case KVM_SET_TSS_ADDR:
		/*
		 * KVM on VMX needs these pages for real mode without
		 * unrestricted guest; hxen requires unrestricted guest, so
		 * they are unused. Accepted (QEMU fails without them) with
		 * KVM's check: three pages below 4 GiB.
		 */
		return arg > 0xffffffffUL - 3 * PAGE_SIZE ? -EINVAL : 0;
	case KVM_SET_IDENTITY_MAP_ADDR: {
		u64 addr;

		/* The same: KVM's EPT identity map for unpaged guests. */
		return copy_from_user(&addr, argp, sizeof(addr)) ? -EFAULT : 0;
	}
	default:
		/* In-kernel irqchip and PIT ioctls (x86/irqchip/irq.c), else -ENOTTY. */
		return hxen_irq_vm_ioctl(vm, ioctl, argp);
	}
}

static void hxen_vm_destroy(struct hxen_vm *vm)
{
	int i;

	/* Device timers (PIT) stop before the vCPUs they interrupt go. */
	hxen_irq_vm_stop(vm);
	/* So do its Xen timers, and other VMs' and host eventfds' channels into it. */
	hxen_xen_vm_stop(vm, vm->xen);
	for (i = 0; i < HXEN_MAX_VCPUS; i++) {
		struct hxen_vcpu *vcpu = vm->vcpus[i];

		if (!vcpu)
			continue;
		hxen_lapic_free(vcpu);
		hxen_ops->vcpu_free(vcpu);
		hxen_tdp_vcpu_free(vcpu);
		/* No vCPU runs any more: no reader of pid is left. */
		put_pid(rcu_dereference_protected(vcpu->pid, true));
		fpu_free_guest_fpstate(&vcpu->guest_fpu);
		hxen_vcpu_pages_free(vcpu);
		hxen_view_free(vcpu);
		kvfree(vcpu->cpuid);
		kfree(vcpu);
		atomic_dec(&hxen_live_vcpus);
	}
	if (vm->mmu_notifier.ops)
		mmu_notifier_unregister(&vm->mmu_notifier, vm->mm);
	if (vm->vendor && hxen_ops->vm_destroy)
		hxen_ops->vm_destroy(vm);
	hxen_tdp_destroy(vm);
	hxen_dirty_vm_free(vm);
	hxen_irq_vm_free(vm);
	/* After the tables: they may map its shared_info page. */
	hxen_xen_vm_free(vm);
	mmdrop(vm->mm);
	kfree(vm);
	atomic_dec(&hxen_live_vms);
	hxen_virt_put();
}

void hxen_vm_put(struct hxen_vm *vm)
{
	if (refcount_dec_and_test(&vm->users))
		hxen_vm_destroy(vm);
}

static int hxen_vm_release(struct inode *inode, struct file *filp)
{
	hxen_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations hxen_vm_fops = {
	.owner = THIS_MODULE,
	.release = hxen_vm_release,
	.unlocked_ioctl = hxen_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

int hxen_create_vm(unsigned long type)
{
	struct hxen_vm *vm;
	int r, fd;

	/* x86 has one machine type, 0 (KVM_X86_DEFAULT_VM). */
	if (type)
		return -EINVAL;

	r = hxen_virt_get();
	if (r)
		return r;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		hxen_virt_put();
		return -ENOMEM;
	}
	atomic_inc(&hxen_live_vms);
	vm->id = atomic64_inc_return(&hxen_vm_ids);
	refcount_set(&vm->users, 1);
	mutex_init(&vm->lock);
	spin_lock_init(&vm->mmu_lock);
	/* kvm-clock starts at 0 with the VM, as on KVM. */
	vm->kvmclock_offset = -(s64)ktime_get_ns();
	spin_lock_init(&vm->kvmclock_lock);
	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->tsc_base = rdtsc();

	r = hxen_tdp_init(vm);
	if (!r && hxen_ops->vm_init)
		r = hxen_ops->vm_init(vm);
	if (!r)
		r = hxen_mmu_notifier_register(vm);
	if (r) {
		vm->mmu_notifier.ops = NULL;
		goto out_destroy;
	}

	fd = anon_inode_getfd("hxen-vm", &hxen_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto out_destroy;
	}
	return fd;

out_destroy:
	hxen_vm_destroy(vm);
	return r;
}
