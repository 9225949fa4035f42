// SPDX-License-Identifier: GPL-2.0
/*
 * A Xen PV console ring, the backend's side (see cons_ring.h).
 *
 * Barriers, the pairs Linux's hvc_xen (__write_console, domU_read_console)
 * expects:
 *  - output: load-acquire of out_prod before reading out[] (the guest
 *    writes the bytes, wmb, then out_prod); a full barrier after the copy
 *    and before out_cons moves, so the guest cannot reuse space we still
 *    read;
 *  - input: load-acquire of in_cons before writing in[] (the guest's reads
 *    of old bytes are done when it moves in_cons), then store-release of
 *    in_prod after the bytes.
 */
#include <string.h>

#include "cons_ring.h"

#define OUT_SIZE	sizeof(((struct xencons_interface *)0)->out)
#define IN_SIZE		sizeof(((struct xencons_interface *)0)->in)

static XENCONS_RING_IDX cons_load_acquire(const XENCONS_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void cons_store_release(XENCONS_RING_IDX *p, XENCONS_RING_IDX v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

void cons_ring_init(struct cons_ring *r, struct xencons_interface *intf)
{
	memset(r, 0, sizeof(*r));
	r->intf = intf;
}

int cons_ring_read_out(struct cons_ring *r, uint8_t *buf, size_t size)
{
	struct xencons_interface *intf = r->intf;
	XENCONS_RING_IDX prod, cons = r->out_cons;
	size_t n = 0;

	if (r->broken)
		return -1;
	prod = cons_load_acquire(&intf->out_prod);
	/* Unsigned: a prod behind cons is a huge distance, refused too. */
	if (prod - cons > OUT_SIZE) {
		r->broken = true;
		return -1;
	}
	while (cons != prod && n < size) {
		size_t off = MASK_XENCONS_IDX(cons, intf->out);
		size_t chunk = OUT_SIZE - off;

		if (chunk > (XENCONS_RING_IDX)(prod - cons))
			chunk = prod - cons;
		if (chunk > size - n)
			chunk = size - n;
		memcpy(buf + n, &intf->out[off], chunk);
		n += chunk;
		cons += chunk;
	}
	if (!n)
		return 0;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	r->out_cons = cons;
	cons_store_release(&intf->out_cons, cons);
	return n;
}

int cons_ring_write_in(struct cons_ring *r, const uint8_t *buf, size_t len)
{
	struct xencons_interface *intf = r->intf;
	XENCONS_RING_IDX cons, prod = r->in_prod;
	size_t n = 0;

	if (r->broken)
		return -1;
	cons = cons_load_acquire(&intf->in_cons);
	/* The guest cannot have read more than we wrote, nor lag by more than the ring. */
	if (prod - cons > IN_SIZE) {
		r->broken = true;
		return -1;
	}
	if (cons != 0)
		r->guest_read = true;
	while (n < len && prod - cons < IN_SIZE) {
		size_t off = MASK_XENCONS_IDX(prod, intf->in);
		size_t chunk = IN_SIZE - off;

		if (chunk > IN_SIZE - (XENCONS_RING_IDX)(prod - cons))
			chunk = IN_SIZE - (prod - cons);
		if (chunk > len - n)
			chunk = len - n;
		memcpy(&intf->in[off], buf + n, chunk);
		n += chunk;
		prod += chunk;
	}
	if (!n)
		return 0;
	r->in_prod = prod;
	cons_store_release(&intf->in_prod, prod);
	return n;
}
