/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend's side of a Xen PV console ring (struct xencons_interface,
 * xen/io/console.h), pure logic: no threads, no event channels, so
 * tests/unit builds it as it is. The guest produces into out[] (out_prod)
 * and consumes from in[] (in_cons); the backend does the other two.
 *
 * The page is the guest's, so every index in it is hostile and may change
 * under us. The backend's own indices (out_cons, in_prod) are kept here,
 * in struct cons_ring, and only written to the page, never read back: a
 * guest scribbling on them cannot steer us. The guest's indices are
 * loaded once per call; one claiming more than the ring holds (out_prod
 * running more than sizeof(out) ahead of out_cons, in_cons ahead of
 * in_prod or more than sizeof(in) behind it) breaks the ring: like
 * xs_ring.c, the backend serves it no more (cons_ring_broken()).
 */
#ifndef HXEN_CONS_RING_H
#define HXEN_CONS_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/console.h>

struct cons_ring {
	struct xencons_interface *intf;	/* the guest's page */
	XENCONS_RING_IDX out_cons;	/* ours: what we took of out[] */
	XENCONS_RING_IDX in_prod;	/* ours: what we put into in[] */
	bool broken;
	bool guest_read;		/* in_cons has moved at least once */
};

/* A fresh, zeroed page: all indices 0. */
void cons_ring_init(struct cons_ring *r, struct xencons_interface *intf);

/*
 * Guest output: up to @size bytes into @buf, out_cons moved past them.
 * Returns the count (0: nothing new), or -1 if the ring is broken.
 */
int cons_ring_read_out(struct cons_ring *r, uint8_t *buf, size_t size);

/*
 * Input for the guest: as many of @len bytes as in[] has room for.
 * Returns the count taken, or -1 if the ring is broken.
 */
int cons_ring_write_in(struct cons_ring *r, const uint8_t *buf, size_t len);

static inline bool cons_ring_broken(const struct cons_ring *r)
{
	return r->broken;
}

#endif
