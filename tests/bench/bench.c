// SPDX-License-Identifier: GPL-2.0
/*
 * hxen-bench: round-trip cost of the basic exits on a KVM-API device.
 * Prints "bench <path> <nanoseconds per round trip>" lines. Run it inside
 * an emulated host booted with --icount, so time counts instructions and
 * the numbers repeat; compare /dev/hxen with /dev/kvm from the same boot.
 * Usage: hxen-bench [--device PATH] [--iterations N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cpuid.h>
#include <linux/kvm.h>

#include "uapi/hxen.h"

/* Where the Xen guests keep their data (bench_guests.S). */
#define XB_DATA		0x3000

#define GUEST_SYM(name) extern const uint8_t bench_##name[], bench_##name##_end[]
GUEST_SYM(cpuid); GUEST_SYM(pio); GUEST_SYM(mmio); GUEST_SYM(hlt);
GUEST_SYM(xenver); GUEST_SYM(xenevt); GUEST_SYM(lapic_timer);

/* vm_create() options. */
#define VM_XEN		1	/* HXEN_XEN_ENABLE */
#define VM_IRQCHIP	2	/* KVM_CREATE_IRQCHIP; FS based at the LAPIC page */

static const char *device = "/dev/hxen";
static int iterations = 2000;

struct vm {
	int sys, fd, vcpu;
	struct kvm_run *run;
	uint8_t *mem;
};

static void die(const char *what)
{
	fprintf(stderr, "hxen-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void vm_create(struct vm *v, const uint8_t *code, const uint8_t *end, unsigned int opts)
{
	struct kvm_userspace_memory_region mem = { .memory_size = 0x8000 };
	struct kvm_sregs s;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2, .rdi = iterations };
	int size;

	v->sys = open(device, O_RDWR | O_CLOEXEC);
	if (v->sys < 0)
		die(device);
	v->fd = ioctl(v->sys, KVM_CREATE_VM, 0);
	if (v->fd < 0)
		die("KVM_CREATE_VM");
	v->mem = mmap(NULL, 0x8000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(v->mem + 0x1000, code, end - code);
	mem.userspace_addr = (uintptr_t)v->mem;
	if (ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &mem))
		die("KVM_SET_USER_MEMORY_REGION");
	ioctl(v->fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (opts & VM_IRQCHIP && ioctl(v->fd, KVM_CREATE_IRQCHIP, 0))
		die("KVM_CREATE_IRQCHIP");
	if (opts & VM_XEN) {
		struct hxen_xen_config cfg = { 0 };

		if (ioctl(v->fd, HXEN_XEN_ENABLE, &cfg))
			die("HXEN_XEN_ENABLE");
	}
	v->vcpu = ioctl(v->fd, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		die("KVM_CREATE_VCPU");
	size = ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, v->vcpu, 0);
	if (v->run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(v->vcpu, KVM_GET_SREGS, &s))
		die("KVM_GET_SREGS");
	s.cs.base = 0;
	s.cs.selector = 0;
	if (opts & VM_IRQCHIP)
		s.fs.base = 0xfee00000;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &s) || ioctl(v->vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_SREGS/REGS");
}

static void vm_teardown(struct vm *v)
{
	close(v->vcpu);
	close(v->fd);
	close(v->sys);
	munmap(v->mem, 0x8000);
}

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

static void run_once(struct vm *v, uint32_t want)
{
	if (ioctl(v->vcpu, KVM_RUN, 0))
		die("KVM_RUN");
	if (v->run->exit_reason != want) {
		fprintf(stderr, "hxen-bench: exit %u, want %u", v->run->exit_reason, want);
		if (v->run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
			fprintf(stderr, " (suberror %u, data %#llx %#llx)", v->run->internal.suberror,
				(unsigned long long)v->run->internal.data[0],
				(unsigned long long)v->run->internal.data[1]);
		fputc('\n', stderr);
		exit(1);
	}
}

/* Exits to userspace: one KVM_RUN per round trip. */
static void measure_user(const char *name, const uint8_t *code, const uint8_t *end, uint32_t exit)
{
	struct vm v;
	double t0;
	int i;

	vm_create(&v, code, end, 0);
	for (i = 0; i < 100; i++)	/* warm up: fault the code page in */
		run_once(&v, exit);
	t0 = now_ns();
	for (i = 0; i < iterations; i++)
		run_once(&v, exit);
	printf("bench %s %.0f\n", name, (now_ns() - t0) / iterations);
	vm_teardown(&v);
}

/* CPUID exits stay in the kernel: one KVM_RUN for all of them. */
static void measure_cpuid(void)
{
	struct vm v;
	double t0, t1;

	vm_create(&v, bench_cpuid, bench_cpuid_end, 0);
	t0 = now_ns();
	run_once(&v, KVM_EXIT_HLT);
	t1 = now_ns();
	printf("bench cpuid %.0f\n", (t1 - t0) / iterations);
	vm_teardown(&v);
}

/*
 * LAPIC timer interrupts, in-kernel irqchip: arm a one-shot timer, take
 * its interrupt, EOI; all in one KVM_RUN (the guest ends with an OUT).
 */
static void measure_lapic_timer(void)
{
	struct vm v;
	double t0, t1;

	vm_create(&v, bench_lapic_timer, bench_lapic_timer_end, VM_IRQCHIP);
	t0 = now_ns();
	run_once(&v, KVM_EXIT_IO);
	t1 = now_ns();
	printf("bench lapic_timer %.0f\n", (t1 - t0) / iterations);
	vm_teardown(&v);
}

/*
 * The Xen guests are written with VMCALL; an AMD host's guests use VMMCALL
 * (what the hypercall page holds there), so rewrite it before running.
 */
static void xen_fix_hypercalls(struct vm *v, size_t len)
{
	unsigned int a = 0, b = 0, c = 0, d = 0;
	uint8_t *p = v->mem + 0x1000;
	size_t i;

	__get_cpuid(0, &a, &b, &c, &d);
	if (b != 0x68747541)	/* "Auth"enticAMD */
		return;
	for (i = 0; i + 2 < len; i++)
		if (p[i] == 0x0f && p[i + 1] == 0x01 && p[i + 2] == 0xc1)
			p[i + 2] = 0xd9;
}

/*
 * Xen hypercalls (xen_version) and an event-channel send to self through
 * to the upcall, all in one KVM_RUN; only where the device has the Xen ABI
 * (KVM in Debian's 6.1 has none: nothing is printed there).
 */
static void measure_xen(const char *name, const uint8_t *code, const uint8_t *end)
{
	struct hxen_info info = { 0 };
	struct vm v;
	double t0, t1;
	uint32_t err;
	int sys;

	sys = open(device, O_RDWR | O_CLOEXEC);
	if (sys < 0)
		die(device);
	if (ioctl(sys, HXEN_GET_INFO, &info)) {
		close(sys);
		return;
	}
	close(sys);
	vm_create(&v, code, end, VM_XEN);
	xen_fix_hypercalls(&v, end - code);
	t0 = now_ns();
	run_once(&v, KVM_EXIT_HLT);
	t1 = now_ns();
	memcpy(&err, v.mem + XB_DATA + 0x48, sizeof(err));
	if (err) {
		fprintf(stderr, "hxen-bench: %s: a hypercall returned %d\n", name, (int32_t)err);
		exit(1);
	}
	printf("bench %s %.0f\n", name, (t1 - t0) / iterations);
	vm_teardown(&v);
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc)
			device = argv[++i];
		else if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iterations = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: hxen-bench [--device PATH] [--iterations N]\n");
			return 2;
		}
	}
	if (iterations < 1)
		iterations = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	measure_cpuid();
	measure_user("pio", bench_pio, bench_pio_end, KVM_EXIT_IO);
	measure_user("mmio", bench_mmio, bench_mmio_end, KVM_EXIT_MMIO);
	measure_user("hlt", bench_hlt, bench_hlt_end, KVM_EXIT_HLT);
	measure_lapic_timer();
	measure_xen("xen_version", bench_xenver, bench_xenver_end);
	measure_xen("evtchn_self", bench_xenevt, bench_xenevt_end);
	return 0;
}
