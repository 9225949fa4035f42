// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough of the i8042 keyboard controller for reboot: the status port
 * 0x64 always reports empty buffers (so "wait for input buffer empty" loops
 * end at once) and command 0xFE (pulse the reset line) resets the machine.
 * No keyboard or mouse: the FADT does not announce an 8042, so Linux does
 * not probe it. Nothing the guest sees changes, so there is no state to
 * save.
 */
#include <stdlib.h>
#include <string.h>

#include "../vmm/vmm.h"
#include "devices.h"

#define I8042_DATA_PORT		0x60
#define I8042_CMD_PORT		0x64
#define STATUS_SYS		0x04	/* system flag: self test passed */
#define STATUS_UNLOCKED		0x10	/* keyboard not inhibited */
#define CMD_PULSE_RESET		0xfe

struct i8042 {
	struct vm *vm;
};

static void i8042_status_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	memset(data, 0, len);
	if (off == 0)
		*(uint8_t *)data = STATUS_SYS | STATUS_UNLOCKED;
}

static void i8042_data_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)len;
}

static void i8042_cmd_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	struct i8042 *k = opaque;

	(void)off;
	(void)len;
	if (*(const uint8_t *)data == CMD_PULSE_RESET)
		vm_stop(k->vm, STOP_RESET, "reset (keyboard controller)");
}

static void i8042_data_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
}

static const struct io_ops i8042_data_ops = {
	.read = i8042_data_read,
	.write = i8042_data_write,
};

static const struct io_ops i8042_cmd_ops = {
	.read = i8042_status_read,
	.write = i8042_cmd_write,
};

static int i8042_init(struct device *dev)
{
	struct i8042 *k = calloc(1, sizeof(*k));

	if (!k)
		return -1;
	k->vm = dev->vm;
	dev->state = k;
	return 0;
}

static void i8042_exit(struct device *dev)
{
	free(dev->state);
}

static const struct dev_io i8042_io[] = {
	{ .name = "i8042 data", .base = I8042_DATA_PORT, .len = 1, .ops = &i8042_data_ops },
	{ .name = "i8042 command", .base = I8042_CMD_PORT, .len = 1, .ops = &i8042_cmd_ops },
};

const struct device_desc i8042_device = {
	.name = "i8042",
	.order = DEV_ORDER_CHIPSET,
	.io = i8042_io,
	.nr_io = ARRAY_SIZE(i8042_io),
	.init = i8042_init,
	.exit = i8042_exit,
};
