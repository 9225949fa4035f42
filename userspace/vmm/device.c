// SPDX-License-Identifier: GPL-2.0
/* The device registry (device.h): start order, teardown, state streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm.h"

#define STATE_MAGIC		"HXDS"
#define STATE_FORMAT		1
#define MAX_DEVICES		64

/* Port I/O: 64 KiB of ports. MMIO: x86's 52-bit physical address space. */
#define PIO_LIMIT		0x10000ULL
#define MMIO_LIMIT		(1ULL << 52)

static struct io_bus *bus_of(struct vm *vm, const struct dev_io *io)
{
	return io->mmio ? &vm->mmio_bus : &vm->pio_bus;
}

static void device_stop(struct device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->desc->nr_io; i++)
		bus_unregister(bus_of(dev->vm, &dev->desc->io[i]), dev);
	if (dev->desc->exit)
		dev->desc->exit(dev);
	dev->state = NULL;
	pthread_mutex_destroy(&dev->lock);
}

static int device_start(struct vm *vm, struct device *dev, const struct device_desc *d)
{
	unsigned int i;

	memset(dev, 0, sizeof(*dev));
	dev->desc = d;
	dev->vm = vm;
	pthread_mutex_init(&dev->lock, NULL);
	if (d->init && d->init(dev)) {
		fprintf(stderr, "hxen: device %s: setup failed\n", d->name);
		pthread_mutex_destroy(&dev->lock);
		return -1;
	}
	for (i = 0; i < d->nr_io; i++) {
		const struct dev_io *io = &d->io[i];
		struct bus_range r = {
			.base = io->base, .len = io->len, .name = io->name, .ops = io->ops,
			.opaque = dev->state, .lock = &dev->lock, .owner = dev,
		};

		if (bus_register(bus_of(vm, io), &r)) {
			device_stop(dev);
			return -1;
		}
	}
	return 0;
}

/* Stable: equal orders keep their list order. */
static void sort_by_order(const struct device_desc **d, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		const struct device_desc *x = d[i];

		for (j = i; j > 0 && d[j - 1]->order > x->order; j--)
			d[j] = d[j - 1];
		d[j] = x;
	}
}

int devices_init(struct vm *vm, const struct device_desc *const *list, size_t n)
{
	const struct device_desc *sorted[MAX_DEVICES];
	size_t i;

	bus_init(&vm->pio_bus, "port", PIO_LIMIT);
	bus_init(&vm->mmio_bus, "mmio", MMIO_LIMIT);
	vm->nr_devices = 0;
	if (n > MAX_DEVICES) {
		fprintf(stderr, "hxen: %zu devices, at most %d\n", n, MAX_DEVICES);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (strlen(list[i]->name) >= DEV_NAME_MAX) {
			fprintf(stderr, "hxen: device name %s too long\n", list[i]->name);
			return -1;
		}
		sorted[i] = list[i];
	}
	sort_by_order(sorted, n);
	vm->devices = calloc(n ? n : 1, sizeof(*vm->devices));
	if (!vm->devices) {
		fprintf(stderr, "hxen: devices: out of memory\n");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (sorted[i]->present && !sorted[i]->present(vm))
			continue;
		if (device_find(vm, sorted[i]->name)) {
			fprintf(stderr, "hxen: device %s listed twice\n", sorted[i]->name);
			devices_exit(vm);
			return -1;
		}
		if (device_start(vm, &vm->devices[vm->nr_devices], sorted[i])) {
			devices_exit(vm);
			return -1;
		}
		vm->nr_devices++;
	}
	return 0;
}

void devices_exit(struct vm *vm)
{
	while (vm->nr_devices > 0)
		device_stop(&vm->devices[--vm->nr_devices]);
	free(vm->devices);
	vm->devices = NULL;
	bus_destroy(&vm->pio_bus);
	bus_destroy(&vm->mmio_bus);
}

struct device *device_find(struct vm *vm, const char *name)
{
	int i;

	for (i = 0; i < vm->nr_devices; i++)
		if (!strcmp(vm->devices[i].desc->name, name))
			return &vm->devices[i];
	return NULL;
}

static bool has_state(const struct device *dev)
{
	return dev->desc->save && dev->desc->load;
}

int devices_save(struct vm *vm, struct stream *out)
{
	uint32_t count = 0;
	int i;

	for (i = 0; i < vm->nr_devices; i++)
		count += has_state(&vm->devices[i]);
	stream_put(out, STATE_MAGIC, 4);
	stream_put_u32(out, STATE_FORMAT);
	stream_put_u32(out, count);
	for (i = 0; i < vm->nr_devices; i++) {
		struct device *dev = &vm->devices[i];
		size_t name_len = strlen(dev->desc->name), at;

		if (!has_state(dev))
			continue;
		stream_put_u8(out, name_len);
		stream_put(out, dev->desc->name, name_len);
		stream_put_u32(out, dev->desc->version);
		at = out->len;
		stream_put_u32(out, 0);
		pthread_mutex_lock(&dev->lock);
		dev->desc->save(dev, out);
		pthread_mutex_unlock(&dev->lock);
		if (!out->error)
			stream_patch_u32(out, at, out->len - at - 4);
	}
	if (out->error) {
		fprintf(stderr, "hxen: device state: out of memory\n");
		return -1;
	}
	return 0;
}

/* Each section of @in into its device; -1 at the first bad one. */
static int load_sections(struct vm *vm, struct stream *in)
{
	bool loaded[MAX_DEVICES] = { false };
	char magic[4], name[DEV_NAME_MAX];
	uint32_t format, count, n, version, len;
	struct device *dev;
	struct stream sub;
	uint8_t name_len;
	int i, with_state = 0, ret;

	stream_get(in, magic, 4);
	format = stream_get_u32(in);
	count = stream_get_u32(in);
	if (in->error || memcmp(magic, STATE_MAGIC, 4)) {
		fprintf(stderr, "hxen: device state: not a device state stream\n");
		return -1;
	}
	if (format != STATE_FORMAT) {
		fprintf(stderr, "hxen: device state: format %u, this hxen reads %u\n", format,
			STATE_FORMAT);
		return -1;
	}
	for (i = 0; i < vm->nr_devices; i++)
		with_state += has_state(&vm->devices[i]);
	if (count != (uint32_t)with_state) {
		fprintf(stderr, "hxen: device state: %u sections for %d devices with state\n",
			count, with_state);
		return -1;
	}
	for (n = 0; n < count; n++) {
		name_len = stream_get_u8(in);
		if (in->error || !name_len || name_len >= DEV_NAME_MAX) {
			fprintf(stderr, "hxen: device state: section %u: bad name\n", n);
			return -1;
		}
		stream_get(in, name, name_len);
		name[name_len] = 0;
		version = stream_get_u32(in);
		len = stream_get_u32(in);
		stream_sub(in, len, &sub);
		if (in->error || memchr(name, 0, name_len)) {
			fprintf(stderr, "hxen: device state: section %u: truncated\n", n);
			return -1;
		}
		dev = device_find(vm, name);
		if (!dev || !has_state(dev)) {
			fprintf(stderr, "hxen: device state: no device %s here\n", name);
			return -1;
		}
		if (loaded[dev - vm->devices]) {
			fprintf(stderr, "hxen: device state: %s twice\n", name);
			return -1;
		}
		loaded[dev - vm->devices] = true;
		if (version != dev->desc->version) {
			fprintf(stderr, "hxen: device state: %s version %u, this hxen reads %u\n",
				name, version, dev->desc->version);
			return -1;
		}
		pthread_mutex_lock(&dev->lock);
		ret = dev->desc->load(dev, &sub, version);
		pthread_mutex_unlock(&dev->lock);
		if (ret)
			return -1;
		if (stream_left(&sub)) {
			fprintf(stderr, "hxen: device state: %s: %zu bytes too many\n", name,
				stream_left(&sub));
			return -1;
		}
	}
	if (stream_left(in)) {
		fprintf(stderr, "hxen: device state: %zu bytes after the last section\n",
			stream_left(in));
		return -1;
	}
	return 0;
}

int devices_load(struct vm *vm, struct stream *in)
{
	struct stream backup, old;
	int ret;

	/* What to put back if the stream turns out bad halfway. */
	stream_init(&backup);
	if (devices_save(vm, &backup))
		return -1;
	ret = load_sections(vm, in);
	if (ret) {
		stream_open(&old, backup.buf, backup.len);
		if (load_sections(vm, &old))
			fprintf(stderr, "hxen: device state: cannot restore the previous state\n");
	}
	stream_free(&backup);
	return ret;
}
