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
 * The opcode table: one entry per opcode of the one-byte map and the 0F
 * map, with what the opcode alone says (operation, form, immediate).
 * Group opcodes and special cases add a decode step that reads ModRM.reg
 * or the prefixes.
 */
struct opc_state {
	struct hxen_emul_ctx *ctx;
	struct hxen_insn *in;
	unsigned int imm;	/* IMM_* */
};

typedef int (*opcode_fn)(struct opc_state *st);

struct opcode {
	u8 flags;	/* OPC_*; 0: not emulated */
	u8 op;		/* HXEN_OP_* */
	u8 form;	/* HXEN_FORM_* */
	u8 sub;		/* enum hxen_alu / hxen_bt */
	u8 imm;		/* IMM_* */
	opcode_fn fn;	/* group or special case, after the fields above */
};

#define OPC_KNOWN	0x01
#define OPC_MODRM	0x02	/* a ModRM byte follows */
#define OPC_FULL	0x04	/* opsz even for an even opcode (no byte form) */
#define OPC_LONG	0x08	/* only in 64-bit mode (ARPL elsewhere) */

#define MODRM		(OPC_KNOWN | OPC_MODRM)

static unsigned int modrm_reg(const struct hxen_insn *in)
{
	return (in->modrm >> 3) & 7;
}

/* 80-83, group 1: ALU op by ModRM.reg; 82 is 80's alias, #UD in 64-bit mode. */
static int opc_grp1(struct opc_state *st)
{
	if (st->in->opcode == 0x82 && st->ctx->long_mode)
		return decode_exc(st->ctx, HXEN_EXC_UD);
	st->in->sub = modrm_reg(st->in);
	return HXEN_EMUL_OK;
}

/*
 * 63, MOVSXD: sign-extends only with REX.W; otherwise a plain 32- or
 * 16-bit move (what the hardware does).
 */
static int opc_movsxd(struct opc_state *st)
{
	st->in->src_bytes = st->in->op_bytes == 8 ? 4 : st->in->op_bytes;
	return HXEN_EMUL_OK;
}

/* C6/C7, group 11: /0 MOV; /7 with mod 11b is XABORT/XBEGIN. */
static int opc_grp11(struct opc_state *st)
{
	unsigned int r = modrm_reg(st->in);

	if (r == 7 && !(st->in->flags & HXEN_INSN_MEM))
		return HXEN_EMUL_UNHANDLED;
	if (r != 0)
		return decode_exc(st->ctx, HXEN_EXC_UD);
	return HXEN_EMUL_OK;
}

/* F6/F7, group 3: /1 is an undocumented alias of TEST. */
static int opc_grp3(struct opc_state *st)
{
	unsigned int r = modrm_reg(st->in);

	if (r < 2) {
		st->in->op = HXEN_OP_TEST;
		st->in->form = HXEN_FORM_EI;
		st->imm = (st->in->opcode & 1) ? IMM_Z : IMM_B;
		return HXEN_EMUL_OK;
	}
	if (r > 3)	/* MUL IMUL DIV IDIV */
		return HXEN_EMUL_UNHANDLED;
	st->in->op = r == 2 ? HXEN_OP_NOT : HXEN_OP_NEG;
	st->in->form = HXEN_FORM_E;
	return HXEN_EMUL_OK;
}

/* FE/FF, groups 4 and 5: FE /2-7 and FF /7 are invalid. */
static int opc_grp45(struct opc_state *st)
{
	unsigned int r = modrm_reg(st->in);

	if ((st->in->opcode == 0xfe && r > 1) || r == 7)
		return decode_exc(st->ctx, HXEN_EXC_UD);
	if (r > 1)
		return HXEN_EMUL_UNHANDLED;	/* CALL, JMP, PUSH */
	st->in->op = r ? HXEN_OP_DEC : HXEN_OP_INC;
	return HXEN_EMUL_OK;
}

/* 0F BA, group 8: BT/BTS/BTR/BTC r/m, imm8; /0-/3 are #UD. */
static int opc_grp8(struct opc_state *st)
{
	unsigned int r = modrm_reg(st->in);

	if (r < 4)
		return decode_exc(st->ctx, HXEN_EXC_UD);
	st->in->sub = r & 3;
	return HXEN_EMUL_OK;
}

/* 0F B6/B7/BE/BF, MOVZX/MOVSX: a byte or word source. */
static int opc_movx(struct opc_state *st)
{
	st->in->src_bytes = (st->in->opcode & 1) ? 2 : 1;
	return HXEN_EMUL_OK;
}

/*
 * 0F C3, MOVNTI: "NP", so 66/F2/F3 make it #UD; only a 32- or 64-bit
 * (REX.W) memory destination.
 */
static int opc_movnti(struct opc_state *st)
{
	if (!(st->in->flags & HXEN_INSN_MEM) ||
	    (st->in->prefixes & (HXEN_PFX_OPSIZE | HXEN_PFX_REP | HXEN_PFX_REPNE)))
		return decode_exc(st->ctx, HXEN_EXC_UD);
	st->in->op_bytes = (st->in->rex & 8) ? 8 : 4;
	return HXEN_EMUL_OK;
}

#define OPC(f, o, fm, s, i, h) \
	{ .flags = (f), .op = (o), .form = (fm), .sub = (s), .imm = (i), .fn = (h) }

/* 00-3F: the eight ALU operations, each as Eb,Gb Ev,Gv Gb,Eb Gv,Ev AL,Ib rAX,Iz. */
#define ALU_ROW(base, alu) \
	[(base) + 0] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_EG, alu, IMM_NONE, NULL), \
	[(base) + 1] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_EG, alu, IMM_NONE, NULL), \
	[(base) + 2] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_GE, alu, IMM_NONE, NULL), \
	[(base) + 3] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_GE, alu, IMM_NONE, NULL), \
	[(base) + 4] = OPC(OPC_KNOWN, HXEN_OP_ALU, HXEN_FORM_AI, alu, IMM_B, NULL), \
	[(base) + 5] = OPC(OPC_KNOWN, HXEN_OP_ALU, HXEN_FORM_AI, alu, IMM_Z, NULL)

#define STR(opc, o)	[opc] = OPC(OPC_KNOWN, o, HXEN_FORM_STR, 0, IMM_NONE, NULL)

static const struct opcode opcodes_1byte[256] = {
	ALU_ROW(0x00, HXEN_ALU_ADD), ALU_ROW(0x08, HXEN_ALU_OR),
	ALU_ROW(0x10, HXEN_ALU_ADC), ALU_ROW(0x18, HXEN_ALU_SBB),
	ALU_ROW(0x20, HXEN_ALU_AND), ALU_ROW(0x28, HXEN_ALU_SUB),
	ALU_ROW(0x30, HXEN_ALU_XOR), ALU_ROW(0x38, HXEN_ALU_CMP),
	[0x63] = OPC(MODRM | OPC_LONG, HXEN_OP_MOVSX, HXEN_FORM_GE, 0, IMM_NONE, opc_movsxd),
	[0x80] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_EI, 0, IMM_B, opc_grp1),
	[0x81] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_EI, 0, IMM_Z, opc_grp1),
	[0x82] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_EI, 0, IMM_B, opc_grp1),
	[0x83] = OPC(MODRM, HXEN_OP_ALU, HXEN_FORM_EI, 0, IMM_BS, opc_grp1),
	[0x84 ... 0x85] = OPC(MODRM, HXEN_OP_TEST, HXEN_FORM_EG, 0, IMM_NONE, NULL),
	[0x86 ... 0x87] = OPC(MODRM, HXEN_OP_XCHG, HXEN_FORM_EG, 0, IMM_NONE, NULL),
	[0x88 ... 0x89] = OPC(MODRM, HXEN_OP_MOV, HXEN_FORM_EG, 0, IMM_NONE, NULL),
	[0x8a ... 0x8b] = OPC(MODRM, HXEN_OP_MOV, HXEN_FORM_GE, 0, IMM_NONE, NULL),
	[0xa0 ... 0xa1] = OPC(OPC_KNOWN, HXEN_OP_MOV, HXEN_FORM_AO, 0, IMM_MOFFS, NULL),
	[0xa2 ... 0xa3] = OPC(OPC_KNOWN, HXEN_OP_MOV, HXEN_FORM_OA, 0, IMM_MOFFS, NULL),
	STR(0xa4, HXEN_OP_MOVS), STR(0xa5, HXEN_OP_MOVS),
	STR(0xa6, HXEN_OP_CMPS), STR(0xa7, HXEN_OP_CMPS),
	[0xa8] = OPC(OPC_KNOWN, HXEN_OP_TEST, HXEN_FORM_AI, 0, IMM_B, NULL),
	[0xa9] = OPC(OPC_KNOWN, HXEN_OP_TEST, HXEN_FORM_AI, 0, IMM_Z, NULL),
	STR(0xaa, HXEN_OP_STOS), STR(0xab, HXEN_OP_STOS),
	STR(0xac, HXEN_OP_LODS), STR(0xad, HXEN_OP_LODS),
	STR(0xae, HXEN_OP_SCAS), STR(0xaf, HXEN_OP_SCAS),
	[0xc6] = OPC(MODRM, HXEN_OP_MOV, HXEN_FORM_EI, 0, IMM_B, opc_grp11),
	[0xc7] = OPC(MODRM, HXEN_OP_MOV, HXEN_FORM_EI, 0, IMM_Z, opc_grp11),
	[0xf6 ... 0xf7] = OPC(MODRM, 0, 0, 0, IMM_NONE, opc_grp3),
	[0xfe ... 0xff] = OPC(MODRM, 0, HXEN_FORM_E, 0, IMM_NONE, opc_grp45),
};

static const struct opcode opcodes_0f[256] = {
	[0xa3] = OPC(MODRM | OPC_FULL, HXEN_OP_BT, HXEN_FORM_EG, HXEN_BT, IMM_NONE, NULL),
	[0xab] = OPC(MODRM | OPC_FULL, HXEN_OP_BT, HXEN_FORM_EG, HXEN_BTS, IMM_NONE, NULL),
	[0xb3] = OPC(MODRM | OPC_FULL, HXEN_OP_BT, HXEN_FORM_EG, HXEN_BTR, IMM_NONE, NULL),
	[0xbb] = OPC(MODRM | OPC_FULL, HXEN_OP_BT, HXEN_FORM_EG, HXEN_BTC, IMM_NONE, NULL),
	[0xba] = OPC(MODRM | OPC_FULL, HXEN_OP_BT, HXEN_FORM_EI, 0, IMM_B, opc_grp8),
	[0xb0 ... 0xb1] = OPC(MODRM, HXEN_OP_CMPXCHG, HXEN_FORM_EG, 0, IMM_NONE, NULL),
	[0xc0 ... 0xc1] = OPC(MODRM, HXEN_OP_XADD, HXEN_FORM_EG, 0, IMM_NONE, NULL),
	[0xb6 ... 0xb7] = OPC(MODRM | OPC_FULL, HXEN_OP_MOVZX, HXEN_FORM_GE, 0, IMM_NONE, opc_movx),
	[0xbe ... 0xbf] = OPC(MODRM | OPC_FULL, HXEN_OP_MOVSX, HXEN_FORM_GE, 0, IMM_NONE, opc_movx),
	[0xc3] = OPC(MODRM, HXEN_OP_MOV, HXEN_FORM_EG, 0, IMM_NONE, opc_movnti),
};

/* The entry for @op of @map, or NULL if the emulator does not handle it. */
static const struct opcode *lookup_opcode(const struct hxen_emul_ctx *ctx,
					  unsigned int map, unsigned int op)
{
	const struct opcode *d = map ? &opcodes_0f[op] : &opcodes_1byte[op];

	if (!(d->flags & OPC_KNOWN) || ((d->flags & OPC_LONG) && !ctx->long_mode))
		return NULL;
	return d;
}

/*
 * Operation, form, sizes and immediate from the opcode's entry (and
 * ModRM.reg for the group opcodes). Returns HXEN_EMUL_OK, UNHANDLED or
 * EXCEPTION.
 */
static int classify(struct hxen_emul_ctx *ctx, struct hxen_insn *in,
		    const struct opcode *d, unsigned int opsz, unsigned int *imm)
{
	struct opc_state st = { .ctx = ctx, .in = in, .imm = d->imm };
	int rc;

	in->op = d->op;
	in->form = d->form;
	in->sub = d->sub;
	in->op_bytes = (d->flags & OPC_FULL) || (in->opcode & 1) ? opsz : 1;
	rc = d->fn ? d->fn(&st) : HXEN_EMUL_OK;
	*imm = st.imm;
	return rc;
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
	const struct opcode *desc;
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
	desc = lookup_opcode(ctx, in->map, in->opcode);
	if (!desc)
		return HXEN_EMUL_UNHANDLED;

	in->seg = HXEN_SEG_DS;
	if (desc->flags & OPC_MODRM) {
		rc = decode_modrm(ctx, &c, in);
		if (rc)
			return rc;
	}
	rc = classify(ctx, in, desc, opsz, &imm);
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

int hxen_decode_string_io(const struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
			  int *segp, u8 *addr_bytes)
{
	int seg = HXEN_SEG_DS;
	bool adsize = false;
	unsigned int i;

	len = len < 15 ? len : 15;
	for (i = 0; i < len; i++) {
		switch (insn[i]) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			if (!ctx->long_mode)
				seg = (insn[i] >> 3) & 3;
			continue;
		case 0x64: case 0x65:
			seg = HXEN_SEG_FS + (insn[i] - 0x64);
			continue;
		case 0x67:
			adsize = true;
			continue;
		case 0x66: case 0xf0: case 0xf2: case 0xf3:
			continue;
		}
		break;
	}
	/* REX counts only right before the opcode. */
	if (ctx->long_mode && i < len && (insn[i] & 0xf0) == 0x40)
		i++;
	if (i >= len || insn[i] < 0x6c || insn[i] > 0x6f)
		return -1;
	*segp = insn[i] <= 0x6d ? HXEN_SEG_ES : seg;
	if (ctx->long_mode)
		*addr_bytes = adsize ? 4 : 8;
	else
		*addr_bytes = (!!ctx->cs_db ^ adsize) ? 4 : 2;
	return 0;
}
