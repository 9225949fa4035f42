// SPDX-License-Identifier: GPL-2.0
/* Little-endian field streams for device state (stream.h). */
#include <stdlib.h>
#include <string.h>

#include "stream.h"

#define STREAM_MAX	(1U << 30)	/* far above any device's state */

void stream_init(struct stream *s)
{
	memset(s, 0, sizeof(*s));
}

void stream_free(struct stream *s)
{
	if (!s->ro)
		free(s->buf);
	memset(s, 0, sizeof(*s));
}

void stream_open(struct stream *s, const void *buf, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->buf = (uint8_t *)buf;
	s->len = len;
	s->ro = true;
}

void stream_put(struct stream *s, const void *p, size_t len)
{
	size_t cap;
	uint8_t *b;

	if (s->error || !len)
		return;
	if (s->len + len > s->cap) {
		if (s->ro || len > STREAM_MAX - s->len) {
			s->error = true;
			return;
		}
		cap = s->cap ? s->cap : 256;
		while (cap < s->len + len)
			cap *= 2;
		b = realloc(s->buf, cap);
		if (!b) {
			s->error = true;
			return;
		}
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
}

static void put_le(struct stream *s, uint64_t v, unsigned int bytes)
{
	uint8_t b[8];
	unsigned int i;

	for (i = 0; i < bytes; i++)
		b[i] = v >> (8 * i);
	stream_put(s, b, bytes);
}

void stream_put_u8(struct stream *s, uint8_t v)
{
	put_le(s, v, 1);
}

void stream_put_u16(struct stream *s, uint16_t v)
{
	put_le(s, v, 2);
}

void stream_put_u32(struct stream *s, uint32_t v)
{
	put_le(s, v, 4);
}

void stream_put_u64(struct stream *s, uint64_t v)
{
	put_le(s, v, 8);
}

void stream_patch_u32(struct stream *s, size_t at, uint32_t v)
{
	unsigned int i;

	if (s->error || s->ro || at > s->len || s->len - at < 4) {
		s->error = true;
		return;
	}
	for (i = 0; i < 4; i++)
		s->buf[at + i] = v >> (8 * i);
}

size_t stream_left(const struct stream *s)
{
	return s->error ? 0 : s->len - s->pos;
}

void stream_get(struct stream *s, void *p, size_t len)
{
	if (s->error || len > s->len - s->pos) {
		s->error = true;
		memset(p, 0, len);
		return;
	}
	if (!len)
		return;
	memcpy(p, s->buf + s->pos, len);
	s->pos += len;
}

static uint64_t get_le(struct stream *s, unsigned int bytes)
{
	uint64_t v = 0;
	uint8_t b[8];
	unsigned int i;

	stream_get(s, b, bytes);
	for (i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

uint8_t stream_get_u8(struct stream *s)
{
	return get_le(s, 1);
}

uint16_t stream_get_u16(struct stream *s)
{
	return get_le(s, 2);
}

uint32_t stream_get_u32(struct stream *s)
{
	return get_le(s, 4);
}

uint64_t stream_get_u64(struct stream *s)
{
	return get_le(s, 8);
}

bool stream_get_bool(struct stream *s)
{
	uint8_t v = stream_get_u8(s);

	if (v > 1)
		s->error = true;
	return v == 1;
}

void stream_sub(struct stream *s, size_t len, struct stream *sub)
{
	memset(sub, 0, sizeof(*sub));
	sub->ro = true;
	if (s->error || len > s->len - s->pos) {
		s->error = true;
		sub->error = true;
		return;
	}
	sub->buf = s->buf + s->pos;
	sub->len = len;
	sub->ro = true;
	s->pos += len;
}
