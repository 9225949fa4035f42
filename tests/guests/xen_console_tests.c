// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of Xen console input and suspend: HXEN_XEN_CONSOLE_INPUT
 * fills the VM's console ring, console_io(CONSOLEIO_read) drains it,
 * VIRQ_CONSOLE announces input; SCHEDOP_shutdown(SHUTDOWN_suspend) exits
 * as KVM_SYSTEM_EVENT_SUSPEND and the guest sees the value userspace left
 * in RAX. #included by guesttest.c after xen_tests.c, whose helpers and
 * guests (xen_guests.S) it uses. The oracle is Xen's console.c semantics
 * (a byte count or an error, -E2BIG above INT_MAX) and sched.h; on KVM,
 * which has no Xen ABI, the tests skip.
 */

#define XC_RING		HXEN_XEN_CONSOLE_RING
#define XC_READ		(XG_BUF + 0x1000)	/* where the guest reads to */
#define XC_EDGE		(XG_GPA2 + XG_SIZE2 - 2)	/* 2 bytes of RAM, then none */

/* HXEN_XEN_CONSOLE_INPUT of @len bytes; the ioctl's result or -errno. */
static long xc_push(struct xg *x, const void *buf, uint32_t len, uint64_t *consumed)
{
	struct hxen_xen_console_input in = { .buf = (uintptr_t)buf, .len = len };
	long n = ioctl(x->vm.fd, HXEN_XEN_CONSOLE_INPUT, &in);

	if (n < 0)
		return -errno;
	if (consumed)
		*consumed = in.consumed;
	return n;
}

#define PUSH(want, buf, len, what)                                             \
	do {                                                                   \
		long n_ = xc_push(x, buf, len, NULL);                          \
		EXPECT(n_ == (long)(want), "%s: pushed %ld, want %ld", what,   \
		       n_, (long)(want));                                      \
	} while (0)

/* CONSOLEIO_read of @count into @buf that must return @want. */
#define READ(want, count, buf, what)                                           \
	HC(want, __HYPERVISOR_console_io, CONSOLEIO_read, count, buf, what)

/* What the last read left at XC_READ must be @s. */
#define READ_IS(s, n, what)                                                    \
	EXPECT(!memcmp(xg_buf(x, XC_READ), s, n), "%s: read '%.*s'", what,    \
	       (int)(n), (char *)xg_buf(x, XC_READ))

/* ---- the ioctl's rules ---- */

static int t_xen_console_input_ioctl(void)
{
	struct hxen_xen_console_input in;
	struct vm v;
	int r;

	if ((r = vm_open(&v)))
		return r;
	/* Without HXEN_XEN_ENABLE: what the other Xen ioctls answer. */
	memset(&in, 0, sizeof(in));
	errno = 0;
	if (ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, &in) == -1 && errno == ENOTTY)
		r = skip("no Xen ABI on this device (KVM 6.1 has none)");
	else if (errno != EINVAL)
		r = fail("console input without Xen: %s, want EINVAL", strerror(errno));
	if (r == PASS)
		r = xg_enable(&v, NULL);
	if (r == PASS) {
		char c = 'x';

		in.buf = (uintptr_t)&c;
		in.len = 1;
		in.flags = 1;
		errno = 0;
		if (ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, &in) != -1 || errno != EINVAL)
			r = fail("flags 1: %s, want EINVAL", strerror(errno));
		in.flags = 0;
		in.reserved[3] = 1;
		errno = 0;
		if (r == PASS && (ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, &in) != -1 || errno != EINVAL))
			r = fail("reserved: %s, want EINVAL", strerror(errno));
		in.reserved[3] = 0;
		errno = 0;
		if (r == PASS && (ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, (void *)8) != -1 ||
				  errno != EFAULT))
			r = fail("bad argument pointer: %s, want EFAULT", strerror(errno));
		in.buf = 8;
		errno = 0;
		if (r == PASS && (ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, &in) != -1 || errno != EFAULT))
			r = fail("bad buffer: %s, want EFAULT", strerror(errno));
		/* Nothing to take: the buffer is not looked at. */
		in.len = 0;
		in.consumed = 77;
		if (r == PASS && (ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, &in) != 0 || in.consumed))
			r = fail("empty push: %s, consumed %llu", strerror(errno),
				 (unsigned long long)in.consumed);
		in.buf = (uintptr_t)&c;
		in.len = 1;
		if (r == PASS && ioctl(v.fd, HXEN_XEN_CONSOLE_INPUT, &in) != 1)
			r = fail("push of 1 byte: %s", strerror(errno));
	}
	vm_close(&v);
	return r;
}

/* ---- CONSOLEIO_read ---- */

static int read_body(struct xg *x)
{
	static char big[XC_RING + 100];
	uint64_t consumed = 99;
	int r, i;

	if ((r = xg_install_page(x)))
		return r;
	READ(0, 10, XC_READ, "read, empty ring");
	READ(0, 10, XG_BAD, "read to a bad buffer, empty ring");

	/* In order, all of it when it fits. */
	PUSH(5, "hello", 5, "push hello");
	READ(5, 10, XC_READ, "read hello");
	READ_IS("hello", 5, "hello");
	READ(0, 10, XC_READ, "read after draining");

	/* Less than buffered; count 0; faults consume nothing. */
	PUSH(8, "abcdefgh", 8, "push abcdefgh");
	READ(3, 3, XC_READ, "read 3 of 8");
	READ_IS("abc", 3, "first 3");
	READ(0, 0, XC_READ, "read of 0 bytes");
	READ(0, 0, XG_BAD, "read of 0 bytes to a bad buffer");
	READ(-XEN_EFAULT, 5, XG_BAD, "read to a bad buffer");
	/* 2 bytes would fit, the rest faults: still nothing taken. */
	READ(-XEN_EFAULT, 5, XC_EDGE, "read across the end of RAM");
	READ(2, 2, XC_EDGE, "read of 2 at the end of RAM");
	EXPECT(!memcmp(xg_buf(x, XC_EDGE), "de", 2), "end of RAM: '%.2s'",
	       (char *)xg_buf(x, XC_EDGE));
	/* Xen: above INT_MAX is -E2BIG (a count must not look like an error). */
	READ(-XEN_E2BIG, 0x80000000ULL, XC_READ, "read of 2^31 bytes");
	READ(-XEN_E2BIG, 0xffffffffULL, XC_READ, "read of 2^32-1 bytes");
	if (x->m64) {
		/* Xen's count is an unsigned int: the high half is ignored. */
		READ(1, 0x100000001ULL, XC_READ, "read of 2^32+1 bytes (64-bit)");
		READ_IS("f", 1, "after the 2^32+1 read");
	} else {
		READ(1, 1, XC_READ, "read of 1");
		READ_IS("f", 1, "read of 1");
	}
	READ(2, 100, XC_READ, "read of the rest");
	READ_IS("gh", 2, "the rest");
	EXPECT(xc_push(x, "", 0, &consumed) == 0 && consumed == 13,
	       "consumed %llu, want 13", (unsigned long long)consumed);

	/* A full ring takes what fits, then nothing; all comes back in order. */
	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = 'A' + i % 23;
	PUSH(XC_RING, big, sizeof(big), "push beyond the ring");
	PUSH(0, big, 10, "push into a full ring");
	/* A full ring takes nothing, so does not look at the buffer. */
	PUSH(0, (void *)8, 10, "bad buffer, full ring");
	READ(XC_RING, 4 * XC_RING, XC_READ, "read of the full ring");
	EXPECT(!memcmp(xg_buf(x, XC_READ), big, XC_RING), "full ring content differs");
	/* Wrapping around the end of the ring. */
	PUSH(1000, big, 1000, "push 1000");
	READ(600, 600, XC_READ, "read 600");
	PUSH(600, big + 1000, 600, "push 600 (wraps)");
	READ(1000, 2000, XC_READ, "read across the wrap");
	EXPECT(!memcmp(xg_buf(x, XC_READ), big + 600, 1000), "wrapped content differs");
	/* A failed push (bad buffer) takes nothing either. */
	EXPECT(xc_push(x, (void *)8, 10, NULL) == -EFAULT, "push from a bad buffer");
	READ(0, 10, XC_READ, "read after a failed push");
	EXPECT(xc_push(x, "", 0, &consumed) == 0 && consumed == 13 + XC_RING + 1600,
	       "consumed %llu, want %u", (unsigned long long)consumed, 13 + XC_RING + 1600);
	return PASS;
}

static int t_xen64_console_read(void)
{
	WITH_XG(true, false, read_body(x));
}

static int t_xen32_console_read(void)
{
	WITH_XG(false, false, read_body(x));
}

/* ---- VIRQ_CONSOLE ---- */

static int virq_body(struct xg *x)
{
	struct evtchn_bind_virq bv = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
	struct evtchn_close cl;
	uint32_t timer, port, ups;
	bool was;
	int r;

	/* Shared_info, vcpu_info, the callback vector; VIRQ_TIMER bound. */
	if ((r = xt_setup(x, &timer)))
		return r;
	/* Input before the VIRQ is bound waits in the ring, unannounced. */
	PUSH(3, "abc", 3, "push before binding");
	ups = xg_mb32(x, 0x80);
	EVOP(0, EVTCHNOP_bind_virq, bv, &bv, "bind_virq(CONSOLE)");
	port = bv.port;
	EXPECT(port != timer && port, "console port %u (timer %u)", port, timer);
	EXPECT(xg_mb32(x, 0x80) == ups, "upcall on binding");
	if ((r = xt_take_pending(x, port, &was)))
		return r;
	EXPECT(!was, "console port pending before any push after binding");

	/* A push raises it: pending, and an upcall on the next entry. */
	PUSH(2, "de", 2, "push after binding");
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == ups + 1, "%u upcalls after a push, want %u",
	       xg_mb32(x, 0x80), ups + 1);
	if ((r = xt_take_pending(x, port, &was)))
		return r;
	EXPECT(was, "console port not pending after a push");
	if ((r = xt_take_pending(x, timer, &was)))
		return r;
	EXPECT(!was, "timer port pending after a console push");
	READ(5, 10, XC_READ, "read after the VIRQ");
	READ_IS("abcde", 5, "read after the VIRQ");

	/* Nothing taken, nothing raised: an empty push, a full ring. */
	PUSH(0, "", 0, "empty push");
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == ups + 1, "upcall after an empty push");
	if ((r = xt_take_pending(x, port, &was)))
		return r;
	EXPECT(!was, "console port pending after an empty push");

	/* Closed: pushes are not announced any more. */
	cl.port = port;
	EVOP(0, EVTCHNOP_close, cl, NULL, "close(CONSOLE)");
	PUSH(1, "f", 1, "push after close");
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == ups + 1, "upcall after close");
	if ((r = xt_take_pending(x, port, &was)))
		return r;
	EXPECT(!was, "closed console port pending");
	READ(1, 10, XC_READ, "read after close");
	return PASS;
}

static int t_xen64_console_virq(void)
{
	WITH_XG(true, false, virq_body(x));
}

static int t_xen32_console_virq(void)
{
	WITH_XG(false, false, virq_body(x));
}

/* ---- SHUTDOWN_suspend ---- */

/* Suspend; with @set, userspace makes the call return @val. */
static int xc_suspend(struct xg *x, bool set, uint64_t val, int64_t want)
{
	struct kvm_run *run = x->vm.run[0];
	struct kvm_regs regs;
	int r;

	*(uint32_t *)xg_buf(x, XG_BUF) = SHUTDOWN_suspend;
	xg_req(x, OP_HCALL, __HYPERVISOR_sched_op, SCHEDOP_shutdown, XG_BUF, 0, 0, 0);
	if ((r = run_expect(&x->vm, 0, KVM_EXIT_SYSTEM_EVENT)))
		return r;
	EXPECT(run->system_event.type == KVM_SYSTEM_EVENT_SUSPEND &&
	       run->system_event.ndata == 1 && run->system_event.data[0] == SHUTDOWN_suspend,
	       "system event %u (ndata %u, %llu), want %u (SUSPEND)", run->system_event.type,
	       run->system_event.ndata, (unsigned long long)run->system_event.data[0],
	       KVM_SYSTEM_EVENT_SUSPEND);
	EXPECT(ioctl(x->vm.vcpu[0], KVM_GET_REGS, &regs) == 0, "GET_REGS: %s", strerror(errno));
	/* The hypercall is complete: its result is in RAX already. */
	EXPECT(regs.rax == 0, "RAX %#llx at the suspend exit, want 0",
	       (unsigned long long)regs.rax);
	if (set) {
		regs.rax = val;
		EXPECT(ioctl(x->vm.vcpu[0], KVM_SET_REGS, &regs) == 0, "SET_REGS: %s",
		       strerror(errno));
	}
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_ret(x) == want, "suspend returned %lld, want %lld", (long long)xg_ret(x),
	       (long long)want);
	return PASS;
}

static int suspend_body(struct xg *x)
{
	int r;

	if ((r = xg_install_page(x)))
		return r;
	/* Cancelled (Xen's toolstack: 1), resumed after a real suspend (0). */
	if ((r = xc_suspend(x, true, 1, 1)) || (r = xc_suspend(x, false, 0, 0)))
		return r;
	*(uint32_t *)xg_buf(x, XG_BUF) = SHUTDOWN_soft_reset;
	HC(-XEN_ENOSYS, __HYPERVISOR_sched_op, SCHEDOP_shutdown, XG_BUF, 0, "soft_reset");
	/* The guest runs on as usual after it. */
	return xc_suspend(x, true, 1, 1);
}

static int t_xen64_suspend(void)
{
	WITH_XG(true, false, suspend_body(x));
}

static int t_xen32_suspend(void)
{
	WITH_XG(false, false, suspend_body(x));
}

#define XEN_CONSOLE_TESTS                                                      \
	{ "xen_console_input_ioctl", t_xen_console_input_ioctl },              \
	{ "xen64_console_read", t_xen64_console_read },                        \
	{ "xen32_console_read", t_xen32_console_read },                        \
	{ "xen64_console_virq", t_xen64_console_virq },                        \
	{ "xen32_console_virq", t_xen32_console_virq },                        \
	{ "xen64_suspend", t_xen64_suspend },                                  \
	{ "xen32_suspend", t_xen32_suspend },
