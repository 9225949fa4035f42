// SPDX-License-Identifier: GPL-2.0
/*
 * Port 0x80, the POST code port, which Linux also writes for I/O delays
 * (io_delay=0x80): claimed so that --debug does not trace every write.
 * Reads return all ones like any empty port.
 */
#include <string.h>

#include "../vmm/vmm.h"

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

static const struct io_handler post_ops = {
	.name = "post",
	.read = post_read,
	.write = post_write,
};

static int post_init(struct vm *vm)
{
	(void)vm;
	return io_register_pio(POST_PORT, 1, &post_ops, NULL);
}
DEVICE_INIT(post_init);
