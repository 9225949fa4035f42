/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the test programs: result reporting and the main loop.
 * A test returns PASS, FAIL (after fail() set the reason) or SKIP.
 * Output: one "ok"/"not ok"/"skip" line per test, then
 * "N passed, N failed, N skipped"; exit status 1 if anything failed.
 */
#ifndef HXEN_TESTLIB_H
#define HXEN_TESTLIB_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum { PASS = 0, FAIL = -1, SKIP = 1 };

static char reason[512];

static int __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	char buf[sizeof(reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);	/* fmt may use reason */
	va_end(ap);
	memcpy(reason, buf, sizeof(reason));
	return FAIL;
}

static int __attribute__((unused)) skip(const char *why)
{
	snprintf(reason, sizeof(reason), "%s", why);
	return SKIP;
}

#define EXPECT(cond, ...) do { if (!(cond)) return fail(__VA_ARGS__); } while (0)

/* A call that must fail with @err. */
#define EXPECT_ERRNO(call, err, what)                                          \
	do {                                                                   \
		long r_ = (call);                                              \
		if (r_ != -1 || errno != (err))                                \
			return fail("%s: got %ld/%s, want %s", what, r_,       \
				    r_ == -1 ? strerror(errno) : "success",    \
				    strerror(err));                            \
	} while (0)

struct test {
	const char *name;
	int (*fn)(void);
};

/* Run the tests whose name contains @filter (all if NULL). */
static int run_tests(const struct test *tests, unsigned int n, const char *filter)
{
	int passed = 0, failed = 0, skipped = 0;
	struct timespec t0, t1;
	unsigned int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < n; i++) {
		int r;

		if (filter && !strstr(tests[i].name, filter))
			continue;
		reason[0] = 0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		r = tests[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (r == PASS) {
			passed++;
			printf("ok %s (%.2fs)\n", tests[i].name,
			       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
		} else if (r == SKIP) {
			skipped++;
			printf("skip %s: %s\n", tests[i].name, reason);
		} else {
			failed++;
			printf("not ok %s: %s\n", tests[i].name, reason);
		}
	}
	printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped);
	return failed ? 1 : 0;
}

#endif
