// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 with nothing behind it: the address
 * register at 0xCF8 (dword accesses) reads back what was written, the data
 * window 0xCFC-0xCFF reads all ones (no device answers) and drops writes.
 * A byte access to 0xCF9 is the chipset's reset control register instead:
 * writing it with bit 2 (reset CPU) set resets the machine; the FADT names
 * it as the ACPI reset register.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/vmm.h"
#include "devices.h"

#define PCI_CONFIG_PORT		0xcf8
#define PCI_CONFIG_LEN		8
#define PCI_RESET_PORT		0xcf9
#define PCI_RESET_OFFSET	(PCI_RESET_PORT - PCI_CONFIG_PORT)
#define PCI_RESET_VALUE		6	/* what the FADT says to write: hard reset */
#define RESET_CPU		0x04
#define ADDRESS_WRITABLE	0x80fffffc	/* 30:24 and 1:0 reserved, read zero */

struct pci_host {
	struct vm *vm;
	uint32_t address;
	uint8_t reset_control;
};

static void pci_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct pci_host *p = opaque;

	memset(data, 0xff, len);
	if (off == 0 && len == 4)
		memcpy(data, &p->address, 4);
	else if (off == PCI_RESET_OFFSET && len == 1)
		*(uint8_t *)data = p->reset_control;
}

static void pci_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct pci_host *p = opaque;
	uint8_t v;

	if (off == 0 && len == 4) {
		memcpy(&p->address, data, 4);
		p->address &= ADDRESS_WRITABLE;
	} else if (off == PCI_RESET_OFFSET && len == 1) {
		v = *(const uint8_t *)data;
		p->reset_control = v & ~RESET_CPU;
		if (v & RESET_CPU)
			vm_stop(p->vm, STOP_RESET, "reset (port 0xcf9)");
	}
}

static const struct io_ops pci_ops = {
	.read = pci_read,
	.write = pci_write,
};

static int pci_init(struct device *dev)
{
	struct pci_host *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	p->vm = dev->vm;
	dev->state = p;
	return 0;
}

static void pci_exit(struct device *dev)
{
	free(dev->state);
}

static void pci_save(struct device *dev, struct stream *out)
{
	struct pci_host *p = dev->state;

	stream_put_u32(out, p->address);
	stream_put_u8(out, p->reset_control);
}

static int pci_load(struct device *dev, struct stream *in, uint32_t version)
{
	struct pci_host *p = dev->state;
	uint32_t address = stream_get_u32(in);
	uint8_t reset = stream_get_u8(in);

	(void)version;
	if (in->error || (address & ~ADDRESS_WRITABLE) || (reset & RESET_CPU)) {
		fprintf(stderr, "hxen: device state: pci-host: bad registers\n");
		return -1;
	}
	p->address = address;
	p->reset_control = reset;
	return 0;
}

static const struct dev_io pci_io[] = {
	{ .name = "pci config", .base = PCI_CONFIG_PORT, .len = PCI_CONFIG_LEN, .ops = &pci_ops },
};

static const struct platform_fact pci_facts[] = {
	{ FACT_RESET_REG, PCI_RESET_PORT, 1 },
	{ FACT_RESET_VALUE, PCI_RESET_VALUE, 0 },
};

const struct device_desc pci_host_device = {
	.name = "pci-host",
	.order = DEV_ORDER_CHIPSET,
	.io = pci_io,
	.nr_io = ARRAY_SIZE(pci_io),
	.facts = pci_facts,
	.nr_facts = ARRAY_SIZE(pci_facts),
	.init = pci_init,
	.exit = pci_exit,
	.version = 1,
	.save = pci_save,
	.load = pci_load,
};
