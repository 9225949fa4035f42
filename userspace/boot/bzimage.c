// SPDX-License-Identifier: GPL-2.0
/*
 * Linux bzImage loader, 64-bit boot protocol (Documentation/arch/x86/boot.rst):
 * the setup header at 0x1f1 is copied into a zeroed boot_params, and the
 * BSP starts in long mode with RSI = boot_params, identity-mapped page
 * tables, CS = __BOOT_CS (64-bit code) and the data segments __BOOT_DS.
 *
 * Where the launcher decompressed the payload (unpack.c, the default), the
 * vmlinux's PT_LOAD segments go to their physical addresses and the BSP
 * starts at its ELF entry point, startup_64: the state the kernel's own
 * decompressor hands over, KASLR included (kaslr_prepare). Otherwise
 * (--guest-decompress, or a format the launcher does not decode) the
 * protected-mode kernel goes to pref_address and starts at load address +
 * 0x200, the decompressor.
 * Files are read straight into guest memory: no host-side copy.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>

#include "../vmm/vmm.h"
#include "boot.h"
#include "kaslr.h"

#define SETUP_HDR_OFFSET	0x1f1
#define HDRS_MAGIC		0x53726448	/* "HdrS" */
#define BOOT_FLAG_MAGIC		0xAA55
#define MIN_PROTOCOL		0x020c		/* 2.12: xloadflags, 64-bit entry */
#define LOADER_UNDEFINED	0xff		/* type_of_loader: not a registered loader */
#define ENTRY_64_OFFSET		0x200

#define PTE_P			(1ULL << 0)
#define PTE_W			(1ULL << 1)
#define PTE_PS			(1ULL << 7)

#define CR0_PE			(1ULL << 0)
#define CR0_MP			(1ULL << 1)
#define CR0_ET			(1ULL << 4)
#define CR0_NE			(1ULL << 5)
#define CR0_PG			(1ULL << 31)
#define CR4_PAE			(1ULL << 5)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)

int boot_read_at(int fd, const char *path, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "hxen: %s: %s\n", path,
				n < 0 ? strerror(errno) : "unexpected end of file");
			return -1;
		}
		done += n;
	}
	return 0;
}

int boot_open_file(const char *path, const char *what, uint64_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "hxen: %s %s: %s\n", what, path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "hxen: %s %s: not a regular file\n", what, path);
		close(fd);
		return -1;
	}
	*size = st.st_size;
	return fd;
}

/* Identity map of the first 4 GiB with 2 MiB pages (the kernel builds its own). */
static void build_page_tables(struct vm *vm)
{
	uint64_t *pml4 = gpa_to_hva(vm, BOOT_PML4, 4096);
	uint64_t *pdpt = gpa_to_hva(vm, BOOT_PDPT, 4096);
	uint64_t *pd = gpa_to_hva(vm, BOOT_PD, 4 * 4096);
	int i;

	memset(pml4, 0, 4096);
	memset(pdpt, 0, 4096);
	pml4[0] = BOOT_PDPT | PTE_P | PTE_W;
	for (i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + i * 4096) | PTE_P | PTE_W;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_W | PTE_PS;
}

struct kvm_segment boot_flat_segment(uint16_t sel, uint8_t type, bool code64)
{
	return (struct kvm_segment){
		.base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
		.present = 1, .dpl = 0, .db = !code64, .s = 1, .l = code64, .g = 1,
	};
}

static int setup_bsp(struct vm *vm, uint64_t entry)
{
	struct vcpu *bsp = &vm->vcpus[0];
	uint64_t *gdt = gpa_to_hva(vm, BOOT_GDT, 4 * 8);
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	/* Null, null, __BOOT_CS: 64-bit code, __BOOT_DS: flat data. */
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[BOOT_CS / 8] = 0x00af9b000000ffffULL;
	gdt[BOOT_DS / 8] = 0x00cf93000000ffffULL;

	if (ioctl(bsp->fd, KVM_GET_SREGS, &sregs) < 0) {
		die_errno("KVM_GET_SREGS");
		return -1;
	}
	sregs.cs = boot_flat_segment(BOOT_CS, 0xb, true);
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = boot_flat_segment(BOOT_DS, 0x3, false);
	/* VM entry wants a usable busy TSS; the kernel loads its own later. */
	sregs.tr = (struct kvm_segment){ .limit = 0x67, .type = 0xb, .present = 1 };
	sregs.ldt = (struct kvm_segment){ .type = 0x2, .present = 1, .limit = 0xffff,
					  .unusable = 1 };
	sregs.gdt.base = BOOT_GDT;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_PG;
	sregs.cr3 = BOOT_PML4;
	sregs.cr4 = CR4_PAE;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(bsp->fd, KVM_SET_SREGS, &sregs) < 0) {
		die_errno("KVM_SET_SREGS");
		return -1;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 0x2;
	regs.rip = entry;
	regs.rsi = BOOT_PARAMS;
	regs.rsp = BOOT_STACK_TOP;
	if (ioctl(bsp->fd, KVM_SET_REGS, &regs) < 0) {
		die_errno("KVM_SET_REGS");
		return -1;
	}
	return 0;
}

/*
 * The highest page-aligned spot for an initrd of @size below min(RAM top,
 * @limit); 0 if it does not fit.
 */
static uint64_t initrd_addr(struct vm *vm, uint64_t limit, uint64_t size)
{
	uint64_t top = vm->low_size < limit ? vm->low_size : limit;

	return size < top ? (top - size) & ~0xfffULL : 0;
}

/*
 * The initrd at the highest page-aligned spot below min(RAM top, @limit)
 * and above @kernel_end; *addr and *size stay 0 without --initrd.
 */
int boot_load_initrd(struct vm *vm, uint64_t limit, uint64_t kernel_end, uint64_t *addr,
		     uint64_t *size)
{
	const char *path = vm->cfg->initrd;
	int fd, ret;

	*addr = *size = 0;
	if (!path)
		return 0;
	fd = boot_open_file(path, "initrd", size);
	if (fd < 0)
		return -1;
	*addr = initrd_addr(vm, limit, *size);
	if (!*addr || *addr < kernel_end) {
		fprintf(stderr, "hxen: initrd %s (%llu MiB) does not fit: raise --mem\n", path,
			(unsigned long long)*size >> 20);
		close(fd);
		return -1;
	}
	ret = boot_read_at(fd, path, gpa_to_hva(vm, *addr, *size), *size, 0);
	close(fd);
	return ret;
}

int elf_load_segments(struct vm *vm, int fd, const char *path, const struct elf_kernel *k,
		      uint64_t delta)
{
	int i;

	for (i = 0; i < k->nr_loads; i++) {
		const struct elf_segment *s = &k->load[i];
		uint8_t *p = gpa_to_hva(vm, s->paddr + delta, s->memsz);

		/* elf_check_placement() checked, kaslr_pick_offset() kept it so. */
		if (!p) {
			fprintf(stderr, "hxen: %s: segment at %#llx outside guest RAM\n", path,
				(unsigned long long)(s->paddr + delta));
			return -1;
		}
		if (boot_read_at(fd, path, p, s->filesz, s->offset))
			return -1;
		/* The rest is .bss; RAM is fresh, but a reboot reuses nothing either. */
		memset(p + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/* Where boot_load_initrd() will put the initrd (the top of RAM without one). */
static uint64_t initrd_bottom(struct vm *vm, uint64_t limit)
{
	struct stat st;
	uint64_t addr = 0;

	if (vm->cfg->initrd && !stat(vm->cfg->initrd, &st))
		addr = initrd_addr(vm, limit, st.st_size);
	/* Without one, or one too big (boot_load_initrd() says so): the top. */
	return addr ? addr : initrd_addr(vm, limit, 0);
}

static int load_initrd(struct vm *vm, struct boot_params *bp, uint64_t kernel_end)
{
	uint64_t addr, size;

	if (boot_load_initrd(vm, (uint64_t)bp->hdr.initrd_addr_max + 1, kernel_end, &addr,
			     &size))
		return -1;
	bp->hdr.ramdisk_image = (uint32_t)addr;
	bp->ext_ramdisk_image = addr >> 32;
	bp->hdr.ramdisk_size = (uint32_t)size;
	bp->ext_ramdisk_size = size >> 32;
	return 0;
}

/*
 * Read and check the setup header; returns the protected-mode kernel's
 * offset in the file, or 0 after printing why @path cannot be booted.
 */
static uint64_t read_header(int fd, const char *path, uint64_t file_size,
			    struct setup_header *hdr)
{
	uint64_t setup_size;
	size_t hdr_len;
	uint8_t jump_end;

	memset(hdr, 0, sizeof(*hdr));
	if (file_size < 1024 || boot_read_at(fd, path, &jump_end, 1, 0x201))
		goto not_bzimage;
	/* The header runs to the end of the 2-byte jump at 0x200 plus its offset. */
	hdr_len = 0x202 + jump_end - SETUP_HDR_OFFSET;
	if (hdr_len > sizeof(*hdr))
		hdr_len = sizeof(*hdr);
	if (boot_read_at(fd, path, hdr, hdr_len, SETUP_HDR_OFFSET))
		return 0;
	if (hdr->header != HDRS_MAGIC || hdr->boot_flag != BOOT_FLAG_MAGIC)
		goto not_bzimage;
	if (hdr->version < MIN_PROTOCOL || !(hdr->xloadflags & XLF_KERNEL_64)) {
		fprintf(stderr, "hxen: %s: boot protocol %u.%02u without a 64-bit entry point\n",
			path, hdr->version >> 8, hdr->version & 0xff);
		return 0;
	}
	setup_size = ((uint64_t)(hdr->setup_sects ? hdr->setup_sects : 4) + 1) * 512;
	if ((uint64_t)file_size <= setup_size)
		goto not_bzimage;
	/* The compressed kernel must be all there (payload_*: protocol 2.08). */
	if (!hdr->payload_length ||
	    (uint64_t)hdr->payload_offset + hdr->payload_length > file_size - setup_size) {
		fprintf(stderr, "hxen: %s: truncated bzImage (its compressed kernel runs past the end of the file)\n",
			path);
		return 0;
	}
	return setup_size;

not_bzimage:
	fprintf(stderr, "hxen: %s: neither a bzImage (no Linux boot header) nor an ELF kernel\n",
		path);
	return 0;
}

/*
 * The launcher-decompressed vmlinux (@fd): a 64-bit x86 ELF that fits
 * @mem. Prints why not.
 */
static int vmlinux_parse(int fd, const char *path, uint64_t mem, struct elf_kernel *k)
{
	struct stat st;

	if (fstat(fd, &st)) {
		fprintf(stderr, "hxen: %s: decompressed kernel: %s\n", path, strerror(errno));
		return -1;
	}
	if (elf_read(fd, path, st.st_size, k))
		return -1;
	if (!k->is64) {
		fprintf(stderr, "hxen: %s: the payload is a 32-bit ELF kernel\n", path);
		return -1;
	}
	return elf_check_placement(k, path, mem, k->entry, "entry point");
}

/* Is @word one of the words of @cmdline (NULL: none), as Linux splits them? */
static bool cmdline_has(const char *cmdline, const char *word)
{
	size_t n = strlen(word);
	const char *p = cmdline;

	while (p && (p = strstr(p, word))) {
		if ((p == cmdline || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
		p += n;
	}
	return false;
}

/*
 * Was the kernel built for KASLR (CONFIG_RANDOMIZE_BASE)? The header does
 * not say; its decompressor, behind the payload in the file, then knows
 * the "nokaslr" option. Without it the kernel's text mapping may end at
 * 512 MiB, and the kernel never runs moved: boot it where it was linked.
 */
static bool kernel_has_kaslr(int fd, const char *path, uint64_t file_size, uint64_t from)
{
	uint64_t len = file_size - from;
	bool found;
	char *buf;

	if (from >= file_size || len > (16 << 20))
		return false;
	buf = malloc(len);
	if (!buf || boot_read_at(fd, path, buf, len, from)) {
		free(buf);
		return false;
	}
	found = memmem(buf, len, "nokaslr", 7) != NULL;
	free(buf);
	return found;
}

/* A launcher-decompressed kernel's KASLR (kaslr.c): where it goes, and its table. */
struct boot_kaslr {
	uint64_t phys, virt;	/* offsets from the link addresses; 0: unmoved */
	uint32_t *tbl;
	size_t nwords;
	struct kaslr_table t;
};

/*
 * Pick @ka's offsets for the decompressed kernel @k, as its own
 * decompressor would, unless it was not built for KASLR or the command
 * line says "nokaslr": physical, so that the image ends by @phys_limit
 * (the initrd goes above it); virtual, within the kernel text mapping. A
 * table that does not check out leaves the kernel where it was linked,
 * with a warning: it still boots.
 */
static void kaslr_prepare(struct vm *vm, int kfd, uint64_t kfile_size, uint64_t payload_end,
			  const struct setup_header *hdr, const struct elf_kernel *k,
			  uint64_t phys_limit, struct boot_kaslr *ka)
{
	const char *path = vm->cfg->kernel, *why = NULL;
	uint64_t rnd[2], len;
	struct stat st;

	memset(ka, 0, sizeof(*ka));
	if (!hdr->relocatable_kernel || cmdline_has(vm->cfg->cmdline, "nokaslr") ||
	    !kernel_has_kaslr(kfd, path, kfile_size, payload_end))
		return;
	if (fstat(vm->cfg->vmlinux_fd, &st) || (uint64_t)st.st_size < k->file_end) {
		why = "cannot size the decompressed kernel";
		goto unmoved;
	}
	len = st.st_size - k->file_end;
	if (len % 4 || len > (64 << 20)) {
		why = "it is not a table of 32-bit words";
		goto unmoved;
	}
	ka->nwords = len / 4;
	ka->tbl = malloc(len ? len : 4);
	if (!ka->tbl) {
		why = "out of memory";
		goto unmoved;
	}
	if (boot_read_at(vm->cfg->vmlinux_fd, path, ka->tbl, len, k->file_end) ||
	    kaslr_parse(ka->tbl, ka->nwords, k->low, k->high, &ka->t, &why)) {
		why = why ? why : "cannot read it";
		goto unmoved;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd)) {
		why = "no random bytes (getrandom)";
		goto unmoved;
	}
	/* Too little RAM to move it physically is no reason not to move it virtually. */
	ka->phys = kaslr_pick_offset(k->low, k->high - k->low, hdr->kernel_alignment,
				     phys_limit, rnd[0]);
	ka->virt = kaslr_pick_offset(hdr->pref_address, k->high - k->low,
				     hdr->kernel_alignment, KASLR_IMAGE_MAX, rnd[1]);
	if (!ka->virt) {
		why = "no room to move the kernel";
		goto unmoved;
	}
	return;
unmoved:
	fprintf(stderr, "hxen: %s: relocation table unusable (%s): booting without KASLR\n",
		path, why);
	free(ka->tbl);
	memset(ka, 0, sizeof(*ka));
}

/*
 * The kernel @k loaded @ka->phys above its link address: its virtual
 * addresses moved by @ka->virt, and KASLR_FLAG set, which tells it KASLR
 * is on (so it randomizes its memory layout too).
 */
static void kaslr_finish(struct vm *vm, struct boot_kaslr *ka, const struct elf_kernel *k,
			 struct boot_params *bp)
{
	if (!ka->virt)
		return;
	kaslr_apply(ka->tbl, ka->nwords, &ka->t, gpa_to_hva(vm, ka->phys, k->high), ka->virt);
	bp->hdr.loadflags |= KASLR_FLAG;
	if (vm->cfg->debug)
		fprintf(stderr, "hxen: KASLR: kernel at physical %#llx, virtual +%#llx (%zu relocations)\n",
			(unsigned long long)(k->low + ka->phys), (unsigned long long)ka->virt,
			ka->t.nr32 + ka->t.nr32_neg + ka->t.nr64);
	free(ka->tbl);
	ka->tbl = NULL;
}

int bzimage_check(struct vm_config *cfg)
{
	const char *kernel = cfg->kernel, *initrd = cfg->initrd;
	struct setup_header hdr;
	struct elf_kernel k;
	uint64_t size, setup_size;
	int fd;

	cfg->vmlinux_fd = -1;
	fd = boot_open_file(kernel, "kernel", &size);
	if (fd < 0)
		return -1;
	setup_size = read_header(fd, kernel, size, &hdr);
	if (!setup_size) {
		close(fd);
		return -1;
	}
	if (!cfg->guest_decompress) {
		int vfd = bzimage_unpack(kernel, fd, size, setup_size + hdr.payload_offset,
					 hdr.payload_length, cfg->debug);

		if (vfd == -1) {
			close(fd);
			return -1;
		}
		if (vfd >= 0 && vmlinux_parse(vfd, kernel, cfg->mem, &k)) {
			close(vfd);
			close(fd);
			return -1;
		}
		cfg->vmlinux_fd = vfd;
	}
	close(fd);
	if (initrd) {
		fd = boot_open_file(initrd, "initrd", &size);
		if (fd < 0)
			return -1;
		close(fd);
	}
	return 0;
}

int bzimage_load(struct vm *vm)
{
	const char *path = vm->cfg->kernel;
	const char *cmdline = vm->cfg->cmdline ? vm->cfg->cmdline : "";
	struct boot_params *bp = gpa_to_hva(vm, BOOT_PARAMS, sizeof(*bp));
	struct setup_header *hdr = &bp->hdr;
	uint64_t load, setup_size, kernel_size, kernel_end, entry, rsdp;
	size_t cmdline_max;
	uint64_t file_size;
	struct elf_kernel k;
	int fd;

	fd = boot_open_file(path, "kernel", &file_size);
	if (fd < 0)
		return -1;
	memset(bp, 0, sizeof(*bp));
	setup_size = read_header(fd, path, file_size, hdr);
	if (!setup_size)
		goto fail;
	kernel_size = file_size - setup_size;
	load = hdr->pref_address;
	if (load < GUEST_BIOS_AREA_END)
		load = GUEST_BIOS_AREA_END;
	if (load > vm->low_size || hdr->init_size > vm->low_size - load ||
	    kernel_size > vm->low_size - load) {
		fprintf(stderr, "hxen: --mem %llu MiB is too small for %s (needs > %llu MiB)\n",
			(unsigned long long)(vm->ram_size >> 20), path,
			(unsigned long long)((load + hdr->init_size) >> 20));
		goto fail;
	}
	kernel_end = load + hdr->init_size;
	if (vm->cfg->vmlinux_fd >= 0) {
		struct boot_kaslr ka;

		if (vmlinux_parse(vm->cfg->vmlinux_fd, path, vm->ram_size, &k))
			goto fail;
		kaslr_prepare(vm, fd, file_size,
			      setup_size + hdr->payload_offset + hdr->payload_length, hdr, &k,
			      initrd_bottom(vm, (uint64_t)hdr->initrd_addr_max + 1), &ka);
		if (elf_load_segments(vm, vm->cfg->vmlinux_fd, path, &k, ka.phys)) {
			free(ka.tbl);
			goto fail;
		}
		kaslr_finish(vm, &ka, &k, bp);
		entry = k.entry + ka.phys;
		if (k.high + ka.phys > kernel_end)
			kernel_end = k.high + ka.phys;
	} else {
		if (boot_read_at(fd, path, gpa_to_hva(vm, load, kernel_size), kernel_size,
				 setup_size))
			goto fail;
		entry = load + ENTRY_64_OFFSET;
	}
	close(fd);

	hdr->type_of_loader = LOADER_UNDEFINED;
	hdr->code32_start = load;
	cmdline_max = hdr->cmdline_size ? hdr->cmdline_size : 255;
	if (cmdline_max >= BOOT_CMDLINE_MAX)
		cmdline_max = BOOT_CMDLINE_MAX - 1;
	if (strlen(cmdline) > cmdline_max) {
		fprintf(stderr, "hxen: --cmdline is longer than the kernel's %zu bytes\n",
			cmdline_max);
		return -1;
	}
	strcpy(gpa_to_hva(vm, BOOT_CMDLINE, BOOT_CMDLINE_MAX), cmdline);
	hdr->cmd_line_ptr = BOOT_CMDLINE;
	if (load_initrd(vm, bp, kernel_end))
		return -1;
	bp->e820_entries = e820_build(vm, bp->e820_table);
	if (acpi_build(vm, &rsdp))
		return -1;
	bp->acpi_rsdp_addr = rsdp;
	build_page_tables(vm);
	return setup_bsp(vm, entry);

fail:
	close(fd);
	return -1;
}
