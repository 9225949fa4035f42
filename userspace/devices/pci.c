// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 with nothing behind it: the address
 * register at 0xCF8 (dword accesses) reads back what was written, the data
 * window 0xCFC-0xCFF reads all ones (no device answers) and drops writes.
 * A byte access to 0xCF9 is the chipset's reset control register instead:
 * writing it with bit 2 (reset CPU) set resets the machine; the FADT names
 * it as the ACPI reset register. State protected by io_lock.
 */
#include <string.h>

#include "../boot/boot.h"
#include "../vmm/vmm.h"

#define PCI_CONFIG_ADDRESS	0xcf8
#define PCI_CONFIG_LEN		8
#define RESET_OFFSET		(ACPI_RESET_PORT - PCI_CONFIG_ADDRESS)
#define RESET_CPU		0x04

struct pci_host {
	struct vm *vm;
	uint32_t address;
	uint8_t reset_control;
};

static struct pci_host pci;

static void pci_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct pci_host *p = opaque;

	memset(data, 0xff, len);
	if (off == 0 && len == 4)
		memcpy(data, &p->address, 4);
	else if (off == RESET_OFFSET && len == 1)
		*(uint8_t *)data = p->reset_control;
}

static void pci_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct pci_host *p = opaque;
	uint8_t v;

	if (off == 0 && len == 4) {
		/* Bits 30:24 and 1:0 are reserved and read as zero. */
		memcpy(&p->address, data, 4);
		p->address &= 0x80fffffc;
	} else if (off == RESET_OFFSET && len == 1) {
		v = *(const uint8_t *)data;
		p->reset_control = v & ~RESET_CPU;
		if (v & RESET_CPU)
			vm_stop(p->vm, STOP_RESET, "reset (port 0xcf9)");
	}
}

static const struct io_handler pci_ops = {
	.name = "pci config",
	.read = pci_read,
	.write = pci_write,
};

static int pci_init(struct vm *vm)
{
	memset(&pci, 0, sizeof(pci));
	pci.vm = vm;
	return io_register_pio(PCI_CONFIG_ADDRESS, PCI_CONFIG_LEN, &pci_ops, &pci);
}
DEVICE_INIT(pci_init);
