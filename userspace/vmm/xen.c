// SPDX-License-Identifier: GPL-2.0
/*
 * Xen mode (`hxen run --xen`, and by default for PVH kernels): hxen.ko
 * implements the guest-facing Xen ABI itself once HXEN_XEN_ENABLE is called
 * on the VM (kmod/uapi/hxen.h). The launcher's part is small: enable it
 * before the vCPUs exist, tell the module the guest's e820 map, and run
 * the console_io device (devices/xen_console.c). SCHEDOP_shutdown arrives
 * as KVM_EXIT_SYSTEM_EVENT (vcpu.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>

#include "uapi/hxen.h"
#include "vmm.h"

/*
 * Returns 0 with vm->xen set when the guest will see Xen, 0 with it clear
 * when Xen was not asked for (XEN_OFF) or XEN_AUTO found a device without
 * the Xen ABI, -1 after a one-line error.
 */
int xen_enable(struct vm *vm)
{
	struct hxen_xen_config cfg;

	vm->xen = false;
	if (vm->cfg->xen == XEN_OFF)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	/*
	 * XENVER_guest_handle is the domain's UUID in Xen; a random (version
	 * 4) one per boot, so two guests never share it. Without entropy it
	 * stays zero, which Xen also reports for domains created without one.
	 */
	if (getrandom(cfg.handle, sizeof(cfg.handle), GRND_NONBLOCK) == sizeof(cfg.handle)) {
		cfg.handle[6] = (cfg.handle[6] & 0x0f) | 0x40;
		cfg.handle[8] = (cfg.handle[8] & 0x3f) | 0x80;
	} else {
		memset(cfg.handle, 0, sizeof(cfg.handle));
	}
	if (ioctl(vm->fd, HXEN_XEN_ENABLE, &cfg) < 0) {
		/* KVM (or an hxen.ko without Xen) does not know the ioctl. */
		if (errno == ENOTTY && vm->cfg->xen == XEN_AUTO)
			return 0;
		if (errno == ENOTTY)
			fprintf(stderr, "hxen: --xen: %s has no Xen ABI (HXEN_XEN_ENABLE: %s)\n",
				vm->cfg->device, strerror(errno));
		else
			die_errno("HXEN_XEN_ENABLE");
		return -1;
	}
	vm->xen = true;
	vm->xen_domid = cfg.domid;
	if (vm->cfg->debug)
		fprintf(stderr, "hxen: Xen ABI enabled, domain id %u\n", cfg.domid);
	return 0;
}

/*
 * XENMEM_memory_map answers with this map: the same e820 the guest gets
 * from boot_params or start_info (Linux asks the hypervisor when a PVH
 * start_info has none, and some drivers ask later). An hxen.ko from
 * before the ioctl answers ENOTTY: the guest then gets -ENOSYS from
 * XENMEM_memory_map, which it survives since the boot map is there.
 */
int xen_set_memory_map(struct vm *vm)
{
	struct boot_e820_entry e820[E820_MAX];
	struct hxen_e820_entry map[E820_MAX];
	struct hxen_xen_memory_map arg = { 0 };
	int i, n = e820_build(vm, e820);

	memset(map, 0, sizeof(map));
	for (i = 0; i < n; i++) {
		map[i].addr = e820[i].addr;
		map[i].size = e820[i].size;
		map[i].type = e820[i].type;
	}
	arg.nr_entries = n;
	arg.entries = (uintptr_t)map;
	if (ioctl(vm->fd, HXEN_XEN_SET_MEMORY_MAP, &arg) < 0) {
		if (errno == ENOTTY) {
			if (vm->cfg->debug)
				fprintf(stderr, "hxen: %s has no HXEN_XEN_SET_MEMORY_MAP\n",
					vm->cfg->device);
			return 0;
		}
		die_errno("HXEN_XEN_SET_MEMORY_MAP");
		return -1;
	}
	return 0;
}
