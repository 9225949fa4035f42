// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x80, the POST code port, which Linux also writes for I/O delays
 * (io_delay=0x80): claimed so that --debug does not trace every write.
 * Reads return all ones like any empty port; writes are dropped, so there
 * is no state to save.
 */
#include <string.h>

#include "../vmm/vmm.h"
#include "devices.h"

#define POST_PORT 0x80

static void post_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0xff, len);
}

static void post_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)len;
}

static const struct io_ops post_ops = {
	.read = post_read,
	.write = post_write,
};

static const struct dev_io post_io[] = {
	{ .name = "post", .base = POST_PORT, .len = 1, .ops = &post_ops },
};

const struct device_desc post_device = {
	.name = "post",
	.order = DEV_ORDER_CHIPSET,
	.io = post_io,
	.nr_io = ARRAY_SIZE(post_io),
};
