/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A byte stream of little-endian fields for device state (save/load; the
 * migration stream builds on it). Writing grows a buffer; reading takes
 * fields from a bounded window and never past it. Any failure (out of
 * memory, a read past the end) sets @error and makes every later call a
 * no-op that reads zeros, so a parser checks once at the end; the values
 * it read must still be range-checked before use: a stream is input.
 */
#ifndef HXEN_STREAM_H
#define HXEN_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream {
	uint8_t *buf;
	size_t len;		/* written bytes, or the readable window */
	size_t pos;		/* read position */
	size_t cap;		/* allocated, when writing */
	bool ro;		/* a read window */
	bool error;
};

/* A stream to write into (stream_free() it). */
void stream_init(struct stream *s);
void stream_free(struct stream *s);
/* A read window over @len bytes at @buf (not copied, not freed). */
void stream_open(struct stream *s, const void *buf, size_t len);

void stream_put(struct stream *s, const void *p, size_t len);
void stream_put_u8(struct stream *s, uint8_t v);
void stream_put_u16(struct stream *s, uint16_t v);
void stream_put_u32(struct stream *s, uint32_t v);
void stream_put_u64(struct stream *s, uint64_t v);
/* Overwrites 4 bytes at @at (written before), e.g. a length filled in later. */
void stream_patch_u32(struct stream *s, size_t at, uint32_t v);

void stream_get(struct stream *s, void *p, size_t len);
uint8_t stream_get_u8(struct stream *s);
uint16_t stream_get_u16(struct stream *s);
uint32_t stream_get_u32(struct stream *s);
uint64_t stream_get_u64(struct stream *s);
/* A bool written as one byte: anything but 0 or 1 is an error. */
bool stream_get_bool(struct stream *s);
/* A read window over the next @len bytes of @s, which skips them. */
void stream_sub(struct stream *s, size_t len, struct stream *sub);
size_t stream_left(const struct stream *s);

#endif /* HXEN_STREAM_H */
