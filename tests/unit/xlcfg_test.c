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

static void test_refused(void)
{
	const char *base = "type='pvh'\nkernel='k'\n";
	char buf[256];

	refused("kernel='k'\n", "no type");
	refused("type='pv'\nkernel='k'\n", "PV guests are not supported");
	refused("type='hvm'\n", "no kernel");
	refused("type='pvh'\nkernel='k'\nvnc=1\n", "line 3: vnc is not supported");
	snprintf(buf, sizeof(buf), "%sdisk=['phy:/dev/vg/web1,xvda,w']\n", base);
	refused(buf, "no blkback");
	snprintf(buf, sizeof(buf), "%svif=['bridge=xenbr0']\n", base);
	refused(buf, "no netback");
	snprintf(buf, sizeof(buf), "%son_crash='restart'\n", base);
	refused(buf, "on_crash = \"restart\" is not supported");
	snprintf(buf, sizeof(buf), "%son_reboot='preserve'\n", base);
	refused(buf, "on_reboot");
	snprintf(buf, sizeof(buf), "%smemory=512\nmaxmem=1024\n", base);
	refused(buf, "no ballooning");
	snprintf(buf, sizeof(buf), "%svcpus=2\nmaxvcpus=4\n", base);
	refused(buf, "no vCPU hotplug");
	snprintf(buf, sizeof(buf), "%smemory=0\n", base);
	refused(buf, "between 1 and");
	snprintf(buf, sizeof(buf), "%svcpus=256\n", base);
	refused(buf, "between 1 and 255");
	snprintf(buf, sizeof(buf), "%smemory='lots'\n", base);
	refused(buf, "not a number");
	snprintf(buf, sizeof(buf), "%smemory=-1\n", base);
	refused(buf, "line 3: a value must be");
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
