// SPDX-License-Identifier: GPL-2.0
/*
 * Requests (docs/misc/xenstore.txt), one struct xsd_sockmsg and its
 * payload at a time. A reply echoes type, req_id and tx_id; a failure is
 * an XS_ERROR reply carrying the error's name from xs_wire.h's xsd_errors
 * ("ENOENT\0"). Arguments are NUL-terminated strings and requests whose
 * strings are not (or that carry too few or too many) get EINVAL; only
 * WRITE's value, after the path's NUL, is raw bytes.
 *
 * Quota errors are those xenstored sends: ENOSPC for nodes, value size,
 * transactions and permission entries, E2BIG for watches (xs_wire.h has
 * no EQUOTA). Toolstack-only requests (INTRODUCE, RELEASE,
 * IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET, CONTROL) get EACCES from
 * guests and ENOSYS from local connections: the launcher calls
 * xs_store_introduce()/xs_store_release() instead.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_internal.h"

static const char *errname(int err)
{
	unsigned int i;

	for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
		if (xsd_errors[i].errnum == err)
			return xsd_errors[i].errstring;
	return "EINVAL";
}

static void reply(struct xs_conn *c, const struct xsd_sockmsg *h, const void *d, unsigned int l)
{
	xs_queue(c, h->type, h->req_id, h->tx_id, d, l, false);
}

static void reply_err(struct xs_conn *c, const struct xsd_sockmsg *h, int err)
{
	const char *e = errname(err);

	xs_queue(c, XS_ERROR, h->req_id, h->tx_id, e, strlen(e) + 1, false);
}

/*
 * Split a payload (buf[len] is a NUL the caller added) into at most max
 * strings; returns how many, or -1 when it is not made of 1..max
 * NUL-terminated strings exactly.
 */
static int strings(const char *buf, unsigned int len, const char **v, unsigned int max)
{
	unsigned int n = 0, off = 0;

	if (!len || buf[len - 1])
		return -1;
	while (off < len) {
		if (n == max)
			return -1;
		v[n++] = buf + off;
		off += strlen(buf + off) + 1;
	}
	return n;
}

/* A decimal number below limit, digits only. */
static int number(const char *s, unsigned long limit, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		v = v * 10 + (*s - '0');
		if (v >= limit)
			return EINVAL;
	}
	*out = v;
	return 0;
}

static int children(const struct xs_node *n, char *buf, unsigned int size, unsigned int *len)
{
	unsigned int i, l = 0, nl;

	for (i = 0; i < n->nkids; i++) {
		nl = strlen(n->kids[i]->name) + 1;
		if (l + nl > size)
			return E2BIG;
		memcpy(buf + l, n->kids[i]->name, nl);
		l += nl;
	}
	*len = l;
	return 0;
}

/* Names from byte offset off; an empty name ends the list when all fit. */
static int directory_part(struct xs_conn *c, const struct xsd_sockmsg *h,
			  const struct xs_node *n, unsigned long off)
{
	char gen[24], *all, *out;
	unsigned int total = 0, glen, i, room, l = 0, nl;
	int rc = 0;

	for (i = 0; i < n->nkids; i++)
		total += strlen(n->kids[i]->name) + 1;
	if (off > total)
		return EINVAL;
	all = malloc(total + 1);
	out = malloc(XENSTORE_PAYLOAD_MAX);
	if (!all || !out) {
		rc = ENOMEM;
		goto out;
	}
	children(n, all, total, &i);
	glen = snprintf(gen, sizeof(gen), "%llu", (unsigned long long)n->gen) + 1;
	memcpy(out, gen, glen);
	room = XENSTORE_PAYLOAD_MAX - glen - 1;
	while (off + l < total) {
		nl = strlen(all + off + l) + 1;
		if (l + nl > room)
			break;
		l += nl;
	}
	memcpy(out + glen, all + off, l);
	if (off + l == total)
		out[glen + l++] = 0;
	reply(c, h, out, glen + l);
out:
	free(all);
	free(out);
	return rc;
}

static int get_perms(struct xs_conn *c, const struct xsd_sockmsg *h, const struct xs_node *n)
{
	static const char letter[] = "nrwb";
	char *buf = malloc(n->nperms * 8 + 1);
	unsigned int i, l = 0;

	if (!buf)
		return ENOMEM;
	for (i = 0; i < n->nperms; i++)
		l += sprintf(buf + l, "%c%u", letter[n->perms[i].perm & 3], n->perms[i].id) + 1;
	if (l > XENSTORE_PAYLOAD_MAX) {
		free(buf);
		return E2BIG;
	}
	reply(c, h, buf, l);
	free(buf);
	return 0;
}

static int req_set_perms(struct xs_op *op, const char *buf, unsigned int len)
{
	const char **v = malloc((len / 2 + 1) * sizeof(*v));
	struct xs_perm *p = malloc((len / 2 + 1) * sizeof(*p));
	char *path = NULL;
	int n, rc;

	if (!v || !p) {
		rc = ENOMEM;
		goto out;
	}
	n = strings(buf, len, v, len / 2 + 1);
	rc = n < 2 ? EINVAL : xs_parse_perms(v + 1, n - 1, p);
	if (!rc)
		rc = xs_canonical(op->c, v[0], &path, false);
	if (!rc)
		rc = xs_set_perms(op, path, p, n - 1);
out:
	free(path);
	free(v);
	free(p);
	return rc;
}

static int req_watch(struct xs_conn *c, const struct xsd_sockmsg *h, const char *buf,
		 unsigned int len)
{
	const char *v[2];
	char *path;
	int rc;

	if (strings(buf, len, v, 2) != 2)
		return EINVAL;
	rc = xs_canonical(c, v[0], &path, true);
	if (rc)
		return rc;
	if (h->type == XS_UNWATCH) {
		rc = xs_watch_del(c, path, v[1]);
	} else {
		rc = xs_watch_add(c, path, v[1], v[0][0] != '/' && v[0][0] != '@');
		if (!rc) {
			reply(c, h, "OK", 3);
			/* The first event, as given: the client reads the state then. */
			xs_queue(c, XS_WATCH_EVENT, 0, 0, buf, len, true);
		}
	}
	if (!rc && h->type == XS_UNWATCH)
		reply(c, h, "OK", 3);
	free(path);
	return rc;
}

/* Requests on one path: READ, WRITE, MKDIR, RM, DIRECTORY(_PART), GET_PERMS. */
static int path_op(struct xs_op *op, const struct xsd_sockmsg *h, const char *buf,
		   unsigned int len)
{
	const char *v[2];
	unsigned long off = 0;
	struct xs_node *n;
	char *path = NULL, *dir = NULL;
	unsigned int l = 0;
	int rc;

	if (h->type == XS_WRITE) {
		l = strnlen(buf, len);
		if (l == len)
			return EINVAL;
		v[0] = buf;
	} else if (h->type == XS_DIRECTORY_PART) {
		if (strings(buf, len, v, 2) != 2 || number(v[1], 1ul << 31, &off))
			return EINVAL;
	} else if (strings(buf, len, v, 1) != 1) {
		return EINVAL;
	}
	rc = xs_canonical(op->c, v[0], &path, false);
	if (rc)
		return rc;
	switch (h->type) {
	case XS_READ:
		rc = xs_get(op, path, XSP_READ, &n);
		if (!rc)
			reply(op->c, h, n->value, n->len);
		break;
	case XS_WRITE:
		rc = xs_write(op, path, buf + l + 1, len - l - 1, false);
		break;
	case XS_MKDIR:
		rc = xs_write(op, path, NULL, 0, true);
		break;
	case XS_RM:
		rc = xs_rm(op, path);
		break;
	case XS_DIRECTORY:
		rc = xs_get(op, path, XSP_READ, &n);
		if (!rc)
			dir = malloc(XENSTORE_PAYLOAD_MAX);
		if (!rc && !dir)
			rc = ENOMEM;
		if (!rc)
			rc = children(n, dir, XENSTORE_PAYLOAD_MAX, &l);
		if (!rc)
			reply(op->c, h, dir, l);
		free(dir);
		break;
	case XS_DIRECTORY_PART:
		rc = xs_get(op, path, XSP_READ, &n);
		if (!rc)
			rc = directory_part(op->c, h, n, off);
		break;
	case XS_GET_PERMS:
		rc = xs_get(op, path, XSP_READ, &n);
		if (!rc)
			rc = get_perms(op->c, h, n);
		break;
	}
	if (!rc && (h->type == XS_WRITE || h->type == XS_MKDIR || h->type == XS_RM))
		reply(op->c, h, "OK", 3);
	free(path);
	return rc;
}

static int dispatch(struct xs_conn *c, const struct xsd_sockmsg *h, const char *buf,
		    unsigned int len)
{
	struct xs_op op = { .s = c->s, .c = c, .t = &c->s->main };
	const char *v[1];
	unsigned long dom;
	char out[40];
	uint32_t id;
	int rc;

	if (h->tx_id) {
		op.tx = xs_txn_find(c, h->tx_id);
		if (!op.tx)
			return ENOENT;
		op.t = &op.tx->tree;
	}
	switch (h->type) {
	case XS_READ:
	case XS_WRITE:
	case XS_MKDIR:
	case XS_RM:
	case XS_DIRECTORY:
	case XS_DIRECTORY_PART:
	case XS_GET_PERMS:
		return path_op(&op, h, buf, len);
	case XS_SET_PERMS:
		rc = req_set_perms(&op, buf, len);
		if (!rc)
			reply(c, h, "OK", 3);
		return rc;
	case XS_WATCH:
	case XS_UNWATCH:
		return req_watch(c, h, buf, len);
	case XS_TRANSACTION_START:
		if (op.tx)
			return EBUSY;
		rc = xs_txn_start(c, &id);
		if (!rc)
			reply(c, h, out, snprintf(out, sizeof(out), "%u", id) + 1);
		return rc;
	case XS_TRANSACTION_END:
		if (!op.tx)
			return ENOENT;
		if (strings(buf, len, v, 1) != 1 || (strcmp(v[0], "T") && strcmp(v[0], "F")))
			return EINVAL;
		rc = xs_txn_end(c, op.tx, v[0][0] == 'T');
		if (!rc)
			reply(c, h, "OK", 3);
		return rc;
	case XS_GET_DOMAIN_PATH:
		if (strings(buf, len, v, 1) != 1 || number(v[0], 0x10000, &dom))
			return EINVAL;
		reply(c, h, out, snprintf(out, sizeof(out), XS_DOMAIN_PREFIX "%lu", dom) + 1);
		return 0;
	case XS_RESET_WATCHES:
		xs_watch_free_all(c);
		xs_txn_free_all(c);
		reply(c, h, "OK", 3);
		return 0;
	case XS_CONTROL:
	case XS_INTRODUCE:
	case XS_RELEASE:
	case XS_IS_DOMAIN_INTRODUCED:
	case XS_RESUME:
	case XS_SET_TARGET:
		return c->priv ? ENOSYS : EACCES;
	default:
		return EINVAL;
	}
}

void xs_conn_request(struct xs_conn *c, const struct xsd_sockmsg *hdr, const void *payload)
{
	struct xsd_sockmsg h = *hdr;
	char *buf;
	int rc;

	if (h.len > XENSTORE_PAYLOAD_MAX) {
		reply_err(c, &h, E2BIG);
		return;
	}
	buf = malloc(h.len + 1);
	if (!buf) {
		reply_err(c, &h, ENOMEM);
		return;
	}
	if (h.len)
		memcpy(buf, payload, h.len);
	buf[h.len] = 0;
	rc = dispatch(c, &h, buf, h.len);
	if (rc)
		reply_err(c, &h, rc);
	free(buf);
}
