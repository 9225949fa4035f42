// SPDX-License-Identifier: GPL-2.0
/*
 * The machine `hxen run` builds: its devices (started in their declared
 * order, vmm/device.h), and the facts they declare for the ACPI tables.
 */
#include <string.h>

#include "../devices/devices.h"
#include "../xen/backend.h"
#include "platform.h"

const struct device_desc *const machine_devices[] = {
	&pci_host_device,
	&acpi_pm_device,
	&rtc_device,
	&i8042_device,
	&post_device,
	&serial_device,
	&xen_console_device,
	&xen_pv_console_device,
	&xen_store_device,
};

const size_t nr_machine_devices = ARRAY_SIZE(machine_devices);

bool platform_fact(enum platform_fact_kind kind, struct platform_fact *out)
{
	size_t i;
	unsigned int j;

	for (i = 0; i < nr_machine_devices; i++) {
		const struct device_desc *d = machine_devices[i];

		for (j = 0; j < d->nr_facts; j++) {
			if (d->facts[j].kind == kind) {
				*out = d->facts[j];
				return true;
			}
		}
	}
	return false;
}
