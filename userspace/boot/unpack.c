// SPDX-License-Identifier: GPL-2.0
/*
 * A bzImage's payload decompressed by the launcher. A bzImage carries the
 * kernel proper (an ELF vmlinux, plus relocation data behind it)
 * compressed, and a small decompressor the guest normally runs first;
 * under a hypervisor that decompressor is most of the boot (Debian's
 * kernel: 66 MB of xz output; measured under the emulated test hosts it
 * took longer than the whole kernel's boot to init). The launcher does the
 * same work natively, once per kernel file: the ELF goes to a cache file
 * ($XDG_CACHE_HOME/hxen/kernels, else ~/.cache/hxen/kernels), named after
 * the kernel file's identity and change times as make would judge it
 * (device, inode, size, mtime, ctime), so a rebuilt or replaced kernel is
 * decompressed again. Without a usable cache directory the ELF goes to a
 * memfd for this run only. At most CACHE_KEEP kernels are kept, least
 * recently booted dropped first.
 *
 * The decompression runs in a child process: the decoders' windows (xz:
 * Linux uses a 32 MiB dictionary; zstd up to 128 MiB) never count towards
 * the launcher's own memory, and a decoder fault cannot take the VMM down.
 *
 * Formats: xz (liblzma), gzip (zlib), zstd (libzstd); Linux's other
 * choices (bzip2, lzma, lzo, lz4) are left to the guest's decompressor.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "boot.h"

#define CACHE_KEEP		4
#define OUT_CHUNK		(1024 * 1024)
/* Nothing Linux ever built decompresses to more (the ELF alone). */
#define OUT_MAX			(1ULL << 31)
#define SPARSE_BLOCK		4096

enum payload_format {
	PAYLOAD_XZ,
	PAYLOAD_GZIP,
	PAYLOAD_ZSTD,
	PAYLOAD_OTHER,
};

static const char *const format_name[] = { "xz", "gzip", "zstd", "other" };

static enum payload_format payload_format(const uint8_t *p, uint64_t len)
{
	if (len >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return PAYLOAD_XZ;
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return PAYLOAD_GZIP;
	if (len >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return PAYLOAD_ZSTD;
	return PAYLOAD_OTHER;
}

/*
 * The decompressed stream, written sequentially; all-zero blocks become
 * holes (a vmlinux ends in megabytes of .bss and .brk).
 */
struct sink {
	int fd;
	uint64_t off;
	bool write_failed;
};

static int sink_write(struct sink *s, const uint8_t *buf, size_t len)
{
	static const uint8_t zero[SPARSE_BLOCK];

	if (s->off + len > OUT_MAX) {
		fprintf(stderr, "more than %llu MiB of output\n", OUT_MAX >> 20);
		return -1;
	}
	/* A failed write is the cache's fault, not the kernel's: exit 2. */
	while (len) {
		size_t n = len < SPARSE_BLOCK ? len : SPARSE_BLOCK;

		if (n < SPARSE_BLOCK || memcmp(buf, zero, n)) {
			size_t done = 0;

			while (done < n) {
				ssize_t w = pwrite(s->fd, buf + done, n - done, s->off + done);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0) {
					fprintf(stderr, "writing: %s\n",
						w < 0 ? strerror(errno) : "no space");
					s->write_failed = true;
					return -1;
				}
				done += w;
			}
		}
		s->off += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* One .xz stream; Linux appends the output size (4 bytes) after it. */
static int unpack_xz(const uint8_t *in, size_t len, struct sink *s, uint8_t *out)
{
	lzma_stream z = LZMA_STREAM_INIT;
	lzma_ret r;

	r = lzma_stream_decoder(&z, UINT64_MAX, 0);
	if (r != LZMA_OK) {
		fprintf(stderr, "liblzma: cannot start a decoder (%d)\n", r);
		return -1;
	}
	z.next_in = in;
	z.avail_in = len;
	do {
		z.next_out = out;
		z.avail_out = OUT_CHUNK;
		r = lzma_code(&z, LZMA_FINISH);
		if ((r == LZMA_OK || r == LZMA_STREAM_END) &&
		    sink_write(s, out, OUT_CHUNK - z.avail_out))
			r = LZMA_PROG_ERROR;
	} while (r == LZMA_OK);
	lzma_end(&z);
	if (r != LZMA_STREAM_END) {
		if (!s->write_failed)
			fprintf(stderr, "corrupt or truncated xz data (liblzma error %d)\n",
				r);
		return -1;
	}
	return 0;
}

/* One gzip member (Linux appends the output size after it, too). */
static int unpack_gzip(const uint8_t *in, size_t len, struct sink *s, uint8_t *out)
{
	z_stream z;
	int r;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		fprintf(stderr, "zlib: cannot start a decoder\n");
		return -1;
	}
	z.next_in = (Bytef *)in;
	do {
		/* avail_in is 32 bits: feed a payload of any size in slices. */
		if (!z.avail_in) {
			size_t left = len - (size_t)((const uint8_t *)z.next_in - in);

			z.avail_in = left > (1U << 30) ? (1U << 30) : left;
		}
		z.next_out = out;
		z.avail_out = OUT_CHUNK;
		r = inflate(&z, Z_NO_FLUSH);
		if ((r == Z_OK || r == Z_STREAM_END) &&
		    sink_write(s, out, OUT_CHUNK - z.avail_out))
			r = Z_ERRNO;
		else if (r == Z_BUF_ERROR && z.avail_in)
			r = Z_OK;	/* output full: go on */
	} while (r == Z_OK);
	inflateEnd(&z);
	if (r != Z_STREAM_END) {
		if (!s->write_failed)
			fprintf(stderr, "corrupt or truncated gzip data (zlib error %d)\n",
				r);
		return -1;
	}
	return 0;
}

/* One zstd frame (then Linux's 4-byte output size). */
static int unpack_zstd(const uint8_t *in, size_t len, struct sink *s, uint8_t *out)
{
	ZSTD_DCtx *z = ZSTD_createDCtx();
	ZSTD_inBuffer ib = { in, len, 0 };
	size_t r = 1;

	if (!z) {
		fprintf(stderr, "libzstd: cannot start a decoder\n");
		return -1;
	}
	/* Linux compresses with --ultra -22: windows up to 2^27 bytes. */
	ZSTD_DCtx_setParameter(z, ZSTD_d_windowLogMax, 27);
	while (r && ib.pos < ib.size) {
		ZSTD_outBuffer ob = { out, OUT_CHUNK, 0 };

		r = ZSTD_decompressStream(z, &ob, &ib);
		if (ZSTD_isError(r))
			break;
		if (sink_write(s, out, ob.pos)) {
			ZSTD_freeDCtx(z);
			return -1;
		}
	}
	ZSTD_freeDCtx(z);
	if (r) {
		fprintf(stderr, "corrupt or truncated zstd data (%s)\n",
			ZSTD_isError(r) ? ZSTD_getErrorName(r) : "frame not finished");
		return -1;
	}
	return 0;
}

/* In the child: payload -> @out_fd; exit status 0 on success. */
static int unpack_child(const char *path, int kfd, uint64_t file_size, uint64_t off,
			uint64_t len, enum payload_format fmt, int out_fd)
{
	struct sink s = { .fd = out_fd };
	uint8_t *map, *out;
	int r;

	map = mmap(NULL, file_size, PROT_READ, MAP_PRIVATE, kfd, 0);
	out = malloc(OUT_CHUNK);
	if (map == MAP_FAILED || !out) {
		fprintf(stderr, "hxen: %s: cannot map the kernel: %s\n", path, strerror(errno));
		return 1;
	}
	fprintf(stderr, "hxen: %s: %s payload: ", path, format_name[fmt]);
	switch (fmt) {
	case PAYLOAD_XZ:
		r = unpack_xz(map + off, len, &s, out);
		break;
	case PAYLOAD_GZIP:
		r = unpack_gzip(map + off, len, &s, out);
		break;
	default:
		r = unpack_zstd(map + off, len, &s, out);
		break;
	}
	if (!r && ftruncate(out_fd, s.off)) {
		fprintf(stderr, "writing: %s\n", strerror(errno));
		return 2;
	}
	return r ? (s.write_failed ? 2 : 1) : 0;
}

/*
 * Decompress in a child process, whose one-line reason for a failure is
 * passed on to stderr, except for a failed write with @quiet_write (the
 * caller tries elsewhere). -1: the kernel's data is bad (or the child
 * died), -2: writing the output failed.
 */
static int unpack_to(const char *path, int kfd, uint64_t file_size, uint64_t off,
		     uint64_t len, enum payload_format fmt, int out_fd, bool quiet_write)
{
	int pipefd[2], status;
	char msg[512];
	ssize_t n;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "hxen: pipe: %s\n", strerror(errno));
		return -1;
	}
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "hxen: fork: %s\n", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (!pid) {
		dup2(pipefd[1], STDERR_FILENO);
		_exit(unpack_child(path, kfd, file_size, off, len, fmt, out_fd));
	}
	close(pipefd[1]);
	n = 0;
	for (;;) {
		ssize_t r = read(pipefd[0], msg + n, sizeof(msg) - 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
		if (n == sizeof(msg) - 1)
			break;
	}
	msg[n] = 0;
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2 && quiet_write)
		return -2;
	if (!strchr(msg, '\n'))
		snprintf(msg + n, sizeof(msg) - n, "%sdecompressor died (%s)\n",
			 n ? "" : "hxen: ",
			 WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "exit status");
	fputs(msg, stderr);
	return WIFEXITED(status) && WEXITSTATUS(status) == 2 ? -2 : -1;
}

/* $XDG_CACHE_HOME/hxen/kernels or ~/.cache/hxen/kernels, created; NULL if none. */
static char *cache_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char *dir = NULL;
	char *p;

	if (xdg && *xdg == '/') {
		if (asprintf(&dir, "%s/hxen/kernels", xdg) < 0)
			return NULL;
	} else if (home && *home == '/') {
		if (asprintf(&dir, "%s/.cache/hxen/kernels", home) < 0)
			return NULL;
	} else {
		return NULL;
	}
	/* mkdir -p, private: a kernel image is nobody else's business. */
	for (p = dir + 1; ; p++) {
		if (*p == '/' || !*p) {
			char c = *p;

			*p = 0;
			if (mkdir(dir, 0700) && errno != EEXIST) {
				free(dir);
				return NULL;
			}
			*p = c;
			if (!c)
				break;
		}
	}
	if (access(dir, W_OK | X_OK)) {
		free(dir);
		return NULL;
	}
	return dir;
}

/* Keep the CACHE_KEEP most recently used entries; drop stale temporaries. */
static void cache_trim(const char *dir)
{
	struct { char name[256]; time_t used; } keep[CACHE_KEEP + 1];
	int nkeep = 0, dfd, i;
	struct dirent *de;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	dfd = dirfd(d);
	while ((de = readdir(d))) {
		bool tmp = !strncmp(de->d_name, "tmp.", 4);

		if (strncmp(de->d_name, "vmlinux-", 8) && !tmp)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			continue;
		if (tmp) {
			/* Another launcher's work in progress, unless it is old. */
			if (st.st_mtime < time(NULL) - 3600)
				unlinkat(dfd, de->d_name, 0);
			continue;
		}
		/* Insertion into the most-recent-first list; the overflow goes. */
		for (i = nkeep; i > 0 && keep[i - 1].used < st.st_mtime; i--)
			keep[i] = keep[i - 1];
		snprintf(keep[i].name, sizeof(keep[i].name), "%s", de->d_name);
		keep[i].used = st.st_mtime;
		if (nkeep < CACHE_KEEP + 1)
			nkeep++;
		if (nkeep == CACHE_KEEP + 1) {
			unlinkat(dfd, keep[CACHE_KEEP].name, 0);
			nkeep--;
		}
	}
	closedir(d);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

int bzimage_unpack(const char *path, int kfd, uint64_t file_size, uint64_t off,
		   uint64_t len, bool debug)
{
	enum payload_format fmt;
	uint8_t head[6] = { 0 };
	char *dir, *final = NULL, *tmp = NULL;
	struct timespec t0;
	struct stat st;
	int fd;

	if (!len || off > file_size || len > file_size - off)
		return -1;	/* read_header() said why */
	if (boot_read_at(kfd, path, head, len < sizeof(head) ? len : sizeof(head), off))
		return -1;
	fmt = payload_format(head, len);
	if (fmt == PAYLOAD_OTHER) {
		if (debug)
			fprintf(stderr, "hxen: %s: payload compressed in a format the launcher does not decode: the guest decompresses it\n",
				path);
		return UNPACK_GUEST;
	}
	if (fstat(kfd, &st)) {
		fprintf(stderr, "hxen: %s: %s\n", path, strerror(errno));
		return -1;
	}

	dir = cache_dir();
	if (dir) {
		if (asprintf(&final, "%s/vmlinux-%llx-%llx-%llx-%lld.%09ld-%lld.%09ld", dir,
			     (unsigned long long)st.st_dev, (unsigned long long)st.st_ino,
			     (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
			     st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec,
			     st.st_ctim.tv_nsec) < 0)
			final = NULL;
		fd = final ? open(final, O_RDONLY | O_CLOEXEC) : -1;
		if (fd >= 0) {
			/* Its mtime is its last use, for cache_trim(). */
			futimens(fd, NULL);
			if (debug)
				fprintf(stderr, "hxen: %s: decompressed kernel from the cache (%s)\n",
					path, final);
			free(final);
			free(dir);
			return fd;
		}
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = -1;
	if (final && asprintf(&tmp, "%s/tmp.XXXXXX", dir) >= 0 &&
	    (fd = mkostemp(tmp, O_CLOEXEC)) >= 0) {
		int r = unpack_to(path, kfd, file_size, off, len, fmt, fd, true);

		if (r || fdatasync(fd) || rename(tmp, final)) {
			unlink(tmp);
			close(fd);
			fd = -1;
			if (r == -1)
				goto out;
			/* The cache is full or broken: this run only, below. */
			free(final);
			final = NULL;
		} else {
			cache_trim(dir);
		}
	}
	if (fd < 0) {
		/* No cache: this run only. */
		fd = memfd_create("hxen-vmlinux", MFD_CLOEXEC);
		if (fd < 0)
			fprintf(stderr, "hxen: memfd_create: %s\n", strerror(errno));
		else if (unpack_to(path, kfd, file_size, off, len, fmt, fd, false)) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0 && debug)
		fprintf(stderr, "hxen: %s: %s payload decompressed by the launcher in %ld ms%s%s\n",
			path, format_name[fmt], elapsed_ms(&t0), final ? ", cached as " : "",
			final ? final : "");
out:
	free(tmp);
	free(final);
	free(dir);
	return fd;
}
