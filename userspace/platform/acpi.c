// SPDX-License-Identifier: GPL-2.0
/*
 * Minimal ACPI tables (ACPI 6.x layouts) in the BIOS area, where Linux scans
 * for the RSDP when boot_params.acpi_rsdp_addr is not used:
 *
 *   RSDP -> XSDT (and RSDT) -> FADT -> FACS, DSDT
 *                           -> MADT: one LAPIC per vCPU, the IOAPIC
 *
 * No interrupt source overrides: KVM's default GSI routing wires GSI n to
 * PIC input n and IOAPIC pin n, including the PIT on GSI 0, which is what
 * the MADT says without an override (ISA IRQs: edge, active high).
 *
 * The FADT describes the classic fixed hardware: PM1a event and control
 * blocks (devices/acpi_pm.c; SLP_EN with \_S5's SLP_TYP powers off), no PM
 * timer, no GPEs, SMI_CMD = 0 (always in ACPI mode), and the reset register
 * (devices/pci.c). The ports, IRQ and values it names are the devices'
 * own declarations (platform_fact()), not repeated here.
 */
#include <stdio.h>
#include <string.h>

#include "../vmm/vmm.h"
#include "platform.h"

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;		/* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;		/* 2: ACPI 2.0+ with XSDT */
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum;		/* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

/* Generic Address Structure. */
struct acpi_gas {
	uint8_t space_id;		/* 1: system I/O */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_width;		/* 1 byte, 2 word, 3 dword */
	uint64_t address;
} __attribute__((packed));

struct acpi_fadt {
	struct acpi_header h;
	uint32_t firmware_ctrl;
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT layout (ACPI 6.0+)");

struct acpi_facs {
	char signature[4];
	uint32_t length;
	uint32_t hardware_signature;
	uint32_t waking_vector;
	uint32_t global_lock;
	uint32_t flags;
	uint64_t x_waking_vector;
	uint8_t version;
	uint8_t reserved[31];
} __attribute__((packed));

struct acpi_madt {
	struct acpi_header h;
	uint32_t lapic_addr;
	uint32_t flags;			/* bit 0: PC-AT compatible 8259s present */
} __attribute__((packed));

struct madt_lapic {
	uint8_t type;			/* 0 */
	uint8_t length;			/* 8 */
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;			/* bit 0: enabled */
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type;			/* 1 */
	uint8_t length;			/* 12 */
	uint8_t id;
	uint8_t reserved;
	uint32_t addr;
	uint32_t gsi_base;
} __attribute__((packed));

#define FADT_WBINVD		(1U << 0)
#define FADT_C1_SUPPORTED	(1U << 2)
#define FADT_PWR_BUTTON		(1U << 4)	/* no fixed power button */
#define FADT_SLP_BUTTON		(1U << 5)	/* no fixed sleep button */
#define FADT_RESET_REG_SUP	(1U << 10)
#define BOOT_ARCH_NO_VGA	(1U << 2)
#define BOOT_ARCH_NO_MSI	(1U << 3)
#define IOAPIC_ID		0		/* the LAPIC IDs are 0.. too: separate spaces */

/*
 * DefinitionBlock body: Name (\_S5, Package () { T, T, 0, 0 }), i.e.
 * NameOp "_S5_" PackageOp PkgLength(8) NumElements(4) BytePrefix T
 * BytePrefix T ZeroOp ZeroOp, T being the PM device's S5 SLP_TYP.
 */
#define DSDT_S5_TYP_A		9
#define DSDT_S5_TYP_B		11
static const uint8_t dsdt_aml_template[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, 0, 0x0a, 0, 0x00, 0x00,
};

/* What the devices declare for the tables (platform_fact()). */
struct acpi_facts {
	struct platform_fact pm1a_evt, pm1a_cnt, sci, s5, reset_reg, reset_value, century;
};

static int get_fact(enum platform_fact_kind kind, const char *what, struct platform_fact *f)
{
	if (platform_fact(kind, f))
		return 0;
	fprintf(stderr, "hxen: ACPI tables: no device declares the %s\n", what);
	return -1;
}

static int get_facts(struct acpi_facts *f)
{
	if (get_fact(FACT_PM1A_EVT_BLK, "PM1a event block", &f->pm1a_evt) ||
	    get_fact(FACT_PM1A_CNT_BLK, "PM1a control block", &f->pm1a_cnt) ||
	    get_fact(FACT_SCI_IRQ, "SCI", &f->sci) ||
	    get_fact(FACT_S5_SLP_TYP, "S5 sleep type", &f->s5) ||
	    get_fact(FACT_RESET_REG, "reset register", &f->reset_reg) ||
	    get_fact(FACT_RESET_VALUE, "reset value", &f->reset_value) ||
	    get_fact(FACT_RTC_CENTURY, "RTC century register", &f->century))
		return -1;
	return 0;
}

static uint8_t checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return -sum;
}

static void header(struct acpi_header *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "HXEN  ", 6);
	memcpy(h->oem_table_id, "HXENVM  ", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "HXEN", 4);
	h->creator_revision = 1;
}

static void finish(struct acpi_header *h)
{
	h->checksum = 0;
	h->checksum = checksum(h, h->length);
}

static struct acpi_gas io_gas(uint16_t port, uint8_t bytes)
{
	return (struct acpi_gas){
		.space_id = 1, .bit_width = bytes * 8,
		.access_width = bytes == 4 ? 3 : bytes == 2 ? 2 : 1, .address = port,
	};
}

/* Bump allocator over the BIOS area; returns a guest physical address. */
struct area {
	struct vm *vm;
	uint64_t next;
};

static uint64_t alloc(struct area *a, size_t len, size_t align)
{
	uint64_t gpa = (a->next + align - 1) & ~(uint64_t)(align - 1);

	if (gpa + len > GUEST_BIOS_AREA_END)
		return 0;
	a->next = gpa + len;
	memset(gpa_to_hva(a->vm, gpa, len), 0, len);
	return gpa;
}

static void build_fadt(struct acpi_fadt *f, const struct acpi_facts *af, uint64_t facs,
		       uint64_t dsdt)
{
	header(&f->h, "FACP", sizeof(*f), 6);
	f->firmware_ctrl = facs;
	f->x_firmware_ctrl = 0;		/* ACPICA wants only one of the two set */
	f->dsdt = dsdt;
	f->x_dsdt = dsdt;
	f->sci_int = af->sci.value;
	f->pm1a_evt_blk = af->pm1a_evt.value;
	f->pm1a_cnt_blk = af->pm1a_cnt.value;
	f->pm1_evt_len = af->pm1a_evt.len;
	f->pm1_cnt_len = af->pm1a_cnt.len;
	f->x_pm1a_evt_blk = io_gas(af->pm1a_evt.value, af->pm1a_evt.len);
	f->x_pm1a_cnt_blk = io_gas(af->pm1a_cnt.value, af->pm1a_cnt.len);
	/* C2/C3 unsupported: latencies above 100 / 1000 us. */
	f->p_lvl2_lat = 101;
	f->p_lvl3_lat = 1001;
	f->century = af->century.value;
	f->iapc_boot_arch = BOOT_ARCH_NO_VGA | BOOT_ARCH_NO_MSI;
	f->flags = FADT_WBINVD | FADT_C1_SUPPORTED | FADT_PWR_BUTTON | FADT_SLP_BUTTON |
		   FADT_RESET_REG_SUP;
	f->reset_reg = io_gas(af->reset_reg.value, af->reset_reg.len);
	f->reset_value = af->reset_value.value;
	f->minor_version = 0;
	memcpy(&f->hypervisor_vendor_id, "HXEN\0\0\0\0", 8);
	finish(&f->h);
}

static uint64_t build_madt(struct area *a, int cpus)
{
	size_t len = sizeof(struct acpi_madt) + cpus * sizeof(struct madt_lapic) +
		     sizeof(struct madt_ioapic);
	uint64_t gpa = alloc(a, len, 16);
	struct acpi_madt *m;
	struct madt_lapic *l;
	struct madt_ioapic *io;
	int i;

	if (!gpa)
		return 0;
	m = gpa_to_hva(a->vm, gpa, len);
	header(&m->h, "APIC", len, 4);
	m->lapic_addr = GUEST_LAPIC_BASE;
	m->flags = 1;
	l = (struct madt_lapic *)(m + 1);
	for (i = 0; i < cpus; i++, l++)
		*l = (struct madt_lapic){ .type = 0, .length = sizeof(*l),
					  .processor_uid = i, .apic_id = i, .flags = 1 };
	io = (struct madt_ioapic *)l;
	*io = (struct madt_ioapic){ .type = 1, .length = sizeof(*io), .id = IOAPIC_ID,
				    .addr = GUEST_IOAPIC_BASE, .gsi_base = 0 };
	finish(&m->h);
	return gpa;
}

int acpi_build(struct vm *vm, uint64_t *rsdp_gpa)
{
	struct area a = { .vm = vm, .next = GUEST_BIOS_AREA };
	uint64_t rsdp, xsdt, rsdt, fadt, facs, dsdt, madt;
	uint8_t dsdt_aml[sizeof(dsdt_aml_template)];
	struct acpi_facts af;
	struct acpi_header *h;
	struct acpi_facs *fc;
	struct acpi_rsdp *r;
	uint64_t *xent;
	uint32_t *rent;

	if (get_facts(&af))
		return -1;
	memcpy(dsdt_aml, dsdt_aml_template, sizeof(dsdt_aml));
	dsdt_aml[DSDT_S5_TYP_A] = af.s5.value;
	dsdt_aml[DSDT_S5_TYP_B] = af.s5.value;

	rsdp = alloc(&a, sizeof(*r), 16);
	xsdt = alloc(&a, sizeof(*h) + 2 * 8, 16);
	rsdt = alloc(&a, sizeof(*h) + 2 * 4, 16);
	fadt = alloc(&a, sizeof(struct acpi_fadt), 16);
	facs = alloc(&a, sizeof(*fc), 64);		/* FACS: 64-byte aligned */
	dsdt = alloc(&a, sizeof(*h) + sizeof(dsdt_aml), 16);
	madt = build_madt(&a, vm->nr_vcpus);
	if (!rsdp || !xsdt || !rsdt || !fadt || !facs || !dsdt || !madt) {
		fprintf(stderr, "hxen: ACPI tables do not fit the BIOS area\n");
		return -1;
	}

	h = gpa_to_hva(vm, dsdt, sizeof(*h) + sizeof(dsdt_aml));
	header(h, "DSDT", sizeof(*h) + sizeof(dsdt_aml), 2);
	memcpy(h + 1, dsdt_aml, sizeof(dsdt_aml));
	finish(h);

	fc = gpa_to_hva(vm, facs, sizeof(*fc));
	memcpy(fc->signature, "FACS", 4);
	fc->length = sizeof(*fc);
	fc->version = 2;

	build_fadt(gpa_to_hva(vm, fadt, sizeof(struct acpi_fadt)), &af, facs, dsdt);

	h = gpa_to_hva(vm, xsdt, sizeof(*h) + 2 * 8);
	header(h, "XSDT", sizeof(*h) + 2 * 8, 1);
	xent = (uint64_t *)(h + 1);
	xent[0] = fadt;
	xent[1] = madt;
	finish(h);

	h = gpa_to_hva(vm, rsdt, sizeof(*h) + 2 * 4);
	header(h, "RSDT", sizeof(*h) + 2 * 4, 1);
	rent = (uint32_t *)(h + 1);
	rent[0] = fadt;
	rent[1] = madt;
	finish(h);

	r = gpa_to_hva(vm, rsdp, sizeof(*r));
	memcpy(r->signature, "RSD PTR ", 8);
	memcpy(r->oem_id, "HXEN  ", 6);
	r->revision = 2;
	r->rsdt = rsdt;
	r->xsdt = xsdt;
	r->length = sizeof(*r);
	r->checksum = checksum(r, 20);
	r->ext_checksum = checksum(r, sizeof(*r));
	*rsdp_gpa = rsdp;
	return 0;
}
