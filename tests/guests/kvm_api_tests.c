// SPDX-License-Identifier: GPL-2.0
/*
 * KVM-API coverage real VMMs rely on (QEMU 7.2, issue 16): machine-check
 * setup and injection, debug registers, the TSC rate, KVM_ENABLE_CAP and
 * the MMU page bound, checked against KVM as the oracle: the same calls
 * must give the same answers and errnos. #included by guesttest.c; the
 * guests are in kvm_api_guests.S.
 */
#include <cpuid.h>

GUEST_SYM(api_read_state); GUEST_SYM(api_hlt_loop); GUEST_SYM(api_cr8);
GUEST_SYM(api_step); GUEST_SYM(api_bp);

#ifndef MCG_CTL_P
#define MCG_CTL_P	(1ULL << 8)
#define MCG_SER_P	(1ULL << 24)
#endif
#define API_MSR_MCG_CAP		0x179
#define API_MSR_MCG_STATUS	0x17a
#define API_MSR_MCG_CTL		0x17b
#define API_MSR_MC0_CTL		0x400
#define API_MCI_VAL		(1ULL << 63)
#define API_MCI_OVER		(1ULL << 62)
#define API_MCI_UC		(1ULL << 61)
#define API_MCE_BANKS		10

static bool api_cpu_is_amd(void)
{
	uint32_t a = 0, b, c, d;

	asm volatile("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163;	/* AuthenticAMD */
}

/* One MSR through KVM_GET_MSRS / KVM_SET_MSRS: the ioctl's count (1 if done). */
static int api_msr(struct vm *v, uint32_t index, uint64_t *val, bool set)
{
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e[1];
	} m;

	memset(&m, 0, sizeof(m));
	m.h.nmsrs = 1;
	m.e[0].index = index;
	m.e[0].data = *val;
	int n = ioctl(v->vcpu[0], set ? KVM_SET_MSRS : KVM_GET_MSRS, &m);

	if (!set && n == 1)
		*val = m.e[0].data;
	return n;
}

static int mce_body(struct vm *v)
{
	uint64_t sup = 0, cap, val;
	struct kvm_x86_mce m;
	struct kvm_regs regs;
	int banks, r;

	banks = ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_MCE);
	EXPECT(banks >= API_MCE_BANKS, "KVM_CAP_MCE %d, want at least %d", banks, API_MCE_BANKS);
	EXPECT(ioctl(v->sys, KVM_X86_GET_MCE_CAP_SUPPORTED, &sup) == 0,
	       "KVM_X86_GET_MCE_CAP_SUPPORTED: %s", strerror(errno));
	EXPECT((sup & (MCG_CTL_P | MCG_SER_P)) == (MCG_CTL_P | MCG_SER_P),
	       "supported MCG_CAP %#llx lacks MCG_CTL_P or MCG_SER_P", (unsigned long long)sup);

	/* Before setup: every bank, reporting off (KVM_CAP_MCE banks). */
	val = 1;
	EXPECT(api_msr(v, API_MSR_MCG_CAP, &val, false) == 1 && val == (uint64_t)banks,
	       "MCG_CAP before KVM_X86_SETUP_MCE: %#llx, want %#x", (unsigned long long)val, banks);
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * (banks - 1), &val, false) == 1 && val == 0,
	       "last bank's CTL before setup: %#llx", (unsigned long long)val);

	cap = 0;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_X86_SETUP_MCE, &cap), EINVAL, "SETUP_MCE 0 banks");
	cap = banks + 1;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_X86_SETUP_MCE, &cap), EINVAL, "SETUP_MCE too many banks");
	cap = API_MCE_BANKS | (1ULL << 40);
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_X86_SETUP_MCE, &cap), EINVAL, "SETUP_MCE reserved bit");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_X86_SETUP_MCE, (void *)8), EFAULT, "SETUP_MCE bad pointer");
	cap = API_MCE_BANKS | MCG_CTL_P | MCG_SER_P;
	EXPECT(ioctl(v->vcpu[0], KVM_X86_SETUP_MCE, &cap) == 0, "SETUP_MCE: %s", strerror(errno));
	/* AMD's MCG_CAP has bits 63:9 reserved: MCG_SER_P goes (KVM's svm_setup_mce). */
	if (api_cpu_is_amd())
		cap &= 0x1ff;

	EXPECT(api_msr(v, API_MSR_MCG_CAP, &val, false) == 1 && val == cap,
	       "MCG_CAP %#llx, want %#llx", (unsigned long long)val, (unsigned long long)cap);
	EXPECT(api_msr(v, API_MSR_MCG_CTL, &val, false) == 1 && val == ~0ULL,
	       "MCG_CTL after setup %#llx, want all ones", (unsigned long long)val);
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * 9, &val, false) == 1 && val == ~0ULL,
	       "MC9_CTL after setup %#llx, want all ones", (unsigned long long)val);
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * API_MCE_BANKS, &val, false) == 0,
	       "MC%d_CTL (past the banks) readable", API_MCE_BANKS);
	/* MCG_CTL and MCi_CTL: all or nothing (bits 10 and 0 of MCi_CTL aside). */
	val = 5;
	EXPECT(api_msr(v, API_MSR_MCG_CTL, &val, true) == 0, "MCG_CTL = 5 accepted");
	val = 0x1234;
	EXPECT(api_msr(v, API_MSR_MC0_CTL, &val, true) == 0, "MC0_CTL = 0x1234 accepted");
	val = ~0ULL & ~(1ULL << 10) & ~1ULL;
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * 4, &val, true) == 1, "MC4_CTL without bits 10, 0 refused");
	val = ~0ULL;
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * 4, &val, true) == 1, "MC4_CTL all ones refused");
	val = 0x77;
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 1, &val, true) == 1, "host write of MC0_STATUS refused");
	val = 0;
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 1, &val, true) == 1, "MC0_STATUS = 0 refused");

	/* KVM_X86_SET_MCE: bad bank, no VAL. */
	memset(&m, 0, sizeof(m));
	m.bank = API_MCE_BANKS;
	m.status = API_MCI_VAL;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_X86_SET_MCE, &m), EINVAL, "SET_MCE bank past the end");
	m.bank = 2;
	m.status = 0x10;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_X86_SET_MCE, &m), EINVAL, "SET_MCE without MCI_STATUS_VAL");
	/* A corrected error is logged; a second one marks an overflow. */
	m.status = API_MCI_VAL | 0x11;
	m.addr = 0x5000;
	m.misc = 0x86;
	EXPECT(ioctl(v->vcpu[0], KVM_X86_SET_MCE, &m) == 0, "SET_MCE corrected: %s", strerror(errno));
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * 2 + 1, &val, false) == 1 && val == m.status,
	       "MC2_STATUS %#llx, want %#llx", (unsigned long long)val, (unsigned long long)m.status);
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * 2 + 2, &val, false) == 1 && val == 0x5000,
	       "MC2_ADDR %#llx", (unsigned long long)val);
	m.addr = 0x6000;
	EXPECT(ioctl(v->vcpu[0], KVM_X86_SET_MCE, &m) == 0, "SET_MCE corrected again: %s", strerror(errno));
	EXPECT(api_msr(v, API_MSR_MC0_CTL + 4 * 2 + 1, &val, false) == 1 &&
	       val == (m.status | API_MCI_OVER), "MC2_STATUS after a second error %#llx",
	       (unsigned long long)val);

	/* The guest reads MCG_CAP as set. */
	LOAD(v, api_read_state);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)) ||
	    (r = get_regs(v, 0, &regs)))
		return r;
	val = (regs.rdi << 32) | (uint32_t)regs.rsi;
	EXPECT(val == cap, "guest RDMSR MCG_CAP %#llx, want %#llx", (unsigned long long)val,
	       (unsigned long long)cap);

	/* An uncorrected error while CR4.MCE is clear shuts the vCPU down. */
	LOAD(v, api_hlt_loop);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	m.bank = 3;
	m.status = API_MCI_VAL | API_MCI_UC | 0x134;
	m.mcg_status = 5;	/* RIPV | MCIP */
	EXPECT(ioctl(v->vcpu[0], KVM_X86_SET_MCE, &m) == 0, "SET_MCE uncorrected: %s", strerror(errno));
	return run_expect(v, 0, KVM_EXIT_SHUTDOWN);
}

static int t_api_mce(void)
{
	WITH_VM(mce_body(v));
}

static int debugregs_ioctl_body(struct vm *v)
{
	struct kvm_debugregs d, g;
	struct kvm_regs regs;
	int r;

	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS) == 1, "no KVM_CAP_DEBUGREGS");
	memset(&g, 0xa5, sizeof(g));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_DEBUGREGS, &g) == 0, "GET_DEBUGREGS: %s", strerror(errno));
	EXPECT(!g.db[0] && !g.db[3] && g.dr6 == 0xffff0ff0 && g.dr7 == 0x400 && !g.flags,
	       "reset debug registers: DR0 %#llx DR6 %#llx DR7 %#llx flags %#llx",
	       (unsigned long long)g.db[0], (unsigned long long)g.dr6,
	       (unsigned long long)g.dr7, (unsigned long long)g.flags);
	d = g;
	d.flags = 1;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_DEBUGREGS, &d), EINVAL, "SET_DEBUGREGS flags");
	d.flags = 0;
	d.dr6 = 1ULL << 32;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_DEBUGREGS, &d), EINVAL, "SET_DEBUGREGS DR6 bit 32");
	d.dr6 = 0xffff0ff0;
	d.dr7 = 1ULL << 40;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_DEBUGREGS, &d), EINVAL, "SET_DEBUGREGS DR7 bit 40");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_DEBUGREGS, (void *)8), EFAULT, "SET_DEBUGREGS bad pointer");

	/* DR0 and DR7 (a disabled breakpoint's condition bits) as userspace sets them. */
	memset(&d, 0, sizeof(d));
	d.db[0] = 0x5678;
	d.db[2] = 0x9abc;
	d.dr6 = 0xffff0ff0;
	d.dr7 = 0x400 | (3ULL << 16);
	EXPECT(ioctl(v->vcpu[0], KVM_SET_DEBUGREGS, &d) == 0, "SET_DEBUGREGS: %s", strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_DEBUGREGS, &g) == 0, "GET_DEBUGREGS: %s", strerror(errno));
	EXPECT(g.db[0] == 0x5678 && g.db[2] == 0x9abc && g.dr7 == d.dr7,
	       "read back DR0 %#llx DR2 %#llx DR7 %#llx", (unsigned long long)g.db[0],
	       (unsigned long long)g.db[2], (unsigned long long)g.dr7);
	LOAD(v, api_read_state);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_HLT)) ||
	    (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rbx == 0x5678 && (uint32_t)regs.rbp == (uint32_t)d.dr7,
	       "guest DR0 %#llx DR7 %#llx, want 0x5678 and %#llx", (unsigned long long)regs.rbx,
	       (unsigned long long)regs.rbp, (unsigned long long)d.dr7);
	/* And after the run the ioctl still sees them. */
	EXPECT(ioctl(v->vcpu[0], KVM_GET_DEBUGREGS, &g) == 0 && g.db[0] == 0x5678 &&
	       g.db[2] == 0x9abc, "after the run: DR0 %#llx DR2 %#llx",
	       (unsigned long long)g.db[0], (unsigned long long)g.db[2]);
	return PASS;
}

static int t_api_debugregs(void)
{
	WITH_VM(debugregs_ioctl_body(v));
}

static int tsc_khz_body(struct vm *v)
{
	int khz;

	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_GET_TSC_KHZ) == 1, "no KVM_CAP_GET_TSC_KHZ");
	khz = ioctl(v->vcpu[0], KVM_GET_TSC_KHZ, 0);
	EXPECT(khz > 0, "KVM_GET_TSC_KHZ: %d (%s)", khz, strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_SET_TSC_KHZ, khz) == 0, "SET_TSC_KHZ %d: %s", khz, strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_SET_TSC_KHZ, khz + khz / 10000) == 0,
	       "SET_TSC_KHZ 100 ppm off: %s", strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_TSC_KHZ, 0) == khz + khz / 10000,
	       "KVM_GET_TSC_KHZ after setting 100 ppm more");
	EXPECT(ioctl(v->vcpu[0], KVM_SET_TSC_KHZ, 0) == 0, "SET_TSC_KHZ 0: %s", strerror(errno));
	EXPECT(ioctl(v->vcpu[0], KVM_GET_TSC_KHZ, 0) == khz, "KVM_GET_TSC_KHZ after SET_TSC_KHZ 0");
	/*
	 * Without TSC scaling another rate is refused. (KVM then reports
	 * the refused rate in KVM_GET_TSC_KHZ, hxen the one in use: not
	 * compared.)
	 */
	if (!ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_TSC_CONTROL))
		EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_TSC_KHZ, khz / 2), EINVAL,
			     "SET_TSC_KHZ half the rate");
	return PASS;
}

static int t_api_tsc_khz(void)
{
	WITH_VM(tsc_khz_body(v));
}

static int enable_cap_body(struct vm *v)
{
	struct kvm_enable_cap cap;

	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_DESTROY_MEMORY_REGION_WORKS) == 1 &&
	       ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_JOIN_MEMORY_REGIONS_WORKS) == 1,
	       "QEMU's required memory capabilities missing");
	memset(&cap, 0, sizeof(cap));
	cap.cap = 0x7fff;
	EXPECT_ERRNO(ioctl(v->fd, KVM_ENABLE_CAP, &cap), EINVAL, "VM ENABLE_CAP unknown");
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_ENABLE_CAP, &cap), EINVAL, "vCPU ENABLE_CAP unknown");
	cap.cap = KVM_CAP_USER_MEMORY;
	EXPECT_ERRNO(ioctl(v->fd, KVM_ENABLE_CAP, &cap), EINVAL, "VM ENABLE_CAP of a plain cap");
	EXPECT_ERRNO(ioctl(v->fd, KVM_ENABLE_CAP, (void *)8), EFAULT, "VM ENABLE_CAP bad pointer");

	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_MMU_SHADOW_CACHE_CONTROL) == 1,
	       "no KVM_CAP_MMU_SHADOW_CACHE_CONTROL");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_NR_MMU_PAGES, 10), EINVAL, "SET_NR_MMU_PAGES 10");
	EXPECT(ioctl(v->fd, KVM_SET_NR_MMU_PAGES, 64) == 0, "SET_NR_MMU_PAGES 64: %s", strerror(errno));
	EXPECT(ioctl(v->fd, KVM_GET_NR_MMU_PAGES, 0) == 64, "GET_NR_MMU_PAGES after 64");
	EXPECT(ioctl(v->fd, KVM_SET_NR_MMU_PAGES, 4096) == 0, "SET_NR_MMU_PAGES 4096: %s",
	       strerror(errno));
	EXPECT(ioctl(v->fd, KVM_GET_NR_MMU_PAGES, 0) == 4096, "GET_NR_MMU_PAGES after 4096");
	return PASS;
}

static int t_api_enable_cap(void)
{
	WITH_VM(enable_cap_body(v));
}

/*
 * With the LAPIC in userspace (no irqchip), its TPR is CR8 and travels in
 * run->cr8: in at every KVM_RUN (QEMU writes its APIC's TPR there), out at
 * every exit. A value above 15 fails KVM_RUN with EINVAL.
 */
static int userspace_tpr_body(struct vm *v)
{
	struct kvm_run *run = v->run[0];
	struct kvm_regs regs;
	int r;

	LOAD(v, api_cr8);
	if ((r = enter_long64(v, 0)))
		return r;
	run->cr8 = 16;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_RUN, 0), EINVAL, "KVM_RUN with run->cr8 16");
	run->cr8 = 5;
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	EXPECT(regs.rbx == 5, "the guest read CR8 %#llx, run->cr8 was 5",
	       (unsigned long long)regs.rbx);
	EXPECT(run->cr8 == 5, "run->cr8 %llu at the exit, want 5", (unsigned long long)run->cr8);
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(run->cr8 == 9, "run->cr8 %llu after the guest wrote CR8 9",
	       (unsigned long long)run->cr8);
	return PASS;
}

static int t_api_userspace_tpr(void)
{
	WITH_VM(userspace_tpr_body(v));
}

/*
 * The host CPU is QEMU's TCG emulating SVM: a guest's INT3 there is a
 * software interrupt (the INTn intercept), never a #BP the exception
 * intercept catches, and a guest's single-step #DB reaches no intercept
 * either, so no hypervisor sees breakpoints or steps there (KVM neither:
 * its guest runs on as if stepping were off). CPUID 0x40000000 names TCG
 * in the emulated host.
 */
static bool host_is_tcg_svm(void)
{
	unsigned int a, b, c, d;
	char sig[13];

	__cpuid(0x80000001, a, b, c, d);
	if (!(c & (1u << 2)))		/* SVM */
		return false;
	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = 0;
	return !strcmp(sig, "TCGTCGTCGTCG");
}

static int set_guest_debug(struct vm *v, uint32_t control)
{
	struct kvm_guest_debug dbg = { .control = control };

	return ioctl(v->vcpu[0], KVM_SET_GUEST_DEBUG, &dbg);
}

/*
 * KVM_SET_GUEST_DEBUG single steps: a KVM_EXIT_DEBUG (#DB, DR6.BS) after
 * each instruction at the linear RIP that follows, CPUID too (the kernel
 * completes it: KVM_CAP_X86_ROBUST_SINGLESTEP), the debugger's TF never
 * in KVM_GET_REGS, and gone once stepping ends.
 */
static int guest_debug_step_body(struct vm *v)
{
	static const unsigned int after[] = { 5, 7, 9, 10 };
	struct kvm_run *run = v->run[0];
	struct kvm_regs regs;
	unsigned int i;
	int r;

	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG) > 0,
	       "no KVM_CAP_SET_GUEST_DEBUG");
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_X86_ROBUST_SINGLESTEP) > 0,
	       "no KVM_CAP_X86_ROBUST_SINGLESTEP");
	/* hxen refuses flags it does not know; KVM 6.1 ignores them. */
	if (!is_kvm())
		EXPECT_ERRNO(set_guest_debug(v, KVM_GUESTDBG_ENABLE | (1u << 30)), EINVAL,
			     "SET_GUEST_DEBUG with an unknown flag");
	LOAD(v, api_step);
	if ((r = enter_long64(v, 0)))
		return r;
	if (host_is_tcg_svm())
		return skip("QEMU TCG's SVM gives a guest's single-step #DB no intercept (README)");
	EXPECT(set_guest_debug(v, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP) == 0,
	       "SET_GUEST_DEBUG(SINGLESTEP): %s", strerror(errno));
	for (i = 0; i < sizeof(after) / sizeof(after[0]); i++) {
		if ((r = run_expect(v, 0, KVM_EXIT_DEBUG)))
			return r;
		/*
		 * A CPU steps after the first instruction. Bochs 2.7's VMX
		 * (the VMX test host) traps at VM entry instead, before it,
		 * and then not again, for KVM as for hxen: nothing to check.
		 */
		if (!i && run->debug.arch.pc == GUEST_CODE && run->debug.arch.exception == 1)
			return skip("the CPU trapped at VM entry, before the first instruction "
				    "(Bochs 2.7's VMX, KVM too; README)");
		EXPECT(run->debug.arch.exception == 1 && run->debug.arch.pc == GUEST_CODE + after[i] &&
		       (run->debug.arch.dr6 & 0x4000),
		       "step %u: exception %u at %#llx DR6 %#llx, want #DB (BS) at %#x", i,
		       run->debug.arch.exception, (unsigned long long)run->debug.arch.pc,
		       (unsigned long long)run->debug.arch.dr6, GUEST_CODE + after[i]);
		EXPECT(ioctl(v->vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
		EXPECT(regs.rip == GUEST_CODE + after[i] && !(regs.rflags & 0x100),
		       "step %u: RIP %#llx RFLAGS %#llx (TF must not show)", i,
		       (unsigned long long)regs.rip, (unsigned long long)regs.rflags);
		EXPECT(i != 1 || regs.rax == 2, "the guest's EAX %#llx after MOV and INC",
		       (unsigned long long)regs.rax);
		/* SET_REGS at the same RIP keeps stepping (TF put back). */
		EXPECT(ioctl(v->vcpu[0], KVM_SET_REGS, &regs) == 0, "SET_REGS: %s", strerror(errno));
	}
	EXPECT(set_guest_debug(v, 0) == 0, "SET_GUEST_DEBUG(0): %s", strerror(errno));
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	EXPECT(!(regs.rflags & 0x100), "TF left behind: RFLAGS %#llx", (unsigned long long)regs.rflags);
	return PASS;
}

static int t_api_guest_debug_step(void)
{
	WITH_VM(guest_debug_step_body(v));
}

/*
 * KVM_GUESTDBG_USE_SW_BP: INT3 stops the guest (KVM_EXIT_DEBUG, #BP, at the
 * INT3); INJECT_BP gives the #BP to the guest, whose handler sees the
 * return address past the INT3. A flag KVM_CAP_SET_GUEST_DEBUG2 does not
 * list is refused.
 */
static int guest_debug_bp_body(struct vm *v)
{
	extern const uint8_t guest_api_bp_handler[];
	uint16_t handler = GUEST_CODE + (guest_api_bp_handler - guest_api_bp), ret;
	struct kvm_run *run = v->run[0];
	struct kvm_regs regs;
	int r, flags;

	flags = ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	EXPECT(flags > 0 && (flags & KVM_GUESTDBG_USE_SW_BP) && (flags & KVM_GUESTDBG_SINGLESTEP),
	       "KVM_CAP_SET_GUEST_DEBUG2 %#x", flags);
	if (!(flags & KVM_GUESTDBG_USE_HW_BP))
		EXPECT_ERRNO(set_guest_debug(v, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP),
			     EINVAL, "USE_HW_BP, which KVM_CAP_SET_GUEST_DEBUG2 leaves out");
	if (host_is_tcg_svm())
		return skip("QEMU TCG's SVM gives a guest's INT3 no #BP intercept (README)");
	LOAD(v, api_bp);
	/* IVT entry 3: 0000:handler. */
	memcpy(v->mem + 3 * 4, &handler, 2);
	memset(v->mem + 3 * 4 + 2, 0, 2);
	if ((r = enter_real(v, 0)))
		return r;
	EXPECT(set_guest_debug(v, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP) == 0,
	       "SET_GUEST_DEBUG(USE_SW_BP): %s", strerror(errno));
	if ((r = run_expect(v, 0, KVM_EXIT_DEBUG)))
		return r;
	EXPECT(run->debug.arch.exception == 3 && run->debug.arch.pc == GUEST_CODE + 3,
	       "exception %u at %#llx, want #BP at %#x", run->debug.arch.exception,
	       (unsigned long long)run->debug.arch.pc, GUEST_CODE + 3);
	EXPECT(ioctl(v->vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	EXPECT(regs.rip == GUEST_CODE + 3, "RIP %#llx at the breakpoint", (unsigned long long)regs.rip);
	EXPECT(set_guest_debug(v, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP |
			       KVM_GUESTDBG_INJECT_BP) == 0,
	       "SET_GUEST_DEBUG(INJECT_BP): %s", strerror(errno));
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	memcpy(&ret, v->mem + 0x6ffa, 2);
	EXPECT(regs.rip == handler + 1u && ret == GUEST_CODE + 4,
	       "after INJECT_BP: RIP %#llx (handler %#x), return address %#x (want %#x)",
	       (unsigned long long)regs.rip, handler, ret, GUEST_CODE + 4);
	return PASS;
}

static int t_api_guest_debug_bp(void)
{
	WITH_VM(guest_debug_bp_body(v));
}

#define KVM_API_TESTS                                           \
	{ "api_mce_setup_msrs_inject", t_api_mce },             \
	{ "api_debugregs_ioctl", t_api_debugregs },             \
	{ "api_tsc_khz", t_api_tsc_khz },                       \
	{ "api_enable_cap_mmu_pages", t_api_enable_cap },       \
	{ "api_userspace_tpr_cr8", t_api_userspace_tpr },      \
	{ "api_guest_debug_step", t_api_guest_debug_step },     \
	{ "api_guest_debug_bp", t_api_guest_debug_bp },
