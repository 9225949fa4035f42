// SPDX-License-Identifier: GPL-2.0
/*
 * Port I/O and MMIO dispatch to the devices that registered a range, and
 * the device list itself. What nobody claims behaves like an empty bus:
 * reads return all ones, writes vanish (traced with --debug).
 */
#include <stdio.h>
#include <string.h>

#include "vmm.h"

#define MAX_RANGES 32

struct io_range {
	uint64_t base;
	uint64_t len;
	bool mmio;
	const struct io_handler *h;
	void *opaque;
};

pthread_mutex_t io_lock = PTHREAD_MUTEX_INITIALIZER;

/* Written only by devices_init() before any vCPU runs; read-only after. */
static struct io_range ranges[MAX_RANGES];
static int nr_ranges;
static struct device_init *devices;
static struct device_init **devices_tail = &devices;

void device_register(struct device_init *d)
{
	*devices_tail = d;
	devices_tail = &d->next;
}

int devices_init(struct vm *vm)
{
	struct device_init *d;

	for (d = devices; d; d = d->next) {
		if (d->init(vm)) {
			fprintf(stderr, "hxen: device %s: setup failed\n", d->name);
			return -1;
		}
	}
	return 0;
}

void io_reset(void)
{
	nr_ranges = 0;
}

static int io_register(uint64_t base, uint64_t len, bool mmio, const struct io_handler *h,
		       void *opaque)
{
	int i;

	for (i = 0; i < nr_ranges; i++) {
		struct io_range *r = &ranges[i];

		if (r->mmio == mmio && base < r->base + r->len && r->base < base + len) {
			fprintf(stderr, "hxen: %s overlaps %s\n", h->name, r->h->name);
			return -1;
		}
	}
	if (nr_ranges == MAX_RANGES) {
		fprintf(stderr, "hxen: too many I/O ranges (%s)\n", h->name);
		return -1;
	}
	ranges[nr_ranges++] = (struct io_range){ base, len, mmio, h, opaque };
	return 0;
}

int io_register_pio(uint16_t base, uint16_t len, const struct io_handler *h, void *opaque)
{
	return io_register(base, len, false, h, opaque);
}

int io_register_mmio(uint64_t base, uint64_t len, const struct io_handler *h, void *opaque)
{
	return io_register(base, len, true, h, opaque);
}

static struct io_range *find(uint64_t addr, unsigned int len, bool mmio)
{
	int i;

	for (i = 0; i < nr_ranges; i++) {
		struct io_range *r = &ranges[i];

		if (r->mmio == mmio && addr >= r->base && addr + len <= r->base + r->len)
			return r;
	}
	return NULL;
}

static void dispatch(struct vm *vm, uint64_t addr, void *data, unsigned int len, bool write,
		     bool mmio)
{
	struct io_range *r = find(addr, len, mmio);

	if (!r) {
		if (!write)
			memset(data, 0xff, len);
		if (vm->cfg->debug) {
			uint64_t v = 0;

			memcpy(&v, data, len < sizeof(v) ? len : sizeof(v));
			fprintf(stderr, "hxen: unclaimed %s %s %#llx/%u%s%#llx\n",
				mmio ? "mmio" : "port", write ? "write" : "read",
				(unsigned long long)addr, len, write ? " <- " : " -> ",
				(unsigned long long)v);
		}
		return;
	}
	pthread_mutex_lock(&io_lock);
	if (write)
		r->h->write(r->opaque, addr - r->base, data, len);
	else
		r->h->read(r->opaque, addr - r->base, data, len);
	pthread_mutex_unlock(&io_lock);
}

void io_pio(struct vm *vm, uint16_t port, void *data, unsigned int len, bool write)
{
	dispatch(vm, port, data, len, write, false);
}

void io_mmio(struct vm *vm, uint64_t addr, void *data, unsigned int len, bool write)
{
	dispatch(vm, addr, data, len, write, true);
}
