// SPDX-License-Identifier: GPL-2.0
/*
 * Instruction decoder of the MMIO emulator: legacy and REX prefixes,
 * opcode, ModRM, SIB, displacement and immediate, for the instructions
 * emulate.c executes (see emulate.h). Encoding rules are from the Intel SDM
 * vol. 2 ch. 2 and the AMD APM vol. 3 ch. 1.
 */
#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

#include "emulate.h"

/* SDM 2.3.11: longer instructions raise #GP(0), whatever they encode. */
#define HXEN_MAX_INSN_LEN	15

#define SEG_NONE		0xff

/* Immediate kinds */
enum {
	IMM_NONE,
	IMM_B,		/* imm8, zero-extended */
	IMM_BS,		/* imm8, sign-extended to the operand (83) */
	IMM_Z,		/* imm16/imm32, imm32 sign-extended for 64-bit */
	IMM_MOFFS,	/* offset of the address size (A0-A3) */
};

struct cursor {
	const u8 *p;
	unsigned int len;
	unsigned int pos;
};

static int decode_exc(struct hxen_emul_ctx *ctx, u8 vector)
{
	hxen_emul_set_exc(ctx, vector, vector == HXEN_EXC_GP, 0);
	return HXEN_EMUL_EXCEPTION;
}

/* Next @n (1, 2, 4 or 8) bytes, little-endian. Never reads past @len. */
static int fetch(struct hxen_emul_ctx *ctx, struct cursor *c, unsigned int n,
		 u64 *val)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (c->pos >= HXEN_MAX_INSN_LEN)
			return decode_exc(ctx, HXEN_EXC_GP);
		if (c->pos >= c->len)
			return HXEN_EMUL_UNHANDLED;	/* truncated */
		v |= (u64)c->p[c->pos++] << (8 * i);
	}
	*val = v;
	return HXEN_EMUL_OK;
}

static u64 sext(u64 v, unsigned int bytes)
{
	unsigned int shift = 64 - 8 * bytes;

	return (u64)((s64)(v << shift) >> shift);
}

static int decode_modrm(struct hxen_emul_ctx *ctx, struct cursor *c,
			struct hxen_insn *in)
{
	/* 16-bit forms (SDM table 2-1): base and index by ModRM.rm */
	static const s8 base16[8] = {
		HXEN_RBX, HXEN_RBX, HXEN_RBP, HXEN_RBP,
		-1, -1, HXEN_RBP, HXEN_RBX
	};
	static const s8 index16[8] = {
		HXEN_RSI, HXEN_RDI, HXEN_RSI, HXEN_RDI,
		HXEN_RSI, HXEN_RDI, -1, -1
	};
	u8 rex = in->rex;
	unsigned int mod, rm, disp_bytes = 0;
	u64 v;
	int rc;

	rc = fetch(ctx, c, 1, &v);
	if (rc)
		return rc;
	in->modrm = v;
	in->flags |= HXEN_INSN_MODRM;
	mod = in->modrm >> 6;
	rm = in->modrm & 7;
	in->reg = ((in->modrm >> 3) & 7) | ((rex & 4) << 1);
	in->base = -1;
	in->index = -1;
	if (mod == 3) {
		in->rm = rm | ((rex & 1) << 3);
		return HXEN_EMUL_OK;
	}
	in->flags |= HXEN_INSN_MEM;
	in->seg = HXEN_SEG_DS;

	if (in->addr_bytes == 2) {
		if (mod == 0 && rm == 6) {
			disp_bytes = 2;
		} else {
			in->base = base16[rm];
			in->index = index16[rm];
		}
		if (mod == 1)
			disp_bytes = 1;
		else if (mod == 2)
			disp_bytes = 2;
	} else {
		if (rm == 4) {
			unsigned int idx, b;

			rc = fetch(ctx, c, 1, &v);
			if (rc)
				return rc;
			in->scale = v >> 6;
			idx = ((v >> 3) & 7) | ((rex & 2) << 2);
			/* index 100b means none; REX.X makes it R12 */
			if (idx != HXEN_RSP)
				in->index = idx;
			b = v & 7;
			/* base 101b with mod 00: disp32, whatever REX.B */
			if (b == 5 && mod == 0)
				disp_bytes = 4;
			else
				in->base = b | ((rex & 1) << 3);
		} else if (rm == 5 && mod == 0) {
			/* in 64-bit mode, [disp32] is RIP-relative */
			disp_bytes = 4;
			if (ctx->long_mode)
				in->flags |= HXEN_INSN_RIPREL;
		} else {
			in->base = rm | ((rex & 1) << 3);
		}
		if (mod == 1)
			disp_bytes = 1;
		else if (mod == 2)
			disp_bytes = 4;
	}
	/* SS is the default segment for rBP- and rSP-based addresses */
	if (in->base == HXEN_RBP || in->base == HXEN_RSP)
		in->seg = HXEN_SEG_SS;
	if (disp_bytes) {
		rc = fetch(ctx, c, disp_bytes, &v);
		if (rc)
			return rc;
		in->disp = sext(v, disp_bytes);
	}
	return HXEN_EMUL_OK;
}

/*
 * Opcodes that take a ModRM byte, before the ModRM is read. Returns false
 * for opcodes the emulator does not handle.
 */
static bool known_opcode(const struct hxen_emul_ctx *ctx, unsigned int map,
			 unsigned int op, bool *modrm)
{
	*modrm = true;
	if (map == 1) {
		switch (op) {
		case 0xa3: case 0xab: case 0xb3: case 0xbb: case 0xba:
		case 0xb0: case 0xb1: case 0xb6: case 0xb7: case 0xbe:
		case 0xbf: case 0xc0: case 0xc1: case 0xc3:
			return true;
		}
		return false;
	}
	if (op < 0x40) {
		/* xx6/xx7/xxE/xxF are segment pushes, prefixes, BCD */
		*modrm = (op & 7) < 4;
		return (op & 7) < 6;
	}
	switch (op) {
	case 0x63:
		return ctx->long_mode;	/* else ARPL */
	case 0x80 ... 0x8b:
	case 0xc6: case 0xc7: case 0xf6: case 0xf7: case 0xfe: case 0xff:
		return true;
	case 0xa0 ... 0xaf:
		*modrm = false;
		return true;
	}
	return false;
}

/*
 * Operation, form, sizes and immediate from the opcode (and ModRM.reg for
 * the group opcodes). Returns HXEN_EMUL_OK, UNHANDLED or EXCEPTION.
 */
static int classify(struct hxen_emul_ctx *ctx, struct hxen_insn *in,
		    unsigned int opsz, unsigned int *imm)
{
	unsigned int op = in->opcode, r = (in->modrm >> 3) & 7;
	bool mem = in->flags & HXEN_INSN_MEM;

	*imm = IMM_NONE;
	in->op_bytes = (op & 1) ? opsz : 1;

	if (in->map == 1) {
		switch (op) {
		case 0xa3: case 0xab: case 0xb3: case 0xbb:
			in->op = HXEN_OP_BT;
			in->sub = (op >> 3) & 3;
			in->form = HXEN_FORM_EG;
			in->op_bytes = opsz;
			return HXEN_EMUL_OK;
		case 0xba:
			if (r < 4)
				return decode_exc(ctx, HXEN_EXC_UD);
			in->op = HXEN_OP_BT;
			in->sub = r & 3;
			in->form = HXEN_FORM_EI;
			in->op_bytes = opsz;
			*imm = IMM_B;
			return HXEN_EMUL_OK;
		case 0xb0: case 0xb1:
			in->op = HXEN_OP_CMPXCHG;
			in->form = HXEN_FORM_EG;
			return HXEN_EMUL_OK;
		case 0xc0: case 0xc1:
			in->op = HXEN_OP_XADD;
			in->form = HXEN_FORM_EG;
			return HXEN_EMUL_OK;
		case 0xb6: case 0xb7: case 0xbe: case 0xbf:
			in->op = (op & 8) ? HXEN_OP_MOVSX : HXEN_OP_MOVZX;
			in->form = HXEN_FORM_GE;
			in->op_bytes = opsz;
			in->src_bytes = (op & 1) ? 2 : 1;
			return HXEN_EMUL_OK;
		case 0xc3:
			/*
			 * MOVNTI is "NP": 66/F2/F3 make it #UD; it has only a
			 * 32- or 64-bit (REX.W) memory destination.
			 */
			if (!mem || (in->prefixes & (HXEN_PFX_OPSIZE |
			    HXEN_PFX_REP | HXEN_PFX_REPNE)))
				return decode_exc(ctx, HXEN_EXC_UD);
			in->op = HXEN_OP_MOV;
			in->form = HXEN_FORM_EG;
			in->op_bytes = (in->rex & 8) ? 8 : 4;
			return HXEN_EMUL_OK;
		}
		return HXEN_EMUL_UNHANDLED;
	}

	if (op < 0x40) {
		in->op = HXEN_OP_ALU;
		in->sub = op >> 3;
		switch (op & 7) {
		case 0: case 1:
			in->form = HXEN_FORM_EG;
			break;
		case 2: case 3:
			in->form = HXEN_FORM_GE;
			break;
		default:
			in->form = HXEN_FORM_AI;
			*imm = (op & 1) ? IMM_Z : IMM_B;
			break;
		}
		return HXEN_EMUL_OK;
	}

	switch (op) {
	case 0x63:
		/*
		 * MOVSXD: sign-extends only with REX.W; otherwise a plain
		 * 32- or 16-bit move (what the hardware does).
		 */
		in->op = HXEN_OP_MOVSX;
		in->form = HXEN_FORM_GE;
		in->op_bytes = opsz;
		in->src_bytes = opsz == 8 ? 4 : opsz;
		return HXEN_EMUL_OK;
	case 0x80 ... 0x83:
		/* 82 is an alias of 80, invalid in 64-bit mode */
		if (op == 0x82 && ctx->long_mode)
			return decode_exc(ctx, HXEN_EXC_UD);
		in->op = HXEN_OP_ALU;
		in->sub = r;
		in->form = HXEN_FORM_EI;
		in->op_bytes = op == 0x81 || op == 0x83 ? opsz : 1;
		*imm = op == 0x81 ? IMM_Z : op == 0x83 ? IMM_BS : IMM_B;
		return HXEN_EMUL_OK;
	case 0x84: case 0x85:
		in->op = HXEN_OP_TEST;
		in->form = HXEN_FORM_EG;
		return HXEN_EMUL_OK;
	case 0x86: case 0x87:
		in->op = HXEN_OP_XCHG;
		in->form = HXEN_FORM_EG;
		return HXEN_EMUL_OK;
	case 0x88 ... 0x8b:
		in->op = HXEN_OP_MOV;
		in->form = (op & 2) ? HXEN_FORM_GE : HXEN_FORM_EG;
		return HXEN_EMUL_OK;
	case 0xa0 ... 0xa3:
		in->op = HXEN_OP_MOV;
		in->form = (op & 2) ? HXEN_FORM_OA : HXEN_FORM_AO;
		*imm = IMM_MOFFS;
		return HXEN_EMUL_OK;
	case 0xa8: case 0xa9:
		in->op = HXEN_OP_TEST;
		in->form = HXEN_FORM_AI;
		*imm = (op & 1) ? IMM_Z : IMM_B;
		return HXEN_EMUL_OK;
	case 0xa4: case 0xa5: case 0xa6: case 0xa7:
	case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf: {
		static const u8 str_op[6] = {
			HXEN_OP_MOVS, HXEN_OP_CMPS, 0, HXEN_OP_STOS,
			HXEN_OP_LODS, HXEN_OP_SCAS
		};

		in->op = str_op[(op - 0xa4) >> 1];
		in->form = HXEN_FORM_STR;
		return HXEN_EMUL_OK;
	}
	case 0xc6: case 0xc7:
		/* group 11: /0 MOV; /7 with mod 11b is XABORT/XBEGIN */
		if (r == 7 && !mem)
			return HXEN_EMUL_UNHANDLED;
		if (r != 0)
			return decode_exc(ctx, HXEN_EXC_UD);
		in->op = HXEN_OP_MOV;
		in->form = HXEN_FORM_EI;
		*imm = (op & 1) ? IMM_Z : IMM_B;
		return HXEN_EMUL_OK;
	case 0xf6: case 0xf7:
		/* group 3: /1 is an undocumented alias of TEST */
		if (r < 2) {
			in->op = HXEN_OP_TEST;
			in->form = HXEN_FORM_EI;
			*imm = (op & 1) ? IMM_Z : IMM_B;
			return HXEN_EMUL_OK;
		}
		if (r > 3)	/* MUL IMUL DIV IDIV */
			return HXEN_EMUL_UNHANDLED;
		in->op = r == 2 ? HXEN_OP_NOT : HXEN_OP_NEG;
		in->form = HXEN_FORM_E;
		return HXEN_EMUL_OK;
	case 0xfe: case 0xff:
		/* group 4/5: FE /2-7 and FF /7 are invalid */
		if ((op == 0xfe && r > 1) || r == 7)
			return decode_exc(ctx, HXEN_EXC_UD);
		if (r > 1)
			return HXEN_EMUL_UNHANDLED;	/* CALL, JMP, PUSH */
		in->op = r ? HXEN_OP_DEC : HXEN_OP_INC;
		in->form = HXEN_FORM_E;
		return HXEN_EMUL_OK;
	}
	return HXEN_EMUL_UNHANDLED;
}

/* Which memory accesses the instruction may make (HXEN_INSN_MEM_*). */
static u8 mem_access(const struct hxen_insn *in)
{
	const u8 rw = HXEN_INSN_MEM_READ | HXEN_INSN_MEM_WRITE;

	switch (in->op) {
	case HXEN_OP_MOVS:
		return rw;
	case HXEN_OP_STOS:
		return HXEN_INSN_MEM_WRITE;
	case HXEN_OP_CMPS: case HXEN_OP_LODS: case HXEN_OP_SCAS:
		return HXEN_INSN_MEM_READ;
	}
	if (!(in->flags & HXEN_INSN_MEM))
		return 0;
	switch (in->op) {
	case HXEN_OP_MOV:
		return in->form == HXEN_FORM_GE || in->form == HXEN_FORM_AO ?
		       HXEN_INSN_MEM_READ : HXEN_INSN_MEM_WRITE;
	case HXEN_OP_ALU:
		if (in->sub == HXEN_ALU_CMP || in->form == HXEN_FORM_GE)
			return HXEN_INSN_MEM_READ;
		return rw;
	case HXEN_OP_BT:
		return in->sub == HXEN_BT ? HXEN_INSN_MEM_READ : rw;
	case HXEN_OP_MOVZX: case HXEN_OP_MOVSX: case HXEN_OP_TEST:
		return HXEN_INSN_MEM_READ;
	}
	return rw;	/* NOT NEG INC DEC XCHG CMPXCHG XADD */
}

/*
 * SDM "LOCK": only the read-modify-write instructions below, and only with
 * a memory destination; anything else raises #UD.
 */
static bool lock_ok(const struct hxen_insn *in)
{
	if (!(in->flags & HXEN_INSN_MEM))
		return false;
	switch (in->op) {
	case HXEN_OP_ALU:
		return in->sub != HXEN_ALU_CMP &&
		       (in->form == HXEN_FORM_EG || in->form == HXEN_FORM_EI);
	case HXEN_OP_BT:
		return in->sub != HXEN_BT;
	case HXEN_OP_NOT: case HXEN_OP_NEG: case HXEN_OP_INC:
	case HXEN_OP_DEC: case HXEN_OP_XCHG: case HXEN_OP_CMPXCHG:
	case HXEN_OP_XADD:
		return true;
	}
	return false;
}

int hxen_decode(struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
		struct hxen_insn *in)
{
	struct cursor c = { .p = insn, .len = len, .pos = 0 };
	unsigned int seg = SEG_NONE, opsz, imm;
	bool modrm;
	u64 b;
	int rc;

	memset(in, 0, sizeof(*in));
	in->base = -1;
	in->index = -1;

	for (;;) {
		rc = fetch(ctx, &c, 1, &b);
		if (rc)
			return rc;
		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			/*
			 * 64-bit mode ignores ES/CS/SS/DS overrides: they do
			 * not even cancel an earlier FS/GS one.
			 */
			if (!ctx->long_mode)
				seg = (b >> 3) & 3;
			break;
		case 0x64: case 0x65:
			seg = HXEN_SEG_FS + (b - 0x64);
			break;
		case 0x66:
			in->prefixes |= HXEN_PFX_OPSIZE;
			break;
		case 0x67:
			in->prefixes |= HXEN_PFX_ADSIZE;
			break;
		case 0xf0:
			in->prefixes |= HXEN_PFX_LOCK;
			break;
		case 0xf2:	/* the last of F2/F3 wins */
			in->prefixes &= ~HXEN_PFX_REP;
			in->prefixes |= HXEN_PFX_REPNE;
			break;
		case 0xf3:
			in->prefixes &= ~HXEN_PFX_REPNE;
			in->prefixes |= HXEN_PFX_REP;
			break;
		default:
			/* REX counts only right before the opcode */
			if (ctx->long_mode && (b & 0xf0) == 0x40) {
				in->rex = b;
				continue;
			}
			goto opcode;
		}
		in->rex = 0;	/* a legacy prefix after REX voids it */
	}

opcode:
	if (ctx->long_mode) {
		/* REX.W beats 66; 67 selects 32-bit addressing */
		in->addr_bytes = (in->prefixes & HXEN_PFX_ADSIZE) ? 4 : 8;
		opsz = (in->rex & 8) ? 8 :
		       (in->prefixes & HXEN_PFX_OPSIZE) ? 2 : 4;
	} else {
		bool d = ctx->cs_db;

		in->addr_bytes = (d != !!(in->prefixes & HXEN_PFX_ADSIZE)) ?
				 4 : 2;
		opsz = (d != !!(in->prefixes & HXEN_PFX_OPSIZE)) ? 4 : 2;
	}

	if (b == 0x0f) {
		in->map = 1;
		rc = fetch(ctx, &c, 1, &b);
		if (rc)
			return rc;
	}
	in->opcode = b;
	if (!known_opcode(ctx, in->map, in->opcode, &modrm))
		return HXEN_EMUL_UNHANDLED;

	in->seg = HXEN_SEG_DS;
	if (modrm) {
		rc = decode_modrm(ctx, &c, in);
		if (rc)
			return rc;
	}
	rc = classify(ctx, in, opsz, &imm);
	if (rc)
		return rc;
	if (!in->src_bytes)
		in->src_bytes = in->op_bytes;

	switch (imm) {
	case IMM_B:
	case IMM_BS:
		in->imm_bytes = 1;
		break;
	case IMM_Z:
		in->imm_bytes = in->op_bytes == 2 ? 2 : 4;
		break;
	case IMM_MOFFS:
		in->imm_bytes = in->addr_bytes;
		break;
	}
	if (in->imm_bytes) {
		rc = fetch(ctx, &c, in->imm_bytes, &b);
		if (rc)
			return rc;
		if (imm == IMM_MOFFS) {
			in->disp = b;
			in->flags |= HXEN_INSN_MEM;
		} else {
			in->imm = imm == IMM_B ? b : sext(b, in->imm_bytes);
		}
	}

	if (seg != SEG_NONE && (in->flags & HXEN_INSN_MEM ||
				in->form == HXEN_FORM_STR)) {
		in->seg = seg;
		in->prefixes |= HXEN_PFX_SEG;
	}
	in->flags |= mem_access(in);
	in->len = c.pos;

	if ((in->prefixes & HXEN_PFX_LOCK) && !lock_ok(in))
		return decode_exc(ctx, HXEN_EXC_UD);
	return HXEN_EMUL_OK;
}

u64 hxen_insn_ea(const struct hxen_insn *in, const struct hxen_emul_regs *regs)
{
	u64 ea = in->disp;

	if (in->base >= 0)
		ea += regs->gpr[in->base];
	if (in->index >= 0)
		ea += regs->gpr[in->index] << in->scale;
	/* RIP-relative: relative to the next instruction (SDM 2.2.1.6) */
	if (in->flags & HXEN_INSN_RIPREL)
		ea += regs->rip + in->len;
	/* the address size truncates the sum (16-bit offsets wrap at 64K) */
	if (in->addr_bytes < 8)
		ea &= (1ULL << (8 * in->addr_bytes)) - 1;
	return ea;
}

static bool canonical(u64 la, bool la57)
{
	unsigned int shift = la57 ? 7 : 16;

	return (u64)((s64)(la << shift) >> shift) == la;
}

int hxen_linear(struct hxen_emul_ctx *ctx, const struct hxen_emul_regs *regs,
		unsigned int seg, u64 ea, unsigned int bytes, u64 *linear)
{
	u64 la;

	if (!ctx->long_mode) {
		*linear = (regs->seg_base[seg] + ea) & 0xffffffffULL;
		return HXEN_EMUL_OK;
	}
	/* 64-bit mode: flat except FS and GS (SDM 3.2.4) */
	la = ea;
	if (seg == HXEN_SEG_FS || seg == HXEN_SEG_GS)
		la += regs->seg_base[seg];
	if (!canonical(la, ctx->la57) ||
	    !canonical(la + bytes - 1, ctx->la57)) {
		hxen_emul_set_exc(ctx, seg == HXEN_SEG_SS ? HXEN_EXC_SS :
				  HXEN_EXC_GP, true, 0);
		return HXEN_EMUL_EXCEPTION;
	}
	*linear = la;
	return HXEN_EMUL_OK;
}

int hxen_decode_mov_to_cr(const struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
			  u8 *cr, u8 *gpr, u8 *insn_len)
{
	unsigned int i;
	bool lock = false;
	u8 rex = 0, modrm;

	len = len < 15 ? len : 15;
	for (i = 0; i < len; i++) {
		switch (insn[i]) {
		case 0xf0:
			lock = true;
			continue;
		case 0x66: case 0xf2: case 0xf3:
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
			continue;
		}
		break;
	}
	/* REX counts only right before the opcode. */
	if (ctx->long_mode && i < len && (insn[i] & 0xf0) == 0x40)
		rex = insn[i++];
	if (i + 3 > len || insn[i] != 0x0f || insn[i + 1] != 0x22)
		return HXEN_EMUL_UNHANDLED;
	modrm = insn[i + 2];
	*cr = ((modrm >> 3) & 7) | ((rex & 4) || lock ? 8 : 0);
	*gpr = (modrm & 7) | (rex & 1 ? 8 : 0);
	*insn_len = i + 3;
	return HXEN_EMUL_OK;
}
