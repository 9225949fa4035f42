/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core of `hxen run`: one VM over the KVM API (/dev/hxen or /dev/kvm),
 * its guest RAM, vCPU threads, its I/O buses (bus.h) and devices
 * (device.h). Boot loaders (boot/), the platform (platform/) and devices
 * (devices/) build on this header.
 */
#ifndef HXEN_VMM_H
#define HXEN_VMM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "../platform/platform.h"
#include "bus.h"
#include "device.h"

#define MiB(x)			((uint64_t)(x) << 20)

/* Why the VM stopped; the first reason reported wins (see vm_stop()). */
enum vm_stop_reason {
	STOP_NONE,
	STOP_POWEROFF,		/* ACPI S5 */
	STOP_RESET,		/* reset register, keyboard controller */
	STOP_PANIC,		/* the guest kernel reported a panic */
	STOP_TRIPLE_FAULT,	/* KVM_EXIT_SHUTDOWN */
	STOP_HW_ERROR,		/* FAIL_ENTRY, INTERNAL_ERROR, KVM_RUN failure */
	STOP_QUIT,		/* Ctrl-A x, SIGINT, SIGTERM */
};

/* `hxen run` exit statuses (documented in --help and README.md). */
enum {
	EXIT_GUEST_OK = 0,	/* poweroff or reboot */
	EXIT_SETUP = 1,		/* bad arguments, setup failure */
	EXIT_GUEST_PANIC = 3,
	EXIT_TRIPLE_FAULT = 4,
	EXIT_HW_ERROR = 5,
	EXIT_QUIT = 6,
};

struct vm;

struct vcpu {
	struct vm *vm;
	int id;			/* vCPU index == APIC ID */
	int fd;
	struct kvm_run *run;	/* mmap'ed; immediate_exit written by the stopper */
	pthread_t thread;
	bool started;
};

/* --xen / --no-xen; XEN_AUTO: on for PVH kernels where the device has it. */
enum xen_mode {
	XEN_AUTO,
	XEN_ON,
	XEN_OFF,
};

/* --console: which device is the guest's console besides the UART. */
enum console_kind {
	CONSOLE_SERIAL,		/* the 16550A (and Xen's console_io) */
	CONSOLE_HVC,		/* also Xen's PV console ring (hvc0) */
};

struct vm_config {
	const char *device;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *name;	/* --name: the Xen domain's name; NULL: hxen-DOMID */
	uint64_t mem;		/* bytes */
	int cpus;
	bool debug;
	enum xen_mode xen;
	enum console_kind console;
	bool pvh;		/* the kernel is an ELF booted through PVH */
	bool guest_decompress;	/* a bzImage's own decompressor runs */
	int vmlinux_fd;		/* the bzImage's ELF, decompressed (unpack.c), or -1 */
};

struct vm {
	const struct vm_config *cfg;
	int sys_fd;		/* the device: system ioctls */
	int fd;			/* the VM */
	int run_size;		/* KVM_GET_VCPU_MMAP_SIZE */

	uint8_t *ram;		/* cfg->mem bytes, MAP_NORESERVE */
	uint64_t ram_size;
	uint64_t low_size;	/* RAM at GPA 0 */
	uint64_t high_size;	/* RAM at GUEST_HIGH_RAM_START */

	bool xen;		/* HXEN_XEN_ENABLE succeeded: the guest sees Xen */
	uint32_t xen_domid;	/* its Xen domain id */
	uint8_t xen_handle[16];	/* XENVER_guest_handle: its UUID */
	/* XEN_SPECIAL_PAGES pages at GUEST_XEN_SPECIAL (Xen mode), zeroed. */
	uint8_t *xen_pages;

	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, patched per vCPU */
	struct vcpu *vcpus;
	int nr_vcpus;

	/* Changed only while no vCPU runs (device.c); see bus.h for locking. */
	struct io_bus pio_bus;
	struct io_bus mmio_bus;
	struct device *devices;		/* started, in start order */
	int nr_devices;

	/* Protects stop_reason, stop_msg and panicked. */
	pthread_mutex_t stop_lock;
	enum vm_stop_reason stop_reason;
	char stop_msg[160];
	bool panicked;		/* panic seen on the console, stop pending */
	int stop_pipe[2];	/* written once when the VM must stop */
	volatile int stopping;	/* read by vCPU threads before each KVM_RUN */
};

/* vm.c */
int vm_create(struct vm *vm, const struct vm_config *cfg);
void vm_destroy(struct vm *vm);
void *gpa_to_hva(struct vm *vm, uint64_t gpa, uint64_t len);
int vm_irq_line(struct vm *vm, unsigned int irq, int level);
void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void vm_note_panic(struct vm *vm, const char *line);
void die_errno(const char *what);

/*
 * xen.c: HXEN_XEN_ENABLE per cfg->xen, before the vCPUs exist; the e820
 * map for XENMEM_memory_map once the loader has placed everything.
 */
int xen_enable(struct vm *vm);
int xen_set_memory_map(struct vm *vm);
void xen_unmap_pages(struct vm *vm);
/* HXEN_XEN_SET_PARAM of @index (an HVM_PARAM_*) to @value; -1 after an error line. */
int xen_set_param(struct vm *vm, uint32_t index, uint64_t value);
/*
 * A channel between the guest and the launcher (domain 0), as Xen's
 * toolstack makes one: a fresh guest port unbound to domain 0 becomes
 * param @index, bound to two eventfds: *@from_guest is signalled by the
 * guest's sends, writing *@to_guest raises the port. -1 after an error line.
 */
int xen_backend_channel(struct vm *vm, uint32_t index, uint32_t *port, int *from_guest,
			int *to_guest);

/* vcpu.c */
int vcpus_create(struct vm *vm);
int vcpus_start(struct vm *vm);
void vcpus_stop(struct vm *vm);
void vcpus_dump(struct vm *vm);
void vcpus_destroy(struct vm *vm);

/*
 * console.c: the guest's console on stdin/stdout. Devices that take console
 * input register for it; each gets every byte (see console.c). The input
 * functions are called with @lock (the device's) held.
 */
/* Returns how many bytes the device took. */
typedef size_t (*console_input_fn)(void *opaque, const uint8_t *buf, size_t len);
/* Has the guest ever taken input from the device? */
typedef bool (*console_reading_fn)(void *opaque);
int console_init(struct vm *vm);
void console_exit(void);
int console_add_input(const char *name, console_input_fn fn, console_reading_fn reading,
		      void *opaque, pthread_mutex_t *lock);
void console_remove_input(void *opaque);
void console_output(struct vm *vm, uint8_t c);
/* Called from the main loop when stdin is readable; false on Ctrl-A x. */
bool console_poll_input(struct vm *vm);
int console_input_fd(void);
bool console_pending(void);

/* run.c: the `hxen run` subcommand. */
int cmd_run(int argc, char **argv);

#endif /* HXEN_VMM_H */
