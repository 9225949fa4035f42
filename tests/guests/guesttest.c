// SPDX-License-Identifier: GPL-2.0
/*
 * hxen-guesttest: runs the tiny guests of guests.S on a KVM-API device and
 * checks exits, registers and memory. The same binary runs against
 * /dev/hxen and /dev/kvm in the same emulated host; both must pass.
 * Usage: hxen-guesttest [--device PATH] [FILTER]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sched.h>
#include <sys/syscall.h>
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "testlib.h"
#include "uapi/hxen.h"

#define GUEST_CODE	0x1000
#define DATA		0x2000
#define MEM_SIZE	0x8000		/* slot 0: [0, 32 KiB) */
#define SLOT1_GPA	0x8000		/* slot 1: one page */

#define GUEST_SYM(name) \
	extern const uint8_t guest_##name[], guest_##name##_end[]
GUEST_SYM(hlt); GUEST_SYM(out); GUEST_SYM(in); GUEST_SYM(cpuid);
GUEST_SYM(ram); GUEST_SYM(spin); GUEST_SYM(triple_fault); GUEST_SYM(modes);
GUEST_SYM(long64); GUEST_SYM(prot32); GUEST_SYM(reread); GUEST_SYM(count);
GUEST_SYM(pingpong);
GUEST_SYM(irq); GUEST_SYM(irq_window); GUEST_SYM(nmi); GUEST_SYM(sse); GUEST_SYM(msr);
GUEST_SYM(mmio); GUEST_SYM(strio); GUEST_SYM(rom); GUEST_SYM(exceptions); GUEST_SYM(debugregs);

static const char *device = "/dev/hxen";

static int online_cpus(void)
{
	return (int)sysconf(_SC_NPROCESSORS_ONLN);
}

/* Is the device under test KVM itself? (hxen answers HXEN_GET_INFO.) */
static bool is_kvm(void)
{
	struct hxen_info info;
	int fd = open(device, O_RDWR | O_CLOEXEC);
	bool kvm;

	if (fd < 0)
		return false;
	kvm = ioctl(fd, HXEN_GET_INFO, &info) < 0;
	close(fd);
	return kvm;
}

struct vm {
	int sys, fd;
	int vcpu[2];
	struct kvm_run *run[2];
	int run_size;
	uint8_t *mem, *mem1;
};

static int vm_open(struct vm *v)
{
	struct kvm_userspace_memory_region r0 = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};
	struct kvm_userspace_memory_region r1 = {
		.slot = 1, .guest_phys_addr = SLOT1_GPA, .memory_size = 4096,
	};

	memset(v, 0, sizeof(*v));
	v->vcpu[0] = v->vcpu[1] = -1;
	v->sys = open(device, O_RDWR | O_CLOEXEC);
	EXPECT(v->sys >= 0, "open %s: %s", device, strerror(errno));
	/*
	 * KVM_CREATE_VM registers an MMU notifier, which fails with EINTR
	 * when a signal is pending (mm_take_all_locks), on KVM as on hxen;
	 * QEMU retries it too. Tests with timer signals hit that.
	 */
	do
		v->fd = ioctl(v->sys, KVM_CREATE_VM, 0);
	while (v->fd < 0 && errno == EINTR);
	EXPECT(v->fd >= 0, "KVM_CREATE_VM: %s", strerror(errno));
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	v->mem1 = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(v->mem != MAP_FAILED && v->mem1 != MAP_FAILED, "mmap: %s", strerror(errno));
	r0.userspace_addr = (uintptr_t)v->mem;
	r1.userspace_addr = (uintptr_t)v->mem1;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &r0) == 0, "slot 0: %s", strerror(errno));
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &r1) == 0, "slot 1: %s", strerror(errno));
	/* kvm_intel wants this for real mode without unrestricted guest. */
	ioctl(v->fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	v->run_size = ioctl(v->sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	EXPECT(v->run_size > 0, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	return PASS;
}

static int vcpu_open(struct vm *v, int id)
{
	v->vcpu[id] = ioctl(v->fd, KVM_CREATE_VCPU, id);
	/* Reported, not hidden: counted as skipped, never as passed. */
	if (v->vcpu[id] < 0 && errno == EOPNOTSUPP)
		return skip("this hxen backend cannot run vCPUs yet");
	EXPECT(v->vcpu[id] >= 0, "KVM_CREATE_VCPU(%d): %s", id, strerror(errno));
	v->run[id] = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			  v->vcpu[id], 0);
	EXPECT(v->run[id] != MAP_FAILED, "mmap vcpu: %s", strerror(errno));
	return PASS;
}

static void vm_close(struct vm *v)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (v->run[i] && v->run[i] != MAP_FAILED)
			munmap(v->run[i], v->run_size);
		if (v->vcpu[i] >= 0)
			close(v->vcpu[i]);
	}
	if (v->mem && v->mem != MAP_FAILED)
		munmap(v->mem, MEM_SIZE);
	if (v->mem1 && v->mem1 != MAP_FAILED)
		munmap(v->mem1, 4096);
	close(v->fd);
	close(v->sys);
}

static void load(struct vm *v, const uint8_t *start, const uint8_t *end)
{
	memcpy(v->mem + GUEST_CODE, start, end - start);
}

#define LOAD(v, name) load(v, guest_##name, guest_##name##_end)

static int set_rip(struct vm *v, int id, uint64_t rip)
{
	struct kvm_regs regs;

	EXPECT(ioctl(v->vcpu[id], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	regs.rip = rip;
	regs.rflags = 2;
	EXPECT(ioctl(v->vcpu[id], KVM_SET_REGS, &regs) == 0, "SET_REGS: %s", strerror(errno));
	return PASS;
}

/* Real mode, CS = 0, at GUEST_CODE. */
static int enter_real(struct vm *v, int id)
{
	struct kvm_sregs s;

	EXPECT(ioctl(v->vcpu[id], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.cs.base = 0;
	s.cs.selector = 0;
	EXPECT(ioctl(v->vcpu[id], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	return set_rip(v, id, GUEST_CODE);
}

static void flat_seg(struct kvm_segment *seg, uint16_t sel, int code, int l)
{
	memset(seg, 0, sizeof(*seg));
	seg->limit = 0xffffffff;
	seg->selector = sel;
	seg->type = code ? 11 : 3;
	seg->present = 1;
	seg->s = 1;
	seg->db = !l;
	seg->l = l;
	seg->g = 1;
}

/* 32-bit protected mode, flat, paging off. */
static int enter_prot32(struct vm *v, int id)
{
	struct kvm_sregs s;

	EXPECT(ioctl(v->vcpu[id], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	flat_seg(&s.cs, 8, 1, 0);
	flat_seg(&s.ds, 16, 0, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.cr0 = 0x11;	/* PE | ET */
	EXPECT(ioctl(v->vcpu[id], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	return set_rip(v, id, GUEST_CODE);
}

/* 64-bit mode: identity-mapped first 2 MiB, tables at 0x3000-0x5fff. */
static int enter_long64(struct vm *v, int id)
{
	uint64_t *pml4 = (uint64_t *)(v->mem + 0x3000);
	struct kvm_sregs s;

	pml4[0] = 0x4003;
	((uint64_t *)(v->mem + 0x4000))[0] = 0x5003;
	((uint64_t *)(v->mem + 0x5000))[0] = 0x83;	/* 2 MiB page */
	EXPECT(ioctl(v->vcpu[id], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	flat_seg(&s.cs, 8, 1, 1);
	flat_seg(&s.ds, 16, 0, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.cr0 = 0x80000011;	/* PG | PE | ET */
	s.cr3 = 0x3000;
	s.cr4 = 0x20;		/* PAE */
	s.efer = 0x500;		/* LME | LMA */
	EXPECT(ioctl(v->vcpu[id], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	return set_rip(v, id, GUEST_CODE);
}

static const char *exit_name(uint32_t r)
{
	static const char *names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_IO] = "IO",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT", [KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	return r < sizeof(names) / sizeof(names[0]) && names[r] ? names[r] : "other";
}

/* KVM_RUN; then the exit must be @want. */
static int run_expect(struct vm *v, int id, uint32_t want)
{
	struct kvm_run *run = v->run[id];

	EXPECT(ioctl(v->vcpu[id], KVM_RUN, 0) == 0, "KVM_RUN: %s", strerror(errno));
	if (run->exit_reason != want) {
		if (run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
			return fail("exit %s (suberror %u, data %#llx %#llx), want %s",
				    exit_name(run->exit_reason), run->internal.suberror,
				    (unsigned long long)run->internal.data[0],
				    (unsigned long long)run->internal.data[1], exit_name(want));
		return fail("exit %s (%u), want %s", exit_name(run->exit_reason),
			    run->exit_reason, exit_name(want));
	}
	return PASS;
}

static int expect_io(struct vm *v, int id, int dir, uint16_t port, int size, uint32_t val)
{
	struct kvm_run *run = v->run[id];
	uint32_t got = 0;
	int r;

	if ((r = run_expect(v, id, KVM_EXIT_IO)))
		return r;
	EXPECT(run->io.direction == dir && run->io.port == port &&
	       run->io.size == size && run->io.count == 1,
	       "IO dir %d port %#x size %d count %u, want dir %d port %#x size %d",
	       run->io.direction, run->io.port, run->io.size, run->io.count,
	       dir, port, size);
	if (dir == KVM_EXIT_IO_OUT) {
		memcpy(&got, (uint8_t *)run + run->io.data_offset, size);
		EXPECT(got == val, "OUT port %#x: data %#x, want %#x", port, got, val);
	} else {
		memcpy((uint8_t *)run + run->io.data_offset, &val, size);
	}
	return PASS;
}

static int get_regs(struct vm *v, int id, struct kvm_regs *regs)
{
	EXPECT(ioctl(v->vcpu[id], KVM_GET_REGS, regs) == 0, "GET_REGS: %s", strerror(errno));
	return PASS;
}

/* Run a test body with a fresh VM and vCPU 0; always clean up. */
#define WITH_VM(body)                                                          \
	do {                                                                   \
		struct vm vm_;                                                 \
		struct vm *v = &vm_;                                           \
		int r_ = vm_open(v);                                           \
		if (r_ == PASS)                                                \
			r_ = vcpu_open(v, 0);                                  \
		if (r_ == PASS)                                                \
			r_ = (body);                                           \
		vm_close(v);                                                   \
		return r_;                                                     \
	} while (0)

static int hlt_body(struct vm *v)
{
	struct kvm_regs regs;
	int r;

	LOAD(v, hlt);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)) ||
	    (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT(regs.rip == GUEST_CODE + 1, "RIP after HLT %#llx", (unsigned long long)regs.rip);
	return PASS;
}

static int t_real_hlt(void)
{
	WITH_VM(hlt_body(v));
}

static int out_body(struct vm *v)
{
	int r;

	LOAD(v, out);
	if ((r = enter_real(v, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x80, 1, 0x42)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x3f8, 2, 0x1234)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x81, 4, 0xdeadbeef)))
		return r;
	return run_expect(v, 0, KVM_EXIT_HLT);
}

static int t_port_out(void)
{
	WITH_VM(out_body(v));
}

static int in_body(struct vm *v)
{
	struct kvm_regs regs;
	int r;

	LOAD(v, in);
	if ((r = enter_real(v, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_IN, 0x71, 1, 0x5a)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_IN, 0x1f0, 2, 0xbeef)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_IN, 0x1f0, 4, 0xcafef00d)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT(regs.rbx == 0x1111115a, "IN al: %#llx", (unsigned long long)regs.rbx);
	EXPECT(regs.rcx == 0x2222beef, "IN ax: %#llx", (unsigned long long)regs.rcx);
	EXPECT(regs.rax == 0xcafef00d, "IN eax: %#llx", (unsigned long long)regs.rax);
	return PASS;
}

static int t_port_in(void)
{
	WITH_VM(in_body(v));
}

static int cpuid_body(struct vm *v)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[3];
	} c;
	struct kvm_regs regs;
	int r;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 3;
	c.e[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 7,
		.ebx = 0x68747541, .ecx = 0x444d4163, .edx = 0x69746e65 };
	c.e[1] = (struct kvm_cpuid_entry2){ .function = 7, .index = 0,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 1, .ebx = 0x11 };
	c.e[2] = (struct kvm_cpuid_entry2){ .function = 7, .index = 1,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 0x22, .ebx = 0x33,
		.ecx = 0x44, .edx = 0x55 };
	EXPECT(ioctl(v->vcpu[0], KVM_SET_CPUID2, &c) == 0, "SET_CPUID2: %s", strerror(errno));
	LOAD(v, cpuid);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)) ||
	    (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT(regs.rsi == 7, "leaf 0 eax %#llx", (unsigned long long)regs.rsi);
	EXPECT(regs.rax == 0x22 && regs.rbx == 0x33 && regs.rcx == 0x44 && regs.rdx == 0x55,
	       "leaf 7.1: %#llx %#llx %#llx %#llx", (unsigned long long)regs.rax,
	       (unsigned long long)regs.rbx, (unsigned long long)regs.rcx,
	       (unsigned long long)regs.rdx);
	return PASS;
}

static int t_cpuid_table(void)
{
	WITH_VM(cpuid_body(v));
}

static int ram_body(struct vm *v)
{
	struct kvm_regs regs;
	int r;

	LOAD(v, ram);
	*(uint32_t *)(v->mem + DATA) = 41;
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(*(uint32_t *)(v->mem + DATA) == 42, "guest write not seen: %u",
	       *(uint32_t *)(v->mem + DATA));
	EXPECT(*(uint32_t *)v->mem1 == 42, "slot 1 write not seen: %u", *(uint32_t *)v->mem1);
	*(uint32_t *)(v->mem + DATA) = 99;
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rax == 99, "guest read %#llx, want 99 (host write not seen)",
	       (unsigned long long)regs.rax);
	return PASS;
}

static int t_ram_two_slots(void)
{
	WITH_VM(ram_body(v));
}

static int prot32_body(struct vm *v)
{
	int r;

	LOAD(v, prot32);
	*(uint32_t *)(v->mem + DATA) = 5;
	if ((r = enter_prot32(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(*(uint32_t *)(v->mem + DATA + 4) == 16, "result %u, want 16",
	       *(uint32_t *)(v->mem + DATA + 4));
	return PASS;
}

static int t_prot32(void)
{
	WITH_VM(prot32_body(v));
}

static int long64_body(struct vm *v)
{
	int r;

	LOAD(v, long64);
	*(uint64_t *)(v->mem + DATA) = 0x0123456789abcdefULL;
	if ((r = enter_long64(v, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x3fd, 1, 0x10)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(*(uint64_t *)(v->mem + DATA + 8) == ~0x0123456789abcdefULL, "result %#llx",
	       (unsigned long long)*(uint64_t *)(v->mem + DATA + 8));
	return PASS;
}

static int t_long64(void)
{
	WITH_VM(long64_body(v));
}

/* Offer long mode in CPUID 0x80000001 (KVM gates EFER.LME on it). */
static int set_cpuid_lm(struct vm *v, int id)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[2];
	} c;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 2;
	c.e[0] = (struct kvm_cpuid_entry2){ .function = 0x80000000, .eax = 0x80000001 };
	c.e[1] = (struct kvm_cpuid_entry2){ .function = 0x80000001, .edx = 1u << 29 };
	EXPECT(ioctl(v->vcpu[id], KVM_SET_CPUID2, &c) == 0, "SET_CPUID2: %s", strerror(errno));
	return PASS;
}

static int modes_no_lm_body(struct vm *v)
{
	int r;

	/* Without long mode in CPUID, WRMSR EFER.LME faults; no IDT: shutdown. */
	LOAD(v, modes);
	if ((r = enter_real(v, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x10, 1, 32)))
		return r;
	return run_expect(v, 0, KVM_EXIT_SHUTDOWN);
}

static int t_efer_lme_needs_cpuid(void)
{
	WITH_VM(modes_no_lm_body(v));
}

static int modes_body(struct vm *v)
{
	struct kvm_sregs s;
	struct kvm_regs regs;
	int r;

	if ((r = set_cpuid_lm(v, 0)))
		return r;
	LOAD(v, modes);
	if ((r = enter_real(v, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x10, 1, 32)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x10, 1, 64)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT(*(uint64_t *)(v->mem + DATA) == 0x123456789abcdef0ULL, "64-bit store missing");
	EXPECT(regs.rbx == 0x500, "guest EFER %#llx, want LME|LMA", (unsigned long long)regs.rbx);
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	EXPECT(s.efer == 0x500 && (s.cr0 & 0x80000001) == 0x80000001 && s.cs.l,
	       "sregs: efer %#llx cr0 %#llx cs.l %d", (unsigned long long)s.efer,
	       (unsigned long long)s.cr0, s.cs.l);
	return PASS;
}

static int t_mode_switches(void)
{
	WITH_VM(modes_body(v));
}

static int triple_body(struct vm *v)
{
	int r;

	LOAD(v, triple_fault);
	if ((r = enter_real(v, 0)))
		return r;
	return run_expect(v, 0, KVM_EXIT_SHUTDOWN);
}

static int t_triple_fault(void)
{
	WITH_VM(triple_body(v));
}

static int fail_entry_body(struct vm *v)
{
	struct kvm_sregs s;
	int r;

	LOAD(v, long64);
	if ((r = enter_long64(v, 0)))
		return r;
	/* CS.L and CS.D both set in long mode: no CPU accepts it. */
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.cs.db = 1;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	return run_expect(v, 0, KVM_EXIT_FAIL_ENTRY);
}

static int t_fail_entry(void)
{
	WITH_VM(fail_entry_body(v));
}

static void on_sigusr1(int sig)
{
	(void)sig;
}

struct kicker {
	pthread_t target;
	int delay_ms;
	volatile int done;	/* set once KVM_RUN returned */
	int sent;
};

/*
 * Signal the vCPU thread after delay_ms, and again every delay_ms until
 * KVM_RUN has returned (at most 50 times): the test measures that a
 * signal ends KVM_RUN, and reports how many it took.
 */
static void *kick_thread(void *arg)
{
	struct kicker *k = arg;

	do {
		usleep(k->delay_ms * 1000);
		if (k->done)
			break;
		pthread_kill(k->target, SIGUSR1);
		k->sent++;
	} while (k->sent < 50);
	return NULL;
}

static int signal_body(struct vm *v)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct kicker k = { .target = pthread_self(), .delay_ms = 200 };
	pthread_t t;
	long r;

	LOAD(v, spin);
	if ((r = enter_real(v, 0)))
		return r;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, kick_thread, &k);
	r = ioctl(v->vcpu[0], KVM_RUN, 0);
	k.done = 1;
	pthread_join(t, NULL);
	EXPECT(r == -1 && errno == EINTR, "KVM_RUN with a signal: %ld/%s", r, strerror(errno));
	/* One should do; nested under TCG, KVM now and then needs a second. */
	EXPECT(k.sent <= 3, "KVM_RUN needed %d signals to return", k.sent);
	EXPECT(v->run[0]->exit_reason == KVM_EXIT_INTR, "exit %s, want INTR",
	       exit_name(v->run[0]->exit_reason));
	EXPECT(*(uint32_t *)(v->mem + DATA) > 0, "the guest did not run");
	/*
	 * immediate_exit: KVM_RUN returns at once with EINTR and leaves the
	 * last exit as it was (KVM's selftests read a ucall's I/O exit
	 * again after completing it this way).
	 */
	v->run[0]->exit_reason = KVM_EXIT_IO;
	v->run[0]->immediate_exit = 1;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_RUN, 0), EINTR, "immediate_exit");
	EXPECT(v->run[0]->exit_reason == KVM_EXIT_IO, "exit %s after immediate_exit, want it unchanged",
	       exit_name(v->run[0]->exit_reason));
	v->run[0]->immediate_exit = 0;
	return PASS;
}

static int t_signal_kick(void)
{
	WITH_VM(signal_body(v));
}

static int notifier_body(struct vm *v)
{
	struct kvm_regs regs;
	int r;

	LOAD(v, reread);
	*(uint32_t *)(v->mem + DATA) = 0x1234;
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)) ||
	    (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rax == 0x1234, "first read %#llx", (unsigned long long)regs.rax);
	/* The host drops the page; a fresh one takes its place. */
	EXPECT(madvise(v->mem, MEM_SIZE, MADV_DONTNEED) == 0, "madvise: %s", strerror(errno));
	LOAD(v, reread);
	*(uint32_t *)(v->mem + DATA) = 0x5678;
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rax == 0x5678, "read %#llx after the host replaced the page: stale mapping",
	       (unsigned long long)regs.rax);
	return PASS;
}

static int t_mmu_notifier(void)
{
	WITH_VM(notifier_body(v));
}

struct vcpu_thread {
	struct vm *v;
	int id, r;
	char why[600];
};

static void *count_thread(void *arg)
{
	struct vcpu_thread *t = arg;
	struct kvm_regs regs;

	t->r = get_regs(t->v, t->id, &regs);
	if (t->r == PASS) {
		regs.rbx = t->id;
		ioctl(t->v->vcpu[t->id], KVM_SET_REGS, &regs);
		t->r = run_expect(t->v, t->id, KVM_EXIT_HLT);
	}
	if (t->r)
		snprintf(t->why, sizeof(t->why), "vCPU %d: %s", t->id, reason);
	return NULL;
}

static int two_vcpus_body(struct vm *v)
{
	struct vcpu_thread t[2];
	pthread_t th[2];
	int i, r;

	if ((r = vcpu_open(v, 1)))
		return r;
	LOAD(v, count);
	for (i = 0; i < 2; i++)
		if ((r = enter_prot32(v, i)))
			return r;
	for (i = 0; i < 2; i++) {
		t[i] = (struct vcpu_thread){ .v = v, .id = i };
		pthread_create(&th[i], NULL, count_thread, &t[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++)
		EXPECT(t[i].r == PASS, "%s", t[i].why);
	for (i = 0; i < 2; i++)
		EXPECT(((uint32_t *)(v->mem + DATA))[i] == 1000, "vCPU %d counted %u", i,
		       ((uint32_t *)(v->mem + DATA))[i]);
	return PASS;
}

static int t_two_vcpus(void)
{
	WITH_VM(two_vcpus_body(v));
}

/*
 * Does the host CPU exit on PAUSE loops? /proc/cpuinfo names it "ple"
 * among the VMX flags, "pausefilter" among AMD's.
 */
static bool host_has_pause_loop_exits(void)
{
	char line[4096];
	bool found = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if ((!strncmp(line, "vmx flags", 9) && strstr(line, " ple")) ||
		    (!strncmp(line, "flags", 5) && strstr(line, " pausefilter")))
			found = true;
	fclose(f);
	return found;
}

struct pingpong_thread {
	struct vm *v;
	int id, cpu, r;
	uint32_t turns;
	char why[600];
};

static void *pingpong_thread(void *arg)
{
	struct pingpong_thread *t = arg;
	struct kvm_regs regs;
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(t->cpu, &set);
	/* pthread_* return the error number; errno is not set. */
	err = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	t->r = err ? fail("pinning vCPU %d to CPU %d: %s", t->id, t->cpu, strerror(err)) :
	       get_regs(t->v, t->id, &regs);
	if (t->r == PASS) {
		regs.rbx = t->id;
		regs.rcx = t->turns;
		ioctl(t->v->vcpu[t->id], KVM_SET_REGS, &regs);
		t->r = run_expect(t->v, t->id, KVM_EXIT_HLT);
	}
	if (t->r == PASS && (t->r = get_regs(t->v, t->id, &regs)) == PASS && regs.rcx)
		t->r = fail("vCPU %d stopped with %llu turns left", t->id,
			    (unsigned long long)regs.rcx);
	if (t->r)
		snprintf(t->why, sizeof(t->why), "vCPU %d: %s", t->id, reason);
	return NULL;
}

/*
 * Two vCPUs on one host CPU hand a turn back and forth, each waiting in a
 * PAUSE loop: the waiting one holds the CPU the other needs. With
 * PAUSE-loop exits the hypervisor lets the other run at once (a directed
 * yield), as for a guest spinlock whose holder was preempted; without,
 * every turn waits for the host scheduler's time slice (milliseconds).
 */
static int pingpong_body(struct vm *v)
{
	bool ple = host_has_pause_loop_exits();
	uint32_t turns = ple ? 2000 : 100;
	struct pingpong_thread t[2];
	struct timespec a, b;
	pthread_t th[2];
	double ms;
	int i, r, cpu = sched_getcpu();

	if ((r = vcpu_open(v, 1)))
		return r;
	LOAD(v, pingpong);
	for (i = 0; i < 2; i++)
		if ((r = enter_prot32(v, i)))
			return r;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 2; i++) {
		t[i] = (struct pingpong_thread){ .v = v, .id = i, .turns = turns,
						 .cpu = cpu < 0 ? 0 : cpu };
		pthread_create(&th[i], NULL, pingpong_thread, &t[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	for (i = 0; i < 2; i++)
		EXPECT(t[i].r == PASS, "%s", t[i].why);
	EXPECT(*(uint32_t *)(v->mem + DATA) == 0, "turn word %u after the last turn",
	       *(uint32_t *)(v->mem + DATA));
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	printf("# %u turns each on one host CPU: %.1f ms, %.1f us per turn (%s)\n", turns, ms,
	       ms * 1e3 / (2 * turns), ple ? "PAUSE-loop exits" : "no PAUSE-loop exits on this CPU");
	/*
	 * A time slice is milliseconds; a directed yield is an exit and a
	 * context switch. 250 us per turn is far from both.
	 */
	EXPECT(!ple || ms * 1e3 / (2 * turns) < 250,
	       "%.1f us per turn: spinning vCPUs wait out the host's time slice",
	       ms * 1e3 / (2 * turns));
	return PASS;
}

static int t_pingpong(void)
{
	WITH_VM(pingpong_body(v));
}

static int bad_input_body(struct vm *v)
{
	struct kvm_userspace_memory_region m = { .slot = 5, .memory_size = 4096,
		.guest_phys_addr = 0x100000, .userspace_addr = (uintptr_t)v->mem };
	struct kvm_userspace_memory_region bad;
	int status;
	pid_t pid;

	bad = m; bad.guest_phys_addr = 0x100001;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "unaligned gpa");
	bad = m; bad.memory_size = 4095;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "unaligned size");
	bad = m; bad.userspace_addr += 1;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "unaligned hva");
	bad = m; bad.flags = 0x80;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "bad flags");
	bad = m; bad.slot = 0x7fff;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "slot id");
	bad = m; bad.userspace_addr = 0xffff800000000000ULL;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "kernel hva");
	bad = m; bad.guest_phys_addr = 0x4000;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EEXIST, "overlap");
	bad = m; bad.guest_phys_addr = 0xfffffffffffff000ULL; bad.memory_size = 0x2000;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &bad), EINVAL, "wrapping gpa");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, NULL), EFAULT, "NULL region");
	EXPECT_ERRNO(ioctl(v->fd, KVM_CREATE_VCPU, 0), EEXIST, "duplicate vCPU id");
	EXPECT_ERRNO(ioctl(v->fd, KVM_CREATE_VCPU, 100000), EINVAL, "huge vCPU id");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_RUN, 1), EINVAL, "KVM_RUN arg");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_GET_REGS, NULL), EFAULT, "GET_REGS NULL");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_SREGS, (void *)8), EFAULT, "SET_SREGS bad ptr");
	/* hxen: ENOTTY, the kernel's convention; KVM answers EINVAL here. */
	EXPECT_ERRNO(ioctl(v->vcpu[0], 0xdeadbeef, 0), is_kvm() ? EINVAL : ENOTTY,
		     "unknown vCPU ioctl");
	/* Another process cannot drive the VM. */
	pid = fork();
	if (pid == 0)
		_exit(ioctl(v->vcpu[0], KVM_RUN, 0) == -1 && errno == EIO ? 0 : 1);
	EXPECT(pid > 0 && waitpid(pid, &status, 0) == pid, "fork/wait");
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0, "KVM_RUN from a child did not fail with EIO");
	/* Delete and re-add a slot; a moved slot is where the guest finds it. */
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "add slot 5: %s", strerror(errno));
	m.memory_size = 0;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "delete slot 5: %s", strerror(errno));
	return PASS;
}

static int t_bad_input(void)
{
	WITH_VM(bad_input_body(v));
}

static int slot_move_body(struct vm *v)
{
	struct kvm_userspace_memory_region m = { .slot = 1, .memory_size = 4096,
		.guest_phys_addr = SLOT1_GPA, .userspace_addr = (uintptr_t)v->mem1 };
	int r;

	/* ram writes DATA and the slot-1 page; move slot 1 away, then back. */
	LOAD(v, ram);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(*(uint32_t *)v->mem1 == 1, "slot 1 not written");
	m.guest_phys_addr = 0x100000;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "move slot 1: %s", strerror(errno));
	m.guest_phys_addr = SLOT1_GPA;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "move back: %s", strerror(errno));
	*(uint32_t *)v->mem1 = 7;
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(*(uint32_t *)v->mem1 == 2, "slot 1 after the move: %u", *(uint32_t *)v->mem1);
	return PASS;
}

static int t_slot_move(void)
{
	WITH_VM(slot_move_body(v));
}

/* The irq guest halted with IF set, ready for KVM_INTERRUPT. */
static int irq_guest_halted(struct vm *v)
{
	struct kvm_run *run = v->run[0];
	int r;

	LOAD(v, irq);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(run->if_flag == 1 && run->ready_for_interrupt_injection == 1,
	       "halted with IF: if_flag %u ready %u", run->if_flag,
	       run->ready_for_interrupt_injection);
	return PASS;
}

/* Its handler for vector 0x20 (an OUT to port 0x20), then IRET to HLT. */
static int irq_guest_handled(struct vm *v)
{
	int r;

	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x20, 1, 0x20)))
		return r;
	return run_expect(v, 0, KVM_EXIT_HLT);
}

static int irq_body(struct vm *v)
{
	struct kvm_interrupt irq = { .irq = 0x20 };
	int r;

	if ((r = irq_guest_halted(v)))
		return r;
	irq.irq = 256;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_INTERRUPT, &irq), EINVAL, "KVM_INTERRUPT(256)");
	/* Queued twice before a run: one delivery (KVM replaces, not stacks). */
	irq.irq = 0x20;
	EXPECT(ioctl(v->vcpu[0], KVM_INTERRUPT, &irq) == 0, "KVM_INTERRUPT: %s", strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_INTERRUPT, &irq) == 0, "second KVM_INTERRUPT: %s", strerror(errno));
	return irq_guest_handled(v);
}

static int t_irq_injection(void)
{
	WITH_VM(irq_body(v));
}

/*
 * An interrupt queued with KVM_INTERRUPT, then KVM_RUN refused at once
 * (immediate_exit, as QEMU does when it has something else to do): the run
 * page must no longer say "ready for injection", or userspace queues its
 * next interrupt over the first. The first is delivered at the next run.
 */
static int irq_immediate_exit_body(struct vm *v)
{
	struct kvm_interrupt irq = { .irq = 0x20 };
	struct kvm_run *run = v->run[0];
	int r;

	if ((r = irq_guest_halted(v)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_INTERRUPT, &irq) == 0, "KVM_INTERRUPT: %s", strerror(errno));
	run->immediate_exit = 1;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_RUN, 0), EINTR, "KVM_RUN with immediate_exit");
	run->immediate_exit = 0;
	EXPECT(run->ready_for_interrupt_injection == 0,
	       "ready_for_interrupt_injection 1 with an interrupt still queued");
	return irq_guest_handled(v);
}

static int t_irq_immediate_exit(void)
{
	WITH_VM(irq_immediate_exit_body(v));
}

static int irq_window_body(struct vm *v)
{
	struct kvm_interrupt irq = { .irq = 0x20 };
	struct kvm_run *run = v->run[0];
	int r;

	LOAD(v, irq_window);
	run->request_interrupt_window = 1;
	if ((r = enter_real(v, 0)) || (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x21, 1, 0x21)))
		return r;
	EXPECT(run->if_flag == 0 && run->ready_for_interrupt_injection == 0,
	       "IF clear: if_flag %u ready %u", run->if_flag, run->ready_for_interrupt_injection);
	if ((r = run_expect(v, 0, KVM_EXIT_IRQ_WINDOW_OPEN)))
		return r;
	EXPECT(run->if_flag == 1 && run->ready_for_interrupt_injection == 1,
	       "window open: if_flag %u ready %u", run->if_flag, run->ready_for_interrupt_injection);
	run->request_interrupt_window = 0;
	EXPECT(ioctl(v->vcpu[0], KVM_INTERRUPT, &irq) == 0, "KVM_INTERRUPT: %s", strerror(errno));
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x20, 1, 0x20)))
		return r;
	return run_expect(v, 0, KVM_EXIT_HLT);
}

static int t_irq_window(void)
{
	WITH_VM(irq_window_body(v));
}

static int nmi_body(struct vm *v)
{
	struct kvm_run *run = v->run[0];
	int r;

	LOAD(v, nmi);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(run->if_flag == 0 && run->ready_for_interrupt_injection == 0,
	       "IF clear: if_flag %u ready %u", run->if_flag, run->ready_for_interrupt_injection);
	EXPECT(ioctl(v->vcpu[0], KVM_NMI) == 0, "KVM_NMI: %s", strerror(errno));
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x22, 1, 0x22)))
		return r;
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	/* A second NMI after the first handler's IRET gets through too. */
	EXPECT(ioctl(v->vcpu[0], KVM_NMI) == 0, "KVM_NMI: %s", strerror(errno));
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x22, 1, 0x22)))
		return r;
	return run_expect(v, 0, KVM_EXIT_HLT);
}

static int t_nmi(void)
{
	WITH_VM(nmi_body(v));
}

static int sigmask_body(struct vm *v)
{
	struct {
		struct kvm_signal_mask hdr;
		uint64_t set;
	} m = { .hdr.len = 8 };
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct kicker k = { .target = pthread_self(), .delay_ms = 100 };
	struct kvm_run *run = v->run[0];
	pthread_t t;
	long r;

	LOAD(v, hlt);
	if ((r = enter_real(v, 0)))
		return r;
	m.hdr.len = 4;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_SIGNAL_MASK, &m), EINVAL, "sigmask len 4");
	m.hdr.len = 8;
	/* Block nothing while in the guest... */
	EXPECT(ioctl(v->vcpu[0], KVM_SET_SIGNAL_MASK, &m) == 0, "SET_SIGNAL_MASK: %s", strerror(errno));
	/* ...though the thread blocks SIGUSR1 itself: it still kicks KVM_RUN. */
	sigaction(SIGUSR1, &sa, NULL);
	{
		sigset_t blk;

		sigemptyset(&blk);
		sigaddset(&blk, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &blk, NULL);
	}
	LOAD(v, spin);
	pthread_create(&t, NULL, kick_thread, &k);
	r = ioctl(v->vcpu[0], KVM_RUN, 0);
	k.done = 1;
	pthread_join(t, NULL);
	{
		sigset_t blk;

		sigemptyset(&blk);
		sigaddset(&blk, SIGUSR1);
		pthread_sigmask(SIG_UNBLOCK, &blk, NULL);
	}
	EXPECT(r == -1 && errno == EINTR && run->exit_reason == KVM_EXIT_INTR,
	       "KVM_RUN under the vCPU signal mask: %ld/%s", r, strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_SET_SIGNAL_MASK, NULL) == 0, "clear mask: %s", strerror(errno));
	return PASS;
}

static int t_signal_mask(void)
{
	WITH_VM(sigmask_body(v));
}

static int mp_state_body(struct vm *v)
{
	struct kvm_mp_state mp;

	EXPECT(ioctl(v->vcpu[0], KVM_GET_MP_STATE, &mp) == 0, "GET_MP_STATE: %s", strerror(errno));
	EXPECT(mp.mp_state == KVM_MP_STATE_RUNNABLE, "mp_state %u", mp.mp_state);
	EXPECT(ioctl(v->vcpu[0], KVM_SET_MP_STATE, &mp) == 0, "SET_MP_STATE: %s", strerror(errno));
	mp.mp_state = 77;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_MP_STATE, &mp), EINVAL, "SET_MP_STATE(77)");
	return PASS;
}

static int t_mp_state(void)
{
	WITH_VM(mp_state_body(v));
}

/* The host side of the SSE test: its own xmm values, checked while the guest runs. */
struct clobber {
	volatile int stop;
	long rounds, errors;
};

static void pin_to_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *clobber_thread(void *arg)
{
	struct clobber *c = arg;

	pin_to_cpu0();
	while (!c->stop) {
		uint64_t in[4] = { 0x1111222233334444ULL ^ c->rounds, 0x5555666677778888ULL,
				   0x99990000aaaabbbbULL, 0xccccddddeeeeffffULL ^ c->rounds };
		uint64_t out[4];

		__asm__ volatile("movdqu %2, %%xmm0\n\tmovdqu %3, %%xmm7\n\t"
				 "pause\n\t"
				 "movdqu %%xmm0, %0\n\tmovdqu %%xmm7, %1"
				 : "=m"(out[0]), "=m"(out[2])
				 : "m"(in[0]), "m"(in[2]) : "xmm0", "xmm7", "memory");
		sched_yield();
		if (memcmp(in, out, sizeof(in)))
			c->errors++;
		c->rounds++;
	}
	return NULL;
}

static int sse_body(struct vm *v)
{
	struct clobber c = { 0 };
	struct kvm_sregs s;
	struct kvm_run *run = v->run[0];
	pthread_t t;
	int i, r, exits = 0;

	LOAD(v, sse);
	for (i = 0; i < 128; i++)
		v->mem[DATA + i] = (uint8_t)(i * 37 + 11);
	if ((r = enter_long64(v, 0)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.cr4 |= 0x600;		/* OSFXSR | OSXMMEXCPT */
	EXPECT(ioctl(v->vcpu[0], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	pin_to_cpu0();
	pthread_create(&t, NULL, clobber_thread, &c);
	while (!c.rounds)
		sched_yield();
	for (;;) {
		char junk[256];

		r = run_expect(v, 0, KVM_EXIT_IO);
		if (r || run->io.port != 0x30)
			break;
		/* Userspace uses SSE too between runs (memset does)... */
		memset(junk, exits++, sizeof(junk));
		__asm__ volatile("" : : "r"(junk) : "memory");
		/* ...and the other thread on this CPU gets a turn. */
		sched_yield();
	}
	c.stop = 1;
	pthread_join(t, NULL);
	if (r)
		return r;
	EXPECT(run->io.port == 0x31 && *((uint8_t *)run + run->io.data_offset) == 0x31,
	       "guest xmm registers were corrupted (port %#x)", run->io.port);
	EXPECT(c.errors == 0, "host xmm registers corrupted %ld times in %ld rounds",
	       c.errors, c.rounds);
	EXPECT(exits >= 30 && c.rounds > 0, "too little interleaving: %d exits, %ld rounds",
	       exits, c.rounds);
	return PASS;
}

static int t_sse_isolation(void)
{
	WITH_VM(sse_body(v));
}

static int fpu_body(struct vm *v)
{
	struct kvm_fpu fpu;
	struct kvm_xcrs xcrs;
	struct kvm_xsave *xs;

	memset(&fpu, 0, sizeof(fpu));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_FPU, &fpu) == 0, "GET_FPU: %s", strerror(errno));
	/*
	 * FNINIT's control word on both. MXCSR differs: hxen reports the
	 * architectural reset value 0x1f80, KVM 6.1 reports 0 (it does not
	 * copy MXCSR in KVM_GET_FPU at all).
	 */
	EXPECT(fpu.fcw == 0x37f && fpu.mxcsr == (is_kvm() ? 0 : 0x1f80),
	       "reset FPU: fcw %#x mxcsr %#x", fpu.fcw, fpu.mxcsr);
	memset(fpu.xmm[3], 0xa5, 16);
	fpu.mxcsr = 0x1fa0;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_FPU, &fpu) == 0, "SET_FPU: %s", strerror(errno));
	memset(&fpu, 0, sizeof(fpu));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_FPU, &fpu) == 0, "GET_FPU: %s", strerror(errno));
	/* KVM 6.1 does not carry MXCSR through KVM_GET/SET_FPU; hxen does. */
	EXPECT(fpu.xmm[3][0] == 0xa5 && fpu.xmm[3][15] == 0xa5 &&
	       fpu.mxcsr == (is_kvm() ? 0 : 0x1fa0),
	       "FPU state did not round-trip: xmm3 %02x..%02x mxcsr %#x",
	       fpu.xmm[3][0], fpu.xmm[3][15], fpu.mxcsr);
	xs = calloc(1, sizeof(*xs));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_XSAVE, xs) == 0, "GET_XSAVE: %s", strerror(errno));
	/*
	 * hxen marks x87/SSE state present after KVM_SET_FPU, so the values
	 * are what the guest gets; KVM 6.1 leaves the XSAVE header alone and
	 * its XSAVE view (and the guest) still sees SSE in its init state.
	 */
	EXPECT(is_kvm() || ((uint8_t *)xs->region)[160 + 48] == 0xa5, "XSAVE view lacks xmm3");
	EXPECT(ioctl(v->vcpu[0], KVM_SET_XSAVE, xs) == 0, "SET_XSAVE: %s", strerror(errno));
	/* A header claiming features nobody has is refused. */
	((uint64_t *)xs->region)[64] = 1ULL << 62;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_XSAVE, xs), EINVAL, "SET_XSAVE bad header");
	free(xs);
	EXPECT(ioctl(v->vcpu[0], KVM_GET_XCRS, &xcrs) == 0, "GET_XCRS: %s", strerror(errno));
	EXPECT(xcrs.nr_xcrs == 1 && xcrs.xcrs[0].xcr == 0 && xcrs.xcrs[0].value == 1,
	       "XCR0 at reset: %u xcrs, %#llx", xcrs.nr_xcrs, (unsigned long long)xcrs.xcrs[0].value);
	xcrs.xcrs[0].value = 0;		/* x87 off: invalid */
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_XCRS, &xcrs), EINVAL, "SET_XCRS(0)");
	return PASS;
}

static int t_fpu_state(void)
{
	WITH_VM(fpu_body(v));
}

static int msr_body(struct vm *v)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} m;
	struct kvm_regs regs;
	int r;

	LOAD(v, msr);
	if ((r = enter_long64(v, 0)) || (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x40, 1, 0x40)))
		return r;
	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 3;
	m.e[0].index = 0x174;
	m.e[1].index = 0xc0000081;
	m.e[2].index = 0x12345;		/* unknown: stops the batch */
	r = ioctl(v->vcpu[0], KVM_GET_MSRS, &m);
	EXPECT(r == 2, "GET_MSRS did %d of 3 (want 2: the unknown one stops it)", r);
	EXPECT(m.e[0].data == 0x1234 && m.e[1].data == 0x0023001089abcdefULL,
	       "MSRs the guest wrote: %#llx %#llx", (unsigned long long)m.e[0].data,
	       (unsigned long long)m.e[1].data);
	m.hdr.nmsrs = 1;
	m.e[0].index = 0x176;
	m.e[0].data = 0x81000000;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_MSRS, &m) == 1, "SET_MSRS: %s", strerror(errno));
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT(regs.rbx == 0x81000000 && regs.rbp == 0, "guest RDMSR: edx:eax %#llx:%#llx",
	       (unsigned long long)regs.rbp, (unsigned long long)regs.rbx);
	m.hdr.nmsrs = 100000;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_GET_MSRS, &m), E2BIG, "GET_MSRS huge count");
	return run_expect(v, 0, KVM_EXIT_SHUTDOWN);
}

static int t_msrs(void)
{
	WITH_VM(msr_body(v));
}

static int t_supported_cpuid(void)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} *c = calloc(1, sizeof(*c));
	struct {
		struct kvm_msr_list hdr;
		uint32_t idx[512];
	} l;
	int sys = open(device, O_RDWR | O_CLOEXEC), i, r = PASS;
	bool leaf0 = false, leaf1 = false, star = false;

	EXPECT(sys >= 0 && c, "open: %s", strerror(errno));
	/* Like the vCPU tests: a backend without vCPUs does not offer it. */
	if (!is_kvm() && ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_EXT_CPUID) == 0) {
		free(c);
		close(sys);
		return skip("this hxen backend cannot run vCPUs yet");
	}
	c->hdr.nent = 1;
	EXPECT_ERRNO(ioctl(sys, KVM_GET_SUPPORTED_CPUID, c), E2BIG, "GET_SUPPORTED_CPUID(nent 1)");
	c->hdr.nent = 256;
	EXPECT(ioctl(sys, KVM_GET_SUPPORTED_CPUID, c) == 0, "GET_SUPPORTED_CPUID: %s", strerror(errno));
	for (i = 0; i < (int)c->hdr.nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->e[i];

		if (e->function == 0)
			leaf0 = e->eax >= 1;
		if (e->function == 1) {
			leaf1 = true;
			if (!is_kvm() && (e->ecx & (1u << 5)))
				r = fail("leaf 1: hxen offers VMX");
		}
		if (!is_kvm() && e->function == 0x80000001 && (e->ecx & (1u << 2)))
			r = fail("0x80000001: hxen offers SVM");
	}
	free(c);
	if (r)
		return r;
	EXPECT(leaf0 && leaf1, "leaves 0/1 missing");
	l.hdr.nmsrs = 1;
	EXPECT_ERRNO(ioctl(sys, KVM_GET_MSR_INDEX_LIST, &l), E2BIG, "MSR_INDEX_LIST(1)");
	l.hdr.nmsrs = 512;
	EXPECT(ioctl(sys, KVM_GET_MSR_INDEX_LIST, &l) == 0, "GET_MSR_INDEX_LIST: %s", strerror(errno));
	for (i = 0; i < (int)l.hdr.nmsrs; i++)
		star |= l.idx[i] == 0xc0000081;
	EXPECT(star, "STAR not in the MSR index list");
	close(sys);
	return PASS;
}

/* The next exit must be MMIO at @addr of @len; a read gets @val. */
static int expect_mmio(struct vm *v, int id, uint64_t addr, int len, int write, uint64_t val)
{
	struct kvm_run *run = v->run[id];
	uint64_t got = 0;
	int r;

	if ((r = run_expect(v, id, KVM_EXIT_MMIO)))
		return r;
	EXPECT(run->mmio.phys_addr == addr && run->mmio.len == (uint32_t)len &&
	       run->mmio.is_write == write,
	       "MMIO %s %#llx len %u, want %s %#llx len %d",
	       run->mmio.is_write ? "write" : "read", (unsigned long long)run->mmio.phys_addr,
	       run->mmio.len, write ? "write" : "read", (unsigned long long)addr, len);
	if (write) {
		memcpy(&got, run->mmio.data, len);
		EXPECT(got == val, "MMIO write %#llx: data %#llx, want %#llx",
		       (unsigned long long)addr, (unsigned long long)got, (unsigned long long)val);
	} else {
		memcpy(run->mmio.data, &val, len);
	}
	return PASS;
}

static int mmio_body(struct vm *v)
{
	struct kvm_regs regs;
	int r;

	LOAD(v, mmio);
	*(uint64_t *)(v->mem + DATA) = 0x0102030405060708ULL;
	if ((r = enter_long64(v, 0)) ||
	    (r = expect_mmio(v, 0, 0x100000, 1, 1, 0x11)) ||
	    (r = expect_mmio(v, 0, 0x100010, 2, 1, 0x2233)) ||
	    (r = expect_mmio(v, 0, 0x100020, 4, 1, 0x44556677)) ||
	    (r = expect_mmio(v, 0, 0x100030, 8, 1, 0x8899aabbccddeeffULL)) ||
	    (r = expect_mmio(v, 0, 0x100040, 1, 0, 0x5a)) ||
	    (r = expect_mmio(v, 0, 0x100050, 2, 0, 0xfedc)) ||
	    (r = expect_mmio(v, 0, 0x100060, 1, 0, 0x80)) ||
	    (r = expect_mmio(v, 0, 0x100070, 4, 0, 0x10)) ||
	    (r = expect_mmio(v, 0, 0x100070, 4, 1, 0x15)) ||
	    (r = expect_mmio(v, 0, 0x100080, 4, 0, 0x1111)) ||
	    (r = expect_mmio(v, 0, 0x100080, 4, 1, 0xabcd)) ||
	    (r = expect_mmio(v, 0, 0x100090, 1, 1, 0x77)) ||
	    (r = expect_mmio(v, 0, 0x100091, 1, 1, 0x77)) ||
	    (r = expect_mmio(v, 0, 0x100092, 1, 1, 0x77)) ||
	    (r = expect_mmio(v, 0, 0x100093, 8, 1, 0x0102030405060708ULL)) ||
	    (r = expect_mmio(v, 0, 0x1000a8, 8, 0, 0x1)) ||
	    (r = expect_mmio(v, 0, 0x1000a8, 8, 1, 0x101)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((regs.rbx & 0xff) == 0x5a, "mov from MMIO: bl %#llx", (unsigned long long)regs.rbx);
	EXPECT(regs.rcx == 0, "rep stos: rcx %#llx", (unsigned long long)regs.rcx);
	EXPECT(regs.rdx == 0xffffffffffffff80ULL, "movsx from MMIO: %#llx",
	       (unsigned long long)regs.rdx);
	EXPECT(regs.rsi == DATA + 8 && regs.rdi == 0x10009b, "movs: rsi %#llx rdi %#llx",
	       (unsigned long long)regs.rsi, (unsigned long long)regs.rdi);
	return PASS;
}

static int t_mmio(void)
{
	WITH_VM(mmio_body(v));
}

/*
 * String port I/O may come in one exit with a count (hxen) or in several
 * (KVM 6.1 gives REP OUTS one element per exit): collect exits until
 * @total elements moved, checking each, and supply/collect the data.
 */
static int expect_string_io(struct vm *v, int dir, uint16_t port, int size, int total,
			    uint8_t *data, int *exits)
{
	struct kvm_run *run = v->run[0];
	int done = 0, r;

	*exits = 0;
	while (done < total) {
		if ((r = run_expect(v, 0, KVM_EXIT_IO)))
			return r;
		EXPECT(run->io.direction == dir && run->io.port == port &&
		       run->io.size == size && run->io.count >= 1 &&
		       done + (int)run->io.count <= total,
		       "string I/O: dir %d port %#x size %d count %u (%d of %d done)",
		       run->io.direction, run->io.port, run->io.size, run->io.count, done, total);
		if (dir == KVM_EXIT_IO_OUT)
			memcpy(data + done * size, (uint8_t *)run + run->io.data_offset,
			       run->io.count * size);
		else
			memcpy((uint8_t *)run + run->io.data_offset, data + done * size,
			       run->io.count * size);
		done += run->io.count;
		(*exits)++;
	}
	return PASS;
}

static int strio_body(struct vm *v)
{
	uint8_t out[5], in[6] = "abcdef";
	int r, out_exits, in_exits;

	LOAD(v, strio);
	memcpy(v->mem + DATA, "hello", 5);
	if ((r = enter_real(v, 0)) ||
	    (r = expect_string_io(v, KVM_EXIT_IO_OUT, 0x3f8, 1, 5, out, &out_exits)))
		return r;
	EXPECT(!memcmp(out, "hello", 5), "rep outsb sent %.5s", out);
	if ((r = expect_string_io(v, KVM_EXIT_IO_IN, 0x1f0, 2, 3, in, &in_exits)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(!memcmp(v->mem + DATA + 0x100, "abcdef", 6), "rep insw data did not land");
	/* hxen moves a whole REP in one exit (KVM's ABI allows counts). */
	EXPECT(is_kvm() || (out_exits == 1 && in_exits == 1),
	       "hxen took %d + %d exits for two REP string I/Os", out_exits, in_exits);
	printf("# string I/O exits: %d for rep outsb x5, %d for rep insw x3\n", out_exits, in_exits);
	return PASS;
}

static int t_string_pio(void)
{
	WITH_VM(strio_body(v));
}

static int rom_body(struct vm *v)
{
	struct kvm_userspace_memory_region m = { .slot = 1, .memory_size = 4096,
		.guest_phys_addr = SLOT1_GPA, .userspace_addr = (uintptr_t)v->mem1 };
	struct kvm_regs regs;
	int r;

	/* Slot 1 becomes read-only: delete it, add it back with the flag. */
	m.memory_size = 0;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "delete slot: %s", strerror(errno));
	m.memory_size = 4096;
	m.flags = KVM_MEM_READONLY;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "readonly slot: %s", strerror(errno));
	*(uint32_t *)v->mem1 = 0xc0ffee;
	LOAD(v, rom);
	if ((r = enter_real(v, 0)) || (r = expect_mmio(v, 0, SLOT1_GPA, 4, 1, 0x1234)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rax == 0xc0ffee, "read of the ROM: %#llx", (unsigned long long)regs.rax);
	EXPECT(*(uint32_t *)v->mem1 == 0xc0ffee, "the ROM was written");
	/* Deleted: the same read becomes MMIO. */
	m.memory_size = 0;
	EXPECT(ioctl(v->fd, KVM_SET_USER_MEMORY_REGION, &m) == 0, "delete slot: %s", strerror(errno));
	if ((r = enter_real(v, 0)) || (r = expect_mmio(v, 0, SLOT1_GPA, 4, 0, 0x77)) ||
	    (r = expect_mmio(v, 0, SLOT1_GPA, 4, 1, 0x1234)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rax == 0x77, "read after delete: %#llx", (unsigned long long)regs.rax);
	return PASS;
}

static int t_readonly_and_deleted_slot(void)
{
	WITH_VM(rom_body(v));
}

static int events_body(struct vm *v)
{
	struct kvm_vcpu_events ev, ev2;
	int r;

	LOAD(v, nmi);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_VCPU_EVENTS, &ev) == 0, "GET_VCPU_EVENTS: %s",
	       strerror(errno));
	EXPECT(!ev.exception.injected && !ev.interrupt.injected && !ev.nmi.pending &&
	       !ev.nmi.masked, "events of a halted vCPU: exc %u intr %u nmi %u/%u",
	       ev.exception.injected, ev.interrupt.injected, ev.nmi.pending, ev.nmi.masked);
	/* An NMI made pending through SET_VCPU_EVENTS is delivered. */
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_VCPU_EVENTS, &ev) == 0, "SET_VCPU_EVENTS: %s",
	       strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_VCPU_EVENTS, &ev2) == 0 && ev2.nmi.pending == 1,
	       "NMI not pending after SET_VCPU_EVENTS");
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x22, 1, 0x22)))
		return r;
	ev.flags = 0x8000;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_VCPU_EVENTS, &ev), EINVAL, "unknown flags");
	ev.flags = 0;
	ev.exception.injected = 1;
	ev.exception.nr = 40;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_VCPU_EVENTS, &ev), EINVAL, "exception 40");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_GET_VCPU_EVENTS, NULL), EFAULT, "GET NULL");
	return PASS;
}

static int t_vcpu_events(void)
{
	WITH_VM(events_body(v));
}

struct spinner {
	struct vm *v;
	int id;
	long r;
	int err;
};

static void *spin_thread(void *arg)
{
	struct spinner *sp = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sp->id, &set);
	sched_setaffinity(0, sizeof(set), &set);
	sp->r = ioctl(sp->v->vcpu[sp->id], KVM_RUN, 0);
	sp->err = errno;
	return NULL;
}

/*
 * A guest spinning on every host CPU (up to 2) for a while: a host task
 * must still get its timer wakeups on time, and the host kernel must not
 * report soft lockups or RCU stalls (scripts/testhost checks its log).
 */
static int responsive_body(struct vm *v)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	int n = online_cpus() >= 2 ? 2 : 1, i, r;
	struct spinner sp[2];
	pthread_t th[2];
	double worst = 0;

	if (n == 2 && (r = vcpu_open(v, 1)))
		return r;
	LOAD(v, spin);
	for (i = 0; i < n; i++)
		if ((r = enter_real(v, i)))
			return r;
	sigaction(SIGUSR1, &sa, NULL);
	for (i = 0; i < n; i++) {
		sp[i] = (struct spinner){ .v = v, .id = i };
		pthread_create(&th[i], NULL, spin_thread, &sp[i]);
	}
	for (i = 0; i < 50; i++) {
		struct timespec a, b, d = { .tv_nsec = 20 * 1000 * 1000 };
		double late;

		clock_gettime(CLOCK_MONOTONIC, &a);
		nanosleep(&d, NULL);
		clock_gettime(CLOCK_MONOTONIC, &b);
		late = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6 - 20;
		if (late > worst)
			worst = late;
	}
	/* Kick until both KVM_RUNs have returned. */
	for (i = 0; i < n; i++) {
		int tries;

		for (tries = 0; tries < 100; tries++) {
			pthread_kill(th[i], SIGUSR1);
			usleep(10000);
			if (pthread_tryjoin_np(th[i], NULL) == 0)
				break;
		}
		EXPECT(tries < 100, "vCPU %d did not leave KVM_RUN", i);
		EXPECT(sp[i].r == -1 && sp[i].err == EINTR, "vCPU %d: KVM_RUN %ld/%s", i,
		       sp[i].r, strerror(sp[i].err));
	}
	printf("# host timer lateness with %d spinning vCPUs: worst %.1f ms\n", n, worst);
	EXPECT(*(uint32_t *)(v->mem + DATA) > 1000, "the guests barely ran");
	/*
	 * A run loop that never yields keeps the task off both CPUs for the
	 * whole second of spinning (and trips the soft-lockup detector); a
	 * yielding one measured 6-28 ms, and up to 360 ms when the machine
	 * running the emulated host was itself overloaded.
	 */
	EXPECT(worst < 1000, "a host task woke %.1f ms late while guests spun", worst);
	return PASS;
}

static int t_host_responsive(void)
{
	WITH_VM(responsive_body(v));
}

static int exceptions_body(struct vm *v)
{
	int r;

	LOAD(v, exceptions);
	if ((r = enter_real(v, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 1, 6)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 1, 0)))
		return r;
	return run_expect(v, 0, KVM_EXIT_HLT);
}

static int t_guest_exceptions(void)
{
	WITH_VM(exceptions_body(v));
}

static volatile uint32_t watched;

/* A host hardware breakpoint (perf) on writes to @watched; -1 if none. */
static int host_watchpoint(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(a),
		.bp_type = HW_BREAKPOINT_W, .bp_addr = (uintptr_t)&watched,
		.bp_len = HW_BREAKPOINT_LEN_4, .exclude_kernel = 1, .exclude_hv = 1,
	};

	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static long read_count(int fd)
{
	long long n = -1;

	if (read(fd, &n, sizeof(n)) != sizeof(n))
		return -1;
	return n;
}

/*
 * The guest's DR0 survives a trip through userspace, where the host uses
 * its own hardware breakpoint; the host's breakpoint still fires after the
 * guest ran. Neither side sees the other's debug registers.
 */
static int debugregs_body(struct vm *v)
{
	struct kvm_regs regs;
	int r, bp;
	long n;

	LOAD(v, debugregs);
	if ((r = enter_real(v, 0)) || (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x42, 1, 0x42)))
		return r;
	bp = host_watchpoint();
	if (bp < 0)
		return skip("no hardware breakpoints for perf here");
	watched = 1;
	watched = 2;
	n = read_count(bp);
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs))) {
		close(bp);
		return r;
	}
	watched = 3;
	EXPECT(n == 2 && read_count(bp) == 3, "host watchpoint hits %ld then %ld, want 2, 3",
	       n, read_count(bp));
	close(bp);
	EXPECT((uint32_t)regs.rbx == 0x1234, "guest DR0 %#llx after a host breakpoint, want 0x1234",
	       (unsigned long long)regs.rbx);
	return PASS;
}

static int t_debugregs(void)
{
	WITH_VM(debugregs_body(v));
}

/*
 * In-kernel irqchip tests (KVM_CREATE_IRQCHIP, KVM_CREATE_PIT2): each part
 * defines its test functions and a macro listing its table entries.
 */
/*
 * For tests that need one feature of the device: its KVM_GET_SUPPORTED_CPUID
 * entry @function/@index in @out (false if not offered or the call fails),
 * and whether KVM_GET_MSR_INDEX_LIST names @msr.
 */
static bool supported_cpuid_entry(uint32_t function, uint32_t index,
				  struct kvm_cpuid_entry2 *out)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} *c = calloc(1, sizeof(*c));
	int sys = open(device, O_RDWR | O_CLOEXEC), i;
	bool found = false;

	if (sys >= 0 && c) {
		c->hdr.nent = 256;
		if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, c) == 0)
			for (i = 0; i < (int)c->hdr.nent && !found; i++)
				if (c->e[i].function == function && c->e[i].index == index) {
					*out = c->e[i];
					found = true;
				}
	}
	free(c);
	if (sys >= 0)
		close(sys);
	return found;
}

/* KVM_SET_MSRS / KVM_GET_MSRS of one MSR of vCPU 0: the ioctl's count. */
static int vcpu_msr(struct vm *v, uint32_t index, bool set, uint64_t *val)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} m = { .hdr.nmsrs = 1, .e[0] = { .index = index, .data = *val } };
	int n = ioctl(v->vcpu[0], set ? KVM_SET_MSRS : KVM_GET_MSRS, &m);

	*val = m.e[0].data;
	return n;
}

static bool msr_index_listed(uint32_t msr)
{
	struct {
		struct kvm_msr_list hdr;
		uint32_t idx[512];
	} l = { .hdr.nmsrs = 512 };
	int sys = open(device, O_RDWR | O_CLOEXEC), i;
	bool listed = false;

	if (sys >= 0 && ioctl(sys, KVM_GET_MSR_INDEX_LIST, &l) == 0)
		for (i = 0; i < (int)l.hdr.nmsrs; i++)
			listed |= l.idx[i] == msr;
	if (sys >= 0)
		close(sys);
	return listed;
}

#include "lapic_tests.c"
#include "irqchip_tests.c"
#include "xen_tests.c"
#include "xen_link_tests.c"
#include "xen_vcpu_tests.c"
#include "xen_console_tests.c"
#include "xen_store_tests.c"
/* After xen_tests.c: it sets the Xen interface version first. */
#include "kvmclock_tests.c"
#include "steal_time_tests.c"
#include "cpu_state_tests.c"
/* Security regressions (issue 15); after the Xen parts, whose helpers it uses. */
#include "sec_tests.c"
/* KVM-API coverage QEMU needs (issue 16). */
#include "kvm_api_tests.c"
#include "dirty_tests.c"

static const struct test tests[] = {
	{ "real_mode_hlt", t_real_hlt },
	{ "port_out_sizes", t_port_out },
	{ "port_in_sizes", t_port_in },
	{ "cpuid_table", t_cpuid_table },
	{ "ram_two_slots", t_ram_two_slots },
	{ "prot32_flat", t_prot32 },
	{ "long64_paging", t_long64 },
	{ "mode_switches_by_guest", t_mode_switches },
	{ "efer_lme_needs_cpuid_lm", t_efer_lme_needs_cpuid },
	{ "guest_handles_ud_and_de", t_guest_exceptions },
	{ "debug_registers_guest_and_host", t_debugregs },
	{ "triple_fault_shutdown", t_triple_fault },
	{ "fail_entry_invalid_state", t_fail_entry },
	{ "signal_kick_and_immediate_exit", t_signal_kick },
	{ "mmu_notifier_page_replaced", t_mmu_notifier },
	{ "two_vcpus_concurrently", t_two_vcpus },
	{ "pause_loop_yields_to_preempted_vcpu", t_pingpong },
	{ "spinning_guests_host_responsive", t_host_responsive },
	{ "slot_move", t_slot_move },
	{ "irq_injection", t_irq_injection },
	{ "irq_immediate_exit_ready", t_irq_immediate_exit },
	{ "irq_window_exit", t_irq_window },
	{ "nmi_injection", t_nmi },
	{ "signal_mask", t_signal_mask },
	{ "mp_state", t_mp_state },
	{ "vcpu_events", t_vcpu_events },
	{ "fpu_xsave_xcrs", t_fpu_state },
	{ "sse_guest_host_isolation", t_sse_isolation },
	{ "msrs_guest_and_ioctl", t_msrs },
	{ "supported_cpuid_and_msr_list", t_supported_cpuid },
	{ "mmio_instruction_forms", t_mmio },
	{ "string_pio_rep", t_string_pio },
	{ "readonly_and_deleted_slot", t_readonly_and_deleted_slot },
	{ "bad_input", t_bad_input },
	CPU_STATE_TESTS
	LAPIC_TESTS
	IRQCHIP_TESTS
	KVMCLOCK_TESTS
	STEAL_TIME_TESTS
	XEN_TESTS
	XEN_LINK_TESTS
	XEN_VCPU_TESTS
	XEN_CONSOLE_TESTS
	XEN_STORE_TESTS
	SEC_TESTS
	KVM_API_TESTS
	DIRTY_TESTS
};

int main(int argc, char **argv)
{
	const char *filter = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc)
			device = argv[++i];
		else
			filter = argv[i];
	}
	printf("device %s\n", device);
	return run_tests(tests, sizeof(tests) / sizeof(tests[0]), filter);
}
