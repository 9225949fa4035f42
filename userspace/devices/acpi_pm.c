// SPDX-License-Identifier: GPL-2.0
/*
 * ACPI fixed hardware named by the FADT (platform/acpi.c): the PM1a event block
 * (PM1_STS, write one to clear; PM1_EN) and the PM1a control block
 * (SCI_EN always set: the machine is always in ACPI mode; SLP_TYP and the
 * write-only SLP_EN). SLP_EN with SLP_TYP = \_S5's value powers the machine
 * off; other sleep states are not offered by the DSDT. No event ever sets a
 * status bit, so the SCI never fires.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../vmm/vmm.h"
#include "devices.h"

#define PM1A_EVT_PORT	0x600
#define PM1A_EVT_LEN	4
#define PM1A_CNT_PORT	0x604
#define PM1A_CNT_LEN	2
#define SCI_IRQ		9
#define S5_SLP_TYP	5	/* SLP_TYP of \_S5 in the DSDT */

/* regs[]: the event block's bytes, then the control block's. */
#define PM1_STS		0
#define PM1_EN		2
#define PM1_CNT		4
#define PM_REGS		(PM1A_EVT_LEN + PM1A_CNT_LEN)
#define CNT_SCI_EN	0x0001
#define CNT_SLP_TYP	0x1c00
#define CNT_SLP_TYP_SHIFT 10
#define CNT_SLP_EN	0x2000

struct acpi_pm {
	struct vm *vm;
	uint8_t regs[PM_REGS];
};

static uint16_t pm_reg16(struct acpi_pm *p, unsigned int off)
{
	return p->regs[off] | p->regs[off + 1] << 8;
}

static void pm_regs_read(struct acpi_pm *p, unsigned int base, uint64_t off, void *data,
			 unsigned int len, unsigned int size)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		((uint8_t *)data)[i] = off + i < size ? p->regs[base + off + i] : 0xff;
}

static void evt_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	pm_regs_read(opaque, PM1_STS, off, data, len, PM1A_EVT_LEN);
}

static void cnt_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	pm_regs_read(opaque, PM1_CNT, off, data, len, PM1A_CNT_LEN);
}

static void evt_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct acpi_pm *p = opaque;
	unsigned int i;

	for (i = 0; i < len && off + i < PM1A_EVT_LEN; i++) {
		uint8_t v = ((const uint8_t *)data)[i];
		unsigned int r = off + i;

		if (r < PM1_EN)
			p->regs[r] &= ~v;		/* status: write one to clear */
		else
			p->regs[r] = v;
	}
}

static void cnt_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct acpi_pm *p = opaque;
	unsigned int i;
	uint16_t cnt;

	for (i = 0; i < len && off + i < PM1A_CNT_LEN; i++)
		p->regs[PM1_CNT + off + i] = ((const uint8_t *)data)[i];
	cnt = pm_reg16(p, PM1_CNT);
	if (cnt & CNT_SLP_EN) {
		cnt &= ~CNT_SLP_EN;
		if (((cnt & CNT_SLP_TYP) >> CNT_SLP_TYP_SHIFT) == S5_SLP_TYP)
			vm_stop(p->vm, STOP_POWEROFF, "poweroff (ACPI S5)");
	}
	cnt |= CNT_SCI_EN;
	p->regs[PM1_CNT] = cnt;
	p->regs[PM1_CNT + 1] = cnt >> 8;
}

static const struct io_ops evt_ops = {
	.read = evt_read,
	.write = evt_write,
};

static const struct io_ops cnt_ops = {
	.read = cnt_read,
	.write = cnt_write,
};

static int acpi_pm_init(struct device *dev)
{
	struct acpi_pm *p = calloc(1, sizeof(*p));

	if (!p)
		return -1;
	p->vm = dev->vm;
	p->regs[PM1_CNT] = CNT_SCI_EN;
	dev->state = p;
	return 0;
}

static void acpi_pm_exit(struct device *dev)
{
	free(dev->state);
}

static void acpi_pm_save(struct device *dev, struct stream *out)
{
	struct acpi_pm *p = dev->state;

	stream_put_u16(out, pm_reg16(p, PM1_STS));
	stream_put_u16(out, pm_reg16(p, PM1_EN));
	stream_put_u16(out, pm_reg16(p, PM1_CNT));
}

static int acpi_pm_load(struct device *dev, struct stream *in, uint32_t version)
{
	struct acpi_pm *p = dev->state;
	uint16_t sts, en, cnt;

	(void)version;
	sts = stream_get_u16(in);
	en = stream_get_u16(in);
	cnt = stream_get_u16(in);
	/* SCI_EN always set, SLP_EN never (it is write-only). */
	if (in->error || !(cnt & CNT_SCI_EN) || (cnt & CNT_SLP_EN)) {
		fprintf(stderr, "hxen: device state: acpi-pm: bad registers\n");
		return -1;
	}
	p->regs[PM1_STS] = sts;
	p->regs[PM1_STS + 1] = sts >> 8;
	p->regs[PM1_EN] = en;
	p->regs[PM1_EN + 1] = en >> 8;
	p->regs[PM1_CNT] = cnt;
	p->regs[PM1_CNT + 1] = cnt >> 8;
	return 0;
}

static const struct dev_io acpi_pm_io[] = {
	{ .name = "acpi pm1a event", .base = PM1A_EVT_PORT, .len = PM1A_EVT_LEN, .ops = &evt_ops },
	{ .name = "acpi pm1a control", .base = PM1A_CNT_PORT, .len = PM1A_CNT_LEN,
	  .ops = &cnt_ops },
};

static const struct platform_fact acpi_pm_facts[] = {
	{ FACT_PM1A_EVT_BLK, PM1A_EVT_PORT, PM1A_EVT_LEN },
	{ FACT_PM1A_CNT_BLK, PM1A_CNT_PORT, PM1A_CNT_LEN },
	{ FACT_SCI_IRQ, SCI_IRQ, 0 },
	{ FACT_S5_SLP_TYP, S5_SLP_TYP, 0 },
};

const struct device_desc acpi_pm_device = {
	.name = "acpi-pm",
	.order = DEV_ORDER_CHIPSET,
	.io = acpi_pm_io,
	.nr_io = ARRAY_SIZE(acpi_pm_io),
	.irq = SCI_IRQ,
	.facts = acpi_pm_facts,
	.nr_facts = ARRAY_SIZE(acpi_pm_facts),
	.init = acpi_pm_init,
	.exit = acpi_pm_exit,
	.version = 1,
	.save = acpi_pm_save,
	.load = acpi_pm_load,
};
