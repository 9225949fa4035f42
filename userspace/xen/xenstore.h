/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The launcher's xenstore: Xen's store daemon as a library, with the host
 * as domain 0. One struct xs_store holds the tree; each client is a
 * struct xs_conn: a guest's store ring (xs_ring_process) or a local,
 * privileged connection of the launcher (xs_conn_request/xs_conn_pop).
 * The toolstack side (the launcher writing a domain's tree) uses the
 * xs_store_* calls, which act as domain 0 outside any transaction.
 *
 * Protocol, paths and permissions follow Xen's docs/misc/xenstore.txt and
 * the wire format of xen/io/xs_wire.h; the tree the toolstack writes per
 * domain follows docs/misc/xenstore-paths.pandoc. Not thread safe: the
 * caller serialises every call on one store.
 */
#ifndef HXEN_XENSTORE_H
#define HXEN_XENSTORE_H

#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

struct xs_store;
struct xs_conn;

/*
 * Limits for unprivileged domains (domain 0 has none but the protocol's).
 * Defaults are xenstored's: 1000 nodes, 128 watches, 10 transactions,
 * 2048-byte values, 20 outstanding requests, 5 permission entries.
 */
struct xs_quota {
	unsigned int nodes;		/* nodes owned by the domain */
	unsigned int watches;		/* watches per connection */
	unsigned int transactions;	/* open transactions per connection */
	unsigned int value_size;	/* bytes in one node's value */
	unsigned int outstanding;	/* replies queued, not yet on the ring */
	unsigned int events;		/* watch events queued (more are dropped) */
	unsigned int perms;		/* entries in one node's permission list */
};

struct xs_store *xs_store_new(void);
void xs_store_free(struct xs_store *s);
void xs_store_get_quota(const struct xs_store *s, struct xs_quota *q);
void xs_store_set_quota(struct xs_store *s, const struct xs_quota *q);

/* A client; domid 0 is privileged. Freeing ends its transactions and watches. */
struct xs_conn *xs_conn_new(struct xs_store *s, unsigned int domid);
void xs_conn_free(struct xs_conn *c);

/*
 * One request (hdr->len bytes of payload): its reply and any watch events
 * it causes are queued on the connections concerned.
 */
void xs_conn_request(struct xs_conn *c, const struct xsd_sockmsg *hdr, const void *payload);

/*
 * The next queued message (reply or watch event) of a local connection:
 * its header, and up to size bytes of payload into buf. Returns 1, or 0
 * when nothing is queued.
 */
int xs_conn_pop(struct xs_conn *c, struct xsd_sockmsg *hdr, void *buf, size_t size);

/* Watch events dropped because the connection's queue was full. */
unsigned long xs_conn_dropped_events(const struct xs_conn *c);

/*
 * The guest's ring page. xs_ring_init() readies a fresh page (features,
 * connection state); xs_ring_process() consumes whole requests, answers
 * them and writes queued replies and events while there is room.
 * Returns XS_RING_NOTIFY when an index moved (the guest's event channel
 * is to be signalled), 0 otherwise. A connection that violates the
 * protocol (a header longer than XENSTORE_PAYLOAD_MAX, indices claiming
 * more than the ring holds) is marked in intf->error and served no more;
 * xs_conn_broken() tells.
 */
#define XS_RING_NOTIFY 1
void xs_ring_init(struct xenstore_domain_interface *intf);
int xs_ring_process(struct xs_conn *c, struct xenstore_domain_interface *intf);
int xs_conn_broken(const struct xs_conn *c);

/*
 * Toolstack calls, as domain 0 outside transactions; 0 or -errno. Watch
 * events fire as for any write. Permissions are in Xen's string form,
 * space separated: "n0 r5" (owner 0, nobody else, domain 5 may read).
 */
int xs_store_write(struct xs_store *s, const char *path, const void *val, size_t len);
int xs_store_printf(struct xs_store *s, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int xs_store_mkdir(struct xs_store *s, const char *path);
int xs_store_rm(struct xs_store *s, const char *path);
int xs_store_set_perms(struct xs_store *s, const char *path, const char *perms);
/* The value (malloc'd, NUL added, *len without it), or NULL with errno. */
char *xs_store_read(struct xs_store *s, const char *path, size_t *len);

/* Fire @introduceDomain / @releaseDomain. */
void xs_store_introduce(struct xs_store *s, unsigned int domid);
void xs_store_release(struct xs_store *s, unsigned int domid);

/* What a domain's tree is made of (xs_domain.c). */
struct xs_domain_info {
	unsigned int domid;
	const char *name;
	const char *uuid;		/* NULL: none */
	uint64_t memory_kib;		/* memory/static-max and target */
	unsigned int vcpus;		/* cpu/N/availability = online */
};

/* /local/domain/<id> (and /vm/<uuid>), then @introduceDomain. */
int xs_domain_create(struct xs_store *s, const struct xs_domain_info *d);
/* Remove the domain's tree, then @releaseDomain. */
int xs_domain_destroy(struct xs_store *s, unsigned int domid);

#endif
