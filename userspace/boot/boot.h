/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boot loaders: the Linux bzImage 64-bit boot protocol
 * (Documentation/arch/x86/boot.rst) and Xen's PVH boot of an ELF kernel.
 * The machine they describe to the guest (memory layout, e820, ACPI) is
 * platform/'s.
 *
 * Low memory used while booting (all of it e820 RAM; the EBDA and the
 * BIOS area with the ACPI tables are platform/platform.h's):
 *   0x01000  GDT
 *   0x07000  boot_params (the "zero page")
 *   0x08ff0  initial stack (unused by the kernel, but valid)
 *   0x09000  PML4, 0x0a000 PDPT, 0x0b000-0x0efff page directories
 *   0x20000  command line
 *   pref_address (16 MiB for Debian's kernel): the protected-mode kernel
 *   below min(RAM top, initrd_addr_max): the initrd
 */
#ifndef HXEN_BOOT_H
#define HXEN_BOOT_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/bootparam.h>

#include "../platform/platform.h"

struct vm;

#define BOOT_GDT		0x1000ULL
#define BOOT_PARAMS		0x7000ULL
#define BOOT_STACK_TOP		0x8ff0ULL
#define BOOT_PML4		0x9000ULL
#define BOOT_PDPT		0xa000ULL
#define BOOT_PD			0xb000ULL	/* 4 pages: 4 GiB in 2 MiB pages */
#define BOOT_CMDLINE		0x20000ULL
#define BOOT_CMDLINE_MAX	4096

/* Segment selectors the 64-bit boot protocol asks for. */
#define BOOT_CS			0x10
#define BOOT_DS			0x18

/* PVH (pvh.c): hvm_start_info, the initrd's module entry, the memory map. */
#define PVH_START_INFO		0x7000ULL	/* instead of boot_params */
#define PVH_MODLIST		0x7040ULL	/* one hvm_modlist_entry */
#define PVH_MEMMAP		0x7080ULL	/* hvm_memmap_table_entry[E820_MAX] */

/*
 * bzimage.c: check the files before any VM exists (and have the launcher
 * decompress the kernel: cfg->vmlinux_fd); load them; set the BSP up.
 */
struct vm_config;
int bzimage_check(struct vm_config *cfg);
int bzimage_load(struct vm *vm);
/* Helpers shared with pvh.c; both print a one-line error. */
int boot_open_file(const char *path, const char *what, uint64_t *size);
int boot_read_at(int fd, const char *path, void *buf, size_t len, uint64_t off);
/* A flat 4 GiB ring-0 segment: 64-bit code if @code64, else 32-bit. */
struct kvm_segment boot_flat_segment(uint16_t sel, uint8_t type, bool code64);
int boot_load_initrd(struct vm *vm, uint64_t limit, uint64_t kernel_end, uint64_t *addr,
		     uint64_t *size);

/* What `hxen run --kernel FILE` holds, from its first bytes. */
enum kernel_kind {
	KERNEL_BZIMAGE,
	KERNEL_ELF,
};
/* Prints why and returns -1 for what cannot be booted (compressed, missing). */
int kernel_kind(const char *path, enum kernel_kind *kind);

/* elf.c: a PVH kernel's loadable segments and entry note. */
#define ELF_MAX_LOADS		16

struct elf_segment {
	uint64_t offset;	/* in the file */
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;		/* >= filesz, the rest zeroed */
};

struct elf_kernel {
	bool is64;			/* ELFCLASS64 */
	bool has_phys32_entry;		/* XEN_ELFNOTE_PHYS32_ENTRY found */
	bool bad_phys32_note;		/* ... with a descriptor of odd size */
	uint64_t phys32_entry;
	uint64_t entry;			/* e_entry */
	int nr_loads;
	struct elf_segment load[ELF_MAX_LOADS];
	uint64_t low, high;		/* physical span of the PT_LOAD segments */
	/* Where the ELF's own bytes end (headers, segments, section table). */
	uint64_t file_end;
};

int elf_read(int fd, const char *path, uint64_t file_size, struct elf_kernel *k);
/*
 * The segments within 1 MiB .. min(@mem, low RAM end), @entry inside one
 * (@entry_name says which entry in the message); -1 after printing why.
 */
int elf_check_placement(const struct elf_kernel *k, const char *path, uint64_t mem,
			uint64_t entry, const char *entry_name);
/*
 * bzimage.c: the checked segments into guest RAM, @delta above their
 * physical addresses (KASLR), the rest of each zeroed.
 */
int elf_load_segments(struct vm *vm, int fd, const char *path, const struct elf_kernel *k,
		      uint64_t delta);

/*
 * unpack.c: the payload of bzImage @path (bytes @off to @off + @len of the
 * open @kfd) decompressed by the launcher, cached: an fd on the ELF
 * vmlinux; UNPACK_GUEST when the guest's own decompressor must do it (a
 * format the launcher does not decode); -1 after printing why.
 */
#define UNPACK_GUEST		(-2)
int bzimage_unpack(const char *path, int kfd, uint64_t file_size, uint64_t off,
		   uint64_t len, bool debug);
/* pvh.c: the PVH boot of an ELF kernel at its 32-bit entry. */
int pvh_check(const char *kernel, const char *initrd, uint64_t mem);
int pvh_load(struct vm *vm);

#endif /* HXEN_BOOT_H */
