// SPDX-License-Identifier: GPL-2.0
/*
 * A small ELF reader for kernels (a PVH vmlinux, or the vmlinux inside a
 * bzImage, unpack.c): the ELF header, the PT_LOAD segments (by physical
 * address, p_paddr: a vmlinux links at virtual addresses the boot entry
 * cannot use) and the Xen notes in PT_NOTE segments, of which only
 * XEN_ELFNOTE_PHYS32_ENTRY matters here. ELF32 and ELF64, little
 * endian, x86 only. Every field read from the file is checked before use:
 * the file is input, not trusted.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>

#include "../vmm/vmm.h"
#include "boot.h"

/* PT_NOTE bytes looked at: Linux has about 500, a hostile file has more. */
#define ELF_NOTES_MAX		(64 * 1024)
#define ELF_PHNUM_MAX		64

static const char *note_name_xen = "Xen";

/*
 * Walk one PT_NOTE segment: Elf32_Nhdr and Elf64_Nhdr are the same three
 * 32-bit words, name and descriptor each padded to 4 bytes (the x86 gABI
 * rule both classes use for SHT_NOTE).
 */
static void scan_notes(struct elf_kernel *k, const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (len - off >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr n;
		size_t name_len, desc_len;

		memcpy(&n, p + off, sizeof(n));
		off += sizeof(n);
		name_len = ((size_t)n.n_namesz + 3) & ~(size_t)3;
		desc_len = ((size_t)n.n_descsz + 3) & ~(size_t)3;
		if (name_len > len - off || desc_len > len - off - name_len)
			return;
		if (n.n_namesz == 4 && !memcmp(p + off, note_name_xen, 4) &&
		    n.n_type == XEN_ELFNOTE_PHYS32_ENTRY) {
			uint64_t v = 0;

			/* Linux emits it with _ASM_PTR: 4 or 8 bytes. */
			if (n.n_descsz == 4 || n.n_descsz == 8) {
				memcpy(&v, p + off + name_len, n.n_descsz);
				k->phys32_entry = v;
				k->has_phys32_entry = true;
			} else {
				k->bad_phys32_note = true;
			}
		}
		off += name_len + desc_len;
	}
}

static int fail(const char *path, const char *why)
{
	fprintf(stderr, "hxen: %s: %s\n", path, why);
	return -1;
}

int elf_read(int fd, const char *path, uint64_t file_size, struct elf_kernel *k)
{
	unsigned char ident[EI_NIDENT];
	uint64_t phoff, shoff = 0, shsize = 0;
	unsigned int phnum, phentsize, i;
	uint16_t machine, type;

	memset(k, 0, sizeof(*k));
	k->low = UINT64_MAX;
	if (file_size < sizeof(Elf32_Ehdr) || boot_read_at(fd, path, ident, sizeof(ident), 0))
		return fail(path, "truncated ELF header");
	if (memcmp(ident, ELFMAG, SELFMAG))
		return fail(path, "not an ELF file");
	if (ident[EI_DATA] != ELFDATA2LSB)
		return fail(path, "big-endian ELF, not an x86 kernel");
	if (ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;

		if (file_size < sizeof(eh) || boot_read_at(fd, path, &eh, sizeof(eh), 0))
			return fail(path, "truncated ELF header");
		k->is64 = true;
		k->entry = eh.e_entry;
		machine = eh.e_machine;
		type = eh.e_type;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		shoff = eh.e_shoff;
		shsize = (uint64_t)eh.e_shnum * eh.e_shentsize;
		if (phentsize != sizeof(Elf64_Phdr))
			return fail(path, "ELF program header size is not Elf64_Phdr's");
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;

		if (boot_read_at(fd, path, &eh, sizeof(eh), 0))
			return -1;
		k->entry = eh.e_entry;
		machine = eh.e_machine;
		type = eh.e_type;
		phoff = eh.e_phoff;
		phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		shoff = eh.e_shoff;
		shsize = (uint64_t)eh.e_shnum * eh.e_shentsize;
		if (phentsize != sizeof(Elf32_Phdr))
			return fail(path, "ELF program header size is not Elf32_Phdr's");
	} else {
		return fail(path, "unknown ELF class");
	}
	if (machine != EM_X86_64 && machine != EM_386)
		return fail(path, "ELF for another architecture (not x86)");
	if (type != ET_EXEC)
		return fail(path, "ELF file is not an executable (ET_EXEC)");
	if (!phnum || phnum > ELF_PHNUM_MAX)
		return fail(path, "ELF file without program headers (or too many)");
	if (phoff > file_size || (uint64_t)phnum * phentsize > file_size - phoff)
		return fail(path, "ELF program headers beyond the end of the file");
	k->file_end = phoff + (uint64_t)phnum * phentsize;
	/* The section table only counts where it is in the file (it is optional). */
	if (shoff && shoff <= file_size && shsize <= file_size - shoff && shoff + shsize > k->file_end)
		k->file_end = shoff + shsize;

	for (i = 0; i < phnum; i++) {
		uint64_t p_type, off, paddr, filesz, memsz;

		if (k->is64) {
			Elf64_Phdr ph;

			if (boot_read_at(fd, path, &ph, sizeof(ph), phoff + i * sizeof(ph)))
				return -1;
			p_type = ph.p_type;
			off = ph.p_offset;
			paddr = ph.p_paddr;
			filesz = ph.p_filesz;
			memsz = ph.p_memsz;
		} else {
			Elf32_Phdr ph;

			if (boot_read_at(fd, path, &ph, sizeof(ph), phoff + i * sizeof(ph)))
				return -1;
			p_type = ph.p_type;
			off = ph.p_offset;
			paddr = ph.p_paddr;
			filesz = ph.p_filesz;
			memsz = ph.p_memsz;
		}
		if (p_type != PT_LOAD && p_type != PT_NOTE)
			continue;
		if (off > file_size || filesz > file_size - off)
			return fail(path, "ELF segment beyond the end of the file");
		if (off + filesz > k->file_end)
			k->file_end = off + filesz;
		if (p_type == PT_NOTE) {
			size_t len = filesz < ELF_NOTES_MAX ? filesz : ELF_NOTES_MAX;
			uint8_t *buf = malloc(len ? len : 1);

			if (!buf)
				return fail(path, "out of memory");
			if (boot_read_at(fd, path, buf, len, off)) {
				free(buf);
				return -1;
			}
			scan_notes(k, buf, len);
			free(buf);
			continue;
		}
		if (!memsz)
			continue;
		if (filesz > memsz)
			return fail(path, "ELF segment with more file bytes than memory bytes");
		if (paddr + memsz < paddr)
			return fail(path, "ELF segment wraps around the address space");
		if (k->nr_loads == ELF_MAX_LOADS)
			return fail(path, "too many ELF PT_LOAD segments");
		k->load[k->nr_loads++] = (struct elf_segment){
			.offset = off, .paddr = paddr, .filesz = filesz, .memsz = memsz,
		};
		if (paddr < k->low)
			k->low = paddr;
		if (paddr + memsz > k->high)
			k->high = paddr + memsz;
	}
	if (!k->nr_loads)
		return fail(path, "ELF file without loadable (PT_LOAD) segments");
	return 0;
}

int elf_check_placement(const struct elf_kernel *k, const char *path, uint64_t mem,
			uint64_t entry, const char *entry_name)
{
	uint64_t low_top = mem < GUEST_LOW_RAM_END ? mem : GUEST_LOW_RAM_END;
	bool in_segment = false;
	int i;

	for (i = 0; i < k->nr_loads; i++) {
		const struct elf_segment *s = &k->load[i];

		/* Below 1 MiB are boot_params/start_info, the GDT and the ACPI tables. */
		if (s->paddr < GUEST_BIOS_AREA_END || s->paddr + s->memsz > GUEST_LOW_RAM_END) {
			fprintf(stderr, "hxen: %s: segment at %#llx-%#llx is outside the RAM a kernel may use (1 MiB to %llu MiB)\n",
				path, (unsigned long long)s->paddr,
				(unsigned long long)(s->paddr + s->memsz - 1),
				(unsigned long long)(GUEST_LOW_RAM_END >> 20));
			return -1;
		}
		if (s->paddr + s->memsz > low_top) {
			fprintf(stderr, "hxen: --mem %llu MiB is too small for %s (needs > %llu MiB)\n",
				(unsigned long long)(mem >> 20), path,
				(unsigned long long)(k->high >> 20));
			return -1;
		}
		if (entry >= s->paddr && entry < s->paddr + s->filesz)
			in_segment = true;
	}
	if (!in_segment) {
		fprintf(stderr, "hxen: %s: %s %#llx is not in a loaded segment\n", path,
			entry_name, (unsigned long long)entry);
		return -1;
	}
	return 0;
}
