/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel device bus (iobus.c): guest port I/O and MMIO that a
 * device model in the kernel completes without an exit to userspace.
 */
#ifndef HXEN_IOBUS_H
#define HXEN_IOBUS_H

#include <linux/types.h>

struct hxen_vm;
struct hxen_vcpu;

enum hxen_bus { HXEN_BUS_PIO, HXEN_BUS_MMIO };

struct hxen_io_dev_ops {
	int (*read)(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len, void *val);
	int (*write)(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len,
		     const void *val);
};

int hxen_iobus_register(struct hxen_vm *vm, enum hxen_bus bus, u64 base, u64 len,
			const struct hxen_io_dev_ops *ops, void *opaque);
/*
 * A guest access: 0 if an in-kernel device (the vCPU's LAPIC first)
 * handled it, -ENODEV if it goes to userspace.
 */
int hxen_iobus_read(struct hxen_vcpu *vcpu, enum hxen_bus bus, u64 addr, u32 len,
		    void *val);
int hxen_iobus_write(struct hxen_vcpu *vcpu, enum hxen_bus bus, u64 addr, u32 len,
		     const void *val);
/* Does an in-kernel device take port I/O at @port (string I/O)? */
bool hxen_iobus_pio_claims(struct hxen_vm *vm, u16 port, u32 len);
/* VM teardown. */
void hxen_iobus_destroy(struct hxen_vm *vm);

#endif /* HXEN_IOBUS_H */
