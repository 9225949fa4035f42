// SPDX-License-Identifier: GPL-2.0
/*
 * Just enough of the i8042 keyboard controller for reboot: the status port
 * 0x64 always reports empty buffers (so "wait for input buffer empty" loops
 * end at once) and command 0xFE (pulse the reset line) resets the machine.
 * No keyboard or mouse: the FADT does not announce an 8042, so Linux does
 * not probe it. State protected by io_lock.
 */
#include <string.h>

#include "../vmm/vmm.h"

#define I8042_DATA		0x60
#define I8042_CMD		0x64
#define STATUS_SYS		0x04	/* system flag: self test passed */
#define STATUS_UNLOCKED		0x10	/* keyboard not inhibited */
#define CMD_PULSE_RESET		0xfe

static struct vm *i8042_vm;

static void i8042_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	memset(data, 0, len);
	if (off == 0)
		*(uint8_t *)data = STATUS_SYS | STATUS_UNLOCKED;
}

static void data_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)data;
	(void)len;
}

static void cmd_write(void *opaque, uint64_t off, const void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	(void)len;
	if (*(const uint8_t *)data == CMD_PULSE_RESET)
		vm_stop(i8042_vm, STOP_RESET, "reset (keyboard controller)");
}

static void data_read(void *opaque, uint64_t off, void *data, unsigned int len)
{
	(void)opaque;
	(void)off;
	memset(data, 0, len);
}

static const struct io_handler data_ops = {
	.name = "i8042 data",
	.read = data_read,
	.write = data_write,
};

static const struct io_handler cmd_ops = {
	.name = "i8042 command",
	.read = i8042_read,
	.write = cmd_write,
};

static int i8042_init(struct vm *vm)
{
	i8042_vm = vm;
	if (io_register_pio(I8042_DATA, 1, &data_ops, NULL))
		return -1;
	return io_register_pio(I8042_CMD, 1, &cmd_ops, NULL);
}
DEVICE_INIT(i8042_init);
