// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects and their file descriptors (KVM_CREATE_VM). A VM holds the
 * hardware virtualization reference for as long as its descriptor is open;
 * closing the last reference frees everything.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hxen.h"

struct hxen_vm {
	/* Memory slots and vCPUs arrive with the guest-execution work. */
	int placeholder;
};

atomic_t hxen_live_vms = ATOMIC_INIT(0);

/*
 * KVM_CHECK_EXTENSION, on /dev/hxen and on VM descriptors. Report only what
 * is implemented: userspace (QEMU) keys its behaviour on these answers.
 */
long hxen_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_CHECK_EXTENSION_VM:
		return 1;
	default:
		return 0;
	}
}

static long hxen_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return hxen_check_extension(arg);
	default:
		return -ENOTTY;
	}
}

static int hxen_vm_release(struct inode *inode, struct file *filp)
{
	struct hxen_vm *vm = filp->private_data;

	kfree(vm);
	atomic_dec(&hxen_live_vms);
	hxen_virt_put();
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
		r = -ENOMEM;
		goto put_virt;
	}
	atomic_inc(&hxen_live_vms);

	fd = anon_inode_getfd("hxen-vm", &hxen_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto free_vm;
	}
	return fd;

free_vm:
	atomic_dec(&hxen_live_vms);
	kfree(vm);
put_virt:
	hxen_virt_put();
	return r;
}
