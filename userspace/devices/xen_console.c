// SPDX-License-Identifier: GPL-2.0
/*
 * Xen's console_io, the launcher's side (only in Xen mode, vmm/xen.c):
 * hxen.ko turns CONSOLEIO_write into OUT to port HXEN_XEN_CONSOLE_PORT,
 * one byte per element of the string, which this device prints; console
 * input goes to the module's ring for CONSOLEIO_read
 * (HXEN_XEN_CONSOLE_INPUT; the UART gets it too, see vmm/console.c).
 * Linux also writes its early console to port 0xe9 when it finds Xen's
 * CPUID leaves (hvc_xen's xen_hvm_early_write), which it only does if Xen
 * is there; without Xen the port stays unclaimed.
 *
 * The ring's state is the module's; nothing here is guest-visible state.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "uapi/hxen.h"
#include "../vmm/vmm.h"
#include "devices.h"

struct xen_console {
	struct vm *vm;
	bool no_input;		/* the module has no HXEN_XEN_CONSOLE_INPUT */
	bool consumed;		/* the guest has read input from the ring */
};

static void xencons_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct xen_console *c = opaque;
	const uint8_t *p = data;
	unsigned int i;

	(void)off;
	for (i = 0; i < len; i++)
		console_output(c->vm, p[i]);
}

/* The port is output only; a read returns all ones like an empty port. */
static void xencons_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0xff, len);
}

static const struct io_ops xencons_ops = {
	.read = xencons_read,
	.write = xencons_write,
};

/*
 * Console input for CONSOLEIO_read; the device's lock held. What the ring
 * cannot take now console.c offers again later. An hxen.ko without the
 * ioctl (ENOTTY) takes everything, so nothing waits for it.
 */
static size_t xencons_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct hxen_xen_console_input in = {
		.buf = (uintptr_t)buf,
		.len = len,
	};
	struct xen_console *c = opaque;
	int n;

	if (c->no_input)
		return len;
	n = ioctl(c->vm->fd, HXEN_XEN_CONSOLE_INPUT, &in);
	if (n < 0) {
		if (errno != ENOTTY)
			die_errno("HXEN_XEN_CONSOLE_INPUT");
		c->no_input = true;
		return len;
	}
	c->consumed = in.consumed != 0;
	return n;
}

/* Whether the guest ever read console input; the device's lock held. */
static bool xencons_reading(void *opaque)
{
	struct hxen_xen_console_input in = { 0 };
	struct xen_console *c = opaque;

	/* A push of nothing reports it. */
	if (!c->consumed && !c->no_input &&
	    ioctl(c->vm->fd, HXEN_XEN_CONSOLE_INPUT, &in) == 0)
		c->consumed = in.consumed != 0;
	return c->consumed;
}

static bool xencons_present(struct vm *vm)
{
	return vm->xen;
}

static int xencons_init(struct device *dev)
{
	struct xen_console *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	c->vm = dev->vm;
	dev->state = c;
	if (console_add_input("Xen console_io", xencons_input, xencons_reading, c, &dev->lock)) {
		free(c);
		dev->state = NULL;
		return -1;
	}
	return 0;
}

static void xencons_exit(struct device *dev)
{
	console_remove_input(dev->state);
	free(dev->state);
}

static const struct dev_io xencons_io[] = {
	{ .name = "xen-console", .base = HXEN_XEN_CONSOLE_PORT, .len = 1, .ops = &xencons_ops },
};

const struct device_desc xen_console_device = {
	.name = "xen-console",
	.order = DEV_ORDER_PV_CONSOLE,
	.io = xencons_io,
	.nr_io = ARRAY_SIZE(xencons_io),
	.present = xencons_present,
	.init = xencons_init,
	.exit = xencons_exit,
};
