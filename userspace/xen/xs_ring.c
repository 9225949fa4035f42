// SPDX-License-Identifier: GPL-2.0
/*
 * A guest's store ring (struct xenstore_domain_interface, xs_wire.h): the
 * guest produces requests into req[] (req_prod) and we consume them
 * (req_cons); we produce replies and watch events into rsp[] (rsp_prod)
 * and the guest consumes them (rsp_cons). Indices run freely and are
 * masked with XENSTORE_RING_SIZE - 1.
 *
 * The page is the guest's: every index and byte is hostile and may change
 * under us. Each index is loaded once per pass; one claiming more than
 * the ring holds (prod - cons > XENSTORE_RING_SIZE) stops the connection
 * with XENSTORE_ERROR_RINGIDX, as does a header announcing more than
 * XENSTORE_PAYLOAD_MAX bytes (XENSTORE_ERROR_PROTO): we advertise
 * XENSTORE_SERVER_FEATURE_ERROR, and like xenstored ignore the
 * connection after writing the error. Bytes are copied once into the
 * connection's private buffer and only that copy is parsed; a partial
 * message waits there for the rest.
 *
 * Barriers, the pairs Linux's xenbus (xb_read/xb_write) expects:
 *  - requests: load-acquire of req_prod before reading req[] (the guest
 *    writes the bytes, then wmb, then req_prod); a full barrier after the
 *    copy and before req_cons moves, so the guest cannot reuse space we
 *    still read;
 *  - replies: load-acquire of rsp_cons before writing rsp[] (the guest's
 *    reads of old bytes are done when it moves rsp_cons), then store-
 *    release of rsp_prod after the bytes.
 * The guest is signalled (XS_RING_NOTIFY) whenever req_cons or rsp_prod
 * moved.
 *
 * Replies not yet on the ring are the connection's outstanding requests:
 * at the quota no further request is read until the guest makes room.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "xs_internal.h"

#define RING_MASK(i) ((i) & (XENSTORE_RING_SIZE - 1))

static uint32_t load_acquire(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/* tests/unit/xenstore_test.c plays the guest here, in flush()'s and fill()'s windows. */
#ifndef xs_ring_window
#define xs_ring_window(which) do { } while (0)
#endif

/* The payload length of the request being read (its header is in). */
static uint32_t in_len(const struct xs_conn *c)
{
	struct xsd_sockmsg h;

	memcpy(&h, c->in, sizeof(h));
	return h.len;
}

static void store_release(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void xs_ring_init(struct xenstore_domain_interface *intf)
{
	memset(intf, 0, sizeof(*intf));
	intf->server_features = XENSTORE_SERVER_FEATURE_ERROR;
	intf->connection = XENSTORE_CONNECTED;
	intf->error = XENSTORE_ERROR_NONE;
}

int xs_conn_broken(const struct xs_conn *c)
{
	return c->broken;
}

static void broken(struct xs_conn *c, struct xenstore_domain_interface *intf, uint32_t why)
{
	c->broken = true;
	store_release(&intf->error, why);
}

/* Queued messages onto the ring while there is room; 1 if rsp_prod moved. */
static int flush(struct xs_conn *c, struct xenstore_domain_interface *intf)
{
	uint32_t cons = load_acquire(&intf->rsp_cons);
	uint32_t prod = intf->rsp_prod, start = prod;
	struct xs_msg *m;

	xs_ring_window(rsp);

	if (prod - cons > XENSTORE_RING_SIZE) {
		broken(c, intf, XENSTORE_ERROR_RINGIDX);
		return 0;
	}
	while ((m = c->out) && prod - cons < XENSTORE_RING_SIZE) {
		unsigned int total = XS_HDR_SIZE + m->hdr.len;

		while (m->done < total && prod - cons < XENSTORE_RING_SIZE) {
			unsigned int n = total - m->done;
			unsigned int room = XENSTORE_RING_SIZE - (prod - cons);
			unsigned int upto = XENSTORE_RING_SIZE - RING_MASK(prod);
			const uint8_t *src;

			if (n > room)
				n = room;
			if (n > upto)
				n = upto;
			if (m->done < XS_HDR_SIZE) {
				if (n > XS_HDR_SIZE - m->done)
					n = XS_HDR_SIZE - m->done;
				src = (const uint8_t *)&m->hdr + m->done;
			} else {
				src = m->body + (m->done - XS_HDR_SIZE);
			}
			memcpy(&intf->rsp[RING_MASK(prod)], src, n);
			m->done += n;
			prod += n;
		}
		if (m->done < total)
			break;
		c->out = m->next;
		if (!c->out)
			c->out_tail = &c->out;
		if (m->event)
			c->nevents--;
		else
			c->nreplies--;
		free(m);
	}
	if (prod == start)
		return 0;
	store_release(&intf->rsp_prod, prod);
	return 1;
}

/* Bytes of the current request off the ring; 1 if req_cons moved. */
static int fill(struct xs_conn *c, struct xenstore_domain_interface *intf)
{
	uint32_t prod = load_acquire(&intf->req_prod);
	uint32_t cons = intf->req_cons, start = cons;
	unsigned int want, n;

	xs_ring_window(req);

	if (prod - cons > XENSTORE_RING_SIZE) {
		broken(c, intf, XENSTORE_ERROR_RINGIDX);
		return 0;
	}
	for (;;) {
		if (c->in_used < XS_HDR_SIZE) {
			want = XS_HDR_SIZE - c->in_used;
		} else {
			want = XS_HDR_SIZE + in_len(c) - c->in_used;
		}
		if (!want || prod == cons)
			break;
		n = prod - cons;
		if (n > want)
			n = want;
		if (n > XENSTORE_RING_SIZE - RING_MASK(cons))
			n = XENSTORE_RING_SIZE - RING_MASK(cons);
		memcpy(c->in + c->in_used, &intf->req[RING_MASK(cons)], n);
		c->in_used += n;
		cons += n;
		if (c->in_used == XS_HDR_SIZE && in_len(c) > XENSTORE_PAYLOAD_MAX) {
			broken(c, intf, XENSTORE_ERROR_PROTO);
			break;
		}
	}
	if (cons == start)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	store_release(&intf->req_cons, cons);
	return 1;
}

int xs_ring_process(struct xs_conn *c, struct xenstore_domain_interface *intf)
{
	struct xsd_sockmsg h;
	int moved = 0;

	while (!c->broken) {
		moved |= flush(c, intf);
		if (c->broken)
			break;
		/*
		 * The same for replies: xb_read notifies only when it found
		 * the ring full, so room it made after flush() loaded
		 * rsp_cons may come with no notification.
		 */
		if (c->out) {
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (intf->rsp_prod - load_acquire(&intf->rsp_cons) < XENSTORE_RING_SIZE)
				continue;
		}
		if (c->nreplies >= c->s->quota.outstanding)
			break;
		moved |= fill(c, intf);
		if (c->broken)
			break;
		if (c->in_used < XS_HDR_SIZE || c->in_used < XS_HDR_SIZE + in_len(c)) {
			/*
			 * Linux's xb_write notifies only when req_cons had
			 * reached its old req_prod: bytes it adds after fill()
			 * loaded req_prod and before fill() moved req_cons
			 * come with no notification (it takes us for busy).
			 * So look again after moving req_cons, the store
			 * ordered before the load as the guest orders its
			 * req_prod store before its req_cons load.
			 */
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (load_acquire(&intf->req_prod) == intf->req_cons)
				break;
			continue;
		}
		memcpy(&h, c->in, sizeof(h));
		c->in_used = 0;
		xs_conn_request(c, &h, c->in + XS_HDR_SIZE);
	}
	return moved ? XS_RING_NOTIFY : 0;
}
