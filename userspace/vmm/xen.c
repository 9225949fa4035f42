// SPDX-License-Identifier: GPL-2.0
/*
 * Xen mode (`hxen run --xen`, and by default for PVH kernels): hxen.ko
 * implements the guest-facing Xen ABI itself once HXEN_XEN_ENABLE is called
 * on the VM (kmod/uapi/hxen.h). The launcher's part is small: enable it
 * before the vCPUs exist, tell the module the guest's e820 map, print
 * what the guest writes with console_io, which arrives as OUT to port
 * HXEN_XEN_CONSOLE_PORT, and hand console input to the module's ring for
 * console_io reads (HXEN_XEN_CONSOLE_INPUT; the UART gets it too, see
 * console.c). SCHEDOP_shutdown arrives as KVM_EXIT_SYSTEM_EVENT (vcpu.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>

#include "../boot/boot.h"
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
	struct boot_e820_entry e820[BOOT_E820_MAX];
	struct hxen_e820_entry map[BOOT_E820_MAX];
	struct hxen_xen_memory_map arg = { 0 };
	int i, n = boot_e820(vm, e820);

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

/* console_io(CONSOLEIO_write) text, one byte per element of the OUT string. */
static void xencons_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct vm *vm = opaque;
	const uint8_t *p = data;
	unsigned int i;

	(void)off;
	for (i = 0; i < len; i++)
		console_output(vm, p[i]);
}

/* The port is output only; a read returns all ones like an empty port. */
static void xencons_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0xff, len);
}

static const struct io_handler xencons_ops = {
	.name = "xen-console",
	.read = xencons_read,
	.write = xencons_write,
};

/*
 * Console input for CONSOLEIO_read; io_lock held. What the ring cannot
 * take now console.c offers again later. An hxen.ko without the ioctl
 * (ENOTTY) takes everything, so nothing waits for it.
 */
static bool xencons_no_input;
static bool xencons_consumed;

static size_t xencons_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct hxen_xen_console_input in = {
		.buf = (uintptr_t)buf,
		.len = len,
	};
	struct vm *vm = opaque;
	int n;

	if (xencons_no_input)
		return len;
	n = ioctl(vm->fd, HXEN_XEN_CONSOLE_INPUT, &in);
	if (n < 0) {
		if (errno != ENOTTY)
			die_errno("HXEN_XEN_CONSOLE_INPUT");
		xencons_no_input = true;
		return len;
	}
	xencons_consumed = in.consumed != 0;
	return n;
}

/* Whether the guest ever read console input; io_lock held. */
static bool xencons_reading(void *opaque)
{
	struct hxen_xen_console_input in = { 0 };
	struct vm *vm = opaque;

	/* A push of nothing reports it. */
	if (!xencons_consumed && !xencons_no_input &&
	    ioctl(vm->fd, HXEN_XEN_CONSOLE_INPUT, &in) == 0)
		xencons_consumed = in.consumed != 0;
	return xencons_consumed;
}

/*
 * Only in Xen mode: Linux also writes its early console to port 0xe9 when
 * it finds Xen's CPUID leaves (hvc_xen's xen_hvm_early_write), which it
 * only does if Xen is there; without Xen the port stays unclaimed.
 */
static int xencons_init(struct vm *vm)
{
	if (!vm->xen)
		return 0;
	xencons_no_input = false;
	xencons_consumed = false;
	if (console_add_input("Xen console_io", xencons_input, xencons_reading, vm))
		return -1;
	return io_register_pio(HXEN_XEN_CONSOLE_PORT, 1, &xencons_ops, vm);
}
DEVICE_INIT(xencons_init);
