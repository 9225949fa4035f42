/* SPDX-License-Identifier: GPL-2.0 */
/* One "ok NAME" / "not ok NAME" line per case, counted for the summary line. */
#ifndef HXEN_UNIT_CHECK_H
#define HXEN_UNIT_CHECK_H

#include <stdio.h>

static int passed, failed;

/*
 * CHECK(cond, fmt, ...): counted like check(); only a failure prints a
 * line, with where it failed and the values the format names.
 */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (cond) {                                                    \
			passed++;                                              \
		} else {                                                       \
			failed++;                                              \
			printf("not ok %s:%d: ", __func__, __LINE__);          \
			printf(__VA_ARGS__);                                   \
			printf("\n");                                          \
		}                                                              \
	} while (0)

static inline void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "not ok", name);
	if (ok)
		passed++;
	else
		failed++;
}

/* "N passed, N failed", and main's exit status. */
static inline int check_summary(void)
{
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}

#endif
