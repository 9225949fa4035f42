// SPDX-License-Identifier: GPL-2.0
/*
 * `hxen run -f`'s xl.cfg reader (userspace/xen/xlcfg.c): the configurations
 * a Xen user brings (PVH and HVM guests as xl.cfg(5) writes them), xl's
 * rules for cmdline/root/extra and the life-cycle keys, and the files it
 * must refuse with a reason naming the key or the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xen/xlcfg.c"

#include "check.h"

static char why[256];

static int parse(const char *text, struct xlcfg *cfg)
{
	why[0] = '\0';
	return xlcfg_parse(text, strlen(text), cfg, why, sizeof(why));
}

static bool streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void test_pvh_guest(void)
{
	struct xlcfg c;
	int r = parse("# A PVH guest, as a Xen user writes it\n"
		      "name = \"web1\"\n"
		      "type = 'pvh'\n"
		      "kernel = \"/boot/vmlinux\"   # the ELF one\n"
		      "ramdisk = \"/boot/initrd.img\"\n"
		      "extra = \"console=hvc0 quiet\"\n"
		      "root = \"/dev/xvda1\"\n"
		      "memory = 1024; vcpus = 2\n"
		      "on_reboot = \"destroy\"\n"
		      "on_crash = \"destroy\"\n"
		      "disk = [ ]\n"
		      "vif = []\n", &c);

	CHECK(r == 0, "parse: %s", why);
	if (r)
		return;
	CHECK(c.type == XLCFG_TYPE_PVH, "type %d", c.type);
	CHECK(streq(c.name, "web1") && streq(c.kernel, "/boot/vmlinux") &&
	      streq(c.ramdisk, "/boot/initrd.img"), "strings %s %s %s", c.name, c.kernel, c.ramdisk);
	CHECK(streq(c.cmdline, "root=/dev/xvda1 console=hvc0 quiet"), "cmdline '%s'", c.cmdline);
	CHECK(c.memory_mib == 1024 && c.vcpus == 2, "memory %llu vcpus %u", c.memory_mib, c.vcpus);
	CHECK(!c.reboot_restarts && !c.warning, "reboot %d warning %s", c.reboot_restarts, c.warning);
	xlcfg_free(&c);
	check(1, "xlcfg_pvh_guest");
}

static void test_hvm_and_defaults(void)
{
	struct xlcfg c;
	int r = parse("builder='hvm'\nkernel='k'\ncmdline=\"console=ttyS0\"\nextra='x'\n"
		      "memory=\"512\"\nmaxmem=512\nmaxvcpus=1", &c);

	CHECK(r == 0, "parse: %s", why);
	if (r)
		return;
	CHECK(c.type == XLCFG_TYPE_HVM, "type %d", c.type);
	/* xl: cmdline wins over root/extra, with a warning; on_reboot restarts. */
	CHECK(streq(c.cmdline, "console=ttyS0") && c.warning, "cmdline '%s' warning %s", c.cmdline,
	      c.warning);
	CHECK(c.reboot_restarts, "on_reboot default");
	CHECK(c.memory_mib == 512 && c.vcpus == 0 && !c.ramdisk && !c.name, "defaults");
	xlcfg_free(&c);
	/* Lists over several lines, escapes, the last setting of a key wins. */
	r = parse("type=\"pvh\"\nkernel=\"a\"\nkernel=\"b\\\"c\"\nextra=\"only\"\n"
		  "vif = [\n   # none yet\n]\n", &c);
	CHECK(r == 0, "parse 2: %s", why);
	if (!r) {
		CHECK(streq(c.kernel, "b\"c") && streq(c.cmdline, "only"), "kernel '%s' cmdline '%s'",
		      c.kernel, c.cmdline);
		xlcfg_free(&c);
	}
	check(1, "xlcfg_hvm_and_defaults");
}

/* Each file must be refused with a reason containing @want. */
static void refused(const char *text, const char *want)
{
	struct xlcfg c;
	int r = parse(text, &c);

	CHECK(r == -1 && strstr(why, want), "'%s': r %d why '%s', want '%s'", text, r, why, want);
	CHECK(!c.kernel && !c.cmdline && !c.name, "'%s': not freed", text);
}

/* refused() on a valid PVH head (type, kernel; lines 1-2) plus @tail. */
static void refused_after_head(const char *tail, const char *want)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "type='pvh'\nkernel='k'\n%s", tail);
	refused(buf, want);
}

static void test_refused(void)
{

	refused("kernel='k'\n", "no type");
	refused("type='pv'\nkernel='k'\n", "PV guests are not supported");
	refused("type='hvm'\n", "no kernel");
	refused("type='pvh'\nkernel='k'\nvnc=1\n", "line 3: vnc is not supported");
	refused_after_head("disk=['phy:/dev/vg/web1,xvda,w']\n", "no blkback");
	refused_after_head("vif=['bridge=xenbr0']\n", "no netback");
	refused_after_head("on_crash='restart'\n", "on_crash = \"restart\" is not supported");
	refused_after_head("on_reboot='preserve'\n", "on_reboot");
	refused_after_head("memory=512\nmaxmem=1024\n", "no ballooning");
	refused_after_head("vcpus=2\nmaxvcpus=4\n", "no vCPU hotplug");
	refused_after_head("memory=0\n", "between 1 and");
	refused_after_head("vcpus=256\n", "between 1 and 255");
	refused_after_head("memory='lots'\n", "not a number");
	refused_after_head("memory=-1\n", "line 3: a value must be");
	refused("type='pvh'\nkernel='k\n", "line 2: a string without its closing '");
	refused("type='pvh'\nkernel=['k']\n", "kernel must be a quoted string");
	refused("type='pvh'\nkernel='k' 'l'\n", "more after the value of kernel");
	refused("type='pvh'\ndisk=['a', ['b']]\n", "a list inside a list");
	refused("type='pvh'\ndisk=['a'\n", "without its closing ]");
	refused("type 'pvh'\n", "expected '=' after type");
	refused("= 'pvh'\n", "expected KEY = VALUE");
	refused("type=\n", "without a value");
	refused("type='xen'\nkernel='k'\n", "not a guest type");
	refused("type='pvh'\nmemory=99999999999999999999\n", "not a number");
	check(1, "xlcfg_refused");
}

/* Random bytes and mutations of a good file: never a crash (ASan/UBSan). */
static void test_random(void)
{
	const char *good = "type='pvh'\nkernel=\"k\\n\"\nextra='x'\nvif=[\n'a',\n]\nmemory=64\n";
	char buf[128];
	unsigned int seed = 1, i, j, ok = 0;

	for (i = 0; i < 20000; i++) {
		struct xlcfg c;
		size_t len = strlen(good);

		memcpy(buf, good, len);
		for (j = 0; j < 1 + i % 4; j++) {
			seed = seed * 1103515245 + 12345;
			buf[(seed >> 8) % len] = (char)(seed >> 16);
		}
		if (!xlcfg_parse(buf, len, &c, why, sizeof(why))) {
			ok++;
			xlcfg_free(&c);
		}
	}
	check(ok < 20000, "xlcfg_random_mutations");
}

int main(void)
{
	test_pvh_guest();
	test_hvm_and_defaults();
	test_refused();
	test_random();
	return check_summary();
}
