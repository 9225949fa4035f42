// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's xenstore (Xen mode): the launcher's store (xenstore.c and
 * friends) served over the store ring in special page XEN_SPECIAL_STORE
 * on a channel made as Xen's toolstack makes it (HVM_PARAM_STORE_PFN and
 * _EVTCHN), with the guest's /local/domain/<id> tree (xs_domain.c) plus
 * the ~/store and, with --console hvc, ~/console nodes of
 * xenstore-paths. The guest is the store's only client; the launcher
 * writes its tree before the guest runs.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <xen/xen.h>
#include <xen/hvm/params.h>

#include "../vmm/vmm.h"
#include "backend.h"
#include "xenstore.h"

#define PAGE_SIZE	4096

struct store_backend {
	struct xen_backend be;
	struct xs_store *store;
	struct xs_conn *conn;
	struct xenstore_domain_interface *intf;
	bool reported;		/* the guest broke the ring; said so */
};

static void store_service(struct xen_backend *b)
{
	struct store_backend *s = b->opaque;

	if (xs_ring_process(s->conn, s->intf) == XS_RING_NOTIFY)
		xen_backend_notify(b);
	if (xs_conn_broken(s->conn) && !s->reported) {
		s->reported = true;
		if (b->vm->cfg->debug)
			fprintf(stderr, "hxen: the guest broke its xenstore ring (error %u)\n",
				s->intf->error);
	}
}

static bool store_present(struct vm *vm)
{
	return vm->xen && vm->xen_pages;
}

/* The toolstack's nodes: the domain, then where its store and console are. */
static int write_tree(struct store_backend *s, struct vm *vm)
{
	const uint8_t *h = vm->xen_handle;
	struct xs_domain_info d = {
		.domid = vm->xen_domid,
		.memory_kib = vm->ram_size >> 10,
		.vcpus = vm->cfg->cpus,
	};
	char name[32], uuid[40], path[64];
	unsigned long long pfn = GUEST_XEN_SPECIAL >> 12;
	uint32_t cons_port;
	int rc;

	snprintf(name, sizeof(name), "hxen-%u", vm->xen_domid);
	if (vm->cfg->name)
		snprintf(name, sizeof(name), "%s", vm->cfg->name);
	snprintf(uuid, sizeof(uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11],
		 h[12], h[13], h[14], h[15]);
	d.name = name;
	d.uuid = uuid;
	rc = xs_domain_create(s->store, &d);
#define NODE(leaf, fmt, ...) \
	do { \
		snprintf(path, sizeof(path), "/local/domain/%u/" leaf, vm->xen_domid); \
		if (!rc) \
			rc = xs_store_printf(s->store, path, fmt, __VA_ARGS__); \
	} while (0)
	NODE("store/port", "%u", s->be.port);
	NODE("store/ring-ref", "%llu", pfn + XEN_SPECIAL_STORE);
	/* The PV console started before us (DEV_ORDER_PV_CONSOLE). */
	if (xen_pv_console_port(vm, &cons_port)) {
		NODE("console/port", "%u", cons_port);
		NODE("console/ring-ref", "%llu", pfn + XEN_SPECIAL_CONSOLE);
		NODE("console/type", "%s", "xenconsoled");
	}
#undef NODE
	return rc;
}

static int store_init(struct device *dev)
{
	struct store_backend *s = calloc(1, sizeof(*s));
	struct vm *vm = dev->vm;

	if (!s)
		return -1;
	s->intf = (void *)(vm->xen_pages + XEN_SPECIAL_STORE * PAGE_SIZE);
	s->store = xs_store_new();
	s->conn = s->store ? xs_conn_new(s->store, vm->xen_domid) : NULL;
	if (!s->conn) {
		fprintf(stderr, "hxen: xenstore: out of memory\n");
		goto fail;
	}
	xs_ring_init(s->intf);
	s->be = (struct xen_backend){
		.vm = vm, .name = "xenstore", .lock = &dev->lock,
		.service = store_service, .opaque = s,
	};
	if (xen_backend_start(&s->be, HVM_PARAM_STORE_EVTCHN, HVM_PARAM_STORE_PFN,
			      XEN_SPECIAL_STORE))
		goto fail;
	if (write_tree(s, vm)) {
		fprintf(stderr, "hxen: xenstore: cannot write the guest's tree\n");
		xen_backend_stop(&s->be);
		goto fail;
	}
	dev->state = s;
	return 0;
fail:
	if (s->conn)
		xs_conn_free(s->conn);
	if (s->store)
		xs_store_free(s->store);
	free(s);
	return -1;
}

static void store_exit(struct device *dev)
{
	struct store_backend *s = dev->state;

	if (!s)
		return;
	xen_backend_stop(&s->be);
	/* Where the guest and the store stood (a hung guest's first question). */
	if (dev->vm->cfg->debug)
		fprintf(stderr, "hxen: xenstore ring at exit: requests %u/%u, replies %u/%u\n",
			s->intf->req_cons, s->intf->req_prod, s->intf->rsp_prod, s->intf->rsp_cons);
	xs_conn_free(s->conn);
	xs_store_free(s->store);
	free(s);
	dev->state = NULL;
}

const struct device_desc xen_store_device = {
	.name = "xenstore",
	.order = DEV_ORDER_PV_BACKEND,
	.present = store_present,
	.init = store_init,
	.exit = store_exit,
};
