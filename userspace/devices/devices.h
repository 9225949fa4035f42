/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The devices `hxen run` offers (struct device_desc, vmm/device.h). Each
 * file declares its ports, IRQ and what ACPI announces about it once, in
 * its descriptor; platform/machine.c lists them.
 */
#ifndef HXEN_DEVICES_H
#define HXEN_DEVICES_H

#include "../vmm/device.h"

extern const struct device_desc acpi_pm_device;	/* acpi_pm.c */
extern const struct device_desc i8042_device;		/* i8042.c */
extern const struct device_desc pci_host_device;	/* pci.c */
extern const struct device_desc post_device;		/* post.c */
extern const struct device_desc rtc_device;		/* rtc.c */
extern const struct device_desc serial_device;		/* serial.c */
extern const struct device_desc xen_console_device;	/* xen_console.c */

#endif /* HXEN_DEVICES_H */
