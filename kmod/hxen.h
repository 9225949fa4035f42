/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hxen internal interfaces shared by the common code and the vendor
 * backends. Common files include only this header; VMX/SVM details stay
 * behind struct hxen_vendor_ops.
 */
#ifndef HXEN_H
#define HXEN_H

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/types.h>

#include "uapi/hxen.h"

#define HXEN_KVM_API_VERSION	12

struct page;

/*
 * One table per vendor, chosen once at module load (hxen_vendor_probe).
 * cpu_enable/cpu_disable run on the CPU concerned with interrupts off.
 */
struct hxen_vendor_ops {
	const char *name;		/* "SVM" or "VMX" */
	/*
	 * Enter VMX operation / set EFER.SVME on this CPU. @area is a zeroed
	 * page for the VMXON region or the host save area. Returns -EBUSY if
	 * another hypervisor already holds this CPU's virtualization.
	 */
	int (*cpu_enable)(struct page *area);
	void (*cpu_disable)(void);
};

/* x86/cpu.c: detect the vendor and fill @info; NULL if neither is usable. */
const struct hxen_vendor_ops *hxen_vendor_probe(struct hxen_info *info);
/* x86/svm.c, x86/vmx.c */
int svm_probe(struct hxen_info *info);
int vmx_probe(struct hxen_info *info);
extern const struct hxen_vendor_ops svm_vendor_ops;
extern const struct hxen_vendor_ops vmx_vendor_ops;

extern const struct hxen_vendor_ops *hxen_ops;
extern struct hxen_info hxen_detected;

/* Pages the module holds, for leak checks (HXEN_GET_INFO.live_pages). */
extern atomic64_t hxen_live_pages;
extern atomic_t hxen_live_vms;

/* virt.c: hardware virtualization held while at least one VM exists. */
int hxen_virt_init(void);
void hxen_virt_exit(void);
int hxen_virt_get(void);
void hxen_virt_put(void);
unsigned int hxen_virt_cpus(void);

/* vm.c */
int hxen_create_vm(unsigned long type);
long hxen_check_extension(long cap);

/* main.c */
bool hxen_kvm_alias_active(void);

#endif /* HXEN_H */
