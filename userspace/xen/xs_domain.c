// SPDX-License-Identifier: GPL-2.0
/*
 * The toolstack's part of a domain's store (Xen's
 * docs/misc/xenstore-paths.pandoc, as libxl writes it): ~ is
 * /local/domain/<domid>, readable by the domain, written by domain 0:
 *   ~/domid, ~/name, ~/vm (-> /vm/<uuid>: name, uuid), ~/memory/static-max
 *   and ~/memory/target (KiB), ~/cpu/<n>/availability ("online"),
 *   ~/device/ (frontends; the backends' toolstack fills it),
 *   ~/control/platform-feature-multiprocessor-suspend and
 *   ~/control/platform-feature-xs_reset_watches (Linux sends
 *   XS_RESET_WATCHES at boot only when the latter is 1);
 * and nodes the domain owns and writes: ~/control/shutdown,
 * ~/control/sysrq, ~/control/feature-{poweroff,reboot,suspend,s3,s4,
 * balloon}, ~/data, ~/drivers, ~/feature, ~/attr, ~/error. The store
 * ring's ~/store/{port,ring-ref} come with the wiring to the guest, later.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_internal.h"

static const char *const guest_nodes[] = {
	"control/shutdown", "control/sysrq", "control/feature-poweroff",
	"control/feature-reboot", "control/feature-suspend", "control/feature-s3",
	"control/feature-s4", "control/feature-balloon",
	"data", "drivers", "feature", "attr", "error",
};

int xs_domain_create(struct xs_store *s, const struct xs_domain_info *d)
{
	char home[40], p[128], ro[24], rw[16];
	unsigned int i;
	int rc;

	if (!d->domid || d->domid >= 0x7ff0 || !d->name ||
	    (d->uuid && strlen(d->uuid) > 64))
		return -EINVAL;
	snprintf(home, sizeof(home), XS_DOMAIN_PREFIX "%u", d->domid);
	snprintf(ro, sizeof(ro), "n0 r%u", d->domid);
	snprintf(rw, sizeof(rw), "n%u", d->domid);
	xs_store_rm(s, home);
	rc = xs_store_mkdir(s, home);
	if (!rc)
		rc = xs_store_set_perms(s, home, ro);
#define NODE(fmt, ...) \
	do { \
		snprintf(p, sizeof(p), "%s/" fmt, home, ##__VA_ARGS__); \
	} while (0)
	if (!rc) {
		NODE("domid");
		rc = xs_store_printf(s, p, "%u", d->domid);
	}
	if (!rc) {
		NODE("name");
		rc = xs_store_printf(s, p, "%s", d->name);
	}
	if (!rc && d->uuid) {
		char vm[80];

		snprintf(vm, sizeof(vm), "/vm/%s", d->uuid);
		NODE("vm");
		rc = xs_store_printf(s, p, "%s", vm);
		if (!rc)
			rc = xs_store_mkdir(s, vm);
		if (!rc)
			rc = xs_store_set_perms(s, vm, ro);
		snprintf(p, sizeof(p), "%s/name", vm);
		if (!rc)
			rc = xs_store_printf(s, p, "%s", d->name);
		snprintf(p, sizeof(p), "%s/uuid", vm);
		if (!rc)
			rc = xs_store_printf(s, p, "%s", d->uuid);
	}
	if (!rc) {
		NODE("memory/static-max");
		rc = xs_store_printf(s, p, "%llu", (unsigned long long)d->memory_kib);
	}
	if (!rc) {
		NODE("memory/target");
		rc = xs_store_printf(s, p, "%llu", (unsigned long long)d->memory_kib);
	}
	for (i = 0; !rc && i < d->vcpus; i++) {
		NODE("cpu/%u/availability", i);
		rc = xs_store_printf(s, p, "online");
	}
	if (!rc) {
		NODE("device");
		rc = xs_store_mkdir(s, p);
	}
	if (!rc) {
		NODE("control/platform-feature-multiprocessor-suspend");
		rc = xs_store_printf(s, p, "1");
	}
	if (!rc) {
		NODE("control/platform-feature-xs_reset_watches");
		rc = xs_store_printf(s, p, "1");
	}
	for (i = 0; !rc && i < sizeof(guest_nodes) / sizeof(guest_nodes[0]); i++) {
		NODE("%s", guest_nodes[i]);
		rc = xs_store_mkdir(s, p);
		if (!rc)
			rc = xs_store_set_perms(s, p, rw);
	}
#undef NODE
	if (rc) {
		xs_domain_destroy(s, d->domid);
		return rc;
	}
	xs_store_introduce(s, d->domid);
	return 0;
}

int xs_domain_destroy(struct xs_store *s, unsigned int domid)
{
	char home[40], vmp[48], *vm;
	int rc;

	snprintf(home, sizeof(home), XS_DOMAIN_PREFIX "%u", domid);
	snprintf(vmp, sizeof(vmp), "%s/vm", home);
	vm = xs_store_read(s, vmp, NULL);
	if (vm && !strncmp(vm, "/vm/", 4))
		xs_store_rm(s, vm);
	free(vm);
	rc = xs_store_rm(s, home);
	xs_store_release(s, domid);
	return rc;
}
