// SPDX-License-Identifier: GPL-2.0
/*
 * MC146818 CMOS RTC at ports 0x70 (index; bit 7 is the NMI mask) and 0x71
 * (data). The clock registers read the host's time in UTC at every access,
 * in the format register B selects (BCD or binary, 12 or 24 hours);
 * writes to them are ignored (the guest cannot set the host's clock). No
 * periodic, alarm or update interrupts: IRQ 8 never fires. Register A never
 * shows an update in progress. The saved state is the index register and
 * the CMOS bytes (the clock registers' bytes are unused: they follow the
 * host).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../vmm/vmm.h"
#include "devices.h"

#define RTC_PORT	0x70
#define RTC_PORTS	2	/* index, data */
#define RTC_IRQ		8
#define CMOS_SIZE	128

#define RTC_SECONDS	0x00
#define RTC_MINUTES	0x02
#define RTC_HOURS	0x04
#define RTC_WEEKDAY	0x06
#define RTC_DAY		0x07
#define RTC_MONTH	0x08
#define RTC_YEAR	0x09
#define RTC_REG_A	0x0a
#define RTC_REG_B	0x0b
#define RTC_REG_C	0x0c
#define RTC_REG_D	0x0d
#define RTC_CENTURY	0x32	/* named by the FADT (rtc_facts) */

#define REG_A_UIP	0x80
#define REG_B_24H	0x02
#define REG_B_BINARY	0x04
#define REG_D_VRT	0x80	/* valid RAM and time */

struct rtc {
	uint8_t index;
	uint8_t cmos[CMOS_SIZE];
};

static uint8_t rtc_encode(const struct rtc *r, unsigned int v)
{
	if (r->cmos[RTC_REG_B] & REG_B_BINARY)
		return v;
	return ((v / 10) << 4) | (v % 10);
}

static uint8_t read_clock(const struct rtc *r, uint8_t reg)
{
	time_t now = time(NULL);
	unsigned int h;
	struct tm tm;

	gmtime_r(&now, &tm);
	switch (reg) {
	case RTC_SECONDS:
		return rtc_encode(r, tm.tm_sec > 59 ? 59 : tm.tm_sec);
	case RTC_MINUTES:
		return rtc_encode(r, tm.tm_min);
	case RTC_HOURS:
		if (r->cmos[RTC_REG_B] & REG_B_24H)
			return rtc_encode(r, tm.tm_hour);
		h = tm.tm_hour % 12 ? tm.tm_hour % 12 : 12;
		return rtc_encode(r, h) | (tm.tm_hour >= 12 ? 0x80 : 0);
	case RTC_WEEKDAY:
		return rtc_encode(r, tm.tm_wday + 1);
	case RTC_DAY:
		return rtc_encode(r, tm.tm_mday);
	case RTC_MONTH:
		return rtc_encode(r, tm.tm_mon + 1);
	case RTC_YEAR:
		return rtc_encode(r, tm.tm_year % 100);
	default:
		return rtc_encode(r, (tm.tm_year + 1900) / 100);
	}
}

static uint8_t cmos_read(struct rtc *r)
{
	uint8_t reg = r->index, v;

	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_WEEKDAY:
	case RTC_DAY:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
		return read_clock(r, reg);
	case RTC_REG_C:
		/* Interrupt flags: read to clear; none are ever raised. */
		v = r->cmos[reg];
		r->cmos[reg] = 0;
		return v;
	default:
		return r->cmos[reg];
	}
}

static void cmos_write(struct rtc *r, uint8_t v)
{
	uint8_t reg = r->index;

	switch (reg) {
	case RTC_SECONDS:
	case RTC_MINUTES:
	case RTC_HOURS:
	case RTC_WEEKDAY:
	case RTC_DAY:
	case RTC_MONTH:
	case RTC_YEAR:
	case RTC_CENTURY:
	case RTC_REG_C:
	case RTC_REG_D:
		return;
	case RTC_REG_A:
		r->cmos[reg] = v & ~REG_A_UIP;
		return;
	default:
		r->cmos[reg] = v;
	}
}

static void rtc_pio_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	struct rtc *r = opaque;

	memset(data, 0xff, len);
	if (off == 1)
		*(uint8_t *)data = cmos_read(r);
}

static void rtc_pio_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct rtc *r = opaque;
	uint8_t v = *(const uint8_t *)data;

	(void)len;
	if (off == 0)
		r->index = v & (CMOS_SIZE - 1);	/* bit 7: NMI mask, not modelled */
	else
		cmos_write(r, v);
}

static const struct io_ops rtc_ops = {
	.read = rtc_pio_read,
	.write = rtc_pio_write,
};

static int rtc_init(struct device *dev)
{
	struct rtc *r = calloc(1, sizeof(*r));

	if (!r)
		return -1;
	r->cmos[RTC_REG_A] = 0x26;	/* 32.768 kHz time base, 1024 Hz rate */
	r->cmos[RTC_REG_B] = REG_B_24H;
	r->cmos[RTC_REG_D] = REG_D_VRT;
	dev->state = r;
	return 0;
}

static void rtc_exit(struct device *dev)
{
	free(dev->state);
}

static void rtc_save(struct device *dev, struct stream *out)
{
	struct rtc *r = dev->state;

	stream_put_u8(out, r->index);
	stream_put(out, r->cmos, CMOS_SIZE);
}

static int rtc_load(struct device *dev, struct stream *in, uint32_t version)
{
	struct rtc *r = dev->state;
	uint8_t index, cmos[CMOS_SIZE];

	(void)version;
	index = stream_get_u8(in);
	stream_get(in, cmos, CMOS_SIZE);
	/*
	 * What the guest cannot change: UIP, registers C and D, the clock's
	 * bytes (read from the host, never stored).
	 */
	if (in->error || index >= CMOS_SIZE || (cmos[RTC_REG_A] & REG_A_UIP) ||
	    cmos[RTC_REG_C] || cmos[RTC_REG_D] != REG_D_VRT || cmos[RTC_SECONDS] ||
	    cmos[RTC_MINUTES] || cmos[RTC_HOURS] || cmos[RTC_WEEKDAY] || cmos[RTC_DAY] ||
	    cmos[RTC_MONTH] || cmos[RTC_YEAR] || cmos[RTC_CENTURY]) {
		fprintf(stderr, "hxen: device state: rtc: bad registers\n");
		return -1;
	}
	r->index = index;
	memcpy(r->cmos, cmos, CMOS_SIZE);
	return 0;
}

static const struct dev_io rtc_io[] = {
	{ .name = "cmos rtc", .base = RTC_PORT, .len = RTC_PORTS, .ops = &rtc_ops },
};

static const struct platform_fact rtc_facts[] = {
	{ FACT_RTC_CENTURY, RTC_CENTURY, 0 },
};

const struct device_desc rtc_device = {
	.name = "rtc",
	.order = DEV_ORDER_CHIPSET,
	.io = rtc_io,
	.nr_io = ARRAY_SIZE(rtc_io),
	.irq = RTC_IRQ,		/* never raised (see above) */
	.facts = rtc_facts,
	.nr_facts = ARRAY_SIZE(rtc_facts),
	.init = rtc_init,
	.exit = rtc_exit,
	.version = 1,
	.save = rtc_save,
	.load = rtc_load,
};
