// SPDX-License-Identifier: GPL-2.0
/* Vendor selection: one backend is chosen at module load. */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/printk.h>
#include <asm/processor.h>

#include "../hxen.h"
#include "../vendor.h"

const struct hxen_vendor_ops *hxen_vendor_probe(struct hxen_info *info)
{
	switch (boot_cpu_data.x86_vendor) {
	case X86_VENDOR_AMD:
	case X86_VENDOR_HYGON:
		if (IS_ENABLED(CONFIG_HXEN_SVM) && !svm_probe(info))
			return &svm_vendor_ops;
		break;
	case X86_VENDOR_INTEL:
	case X86_VENDOR_CENTAUR:
	case X86_VENDOR_ZHAOXIN:
		if (IS_ENABLED(CONFIG_HXEN_VMX) && !vmx_probe(info))
			return &vmx_vendor_ops;
		break;
	}
	return NULL;
}
