// SPDX-License-Identifier: GPL-2.0
/*
 * PVH boot of an ELF kernel (a Linux vmlinux built with CONFIG_PVH), per
 * Xen's PVH ABI (xen/docs/misc/pvh.pandoc): the PT_LOAD segments go to
 * their physical addresses, and the BSP starts at the address in the
 * XEN_ELFNOTE_PHYS32_ENTRY note in flat 32-bit protected mode with paging
 * off, EBX = the physical address of a struct hvm_start_info (version 1:
 * command line, one module = the initrd, the e820 memory map, the RSDP).
 *
 * The ABI asks for: CR0.PE set and every other writable CR0 bit clear,
 * CR4 zero, CS a 32-bit execute/read segment and DS, ES, SS 32-bit
 * read/write segments, all base 0 limit 4 GiB (selectors unspecified), TR
 * a 32-bit busy TSS with base 0 and limit 0x67, EFLAGS.VM/IF/TF clear. The
 * kernel brings its own GDT, IDT and stack.
 *
 * Guest layout: start_info, the module list and the memory map in one page
 * at PVH_START_INFO, the command line at BOOT_CMDLINE, the ACPI tables in
 * the BIOS area as for a bzImage, the initrd at the top of low RAM below
 * 2 GiB; everything below 1 MiB stays the launcher's.
 */
#include <errno.h>
#include <stdint.h>	/* before the Xen header, which assumes it */
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <xen/arch-x86/hvm/start_info.h>

#include "../vmm/vmm.h"
#include "boot.h"

/*
 * The initrd's top: start_info carries a 64-bit address, but Linux copies
 * it into boot_params.hdr.ramdisk_image (32 bits) and, like the bzImage
 * path for Debian's kernel (initrd_addr_max), is happiest below 2 GiB.
 */
#define PVH_INITRD_LIMIT	0x80000000ULL
/* Linux's x86 COMMAND_LINE_SIZE; it would silently cut a longer one. */
#define PVH_CMDLINE_MAX		2047

#define CR0_PE			(1ULL << 0)
#define CR0_ET			(1ULL << 4)	/* not writable: reads as 1 */
#define PVH_CS			0x10
#define PVH_DS			0x18

/*
 * Everything that does not depend on the VM, with its one-line error:
 * used before the VM exists (pvh_check) and again when loading.
 */
static int pvh_parse(int fd, const char *path, uint64_t size, uint64_t mem,
		     struct elf_kernel *k)
{
	if (elf_read(fd, path, size, k))
		return -1;
	if (k->bad_phys32_note) {
		fprintf(stderr, "hxen: %s: XEN_ELFNOTE_PHYS32_ENTRY note of a size other than 4 or 8 bytes\n",
			path);
		return -1;
	}
	if (!k->has_phys32_entry) {
		fprintf(stderr, "hxen: %s: ELF kernel without a PVH entry (XEN_ELFNOTE_PHYS32_ENTRY note)%s\n",
			path, k->is64 ? "; a 64-bit-only vmlinux needs CONFIG_PVH" : "");
		return -1;
	}
	return elf_check_placement(k, path, mem, k->phys32_entry, "PVH entry");
}

/*
 * Magic numbers of what people pass by mistake: a compressed vmlinux (a
 * distribution's vmlinuz is a bzImage, but a bare vmlinux.xz is common).
 */
static const struct {
	const char *name;
	unsigned int len;
	uint8_t magic[6];
} compressed[] = {
	{ "xz", 6, { 0xfd, '7', 'z', 'X', 'Z', 0 } },
	{ "gzip", 2, { 0x1f, 0x8b } },
	{ "zstd", 4, { 0x28, 0xb5, 0x2f, 0xfd } },
	{ "bzip2", 3, { 'B', 'Z', 'h' } },
	{ "lz4", 4, { 0x02, 0x21, 0x4c, 0x18 } },
};

int kernel_kind(const char *path, enum kernel_kind *kind)
{
	uint8_t head[8] = { 0 };
	uint64_t size;
	size_t i;
	int fd;

	fd = boot_open_file(path, "kernel", &size);
	if (fd < 0)
		return -1;
	if (size >= sizeof(head) && boot_read_at(fd, path, head, sizeof(head), 0)) {
		close(fd);
		return -1;
	}
	close(fd);
	*kind = KERNEL_BZIMAGE;	/* bzimage_check() names anything else */
	if (!memcmp(head, "\x7f" "ELF", 4)) {
		*kind = KERNEL_ELF;
		return 0;
	}
	for (i = 0; i < sizeof(compressed) / sizeof(compressed[0]); i++) {
		if (!memcmp(head, compressed[i].magic, compressed[i].len)) {
			fprintf(stderr, "hxen: %s: %s-compressed; decompress it first (a bzImage or an ELF vmlinux boots)\n",
				path, compressed[i].name);
			return -1;
		}
	}
	return 0;
}

int pvh_check(const char *kernel, const char *initrd, uint64_t mem)
{
	struct elf_kernel k;
	uint64_t size;
	int fd, ret;

	fd = boot_open_file(kernel, "kernel", &size);
	if (fd < 0)
		return -1;
	ret = pvh_parse(fd, kernel, size, mem, &k);
	close(fd);
	if (ret)
		return -1;
	if (initrd) {
		fd = boot_open_file(initrd, "initrd", &size);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

static int setup_bsp(struct vm *vm, uint32_t entry)
{
	struct vcpu *bsp = &vm->vcpus[0];
	uint64_t *gdt = gpa_to_hva(vm, BOOT_GDT, 4 * 8);
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	/*
	 * A GDT that matches the hidden segment state, so that a reload of
	 * the selectors before the kernel's own lgdt would still work.
	 */
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[PVH_CS / 8] = 0x00cf9b000000ffffULL;	/* 32-bit code, accessed */
	gdt[PVH_DS / 8] = 0x00cf93000000ffffULL;	/* data, accessed */

	if (ioctl(bsp->fd, KVM_GET_SREGS, &sregs) < 0) {
		die_errno("KVM_GET_SREGS");
		return -1;
	}
	sregs.cs = boot_flat_segment(PVH_CS, 0xb, false);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = boot_flat_segment(PVH_DS, 0x3, false);
	sregs.tr = (struct kvm_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .limit = 0xffff,
					  .unusable = 1 };
	sregs.gdt.base = BOOT_GDT;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_ET;
	sregs.cr3 = 0;
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(bsp->fd, KVM_SET_SREGS, &sregs) < 0) {
		die_errno("KVM_SET_SREGS");
		return -1;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;	/* IF, TF, VM clear */
	regs.rip = entry;
	regs.rbx = PVH_START_INFO;
	if (ioctl(bsp->fd, KVM_SET_REGS, &regs) < 0) {
		die_errno("KVM_SET_REGS");
		return -1;
	}
	return 0;
}

int pvh_load(struct vm *vm)
{
	const char *path = vm->cfg->kernel;
	const char *cmdline = vm->cfg->cmdline ? vm->cfg->cmdline : "";
	struct hvm_start_info *si = gpa_to_hva(vm, PVH_START_INFO, sizeof(*si));
	struct hvm_modlist_entry *mod = gpa_to_hva(vm, PVH_MODLIST, sizeof(*mod));
	struct hvm_memmap_table_entry *mm =
		gpa_to_hva(vm, PVH_MEMMAP, E820_MAX * sizeof(*mm));
	struct boot_e820_entry e820[E820_MAX];
	uint64_t size, initrd, initrd_size, rsdp;
	struct elf_kernel k;
	int fd, i, n;

	fd = boot_open_file(path, "kernel", &size);
	if (fd < 0)
		return -1;
	if (pvh_parse(fd, path, size, vm->ram_size, &k) || elf_load_segments(vm, fd, path, &k, 0)) {
		close(fd);
		return -1;
	}
	close(fd);

	if (strlen(cmdline) > PVH_CMDLINE_MAX) {
		fprintf(stderr, "hxen: --cmdline is longer than Linux's %d bytes\n",
			PVH_CMDLINE_MAX);
		return -1;
	}
	strcpy(gpa_to_hva(vm, BOOT_CMDLINE, BOOT_CMDLINE_MAX), cmdline);
	if (boot_load_initrd(vm, PVH_INITRD_LIMIT, k.high, &initrd, &initrd_size))
		return -1;
	if (acpi_build(vm, &rsdp))
		return -1;

	memset(si, 0, sizeof(*si));
	si->magic = XEN_HVM_START_MAGIC_VALUE;
	si->version = 1;	/* memmap_paddr and memmap_entries are valid */
	si->flags = 0;		/* no SIF_*: an unprivileged domain, not dom0 */
	si->cmdline_paddr = BOOT_CMDLINE;
	si->rsdp_paddr = rsdp;
	if (vm->cfg->initrd) {
		memset(mod, 0, sizeof(*mod));
		mod->paddr = initrd;
		mod->size = initrd_size;
		si->nr_modules = 1;	/* Linux: the first module is the initrd */
		si->modlist_paddr = PVH_MODLIST;
	}
	n = e820_build(vm, e820);
	for (i = 0; i < n; i++)
		mm[i] = (struct hvm_memmap_table_entry){
			.addr = e820[i].addr, .size = e820[i].size, .type = e820[i].type,
		};
	si->memmap_paddr = PVH_MEMMAP;
	si->memmap_entries = n;
	return setup_bsp(vm, (uint32_t)k.phys32_entry);
}
