/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine the guest sees: its physical memory layout, the e820 map
 * that describes it, the ACPI tables, and which devices it has
 * (machine.c). Port and IRQ numbers are not here: each device declares
 * its own (devices/), and the ACPI tables read them from those
 * declarations (platform_fact()).
 */
#ifndef HXEN_PLATFORM_H
#define HXEN_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <asm/bootparam.h>

struct vm;
struct device_desc;

/*
 * Guest physical layout. RAM starts at 0 and stops at 3 GiB; the rest goes
 * above 4 GiB. The hole keeps the IOAPIC (0xFEC00000), the LAPIC
 * (0xFEE00000) and KVM's real-mode TSS (KVM_SET_TSS_ADDR) clear of RAM.
 * Below 1 MiB: RAM up to the EBDA (reserved, empty), the legacy VGA/ROM
 * hole, and the BIOS area, where the ACPI tables live (reserved; Linux
 * scans it for the RSDP).
 */
#define GUEST_LOW_RAM_END	0xC0000000ULL
#define GUEST_HIGH_RAM_START	0x100000000ULL
#define GUEST_IOAPIC_BASE	0xFEC00000U
#define GUEST_LAPIC_BASE	0xFEE00000U
#define GUEST_TSS_ADDR		0xFFFBD000U
#define GUEST_EBDA		0x9fc00ULL
#define GUEST_EBDA_END		0xa0000ULL
#define GUEST_BIOS_AREA		0xe0000ULL
#define GUEST_BIOS_AREA_END	0x100000ULL
/*
 * Xen mode: the launcher's own pages of guest memory (the xenstore ring,
 * the PV console ring), in the hole below 4 GiB just under 0xFF000000
 * where Xen's toolstack puts its special pages, reserved in the e820 map.
 * A memslot of their own, so they never move RAM or the initrd.
 */
#define GUEST_XEN_SPECIAL	0xFEFF0000ULL
#define XEN_SPECIAL_STORE	0	/* page index: xenstore ring */
#define XEN_SPECIAL_CONSOLE	1	/* PV console ring */
#define XEN_SPECIAL_PAGES	2

/* e820.c: the guest's memory map, the same for the bzImage and PVH boots. */
#define E820_MAX		8
#define E820_RAM		1
#define E820_RESERVED		2
/* Fills @e (E820_MAX entries) from the VM's RAM; returns the count. */
int e820_build(const struct vm *vm, struct boot_e820_entry *e);

/* acpi.c: RSDP, XSDT/RSDT, FADT, FACS, MADT and DSDT in the BIOS area. */
int acpi_build(struct vm *vm, uint64_t *rsdp);

/*
 * What the ACPI tables announce about a device, declared by the device
 * itself next to its bus ranges (struct device_desc.facts), so the
 * numbers live in one place.
 */
enum platform_fact_kind {
	FACT_NONE,
	FACT_PM1A_EVT_BLK,	/* port, len: FADT PM1a event block */
	FACT_PM1A_CNT_BLK,	/* port, len: FADT PM1a control block */
	FACT_SCI_IRQ,		/* value: FADT SCI_INT */
	FACT_S5_SLP_TYP,	/* value: SLP_TYP of \_S5 in the DSDT */
	FACT_RESET_REG,		/* port, len: FADT reset register */
	FACT_RESET_VALUE,	/* value: what to write to it */
	FACT_RTC_CENTURY,	/* value: CMOS index of the century, FADT CENTURY */
};

struct platform_fact {
	enum platform_fact_kind kind;
	uint64_t value;		/* a port, an IRQ, a register value */
	uint32_t len;		/* bytes, for port blocks */
};

/*
 * machine.c: the devices of `hxen run`'s machine, and the fact one of them
 * declares for @kind (false if none does).
 */
extern const struct device_desc *const machine_devices[];
extern const size_t nr_machine_devices;
bool platform_fact(enum platform_fact_kind kind, struct platform_fact *out);

#endif /* HXEN_PLATFORM_H */
