// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the guest page-table walker (kmod/x86/walk.c): page tables
 * built in a fake guest memory, translations and #PF error codes checked
 * against the SDM's rules.
 */
#include <stdio.h>
#include <string.h>

#include "x86/emulate/walk.c"

static unsigned char mem[1 << 20];	/* 1 MiB of guest-physical memory */
static int passed, failed;

static int rd(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	(void)opaque;
	if (gpa + len > sizeof(mem))
		return -1;
	memcpy(buf, mem + gpa, len);
	return 0;
}

static void put64(u64 gpa, u64 v) { memcpy(mem + gpa, &v, 8); }
static void put32(u64 gpa, u32 v) { memcpy(mem + gpa, &v, 4); }

static void expect(const char *name, const struct hxen_walk_mode *m, u64 la,
		   u32 access, int want, u64 want_gpa, u32 want_err)
{
	u64 gpa = 0;
	u32 err = 0;
	int r = hxen_walk(m, la, access, rd, NULL, &gpa, &err);

	if (r != want || (r == HXEN_WALK_OK && gpa != want_gpa) ||
	    (r == HXEN_WALK_PF && err != want_err)) {
		printf("not ok %s: result %d gpa %#llx err %#x, want %d %#llx %#x\n",
		       name, r, (unsigned long long)gpa, err, want,
		       (unsigned long long)want_gpa, want_err);
		failed++;
	} else {
		printf("ok %s\n", name);
		passed++;
	}
}

int main(void)
{
	struct hxen_walk_mode m = { 0 };

	/* Paging off: identity, truncated to 32 bits. */
	expect("paging_off", &m, 0x123456789ULL, 0, HXEN_WALK_OK, 0x23456789, 0);

	/* 4-level: PML4 0x1000 -> PDPT 0x2000 -> PD 0x3000 -> PT 0x4000. */
	m.cr0 = CR0_PG | 1;
	m.cr4 = CR4_PAE;
	m.efer = EFER_LMA | EFER_NXE;
	m.cr3 = 0x1000;
	put64(0x1000, 0x2000 | PTE_P | PTE_RW | PTE_US);
	put64(0x2000, 0x3000 | PTE_P | PTE_RW | PTE_US);
	put64(0x3000, 0x4000 | PTE_P | PTE_RW | PTE_US);
	put64(0x4000 + 5 * 8, 0x9000 | PTE_P | PTE_RW | PTE_US);	/* la 0x5000 */
	put64(0x4000 + 6 * 8, 0xa000 | PTE_P | PTE_US);			/* read-only */
	put64(0x4000 + 7 * 8, 0xb000 | PTE_P | PTE_RW);			/* supervisor */
	put64(0x4000 + 8 * 8, 0xc000 | PTE_P | PTE_RW | PTE_XD);	/* no-exec */
	put64(0x3000 + 1 * 8, 0x200000 | PTE_P | PTE_RW | PTE_PS);	/* 2 MiB page */
	expect("lm_4k", &m, 0x5123, 0, HXEN_WALK_OK, 0x9123, 0);
	expect("lm_2m", &m, 0x212345, 0, HXEN_WALK_OK, 0x212345, 0);
	expect("lm_not_present", &m, 0x10000, HXEN_PF_WRITE, HXEN_WALK_PF, 0, HXEN_PF_WRITE);
	expect("lm_ro_write_wp0", &m, 0x6000, HXEN_PF_WRITE, HXEN_WALK_OK, 0xa000, 0);
	m.cr0 |= CR0_WP;
	expect("lm_ro_write_wp1", &m, 0x6000, HXEN_PF_WRITE, HXEN_WALK_PF, 0,
	       HXEN_PF_PRESENT | HXEN_PF_WRITE);
	m.cpl = 3;
	expect("lm_user_supervisor_page", &m, 0x7000, 0, HXEN_WALK_PF, 0,
	       HXEN_PF_PRESENT | HXEN_PF_USER);
	expect("lm_user_ro_write", &m, 0x6000, HXEN_PF_WRITE, HXEN_WALK_PF, 0,
	       HXEN_PF_PRESENT | HXEN_PF_WRITE | HXEN_PF_USER);
	m.cpl = 0;
	expect("lm_nx_fetch", &m, 0x8000, HXEN_PF_FETCH, HXEN_WALK_PF, 0,
	       HXEN_PF_PRESENT | HXEN_PF_FETCH);
	expect("lm_nx_read", &m, 0x8000, 0, HXEN_WALK_OK, 0xc000, 0);
	m.cr4 |= CR4_SMEP;
	expect("lm_smep", &m, 0x5000, HXEN_PF_FETCH, HXEN_WALK_PF, 0,
	       HXEN_PF_PRESENT | HXEN_PF_FETCH);
	m.cr4 &= ~CR4_SMEP;
	m.efer &= ~EFER_NXE;
	expect("lm_xd_without_nxe_reserved", &m, 0x8000, 0, HXEN_WALK_PF, 0,
	       HXEN_PF_PRESENT | HXEN_PF_RSVD);
	put64(0x1000 + 511 * 8, 0x200000000ULL | PTE_P);
	expect("lm_table_outside_ram", &m, 0xffffff8000000000ULL, 0, HXEN_WALK_BAD, 0, 0);

	/* PAE: PDPT at 0x20020 (32-byte aligned) -> PD 0x21000 -> PT 0x22000. */
	m.efer = 0;
	m.cr3 = 0x20020;
	put64(0x20020 + 1 * 8, 0x21000 | PTE_P);			/* la 0x40000000+ */
	put64(0x21000, 0x22000 | PTE_P | PTE_RW);
	put64(0x22000 + 3 * 8, 0x33000 | PTE_P | PTE_RW);
	put64(0x21000 + 8, 0x400000 | PTE_P | PTE_PS);
	expect("pae_4k", &m, 0x40003abc, 0, HXEN_WALK_OK, 0x33abc, 0);
	expect("pae_2m", &m, 0x40212345, 0, HXEN_WALK_OK, 0x412345, 0);
	expect("pae_pdpte_absent", &m, 0x12345, 0, HXEN_WALK_PF, 0, 0);

	/* 32-bit: PD 0x40000 -> PT 0x41000; a 4 MiB page with PSE. */
	m.cr4 = CR4_PSE;
	m.cr3 = 0x40000;
	put32(0x40000 + 1 * 4, 0x41000 | PTE_P | PTE_RW | PTE_US);	/* la 0x400000+ */
	put32(0x41000 + 2 * 4, 0x55000 | PTE_P | PTE_RW | PTE_US);
	put32(0x40000 + 2 * 4, 0x00c00000 | PTE_P | PTE_PS | (3 << 13));	/* PSE-36 */
	expect("32bit_4k", &m, 0x402010, 0, HXEN_WALK_OK, 0x55010, 0);
	expect("32bit_4m_pse36", &m, 0x812345, 0, HXEN_WALK_OK, 0x300c12345ULL, 0);
	m.cr4 = 0;
	expect("32bit_ps_ignored_without_pse", &m, 0x812345, 0, HXEN_WALK_BAD, 0, 0);

	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
