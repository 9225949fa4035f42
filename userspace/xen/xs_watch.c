// SPDX-License-Identifier: GPL-2.0
/*
 * Watches. A watch on a path fires when that node or any node below it is
 * written, created, has its permissions set or is removed; removing a
 * subtree also fires, with each removed node's own path, the watches set
 * exactly on the nodes below the removed one. Special paths ("@...") fire
 * only when the toolstack fires them (@introduceDomain, @releaseDomain).
 * An event goes only to connections that may read the node. A watch set
 * with a relative path gets relative event paths. WATCH itself fires the
 * new watch once (xs_ops.c), so a client need not read the state first.
 *
 * Events queue on the watching connection; past the events quota they are
 * dropped (and counted), as is an event that would not fit in one message.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_internal.h"

int xs_watch_add(struct xs_conn *c, const char *path, const char *token, bool relative)
{
	struct xs_watch *w, **pp;

	for (pp = &c->watches; *pp; pp = &(*pp)->next)
		if (!strcmp((*pp)->path, path) && !strcmp((*pp)->token, token))
			return EEXIST;
	if (!c->priv && c->nwatches >= c->s->quota.watches)
		return E2BIG;
	w = calloc(1, sizeof(*w));
	if (!w)
		return ENOMEM;
	w->path = strdup(path);
	w->token = strdup(token);
	if (!w->path || !w->token) {
		free(w->path);
		free(w->token);
		free(w);
		return ENOMEM;
	}
	w->relative = relative;
	*pp = w;
	c->nwatches++;
	return 0;
}

static void watch_free(struct xs_watch *w)
{
	free(w->path);
	free(w->token);
	free(w);
}

int xs_watch_del(struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp, *w;

	for (pp = &c->watches; (w = *pp); pp = &w->next) {
		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			*pp = w->next;
			watch_free(w);
			c->nwatches--;
			return 0;
		}
	}
	return ENOENT;
}

void xs_watch_free_all(struct xs_conn *c)
{
	struct xs_watch *w;

	while ((w = c->watches)) {
		c->watches = w->next;
		watch_free(w);
	}
	c->nwatches = 0;
}

/* path is wpath or below it. */
static bool below(const char *path, const char *wpath)
{
	size_t l = strlen(wpath);

	if (strncmp(path, wpath, l))
		return false;
	return !path[l] || path[l] == '/' || (l == 1 && wpath[0] == '/');
}

static void event(struct xs_conn *c, const struct xs_watch *w, const char *path)
{
	char home[32], buf[XENSTORE_PAYLOAD_MAX];
	size_t hl, pl, tl;

	if (w->relative) {
		hl = snprintf(home, sizeof(home), XS_DOMAIN_PREFIX "%u/", c->domid);
		if (!strncmp(path, home, hl) && path[hl])
			path += hl;
	}
	pl = strlen(path) + 1;
	tl = strlen(w->token) + 1;
	if (pl + tl > sizeof(buf)) {
		c->dropped++;
		return;
	}
	memcpy(buf, path, pl);
	memcpy(buf + pl, w->token, tl);
	xs_queue(c, XS_WATCH_EVENT, 0, 0, buf, pl + tl, true);
}

/* Fire the watches on path (exact: only those set on path itself). */
void xs_fire(struct xs_store *s, const char *path, const struct xs_node *n, bool exact)
{
	struct xs_conn *c;
	struct xs_watch *w;

	for (c = s->conns; c; c = c->next) {
		if (n && !(xs_perm_for(c, n) & XSP_READ))
			continue;
		for (w = c->watches; w; w = w->next) {
			if (exact || path[0] == '@' ? !strcmp(w->path, path) : below(path, w->path))
				event(c, w, path);
		}
	}
}

static void fire_below(struct xs_store *s, const char *path, const struct xs_node *n)
{
	unsigned int i;
	char *p;

	for (i = 0; i < n->nkids; i++) {
		if (asprintf(&p, "%s/%s", path, n->kids[i]->name) < 0)
			continue;
		xs_fire(s, p, n->kids[i], true);
		fire_below(s, p, n->kids[i]);
		free(p);
	}
}

/* n at path is about to be removed with its subtree. */
void xs_fire_rm(struct xs_store *s, const char *path, const struct xs_node *n)
{
	xs_fire(s, path, n, false);
	fire_below(s, path, n);
}
