// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore's tree: nodes with a value, children in creation order and
 * Xen's permissions, paths and their rules, the node operations every
 * request comes down to, and the store's and connections' life cycle.
 *
 * Paths (docs/misc/xenstore.txt): absolute ones start with '/', relative
 * ones are relative to /local/domain/<domid>/ of the caller; components
 * use [A-Za-z0-9_@-], no empty component, no trailing '/' (but "/");
 * at most XENSTORE_ABS_PATH_MAX bytes absolute, XENSTORE_REL_PATH_MAX
 * relative. Watches may also name the special paths "@introduceDomain"
 * and "@releaseDomain" (any "@..." of valid characters is accepted).
 *
 * Permissions (as xenstored): the first entry names the owner, whose
 * access is full, and the access of domains not listed; further entries
 * give one domain's access (n none, r read, w write, b both). Domain 0
 * may do anything. A new node inherits its parent's list; when an
 * unprivileged domain creates it, that domain becomes its owner. Creating
 * needs write access to the deepest existing ancestor. A missing node
 * reads as EACCES rather than ENOENT when that ancestor is unreadable,
 * so a guest cannot probe what it may not see. Nodes are counted per
 * owner for the node quota.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_internal.h"

static bool valid_chars(const char *p)
{
	for (; *p; p++) {
		char ch = *p;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-' || ch == '/' ||
		      ch == '_' || ch == '@'))
			return false;
	}
	return true;
}

/*
 * The canonical (absolute) form of a path a client gave, in *out
 * (malloc'd). c NULL: the toolstack, absolute paths only. watch: "@..."
 * special paths are allowed.
 */
int xs_canonical(const struct xs_conn *c, const char *in, char **out, bool watch)
{
	size_t len = strlen(in);
	char *p;

	*out = NULL;
	if (in[0] == '@') {
		if (!watch || len > XENSTORE_REL_PATH_MAX || !valid_chars(in) ||
		    strchr(in, '/'))
			return EINVAL;
		*out = strdup(in);
		return *out ? 0 : ENOMEM;
	}
	if (in[0] == '/') {
		if (len > XENSTORE_ABS_PATH_MAX)
			return EINVAL;
		p = strdup(in);
	} else {
		if (!c || len == 0 || len > XENSTORE_REL_PATH_MAX)
			return EINVAL;
		if (asprintf(&p, XS_DOMAIN_PREFIX "%u/%s", c->domid, in) < 0)
			p = NULL;
	}
	if (!p)
		return ENOMEM;
	len = strlen(p);
	if (len > XENSTORE_ABS_PATH_MAX || !valid_chars(p) || strstr(p, "//") ||
	    (len > 1 && p[len - 1] == '/')) {
		free(p);
		return EINVAL;
	}
	*out = p;
	return 0;
}

unsigned int xs_perm_for(const struct xs_conn *c, const struct xs_node *n)
{
	unsigned int i;

	if (!c || c->priv || n->perms[0].id == c->domid)
		return XSP_BOTH;
	for (i = 1; i < n->nperms; i++)
		if (n->perms[i].id == c->domid)
			return n->perms[i].perm;
	return n->perms[0].perm;
}

static bool priv(const struct xs_op *op)
{
	return !op->c || op->c->priv;
}

/* ---- per-owner node counts ---- */

static struct xs_count *count_slot(struct xs_tree *t, uint32_t domid, bool add)
{
	struct xs_count *n;
	unsigned int i;

	for (i = 0; i < t->ncnt; i++)
		if (t->cnt[i].domid == domid)
			return &t->cnt[i];
	if (!add)
		return NULL;
	n = realloc(t->cnt, (t->ncnt + 1) * sizeof(*n));
	if (!n)
		return NULL;
	t->cnt = n;
	n[t->ncnt].domid = domid;
	n[t->ncnt].nodes = 0;
	return &n[t->ncnt++];
}

static void count_adj(struct xs_tree *t, uint32_t domid, long delta)
{
	struct xs_count *cs = count_slot(t, domid, true);

	/* Without memory the count is lost; the quota then errs on the lenient side. */
	if (cs)
		cs->nodes += delta;
}

long xs_tree_nodes(const struct xs_tree *t, uint32_t domid)
{
	struct xs_count *cs = count_slot((struct xs_tree *)t, domid, false);

	return cs ? cs->nodes : 0;
}

/* ---- nodes ---- */

static struct xs_node *node_new(const char *name, size_t nlen, const struct xs_perm *perms,
				unsigned int nperms)
{
	struct xs_node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->name = strndup(name, nlen);
	n->perms = malloc(nperms * sizeof(*perms));
	if (!n->name || !n->perms) {
		free(n->name);
		free(n->perms);
		free(n);
		return NULL;
	}
	memcpy(n->perms, perms, nperms * sizeof(*perms));
	n->nperms = nperms;
	return n;
}

void xs_node_free(struct xs_node *n)
{
	unsigned int i;

	if (!n)
		return;
	for (i = 0; i < n->nkids; i++)
		xs_node_free(n->kids[i]);
	free(n->kids);
	free(n->value);
	free(n->perms);
	free(n->name);
	free(n);
}

struct xs_node *xs_node_copy(const struct xs_node *n, struct xs_node *parent)
{
	struct xs_node *c = node_new(n->name, strlen(n->name), n->perms, n->nperms);
	unsigned int i;

	if (!c)
		return NULL;
	c->parent = parent;
	c->gen = n->gen;
	if (n->len) {
		c->value = malloc(n->len);
		if (!c->value)
			goto fail;
		memcpy(c->value, n->value, n->len);
		c->len = n->len;
	}
	if (n->nkids) {
		c->kids = calloc(n->nkids, sizeof(*c->kids));
		if (!c->kids)
			goto fail;
		c->capkids = n->nkids;
		for (i = 0; i < n->nkids; i++) {
			c->kids[i] = xs_node_copy(n->kids[i], c);
			if (!c->kids[i])
				goto fail;
			c->nkids++;
		}
	}
	return c;
fail:
	xs_node_free(c);
	return NULL;
}

void xs_tree_free(struct xs_tree *t)
{
	xs_node_free(t->root);
	free(t->cnt);
	t->root = NULL;
	t->cnt = NULL;
	t->ncnt = 0;
}

int xs_tree_copy(struct xs_tree *dst, const struct xs_tree *src)
{
	dst->root = xs_node_copy(src->root, NULL);
	dst->cnt = malloc((src->ncnt ? src->ncnt : 1) * sizeof(*dst->cnt));
	if (!dst->root || !dst->cnt) {
		xs_node_free(dst->root);
		free(dst->cnt);
		dst->root = NULL;
		dst->cnt = NULL;
		return ENOMEM;
	}
	memcpy(dst->cnt, src->cnt, src->ncnt * sizeof(*dst->cnt));
	dst->ncnt = src->ncnt;
	return 0;
}

static struct xs_node *kid(const struct xs_node *n, const char *name, size_t len)
{
	unsigned int i;

	for (i = 0; i < n->nkids; i++)
		if (strlen(n->kids[i]->name) == len && !memcmp(n->kids[i]->name, name, len))
			return n->kids[i];
	return NULL;
}

/*
 * Walk a canonical path as far as it exists: the deepest existing node,
 * and in *rest the components not found ("" when the node itself exists).
 */
static struct xs_node *walk(struct xs_node *root, const char *path, const char **rest)
{
	struct xs_node *cur = root, *k;
	const char *p = path + 1, *e;

	while (*p) {
		e = strchrnul(p, '/');
		k = kid(cur, p, e - p);
		if (!k)
			break;
		cur = k;
		p = *e ? e + 1 : e;
	}
	*rest = p;
	return cur;
}

struct xs_node *xs_lookup(struct xs_node *root, const char *path)
{
	const char *rest;
	struct xs_node *n;

	if (path[0] != '/')
		return NULL;
	n = walk(root, path, &rest);
	return *rest ? NULL : n;
}

static int add_kid(struct xs_node *parent, struct xs_node *n)
{
	if (parent->nkids == parent->capkids) {
		unsigned int cap = parent->capkids ? parent->capkids * 2 : 4;
		struct xs_node **k = realloc(parent->kids, cap * sizeof(*k));

		if (!k)
			return ENOMEM;
		parent->kids = k;
		parent->capkids = cap;
	}
	parent->kids[parent->nkids++] = n;
	n->parent = parent;
	return 0;
}

static int set_value(struct xs_node *n, const void *val, unsigned int len)
{
	uint8_t *v = NULL;

	if (len) {
		v = malloc(len);
		if (!v)
			return ENOMEM;
		memcpy(v, val, len);
	}
	free(n->value);
	n->value = v;
	n->len = len;
	return 0;
}

static int set_perms(struct xs_tree *t, struct xs_node *n, const struct xs_perm *p,
		     unsigned int np)
{
	struct xs_perm *q = malloc(np * sizeof(*q));

	if (!q)
		return ENOMEM;
	memcpy(q, p, np * sizeof(*q));
	if (n->perms[0].id != p[0].id) {
		count_adj(t, n->perms[0].id, -1);
		count_adj(t, p[0].id, 1);
	}
	free(n->perms);
	n->perms = q;
	n->nperms = np;
	return 0;
}

/* Unlink a subtree and free it, uncounting every node. */
static void uncount(struct xs_tree *t, const struct xs_node *n)
{
	unsigned int i;

	count_adj(t, n->perms[0].id, -1);
	for (i = 0; i < n->nkids; i++)
		uncount(t, n->kids[i]);
}

static void unlink_free(struct xs_store *s, struct xs_tree *t, struct xs_node *n)
{
	struct xs_node *p = n->parent;
	unsigned int i;

	for (i = 0; i < p->nkids; i++) {
		if (p->kids[i] == n) {
			memmove(&p->kids[i], &p->kids[i + 1], (p->nkids - i - 1) * sizeof(n));
			p->nkids--;
			break;
		}
	}
	p->gen = ++s->gen;
	uncount(t, n);
	xs_node_free(n);
}

/* ENOENT, or EACCES when the deepest existing ancestor may not be read. */
static int missing(struct xs_op *op, const char *path)
{
	const char *rest;
	struct xs_node *a = walk(op->t->root, path, &rest);

	return xs_perm_for(op->c, a) & XSP_READ ? ENOENT : EACCES;
}

static int touch(struct xs_op *op, const char *path, size_t len, const struct xs_node *n,
		 bool modified, enum xs_fire fire)
{
	char *p;
	int rc;

	if (!op->tx)
		return 0;
	p = strndup(path, len);
	if (!p)
		return ENOMEM;
	rc = xs_txn_touch(op->tx, p, n, modified, fire);
	free(p);
	return rc;
}

/* The node at a canonical path if the caller has perm on it; reads are recorded. */
int xs_get(struct xs_op *op, const char *path, unsigned int perm, struct xs_node **out)
{
	struct xs_node *n = xs_lookup(op->t->root, path);
	int rc;

	*out = NULL;
	rc = touch(op, path, strlen(path), n, false, XS_FIRE_NONE);
	if (rc)
		return rc;
	if (!n)
		return missing(op, path);
	if ((xs_perm_for(op->c, n) & perm) != perm)
		return EACCES;
	*out = n;
	return 0;
}

static size_t prefix_len(const char *path, const char *rest)
{
	size_t l = rest - path;

	/* rest follows a '/' unless it is the root's "" or at the end */
	if (l > 1 && path[l - 1] == '/')
		l--;
	return l;
}

/* WRITE (value) or MKDIR (mkdir: an existing node stays as it is). */
int xs_write(struct xs_op *op, const char *path, const void *val, unsigned int len,
	     bool mkdir)
{
	const char *rest, *p, *e;
	struct xs_node *n = walk(op->t->root, path, &rest), *k;
	unsigned int depth = 0;
	int rc;

	if (path[0] != '/')
		return EINVAL;
	if (!priv(op) && len > op->s->quota.value_size)
		return ENOSPC;
	if (!*rest) {
		if (!(xs_perm_for(op->c, n) & XSP_WRITE))
			return EACCES;
		if (mkdir)
			return touch(op, path, strlen(path), n, false, XS_FIRE_NONE);
		rc = touch(op, path, strlen(path), n, true, XS_FIRE_PATH);
		if (!rc)
			rc = set_value(n, val, len);
		if (rc)
			return rc;
		n->gen = ++op->s->gen;
		if (!op->tx)
			xs_fire(op->s, path, n, false);
		return 0;
	}
	if (!(xs_perm_for(op->c, n) & XSP_WRITE))
		return xs_perm_for(op->c, n) & XSP_READ ? EACCES : missing(op, path);
	for (p = rest; *p; depth++)
		p = *(e = strchrnul(p, '/')) ? e + 1 : e;
	if (!priv(op) &&
	    xs_tree_nodes(op->t, op->c->domid) + depth > op->s->quota.nodes)
		return ENOSPC;
	rc = touch(op, path, prefix_len(path, rest), n, true, XS_FIRE_NONE);
	for (p = rest; !rc && *p; p = *e ? e + 1 : e) {
		e = strchrnul(p, '/');
		rc = touch(op, path, e - path, NULL, true, *e ? XS_FIRE_NONE : XS_FIRE_PATH);
		if (rc)
			break;
		k = node_new(p, e - p, n->perms, n->nperms);
		if (!k)
			return ENOMEM;
		if (!priv(op))
			k->perms[0].id = op->c->domid;
		if (add_kid(n, k)) {
			xs_node_free(k);
			return ENOMEM;
		}
		count_adj(op->t, k->perms[0].id, 1);
		n->gen = k->gen = ++op->s->gen;
		n = k;
	}
	if (rc)
		return rc;
	if (!mkdir && set_value(n, val, len))
		return ENOMEM;
	if (!op->tx)
		xs_fire(op->s, path, n, false);
	return 0;
}

static int touch_subtree(struct xs_op *op, const char *path, const struct xs_node *n)
{
	unsigned int i;
	char *p;
	int rc = 0;

	for (i = 0; !rc && i < n->nkids; i++) {
		if (asprintf(&p, "%s/%s", path, n->kids[i]->name) < 0)
			return ENOMEM;
		rc = xs_txn_touch(op->tx, p, n->kids[i], true, XS_FIRE_NONE);
		if (!rc)
			rc = touch_subtree(op, p, n->kids[i]);
		free(p);
	}
	return rc;
}

int xs_rm(struct xs_op *op, const char *path)
{
	struct xs_node *n = xs_lookup(op->t->root, path);
	const char *slash = strrchr(path, '/');
	int rc;

	if (path[0] != '/' || !path[1])
		return EINVAL;
	if (!n) {
		/* Removing what is not there is fine if its parent is. */
		struct xs_node *p = xs_lookup(op->t->root, "/");
		char *pp = strndup(path, slash - path);

		if (!pp)
			return ENOMEM;
		if (slash != path)
			p = xs_lookup(op->t->root, pp);
		free(pp);
		rc = touch(op, path, strlen(path), NULL, false, XS_FIRE_NONE);
		if (rc)
			return rc;
		return p ? 0 : missing(op, path);
	}
	if (!(xs_perm_for(op->c, n) & XSP_WRITE))
		return EACCES;
	if (op->tx) {
		rc = touch(op, path, slash == path ? 1 : (size_t)(slash - path), n->parent,
			   true, XS_FIRE_NONE);
		if (!rc)
			rc = touch(op, path, strlen(path), n, true, XS_FIRE_RM);
		if (!rc)
			rc = touch_subtree(op, path, n);
		if (rc)
			return rc;
	} else {
		xs_fire_rm(op->s, path, n);
	}
	unlink_free(op->s, op->t, n);
	return 0;
}

int xs_set_perms(struct xs_op *op, const char *path, const struct xs_perm *p, unsigned int np)
{
	struct xs_node *n = xs_lookup(op->t->root, path);
	int rc;

	if (!n) {
		rc = touch(op, path, strlen(path), NULL, false, XS_FIRE_NONE);
		return rc ? rc : missing(op, path);
	}
	if (!priv(op)) {
		/* Only the owner changes them, and may not give the node away. */
		if (n->perms[0].id != op->c->domid)
			return EACCES;
		if (p[0].id != n->perms[0].id)
			return EPERM;
		if (np > op->s->quota.perms)
			return ENOSPC;
	}
	rc = touch(op, path, strlen(path), n, true, XS_FIRE_PATH);
	if (!rc)
		rc = set_perms(op->t, n, p, np);
	if (rc)
		return rc;
	n->gen = ++op->s->gen;
	if (!op->tx)
		xs_fire(op->s, path, n, false);
	return 0;
}

/* "n0", "r5", ...: a letter and a decimal domid below 65536. */
int xs_parse_perms(const char *const *strs, unsigned int n, struct xs_perm *out)
{
	unsigned int i;

	if (!n)
		return EINVAL;
	for (i = 0; i < n; i++) {
		const char *s = strs[i];
		unsigned long id = 0;
		size_t d;

		switch (s[0]) {
		case 'n': out[i].perm = XSP_NONE; break;
		case 'r': out[i].perm = XSP_READ; break;
		case 'w': out[i].perm = XSP_WRITE; break;
		case 'b': out[i].perm = XSP_BOTH; break;
		default: return EINVAL;
		}
		for (d = 1; s[d]; d++) {
			if (s[d] < '0' || s[d] > '9' || d > 5)
				return EINVAL;
			id = id * 10 + (s[d] - '0');
		}
		if (d == 1 || id > 0xffff)
			return EINVAL;
		out[i].id = id;
	}
	return 0;
}

/*
 * A committed transaction's node: make the store's node at path match src
 * (a node of the transaction's copy), creating missing ancestors from
 * src's own. Returns the store's node or NULL (no memory).
 */
struct xs_node *xs_apply_node(struct xs_store *s, const char *path, const struct xs_node *src)
{
	const struct xs_node *chain[XENSTORE_ABS_PATH_MAX / 2 + 2];
	struct xs_node *n = s->main.root, *k;
	unsigned int depth = 0, i;

	(void)path;
	for (; src->parent && depth < sizeof(chain) / sizeof(chain[0]); src = src->parent)
		chain[depth++] = src;
	for (i = depth; i-- > 0;) {
		k = kid(n, chain[i]->name, strlen(chain[i]->name));
		if (!k) {
			k = node_new(chain[i]->name, strlen(chain[i]->name), chain[i]->perms,
				     chain[i]->nperms);
			if (!k || add_kid(n, k)) {
				xs_node_free(k);
				return NULL;
			}
			count_adj(&s->main, k->perms[0].id, 1);
			if (set_value(k, chain[i]->value, chain[i]->len))
				return NULL;
			n->gen = k->gen = ++s->gen;
		}
		n = k;
	}
	if (depth) {
		if (set_value(n, chain[0]->value, chain[0]->len) ||
		    set_perms(&s->main, n, chain[0]->perms, chain[0]->nperms))
			return NULL;
	} else if (set_perms(&s->main, n, src->perms, src->nperms)) {
		return NULL;
	}
	n->gen = ++s->gen;
	return n;
}

void xs_apply_rm(struct xs_store *s, const char *path, bool fire)
{
	struct xs_node *n = xs_lookup(s->main.root, path);

	if (!n || !n->parent)
		return;
	if (fire)
		xs_fire_rm(s, path, n);
	unlink_free(s, &s->main, n);
}

/* ---- message queues ---- */

int xs_queue(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id,
	     const void *data, unsigned int len, bool event)
{
	struct xs_msg *m;

	if (event && c->nevents >= c->s->quota.events) {
		c->dropped++;
		return ENOSPC;
	}
	m = malloc(sizeof(*m) + len);
	if (!m)
		return ENOMEM;
	m->next = NULL;
	m->hdr.type = type;
	m->hdr.req_id = req_id;
	m->hdr.tx_id = tx_id;
	m->hdr.len = len;
	m->event = event;
	m->done = 0;
	if (len)
		memcpy(m->body, data, len);
	*c->out_tail = m;
	c->out_tail = &m->next;
	if (event)
		c->nevents++;
	else
		c->nreplies++;
	return 0;
}

int xs_conn_pop(struct xs_conn *c, struct xsd_sockmsg *hdr, void *buf, size_t size)
{
	struct xs_msg *m = c->out;

	if (!m)
		return 0;
	*hdr = m->hdr;
	memcpy(buf, m->body, m->hdr.len < size ? m->hdr.len : size);
	c->out = m->next;
	if (!c->out)
		c->out_tail = &c->out;
	if (m->event)
		c->nevents--;
	else
		c->nreplies--;
	free(m);
	return 1;
}

unsigned long xs_conn_dropped_events(const struct xs_conn *c)
{
	return c->dropped;
}

/* ---- store and connections ---- */

struct xs_store *xs_store_new(void)
{
	static const struct xs_perm root_perm = { 0, XSP_NONE };
	struct xs_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->quota = (struct xs_quota){
		.nodes = 1000, .watches = 128, .transactions = 10, .value_size = 2048,
		.outstanding = 20, .events = 256, .perms = 5,
	};
	s->next_txid = 1;
	s->main.root = node_new("", 0, &root_perm, 1);
	if (!s->main.root) {
		free(s);
		return NULL;
	}
	count_adj(&s->main, 0, 1);
	if (xs_store_mkdir(s, "/local/domain") || xs_store_mkdir(s, "/tool")) {
		xs_store_free(s);
		return NULL;
	}
	return s;
}

void xs_store_free(struct xs_store *s)
{
	if (!s)
		return;
	while (s->conns)
		xs_conn_free(s->conns);
	xs_tree_free(&s->main);
	free(s);
}

void xs_store_get_quota(const struct xs_store *s, struct xs_quota *q)
{
	*q = s->quota;
}

void xs_store_set_quota(struct xs_store *s, const struct xs_quota *q)
{
	s->quota = *q;
}

struct xs_conn *xs_conn_new(struct xs_store *s, unsigned int domid)
{
	struct xs_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->s = s;
	c->domid = domid;
	c->priv = domid == 0;
	c->out_tail = &c->out;
	c->next = s->conns;
	s->conns = c;
	return c;
}

void xs_conn_free(struct xs_conn *c)
{
	struct xs_conn **pp;
	struct xs_msg *m;

	if (!c)
		return;
	for (pp = &c->s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	xs_txn_free_all(c);
	xs_watch_free_all(c);
	while ((m = c->out)) {
		c->out = m->next;
		free(m);
	}
	free(c);
}

/* ---- the toolstack's calls ---- */

static int tool_op(struct xs_store *s, const char *path, char **canon, struct xs_op *op)
{
	*op = (struct xs_op){ .s = s, .t = &s->main };
	return xs_canonical(NULL, path, canon, false);
}

int xs_store_write(struct xs_store *s, const char *path, const void *val, size_t len)
{
	struct xs_op op;
	char *p;
	int rc = tool_op(s, path, &p, &op);

	if (!rc)
		rc = len > XENSTORE_PAYLOAD_MAX ? E2BIG : xs_write(&op, p, val, len, false);
	free(p);
	return -rc;
}

int xs_store_printf(struct xs_store *s, const char *path, const char *fmt, ...)
{
	va_list ap;
	char *v;
	int rc, n;

	va_start(ap, fmt);
	n = vasprintf(&v, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	rc = xs_store_write(s, path, v, n);
	free(v);
	return rc;
}

int xs_store_mkdir(struct xs_store *s, const char *path)
{
	struct xs_op op;
	char *p;
	int rc = tool_op(s, path, &p, &op);

	if (!rc)
		rc = xs_write(&op, p, NULL, 0, true);
	free(p);
	return -rc;
}

int xs_store_rm(struct xs_store *s, const char *path)
{
	struct xs_op op;
	char *p;
	int rc = tool_op(s, path, &p, &op);

	if (!rc)
		rc = xs_rm(&op, p);
	free(p);
	return -rc;
}

int xs_store_set_perms(struct xs_store *s, const char *path, const char *perms)
{
	const char *strs[64];
	struct xs_perm p[64];
	unsigned int n = 0;
	char *copy = strdup(perms), *tok, *save = NULL, *cp = NULL;
	struct xs_op op;
	int rc;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, " ", &save); tok && n < 64; tok = strtok_r(NULL, " ", &save))
		strs[n++] = tok;
	rc = tok ? E2BIG : xs_parse_perms(strs, n, p);
	if (!rc)
		rc = tool_op(s, path, &cp, &op);
	if (!rc)
		rc = xs_set_perms(&op, cp, p, n);
	free(cp);
	free(copy);
	return -rc;
}

char *xs_store_read(struct xs_store *s, const char *path, size_t *len)
{
	struct xs_node *n;
	struct xs_op op;
	char *p, *v = NULL;
	int rc = tool_op(s, path, &p, &op);

	if (!rc)
		rc = xs_get(&op, p, XSP_READ, &n);
	free(p);
	if (!rc) {
		v = malloc(n->len + 1);
		if (!v) {
			rc = ENOMEM;
		} else {
			if (n->len)
				memcpy(v, n->value, n->len);
			v[n->len] = 0;
			if (len)
				*len = n->len;
		}
	}
	errno = rc;
	return v;
}

void xs_store_introduce(struct xs_store *s, unsigned int domid)
{
	(void)domid;
	xs_fire(s, "@introduceDomain", NULL, true);
}

void xs_store_release(struct xs_store *s, unsigned int domid)
{
	(void)domid;
	xs_fire(s, "@releaseDomain", NULL, true);
}
