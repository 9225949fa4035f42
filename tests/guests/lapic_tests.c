// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of the in-kernel local APIC: timer modes, IPIs, INIT/SIPI,
 * EOI, TPR, x2APIC, KVM_GET/SET_LAPIC, MP states, HLT blocking.
 * #included by guesttest.c (shares its helpers); the guests live in
 * lapic_guests.S. Every VM gets KVM_CREATE_IRQCHIP before its vCPUs.
 */

GUEST_SYM(lapic_oneshot); GUEST_SYM(lapic_periodic); GUEST_SYM(lapic_deadline);
GUEST_SYM(lapic_selfipi); GUEST_SYM(lapic_tpr); GUEST_SYM(lapic_sipi);
GUEST_SYM(lapic_x2apic); GUEST_SYM(lapic_halt); GUEST_SYM(lapic_cr8);
GUEST_SYM(lapic_pv_eoi);
extern const uint8_t guest_lapic_oneshot_irq[], guest_lapic_periodic_irq[],
	guest_lapic_deadline_irq[], guest_lapic_selfipi_irq[], guest_lapic_tpr_irq45[],
	guest_lapic_tpr_irq61[], guest_lapic_sipi_bsp[], guest_lapic_x2apic_irq[],
	guest_lapic_x2apic_gp[], guest_lapic_halt_nmi[], guest_lapic_cr8_irq[],
	guest_lapic_pv_eoi_irq[];

/* Guest address of label @l inside guest @g. */
#define LAPIC_GPA(g, l)	(GUEST_CODE + (uint32_t)(guest_##l - guest_##g))

#define LAPIC_IDT	0x6000		/* 256 gates */
#define LAPIC_GDT	0x6800

/* A VM with the in-kernel irqchip and @n vCPUs (0, then 1). */
static int lapic_vm_open(struct vm *v, int n)
{
	int r, i;

	if ((r = vm_open(v)))
		return r;
	EXPECT(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) == 0, "KVM_CREATE_IRQCHIP: %s",
	       strerror(errno));
	for (i = 0; i < n; i++)
		if ((r = vcpu_open(v, i)))
			return r;
	return PASS;
}

/*
 * A stuck guest must not hang the suite: after @ms the watchdog signals
 * the test's thread (SIGUSR1, no restart) once a second, so KVM_RUN
 * returns EINTR and the test fails with what the guest had done.
 */
struct watchdog {
	pthread_t target, th;
	volatile int stop;
	int ms;
};

static void *watchdog_fn(void *arg)
{
	struct watchdog *w = arg;
	int waited = 0;

	while (!w->stop) {
		usleep(10000);
		waited += 10;
		if (waited >= w->ms && waited % 1000 == 0)
			pthread_kill(w->target, SIGUSR1);
	}
	return NULL;
}

static void watchdog_start(struct watchdog *w, int ms)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	sigaction(SIGUSR1, &sa, NULL);
	w->target = pthread_self();
	w->stop = 0;
	w->ms = ms;
	pthread_create(&w->th, NULL, watchdog_fn, w);
}

static void watchdog_stop(struct watchdog *w)
{
	w->stop = 1;
	pthread_join(w->th, NULL);
}

/* After a failure: the guest's counters and RIP, for the report. */
static void lapic_diag(struct vm *v)
{
	struct kvm_regs regs;
	size_t n = strlen(reason);

	if (v->vcpu[0] < 0 || ioctl(v->vcpu[0], KVM_GET_REGS, &regs))
		return;
	snprintf(reason + n, sizeof(reason) - n, " [guest: rip %#llx, counters %u %u %u]",
		 (unsigned long long)regs.rip, *(uint32_t *)(v->mem + DATA),
		 *(uint32_t *)(v->mem + DATA + 0x10), *(uint32_t *)(v->mem + DATA + 0x14));
}

#define WITH_LAPIC_VM(n, body)                                                 \
	do {                                                                   \
		struct vm vm_;                                                 \
		struct vm *v = &vm_;                                           \
		struct watchdog wd_;                                           \
		int r_ = lapic_vm_open(v, n);                                  \
		if (r_ == PASS) {                                              \
			watchdog_start(&wd_, 20000);                           \
			r_ = (body);                                           \
			watchdog_stop(&wd_);                                   \
			if (r_ == FAIL)                                        \
				lapic_diag(v);                                 \
		}                                                              \
		vm_close(v);                                                   \
		return r_;                                                     \
	} while (0)

static void idt_gate(struct vm *v, int vec, uint32_t handler)
{
	uint32_t *g = (uint32_t *)(v->mem + LAPIC_IDT + vec * 8);

	g[0] = (8 << 16) | (handler & 0xffff);
	g[1] = (handler & 0xffff0000) | 0x8e00;	/* present 32-bit interrupt gate */
}

/* 32-bit flat protected mode with a GDT and IDT in memory, at @entry. */
static int lapic_enter32(struct vm *v, int id, uint32_t entry)
{
	uint64_t *gdt = (uint64_t *)(v->mem + LAPIC_GDT);
	struct kvm_sregs s;

	gdt[0] = 0;
	gdt[1] = 0x00cf9b000000ffffULL;		/* code, matches flat_seg(.., 1, 0) */
	gdt[2] = 0x00cf93000000ffffULL;		/* data */
	EXPECT(ioctl(v->vcpu[id], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	flat_seg(&s.cs, 8, 1, 0);
	flat_seg(&s.ds, 16, 0, 0);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.cr0 = 0x11;
	s.gdt.base = LAPIC_GDT;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = LAPIC_IDT;
	s.idt.limit = 256 * 8 - 1;
	EXPECT(ioctl(v->vcpu[id], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	return set_rip(v, id, entry);
}

/* The supported CPUID with leaf 1 ECX @set_ecx bits added, as the guest's. */
static int lapic_set_cpuid(struct vm *v, int id, uint32_t set_ecx)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[100];
	} c;
	uint32_t i;

	memset(&c, 0, sizeof(c));
	c.hdr.nent = 100;
	EXPECT(ioctl(v->sys, KVM_GET_SUPPORTED_CPUID, &c) == 0, "GET_SUPPORTED_CPUID: %s",
	       strerror(errno));
	for (i = 0; i < c.hdr.nent; i++)
		if (c.e[i].function == 1)
			c.e[i].ecx |= set_ecx;
	EXPECT(ioctl(v->vcpu[id], KVM_SET_CPUID2, &c) == 0, "SET_CPUID2: %s", strerror(errno));
	return PASS;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* An OUT of 32 bits to @port; its value in *val. */
static int lapic_out(struct vm *v, int id, uint16_t port, uint32_t *val)
{
	struct kvm_run *run = v->run[id];
	int r;

	if ((r = run_expect(v, id, KVM_EXIT_IO)))
		return r;
	EXPECT(run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port && run->io.size == 4,
	       "IO dir %d port %#x size %d, want OUT %#x size 4", run->io.direction,
	       run->io.port, run->io.size, port);
	*val = 0;
	memcpy(val, (uint8_t *)run + run->io.data_offset, 4);
	return PASS;
}

static int oneshot_body(struct vm *v)
{
	int r;

	LOAD(v, lapic_oneshot);
	idt_gate(v, 0x40, LAPIC_GPA(lapic_oneshot, lapic_oneshot_irq));
	if ((r = lapic_enter32(v, 0, GUEST_CODE)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 1)))
		return r;
	return PASS;
}

static int t_lapic_oneshot(void)
{
	WITH_LAPIC_VM(1, oneshot_body(v));
}

static int periodic_body(struct vm *v)
{
	uint32_t count, ticks;
	double t0 = now_ms(), ms;
	int r;

	LOAD(v, lapic_periodic);
	idt_gate(v, 0x40, LAPIC_GPA(lapic_periodic, lapic_periodic_irq));
	/* KVM knows the LVT timer modes only once KVM_SET_CPUID2 was done. */
	if ((r = lapic_set_cpuid(v, 0, 0)) || (r = lapic_enter32(v, 0, GUEST_CODE)) ||
	    (r = lapic_out(v, 0, 0x60, &count)))
		return r;
	ms = now_ms() - t0;
	EXPECT(count > 0 && count <= 625000, "current count while running: %u", count);
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 0)) ||
	    (r = lapic_out(v, 0, 0x62, &ticks)))
		return r;
	EXPECT(ticks >= 5 && ticks < 50, "%u ticks", ticks);
	/* Five 10 ms periods (the first one starts with the guest). */
	EXPECT(ms >= 40, "five ticks in %.1f ms", ms);
	return PASS;
}

static int t_lapic_periodic(void)
{
	WITH_LAPIC_VM(1, periodic_body(v));
}

static int deadline_body(struct vm *v)
{
	int r;

	LOAD(v, lapic_deadline);
	idt_gate(v, 0x40, LAPIC_GPA(lapic_deadline, lapic_deadline_irq));
	if ((r = lapic_set_cpuid(v, 0, 1u << 24)) || (r = lapic_enter32(v, 0, GUEST_CODE)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x62, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x63, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x64, 4, 0)))
		return r;
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0,
	       "KVM_CAP_TSC_DEADLINE_TIMER not reported");
	return PASS;
}

static int t_lapic_deadline(void)
{
	WITH_LAPIC_VM(1, deadline_body(v));
}

static int selfipi_body(struct vm *v)
{
	int r;

	LOAD(v, lapic_selfipi);
	idt_gate(v, 0x41, LAPIC_GPA(lapic_selfipi, lapic_selfipi_irq));
	if ((r = lapic_enter32(v, 0, GUEST_CODE)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 4, 2)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 2)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x62, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x63, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x64, 4, 1)))
		return r;
	return PASS;
}

static int t_lapic_selfipi(void)
{
	WITH_LAPIC_VM(1, selfipi_body(v));
}

static int tpr_body(struct vm *v)
{
	struct kvm_sregs s;
	int r;

	LOAD(v, lapic_tpr);
	idt_gate(v, 0x45, LAPIC_GPA(lapic_tpr, lapic_tpr_irq45));
	idt_gate(v, 0x61, LAPIC_GPA(lapic_tpr, lapic_tpr_irq61));
	if ((r = lapic_enter32(v, 0, GUEST_CODE)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 4, 0x50)))
		return r;
	/* CR8 mirrors TPR[7:4]. */
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	EXPECT(s.cr8 == 5, "CR8 %llu with TPR 0x50", (unsigned long long)s.cr8);
	EXPECT(v->run[0]->cr8 == 5, "run->cr8 %llu", (unsigned long long)v->run[0]->cr8);
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x62, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x63, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x64, 4, 0)))
		return r;
	return PASS;
}

static int t_lapic_tpr(void)
{
	WITH_LAPIC_VM(1, tpr_body(v));
}

struct ap_run {
	struct vm *v;
	long r;
	int err;
	volatile int done;
};

static void *ap_thread(void *arg)
{
	struct ap_run *a = arg;

	/* KVM returns EAGAIN once the AP left UNINITIALIZED: run it again. */
	do {
		a->r = ioctl(a->v->vcpu[1], KVM_RUN, 0);
		a->err = errno;
	} while (a->r == -1 && a->err == EAGAIN);
	a->done = 1;
	return NULL;
}

static int sipi_body(struct vm *v)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct ap_run a = { .v = v };
	struct kvm_mp_state mp;
	struct kvm_sregs s;
	uint16_t cs = 0;
	pthread_t t;
	int r, i;

	LOAD(v, lapic_sipi);
	EXPECT(ioctl(v->vcpu[1], KVM_GET_MP_STATE, &mp) == 0, "GET_MP_STATE: %s", strerror(errno));
	EXPECT(mp.mp_state == KVM_MP_STATE_UNINITIALIZED, "AP mp_state %u", mp.mp_state);
	if ((r = lapic_enter32(v, 0, LAPIC_GPA(lapic_sipi, lapic_sipi_bsp))))
		return r;
	sigaction(SIGUSR1, &sa, NULL);
	/* The AP's KVM_RUN sleeps until INIT and SIPI arrive. */
	pthread_create(&t, NULL, ap_thread, &a);
	usleep(100000);
	if (a.done) {
		pthread_join(t, NULL);
		return fail("the AP ran before INIT/SIPI: KVM_RUN %ld/%s, exit %u", a.r,
			    strerror(a.err), v->run[1]->exit_reason);
	}
	r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 4, 1);
	for (i = 0; i < 500 && !a.done; i++)
		usleep(10000);
	if (!a.done)
		pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	if (r)
		return r;
	EXPECT(i < 500, "the AP did not start within 5 s of the SIPI");
	EXPECT(a.r == 0, "AP KVM_RUN: %ld/%s", a.r, strerror(a.err));
	EXPECT(v->run[1]->exit_reason == KVM_EXIT_IO && v->run[1]->io.port == 0x61 &&
	       v->run[1]->io.size == 2, "AP exit %s port %#x", exit_name(v->run[1]->exit_reason),
	       v->run[1]->io.port);
	memcpy(&cs, (uint8_t *)v->run[1] + v->run[1]->io.data_offset, 2);
	EXPECT(cs == 0x100, "AP CS %#x, want 0x100 (SIPI vector 1)", cs);
	EXPECT(ioctl(v->vcpu[1], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	/* INIT: CR0 = ET, CD and NW as they were (SDM Table 9-1). */
	EXPECT(s.cs.base == 0x1000 && (s.cr0 & ~0x60000000ULL) == 0x10, "AP CS base %#llx CR0 %#llx",
	       (unsigned long long)s.cs.base, (unsigned long long)s.cr0);
	EXPECT(ioctl(v->vcpu[1], KVM_GET_MP_STATE, &mp) == 0, "GET_MP_STATE: %s", strerror(errno));
	EXPECT(mp.mp_state == KVM_MP_STATE_RUNNABLE, "AP mp_state %u after SIPI", mp.mp_state);
	return PASS;
}

static int t_lapic_sipi(void)
{
	WITH_LAPIC_VM(2, sipi_body(v));
}

#define LREG(s, off)	(*(uint32_t *)((s)->regs + (off)))

static int state_body(struct vm *v)
{
	struct kvm_lapic_state s0, s1;
	struct kvm_sregs sr;
	uint32_t cnt;

	EXPECT(ioctl(v->vcpu[0], KVM_GET_LAPIC, &s0) == 0, "GET_LAPIC: %s", strerror(errno));
	EXPECT(ioctl(v->vcpu[1], KVM_GET_LAPIC, &s1) == 0, "GET_LAPIC: %s", strerror(errno));
	/* Reset state (SDM 10.4.7.1); the BSP's LINT0 is ExtINT (KVM's quirk). */
	EXPECT(LREG(&s0, 0x20) == 0 && LREG(&s1, 0x20) == 0x01000000, "IDs %#x %#x",
	       LREG(&s0, 0x20), LREG(&s1, 0x20));
	EXPECT((LREG(&s1, 0x30) & 0xff) == 0x14 && ((LREG(&s1, 0x30) >> 16) & 0xff) >= 4,
	       "version %#x", LREG(&s1, 0x30));
	EXPECT(LREG(&s1, 0xf0) == 0xff && LREG(&s1, 0xe0) == 0xffffffff,
	       "SVR %#x DFR %#x", LREG(&s1, 0xf0), LREG(&s1, 0xe0));
	EXPECT(LREG(&s1, 0x320) == 0x10000 && LREG(&s1, 0x350) == 0x10000 &&
	       LREG(&s1, 0x360) == 0x10000, "AP LVTs %#x %#x %#x", LREG(&s1, 0x320),
	       LREG(&s1, 0x350), LREG(&s1, 0x360));
	EXPECT(LREG(&s0, 0x350) == 0x700, "BSP LVT0 %#x", LREG(&s0, 0x350));

	LREG(&s1, 0x80) = 0x30;			/* TPR */
	LREG(&s1, 0xf0) = 0x1ff;		/* SVR */
	LREG(&s1, 0x320) = 0x40;		/* LVTT one-shot */
	LREG(&s1, 0x3e0) = 0xb;			/* divide by 1 */
	LREG(&s1, 0x380) = 100000000;		/* 100 ms */
	LREG(&s1, 0x390) = 0;
	LREG(&s1, 0x220) = 1;			/* IRR: vector 0x40 */
	EXPECT(ioctl(v->vcpu[1], KVM_SET_LAPIC, &s1) == 0, "SET_LAPIC: %s", strerror(errno));
	memset(&s1, 0, sizeof(s1));
	EXPECT(ioctl(v->vcpu[1], KVM_GET_LAPIC, &s1) == 0, "GET_LAPIC: %s", strerror(errno));
	EXPECT(LREG(&s1, 0x80) == 0x30 && LREG(&s1, 0xf0) == 0x1ff && LREG(&s1, 0x320) == 0x40 &&
	       LREG(&s1, 0x3e0) == 0xb && LREG(&s1, 0x380) == 100000000 &&
	       LREG(&s1, 0x220) == 1 && LREG(&s1, 0x20) == 0x01000000,
	       "round trip: TPR %#x SVR %#x LVTT %#x TDCR %#x TMICT %u IRR %#x ID %#x",
	       LREG(&s1, 0x80), LREG(&s1, 0xf0), LREG(&s1, 0x320), LREG(&s1, 0x3e0),
	       LREG(&s1, 0x380), LREG(&s1, 0x220), LREG(&s1, 0x20));
	/* (TMCCT after a restore differs: KVM reads 0 here, hxen goes on counting.) */
	cnt = LREG(&s1, 0x390);
	EXPECT(cnt <= 100000000, "current count %u", cnt);
	EXPECT(ioctl(v->vcpu[1], KVM_GET_SREGS, &sr) == 0, "GET_SREGS: %s", strerror(errno));
	EXPECT(sr.cr8 == 3, "CR8 %llu after TPR 0x30", (unsigned long long)sr.cr8);
	return PASS;
}

static int t_lapic_state(void)
{
	WITH_LAPIC_VM(2, state_body(v));
}

static int no_irqchip_body(struct vm *v)
{
	struct kvm_lapic_state s;

	/* Without KVM_CREATE_IRQCHIP there is no LAPIC to read (KVM: EINVAL). */
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_GET_LAPIC, &s), EINVAL, "GET_LAPIC without irqchip");
	return PASS;
}

static int t_lapic_no_irqchip(void)
{
	WITH_VM(no_irqchip_body(v));
}

static int x2apic_body(struct vm *v)
{
	int r;

	LOAD(v, lapic_x2apic);
	idt_gate(v, 0x42, LAPIC_GPA(lapic_x2apic, lapic_x2apic_irq));
	idt_gate(v, 0x43, LAPIC_GPA(lapic_x2apic, lapic_x2apic_irq));
	idt_gate(v, 13, LAPIC_GPA(lapic_x2apic, lapic_x2apic_gp));
	if ((r = lapic_set_cpuid(v, 0, 1u << 21)) || (r = lapic_enter32(v, 0, GUEST_CODE)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x60, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x62, 4, 2)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x63, 4, 2)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x64, 4, 0xfee00d00)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x65, 4, 0xffffffff)))
		return r;
	return PASS;
}

static int t_lapic_x2apic(void)
{
	WITH_LAPIC_VM(1, x2apic_body(v));
}

/*
 * Lowering the TPR with MOV CR8 delivers a held-back interrupt before the
 * next instruction (SDM 10.8.3.1): hxen on SVM lets CR8 writes run without
 * exits, so it must intercept them while such an interrupt waits.
 */
static int cr8_body(struct vm *v)
{
	uint64_t *gdt = (uint64_t *)(v->mem + LAPIC_GDT);
	uint32_t h = LAPIC_GPA(lapic_cr8, lapic_cr8_irq);
	uint32_t *g = (uint32_t *)(v->mem + LAPIC_IDT + 0x50 * 16);
	struct kvm_sregs s;
	int r;

	LOAD(v, lapic_cr8);
	/* A 64-bit interrupt gate (16 bytes); the IDT stops below the GDT. */
	g[0] = (8 << 16) | (h & 0xffff);
	g[1] = (h & 0xffff0000) | 0x8e00;
	g[2] = g[3] = 0;
	gdt[0] = 0;
	gdt[1] = 0x00af9b000000ffffULL;		/* 64-bit code */
	gdt[2] = 0x00cf93000000ffffULL;		/* data */
	if ((r = lapic_set_cpuid(v, 0, 1u << 21)) || (r = enter_long64(v, 0)))
		return r;
	EXPECT(ioctl(v->vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.gdt.base = LAPIC_GDT;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = LAPIC_IDT;
	s.idt.limit = 0x80 * 16 - 1;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x66, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x67, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x68, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x69, 4, 4)))
		return r;
	return PASS;
}

static int t_lapic_cr8(void)
{
	WITH_LAPIC_VM(1, cr8_body(v));
}

static int interrupt_body(struct vm *v)
{
	struct kvm_interrupt irq = { .irq = 0x20 };

	/* The in-kernel PIC is the only interrupt source then. */
	EXPECT_ERRNO(ioctl(v->vcpu[0], KVM_INTERRUPT, &irq), ENXIO, "KVM_INTERRUPT with irqchip");
	return PASS;
}

static int t_lapic_kvm_interrupt(void)
{
	WITH_LAPIC_VM(1, interrupt_body(v));
}

static int mp_get(struct vm *v, int id, uint32_t *state)
{
	struct kvm_mp_state mp;

	EXPECT(ioctl(v->vcpu[id], KVM_GET_MP_STATE, &mp) == 0, "GET_MP_STATE: %s",
	       strerror(errno));
	*state = mp.mp_state;
	return PASS;
}

static int mp_set(struct vm *v, int id, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	EXPECT(ioctl(v->vcpu[id], KVM_SET_MP_STATE, &mp) == 0, "SET_MP_STATE(%u): %s", state,
	       strerror(errno));
	return PASS;
}

static int mp_body(struct vm *v)
{
	uint32_t s0 = 0, s1 = 0;
	int r;

	if ((r = mp_get(v, 0, &s0)) || (r = mp_get(v, 1, &s1)))
		return r;
	EXPECT(s0 == KVM_MP_STATE_RUNNABLE && s1 == KVM_MP_STATE_UNINITIALIZED,
	       "at creation: BSP %u AP %u", s0, s1);
	if ((r = mp_set(v, 1, KVM_MP_STATE_INIT_RECEIVED)) || (r = mp_get(v, 1, &s1)))
		return r;
	EXPECT(s1 == KVM_MP_STATE_INIT_RECEIVED, "AP %u, want INIT_RECEIVED", s1);
	if ((r = mp_set(v, 0, KVM_MP_STATE_HALTED)) || (r = mp_get(v, 0, &s0)))
		return r;
	EXPECT(s0 == KVM_MP_STATE_HALTED, "BSP %u, want HALTED", s0);
	if ((r = mp_set(v, 0, KVM_MP_STATE_RUNNABLE)) || (r = mp_get(v, 0, &s0)))
		return r;
	EXPECT(s0 == KVM_MP_STATE_RUNNABLE, "BSP %u, want RUNNABLE", s0);
	/* SIPI_RECEIVED: the AP starts with the vector set by a SIPI (none yet: 0). */
	if ((r = mp_set(v, 1, KVM_MP_STATE_SIPI_RECEIVED)) || (r = mp_get(v, 1, &s1)))
		return r;
	EXPECT(s1 == KVM_MP_STATE_RUNNABLE, "AP %u after SIPI_RECEIVED, want RUNNABLE", s1);
	return PASS;
}

static int t_lapic_mp_state(void)
{
	WITH_LAPIC_VM(2, mp_body(v));
}

/*
 * HLT with interrupts off sleeps in the kernel: a signal ends KVM_RUN
 * (EINTR, still HALTED), and an NMI wakes the guest.
 */
static int halt_body(struct vm *v)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct kicker k = { .target = pthread_self(), .delay_ms = 300 };
	uint32_t state = 0;
	pthread_t t;
	double t0;
	long r;

	LOAD(v, lapic_halt);
	idt_gate(v, 2, LAPIC_GPA(lapic_halt, lapic_halt_nmi));
	if ((r = lapic_enter32(v, 0, GUEST_CODE)))
		return r;
	sigaction(SIGUSR1, &sa, NULL);
	pthread_create(&t, NULL, kick_thread, &k);
	t0 = now_ms();
	r = ioctl(v->vcpu[0], KVM_RUN, 0);
	k.done = 1;
	pthread_join(t, NULL);
	EXPECT(r == -1 && errno == EINTR, "KVM_RUN while halted: %ld/%s, exit %s", r,
	       strerror(errno), exit_name(v->run[0]->exit_reason));
	EXPECT(now_ms() - t0 >= 250, "KVM_RUN returned after %.0f ms", now_ms() - t0);
	EXPECT(v->run[0]->exit_reason == KVM_EXIT_INTR, "exit %s, want INTR",
	       exit_name(v->run[0]->exit_reason));
	if ((r = mp_get(v, 0, &state)))
		return r;
	EXPECT(state == KVM_MP_STATE_HALTED, "mp_state %u after the signal, want HALTED", state);
	EXPECT(ioctl(v->vcpu[0], KVM_NMI, 0) == 0, "KVM_NMI: %s", strerror(errno));
	return expect_io(v, 0, KVM_EXIT_IO_OUT, 0x62, 4, 2);
}

static int t_lapic_halt(void)
{
	WITH_LAPIC_VM(1, halt_body(v));
}

#define MSR_KVM_PV_EOI_EN	0x4b564d04
#define PVEOI_WORD		0x2100	/* DATA + 0x100 in lapic_guests.S */

/*
 * KVM PV EOI (MSR_KVM_PV_EOI_EN): offered, migratable, the word's GPA
 * checked, and the guest's EOI by clearing bit 0 takes effect (the
 * guest's side is lapic_pv_eoi in lapic_guests.S).
 */
static int pv_eoi_body(struct vm *v)
{
	struct kvm_cpuid_entry2 e;
	struct kvm_run *run = v->run[0];
	uint64_t val;
	uint32_t armed;
	int r;

	EXPECT(supported_cpuid_entry(0x40000001, 0, &e) && (e.eax & (1u << 6)),
	       "KVM_FEATURE_PV_EOI not in KVM_GET_SUPPORTED_CPUID");
	EXPECT(msr_index_listed(MSR_KVM_PV_EOI_EN), "MSR_KVM_PV_EOI_EN not in the MSR index list");
	/*
	 * Not 4-byte aligned, or enabled outside any memory slot: refused.
	 * (Not the APIC page: KVM with APICv has a slot of its own there.)
	 */
	val = PVEOI_WORD | 2 | 1;
	EXPECT(vcpu_msr(v, MSR_KVM_PV_EOI_EN, true, &val) == 0, "SET_MSRS took an unaligned word");
	val = (1ULL << 36) | 1;
	EXPECT(vcpu_msr(v, MSR_KVM_PV_EOI_EN, true, &val) == 0, "SET_MSRS took a word outside RAM");
	LOAD(v, lapic_pv_eoi);
	idt_gate(v, 0x41, LAPIC_GPA(lapic_pv_eoi, lapic_pv_eoi_irq));
	idt_gate(v, 0x42, LAPIC_GPA(lapic_pv_eoi, lapic_pv_eoi_irq));
	if ((r = lapic_enter32(v, 0, GUEST_CODE)) || (r = run_expect(v, 0, KVM_EXIT_IO)))
		return r;
	EXPECT(run->io.port == 0x60, "OUT to %#x, want 0x60", run->io.port);
	memcpy(&armed, (uint8_t *)run + run->io.data_offset, 4);
	/* KVM with APICv (virtual interrupt delivery) never arms it. */
	if (is_kvm() && armed == 0)
		return skip("KVM did not arm PV EOI (APIC virtualization in use?)");
	EXPECT(armed == 1, "the word read %#x in the handler of a lone vector, want 1", armed);
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x61, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x62, 4, 0)))
		return r;
	val = 0;
	EXPECT(vcpu_msr(v, MSR_KVM_PV_EOI_EN, false, &val) == 1 && val == (PVEOI_WORD | 1),
	       "GET_MSRS: %#llx", (unsigned long long)val);
	if ((r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x63, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x64, 4, 1)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x65, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x66, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x67, 4, 0)) ||
	    (r = expect_io(v, 0, KVM_EXIT_IO_OUT, 0x68, 4, 0)))
		return r;
	val = 1;
	EXPECT(vcpu_msr(v, MSR_KVM_PV_EOI_EN, false, &val) == 1 && val == 0, "GET_MSRS after the guest cleared it: %#llx",
	       (unsigned long long)val);
	return PASS;
}

static int t_lapic_pv_eoi(void)
{
	WITH_LAPIC_VM(1, pv_eoi_body(v));
}

#define LAPIC_TESTS \
	{ "lapic_timer_oneshot", t_lapic_oneshot }, \
	{ "lapic_timer_periodic", t_lapic_periodic }, \
	{ "lapic_timer_tsc_deadline", t_lapic_deadline }, \
	{ "lapic_self_ipi_eoi", t_lapic_selfipi }, \
	{ "lapic_tpr_masks", t_lapic_tpr }, \
	{ "lapic_cr8_lowers_tpr", t_lapic_cr8 }, \
	{ "lapic_init_sipi_ap", t_lapic_sipi }, \
	{ "lapic_get_set_state", t_lapic_state }, \
	{ "lapic_none_without_irqchip", t_lapic_no_irqchip }, \
	{ "lapic_x2apic_msrs", t_lapic_x2apic }, \
	{ "lapic_kvm_interrupt_enxio", t_lapic_kvm_interrupt }, \
	{ "lapic_mp_states", t_lapic_mp_state }, \
	{ "lapic_hlt_signal_nmi", t_lapic_halt }, \
	{ "lapic_pv_eoi", t_lapic_pv_eoi },
