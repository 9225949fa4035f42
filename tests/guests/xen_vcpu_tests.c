// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of VCPUOP_initialise / up / down / is_up (kmod/xen/vcpu_up.c)
 * in a 2-vCPU Xen VM with the in-kernel irqchip: vCPU 0 runs the driver
 * guest of xen_tests.c (64-bit or 32-bit caller), vCPU 1 the code of
 * xen_vcpu_guests.S from a vcpu_hvm_context (32B or 64B) in its own
 * thread. #included by guesttest.c after xen_tests.c, whose helpers it
 * uses. The oracle is Xen's public headers and what Xen does (common
 * do_vcpu_op, x86 arch_set_info_hvm_guest); KVM has no Xen ABI: the tests
 * skip there.
 */
#include <xen/hvm/hvm_vcpu.h>

GUEST_SYM(xvcpu32); GUEST_SYM(xvcpu64);

#define XV_CODE		0x10c000	/* vCPU 1's code, mailbox and stack (slot 2) */
#define XV_MB		0x10d000
#define XV_STACK	0x10e000
#define XV_MAGIC32	0x5eed1234U
#define XV_MAGIC64	0x5eed12345678abcdULL

/* Mailbox slots (xen_vcpu_guests.S). */
enum { XV_RBX, XV_RCX, XV_RDX, XV_RDI, XV_RBP, XV_RSP, XV_RFLAGS, XV_CR0, XV_CR4, XV_CS,
       XV_RAX, XV_EFER, XV_COUNT, XV_GO, XV_DOWN_RET, XV_CR3 };

static volatile uint64_t *xv_mb(struct xg *x)
{
	return xg_buf(x, XV_MB);
}

/* vCPU 1's KVM_RUN in a thread of its own. */
struct xv_ap {
	struct vm *v;
	pthread_t t;
	bool running;
	volatile int done;
	long r;
	int err;
};

static void *xv_ap_fn(void *arg)
{
	struct xv_ap *a = arg;

	a->r = ioctl(a->v->vcpu[1], KVM_RUN, 0);
	a->err = errno;
	__sync_synchronize();
	a->done = 1;
	return NULL;
}

static void xv_ap_start(struct xv_ap *a)
{
	a->done = 0;
	a->r = 0;
	a->err = 0;
	a->running = pthread_create(&a->t, NULL, xv_ap_fn, a) == 0;
}

/* Did its KVM_RUN return within @ms? */
static bool xv_ap_wait(struct xv_ap *a, int ms)
{
	while (!a->done && ms-- > 0)
		usleep(1000);
	if (a->done && a->running) {
		pthread_join(a->t, NULL);
		a->running = false;
	}
	return a->done;
}

/* SIGUSR1 until its KVM_RUN returns (EINTR), then join. */
static void xv_ap_stop(struct xv_ap *a)
{
	int i;

	for (i = 0; a->running && !a->done && i < 500; i++) {
		pthread_kill(a->t, SIGUSR1);
		usleep(10000);
	}
	if (!a->running)
		return;
	if (a->done)
		pthread_join(a->t, NULL);
	else
		pthread_detach(a->t);	/* reported by the caller; never seen */
	a->running = false;
}

/* The AP's KVM_RUN returned with OUT to @port. */
static int xv_ap_out(struct xv_ap *a, int ms, uint16_t port)
{
	struct kvm_run *run = a->v->run[1];

	EXPECT(xv_ap_wait(a, ms), "vCPU 1 did not reach OUT %#x within %d ms", port, ms);
	EXPECT(a->r == 0, "vCPU 1 KVM_RUN: %ld/%s", a->r, strerror(a->err));
	EXPECT(run->exit_reason == KVM_EXIT_IO && run->io.port == port,
	       "vCPU 1 exit %s (%u) port %#x, want OUT %#x", exit_name(run->exit_reason),
	       run->exit_reason, run->io.port, port);
	return PASS;
}

static int xv_mp_state(struct xg *x, int id, uint32_t want, const char *what)
{
	struct kvm_mp_state mp;

	EXPECT(ioctl(x->vm.vcpu[id], KVM_GET_MP_STATE, &mp) == 0, "GET_MP_STATE: %s",
	       strerror(errno));
	EXPECT(mp.mp_state == want, "%s: vCPU %d mp_state %u, want %u", what, id, mp.mp_state,
	       want);
	return PASS;
}

static int xv_set_mp_state(struct xg *x, int id, uint32_t state)
{
	struct kvm_mp_state mp = { .mp_state = state };

	EXPECT(ioctl(x->vm.vcpu[id], KVM_SET_MP_STATE, &mp) == 0, "SET_MP_STATE(%u): %s", state,
	       strerror(errno));
	return PASS;
}

/* A context vCPU 1 runs the mailbox code from (xen_vcpu_guests.S). */
static void xv_ctx(struct vcpu_hvm_context *c, uint32_t mode)
{
	memset(c, 0, sizeof(*c));
	c->mode = mode;
	if (mode == VCPU_HVM_MODE_32B) {
		struct vcpu_hvm_x86_32 *r = &c->cpu_regs.x86_32;

		r->eax = 0xa0a0a0a0;
		r->ebx = XV_MAGIC32;
		r->ecx = 0x11111111;
		r->edx = 0x22222222;
		r->esi = XV_MB;
		r->edi = 0x33333333;
		r->ebp = 0x44444444;
		r->esp = XV_STACK;
		r->eip = XV_CODE;
		r->eflags = 0x40002 | 0x20000;	/* AC kept, VM dropped */
		r->cr0 = 0x11;			/* PE | ET */
		r->cs_limit = r->ds_limit = r->ss_limit = r->es_limit = 0xffffffff;
		r->cs_ar = 0xc9b;		/* flat 32-bit code */
		r->ds_ar = r->ss_ar = r->es_ar = 0xc93;
		r->tr_limit = 0x67;
		r->tr_ar = 0x8b;		/* busy 32-bit TSS */
	} else {
		struct vcpu_hvm_x86_64 *r = &c->cpu_regs.x86_64;

		r->rax = 0xa0a0a0a0a0a0a0a0ULL;
		r->rbx = XV_MAGIC64;
		r->rcx = 0x1111111111111111ULL;
		r->rdx = 0x2222222222222222ULL;
		r->rsi = XV_MB;
		r->rdi = 0x3333333333333333ULL;
		r->rbp = 0x4444444444444444ULL;
		r->rsp = XV_STACK;
		r->rip = XV_CODE;
		r->rflags = 0x40002 | 0x20000;
		r->cr0 = 0x80000011;		/* PG | PE | ET */
		r->cr3 = 0x3000;
		r->cr4 = 0x20;			/* PAE */
		r->efer = 0x100;		/* LME: LMA follows */
	}
}

/* VCPUOP_initialise(@id) with @c at XG_BUF. */
static int xv_init(struct xg *x, int64_t *ret, uint64_t id, const struct vcpu_hvm_context *c)
{
	memcpy(xg_buf(x, XG_BUF), c, sizeof(*c));
	return xg_hc(x, ret, __HYPERVISOR_vcpu_op, VCPUOP_initialise, id, XG_BUF);
}

#define XV_INIT(want, id, ctx, what)                                           \
	do {                                                                   \
		int64_t ret_;                                                  \
		int rr_ = xv_init(x, &ret_, id, &(ctx));                       \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (int64_t)(want), "initialise, %s: %lld, want %lld", \
		       what, (long long)ret_, (long long)(want));              \
	} while (0)

#define VOP(want, op, id, what)                                                \
	HC(want, __HYPERVISOR_vcpu_op, op, id, 0, what)

/* vCPU 1 and its code, identity-mapped 2 MiB for a 64B context, the hypercall page. */
/*
 * @lm: offer long mode in vCPU 0's CPUID (Xen checks EFER against the
 * domain's policy), before vCPU 0 first runs: after that KVM_SET_CPUID2
 * may only repeat the table (KVM 6.1).
 */
static int xv_setup(struct xg *x, bool lm)
{
	uint64_t *pml4 = (uint64_t *)(x->vm.mem + 0x3000);
	int r;

	if ((r = vcpu_open(&x->vm, 1)))
		return r;
	if (lm && (r = set_cpuid_lm(&x->vm, 0)))
		return r;
	pml4[0] = 0x4003;
	((uint64_t *)(x->vm.mem + 0x4000))[0] = 0x5003;
	((uint64_t *)(x->vm.mem + 0x5000))[0] = 0x83;
	memcpy(xg_buf(x, XV_CODE), guest_xvcpu32, guest_xvcpu32_end - guest_xvcpu32);
	memset((void *)xv_mb(x), 0, 0x100);
	return xg_install_page(x);
}

/* The counter vCPU 1 increments: does it move within @ms? */
static int xv_counting(struct xg *x, int ms, bool *moving)
{
	uint64_t c0 = xv_mb(x)[XV_COUNT];

	usleep(ms * 1000);
	*moving = xv_mb(x)[XV_COUNT] != c0;
	return PASS;
}

/* vCPU 0 polls until @gpa holds @want (it sees vCPU 1's write). */
static int xv_poll_load(struct xg *x, uint64_t gpa, uint64_t want, int ms)
{
	uint64_t val = 0;
	int r;

	for (;;) {
		if ((r = xg_load(x, gpa, &val)))
			return r;
		if (val == want || ms <= 0)
			break;
		usleep(10000);
		ms -= 10;
	}
	EXPECT(val == want, "vCPU 0 reads %#llx at %#llx, want %#llx",
	       (unsigned long long)val, (unsigned long long)gpa, (unsigned long long)want);
	return PASS;
}

static int xv_up_steps(struct xg *x, struct xv_ap *a, uint32_t mode)
{
	bool m64 = mode == VCPU_HVM_MODE_64B;
	volatile uint64_t *mb = xv_mb(x);
	struct kvm_run *run0 = x->vm.run[0];
	struct vcpu_hvm_context ctx;
	uint64_t magic = m64 ? XV_MAGIC64 : XV_MAGIC32;
	uint64_t mask = m64 ? ~0ULL : 0xffffffffULL;
	bool moving;
	int r;

	if ((r = xv_setup(x, m64)))
		return r;
	if (m64)
		memcpy(xg_buf(x, XV_CODE), guest_xvcpu64, guest_xvcpu64_end - guest_xvcpu64);
	if ((r = xv_mp_state(x, 1, KVM_MP_STATE_UNINITIALIZED, "created")))
		return r;
	VOP(1, VCPUOP_is_up, 0, "is_up(0)");
	VOP(0, VCPUOP_is_up, 1, "is_up(1) before initialise");
	VOP(-XEN_EINVAL, VCPUOP_up, 1, "up(1) before initialise");

	xv_ctx(&ctx, mode);
	XV_INIT(0, 1, ctx, "vCPU 1");
	XV_INIT(-XEN_EEXIST, 1, ctx, "vCPU 1 again");
	XV_INIT(-XEN_EEXIST, 0, ctx, "vCPU 0 (running)");
	/* Initialised, still down (Xen sets _VPF_down). */
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after initialise");
	if ((r = xv_mp_state(x, 1, KVM_MP_STATE_UNINITIALIZED, "initialised")))
		return r;

	/* Its KVM_RUN waits in the kernel until VCPUOP_up. */
	xv_ap_start(a);
	EXPECT(!xv_ap_wait(a, 100), "down vCPU 1 left KVM_RUN: %ld/%s exit %u", a->r,
	       strerror(a->err), x->vm.run[1]->exit_reason);
	EXPECT(mb[XV_RBX] == 0 && mb[XV_COUNT] == 0, "down vCPU 1 ran");
	VOP(0, VCPUOP_up, 1, "up(1)");
	VOP(1, VCPUOP_is_up, 1, "is_up(1) after up");
	if ((r = xv_poll_load(x, XV_MB, magic, 5000)))
		return r;
	EXPECT(mb[XV_RCX] == (0x1111111111111111ULL & mask) &&
	       mb[XV_RDX] == (0x2222222222222222ULL & mask) &&
	       mb[XV_RDI] == (0x3333333333333333ULL & mask) &&
	       mb[XV_RBP] == (0x4444444444444444ULL & mask) &&
	       mb[XV_RAX] == (0xa0a0a0a0a0a0a0a0ULL & mask) && mb[XV_RSP] == XV_STACK,
	       "registers: rcx %#llx rdx %#llx rdi %#llx rbp %#llx rax %#llx rsp %#llx",
	       (unsigned long long)mb[XV_RCX], (unsigned long long)mb[XV_RDX],
	       (unsigned long long)mb[XV_RDI], (unsigned long long)mb[XV_RBP],
	       (unsigned long long)mb[XV_RAX], (unsigned long long)mb[XV_RSP]);
	EXPECT(mb[XV_RFLAGS] == 0x40002, "rflags %#llx, want 0x40002 (VM dropped)",
	       (unsigned long long)mb[XV_RFLAGS]);
	EXPECT(mb[XV_CS] == 0, "CS selector %#llx, want 0", (unsigned long long)mb[XV_CS]);
	if (m64)
		EXPECT((mb[XV_CR0] & 0x80000001) == 0x80000001 && (mb[XV_CR4] & 0x20) &&
		       mb[XV_CR3] == 0x3000 && (mb[XV_EFER] & 0x500) == 0x500,
		       "64B: cr0 %#llx cr4 %#llx cr3 %#llx efer %#llx",
		       (unsigned long long)mb[XV_CR0], (unsigned long long)mb[XV_CR4],
		       (unsigned long long)mb[XV_CR3], (unsigned long long)mb[XV_EFER]);
	else
		EXPECT((mb[XV_CR0] & 0x80000001) == 1 && !(mb[XV_EFER] & 0x500),
		       "32B: cr0 %#llx efer %#llx", (unsigned long long)mb[XV_CR0],
		       (unsigned long long)mb[XV_EFER]);
	if ((r = xv_counting(x, 20, &moving)))
		return r;
	EXPECT(moving, "vCPU 1 is not running after up");

	/* Down: it stops (asynchronously: give the kick a moment), up: it goes on. */
	VOP(0, VCPUOP_down, 1, "down(1)");
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after down");
	usleep(30000);
	if ((r = xv_counting(x, 60, &moving)))
		return r;
	EXPECT(!moving, "vCPU 1 still runs after down");
	EXPECT(!a->done, "down vCPU 1 left KVM_RUN");
	VOP(0, VCPUOP_down, 1, "down(1) again");
	mb[XV_RBX] = 0;
	VOP(0, VCPUOP_up, 1, "up(1) again");
	VOP(1, VCPUOP_is_up, 1, "is_up(1) up again");
	if ((r = xv_counting(x, 30, &moving)))
		return r;
	EXPECT(moving, "vCPU 1 does not run after the second up");
	EXPECT(mb[XV_RBX] == 0, "vCPU 1 started over from its context, want it to go on");

	/* Out to userspace; a down there shows in its MP state. */
	mb[XV_GO] = 1;
	if ((r = xv_ap_out(a, 5000, 0x81)) ||
	    (r = xv_mp_state(x, 1, KVM_MP_STATE_RUNNABLE, "in userspace")))
		return r;
	VOP(0, VCPUOP_down, 1, "down(1) in userspace");
	if ((r = xv_mp_state(x, 1, KVM_MP_STATE_UNINITIALIZED, "down in userspace")))
		return r;
	VOP(0, VCPUOP_up, 1, "up(1) in userspace");
	if ((r = xv_mp_state(x, 1, KVM_MP_STATE_RUNNABLE, "up in userspace")))
		return r;

	/* VCPUOP_down on itself: synchronous; the call returns 0 after up. */
	xv_ap_start(a);
	{
		int64_t ret = 1;
		int i;

		for (i = 0; i < 500 && ret != 0; i++) {
			if ((r = xg_hc(x, &ret, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0)))
				return r;
			if (ret)
				usleep(10000);
		}
		EXPECT(ret == 0, "vCPU 1 did not go down on its own: is_up %lld", (long long)ret);
	}
	EXPECT(!xv_ap_wait(a, 50), "vCPU 1 went on after downing itself");

	/* Xen: the last vCPU going down powers the domain off; vCPU 0 stays up. */
	xg_req(x, OP_HCALL, __HYPERVISOR_vcpu_op, VCPUOP_down, 0, 0, 0, 0);
	if ((r = run_expect(&x->vm, 0, KVM_EXIT_SYSTEM_EVENT)))
		return r;
	EXPECT(run0->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN &&
	       run0->system_event.ndata == 1 && run0->system_event.data[0] == SHUTDOWN_poweroff,
	       "last down: system event %u (ndata %u, %llu), want SHUTDOWN poweroff",
	       run0->system_event.type, run0->system_event.ndata,
	       (unsigned long long)run0->system_event.data[0]);
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_ret(x) == 0, "down(0) as the last vCPU returned %lld", (long long)xg_ret(x));
	VOP(1, VCPUOP_is_up, 0, "is_up(0) after powering off");

	VOP(0, VCPUOP_up, 1, "up(1) after it downed itself");
	if ((r = xv_ap_out(a, 5000, 0x82)))
		return r;
	EXPECT(mb[XV_DOWN_RET] == 0, "VCPUOP_down on itself returned %lld",
	       (long long)(m64 ? (int64_t)mb[XV_DOWN_RET] : (int32_t)mb[XV_DOWN_RET]));

	/* Teardown with vCPU 1 down and its thread waiting in KVM_RUN. */
	VOP(0, VCPUOP_down, 1, "down(1) before teardown");
	xv_ap_start(a);
	EXPECT(!xv_ap_wait(a, 50), "down vCPU 1 left KVM_RUN before teardown");
	xv_ap_stop(a);
	EXPECT(a->done && a->r == -1 && a->err == EINTR, "signalled down vCPU 1: %ld/%s",
	       a->r, strerror(a->err));
	return PASS;
}

static int xv_up_body(struct xg *x, uint32_t mode)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct xv_ap a = { .v = &x->vm };
	int r;

	sigaction(SIGUSR1, &sa, NULL);
	r = xv_up_steps(x, &a, mode);
	xv_ap_stop(&a);
	return r;
}

static int t_xen64_vcpu_up_32b(void)
{
	WITH_XG(true, true, xv_up_body(x, VCPU_HVM_MODE_32B));
}

static int t_xen64_vcpu_up_64b(void)
{
	WITH_XG(true, true, xv_up_body(x, VCPU_HVM_MODE_64B));
}

static int t_xen32_vcpu_up_32b(void)
{
	WITH_XG(false, true, xv_up_body(x, VCPU_HVM_MODE_32B));
}

static int t_xen32_vcpu_up_64b(void)
{
	WITH_XG(false, true, xv_up_body(x, VCPU_HVM_MODE_64B));
}

/* A 32B context with one change: must be -EINVAL. */
#define BAD32(field, val, what)                                                \
	do {                                                                   \
		xv_ctx(&c, VCPU_HVM_MODE_32B);                                 \
		c.cpu_regs.x86_32.field = (val);                               \
		XV_INIT(-XEN_EINVAL, 1, c, what);                              \
	} while (0)

#define BAD64(field, val, what)                                                \
	do {                                                                   \
		xv_ctx(&c, VCPU_HVM_MODE_64B);                                 \
		c.cpu_regs.x86_64.field = (val);                               \
		XV_INIT(-XEN_EINVAL, 1, c, what);                              \
	} while (0)

static int xv_errors_body(struct xg *x)
{
	struct vcpu_hvm_context c;
	int r;

	if ((r = xv_setup(x, true)))
		return r;
	/* Bad vCPU ids and pointers. */
	xv_ctx(&c, VCPU_HVM_MODE_32B);
	XV_INIT(-XEN_ENOENT, 2, c, "vCPU 2 (absent)");
	XV_INIT(-XEN_ENOENT, 64, c, "vCPU 64");
	XV_INIT(-XEN_ENOENT, 0xffffffff, c, "vCPU 2^32-1");
	VOP(-XEN_ENOENT, VCPUOP_up, 2, "up(2)");
	VOP(-XEN_ENOENT, VCPUOP_down, 9, "down(9)");
	VOP(-XEN_ENOENT, VCPUOP_is_up, 63, "is_up(63)");
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, XG_BAD, "initialise(bad pointer)");
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, XG_GPA2 + XG_SIZE2 - 64,
	   "initialise across the end of RAM");

	/* Modes and padding. */
	c.mode = 2;
	XV_INIT(-XEN_EINVAL, 1, c, "mode 2");
	c.mode = 0xffffffff;
	XV_INIT(-XEN_EINVAL, 1, c, "mode -1");
	xv_ctx(&c, VCPU_HVM_MODE_32B);
	c.pad = 1;
	XV_INIT(-XEN_EINVAL, 1, c, "pad");
	BAD32(pad1, 1, "pad1");
	BAD32(pad2[2], 1, "pad2");

	/* Segments (Xen's check_segment). */
	BAD32(cs_ar, 0, "null CS");
	BAD32(ss_ar, 0, "null SS");
	BAD32(tr_ar, 0, "null TR");
	BAD32(cs_ar, 0x1c9b, "CS attribute bit 12");
	BAD32(cs_ar, 0xc93, "data segment as CS");
	BAD32(cs_ar, 0xc1b, "CS not present");
	BAD32(ss_ar, 0xc9b, "code segment as SS");
	BAD32(ss_ar, 0xc91, "read-only SS");
	BAD32(ds_ar, 0xc98, "execute-only code as DS");
	BAD32(es_ar, 0x8b, "system segment as ES");
	BAD32(tr_ar, 0x9b, "code segment as TR");
	BAD32(tr_ar, 0x83, "16-bit TSS as TR");
	BAD32(ss_ar, 0xcf3, "SS.DPL 3, CS.DPL 0");
	BAD32(ds_ar, 0xcf3, "DS.DPL above CS.DPL");
	xv_ctx(&c, VCPU_HVM_MODE_32B);
	c.cpu_regs.x86_32.cs_ar = 0x49b;	/* byte granular */
	c.cpu_regs.x86_32.cs_limit = 0xfffff;
	XV_INIT(-XEN_EINVAL, 1, c, "EIP beyond the CS limit");
	BAD32(ds_limit, 0xfffff000, "limit G cannot express");

	/* Control registers and EFER. */
	BAD32(efer, 0x400, "EFER.LMA without LME");
	BAD32(efer, 0x100, "EFER.LME without paging");
	BAD32(efer, 0x800, "EFER.NX without it in CPUID");
	BAD32(cr0, 0x80000010, "CR0.PG without PE");
	BAD32(cr0, 0x20000011, "CR0.NW without CD");
	BAD32(cr4, 0x2000, "CR4.VMXE");
	BAD32(cr4, 0x20000, "CR4.PCIDE outside long mode");
	BAD64(cr0, 0x11, "64B without paging");
	BAD64(cr4, 0, "64B without PAE");
	BAD64(efer, 0, "64B without EFER.LME");
	BAD64(rip, 0x0000800000000000ULL, "64B non-canonical RIP");
	/* None of those initialised it. */
	VOP(-XEN_EINVAL, VCPUOP_up, 1, "up(1) after rejected contexts");
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after rejected contexts");

	/* Accepted: null DS and ES, an available TSS (made busy), as Xen. */
	xv_ctx(&c, VCPU_HVM_MODE_32B);
	c.cpu_regs.x86_32.ds_ar = c.cpu_regs.x86_32.es_ar = 0;
	c.cpu_regs.x86_32.tr_ar = 0x89;
	XV_INIT(0, 1, c, "null DS/ES, available TSS");
	/* Xen's order: -EFAULT, then -EEXIST, then the context's checks. */
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, XG_BAD,
	   "initialise(bad pointer) when initialised");
	c.mode = 7;
	XV_INIT(-XEN_EEXIST, 1, c, "bad mode when initialised");
	XV_INIT(-XEN_EEXIST, 0, c, "vCPU 0");
	VOP(0, VCPUOP_is_up, 1, "is_up(1) initialised");

	/* KVM_SET_MP_STATE and Xen's view agree. */
	if ((r = xv_set_mp_state(x, 1, KVM_MP_STATE_INIT_RECEIVED)))
		return r;
	VOP(-XEN_EINVAL, VCPUOP_up, 1, "up(1) after INIT_RECEIVED (reset: no context)");
	xv_ctx(&c, VCPU_HVM_MODE_64B);
	XV_INIT(0, 1, c, "64B after the reset");
	if ((r = xv_set_mp_state(x, 1, KVM_MP_STATE_RUNNABLE)))
		return r;
	VOP(1, VCPUOP_is_up, 1, "is_up(1) after SET_MP_STATE(RUNNABLE)");
	XV_INIT(-XEN_EEXIST, 1, c, "running after SET_MP_STATE");
	VOP(0, VCPUOP_down, 1, "down(1)");
	if ((r = xv_mp_state(x, 1, KVM_MP_STATE_UNINITIALIZED, "down")) ||
	    (r = xv_set_mp_state(x, 1, KVM_MP_STATE_UNINITIALIZED)))
		return r;
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after SET_MP_STATE(UNINITIALIZED)");
	VOP(0, VCPUOP_up, 1, "up(1): UNINITIALIZED keeps the context");
	if ((r = xv_mp_state(x, 1, KVM_MP_STATE_RUNNABLE, "up")))
		return r;
	VOP(1, VCPUOP_is_up, 1, "is_up(1) up");
	return PASS;
}

/* A 64B context where the domain's CPUID has no long mode: -EINVAL. */
static int xv_no_lm_body(struct xg *x)
{
	struct vcpu_hvm_context c;
	int r;

	if ((r = xv_setup(x, false)))
		return r;
	xv_ctx(&c, VCPU_HVM_MODE_64B);
	XV_INIT(-XEN_EINVAL, 1, c, "64B without long mode in CPUID");
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after the rejected context");
	return PASS;
}

static int t_xen64_vcpu_initialise_no_lm(void)
{
	WITH_XG(true, true, xv_no_lm_body(x));
}

static int t_xen64_vcpu_initialise_errors(void)
{
	WITH_XG(true, true, xv_errors_body(x));
}

static int t_xen32_vcpu_initialise_errors(void)
{
	WITH_XG(false, true, xv_errors_body(x));
}

/* vCPU 0's LAPIC sends @icr to APIC ID 1 (32-bit driver: two dword stores). */
static int xv_ipi(struct xg *x, uint32_t icr)
{
	int r;

	if ((r = xg_store(x, 0xfee00310, 0x01000000)))
		return r;
	return xg_store(x, 0xfee00300, icr);
}

/*
 * INIT and SIPI through the LAPIC and Xen's view agree: INIT drops a
 * VCPUOP_initialise context (Xen's vcpu_reset), SIPI starts the vCPU
 * (initialised and up), a down vCPU ignores a SIPI alone and stays
 * initialised.
 */
static int xv_init_sipi_steps(struct xg *x, struct xv_ap *a)
{
	static const uint8_t rm[] = { 0xe6, 0x83, 0xf4, 0xeb, 0xfd };	/* out 0x83; hlt; jmp */
	struct vcpu_hvm_context c;
	int r;

	if ((r = xv_setup(x, false)))
		return r;
	memcpy(x->vm.mem1, rm, sizeof(rm));	/* SIPI vector 8: 0x8000 */
	xv_ctx(&c, VCPU_HVM_MODE_32B);
	XV_INIT(0, 1, c, "vCPU 1");
	if ((r = xv_ipi(x, 0x4500)) ||
	    (r = xv_mp_state(x, 1, KVM_MP_STATE_INIT_RECEIVED, "INIT")))
		return r;
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after INIT");
	VOP(-XEN_EINVAL, VCPUOP_up, 1, "up(1) after INIT (context dropped)");
	if ((r = xv_ipi(x, 0x4608)) ||
	    (r = xv_mp_state(x, 1, KVM_MP_STATE_RUNNABLE, "SIPI")))
		return r;
	VOP(1, VCPUOP_is_up, 1, "is_up(1) after SIPI");
	XV_INIT(-XEN_EEXIST, 1, c, "vCPU 1 started by SIPI");
	xv_ap_start(a);
	if ((r = xv_ap_out(a, 5000, 0x83)))
		return r;
	EXPECT(xv_mb(x)[XV_RBX] == 0, "vCPU 1 ran the dropped context");

	VOP(0, VCPUOP_down, 1, "down(1)");
	if ((r = xv_ipi(x, 0x4608)) ||
	    (r = xv_mp_state(x, 1, KVM_MP_STATE_UNINITIALIZED, "SIPI to a down vCPU")))
		return r;
	VOP(0, VCPUOP_is_up, 1, "is_up(1) after a SIPI while down");
	VOP(0, VCPUOP_up, 1, "up(1) (still initialised)");
	return xv_mp_state(x, 1, KVM_MP_STATE_RUNNABLE, "up after the ignored SIPI");
}

static int xv_init_sipi_body(struct xg *x)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct xv_ap a = { .v = &x->vm };
	int r;

	sigaction(SIGUSR1, &sa, NULL);
	r = xv_init_sipi_steps(x, &a);
	xv_ap_stop(&a);
	return r;
}

static int t_xen32_vcpu_init_sipi(void)
{
	WITH_XG(false, true, xv_init_sipi_body(x));
}

/*
 * Without the in-kernel irqchip userspace starts and stops vCPUs:
 * initialise, up and down are -ENOSYS, every vCPU is up.
 */
static int xv_no_irqchip_body(struct xg *x)
{
	struct vcpu_hvm_context c;
	int r;

	if ((r = vcpu_open(&x->vm, 1)) || (r = xg_install_page(x)))
		return r;
	xv_ctx(&c, VCPU_HVM_MODE_32B);
	XV_INIT(-XEN_ENOSYS, 1, c, "without an irqchip");
	VOP(-XEN_ENOSYS, VCPUOP_up, 1, "up(1) without an irqchip");
	VOP(-XEN_ENOSYS, VCPUOP_down, 1, "down(1) without an irqchip");
	VOP(1, VCPUOP_is_up, 1, "is_up(1) without an irqchip");
	return PASS;
}

static int t_xen64_vcpu_no_irqchip(void)
{
	WITH_XG(true, false, xv_no_irqchip_body(x));
}

/* VMs whose vCPU 1 is down, its thread in KVM_RUN when the VM is closed: nothing left. */
static int t_xen_vcpu_down_teardown_no_leak(void)
{
	struct sigaction sa = { .sa_handler = on_sigusr1 };
	struct hxen_info before;
	int sys, r = PASS, n;

	if (is_kvm())
		return skip("no Xen ABI on this device (KVM 6.1 has none)");
	sigaction(SIGUSR1, &sa, NULL);
	sys = open(device, O_RDWR | O_CLOEXEC);
	EXPECT(sys >= 0, "open: %s", strerror(errno));
	r = xg_info(&before, sys);
	for (n = 0; r == PASS && n < 3; n++) {
		struct vcpu_hvm_context c;
		struct xg xg_, *x = &xg_;
		struct xv_ap a = { .v = &x->vm };
		int64_t ret;

		r = xg_open(x, n & 1, true);
		if (r == PASS)
			r = xv_setup(x, false);
		xv_ctx(&c, VCPU_HVM_MODE_32B);
		if (r == PASS && (r = xv_init(x, &ret, 1, &c)) == PASS && ret)
			r = fail("initialise: %lld", (long long)ret);
		if (r == PASS && n) {
			/* Once up and running, then down; the first VM never ran it. */
			if ((r = xg_hc(x, &ret, __HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0)) == PASS) {
				xv_ap_start(&a);
				r = xv_poll_load(x, XV_MB, XV_MAGIC32, 5000);
			}
			if (r == PASS && (r = xg_hc(x, &ret, __HYPERVISOR_vcpu_op, VCPUOP_down, 1,
						   0)) == PASS && ret)
				r = fail("down: %lld", (long long)ret);
		}
		/* The last fd goes while the thread still waits; then the signal. */
		xg_close(x);
		usleep(20000);
		if (n && a.running && a.done && r == PASS)
			r = fail("down vCPU 1 left KVM_RUN: %ld/%s", a.r, strerror(a.err));
		xv_ap_stop(&a);
		if (r == PASS && n && !(a.done && a.r == -1 && a.err == EINTR))
			r = fail("signalled down vCPU 1: %ld/%s", a.r, strerror(a.err));
	}
	if (r == PASS)
		r = xg_expect_no_leak(sys, &before, "VMs with a down vCPU");
	close(sys);
	return r;
}

#define XEN_VCPU_TESTS                                                         \
	{ "xen64_vcpu_up_32b_context", t_xen64_vcpu_up_32b },                  \
	{ "xen64_vcpu_up_64b_context", t_xen64_vcpu_up_64b },                  \
	{ "xen32_vcpu_up_32b_context", t_xen32_vcpu_up_32b },                  \
	{ "xen32_vcpu_up_64b_context", t_xen32_vcpu_up_64b },                  \
	{ "xen64_vcpu_initialise_errors", t_xen64_vcpu_initialise_errors },    \
	{ "xen32_vcpu_initialise_errors", t_xen32_vcpu_initialise_errors },    \
	{ "xen64_vcpu_initialise_no_lm", t_xen64_vcpu_initialise_no_lm },      \
	{ "xen32_vcpu_init_sipi", t_xen32_vcpu_init_sipi },                    \
	{ "xen64_vcpu_no_irqchip", t_xen64_vcpu_no_irqchip },                  \
	{ "xen_vcpu_down_teardown_no_leak", t_xen_vcpu_down_teardown_no_leak },
