// SPDX-License-Identifier: GPL-2.0
/*
 * Security regression tests (issue 15): a VMM rewriting kvm_run fields
 * the kernel wrote (runs on KVM too: the oracle ignores them as well),
 * and hostile Xen guests: VCPUOP_is_up/up racing vCPU creation, event
 * sends into a VM being destroyed, shared_info and memslots moved across
 * the guest-physical space with the module's page count watched, ports
 * bound past the 32-bit layout, runstate padding. #included by
 * guesttest.c after the xen_*_tests.c parts, whose helpers it uses; the
 * guests are in sec_guests.S. The races are best effort (they widen a
 * window, they cannot force it); the test host's kernel log check and
 * slub_debug catch what they provoke.
 */
GUEST_SYM(sec_pio); GUEST_SYM(sec_isup); GUEST_SYM(sec_send); GUEST_SYM(sec_poll);
GUEST_SYM(sec_shmove);

#define SEC_MB		0x2800		/* mailbox (sec_guests.S) */
#define SEC_CODE	0x10c000	/* where the Xen loop guests run (slot 2) */
#define SEC_DECOY	1024		/* a kvm_run offset that is not the data */
#define HXEN_MAX_VCPUS_TEST	64	/* KVM_CAP_MAX_VCPUS on hxen */

/* The Bochs (VMX) host is ~20x slower: stress loops shrink there. */
static bool sec_slow_host(void)
{
	const char *cpu = getenv("HXEN_TESTHOST_CPU");

	return cpu && !strcmp(cpu, "vmx");
}

static volatile uint64_t *sec_mb(struct vm *v)
{
	return (volatile uint64_t *)(v->mem + SEC_MB);
}

/* ---- finding 1: kvm_run fields the kernel wrote are not read back ---- */

/*
 * Supply @len bytes of an IN at the real data offset, put a decoy where
 * @off points, and rewrite the fields KVM_RUN must not trust.
 */
static void sec_tamper_in(struct kvm_run *run, uint32_t real_off, const void *data,
			  size_t len, uint64_t off)
{
	memcpy((uint8_t *)run + real_off, data, len);
	memset((uint8_t *)run + SEC_DECOY, 0xa5, len);
	run->io.data_offset = off;
	run->io.size = 8;
	run->io.count = 0xffffffff;
}

struct sec_racer {
	volatile uint64_t *field;
	uint64_t val;
	volatile int stop;
};

/* Keep writing @val into the field, as a hostile VMM thread would. */
static void *sec_racer_fn(void *arg)
{
	struct sec_racer *s = arg;

	while (!s->stop)
		*s->field = s->val;
	return NULL;
}

static int sec_pio_body(struct vm *v)
{
	struct kvm_run *run = v->run[0];
	static const uint8_t pat[16] = "0123456789abcdef";
	uint32_t real_off, val4 = 0xcafef00d;
	uint8_t in1 = 0x5a, got[16];
	struct sec_racer racer;
	pthread_t t;
	int r, done, racing;

	LOAD(v, sec_pio);
	memcpy(v->mem + DATA + 0x200, pat, 16);
	if ((r = enter_real(v, 0)) || (r = run_expect(v, 0, KVM_EXIT_IO)))
		return r;
	EXPECT(run->io.direction == KVM_EXIT_IO_IN && run->io.port == 0x71 &&
	       run->io.size == 1 && run->io.count == 1, "first exit: IN %#x size %d count %u",
	       run->io.port, run->io.size, run->io.count);
	real_off = run->io.data_offset;
	EXPECT(real_off >= sizeof(*run) && real_off + 1024 <= (uint32_t)v->run_size,
	       "data_offset %u", real_off);
	/* IN al: the data is where the exit said, whatever data_offset says now. */
	sec_tamper_in(run, real_off, &in1, 1, SEC_DECOY);
	if ((r = run_expect(v, 0, KVM_EXIT_IO)))
		return r;
	EXPECT(v->mem[DATA] == 0x5a, "IN al read %#x: the kernel used the rewritten data_offset",
	       v->mem[DATA]);
	EXPECT(run->io.data_offset == real_off && run->io.size == 4 && run->io.count == 1,
	       "second exit: data_offset %llu size %d count %u",
	       (unsigned long long)run->io.data_offset, run->io.size, run->io.count);
	/* IN eax with data_offset far outside the page. */
	sec_tamper_in(run, real_off, &val4, 4, 0xfffff000);
	/* REP INSB: elements land from the real offset, count from the kernel. */
	for (done = 0; done < 16;) {
		if ((r = run_expect(v, 0, KVM_EXIT_IO)))
			return r;
		if (!done)
			EXPECT(*(uint32_t *)(v->mem + DATA + 4) == val4,
			       "IN eax read %#x", *(uint32_t *)(v->mem + DATA + 4));
		EXPECT(run->io.direction == KVM_EXIT_IO_IN && run->io.size == 1 &&
		       run->io.count >= 1 && done + run->io.count <= 16,
		       "rep insb exit: dir %d size %d count %u", run->io.direction, run->io.size,
		       run->io.count);
		done += run->io.count;
		sec_tamper_in(run, real_off, pat + done - run->io.count, run->io.count,
			      done % 2 ? SEC_DECOY : 0x7ffffff0);
	}
	/* REP OUTSB x32 while another thread keeps rewriting data_offset. */
	racer = (struct sec_racer){ .field = (volatile uint64_t *)&run->io.data_offset,
				    .val = SEC_DECOY };
	racing = pthread_create(&t, NULL, sec_racer_fn, &racer) == 0;
	for (done = 0, r = PASS; r == PASS && done < 32 * 16;) {
		if ((r = run_expect(v, 0, KVM_EXIT_IO)))
			break;
		if (!done && memcmp(v->mem + DATA + 0x100, pat, 16)) {
			struct kvm_regs regs;

			memset(&regs, 0, sizeof(regs));
			ioctl(v->vcpu[0], KVM_GET_REGS, &regs);
			r = fail("rep insb data: %.16s, want %.16s (next exit: dir %d port %#x "
				 "size %d count %u; rip %#llx rcx %#llx rdi %#llx)",
				 v->mem + DATA + 0x100, pat, run->io.direction, run->io.port,
				 run->io.size, run->io.count, (unsigned long long)regs.rip,
				 (unsigned long long)regs.rcx, (unsigned long long)regs.rdi);
			break;
		}
		if (run->io.direction != KVM_EXIT_IO_OUT || run->io.size != 1 ||
		    run->io.count < 1 || run->io.count > 16) {
			r = fail("rep outsb exit: dir %d size %d count %u", run->io.direction,
				 run->io.size, run->io.count);
			break;
		}
		memcpy(got, (uint8_t *)run + real_off, run->io.count);
		if (memcmp(got, pat + done % 16, run->io.count)) {
			r = fail("rep outsb element %d: the data was not at the real offset",
				 done);
			break;
		}
		/* Where the racer points: the kernel must not have written there. */
		memset((uint8_t *)run + SEC_DECOY, 0, 16);
		done += run->io.count;
	}
	racer.stop = 1;
	if (racing)
		pthread_join(t, NULL);
	if (r)
		return r;
	/* MMIO read: length and address from the kernel, not the rewritten run. */
	if ((r = run_expect(v, 0, KVM_EXIT_MMIO)))
		return r;
	EXPECT(run->mmio.phys_addr == 0xf000 && run->mmio.len == 4 && !run->mmio.is_write,
	       "MMIO exit %#llx len %u", (unsigned long long)run->mmio.phys_addr, run->mmio.len);
	memcpy(run->mmio.data, "\x44\x33\x22\x11\xff\xff\xff\xff", 8);
	run->mmio.len = 8;
	run->mmio.phys_addr = GUEST_CODE;
	run->mmio.is_write = 1;
	if ((r = run_expect(v, 0, KVM_EXIT_HLT)))
		return r;
	EXPECT(*(uint32_t *)(v->mem + DATA + 8) == 0x11223344, "MMIO read %#x",
	       *(uint32_t *)(v->mem + DATA + 8));
	EXPECT(v->mem[GUEST_CODE] == guest_sec_pio[0], "guest code written through MMIO");
	return PASS;
}

static int t_sec_pio_data_offset(void)
{
	WITH_VM(sec_pio_body(v));
}

/* ---- Xen loop guests ---- */

/* Put @start..@end at SEC_CODE and point vCPU 0 there (stack kept). */
static int sec_xen_jump(struct xg *x, const uint8_t *start, const uint8_t *end)
{
	struct kvm_regs regs;

	memcpy(xg_buf(x, SEC_CODE), start, end - start);
	EXPECT(ioctl(x->vm.vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	regs.rip = SEC_CODE;
	EXPECT(ioctl(x->vm.vcpu[0], KVM_SET_REGS, &regs) == 0, "SET_REGS: %s", strerror(errno));
	return PASS;
}

/* KVM_RUN of one vCPU in a thread of its own. */
struct sec_runner {
	int fd;
	pthread_t t;
	bool running;
	volatile int done;
	long r;
	int err;
};

static void *sec_runner_fn(void *arg)
{
	struct sec_runner *s = arg;

	s->r = ioctl(s->fd, KVM_RUN, 0);
	s->err = errno;
	__sync_synchronize();
	s->done = 1;
	return NULL;
}

static void sec_run_start(struct sec_runner *s, int fd)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };

	sigaction(SIGUSR1, &sa, NULL);
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->running = pthread_create(&s->t, NULL, sec_runner_fn, s) == 0;
}

/* Wait up to @ms for its KVM_RUN to return; signal it when @kick. */
static bool sec_run_wait(struct sec_runner *s, int ms, bool kick)
{
	for (; s->running && !s->done && ms > 0; ms -= 2) {
		if (kick)
			pthread_kill(s->t, SIGUSR1);
		usleep(2000);
	}
	if (s->running && s->done) {
		pthread_join(s->t, NULL);
		s->running = false;
	}
	return s->done;
}

/* Never leave a thread in KVM_RUN behind: signal it until it returns. */
static void sec_run_stop(struct sec_runner *s)
{
	if (s->running && !sec_run_wait(s, 5000, true)) {
		pthread_detach(s->t);
		s->running = false;
	}
}

/* ---- finding 2: a vCPU is published only when complete ---- */

static int sec_isup_round(void)
{
	struct xg xg_, *x = &xg_;
	struct sec_runner run0 = { .running = false };
	int fds[HXEN_MAX_VCPUS_TEST], n = 0, r, i;

	r = xg_open(x, true, true);
	if (r == PASS)
		r = xg_install_page(x);
	if (r == PASS)
		r = sec_xen_jump(x, guest_sec_isup, guest_sec_isup_end);
	if (r) {
		xg_close(x);
		return r;
	}
	sec_mb(&x->vm)[0] = 0;
	sec_mb(&x->vm)[1] = 0;
	sec_run_start(&run0, x->vm.vcpu[0]);
	/* Every new vCPU is at once a target of vCPU 0's VCPUOP_is_up/up. */
	for (i = 1; i < HXEN_MAX_VCPUS_TEST && r == PASS; i++) {
		fds[n] = ioctl(x->vm.fd, KVM_CREATE_VCPU, i);
		if (fds[n] < 0)
			r = fail("KVM_CREATE_VCPU(%d): %s", i, strerror(errno));
		else
			n++;
	}
	sec_mb(&x->vm)[0] = 1;
	if (r == PASS && !sec_run_wait(&run0, 20000, false))
		r = fail("vCPU 0 did not stop within 20 s");
	if (r == PASS && (run0.r || x->vm.run[0]->exit_reason != KVM_EXIT_IO))
		r = fail("vCPU 0: KVM_RUN %ld/%s exit %u", run0.r, strerror(run0.err),
			 x->vm.run[0]->exit_reason);
	if (r == PASS && !sec_mb(&x->vm)[1])
		r = fail("vCPU 0 made no round of calls");
	sec_run_stop(&run0);
	while (n)
		close(fds[--n]);
	xg_close(x);
	return r;
}

static int t_sec_xen_is_up_vs_create(void)
{
	int rounds = sec_slow_host() ? 2 : 8, i, r;

	for (i = 0; i < rounds; i++)
		if ((r = sec_isup_round()))
			return r;
	return PASS;
}

/* ---- finding 3: sends into a VM being destroyed ---- */

/* The receiver: bound to (@dom, @port), vCPU 0 polling its port in a thread. */
static int sec_receiver(struct xg *b, uint32_t dom, uint32_t port, struct sec_runner *run)
{
	struct evtchn_bind_interdomain bi = { .remote_dom = dom, .remote_port = port };
	volatile uint64_t *mb = sec_mb(&b->vm);
	struct xg *x = b;
	uint64_t pv;
	int r;

	(void)pv;
	if ((r = xg_install_page(b)))
		return r;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "receiver: bind_interdomain");
	mb[1] = 0;
	mb[4] = bi.local_port;			/* the ports array */
	mb[6] = SEC_MB + 0x20;			/* struct sched_poll */
	mb[7] = 1;
	mb[8] = 0;
	if ((r = sec_xen_jump(b, guest_sec_poll, guest_sec_poll_end)))
		return r;
	sec_run_start(run, b->vm.vcpu[0]);
	return PASS;
}

static int sec_send_body(struct xg *a, struct xg *b)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = b->domid };
	volatile uint64_t *mb = sec_mb(&a->vm);
	struct sec_runner ra = { .running = false }, rb = { .running = false };
	int rounds = sec_slow_host() ? 3 : 20, i, r, t;
	uint32_t bdom = b->domid;
	uint64_t polls = 0;
	struct xg *x = a;

	if ((r = xg_install_page(a)))
		return r;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "sender: alloc_unbound");
	mb[0] = 0;
	mb[1] = 0;
	mb[6] = au.port;			/* struct evtchn_send */
	if ((r = sec_xen_jump(a, guest_sec_send, guest_sec_send_end)))
		return r;
	sec_run_start(&ra, a->vm.vcpu[0]);
	for (i = 0; i < rounds && r == PASS; i++) {
		/* Domain ids are handed out lowest first: b's comes back. */
		if (i && (r = xg_open(b, true, false)) == PASS && b->domid != bdom)
			r = fail("the new receiver got domid %u, not %u", b->domid, bdom);
		if (r == PASS)
			r = sec_receiver(b, a->domid, au.port, &rb);
		/*
		 * Until the receiver has polled a few times with the sender
		 * going (so it sleeps in SCHEDOP_poll when it is destroyed),
		 * at least 50 ms, at most 2 s.
		 */
		for (t = 0; r == PASS && t < 200 && (t < 5 || sec_mb(&b->vm)[1] < 3); t++)
			usleep(10000);
		polls += sec_mb(&b->vm)[1];
		/* The receiver goes while the sender keeps sending to it. */
		sec_run_stop(&rb);
		xg_gone(b);
	}
	mb[0] = 1;
	if (!sec_run_wait(&ra, 20000, false) && r == PASS)
		r = fail("the sender did not stop");
	sec_run_stop(&ra);
	if (r)
		return r;
	EXPECT(ra.r == 0 && a->vm.run[0]->exit_reason == KVM_EXIT_IO,
	       "sender: KVM_RUN %ld/%s exit %u", ra.r, strerror(ra.err),
	       a->vm.run[0]->exit_reason);
	EXPECT(mb[1] > 0, "the sender made no call");
	EXPECT(polls > 0, "the receivers never woke from SCHEDOP_poll");
	printf("# %llu sends, %llu polls ended, %d receivers destroyed\n",
	       (unsigned long long)mb[1], (unsigned long long)polls, rounds);
	return PASS;
}

static int t_sec_xen_send_vs_destroy(void)
{
	struct xg xa, xb;
	int r;

	r = xg_open(&xa, true, false);
	if (r == PASS) {
		r = xg_open(&xb, true, false);
		if (r == PASS)
			r = sec_send_body(&xa, &xb);
		xg_close(&xb);
	}
	xg_close(&xa);
	return r;
}

/* ---- finding 5: second-level tables stay bounded ---- */

static int sec_live_pages(struct vm *v, uint64_t *pages)
{
	struct hxen_info info;

	EXPECT(ioctl(v->sys, HXEN_GET_INFO, &info) == 0, "HXEN_GET_INFO: %s", strerror(errno));
	*pages = info.live_pages;
	return PASS;
}

/*
 * Run sec_shmove for @n moves from frame @base (a memslot moved by the
 * VMM when @slot_mode): the module's pages may not grow by more than
 * a few tables between reports.
 */
static int sec_shmove_run(struct xg *x, uint64_t base, uint64_t n, bool slot_mode)
{
	volatile uint64_t *mb = sec_mb(&x->vm);
	struct kvm_run *run = x->vm.run[0];
	struct kvm_userspace_memory_region m3 = {
		.slot = 3, .memory_size = 4096,
	};
	uint64_t first = 0, pages = 0, most = 0;
	uint8_t *page3;
	int r;

	page3 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(page3 != MAP_FAILED, "mmap: %s", strerror(errno));
	page3[1] = 0x5a;
	m3.userspace_addr = (uintptr_t)page3;
	mb[1] = 0;
	mb[2] = n;
	mb[3] = base;
	mb[5] = slot_mode;
	*(volatile uint16_t *)(x->vm.mem + SEC_MB + 0x30) = DOMID_SELF;	/* add_to_physmap */
	*(volatile uint16_t *)(x->vm.mem + SEC_MB + 0x32) = 0;
	*(volatile uint32_t *)(x->vm.mem + SEC_MB + 0x34) = XENMAPSPACE_shared_info;
	mb[7] = 0;				/* idx */
	if ((r = sec_xen_jump(x, guest_sec_shmove, guest_sec_shmove_end)))
		return r;
	for (;;) {
		if ((r = run_expect(&x->vm, 0, KVM_EXIT_IO)))
			return r;
		if (run->io.port == 0x83) {
			m3.guest_phys_addr = mb[8] << 12;
			EXPECT(ioctl(x->vm.fd, KVM_SET_USER_MEMORY_REGION, &m3) == 0,
			       "move slot 3 to %#llx: %s", (unsigned long long)m3.guest_phys_addr,
			       strerror(errno));
			continue;
		}
		if (run->io.port != 0x80)
			break;
		if ((r = sec_live_pages(&x->vm, &pages)))
			return r;
		if (!first)
			first = pages;
		if (pages > first && pages - first > most)
			most = pages - first;
		EXPECT(pages <= first + 64,
		       "the module's pages grew by %llu over %llu moves (tables not freed)",
		       (unsigned long long)(pages - first), (unsigned long long)mb[1]);
	}
	EXPECT(run->io.port == 0x82, "move %llu failed: result %lld",
	       (unsigned long long)mb[1], (long long)mb[4]);
	printf("# %llu %s moves, module pages within +%llu\n", (unsigned long long)n,
	       slot_mode ? "memslot" : "shared_info", (unsigned long long)most);
	m3.memory_size = 0;
	ioctl(x->vm.fd, KVM_SET_USER_MEMORY_REGION, &m3);
	munmap(page3, 4096);
	return PASS;
}

static int sec_shmove_body(struct xg *x)
{
	bool slow = sec_slow_host();
	int r;

	if ((r = xg_install_page(x)))
		return r;
	/* Every move to another 2 MiB region: one more table each, before the fix. */
	if ((r = sec_shmove_run(x, 0x400, slow ? 3000 : 100000, false)))
		return r;
	return sec_shmove_run(x, 0x400, slow ? 1100 : 3000, true);
}

static int t_sec_xen_tables_bounded(void)
{
	WITH_XG(true, false, sec_shmove_body(x));
}

/* ---- finding 7: ports past the 32-bit layout ---- */

static int sec_ports_body(struct xg *a, struct xg *b)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_interdomain bi = { .remote_dom = a->domid };
	struct evtchn_status st;
	struct evtchn_close cl;
	struct evtchn_send sd;
	uint32_t pb1, pb2, adom = a->domid;
	uint64_t mask0, mask1, pv;
	int64_t ret;
	struct xg *x;
	int r, i;

	(void)pv;
	if ((r = xg_install_page(a)) || (r = xg_install_page(b)))
		return r;
	/* A 32-bit guest binds ports 1025 and 1026 before it maps shared_info. */
	for (i = 1; i <= 1024; i++) {
		if ((r = xg_evop(a, &ret, EVTCHNOP_alloc_unbound, &au, sizeof(au), &au)))
			return r;
		EXPECT(ret == 0 && au.port == (uint32_t)i, "alloc %d: %lld port %u", i,
		       (long long)ret, au.port);
	}
	x = a;
	au.remote_dom = b->domid;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc 1025 for b");
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc 1026 for b");
	EXPECT(au.port == 1026, "port %u", au.port);
	x = b;
	bi.remote_port = 1025;
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "b: bind 1025");
	pb1 = bi.local_port;
	bi.remote_port = 1026;
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "b: bind 1026");
	pb2 = bi.local_port;
	/* Now the 32-bit layout: 1024 ports, mask bits right after 1024 pending bits. */
	x = a;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "a: map shared_info");
	if ((r = xg_load(a, XG_SHINFO + 2048 + 128, &mask0)))
		return r;
	cl.port = 1025;
	EVOP(0, EVTCHNOP_close, cl, NULL, "a: close 1025 after the layout switch");
	if ((r = xg_status(b, pb1, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == adom,
	       "b's end of 1025 after a closed it: status %u", st.status);
	/* b sends to 1026: no bit of a's 32-bit layout may change (1026 is mask bit 2). */
	x = b;
	sd.port = pb2;
	EVOP(0, EVTCHNOP_send, sd, NULL, "b: send to 1026");
	if ((r = xg_load(a, XG_SHINFO + 2048 + 128, &mask1)))
		return r;
	EXPECT(mask0 == mask1, "a's mask bits %#llx -> %#llx", (unsigned long long)mask0,
	       (unsigned long long)mask1);
	/* a goes with 1026 bound: its teardown unlinks b's end. */
	xg_gone(a);
	if ((r = xg_status(b, pb2, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == adom,
	       "b's end of 1026 after a died: status %u", st.status);
	return PASS;
}

static int t_sec_xen32_ports_past_layout(void)
{
	struct xg xa, xb;
	int r;

	r = xg_open(&xa, false, false);
	if (r == PASS) {
		r = xg_open(&xb, true, false);
		if (r == PASS)
			r = sec_ports_body(&xa, &xb);
		xg_close(&xb);
	}
	xg_close(&xa);
	return r;
}

/* ---- suspected: runstate padding ---- */

static int sec_runstate_body(struct xg *x)
{
	uint8_t *buf = xg_buf(x, XG_BUF);
	int r;

	if ((r = xg_install_page(x)))
		return r;
	memset(buf, 0xff, 0x300);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, XG_BUF, "get_runstate_info");
	EXPECT(!memcmp(buf + 4, "\0\0\0\0", 4), "get_runstate_info padding %02x%02x%02x%02x",
	       buf[4], buf[5], buf[6], buf[7]);
	*(uint64_t *)(buf + 0x100) = XG_BUF + 0x200;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0, XG_BUF + 0x100,
	   "register_runstate_memory_area");
	EXPECT(!memcmp(buf + 0x204, "\0\0\0\0", 4), "runstate area padding %02x%02x%02x%02x",
	       buf[0x204], buf[0x205], buf[0x206], buf[0x207]);
	return PASS;
}

static int t_sec_xen64_runstate_padding(void)
{
	WITH_XG(true, false, sec_runstate_body(x));
}

#define SEC_TESTS                                                              \
	{ "sec_pio_data_offset_rewritten", t_sec_pio_data_offset },            \
	{ "sec_xen_is_up_vs_vcpu_create", t_sec_xen_is_up_vs_create },         \
	{ "sec_xen_send_vs_destroy", t_sec_xen_send_vs_destroy },              \
	{ "sec_xen_tables_bounded", t_sec_xen_tables_bounded },                \
	{ "sec_xen32_ports_past_layout", t_sec_xen32_ports_past_layout },      \
	{ "sec_xen64_runstate_padding", t_sec_xen64_runstate_padding },
