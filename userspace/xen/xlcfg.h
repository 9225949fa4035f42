/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The subset of Xen's xl.cfg(5) domain configuration `hxen run -f` reads
 * (xlcfg.c): what a Xen user's PVH or HVM guest file says about the
 * kernel, memory, vCPUs and life cycle. Pure logic (tests/unit/xlcfg_test.c).
 */
#ifndef HXEN_XLCFG_H
#define HXEN_XLCFG_H

#include <stdbool.h>
#include <stddef.h>

enum xlcfg_type { XLCFG_TYPE_NONE, XLCFG_TYPE_PVH, XLCFG_TYPE_HVM };

struct xlcfg {
	enum xlcfg_type type;
	/* malloc'd; NULL where the file did not set them. */
	char *name, *kernel, *ramdisk;
	/* cmdline, else "root=ROOT EXTRA" as xl builds it; NULL if none. */
	char *cmdline;
	unsigned long long memory_mib;	/* 0: not set */
	unsigned int vcpus;		/* 0: not set */
	bool reboot_restarts;		/* on_reboot = "restart" (xl's default) */
	/* Set when root= or extra= were ignored for cmdline= (xl warns too). */
	const char *warning;
};

/*
 * Parse the file's @len bytes at @text into @cfg. Returns 0, or -1 with a
 * one-line reason ("line N: ...") in @why; @cfg is then freed.
 */
int xlcfg_parse(const char *text, size_t len, struct xlcfg *cfg, char *why, size_t whylen);
void xlcfg_free(struct xlcfg *cfg);

#endif
