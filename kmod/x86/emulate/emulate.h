/* SPDX-License-Identifier: GPL-2.0 */
/*
 * x86 instruction decoder and emulator for guest MMIO accesses.
 *
 * When a guest touches a guest-physical address with no RAM behind it, the
 * nested-page fault only tells us the address; the instruction that caused
 * it has to be decoded and executed here. The code is pure logic (no kernel
 * services) so that it also builds in userspace, where the unit test checks
 * it against the real CPU and a fuzzer feeds it random bytes.
 *
 * Covered: the memory-operand forms guests use on MMIO, in 16-, 32- and
 * 64-bit code: MOV (88-8B, C6, C7, A0-A3), MOVZX/MOVSX (0F B6 B7 BE BF),
 * MOVSXD (63, 64-bit mode), MOVNTI (0F C3), ADD/OR/ADC/SBB/AND/SUB/XOR/CMP
 * (00-3D, 80-83), TEST (84, 85, A8, A9, F6/F7 /0 /1), NOT/NEG (F6/F7 /2 /3),
 * INC/DEC (FE/FF /0 /1), XCHG (86, 87), BT/BTS/BTR/BTC (0F A3 AB B3 BB,
 * 0F BA /4-7), CMPXCHG (0F B0 B1), XADD (0F C0 C1) and the string
 * instructions MOVS, CMPS, STOS, LODS, SCAS (A4-A7, AA-AF) with REP.
 * Register-only forms of these work too. Everything else is UNHANDLED.
 *
 * Registers, flags and memory match the hardware bit for bit (64-bit code
 * is checked against the CPU by tests/unit/emulate_test.c). Where the SDM
 * leaves something undefined we do what Intel CPUs do: AND/OR/XOR/TEST
 * clear AF; BT/BTS/BTR/BTC leave OF SF AF PF unchanged; REP with a zero
 * count and a 32-bit address size in 64-bit mode still zero-extends rCX
 * (and rSI/rDI for MOVS, rDI for STOS); a failing CMPXCHG leaves a
 * register destination alone. One deliberate difference: a failing
 * CMPXCHG does not write an unchanged memory destination back, so that a
 * device register sees no spurious write.
 *
 * Ordering contract, relied on by callers that turn an access into an exit
 * to userspace:
 *  - all reads are issued before the write;
 *  - at most one write is issued per call, and it is the last callback;
 *  - registers, RFLAGS and RIP are updated only after every callback
 *    returned HXEN_EMUL_OK. Any other result leaves @regs untouched (and no
 *    write has been issued unless the write itself failed).
 *
 * A read that returns HXEN_EMUL_PENDING aborts the instruction; the caller
 * completes the MMIO read (in userspace) and calls hxen_emulate() again with
 * the same bytes and state. The same reads are then issued again, in the
 * same order, and the callback must answer the completed ones from its
 * cache: a read may be re-issued, so only the caller knows whether reading
 * the device again would be a side effect. CMPS is the only instruction with
 * two memory reads.
 */
#ifndef HXEN_X86_EMULATE_H
#define HXEN_X86_EMULATE_H

#include "../../pure_types.h"

/* Results of hxen_emulate(), hxen_decode() and the memory callbacks. */
enum hxen_emul_result {
	HXEN_EMUL_OK = 0,	/* done: RIP advanced, state updated */
	HXEN_EMUL_PENDING,	/* a read must complete first; nothing done */
	HXEN_EMUL_UNHANDLED,	/* unknown, unsupported or truncated */
	HXEN_EMUL_EXCEPTION,	/* inject ctx->exc_*; nothing done */
};

/* General registers in x86 encoding order (ModRM/SIB/REX numbering). */
enum hxen_gpr {
	HXEN_RAX, HXEN_RCX, HXEN_RDX, HXEN_RBX,
	HXEN_RSP, HXEN_RBP, HXEN_RSI, HXEN_RDI,
	HXEN_R8, HXEN_R9, HXEN_R10, HXEN_R11,
	HXEN_R12, HXEN_R13, HXEN_R14, HXEN_R15,
};

/* Segment registers in encoding order (Sreg field of MOV Sreg). */
enum hxen_seg {
	HXEN_SEG_ES, HXEN_SEG_CS, HXEN_SEG_SS,
	HXEN_SEG_DS, HXEN_SEG_FS, HXEN_SEG_GS,
	HXEN_NR_SEGS,
};

#define HXEN_RFLAGS_CF		(1ULL << 0)
#define HXEN_RFLAGS_PF		(1ULL << 2)
#define HXEN_RFLAGS_AF		(1ULL << 4)
#define HXEN_RFLAGS_ZF		(1ULL << 6)
#define HXEN_RFLAGS_SF		(1ULL << 7)
#define HXEN_RFLAGS_DF		(1ULL << 10)
#define HXEN_RFLAGS_OF		(1ULL << 11)
#define HXEN_RFLAGS_ARITH	(HXEN_RFLAGS_CF | HXEN_RFLAGS_PF | \
				 HXEN_RFLAGS_AF | HXEN_RFLAGS_ZF | \
				 HXEN_RFLAGS_SF | HXEN_RFLAGS_OF)

/* Exception vectors the emulator raises itself. */
#define HXEN_EXC_UD		6
#define HXEN_EXC_SS		12
#define HXEN_EXC_GP		13

struct hxen_emul_regs {
	u64 gpr[16];		/* enum hxen_gpr order */
	u64 rip;		/* address of the instruction (CS offset) */
	u64 rflags;
	/*
	 * Segment bases (enum hxen_seg order). A linear address is base +
	 * effective address; in 64-bit mode only the FS and GS bases count.
	 * Segment limits and attributes are not checked.
	 */
	u64 seg_base[HXEN_NR_SEGS];
};

struct hxen_emul_ops {
	/*
	 * Access @bytes (1, 2, 4 or 8) of guest memory at linear address
	 * @linear; @val is little-endian. The callback translates the address
	 * (guest page tables) and splits page-crossing accesses itself.
	 * Return HXEN_EMUL_OK, HXEN_EMUL_EXCEPTION after filling ctx->exc_*
	 * (e.g. #PF; reach the ctx through @opaque, see hxen_emul_set_exc()),
	 * or, for reads, HXEN_EMUL_PENDING (see the comment at the top).
	 * A write that returns HXEN_EMUL_OK completes the instruction: the
	 * caller may queue it and exit to userspace after hxen_emulate()
	 * returns. Any other value is passed back by hxen_emulate() with no
	 * register changed.
	 */
	int (*read)(void *opaque, u64 linear, void *val, unsigned int bytes);
	int (*write)(void *opaque, u64 linear, const void *val,
		     unsigned int bytes);
};

struct hxen_emul_ctx {
	const struct hxen_emul_ops *ops;
	void *opaque;		/* first argument of the callbacks */
	u8 cs_db;		/* CS.D: default operand/address size 32 */
	u8 long_mode;		/* 64-bit code: EFER.LMA && CS.L */
	u8 la57;		/* CR4.LA57: 57-bit canonical addresses */
	/* out: exception to inject when the result is HXEN_EMUL_EXCEPTION */
	u8 exc_vector;
	u8 exc_has_error;
	u32 exc_error;
};

static inline void hxen_emul_set_exc(struct hxen_emul_ctx *ctx, u8 vector,
				     bool has_error, u32 error)
{
	ctx->exc_vector = vector;
	ctx->exc_has_error = has_error;
	ctx->exc_error = error;
}

/* Operations of a decoded instruction (struct hxen_insn.op). */
enum hxen_insn_op {
	HXEN_OP_NONE,
	HXEN_OP_MOV,		/* MOV, MOVNTI */
	HXEN_OP_MOVZX,
	HXEN_OP_MOVSX,		/* MOVSX, MOVSXD */
	HXEN_OP_ALU,		/* sub: enum hxen_alu */
	HXEN_OP_TEST,
	HXEN_OP_NOT,
	HXEN_OP_NEG,
	HXEN_OP_INC,
	HXEN_OP_DEC,
	HXEN_OP_XCHG,
	HXEN_OP_BT,		/* sub: enum hxen_bt */
	HXEN_OP_CMPXCHG,
	HXEN_OP_XADD,
	HXEN_OP_MOVS,
	HXEN_OP_CMPS,
	HXEN_OP_STOS,
	HXEN_OP_LODS,
	HXEN_OP_SCAS,
};

/* ALU operations in opcode order (bits 5:3 of 00-3D, ModRM.reg of 80-83). */
enum hxen_alu {
	HXEN_ALU_ADD, HXEN_ALU_OR, HXEN_ALU_ADC, HXEN_ALU_SBB,
	HXEN_ALU_AND, HXEN_ALU_SUB, HXEN_ALU_XOR, HXEN_ALU_CMP,
};

enum hxen_bt {
	HXEN_BT, HXEN_BTS, HXEN_BTR, HXEN_BTC,
};

/* Operand forms (struct hxen_insn.form); E = ModRM r/m, G = ModRM.reg. */
enum hxen_form {
	HXEN_FORM_EG,		/* r/m is destination, reg is source */
	HXEN_FORM_GE,		/* reg is destination, r/m is source */
	HXEN_FORM_EI,		/* r/m, immediate */
	HXEN_FORM_E,		/* r/m only */
	HXEN_FORM_AI,		/* accumulator, immediate */
	HXEN_FORM_AO,		/* accumulator <- [moffs] */
	HXEN_FORM_OA,		/* [moffs] <- accumulator */
	HXEN_FORM_STR,		/* string: [seg:rSI] and/or [ES:rDI] */
};

/* struct hxen_insn.prefixes */
#define HXEN_PFX_OPSIZE		0x01	/* 66 */
#define HXEN_PFX_ADSIZE		0x02	/* 67 */
#define HXEN_PFX_LOCK		0x04	/* F0 */
#define HXEN_PFX_REPNE		0x08	/* F2 (last of F2/F3) */
#define HXEN_PFX_REP		0x10	/* F3 (last of F2/F3) */
#define HXEN_PFX_SEG		0x20	/* effective segment override */

/* struct hxen_insn.flags */
#define HXEN_INSN_MODRM		0x01	/* has a ModRM byte */
#define HXEN_INSN_MEM		0x02	/* ModRM/moffs memory */
#define HXEN_INSN_RIPREL	0x04	/* RIP-relative memory operand */
#define HXEN_INSN_MEM_READ	0x08	/* may read memory */
#define HXEN_INSN_MEM_WRITE	0x10	/* may write memory */

struct hxen_insn {
	u8 len;			/* bytes, prefixes included (<= 15) */
	u8 map;			/* 0: one-byte opcode, 1: 0F xx */
	u8 opcode;		/* last opcode byte */
	u8 op;			/* enum hxen_insn_op */
	u8 sub;			/* enum hxen_alu / enum hxen_bt */
	u8 form;		/* enum hxen_form */
	u8 op_bytes;		/* operation size: 1, 2, 4 or 8 */
	u8 src_bytes;		/* MOVZX/MOVSX source, else op_bytes */
	u8 addr_bytes;		/* address size: 2, 4 or 8 */
	u8 prefixes;		/* HXEN_PFX_* */
	u8 rex;			/* REX byte in effect, 0 if none */
	u8 flags;		/* HXEN_INSN_* */
	u8 seg;			/* segment of the memory operand (of the
				 * source for string instructions) */
	u8 modrm;
	u8 reg;			/* ModRM.reg + REX.R: register operand */
	u8 rm;			/* ModRM.rm + REX.B when ModRM.mod == 3 */
	s8 base;		/* memory operand base register, -1: none */
	s8 index;		/* index register, -1: none */
	u8 scale;		/* index shift: 0-3 */
	u8 imm_bytes;		/* immediate size as encoded */
	u64 disp;		/* displacement (sign-extended) or moffs */
	u64 imm;		/* immediate, sign-extended to op_bytes as the
				 * instruction uses it, or zero-extended */
};

/*
 * Decode the instruction at @insn (at most @len bytes are read). Uses the
 * mode fields of @ctx. Returns HXEN_EMUL_OK, HXEN_EMUL_UNHANDLED (unknown or
 * unsupported opcode, or @len too short) or HXEN_EMUL_EXCEPTION with ctx->exc_*
 * set (#UD: invalid LOCK or encoding; #GP(0): longer than 15 bytes).
 */
int hxen_decode(struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
		struct hxen_insn *out);

/*
 * MOV to a control register (0F 22 /r) at @insn: the CR number (ModRM.reg,
 * plus 8 for REX.R or, on AMD, a LOCK prefix: the CR8 encoding outside
 * 64-bit mode), the source GPR (ModRM.rm + REX.B; ModRM.mod is ignored,
 * the operands are always registers) and the length. For CR-write exits
 * without decode assists. HXEN_EMUL_OK or HXEN_EMUL_UNHANDLED.
 */
int hxen_decode_mov_to_cr(const struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
			  u8 *cr, u8 *gpr, u8 *insn_len);

/*
 * The string port I/O instruction at @insn (INS 6C/6D, OUTS 6E/6F after
 * prefixes), for exits that do not report all of it (SVM without decode
 * assists; QEMU TCG's nested SVM, which leaves EXITINFO1's address-size
 * bits clear). *seg: the segment OUTS reads, enum hxen_seg: the last
 * segment override, else DS (in 64-bit mode ES, CS, SS and DS overrides
 * are ignored and do not cancel FS/GS); INS always writes ES. *addr_bytes:
 * the address size, 2, 4 or 8 (the mode's default, 67 toggles it).
 * 0, or -1 if @insn is not a string I/O instruction.
 */
int hxen_decode_string_io(const struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
			  int *seg, u8 *addr_bytes);

/*
 * Effective address (segment offset, wrapped to the address size) of the
 * ModRM or moffs memory operand of @in, before any BT bit-offset
 * adjustment. RIP-relative operands use the end of the instruction.
 */
u64 hxen_insn_ea(const struct hxen_insn *in, const struct hxen_emul_regs *regs);

/*
 * Linear address of @bytes at @ea in segment @seg. In 64-bit mode the
 * address must be canonical at both ends, else #GP(0), or #SS(0) for an SS
 * reference; elsewhere it wraps at 4 GiB. Returns HXEN_EMUL_OK or
 * HXEN_EMUL_EXCEPTION with ctx->exc_* set.
 */
int hxen_linear(struct hxen_emul_ctx *ctx, const struct hxen_emul_regs *regs,
		unsigned int seg, u64 ea, unsigned int bytes, u64 *linear);

/*
 * Decode and execute one instruction (or one iteration of a REP string
 * instruction: RIP then stays on the instruction until rCX reaches zero,
 * or the REPE/REPNE condition ends it, so the guest re-executes it and
 * interrupts can be taken in between, as on hardware). See the ordering
 * contract at the top of this file.
 */
int hxen_emulate(struct hxen_emul_ctx *ctx, const u8 *insn, unsigned int len,
		 struct hxen_emul_regs *regs);

#endif /* HXEN_X86_EMULATE_H */
