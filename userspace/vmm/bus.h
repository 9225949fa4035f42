/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A per-VM I/O bus: the address ranges devices claim in one address space
 * (the VM has one for port I/O and one for MMIO), sorted by base, looked
 * up by binary search.
 *
 * Locking: the range table changes only while no vCPU runs (device init
 * before the vCPUs start, teardown after they stopped), so lookups take no
 * lock. Each range carries the lock of the device that owns it, taken
 * around the device's handler: a device serializes its own accesses (and
 * its console input, which takes the same lock) but never another
 * device's. A console UART blocked writing to a slow stdout then does not
 * stall the vCPU that reads the RTC or powers off through ACPI, which one
 * lock for every device would.
 */
#ifndef HXEN_BUS_H
#define HXEN_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/*
 * A device's handlers for one range: @off is relative to the range's base,
 * @data is @len bytes, little-endian. Called with the range's lock held.
 */
struct io_ops {
	void (*read)(void *opaque, uint64_t off, void *data, unsigned int len);
	void (*write)(void *opaque, uint64_t off, const void *data, unsigned int len);
};

struct bus_range {
	uint64_t base;
	uint64_t len;
	const char *name;		/* "device: range" in messages */
	const struct io_ops *ops;
	void *opaque;
	pthread_mutex_t *lock;		/* the owner's; NULL: the handlers need none */
	const void *owner;		/* for bus_unregister() */
};

struct io_bus {
	const char *space;		/* "port" or "mmio", in messages */
	uint64_t limit;			/* one past the highest address */
	struct bus_range *ranges;	/* sorted by base, never overlapping */
	int nr, cap;
};

void bus_init(struct io_bus *bus, const char *space, uint64_t limit);
void bus_destroy(struct io_bus *bus);
/*
 * Claims [@r->base, @r->base + @r->len) for @r->ops; -1 after a one-line
 * error if it is empty, past the bus's limit, or overlaps a range already
 * claimed (the message names both).
 */
int bus_register(struct io_bus *bus, const struct bus_range *r);
/* Removes every range of @owner. */
void bus_unregister(struct io_bus *bus, const void *owner);
/* The range holding all of [@addr, @addr + @len), or NULL. */
const struct bus_range *bus_find(const struct io_bus *bus, uint64_t addr, unsigned int len);
/*
 * One access. False if no range holds it: then a read returns all ones and
 * a write is dropped, as on an empty bus.
 */
bool bus_access(const struct io_bus *bus, uint64_t addr, void *data, unsigned int len,
		bool write);

#endif /* HXEN_BUS_H */
