// SPDX-License-Identifier: GPL-2.0
/*
 * The vCPU's mmap'ed pages, in KVM's layout (api.rst, KVM_GET_VCPU_MMAP_SIZE
 * and KVM_EXIT_IO): page 0 is struct kvm_run, page KVM_PIO_PAGE_OFFSET holds
 * port I/O data (io.data_offset points there). Each is a page of its own, so
 * a VMM may fill the whole data page, as Linux's KVM selftests do.
 */
#include <linux/mm.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kvm.h>

#include "hxen.h"

static_assert(HXEN_VCPU_MMAP_PAGES == KVM_PIO_PAGE_OFFSET + 1);

int hxen_vcpu_pages_alloc(struct hxen_vcpu *vcpu)
{
	vcpu->run = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	vcpu->pio_page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run || !vcpu->pio_page) {
		hxen_vcpu_pages_free(vcpu);
		return -ENOMEM;
	}
	return 0;
}

void hxen_vcpu_pages_free(struct hxen_vcpu *vcpu)
{
	free_page((unsigned long)vcpu->pio_page);
	free_page((unsigned long)vcpu->run);
	vcpu->pio_page = NULL;
	vcpu->run = NULL;
}

static vm_fault_t hxen_vcpu_fault(struct vm_fault *vmf)
{
	struct hxen_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	switch (vmf->pgoff) {
	case 0:
		page = virt_to_page(vcpu->run);
		break;
	case KVM_PIO_PAGE_OFFSET:
		page = virt_to_page(vcpu->pio_page);
		break;
	default:
		return VM_FAULT_SIGBUS;
	}
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hxen_vcpu_vm_ops = {
	.fault = hxen_vcpu_fault,
};

int hxen_vcpu_mmap(struct file *filp, struct vm_area_struct *vma)
{
	vma->vm_ops = &hxen_vcpu_vm_ops;
	return 0;
}
