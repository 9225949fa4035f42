// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of the MMIO instruction emulator (kmod/x86/emulate*.c).
 *
 * 64-bit code is checked against the real CPU: each random instruction is
 * executed natively (in an RWX page, registers and flags loaded from and
 * saved to memory around it, its memory operand aimed into a test buffer)
 * and emulated on a copy of the same state; GPRs, RFLAGS and memory must
 * match. Flags the SDM leaves undefined are masked unless
 * HXEN_EMUL_STRICT_FLAGS=1 (the emulator does what Intel does). A second
 * pass adds prefixes and ModRM.reg values that make instructions invalid:
 * native SIGILL must be emulated #UD. 16- and 32-bit code cannot run
 * natively here and has hand-checked cases, as do PENDING, REP, #GP/#SS/#UD
 * and truncated input. HXEN_EMUL_SEED and HXEN_EMUL_CASES (per form)
 * override the defaults.
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <cpuid.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "x86/emulate/emulate.c"
#include "x86/emulate/decode.c"

#define CF HXEN_RFLAGS_CF
#define PF HXEN_RFLAGS_PF
#define AF HXEN_RFLAGS_AF
#define ZF HXEN_RFLAGS_ZF
#define SF HXEN_RFLAGS_SF
#define DF HXEN_RFLAGS_DF
#define OF HXEN_RFLAGS_OF
#define CMP_FLAGS (HXEN_RFLAGS_ARITH | DF)

static int passed, failed;
static char why[2048];
static u64 seed = 0x5eed2024c0ffee11ULL;

static int failf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return 1;
}

static void report(const char *name, int bad)
{
	if (bad) {
		printf("not ok %s: %s\n", name, why);
		failed++;
	} else {
		printf("ok %s\n", name);
		passed++;
	}
	fflush(stdout);
}

/* ---- random numbers (xorshift64*, reproducible from the seed) ---- */

static u64 rng;

static u64 rnd64(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static unsigned int rnd(unsigned int n)
{
	return rnd64() % n;
}

/* values that exercise carries, signs and parity at every size */
static u64 rval(void)
{
	static const u64 edge[] = {
		0, 1, 2, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000,
		0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL,
		0x7fffffffffffffffULL, 0x8000000000000000ULL, ~0ULL, ~1ULL,
	};

	switch (rnd(8)) {
	case 0:
		return edge[rnd(sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return (rnd64() & ~0xffULL) | edge[rnd(9)];
	case 2:
		return -(u64)rnd(3);
	case 3:
		return rnd(0x100);
	default:
		return rnd64();
	}
}

/* ---- RAM-backed callbacks with ordering checks ---- */

struct ram {
	struct hxen_emul_ctx *ctx;
	u64 base;		/* linear address of mem[0] */
	u8 *mem;
	u64 size;
	int reads, writes;	/* in the current call */
	bool read_after_write;
	bool oob;		/* an access outside mem: a test failure */
	int pend_read;		/* 1-based read number to answer PENDING */
	int fault_read;		/* ... or #PF */
	bool fault_write;
	u64 last_la[4];
	unsigned int last_bytes[4];
};

static int ram_access(struct ram *r, u64 la, unsigned int bytes)
{
	if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)
		r->oob = true;
	if (la < r->base || la - r->base > r->size - bytes) {
		r->oob = true;
		hxen_emul_set_exc(r->ctx, 14, true, 0);
		return HXEN_EMUL_EXCEPTION;
	}
	return HXEN_EMUL_OK;
}

static int ram_read(void *opaque, u64 la, void *val, unsigned int bytes)
{
	struct ram *r = opaque;
	int n = ++r->reads, rc;

	if (r->writes)
		r->read_after_write = true;
	if (n <= 4) {
		r->last_la[n - 1] = la;
		r->last_bytes[n - 1] = bytes;
	}
	if (n == r->pend_read)
		return HXEN_EMUL_PENDING;
	if (n == r->fault_read) {
		hxen_emul_set_exc(r->ctx, 14, true, 4);
		return HXEN_EMUL_EXCEPTION;
	}
	rc = ram_access(r, la, bytes);
	if (!rc)
		memcpy(val, r->mem + (la - r->base), bytes);
	return rc;
}

static int ram_write(void *opaque, u64 la, const void *val, unsigned int bytes)
{
	struct ram *r = opaque;
	int rc;

	r->writes++;
	if (r->fault_write) {
		hxen_emul_set_exc(r->ctx, 14, true, 6);
		return HXEN_EMUL_EXCEPTION;
	}
	rc = ram_access(r, la, bytes);
	if (!rc)
		memcpy(r->mem + (la - r->base), val, bytes);
	return rc;
}

static const struct hxen_emul_ops ram_ops = {
	.read = ram_read,
	.write = ram_write,
};

/* One emulator call with a heap copy of exactly @len bytes (for ASan). */
static int emulate_exact(struct hxen_emul_ctx *ctx, const u8 *bytes,
			 unsigned int len, struct hxen_emul_regs *regs)
{
	u8 *copy = malloc(len ? len : 1);
	struct ram *r = ctx->opaque;
	int rc;

	memcpy(copy, bytes, len);
	r->reads = 0;
	r->writes = 0;
	r->read_after_write = false;
	rc = hxen_emulate(ctx, copy, len, regs);
	free(copy);
	return rc;
}

static int call_checks(const struct ram *r)
{
	if (r->oob)
		return failf("emulator accessed memory outside the test buffer");
	if (r->writes > 1)
		return failf("%d writes in one call", r->writes);
	if (r->read_after_write)
		return failf("read issued after the write");
	return 0;
}

/* ======================================================================
 * Native oracle (64-bit mode)
 * ====================================================================== */

#define REGION_SIZE	0x8000
#define STATE_OFF	0x800	/* struct native_state, inside the code page */
#define DATA_OFF	0x1000
#define DATA_SIZE	0x4000

struct native_state {
	u64 in[16];
	u64 in_flags;
	u64 out[16];
	u64 out_flags;
	u64 host_rsp;
};

static u8 *region;
static struct native_state *ns;
static u8 *data;		/* region + DATA_OFF: natively accessed */
static u8 *emem;		/* the emulator's copy */
static u64 fs_base, gs_base;
static u8 *insn_at;		/* where the instruction sits in the stub */
static bool strict_flags;
/*
 * Two behaviours the SDM does not pin down are matched to Intel CPUs: REP
 * with a zero ECX under 67 still zero-extends rCX (and rSI/rDI for MOVS,
 * STOS), and a failing CMPXCHG leaves a register destination untouched.
 * Elsewhere those cases are not generated.
 */
static bool intel;

/* op reg, [rip + target] with REX.W */
static u8 *emit_riprel(u8 *p, u8 op, unsigned int reg, const void *target)
{
	s32 d;

	*p++ = 0x48 | ((reg & 8) ? 4 : 0);
	*p++ = op;
	*p++ = 0x05 | ((reg & 7) << 3);
	d = (s32)((const u8 *)target - (p + 4));
	memcpy(p, &d, 4);
	return p + 4;
}

/* The stub's prefix has a fixed length, so insn_at does not move. */
static void build_stub(const u8 *insn, unsigned int len)
{
	static const u8 save[] = {
		0x53, 0x55, 0x41, 0x54, 0x41, 0x55, 0x41, 0x56, 0x41, 0x57
	};
	static const u8 restore[] = {
		0xfc,			/* cld: the C ABI wants DF clear */
		0x41, 0x5f, 0x41, 0x5e, 0x41, 0x5d, 0x41, 0x5c, 0x5d, 0x5b,
		0xc3
	};
	u8 *p = region;
	s32 d;
	int r;

	memcpy(p, save, sizeof(save));
	p += sizeof(save);
	p = emit_riprel(p, 0x89, HXEN_RSP, &ns->host_rsp);
	*p++ = 0xff;			/* push [rip + in_flags]; popfq */
	*p++ = 0x35;
	d = (s32)((u8 *)&ns->in_flags - (p + 4));
	memcpy(p, &d, 4);
	p += 4;
	*p++ = 0x9d;
	for (r = 0; r < 16; r++)	/* mov doesn't touch flags */
		p = emit_riprel(p, 0x8b, r, &ns->in[r]);
	insn_at = p;
	memcpy(p, insn, len);
	p += len;
	for (r = 0; r < 16; r++)
		p = emit_riprel(p, 0x89, r, &ns->out[r]);
	p = emit_riprel(p, 0x8b, HXEN_RSP, &ns->host_rsp);
	*p++ = 0x9c;			/* pushfq; pop [rip + out_flags] */
	*p++ = 0x8f;
	*p++ = 0x05;
	d = (s32)((u8 *)&ns->out_flags - (p + 4));
	memcpy(p, &d, 4);
	p += 4;
	memcpy(p, restore, sizeof(restore));
}

static sigjmp_buf native_jmp;
static volatile sig_atomic_t in_native;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (!in_native) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	in_native = 0;
	siglongjmp(native_jmp, sig);
}

/* 0, or the signal the instruction raised */
static int run_native(void)
{
	int sig = sigsetjmp(native_jmp, 1);

	if (sig)
		return sig;
	in_native = 1;
	((void (*)(void))region)();
	in_native = 0;
	return 0;
}

static int native_setup(void)
{
	static u8 altstack[65536];
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa;

	/* below 2 GiB: disp32-absolute and 32-bit (67) addresses reach it */
	region = mmap(NULL, REGION_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (region == MAP_FAILED)
		return failf("mmap RWX MAP_32BIT failed");
	{
		unsigned int a = 0, b = 0, c = 0, d = 0;

		__get_cpuid(0, &a, &b, &c, &d);
		intel = b == 0x756e6547 && d == 0x49656e69 && c == 0x6c65746e;
	}
	ns = (struct native_state *)(region + STATE_OFF);
	data = region + DATA_OFF;
	emem = malloc(DATA_SIZE);
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base) ||
	    syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_base))
		return failf("arch_prctl");
	/* the instruction runs with a random RSP: handle faults elsewhere */
	if (sigaltstack(&ss, NULL))
		return failf("sigaltstack");
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	return 0;
}

/* ---- instruction forms ---- */

#define T_BYTE		0x001	/* 8-bit operation */
#define T_LOCK		0x002	/* LOCK allowed with a memory destination */
#define T_STR		0x004	/* string instruction */
#define T_MEMONLY	0x008	/* no register form */
#define T_BTREG		0x010	/* ModRM.reg is a bit offset */
#define T_NP		0x020	/* 66/F2/F3 are #UD (MOVNTI) */
#define T_CMPXCHG	0x040
#define T_MOFFS		0x080
#define T_ACC		0x100	/* accumulator + immediate, no memory */

#define U_LOGIC		AF
#define U_BT		(OF | SF | AF | PF)

struct tmpl {
	char name[24];
	u8 map;			/* 1: 0F map */
	u8 op;
	u8 digits;		/* allowed ModRM.reg values (bit mask), 0: any */
	u8 modrm;
	char imm;		/* 0, 'b' imm8, 'z' imm16/32 */
	u16 f;
	u64 undef;		/* flags undefined by the SDM */
};

static struct tmpl tmpls[160];
static int ntmpls;

static void add(const char *name, u8 map, u8 op, int digit, u8 modrm,
		char imm, u16 f, u64 undef)
{
	struct tmpl *t = &tmpls[ntmpls++];

	snprintf(t->name, sizeof(t->name), "%s", name);
	t->map = map;
	t->op = op;
	t->digits = digit < 0 ? 0 : 1u << digit;
	t->modrm = modrm;
	t->imm = imm;
	t->f = f;
	t->undef = undef;
}

static void build_templates(void)
{
	static const char *const alu[8] = {
		"add", "or", "adc", "sbb", "and", "sub", "xor", "cmp"
	};
	static const char *const form[6] = {
		"Eb,Gb", "Ev,Gv", "Gb,Eb", "Gv,Ev", "AL,Ib", "rAX,Iz"
	};
	char n[24];
	int k, i;

	for (k = 0; k < 8; k++) {
		u64 u = (k == 1 || k == 4 || k == 6) ? U_LOGIC : 0;
		u16 l = k == 7 ? 0 : T_LOCK;

		for (i = 0; i < 6; i++) {
			snprintf(n, sizeof(n), "%s %s", alu[k], form[i]);
			add(n, 0, k * 8 + i, -1, i < 4, i == 4 ? 'b' :
			    i == 5 ? 'z' : 0,
			    (i & 1 ? 0 : T_BYTE) | (i < 2 ? l : 0) |
			    (i >= 4 ? T_ACC : 0), u);
		}
		snprintf(n, sizeof(n), "%s Eb,Ib (80)", alu[k]);
		add(n, 0, 0x80, k, 1, 'b', T_BYTE | l, u);
		snprintf(n, sizeof(n), "%s Ev,Iz (81)", alu[k]);
		add(n, 0, 0x81, k, 1, 'z', l, u);
		snprintf(n, sizeof(n), "%s Ev,Ib (83)", alu[k]);
		add(n, 0, 0x83, k, 1, 'b', l, u);
	}
	add("movsxd Gv,Ed", 0, 0x63, -1, 1, 0, 0, 0);
	add("test Eb,Gb", 0, 0x84, -1, 1, 0, T_BYTE, U_LOGIC);
	add("test Ev,Gv", 0, 0x85, -1, 1, 0, 0, U_LOGIC);
	add("xchg Eb,Gb", 0, 0x86, -1, 1, 0, T_BYTE | T_LOCK, 0);
	add("xchg Ev,Gv", 0, 0x87, -1, 1, 0, T_LOCK, 0);
	add("mov Eb,Gb", 0, 0x88, -1, 1, 0, T_BYTE, 0);
	add("mov Ev,Gv", 0, 0x89, -1, 1, 0, 0, 0);
	add("mov Gb,Eb", 0, 0x8a, -1, 1, 0, T_BYTE, 0);
	add("mov Gv,Ev", 0, 0x8b, -1, 1, 0, 0, 0);
	add("mov AL,Ob", 0, 0xa0, -1, 0, 0, T_BYTE | T_MOFFS, 0);
	add("mov rAX,Ov", 0, 0xa1, -1, 0, 0, T_MOFFS, 0);
	add("mov Ob,AL", 0, 0xa2, -1, 0, 0, T_BYTE | T_MOFFS, 0);
	add("mov Ov,rAX", 0, 0xa3, -1, 0, 0, T_MOFFS, 0);
	add("test AL,Ib", 0, 0xa8, -1, 0, 'b', T_BYTE | T_ACC, U_LOGIC);
	add("test rAX,Iz", 0, 0xa9, -1, 0, 'z', T_ACC, U_LOGIC);
	add("movsb", 0, 0xa4, -1, 0, 0, T_BYTE | T_STR, 0);
	add("movsv", 0, 0xa5, -1, 0, 0, T_STR, 0);
	add("cmpsb", 0, 0xa6, -1, 0, 0, T_BYTE | T_STR, 0);
	add("cmpsv", 0, 0xa7, -1, 0, 0, T_STR, 0);
	add("stosb", 0, 0xaa, -1, 0, 0, T_BYTE | T_STR, 0);
	add("stosv", 0, 0xab, -1, 0, 0, T_STR, 0);
	add("lodsb", 0, 0xac, -1, 0, 0, T_BYTE | T_STR, 0);
	add("lodsv", 0, 0xad, -1, 0, 0, T_STR, 0);
	add("scasb", 0, 0xae, -1, 0, 0, T_BYTE | T_STR, 0);
	add("scasv", 0, 0xaf, -1, 0, 0, T_STR, 0);
	add("mov Eb,Ib", 0, 0xc6, 0, 1, 'b', T_BYTE, 0);
	add("mov Ev,Iz", 0, 0xc7, 0, 1, 'z', 0, 0);
	add("test Eb,Ib", 0, 0xf6, 0, 1, 'b', T_BYTE, U_LOGIC);
	add("test Eb,Ib (f6/1)", 0, 0xf6, 1, 1, 'b', T_BYTE, U_LOGIC);
	add("not Eb", 0, 0xf6, 2, 1, 0, T_BYTE | T_LOCK, 0);
	add("neg Eb", 0, 0xf6, 3, 1, 0, T_BYTE | T_LOCK, 0);
	add("test Ev,Iz", 0, 0xf7, 0, 1, 'z', 0, U_LOGIC);
	add("test Ev,Iz (f7/1)", 0, 0xf7, 1, 1, 'z', 0, U_LOGIC);
	add("not Ev", 0, 0xf7, 2, 1, 0, T_LOCK, 0);
	add("neg Ev", 0, 0xf7, 3, 1, 0, T_LOCK, 0);
	add("inc Eb", 0, 0xfe, 0, 1, 0, T_BYTE | T_LOCK, 0);
	add("dec Eb", 0, 0xfe, 1, 1, 0, T_BYTE | T_LOCK, 0);
	add("inc Ev", 0, 0xff, 0, 1, 0, T_LOCK, 0);
	add("dec Ev", 0, 0xff, 1, 1, 0, T_LOCK, 0);
	add("bt Ev,Gv", 1, 0xa3, -1, 1, 0, T_BTREG, U_BT);
	add("bts Ev,Gv", 1, 0xab, -1, 1, 0, T_BTREG | T_LOCK, U_BT);
	add("btr Ev,Gv", 1, 0xb3, -1, 1, 0, T_BTREG | T_LOCK, U_BT);
	add("btc Ev,Gv", 1, 0xbb, -1, 1, 0, T_BTREG | T_LOCK, U_BT);
	add("bt Ev,Ib", 1, 0xba, 4, 1, 'b', 0, U_BT);
	add("bts Ev,Ib", 1, 0xba, 5, 1, 'b', T_LOCK, U_BT);
	add("btr Ev,Ib", 1, 0xba, 6, 1, 'b', T_LOCK, U_BT);
	add("btc Ev,Ib", 1, 0xba, 7, 1, 'b', T_LOCK, U_BT);
	add("cmpxchg Eb,Gb", 1, 0xb0, -1, 1, 0, T_BYTE | T_LOCK | T_CMPXCHG, 0);
	add("cmpxchg Ev,Gv", 1, 0xb1, -1, 1, 0, T_LOCK | T_CMPXCHG, 0);
	add("movzx Gv,Eb", 1, 0xb6, -1, 1, 0, 0, 0);
	add("movzx Gv,Ew", 1, 0xb7, -1, 1, 0, 0, 0);
	add("movsx Gv,Eb", 1, 0xbe, -1, 1, 0, 0, 0);
	add("movsx Gv,Ew", 1, 0xbf, -1, 1, 0, 0, 0);
	add("xadd Eb,Gb", 1, 0xc0, -1, 1, 0, T_BYTE | T_LOCK, 0);
	add("xadd Ev,Gv", 1, 0xc1, -1, 1, 0, T_LOCK, 0);
	add("movnti My,Gy", 1, 0xc3, -1, 1, 0, T_MEMONLY | T_NP, 0);
}

/* ---- one random case ---- */

struct gcase {
	u8 b[24];
	unsigned int n;
	u64 gpr[16];
	u64 flags;
	bool ud_mode;		/* may be invalid */
};

/* prefixes of the case being generated */
static bool a32, o16, rexw, lock;
static int seg_eff;		/* 4 FS, 5 GS, -1 none (64-bit mode) */

static u64 seg_base_of(int seg)
{
	return seg == HXEN_SEG_FS ? fs_base : seg == HXEN_SEG_GS ? gs_base : 0;
}

/* random bytes around a target */
static void fill_window(u64 target, unsigned int span)
{
	u64 off = target - (u64)(uintptr_t)data;
	u64 lo = off > span ? off - span : 0;
	u64 hi = off + span < DATA_SIZE ? off + span : DATA_SIZE;
	u64 i, v = 0;

	for (i = lo; i < hi; i++) {
		if (!(i & 7))
			v = rval();
		data[i] = v >> (8 * (i & 7));
	}
}

static u64 pick_target(void)
{
	return (u64)(uintptr_t)data + 0x1000 + rnd(0x2000);
}

/*
 * Build a random instance of @t. Returns false to ask for another try
 * (an unusable combination, e.g. over 15 bytes).
 */
static bool gen_case(const struct tmpl *t, struct gcase *c, bool ud_mode)
{
	u8 pfx[8];
	unsigned int np = 0, i, mod = 3, reg, rm = 0, scale = 0;
	int base = -1, index = -1, disp_pos = -1, disp_size = 0, moffs_pos = -1;
	bool mem = false, riprel = false, rep = false;
	unsigned int opb;
	u64 target, ea, disp = 0, segb, amask;
	u8 rex = 0;

	memset(c, 0, sizeof(*c));
	c->ud_mode = ud_mode;
	a32 = !rnd(6);
	o16 = !(t->f & T_NP) && !rnd(4);
	if (ud_mode && (t->f & T_NP) && !rnd(2))
		o16 = true;
	if (o16)
		pfx[np++] = 0x66;
	if (a32)
		pfx[np++] = 0x67;
	if (!rnd(4))
		pfx[np++] = (const u8[]){ 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 }
			    [rnd(6)];
	if (!rnd(10))
		pfx[np++] = (const u8[]){ 0x26, 0x2e, 0x36, 0x3e }[rnd(4)];
	if (t->modrm)
		mem = (t->f & T_MEMONLY) || rnd(5);
	if (t->f & (T_STR | T_MOFFS))
		mem = true;
	lock = (t->f & T_LOCK) && mem && t->modrm && !rnd(3);
	if (ud_mode && !rnd(3))
		lock = true;
	if (lock)
		pfx[np++] = 0xf0;
	if ((t->f & T_STR) && rnd(3)) {
		rep = true;
		pfx[np++] = rnd(2) ? 0xf3 : 0xf2;
		if (!rnd(4)) {	/* both: the last one counts */
			pfx[np] = pfx[np - 1] ^ 1;
			np++;
		}
	} else if (ud_mode && !(t->f & T_STR) && !rnd(4)) {
		pfx[np++] = rnd(2) ? 0xf3 : 0xf2;
	}
	for (i = np; i > 1; i--) {
		unsigned int j = rnd(i);
		u8 x = pfx[i - 1];

		pfx[i - 1] = pfx[j];
		pfx[j] = x;
	}
	if (rnd(3))
		rex = 0x40 | rnd(16);
	rexw = rex & 8;

	/* effective segment: the last FS/GS prefix (64-bit mode) */
	seg_eff = -1;
	for (i = 0; i < np; i++)
		if (pfx[i] == 0x64 || pfx[i] == 0x65)
			seg_eff = pfx[i] - 0x64 + HXEN_SEG_FS;

	/* ModRM fields */
	if (t->modrm) {
		if (t->digits) {
			do {
				reg = rnd(8);
			} while (!(t->digits & (1u << reg)));
		} else {
			reg = rnd(8);
		}
		/* C6/C7 /7 with mod 3 is XABORT/XBEGIN: not ours */
		if ((t->op == 0xc6 || t->op == 0xc7) && !t->map && reg == 7)
			mem = true;
		mod = mem ? rnd(3) : 3;
		rm = rnd(8);
	} else {
		reg = 0;
	}

	/* bytes; sometimes a REX before the last legacy prefix (void) */
	memcpy(c->b, pfx, np);
	c->n = np;
	if (np && !rnd(8)) {
		c->b[np] = c->b[np - 1];
		c->b[np - 1] = 0x40 | rnd(16);
		c->n++;
	}
	if (rex)
		c->b[c->n++] = rex;
	if (t->map)
		c->b[c->n++] = 0x0f;
	c->b[c->n++] = t->op;
	if (t->modrm) {
		c->b[c->n++] = (mod << 6) | (reg << 3) | rm;
		if (mod != 3) {
			if (rm == 4) {
				u8 sib = rnd(256);

				c->b[c->n++] = sib;
				scale = sib >> 6;
				index = ((sib >> 3) & 7) | ((rex & 2) << 2);
				if (index == 4)
					index = -1;
				if ((sib & 7) == 5 && mod == 0) {
					disp_size = 4;
				} else {
					base = (sib & 7) | ((rex & 1) << 3);
				}
			} else if (rm == 5 && mod == 0) {
				riprel = true;
				disp_size = 4;
			} else {
				base = rm | ((rex & 1) << 3);
			}
			if (mod == 1)
				disp_size = 1;
			if (mod == 2)
				disp_size = 4;
			disp_pos = c->n;
			for (i = 0; i < (unsigned int)disp_size; i++)
				c->b[c->n++] = rnd(256);
		}
	}
	if (t->f & T_MOFFS) {
		moffs_pos = c->n;
		c->n += a32 ? 4 : 8;
	}
	if (t->imm == 'b')
		c->b[c->n++] = rval();
	if (t->imm == 'z') {
		u64 v = rval();

		for (i = 0; i < (o16 && !rexw ? 2u : 4u); i++)
			c->b[c->n++] = v >> (8 * i);
	}
	if (c->n > 15)
		return false;

	/* FS (TLS) is far away: only a 64-bit base register or moffs reach */
	if (seg_base_of(seg_eff) && (a32 || (t->modrm && base < 0)))
		return false;

	opb = (t->f & T_BYTE) ? 1 : rexw ? 8 : o16 ? 2 : 4;
	if (t->f & T_NP)
		opb = rexw ? 8 : 4;

	for (i = 0; i < 16; i++)
		c->gpr[i] = rval();
	c->flags = 0x202 | (rnd64() & (CMP_FLAGS));

	if (!mem)
		return intel || !(t->f & T_CMPXCHG);

	amask = a32 ? 0xffffffffULL : ~0ULL;
	segb = seg_base_of(seg_eff);
	target = pick_target();
	fill_window(target, 600);

	if (t->f & T_STR) {
		u64 src = pick_target();
		unsigned int j;

		fill_window(src, 600);
		/* CMPS/SCAS: mostly equal data so that REPE continues */
		if ((t->op & 0xf6) == 0xa6 && rnd(2)) {
			for (j = 0; j < 64; j++)
				if (rnd(8))
					data[target - (u64)(uintptr_t)data -
					     32 + j] =
						data[src - (u64)(uintptr_t)data -
						     32 + j];
		}
		if ((t->op & 0xfe) == 0xae && rnd(2))
			memset(data + (target - (u64)(uintptr_t)data) - 32,
			       (u8)c->gpr[HXEN_RAX], 64);
		c->gpr[HXEN_RSI] = ((src - segb) & amask) |
				   (a32 ? rnd64() << 32 : 0);
		c->gpr[HXEN_RDI] = target | (a32 ? rnd64() << 32 : 0);
		if (rep)
			c->gpr[HXEN_RCX] = (rnd(7) + !intel) |
					   (a32 ? rnd64() << 32 : 0);
		return true;
	}

	ea = (target - segb) & amask;
	if (t->f & T_MOFFS) {
		for (i = 0; i < (a32 ? 4u : 8u); i++)
			c->b[moffs_pos + i] = ea >> (8 * i);
		return true;
	}

	/* ModRM memory operand: solve for the address registers */
	if (disp_size == 1)
		disp = (u64)(s64)(s8)c->b[disp_pos];
	else if (disp_size == 4)
		disp = (u64)(s64)(s32)(c->b[disp_pos] | c->b[disp_pos + 1] << 8 |
				       c->b[disp_pos + 2] << 16 |
				       (u32)c->b[disp_pos + 3] << 24);
	if ((t->f & T_BTREG) && ((int)(reg | ((rex & 4) << 1)) == base ||
				 (int)(reg | ((rex & 4) << 1)) == index))
		return false;
	if ((t->f & T_CMPXCHG) && (base == HXEN_RAX || index == HXEN_RAX))
		return false;
	if (riprel || (base < 0 && index < 0)) {
		u64 next = (u64)(uintptr_t)insn_at + c->n;

		disp = riprel ? ea - next : ea;
		for (i = 0; i < 4; i++)
			c->b[disp_pos + i] = disp >> (8 * i);
	} else if (base < 0) {
		u64 idx = rnd(256);

		disp = (ea - (idx << scale)) & 0xffffffffULL;
		if ((s64)(s32)disp != (s64)(ea - (idx << scale)) && !a32)
			return false;
		for (i = 0; i < 4; i++)
			c->b[disp_pos + i] = disp >> (8 * i);
		c->gpr[index] = idx | (a32 ? rnd64() << 32 : 0);
	} else if (index == base) {
		u64 k = 1 + (1ULL << scale), x = (ea - disp) & amask;

		c->gpr[base] = (x - x % k) / k;
		/* move the target down by the remainder (still in range) */
		target -= x % k;
		if (a32)
			c->gpr[base] |= rnd64() << 32;
	} else {
		u64 idx = index >= 0 ? (u64)rnd(256) : 0;

		if (index >= 0)
			c->gpr[index] = idx | (a32 ? rnd64() << 32 : 0);
		c->gpr[base] = ((ea - disp - (idx << scale)) & amask) |
			       (a32 ? rnd64() << 32 : 0);
	}
	if (t->f & T_BTREG) {
		int r = reg | ((rex & 4) << 1);
		s64 off = (s64)rnd(4096) - 2048;
		u64 m = opb == 8 ? ~0ULL : (1ULL << (8 * opb)) - 1;

		c->gpr[r] = (rnd64() & ~m) | ((u64)off & m);
	}
	if ((t->f & T_CMPXCHG) && rnd(2)) {
		u64 v, m = opb == 8 ? ~0ULL : (1ULL << (8 * opb)) - 1;

		memcpy(&v, data + (target - (u64)(uintptr_t)data), 8);
		c->gpr[HXEN_RAX] = (c->gpr[HXEN_RAX] & ~m) | (v & m);
	}
	return true;
}

static void hexdump(char *out, size_t size, const u8 *b, unsigned int n)
{
	unsigned int i;
	size_t o = 0;

	out[0] = 0;
	for (i = 0; i < n && o + 4 < size; i++)
		o += snprintf(out + o, size - o, "%s%02x", i ? " " : "", b[i]);
}

/*
 * Run @c natively and in the emulator; compare. Returns 0 if they agree.
 * *ud_seen counts natively invalid instructions (ud_mode).
 */
static int check_case(const struct tmpl *t, const struct gcase *c,
		      int *ud_seen)
{
	struct hxen_emul_ctx ctx = { .ops = &ram_ops };
	struct ram ram = { .ctx = &ctx };
	struct hxen_emul_regs regs;
	u8 ibuf[16];
	char hex[64];
	unsigned int len, i;
	u64 start, fmask;
	int sig, rc = HXEN_EMUL_OK, iter;

	build_stub(c->b, c->n);
	memcpy(ns->in, c->gpr, sizeof(ns->in));
	ns->in_flags = c->flags;
	memcpy(emem, data, DATA_SIZE);
	hexdump(hex, sizeof(hex), c->b, c->n);

	sig = run_native();

	/* the emulator gets up to 15 bytes, as a caller would fetch */
	memcpy(ibuf, c->b, c->n);
	for (i = c->n; i < 16; i++)
		ibuf[i] = rnd(256);
	len = c->n + rnd(16 - c->n);
	if (len > 15)
		len = 15;
	memset(&regs, 0, sizeof(regs));
	memcpy(regs.gpr, c->gpr, sizeof(regs.gpr));
	start = (u64)(uintptr_t)insn_at;
	regs.rip = start;
	regs.rflags = c->flags;
	for (i = 0; i < HXEN_NR_SEGS; i++)
		regs.seg_base[i] = rnd64();	/* ignored in 64-bit mode */
	regs.seg_base[HXEN_SEG_FS] = fs_base;
	regs.seg_base[HXEN_SEG_GS] = gs_base;
	ctx.long_mode = 1;
	ctx.cs_db = rnd(2);			/* ignored in 64-bit mode */
	ctx.opaque = &ram;
	ram.base = (u64)(uintptr_t)data;
	ram.mem = emem;
	ram.size = DATA_SIZE;

	for (iter = 0; iter < 100; iter++) {
		rc = emulate_exact(&ctx, ibuf, len, &regs);
		if (call_checks(&ram))
			return failf("[%s] %s", hex, why);
		if (rc != HXEN_EMUL_OK || regs.rip != start)
			break;
	}

	if (sig) {
		if (sig == SIGILL && c->ud_mode) {
			++*ud_seen;
			if (rc == HXEN_EMUL_EXCEPTION &&
			    ctx.exc_vector == HXEN_EXC_UD)
				return 0;
			return failf("[%s] native #UD, emulator rc %d vector %d",
				     hex, rc, ctx.exc_vector);
		}
		return failf("[%s] native signal %d (emulator rc %d)", hex, sig,
			     rc);
	}
	if (rc != HXEN_EMUL_OK)
		return failf("[%s] emulator rc %d (vector %d), native ran",
			     hex, rc, ctx.exc_vector);
	if (regs.rip != start + c->n)
		return failf("[%s] rip +%lld, want +%u", hex,
			     (long long)(regs.rip - start), c->n);
	for (i = 0; i < 16; i++)
		if (regs.gpr[i] != ns->out[i])
			return failf("[%s] gpr %u: emulated %016llx native %016llx (in %016llx)",
				     hex, i, (unsigned long long)regs.gpr[i],
				     (unsigned long long)ns->out[i],
				     (unsigned long long)c->gpr[i]);
	fmask = CMP_FLAGS & ~(strict_flags ? 0 : t->undef);
	if ((regs.rflags ^ ns->out_flags) & fmask)
		return failf("[%s] rflags: emulated %03llx native %03llx (in %03llx, compared %03llx)",
			     hex, (unsigned long long)(regs.rflags & 0xfff),
			     (unsigned long long)(ns->out_flags & 0xfff),
			     (unsigned long long)(c->flags & 0xfff),
			     (unsigned long long)fmask);
	if ((regs.rflags ^ c->flags) & ~CMP_FLAGS)
		return failf("[%s] emulator changed non-arithmetic flags", hex);
	if (memcmp(emem, data, DATA_SIZE)) {
		for (i = 0; i < DATA_SIZE && emem[i] == data[i]; i++)
			;
		return failf("[%s] memory differs at +%#x: emulated %02x native %02x",
			     hex, i, emem[i], data[i]);
	}
	return 0;
}

static int oracle_cases(void)
{
	const char *s = getenv("HXEN_EMUL_CASES");

	return s ? atoi(s) : 300;
}

static long total_native;

static void oracle(bool ud_mode, int cases)
{
	char name[96];
	struct gcase c;
	int ti, k, ud_seen;

	for (ti = 0; ti < ntmpls; ti++) {
		const struct tmpl *t = &tmpls[ti];
		int bad = 0;

		ud_seen = 0;
		for (k = 0; k < cases && !bad; k++) {
			while (!gen_case(t, &c, ud_mode))
				;
			bad = check_case(t, &c, &ud_seen);
			total_native++;
		}
		if (ud_mode)
			snprintf(name, sizeof(name),
				 "invalid-prefix oracle %s (%d cases, %d #UD)",
				 t->name, k, ud_seen);
		else
			snprintf(name, sizeof(name), "oracle %s (%d cases)",
				 t->name, k);
		report(name, bad);
	}
}

/* group opcodes with invalid ModRM.reg values, natively #UD */
static void oracle_groups(int cases)
{
	static const struct {
		const char *name;
		u8 map, op, digits;
		char imm;
		u16 f;
	} g[] = {
		{ "c6 /0-7", 0, 0xc6, 0xff, 'b', T_BYTE },
		{ "c7 /0-7", 0, 0xc7, 0xff, 'z', 0 },
		{ "fe /0-7", 0, 0xfe, 0xff, 0, T_BYTE | T_LOCK },
		{ "ff /0,1,7", 0, 0xff, 0x83, 0, T_LOCK },
		{ "0f ba /0-7", 1, 0xba, 0xff, 'b', 0 },
		{ "82 /0-7 (#UD in 64-bit)", 0, 0x82, 0xff, 'b', T_BYTE },
	};
	struct tmpl t;
	struct gcase c;
	char name[96];
	unsigned int i;
	int k, bad, ud_seen;

	for (i = 0; i < sizeof(g) / sizeof(g[0]); i++) {
		memset(&t, 0, sizeof(t));
		t.map = g[i].map;
		t.op = g[i].op;
		t.digits = g[i].digits;
		t.modrm = 1;
		t.imm = g[i].imm;
		t.f = g[i].f;
		t.undef = U_BT;
		bad = 0;
		ud_seen = 0;
		for (k = 0; k < cases && !bad; k++) {
			while (!gen_case(&t, &c, true))
				;
			bad = check_case(&t, &c, &ud_seen);
			total_native++;
		}
		if (!bad && !ud_seen)
			bad = failf("no invalid variant was generated");
		snprintf(name, sizeof(name), "invalid-encoding oracle %s (%d cases, %d #UD)",
			 g[i].name, k, ud_seen);
		report(name, bad);
	}
}

/* ======================================================================
 * Hand-checked cases (16-, 32- and 64-bit), emulator only
 * ====================================================================== */

#define LOWMEM_SIZE	0x200000

static struct {
	struct hxen_emul_ctx ctx;
	struct hxen_emul_regs r;
	struct ram ram;
	struct hxen_insn in;
} E;
static u8 *lowmem;

static void env(int mode)
{
	memset(&E, 0, sizeof(E));
	memset(lowmem, 0, LOWMEM_SIZE);
	E.ctx.ops = &ram_ops;
	E.ctx.opaque = &E.ram;
	E.ctx.long_mode = mode == 64;
	E.ctx.cs_db = mode == 32;
	E.ram.ctx = &E.ctx;
	E.ram.mem = lowmem;
	E.ram.size = LOWMEM_SIZE;
	E.r.rflags = 0x2;
	E.r.rip = 0x1000;
}

static unsigned int parse_hex(const char *s, u8 *b)
{
	unsigned int n = 0;

	while (*s) {
		if (*s == ' ') {
			s++;
			continue;
		}
		b[n++] = strtoul((char[]){ s[0], s[1], 0 }, NULL, 16);
		s += 2;
	}
	return n;
}

static int run(const char *hex)
{
	u8 b[32];
	unsigned int n = parse_hex(hex, b);

	return emulate_exact(&E.ctx, b, n, &E.r);
}

static int decode(const char *hex)
{
	u8 b[32], *copy;
	unsigned int n = parse_hex(hex, b);
	int rc;

	copy = malloc(n);
	memcpy(copy, b, n);
	rc = hxen_decode(&E.ctx, copy, n, &E.in);
	free(copy);
	return rc;
}

static u64 mget(u64 la, unsigned int bytes)
{
	u64 v = 0;

	memcpy(&v, lowmem + la, bytes);
	return v;
}

static void mput(u64 la, u64 v, unsigned int bytes)
{
	memcpy(lowmem + la, &v, bytes);
}

#define EXPECT(cond) do {						\
	if (!(cond))							\
		return failf("line %d: %s", __LINE__, #cond);		\
} while (0)
#define EXPECT_EQ(a, b) do {						\
	unsigned long long a_ = (a), b_ = (b);				\
	if (a_ != b_)							\
		return failf("line %d: %s = %#llx, want %#llx",		\
			     __LINE__, #a, a_, b_);			\
} while (0)
#define R(x) E.r.gpr[HXEN_##x]

/* ---- 16-bit ---- */

static int t16_bx_si_disp8(void)
{
	env(16);
	E.r.seg_base[HXEN_SEG_DS] = 0x10000;
	R(RBX) = 0xaaaa1000;
	R(RSI) = 0x0200;
	R(RAX) = 0x1111111111111111ULL;
	mput(0x11210, 0xbeef, 2);
	EXPECT_EQ(run("8b 40 10"), HXEN_EMUL_OK);	/* mov ax,[bx+si+10] */
	EXPECT_EQ(R(RAX), 0x111111111111beefULL);
	EXPECT_EQ(E.r.rip, 0x1003);
	return 0;
}

static int t16_bp_di_ss(void)
{
	env(16);
	E.r.seg_base[HXEN_SEG_SS] = 0x20000;
	E.r.seg_base[HXEN_SEG_DS] = 0x30000;
	R(RBP) = 0x100;
	R(RDI) = 0x10;
	R(RAX) = 0x5a;
	EXPECT_EQ(run("88 43 fe"), HXEN_EMUL_OK);	/* mov [bp+di-2],al */
	EXPECT_EQ(mget(0x2010e, 1), 0x5a);
	/* [bp+0] (mod 01) is SS too; a DS override wins */
	R(RBP) = 0x40;
	EXPECT_EQ(run("88 46 00"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x20040, 1), 0x5a);
	EXPECT_EQ(run("3e 88 46 00"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x30040, 1), 0x5a);
	return 0;
}

static int t16_wrap(void)
{
	env(16);
	E.r.seg_base[HXEN_SEG_DS] = 0x10000;
	R(RBX) = 0xfff0;
	R(RSI) = 0x0010;
	mput(0x10020, 0x77, 1);
	/* bx+si+0x20 = 0x10020 wraps to offset 0x0020 */
	EXPECT_EQ(run("8a 40 20"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RAX) & 0xff, 0x77);
	/* mod 10: disp16, mov ax,[bx+si+0x1234] */
	R(RBX) = 0x1000;
	R(RSI) = 0x10;
	mput(0x10000 + 0x2244, 0x6655, 2);
	EXPECT_EQ(run("8b 80 34 12"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RAX) & 0xffff, 0x6655);
	/* IP wraps at 64K */
	E.r.rip = 0xfffe;
	EXPECT_EQ(run("8a 40 20"), HXEN_EMUL_OK);
	EXPECT_EQ(E.r.rip, 0x0001);
	return 0;
}

static int t16_disp16_moffs_override(void)
{
	env(16);
	E.r.seg_base[HXEN_SEG_DS] = 0x1000;
	E.r.seg_base[HXEN_SEG_ES] = 0x8000;
	mput(0x1000 + 0x1234, 0x4321, 2);
	EXPECT_EQ(run("8b 06 34 12"), HXEN_EMUL_OK);	/* mov ax,[1234] */
	EXPECT_EQ(R(RAX), 0x4321);
	R(RAX) = 0;
	E.r.rip = 0x1000;
	EXPECT_EQ(run("a1 34 12"), HXEN_EMUL_OK);	/* mov ax,[moffs16] */
	EXPECT_EQ(R(RAX), 0x4321);
	EXPECT_EQ(E.r.rip, 0x1003);
	R(RBX) = 0x10;
	R(RAX) = 0x9988;
	EXPECT_EQ(run("26 89 07"), HXEN_EMUL_OK);	/* mov es:[bx],ax */
	EXPECT_EQ(mget(0x8010, 2), 0x9988);
	return 0;
}

static int t16_opsize_adsize(void)
{
	env(16);
	R(RBX) = 0x100;
	R(RAX) = 0xffffffff00000000ULL;
	mput(0x100, 0x12345678, 4);
	EXPECT_EQ(run("66 8b 07"), HXEN_EMUL_OK);	/* mov eax,[bx] */
	EXPECT_EQ(R(RAX), 0x12345678);
	/* 67: 32-bit addressing, mov ax,[eax+ebx*2+4] */
	R(RAX) = 0x10000;
	R(RBX) = 0x8;
	E.r.rip = 0x1000;
	mput(0x10014, 0xabcd, 2);
	EXPECT_EQ(run("67 8b 44 58 04"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RAX), 0x1abcd);
	EXPECT_EQ(E.r.rip, 0x1005);
	EXPECT_EQ(decode("67 8b 44 58 04"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.addr_bytes, 4);
	EXPECT_EQ(E.in.op_bytes, 2);
	return 0;
}

static int t16_alu_flags(void)
{
	env(16);
	R(RBX) = 0x200;
	mput(0x200, 0x0001, 2);
	/* add word [bx],-1: 1 + 0xffff = 0 carry, ZF, AF, PF */
	EXPECT_EQ(run("83 07 ff"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x200, 2), 0);
	EXPECT_EQ(E.r.rflags & HXEN_RFLAGS_ARITH, CF | ZF | AF | PF);
	/* sub byte [bx],1 -> 0xff: CF SF AF PF */
	EXPECT_EQ(run("80 2f 01"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x200, 1), 0xff);
	EXPECT_EQ(E.r.rflags & HXEN_RFLAGS_ARITH, CF | SF | AF | PF);
	return 0;
}

static int t16_bt_negative(void)
{
	env(16);
	R(RBX) = 0x300;
	R(RAX) = 0xfff1;			/* -15: word at bx-2, bit 1 */
	mput(0x2fe, 0x0002, 2);
	EXPECT_EQ(run("0f a3 07"), HXEN_EMUL_OK);	/* bt [bx],ax */
	EXPECT(E.r.rflags & CF);
	EXPECT_EQ(run("0f b3 07"), HXEN_EMUL_OK);	/* btr [bx],ax */
	EXPECT_EQ(mget(0x2fe, 2), 0);
	return 0;
}

static int t16_rep_movsb(void)
{
	int i;

	env(16);
	E.r.seg_base[HXEN_SEG_DS] = 0x1000;
	E.r.seg_base[HXEN_SEG_ES] = 0x2000;
	R(RSI) = 0xabcd0000fffeULL;		/* SI wraps, upper bits kept */
	R(RDI) = 0x10;
	R(RCX) = 0x77770003;			/* CX = 3 */
	mput(0x1000 + 0xfffe, 0x2211, 2);
	mput(0x1000, 0x33, 1);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(run("f3 a4"), HXEN_EMUL_OK);
		EXPECT_EQ(E.r.rip, 0x1000);	/* not done yet */
	}
	EXPECT_EQ(run("f3 a4"), HXEN_EMUL_OK);
	EXPECT_EQ(E.r.rip, 0x1002);
	EXPECT_EQ(mget(0x2010, 3), 0x332211);
	EXPECT_EQ(R(RSI), 0xabcd00000001ULL);
	EXPECT_EQ(R(RDI), 0x13);
	EXPECT_EQ(R(RCX), 0x77770000);
	return 0;
}

static int t16_rep_stosw_down(void)
{
	env(16);
	E.r.rflags |= DF;
	R(RDI) = 0x0000;
	R(RCX) = 2;
	R(RAX) = 0x5566;
	E.r.seg_base[HXEN_SEG_ES] = 0x40000;
	EXPECT_EQ(run("f3 ab"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x40000, 2), 0x5566);
	EXPECT_EQ(R(RDI), 0xfffe);		/* DI wraps down */
	EXPECT_EQ(run("f3 ab"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x4fffe, 2), 0x5566);
	EXPECT_EQ(R(RCX), 0);
	EXPECT_EQ(E.r.rip, 0x1002);
	return 0;
}

static int t16_rex_is_inc(void)
{
	env(16);
	/* 0x40-0x4f are INC/DEC outside 64-bit mode: not handled */
	EXPECT_EQ(run("48 89 07"), HXEN_EMUL_UNHANDLED);
	EXPECT_EQ(run("63 07"), HXEN_EMUL_UNHANDLED);	/* ARPL */
	return 0;
}

/* ---- 32-bit ---- */

static int t32_sib(void)
{
	env(32);
	R(RBX) = 0x1000;
	R(RCX) = 0x20;
	mput(0x1090, 0xcafef00d, 4);
	/* mov eax,[ebx+ecx*4+0x10] */
	EXPECT_EQ(run("8b 44 8b 10"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RAX), 0xcafef00d);
	EXPECT_EQ(E.r.rip, 0x1004);
	return 0;
}

static int t32_disp32_absolute(void)
{
	env(32);
	R(RAX) = 0x11223344;
	/* mod 00 rm 101 is [disp32] outside 64-bit mode, not RIP-relative */
	EXPECT_EQ(run("89 05 00 00 10 00"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x100000, 4), 0x11223344);
	EXPECT_EQ(decode("89 05 00 00 10 00"), HXEN_EMUL_OK);
	EXPECT(!(E.in.flags & HXEN_INSN_RIPREL));
	EXPECT(E.in.flags & HXEN_INSN_MEM_WRITE);
	EXPECT(!(E.in.flags & HXEN_INSN_MEM_READ));
	return 0;
}

static int t32_prefixes(void)
{
	env(32);
	R(RBX) = 0x500;
	R(RAX) = 0xaabbccdd;
	EXPECT_EQ(run("66 89 03"), HXEN_EMUL_OK);	/* mov [ebx],ax */
	EXPECT_EQ(mget(0x500, 4), 0xccdd);
	/* 67: 16-bit addressing, mov eax,[bx] with upper EBX ignored */
	R(RBX) = 0x12340600;
	mput(0x600, 0x99, 4);
	EXPECT_EQ(run("67 8b 07"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RAX), 0x99);
	/* FS override; 82 is an alias of 80 outside 64-bit mode */
	E.r.seg_base[HXEN_SEG_FS] = 0x10000;
	R(RDI) = 0x10;
	mput(0x10010, 0x10, 1);
	EXPECT_EQ(run("64 82 07 05"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10010, 1), 0x15);
	return 0;
}

static int t32_seg_wrap_and_ss(void)
{
	env(32);
	/* linear addresses wrap at 4 GiB */
	E.r.seg_base[HXEN_SEG_DS] = 0xfffff000;
	R(RBX) = 0x2000;
	R(RAX) = 0x42;
	EXPECT_EQ(run("88 03"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x1000, 1), 0x42);
	/* [esp] and [ebp+8] default to SS */
	E.r.seg_base[HXEN_SEG_SS] = 0x100000;
	R(RSP) = 0x40;
	R(RBP) = 0x80;
	EXPECT_EQ(run("88 04 24"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x100040, 1), 0x42);
	EXPECT_EQ(run("88 45 08"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x100088, 1), 0x42);
	/* EIP wraps too */
	E.r.rip = 0xffffffff;
	EXPECT_EQ(run("88 45 08"), HXEN_EMUL_OK);
	EXPECT_EQ(E.r.rip, 2);
	return 0;
}

static int t32_moffs_and_strings(void)
{
	env(32);
	mput(0x123456, 0x87654321, 4);
	EXPECT_EQ(run("a1 56 34 12 00"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RAX), 0x87654321);
	EXPECT_EQ(E.r.rip, 0x1005);
	R(RSI) = 0x123456;
	R(RDI) = 0x200000 - 8;
	EXPECT_EQ(run("a5"), HXEN_EMUL_OK);		/* movsd */
	EXPECT_EQ(mget(0x200000 - 8, 4), 0x87654321);
	EXPECT_EQ(R(RSI), 0x12345a);
	EXPECT_EQ(R(RDI), 0x200000 - 4);
	/* 66 67: movsw with SI/DI */
	R(RSI) = 0x10000;
	R(RDI) = 0x20000;
	mput(0, 0x7777, 2);
	EXPECT_EQ(run("66 67 a5"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0, 4), 0x7777);		/* SI = DI = 0 */
	EXPECT_EQ(R(RSI), 0x10002);
	EXPECT_EQ(R(RDI), 0x20002);
	return 0;
}

/* ---- 64-bit, not natively checkable ---- */

static int t64_noncanonical(void)
{
	env(64);
	R(RAX) = 0x0000800000000000ULL;
	EXPECT_EQ(run("89 00"), HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_GP);
	EXPECT(E.ctx.exc_has_error && E.ctx.exc_error == 0);
	EXPECT_EQ(E.r.rip, 0x1000);
	/* rBP base: #SS(0) */
	R(RBP) = 0xfff0000000000000ULL;
	EXPECT_EQ(run("89 45 00"), HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_SS);
	/* crossing the top of the lower half */
	R(RAX) = 0x00007ffffffffffeULL;
	EXPECT_EQ(run("89 00"), HXEN_EMUL_EXCEPTION);
	/* loads, and strings: both addresses checked before any access */
	R(RAX) = 0x0000800000000000ULL;
	EXPECT_EQ(run("8b 00"), HXEN_EMUL_EXCEPTION);
	R(RSI) = 0x100;
	R(RDI) = 0x8000000000000000ULL;
	EXPECT_EQ(run("a4"), HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ram.reads, 0);
	R(RSI) = 0x8000000000000000ULL;
	R(RDI) = 0x100;
	EXPECT_EQ(run("a6"), HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_GP);
	EXPECT_EQ(E.r.rip, 0x1000);
	/* LA57: 0x0000800000000000 is canonical */
	E.ctx.la57 = 1;
	R(RAX) = 0x0000800000000000ULL;
	E.ram.base = 0x0000800000000000ULL;
	EXPECT_EQ(run("89 00"), HXEN_EMUL_OK);
	R(RAX) = 0x0100000000000000ULL;
	EXPECT_EQ(run("89 00"), HXEN_EMUL_EXCEPTION);
	/* the FS base counts */
	E.ctx.la57 = 0;
	E.ram.base = 0;
	E.r.seg_base[HXEN_SEG_FS] = 0x00007ffffffff000ULL;
	R(RAX) = 0x2000;
	EXPECT_EQ(run("64 89 00"), HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_GP);
	return 0;
}

static int t64_segments(void)
{
	env(64);
	E.r.seg_base[HXEN_SEG_DS] = 0x100000;	/* ignored */
	E.r.seg_base[HXEN_SEG_FS] = 0x10000;
	E.r.seg_base[HXEN_SEG_GS] = 0x20000;
	R(RBX) = 0x100;
	R(RAX) = 0xab;
	EXPECT_EQ(run("88 03"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x100, 1), 0xab);
	EXPECT_EQ(run("64 88 03"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10100, 1), 0xab);
	/* DS after FS does not cancel it in 64-bit mode; the last FS/GS wins */
	R(RAX) = 0xcd;
	EXPECT_EQ(run("64 3e 88 03"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10100, 1), 0xcd);
	EXPECT_EQ(run("64 65 88 03"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x20100, 1), 0xcd);
	/* 67 truncates the offset, not the FS-based linear address */
	R(RBX) = 0xffffffff00000200ULL;
	EXPECT_EQ(run("67 64 88 03"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10200, 1), 0xcd);
	return 0;
}

static int t64_riprel(void)
{
	env(64);
	E.r.rip = 0x10000;
	R(RAX) = 0x1122334455667788ULL;
	/* mov [rip+0x100],rax: relative to the next instruction (7 bytes) */
	EXPECT_EQ(run("48 89 05 00 01 00 00"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10107, 8), 0x1122334455667788ULL);
	EXPECT_EQ(decode("48 89 05 00 01 00 00"), HXEN_EMUL_OK);
	EXPECT(E.in.flags & HXEN_INSN_RIPREL);
	EXPECT_EQ(hxen_insn_ea(&E.in, &E.r), 0x10107 + 7);
	/* with an immediate after the displacement: c7 05 disp32 imm32 */
	E.r.rip = 0x10000;
	EXPECT_EQ(run("c7 05 f0 ff ff ff 78 56 34 12"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10000 + 10 - 16, 4), 0x12345678);
	/* REX.B does not turn it into [r13] */
	EXPECT_EQ(decode("41 89 05 00 00 00 00"), HXEN_EMUL_OK);
	EXPECT(E.in.flags & HXEN_INSN_RIPREL);
	EXPECT_EQ(E.in.base, -1);
	return 0;
}

static int t64_rex_rules(void)
{
	env(64);
	/* REX then 66: the REX is void, so this is mov [rbx],ax */
	EXPECT_EQ(decode("48 66 89 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.op_bytes, 2);
	EXPECT_EQ(E.in.rex, 0);
	/* 66 then REX.W: 64-bit */
	EXPECT_EQ(decode("66 48 89 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.op_bytes, 8);
	/* SPL with REX, AH without */
	R(RSP) = 0x1234;
	R(RBX) = 0x10;
	EXPECT_EQ(run("40 88 23"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10, 1), 0x34);
	R(RAX) = 0x5600;
	EXPECT_EQ(run("88 23"), HXEN_EMUL_OK);
	EXPECT_EQ(mget(0x10, 1), 0x56);
	/* SIB index 100b with REX.X is R12 */
	EXPECT_EQ(decode("42 8b 04 23"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.index, HXEN_R12);
	EXPECT_EQ(decode("8b 04 23"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.index, -1);
	/* base 101b mod 00 with REX.B: still no base */
	EXPECT_EQ(decode("41 8b 04 25 00 10 00 00"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.base, -1);
	return 0;
}

static int t64_lock_ud(void)
{
	static const char *const ud[] = {
		"f0 8b 03",		/* lock mov r,m */
		"f0 89 03",		/* lock mov m,r */
		"f0 01 c3",		/* lock add reg,reg */
		"f0 03 03",		/* lock add reg,[m] */
		"f0 38 03",		/* lock cmp */
		"f0 84 03",		/* lock test */
		"f0 a5",		/* lock movs */
		"f0 0f a3 03",		/* lock bt */
		"f0 0f ba 23 01",	/* lock bt imm */
		"f0 87 c3",		/* lock xchg reg,reg */
		"f0 a3 00 00 00 00 00 00 00 00",
		"f0 c6 03 01",
		"f0 0f b6 03",
		"f0 05 01 00 00 00",
		"c6 0b 01",		/* c6 /1 */
		"fe 13",		/* fe /2 */
		"ff 3b",		/* ff /7 */
		"0f ba 03 01",		/* 0f ba /0 */
		"82 03 01",		/* 82 in 64-bit mode */
		"66 0f c3 03",		/* movnti with 66 */
		"f3 0f c3 03",
		"0f c3 c3",		/* movnti to a register */
	};
	unsigned int i;

	for (i = 0; i < sizeof(ud) / sizeof(ud[0]); i++) {
		env(64);
		R(RBX) = 0x100;
		if (run(ud[i]) != HXEN_EMUL_EXCEPTION ||
		    E.ctx.exc_vector != HXEN_EXC_UD || E.ctx.exc_has_error)
			return failf("%s: not #UD", ud[i]);
		if (E.r.rip != 0x1000 || E.ram.writes)
			return failf("%s: state changed", ud[i]);
	}
	/* and the lockable ones are fine */
	env(64);
	R(RBX) = 0x100;
	EXPECT_EQ(run("f0 01 03"), HXEN_EMUL_OK);
	EXPECT_EQ(run("f0 0f ba 2b 01"), HXEN_EMUL_OK);
	EXPECT_EQ(run("f0 87 03"), HXEN_EMUL_OK);
	EXPECT_EQ(run("f0 0f b1 03"), HXEN_EMUL_OK);
	return 0;
}

static int t_length_limit(void)
{
	env(64);
	R(RBX) = 0x100;
	/* 13 prefixes + 89 03 = 15 bytes: fine; 16 bytes: #GP(0) */
	EXPECT_EQ(run("66 66 66 66 66 66 66 66 66 66 66 66 66 89 03"),
		  HXEN_EMUL_OK);
	EXPECT_EQ(E.r.rip, 0x1000 + 15);
	EXPECT_EQ(run("66 66 66 66 66 66 66 66 66 66 66 66 66 66 89 03"),
		  HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_GP);
	/* the caller gave exactly 15 bytes of a longer instruction */
	EXPECT_EQ(run("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66"),
		  HXEN_EMUL_EXCEPTION);
	/* immediate crossing byte 15 */
	EXPECT_EQ(run("3e 3e 3e 3e 3e 3e 3e 3e 3e c7 04 24 00 00 00 00"),
		  HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_GP);
	return 0;
}

static int t_unhandled(void)
{
	static const char *const un[] = {
		"90", "0f 0b", "f6 23", "f7 33", "ff 13", "ff 33", "c6 f8 01",
		"0f 38 00 03", "0f 3a 0f 03 01", "8c 03", "8e 03", "0f 44 03",
		"0f 90 03", "d0 23", "c3", "06", "27", "0f 05", "0f 01 d9",
		"0f c7 0b", "0f ae 3b", "8d 03",
	};
	unsigned int i;

	env(64);
	for (i = 0; i < sizeof(un) / sizeof(un[0]); i++)
		if (run(un[i]) != HXEN_EMUL_UNHANDLED)
			return failf("%s: not UNHANDLED", un[i]);
	return 0;
}

/* every proper prefix of a valid instruction is "truncated" */
static int t_truncated(void)
{
	static const char *const ok[] = {
		"48 89 05 00 01 00 00",
		"66 67 64 f0 48 81 84 9b 00 01 00 00 78 56 34 12",
		"c7 44 24 08 01 02 03 04",
		"48 a1 00 10 00 00 00 00 00 00",
		"f3 48 a5",
		"0f ba 2c 24 07",
		"41 0f b7 04 24",
		"f0 0f c1 0b",
		"80 3c 25 00 10 00 00 ff",
	};
	unsigned int i, n, k;
	u8 b[32];

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		env(64);
		n = parse_hex(ok[i], b);
		for (k = 0; k < n; k++) {
			u8 *copy = malloc(k ? k : 1);
			int rc;

			memcpy(copy, b, k);
			rc = hxen_decode(&E.ctx, copy, k, &E.in);
			free(copy);
			if (n <= 15 && rc != HXEN_EMUL_UNHANDLED)
				return failf("%s cut to %u: rc %d", ok[i], k,
					     rc);
			E.r.gpr[HXEN_RSP] = 0x100;
			if (emulate_exact(&E.ctx, b, k, &E.r) != rc ||
			    E.r.rip != 0x1000)
				return failf("%s cut to %u: emulated", ok[i],
					     k);
		}
		if (n > 15)
			continue;
		EXPECT_EQ(decode(ok[i]), HXEN_EMUL_OK);
		EXPECT_EQ(E.in.len, n);
	}
	return 0;
}

/* ---- PENDING and callback failures leave nothing behind ---- */

static int pending_case(const char *hex, int pend_at)
{
	struct hxen_emul_regs before;
	u8 snap[0x400];

	E.ram.pend_read = pend_at;
	before = E.r;
	memcpy(snap, lowmem, sizeof(snap));
	if (run(hex) != HXEN_EMUL_PENDING)
		return failf("%s: not PENDING", hex);
	if (memcmp(&before, &E.r, sizeof(before)) || E.ram.writes ||
	    memcmp(snap, lowmem, sizeof(snap)))
		return failf("%s: state changed on PENDING", hex);
	E.ram.pend_read = 0;
	if (run(hex) != HXEN_EMUL_OK)
		return failf("%s: re-run failed", hex);
	if (E.r.rip == before.rip && !(hex[0] == 'f' && hex[1] == '3'))
		return failf("%s: re-run did not advance", hex);
	return 0;
}

static int t_pending(void)
{
	static const char *const insns[] = {
		"01 03",		/* add [rbx],eax */
		"8b 03",		/* mov eax,[rbx] */
		"48 0f bf 03",		/* movsx rax,word [rbx] */
		"38 03",		/* cmp [rbx],al */
		"87 03",		/* xchg [rbx],eax */
		"0f b1 0b",		/* cmpxchg [rbx],ecx */
		"0f c1 03",		/* xadd */
		"0f ab 03",		/* bts */
		"f7 1b",		/* neg */
		"a5",			/* movsd */
		"f3 a4",		/* rep movsb */
		"f3 ad",		/* rep lodsd */
	};
	unsigned int i;
	int rc;

	for (i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		env(64);
		R(RBX) = 0x100;
		R(RSI) = 0x200;
		R(RDI) = 0x300;
		R(RCX) = 5;
		R(RAX) = 0x77;
		mput(0x100, 0x12345678, 4);
		mput(0x200, 0x9abcdef0, 4);
		rc = pending_case(insns[i], 1);
		if (rc)
			return rc;
	}
	/* CMPS: the second read is pending after the first succeeded */
	env(64);
	R(RSI) = 0x200;
	R(RDI) = 0x300;
	rc = pending_case("a6", 2);
	if (rc)
		return rc;
	EXPECT_EQ(E.ram.reads, 2);
	return 0;
}

static int t_callback_faults(void)
{
	struct hxen_emul_regs before;

	env(64);
	R(RBX) = 0x100;
	R(RAX) = 0x1;
	before = E.r;
	E.ram.fault_read = 1;
	EXPECT_EQ(run("01 03"), HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, 14);
	EXPECT_EQ(E.ctx.exc_error, 4);
	EXPECT(!memcmp(&before, &E.r, sizeof(before)));
	EXPECT_EQ(E.ram.writes, 0);
	E.ram.fault_read = 0;
	/* a failed write: registers (here RAX and flags) are not committed */
	E.ram.fault_write = true;
	EXPECT_EQ(run("0f c1 03"), HXEN_EMUL_EXCEPTION);	/* xadd */
	EXPECT_EQ(E.ctx.exc_error, 6);
	EXPECT(!memcmp(&before, &E.r, sizeof(before)));
	EXPECT_EQ(run("f3 ab"), HXEN_EMUL_OK);	/* RCX 0: no write at all */
	R(RCX) = 1;
	before = E.r;
	EXPECT_EQ(run("f3 ab"), HXEN_EMUL_EXCEPTION);
	EXPECT(!memcmp(&before, &E.r, sizeof(before)));
	return 0;
}

/* ---- REP details ---- */

static int t_rep(void)
{
	int i;

	env(64);
	R(RCX) = 0;
	R(RDI) = 0x100;
	EXPECT_EQ(run("f3 aa"), HXEN_EMUL_OK);	/* count 0: just advance */
	EXPECT_EQ(E.r.rip, 0x1002);
	EXPECT_EQ(E.ram.reads + E.ram.writes, 0);
	EXPECT_EQ(R(RDI), 0x100);

	/* one iteration per call, RIP held until the last */
	env(64);
	R(RCX) = 3;
	R(RDI) = 0x100;
	R(RAX) = 0x5a;
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(run("f3 aa"), HXEN_EMUL_OK);
		EXPECT_EQ(E.ram.writes, 1);
		EXPECT_EQ(R(RCX), 2 - i);
		EXPECT_EQ(E.r.rip, i == 2 ? 0x1002 : 0x1000);
	}
	EXPECT_EQ(mget(0x100, 4), 0x5a5a5a);

	/* REPE CMPSB stops at the first difference, REPNE SCASB at a match */
	env(64);
	memcpy(lowmem + 0x200, "abcdef", 6);
	memcpy(lowmem + 0x300, "abXdef", 6);
	R(RSI) = 0x200;
	R(RDI) = 0x300;
	R(RCX) = 6;
	for (i = 0; i < 10 && E.r.rip == 0x1000; i++)
		EXPECT_EQ(run("f3 a6"), HXEN_EMUL_OK);
	EXPECT_EQ(i, 3);
	EXPECT_EQ(R(RCX), 3);
	EXPECT(!(E.r.rflags & ZF));
	E.r.rip = 0x1000;
	R(RDI) = 0x300;
	R(RCX) = 6;
	R(RAX) = 'd';
	for (i = 0; i < 10 && E.r.rip == 0x1000; i++)
		EXPECT_EQ(run("f2 ae"), HXEN_EMUL_OK);
	EXPECT_EQ(i, 4);
	EXPECT_EQ(R(RDI), 0x304);
	EXPECT(E.r.rflags & ZF);

	/* 67 in 64-bit mode: ECX/EDI, zero-extended */
	env(64);
	R(RCX) = 0xffffffff00000002ULL;
	R(RDI) = 0xffffffff00000100ULL;
	EXPECT_EQ(run("67 f3 aa"), HXEN_EMUL_OK);
	EXPECT_EQ(R(RCX), 1);
	EXPECT_EQ(R(RDI), 0x101);
	return 0;
}

/* ---- decoder outputs ---- */

static int t_decode_16_bytes(void)
{
	env(64);
	EXPECT_EQ(decode("66 67 64 f0 48 81 84 9b 00 01 00 00 78 56 34 12"),
		  HXEN_EMUL_EXCEPTION);
	EXPECT_EQ(E.ctx.exc_vector, HXEN_EXC_GP);
	return 0;
}

static int t_decode_fields(void)
{
	env(64);
	/* lock add qword fs:[rbx+rbx*4+0x100],0x12345678 (66 void by REX.W) */
	EXPECT_EQ(decode("66 64 f0 48 81 84 9b 00 01 00 00 78 56 34 12"),
		  HXEN_EMUL_OK);
	EXPECT_EQ(E.in.len, 15);
	EXPECT_EQ(E.in.op, HXEN_OP_ALU);
	EXPECT_EQ(E.in.sub, HXEN_ALU_ADD);
	EXPECT_EQ(E.in.op_bytes, 8);
	EXPECT_EQ(E.in.seg, HXEN_SEG_FS);
	EXPECT_EQ(E.in.base, HXEN_RBX);
	EXPECT_EQ(E.in.index, HXEN_RBX);
	EXPECT_EQ(E.in.scale, 2);
	EXPECT_EQ(E.in.disp, 0x100);
	EXPECT_EQ(E.in.imm, 0x12345678);
	EXPECT_EQ(E.in.flags & (HXEN_INSN_MEM_READ | HXEN_INSN_MEM_WRITE),
		  HXEN_INSN_MEM_READ | HXEN_INSN_MEM_WRITE);
	/* imm32 sign-extends to 64 bits */
	EXPECT_EQ(decode("48 c7 03 00 00 00 80"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.imm, 0xffffffff80000000ULL);
	/* cmp only reads; movzx word source */
	EXPECT_EQ(decode("39 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.flags & HXEN_INSN_MEM_WRITE, 0);
	EXPECT_EQ(decode("48 0f b7 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.src_bytes, 2);
	EXPECT_EQ(E.in.op_bytes, 8);
	/* access sizes: what a device register sees */
	R(RBX) = 0x100;
	EXPECT_EQ(run("66 63 03"), HXEN_EMUL_OK);	/* movsxd ax,[rbx] */
	EXPECT_EQ(E.ram.last_bytes[0], 2);
	EXPECT_EQ(run("63 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.ram.last_bytes[0], 4);
	EXPECT_EQ(run("48 0f b6 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.ram.last_bytes[0], 1);
	EXPECT_EQ(run("48 0f bf 03"), HXEN_EMUL_OK);
	EXPECT_EQ(E.ram.last_bytes[0], 2);
	EXPECT_EQ(run("66 0f ba 23 05"), HXEN_EMUL_OK);
	EXPECT_EQ(E.ram.last_bytes[0], 2);
	EXPECT_EQ(run("48 0f c3 03"), HXEN_EMUL_OK);	/* movnti */
	EXPECT_EQ(E.ram.writes, 1);
	EXPECT_EQ(E.ram.reads, 0);
	/* string source segment override */
	EXPECT_EQ(decode("65 a4"), HXEN_EMUL_OK);
	EXPECT_EQ(E.in.seg, HXEN_SEG_GS);
	return 0;
}

/* MOV to CRn for CR-write exits without decode assists. */
static int mov_cr(const char *hex, u8 *cr, u8 *gpr, u8 *len)
{
	u8 b[32];
	unsigned int n = parse_hex(hex, b);

	return hxen_decode_mov_to_cr(&E.ctx, b, n, cr, gpr, len);
}

static int t_mov_to_cr(void)
{
	u8 cr, gpr, len;

	env(64);
	/* mov %rax, %cr8 (REX.R) */
	EXPECT_EQ(mov_cr("44 0f 22 c0", &cr, &gpr, &len), HXEN_EMUL_OK);
	EXPECT_EQ(cr, 8);
	EXPECT_EQ(gpr, 0);
	EXPECT_EQ(len, 4);
	/* mov %r13, %cr8 (REX.RB); mod bits ignored */
	EXPECT_EQ(mov_cr("45 0f 22 05", &cr, &gpr, &len), HXEN_EMUL_OK);
	EXPECT_EQ(cr, 8);
	EXPECT_EQ(gpr, 13);
	/* mov %rbx, %cr3 with a segment prefix before */
	EXPECT_EQ(mov_cr("2e 0f 22 db", &cr, &gpr, &len), HXEN_EMUL_OK);
	EXPECT_EQ(cr, 3);
	EXPECT_EQ(gpr, 3);
	EXPECT_EQ(len, 4);
	/* AMD's CR8 alias: lock mov %ecx, %cr0 */
	env(32);
	EXPECT_EQ(mov_cr("f0 0f 22 c1", &cr, &gpr, &len), HXEN_EMUL_OK);
	EXPECT_EQ(cr, 8);
	EXPECT_EQ(gpr, 1);
	/* 44 is INC outside 64-bit mode, not REX */
	EXPECT_EQ(mov_cr("44 0f 22 c0", &cr, &gpr, &len), HXEN_EMUL_UNHANDLED);
	/* not a MOV to CR; truncated; MOV from CR */
	EXPECT_EQ(mov_cr("0f 20 c0", &cr, &gpr, &len), HXEN_EMUL_UNHANDLED);
	EXPECT_EQ(mov_cr("0f 22", &cr, &gpr, &len), HXEN_EMUL_UNHANDLED);
	EXPECT_EQ(mov_cr("66 66 66 66 66 66 66 66 66 66 66 66 66 0f 22 c0", &cr, &gpr, &len),
		  HXEN_EMUL_UNHANDLED);
	return 0;
}

/*
 * String I/O exits that do not report all of the instruction (SVM without
 * decode assists, QEMU TCG's nested SVM): segment and address size.
 */
static u8 str_ab;

static int outs_seg(const char *hex)
{
	u8 b[32];
	unsigned int n = parse_hex(hex, b);
	int seg;

	str_ab = 0;
	return hxen_decode_string_io(&E.ctx, b, n, &seg, &str_ab) ? -1 : seg;
}

static int t_outs_seg(void)
{
	env(16);
	EXPECT_EQ(outs_seg("f3 6e"), HXEN_SEG_DS);		/* rep outsb */
	EXPECT_EQ(outs_seg("64 f3 6e"), HXEN_SEG_FS);
	EXPECT_EQ(outs_seg("f3 65 66 6f"), HXEN_SEG_GS);	/* rep gs outsd */
	EXPECT_EQ(outs_seg("26 6e"), HXEN_SEG_ES);
	EXPECT_EQ(outs_seg("2e 36 6e"), HXEN_SEG_SS);		/* the last wins */
	EXPECT_EQ(str_ab, 2);
	EXPECT_EQ(outs_seg("64 f3"), -1);			/* truncated */
	EXPECT_EQ(outs_seg("90"), -1);				/* not string I/O */
	/* INS writes ES whatever the overrides; 67 toggles the address size. */
	EXPECT_EQ(outs_seg("6c"), HXEN_SEG_ES);			/* insb */
	EXPECT_EQ(outs_seg("64 f3 6d"), HXEN_SEG_ES);
	EXPECT_EQ(outs_seg("67 f3 6d"), HXEN_SEG_ES);
	EXPECT_EQ(str_ab, 4);
	env(32);
	EXPECT_EQ(outs_seg("f3 66 6d"), HXEN_SEG_ES);		/* rep insw, SeaBIOS */
	EXPECT_EQ(str_ab, 4);
	EXPECT_EQ(outs_seg("67 f3 6e"), HXEN_SEG_DS);
	EXPECT_EQ(str_ab, 2);
	env(64);
	EXPECT_EQ(outs_seg("f3 6c"), HXEN_SEG_ES);
	EXPECT_EQ(str_ab, 8);
	EXPECT_EQ(outs_seg("67 6f"), HXEN_SEG_DS);
	EXPECT_EQ(str_ab, 4);
	/* ES/CS/SS/DS overrides are ignored and do not cancel FS/GS. */
	EXPECT_EQ(outs_seg("26 6e"), HXEN_SEG_DS);
	EXPECT_EQ(outs_seg("65 3e f3 48 6f"), HXEN_SEG_GS);
	EXPECT_EQ(outs_seg("64 48 6e"), HXEN_SEG_FS);
	/* a REX not right before the opcode is no prefix */
	EXPECT_EQ(outs_seg("48 64 6e"), -1);
	EXPECT_EQ(outs_seg("66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 6e"), -1);
	return 0;
}

struct hand {
	const char *name;
	int (*fn)(void);
};

static const struct hand hands[] = {
	{ "16-bit [bx+si+disp8]", t16_bx_si_disp8 },
	{ "16-bit [bp+di] and [bp] use SS", t16_bp_di_ss },
	{ "16-bit offset and IP wrap-around", t16_wrap },
	{ "16-bit disp16, moffs16, ES override", t16_disp16_moffs_override },
	{ "16-bit 66 and 67 prefixes", t16_opsize_adsize },
	{ "16-bit ALU flags", t16_alu_flags },
	{ "16-bit BT with a negative bit offset", t16_bt_negative },
	{ "16-bit REP MOVSB with SI wrap", t16_rep_movsb },
	{ "16-bit REP STOSW downwards", t16_rep_stosw_down },
	{ "16-bit 40-4f and 63 are not REX/MOVSXD", t16_rex_is_inc },
	{ "32-bit SIB", t32_sib },
	{ "32-bit disp32 is absolute", t32_disp32_absolute },
	{ "32-bit 66, 67, FS, 82", t32_prefixes },
	{ "32-bit segment wrap, SS default, EIP wrap", t32_seg_wrap_and_ss },
	{ "32-bit moffs32 and strings", t32_moffs_and_strings },
	{ "64-bit non-canonical #GP/#SS, LA57", t64_noncanonical },
	{ "64-bit segment overrides", t64_segments },
	{ "64-bit RIP-relative", t64_riprel },
	{ "64-bit REX rules", t64_rex_rules },
	{ "#UD: LOCK misuse and invalid encodings", t64_lock_ud },
	{ "15-byte limit #GP", t_length_limit },
	{ "unsupported opcodes are UNHANDLED", t_unhandled },
	{ "truncated bytes are UNHANDLED", t_truncated },
	{ "PENDING commits nothing, re-run completes", t_pending },
	{ "callback exceptions commit nothing", t_callback_faults },
	{ "REP iteration semantics", t_rep },
	{ "16-byte decode is #GP", t_decode_16_bytes },
	{ "decoder fields", t_decode_fields },
	{ "MOV to CRn (CR8 exits)", t_mov_to_cr },
	{ "OUTS source segment", t_outs_seg },
};

int main(void)
{
	const char *s = getenv("HXEN_EMUL_SEED");
	unsigned int i;
	int cases = oracle_cases();

	if (s)
		seed = strtoull(s, NULL, 0);
	rng = seed;
	strict_flags = getenv("HXEN_EMUL_STRICT_FLAGS") &&
		       atoi(getenv("HXEN_EMUL_STRICT_FLAGS"));
	lowmem = calloc(1, LOWMEM_SIZE);
	printf("# seed %#llx, %d cases per form\n", (unsigned long long)seed,
	       cases);

	for (i = 0; i < sizeof(hands) / sizeof(hands[0]); i++)
		report(hands[i].name, hands[i].fn());

	if (native_setup()) {
		report("native oracle setup", 1);
	} else {
		build_templates();
		oracle(false, cases);
		oracle(true, cases / 3);
		oracle_groups(cases);
		printf("# %ld instructions compared with the CPU%s\n",
		       total_native, intel ? "" :
		       " (not Intel: Intel-only quirk cases left out)");
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
