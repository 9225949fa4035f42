// SPDX-License-Identifier: GPL-2.0
/*
 * The VM: open the KVM-API device, check what the guest needs, create the
 * VM with its in-kernel irqchip and PIT, map guest RAM, and collect the
 * reason the guest stopped.
 */
#define _GNU_SOURCE	/* pipe2() */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

void die_errno(const char *what)
{
	fprintf(stderr, "hxen: %s: %s\n", what, strerror(errno));
}

/*
 * Without an in-kernel irqchip and PIT the guest would need a userspace
 * LAPIC; without IMMEDIATE_EXIT a vCPU could miss the stop signal between
 * its last check and KVM_RUN.
 */
static const struct {
	int cap;
	const char *name;
} required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
};

static int check_caps(struct vm *vm)
{
	size_t i;

	for (i = 0; i < sizeof(required_caps) / sizeof(required_caps[0]); i++) {
		if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, required_caps[i].cap) <= 0) {
			fprintf(stderr, "hxen: %s lacks %s\n", vm->cfg->device,
				required_caps[i].name);
			return -1;
		}
	}
	return 0;
}

/* api.rst: MAX_VCPUS, else NR_VCPUS, else 4. */
static int max_vcpus(struct vm *vm)
{
	int n = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);

	if (n <= 0)
		n = ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	return n > 0 ? n : 4;
}

/*
 * The processor brand string (leaves 0x80000002-4): KVM leaves it to the
 * VMM (its entries are zero) and hxen reports the host's. The guest gets
 * the host's on both, as with QEMU's -cpu host, not the vendor and
 * family/model ("Intel 06/55") Linux shows for a CPU without one.
 */
static void cpuid_fill_brand(struct kvm_cpuid2 *c)
{
	unsigned int i;

	for (i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function < 0x80000002 || e->function > 0x80000004 ||
		    e->eax | e->ebx | e->ecx | e->edx)
			continue;
		__cpuid(e->function, e->eax, e->ebx, e->ecx, e->edx);
	}
}

static int get_supported_cpuid(struct vm *vm)
{
	int n = 64;

	for (;;) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c) {
			die_errno("cpuid table");
			return -1;
		}
		c->nent = n;
		if (ioctl(vm->sys_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			cpuid_fill_brand(c);
			vm->cpuid = c;
			return 0;
		}
		free(c);
		/* E2BIG: the table did not fit; KVM has at most a few hundred. */
		if (errno != E2BIG || n >= 4096) {
			die_errno("KVM_GET_SUPPORTED_CPUID");
			return -1;
		}
		n *= 2;
	}
}

static int set_region(struct vm *vm, int slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0) {
		die_errno("KVM_SET_USER_MEMORY_REGION");
		return -1;
	}
	return 0;
}

static int map_ram(struct vm *vm)
{
	vm->ram_size = vm->cfg->mem;
	/*
	 * NORESERVE: the guest touches only what it uses, and the host's
	 * overcommit policy applies page by page rather than up front.
	 */
	vm->ram = mmap(NULL, vm->ram_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		fprintf(stderr, "hxen: cannot allocate %llu MiB of guest memory: %s\n",
			(unsigned long long)(vm->ram_size >> 20), strerror(errno));
		return -1;
	}
	madvise(vm->ram, vm->ram_size, MADV_HUGEPAGE);
	vm->low_size = vm->ram_size < GUEST_LOW_RAM_END ? vm->ram_size : GUEST_LOW_RAM_END;
	vm->high_size = vm->ram_size - vm->low_size;
	if (set_region(vm, 0, 0, vm->low_size, vm->ram))
		return -1;
	if (vm->high_size &&
	    set_region(vm, 1, GUEST_HIGH_RAM_START, vm->high_size, vm->ram + vm->low_size))
		return -1;
	return 0;
}

void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa + len < gpa)
		return NULL;
	if (gpa + len <= vm->low_size)
		return vm->ram + gpa;
	if (gpa >= GUEST_HIGH_RAM_START &&
	    gpa + len - GUEST_HIGH_RAM_START <= vm->high_size)
		return vm->ram + vm->low_size + (gpa - GUEST_HIGH_RAM_START);
	return NULL;
}

int vm_irq_line(struct vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = level };

	/* KVM's default routing: GSI n drives PIC input n and IOAPIC pin n. */
	return ioctl(vm->fd, KVM_IRQ_LINE, &l);
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	/* SPEAKER_DUMMY: port 0x61 (channel 2 gate and output) in the kernel too. */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	int api;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->sys_fd = vm->fd = -1;
	vm->stop_pipe[0] = vm->stop_pipe[1] = -1;
	pthread_mutex_init(&vm->stop_lock, NULL);
	if (pipe2(vm->stop_pipe, O_CLOEXEC | O_NONBLOCK)) {
		die_errno("pipe");
		return -1;
	}

	vm->sys_fd = open(cfg->device, O_RDWR | O_CLOEXEC);
	if (vm->sys_fd < 0) {
		fprintf(stderr, "hxen: %s: %s%s\n", cfg->device, strerror(errno),
			errno == ENOENT ? " (is the module loaded?)" : "");
		return -1;
	}
	api = ioctl(vm->sys_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "hxen: %s: KVM API version %d, need %d\n", cfg->device, api,
			KVM_API_VERSION);
		return -1;
	}
	if (check_caps(vm))
		return -1;
	if (cfg->cpus > max_vcpus(vm)) {
		fprintf(stderr, "hxen: --cpus %d: %s supports at most %d vCPUs\n", cfg->cpus,
			cfg->device, max_vcpus(vm));
		return -1;
	}
	vm->run_size = ioctl(vm->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run)) {
		die_errno("KVM_GET_VCPU_MMAP_SIZE");
		return -1;
	}
	if (get_supported_cpuid(vm))
		return -1;

	vm->fd = ioctl(vm->sys_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		die_errno("KVM_CREATE_VM");
		return -1;
	}
	/*
	 * Only VMX without unrestricted guest needs the real-mode TSS (the APs
	 * start in real mode after SIPI); a device without it may refuse.
	 */
	if (ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR) > 0 &&
	    ioctl(vm->fd, KVM_SET_TSS_ADDR, GUEST_TSS_ADDR) < 0 &&
	    errno != ENOTTY && errno != EINVAL) {
		die_errno("KVM_SET_TSS_ADDR");
		return -1;
	}
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0) {
		die_errno("KVM_CREATE_IRQCHIP");
		return -1;
	}
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0) {
		die_errno("KVM_CREATE_PIT2");
		return -1;
	}
	if (map_ram(vm))
		return -1;
	/* HXEN_XEN_ENABLE is refused once a vCPU exists. */
	if (xen_enable(vm))
		return -1;
	if (vcpus_create(vm))
		return -1;
	return devices_init(vm, machine_devices, nr_machine_devices);
}

void vm_destroy(struct vm *vm)
{
	vcpus_destroy(vm);
	devices_exit(vm);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->fd = -1;
	/* After the VM: no guest reaches these pages any more. */
	xen_unmap_pages(vm);
	if (vm->sys_fd >= 0)
		close(vm->sys_fd);
	if (vm->stop_pipe[0] >= 0) {
		close(vm->stop_pipe[0]);
		close(vm->stop_pipe[1]);
	}
	free(vm->cpuid);
	vm->ram = NULL;
	vm->cpuid = NULL;
	vm->fd = vm->sys_fd = vm->stop_pipe[0] = vm->stop_pipe[1] = -1;
}

/*
 * Any thread may report a stop; the first reason wins, except that once a
 * panic was seen on the console, whatever the dying guest does next (reboot
 * for panic=-1, a triple fault) is still reported as the panic.
 */
void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
{
	va_list ap;
	char c = 1;

	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop_reason == STOP_NONE) {
		if (vm->panicked && why != STOP_QUIT)
			why = STOP_PANIC;
		vm->stop_reason = why;
		if (why != STOP_PANIC || !vm->panicked) {
			va_start(ap, fmt);
			vsnprintf(vm->stop_msg, sizeof(vm->stop_msg), fmt, ap);
			va_end(ap);
		}
		__atomic_store_n(&vm->stopping, 1, __ATOMIC_SEQ_CST);
		if (write(vm->stop_pipe[1], &c, 1) < 0) {
			/* Non-blocking and written once: cannot fill up. */
		}
	}
	pthread_mutex_unlock(&vm->stop_lock);
}

/* The console saw "Kernel panic - not syncing": the main loop stops soon. */
void vm_note_panic(struct vm *vm, const char *line)
{
	pthread_mutex_lock(&vm->stop_lock);
	if (!vm->panicked && vm->stop_reason == STOP_NONE) {
		vm->panicked = true;
		snprintf(vm->stop_msg, sizeof(vm->stop_msg), "%s", line);
	}
	pthread_mutex_unlock(&vm->stop_lock);
}
