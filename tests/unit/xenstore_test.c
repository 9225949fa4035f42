// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's xenstore (userspace/xen/): every request, permissions
 * and their denials, transactions (commit, abort, conflicts with EAGAIN),
 * watches (initial fire, parents, removed subtrees, permissions, special
 * paths), quotas, the toolstack's domain tree, and the guest's ring with
 * malformed messages and abused indices. Built with ASan/UBSan, leaks
 * checked at exit.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xenstore.c"
#include "xen/xs_txn.c"
#include "xen/xs_watch.c"
#include "xen/xs_ops.c"

/* What the guest does while the store sits between loading its index and moving its own. */
static void (*req_window)(void), (*rsp_window)(void);

static void run_window(void (**w)(void))
{
	void (*f)(void) = *w;

	*w = NULL;
	if (f)
		f();
}
#define xs_ring_window(which) run_window(&which##_window)
#include "xen/xs_ring.c"
#include "xen/xs_domain.c"

#include "check.h"

/* What the last call got: the reply, and the events popped on the way. */
static uint32_t rtype;
static char rbuf[XENSTORE_PAYLOAD_MAX + 1];
static unsigned int rlen;

struct ev {
	const struct xs_conn *c;
	char path[XENSTORE_ABS_PATH_MAX + 1];
	char token[64];
};
static struct ev evs[512];
static int nev;

static void record_event(const struct xs_conn *c, const char *buf, unsigned int len)
{
	struct ev *e;

	if (nev == (int)(sizeof(evs) / sizeof(evs[0])))
		return;
	e = &evs[nev++];
	e->c = c;
	snprintf(e->path, sizeof(e->path), "%s", buf);
	if (strlen(buf) + 1 < len)
		snprintf(e->token, sizeof(e->token), "%s", buf + strlen(buf) + 1);
	else
		e->token[0] = 0;
}

static void events(struct xs_conn *c)
{
	struct xsd_sockmsg o;
	char buf[XENSTORE_PAYLOAD_MAX + 1];

	while (xs_conn_pop(c, &o, buf, sizeof(buf) - 1)) {
		buf[o.len] = 0;
		if (o.type == XS_WATCH_EVENT)
			record_event(c, buf, o.len);
	}
}

static uint32_t call(struct xs_conn *c, uint32_t type, uint32_t tx, const void *p,
		     unsigned int len)
{
	struct xsd_sockmsg h = { type, 77, tx, len }, o;

	xs_conn_request(c, &h, p);
	rtype = ~0u;
	while (xs_conn_pop(c, &o, rbuf, sizeof(rbuf) - 1)) {
		rbuf[o.len < sizeof(rbuf) - 1 ? o.len : sizeof(rbuf) - 1] = 0;
		if (o.type == XS_WATCH_EVENT) {
			record_event(c, rbuf, o.len);
			continue;
		}
		if (o.req_id != 77 || o.tx_id != tx)
			return ~0u;
		rtype = o.type;
		rlen = o.len;
		break;
	}
	return rtype;
}

/* A string argument with its NUL; two strings as "a\0b". */
#define S(str) str, sizeof(str)

static bool ok(void)
{
	return rtype != XS_ERROR && rtype != ~0u;
}

static bool err(const char *e)
{
	return rtype == XS_ERROR && !strcmp(rbuf, e);
}

static bool acked(void)
{
	return ok() && rlen == 3 && !memcmp(rbuf, "OK", 3);
}

static bool replied(const char *v)
{
	return ok() && rlen == strlen(v) && !memcmp(rbuf, v, rlen);
}

/* Take the event (c, path, token) from the list; false if it is not there. */
static bool got(const struct xs_conn *c, const char *path, const char *token)
{
	int i;

	for (i = 0; i < nev; i++) {
		if (evs[i].c == c && !strcmp(evs[i].path, path) && !strcmp(evs[i].token, token)) {
			memmove(&evs[i], &evs[i + 1], (nev - i - 1) * sizeof(evs[0]));
			nev--;
			return true;
		}
	}
	return false;
}

static void write_str(struct xs_conn *c, uint32_t tx, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(val);

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	call(c, XS_WRITE, tx, buf, pl + vl);
}

static void read_str(struct xs_conn *c, uint32_t tx, const char *path)
{
	call(c, XS_READ, tx, path, strlen(path) + 1);
}

static struct xs_store *new_store(void)
{
	struct xs_domain_info d = { .domid = 5, .name = "guest", .uuid = "u-5",
				    .memory_kib = 65536, .vcpus = 2 };
	struct xs_store *s = xs_store_new();

	nev = 0;
	if (s)
		xs_domain_create(s, &d);
	return s;
}

static void test_basic(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *t = xs_conn_new(s, 0);

	write_str(t, 0, "/a/b/c", "hello");
	check(acked(), "write creates the path");
	read_str(t, 0, "/a/b/c");
	check(replied("hello"), "read gives the value (no NUL)");
	read_str(t, 0, "/a/b");
	check(replied(""), "implicit parents are empty");
	call(t, XS_MKDIR, 0, S("/a/d"));
	check(acked(), "mkdir");
	call(t, XS_MKDIR, 0, S("/a/d"));
	check(acked(), "mkdir of an existing node is fine");
	call(t, XS_DIRECTORY, 0, S("/a"));
	check(ok() && rlen == 4 && !memcmp(rbuf, "b\0d\0", 4), "directory in creation order");
	call(t, XS_DIRECTORY, 0, S("/a/d"));
	check(ok() && rlen == 0, "empty directory");
	read_str(t, 0, "/nope");
	check(err("ENOENT"), "read of a missing node: ENOENT");
	call(t, XS_RM, 0, S("/a/x"));
	check(acked(), "rm of a missing node under an existing parent: OK");
	call(t, XS_RM, 0, S("/q/x"));
	check(err("ENOENT"), "rm under a missing parent: ENOENT");
	call(t, XS_RM, 0, S("/a"));
	read_str(t, 0, "/a/b/c");
	check(err("ENOENT"), "rm removes the subtree");
	call(t, XS_RM, 0, S("/"));
	check(err("EINVAL"), "rm / is refused");
	write_str(t, 0, "/v", "");
	read_str(t, 0, "/v");
	check(replied(""), "empty value");
	call(t, XS_WRITE, 0, "/bin\0a\0b", 8);
	read_str(t, 0, "/bin");
	check(ok() && rlen == 3 && !memcmp(rbuf, "a\0b", 3), "values are bytes, NULs included");
	call(t, XS_GET_DOMAIN_PATH, 0, S("5"));
	check(replied("/local/domain/5") || (ok() && !strcmp(rbuf, "/local/domain/5")),
	      "get_domain_path");
	call(t, XS_GET_DOMAIN_PATH, 0, S("5x"));
	check(err("EINVAL"), "get_domain_path: not a number");
	call(t, XS_GET_DOMAIN_PATH, 0, S("70000"));
	check(err("EINVAL"), "get_domain_path: out of range");
	xs_store_free(s);
}

static void test_paths(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5);
	char *big = malloc(XENSTORE_ABS_PATH_MAX + 2);

	write_str(g, 0, "data/x", "1");
	check(acked(), "relative path: under /local/domain/<id>");
	{
		char *v = xs_store_read(s, "/local/domain/5/data/x", NULL);

		check(v && !strcmp(v, "1"), "the node is at the absolute path");
		free(v);
	}
	read_str(g, 0, "data/x/");
	check(err("EINVAL"), "trailing slash");
	read_str(g, 0, "data//x");
	check(err("EINVAL"), "empty component");
	read_str(g, 0, "data/x.y");
	check(err("EINVAL"), "invalid character");
	read_str(g, 0, "");
	check(err("EINVAL"), "empty relative path");
	read_str(g, 0, "@introduceDomain");
	check(err("EINVAL") || err("ENOENT"), "special path outside watches");
	memset(big, 'a', XENSTORE_ABS_PATH_MAX + 1);
	big[0] = '/';
	big[XENSTORE_ABS_PATH_MAX + 1] = 0;
	read_str(g, 0, big);
	check(err("EINVAL"), "absolute path over XENSTORE_ABS_PATH_MAX");
	big[XENSTORE_REL_PATH_MAX + 2] = 0;
	read_str(g, 0, big + 1);
	check(err("EINVAL"), "relative path over XENSTORE_REL_PATH_MAX");
	free(big);
	xs_store_free(s);
}

static void test_perms(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5), *h = xs_conn_new(s, 6), *t = xs_conn_new(s, 0);
	struct xs_domain_info d6 = { .domid = 6, .name = "other", .vcpus = 1 };

	xs_domain_create(s, &d6);
	read_str(g, 0, "name");
	check(replied("guest"), "a domain reads its name");
	write_str(g, 0, "name", "evil");
	check(err("EACCES"), "but may not write it");
	write_str(g, 0, "newnode", "x");
	check(err("EACCES"), "nor create nodes in its read-only home");
	read_str(g, 0, "/local/domain/6/name");
	check(err("EACCES"), "another domain's tree: EACCES");
	read_str(g, 0, "/local/domain/6/nothing");
	check(err("EACCES"), "a missing node there: EACCES, not ENOENT");
	read_str(g, 0, "/local/domain/99/x");
	check(err("EACCES"), "missing under an unreadable ancestor: EACCES");
	call(g, XS_DIRECTORY, 0, S("/"));
	check(err("EACCES"), "the root is not listable by guests");
	call(g, XS_DIRECTORY, 0, S("/local/domain"));
	check(err("EACCES"), "nor the list of domains");
	call(g, XS_GET_PERMS, 0, S(""));
	check(err("EINVAL"), "get_perms of an empty path");
	call(g, XS_GET_PERMS, 0, S("name"));
	check(ok() && rlen == 6 && !memcmp(rbuf, "n0\0r5\0", 6), "home nodes are n0 r5");
	write_str(g, 0, "data/x", "1");
	call(g, XS_GET_PERMS, 0, S("data/x"));
	check(ok() && rlen == 3 && !memcmp(rbuf, "n5\0", 3), "created nodes inherit; creator owns");
	write_str(t, 0, "/local/domain/5/data/t", "1");
	call(t, XS_GET_PERMS, 0, S("/local/domain/5/data/t"));
	check(ok() && rlen == 3 && !memcmp(rbuf, "n5\0", 3), "dom0 creating keeps the inherited owner");
	read_str(h, 0, "/local/domain/5/data/x");
	check(err("EACCES"), "domain 6 may not read it");
	call(g, XS_SET_PERMS, 0, "data/x\0n5\0r6", 13);
	check(acked(), "owner sets permissions");
	read_str(h, 0, "/local/domain/5/data/x");
	check(replied("1"), "now domain 6 may read");
	write_str(h, 0, "/local/domain/5/data/x", "2");
	check(err("EACCES"), "but not write");
	call(g, XS_SET_PERMS, 0, "data/x\0n5\0b6", 13);
	write_str(h, 0, "/local/domain/5/data/x", "2");
	check(acked(), "b: read and write");
	call(h, XS_SET_PERMS, 0, "/local/domain/5/data/x\0n6", 26);
	check(err("EACCES"), "a non-owner may not set permissions");
	call(g, XS_SET_PERMS, 0, "data/x\0n6", 10);
	check(err("EPERM"), "an owner may not give the node away");
	call(g, XS_SET_PERMS, 0, "data/x\0z5", 10);
	check(err("EINVAL"), "malformed permission letter");
	call(g, XS_SET_PERMS, 0, "data/x\0r", 9);
	check(err("EINVAL"), "permission without a domain");
	call(g, XS_SET_PERMS, 0, "data/x\0r99999", 14);
	check(err("EINVAL"), "domain id out of range");
	call(g, XS_SET_PERMS, 0, S("data/x"));
	check(err("EINVAL"), "no permissions at all");
	call(g, XS_SET_PERMS, 0, "name\0n5", 8);
	check(err("EACCES"), "set_perms on a node the domain does not own");
	call(t, XS_SET_PERMS, 0, "/local/domain/5/data/x\0r7\0w5", 29);
	check(acked(), "dom0 gives a node to domain 7");
	read_str(g, 0, "data/x");
	check(err("EACCES"), "the former owner, now write-only, may not read");
	write_str(g, 0, "data/x", "3");
	check(acked(), "but may write");
	call(g, XS_INTRODUCE, 0, S("1"));
	check(err("EACCES"), "INTRODUCE from a guest: EACCES");
	call(g, XS_RELEASE, 0, S("1"));
	check(err("EACCES"), "RELEASE from a guest: EACCES");
	call(g, XS_SET_TARGET, 0, S("1"));
	check(err("EACCES"), "SET_TARGET from a guest: EACCES");
	call(t, XS_INTRODUCE, 0, S("1"));
	check(err("ENOSYS"), "INTRODUCE over a local connection: the toolstack API instead");
	xs_store_free(s);
}

static void test_watches(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5), *h = xs_conn_new(s, 6), *t = xs_conn_new(s, 0);
	struct xs_domain_info d7 = { .domid = 7, .name = "seven", .vcpus = 1 };
	int i;

	call(g, XS_WATCH, 0, "data\0tok", 9);
	check(acked(), "watch");
	events(g);
	check(got(g, "data", "tok") && nev == 0, "the initial fire, with the path as given");
	call(g, XS_WATCH, 0, "data\0tok", 9);
	check(err("EEXIST"), "the same watch twice: EEXIST");
	write_str(t, 0, "/local/domain/5/data/a", "1");
	events(g);
	check(got(g, "data/a", "tok"), "a write below fires the parent's watch, relative path");
	write_str(t, 0, "/local/domain/5/datax", "1");
	events(g);
	check(nev == 0, "a sibling sharing the prefix does not fire");
	call(g, XS_WATCH, 0, "/local/domain/5/data/a/b/c\0abs", 31);
	events(g);
	check(got(g, "/local/domain/5/data/a/b/c", "abs"), "absolute watch on a missing node fires once");
	write_str(g, 0, "data/a/b/c", "x");
	events(g);
	check(got(g, "/local/domain/5/data/a/b/c", "abs") && got(g, "data/a/b/c", "tok") &&
	      nev == 0, "both watches fire, each in its own form");
	call(g, XS_RM, 0, S("data/a"));
	events(g);
	check(got(g, "data/a", "tok") && got(g, "/local/domain/5/data/a/b/c", "abs") && nev == 0,
	      "rm of a subtree fires the parent's watch and the watches below");
	write_str(g, 0, "data/p", "1");
	events(g);
	got(g, "data/p", "tok");
	call(g, XS_SET_PERMS, 0, "data/p\0n5\0r6", 13);
	events(g);
	check(got(g, "data/p", "tok"), "set_perms fires");
	call(h, XS_WATCH, 0, "/local/domain/5/data\0spy", 25);
	events(h);
	check(got(h, "/local/domain/5/data", "spy"), "a watch on an unreadable path still gets its first fire");
	write_str(g, 0, "data/q", "secret");
	write_str(g, 0, "data/p", "2");
	events(h);
	events(g);
	check(got(h, "/local/domain/5/data/p", "spy") && !got(h, "/local/domain/5/data/q", "spy"),
	      "events only for nodes the watcher may read");
	nev = 0;
	call(h, XS_WATCH, 0, "@introduceDomain\0in", 20);
	call(h, XS_WATCH, 0, "@releaseDomain\0out", 19);
	events(h);
	check(got(h, "@introduceDomain", "in") && got(h, "@releaseDomain", "out"),
	      "special watches fire once when set");
	xs_domain_create(s, &d7);
	events(h);
	check(got(h, "@introduceDomain", "in") && nev == 0, "@introduceDomain on a new domain");
	xs_domain_destroy(s, 7);
	events(h);
	check(got(h, "@releaseDomain", "out") && nev == 0, "@releaseDomain when it goes");
	call(h, XS_WATCH, 0, "@bad.x\0t", 9);
	check(err("EINVAL"), "special path with a bad character");
	call(h, XS_UNWATCH, 0, "@releaseDomain\0out", 19);
	check(acked(), "unwatch");
	call(h, XS_UNWATCH, 0, "@releaseDomain\0out", 19);
	check(err("ENOENT"), "unwatch of a missing watch: ENOENT");
	call(h, XS_WATCH, 0, S("data"));
	check(err("EINVAL"), "watch without a token");
	call(h, XS_WATCH, 0, "data\0tok\0more", 14);
	check(err("EINVAL"), "watch with an extra string");
	call(g, XS_RESET_WATCHES, 0, "", 1);
	check(acked(), "reset_watches");
	write_str(g, 0, "data/p", "3");
	events(g);
	events(h);
	check(got(h, "/local/domain/5/data/p", "spy"), "other connections keep theirs");
	check(!got(g, "data/p", "tok"), "reset_watches removed them all");
	nev = 0;
	for (i = 0; i < 128; i++) {
		char w[32];
		int n = snprintf(w, sizeof(w), "data%c%d", 0, i) + 1;

		call(g, XS_WATCH, 0, w, n);
		if (!ok())
			break;
	}
	check(i == 128, "128 watches");
	call(g, XS_WATCH, 0, "data\0one-more", 14);
	check(err("E2BIG"), "the 129th: E2BIG");
	xs_conn_free(h);
	xs_store_free(s);
	nev = 0;
}

static unsigned long txid(void)
{
	return ok() ? strtoul(rbuf, NULL, 10) : 0;
}

static void test_transactions(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5), *t = xs_conn_new(s, 0);
	unsigned long tx, tx2;
	int i;

	write_str(g, 0, "data/a", "1");
	write_str(g, 0, "data/b", "1");
	call(g, XS_WATCH, 0, "data\0w", 7);
	events(g);
	nev = 0;

	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	check(tx != 0 && rbuf[rlen - 1] == 0, "transaction_start gives an id");
	write_str(g, tx, "data/a", "2");
	check(acked(), "write in the transaction");
	read_str(g, tx, "data/a");
	check(replied("2"), "the transaction sees its write");
	read_str(g, 0, "data/a");
	check(replied("1"), "outside it does not");
	events(g);
	check(nev == 0, "no watch fires before commit");
	write_str(t, 0, "/local/domain/5/data/b", "x");
	events(g);
	nev = 0;
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(acked(), "commit without conflict (another node changed)");
	read_str(g, 0, "data/a");
	check(replied("2"), "the write is visible after commit");
	events(g);
	check(got(g, "data/a", "w") && nev == 0, "watches fire at commit");

	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	read_str(g, tx, "data/a");
	write_str(g, tx, "data/c", "new");
	write_str(t, 0, "/local/domain/5/data/a", "3");
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(err("EAGAIN"), "a node read in the transaction changed: EAGAIN");
	read_str(g, 0, "data/c");
	check(err("ENOENT"), "nothing of it was applied");
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(err("ENOENT"), "the failed transaction is gone");

	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	call(g, XS_DIRECTORY, tx, S("data"));
	write_str(t, 0, "/local/domain/5/data/z", "1");
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(err("EAGAIN"), "a child added to a listed directory: EAGAIN");

	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	read_str(g, tx, "data/none");
	write_str(t, 0, "/local/domain/5/data/none", "1");
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(err("EAGAIN"), "a node read as missing was created: EAGAIN");

	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx2 = txid();
	write_str(g, tx, "data/a", "t1");
	write_str(g, tx2, "data/a", "t2");
	call(g, XS_TRANSACTION_END, tx2, S("T"));
	check(acked(), "two transactions: the first to commit wins");
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(err("EAGAIN"), "the second gets EAGAIN");
	read_str(g, 0, "data/a");
	check(replied("t2"), "with the winner's value");

	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	write_str(g, tx, "data/gone", "1");
	call(g, XS_TRANSACTION_END, tx, S("F"));
	check(acked(), "abort");
	read_str(g, 0, "data/gone");
	check(err("ENOENT"), "aborted writes vanish");

	write_str(g, 0, "data/sub/x/y", "1");
	events(g);
	nev = 0;
	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	call(g, XS_RM, tx, S("data/sub"));
	write_str(g, tx, "data/sub/new", "n");
	call(g, XS_DIRECTORY, tx, S("data/sub"));
	check(ok() && rlen == 4 && !memcmp(rbuf, "new", 4), "rm and re-create inside a transaction");
	call(g, XS_TRANSACTION_END, tx, S("T"));
	check(acked(), "commit it");
	read_str(g, 0, "data/sub/x/y");
	check(err("ENOENT"), "the removed subtree is gone");
	read_str(g, 0, "data/sub/new");
	check(replied("n"), "the new node is there");
	events(g);
	check(got(g, "data/sub", "w") && got(g, "data/sub/new", "w"),
	      "watches fire for the committed rm and write");
	nev = 0;

	call(g, XS_READ, 12345, S("data/a"));
	check(err("ENOENT"), "an unknown transaction id: ENOENT");
	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	call(g, XS_TRANSACTION_START, tx, "", 1);
	check(err("EBUSY"), "no nested transactions");
	call(g, XS_TRANSACTION_END, tx, S("X"));
	check(err("EINVAL"), "transaction_end takes T or F");
	call(g, XS_TRANSACTION_END, 0, S("T"));
	check(err("ENOENT"), "transaction_end outside a transaction");
	call(g, XS_TRANSACTION_END, tx, S("F"));
	for (i = 0; i < 10; i++) {
		call(g, XS_TRANSACTION_START, 0, "", 1);
		if (!ok())
			break;
	}
	check(i == 10, "ten transactions");
	call(g, XS_TRANSACTION_START, 0, "", 1);
	check(err("ENOSPC"), "the eleventh: ENOSPC");
	call(g, XS_RESET_WATCHES, 0, "", 1);
	call(g, XS_TRANSACTION_START, 0, "", 1);
	check(ok(), "reset_watches ends them too");
	xs_store_free(s);
	nev = 0;
}

static void test_quotas(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5), *t = xs_conn_new(s, 0);
	struct xs_quota q;
	char *big = malloc(4096);
	unsigned long tx;
	int i;

	xs_store_get_quota(s, &q);
	q.nodes = 30;
	q.events = 4;
	xs_store_set_quota(s, &q);
	for (i = 0; i < 100; i++) {
		char p[32];

		snprintf(p, sizeof(p), "data/n%d", i);
		write_str(g, 0, p, "v");
		if (!ok())
			break;
	}
	check(err("ENOSPC") && i > 5 && i < 30, "node quota: ENOSPC");
	write_str(t, 0, "/local/domain/5/data/dom0", "v");
	check(acked(), "domain 0 has no quota");
	call(g, XS_RM, 0, S("data/n0"));
	call(g, XS_RM, 0, S("data/n1"));
	write_str(g, 0, "data/again", "v");
	check(acked(), "removing frees quota");
	write_str(g, 0, "data/a/b/c/d/e/f", "v");
	check(err("ENOSPC"), "implicit parents count too");
	call(g, XS_TRANSACTION_START, 0, "", 1);
	tx = txid();
	write_str(g, tx, "data/t1", "v");
	check(err("ENOSPC"), "the quota holds inside transactions");
	call(g, XS_TRANSACTION_END, tx, S("F"));
	memset(big, 'x', 4096);
	memcpy(big, "data/again", 11);
	call(g, XS_WRITE, 0, big, 11 + 2049);
	check(err("ENOSPC"), "a value over 2048 bytes: ENOSPC");
	call(g, XS_WRITE, 0, big, 11 + 2048);
	check(acked(), "2048 bytes are fine");
	call(g, XS_SET_PERMS, 0, S("data/again\0n5\0r1\0r2\0r3\0r4\0r6"));
	check(err("ENOSPC"), "more than 5 permission entries: ENOSPC");
	call(g, XS_WATCH, 0, "data\0w", 7);
	for (i = 0; i < 10; i++)
		write_str(t, 0, "/local/domain/5/data/again", "v");
	check(xs_conn_dropped_events(g) > 0, "events over the queue quota are dropped");
	events(g);
	check(nev <= 4, "and at most the quota are queued");
	nev = 0;
	free(big);
	xs_store_free(s);
}

static void test_directory_part(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *t = xs_conn_new(s, 0);
	char p[128], arg[160], names[300][64];
	unsigned long off = 0, gen0 = 0;
	int i, seen = 0, rounds = 0, same = 1;
	bool end = false;

	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "child-with-a-long-name-%03d", i);
		snprintf(p, sizeof(p), "/big/%s", names[i]);
		xs_store_write(s, p, "1", 1);
	}
	call(t, XS_DIRECTORY, 0, S("/big"));
	check(err("E2BIG"), "directory too big for one message: E2BIG");
	while (!end && rounds++ < 20) {
		int n = snprintf(arg, sizeof(arg), "/big%c%lu", 0, off) + 1;
		unsigned int at, gl;

		call(t, XS_DIRECTORY_PART, 0, arg, n);
		if (!ok())
			break;
		gl = strlen(rbuf) + 1;
		if (rounds == 1)
			gen0 = strtoul(rbuf, NULL, 10);
		same &= strtoul(rbuf, NULL, 10) == gen0;
		for (at = gl; at < rlen; at += strlen(rbuf + at) + 1) {
			if (!rbuf[at]) {
				end = true;
				break;
			}
			if (seen < 300 && !strcmp(rbuf + at, names[seen]))
				seen++;
			off += strlen(rbuf + at) + 1;
		}
	}
	check(end && seen == 300 && rounds > 1 && same,
	      "directory_part: all children over several calls, one generation, an empty name at the end");
	{
		int n = snprintf(arg, sizeof(arg), "/big%c%lu", 0, off + 1) + 1;

		call(t, XS_DIRECTORY_PART, 0, arg, n);
		check(err("EINVAL"), "directory_part past the end: EINVAL");
		n = snprintf(arg, sizeof(arg), "/big%c%s", 0, "x1") + 1;
		call(t, XS_DIRECTORY_PART, 0, arg, n);
		check(err("EINVAL"), "directory_part with a bad offset");
	}
	xs_store_free(s);
}

static void test_malformed(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5);

	call(g, XS_READ, 0, "name", 4);
	check(err("EINVAL"), "a path without its NUL");
	call(g, XS_READ, 0, "name\0x", 7);
	check(err("EINVAL"), "two strings where one is expected");
	call(g, XS_READ, 0, "", 0);
	check(err("EINVAL"), "an empty payload");
	call(g, XS_WRITE, 0, "data/x", 6);
	check(err("EINVAL"), "write without a NUL after the path");
	call(g, 99, 0, S("x"));
	check(err("EINVAL"), "unknown type");
	call(g, XS_WATCH_EVENT, 0, S("x"));
	check(err("EINVAL"), "a watch event sent to the server");
	call(g, XS_ERROR, 0, S("x"));
	check(err("EINVAL"), "an error sent to the server");
	call(g, XS_INVALID, 0, S("x"));
	check(err("EINVAL"), "XS_INVALID");
	call(g, XS_DIRECTORY_PART, 0, S("data"));
	check(err("EINVAL"), "directory_part without an offset");
	xs_store_free(s);
}

static void test_domain(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5);
	char *v;

	read_str(g, 0, "domid");
	check(replied("5"), "~/domid");
	read_str(g, 0, "vm");
	check(replied("/vm/u-5"), "~/vm");
	read_str(g, 0, "/vm/u-5/uuid");
	check(replied("u-5"), "/vm/<uuid>/uuid, readable by the domain");
	read_str(g, 0, "memory/target");
	check(replied("65536"), "~/memory/target in KiB");
	read_str(g, 0, "cpu/1/availability");
	check(replied("online"), "~/cpu/N/availability");
	read_str(g, 0, "control/platform-feature-xs_reset_watches");
	check(replied("1"), "~/control/platform-feature-xs_reset_watches");
	write_str(g, 0, "control/feature-poweroff", "1");
	check(acked(), "the frontend's control/feature-* are writable");
	write_str(g, 0, "control/feature-new", "1");
	check(err("EACCES"), "but not new nodes in control/");
	write_str(g, 0, "device/vbd/768/state", "1");
	check(err("EACCES"), "device/ is the toolstack's");
	call(g, XS_DIRECTORY, 0, S("device"));
	check(ok() && rlen == 0, "an empty device/ is there");
	check(xs_domain_destroy(s, 5) == 0, "destroy");
	v = xs_store_read(s, "/local/domain/5", NULL);
	check(!v && errno == ENOENT, "the domain's tree is gone");
	free(v);
	v = xs_store_read(s, "/vm/u-5", NULL);
	check(!v, "and its /vm entry");
	{
		struct xs_domain_info bad = { .domid = 0, .name = "x" };

		check(xs_domain_create(s, &bad) == -EINVAL, "domain 0 is the host");
	}
	check(xs_store_write(s, "relative", "x", 1) == -EINVAL, "toolstack paths are absolute");
	check(xs_store_set_perms(s, "/tool", "q1") == -EINVAL, "toolstack: bad permissions");
	xs_store_free(s);
}

/* ---- the ring, the guest's side played here ---- */

static struct xenstore_domain_interface ring;

static unsigned int put(const void *p, unsigned int len)
{
	const uint8_t *b = p;
	unsigned int i;

	for (i = 0; i < len && ring.req_prod - ring.req_cons < XENSTORE_RING_SIZE; i++) {
		ring.req[MASK_XENSTORE_IDX(ring.req_prod)] = b[i];
		ring.req_prod++;
	}
	return i;
}

static void put_req(uint32_t type, uint32_t id, const void *p, unsigned int len)
{
	struct xsd_sockmsg h = { type, id, 0, len };

	put(&h, sizeof(h));
	put(p, len);
}

static unsigned int get(void *p, unsigned int len)
{
	uint8_t *b = p;
	unsigned int i;

	for (i = 0; i < len && ring.rsp_cons != ring.rsp_prod; i++) {
		b[i] = ring.rsp[MASK_XENSTORE_IDX(ring.rsp_cons)];
		ring.rsp_cons++;
	}
	return i;
}

/* One whole message off the response ring (the caller knows it is there). */
static bool get_msg(struct xsd_sockmsg *h, char *body)
{
	if (get(h, sizeof(*h)) != sizeof(*h) || h->len > XENSTORE_PAYLOAD_MAX)
		return false;
	if (get(body, h->len) != h->len)
		return false;
	body[h->len] = 0;
	return true;
}

static void test_ring(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5);
	struct xsd_sockmsg h;
	char body[XENSTORE_PAYLOAD_MAX + 1], big[3000];
	int i, n, rc;

	xs_ring_init(&ring);
	check(ring.server_features == XENSTORE_SERVER_FEATURE_ERROR, "ring: error feature advertised");
	rc = xs_ring_process(g, &ring);
	check(rc == 0, "ring: nothing to do, no notification");
	put_req(XS_READ, 1, S("name"));
	rc = xs_ring_process(g, &ring);
	check(rc == XS_RING_NOTIFY && ring.req_cons == ring.req_prod, "ring: request consumed");
	check(get_msg(&h, body) && h.type == XS_READ && h.req_id == 1 && !strcmp(body, "guest"),
	      "ring: reply");
	/* A request in pieces: header only, then part of the payload, then the rest. */
	{
		struct xsd_sockmsg q = { XS_READ, 2, 0, 6 };

		put(&q, 10);
		xs_ring_process(g, &ring);
		put((char *)&q + 10, 6);
		put("dom", 3);
		xs_ring_process(g, &ring);
		check(ring.rsp_prod == ring.rsp_cons, "ring: a partial request waits");
		put("id", 3);
		xs_ring_process(g, &ring);
		check(get_msg(&h, body) && h.req_id == 2 && !strcmp(body, "5"),
		      "ring: answered once complete");
	}
	put_req(XS_READ, 3, "name", 4);
	xs_ring_process(g, &ring);
	check(get_msg(&h, body) && h.type == XS_ERROR && !strcmp(body, "EINVAL"),
	      "ring: payload without NUL gets EINVAL");
	put_req(77, 4, S("x"));
	xs_ring_process(g, &ring);
	check(get_msg(&h, body) && h.type == XS_ERROR && h.req_id == 4, "ring: wrong type");
	/* Replies bigger than the ring go out in pieces as the guest reads. */
	memset(big, 'v', sizeof(big));
	memcpy(big, "data/big", 9);
	{
		struct xsd_sockmsg q = { XS_WRITE, 5, 0, 9 + 2000 };
		unsigned int done = 0;

		put(&q, sizeof(q));
		for (i = 0; i < 10 && done < q.len; i++) {
			done += put(big + done, q.len - done);
			xs_ring_process(g, &ring);
		}
		check(done == q.len && get_msg(&h, body) && h.req_id == 5 && !strcmp(body, "OK"),
		      "ring: a 2025-byte request through a 1024-byte ring");
	}
	put_req(XS_READ, 6, S("data/big"));
	xs_ring_process(g, &ring);
	{
		char all[2100];
		unsigned int got_n = 0;

		for (i = 0; i < 10 && got_n < 16 + 2000; i++) {
			got_n += get(all + got_n, sizeof(all) - got_n);
			xs_ring_process(g, &ring);
		}
		memcpy(&h, all, sizeof(h));
		check(got_n == 16 + 2000 && h.len == 2000 && h.req_id == 6 && all[16] == 'v',
		      "ring: a 2000-byte reply through a 1024-byte ring");
	}
	/* Indices near the wrap of 32 bits. */
	ring.req_prod = ring.req_cons = 0xfffffff0u;
	ring.rsp_prod = ring.rsp_cons = 0xfffffff8u;
	put_req(XS_READ, 7, S("name"));
	xs_ring_process(g, &ring);
	check(get_msg(&h, body) && h.req_id == 7 && !strcmp(body, "guest"),
	      "ring: free-running indices wrap");
	/* Outstanding requests: the guest does not read its (big) replies. */
	n = 0;
	for (i = 0; i < 60; i++) {
		if (ring.req_prod - ring.req_cons > XENSTORE_RING_SIZE - 32)
			break;
		put_req(XS_READ, 100 + i, S("data/big"));
		n++;
		xs_ring_process(g, &ring);
	}
	check(g->nreplies == 20 && ring.req_prod != ring.req_cons && n > 20,
	      "ring: at most 20 replies outstanding, further requests wait");
	{
		static char acc[3 * XENSTORE_PAYLOAD_MAX];
		unsigned int an = 0, bad = 0;

		for (i = 0; i < 2000 && n; i++) {
			an += get(acc + an, sizeof(acc) - an);
			while (an >= 16) {
				memcpy(&h, acc, sizeof(h));
				if (an < 16 + h.len)
					break;
				bad |= h.len != 2000 || h.type != XS_READ;
				memmove(acc, acc + 16 + h.len, an - 16 - h.len);
				an -= 16 + h.len;
				n--;
			}
			xs_ring_process(g, &ring);
		}
		check(n == 0 && !bad && an == 0 && ring.req_cons == ring.req_prod,
		      "ring: all replies arrive as the guest reads");
	}
	/* A watch event over the ring. */
	put_req(XS_WATCH, 8, "data\0tk", 8);
	xs_ring_process(g, &ring);
	check(get_msg(&h, body) && h.type == XS_WATCH && get_msg(&h, body) &&
	      h.type == XS_WATCH_EVENT && !strcmp(body, "data") && !strcmp(body + 5, "tk"),
	      "ring: reply then the initial event");
	xs_store_write(s, "/local/domain/5/data/e", "1", 1);
	xs_ring_process(g, &ring);
	check(get_msg(&h, body) && h.type == XS_WATCH_EVENT && !strcmp(body, "data/e"),
	      "ring: events from the toolstack's writes");
	/* Truncated: a header announcing more than will come. */
	put_req(XS_READ, 9, "na", 2);
	ring.req_prod -= 2;
	{
		struct xsd_sockmsg q = { XS_READ, 9, 0, 10 };

		ring.req_prod -= 16;
		put(&q, 16);
		put("name", 5);
		xs_ring_process(g, &ring);
		check(ring.rsp_prod == ring.rsp_cons && !xs_conn_broken(g),
		      "ring: a truncated request waits, no reply");
		put("\0\0\0\0\0", 5);
		xs_ring_process(g, &ring);
		check(get_msg(&h, body) && h.type == XS_ERROR && h.req_id == 9,
		      "ring: completed with junk, it is an error reply");
	}
	/* Oversized header: the connection is given up. */
	{
		struct xsd_sockmsg q = { XS_READ, 10, 0, XENSTORE_PAYLOAD_MAX + 1 };

		put(&q, 16);
		xs_ring_process(g, &ring);
		check(xs_conn_broken(g) && ring.error == XENSTORE_ERROR_PROTO,
		      "ring: len over XENSTORE_PAYLOAD_MAX: protocol error");
		put_req(XS_READ, 11, S("name"));
		rc = xs_ring_process(g, &ring);
		check(rc == 0 && ring.rsp_prod == ring.rsp_cons, "ring: ignored afterwards");
	}
	xs_conn_free(g);

	g = xs_conn_new(s, 5);
	xs_ring_init(&ring);
	ring.req_prod = 5000;
	xs_ring_process(g, &ring);
	check(xs_conn_broken(g) && ring.error == XENSTORE_ERROR_RINGIDX && ring.req_cons == 0,
	      "ring: req_prod beyond the ring: ring index error, nothing read");
	xs_conn_free(g);

	g = xs_conn_new(s, 5);
	xs_ring_init(&ring);
	ring.rsp_cons = 0x80000000u;
	put_req(XS_READ, 1, S("name"));
	xs_ring_process(g, &ring);
	check(xs_conn_broken(g) && ring.error == XENSTORE_ERROR_RINGIDX,
	      "ring: rsp_cons claiming more than the ring: ring index error");
	xs_conn_free(g);

	g = xs_conn_new(s, 5);
	xs_ring_init(&ring);
	ring.rsp_cons = 10;	/* ahead of rsp_prod by a little: ring looks over-full */
	put_req(XS_READ, 1, S("name"));
	xs_ring_process(g, &ring);
	check(xs_conn_broken(g), "ring: rsp_cons ahead of rsp_prod: ring index error");
	xs_store_free(s);
}

/*
 * Linux's xenbus notifies the store only when it looks idle: xb_write
 * when req_cons had reached the old req_prod, xb_read when it found the
 * reply ring full. Writing or reading while the store is between loading
 * the other side's index and moving its own sends no notification; the
 * store must notice by itself, or the guest waits for ever (CI's Xen HVM
 * boots hung so, vCPU halted with nothing pending).
 */
static bool window_notified;

static bool linux_write(const void *p, unsigned int len)
{
	uint32_t prod = ring.req_prod;

	put(p, len);
	return prod <= ring.req_cons;
}

static bool linux_read(void *p, unsigned int len, unsigned int *got)
{
	uint32_t cons = ring.rsp_cons;

	*got += get(p, len);
	return ring.rsp_prod - cons >= XENSTORE_RING_SIZE;
}

static void payload_in_window(void)
{
	window_notified = linux_write(S("name"));
}

static char big_reply[16 + 2000];
static unsigned int big_got;

static void read_in_window(void)
{
	window_notified = linux_read(big_reply + big_got, sizeof(big_reply) - big_got, &big_got);
}

static void test_ring_notify_rules(void)
{
	struct xs_store *s = new_store();
	struct xs_conn *g = xs_conn_new(s, 5);
	struct xsd_sockmsg q = { XS_READ, 1, 0, 5 }, h;
	char body[XENSTORE_PAYLOAD_MAX + 1], big[9 + 2000];
	int i;

	xs_ring_init(&ring);
	check(linux_write(&q, sizeof(q)), "ring rules: the header alone is notified");
	req_window = payload_in_window;
	xs_ring_process(g, &ring);
	check(!window_notified, "ring rules: the payload, written meanwhile, is not");
	check(get_msg(&h, body) && h.req_id == 1 && !strcmp(body, "guest"),
	      "ring rules: the request is answered all the same");

	memset(big, 'v', sizeof(big));
	memcpy(big, "data/big", 9);
	{
		struct xsd_sockmsg w = { XS_WRITE, 2, 0, sizeof(big) };
		unsigned int done = 0;

		put(&w, sizeof(w));
		for (i = 0; i < 10 && done < w.len; i++) {
			done += put(big + done, w.len - done);
			xs_ring_process(g, &ring);
		}
	}
	check(get_msg(&h, body) && h.req_id == 2, "ring rules: a 2000-byte node written");
	put_req(XS_READ, 3, S("data/big"));
	xs_ring_process(g, &ring);
	/* The ring is full; the guest reads part, notifies, reads the rest meanwhile. */
	big_got = 0;
	check(linux_read(big_reply, 600, &big_got), "ring rules: reading from a full ring is notified");
	rsp_window = read_in_window;
	xs_ring_process(g, &ring);
	check(!window_notified, "ring rules: the read meanwhile is not");
	for (i = 0; i < 10 && big_got < sizeof(big_reply); i++) {
		if (!linux_read(big_reply + big_got, sizeof(big_reply) - big_got, &big_got))
			continue;
		xs_ring_process(g, &ring);
	}
	memcpy(&h, big_reply, sizeof(h));
	check(big_got == sizeof(big_reply) && h.req_id == 3 && big_reply[sizeof(big_reply) - 1] == 'v',
	      "ring rules: the whole 2000-byte reply arrives all the same");
	xs_conn_free(g);
	xs_store_free(s);
}

int main(void)
{
	test_basic();
	test_paths();
	test_perms();
	test_watches();
	test_transactions();
	test_quotas();
	test_directory_part();
	test_malformed();
	test_domain();
	test_ring();
	test_ring_notify_rules();
	return check_summary();
}
