/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The device registry. A device is a struct device_desc: its name, when it
 * starts (order), the bus ranges and IRQ it owns, what the ACPI tables
 * announce about it (platform/), and its life cycle: init(), exit() (frees
 * what init made: at VM teardown, so also before a --reboot starts the
 * next one), save() and load() of its guest-visible state.
 *
 * devices_init() starts a list of them on a VM in ascending order (ties in
 * list order), registers their ranges on the VM's buses, and
 * devices_exit() undoes it in reverse. The list `hxen run` boots is the
 * machine's (platform/machine.c).
 */
#ifndef HXEN_DEVICE_H
#define HXEN_DEVICE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "stream.h"

struct vm;
struct platform_fact;

/* Start order: lower first. */
enum device_order {
	DEV_ORDER_CHIPSET = 0,		/* PCI host, ACPI PM, RTC, i8042, POST */
	/*
	 * Consoles: console input reaches them in this order (vmm/console.c),
	 * the UART before the Xen console.
	 */
	DEV_ORDER_CONSOLE = 10,
	DEV_ORDER_PV_CONSOLE = 20,
	/* Xen backends (xen/backend.h) that look at the consoles' state. */
	DEV_ORDER_PV_BACKEND = 30,
};

/* One range a device claims on the port I/O or MMIO bus. */
struct dev_io {
	const char *name;		/* "serial (COM1)" */
	bool mmio;
	uint64_t base;
	uint64_t len;
	const struct io_ops *ops;	/* called with the device's lock held */
};

#define DEV_NAME_MAX	32

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

struct device;

struct device_desc {
	const char *name;		/* unique, < DEV_NAME_MAX: its state's section */
	enum device_order order;
	const struct dev_io *io;
	unsigned int nr_io;
	unsigned int irq;		/* the ISA IRQ it drives; 0: none */
	const struct platform_fact *facts;	/* what ACPI announces (platform.h) */
	unsigned int nr_facts;
	/* NULL: always present; else whether this VM has the device. */
	bool (*present)(struct vm *vm);
	/* Sets dev->state; -1 after a one-line error. */
	int (*init)(struct device *dev);
	/* Frees what init made (its ranges leave the bus without it). */
	void (*exit)(struct device *dev);
	/*
	 * Guest-visible state, format @version (both NULL: the device has
	 * none). load() gets a window holding exactly the device's section;
	 * it checks every field, changes nothing unless all of it is valid,
	 * and returns -1 after a one-line error. Both run with the device's
	 * lock held.
	 */
	uint32_t version;
	void (*save)(struct device *dev, struct stream *out);
	int (*load)(struct device *dev, struct stream *in, uint32_t version);
};

struct device {
	const struct device_desc *desc;
	struct vm *vm;
	void *state;			/* the device's own, from init */
	/*
	 * Serializes the device: its I/O handlers (the bus takes it), its
	 * console input (console.c takes it), save and load. Taken before
	 * the console's output lock and the VM's stop_lock, never while
	 * holding another device's.
	 */
	pthread_mutex_t lock;
};

/*
 * Sets up the VM's buses and starts the present devices of @list; on
 * failure what started is stopped again. -1 after a one-line error.
 */
int devices_init(struct vm *vm, const struct device_desc *const *list, size_t n);
/* Stops them in reverse order (no vCPU may be running); idempotent. */
void devices_exit(struct vm *vm);
/* The started device named @name, or NULL. */
struct device *device_find(struct vm *vm, const char *name);

/*
 * The devices' state as one stream: "HXDS", format version, section count,
 * then per device with state: name length, name, version, payload length,
 * payload (little-endian). Returns -1 if the stream could not be written.
 */
int devices_save(struct vm *vm, struct stream *out);
/*
 * Loads what devices_save() wrote into the VM's devices (the same list,
 * started, no vCPU running). Every section must name a device with state,
 * each once, and cover all of them. A bad stream is -1 after a one-line
 * error, with every device's state as it was before the call.
 */
int devices_load(struct vm *vm, struct stream *in);

#endif /* HXEN_DEVICE_H */
