// SPDX-License-Identifier: GPL-2.0
/*
 * Xen mode (`hxen run --xen`, and by default for PVH kernels): hxen.ko
 * implements the guest-facing Xen ABI itself once HXEN_XEN_ENABLE is called
 * on the VM (kmod/uapi/hxen.h). The launcher's part is small: enable it
 * before the vCPUs exist, tell the module the guest's e820 map, and run
 * the console_io device (devices/xen_console.c). SCHEDOP_shutdown arrives
 * as KVM_EXIT_SYSTEM_EVENT (vcpu.c).
 *
 * As the guest's toolstack it also owns the special pages (the xenstore
 * and PV console rings, backed by launcher memory in a memslot of their
 * own) and makes the channels the backends in xen/ serve them on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "uapi/hxen.h"
#include "vmm.h"

#define PAGE_SIZE	4096

/*
 * The special pages: fresh anonymous memory (zeroed, as Xen clears its
 * special pages for a new domain), shared with the guest through a
 * memslot of their own; reserved in the guest's e820 (platform/e820.c).
 */
static int map_special_pages(struct vm *vm)
{
	struct kvm_userspace_memory_region r = {
		.slot = 2,	/* 0 and 1: RAM (vm.c) */
		.guest_phys_addr = GUEST_XEN_SPECIAL,
		.memory_size = XEN_SPECIAL_PAGES * PAGE_SIZE,
	};
	void *p = mmap(NULL, r.memory_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		die_errno("mmap (Xen special pages)");
		return -1;
	}
	r.userspace_addr = (uintptr_t)p;
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		die_errno("KVM_SET_USER_MEMORY_REGION (Xen special pages)");
		munmap(p, r.memory_size);
		return -1;
	}
	vm->xen_pages = p;
	return 0;
}

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
		if (errno == ENOTTY && vm->cfg->xen == XEN_AUTO && vm->cfg->console == CONSOLE_HVC) {
			fprintf(stderr, "hxen: --console hvc: %s has no Xen ABI\n", vm->cfg->device);
			return -1;
		}
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
	memcpy(vm->xen_handle, cfg.handle, sizeof(vm->xen_handle));
	if (vm->cfg->debug)
		fprintf(stderr, "hxen: Xen ABI enabled, domain id %u\n", cfg.domid);
	return map_special_pages(vm);
}

void xen_unmap_pages(struct vm *vm)
{
	if (vm->xen_pages)
		munmap(vm->xen_pages, XEN_SPECIAL_PAGES * PAGE_SIZE);
	vm->xen_pages = NULL;
}

int xen_set_param(struct vm *vm, uint32_t index, uint64_t value)
{
	struct hxen_xen_param p = { .index = index, .value = value };

	if (ioctl(vm->fd, HXEN_XEN_SET_PARAM, &p) < 0) {
		die_errno("HXEN_XEN_SET_PARAM");
		return -1;
	}
	return 0;
}

int xen_backend_channel(struct vm *vm, uint32_t index, uint32_t *port, int *from_guest,
			int *to_guest)
{
	struct hxen_xen_param p = { .index = index, .flags = HXEN_XEN_PARAM_ALLOC_PORT };
	struct hxen_xen_evtchn_eventfd b = { 0 };

	*from_guest = *to_guest = -1;
	if (ioctl(vm->fd, HXEN_XEN_SET_PARAM, &p) < 0) {
		die_errno("HXEN_XEN_SET_PARAM (port)");
		return -1;
	}
	*port = p.value;
	*from_guest = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	*to_guest = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (*from_guest < 0 || *to_guest < 0) {
		die_errno("eventfd");
		goto fail;
	}
	b.port = *port;
	b.fd = *from_guest;
	b.flags = HXEN_XEN_EVTCHN_FROM_GUEST;
	if (ioctl(vm->fd, HXEN_XEN_EVTCHN_EVENTFD, &b) < 0) {
		die_errno("HXEN_XEN_EVTCHN_EVENTFD (from guest)");
		goto fail;
	}
	b.fd = *to_guest;
	b.flags = HXEN_XEN_EVTCHN_TO_GUEST;
	if (ioctl(vm->fd, HXEN_XEN_EVTCHN_EVENTFD, &b) < 0) {
		die_errno("HXEN_XEN_EVTCHN_EVENTFD (to guest)");
		goto fail;
	}
	return 0;
fail:
	/* The VM goes on failure; its teardown unbinds the port. */
	if (*from_guest >= 0)
		close(*from_guest);
	if (*to_guest >= 0)
		close(*to_guest);
	*from_guest = *to_guest = -1;
	return -1;
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
