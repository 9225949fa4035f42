// SPDX-License-Identifier: GPL-2.0
/*
 * `hxen run`: boot a Linux kernel (a bzImage, or an ELF vmlinux through
 * PVH) in a VM and wait for it to stop. The main thread owns the console
 * input and waits for a stop request (from a device, a vCPU exit, the
 * console's panic detector or a signal); vCPU threads do the rest
 * (vmm/vcpu.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "boot/boot.h"
#include "vmm/vmm.h"
#include "xen/xlcfg.h"

#define DEFAULT_DEVICE	"/dev/hxen"
#define DEFAULT_MEM	MiB(512)
#define MIN_MEM		MiB(16)
#define MAX_MEM		(1ULL << 40)
#define MAX_CPUS	255	/* xAPIC IDs in the MADT are 8 bits, 0xff is broadcast */
#define PANIC_GRACE_MS	1000	/* let the panic's backtrace reach the console */

void run_usage(FILE *f)
{
	fprintf(f,
		"usage: hxen run --kernel FILE [--initrd FILE] [--cmdline STR] [--mem SIZE]\n"
		"                [--cpus N] [--device PATH] [--xen | --no-xen] [--name NAME]\n"
		"                [--console serial|hvc] [--reboot] [--guest-decompress] [--debug]\n"
		"       hxen run -f XL.CFG [options]\n"
		"\n"
		"Boots a Linux bzImage (64-bit boot protocol) or an ELF vmlinux with a PVH\n"
		"entry (Xen's PVH boot ABI), with ACPI, an in-kernel irqchip and PIT, a\n"
		"16550A console on COM1 (stdin/stdout) and a CMOS RTC.\n"
		"\n"
		"  -f XL.CFG       a Xen guest's xl.cfg: type (pvh or hvm, which turns on\n"
		"                  --xen), kernel, ramdisk, cmdline or root/extra, memory\n"
		"                  (MiB), vcpus, name, on_reboot (restart: --reboot, xl's\n"
		"                  default; or destroy), on_poweroff/on_crash (destroy);\n"
		"                  any other key, and disk/vif entries, are refused by\n"
		"                  name. Options on the command line win over the file\n"
		"  --kernel FILE   bzImage (boot protocol 2.12 or later), or an ELF kernel\n"
		"                  with a XEN_ELFNOTE_PHYS32_ENTRY note (PVH boot). The\n"
		"                  launcher decompresses a bzImage's kernel itself (xz,\n"
		"                  gzip, zstd) once per kernel file, cached in\n"
		"                  $XDG_CACHE_HOME/hxen/kernels (else ~/.cache/...; the\n"
		"                  4 most recently booted are kept)\n"
		"  --initrd FILE   initramfs, placed at the top of low memory\n"
		"  --cmdline STR   kernel command line, e.g. \"console=ttyS0\"\n"
		"  --mem SIZE      guest RAM; suffix K, M, G or T, MiB if none (default 512M)\n"
		"  --cpus N        vCPUs, 1-%d (default 1)\n"
		"  --device PATH   KVM-API device (default %s; /dev/kvm runs on KVM)\n"
		"  --xen           the guest sees a Xen hypervisor (hxen's Xen ABI); its\n"
		"                  console_io text goes to the console, console input\n"
		"                  also to console_io reads, a suspend is cancelled.\n"
		"                  Default for PVH kernels where the device has it\n"
		"                  (/dev/kvm has not)\n"
		"  --no-xen        never enable the Xen ABI (a PVH kernel then boots\n"
		"                  without Xen)\n"
		"  --name NAME     the Xen domain's name in its xenstore (default hxen-DOMID)\n"
		"  --console serial|hvc  serial (default): the guest's consoles are the\n"
		"                  16550A and, with Xen, console_io; hvc: with Xen also a\n"
		"                  PV console ring (the guest's hvc0; give it\n"
		"                  console=hvc0), on stdin/stdout like the UART\n"
		"  --reboot        restart the guest when it reboots instead of exiting\n"
		"  --guest-decompress  leave a bzImage's decompression to the guest's own\n"
		"                  decompressor (slower; it also randomizes the kernel's\n"
		"                  physical address)\n"
		"  --debug         trace unclaimed I/O, report the launcher's memory at exit\n"
		"\n"
		"On a terminal, Ctrl-A x quits and Ctrl-A Ctrl-A sends Ctrl-A.\n"
		"\n"
		"Exit status:\n"
		"  0  the guest powered off or rebooted (ACPI, or Xen SCHEDOP_shutdown)\n"
		"  1  bad arguments or setup failure (one-line message)\n"
		"  3  guest kernel panic (\"Kernel panic - not syncing\" on the console,\n"
		"     or Xen SCHEDOP_shutdown with SHUTDOWN_crash)\n"
		"  4  triple fault (KVM_EXIT_SHUTDOWN)\n"
		"  5  the hypervisor failed: KVM_EXIT_FAIL_ENTRY, KVM_EXIT_INTERNAL_ERROR,\n"
		"     an unexpected exit or a KVM_RUN error\n"
		"  6  quit by the user (Ctrl-A x) or a signal (SIGINT, SIGTERM, SIGHUP)\n",
		MAX_CPUS, DEFAULT_DEVICE);
}

static int parse_mem(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 20;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		end++;
		break;
	case 'm': case 'M':
		end++;
		break;
	case 'g': case 'G':
		shift = 30;
		end++;
		break;
	case 't': case 'T':
		shift = 40;
		end++;
		break;
	}
	if (*end)
		return -1;
	/* Too big saturates, for check_mem() to name the limit. */
	*out = v > (UINT64_MAX >> shift) ? UINT64_MAX : (uint64_t)v << shift;
	return 0;
}

/* Page-granular, and within what this host could ever back. */
static int check_mem(uint64_t mem)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t host = pages > 0 && psize > 0 ? (uint64_t)pages * psize : MAX_MEM;
	struct rlimit rl;

	if (mem < MIN_MEM || mem > MAX_MEM || (mem & 0xfff)) {
		fprintf(stderr, "hxen: --mem must be %llu MiB to %llu GiB, a multiple of 4K\n",
			(unsigned long long)(MIN_MEM >> 20), (unsigned long long)(MAX_MEM >> 30));
		return -1;
	}
	if (mem > host) {
		fprintf(stderr, "hxen: --mem %llu MiB is more than the host's %llu MiB of RAM\n",
			(unsigned long long)(mem >> 20), (unsigned long long)(host >> 20));
		return -1;
	}
	if (!getrlimit(RLIMIT_AS, &rl) && rl.rlim_cur != RLIM_INFINITY && mem >= rl.rlim_cur) {
		fprintf(stderr, "hxen: --mem %llu MiB exceeds the limit of ulimit -v\n",
			(unsigned long long)(mem >> 20));
		return -1;
	}
	return 0;
}

static int parse_cpus(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > MAX_CPUS) {
		fprintf(stderr, "hxen: --cpus must be between 1 and %d\n", MAX_CPUS);
		return -1;
	}
	*out = v;
	return 0;
}

/* "--opt VALUE" or "--opt=VALUE"; advances *i past what it used. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n))
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] || *i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static int parse_args(int argc, char **argv, struct vm_config *cfg, bool *reboot)
{
	static const char *const with_value[] = {
		"--kernel", "--initrd", "--cmdline", "--mem", "--cpus", "--device",
		"--console", "--name", "-f",
	};
	const char *v;
	size_t k;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--debug")) {
			cfg->debug = true;
			continue;
		}
		if (!strcmp(argv[i], "--xen") || !strcmp(argv[i], "--no-xen")) {
			enum xen_mode m = argv[i][2] == 'x' ? XEN_ON : XEN_OFF;

			if (cfg->xen != XEN_AUTO && cfg->xen != m) {
				fprintf(stderr, "hxen: run: --xen and --no-xen together\n");
				return -1;
			}
			cfg->xen = m;
			continue;
		}
		if (!strcmp(argv[i], "--reboot")) {
			*reboot = true;
			continue;
		}
		if (!strcmp(argv[i], "--guest-decompress")) {
			cfg->guest_decompress = true;
			continue;
		}
		for (k = 0, v = NULL; k < sizeof(with_value) / sizeof(with_value[0]); k++) {
			v = opt_value(argc, argv, &i, with_value[k]);
			if (v)
				break;
		}
		if (!v) {
			fprintf(stderr, "hxen: run: bad argument '%s' (see hxen run --help)\n",
				argv[i]);
			return -1;
		}
		switch (k) {
		case 0:
			cfg->kernel = v;
			break;
		case 1:
			cfg->initrd = v;
			break;
		case 2:
			cfg->cmdline = v;
			break;
		case 3:
			if (parse_mem(v, &cfg->mem)) {
				fprintf(stderr, "hxen: --mem %s: not a size (e.g. 512M, 2G)\n", v);
				return -1;
			}
			if (check_mem(cfg->mem))
				return -1;
			break;
		case 4:
			if (parse_cpus(v, &cfg->cpus))
				return -1;
			break;
		case 5:
			cfg->device = v;
			break;
		case 7:
			if (!*v || strlen(v) > 64 || strpbrk(v, "/ \t\n")) {
				fprintf(stderr, "hxen: --name '%s': 1-64 characters, no '/' or blanks\n", v);
				return -1;
			}
			cfg->name = v;
			break;
		case 8:
			break;		/* -f: read before the rest (cmd_run) */
		default:
			if (!strcmp(v, "serial")) {
				cfg->console = CONSOLE_SERIAL;
			} else if (!strcmp(v, "hvc")) {
				cfg->console = CONSOLE_HVC;
			} else {
				fprintf(stderr, "hxen: --console %s: must be serial or hvc\n", v);
				return -1;
			}
		}
	}
	if (!cfg->kernel) {
		fprintf(stderr, "hxen: run: --kernel FILE is required\n");
		return -1;
	}
	return 0;
}

static unsigned long long kib_field(const char *file, const char *field, unsigned long start)
{
	char line[256], want[32];
	unsigned long long v = 0;
	bool in = !start;
	FILE *f = fopen(file, "r");

	if (!f)
		return 0;
	snprintf(want, sizeof(want), "%lx-", start);
	while (fgets(line, sizeof(line), f)) {
		if (start && strchr(line, '-') && strchr(line, '-') < strchr(line, ' '))
			in = !strncmp(line, want, strlen(want));
		if (in && !strncmp(line, field, strlen(field))) {
			v = strtoull(line + strlen(field), NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/* The launcher's own footprint: total RSS minus what guest RAM accounts for. */
static void report_rss(struct vm *vm)
{
	unsigned long long total = kib_field("/proc/self/status", "VmRSS:", 0);
	unsigned long long guest = kib_field("/proc/self/smaps", "Rss:", (uintptr_t)vm->ram);

	fprintf(stderr, "hxen: RSS %llu KiB, guest RAM %llu KiB, launcher %llu KiB\n",
		total, guest, total - guest);
}

static int wait_for_stop(struct vm *vm, int sig_fd)
{
	int panic_wait = -1;

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = vm->stop_pipe[0], .events = POLLIN },
			{ .fd = sig_fd, .events = POLLIN },
			{ .fd = console_input_fd(), .events = POLLIN },
		};
		int timeout = console_pending() ? 20 : -1;
		bool panicked;

		pthread_mutex_lock(&vm->stop_lock);
		panicked = vm->panicked;
		pthread_mutex_unlock(&vm->stop_lock);
		if (panicked && panic_wait < 0)
			panic_wait = PANIC_GRACE_MS / 50;
		if (panicked)
			timeout = 50;
		if (poll(p, 3, timeout) < 0 && errno != EINTR) {
			die_errno("poll");
			vm_stop(vm, STOP_QUIT, "poll failed");
		}
		if (p[0].revents)
			return 0;
		if (p[1].revents) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si))
				vm_stop(vm, STOP_QUIT, "signal %u", si.ssi_signo);
			continue;
		}
		if ((p[2].revents || console_pending()) && !console_poll_input(vm))
			vm_stop(vm, STOP_QUIT, "quit (Ctrl-A x)");
		if (panicked && --panic_wait == 0)
			vm_stop(vm, STOP_PANIC, "panic");
	}
}

static int boot_once(struct vm *vm, const struct vm_config *cfg, int sig_fd)
{
	if (vm_create(vm, cfg) || (cfg->pvh ? pvh_load(vm) : bzimage_load(vm)) ||
	    (vm->xen && xen_set_memory_map(vm)) || console_init(vm) || vcpus_start(vm)) {
		vcpus_stop(vm);
		return -1;
	}
	wait_for_stop(vm, sig_fd);
	vcpus_stop(vm);
	if (cfg->debug) {
		vcpus_dump(vm);
		report_rss(vm);
	}
	return 0;
}

#define XL_CFG_MAX	(1 << 20)

/*
 * -f FILE: a Xen guest's xl.cfg (xen/xlcfg.c) becomes the options it
 * stands for, applied before the command line's so that those win. Its
 * strings stay for the launcher's lifetime (the config points at them).
 */
static int apply_xl_config(int argc, char **argv, struct vm_config *cfg, bool *reboot)
{
	static struct xlcfg xl;
	const char *path = NULL, *av[16];
	char why[256], mem[32], cpus[16], *text;
	int i, ac = 0, fd;
	ssize_t len;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-f") || i + 1 == argc)
			continue;
		if (path) {
			fprintf(stderr, "hxen: run: -f given twice\n");
			return -1;
		}
		path = argv[++i];
	}
	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	text = malloc(XL_CFG_MAX + 1);
	if (fd < 0 || !text) {
		fprintf(stderr, "hxen: -f %s: %s\n", path, strerror(errno));
		free(text);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	len = read(fd, text, XL_CFG_MAX + 1);
	close(fd);
	if (len < 0 || len > XL_CFG_MAX) {
		fprintf(stderr, "hxen: -f %s: %s\n", path,
			len < 0 ? strerror(errno) : "larger than 1 MiB: not an xl.cfg");
		free(text);
		return -1;
	}
	i = xlcfg_parse(text, len, &xl, why, sizeof(why));
	free(text);
	if (i) {
		fprintf(stderr, "hxen: %s: %s\n", path, why);
		return -1;
	}
	if (xl.warning)
		fprintf(stderr, "hxen: %s: %s\n", path, xl.warning);
	av[ac++] = "run";
	av[ac++] = "--kernel";
	av[ac++] = xl.kernel;
	if (xl.ramdisk) {
		av[ac++] = "--initrd";
		av[ac++] = xl.ramdisk;
	}
	if (xl.cmdline) {
		av[ac++] = "--cmdline";
		av[ac++] = xl.cmdline;
	}
	if (xl.memory_mib) {
		snprintf(mem, sizeof(mem), "%lluM", xl.memory_mib);
		av[ac++] = "--mem";
		av[ac++] = mem;
	}
	if (xl.vcpus) {
		snprintf(cpus, sizeof(cpus), "%u", xl.vcpus);
		av[ac++] = "--cpus";
		av[ac++] = cpus;
	}
	if (xl.name) {
		av[ac++] = "--name";
		av[ac++] = xl.name;
	}
	/* Both types are Xen guests: the device must have hxen's Xen ABI. */
	av[ac++] = "--xen";
	if (xl.reboot_restarts)
		av[ac++] = "--reboot";
	return parse_args(ac, (char **)av, cfg, reboot);
}

int cmd_run(int argc, char **argv)
{
	struct vm_config cfg = {
		.device = DEFAULT_DEVICE,
		.mem = DEFAULT_MEM,
		.cpus = 1,
		.vmlinux_fd = -1,
	};
	bool reboot = false;
	enum kernel_kind kind;
	struct vm vm;
	sigset_t set;
	int sig_fd, ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		run_usage(stdout);
		return 0;
	}
	if (apply_xl_config(argc, argv, &cfg, &reboot) || parse_args(argc, argv, &cfg, &reboot))
		return EXIT_SETUP;
	if (check_mem(cfg.mem) || kernel_kind(cfg.kernel, &kind))
		return EXIT_SETUP;
	cfg.pvh = kind == KERNEL_ELF;
	if (cfg.pvh ? pvh_check(cfg.kernel, cfg.initrd, cfg.mem) :
		      bzimage_check(&cfg))
		return EXIT_SETUP;
	/*
	 * A bzImage boots as an HVM guest: Xen only when asked for. A PVH
	 * kernel gets Xen wherever the device has it (xen_enable()).
	 */
	if (cfg.xen == XEN_AUTO && !cfg.pvh)
		cfg.xen = XEN_OFF;
	if (cfg.console == CONSOLE_HVC && cfg.xen == XEN_OFF) {
		fprintf(stderr, "hxen: --console hvc needs Xen (%s)\n",
			cfg.pvh ? "not with --no-xen" : "add --xen for a bzImage");
		return EXIT_SETUP;
	}

	/* A closed stdout must not kill the guest: writes just fail. */
	signal(SIGPIPE, SIG_IGN);
	/* Taken through a signalfd by the main loop; vCPU threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sig_fd < 0) {
		die_errno("signalfd");
		return EXIT_SETUP;
	}

	for (;;) {
		if (boot_once(&vm, &cfg, sig_fd)) {
			vm_destroy(&vm);
			console_exit();
			return EXIT_SETUP;
		}
		if (vm.stop_reason != STOP_RESET || !reboot)
			break;
		vm_destroy(&vm);
		if (cfg.debug)
			fprintf(stderr, "hxen: guest reboot: restarting\n");
	}
	console_exit();

	switch (vm.stop_reason) {
	case STOP_POWEROFF:
	case STOP_RESET:
		if (cfg.debug)
			fprintf(stderr, "hxen: %s\n", vm.stop_msg);
		ret = EXIT_GUEST_OK;
		break;
	case STOP_PANIC:
		fprintf(stderr, "hxen: guest panic: %s\n", vm.stop_msg);
		ret = EXIT_GUEST_PANIC;
		break;
	case STOP_TRIPLE_FAULT:
		fprintf(stderr, "hxen: guest stopped: %s\n", vm.stop_msg);
		ret = EXIT_TRIPLE_FAULT;
		break;
	case STOP_QUIT:
		fprintf(stderr, "hxen: %s\n", vm.stop_msg);
		ret = EXIT_QUIT;
		break;
	default:
		fprintf(stderr, "hxen: guest stopped: %s\n", vm.stop_msg);
		ret = EXIT_HW_ERROR;
	}
	vm_destroy(&vm);
	close(sig_fd);
	return ret;
}
