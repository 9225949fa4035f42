// SPDX-License-Identifier: GPL-2.0
/*
 * hxen-ioctlfuzz: random KVM-API calls against /dev/hxen, its VM and vCPU
 * descriptors: real ioctl numbers with random arguments (random bytes,
 * bad pointers, huge counts), random memory slots, random register state,
 * and KVM_RUN on guests made of random bytes (a 20 ms timer signal ends
 * any that spin). Between KVM_RUNs every field of the mmap'ed kvm_run may
 * get random values (the exit's own fields, the I/O data area, all of
 * the page), and during some runs a second thread keeps scribbling over
 * the fields the kernel wrote at the last exit (io.data_offset, sizes,
 * counts, addresses), as a hostile VMM would: the kernel must use only
 * its own state (issue 15, finding 1). Bounded in time. Passes if everything could be torn
 * down and hxen holds nothing afterwards; the test host's kernel log
 * check (scripts/testhost) catches any oops or WARN.
 * Usage: hxen-ioctlfuzz [--seconds N] [--seed N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "uapi/hxen.h"

#define RAM_SIZE	(1 << 20)
#define MAX_VCPUS	4

static unsigned int seed = 1;
static uint8_t *ram;
static long calls, runs, exits[64];
/* --trace: name each step before it runs, to find one that hangs. */
static int trace;

static uint64_t rnd(void)
{
	return ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^ rand_r(&seed);
}

static void on_alarm(int sig)
{
	(void)sig;
}

static const unsigned long vm_ioctls[] = {
	KVM_SET_USER_MEMORY_REGION, KVM_CREATE_VCPU, KVM_CHECK_EXTENSION,
	KVM_SET_TSS_ADDR, KVM_CREATE_IRQCHIP, KVM_IRQ_LINE, KVM_GET_DIRTY_LOG,
	KVM_IOEVENTFD, KVM_IRQFD, KVM_SET_GSI_ROUTING, KVM_ENABLE_CAP,
	KVM_IRQ_LINE_STATUS, KVM_SIGNAL_MSI, KVM_GET_IRQCHIP, KVM_SET_IRQCHIP,
	KVM_CREATE_PIT2, KVM_GET_PIT2, KVM_SET_PIT2, KVM_SET_IDENTITY_MAP_ADDR,
	KVM_GET_CLOCK, KVM_SET_CLOCK, KVM_CLEAR_DIRTY_LOG,
	HXEN_XEN_ENABLE, HXEN_XEN_SET_MEMORY_MAP, HXEN_XEN_EVTCHN_EVENTFD,
	HXEN_XEN_CONSOLE_INPUT, HXEN_XEN_SET_PARAM,
};

static const unsigned long vcpu_ioctls[] = {
	KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS,
	KVM_GET_FPU, KVM_SET_FPU, KVM_GET_XSAVE, KVM_SET_XSAVE, KVM_GET_XCRS,
	KVM_SET_XCRS, KVM_GET_MSRS, KVM_SET_MSRS, KVM_SET_CPUID2, KVM_GET_CPUID2,
	KVM_GET_MP_STATE, KVM_SET_MP_STATE, KVM_GET_VCPU_EVENTS,
	KVM_SET_VCPU_EVENTS, KVM_INTERRUPT, KVM_NMI, KVM_SET_SIGNAL_MASK,
	KVM_TRANSLATE, KVM_GET_LAPIC, KVM_SET_LAPIC, KVM_SET_GUEST_DEBUG,
};

/* An argument: random bytes in a buffer, a bad pointer, or a small number. */
static unsigned long fuzz_arg(uint8_t *buf, size_t len)
{
	size_t i;

	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return rnd() % 64;
	case 2:
		return (unsigned long)-4096;		/* bad pointer */
	case 3:
		return 0xffff888000000000UL;		/* kernel address */
	default:
		for (i = 0; i < len; i++)
			buf[i] = rnd() % 4 ? (uint8_t)rnd() : 0;
		/* Keep counts sane sometimes, huge sometimes. */
		if (rnd() % 2)
			*(uint32_t *)buf %= 8;
		return (unsigned long)buf;
	}
}

static void fuzz_memslot(int vm)
{
	struct kvm_userspace_memory_region m = {
		.slot = rnd() % 40,
		.flags = rnd() % 4 ? 0 : (rnd() % 4),
		.guest_phys_addr = (rnd() % 64) << 16,
		.memory_size = (rnd() % 16) << 12,
		.userspace_addr = (uintptr_t)ram + ((rnd() % 16) << 12),
	};

	if (rnd() % 8 == 0)
		m.userspace_addr = rnd();
	ioctl(vm, KVM_SET_USER_MEMORY_REGION, &m);
	calls++;
}

/*
 * Dirty logging with plausible arguments: a small slot, a real, NULL or
 * bad bitmap, ranges near the 64-page rules; manual protect toggled.
 */
static void fuzz_dirty(int vm, uint8_t *buf)
{
	void *bitmaps[] = { buf, NULL, (void *)-4096L, buf + 8192 - 8 };
	void *bm = bitmaps[rnd() % 4];
	uint32_t slot = rnd() % 8 ? rnd() % 34 : (uint32_t)rnd();

	switch (rnd() % 3) {
	case 0: {
		struct kvm_dirty_log log = { .slot = slot, .dirty_bitmap = bm };

		ioctl(vm, KVM_GET_DIRTY_LOG, &log);
		break;
	}
	case 1: {
		struct kvm_clear_dirty_log c = {
			.slot = slot, .dirty_bitmap = bm,
			.first_page = rnd() % 4 ? (rnd() % 4) * 64 : rnd(),
			.num_pages = rnd() % 4 ? rnd() % 130 : (uint32_t)rnd(),
		};
		size_t i;

		for (i = 0; i < 64; i++)
			buf[i] = (uint8_t)rnd();
		ioctl(vm, KVM_CLEAR_DIRTY_LOG, &c);
		break;
	}
	default: {
		struct kvm_enable_cap cap = { .cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 };

		cap.args[0] = rnd() % 8 ? rnd() % 4 : rnd();
		cap.flags = rnd() % 8 ? 0 : (uint32_t)rnd();
		ioctl(vm, KVM_ENABLE_CAP, &cap);
		break;
	}
	}
	calls++;
}

/* 64 bits of @v at byte @off of the run page (unaligned fields are fine on x86). */
static void run_poke(struct kvm_run *run, size_t off, uint64_t v, size_t len)
{
	memcpy((uint8_t *)run + off, &v, len);
}

/* The fields of struct kvm_run a VMM may rewrite after an exit. */
static const struct {
	unsigned short off, len;
} run_fields[] = {
	{ offsetof(struct kvm_run, request_interrupt_window), 1 },
	{ offsetof(struct kvm_run, immediate_exit), 1 },
	{ offsetof(struct kvm_run, exit_reason), 4 },
	{ offsetof(struct kvm_run, ready_for_interrupt_injection), 1 },
	{ offsetof(struct kvm_run, if_flag), 1 },
	{ offsetof(struct kvm_run, flags), 2 },
	{ offsetof(struct kvm_run, cr8), 8 },
	{ offsetof(struct kvm_run, apic_base), 8 },
	{ offsetof(struct kvm_run, io.direction), 1 },
	{ offsetof(struct kvm_run, io.size), 1 },
	{ offsetof(struct kvm_run, io.port), 2 },
	{ offsetof(struct kvm_run, io.count), 4 },
	{ offsetof(struct kvm_run, io.data_offset), 8 },
	{ offsetof(struct kvm_run, mmio.phys_addr), 8 },
	{ offsetof(struct kvm_run, mmio.data), 8 },
	{ offsetof(struct kvm_run, mmio.len), 4 },
	{ offsetof(struct kvm_run, mmio.is_write), 1 },
	{ offsetof(struct kvm_run, internal.suberror), 4 },
	{ offsetof(struct kvm_run, internal.ndata), 4 },
	{ offsetof(struct kvm_run, system_event.type), 4 },
	{ offsetof(struct kvm_run, system_event.ndata), 4 },
	{ offsetof(struct kvm_run, kvm_valid_regs), 8 },
	{ offsetof(struct kvm_run, kvm_dirty_regs), 8 },
};

/* A value a hostile VMM would pick: 0, small, page-sized, huge, or random. */
static uint64_t nasty(unsigned int *s)
{
	static const uint64_t v[] = { 0, 1, 8, 4095, 4096, 0x7fffffff, 0xffffffff,
				      (uint64_t)-4096, ~0ULL };
	uint64_t r = ((uint64_t)rand_r(s) << 32) ^ rand_r(s);

	return rand_r(s) % 2 ? v[rand_r(s) % (sizeof(v) / sizeof(v[0]))] : r;
}

/* Random values into the run page between KVM_RUNs. */
static void fuzz_run_page(struct kvm_run *run, size_t size)
{
	size_t i, n;

	switch (rnd() % 4) {
	case 0:
		/* One field or a few. */
		for (n = 1 + rnd() % 3; n; n--) {
			i = rnd() % (sizeof(run_fields) / sizeof(run_fields[0]));
			run_poke(run, run_fields[i].off, nasty(&seed), run_fields[i].len);
		}
		break;
	case 1:
		/* Every field. */
		for (i = 0; i < sizeof(run_fields) / sizeof(run_fields[0]); i++)
			run_poke(run, run_fields[i].off, nasty(&seed), run_fields[i].len);
		break;
	case 2:
		/* Random bytes anywhere in the mapping (the data area too). */
		for (n = 0; n < 64; n++)
			((uint8_t *)run)[rnd() % size] = rnd();
		break;
	default:
		break;
	}
}

/*
 * The scribbler: while armed, another thread keeps rewriting the exit
 * fields of the run page during KVM_RUN (a VMM thread racing the exit).
 */
static struct {
	struct kvm_run *volatile run;
	volatile int armed, busy, quit;
	unsigned int seed;
} scribbler;

static void *scribble_fn(void *arg)
{
	(void)arg;
	while (!scribbler.quit) {
		size_t i;

		__atomic_store_n(&scribbler.busy, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&scribbler.armed, __ATOMIC_SEQ_CST) && scribbler.run) {
			i = rand_r(&scribbler.seed) % (sizeof(run_fields) / sizeof(run_fields[0]));
			run_poke(scribbler.run, run_fields[i].off, nasty(&scribbler.seed),
				 run_fields[i].len);
		}
		__atomic_store_n(&scribbler.busy, 0, __ATOMIC_SEQ_CST);
		if (!scribbler.armed)
			usleep(100);
	}
	return NULL;
}

static void scribble_arm(struct kvm_run *run)
{
	scribbler.run = run;
	__atomic_store_n(&scribbler.armed, 1, __ATOMIC_SEQ_CST);
}

/* Before the page may be unmapped or read back: the thread is out of it. */
static void scribble_disarm(void)
{
	__atomic_store_n(&scribbler.armed, 0, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&scribbler.busy, __ATOMIC_SEQ_CST))
		;
	scribbler.run = NULL;
}

static void fuzz_run(int vcpu, struct kvm_run *run, size_t size)
{
	struct itimerval t = { .it_value = { .tv_usec = 20000 } };
	struct kvm_regs regs;
	size_t i;
	int r;

	/* Random guest code and state now and then; sane real mode otherwise. */
	for (i = 0; i < 512; i++)
		ram[0x1000 + rnd() % 0x2000] = rnd();
	if (ioctl(vcpu, KVM_GET_REGS, &regs) == 0) {
		if (rnd() % 2)
			regs.rip = rnd() % 4 ? 0x1000 + rnd() % 0x1000 : rnd();
		regs.rflags = rnd() % 2 ? 2 : rnd();
		ioctl(vcpu, KVM_SET_REGS, &regs);
	}
	if (run) {
		fuzz_run_page(run, size);
		run->immediate_exit = rnd() % 16 == 0;
		if (rnd() % 4 == 0)
			scribble_arm(run);
	}
	setitimer(ITIMER_REAL, &t, NULL);
	if (trace)
		fprintf(stderr, "run rip %llx rflags %llx\n", (unsigned long long)regs.rip,
			(unsigned long long)regs.rflags);
	r = ioctl(vcpu, KVM_RUN, 0);
	scribble_disarm();
	if (r == 0 && run)
		exits[run->exit_reason % 64]++;
	t.it_value.tv_usec = 0;
	setitimer(ITIMER_REAL, &t, NULL);
	runs++;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	int seconds = 20, sys, i, iter;
	pthread_t scribble_thread;
	sigset_t all, old;
	struct hxen_info info;
	time_t end;
	uint8_t *buf;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--trace"))
			trace = 1;
	}
	sigaction(SIGALRM, &sa, NULL);
	scribbler.seed = seed ^ 0x5eed;
	/*
	 * The scribbler blocks every signal (it inherits the mask): the
	 * process-directed SIGALRM that ends a spinning KVM_RUN must reach
	 * the main thread, never this one.
	 */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	i = pthread_create(&scribble_thread, NULL, scribble_fn, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (i) {
		printf("not ok ioctl_fuzz: pthread_create\n0 passed, 1 failed\n");
		return 1;
	}
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	buf = malloc(8192);
	sys = open("/dev/hxen", O_RDWR | O_CLOEXEC);
	if (sys < 0 || ram == MAP_FAILED || !buf) {
		printf("not ok ioctl_fuzz: setup: %s\n0 passed, 1 failed\n", strerror(errno));
		return 1;
	}
	end = time(NULL) + seconds;
	for (iter = 0; time(NULL) < end; iter++) {
		int vm, vcpu[MAX_VCPUS];
		struct kvm_run *run[MAX_VCPUS];
		int size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0), n;

		/* EINTR: a timer signal during the MMU notifier's registration. */
		do
			vm = ioctl(sys, KVM_CREATE_VM, 0);
		while (vm < 0 && errno == EINTR);

		if (trace)
			fprintf(stderr, "vm %d at %ld\n", iter, (long)time(NULL));
		if (vm < 0) {
			printf("not ok ioctl_fuzz: KVM_CREATE_VM: %s\n0 passed, 1 failed\n",
			       strerror(errno));
			return 1;
		}
		/* Some VMs get the in-kernel irqchip, PIT and Xen ABI first. */
		if (rnd() % 2) {
			struct kvm_pit_config pit = { .flags = rnd() % 2 };

			ioctl(vm, KVM_CREATE_IRQCHIP, 0);
			if (rnd() % 2)
				ioctl(vm, KVM_CREATE_PIT2, &pit);
		}
		if (rnd() % 4 == 0) {
			struct hxen_xen_config xc;

			memset(&xc, 0, sizeof(xc));
			ioctl(vm, HXEN_XEN_ENABLE, &xc);
		}
		for (i = 0; i < MAX_VCPUS; i++) {
			vcpu[i] = ioctl(vm, KVM_CREATE_VCPU, i);
			run[i] = vcpu[i] < 0 ? NULL :
				 mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu[i], 0);
			if (run[i] == MAP_FAILED)
				run[i] = NULL;
		}
		for (n = 0; n < 200; n++) {
			int v = rnd() % MAX_VCPUS;

			switch (rnd() % 6) {
			case 0:
				if (rnd() % 2)
					fuzz_memslot(vm);
				else
					fuzz_dirty(vm, buf);
				break;
			case 1: {
				unsigned long nr = vm_ioctls[rnd() % (sizeof(vm_ioctls) / sizeof(long))];
				unsigned long a = fuzz_arg(buf, 8192);
				int fd;

				if (trace)
					fprintf(stderr, "vm ioctl %lx\n", nr);
				fd = ioctl(vm, nr, a);

				/* A new vCPU descriptor is ours to close. */
				if (nr == KVM_CREATE_VCPU && fd >= 0)
					close(fd);
				calls++;
				break;
			}
			case 2:
				if (vcpu[v] >= 0)
					fuzz_run(vcpu[v], run[v], size);
				break;
			default:
				if (vcpu[v] >= 0) {
					unsigned long nr = vcpu_ioctls[rnd() %
						(sizeof(vcpu_ioctls) / sizeof(long))];

					unsigned long a;

					if (nr == KVM_RUN)
						break;
					a = fuzz_arg(buf, 8192);
					if (trace)
						fprintf(stderr, "vcpu ioctl %lx\n", nr);
					ioctl(vcpu[v], nr, a);
					calls++;
				}
				break;
			}
		}
		/* Close in a random order: VM fd first or vCPUs first. */
		if (rnd() % 2)
			close(vm);
		for (i = 0; i < MAX_VCPUS; i++) {
			if (run[i])
				munmap(run[i], size);
			if (vcpu[i] >= 0)
				close(vcpu[i]);
		}
		close(vm);
	}
	scribbler.quit = 1;
	pthread_join(scribble_thread, NULL);
	printf("# %d VMs, %ld ioctls, %ld KVM_RUNs; exits:", iter, calls, runs);
	for (i = 0; i < 64; i++)
		if (exits[i])
			printf(" %d:%ld", i, exits[i]);
	printf("\n");
	if (ioctl(sys, HXEN_GET_INFO, &info) || info.live_vms || info.live_vcpus ||
	    info.virt_cpus || info.live_pages) {
		printf("not ok ioctl_fuzz: hxen still holds %u VMs, %u vCPUs, %llu pages\n",
		       info.live_vms, info.live_vcpus, (unsigned long long)info.live_pages);
		printf("0 passed, 1 failed\n");
		return 1;
	}
	printf("ok ioctl_fuzz\n1 passed, 0 failed\n");
	return 0;
}
