// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's e820 map, handed over in boot_params (bzImage), in
 * hvm_start_info's memory map (PVH) and to XENMEM_memory_map (Xen mode):
 * low RAM with the EBDA and the BIOS area reserved, in Xen mode the
 * launcher's special pages (reserved, as Xen's are), then RAM above 4 GiB.
 */
#include "../vmm/vmm.h"
#include "platform.h"

static void e820_add(struct boot_e820_entry *e, int *n, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	e[*n].addr = addr;
	e[*n].size = size;
	e[*n].type = type;
	++*n;
}

int e820_build(const struct vm *vm, struct boot_e820_entry *e)
{
	int n = 0;

	e820_add(e, &n, 0, GUEST_EBDA, E820_RAM);
	e820_add(e, &n, GUEST_EBDA, GUEST_EBDA_END - GUEST_EBDA, E820_RESERVED);
	e820_add(e, &n, GUEST_BIOS_AREA, GUEST_BIOS_AREA_END - GUEST_BIOS_AREA, E820_RESERVED);
	e820_add(e, &n, GUEST_BIOS_AREA_END, vm->low_size - GUEST_BIOS_AREA_END, E820_RAM);
	if (vm->xen_pages)
		e820_add(e, &n, GUEST_XEN_SPECIAL, XEN_SPECIAL_PAGES * 4096ULL, E820_RESERVED);
	if (vm->high_size)
		e820_add(e, &n, GUEST_HIGH_RAM_START, vm->high_size, E820_RAM);
	return n;
}
