// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: one thread each, looping on KVM_RUN and handing I/O exits to the
 * devices. The APs need nothing from us: with the in-kernel LAPIC they wait
 * for INIT/SIPI inside KVM_RUN.
 *
 * Stopping: vm_stop() sets vm->stopping; the main thread then sets
 * immediate_exit in every kvm_run and sends SIGUSR1 to every vCPU thread.
 * A thread inside KVM_RUN returns with EINTR; one about to enter it
 * returns at once because immediate_exit is already set.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define VCPU_STACK_SIZE (256 * 1024)

#define CPUID_1_ECX_HYPERVISOR	(1U << 31)

/*
 * CPUID as KVM_GET_SUPPORTED_CPUID reports it (the brand string filled in
 * once per VM, get_supported_cpuid()), with this vCPU's APIC ID:
 * leaf 1 EBX[31:24] (initial APIC ID), leaves 0xB/0x1F EDX (x2APIC ID).
 * Leaf 1 ECX[31] says "running under a hypervisor": the device reports
 * what it can virtualize, the VMM sets this bit, and Linux only looks at
 * the hypervisor leaves (0x40000000, e.g. kvm-clock) when it is set.
 */
static int set_cpuid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *src = vcpu->vm->cpuid;
	size_t size = sizeof(*src) + src->nent * sizeof(src->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	unsigned int i;
	int ret;

	if (!c)
		return -1;
	memcpy(c, src, size);
	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		switch (e->function) {
		case 1:
			e->ebx = (e->ebx & 0x00ffffff) | ((uint32_t)vcpu->id << 24);
			e->ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 0xb:
		case 0x1f:
			e->edx = vcpu->id;
			break;
		}
	}
	ret = ioctl(vcpu->fd, KVM_SET_CPUID2, c);
	if (ret < 0)
		die_errno("KVM_SET_CPUID2");
	free(c);
	return ret;
}

int vcpus_create(struct vm *vm)
{
	int i;

	vm->vcpus = calloc(vm->cfg->cpus, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		die_errno("vcpus");
		return -1;
	}
	for (i = 0; i < vm->cfg->cpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i;
		v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, i);
		if (v->fd < 0) {
			die_errno("KVM_CREATE_VCPU");
			return -1;
		}
		vm->nr_vcpus++;
		v->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
		if (v->run == MAP_FAILED) {
			v->run = NULL;
			die_errno("mmap kvm_run");
			return -1;
		}
		if (set_cpuid(v))
			return -1;
	}
	return 0;
}

/*
 * One access on the VM's port or MMIO bus. What nobody claims behaves like
 * an empty bus: reads return all ones, writes vanish (traced with --debug).
 */
static void vcpu_io(struct vm *vm, struct io_bus *bus, uint64_t addr, void *data,
		    unsigned int len, bool write)
{
	uint64_t v = 0;

	if (bus_access(bus, addr, data, len, write) || !vm->cfg->debug)
		return;
	memcpy(&v, data, len < sizeof(v) ? len : sizeof(v));
	fprintf(stderr, "hxen: unclaimed %s %s %#llx/%u%s%#llx\n", bus->space,
		write ? "write" : "read", (unsigned long long)addr, len,
		write ? " <- " : " -> ", (unsigned long long)v);
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *p = (uint8_t *)run + run->io.data_offset;
	uint32_t i;

	/* A string instruction's elements, in order, in one exit. */
	for (i = 0; i < run->io.count; i++, p += run->io.size)
		vcpu_io(v->vm, &v->vm->pio_bus, run->io.port, p, run->io.size,
			run->io.direction == KVM_EXIT_IO_OUT);
}

/*
 * Xen's SCHEDOP_shutdown(SHUTDOWN_suspend): the call returned 0 ("resumed
 * after a real suspend"). With no save/restore here, do what Xen's
 * toolstack does when a suspend is cancelled: make the call return 1 and
 * let the guest run on in the same domain (xc_domain_resume's fast path).
 */
static bool cancel_suspend(struct vcpu *v)
{
	struct kvm_regs regs;

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0) {
		vm_stop(v->vm, STOP_HW_ERROR, "vCPU %d: KVM_GET_REGS: %s", v->id, strerror(errno));
		return false;
	}
	regs.rax = 1;
	if (ioctl(v->fd, KVM_SET_REGS, &regs) < 0) {
		vm_stop(v->vm, STOP_HW_ERROR, "vCPU %d: KVM_SET_REGS: %s", v->id, strerror(errno));
		return false;
	}
	fprintf(stderr, "hxen: vCPU %d: suspend (SCHEDOP_shutdown) cancelled, "
		"no save/restore: the guest runs on\n", v->id);
	return true;
}

/* Returns false once this vCPU must stop running. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	struct vm *vm = v->vm;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		vcpu_io(vm, &vm->mmio_bus, run->mmio.phys_addr, run->mmio.data, run->mmio.len,
			run->mmio.is_write);
		return true;
	case KVM_EXIT_INTR:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
		return true;
	case KVM_EXIT_HLT:
		/* Only without an in-kernel LAPIC; we always have one. */
		return true;
	case KVM_EXIT_SHUTDOWN:
		vm_stop(vm, STOP_TRIPLE_FAULT, "triple fault on vCPU %d", v->id);
		return false;
	case KVM_EXIT_FAIL_ENTRY:
		vm_stop(vm, STOP_HW_ERROR, "vCPU %d: VM entry failed, reason %#llx", v->id,
			(unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_INTERNAL_ERROR: {
		/* Its data: the exit and the guest's RIP, or the instruction's bytes. */
		unsigned long long d[3] = { 0 };
		unsigned int i;

		for (i = 0; i < 3 && i < run->internal.ndata; i++)
			d[i] = run->internal.data[i];
		vm_stop(vm, STOP_HW_ERROR, "vCPU %d: internal error, suberror %u (%u data: %#llx %#llx %#llx)",
			v->id, run->internal.suberror, run->internal.ndata, d[0], d[1], d[2]);
		return false;
	}
	case KVM_EXIT_SYSTEM_EVENT:
		/*
		 * On x86 only hxen's Xen ABI reports these (SCHEDOP_shutdown);
		 * ACPI poweroff and reset come through devices instead.
		 */
		if (run->system_event.type == KVM_SYSTEM_EVENT_RESET) {
			vm_stop(vm, STOP_RESET, "reset (SCHEDOP_shutdown)");
			return false;
		}
		if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN) {
			vm_stop(vm, STOP_POWEROFF, "poweroff (SCHEDOP_shutdown)");
			return false;
		}
		if (run->system_event.type == KVM_SYSTEM_EVENT_SUSPEND)
			return cancel_suspend(v);
		/* Xen's SCHEDOP_shutdown(SHUTDOWN_crash or _watchdog). */
		if (run->system_event.type == KVM_SYSTEM_EVENT_CRASH) {
			vm_stop(vm, STOP_PANIC, "vCPU %d: crash (SCHEDOP_shutdown)", v->id);
			return false;
		}
		vm_stop(vm, STOP_HW_ERROR, "vCPU %d: system event %u", v->id,
			run->system_event.type);
		return false;
	default:
		vm_stop(vm, STOP_HW_ERROR, "vCPU %d: unexpected exit reason %u", v->id,
			run->exit_reason);
		return false;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (!__atomic_load_n(&vm->stopping, __ATOMIC_SEQ_CST)) {
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			vm_stop(vm, STOP_HW_ERROR, "vCPU %d: KVM_RUN: %s", v->id,
				strerror(errno));
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}

static void kick_handler(int sig)
{
	(void)sig;
}

int vcpus_start(struct vm *vm)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	pthread_attr_t attr;
	sigset_t set;
	int i, err;

	/* No SA_RESTART: KVM_RUN must return EINTR. */
	sigaction(SIGUSR1, &sa, NULL);
	/* Threads inherit the mask; only vCPU threads take SIGUSR1. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	for (i = 0; i < vm->nr_vcpus; i++) {
		err = pthread_create(&vm->vcpus[i].thread, &attr, vcpu_thread, &vm->vcpus[i]);
		if (err) {
			fprintf(stderr, "hxen: vCPU thread: %s\n", strerror(err));
			vm_stop(vm, STOP_HW_ERROR, "cannot start vCPU %d", i);
			pthread_attr_destroy(&attr);
			return -1;
		}
		vm->vcpus[i].started = true;
	}
	pthread_attr_destroy(&attr);
	return 0;
}

void vcpus_stop(struct vm *vm)
{
	int i;

	__atomic_store_n(&vm->stopping, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (!v->started)
			continue;
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, SIGUSR1);
	}
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].started)
			pthread_join(vm->vcpus[i].thread, NULL);
		vm->vcpus[i].started = false;
	}
}

/* --debug: where each vCPU was when the VM stopped (threads joined). */
/* The highest vector set in IRR/ISR (eight 32-bit registers 16 bytes apart), or -1. */
static int lapic_highest(const struct kvm_lapic_state *l, unsigned int base)
{
	int i, b;

	for (i = 7; i >= 0; i--) {
		uint32_t r;

		memcpy(&r, l->regs + base + i * 16, 4);
		for (b = 31; r && b >= 0; b--)
			if (r & (1u << b))
				return i * 32 + b;
	}
	return -1;
}

/* The in-kernel LAPIC's requested and in-service vectors. */
static void vcpu_dump_lapic(struct vcpu *v)
{
	struct kvm_lapic_state l;

	if (ioctl(v->fd, KVM_GET_LAPIC, &l) < 0)
		return;
	fprintf(stderr, "hxen: vCPU %d: LAPIC highest IRR %d, ISR %d\n", v->id,
		lapic_highest(&l, 0x200), lapic_highest(&l, 0x100));
}

void vcpus_dump(struct vm *vm)
{
	static const char *const mp[] = {
		[KVM_MP_STATE_RUNNABLE] = "runnable", [KVM_MP_STATE_UNINITIALIZED] = "uninitialized",
		[KVM_MP_STATE_INIT_RECEIVED] = "init-received", [KVM_MP_STATE_HALTED] = "halted",
		[KVM_MP_STATE_SIPI_RECEIVED] = "sipi-received",
	};
	struct kvm_mp_state state = { .mp_state = ~0u };
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int i;

	for (i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];

		if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
		    ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0) {
			fprintf(stderr, "hxen: vCPU %d: registers: %s\n", i, strerror(errno));
			continue;
		}
		/* Only with an in-kernel irqchip (else EINVAL on KVM). */
		if (ioctl(v->fd, KVM_GET_MP_STATE, &state) < 0)
			state.mp_state = ~0u;
		fprintf(stderr, "hxen: vCPU %d: %s, rip %#llx rsp %#llx rflags %#llx ", i,
			state.mp_state < sizeof(mp) / sizeof(mp[0]) ? mp[state.mp_state] : "-",
			regs.rip, regs.rsp, regs.rflags);
		fprintf(stderr, "cr0 %#llx cr3 %#llx cr4 %#llx efer %#llx\n", sregs.cr0, sregs.cr3,
			sregs.cr4, sregs.efer);
		vcpu_dump_lapic(v);
	}
}

void vcpus_destroy(struct vm *vm)
{
	int i;

	if (!vm->vcpus)
		return;
	vcpus_stop(vm);
	for (i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		close(vm->vcpus[i].fd);
	}
	free(vm->vcpus);
	vm->vcpus = NULL;
	vm->nr_vcpus = 0;
}
