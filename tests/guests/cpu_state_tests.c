// SPDX-License-Identifier: GPL-2.0
/*
 * CPU state a guest may or may not own (issue 15): CR4 bits the vCPU's
 * CPUID does not offer (PKE without PKU, LA57), PKRU and TSC_AUX switched
 * around entry so the VMM thread keeps its own, and the source segment of
 * string OUT (SVM without decode assists has to decode it). Included by
 * guesttest.c; guests in cpu_state_guests.S.
 */

GUEST_SYM(cr4_pkru); GUEST_SYM(tsc_aux); GUEST_SYM(strio_seg);

#define CR4_OSFXSR	(1u << 9)
#define CR4_LA57	(1u << 12)
#define CR4_PKE		(1u << 22)
#define MSR_TSC_AUX	0xc0000103

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

/* The VMM's own view: the kernel enabled protection keys (CPUID OSPKE). */
static bool host_has_ospke(void)
{
	uint32_t r[4];

	host_cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	host_cpuid(7, 0, r);
	return r[2] & (1u << 4);
}

static uint32_t host_rdpkru(void)
{
	uint32_t eax, edx;

	__asm__ volatile(".byte 0x0f, 0x01, 0xee" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

/* RDTSCP's TSC_AUX, as this thread sees it in user mode. */
static uint32_t host_tsc_aux(void)
{
	uint32_t lo, hi, aux;

	__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	return aux;
}

/* Leaf 0 (max 7), leaf 7.0 ECX, 0x80000000 and 0x80000001 EDX. */
static int set_cpuid_7_ext(struct vm *v, uint32_t l7_ecx, uint32_t ext_edx)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[4];
	} c;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 4;
	c.e[0] = (struct kvm_cpuid_entry2){ .function = 0, .eax = 7 };
	c.e[1] = (struct kvm_cpuid_entry2){ .function = 7, .index = 0,
					    .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
					    .ecx = l7_ecx };
	c.e[2] = (struct kvm_cpuid_entry2){ .function = 0x80000000, .eax = 0x80000001 };
	c.e[3] = (struct kvm_cpuid_entry2){ .function = 0x80000001, .edx = ext_edx };
	EXPECT(ioctl(v->vcpu[0], KVM_SET_CPUID2, &c) == 0, "SET_CPUID2: %s", strerror(errno));
	return PASS;
}

static int set_rsi_rdi(struct vm *v, uint64_t rsi, uint64_t rdi)
{
	struct kvm_regs regs;
	int r;

	if ((r = get_regs(v, 0, &regs)))
		return r;
	regs.rsi = rsi;
	regs.rdi = rdi;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_REGS, &regs) == 0, "SET_REGS: %s", strerror(errno));
	return PASS;
}

/*
 * The guest ORs @bits into CR4 with CPUID.7.0:ECX = @l7_ecx. *exit: HLT
 * (the CPU took the bits; *cr4 what the guest then read) or SHUTDOWN
 * (#GP, triple fault: no IDT).
 */
static int cr4_try(struct vm *v, uint32_t bits, uint32_t l7_ecx, uint32_t *exit, uint32_t *cr4)
{
	struct kvm_regs regs;
	int r;

	LOAD(v, cr4_pkru);
	if ((r = set_cpuid_7_ext(v, l7_ecx, 0)) || (r = enter_prot32(v, 0)) ||
	    (r = set_rsi_rdi(v, bits, 0)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_RUN, 0) == 0, "KVM_RUN: %s", strerror(errno));
	*exit = v->run[0]->exit_reason;
	if (*exit == KVM_EXIT_HLT) {
		if ((r = get_regs(v, 0, &regs)))
			return r;
		*cr4 = regs.rbx;
	}
	return PASS;
}

static int cr4_expect(uint32_t bits, uint32_t l7_ecx, bool allowed, const char *what)
{
	uint32_t exit = 0, cr4 = 0;
	struct vm vm_, *v = &vm_;
	int r = vm_open(v);

	if (r == PASS)
		r = vcpu_open(v, 0);
	if (r == PASS)
		r = cr4_try(v, bits, l7_ecx, &exit, &cr4);
	vm_close(v);
	if (r)
		return r;
	if (allowed)
		EXPECT(exit == KVM_EXIT_HLT && (cr4 & bits) == bits,
		       "%s: exit %s, CR4 %#x; want it set", what, exit_name(exit), cr4);
	else
		EXPECT(exit == KVM_EXIT_SHUTDOWN,
		       "%s: exit %s, CR4 %#x; want #GP (shutdown)", what, exit_name(exit), cr4);
	return PASS;
}

static int t_cr4_guest_bits(void)
{
	int r;

	/* An ordinary bit, and two the vCPU's CPUID does not offer. */
	if ((r = cr4_expect(CR4_OSFXSR, 0, true, "CR4.OSFXSR")) ||
	    (r = cr4_expect(CR4_LA57, 0, false, "CR4.LA57 (no LA57 in CPUID)")) ||
	    (r = cr4_expect(CR4_PKE, 0, false, "CR4.PKE (no PKU in CPUID)")))
		return r;
	if (!host_has_ospke())
		return skip("no PKU/OSPKE on this CPU: CR4.PKE with PKU not tried (LA57, PKE without PKU passed)");
	return cr4_expect(CR4_PKE, 1u << 3, true, "CR4.PKE with PKU in CPUID");
}

/*
 * With PKU: the guest sets CR4.PKE and writes PKRU; the VMM thread's PKRU
 * is its own after KVM_RUN, and the guest's is still the guest's at the
 * next entry. KVM_SET_SREGS refuses PKE without PKU in CPUID.
 */
static int pkru_body(struct vm *v)
{
	const uint32_t guest_pkru = 0x0000000c;	/* key 1: no access */
	uint32_t exit = 0, cr4 = 0, before, after;
	struct kvm_sregs s;
	struct kvm_regs regs;
	int r;

	if ((r = cr4_try(v, CR4_PKE, 1u << 3, &exit, &cr4)))
		return r;
	EXPECT(exit == KVM_EXIT_HLT && (cr4 & CR4_PKE), "CR4.PKE: exit %s, CR4 %#x",
	       exit_name(exit), cr4);
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	EXPECT(s.cr4 & CR4_PKE, "GET_SREGS: CR4 %#llx lacks PKE", (unsigned long long)s.cr4);
	if ((r = set_rsi_rdi(v, 0, guest_pkru)))
		return r;
	before = host_rdpkru();
	EXPECT(before != guest_pkru, "host PKRU is the test value %#x already", before);
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	after = host_rdpkru();
	EXPECT(after == before, "VMM thread's PKRU %#x after the guest wrote %#x (was %#x)",
	       after, guest_pkru, before);
	/* A syscall and a reschedule in between: still the thread's own. */
	sched_yield();
	EXPECT(host_rdpkru() == before, "PKRU %#x after sched_yield, was %#x", host_rdpkru(),
	       before);
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rbp == guest_pkru, "guest RDPKRU %#x, want %#x",
	       (uint32_t)regs.rbp, guest_pkru);
	EXPECT(host_rdpkru() == before, "VMM thread's PKRU %#x after the guest's RDPKRU",
	       host_rdpkru());
	return PASS;
}

/* Without PKU in CPUID, userspace cannot set CR4.PKE either. */
static int pke_sregs_body(struct vm *v)
{
	struct kvm_sregs s;
	int r;

	if ((r = set_cpuid_7_ext(v, 0, 0)) || (r = enter_prot32(v, 0)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.cr4 |= CR4_PKE;
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_SET_SREGS, &s), EINVAL,
		     "SET_SREGS CR4.PKE without PKU in CPUID");
	return PASS;
}

static int pke_sregs_vm(void)
{
	WITH_VM(pke_sregs_body(v));
}

static int t_pkru_switch(void)
{
	int r;

	if ((r = pke_sregs_vm()))
		return r;
	if (!host_has_ospke())
		return skip("no PKU/OSPKE on this CPU: guest PKRU cannot be tested");
	WITH_VM(pkru_body(v));
}

static bool host_has_rdtscp(void)
{
	uint32_t r[4];

	host_cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000001)
		return false;
	host_cpuid(0x80000001, 0, r);
	return r[3] & (1u << 27);
}

static bool host_has_rdpid(void)
{
	uint32_t r[4];

	host_cpuid(0, 0, r);
	if (r[0] < 7)
		return false;
	host_cpuid(7, 0, r);
	return r[2] & (1u << 22);
}

/* Pin to the last online CPU: its TSC_AUX (CPU number) is not 0 on SMP. */
static int pin_last_cpu(void)
{
	cpu_set_t set;
	int cpu = online_cpus() - 1;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
	return cpu;
}

/*
 * The guest writes TSC_AUX and reads it with RDTSCP (and RDPID where the
 * CPU has it); the VMM thread's RDTSCP still gives its CPU number; the
 * value migrates through KVM_GET/SET_MSRS; both are offered in CPUID and
 * the MSR list.
 */
static int tsc_aux_body(struct vm *v, bool rdpid)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} m;
	struct kvm_regs regs;
	uint32_t aux;
	int r, cpu = pin_last_cpu();

	LOAD(v, tsc_aux);
	if ((r = set_cpuid_7_ext(v, rdpid ? 1u << 22 : 0, 1u << 27)) ||
	    (r = enter_prot32(v, 0)) || (r = set_rsi_rdi(v, 0x4321, 0)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	aux = host_tsc_aux();
	EXPECT((uint32_t)regs.rbx == 0x4321, "guest RDTSCP: TSC_AUX %#x, want 0x4321",
	       (uint32_t)regs.rbx);
	EXPECT((aux & 0xfff) == (uint32_t)cpu, "VMM thread's RDTSCP: TSC_AUX %#x on CPU %d",
	       aux, cpu);
	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1;
	m.e[0].index = MSR_TSC_AUX;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_MSRS, &m) == 1 && m.e[0].data == 0x4321,
	       "GET_MSRS TSC_AUX: %#llx", (unsigned long long)m.e[0].data);
	m.e[0].data = 0x5678;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_MSRS, &m) == 1, "SET_MSRS TSC_AUX: %s", strerror(errno));
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rbx == 0x5678, "guest RDTSCP after SET_MSRS: %#x, want 0x5678",
	       (uint32_t)regs.rbx);
	EXPECT((host_tsc_aux() & 0xfff) == (uint32_t)cpu, "VMM thread's TSC_AUX %#x on CPU %d",
	       host_tsc_aux(), cpu);
	if (!rdpid)
		return PASS;
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)) || (r = get_regs(v, 0, &regs)))
		return r;
	EXPECT((uint32_t)regs.rbp == 0x5678, "guest RDPID: %#x, want 0x5678", (uint32_t)regs.rbp);
	return PASS;
}

static int supported_rdtscp(bool rdpid)
{
	struct kvm_cpuid_entry2 e;
	bool ext, l7;

	ext = supported_cpuid_entry(0x80000001, 0, &e) && (e.edx & (1u << 27));
	l7 = !rdpid || (supported_cpuid_entry(7, 0, &e) && (e.ecx & (1u << 22)));
	EXPECT(ext && l7, "KVM_GET_SUPPORTED_CPUID: RDTSCP %d, RDPID %s", ext,
	       rdpid ? (l7 ? "1" : "0") : "n/a");
	EXPECT(msr_index_listed(MSR_TSC_AUX), "KVM_GET_MSR_INDEX_LIST lacks TSC_AUX");
	return PASS;
}

static int tsc_aux_vm(bool rdpid)
{
	WITH_VM(tsc_aux_body(v, rdpid));
}

/* The test pins itself to one CPU; the tests after it get all back. */
static int tsc_aux_test(bool rdpid)
{
	cpu_set_t all;
	int r;

	if ((r = supported_rdtscp(rdpid)))
		return r;
	sched_getaffinity(0, sizeof(all), &all);
	r = tsc_aux_vm(rdpid);
	sched_setaffinity(0, sizeof(all), &all);
	return r;
}

static int t_tsc_aux_rdtscp(void)
{
	if (!host_has_rdtscp())
		return skip("no RDTSCP on this CPU");
	return tsc_aux_test(false);
}

static int t_tsc_aux_rdpid(void)
{
	if (!host_has_rdtscp() || !host_has_rdpid())
		return skip("no RDPID on this CPU");
	return tsc_aux_test(true);
}

/* REP OUTSB with FS and GS overrides, their bases unlike DS's. */
static int strio_seg_body(struct vm *v)
{
	struct kvm_sregs s;
	uint8_t fs[5], gs[3];
	int r, exits;

	LOAD(v, strio_seg);
	memcpy(v->mem + DATA, "dsdsd", 5);
	memcpy(v->mem + DATA + 0x100, "fsfsf", 5);
	memcpy(v->mem + DATA + 0x200, "gsg", 3);
	if ((r = enter_real(v, 0)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.fs.selector = 0x10;
	s.fs.base = 0x100;
	s.gs.selector = 0x20;
	s.gs.base = 0x200;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	if ((r = expect_string_io(v, KVM_EXIT_IO_OUT, 0x3f8, 1, 5, fs, &exits)))
		return r;
	EXPECT(!memcmp(fs, "fsfsf", 5), "rep outsb %%fs: sent %.5s, want fsfsf", fs);
	if ((r = expect_string_io(v, KVM_EXIT_IO_OUT, 0x3f8, 1, 3, gs, &exits)) ||
	    (r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(!memcmp(gs, "gsg", 3), "rep outsb %%gs: sent %.3s, want gsg", gs);
	return PASS;
}

static int t_string_out_segment(void)
{
	WITH_VM(strio_seg_body(v));
}

#define CPU_STATE_TESTS \
	{ "cr4_guest_bits", t_cr4_guest_bits }, \
	{ "pkru_switch", t_pkru_switch }, \
	{ "tsc_aux_rdtscp", t_tsc_aux_rdtscp }, \
	{ "tsc_aux_rdpid", t_tsc_aux_rdpid }, \
	{ "string_out_segment_override", t_string_out_segment },
