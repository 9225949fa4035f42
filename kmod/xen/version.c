// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: xen_version. The guest is told Xen 4.17 (also in
 * CPUID, xen.c) and the features hxen really offers an HVM guest.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/mm.h>
#include <xen/interface/xen.h>
#include <xen/interface/features.h>
#include <xen/interface/version.h>

#include "internal.h"

/* Xen's 32-bit HYPERVISOR_VIRT_START (compat XENVER_platform_parameters). */
#define XEN_COMPAT_VIRT_START	0xF5800000U

long hxen_xen_version_op(struct xen_call *c, u64 cmd, u64 arg)
{
	struct hxen_xen *xen = c->xen;

	switch (cmd) {
	case XENVER_version:
		return (HXEN_XEN_MAJOR << 16) | HXEN_XEN_MINOR;
	case XENVER_extraversion: {
		struct xen_extraversion v = { .extraversion = "-hxen" };

		return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_compile_info: {
		struct xen_compile_info v = {
			.compiler = "hxen.ko", .compile_by = "hxen",
			.compile_domain = "", .compile_date = "",
		};

		return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_capabilities: {
		static const struct xen_capabilities_info v = {
			.info = "hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64",
		};

		return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_changeset: {
		struct xen_changeset_info v = { .info = "hxen" };

		return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_platform_parameters: {
		/* Meaningless for HVM; Xen's value for the guest's width. */
		if (c->long_mode) {
			struct xen_platform_parameters v = { .virt_start = HYPERVISOR_VIRT_START };

			return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
		} else {
			u32 v = XEN_COMPAT_VIRT_START;

			return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
		}
	}
	case XENVER_get_features: {
		struct xen_feature_info fi;

		if (hxen_xen_copy_from_guest(c, &fi, arg, sizeof(fi)))
			return -EFAULT;
		if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
			return -EINVAL;
		/*
		 * What hxen really does for an HVM guest: translated physmap,
		 * the callback vector, PV clock that is safe to use.
		 */
		fi.submap = BIT(XENFEAT_writable_page_tables) |
			    BIT(XENFEAT_auto_translated_physmap) |
			    BIT(XENFEAT_hvm_callback_vector) |
			    BIT(XENFEAT_hvm_safe_pvclock);
		return hxen_xen_copy_to_guest(c, arg, &fi, sizeof(fi));
	}
	case XENVER_pagesize:
		return PAGE_SIZE;
	case XENVER_guest_handle:
		return hxen_xen_copy_to_guest(c, arg, xen->handle, sizeof(xen_domain_handle_t));
	case XENVER_commandline: {
		/* No hypervisor command line to show: an empty string. */
		static const struct xen_commandline v;

		return hxen_xen_copy_to_guest(c, arg, &v, sizeof(v));
	}
	case XENVER_build_id:
		/* Denied to unprivileged guests by Xen's default policy. */
		return -EPERM;
	default:
		return -ENOSYS;
	}
}
