// SPDX-License-Identifier: GPL-2.0
/*
 * xl.cfg(5) as far as `hxen run -f` goes (xlcfg.h). The syntax is xl's:
 * KEY = VALUE settings, one per line or separated by ';', VALUE a string
 * in single or double quotes, a number, or a list [ V, V, ... ] that may
 * span lines (a trailing comma allowed); '#' starts a comment; a key set
 * twice keeps the last value. What the keys mean follows xl: type pvh or
 * hvm (builder = "hvm" is the old spelling; PV guests, xl's default, are
 * not something hxen runs), kernel, ramdisk, cmdline or root/extra (xl
 * joins those as "root=ROOT EXTRA" and ignores them when cmdline is set),
 * memory in MiB, vcpus, name, and the life cycle: on_reboot "restart"
 * (xl's default) or "destroy", on_poweroff and on_crash "destroy". Every
 * other key is an error that names it, so a setting is never silently
 * dropped; so are disk and vif entries until hxen has PV backends for
 * them, and maxmem/maxvcpus above memory/vcpus (no ballooning or vCPU
 * hotplug).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg.h"

#define XLCFG_MAX_STRING	4096
#define XLCFG_MAX_NUMBER	(1ULL << 40)

enum value_kind { VAL_STRING, VAL_NUMBER, VAL_LIST };

struct value {
	enum value_kind kind;
	char *s;			/* VAL_STRING */
	unsigned long long n;		/* VAL_NUMBER */
	unsigned int items;		/* VAL_LIST: how many */
	bool strings_only;		/* VAL_LIST: every item a string */
};

struct parser {
	const char *p, *end;
	unsigned int line;
	char *why;
	size_t whylen;
	/* Seen so far, for the checks at the end. */
	char *root, *extra;
	unsigned long long maxmem;
	unsigned int maxvcpus;
	bool have_cmdline;
};

/* The reason, after "line N: " (none for what the whole file lacks: line 0). */
static int fail(struct parser *ps, const char *fmt, ...)
{
	int n = ps->line ? snprintf(ps->why, ps->whylen, "line %u: ", ps->line) : 0;
	va_list ap;

	if (n < 0 || (size_t)n >= ps->whylen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(ps->why + n, ps->whylen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Skip blanks and comments; newlines too when @newlines (inside a list). */
static void skip_space(struct parser *ps, bool newlines)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '#') {
			while (ps->p < ps->end && *ps->p != '\n')
				ps->p++;
		} else if (c == '\n' && newlines) {
			ps->line++;
			ps->p++;
		} else if (c == ' ' || c == '\t' || c == '\r') {
			ps->p++;
		} else {
			return;
		}
	}
}

static int parse_string(struct parser *ps, struct value *v)
{
	char quote = *ps->p++, *out = malloc(XLCFG_MAX_STRING + 1);
	size_t n = 0;

	if (!out)
		return fail(ps, "out of memory");
	for (;;) {
		char c;

		if (ps->p == ps->end || *ps->p == '\n') {
			free(out);
			return fail(ps, "a string without its closing %c", quote);
		}
		c = *ps->p++;
		if (c == quote)
			break;
		if (c == '\\' && quote == '"' && ps->p < ps->end && *ps->p != '\n') {
			c = *ps->p++;
			if (c == 'n')
				c = '\n';
			else if (c == 't')
				c = '\t';
		}
		if (c == '\0' || n == XLCFG_MAX_STRING) {
			free(out);
			return fail(ps, c ? "a string longer than %d bytes" :
				    "a NUL byte in a string", XLCFG_MAX_STRING);
		}
		out[n++] = c;
	}
	out[n] = '\0';
	v->kind = VAL_STRING;
	v->s = out;
	return 0;
}

static int parse_number(struct parser *ps, struct value *v)
{
	unsigned long long n;
	char buf[32], *end;
	size_t len = 0;

	while (ps->p + len < ps->end && isalnum((unsigned char)ps->p[len]) && len < sizeof(buf) - 1)
		len++;
	memcpy(buf, ps->p, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoull(buf, &end, 0);
	if (!len || *end || errno || n > XLCFG_MAX_NUMBER || buf[0] == '-')
		return fail(ps, "'%s' is not a number", buf);
	ps->p += len;
	v->kind = VAL_NUMBER;
	v->n = n;
	return 0;
}

static int parse_value(struct parser *ps, struct value *v, bool in_list);

static int parse_list(struct parser *ps, struct value *v)
{
	ps->p++;			/* '[' */
	v->kind = VAL_LIST;
	v->items = 0;
	v->strings_only = true;
	for (;;) {
		struct value item = { 0 };

		skip_space(ps, true);
		if (ps->p == ps->end)
			return fail(ps, "a list without its closing ]");
		if (*ps->p == ']') {
			ps->p++;
			return 0;
		}
		if (parse_value(ps, &item, true))
			return -1;
		v->strings_only &= item.kind == VAL_STRING;
		free(item.s);
		v->items++;
		skip_space(ps, true);
		if (ps->p < ps->end && *ps->p == ',')
			ps->p++;
		else if (ps->p < ps->end && *ps->p != ']')
			return fail(ps, "expected ',' or ']' in a list");
	}
}

static int parse_value(struct parser *ps, struct value *v, bool in_list)
{
	if (ps->p == ps->end || *ps->p == '\n' || *ps->p == ';')
		return fail(ps, "a setting without a value");
	if (*ps->p == '"' || *ps->p == '\'')
		return parse_string(ps, v);
	if (*ps->p == '[') {
		if (in_list)
			return fail(ps, "a list inside a list");
		return parse_list(ps, v);
	}
	if (isdigit((unsigned char)*ps->p))
		return parse_number(ps, v);
	return fail(ps, "a value must be a quoted string, a number or a [list]");
}

/* A string setting, moved into *@dst (the last one set wins). */
static int take_string(struct parser *ps, const char *key, struct value *v, char **dst)
{
	if (v->kind != VAL_STRING)
		return fail(ps, "%s must be a quoted string", key);
	free(*dst);
	*dst = v->s;
	v->s = NULL;
	return 0;
}

/* A count: a number or a string holding one (xl takes both). */
static int take_number(struct parser *ps, const char *key, struct value *v,
		       unsigned long long max, unsigned long long *out)
{
	unsigned long long n = v->n;
	char *end;

	if (v->kind == VAL_STRING) {
		errno = 0;
		n = strtoull(v->s, &end, 10);
		if (!*v->s || *end || errno || v->s[0] == '-')
			return fail(ps, "%s = \"%s\" is not a number", key, v->s);
	} else if (v->kind != VAL_NUMBER) {
		return fail(ps, "%s must be a number", key);
	}
	if (n < 1 || n > max)
		return fail(ps, "%s = %llu: must be between 1 and %llu", key, n, max);
	*out = n;
	return 0;
}

/* on_poweroff, on_reboot, on_crash: the actions hxen can carry out. */
static int take_action(struct parser *ps, const char *key, struct value *v, struct xlcfg *cfg)
{
	bool reboot = !strcmp(key, "on_reboot");

	if (v->kind != VAL_STRING)
		return fail(ps, "%s must be a quoted string", key);
	if (!strcmp(v->s, "destroy")) {
		if (reboot)
			cfg->reboot_restarts = false;
		return 0;
	}
	if (reboot && !strcmp(v->s, "restart")) {
		cfg->reboot_restarts = true;
		return 0;
	}
	return fail(ps, "%s = \"%s\" is not supported (hxen does \"destroy\"%s)", key, v->s,
		    reboot ? " and \"restart\"" : "");
}

static int take_type(struct parser *ps, const char *key, struct value *v, struct xlcfg *cfg)
{
	if (v->kind != VAL_STRING)
		return fail(ps, "%s must be a quoted string", key);
	if (!strcmp(v->s, "pvh") && !strcmp(key, "type")) {
		cfg->type = XLCFG_TYPE_PVH;
	} else if (!strcmp(v->s, "hvm")) {
		cfg->type = XLCFG_TYPE_HVM;
	} else if (!strcmp(v->s, "pv") || !strcmp(v->s, "generic") || !strcmp(v->s, "linux")) {
		return fail(ps, "%s = \"%s\": PV guests are not supported; hxen runs type = \"pvh\" and \"hvm\"",
			    key, v->s);
	} else {
		return fail(ps, "%s = \"%s\" is not a guest type hxen knows", key, v->s);
	}
	return 0;
}

static int apply(struct parser *ps, const char *key, struct value *v, struct xlcfg *cfg)
{
	unsigned long long n;

	if (!strcmp(key, "type") || !strcmp(key, "builder"))
		return take_type(ps, key, v, cfg);
	if (!strcmp(key, "name"))
		return take_string(ps, key, v, &cfg->name);
	if (!strcmp(key, "kernel"))
		return take_string(ps, key, v, &cfg->kernel);
	if (!strcmp(key, "ramdisk"))
		return take_string(ps, key, v, &cfg->ramdisk);
	if (!strcmp(key, "cmdline")) {
		ps->have_cmdline = true;
		return take_string(ps, key, v, &cfg->cmdline);
	}
	if (!strcmp(key, "root"))
		return take_string(ps, key, v, &ps->root);
	if (!strcmp(key, "extra"))
		return take_string(ps, key, v, &ps->extra);
	if (!strcmp(key, "memory"))
		return take_number(ps, key, v, 1ULL << 20, &cfg->memory_mib);
	if (!strcmp(key, "maxmem"))
		return take_number(ps, key, v, 1ULL << 20, &ps->maxmem);
	if (!strcmp(key, "vcpus") || !strcmp(key, "maxvcpus")) {
		if (take_number(ps, key, v, 255, &n))
			return -1;
		if (key[0] == 'v')
			cfg->vcpus = n;
		else
			ps->maxvcpus = n;
		return 0;
	}
	if (!strncmp(key, "on_", 3) &&
	    (!strcmp(key + 3, "poweroff") || !strcmp(key + 3, "reboot") || !strcmp(key + 3, "crash")))
		return take_action(ps, key, v, cfg);
	if (!strcmp(key, "disk") || !strcmp(key, "vif")) {
		if (v->kind != VAL_LIST || !v->strings_only)
			return fail(ps, "%s must be a [list] of quoted strings", key);
		if (v->items)
			return fail(ps, "%s: Xen PV %s are not supported yet (no %s in hxen)", key,
				    key[0] == 'd' ? "disks" : "network interfaces",
				    key[0] == 'd' ? "blkback" : "netback");
		return 0;
	}
	return fail(ps, "%s is not supported by hxen run", key);
}

/* After the last line: what only the whole file tells. */
static int finish(struct parser *ps, struct xlcfg *cfg)
{
	size_t n;
	char *c;

	ps->line = 0;
	if (cfg->type == XLCFG_TYPE_NONE)
		return fail(ps, "no type: xl's default is a PV guest, which hxen does not run; set type = \"pvh\" or \"hvm\"");
	if (!cfg->kernel)
		return fail(ps, "no kernel: hxen boots a kernel directly (kernel = \"FILE\")");
	if (ps->maxmem && cfg->memory_mib && ps->maxmem != cfg->memory_mib)
		return fail(ps, "maxmem = %llu differs from memory = %llu: hxen has no ballooning",
			    ps->maxmem, cfg->memory_mib);
	if (ps->maxmem && !cfg->memory_mib)
		cfg->memory_mib = ps->maxmem;
	if (ps->maxvcpus && ps->maxvcpus != (cfg->vcpus ? cfg->vcpus : 1))
		return fail(ps, "maxvcpus = %u differs from vcpus = %u: hxen has no vCPU hotplug",
			    ps->maxvcpus, cfg->vcpus ? cfg->vcpus : 1);
	if (ps->have_cmdline) {
		if (ps->root || ps->extra)
			cfg->warning = "root= and extra= ignored in favour of cmdline= (as xl does)";
		return 0;
	}
	if (!ps->root && !ps->extra)
		return 0;
	n = (ps->root ? strlen(ps->root) + 6 : 0) + (ps->extra ? strlen(ps->extra) : 0) + 1;
	c = malloc(n);
	if (!c)
		return fail(ps, "out of memory");
	snprintf(c, n, "%s%s%s%s", ps->root ? "root=" : "", ps->root ? ps->root : "",
		 ps->root && ps->extra ? " " : "", ps->extra ? ps->extra : "");
	cfg->cmdline = c;
	return 0;
}

static bool is_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

int xlcfg_parse(const char *text, size_t len, struct xlcfg *cfg, char *why, size_t whylen)
{
	struct parser ps = { .p = text, .end = text + len, .line = 1, .why = why, .whylen = whylen };
	int r = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->reboot_restarts = true;
	for (;;) {
		struct value v = { 0 };
		char key[64];
		size_t n = 0;

		skip_space(&ps, false);
		if (ps.p == ps.end)
			break;
		if (*ps.p == '\n' || *ps.p == ';') {
			ps.line += *ps.p == '\n';
			ps.p++;
			continue;
		}
		while (ps.p < ps.end && is_key_char(*ps.p)) {
			if (n == sizeof(key) - 1) {
				fail(&ps, "a key longer than %zu characters", sizeof(key) - 1);
				goto out;
			}
			key[n++] = *ps.p++;
		}
		key[n] = '\0';
		if (!n || isdigit((unsigned char)key[0])) {
			fail(&ps, "expected KEY = VALUE");
			goto out;
		}
		skip_space(&ps, false);
		if (ps.p == ps.end || *ps.p != '=') {
			fail(&ps, "expected '=' after %s", key);
			goto out;
		}
		ps.p++;
		skip_space(&ps, false);
		if (parse_value(&ps, &v, false))
			goto out;
		if (apply(&ps, key, &v, cfg)) {
			free(v.s);
			goto out;
		}
		free(v.s);
		skip_space(&ps, false);
		if (ps.p < ps.end && *ps.p != '\n' && *ps.p != ';') {
			fail(&ps, "more after the value of %s", key);
			goto out;
		}
	}
	r = finish(&ps, cfg);
out:
	free(ps.root);
	free(ps.extra);
	if (r)
		xlcfg_free(cfg);
	return r;
}

void xlcfg_free(struct xlcfg *cfg)
{
	free(cfg->name);
	free(cfg->kernel);
	free(cfg->ramdisk);
	free(cfg->cmdline);
	memset(cfg, 0, sizeof(*cfg));
}
