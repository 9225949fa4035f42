// SPDX-License-Identifier: GPL-2.0
/*
 * hxen: a hosted hypervisor speaking the Linux KVM API on /dev/hxen (and on
 * /dev/kvm when asked to and kvm.ko is absent). Module init, the device and
 * its system ioctls.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "hxen.h"
#include "vendor.h"
#include "x86/x86.h"

const struct hxen_vendor_ops *hxen_ops;
struct hxen_info hxen_detected;
atomic64_t hxen_live_pages = ATOMIC64_INIT(0);

static bool kvm_alias;
#ifdef CONFIG_HXEN_KVM_ALIAS
module_param(kvm_alias, bool, 0444);
MODULE_PARM_DESC(kvm_alias,
		 "Also register /dev/kvm (misc minor 232) when kvm.ko is not loaded");
#endif

static long hxen_get_info(void __user *argp)
{
	struct hxen_info info = hxen_detected;

	info.size = sizeof(info);
	info.live_vms = atomic_read(&hxen_live_vms);
	info.live_vcpus = atomic_read(&hxen_live_vcpus);
	info.virt_cpus = hxen_virt_cpus();
	info.live_pages = atomic64_read(&hxen_live_pages);
	info.kvm_alias = hxen_kvm_alias_active();
	if (copy_to_user(argp, &info, sizeof(info)))
		return -EFAULT;
	return 0;
}

static long hxen_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	switch (ioctl) {
	case KVM_GET_API_VERSION:
		if (arg)
			return -EINVAL;
		return HXEN_KVM_API_VERSION;
	case KVM_CHECK_EXTENSION:
		return hxen_check_extension(arg);
	case KVM_CREATE_VM:
		return hxen_create_vm(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		if (arg)
			return -EINVAL;
		return HXEN_VCPU_MMAP_PAGES * PAGE_SIZE;
	case KVM_GET_MSR_INDEX_LIST:
		if (!hxen_ops->vcpu_run)
			return -ENOTTY;
		return hxen_get_msr_index_list((void __user *)arg);
	case KVM_GET_SUPPORTED_CPUID:
		if (!hxen_ops->vcpu_run)
			return -ENOTTY;
		return hxen_get_supported_cpuid((void __user *)arg);
	case KVM_X86_GET_MCE_CAP_SUPPORTED:
		if (!hxen_ops->vcpu_run)
			return -ENOTTY;
		return hxen_mce_cap_supported((void __user *)arg);
	case HXEN_GET_INFO:
		return hxen_get_info((void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations hxen_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = hxen_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice hxen_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "hxen",
	.fops = &hxen_dev_fops,
	.mode = 0660,
};

/* Same contract as /dev/hxen, under KVM's fixed minor, for unmodified tools. */
static struct miscdevice hxen_kvm_dev = {
	.minor = KVM_MINOR,
	.name = "kvm",
	.fops = &hxen_dev_fops,
	.mode = 0660,
};

static bool hxen_kvm_dev_registered;

bool hxen_kvm_alias_active(void)
{
	return hxen_kvm_dev_registered;
}

static void hxen_print_detected(void)
{
	const struct hxen_info *i = &hxen_detected;

	if (i->vendor == HXEN_VENDOR_SVM)
		pr_info("SVM: NPT %s, %u ASIDs, NRIP save %s, VMCB clean bits %s, flush-by-ASID %s, decode assists %s\n",
			i->features & HXEN_FEAT_NPT ? "yes" : "no", i->nr_asids,
			i->features & HXEN_FEAT_NRIPS ? "yes" : "no",
			i->features & HXEN_FEAT_VMCB_CLEAN ? "yes" : "no",
			i->features & HXEN_FEAT_FLUSH_BY_ASID ? "yes" : "no",
			i->features & HXEN_FEAT_DECODE_ASSISTS ? "yes" : "no");
	else
		pr_info("VMX: EPT %s, unrestricted guest %s, VPID %s, EPT A/D %s, PML %s, APICv %s\n",
			i->features & HXEN_FEAT_EPT ? "yes" : "no",
			i->features & HXEN_FEAT_UNRESTRICTED_GUEST ? "yes" : "no",
			i->features & HXEN_FEAT_VPID ? "yes" : "no",
			i->features & HXEN_FEAT_EPT_AD ? "yes" : "no",
			i->features & HXEN_FEAT_PML ? "yes" : "no",
			i->features & HXEN_FEAT_APICV ? "yes" : "no");
}

/*
 * A backend runs vCPUs only if it fills in every vCPU op: common code calls
 * them unconditionally. Name what is missing instead of oopsing later.
 */
static const struct hxen_vendor_ops *hxen_check_ops(const struct hxen_vendor_ops *ops)
{
#define OP(name) { offsetof(struct hxen_vendor_ops, name), #name }
	static const struct {
		size_t offset;
		const char *name;
	} required[] = {
		OP(vcpu_create), OP(vcpu_free), OP(vcpu_load), OP(vcpu_put),
		OP(handle_exit), OP(interrupt_allowed), OP(nmi_allowed),
		OP(inject_irq), OP(inject_nmi), OP(enable_irq_window),
		OP(inject_exception), OP(set_cr2), OP(get_events), OP(set_events),
		OP(get_msr), OP(set_msr), OP(get_rflags), OP(get_cr8), OP(set_cr8),
		OP(get_regs), OP(set_regs), OP(get_sregs), OP(set_sregs),
		OP(cr4_valid), OP(get_tsc_offset),
		OP(get_dr67), OP(set_dr67), OP(activate_debugregs), OP(update_debug_intercepts),
	};
#undef OP
	static struct hxen_vendor_ops vms_only;
	int i;

	if (!ops->vcpu_run)
		return ops;
	for (i = 0; i < ARRAY_SIZE(required); i++) {
		if (*(void **)((char *)ops + required[i].offset))
			continue;
		pr_err("%s backend lacks %s(); running vCPUs is disabled\n",
		       ops->name, required[i].name);
		vms_only = *ops;
		vms_only.vcpu_run = NULL;
		return &vms_only;
	}
	return ops;
}

static int __init hxen_init(void)
{
	int r;

	hxen_ops = hxen_vendor_probe(&hxen_detected);
	if (!hxen_ops) {
		pr_err("no usable hardware virtualization (VMX or SVM) on this CPU; not loading\n");
		return -ENODEV;
	}
	hxen_ops = hxen_check_ops(hxen_ops);
	hxen_print_detected();

	r = hxen_virt_init();
	if (r)
		return r;
	r = misc_register(&hxen_dev);
	if (r) {
		pr_err("cannot register /dev/hxen (error %d)\n", r);
		goto exit_virt;
	}
	if (kvm_alias) {
		/* Fails with -EBUSY when kvm.ko owns the minor: that is fine. */
		if (misc_register(&hxen_kvm_dev))
			pr_info("/dev/kvm is taken (kvm.ko loaded?); serving /dev/hxen only\n");
		else
			hxen_kvm_dev_registered = true;
	}
	pr_info("ready on /dev/hxen%s (KVM API %d)\n",
		hxen_kvm_dev_registered ? " and /dev/kvm" : "",
		HXEN_KVM_API_VERSION);
	return 0;

exit_virt:
	hxen_virt_exit();
	return r;
}

static void __exit hxen_exit(void)
{
	if (hxen_kvm_dev_registered)
		misc_deregister(&hxen_kvm_dev);
	misc_deregister(&hxen_dev);
	hxen_virt_exit();
}

module_init(hxen_init);
module_exit(hxen_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hxen: hosted hypervisor with the KVM API and a Xen guest ABI");
MODULE_AUTHOR("hxen developers");
