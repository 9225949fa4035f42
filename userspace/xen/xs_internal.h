/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The xenstore's parts: tree (xenstore.c), transactions (xs_txn.c),
 * watches (xs_watch.c), requests (xs_ops.c), the ring (xs_ring.c), the
 * toolstack's domain tree (xs_domain.c).
 */
#ifndef HXEN_XS_INTERNAL_H
#define HXEN_XS_INTERNAL_H

#include <errno.h>
#include <stdbool.h>
#include "xenstore.h"

/* Xen's permission bits (per node, per domain). */
#define XSP_NONE	0
#define XSP_READ	1
#define XSP_WRITE	2
#define XSP_BOTH	3

#define XS_DOMAIN_PREFIX "/local/domain/"

struct xs_perm {
	uint32_t id;
	uint8_t perm;
};

struct xs_node {
	char *name;			/* last component; "" for the root */
	struct xs_node *parent;
	struct xs_node **kids;		/* in creation order */
	unsigned int nkids, capkids;
	uint8_t *value;
	unsigned int len;
	struct xs_perm *perms;		/* [0]: owner and everyone else's */
	unsigned int nperms;
	uint64_t gen;			/* store generation of its last change */
};

/* Nodes per owner, for the quota. */
struct xs_count {
	uint32_t domid;
	long nodes;
};

struct xs_tree {
	struct xs_node *root;
	struct xs_count *cnt;
	unsigned int ncnt;
};

/* A node a transaction read or changed, and its generation then (0: absent). */
enum xs_fire { XS_FIRE_NONE, XS_FIRE_PATH, XS_FIRE_RM };
struct xs_rec {
	char *path;
	uint64_t gen;
	bool modified;
	enum xs_fire fire;
};

struct xs_txn {
	struct xs_txn *next;
	uint32_t id;
	struct xs_tree tree;		/* private copy of the store at start */
	struct xs_rec *recs;
	unsigned int nrecs, caprecs;
	long start_nodes;		/* the domain's nodes in the copy at start */
	unsigned int max_recs;
};

struct xs_watch {
	struct xs_watch *next;
	char *path;			/* canonical, or "@..." */
	char *token;
	bool relative;			/* events strip /local/domain/<id>/ */
};

struct xs_msg {
	struct xs_msg *next;
	struct xsd_sockmsg hdr;
	bool event;
	unsigned int done;		/* bytes already on the ring */
	uint8_t body[];
};

#define XS_HDR_SIZE ((unsigned int)sizeof(struct xsd_sockmsg))

struct xs_conn {
	struct xs_conn *next;
	struct xs_store *s;
	uint32_t domid;
	bool priv;
	struct xs_watch *watches;
	unsigned int nwatches;
	struct xs_txn *txns;
	unsigned int ntxns;
	struct xs_msg *out, **out_tail;
	unsigned int nreplies, nevents;
	unsigned long dropped;
	/* the request being read off the ring */
	uint8_t in[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	unsigned int in_used;
	bool broken;
};

struct xs_store {
	struct xs_tree main;
	struct xs_conn *conns;
	struct xs_quota quota;
	uint64_t gen;
	uint32_t next_txid;
};

/* Who does an operation, on which tree. */
struct xs_op {
	struct xs_store *s;
	struct xs_conn *c;
	struct xs_tree *t;		/* &s->main or the transaction's copy */
	struct xs_txn *tx;		/* NULL: watches fire at once */
};

/* xenstore.c */
int xs_canonical(const struct xs_conn *c, const char *in, char **out, bool watch);
unsigned int xs_perm_for(const struct xs_conn *c, const struct xs_node *n);
struct xs_node *xs_lookup(struct xs_node *root, const char *path);
struct xs_node *xs_node_copy(const struct xs_node *n, struct xs_node *parent);
void xs_node_free(struct xs_node *n);
void xs_tree_free(struct xs_tree *t);
int xs_tree_copy(struct xs_tree *dst, const struct xs_tree *src);
long xs_tree_nodes(const struct xs_tree *t, uint32_t domid);
int xs_get(struct xs_op *op, const char *path, unsigned int perm, struct xs_node **out);
int xs_write(struct xs_op *op, const char *path, const void *val, unsigned int len,
	     bool mkdir);
int xs_rm(struct xs_op *op, const char *path);
int xs_set_perms(struct xs_op *op, const char *path, const struct xs_perm *p, unsigned int n);
int xs_parse_perms(const char *const *strs, unsigned int n, struct xs_perm *out);
struct xs_node *xs_apply_node(struct xs_store *s, const char *path,
			      const struct xs_node *src);
void xs_apply_rm(struct xs_store *s, const char *path, bool fire);
int xs_queue(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	     const void *data, unsigned int len, bool event);

/* xs_txn.c */
struct xs_txn *xs_txn_find(struct xs_conn *c, uint32_t id);
int xs_txn_start(struct xs_conn *c, uint32_t *id);
int xs_txn_end(struct xs_conn *c, struct xs_txn *tx, bool commit);
void xs_txn_free_all(struct xs_conn *c);
int xs_txn_touch(struct xs_txn *tx, const char *path, const struct xs_node *n,
		 bool modified, enum xs_fire fire);

/* xs_watch.c */
int xs_watch_add(struct xs_conn *c, const char *path, const char *token, bool relative);
int xs_watch_del(struct xs_conn *c, const char *path, const char *token);
void xs_watch_free_all(struct xs_conn *c);
void xs_fire(struct xs_store *s, const char *path, const struct xs_node *n, bool exact);
void xs_fire_rm(struct xs_store *s, const char *path, const struct xs_node *n);

#endif
