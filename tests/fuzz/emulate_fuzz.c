// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the MMIO instruction emulator (kmod/x86/emulate*.c).
 * Built by tests/fuzz/run with -fsanitize=fuzzer,address,undefined.
 *
 * Input: [mode][insn length][insn bytes][register state...]. mode bits:
 * 0 long mode, 1 CS.D, 2 LA57, 3-5 callback policy (see below). The
 * instruction is copied into a buffer of exactly its length so ASan sees
 * any read past it. Besides memory safety and UB, each run checks the
 * emulator's contract and aborts when it is broken:
 *  - at most one write per call, no read after it;
 *  - anything but OK leaves the registers untouched; PENDING issues no
 *    write; EXCEPTION names a vector the emulator or callbacks raise;
 *  - OK moves RIP past the instruction (or keeps it, REP in progress) and
 *    changes no RFLAGS bit but the arithmetic ones;
 *  - the accesses match what hxen_decode() says the instruction does, and
 *    decoding does not depend on bytes after the instruction;
 *  - a PENDING call re-run with the read completed does not PENDING again
 *    on that read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86/emulate/emulate.c"
#include "x86/emulate/decode.c"

struct fz {
	struct hxen_emul_ctx ctx;
	unsigned int policy;
	int reads, writes, pending_at;
	bool read_after_write;
};

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "emulate_fuzz: %s:%d: %s\n", __FILE__,	\
			__LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* memory content: a function of the address, so re-runs see the same */
static u8 mem_byte(u64 la)
{
	la ^= la >> 29;
	la *= 0xbf58476d1ce4e5b9ULL;
	return la >> 56;
}

/*
 * policy 0: all OK; 1: read 1 PENDING; 2: read 2 PENDING; 3: read 1 #PF;
 * 4: write #PF; 5: reads OK, odd addresses #PF; 6/7: all OK.
 */
static int fz_read(void *opaque, u64 la, void *val, unsigned int bytes)
{
	struct fz *f = opaque;
	unsigned int i;
	int n = ++f->reads;

	CHECK(bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8);
	if (f->writes)
		f->read_after_write = true;
	if (n == f->pending_at)
		return HXEN_EMUL_PENDING;
	if ((f->policy == 3 && n == 1) || (f->policy == 5 && (la & 1))) {
		hxen_emul_set_exc(&f->ctx, 14, true, 0);
		return HXEN_EMUL_EXCEPTION;
	}
	for (i = 0; i < bytes; i++)
		((u8 *)val)[i] = mem_byte(la + i);
	return HXEN_EMUL_OK;
}

static int fz_write(void *opaque, u64 la, const void *val, unsigned int bytes)
{
	struct fz *f = opaque;

	(void)la;
	(void)val;
	CHECK(bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8);
	f->writes++;
	if (f->policy == 4) {
		hxen_emul_set_exc(&f->ctx, 14, true, 2);
		return HXEN_EMUL_EXCEPTION;
	}
	return HXEN_EMUL_OK;
}

static const struct hxen_emul_ops fz_ops = {
	.read = fz_read,
	.write = fz_write,
};

static int call(struct fz *f, const u8 *insn, unsigned int len,
		struct hxen_emul_regs *regs)
{
	struct hxen_emul_regs before = *regs;
	struct hxen_insn in;
	int rc, drc;

	f->reads = 0;
	f->writes = 0;
	f->read_after_write = false;
	f->ctx.exc_vector = 0xff;
	rc = hxen_emulate(&f->ctx, insn, len, regs);

	CHECK(rc >= HXEN_EMUL_OK && rc <= HXEN_EMUL_EXCEPTION);
	CHECK(f->writes <= 1);
	CHECK(!f->read_after_write);
	if (rc != HXEN_EMUL_OK)
		CHECK(!memcmp(&before, regs, sizeof(before)));
	if (rc == HXEN_EMUL_PENDING)
		CHECK(!f->writes);
	if (rc == HXEN_EMUL_EXCEPTION)
		CHECK(f->ctx.exc_vector == HXEN_EXC_UD ||
		      f->ctx.exc_vector == HXEN_EXC_SS ||
		      f->ctx.exc_vector == HXEN_EXC_GP ||
		      f->ctx.exc_vector == 14);

	drc = hxen_decode(&f->ctx, insn, len, &in);
	if (drc != HXEN_EMUL_OK) {
		/* a failed decode is all hxen_emulate can have returned */
		CHECK(rc == drc && !f->reads && !f->writes);
		return rc;
	}
	CHECK(in.len >= 1 && in.len <= 15 && in.len <= len);
	CHECK(in.op_bytes == 1 || in.op_bytes == 2 || in.op_bytes == 4 ||
	      in.op_bytes == 8);
	CHECK(in.addr_bytes == 2 || in.addr_bytes == 4 ||
	      in.addr_bytes == 8);
	if (f->reads)
		CHECK(in.flags & HXEN_INSN_MEM_READ);
	if (f->writes)
		CHECK(in.flags & HXEN_INSN_MEM_WRITE);
	if (rc == HXEN_EMUL_OK) {
		u64 next = before.rip + in.len;

		if (!f->ctx.long_mode)
			next &= f->ctx.cs_db ? 0xffffffffULL : 0xffffULL;
		CHECK(regs->rip == next ||
		      (regs->rip == before.rip && in.form == HXEN_FORM_STR));
		CHECK(!((regs->rflags ^ before.rflags) &
			~HXEN_RFLAGS_ARITH));
		CHECK(!memcmp(before.seg_base, regs->seg_base,
			      sizeof(before.seg_base)));
	}

	/* the decode must not depend on bytes after the instruction */
	{
		struct hxen_insn again;
		u8 *exact = malloc(in.len);

		memcpy(exact, insn, in.len);
		CHECK(hxen_decode(&f->ctx, exact, in.len, &again) ==
		      HXEN_EMUL_OK);
		CHECK(!memcmp(&in, &again, sizeof(in)));
		free(exact);
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hxen_emul_regs regs, saved;
	struct fz f;
	unsigned int len, rest;
	u8 *insn;
	int rc, i;

	if (size < 2)
		return 0;
	memset(&f, 0, sizeof(f));
	f.ctx.ops = &fz_ops;
	f.ctx.opaque = &f;
	f.ctx.long_mode = data[0] & 1;
	f.ctx.cs_db = !!(data[0] & 2);
	f.ctx.la57 = !!(data[0] & 4);
	f.policy = (data[0] >> 3) & 7;
	if (f.policy == 1 || f.policy == 2)
		f.pending_at = f.policy;
	len = data[1] % 17;
	if (len > size - 2)
		len = size - 2;
	insn = malloc(len ? len : 1);
	memcpy(insn, data + 2, len);

	memset(&regs, 0, sizeof(regs));
	rest = size - 2 - len;
	if (rest > sizeof(regs))
		rest = sizeof(regs);
	memcpy(&regs, data + 2 + len, rest);
	saved = regs;

	rc = call(&f, insn, len, &regs);
	if (rc == HXEN_EMUL_PENDING) {
		/* the caller completed the read: run again from scratch */
		CHECK(!memcmp(&saved, &regs, sizeof(regs)));
		f.pending_at = 0;
		rc = call(&f, insn, len, &regs);
		CHECK(rc != HXEN_EMUL_PENDING);
	}
	/* REP: a few more iterations, as the guest would re-execute */
	for (i = 0; i < 4 && rc == HXEN_EMUL_OK && regs.rip == saved.rip; i++)
		rc = call(&f, insn, len, &regs);
	free(insn);
	return 0;
}
