// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's ELF reader for kernels (userspace/boot/elf.c) on
 * crafted files: what it must accept (ELF64 and ELF32 with a 4- or 8-byte
 * XEN_ELFNOTE_PHYS32_ENTRY) and what it must refuse with an error, then
 * random corruptions of a valid file, which must never crash it (built
 * with ASan/UBSan by tests/unit/run) and, when accepted, only describe
 * segments inside the file.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/elf.c"

#include "check.h"

/* The one I/O helper elf.c needs from bzimage.c. */
int boot_read_at(int fd, const char *path, void *buf, size_t len, uint64_t off)
{
	ssize_t n = pread(fd, buf, len, off);

	if (n != (ssize_t)len) {
		fprintf(stderr, "hxen: %s: short read\n", path);
		return -1;
	}
	return 0;
}

static int memfd = -1;

static int parse(const void *buf, size_t len, struct elf_kernel *k)
{
	if (ftruncate(memfd, 0) || pwrite(memfd, buf, len, 0) != (ssize_t)len)
		abort();
	return elf_read(memfd, "test", len, k);
}

#define PADDR	0x1000000ULL
#define FILE_SZ	256

/* Header, PT_LOAD of the whole file at PADDR, PT_NOTE at 176, HLTs. */
static size_t make64(uint8_t *f, unsigned int descsz, uint64_t entry)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f + sizeof(*eh));
	Elf64_Nhdr *n = (Elf64_Nhdr *)(f + 176);

	memset(f, 0xf4, FILE_SZ);
	memset(f, 0, 176 + 24);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = 0, .p_paddr = PADDR,
			      .p_filesz = FILE_SZ, .p_memsz = FILE_SZ + 4096 };
	ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = 176,
			      .p_filesz = 12 + 4 + ((descsz + 3) & ~3U) };
	n->n_namesz = 4;
	n->n_descsz = descsz;
	n->n_type = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(f + 188, "Xen", 4);
	memcpy(f + 192, &entry, descsz < 8 ? descsz : 8);
	return FILE_SZ;
}

static size_t make32(uint8_t *f, uint32_t entry)
{
	Elf32_Ehdr *eh = (Elf32_Ehdr *)f;
	Elf32_Phdr *ph = (Elf32_Phdr *)(f + sizeof(*eh));
	Elf32_Nhdr *n = (Elf32_Nhdr *)(f + 160);

	memset(f, 0xf4, FILE_SZ);
	memset(f, 0, 160 + 20);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_386;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 2;
	ph[0] = (Elf32_Phdr){ .p_type = PT_LOAD, .p_paddr = PADDR, .p_filesz = FILE_SZ,
			      .p_memsz = FILE_SZ };
	ph[1] = (Elf32_Phdr){ .p_type = PT_NOTE, .p_offset = 160, .p_filesz = 20 };
	n->n_namesz = 4;
	n->n_descsz = 4;
	n->n_type = XEN_ELFNOTE_PHYS32_ENTRY;
	memcpy(f + 172, "Xen", 4);
	memcpy(f + 176, &entry, 4);
	return FILE_SZ;
}

static void bad(const char *name, uint8_t *f, size_t len)
{
	struct elf_kernel k;

	check(parse(f, len, &k) == -1, name);
}

int main(void)
{
	uint8_t f[FILE_SZ], g[FILE_SZ];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f;
	Elf64_Phdr *ph = (Elf64_Phdr *)(f + sizeof(*eh));
	struct elf_kernel k;
	unsigned int i, accepted = 0;
	int ok;

	memfd = memfd_create("elf_test", 0);
	if (memfd < 0) {
		perror("memfd_create");
		return 1;
	}
	/* Errors go to stderr: keep the log to the ok lines. */
	if (!freopen("/dev/null", "w", stderr))
		return 1;

	make64(f, 8, PADDR + 200);
	ok = !parse(f, FILE_SZ, &k) && k.is64 && k.has_phys32_entry &&
	     k.phys32_entry == PADDR + 200 && k.nr_loads == 1 && k.low == PADDR &&
	     k.high == PADDR + FILE_SZ + 4096 && k.load[0].filesz == FILE_SZ;
	check(ok, "elf64_note_8_bytes");
	make64(f, 4, PADDR + 204);
	check(!parse(f, FILE_SZ, &k) && k.phys32_entry == PADDR + 204 && !k.bad_phys32_note,
	      "elf64_note_4_bytes");
	make64(f, 2, PADDR);
	check(!parse(f, FILE_SZ, &k) && !k.has_phys32_entry && k.bad_phys32_note,
	      "elf64_note_odd_size_flagged");
	make64(f, 8, PADDR);
	ph[1].p_type = PT_NULL;
	check(!parse(f, FILE_SZ, &k) && !k.has_phys32_entry, "elf64_without_note");
	make64(f, 8, PADDR);
	memcpy(f + 188, "Xex", 4);
	check(!parse(f, FILE_SZ, &k) && !k.has_phys32_entry, "note_of_other_owner_ignored");
	make64(f, 8, PADDR);
	((Elf64_Nhdr *)(f + 176))->n_namesz = 0xfffffff0;
	check(!parse(f, FILE_SZ, &k) && !k.has_phys32_entry, "note_name_past_segment_ignored");
	make32(f, PADDR + 200);
	check(!parse(f, FILE_SZ, &k) && !k.is64 && k.phys32_entry == PADDR + 200 &&
	      k.nr_loads == 1, "elf32_note");
	/* e_entry (the bzImage payload's entry point) and the placement check. */
	make64(f, 8, PADDR);
	eh->e_entry = PADDR + 64;
	check(!parse(f, FILE_SZ, &k) && k.entry == PADDR + 64, "elf64_e_entry");
	check(!elf_check_placement(&k, "test", 64ULL << 20, k.entry, "entry point"),
	      "placement_ok");
	check(elf_check_placement(&k, "test", 64ULL << 20, PADDR + FILE_SZ, "entry point") == -1,
	      "placement_entry_in_bss_refused");
	check(elf_check_placement(&k, "test", PADDR + 4096, k.entry, "entry point") == -1,
	      "placement_mem_too_small_refused");
	k.load[0].paddr = 0x80000;
	check(elf_check_placement(&k, "test", 64ULL << 20, 0x80000, "entry point") == -1,
	      "placement_below_1m_refused");
	k.load[0].paddr = GUEST_LOW_RAM_END - 4096;
	check(elf_check_placement(&k, "test", 8ULL << 30, GUEST_LOW_RAM_END - 4096,
				  "entry point") == -1, "placement_past_low_ram_refused");

	make64(f, 8, PADDR);
	bad("truncated_header", f, 40);
	make64(f, 8, PADDR);
	f[0] = 0;
	bad("bad_magic", f, FILE_SZ);
	make64(f, 8, PADDR);
	f[EI_DATA] = ELFDATA2MSB;
	bad("big_endian", f, FILE_SZ);
	make64(f, 8, PADDR);
	f[EI_CLASS] = 7;
	bad("unknown_class", f, FILE_SZ);
	make64(f, 8, PADDR);
	eh->e_machine = EM_AARCH64;
	bad("other_machine", f, FILE_SZ);
	make64(f, 8, PADDR);
	eh->e_type = ET_DYN;
	bad("not_et_exec", f, FILE_SZ);
	make64(f, 8, PADDR);
	eh->e_phnum = 0;
	bad("no_program_headers", f, FILE_SZ);
	make64(f, 8, PADDR);
	eh->e_phentsize = 40;
	bad("odd_phentsize", f, FILE_SZ);
	make64(f, 8, PADDR);
	eh->e_phoff = FILE_SZ - 8;
	bad("phdrs_past_eof", f, FILE_SZ);
	make64(f, 8, PADDR);
	eh->e_phoff = ~0ULL - 8;
	bad("phoff_wraps", f, FILE_SZ);
	make64(f, 8, PADDR);
	ph[0].p_filesz = FILE_SZ + 1;
	ph[0].p_memsz = FILE_SZ + 1;
	bad("segment_past_eof", f, FILE_SZ);
	make64(f, 8, PADDR);
	ph[0].p_offset = ~0ULL;
	bad("segment_offset_wraps", f, FILE_SZ);
	make64(f, 8, PADDR);
	ph[0].p_memsz = 16;
	bad("filesz_above_memsz", f, FILE_SZ);
	make64(f, 8, PADDR);
	ph[0].p_paddr = ~0ULL - 100;
	bad("segment_wraps_address_space", f, FILE_SZ);
	make64(f, 8, PADDR);
	ph[0].p_type = PT_NULL;
	bad("no_pt_load", f, FILE_SZ);

	/* Random corruptions: 1-8 bytes of the headers changed. */
	srand(1);
	for (i = 0; i < 200000; i++) {
		unsigned int j, n = 1 + rand() % 8;

		make64(g, rand() % 2 ? 8 : 4, PADDR + 200);
		for (j = 0; j < n; j++)
			g[rand() % 200] = rand();
		if (parse(g, FILE_SZ, &k))
			continue;
		accepted++;
		for (j = 0; j < (unsigned int)k.nr_loads; j++) {
			struct elf_segment *s = &k.load[j];

			if (s->offset > FILE_SZ || s->filesz > FILE_SZ - s->offset ||
			    s->filesz > s->memsz || s->paddr + s->memsz < s->paddr)
				break;
		}
		if (j < (unsigned int)k.nr_loads || k.nr_loads < 1 ||
		    k.nr_loads > ELF_MAX_LOADS)
			break;
	}
	printf("# %u of %u corrupted files accepted\n", accepted, i);
	check(i == 200000, "random_corruption_200000");

	return check_summary();
}
