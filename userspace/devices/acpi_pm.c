// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware named by the FADT (platform/acpi.c): the PM1a event block
 * (PM1_STS, write one to clear; PM1_EN) and the PM1a control block
 * (SCI_EN always set: the machine is always in ACPI mode; SLP_TYP and the
 * write-only SLP_EN). SLP_EN with SLP_TYP = \_S5's value powers the machine
 * off; other sleep states are not offered by the DSDT. No event ever sets a
 * status bit, so the SCI never fires. State protected by io_lock.
 */
#include <string.h>

#include "../boot/boot.h"
#include "../vmm/vmm.h"

#define PM1_STS		0
#define PM1_EN		2
#define PM1_CNT		4
#define CNT_SCI_EN	0x0001
#define CNT_SLP_TYP	0x1c00
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_EN	0x2000

struct acpi_pm {
	struct vm *vm;
	uint8_t regs[ACPI_PM_LEN];
};

static struct acpi_pm pm;

static uint16_t reg16(struct acpi_pm *p, unsigned int off)
{
	return p->regs[off] | p->regs[off + 1] << 8;
}

static void pm_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct acpi_pm *p = opaque;
	unsigned int i;

	for (i = 0; i < len; i++)
		((uint8_t *)data)[i] = off + i < ACPI_PM_LEN ? p->regs[off + i] : 0xff;
}

static void pm_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct acpi_pm *p = opaque;
	unsigned int i;
	uint16_t cnt;

	for (i = 0; i < len && off + i < ACPI_PM_LEN; i++) {
		uint8_t v = ((const uint8_t *)data)[i];
		unsigned int r = off + i;

		if (r < PM1_EN)
			p->regs[r] &= ~v;		/* status: write one to clear */
		else
			p->regs[r] = v;
	}
	cnt = reg16(p, PM1_CNT);
	if (cnt & CNT_SLP_EN) {
		cnt &= ~CNT_SLP_EN;
		if (((cnt & CNT_SLP_TYP) >> CNT_SLP_TYP_SHIFT) == ACPI_S5_SLP_TYP)
			vm_stop(p->vm, STOP_POWEROFF, "poweroff (ACPI S5)");
	}
	cnt |= CNT_SCI_EN;
	p->regs[PM1_CNT] = cnt;
	p->regs[PM1_CNT + 1] = cnt >> 8;
}

static const struct io_handler pm_ops = {
	.name = "acpi pm",
	.read = pm_read,
	.write = pm_write,
};

static int acpi_pm_init(struct vm *vm)
{
	memset(&pm, 0, sizeof(pm));
	pm.vm = vm;
	pm.regs[PM1_CNT] = CNT_SCI_EN;
	return io_register_pio(ACPI_PM_BASE, ACPI_PM_LEN, &pm_ops, &pm);
}
DEVICE_INIT(acpi_pm_init);
