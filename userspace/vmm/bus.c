// SPDX-License-Identifier: GPL-2.0
/* The per-VM I/O bus (bus.h): a sorted range table and binary search. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"

void bus_init(struct io_bus *bus, const char *space, uint64_t limit)
{
	memset(bus, 0, sizeof(*bus));
	bus->space = space;
	bus->limit = limit;
}

void bus_destroy(struct io_bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nr = bus->cap = 0;
}

/* Index of the first range whose base is above @addr. */
static int upper_bound(const struct io_bus *bus, uint64_t addr)
{
	int lo = 0, hi = bus->nr;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;

		if (bus->ranges[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void overlap_error(const struct io_bus *bus, uint64_t base, uint64_t len,
			  const char *name, const struct bus_range *r)
{
	fprintf(stderr, "hxen: %s %#llx-%#llx (%s) overlaps %#llx-%#llx (%s)\n", bus->space,
		(unsigned long long)base, (unsigned long long)(base + len - 1), name,
		(unsigned long long)r->base, (unsigned long long)(r->base + r->len - 1),
		r->name);
}

int bus_register(struct io_bus *bus, const struct bus_range *new)
{
	uint64_t base = new->base, len = new->len;
	const char *name = new->name;
	struct bus_range *r;
	int i;

	if (!len || base >= bus->limit || len > bus->limit - base) {
		fprintf(stderr, "hxen: %s %#llx+%#llx (%s): outside the %s space\n", bus->space,
			(unsigned long long)base, (unsigned long long)len, name, bus->space);
		return -1;
	}
	i = upper_bound(bus, base);
	/* The neighbours: the last range starting at or below base, the next one. */
	if (i > 0 && bus->ranges[i - 1].base + bus->ranges[i - 1].len > base) {
		overlap_error(bus, base, len, name, &bus->ranges[i - 1]);
		return -1;
	}
	if (i < bus->nr && bus->ranges[i].base < base + len) {
		overlap_error(bus, base, len, name, &bus->ranges[i]);
		return -1;
	}
	if (bus->nr == bus->cap) {
		int cap = bus->cap ? 2 * bus->cap : 16;

		r = realloc(bus->ranges, cap * sizeof(*r));
		if (!r) {
			fprintf(stderr, "hxen: %s (%s): out of memory\n", bus->space, name);
			return -1;
		}
		bus->ranges = r;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i], (bus->nr - i) * sizeof(*r));
	bus->ranges[i] = *new;
	bus->nr++;
	return 0;
}

void bus_unregister(struct io_bus *bus, const void *owner)
{
	int i, n = 0;

	for (i = 0; i < bus->nr; i++)
		if (bus->ranges[i].owner != owner)
			bus->ranges[n++] = bus->ranges[i];
	bus->nr = n;
}

const struct bus_range *bus_find(const struct io_bus *bus, uint64_t addr, unsigned int len)
{
	int i = upper_bound(bus, addr);
	const struct bus_range *r;

	if (i == 0)
		return NULL;
	r = &bus->ranges[i - 1];
	/* addr >= r->base here; the access must end inside the range too. */
	if (addr - r->base >= r->len || len > r->len - (addr - r->base))
		return NULL;
	return r;
}

bool bus_access(const struct io_bus *bus, uint64_t addr, void *data, unsigned int len,
		bool write)
{
	const struct bus_range *r = bus_find(bus, addr, len);

	if (!r) {
		if (!write)
			memset(data, 0xff, len);
		return false;
	}
	if (r->lock)
		pthread_mutex_lock(r->lock);
	if (write)
		r->ops->write(r->opaque, addr - r->base, data, len);
	else
		r->ops->read(r->opaque, addr - r->base, data, len);
	if (r->lock)
		pthread_mutex_unlock(r->lock);
	return true;
}
