// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's I/O bus, device registry and device state streams
 * (userspace/vmm/bus.c, device.c, stream.c) with the machine's devices
 * (userspace/devices/, platform/machine.c) on a VM without a hypervisor:
 * a struct vm with no file descriptors, and fakes for what the devices
 * call outside themselves (IRQ lines, the console, stopping the VM).
 *
 * Overlapping ranges are refused, lookups agree with a linear scan, port
 * I/O drives the devices, their state saved and loaded into fresh
 * instances behaves the same, and malformed streams (truncated, corrupted,
 * crafted) are refused without a crash (built with ASan/UBSan) and leave
 * the devices as they were.
 */
#define _GNU_SOURCE	/* the xenstore code (asprintf, strchrnul) */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/bus.c"
#include "vmm/stream.c"
#include "vmm/device.c"
#include "devices/acpi_pm.c"
#include "devices/i8042.c"
#include "devices/pci.c"
#include "devices/post.c"
#include "devices/rtc.c"
#include "devices/serial.c"
#include "devices/xen_console.c"
#include "xen/xenstore.c"
#include "xen/xs_txn.c"
#include "xen/xs_watch.c"
#include "xen/xs_ops.c"
#include "xen/xs_ring.c"
#include "xen/xs_domain.c"
#include "xen/cons_ring.c"
#include "xen/backend.c"
#include "xen/pv_console.c"
#include "xen/store_backend.c"
#include "platform/machine.c"

#include "check.h"

/* The fakes. */
static enum vm_stop_reason last_stop;
static int irq_levels[16];
static char console_out[4096];
static size_t console_out_len;

static struct {
	console_input_fn fn;
	void *opaque;
	pthread_mutex_t *lock;
} inputs_seen[4];
static int nr_inputs_seen;

void vm_stop(struct vm *vm, enum vm_stop_reason why, const char *fmt, ...)
{
	(void)vm;
	(void)fmt;
	last_stop = why;
}

int vm_irq_line(struct vm *vm, unsigned int irq, int level)
{
	(void)vm;
	if (irq < 16)
		irq_levels[irq] = level;
	return 0;
}

void console_output(struct vm *vm, uint8_t c)
{
	(void)vm;
	if (console_out_len < sizeof(console_out))
		console_out[console_out_len++] = c;
}

int console_add_input(const char *name, console_input_fn fn, console_reading_fn reading,
		      void *opaque, pthread_mutex_t *lock)
{
	(void)name;
	(void)reading;
	if (nr_inputs_seen == 4)
		return -1;
	inputs_seen[nr_inputs_seen].fn = fn;
	inputs_seen[nr_inputs_seen].opaque = opaque;
	inputs_seen[nr_inputs_seen].lock = lock;
	nr_inputs_seen++;
	return 0;
}

void console_remove_input(void *opaque)
{
	int i, n = 0;

	for (i = 0; i < nr_inputs_seen; i++)
		if (inputs_seen[i].opaque != opaque)
			inputs_seen[n++] = inputs_seen[i];
	nr_inputs_seen = n;
}

void die_errno(const char *what)
{
	(void)what;
}

/* vmm/xen.c: the Xen backends are not present without vm->xen. */
int xen_set_param(struct vm *vm, uint32_t index, uint64_t value)
{
	(void)vm;
	(void)index;
	(void)value;
	return -1;
}

int xen_backend_channel(struct vm *vm, uint32_t index, uint32_t *port, int *from_guest,
			int *to_guest)
{
	(void)vm;
	(void)index;
	(void)port;
	*from_guest = *to_guest = -1;
	return -1;
}

/* The one-line errors of thousands of refused streams, not shown. */
static int saved_stderr = -1;

static void quiet(void)
{
	int fd = open("/dev/null", O_WRONLY);

	fflush(stderr);
	saved_stderr = dup(2);
	dup2(fd, 2);
	close(fd);
}

static void loud(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
}

/* A VM with devices and nothing else. */
static struct vm_config test_cfg;

static int fake_vm(struct vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = &test_cfg;
	vm->fd = vm->sys_fd = -1;
	return devices_init(vm, machine_devices, nr_machine_devices);
}

static void outb(struct vm *vm, uint16_t port, uint8_t v)
{
	bus_access(&vm->pio_bus, port, &v, 1, true);
}

static uint8_t inb(struct vm *vm, uint16_t port)
{
	uint8_t v;

	bus_access(&vm->pio_bus, port, &v, 1, false);
	return v;
}

static void outw(struct vm *vm, uint16_t port, uint16_t v)
{
	bus_access(&vm->pio_bus, port, &v, 2, true);
}

static uint16_t inw(struct vm *vm, uint16_t port)
{
	uint16_t v;

	bus_access(&vm->pio_bus, port, &v, 2, false);
	return v;
}

static void outl(struct vm *vm, uint16_t port, uint32_t v)
{
	bus_access(&vm->pio_bus, port, &v, 4, true);
}

static uint32_t inl(struct vm *vm, uint16_t port)
{
	uint32_t v;

	bus_access(&vm->pio_bus, port, &v, 4, false);
	return v;
}

static void nop_rw(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
}

static void nop_w(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)len;
}

static const struct io_ops nop_ops = { .read = nop_rw, .write = nop_w };

static int reg(struct io_bus *b, uint64_t base, uint64_t len, const char *name, int owner)
{
	struct bus_range r = {
		.base = base, .len = len, .name = name, .ops = &nop_ops,
		.owner = (void *)(uintptr_t)owner,
	};

	return bus_register(b, &r);
}

static void test_bus_overlap(void)
{
	struct io_bus b;

	bus_init(&b, "port", 0x10000);
	check(reg(&b, 0x10, 8, "a", 1) == 0, "bus: first range");
	check(reg(&b, 0x14, 8, "b", 2) == -1, "bus: overlap at the end refused");
	check(reg(&b, 0x08, 9, "c", 2) == -1, "bus: overlap at the start refused");
	check(reg(&b, 0x12, 1, "d", 2) == -1, "bus: range inside refused");
	check(reg(&b, 0x00, 0x100, "e", 2) == -1, "bus: range around refused");
	check(reg(&b, 0x18, 8, "f", 2) == 0, "bus: adjacent above accepted");
	check(reg(&b, 0x08, 8, "g", 3) == 0, "bus: adjacent below accepted");
	check(reg(&b, 0x40, 0, "h", 3) == -1, "bus: empty range refused");
	check(reg(&b, 0xfffe, 4, "i", 3) == -1, "bus: range past the limit refused");
	check(reg(&b, 0xfffc, 4, "j", 3) == 0, "bus: range up to the limit accepted");
	check(b.nr == 4, "bus: four ranges");
	check(bus_find(&b, 0x10, 4) && !strcmp(bus_find(&b, 0x10, 4)->name, "a"),
	      "bus: lookup finds a");
	check(bus_find(&b, 0x16, 4) == NULL, "bus: access across two ranges unclaimed");
	check(bus_find(&b, 0x07, 1) == NULL, "bus: below all unclaimed");
	check(bus_find(&b, 0x1f, 1) && !strcmp(bus_find(&b, 0x1f, 1)->name, "f"),
	      "bus: last byte of f");
	bus_unregister(&b, (void *)2);
	check(b.nr == 3 && bus_find(&b, 0x18, 1) == NULL, "bus: unregister by owner");
	check(reg(&b, 0x14, 8, "b", 2) == -1 && reg(&b, 0x18, 8, "b", 2) == 0,
	      "bus: freed range reusable");
	bus_destroy(&b);
}

/* Random ranges: lookups agree with a linear scan over what was accepted. */
static void test_bus_random(void)
{
	uint64_t base[200], len[200];
	int n = 0, i, bad = 0, refused_ok = 1;
	struct io_bus b;

	srand(14);
	bus_init(&b, "mmio", 1ULL << 20);
	for (i = 0; i < 400; i++) {
		uint64_t ba = rand() % 0x10000, l = 1 + rand() % 64;
		bool overlaps = false;
		int j;

		for (j = 0; j < n; j++)
			overlaps |= ba < base[j] + len[j] && base[j] < ba + l;
		if (reg(&b, ba, l, "r", i) != (overlaps ? -1 : 0))
			refused_ok = 0;
		if (!overlaps && n < 200) {
			base[n] = ba;
			len[n++] = l;
		} else if (!overlaps) {
			bus_unregister(&b, (void *)(uintptr_t)i);
		}
	}
	check(refused_ok, "bus: random ranges refused exactly when they overlap");
	for (i = 0; i < 20000; i++) {
		uint64_t a = rand() % 0x10100;
		unsigned int l = 1 << (rand() % 4);
		const struct bus_range *r = bus_find(&b, a, l);
		const struct bus_range *want = NULL;
		int j;

		for (j = 0; j < n; j++)
			if (a >= base[j] && a + l <= base[j] + len[j])
				want = (const struct bus_range *)&base[j];
		if (!!r != !!want || (r && (a < r->base || a + l > r->base + r->len)))
			bad++;
	}
	check(!bad, "bus: lookups agree with a linear scan");
	bus_destroy(&b);
}

static void test_registry(void)
{
	static const struct dev_io clash_io[] = {
		{ .name = "clash", .base = 0x3fc, .len = 2, .ops = &nop_ops },
	};
	static const struct device_desc clash = {
		.name = "clash", .order = DEV_ORDER_CHIPSET, .io = clash_io, .nr_io = 1,
	};
	const struct device_desc *list[] = { &serial_device, &rtc_device, &clash };
	const struct device_desc *twice[] = { &rtc_device, &rtc_device };
	struct platform_fact f;
	struct vm vm;
	int i, ok;

	check(fake_vm(&vm) == 0, "registry: the machine starts without a hypervisor");
	check(vm.nr_devices == 6 && !device_find(&vm, "xen-console"),
	      "registry: six devices, no Xen console without Xen");
	ok = 1;
	for (i = 1; i < vm.nr_devices; i++)
		ok &= vm.devices[i - 1].desc->order <= vm.devices[i].desc->order;
	check(ok && !strcmp(vm.devices[vm.nr_devices - 1].desc->name, "serial"),
	      "registry: started in order, the console last");
	check(nr_inputs_seen == 1, "registry: the UART takes console input");
	/* Every port block ACPI announces is claimed on the bus by its device. */
	ok = platform_fact(FACT_PM1A_EVT_BLK, &f) && bus_find(&vm.pio_bus, f.value, f.len);
	ok &= platform_fact(FACT_PM1A_CNT_BLK, &f) && bus_find(&vm.pio_bus, f.value, f.len);
	ok &= platform_fact(FACT_RESET_REG, &f) && bus_find(&vm.pio_bus, f.value, f.len);
	ok &= platform_fact(FACT_SCI_IRQ, &f) && f.value == acpi_pm_device.irq;
	check(ok, "registry: ACPI's port blocks are on the bus, the SCI is the PM's IRQ");
	check(!platform_fact(FACT_NONE, &f), "registry: no fact for FACT_NONE");
	devices_exit(&vm);
	check(vm.pio_bus.nr == 0 && nr_inputs_seen == 0 && vm.nr_devices == 0,
	      "registry: exit empties the bus and the console inputs");
	check(fake_vm(&vm) == 0 && vm.nr_devices == 6, "registry: starts again (reboot)");
	devices_exit(&vm);
	devices_exit(&vm);
	check(vm.nr_devices == 0, "registry: exit twice is harmless");

	memset(&vm, 0, sizeof(vm));
	vm.cfg = &test_cfg;
	check(devices_init(&vm, list, 3) == -1 && vm.nr_devices == 0 && nr_inputs_seen == 0 &&
	      vm.devices == NULL, "registry: overlapping device refused, the others stopped");
	check(devices_init(&vm, twice, 2) == -1 && vm.nr_devices == 0,
	      "registry: a device listed twice refused");
}

/* Puts every stateful device into a state that is not its reset state. */
static void drive(struct vm *vm)
{
	struct device *ser = device_find(vm, "serial");
	static const uint8_t in[] = "typed";
	int i;

	/* 16550A: divisor, scratch, FIFO, interrupts, loopback bytes, input. */
	outb(vm, 0x3fb, 0x83);
	outb(vm, 0x3f8, 0x01);
	outb(vm, 0x3f9, 0x00);
	outb(vm, 0x3fb, 0x03);
	outb(vm, 0x3ff, 0x5a);
	outb(vm, 0x3fa, 0x07);
	outb(vm, 0x3f9, 0x01);		/* RX data interrupt */
	outb(vm, 0x3fc, 0x1b);		/* loopback, RTS, DTR, OUT2 */
	for (i = 0; i < 5; i++)
		outb(vm, 0x3f8, 'a' + i);
	(void)inb(vm, 0x3f8);		/* takes 'a' */
	outb(vm, 0x3fc, 0x0b);		/* loopback off */
	pthread_mutex_lock(&ser->lock);
	inputs_seen[0].fn(inputs_seen[0].opaque, in, 5);
	pthread_mutex_unlock(&ser->lock);
	/* RTC: register B binary, a few CMOS bytes, the index left at 0x20. */
	outb(vm, 0x70, 0x0b);
	outb(vm, 0x71, 0x06);
	for (i = 0x10; i < 0x30; i++) {
		outb(vm, 0x70, i);
		outb(vm, 0x71, i * 7);
	}
	outb(vm, 0x70, 0x20);
	/* PCI: a config address. ACPI PM: PM1_EN, SLP_TYP 3 without SLP_EN. */
	outl(vm, 0xcf8, 0x80001234);
	outw(vm, 0x602, 0x0121);
	outw(vm, 0x604, 0x0c01);
}

/* What the guest reads back, in a fixed order (reads have side effects). */
static void observe(struct vm *vm, uint8_t *out, size_t *n)
{
	uint32_t v32;
	uint16_t v16;
	int i;

	*n = 0;
	out[(*n)++] = inb(vm, 0x71);		/* CMOS[0x20] through the saved index */
	for (i = 0x0a; i < 0x30; i++) {
		if (i == 0x0c || i == 0x0d)
			continue;
		outb(vm, 0x70, i);
		out[(*n)++] = inb(vm, 0x71);
	}
	out[(*n)++] = inb(vm, 0x3f9);		/* IER */
	out[(*n)++] = inb(vm, 0x3fb);		/* LCR */
	out[(*n)++] = inb(vm, 0x3fc);		/* MCR */
	out[(*n)++] = inb(vm, 0x3fe);		/* MSR */
	out[(*n)++] = inb(vm, 0x3ff);		/* SCR */
	out[(*n)++] = irq_levels[4];
	for (i = 0; i < 12; i++) {
		out[(*n)++] = inb(vm, 0x3fa);	/* IIR */
		out[(*n)++] = inb(vm, 0x3fd);	/* LSR */
		out[(*n)++] = inb(vm, 0x3f8);	/* RBR */
	}
	out[(*n)++] = irq_levels[4];
	outb(vm, 0x3fb, 0x83);
	out[(*n)++] = inb(vm, 0x3f8);		/* DLL */
	out[(*n)++] = inb(vm, 0x3f9);		/* DLM */
	outb(vm, 0x3fb, 0x03);
	v32 = inl(vm, 0xcf8);
	memcpy(out + *n, &v32, 4);
	*n += 4;
	for (i = 0; i < 3; i++) {
		v16 = inw(vm, 0x600 + 2 * i);
		memcpy(out + *n, &v16, 2);
		*n += 2;
	}
	out[(*n)++] = inb(vm, 0x64);
	out[(*n)++] = inb(vm, 0x80);
}

static void test_save_load(void)
{
	uint8_t a[256], b[256];
	struct stream s, s2, in;
	struct vm v1, v2;
	size_t na, nb;

	fake_vm(&v1);
	drive(&v1);
	stream_init(&s);
	check(devices_save(&v1, &s) == 0 && s.len > 12, "save: the machine's state");

	/* The same stream loaded into fresh devices, then both observed. */
	nr_inputs_seen = 0;
	fake_vm(&v2);
	irq_levels[4] = 0;
	stream_open(&in, s.buf, s.len);
	check(devices_load(&v2, &in) == 0, "load: into a fresh machine");
	check(irq_levels[4] == 1, "load: the UART's pending interrupt raises IRQ 4");
	stream_init(&s2);
	devices_save(&v2, &s2);
	check(s2.len == s.len && !memcmp(s.buf, s2.buf, s.len),
	      "load: saving again gives the same stream");
	stream_free(&s2);
	/* The fake IRQ lines are shared: each VM starts from its own. */
	irq_levels[4] = 1;
	observe(&v1, a, &na);
	irq_levels[4] = 1;
	observe(&v2, b, &nb);

	check(na == nb && !memcmp(a, b, na), "load: the loaded devices behave the same");
	check(a[0] == (uint8_t)(0x20 * 7), "load: CMOS byte through the saved index");
	check(memchr(a, 'b', na) && memchr(a, 'e', na) && memchr(a, 't', na) &&
	      memchr(a, 'd', na),
	      "observe: loopback bytes and console input come out of the FIFO");

	devices_exit(&v1);
	devices_exit(&v2);
	stream_free(&s);
}

/* A saved stream with one change, loaded into a started machine. */
static int load_bytes(struct vm *vm, const uint8_t *buf, size_t len)
{
	struct stream in;

	stream_open(&in, buf, len);
	return devices_load(vm, &in);
}

static bool same_state(struct vm *vm, const struct stream *want)
{
	struct stream now;
	bool same;

	stream_init(&now);
	devices_save(vm, &now);
	same = now.len == want->len && !memcmp(now.buf, want->buf, now.len);
	stream_free(&now);
	return same;
}

/* Offset of @name's section payload length field in @s. */
static size_t section_len_at(const struct stream *s, const char *name)
{
	size_t pos = 12, n = strlen(name);

	while (pos < s->len) {
		uint8_t nl = s->buf[pos];
		uint32_t len;

		memcpy(&len, s->buf + pos + 1 + nl + 4, 4);
		if (nl == n && !memcmp(s->buf + pos + 1, name, n))
			return pos + 1 + nl + 4;
		pos += 1 + nl + 8 + len;
	}
	return 0;
}

static void test_malformed(void)
{
	struct stream good, before;
	uint8_t *buf;
	size_t i, at;
	int bad, j;
	struct vm vm, other;

	fake_vm(&other);
	drive(&other);
	stream_init(&good);
	devices_save(&other, &good);
	devices_exit(&other);

	fake_vm(&vm);
	stream_init(&before);
	devices_save(&vm, &before);
	buf = malloc(good.len + 16);

	quiet();
	for (i = 0, bad = 0; i < good.len; i++)
		bad += load_bytes(&vm, good.buf, i) != -1;
	loud();
	check(!bad, "malformed: every truncation refused");
	check(same_state(&vm, &before), "malformed: refused loads changed nothing");

	memcpy(buf, good.buf, good.len);
	buf[good.len] = 0;
	check(load_bytes(&vm, buf, good.len + 1) == -1, "malformed: trailing byte refused");

	memcpy(buf, good.buf, good.len);
	buf[0] = 'X';
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: bad magic refused");

	memcpy(buf, good.buf, good.len);
	buf[4] = 2;
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: unknown format refused");

	memcpy(buf, good.buf, good.len);
	buf[8]++;
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: wrong section count refused");

	memcpy(buf, good.buf, good.len);
	buf[13] ^= 0x20;		/* first letter of the first name */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: unknown device refused");

	/* The first section in place of the second: one device twice. */
	{
		size_t s0 = 12, l0, s1, l1;
		uint32_t len;

		memcpy(&len, good.buf + s0 + 1 + good.buf[s0] + 4, 4);
		l0 = 1 + good.buf[s0] + 8 + len;
		s1 = s0 + l0;
		memcpy(&len, good.buf + s1 + 1 + good.buf[s1] + 4, 4);
		l1 = 1 + good.buf[s1] + 8 + len;
		memcpy(buf, good.buf, s1);
		memcpy(buf + s1, good.buf + s0, l0);
		memcpy(buf + s1 + l0, good.buf + s1 + l1, good.len - s1 - l1);
		check(load_bytes(&vm, buf, good.len - l1 + l0) == -1,
		      "malformed: a device's section twice refused");
	}

	memcpy(buf, good.buf, good.len);
	at = section_len_at(&good, "serial");
	memcpy(buf + at - 4, "\x02\x00\x00\x00", 4);	/* version 2 */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: unknown section version refused");

	memcpy(buf, good.buf, good.len);
	buf[at] = 0xff;
	buf[at + 1] = 0xff;
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: section longer than the stream");

	/* serial: rx_count is the u16 after 11 register bytes. */
	memcpy(buf, good.buf, good.len);
	buf[at + 4 + 11] = 0x01;
	buf[at + 4 + 12] = 0x01;	/* 257 bytes */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: serial FIFO over 256 refused");

	memcpy(buf, good.buf, good.len);
	buf[at + 4 + 8] = 2;		/* fifo: a bool */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: serial bool not 0/1 refused");

	memcpy(buf, good.buf, good.len);
	buf[at + 4 + 0] = 0xf0;		/* IER high bits */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: serial IER reserved bits refused");

	at = section_len_at(&good, "rtc");
	memcpy(buf, good.buf, good.len);
	buf[at + 4] = 0x80;		/* index past CMOS */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: RTC index past CMOS refused");

	at = section_len_at(&good, "acpi-pm");
	memcpy(buf, good.buf, good.len);
	buf[at + 4 + 4] &= ~1;		/* SCI_EN clear */
	check(load_bytes(&vm, buf, good.len) == -1, "malformed: PM1_CNT without SCI_EN refused");

	at = section_len_at(&good, "pci-host");
	memcpy(buf, good.buf, good.len);
	buf[at + 4] |= 3;		/* reserved address bits */
	check(load_bytes(&vm, buf, good.len) == -1,
	      "malformed: PCI address reserved bits refused");

	check(same_state(&vm, &before), "malformed: the devices are as before");

	/* Every byte flipped in turn, random garbage: refused or loaded, no crash. */
	quiet();
	for (i = 0; i < good.len; i++) {
		memcpy(buf, good.buf, good.len);
		buf[i] ^= 1 << (i % 8);
		if (load_bytes(&vm, buf, good.len) && !same_state(&vm, &before))
			break;
		if (!same_state(&vm, &before))
			load_bytes(&vm, before.buf, before.len);
	}
	check(i == good.len, "malformed: bit flips loaded or refused, never half-loaded");
	srand(7);
	for (j = 0; j < 2000; j++) {
		size_t len = rand() % (good.len + 16);

		memcpy(buf, good.buf, good.len);
		for (i = 0; i < len; i++)
			if (rand() % 8 == 0 || i >= good.len)
				buf[i] = rand();
		load_bytes(&vm, buf, len);
	}
	loud();
	check(1, "malformed: random streams survived");
	check(load_bytes(&vm, good.buf, good.len) == 0, "malformed: the good stream still loads");

	free(buf);
	stream_free(&good);
	stream_free(&before);
	devices_exit(&vm);
}

static void test_actions(void)
{
	struct vm vm;

	fake_vm(&vm);
	last_stop = STOP_NONE;
	outw(&vm, 0x604, 0x2000 | (3 << 10));
	check(last_stop == STOP_NONE, "actions: SLP_EN with S3's type does nothing");
	outw(&vm, 0x604, 0x2000 | (5 << 10));
	check(last_stop == STOP_POWEROFF && !(inw(&vm, 0x604) & 0x2000),
	      "actions: SLP_EN with S5's type powers off");
	last_stop = STOP_NONE;
	outb(&vm, 0xcf9, 0x06);
	check(last_stop == STOP_RESET, "actions: 6 to port 0xcf9 resets");
	last_stop = STOP_NONE;
	outb(&vm, 0x64, 0xfe);
	check(last_stop == STOP_RESET, "actions: i8042 command 0xfe resets");
	outb(&vm, 0x3f8, 'h');
	outb(&vm, 0x3f8, 'i');
	check(console_out_len == 2 && !memcmp(console_out, "hi", 2),
	      "actions: the UART writes to the console");
	check(inb(&vm, 0x2f8) == 0xff, "actions: unclaimed port reads all ones");
	devices_exit(&vm);
}

int main(void)
{
	test_bus_overlap();
	test_bus_random();
	test_registry();
	test_save_load();
	test_malformed();
	test_actions();
	return check_summary();
}
