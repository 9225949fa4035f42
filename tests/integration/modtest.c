// SPDX-License-Identifier: GPL-2.0
/*
 * hxen-modtest: the module suite. Runs inside an emulated test host (see
 * scripts/testhost) as root, with hxen.ko loaded and, for the coexistence
 * tests, KVM loaded too. Environment: HXEN_KO (path of hxen.ko, for the
 * load/unload tests), HXEN_KVM_MODULES (KVM's .ko files in load order).
 *
 * Output: one line per test ("ok", "not ok" with the reason, or "skip" with
 * the reason), then "N passed, N failed, N skipped".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "uapi/hxen.h"
#include "testlib.h"

#define HXEN_DEV "/dev/hxen"
#define KVM_DEV "/dev/kvm"

static int open_dev(const char *path)
{
	return open(path, O_RDWR | O_CLOEXEC);
}

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static int get_info(struct hxen_info *info)
{
	int fd = open_dev(HXEN_DEV), r;

	if (fd < 0)
		return -1;
	memset(info, 0xa5, sizeof(*info));
	r = ioctl(fd, HXEN_GET_INFO, info);
	close(fd);
	return r;
}

/* After all VMs are gone: nothing held, nothing leaked. */
static int expect_idle(const char *when)
{
	struct hxen_info info;

	if (get_info(&info))
		return fail("%s: HXEN_GET_INFO: %s", when, strerror(errno));
	if (info.live_vms || info.live_vcpus || info.virt_cpus || info.live_pages)
		return fail("%s: not idle: %u VMs, %u vCPUs, virtualization on %u CPUs, %llu pages",
			    when, info.live_vms, info.live_vcpus, info.virt_cpus,
			    (unsigned long long)info.live_pages);
	return PASS;
}

/* --- /dev/kmsg: read what the kernel logged since a mark --- */

static int kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* Count records since the mark that contain @needle. */
static int kmsg_count(int fd, const char *needle)
{
	char rec[8192];
	int n = 0;
	ssize_t len;

	for (;;) {
		len = read(fd, rec, sizeof(rec) - 1);
		if (len < 0) {
			if (errno == EPIPE)	/* overwritten records: go on */
				continue;
			break;
		}
		rec[len] = 0;
		if (strstr(rec, needle))
			n++;
	}
	return n;
}

/* --- module load/unload --- */

static int load_module(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, params, 0);
	close(fd);
	return r;
}

static int unload_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

static bool module_loaded(const char *name)
{
	char line[512];
	size_t n = strlen(name);
	bool found = false;
	FILE *f = fopen("/proc/modules", "r");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, name, n) && line[n] == ' ')
			found = true;
	fclose(f);
	return found;
}

/*
 * Why a module cannot go: its reference count (/proc/modules) and which
 * processes hold a descriptor of it (/proc/PID/fd links naming @name).
 */
static void module_holders(const char *name, char *out, size_t len)
{
	char line[512], path[600], link[256];
	size_t n = strlen(name), used;
	struct dirent *p, *f;
	DIR *procs, *fds;
	FILE *mods = fopen("/proc/modules", "r");

	snprintf(out, len, "refs ?");
	while (mods && fgets(line, sizeof(line), mods)) {
		unsigned long size, refs;

		if (!strncmp(line, name, n) && line[n] == ' ' &&
		    sscanf(line + n, "%lu %lu", &size, &refs) == 2)
			snprintf(out, len, "refs %lu", refs);
	}
	if (mods)
		fclose(mods);
	procs = opendir("/proc");
	while (procs && (p = readdir(procs))) {
		if (p->d_name[0] < '0' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		fds = opendir(path);
		while (fds && (f = readdir(fds))) {
			ssize_t l;

			snprintf(path, sizeof(path), "/proc/%s/fd/%s", p->d_name, f->d_name);
			l = readlink(path, link, sizeof(link) - 1);
			if (l <= 0)
				continue;
			link[l] = 0;
			used = strlen(out);
			if (strstr(link, name) && used + 64 < len)
				snprintf(out + used, len - used, ", pid %.12s fd %.8s %.40s",
					 p->d_name, f->d_name, link);
		}
		if (fds)
			closedir(fds);
	}
	if (procs)
		closedir(procs);
}

static int reload_hxen(const char *params)
{
	const char *ko = getenv("HXEN_KO");
	char why[400];

	if (!ko)
		return fail("HXEN_KO is not set");
	if (module_loaded("hxen") && unload_module("hxen")) {
		int err = errno;

		module_holders("hxen", why, sizeof(why));
		return fail("rmmod hxen: %s (%s)", strerror(err), why);
	}
	if (load_module(ko, params))
		return fail("insmod %s %s: %s", ko, params, strerror(errno));
	return PASS;
}

/* Is /dev/kvm KVM itself (not hxen's alias, not absent)? */
static bool have_real_kvm(void)
{
	struct hxen_info info;
	int fd = open_dev(KVM_DEV);
	bool kvm;

	if (fd < 0)
		return false;
	/* KVM answers unknown /dev/kvm ioctls with EINVAL. */
	kvm = ioctl(fd, HXEN_GET_INFO, &info) < 0;
	close(fd);
	return kvm;
}

/*
 * Run a one-instruction real-mode guest (HLT) on KVM: proves the other
 * hypervisor still works. Returns PASS or fails with the reason.
 */
static int run_kvm_guest(void)
{
	struct kvm_userspace_memory_region mem = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	int kvm, vm, vcpu, size, ret = PASS;
	uint8_t *ram;

	kvm = open_dev(KVM_DEV);
	EXPECT(kvm >= 0, "open %s: %s", KVM_DEV, strerror(errno));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		close(kvm);
		return fail("KVM: KVM_CREATE_VM: %s", strerror(errno));
	}
	ram = mmap(NULL, 0x10000, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ram[0x1000] = 0xf4;	/* hlt */
	mem.memory_size = 0x10000;
	mem.userspace_addr = (uintptr_t)ram;
	ioctl(vm, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mem)) {
		ret = fail("KVM: SET_USER_MEMORY_REGION: %s", strerror(errno));
		goto out_vm;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0) {
		ret = fail("KVM: CREATE_VCPU: %s", strerror(errno));
		goto out_vm;
	}
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	ioctl(vcpu, KVM_SET_SREGS, &sregs);
	regs.rip = 0x1000;
	regs.rflags = 2;
	ioctl(vcpu, KVM_SET_REGS, &regs);
	if (ioctl(vcpu, KVM_RUN, 0))
		ret = fail("KVM: KVM_RUN: %s", strerror(errno));
	else if (run->exit_reason != KVM_EXIT_HLT)
		ret = fail("KVM guest: exit reason %u, want HLT", run->exit_reason);
	munmap(run, size);
	close(vcpu);
out_vm:
	munmap(ram, 0x10000);
	close(vm);
	close(kvm);
	return ret;
}

/* --- tests --- */

static int t_api_version(void)
{
	int fd = open_dev(HXEN_DEV), r;

	EXPECT(fd >= 0, "open %s: %s", HXEN_DEV, strerror(errno));
	r = ioctl(fd, KVM_GET_API_VERSION, 0);
	EXPECT(r == KVM_API_VERSION, "KVM_GET_API_VERSION = %d, want %d", r, KVM_API_VERSION);
	EXPECT_ERRNO(ioctl(fd, KVM_GET_API_VERSION, 1), EINVAL, "GET_API_VERSION(1)");
	close(fd);
	return PASS;
}

static int t_vcpu_mmap_size(void)
{
	int fd = open_dev(HXEN_DEV), r;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	r = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	close(fd);
	EXPECT(r >= (int)sizeof(struct kvm_run) && r % 4096 == 0,
	       "KVM_GET_VCPU_MMAP_SIZE = %d", r);
	return PASS;
}

/*
 * What hxen implements today, with the value it must report; anything else
 * it reports is a lie. A backend that cannot run vCPUs yet reports VMs only.
 */
static const struct {
	int cap, value;
} implemented_caps[] = {
	{ KVM_CAP_CHECK_EXTENSION_VM, 1 },
	{ KVM_CAP_USER_MEMORY, 1 },
	{ KVM_CAP_READONLY_MEM, 1 },
	{ KVM_CAP_IMMEDIATE_EXIT, 1 },
	{ KVM_CAP_SYNC_MMU, 1 },
	{ KVM_CAP_SET_TSS_ADDR, 1 },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, 1 },
	{ KVM_CAP_MP_STATE, 1 },
	{ KVM_CAP_EXT_CPUID, 1 },
	{ KVM_CAP_VCPU_EVENTS, 1 },
	{ KVM_CAP_XSAVE, -1 },		/* -1: 1 if the host CPU has XSAVE */
	{ KVM_CAP_XCRS, -1 },
	{ KVM_CAP_NR_MEMSLOTS, 32 },
	{ KVM_CAP_NR_VCPUS, 64 },
	{ KVM_CAP_MAX_VCPUS, 64 },
	{ KVM_CAP_MAX_VCPU_ID, 64 },
	/* In-kernel irqchip: LAPIC, PIC, IOAPIC, PIT, routing (x86/irqchip/irq.c). */
	{ KVM_CAP_IRQCHIP, 1 },
	{ KVM_CAP_IRQ_INJECT_STATUS, 1 },
	{ KVM_CAP_SIGNAL_MSI, 1 },
	{ KVM_CAP_PIT2, 1 },
	{ KVM_CAP_PIT_STATE2, 1 },
	{ KVM_CAP_IOAPIC_POLARITY_IGNORED, 1 },
	{ KVM_CAP_IRQ_ROUTING, 4096 },
	{ KVM_CAP_TSC_DEADLINE_TIMER, 1 },
	/* kvm-clock (x86/kvmclock.c): every flag KVM_GET_CLOCK may set, as KVM. */
	{ KVM_CAP_ADJUST_CLOCK, KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC },
	/* What QEMU 7.2 requires or keys on (issue 16). */
	{ KVM_CAP_DESTROY_MEMORY_REGION_WORKS, 1 },
	{ KVM_CAP_JOIN_MEMORY_REGIONS_WORKS, 1 },
	{ KVM_CAP_DEBUGREGS, 1 },
	{ KVM_CAP_GET_TSC_KHZ, 1 },
	{ KVM_CAP_MMU_SHADOW_CACHE_CONTROL, 1 },
	{ KVM_CAP_MCE, 32 },
	/* Guest debugging (x86/guest_debug.c), without the debugger's hardware breakpoints. */
	{ KVM_CAP_SET_GUEST_DEBUG, 1 },
	{ KVM_CAP_X86_ROBUST_SINGLESTEP, 1 },
	{ KVM_CAP_SET_GUEST_DEBUG2,
	  KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_SW_BP |
	  KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_BLOCKIRQ },
	/* Dirty logging (mmu/dirty.c): manual protect and initially-set bitmaps. */
	{ KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
	  KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET },
};

static bool host_has_xsave(void)
{
	unsigned int a = 1, b, c = 0, d;

	__asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return c & (1u << 26);
}

static bool backend_runs_vcpus(void)
{
	struct hxen_info info;

	/* Both backends run vCPUs. */
	return get_info(&info) == 0 &&
	       (info.vendor == HXEN_VENDOR_SVM || info.vendor == HXEN_VENDOR_VMX);
}

static int check_caps(int fd, const char *what)
{
	long probes[] = { -1, 0x7fffffff, 0x80000000L, 100000 };
	bool runs = backend_runs_vcpus();
	unsigned int i, j;

	for (i = 0; i < 1024; i++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, i), want = 0;

		EXPECT(r >= 0, "%s: CHECK_EXTENSION(%u): %s", what, i, strerror(errno));
		for (j = 0; j < sizeof(implemented_caps) / sizeof(implemented_caps[0]); j++)
			if (implemented_caps[j].cap == (int)i &&
			    (runs || i == KVM_CAP_CHECK_EXTENSION_VM))
				want = implemented_caps[j].value;
		if (want == -1)
			want = host_has_xsave();
		EXPECT(r == want, "%s: capability %u is %d, want %d", what, i, r, want);
	}
	for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		EXPECT(ioctl(fd, KVM_CHECK_EXTENSION, probes[i]) == 0,
		       "%s: CHECK_EXTENSION(%ld) is not 0", what, probes[i]);
	return PASS;
}

static int t_check_extension(void)
{
	int fd = open_dev(HXEN_DEV), vm, r;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	r = check_caps(fd, "/dev/hxen");
	if (r == PASS) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
		r = check_caps(vm, "VM fd");
		close(vm);
	}
	close(fd);
	return r;
}

static int t_create_vm(void)
{
	struct hxen_info info;
	int fd, vm, r;

	if ((r = expect_idle("before")))
		return r;
	fd = open_dev(HXEN_DEV);
	EXPECT(fd >= 0, "open: %s", strerror(errno));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	EXPECT(fcntl(vm, F_GETFD) & FD_CLOEXEC, "VM fd is not close-on-exec");
	EXPECT(get_info(&info) == 0, "HXEN_GET_INFO: %s", strerror(errno));
	EXPECT(info.size == sizeof(info), "info.size %u", info.size);
	EXPECT(info.live_vms == 1, "live_vms %u, want 1", info.live_vms);
	EXPECT((int)info.virt_cpus == online_cpus(),
	       "virtualization on %u CPUs, want all %d", info.virt_cpus, online_cpus());
	EXPECT(info.live_pages >= (unsigned)online_cpus(),
	       "%llu pages held, want at least one per CPU", (unsigned long long)info.live_pages);
	close(vm);
	close(fd);
	return expect_idle("after close");
}

static int t_create_vm_bad_type(void)
{
	unsigned long types[] = { 1, 2, 0xffffffffUL, ~0UL };
	int fd = open_dev(HXEN_DEV);
	unsigned int i;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, types[i]), EINVAL, "KVM_CREATE_VM(bad type)");
	close(fd);
	return expect_idle("after bad types");
}

static int t_vm_outlives_dev(void)
{
	int fd = open_dev(HXEN_DEV), vm;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	close(fd);
	EXPECT(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) == 1,
	       "VM fd stopped answering after /dev/hxen was closed");
	close(vm);
	return expect_idle("after close");
}

static int t_vm_1000(void)
{
	int fd = open_dev(HXEN_DEV), i, vm;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	for (i = 0; i < 1000; i++) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		EXPECT(vm >= 0, "VM %d: KVM_CREATE_VM: %s", i, strerror(errno));
		close(vm);
	}
	close(fd);
	return expect_idle("after 1000 VMs");
}

/* One VM with memory and a vCPU that runs a HLT guest; 0 or an errno. */
static int run_one_vm(int sys)
{
	struct kvm_userspace_memory_region mem = { .memory_size = 0x2000 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	int vm, vcpu, r = 0, size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	uint8_t *ram = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (ram == MAP_FAILED || size <= 0)
		return ENOMEM;
	ram[0x1000] = 0xf4;	/* hlt */
	mem.userspace_addr = (uintptr_t)ram;
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0) {
		r = errno;
		goto out_ram;
	}
	vcpu = -1;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &mem) ||
	    (vcpu = ioctl(vm, KVM_CREATE_VCPU, 0)) < 0) {
		r = errno;
		goto out_vm;
	}
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	ioctl(vcpu, KVM_GET_SREGS, &sregs);
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (run == MAP_FAILED || ioctl(vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vcpu, KVM_SET_REGS, &regs) || ioctl(vcpu, KVM_RUN, 0))
		r = errno ? errno : EIO;
	else if (run->exit_reason != KVM_EXIT_HLT)
		r = EPROTO;
	if (run != MAP_FAILED)
		munmap(run, size);
out_vm:
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
out_ram:
	munmap(ram, 0x2000);
	return r;
}

static int t_run_1000_vms(void)
{
	int sys = open_dev(HXEN_DEV), i, r;

	if (!backend_runs_vcpus())
		return skip("this hxen backend cannot run vCPUs yet");
	EXPECT(sys >= 0, "open: %s", strerror(errno));
	for (i = 0; i < 1000; i++) {
		r = run_one_vm(sys);
		EXPECT(r == 0, "cycle %d: %s", i, strerror(r));
	}
	close(sys);
	/* Every VM, vCPU and page the module took is back. */
	return expect_idle("after 1000 create/run/destroy cycles");
}

static int t_many_vms_open(void)
{
	int fd = open_dev(HXEN_DEV), vms[64], i;
	struct hxen_info info;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	for (i = 0; i < 64; i++) {
		vms[i] = ioctl(fd, KVM_CREATE_VM, 0);
		EXPECT(vms[i] >= 0, "VM %d: KVM_CREATE_VM: %s", i, strerror(errno));
	}
	EXPECT(get_info(&info) == 0 && info.live_vms == 64, "live_vms %u, want 64", info.live_vms);
	EXPECT((int)info.virt_cpus == online_cpus(), "virt_cpus %u", info.virt_cpus);
	for (i = 0; i < 64; i++)
		close(vms[i]);
	close(fd);
	return expect_idle("after closing 64 VMs");
}

static int vm_churn(int n)
{
	int fd = open_dev(HXEN_DEV), vm, held = -1, i;

	if (fd < 0)
		return 1;
	for (i = 0; i < n; i++) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		if (vm < 0)
			return 2;
		if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) != 1)
			return 3;
		/* Keep one VM across iterations now and then, so the 0<->1 VM
		 * transitions of the two processes interleave in every way. */
		if (i % 7 == 0) {
			if (held >= 0)
				close(held);
			held = vm;
		} else {
			close(vm);
		}
	}
	if (held >= 0)
		close(held);
	close(fd);
	return 0;
}

static int t_concurrent_processes(void)
{
	pid_t pid[2];
	int i, status;

	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		EXPECT(pid[i] >= 0, "fork: %s", strerror(errno));
		if (pid[i] == 0)
			_exit(vm_churn(500));
	}
	for (i = 0; i < 2; i++) {
		EXPECT(waitpid(pid[i], &status, 0) == pid[i], "waitpid: %s", strerror(errno));
		EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		       "process %d failed (status %#x)", i, status);
	}
	return expect_idle("after concurrent VM churn");
}

static int t_bad_ioctls(void)
{
	const unsigned long dev_bad[] = {
		0, 1, 0xdeadbeef, _IO(KVMIO, 0xff), KVM_CREATE_VCPU, KVM_RUN,
		KVM_SET_USER_MEMORY_REGION, _IOR(HXEN_IOCTL_MAGIC, 0x7f, int),
		_IOR(HXEN_IOCTL_MAGIC, 0x00, int),	/* GET_INFO, wrong size */
	};
	const unsigned long vm_bad[] = {
		KVM_GET_API_VERSION, KVM_CREATE_VM, KVM_GET_VCPU_MMAP_SIZE,
		HXEN_GET_INFO, 0xdeadbeef, _IO(KVMIO, 0xff),
	};
	int fd = open_dev(HXEN_DEV), vm;
	unsigned int i;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	for (i = 0; i < sizeof(dev_bad) / sizeof(dev_bad[0]); i++)
		if (ioctl(fd, dev_bad[i], 0) != -1 || errno != ENOTTY)
			return fail("/dev/hxen ioctl %#lx: want ENOTTY, got %s",
				    dev_bad[i], strerror(errno));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	for (i = 0; i < sizeof(vm_bad) / sizeof(vm_bad[0]); i++)
		if (ioctl(vm, vm_bad[i], 0) != -1 || errno != ENOTTY)
			return fail("VM ioctl %#lx: want ENOTTY, got %s",
				    vm_bad[i], strerror(errno));
	close(vm);
	close(fd);
	return expect_idle("after bad ioctls");
}

static int t_bad_pointers(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *ro, *none, *edge;
	void *ptrs[6];
	int fd = open_dev(HXEN_DEV);
	unsigned int i;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	none = mmap(NULL, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Two pages, second unmapped: the struct straddles into nothing. */
	edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(edge + page, page);
	ptrs[0] = NULL;
	ptrs[1] = (void *)1;
	ptrs[2] = (void *)0xffff888000000000UL;	/* kernel direct map */
	ptrs[3] = ro;
	ptrs[4] = none;
	ptrs[5] = edge + page - 8;
	for (i = 0; i < 6; i++)
		if (ioctl(fd, HXEN_GET_INFO, ptrs[i]) != -1 || errno != EFAULT)
			return fail("HXEN_GET_INFO(%p): want EFAULT, got %s", ptrs[i],
				    strerror(errno));
	munmap(ro, page);
	munmap(none, page);
	munmap(edge, page);
	close(fd);
	return PASS;
}

/* Random ioctl numbers and arguments on both descriptors: no crash, no leak. */
static int t_ioctl_fuzz(void)
{
	int fd = open_dev(HXEN_DEV), vm, i, r;
	unsigned int seed = 12345;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	for (i = 0; i < 20000; i++) {
		unsigned long cmd = rand_r(&seed);
		unsigned long arg = ((unsigned long)rand_r(&seed) << 32) | rand_r(&seed);

		if (i % 2)	/* half of them in the KVM and hxen ranges */
			cmd = (cmd & ~0xff00UL) | ((i % 4 == 1 ? KVMIO : HXEN_IOCTL_MAGIC) << 8);
		if (i % 8 == 3)
			arg &= 0xff;
		r = ioctl(i % 3 ? vm : fd, cmd, arg);
		if (r >= 0 && cmd == KVM_CREATE_VM)
			close(r);
	}
	close(vm);
	close(fd);
	return expect_idle("after the ioctl fuzz");
}

static int t_rmmod_while_in_use(void)
{
	int fd = open_dev(HXEN_DEV), vm, r;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	close(fd);
	r = unload_module("hxen") == -1 && (errno == EWOULDBLOCK || errno == EBUSY) ?
		PASS : fail("rmmod hxen with a VM open: %s", strerror(errno));
	if (r == PASS && !module_loaded("hxen"))
		r = fail("hxen went away with a VM open");
	close(vm);
	return r ? r : expect_idle("after close");
}

static int t_kvm_holds_virt(void)
{
	int kvm, kvm_vm, fd, vm, mark, r;

	if (!have_real_kvm())
		return skip("KVM is not loaded (run with testhost --kvm)");
	kvm = open_dev(KVM_DEV);
	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	EXPECT(kvm_vm >= 0, "KVM: KVM_CREATE_VM: %s", strerror(errno));

	mark = kmsg_mark();
	fd = open_dev(HXEN_DEV);
	EXPECT_ERRNO(ioctl(fd, KVM_CREATE_VM, 0), EBUSY, "hxen KVM_CREATE_VM while KVM holds it");
	r = kmsg_count(mark, "in use by another hypervisor");
	close(mark);
	EXPECT(r == 1, "%d dmesg lines about the busy hardware, want 1", r);
	if ((r = expect_idle("after EBUSY")))
		return r;
	/* KVM is unharmed: it still runs a guest. */
	if ((r = run_kvm_guest()))
		return r;
	close(kvm_vm);
	close(kvm);

	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "hxen KVM_CREATE_VM after KVM let go: %s", strerror(errno));
	close(vm);
	close(fd);
	return expect_idle("after close");
}

static int t_hxen_holds_virt(void)
{
	struct hxen_info info;
	int kvm, fd, vm, r;

	if (!have_real_kvm())
		return skip("KVM is not loaded (run with testhost --kvm)");
	fd = open_dev(HXEN_DEV);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "hxen KVM_CREATE_VM: %s", strerror(errno));

	kvm = open_dev(KVM_DEV);
	r = ioctl(kvm, KVM_CREATE_VM, 0);
	EXPECT(r == -1 && errno == EBUSY, "KVM_CREATE_VM on KVM while hxen holds it: %d/%s",
	       r, r == -1 ? strerror(errno) : "success");
	/* hxen's VM is intact. */
	EXPECT(get_info(&info) == 0 && info.live_vms == 1 &&
	       (int)info.virt_cpus == online_cpus(),
	       "hxen lost its hold: %u VMs, %u CPUs", info.live_vms, info.virt_cpus);
	EXPECT(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) == 1,
	       "hxen VM no longer answers");
	close(vm);
	close(fd);
	if ((r = expect_idle("after close")))
		return r;
	/* Once hxen lets go, KVM works. */
	r = run_kvm_guest();
	close(kvm);
	return r;
}

static int set_cpu_online(int cpu, int on)
{
	char path[64];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = write(fd, on ? "1" : "0", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

static int t_cpu_hotplug(void)
{
	struct hxen_info info;
	int fd, vm, n = online_cpus(), r;

	if (n < 2 || access("/sys/devices/system/cpu/cpu1/online", W_OK))
		return skip("needs 2 CPUs and a hot-pluggable cpu1");
	fd = open_dev(HXEN_DEV);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	EXPECT(set_cpu_online(1, 0) == 0, "offline cpu1: %s", strerror(errno));
	EXPECT(get_info(&info) == 0 && (int)info.virt_cpus == n - 1,
	       "cpu1 offline: virtualization on %u CPUs, want %d", info.virt_cpus, n - 1);
	EXPECT(set_cpu_online(1, 1) == 0, "online cpu1: %s", strerror(errno));
	EXPECT(get_info(&info) == 0 && (int)info.virt_cpus == n,
	       "cpu1 back: virtualization on %u CPUs, want %d", info.virt_cpus, n);
	close(vm);
	if ((r = expect_idle("after close")))
		return r;

	/* A VM created while a CPU is away; the CPU returns; then idle. */
	EXPECT(set_cpu_online(1, 0) == 0, "offline cpu1: %s", strerror(errno));
	if ((r = expect_idle("cpu1 offline, no VM")))
		return r;
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM with cpu1 offline: %s", strerror(errno));
	EXPECT(get_info(&info) == 0 && (int)info.virt_cpus == n - 1,
	       "virtualization on %u CPUs, want %d", info.virt_cpus, n - 1);
	EXPECT(set_cpu_online(1, 1) == 0, "online cpu1: %s", strerror(errno));
	EXPECT(get_info(&info) == 0 && (int)info.virt_cpus == n,
	       "cpu1 back: virtualization on %u CPUs, want %d", info.virt_cpus, n);
	close(vm);
	close(fd);
	return expect_idle("after close");
}

static int t_reload_50(void)
{
	int i, fd, r;

	for (i = 0; i < 50; i++) {
		if ((r = reload_hxen("")))
			return fail("round %d: %s", i, reason);
		fd = open_dev(HXEN_DEV);
		EXPECT(fd >= 0, "round %d: open %s: %s", i, HXEN_DEV, strerror(errno));
		EXPECT(ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION,
		       "round %d: API version", i);
		close(fd);
	}
	return expect_idle("after 50 reloads");
}

/* Reload KVM's modules (HXEN_KVM_MODULES, in dependency order). */
static int load_kvm(void)
{
	char *list = getenv("HXEN_KVM_MODULES"), *copy, *ko, *save;

	if (!list || !*list)
		return fail("HXEN_KVM_MODULES is not set");
	copy = strdup(list);
	for (ko = strtok_r(copy, " ", &save); ko; ko = strtok_r(NULL, " ", &save))
		if (load_module(ko, "") && errno != EEXIST) {
			fail("insmod %s: %s", ko, strerror(errno));
			free(copy);
			return FAIL;
		}
	free(copy);
	return PASS;
}

static int t_kvm_alias(void)
{
	const char *vendor_kvm = NULL;
	struct hxen_info info;
	int fd, vm, r;

	if (module_loaded("kvm_amd"))
		vendor_kvm = "kvm_amd";
	else if (module_loaded("kvm_intel"))
		vendor_kvm = "kvm_intel";

	if (vendor_kvm) {
		/* KVM owns /dev/kvm: hxen loads anyway and serves /dev/hxen only. */
		if ((r = reload_hxen("kvm_alias=1")))
			return r;
		EXPECT(get_info(&info) == 0 && !info.kvm_alias, "alias claimed while KVM is loaded");
		EXPECT(have_real_kvm(), "/dev/kvm is no longer KVM's");
		EXPECT(unload_module("hxen") == 0, "rmmod hxen: %s", strerror(errno));
		EXPECT(unload_module(vendor_kvm) == 0 && unload_module("kvm") == 0,
		       "rmmod %s kvm: %s", vendor_kvm, strerror(errno));
	}
	if ((r = reload_hxen("kvm_alias=1")))
		return r;
	fd = open_dev(KVM_DEV);
	EXPECT(fd >= 0, "open %s: %s", KVM_DEV, strerror(errno));
	EXPECT(ioctl(fd, HXEN_GET_INFO, &info) == 0 && info.kvm_alias,
	       "/dev/kvm is not hxen's alias");
	EXPECT(ioctl(fd, KVM_GET_API_VERSION, 0) == KVM_API_VERSION, "API version via /dev/kvm");
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM via /dev/kvm: %s", strerror(errno));
	EXPECT(get_info(&info) == 0 && info.live_vms == 1, "VM via /dev/kvm is not hxen's");
	close(vm);
	close(fd);
	if ((r = expect_idle("after alias VM")))
		return r;

	/* Put things back: hxen without the alias, KVM as it was. */
	if ((r = reload_hxen("")))
		return r;
	if (vendor_kvm) {
		if ((r = load_kvm()))
			return r;
		EXPECT(have_real_kvm(), "KVM did not come back on /dev/kvm");
	}
	return PASS;
}

/* HXEN_XEN_SET_MEMORY_MAP and HXEN_XEN_EVTCHN_EVENTFD: their error paths. */
static int xen_ioctls_body(int vm)
{
	struct hxen_e820_entry e[HXEN_XEN_E820_MAX + 1];
	struct hxen_xen_memory_map m = { .nr_entries = 1, .entries = (uintptr_t)e };
	struct hxen_xen_evtchn_eventfd ev = { .port = 1, .fd = -1,
					      .flags = HXEN_XEN_EVTCHN_TO_GUEST };
	struct hxen_xen_config cfg;
	unsigned int i;
	int efd;

	memset(e, 0, sizeof(e));
	for (i = 0; i <= HXEN_XEN_E820_MAX; i++) {
		e[i].addr = (uint64_t)i << 20;
		e[i].size = 1 << 20;
		e[i].type = 1;
	}
	/* Before HXEN_XEN_ENABLE there is no Xen ABI to configure. */
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EINVAL, "map before enable");
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, &ev), EINVAL, "eventfd before enable");
	memset(&cfg, 0, sizeof(cfg));
	EXPECT(ioctl(vm, HXEN_XEN_ENABLE, &cfg) == 0, "HXEN_XEN_ENABLE: %s", strerror(errno));

	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, NULL), EFAULT, "map NULL");
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, (void *)0xffff888000000000UL), EFAULT,
		     "map kernel pointer");
	m.nr_entries = 0;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EINVAL, "map of 0 entries");
	m.nr_entries = HXEN_XEN_E820_MAX + 1;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), E2BIG, "map of 129 entries");
	m.nr_entries = 0xffffffff;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), E2BIG, "map of 2^32-1 entries");
	m.nr_entries = 2;
	m.reserved = 1;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EINVAL, "map reserved");
	m.reserved = 0;
	m.entries = 8;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EFAULT, "entries at 8");
	m.entries = (uintptr_t)e;
	e[1].reserved = 1;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EINVAL, "entry reserved");
	e[1].reserved = 0;
	e[1].size = 0;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EINVAL, "entry of size 0");
	e[1].addr = ~0ULL - 4095;
	e[1].size = 4097;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m), EINVAL, "entry past 2^64");
	e[1].addr = 1 << 20;
	e[1].size = 1 << 20;
	EXPECT(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m) == 0, "map of 2: %s", strerror(errno));
	m.nr_entries = HXEN_XEN_E820_MAX;
	EXPECT(ioctl(vm, HXEN_XEN_SET_MEMORY_MAP, &m) == 0, "map of 128: %s", strerror(errno));

	/* No guest ran: no port is offered to the host. */
	efd = eventfd(0, EFD_CLOEXEC);
	EXPECT(efd >= 0, "eventfd: %s", strerror(errno));
	ev.fd = efd;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, NULL), EFAULT, "eventfd NULL");
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, &ev), EINVAL, "port not offered");
	ev.port = 0;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, &ev), EINVAL, "port 0");
	ev.port = 0xffffffff;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, &ev), EINVAL, "port 2^32-1");
	ev.port = 1;
	ev.flags = HXEN_XEN_EVTCHN_FROM_GUEST | HXEN_XEN_EVTCHN_DEASSIGN;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, &ev), ENOENT, "deassign nothing");
	ev.flags = 0x80000000u | HXEN_XEN_EVTCHN_FROM_GUEST;
	EXPECT_ERRNO(ioctl(vm, HXEN_XEN_EVTCHN_EVENTFD, &ev), EINVAL, "unknown flag");
	close(efd);
	return PASS;
}

static int t_xen_ioctls(void)
{
	int fd = open_dev(HXEN_DEV), vm, r;

	EXPECT(fd >= 0, "open: %s", strerror(errno));
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	EXPECT(vm >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	r = xen_ioctls_body(vm);
	close(vm);
	close(fd);
	if (r)
		return r;
	return expect_idle("after the Xen ioctls");
}

static const struct test tests[] = {
	{ "api_version", t_api_version },
	{ "vcpu_mmap_size", t_vcpu_mmap_size },
	{ "check_extension_truthful", t_check_extension },
	{ "create_vm_holds_and_releases_virt", t_create_vm },
	{ "create_vm_bad_type", t_create_vm_bad_type },
	{ "vm_outlives_dev_fd", t_vm_outlives_dev },
	{ "create_destroy_1000_vms", t_vm_1000 },
	{ "64_vms_open", t_many_vms_open },
	{ "create_run_destroy_1000_vms", t_run_1000_vms },
	{ "two_processes_concurrently", t_concurrent_processes },
	{ "bad_ioctl_numbers", t_bad_ioctls },
	{ "bad_pointers_efault", t_bad_pointers },
	{ "xen_ioctl_errors", t_xen_ioctls },
	{ "ioctl_fuzz", t_ioctl_fuzz },
	{ "rmmod_refused_while_vm_open", t_rmmod_while_in_use },
	{ "kvm_holds_virt_hxen_ebusy", t_kvm_holds_virt },
	{ "hxen_holds_virt_kvm_ebusy", t_hxen_holds_virt },
	{ "cpu_hotplug_with_vm", t_cpu_hotplug },
	{ "load_unload_50", t_reload_50 },
	{ "kvm_alias", t_kvm_alias },
};

int main(int argc, char **argv)
{
	return run_tests(tests, sizeof(tests) / sizeof(tests[0]),
			 argc > 1 ? argv[1] : NULL);
}
