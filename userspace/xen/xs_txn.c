// SPDX-License-Identifier: GPL-2.0
/*
 * Transactions. TRANSACTION_START takes a private copy of the whole tree
 * (bounded: the node quota limits what guests add to it); requests in the
 * transaction run on the copy, which records every path they read or
 * change with the node's generation when first seen (0: absent). Watches
 * do not fire inside a transaction.
 *
 * TRANSACTION_END "T" commits: if any recorded path's generation in the
 * store differs from the recorded one (someone changed, created or
 * removed it meanwhile), the transaction fails with EAGAIN, as xenstored's
 * generation-based check does; the client retries. Otherwise each changed
 * path is made to match the copy (created, updated or removed, in the
 * order the transaction changed them) and watches fire for them then. A
 * node's generation also moves when its children change, so a directory
 * listed in a transaction conflicts with a child added outside it.
 * "F" aborts. Either way the transaction is gone.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdlib.h>
#include <string.h>

#include "xs_internal.h"

struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id)
{
	struct xs_txn *tx;

	for (tx = c->txns; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

static void txn_free(struct xs_txn *tx)
{
	unsigned int i;

	for (i = 0; i < tx->nrecs; i++)
		free(tx->recs[i].path);
	free(tx->recs);
	xs_tree_free(&tx->tree);
	free(tx);
}

int xs_txn_start(struct xs_conn *c, uint32_t *id)
{
	struct xs_store *s = c->s;
	struct xs_txn *tx;

	if (!c->priv && c->ntxns >= s->quota.transactions)
		return ENOSPC;
	tx = calloc(1, sizeof(*tx));
	if (!tx)
		return ENOMEM;
	if (xs_tree_copy(&tx->tree, &s->main)) {
		free(tx);
		return ENOMEM;
	}
	tx->start_nodes = xs_tree_nodes(&tx->tree, c->domid);
	/* What one transaction may record: its domain's nodes and some reads. */
	tx->max_recs = c->priv ? ~0u : 4 * s->quota.nodes + 256;
	do
		tx->id = s->next_txid++;
	while (!tx->id || xs_txn_find(c, tx->id));
	tx->next = c->txns;
	c->txns = tx;
	c->ntxns++;
	*id = tx->id;
	return 0;
}

int xs_txn_touch(struct xs_txn *tx, const char *path, const struct xs_node *n,
		 bool modified, enum xs_fire fire)
{
	struct xs_rec *r;
	unsigned int i;

	for (i = 0; i < tx->nrecs; i++) {
		r = &tx->recs[i];
		if (!strcmp(r->path, path)) {
			r->modified |= modified;
			if (fire > r->fire)
				r->fire = fire;
			return 0;
		}
	}
	if (tx->nrecs >= tx->max_recs)
		return ENOSPC;
	if (tx->nrecs == tx->caprecs) {
		unsigned int cap = tx->caprecs ? tx->caprecs * 2 : 16;

		r = realloc(tx->recs, cap * sizeof(*r));
		if (!r)
			return ENOMEM;
		tx->recs = r;
		tx->caprecs = cap;
	}
	r = &tx->recs[tx->nrecs];
	r->path = strdup(path);
	if (!r->path)
		return ENOMEM;
	r->gen = n ? n->gen : 0;
	r->modified = modified;
	r->fire = fire;
	tx->nrecs++;
	return 0;
}

static int commit(struct xs_conn *c, struct xs_txn *tx)
{
	struct xs_store *s = c->s;
	struct xs_node *n;
	unsigned int i;

	for (i = 0; i < tx->nrecs; i++) {
		n = xs_lookup(s->main.root, tx->recs[i].path);
		if ((n ? n->gen : 0) != tx->recs[i].gen)
			return EAGAIN;
	}
	if (!c->priv) {
		long added = xs_tree_nodes(&tx->tree, c->domid) - tx->start_nodes;

		if (added > 0 && xs_tree_nodes(&s->main, c->domid) + added > s->quota.nodes)
			return ENOSPC;
	}
	for (i = 0; i < tx->nrecs; i++) {
		struct xs_rec *r = &tx->recs[i];
		const struct xs_node *cn;

		if (!r->modified)
			continue;
		cn = xs_lookup(tx->tree.root, r->path);
		if (cn) {
			n = xs_apply_node(s, r->path, cn);
			if (!n)
				return ENOMEM;
			if (r->fire != XS_FIRE_NONE)
				xs_fire(s, r->path, n, false);
		} else {
			xs_apply_rm(s, r->path, r->fire != XS_FIRE_NONE);
		}
	}
	return 0;
}

int xs_txn_end(struct xs_conn *c, struct xs_txn *tx, bool commit_it)
{
	struct xs_txn **pp;
	int rc = 0;

	for (pp = &c->txns; *pp; pp = &(*pp)->next) {
		if (*pp == tx) {
			*pp = tx->next;
			c->ntxns--;
			break;
		}
	}
	if (commit_it)
		rc = commit(c, tx);
	txn_free(tx);
	return rc;
}

void xs_txn_free_all(struct xs_conn *c)
{
	struct xs_txn *tx;

	while ((tx = c->txns)) {
		c->txns = tx->next;
		txn_free(tx);
	}
	c->ntxns = 0;
}
