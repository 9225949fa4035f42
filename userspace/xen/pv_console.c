// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's PV console (`--console hvc`, Xen mode): the ring of
 * xen/io/console.h in special page XEN_SPECIAL_CONSOLE, on a channel made
 * as Xen's toolstack makes it (HVM_PARAM_CONSOLE_PFN and _EVTCHN), which
 * Linux's hvc_xen drives as hvc0. Its output goes to the launcher's
 * stdout like the UART's; console input reaches it like the UART
 * (vmm/console.c hands every byte to each console). The ring logic, with
 * every guest index checked, is cons_ring.c.
 *
 * Without --console hvc the guest has no PV console (its parameters stay
 * 0, as before), so a kernel given console=hvc0 by mistake falls back to
 * the others instead of writing into a ring nobody reads.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <xen/xen.h>
#include <xen/hvm/params.h>

#include "../vmm/vmm.h"
#include "backend.h"
#include "cons_ring.h"

#define PAGE_SIZE	4096

struct pv_console {
	struct xen_backend be;
	struct cons_ring ring;
	bool reported;		/* the guest broke the ring; said so */
};

static void ring_broken(struct pv_console *c)
{
	if (!c->reported && c->be.vm->cfg->debug)
		fprintf(stderr, "hxen: the guest broke its PV console ring\n");
	c->reported = true;
}

/* The guest wrote output (or took input): print what is there. */
static void pvcons_service(struct xen_backend *b)
{
	struct pv_console *c = b->opaque;
	uint8_t buf[256];
	bool took = false;
	int n, i;

	while ((n = cons_ring_read_out(&c->ring, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++)
			console_output(b->vm, buf[i]);
		took = true;
	}
	if (n < 0)
		ring_broken(c);
	/* Room in out[] again: hvc_xen may be waiting for it. */
	if (took)
		xen_backend_notify(b);
}

/* Console input (device lock held): what the in[] ring has room for. */
static size_t pvcons_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct pv_console *c = opaque;
	int n = cons_ring_write_in(&c->ring, buf, len);

	if (n < 0) {
		ring_broken(c);
		/* Nobody will read it: take it all, so the other consoles go on. */
		return len;
	}
	if (n > 0)
		xen_backend_notify(&c->be);
	return n;
}

static bool pvcons_reading(void *opaque)
{
	struct pv_console *c = opaque;

	/* Updates guest_read from the page's in_cons. */
	cons_ring_write_in(&c->ring, NULL, 0);
	return c->ring.guest_read;
}

static bool pvcons_present(struct vm *vm)
{
	return vm->xen && vm->xen_pages && vm->cfg->console == CONSOLE_HVC;
}

static int pvcons_init(struct device *dev)
{
	struct pv_console *c = calloc(1, sizeof(*c));
	struct vm *vm = dev->vm;

	if (!c)
		return -1;
	cons_ring_init(&c->ring, (void *)(vm->xen_pages + XEN_SPECIAL_CONSOLE * PAGE_SIZE));
	c->be = (struct xen_backend){
		.vm = vm, .name = "PV console", .lock = &dev->lock,
		.service = pvcons_service, .opaque = c,
	};
	if (xen_backend_start(&c->be, HVM_PARAM_CONSOLE_EVTCHN, HVM_PARAM_CONSOLE_PFN,
			      XEN_SPECIAL_CONSOLE)) {
		free(c);
		return -1;
	}
	if (console_add_input("Xen PV console", pvcons_input, pvcons_reading, c, &dev->lock)) {
		xen_backend_stop(&c->be);
		free(c);
		return -1;
	}
	dev->state = c;
	return 0;
}

static void pvcons_exit(struct device *dev)
{
	struct pv_console *c = dev->state;

	if (!c)
		return;
	console_remove_input(c);
	xen_backend_stop(&c->be);
	free(c);
	dev->state = NULL;
}

bool xen_pv_console_port(struct vm *vm, uint32_t *port)
{
	struct device *dev = device_find(vm, xen_pv_console_device.name);
	struct pv_console *c = dev ? dev->state : NULL;

	if (c)
		*port = c->be.port;
	return c != NULL;
}

const struct device_desc xen_pv_console_device = {
	.name = "xen-pv-console",
	.order = DEV_ORDER_PV_CONSOLE,
	.present = pvcons_present,
	.init = pvcons_init,
	.exit = pvcons_exit,
};
