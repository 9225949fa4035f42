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

#include <linux/kvm.h>

#define GUEST_SYM(name) extern const uint8_t bench_##name[], bench_##name##_end[]
GUEST_SYM(cpuid); GUEST_SYM(pio); GUEST_SYM(mmio); GUEST_SYM(hlt);

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

static void vm_setup(struct vm *v, const uint8_t *code, const uint8_t *end)
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
		fprintf(stderr, "hxen-bench: exit %u, want %u\n", v->run->exit_reason, want);
		exit(1);
	}
}

/* Exits to userspace: one KVM_RUN per round trip. */
static void measure_user(const char *name, const uint8_t *code, const uint8_t *end, uint32_t exit)
{
	struct vm v;
	double t0;
	int i;

	vm_setup(&v, code, end);
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

	vm_setup(&v, bench_cpuid, bench_cpuid_end);
	t0 = now_ns();
	run_once(&v, KVM_EXIT_HLT);
	t1 = now_ns();
	printf("bench cpuid %.0f\n", (t1 - t0) / iterations);
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
	return 0;
}
