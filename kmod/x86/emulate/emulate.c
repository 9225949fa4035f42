// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO instruction emulator: executes one instruction decoded by
 * emulate_decode.c against a shadow copy of the registers. Reads go to the
 * callbacks at once; the single memory write is deferred to the end, and
 * the shadow registers are copied back only when every callback succeeded
 * (the ordering contract in emulate.h). Flag results follow the SDM
 * definitions; where the SDM leaves a flag undefined we do what Intel
 * hardware does (noted at each place).
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "emulate.h"

struct emul {
	struct hxen_emul_ctx *ctx;
	const struct hxen_emul_regs *old;	/* addresses come from here */
	struct hxen_emul_regs r;		/* shadow, committed last */
	struct hxen_insn in;
	u64 rm_ea;		/* offset of the r/m memory operand */
	u64 rm_la;		/* its linear address, once checked */
	bool rm_la_ok;
	bool advance;		/* move RIP past the instruction */
	/* the deferred memory write */
	bool wpending;
	u8 wbytes;
	u64 wla;
	u64 wval;
};

static u64 size_mask(unsigned int bytes)
{
	return bytes >= 8 ? ~0ULL : (1ULL << (8 * bytes)) - 1;
}

static u64 sign_extend(u64 v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (u64)((s64)(v << shift) >> shift);
}

/*
 * Byte registers 4-7 are AH, CH, DH, BH unless a REX prefix is present, in
 * which case they are SPL, BPL, SIL, DIL (SDM 3.4.1.1).
 */
static u64 reg_get(const struct emul *e, unsigned int reg, unsigned int bytes)
{
	if (bytes == 1 && !e->in.rex && reg >= 4 && reg < 8)
		return (e->r.gpr[reg - 4] >> 8) & 0xff;
	return e->r.gpr[reg] & size_mask(bytes);
}

/*
 * 8- and 16-bit writes keep the rest of the register; 32-bit writes zero
 * the upper half (SDM 3.4.1.1; done in every mode, the upper half is
 * undefined outside 64-bit mode anyway).
 */
static void reg_set(struct emul *e, unsigned int reg, unsigned int bytes,
		    u64 val)
{
	u64 *p;

	if (bytes == 1 && !e->in.rex && reg >= 4 && reg < 8) {
		p = &e->r.gpr[reg - 4];
		*p = (*p & ~0xff00ULL) | ((val & 0xff) << 8);
		return;
	}
	p = &e->r.gpr[reg];
	if (bytes >= 4)
		*p = val & size_mask(bytes);
	else
		*p = (*p & ~size_mask(bytes)) | (val & size_mask(bytes));
}

/* ---- flags ---- */

/* PF: set when the low byte of the result has an even number of ones */
static bool parity_even(u64 v)
{
	v &= 0xff;
	v ^= v >> 4;
	v ^= v >> 2;
	v ^= v >> 1;
	return !(v & 1);
}

static u64 flags_szp(u64 res, unsigned int bytes)
{
	u64 f = 0;

	res &= size_mask(bytes);
	if (!res)
		f |= HXEN_RFLAGS_ZF;
	if (res >> (8 * bytes - 1))
		f |= HXEN_RFLAGS_SF;
	if (parity_even(res))
		f |= HXEN_RFLAGS_PF;
	return f;
}

/*
 * One ALU operation at the given size; updates CF PF AF ZF SF OF in
 * *rflags. The logical operations clear CF and OF; AF is undefined for
 * them and Intel clears it, so do we.
 */
static u64 alu(unsigned int op, u64 a, u64 b, unsigned int bytes, u64 *rflags)
{
	u64 m = size_mask(bytes), sb = 1ULL << (8 * bytes - 1);
	u64 c = *rflags & HXEN_RFLAGS_CF, res, f = 0;

	a &= m;
	b &= m;
	switch (op) {
	case HXEN_ALU_ADD:
	case HXEN_ALU_ADC:
		if (op == HXEN_ALU_ADD)
			c = 0;
		res = (a + b + c) & m;
		/* carry out: the sum wrapped below a (to a with carry in) */
		if (res < a || (c && res == a))
			f |= HXEN_RFLAGS_CF;
		/* overflow: both inputs differ in sign from the result */
		if ((a ^ res) & (b ^ res) & sb)
			f |= HXEN_RFLAGS_OF;
		break;
	case HXEN_ALU_SUB:
	case HXEN_ALU_SBB:
	case HXEN_ALU_CMP:
		if (op != HXEN_ALU_SBB)
			c = 0;
		res = (a - b - c) & m;
		if (a < b || (c && a == b))
			f |= HXEN_RFLAGS_CF;
		/* overflow: inputs of different sign, result sign != a's */
		if ((a ^ b) & (a ^ res) & sb)
			f |= HXEN_RFLAGS_OF;
		break;
	case HXEN_ALU_OR:
		res = a | b;
		break;
	case HXEN_ALU_AND:
		res = a & b;
		break;
	default:
		res = a ^ b;
		break;
	}
	/* AF: carry/borrow out of bit 3, i.e. bit 4 of a ^ b ^ res */
	if (op != HXEN_ALU_OR && op != HXEN_ALU_AND && op != HXEN_ALU_XOR)
		f |= (a ^ b ^ res) & HXEN_RFLAGS_AF;
	f |= flags_szp(res, bytes);
	*rflags = (*rflags & ~HXEN_RFLAGS_ARITH) | f;
	return res;
}

/* ---- memory ---- */

static int mem_read(struct emul *e, u64 la, unsigned int bytes, u64 *val)
{
	u8 buf[8] = { 0 };
	unsigned int i;
	u64 v = 0;
	int rc;

	rc = e->ctx->ops->read(e->ctx->opaque, la, buf, bytes);
	if (rc)
		return rc;
	for (i = 0; i < bytes; i++)
		v |= (u64)buf[i] << (8 * i);
	*val = v;
	return HXEN_EMUL_OK;
}

/* Queue the write; hxen_emulate() issues it after everything else. */
static void mem_write(struct emul *e, u64 la, unsigned int bytes, u64 val)
{
	e->wpending = true;
	e->wla = la;
	e->wbytes = bytes;
	e->wval = val;
}

static int rm_linear(struct emul *e, unsigned int bytes)
{
	int rc;

	if (e->rm_la_ok)
		return HXEN_EMUL_OK;
	rc = hxen_linear(e->ctx, e->old, e->in.seg, e->rm_ea, bytes,
			 &e->rm_la);
	e->rm_la_ok = !rc;
	return rc;
}

/* The r/m (or moffs) operand: a register, or memory at e->rm_ea. */
static int rm_read(struct emul *e, unsigned int bytes, u64 *val)
{
	int rc;

	if (!(e->in.flags & HXEN_INSN_MEM)) {
		*val = reg_get(e, e->in.rm, bytes);
		return HXEN_EMUL_OK;
	}
	rc = rm_linear(e, bytes);
	if (rc)
		return rc;
	return mem_read(e, e->rm_la, bytes, val);
}

static int rm_write(struct emul *e, unsigned int bytes, u64 val)
{
	int rc;

	if (!(e->in.flags & HXEN_INSN_MEM)) {
		reg_set(e, e->in.rm, bytes, val);
		return HXEN_EMUL_OK;
	}
	rc = rm_linear(e, bytes);
	if (rc)
		return rc;
	mem_write(e, e->rm_la, bytes, val);
	return HXEN_EMUL_OK;
}

/* ---- instructions ---- */

static int exec_mov(struct emul *e)
{
	const struct hxen_insn *in = &e->in;
	unsigned int ob = in->op_bytes;
	u64 v;
	int rc;

	switch (in->form) {
	case HXEN_FORM_EG:
		return rm_write(e, ob, reg_get(e, in->reg, ob));
	case HXEN_FORM_EI:
		return rm_write(e, ob, in->imm);
	case HXEN_FORM_OA:
		return rm_write(e, ob, reg_get(e, HXEN_RAX, ob));
	default:	/* GE, AO */
		rc = rm_read(e, ob, &v);
		if (rc)
			return rc;
		reg_set(e, in->form == HXEN_FORM_AO ? HXEN_RAX : in->reg, ob,
			v);
		return HXEN_EMUL_OK;
	}
}

static int exec_movx(struct emul *e)
{
	const struct hxen_insn *in = &e->in;
	u64 v;
	int rc;

	rc = rm_read(e, in->src_bytes, &v);
	if (rc)
		return rc;
	if (in->op == HXEN_OP_MOVSX)
		v = sign_extend(v, in->src_bytes);
	reg_set(e, in->reg, in->op_bytes, v);
	return HXEN_EMUL_OK;
}

/* ALU group and TEST (an AND that only sets flags) */
static int exec_alu(struct emul *e)
{
	const struct hxen_insn *in = &e->in;
	unsigned int ob = in->op_bytes;
	unsigned int op = in->op == HXEN_OP_TEST ? HXEN_ALU_AND : in->sub;
	u64 a = 0, b = 0, res;
	int rc = HXEN_EMUL_OK;

	switch (in->form) {
	case HXEN_FORM_EG:
		rc = rm_read(e, ob, &a);
		b = reg_get(e, in->reg, ob);
		break;
	case HXEN_FORM_GE:
		a = reg_get(e, in->reg, ob);
		rc = rm_read(e, ob, &b);
		break;
	case HXEN_FORM_EI:
		rc = rm_read(e, ob, &a);
		b = in->imm;
		break;
	default:	/* AI */
		a = reg_get(e, HXEN_RAX, ob);
		b = in->imm;
		break;
	}
	if (rc)
		return rc;
	res = alu(op, a, b, ob, &e->r.rflags);
	if (in->op == HXEN_OP_TEST || op == HXEN_ALU_CMP)
		return HXEN_EMUL_OK;
	switch (in->form) {
	case HXEN_FORM_GE:
		reg_set(e, in->reg, ob, res);
		return HXEN_EMUL_OK;
	case HXEN_FORM_AI:
		reg_set(e, HXEN_RAX, ob, res);
		return HXEN_EMUL_OK;
	default:
		return rm_write(e, ob, res);
	}
}

/* NOT, NEG, INC, DEC on r/m */
static int exec_unary(struct emul *e)
{
	unsigned int ob = e->in.op_bytes;
	u64 v, cf = e->r.rflags & HXEN_RFLAGS_CF;
	int rc;

	rc = rm_read(e, ob, &v);
	if (rc)
		return rc;
	switch (e->in.op) {
	case HXEN_OP_NOT:	/* no flags */
		v = ~v;
		break;
	case HXEN_OP_NEG:	/* 0 - v: CF = (v != 0), like SUB */
		v = alu(HXEN_ALU_SUB, 0, v, ob, &e->r.rflags);
		break;
	default:		/* INC/DEC leave CF alone */
		v = alu(e->in.op == HXEN_OP_INC ? HXEN_ALU_ADD : HXEN_ALU_SUB,
			v, 1, ob, &e->r.rflags);
		e->r.rflags = (e->r.rflags & ~HXEN_RFLAGS_CF) | cf;
		break;
	}
	return rm_write(e, ob, v);
}

static int exec_xchg(struct emul *e)
{
	const struct hxen_insn *in = &e->in;
	unsigned int ob = in->op_bytes;
	u64 d, s, sum;
	int rc;

	rc = rm_read(e, ob, &d);
	if (rc)
		return rc;
	s = reg_get(e, in->reg, ob);
	switch (in->op) {
	case HXEN_OP_XCHG:
		reg_set(e, in->reg, ob, d);
		return rm_write(e, ob, s);
	case HXEN_OP_XADD:
		/* TEMP = SRC + DEST; SRC = DEST; DEST = TEMP (DEST last) */
		sum = alu(HXEN_ALU_ADD, d, s, ob, &e->r.rflags);
		reg_set(e, in->reg, ob, d);
		return rm_write(e, ob, sum);
	default:	/* CMPXCHG: flags of CMP accumulator, DEST */
		alu(HXEN_ALU_CMP, reg_get(e, HXEN_RAX, ob), d, ob,
		    &e->r.rflags);
		if (e->r.rflags & HXEN_RFLAGS_ZF)
			return rm_write(e, ob, s);
		/*
		 * Mismatch: the accumulator gets DEST. Hardware also
		 * writes DEST back to memory (a locked bus cycle); we do
		 * not, so a device register sees no spurious write. For
		 * a register DEST, Intel CPUs leave it untouched (not even
		 * zero-extended), which is what this does.
		 */
		reg_set(e, HXEN_RAX, ob, d);
		return HXEN_EMUL_OK;
	}
}

/*
 * BT/BTS/BTR/BTC. A register bit offset is signed and, with a memory
 * operand, selects other operand-sized units: EA + (offset DIV width) *
 * size (SDM "BT"). OF SF AF PF are undefined: Intel leaves them (and ZF)
 * unchanged, and so do we.
 */
static int exec_bt(struct emul *e)
{
	const struct hxen_insn *in = &e->in;
	unsigned int ob = in->op_bytes, bits = ob * 8, bit;
	u64 off, v;
	int rc;

	if (in->form == HXEN_FORM_EG) {
		off = sign_extend(reg_get(e, in->reg, ob), ob);
		if (in->flags & HXEN_INSN_MEM) {
			/* arithmetic shift: floor division for negatives */
			s64 units = (s64)off >> (ob == 2 ? 4 : ob == 4 ? 5 : 6);

			e->rm_ea += (u64)units * ob;
			if (in->addr_bytes < 8)
				e->rm_ea &= size_mask(in->addr_bytes);
		}
	} else {
		off = in->imm;
	}
	bit = off & (bits - 1);
	rc = rm_read(e, ob, &v);
	if (rc)
		return rc;
	e->r.rflags &= ~HXEN_RFLAGS_CF;
	e->r.rflags |= (v >> bit) & 1;
	switch (in->sub) {
	case HXEN_BTS:
		v |= 1ULL << bit;
		break;
	case HXEN_BTR:
		v &= ~(1ULL << bit);
		break;
	case HXEN_BTC:
		v ^= 1ULL << bit;
		break;
	default:
		return HXEN_EMUL_OK;
	}
	return rm_write(e, ob, v);
}

/*
 * String instructions: one iteration per call. With REP, rCX (of the
 * address size) counts iterations and RIP stays on the instruction until
 * the count runs out, or for CMPS/SCAS the REPE/REPNE condition fails, so
 * the guest re-executes it (SDM "REP/REPE/REPZ/REPNE/REPNZ": the processor
 * also takes interrupts between iterations this way).
 */
static int exec_string(struct emul *e)
{
	const struct hxen_insn *in = &e->in;
	unsigned int ob = in->op_bytes, ab = in->addr_bytes, op = in->op;
	bool rep = in->prefixes & (HXEN_PFX_REP | HXEN_PFX_REPNE);
	bool use_si = op == HXEN_OP_MOVS || op == HXEN_OP_CMPS ||
		      op == HXEN_OP_LODS;
	bool use_di = op != HXEN_OP_LODS;
	u64 si = e->old->gpr[HXEN_RSI] & size_mask(ab);
	u64 di = e->old->gpr[HXEN_RDI] & size_mask(ab);
	u64 delta = (e->r.rflags & HXEN_RFLAGS_DF) ? -(u64)ob : ob;
	u64 cnt = 0, sla = 0, dla = 0, a = 0, b = 0;
	int rc;

	if (rep) {
		cnt = reg_get(e, HXEN_RCX, ab);
		/*
		 * Nothing to do, yet Intel CPUs still write rCX, and for
		 * MOVS/STOS the pointers, at the address size: with 67 in
		 * 64-bit mode their upper halves are cleared. Match that.
		 */
		if (!cnt) {
			reg_set(e, HXEN_RCX, ab, 0);
			if (op == HXEN_OP_MOVS)
				reg_set(e, HXEN_RSI, ab, si);
			if (op == HXEN_OP_MOVS || op == HXEN_OP_STOS)
				reg_set(e, HXEN_RDI, ab, di);
			return HXEN_EMUL_OK;
		}
	}
	/* check both addresses before any access; the source is overridable */
	if (use_si) {
		rc = hxen_linear(e->ctx, e->old, in->seg, si, ob, &sla);
		if (rc)
			return rc;
	}
	if (use_di) {
		rc = hxen_linear(e->ctx, e->old, HXEN_SEG_ES, di, ob, &dla);
		if (rc)
			return rc;
	}
	if (use_si) {
		rc = mem_read(e, sla, ob, &a);
		if (rc)
			return rc;
	}
	switch (op) {
	case HXEN_OP_MOVS:
		mem_write(e, dla, ob, a);
		break;
	case HXEN_OP_STOS:
		mem_write(e, dla, ob, reg_get(e, HXEN_RAX, ob));
		break;
	case HXEN_OP_LODS:
		reg_set(e, HXEN_RAX, ob, a);
		break;
	default:	/* CMPS: [rSI] - [rDI]; SCAS: accumulator - [rDI] */
		rc = mem_read(e, dla, ob, &b);
		if (rc)
			return rc;
		if (op == HXEN_OP_SCAS)
			a = reg_get(e, HXEN_RAX, ob);
		alu(HXEN_ALU_CMP, a, b, ob, &e->r.rflags);
		break;
	}
	if (use_si)
		reg_set(e, HXEN_RSI, ab, si + delta);
	if (use_di)
		reg_set(e, HXEN_RDI, ab, di + delta);
	if (rep) {
		reg_set(e, HXEN_RCX, ab, --cnt);
		e->advance = !cnt;
		/* REPE stops on ZF = 0, REPNE on ZF = 1 (CMPS/SCAS only) */
		if (op == HXEN_OP_CMPS || op == HXEN_OP_SCAS) {
			bool zf = e->r.rflags & HXEN_RFLAGS_ZF;

			if (zf != !!(in->prefixes & HXEN_PFX_REP))
				e->advance = true;
		}
	}
	return HXEN_EMUL_OK;
}

static int execute(struct emul *e)
{
	switch (e->in.op) {
	case HXEN_OP_MOV:
		return exec_mov(e);
	case HXEN_OP_MOVZX:
	case HXEN_OP_MOVSX:
		return exec_movx(e);
	case HXEN_OP_ALU:
	case HXEN_OP_TEST:
		return exec_alu(e);
	case HXEN_OP_NOT:
	case HXEN_OP_NEG:
	case HXEN_OP_INC:
	case HXEN_OP_DEC:
		return exec_unary(e);
	case HXEN_OP_XCHG:
	case HXEN_OP_XADD:
	case HXEN_OP_CMPXCHG:
		return exec_xchg(e);
	case HXEN_OP_BT:
		return exec_bt(e);
	case HXEN_OP_MOVS:
	case HXEN_OP_CMPS:
	case HXEN_OP_STOS:
	case HXEN_OP_LODS:
	case HXEN_OP_SCAS:
		return exec_string(e);
	}
	return HXEN_EMUL_UNHANDLED;
}

int hxen_emulate(struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
		 struct hxen_emul_regs *regs)
{
	struct emul e;
	u8 buf[8];
	unsigned int i;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = hxen_decode(ctx, insn, len, &e.in);
	if (rc)
		return rc;
	e.ctx = ctx;
	e.old = regs;
	e.r = *regs;
	e.advance = true;
	if (e.in.flags & HXEN_INSN_MEM)
		e.rm_ea = hxen_insn_ea(&e.in, regs);

	rc = execute(&e);
	if (rc)
		return rc;

	if (e.advance) {
		e.r.rip = regs->rip + e.in.len;
		/* IP/EIP wrap outside 64-bit mode */
		if (!ctx->long_mode)
			e.r.rip &= ctx->cs_db ? 0xffffffffULL : 0xffffULL;
	}
	/* the write is the last side effect; commit only once it is done */
	if (e.wpending) {
		for (i = 0; i < e.wbytes; i++)
			buf[i] = e.wval >> (8 * i);
		rc = ctx->ops->write(ctx->opaque, e.wla, buf, e.wbytes);
		if (rc)
			return rc;
	}
	*regs = e.r;
	return HXEN_EMUL_OK;
}
