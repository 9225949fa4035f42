// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of hxen's Xen ABI (HXEN_XEN_ENABLE): CPUID leaves, the
 * hypercall page, xen_version, shared_info, HVM params, vcpu_info, PV
 * time, event channels and their upcalls, console_io, sched_op shutdown,
 * in 64-bit and 32-bit guests, and a bounded hypercall fuzzer. #included
 * by guesttest.c; the guests are in xen_guests.S. KVM (6.1) has no Xen
 * ABI: there the tests skip, and the oracle is Xen's public headers
 * (libxen-dev's copy, included here) and what Linux does.
 */
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/time.h>
/* Without it the headers map sched_op / event_channel_op to the old calls. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <xen/xen.h>
#include <xen/arch-x86/cpuid.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

GUEST_SYM(xen64); GUEST_SYM(xen32); GUEST_SYM(xenfuzz);
extern const uint8_t guest_xen64_upcall[], guest_xen64_gp[], guest_xen64_ud[];
extern const uint8_t guest_xen32_upcall[], guest_xen32_gp[], guest_xen32_ud[];
extern const uint8_t guest_xenfuzz_insn[];

#define XG_GPA2		0x100000	/* slot 2: 64 KiB for the Xen pages */
#define XG_SIZE2	0x10000
#define XG_HCPAGE	0x100000
#define XG_SHINFO	0x101000
#define XG_VINFO	0x102000
#define XG_BUF		0x103000
#define XG_BAD		0x200000	/* neither RAM nor mapped */
#define XG_GDT		0x6f80
#define XG_VEC		0xf3
#define XG_MSR		0x40000000
#define XG_PORT		0x80

enum { OP_HCALL = 1, OP_CPUID, OP_WRMSR, OP_VMCALL, OP_VMMCALL, OP_HLT, OP_LOAD,
       OP_STORE, OP_RDMSR };

struct xg {
	struct vm vm;
	uint8_t *mem2;
	bool m64, irqchip;
	uint32_t domid;
};

static volatile uint64_t *xg_mb(struct xg *x)
{
	return (volatile uint64_t *)(x->vm.mem + DATA);
}

static uint32_t xg_mb32(struct xg *x, unsigned int off)
{
	return *(volatile uint32_t *)(x->vm.mem + DATA + off);
}

static bool xg_intel_host(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	return b == 0x756e6547;
}

/* HXEN_XEN_ENABLE; SKIP where the device has no Xen ABI (KVM). */
static int xg_enable(struct vm *v, uint32_t *domid)
{
	struct hxen_xen_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memcpy(cfg.handle, "hxen-test-handle", 16);
	if (ioctl(v->fd, HXEN_XEN_ENABLE, &cfg) < 0) {
		if (errno == ENOTTY || errno == EINVAL)
			return skip("no Xen ABI on this device (KVM 6.1 has none)");
		return fail("HXEN_XEN_ENABLE: %s", strerror(errno));
	}
	EXPECT(cfg.domid >= 1 && cfg.domid < 0x7ff0, "domid %u", cfg.domid);
	if (domid)
		*domid = cfg.domid;
	return PASS;
}

static void xg_gate(struct xg *x, int vec, const uint8_t *handler, const uint8_t *start)
{
	uint32_t off = GUEST_CODE + (uint32_t)(handler - start);
	uint8_t *idt = x->vm.mem + 0x6000;

	if (x->m64) {
		uint32_t *g = (uint32_t *)(idt + vec * 16);

		g[0] = (off & 0xffff) | (8 << 16);
		g[1] = (off & 0xffff0000) | 0x8e00;
		g[2] = 0;
		g[3] = 0;
	} else {
		uint32_t *g = (uint32_t *)(idt + vec * 8);

		g[0] = (off & 0xffff) | (8 << 16);
		g[1] = (off & 0xffff0000) | 0x8e00;
	}
}

/* A Xen VM with vCPU 0 in the driver guest; the caller runs xg_close. */
static int xg_open(struct xg *x, bool m64, bool irqchip)
{
	struct kvm_userspace_memory_region r2 = {
		.slot = 2, .guest_phys_addr = XG_GPA2, .memory_size = XG_SIZE2,
	};
	uint64_t *gdt;
	struct kvm_sregs s;
	int r;

	memset(x, 0, sizeof(*x));
	x->m64 = m64;
	x->irqchip = irqchip;
	if ((r = vm_open(&x->vm)))
		return r;
	x->mem2 = mmap(NULL, XG_SIZE2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(x->mem2 != MAP_FAILED, "mmap: %s", strerror(errno));
	r2.userspace_addr = (uintptr_t)x->mem2;
	EXPECT(ioctl(x->vm.fd, KVM_SET_USER_MEMORY_REGION, &r2) == 0, "slot 2: %s", strerror(errno));
	if ((r = xg_enable(&x->vm, &x->domid)))
		return r;
	if (irqchip)
		EXPECT(ioctl(x->vm.fd, KVM_CREATE_IRQCHIP, 0) == 0, "CREATE_IRQCHIP: %s",
		       strerror(errno));
	if ((r = vcpu_open(&x->vm, 0)))
		return r;
	if (m64) {
		load(&x->vm, guest_xen64, guest_xen64_end);
		if ((r = enter_long64(&x->vm, 0)))
			return r;
		xg_gate(x, XG_VEC, guest_xen64_upcall, guest_xen64);
		xg_gate(x, 13, guest_xen64_gp, guest_xen64);
		xg_gate(x, 6, guest_xen64_ud, guest_xen64);
	} else {
		load(&x->vm, guest_xen32, guest_xen32_end);
		if ((r = enter_prot32(&x->vm, 0)))
			return r;
		xg_gate(x, XG_VEC, guest_xen32_upcall, guest_xen32);
		xg_gate(x, 13, guest_xen32_gp, guest_xen32);
		xg_gate(x, 6, guest_xen32_ud, guest_xen32);
	}
	/* GDT: null, flat code (64-bit or 32-bit), flat data. */
	gdt = (uint64_t *)(x->vm.mem + XG_GDT);
	gdt[0] = 0;
	gdt[1] = m64 ? 0x00af9b000000ffffULL : 0x00cf9b000000ffffULL;
	gdt[2] = 0x00cf93000000ffffULL;
	EXPECT(ioctl(x->vm.vcpu[0], KVM_GET_SREGS, &s) == 0, "GET_SREGS: %s", strerror(errno));
	s.gdt.base = XG_GDT;
	s.gdt.limit = 23;
	s.idt.base = 0x6000;
	s.idt.limit = m64 ? 0xfff : 0x7ff;
	EXPECT(ioctl(x->vm.vcpu[0], KVM_SET_SREGS, &s) == 0, "SET_SREGS: %s", strerror(errno));
	return PASS;
}

static void xg_close(struct xg *x)
{
	vm_close(&x->vm);
	if (x->mem2 && x->mem2 != MAP_FAILED)
		munmap(x->mem2, XG_SIZE2);
}

#define WITH_XG(m64, irqchip, body)                                            \
	do {                                                                   \
		struct xg xg_;                                                 \
		struct xg *x = &xg_;                                           \
		int r_ = xg_open(x, m64, irqchip);                             \
		if (r_ == PASS)                                                \
			r_ = (body);                                           \
		xg_close(x);                                                   \
		return r_;                                                     \
	} while (0)

/* Run until the guest's OUT 0x80 (the request is done). */
static int xg_done(struct xg *x)
{
	struct kvm_run *run = x->vm.run[0];
	int r;

	if ((r = run_expect(&x->vm, 0, KVM_EXIT_IO)))
		return r;
	EXPECT(run->io.port == XG_PORT, "OUT to %#x, want %#x", run->io.port, XG_PORT);
	return PASS;
}

static void xg_req(struct xg *x, int op, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		   uint64_t a4, uint64_t a5)
{
	volatile uint64_t *mb = xg_mb(x);

	mb[0] = op;
	mb[1] = a0;
	mb[2] = a1;
	mb[3] = a2;
	mb[4] = a3;
	mb[5] = a4;
	mb[6] = a5;
	mb[8] = 0xdeadbeefdeadbeefULL;
}

/* The signed result of a hypercall in the guest's width. */
static int64_t xg_ret(struct xg *x)
{
	uint64_t v = xg_mb(x)[8];

	return x->m64 ? (int64_t)v : (int64_t)(int32_t)v;
}

/* A hypercall through the page; its result in *ret. */
static int xg_hc(struct xg *x, int64_t *ret, uint64_t nr, uint64_t a1, uint64_t a2,
		 uint64_t a3)
{
	int r;

	xg_req(x, OP_HCALL, nr, a1, a2, a3, 0, 0);
	if ((r = xg_done(x)))
		return r;
	*ret = xg_ret(x);
	return PASS;
}

/* A hypercall that must return @want. */
#define HC(want, nr, a1, a2, a3, what)                                         \
	do {                                                                   \
		int64_t ret_;                                                  \
		int rr_ = xg_hc(x, &ret_, nr, a1, a2, a3);                     \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (int64_t)(want), "%s: %lld, want %lld", what,   \
		       (long long)ret_, (long long)(want));                    \
	} while (0)

static int xg_load(struct xg *x, uint64_t addr, uint64_t *val)
{
	int r;

	xg_req(x, OP_LOAD, addr, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	*val = xg_mb(x)[8];
	return PASS;
}

static int xg_store(struct xg *x, uint64_t addr, uint64_t val)
{
	xg_req(x, OP_STORE, addr, val, 0, 0, 0, 0);
	return xg_done(x);
}

static int xg_wrmsr(struct xg *x, uint32_t msr, uint64_t val)
{
	xg_req(x, OP_WRMSR, msr, val, 0, 0, 0, 0);
	return xg_done(x);
}

/* Argument structures live in guest RAM at XG_BUF. */
static void *xg_buf(struct xg *x, uint64_t gpa)
{
	return x->mem2 + (gpa - XG_GPA2);
}

static int xg_install_page(struct xg *x)
{
	int r;

	if ((r = xg_wrmsr(x, XG_MSR, XG_HCPAGE)))
		return r;
	EXPECT(xg_mb32(x, 0x98) == 0, "WRMSR of the hypercall page faulted");
	return PASS;
}

/* ---- enable rules ---- */

static int t_xen_enable_rules(void)
{
	struct hxen_xen_config cfg;
	struct vm v1, v2;
	uint32_t d1 = 0, d2 = 0;
	int r;

	if ((r = vm_open(&v1)))
		return r;
	r = xg_enable(&v1, &d1);
	if (r == PASS) {
		memset(&cfg, 0, sizeof(cfg));
		errno = 0;
		if (ioctl(v1.fd, HXEN_XEN_ENABLE, &cfg) != -1 || errno != EBUSY)
			r = fail("second enable: %s, want EBUSY", strerror(errno));
	}
	if (r == PASS && (r = vm_open(&v2)) == PASS) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.flags = 1;
		errno = 0;
		if (ioctl(v2.fd, HXEN_XEN_ENABLE, &cfg) != -1 || errno != EINVAL)
			r = fail("flags 1: %s, want EINVAL", strerror(errno));
		cfg.flags = 0;
		cfg.reserved[7] = 1;
		errno = 0;
		if (r == PASS && (ioctl(v2.fd, HXEN_XEN_ENABLE, &cfg) != -1 || errno != EINVAL))
			r = fail("reserved: %s, want EINVAL", strerror(errno));
		errno = 0;
		if (r == PASS && (ioctl(v2.fd, HXEN_XEN_ENABLE, (void *)8) != -1 || errno != EFAULT))
			r = fail("bad pointer: %s, want EFAULT", strerror(errno));
		if (r == PASS && (r = xg_enable(&v2, &d2)) == PASS && d1 == d2)
			r = fail("two VMs share domid %u", d1);
		vm_close(&v2);
	}
	/* After a vCPU exists it is too late. */
	if (r == PASS && (r = vm_open(&v2)) == PASS) {
		if ((r = vcpu_open(&v2, 0)) == PASS) {
			memset(&cfg, 0, sizeof(cfg));
			errno = 0;
			if (ioctl(v2.fd, HXEN_XEN_ENABLE, &cfg) != -1 || errno != EBUSY)
				r = fail("enable after a vCPU: %s, want EBUSY", strerror(errno));
		}
		vm_close(&v2);
	}
	vm_close(&v1);
	return r;
}

/* Without HXEN_XEN_ENABLE the guest sees no Xen: VMMCALL/VMCALL are #UD. */
static int plain_body(struct xg *x)
{
	bool intel = xg_intel_host();
	int r;

	xg_req(x, OP_CPUID, 0x40000000, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_mb(x)[9] != XEN_CPUID_SIGNATURE_EBX, "Xen signature without Xen");
	xg_req(x, intel ? OP_VMCALL : OP_VMMCALL, __HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_mb32(x, 0xa0) == 1, "hypercall instruction without Xen: %u #UD, want 1",
	       xg_mb32(x, 0xa0));
	return PASS;
}

static int t_xen_disabled_vm_unchanged(void)
{
	struct xg xg_, *x = &xg_;
	int r;

	/* KVM answers VMCALL/VMMCALL itself (its own hypercalls). */
	if (is_kvm())
		return skip("KVM has its own hypercalls");
	memset(x, 0, sizeof(*x));
	x->m64 = true;
	r = vm_open(&x->vm);
	if (r == PASS)
		r = vcpu_open(&x->vm, 0);
	if (r == PASS) {
		uint64_t *gdt = (uint64_t *)(x->vm.mem + XG_GDT);
		struct kvm_sregs s;

		load(&x->vm, guest_xen64, guest_xen64_end);
		r = enter_long64(&x->vm, 0);
		xg_gate(x, 6, guest_xen64_ud, guest_xen64);
		gdt[1] = 0x00af9b000000ffffULL;
		gdt[2] = 0x00cf93000000ffffULL;
		if (r == PASS && ioctl(x->vm.vcpu[0], KVM_GET_SREGS, &s) == 0) {
			s.gdt.base = XG_GDT;
			s.gdt.limit = 23;
			s.idt.base = 0x6000;
			s.idt.limit = 0xfff;
			ioctl(x->vm.vcpu[0], KVM_SET_SREGS, &s);
			r = plain_body(x);
		}
	}
	vm_close(&x->vm);
	return r;
}

/* ---- CPUID, hypercall page, xen_version ---- */

static int version_body(struct xg *x)
{
	bool intel = xg_intel_host();
	volatile uint64_t *mb = xg_mb(x);
	uint8_t *page = xg_buf(x, XG_HCPAGE);
	struct xen_feature_info *fi = xg_buf(x, XG_BUF);
	char *str = xg_buf(x, XG_BUF);
	int r, i;

	/* CPUID 0x40000000..4 */
	xg_req(x, OP_CPUID, 0x40000000, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT((uint32_t)mb[9] == XEN_CPUID_SIGNATURE_EBX &&
	       (uint32_t)mb[10] == XEN_CPUID_SIGNATURE_ECX &&
	       (uint32_t)mb[11] == XEN_CPUID_SIGNATURE_EDX, "no XenVMMXenVMM signature");
	EXPECT((uint32_t)mb[8] >= 0x40000002 && (uint32_t)mb[8] < 0x40000100,
	       "max leaf %#x", (uint32_t)mb[8]);
	xg_req(x, OP_CPUID, 0x40000001, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT((uint32_t)mb[8] == 0x40011, "version leaf %#x", (uint32_t)mb[8]);
	xg_req(x, OP_CPUID, 0x40000002, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT((uint32_t)mb[8] == 1 && (uint32_t)mb[9] == XG_MSR, "leaf 2: pages %u MSR %#x",
	       (uint32_t)mb[8], (uint32_t)mb[9]);
	xg_req(x, OP_CPUID, 0x40000004, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT(((uint32_t)mb[8] & XEN_HVM_CPUID_VCPU_ID_PRESENT) && (uint32_t)mb[9] == 0 &&
	       ((uint32_t)mb[8] & XEN_HVM_CPUID_DOMID_PRESENT) && (uint32_t)mb[10] == x->domid,
	       "leaf 4: %#x vcpu %u domid %u", (uint32_t)mb[8], (uint32_t)mb[9],
	       (uint32_t)mb[10]);

	/* Hypercall page: bad frames and index are #GP. */
	if ((r = xg_wrmsr(x, XG_MSR, 0x80000000ULL)))
		return r;
	EXPECT(xg_mb32(x, 0x98) == 1, "WRMSR of a non-RAM frame: %u #GP, want 1", xg_mb32(x, 0x98));
	if ((r = xg_wrmsr(x, XG_MSR, XG_HCPAGE | 1)))
		return r;
	EXPECT(xg_mb32(x, 0x98) == 2, "WRMSR with page index 1: %u #GP, want 2",
	       xg_mb32(x, 0x98));
	*(volatile uint32_t *)(x->vm.mem + DATA + 0x98) = 0;
	if ((r = xg_install_page(x)))
		return r;
	for (i = 0; i < 128; i++) {
		uint8_t *p = page + 32 * i;
		uint32_t nr;

		if (i == __HYPERVISOR_iret)
			continue;
		memcpy(&nr, p + 1, 4);
		EXPECT(p[0] == 0xb8 && nr == (uint32_t)i && p[5] == 0x0f && p[6] == 0x01 &&
		       p[7] == (intel ? 0xc1 : 0xd9) && p[8] == 0xc3,
		       "hypercall stub %d: %02x %08x %02x %02x %02x %02x", i, p[0], nr, p[5],
		       p[6], p[7], p[8]);
	}

	/* xen_version */
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	HC(4096, __HYPERVISOR_xen_version, XENVER_pagesize, 0, 0, "XENVER_pagesize");
	memset(str, 0x55, 1024);
	HC(0, __HYPERVISOR_xen_version, XENVER_extraversion, XG_BUF, 0, "extraversion");
	EXPECT(memchr(str, 0, XEN_EXTRAVERSION_LEN), "extraversion not terminated");
	HC(0, __HYPERVISOR_xen_version, XENVER_capabilities, XG_BUF, 0, "capabilities");
	EXPECT(strstr(str, x->m64 ? "hvm-3.0-x86_64" : "hvm-3.0-x86_32"),
	       "capabilities \"%.60s\"", str);
	HC(0, __HYPERVISOR_xen_version, XENVER_changeset, XG_BUF, 0, "changeset");
	EXPECT(memchr(str, 0, XEN_CHANGESET_INFO_LEN), "changeset not terminated");
	HC(0, __HYPERVISOR_xen_version, XENVER_compile_info, XG_BUF, 0, "compile_info");
	HC(0, __HYPERVISOR_xen_version, XENVER_commandline, XG_BUF, 0, "commandline");
	EXPECT(memchr(str, 0, 1024), "commandline not terminated");
	memset(str, 0, 16);
	HC(0, __HYPERVISOR_xen_version, XENVER_guest_handle, XG_BUF, 0, "guest_handle");
	EXPECT(!memcmp(str, "hxen-test-handle", 16), "guest handle not the configured one");
	memset(str, 0x55, 16);
	HC(0, __HYPERVISOR_xen_version, XENVER_platform_parameters, XG_BUF, 0,
	   "platform_parameters");
	EXPECT(x->m64 ? *(uint64_t *)str == 0xffff800000000000ULL :
			(*(uint32_t *)str == 0xf5800000U && str[4] == 0x55),
	       "platform_parameters %#llx", (unsigned long long)*(uint64_t *)str);
	fi->submap_idx = 0;
	fi->submap = 0;
	HC(0, __HYPERVISOR_xen_version, XENVER_get_features, XG_BUF, 0, "get_features");
	EXPECT((fi->submap & (1u << XENFEAT_hvm_callback_vector)) &&
	       (fi->submap & (1u << XENFEAT_auto_translated_physmap)) &&
	       !(fi->submap & (1u << XENFEAT_dom0)), "features %#x", fi->submap);
	fi->submap_idx = XENFEAT_NR_SUBMAPS;
	HC(-XEN_EINVAL, __HYPERVISOR_xen_version, XENVER_get_features, XG_BUF, 0,
	   "get_features submap 1");
	/* Bad pointers, unknown sub-ops and calls. */
	HC(-XEN_EFAULT, __HYPERVISOR_xen_version, XENVER_extraversion, XG_BAD, 0,
	   "extraversion to a bad pointer");
	HC(-XEN_EFAULT, __HYPERVISOR_xen_version, XENVER_capabilities, XG_GPA2 + XG_SIZE2 - 100,
	   0, "capabilities across the end of RAM");
	HC(-XEN_EFAULT, __HYPERVISOR_xen_version, XENVER_get_features, XG_BAD, 0,
	   "get_features from a bad pointer");
	HC(-XEN_ENOSYS, __HYPERVISOR_xen_version, 99, XG_BUF, 0, "xen_version 99");
	HC(-XEN_ENOSYS, __HYPERVISOR_mmu_update, 0, 0, 0, "mmu_update (PV only)");
	HC(-XEN_ENOSYS, 100, 0, 0, 0, "hypercall 100");
	/* The raw instruction of the other vendor is #UD (documented). */
	xg_req(x, intel ? OP_VMMCALL : OP_VMCALL, __HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_mb32(x, 0xa0) == 1, "other vendor's instruction: %u #UD", xg_mb32(x, 0xa0));
	xg_req(x, intel ? OP_VMCALL : OP_VMMCALL, __HYPERVISOR_xen_version, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_ret(x) == 0x40011, "raw hypercall: %lld", (long long)xg_ret(x));
	return PASS;
}

static int t_xen64_version(void)
{
	WITH_XG(true, false, version_body(x));
}

static int t_xen32_version(void)
{
	WITH_XG(false, false, version_body(x));
}

/* ---- shared_info, params, vcpu_info, time ---- */

static int xg_physmap(struct xg *x, int64_t *ret, uint16_t dom, uint32_t space, uint64_t idx,
		      uint64_t gpfn)
{
	uint8_t *b = xg_buf(x, XG_BUF);

	memset(b, 0, 32);
	if (x->m64) {
		struct xen_add_to_physmap *a = (void *)b;

		a->domid = dom;
		a->space = space;
		a->idx = idx;
		a->gpfn = gpfn;
	} else {
		/* The 32-bit layout: xen_ulong_t and xen_pfn_t are 4 bytes. */
		uint16_t *h = (void *)b;
		uint32_t *w = (void *)b;

		h[0] = dom;
		w[1] = space;
		w[2] = idx;
		w[3] = gpfn;
	}
	return xg_hc(x, ret, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, XG_BUF, 0);
}

#define PHYSMAP(want, dom, space, idx, gpfn, what)                             \
	do {                                                                   \
		int64_t ret_;                                                  \
		int rr_ = xg_physmap(x, &ret_, dom, space, idx, gpfn);         \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (int64_t)(want), "%s: %lld, want %lld", what,   \
		       (long long)ret_, (long long)(want));                    \
	} while (0)

static int xg_param(struct xg *x, int64_t *ret, bool set, uint16_t dom, uint32_t index,
		    uint64_t *value)
{
	struct xen_hvm_param *p = xg_buf(x, XG_BUF);
	int r;

	p->domid = dom;
	p->index = index;
	p->value = *value;
	if ((r = xg_hc(x, ret, __HYPERVISOR_hvm_op, set ? HVMOP_set_param : HVMOP_get_param,
		       XG_BUF, 0)))
		return r;
	*value = p->value;
	return PASS;
}

#define PARAM(want, set, dom, index, val, what)                                \
	do {                                                                   \
		int64_t ret_;                                                  \
		uint64_t v_ = (val);                                           \
		int rr_ = xg_param(x, &ret_, set, dom, index, &v_);            \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (int64_t)(want), "%s: %lld, want %lld", what,   \
		       (long long)ret_, (long long)(want));                    \
		pv = v_;                                                       \
	} while (0)

static int shinfo_body(struct xg *x)
{
	/* Offsets differ for 32-bit guests (xen_ulong_t is 4 bytes). */
	uint64_t wc = x->m64 ? offsetof(struct shared_info, wc_version) : 2048 + 2 * 128;
	struct vcpu_register_vcpu_info *vri = xg_buf(x, XG_BUF);
	struct vcpu_time_info *t;
	uint64_t v, pv, v2;
	time_t now = time(NULL);
	int r;

	(void)pv;
	if ((r = xg_install_page(x)))
		return r;
	/* add_to_physmap errors. */
	PHYSMAP(-XEN_EINVAL, DOMID_SELF, XENMAPSPACE_shared_info, 1, XG_SHINFO >> 12,
		"shared_info idx 1");
	/* Any frame below 2^48 (Xen's p2m takes any); 32-bit guests cannot say more. */
	if (x->m64)
		PHYSMAP(-XEN_EINVAL, DOMID_SELF, XENMAPSPACE_shared_info, 0, 1ULL << 36,
			"shared_info above 2^48");
	PHYSMAP(-XEN_ESRCH, 0x1234, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12,
		"shared_info of another domain");
	PHYSMAP(-XEN_EINVAL, DOMID_SELF, 77, 0, XG_SHINFO >> 12, "unknown space");
	HC(-XEN_EFAULT, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, XG_BAD, 0,
	   "add_to_physmap from a bad pointer");
	HC(-XEN_ENOSYS, __HYPERVISOR_memory_op, 1000, XG_BUF, 0, "memory_op 1000");

	/* Map it; the guest sees shared_info there, not its RAM. */
	*(uint64_t *)xg_buf(x, XG_SHINFO + wc + 4) = 0x1111111111111111ULL;
	PHYSMAP(0, x->domid, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	if ((r = xg_load(x, XG_SHINFO + wc, &v)))
		return r;
	EXPECT(!(v & 1), "wallclock version %#llx odd", (unsigned long long)v);
	if ((r = xg_load(x, XG_SHINFO + wc + 4, &v)))
		return r;
	EXPECT((uint32_t)v > now - 60 && (uint32_t)v <= now + 60, "wallclock sec %u, now %lld",
	       (uint32_t)v, (long long)now);
	/* vcpu_info[0].time, the default place. */
	if ((r = xg_load(x, XG_SHINFO + 32 + 24, &v)))
		return r;
	EXPECT((uint32_t)v != 0, "vcpu_info[0].time mul 0");
	/* It moves: the RAM page comes back at the old frame. */
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, (XG_SHINFO >> 12) + 4, "move shared_info");
	if ((r = xg_load(x, XG_SHINFO + wc + 4, &v)))
		return r;
	EXPECT(v == 0x1111111111111111ULL, "old frame %#llx, want its RAM back",
	       (unsigned long long)v);
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info again");
	if ((r = xg_load(x, XG_SHINFO + wc + 4, &v)))
		return r;
	EXPECT((uint32_t)v > now - 60, "wallclock lost after the move");

	/* HVM params. */
	PARAM(0, true, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, (2ULL << 56) | XG_VEC, "CALLBACK_IRQ");
	PARAM(0, false, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 0, "get CALLBACK_IRQ");
	EXPECT(pv == ((2ULL << 56) | XG_VEC), "CALLBACK_IRQ reads %#llx", (unsigned long long)pv);
	PARAM(-XEN_EINVAL, true, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, (2ULL << 56) | 5,
	      "callback vector 5");
	PARAM(-XEN_EINVAL, true, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, 9ULL << 56,
	      "callback type 9");
	PARAM(-XEN_EINVAL, true, DOMID_SELF, 1000, 0, "param 1000");
	PARAM(-XEN_EINVAL, false, DOMID_SELF, HVM_NR_PARAMS, 0, "get param HVM_NR_PARAMS");
	PARAM(-XEN_EPERM, true, DOMID_SELF, HVM_PARAM_STORE_PFN, 5, "set STORE_PFN");
	PARAM(0, false, DOMID_SELF, HVM_PARAM_STORE_PFN, 5, "get STORE_PFN");
	/* HVM_PARAM_PAE_ENABLED (4): deprecated, gone from newer headers. */
	PARAM(-XEN_ENODATA, false, DOMID_SELF, 4, 0, "get PAE_ENABLED");
	PARAM(-XEN_EPERM, false, DOMID_SELF, HVM_PARAM_IDENT_PT, 0, "get IDENT_PT");
	PARAM(0, true, DOMID_SELF, HVM_PARAM_STORE_EVTCHN, 7, "set STORE_EVTCHN");
	PARAM(0, false, x->domid, HVM_PARAM_STORE_EVTCHN, 0, "get STORE_EVTCHN");
	EXPECT(pv == 7, "STORE_EVTCHN reads %llu", (unsigned long long)pv);
	PARAM(-XEN_ESRCH, false, 0x1234, HVM_PARAM_STORE_EVTCHN, 0, "other domain's param");
	HC(-XEN_EFAULT, __HYPERVISOR_hvm_op, HVMOP_get_param, XG_BAD, 0, "get_param bad pointer");
	HC(-XEN_ENOSYS, __HYPERVISOR_hvm_op, 77, XG_BUF, 0, "hvm_op 77");
	/* A per-vCPU upcall vector needs the in-kernel LAPIC. */
	{
		struct xen_hvm_evtchn_upcall_vector *u = xg_buf(x, XG_BUF);

		u->vcpu = 0;
		u->vector = 5;
		HC(-XEN_EINVAL, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, XG_BUF, 0,
		   "upcall vector 5");
		u->vector = XG_VEC;
		u->vcpu = 9;
		HC(-XEN_ENOENT, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, XG_BUF, 0,
		   "upcall vector of vCPU 9");
	}

	/* vcpu_op: is_up, register_vcpu_info. */
	HC(1, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0, "is_up(0)");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0, "is_up(1)");
	HC(-XEN_ENOSYS, __HYPERVISOR_vcpu_op, 99, 0, 0, "vcpu_op 99");
	memset(vri, 0, sizeof(*vri));
	vri->mfn = XG_VINFO >> 12;
	vri->offset = 4090;
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BUF,
	   "vcpu_info across the page end");
	vri->mfn = 0x80000;
	vri->offset = 64;
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BUF,
	   "vcpu_info at a non-RAM frame");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 3, XG_BUF,
	   "vcpu_info of vCPU 3");
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BAD,
	   "register_vcpu_info bad pointer");
	vri->mfn = XG_VINFO >> 12;
	vri->offset = 64;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BUF, "register_vcpu_info");
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BUF,
	   "register_vcpu_info twice");
	/* PV time in the new place (guest RAM: the test reads it directly). */
	t = xg_buf(x, XG_VINFO + 64 + 32);
	EXPECT(!(t->version & 1) && t->version && t->tsc_to_system_mul &&
	       t->tsc_shift > -10 && t->tsc_shift < 10,
	       "pvclock version %u mul %u shift %d", t->version, t->tsc_to_system_mul,
	       t->tsc_shift);
	v = t->system_time;
	usleep(20000);
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	(void)v2;
	EXPECT(((uint8_t *)xg_buf(x, XG_VINFO + 64))[0] == 1,
	       "upcall not marked pending after register_vcpu_info");
	return PASS;
}

static int t_xen64_shared_info(void)
{
	WITH_XG(true, false, shinfo_body(x));
}

static int t_xen32_shared_info(void)
{
	WITH_XG(false, false, shinfo_body(x));
}

/* ---- event channels ---- */

struct xg_ev {
	uint32_t port, a, b;
};

static int xg_evop(struct xg *x, int64_t *ret, int cmd, const void *in, size_t size, void *out)
{
	int r;

	memcpy(xg_buf(x, XG_BUF), in, size);
	if ((r = xg_hc(x, ret, __HYPERVISOR_event_channel_op, cmd, XG_BUF, 0)))
		return r;
	if (out)
		memcpy(out, xg_buf(x, XG_BUF), size);
	return PASS;
}

#define EVOP(want, cmd, in, out, what)                                         \
	do {                                                                   \
		int64_t ret_;                                                  \
		int rr_ = xg_evop(x, &ret_, cmd, &(in), sizeof(in), out);      \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (int64_t)(want), "%s: %lld, want %lld", what,   \
		       (long long)ret_, (long long)(want));                    \
	} while (0)

/* The guest's view of a 2-level bit (shared_info is not in host RAM). */
static int xg_bit(struct xg *x, uint64_t base, uint32_t bit, bool *set)
{
	uint64_t v;
	int r;

	if ((r = xg_load(x, base + bit / 64 * 8, &v)))
		return r;
	*set = v & (1ULL << (bit % 64));
	return PASS;
}

static int evtchn_body(struct xg *x)
{
	uint64_t pend = XG_SHINFO + 2048;
	uint64_t mask = XG_SHINFO + (x->m64 ? 2048 + 512 : 2048 + 128);
	uint32_t vi = XG_VINFO + 64;
	uint8_t *vip = xg_buf(x, vi);
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
	struct evtchn_status st;
	struct evtchn_send sd;
	struct evtchn_close cl;
	struct evtchn_unmask um;
	struct evtchn_bind_vcpu bc;
	struct vcpu_register_vcpu_info *vri = xg_buf(x, XG_BUF);
	volatile uint64_t *mb = xg_mb(x);
	uint32_t ipi, virq, unb;
	uint64_t pv;
	bool b;
	int r;

	(void)pv;
	if ((r = xg_install_page(x)))
		return r;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	memset(vri, 0, sizeof(*vri));
	vri->mfn = XG_VINFO >> 12;
	vri->offset = 64;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BUF, "register_vcpu_info");
	/* Registration marked everything pending: take that upcall first. */
	mb[0x88 / 8] = vi;
	PARAM(0, true, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, (2ULL << 56) | XG_VEC, "CALLBACK_IRQ");
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == 1, "%u upcalls after registration, want 1", xg_mb32(x, 0x80));
	EXPECT(vip[0] == 0, "upcall still pending");
	memset(vip + (x->m64 ? 8 : 4), 0, x->m64 ? 8 : 4);	/* clear the selector */

	/* alloc_unbound, status, send to it (dropped). */
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc_unbound");
	unb = au.port;
	EXPECT(unb == 1, "first port %u, want 1", unb);
	au.dom = 0x1234;
	EVOP(-XEN_EPERM, EVTCHNOP_alloc_unbound, au, NULL, "alloc_unbound for another domain");
	memset(&st, 0, sizeof(st));
	st.dom = DOMID_SELF;
	st.port = unb;
	EVOP(0, EVTCHNOP_status, st, &st, "status(unbound)");
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == x->domid,
	       "status %u dom %u", st.status, st.u.unbound.dom);
	sd.port = unb;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send to an unbound port");

	/* IPI to ourselves, with the callback vector. */
	EVOP(0, EVTCHNOP_bind_ipi, bi, &bi, "bind_ipi");
	ipi = bi.port;
	EXPECT(ipi == 2, "IPI port %u, want 2", ipi);
	bi.vcpu = 5;
	EVOP(-XEN_ENOENT, EVTCHNOP_bind_ipi, bi, NULL, "bind_ipi to vCPU 5");
	sd.port = ipi;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(IPI)");
	EXPECT(xg_mb32(x, 0x80) == 2, "%u upcalls after the IPI, want 2", xg_mb32(x, 0x80));
	if ((r = xg_bit(x, pend, ipi, &b)))
		return r;
	EXPECT(b, "IPI port not pending");
	EXPECT(vip[x->m64 ? 8 : 4] & (1 << (ipi / (x->m64 ? 64 : 32))), "selector bit not set");
	/* Pending already: a second send does not raise again. */
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(IPI) again");
	EXPECT(xg_mb32(x, 0x80) == 2, "upcall for an already pending port");
	/* Masked: pending but no upcall; unmask delivers. */
	if ((r = xg_store(x, pend, 0)) || (r = xg_store(x, mask, 1ULL << ipi)))
		return r;
	memset(vip + (x->m64 ? 8 : 4), 0, x->m64 ? 8 : 4);
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(masked IPI)");
	EXPECT(xg_mb32(x, 0x80) == 2, "upcall for a masked port");
	if ((r = xg_bit(x, pend, ipi, &b)))
		return r;
	EXPECT(b, "masked IPI port not pending");
	um.port = ipi;
	EVOP(0, EVTCHNOP_unmask, um, NULL, "unmask");
	EXPECT(xg_mb32(x, 0x80) == 3, "%u upcalls after unmask, want 3", xg_mb32(x, 0x80));
	if ((r = xg_bit(x, mask, ipi, &b)))
		return r;
	EXPECT(!b, "still masked");
	um.port = 100000;
	EVOP(-XEN_EINVAL, EVTCHNOP_unmask, um, NULL, "unmask a bad port");

	/* VIRQs. */
	EVOP(0, EVTCHNOP_bind_virq, bv, &bv, "bind_virq(TIMER)");
	virq = bv.port;
	EXPECT(virq == 3, "VIRQ port %u, want 3", virq);
	EVOP(-XEN_EEXIST, EVTCHNOP_bind_virq, bv, NULL, "bind_virq(TIMER) twice");
	bv.virq = NR_VIRQS;
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_virq, bv, NULL, "bind_virq(NR_VIRQS)");
	bv.virq = VIRQ_CONSOLE;
	bv.vcpu = 1;
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_virq, bv, NULL, "global VIRQ on vCPU 1");
	bv.virq = VIRQ_DEBUG;
	bv.vcpu = 1;
	EVOP(-XEN_ENOENT, EVTCHNOP_bind_virq, bv, NULL, "VIRQ_DEBUG on vCPU 1");
	memset(&st, 0, sizeof(st));
	st.dom = DOMID_SELF;
	st.port = virq;
	EVOP(0, EVTCHNOP_status, st, &st, "status(virq)");
	EXPECT(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER && st.vcpu == 0,
	       "virq status %u virq %u vcpu %u", st.status, st.u.virq, st.vcpu);
	sd.port = virq;
	EVOP(-XEN_EINVAL, EVTCHNOP_send, sd, NULL, "send to a VIRQ port");
	bc.port = virq;
	bc.vcpu = 0;
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_vcpu, bc, NULL, "bind_vcpu of a per-vCPU VIRQ");
	bc.port = unb;
	EVOP(0, EVTCHNOP_bind_vcpu, bc, NULL, "bind_vcpu of an unbound port");
	bc.vcpu = 7;
	EVOP(-XEN_ENOENT, EVTCHNOP_bind_vcpu, bc, NULL, "bind_vcpu to vCPU 7");

	/* close, and everything a closed or bad port gets. */
	cl.port = ipi;
	EVOP(0, EVTCHNOP_close, cl, NULL, "close(IPI)");
	EVOP(-XEN_EINVAL, EVTCHNOP_close, cl, NULL, "close twice");
	EVOP(-XEN_EINVAL, EVTCHNOP_send, sd, NULL, "send to a VIRQ port");
	sd.port = ipi;
	EVOP(-XEN_EINVAL, EVTCHNOP_send, sd, NULL, "send to a closed port");
	memset(&st, 0, sizeof(st));
	st.dom = DOMID_SELF;
	st.port = ipi;
	EVOP(0, EVTCHNOP_status, st, &st, "status(closed)");
	EXPECT(st.status == EVTCHNSTAT_closed, "closed port status %u", st.status);
	st.port = x->m64 ? 4096 : 1024;
	EVOP(-XEN_EINVAL, EVTCHNOP_status, st, NULL, "status past the last port");
	cl.port = 0;
	EVOP(-XEN_EINVAL, EVTCHNOP_close, cl, NULL, "close(0)");
	sd.port = 0xffffffff;
	EVOP(-XEN_EINVAL, EVTCHNOP_send, sd, NULL, "send(-1)");
	cl.port = virq;
	EVOP(0, EVTCHNOP_close, cl, NULL, "close(VIRQ)");
	bv.virq = VIRQ_TIMER;
	bv.vcpu = 0;
	EVOP(0, EVTCHNOP_bind_virq, bv, &bv, "bind_virq(TIMER) after close");
	EXPECT(bv.port == ipi, "lowest free port %u, want %u", bv.port, ipi);
	HC(-XEN_EFAULT, __HYPERVISOR_event_channel_op, EVTCHNOP_send, XG_BAD, 0,
	   "send from a bad pointer");
	HC(-XEN_ENOSYS, __HYPERVISOR_event_channel_op, EVTCHNOP_init_control, XG_BUF, 0,
	   "FIFO init_control");
	HC(-XEN_ENOSYS, __HYPERVISOR_event_channel_op, 1000, XG_BUF, 0, "evtchn op 1000");
	return PASS;
}

static int t_xen64_event_channels(void)
{
	WITH_XG(true, false, evtchn_body(x));
}

static int t_xen32_event_channels(void)
{
	WITH_XG(false, false, evtchn_body(x));
}

/* Per-vCPU upcall vector through the in-kernel LAPIC (32-bit: LAPIC reachable). */
static int upcall_lapic_body(struct xg *x)
{
	struct xen_hvm_evtchn_upcall_vector *u = xg_buf(x, XG_BUF);
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	struct evtchn_send sd;
	volatile uint64_t *mb = xg_mb(x);
	uint64_t pv;
	int r;

	(void)pv;
	if ((r = xg_install_page(x)))
		return r;
	xg_req(x, OP_CPUID, 0x40000004, 0, 0, 0, 0, 0);
	if ((r = xg_done(x)))
		return r;
	EXPECT((uint32_t)mb[8] & XEN_HVM_CPUID_UPCALL_VECTOR, "no UPCALL_VECTOR with a LAPIC");
	/* LAPIC software-enabled (SVR), EOIs from the handler. */
	if ((r = xg_store(x, 0xfee000f0, 0x1ff)))
		return r;
	mb[0x90 / 8] = 1;
	mb[0x88 / 8] = XG_SHINFO;	/* vcpu_info[0] in shared_info */
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	u->vcpu = 0;
	u->vector = XG_VEC;
	HC(0, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, XG_BUF, 0, "upcall vector");
	EVOP(0, EVTCHNOP_bind_ipi, bi, &bi, "bind_ipi");
	sd.port = bi.port;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(IPI)");
	EXPECT(xg_mb32(x, 0x80) == 1, "%u upcalls through the LAPIC, want 1", xg_mb32(x, 0x80));
	/*
	 * Again, after the EOI, once the guest cleared the port and its
	 * selector bit (2-level: a set selector bit raises nothing new).
	 */
	if ((r = xg_store(x, XG_SHINFO + 2048, 0)) || (r = xg_store(x, XG_SHINFO, 0)))
		return r;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(IPI) again");
	EXPECT(xg_mb32(x, 0x80) == 2, "%u upcalls, want 2", xg_mb32(x, 0x80));
	return PASS;
}

static int t_xen32_upcall_vector_lapic(void)
{
	WITH_XG(false, true, upcall_lapic_body(x));
}

/*
 * An upcall raised while the LAPIC is still software-disabled (Linux sets
 * its upcall vector up before the LAPIC) is delivered once the LAPIC is
 * enabled, not lost with evtchn_upcall_pending left set.
 */
static int upcall_lapic_late_body(struct xg *x)
{
	struct xen_hvm_evtchn_upcall_vector *u = xg_buf(x, XG_BUF);
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	struct evtchn_send sd;
	volatile uint64_t *mb = xg_mb(x);
	uint64_t v;
	int r;

	if ((r = xg_install_page(x)))
		return r;
	mb[0x90 / 8] = 1;
	mb[0x88 / 8] = XG_SHINFO;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	u->vcpu = 0;
	u->vector = XG_VEC;
	HC(0, __HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, XG_BUF, 0, "upcall vector");
	EVOP(0, EVTCHNOP_bind_ipi, bi, &bi, "bind_ipi");
	sd.port = bi.port;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(IPI), LAPIC disabled");
	EXPECT(xg_mb32(x, 0x80) == 0, "upcall through a software-disabled LAPIC");
	if ((r = xg_load(x, XG_SHINFO, &v)))
		return r;
	EXPECT(v & 1, "evtchn_upcall_pending not set");
	if ((r = xg_store(x, 0xfee000f0, 0x1ff)))
		return r;
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == 1, "%u upcalls once the LAPIC is enabled, want 1",
	       xg_mb32(x, 0x80));
	/* And later ones still come. */
	if ((r = xg_store(x, XG_SHINFO + 2048, 0)) || (r = xg_store(x, XG_SHINFO, 0)))
		return r;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send(IPI) again");
	EXPECT(xg_mb32(x, 0x80) == 2, "%u upcalls, want 2", xg_mb32(x, 0x80));
	return PASS;
}

static int t_xen32_upcall_vector_lapic_late(void)
{
	WITH_XG(false, true, upcall_lapic_late_body(x));
}

/* ---- console_io, sched_op ---- */

static int xg_expect_console(struct xg *x, const char *text, uint32_t n)
{
	struct kvm_run *run = x->vm.run[0];
	int r;

	if ((r = run_expect(&x->vm, 0, KVM_EXIT_IO)))
		return r;
	EXPECT(run->io.port == HXEN_XEN_CONSOLE_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
	       run->io.size == 1 && run->io.count == n,
	       "console exit: port %#x dir %d size %d count %u, want count %u", run->io.port,
	       run->io.direction, run->io.size, run->io.count, n);
	EXPECT(!memcmp((uint8_t *)run + run->io.data_offset, text, n), "console text differs");
	return PASS;
}

static int xg_shutdown(struct xg *x, uint32_t reason, uint32_t want_type)
{
	struct kvm_run *run = x->vm.run[0];
	int r;

	*(uint32_t *)xg_buf(x, XG_BUF) = reason;
	xg_req(x, OP_HCALL, __HYPERVISOR_sched_op, SCHEDOP_shutdown, XG_BUF, 0, 0, 0);
	if ((r = run_expect(&x->vm, 0, KVM_EXIT_SYSTEM_EVENT)))
		return r;
	EXPECT(run->system_event.type == want_type && run->system_event.ndata == 1 &&
	       run->system_event.data[0] == reason, "system event %u (ndata %u, %llu), want %u",
	       run->system_event.type, run->system_event.ndata,
	       (unsigned long long)run->system_event.data[0], want_type);
	/* Running on returns 0 from the call. */
	if ((r = xg_done(x)))
		return r;
	EXPECT(xg_ret(x) == 0, "shutdown returned %lld", (long long)xg_ret(x));
	return PASS;
}

static int console_body(struct xg *x)
{
	char *text = xg_buf(x, XG_BUF);
	int r, i;

	if ((r = xg_install_page(x)))
		return r;
	strcpy(text, "hello from xen\n");
	xg_req(x, OP_HCALL, __HYPERVISOR_console_io, CONSOLEIO_write, 15, XG_BUF, 0, 0);
	if ((r = xg_expect_console(x, text, 15)) || (r = xg_done(x)))
		return r;
	EXPECT(xg_ret(x) == 0, "console write returned %lld", (long long)xg_ret(x));
	/* A long write arrives in order, in pieces. */
	for (i = 0; i < 3000; i++)
		text[i] = 'a' + i % 26;
	xg_req(x, OP_HCALL, __HYPERVISOR_console_io, CONSOLEIO_write, 3000, XG_BUF, 0, 0);
	if ((r = xg_expect_console(x, text, 1024)) || (r = xg_expect_console(x, text + 1024, 1024)) ||
	    (r = xg_expect_console(x, text + 2048, 952)) || (r = xg_done(x)))
		return r;
	EXPECT(xg_ret(x) == 0, "long console write returned %lld", (long long)xg_ret(x));
	HC(0, __HYPERVISOR_console_io, CONSOLEIO_write, 0, XG_BUF, "empty console write");
	HC(-XEN_EFAULT, __HYPERVISOR_console_io, CONSOLEIO_write, 10, XG_BAD,
	   "console write from a bad pointer");
	HC(0, __HYPERVISOR_console_io, CONSOLEIO_read, 10, XG_BUF, "console read");
	HC(-XEN_ENOSYS, __HYPERVISOR_console_io, 7, 10, XG_BUF, "console_io 7");

	HC(0, __HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0, "yield");
	HC(-XEN_ENOSYS, __HYPERVISOR_sched_op, 99, 0, 0, "sched_op 99");
	HC(-XEN_EFAULT, __HYPERVISOR_sched_op, SCHEDOP_shutdown, XG_BAD, 0,
	   "shutdown from a bad pointer");
	*(uint32_t *)text = 77;
	HC(-XEN_EINVAL, __HYPERVISOR_sched_op, SCHEDOP_shutdown, XG_BUF, 0, "shutdown reason 77");
	if ((r = xg_shutdown(x, SHUTDOWN_reboot, KVM_SYSTEM_EVENT_RESET)) ||
	    (r = xg_shutdown(x, SHUTDOWN_crash, KVM_SYSTEM_EVENT_CRASH)))
		return r;
	return xg_shutdown(x, SHUTDOWN_poweroff, KVM_SYSTEM_EVENT_SHUTDOWN);
}

static int t_xen64_console_shutdown(void)
{
	WITH_XG(true, false, console_body(x));
}

static int t_xen32_console_shutdown(void)
{
	WITH_XG(false, false, console_body(x));
}

/* Hypercalls from CPL 3 are -EPERM (Xen: HVM guest user mode). */

/* ---- fuzz ---- */

static int xg_info(struct hxen_info *info, int sys)
{
	memset(info, 0, sizeof(*info));
	EXPECT(ioctl(sys, HXEN_GET_INFO, info) == 0, "HXEN_GET_INFO: %s", strerror(errno));
	return PASS;
}

/*
 * Every VM, vCPU and page counted in @before is back to that count
 * (teardown can trail the last close a little: vCPU fds), within 1 s.
 */
static int xg_expect_no_leak(int sys, const struct hxen_info *before, const char *what)
{
	struct hxen_info after;
	int i, r;

	for (i = 0; i < 50; i++) {
		if ((r = xg_info(&after, sys)))
			return r;
		if (after.live_vms == before->live_vms && after.live_vcpus == before->live_vcpus &&
		    after.live_pages == before->live_pages)
			return PASS;
		usleep(20000);
	}
	return fail("leak after %s: vms %u->%u vcpus %u->%u pages %llu->%llu", what,
		    before->live_vms, after.live_vms, before->live_vcpus, after.live_vcpus,
		    (unsigned long long)before->live_pages, (unsigned long long)after.live_pages);
}

static double xg_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* A fuzzing VM: the xenfuzz guest seeded with @seed, a memory map set. */
static int fuzz_open(struct xg *x, uint64_t seed)
{
	struct kvm_userspace_memory_region r2 = {
		.slot = 2, .guest_phys_addr = XG_GPA2, .memory_size = XG_SIZE2,
	};
	struct hxen_e820_entry map[2] = {
		{ .addr = 0, .size = 0x9f000, .type = 1 },
		{ .addr = XG_GPA2, .size = XG_SIZE2, .type = 1 },
	};
	struct hxen_xen_memory_map mm = { .nr_entries = 1 + seed % 2,
					  .entries = (uintptr_t)map };
	int r;

	memset(x, 0, sizeof(*x));
	x->m64 = true;
	if ((r = vm_open(&x->vm)) == PASS) {
		x->mem2 = mmap(NULL, XG_SIZE2, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		r2.userspace_addr = (uintptr_t)x->mem2;
		if (x->mem2 == MAP_FAILED || ioctl(x->vm.fd, KVM_SET_USER_MEMORY_REGION, &r2))
			r = fail("slot 2: %s", strerror(errno));
	}
	if (r == PASS)
		r = xg_enable(&x->vm, &x->domid);
	if (r == PASS && ioctl(x->vm.fd, HXEN_XEN_SET_MEMORY_MAP, &mm))
		r = fail("SET_MEMORY_MAP: %s", strerror(errno));
	if (r == PASS && seed % 3 == 0 && ioctl(x->vm.fd, KVM_CREATE_IRQCHIP, 0))
		r = fail("CREATE_IRQCHIP: %s", strerror(errno));
	if (r == PASS)
		r = vcpu_open(&x->vm, 0);
	if (r == PASS) {
		uint8_t *insn = x->vm.mem + GUEST_CODE + (guest_xenfuzz_insn - guest_xenfuzz);

		load(&x->vm, guest_xenfuzz, guest_xenfuzz_end);
		*insn = xg_intel_host() ? 0xc1 : 0xd9;
		*(uint64_t *)(x->vm.mem + DATA) = seed | 1;
		r = enter_long64(&x->vm, 0);
	}
	return r;
}

/*
 * One KVM_RUN of a fuzzing VM: 1 it reported a batch, 0 it goes on,
 * -1 it broke itself (random writes, vectors: the VM is done), else a
 * failure.
 */
static int fuzz_step(struct xg *x)
{
	struct kvm_run *run = x->vm.run[0];

	if (ioctl(x->vm.vcpu[0], KVM_RUN, 0) < 0) {
		if (errno == EINTR)
			return 0;
		return fail("KVM_RUN: %s", strerror(errno));
	}
	if (run->exit_reason == KVM_EXIT_IO && run->io.port == XG_PORT)
		return 1;
	/* Console output, shutdown requests: the fuzzer goes on. */
	if ((run->exit_reason == KVM_EXIT_IO && run->io.port == HXEN_XEN_CONSOLE_PORT) ||
	    run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		return 0;
	if (run->exit_reason == KVM_EXIT_SHUTDOWN || run->exit_reason == KVM_EXIT_HLT ||
	    run->exit_reason == KVM_EXIT_IO || run->exit_reason == KVM_EXIT_MMIO ||
	    run->exit_reason == KVM_EXIT_INTERNAL_ERROR)
		return -1;
	return fail("unexpected exit %u", run->exit_reason);
}

/* The host's side: bind eventfds to whatever ports the guest offered, poke them. */
static void fuzz_host(struct xg *x, int in, int out, uint64_t n)
{
	struct hxen_xen_evtchn_eventfd a = { .port = 1 + n % 8 };
	struct hxen_xen_console_input ci = { .buf = (uintptr_t)"fuzz", .len = n % 5 };
	uint64_t v = 1;

	a.flags = n & 1 ? HXEN_XEN_EVTCHN_FROM_GUEST : HXEN_XEN_EVTCHN_TO_GUEST;
	a.fd = n & 1 ? out : in;
	if (n % 5 == 0)
		a.flags |= HXEN_XEN_EVTCHN_DEASSIGN;
	ioctl(x->vm.fd, HXEN_XEN_EVTCHN_EVENTFD, &a);
	/* Console input for its CONSOLEIO_reads and VIRQ_CONSOLE. */
	ioctl(x->vm.fd, HXEN_XEN_CONSOLE_INPUT, &ci);
	if (write(in, &v, 8) < 0 || read(out, &v, 8) < 0)
		return;
}

/*
 * Two fuzzed VMs side by side until @deadline or both guests die (their
 * small arguments hit each other's domain ids and ports), host eventfds
 * on the first; the second goes away half-way with whatever channels it
 * has. Counts calls and VMs.
 */
static int fuzz_one(uint64_t seed, double deadline, unsigned long *calls, unsigned long *vms)
{
	struct xg xs[2];
	bool alive[2] = { false, false };
	double half = (xg_now() + deadline) / 2;
	int in = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int out = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	uint64_t n = 0;
	int r, i;

	EXPECT(in >= 0 && out >= 0, "eventfd: %s", strerror(errno));
	memset(xs, 0, sizeof(xs));
	r = fuzz_open(&xs[0], seed);
	alive[0] = r == PASS;
	if (r == PASS) {
		r = fuzz_open(&xs[1], seed * 0x9e3779b97f4a7c15ULL + 7);
		alive[1] = r == PASS;
	}
	*vms += 2;
	if (r == PASS) {
		/*
		 * The argument structures the guests point at (their Xen
		 * pages) start as plausible ids: DOMID_SELF, either VM's
		 * domain id, small ports, so calls get past the first checks
		 * and reach bind_interdomain, the host ports and the frames.
		 */
		uint16_t words[8] = { DOMID_SELF, xs[0].domid, xs[1].domid, 0, 1, 2, 3, 0xffff };
		uint64_t g = seed;
		size_t k;

		for (i = 0; i < 2; i++)
			for (k = 0; k < XG_SIZE2 / 2; k++) {
				g = g * 6364136223846793005ULL + 1442695040888963407ULL;
				((uint16_t *)xs[i].mem2)[k] = words[g >> 61];
			}
	}
	while (r == PASS && (alive[0] || alive[1]) && xg_now() < deadline) {
		for (i = 0; r == PASS && i < 2; i++) {
			if (!alive[i])
				continue;
			r = fuzz_step(&xs[i]);
			if (r == 1) {
				*calls += 64;
				if (i == 0)
					fuzz_host(&xs[0], in, out, n++);
				r = PASS;
			} else if (r == -1) {
				alive[i] = false;
				r = PASS;
			}
		}
		if (alive[1] && xg_now() > half) {
			xg_close(&xs[1]);
			alive[1] = false;
			memset(&xs[1], 0, sizeof(xs[1]));
			xs[1].vm.fd = xs[1].vm.sys = xs[1].vm.vcpu[0] = xs[1].vm.vcpu[1] = -1;
		}
	}
	xg_close(&xs[1]);
	xg_close(&xs[0]);
	close(in);
	close(out);
	return r;
}

static int t_xen_fuzz_hypercalls(void)
{
	struct hxen_info before;
	unsigned long calls = 0, vms = 0;
	double deadline;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	struct sigaction sa = { .sa_handler = irq_on_alarm };
	struct itimerval tick = { { 0, 100000 }, { 0, 100000 } }, off = { { 0, 0 }, { 0, 0 } };
	int sys, r;

	if (is_kvm())
		return skip("no Xen ABI on this device (KVM 6.1 has none)");
	sys = open(device, O_RDWR | O_CLOEXEC);
	EXPECT(sys >= 0, "open: %s", strerror(errno));
	/*
	 * A broken guest may HLT with interrupts off and block in KVM_RUN
	 * (in-kernel irqchip): a periodic SIGALRM makes it return EINTR.
	 */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &tick, NULL);
	r = xg_info(&before, sys);
	deadline = xg_now() + 2.0;
	while (r == PASS && xg_now() < deadline) {
		double end = xg_now() + 0.4;

		/* Several VMs (seeds, with and without the irqchip) in the time. */
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		r = fuzz_one(seed, end < deadline ? end : deadline, &calls, &vms);
	}
	setitimer(ITIMER_REAL, &off, NULL);
	if (r == PASS) {
		char what[32];

		snprintf(what, sizeof(what), "%lu VMs", vms);
		r = xg_expect_no_leak(sys, &before, what);
	}
	close(sys);
	if (r)
		return r;
	EXPECT(calls > 0, "no hypercalls completed in %lu VMs", vms);
	printf("# xen fuzz: %lu VMs, >= %lu hypercalls\n", vms, calls);
	return PASS;
}

/* ---- timers, runstate, vm_assist, SCHEDOP_block / poll ---- */

#define XT_VI		(XG_VINFO + 64)		/* the registered vcpu_info */
#define XT_RS		(XG_BUF + 0x800)	/* the runstate area */
#define XT_MS		1000000ULL

/* The Xen system time the guest would read now (its PV clock and TSC). */
static int xt_now(struct xg *x, uint64_t *now)
{
	volatile struct vcpu_time_info *t = xg_buf(x, XT_VI + 32);
	uint64_t tsc, delta;
	uint32_t v;
	int r;

	xg_req(x, OP_RDMSR, 0x10, 0, 0, 0, 0, 0);	/* IA32_TSC */
	if ((r = xg_done(x)))
		return r;
	tsc = xg_mb(x)[8];
	do {
		v = t->version;
		__sync_synchronize();
		delta = tsc - t->tsc_timestamp;
		if (t->tsc_shift < 0)
			delta >>= -t->tsc_shift;
		else
			delta <<= t->tsc_shift;
		*now = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		__sync_synchronize();
	} while ((v & 1) || v != t->version);
	EXPECT(v != 0, "vcpu_info.time never written");
	return PASS;
}

/* A hypercall, its result and how long (host seconds) it took. */
static int xt_hc_timed(struct xg *x, int64_t *ret, double *secs, uint64_t nr, uint64_t a1,
		       uint64_t a2, uint64_t a3)
{
	double t0 = xg_now();
	int r = xg_hc(x, ret, nr, a1, a2, a3);

	*secs = xg_now() - t0;
	return r;
}

/* set_timer_op(@t): the 32-bit ABI splits the u64 over EBX and ECX. */
static int xt_set_timer(struct xg *x, int64_t *ret, uint64_t t)
{
	if (x->m64)
		return xg_hc(x, ret, __HYPERVISOR_set_timer_op, t, 0, 0);
	return xg_hc(x, ret, __HYPERVISOR_set_timer_op, (uint32_t)t, t >> 32, 0);
}

#define SET_TIMER(t, what)                                                     \
	do {                                                                   \
		int64_t ret_;                                                  \
		int rr_ = xt_set_timer(x, &ret_, t);                           \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == 0, "%s: %lld", what, (long long)ret_);          \
	} while (0)

/* struct vcpu_set_singleshot_timer in the guest's layout at XG_BUF. */
static void xt_singleshot(struct xg *x, uint64_t t, uint32_t flags)
{
	uint8_t *b = xg_buf(x, XG_BUF);

	memset(b, 0, 16);
	memcpy(b, &t, 8);
	memcpy(b + 8, &flags, 4);	/* offset 8 in both layouts */
}

/* SCHEDOP_poll's argument at XG_BUF (ports at XG_BUF + 0x100). */
static void xt_poll_arg(struct xg *x, uint64_t ports, uint32_t nr, uint64_t timeout)
{
	uint8_t *b = xg_buf(x, XG_BUF);

	memset(b, 0, 24);
	if (x->m64) {
		memcpy(b, &ports, 8);
		memcpy(b + 8, &nr, 4);
		memcpy(b + 16, &timeout, 8);
	} else {
		uint32_t p32 = ports;

		memcpy(b, &p32, 4);
		memcpy(b + 4, &nr, 4);
		memcpy(b + 8, &timeout, 8);
	}
}

/*
 * The port's pending bit, then every pending bit and the selector cleared
 * (2-level: a selector bit left set raises no further upcall).
 */
static int xt_take_pending(struct xg *x, uint32_t port, bool *was)
{
	uint8_t *vip = xg_buf(x, XT_VI);
	int r;

	if ((r = xg_bit(x, XG_SHINFO + 2048, port, was)))
		return r;
	if ((r = xg_store(x, XG_SHINFO + 2048, 0)))
		return r;
	memset(vip + (x->m64 ? 8 : 4), 0, x->m64 ? 8 : 4);
	return PASS;
}

/* Shared_info, vcpu_info at XT_VI, the callback vector; VIRQ_TIMER bound. */
static int xt_setup(struct xg *x, uint32_t *port)
{
	struct vcpu_register_vcpu_info *vri = xg_buf(x, XG_BUF);
	struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
	volatile uint64_t *mb = xg_mb(x);
	uint8_t *vip = xg_buf(x, XT_VI);
	uint64_t pv;
	int r;

	(void)pv;
	if ((r = xg_install_page(x)))
		return r;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	memset(vri, 0, sizeof(*vri));
	vri->mfn = XG_VINFO >> 12;
	vri->offset = 64;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, XG_BUF, "register_vcpu_info");
	mb[0x88 / 8] = XT_VI;
	PARAM(0, true, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, (2ULL << 56) | XG_VEC, "CALLBACK_IRQ");
	/* The upcall registration raised is taken on this entry. */
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == 1, "%u upcalls after registration, want 1", xg_mb32(x, 0x80));
	memset(vip + (x->m64 ? 8 : 4), 0, x->m64 ? 8 : 4);
	EVOP(0, EVTCHNOP_bind_virq, bv, &bv, "bind_virq(TIMER)");
	*port = bv.port;
	return PASS;
}

static int timer_body(struct xg *x)
{
	uint32_t port, n;
	uint64_t now;
	int64_t ret;
	double secs;
	bool b;
	int r;

	if ((r = xt_setup(x, &port)))
		return r;

	/* set_timer_op: a deadline 30 ms ahead ends SCHEDOP_block, with the upcall. */
	if ((r = xt_now(x, &now)))
		return r;
	n = xg_mb32(x, 0x80);
	SET_TIMER(now + 30 * XT_MS, "set_timer_op(+30 ms)");
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0)))
		return r;
	EXPECT(ret == 0, "SCHEDOP_block: %lld", (long long)ret);
	EXPECT(secs >= 0.015 && secs < 10, "SCHEDOP_block slept %.3f s for a 30 ms timer", secs);
	EXPECT(xg_mb32(x, 0x80) == n + 1, "%u upcalls after the timer, want %u", xg_mb32(x, 0x80),
	       n + 1);
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	EXPECT(b, "VIRQ_TIMER port not pending after the timer");

	/* A deadline in the past fires at once. */
	n = xg_mb32(x, 0x80);
	SET_TIMER(1, "set_timer_op(past)");
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	EXPECT(xg_mb32(x, 0x80) == n + 1, "no upcall for a past set_timer_op deadline");
	if ((r = xt_take_pending(x, port, &b)))
		return r;

	/* 0 cancels: a poll on the port then times out (no event). */
	if ((r = xt_now(x, &now)))
		return r;
	n = xg_mb32(x, 0x80);
	SET_TIMER(now + 20 * XT_MS, "set_timer_op(+20 ms)");
	SET_TIMER(0, "set_timer_op(0)");
	*(uint32_t *)xg_buf(x, XG_BUF + 0x100) = port;
	xt_poll_arg(x, XG_BUF + 0x100, 1, now + 80 * XT_MS);
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0)))
		return r;
	EXPECT(ret == 0, "SCHEDOP_poll: %lld", (long long)ret);
	EXPECT(secs >= 0.05, "poll with an 80 ms timeout returned after %.3f s", secs);
	EXPECT(xg_mb32(x, 0x80) == n, "a cancelled timer fired");

	/*
	 * 2^32 ns ahead: the high half of a 32-bit guest's deadline counts
	 * (dropped, the low half alone would lie in the past).
	 */
	if ((r = xt_now(x, &now)))
		return r;
	SET_TIMER(now + (1ULL << 32), "set_timer_op(+2^32 ns)");
	xt_poll_arg(x, XG_BUF + 0x100, 1, now + 60 * XT_MS);
	HC(0, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll(60 ms)");
	EXPECT(xg_mb32(x, 0x80) == n, "the +2^32 ns timer fired early");
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	EXPECT(!b, "VIRQ_TIMER pending for a timer 4 s away");

	/* Wrapped (negative) deadlines fire in 100 ms, as on Xen. */
	SET_TIMER(1ULL << 63, "set_timer_op(2^63)");
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0)))
		return r;
	EXPECT(secs >= 0.06 && secs < 10, "wrapped deadline: block slept %.3f s, want ~0.1", secs);
	EXPECT(xg_mb32(x, 0x80) == n + 1, "no upcall for the wrapped deadline");
	if ((r = xt_take_pending(x, port, &b)))
		return r;

	/* VCPUOP_set_singleshot_timer. */
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 1, XG_BUF,
	   "singleshot on vCPU 1 (absent)");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0xffffffff, XG_BUF,
	   "singleshot on vCPU -1");
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, XG_BAD,
	   "singleshot from a bad pointer");
	xt_singleshot(x, 1, VCPU_SSHOTTMR_future);
	HC(-XEN_ETIME, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, XG_BUF,
	   "singleshot in the past with VCPU_SSHOTTMR_future");
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	EXPECT(!b, "-ETIME still raised the timer event");
	n = xg_mb32(x, 0x80);
	xt_singleshot(x, 1, 0);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, XG_BUF, "singleshot in the past");
	EXPECT(xg_mb32(x, 0x80) == n + 1, "no upcall for a past singleshot");
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	if ((r = xt_now(x, &now)))
		return r;
	xt_singleshot(x, now + 40 * XT_MS, VCPU_SSHOTTMR_future);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, XG_BUF, "singleshot +40 ms");
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0)))
		return r;
	EXPECT(secs >= 0.02 && secs < 10, "block slept %.3f s for a 40 ms singleshot", secs);
	EXPECT(xg_mb32(x, 0x80) == n + 2, "no upcall from the singleshot timer");
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	/* stop_singleshot_timer cancels. */
	if ((r = xt_now(x, &now)))
		return r;
	xt_singleshot(x, now + 20 * XT_MS, 0);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, XG_BUF, "singleshot +20 ms");
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 0, 0, "stop_singleshot_timer");
	xt_poll_arg(x, XG_BUF + 0x100, 1, now + 70 * XT_MS);
	HC(0, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll(70 ms)");
	EXPECT(xg_mb32(x, 0x80) == n + 2, "a stopped singleshot fired");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 3, 0,
	   "stop_singleshot on vCPU 3 (absent)");

	/* Periodic: Xen's bounds, ticks end blocks, stop ends them. */
	*(uint64_t *)xg_buf(x, XG_BUF) = 0;
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period 0");
	*(uint64_t *)xg_buf(x, XG_BUF) = XT_MS - 1;
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF,
	   "period under 1 ms");
	*(uint64_t *)xg_buf(x, XG_BUF) = 1ULL << 62;
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period 2^62");
	*(uint64_t *)xg_buf(x, XG_BUF) = ~0ULL;
	HC(-XEN_EINVAL, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period ~0");
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BAD,
	   "period from a bad pointer");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 7, XG_BUF,
	   "period of vCPU 7 (absent)");
	*(uint64_t *)xg_buf(x, XG_BUF) = (1ULL << 62) - 1;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period 2^62 - 1");
	*(uint64_t *)xg_buf(x, XG_BUF) = 10 * XT_MS;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period 10 ms");
	n = xg_mb32(x, 0x80);
	for (int i = 0; i < 3; i++) {
		if ((r = xt_take_pending(x, port, &b)))
			return r;
		if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0)))
			return r;
		EXPECT(secs < 10, "periodic tick %d: block slept %.3f s", i, secs);
	}
	EXPECT(xg_mb32(x, 0x80) >= n + 3, "%u upcalls from 3 periodic ticks",
	       xg_mb32(x, 0x80) - n);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0, "stop_periodic_timer");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 40, 0,
	   "stop_periodic of vCPU 40 (absent)");
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	n = xg_mb32(x, 0x80);
	if ((r = xt_now(x, &now)))
		return r;
	xt_poll_arg(x, XG_BUF + 0x100, 1, now + 60 * XT_MS);
	HC(0, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll after stop_periodic");
	EXPECT(xg_mb32(x, 0x80) == n, "the stopped periodic timer still ticks");

	/* Without the in-kernel irqchip userspace starts vCPUs: -ENOSYS (xen_vcpu_tests.c). */
	HC(-XEN_ENOSYS, __HYPERVISOR_vcpu_op, VCPUOP_up, 0, 0, "VCPUOP_up");
	HC(-XEN_ENOSYS, __HYPERVISOR_vcpu_op, VCPUOP_initialise, 0, XG_BUF, "VCPUOP_initialise");
	/* Armed timers left behind: VM teardown cancels them. */
	if ((r = xt_now(x, &now)))
		return r;
	SET_TIMER(now + 5 * XT_MS, "set_timer_op(+5 ms) left armed");
	*(uint64_t *)xg_buf(x, XG_BUF) = XT_MS;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period 1 ms left on");
	return PASS;
}

static int t_xen64_timers(void)
{
	WITH_XG(true, false, timer_body(x));
}

static int t_xen32_timers(void)
{
	WITH_XG(false, false, timer_body(x));
}

/* The runstate area in the guest's layout. */
struct xt_rs {
	uint32_t state;
	uint64_t entry;
	uint64_t time[4];
};

static void xt_rs_read(struct xg *x, uint64_t gpa, struct xt_rs *rs)
{
	uint8_t *b = xg_buf(x, gpa);

	memcpy(&rs->state, b, 4);
	memcpy(&rs->entry, b + (x->m64 ? 8 : 4), 8);
	memcpy(rs->time, b + (x->m64 ? 16 : 12), 32);
}

static int runstate_body(struct xg *x)
{
	uint8_t *area = xg_buf(x, XT_RS);
	size_t size = x->m64 ? 48 : 44;
	struct xt_rs rs, rs2;
	uint64_t now, sum;
	uint32_t port;
	int64_t ret;
	double secs;
	int r, i;

	if ((r = xt_setup(x, &port)))
		return r;
	/* A second vCPU that never runs: offline. */
	if ((r = vcpu_open(&x->vm, 1)))
		return r;

	/* vm_assist: only the runstate update flag for HVM guests. */
	HC(-XEN_EINVAL, __HYPERVISOR_vm_assist, VMASST_CMD_enable, VMASST_TYPE_writable_pagetables,
	   0, "vm_assist(writable_pagetables)");
	HC(-XEN_EINVAL, __HYPERVISOR_vm_assist, VMASST_CMD_enable, 64, 0, "vm_assist(type 64)");
	HC(-XEN_EINVAL, __HYPERVISOR_vm_assist, VMASST_CMD_enable, 0xffffffff, 0,
	   "vm_assist(type -1)");
	HC(-XEN_ENOSYS, __HYPERVISOR_vm_assist, 7, VMASST_TYPE_runstate_update_flag, 0,
	   "vm_assist(cmd 7)");
	HC(0, __HYPERVISOR_vm_assist, VMASST_CMD_disable, VMASST_TYPE_runstate_update_flag, 0,
	   "vm_assist(disable update flag)");

	/*
	 * Registration writes our own area at once, the rest untouched. Seen
	 * from here the vCPU is out in userspace: blocked.
	 */
	memset(area, 0xa5, 64);
	*(uint64_t *)xg_buf(x, XG_BUF) = XT_RS;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0, XG_BUF,
	   "register_runstate_memory_area");
	xt_rs_read(x, XT_RS, &rs);
	EXPECT(rs.state == RUNSTATE_blocked, "runstate %u seen from userspace, want blocked",
	       rs.state);
	EXPECT(!(rs.entry & XEN_RUNSTATE_UPDATE) && rs.entry > 0, "state_entry_time %#llx",
	       (unsigned long long)rs.entry);
	EXPECT(area[size] == 0xa5 && area[63] == 0xa5, "wrote past the %zu-byte layout", size);
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0, XG_BAD,
	   "register_runstate from a bad pointer");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 9, XG_BUF,
	   "register_runstate for vCPU 9 (absent)");

	/* Time in userspace exits counts as blocked; a block adds to it. */
	if ((r = xt_now(x, &now)))
		return r;
	SET_TIMER(now + 30 * XT_MS, "set_timer_op(+30 ms)");
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0)))
		return r;
	xt_rs_read(x, XT_RS, &rs);
	EXPECT(rs.state == RUNSTATE_blocked, "runstate %u after a block, want blocked", rs.state);
	EXPECT(rs.time[RUNSTATE_blocked] >= 20 * XT_MS,
	       "blocked time %llu ns after a 30 ms block", (unsigned long long)rs.time[RUNSTATE_blocked]);
	EXPECT(rs.time[RUNSTATE_running] > 0, "no running time");
	sum = rs.time[0] + rs.time[1] + rs.time[2] + rs.time[3];
	if ((r = xt_now(x, &now)))
		return r;
	EXPECT(sum <= now && rs.entry <= now, "runstate ahead of the clock: sum %llu entry %llu now %llu",
	       (unsigned long long)sum, (unsigned long long)rs.entry, (unsigned long long)now);

	/* get_runstate_info, ours and vCPU 1's. */
	memset(xg_buf(x, XG_BUF), 0xa5, 64);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, XG_BUF, "get_runstate_info(0)");
	xt_rs_read(x, XG_BUF, &rs2);
	EXPECT(rs2.state == RUNSTATE_running, "get_runstate_info state %u", rs2.state);
	EXPECT(rs2.time[RUNSTATE_blocked] >= rs.time[RUNSTATE_blocked] &&
	       rs2.time[RUNSTATE_running] >= rs.time[RUNSTATE_running],
	       "get_runstate_info went backwards");
	EXPECT(((uint8_t *)xg_buf(x, XG_BUF))[size] == 0xa5, "get_runstate_info wrote past %zu bytes",
	       size);
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 1, XG_BUF, "get_runstate_info(1)");
	xt_rs_read(x, XG_BUF, &rs2);
	EXPECT(rs2.state == RUNSTATE_offline && rs2.time[RUNSTATE_running] == 0,
	       "vCPU 1 never ran: state %u running %llu", rs2.state,
	       (unsigned long long)rs2.time[RUNSTATE_running]);
	HC(-XEN_EFAULT, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, XG_BAD,
	   "get_runstate_info to a bad pointer");
	HC(-XEN_ENOENT, __HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 2, XG_BUF,
	   "get_runstate_info of vCPU 2 (absent)");
	/* Registering for vCPU 1 (it writes when it runs) is allowed. */
	*(uint64_t *)xg_buf(x, XG_BUF) = XT_RS + 0x100;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 1, XG_BUF,
	   "register_runstate for vCPU 1");

	/* With the update flag on, the area still ends with the flag down. */
	HC(0, __HYPERVISOR_vm_assist, VMASST_CMD_enable, VMASST_TYPE_runstate_update_flag, 0,
	   "vm_assist(enable update flag)");
	for (i = 0; i < 3; i++) {
		HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
		xt_rs_read(x, XT_RS, &rs2);
		EXPECT(!(rs2.entry & XEN_RUNSTATE_UPDATE), "XEN_RUNSTATE_UPDATE left set");
		EXPECT(rs2.entry >= rs.entry && rs2.state == RUNSTATE_blocked,
		       "entry time went back or state %u", rs2.state);
	}
	/* 0 turns the copy off. */
	*(uint64_t *)xg_buf(x, XG_BUF) = 0;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0, XG_BUF,
	   "register_runstate(0)");
	xt_rs_read(x, XT_RS, &rs);
	HC(0x40011, __HYPERVISOR_xen_version, XENVER_version, 0, 0, "XENVER_version");
	xt_rs_read(x, XT_RS, &rs2);
	EXPECT(rs2.entry == rs.entry, "the area is still written after registering 0");
	return PASS;
}

static int t_xen64_runstate(void)
{
	WITH_XG(true, false, runstate_body(x));
}

static int t_xen32_runstate(void)
{
	WITH_XG(false, false, runstate_body(x));
}

static int poll_body(struct xg *x)
{
	struct evtchn_bind_ipi bi = { .vcpu = 0 };
	uint32_t *ports = xg_buf(x, XG_BUF + 0x100);
	uint32_t port, n;
	uint64_t now;
	int64_t ret;
	double secs;
	bool b;
	int r, i;

	if ((r = xt_setup(x, &port)))
		return r;
	EVOP(0, EVTCHNOP_bind_ipi, bi, &bi, "bind_ipi");

	/* Xen's errors. */
	if ((r = xt_now(x, &now)))
		return r;
	xt_poll_arg(x, XG_BUF + 0x100, 129, now + 1000 * XT_MS);
	HC(-XEN_EINVAL, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll of 129 ports");
	HC(-XEN_EFAULT, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BAD, 0, "poll from a bad pointer");
	xt_poll_arg(x, XG_BAD, 1, now + 1000 * XT_MS);
	HC(-XEN_EFAULT, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll of a bad port array");
	xt_poll_arg(x, XG_GPA2 + XG_SIZE2 - 8, 4, now + 1000 * XT_MS);
	HC(-XEN_EFAULT, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0,
	   "poll of a port array running off RAM");
	ports[0] = port;
	ports[1] = x->m64 ? 4096 : 1024;
	xt_poll_arg(x, XG_BUF + 0x100, 2, now + 1000 * XT_MS);
	HC(-XEN_EINVAL, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll of a port past the last");

	/* A pending port (masked, as PV spinlocks have it) ends the poll at once. */
	if ((r = xg_store(x, XG_SHINFO + (x->m64 ? 2048 + 512 : 2048 + 128), 1ULL << bi.port)))
		return r;
	{
		struct evtchn_send sd = { .port = bi.port };

		EVOP(0, EVTCHNOP_send, sd, NULL, "send(masked IPI)");
	}
	ports[0] = port;
	ports[1] = bi.port;
	if ((r = xt_now(x, &now)))
		return r;
	xt_poll_arg(x, XG_BUF + 0x100, 2, now + 5000 * XT_MS);
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0)))
		return r;
	EXPECT(ret == 0 && secs < 2, "poll of a pending port: %lld after %.3f s", (long long)ret,
	       secs);
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	/* Zero ports and a past timeout: at once; zero ports, 50 ms: the timeout. */
	xt_poll_arg(x, XG_BUF + 0x100, 0, 1);
	HC(0, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0, "poll with a past timeout");
	if ((r = xt_now(x, &now)))
		return r;
	xt_poll_arg(x, XG_BUF + 0x100, 0, now + 50 * XT_MS);
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0)))
		return r;
	EXPECT(ret == 0 && secs >= 0.035 && secs < 10, "poll(50 ms): %lld after %.3f s",
	       (long long)ret, secs);

	/*
	 * The masked VIRQ_TIMER port: a timer 30 ms ahead ends a poll with a
	 * 5 s timeout by setting the port pending, with no upcall.
	 */
	if ((r = xg_store(x, XG_SHINFO + (x->m64 ? 2048 + 512 : 2048 + 128), 1ULL << port)))
		return r;
	n = xg_mb32(x, 0x80);
	if ((r = xt_now(x, &now)))
		return r;
	SET_TIMER(now + 30 * XT_MS, "set_timer_op(+30 ms)");
	ports[0] = port;
	xt_poll_arg(x, XG_BUF + 0x100, 1, now + 5000 * XT_MS);
	if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_poll, XG_BUF, 0)))
		return r;
	EXPECT(ret == 0 && secs >= 0.015 && secs < 4, "poll woken by a masked port: %lld after %.3f s",
	       (long long)ret, secs);
	if ((r = xt_take_pending(x, port, &b)))
		return r;
	EXPECT(b, "masked VIRQ_TIMER port not pending");
	EXPECT(xg_mb32(x, 0x80) == n, "upcall for a masked port");

	/* SCHEDOP_block wakes on an event with VIRQ_TIMER unbound too (timer). */
	{
		struct evtchn_close cl = { .port = port };

		EVOP(0, EVTCHNOP_close, cl, NULL, "close(VIRQ_TIMER)");
	}
	for (i = 0; i < 2; i++) {
		if ((r = xt_now(x, &now)))
			return r;
		SET_TIMER(now + 20 * XT_MS, "set_timer_op(+20 ms), unbound");
		if ((r = xt_hc_timed(x, &ret, &secs, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0)))
			return r;
		EXPECT(ret == 0 && secs >= 0.01 && secs < 10,
		       "block with VIRQ_TIMER unbound: %lld after %.3f s", (long long)ret, secs);
	}
	/* Block re-enables delivery: evtchn_upcall_mask is cleared. */
	((uint8_t *)xg_buf(x, XT_VI))[1] = 1;
	if ((r = xt_now(x, &now)))
		return r;
	SET_TIMER(now + 20 * XT_MS, "set_timer_op(+20 ms)");
	HC(0, __HYPERVISOR_sched_op, SCHEDOP_block, 0, 0, "block");
	EXPECT(((uint8_t *)xg_buf(x, XT_VI))[1] == 0, "SCHEDOP_block left upcall_mask set");
	return PASS;
}

static int t_xen64_poll_block(void)
{
	WITH_XG(true, false, poll_body(x));
}

static int t_xen32_poll_block(void)
{
	WITH_XG(false, false, poll_body(x));
}


/*
 * VMs torn down with their Xen timers armed (periodic at Xen's 1 ms
 * minimum, a singleshot far ahead, one just due) and a runstate area: no
 * leak, no late callback into a freed vCPU (the host kernel log is
 * checked for oopses by the test host).
 */
static int xt_teardown_one(struct xg *x)
{
	uint32_t port;
	uint64_t now;
	int r;

	if ((r = xt_setup(x, &port)))
		return r;
	if ((r = xt_now(x, &now)))
		return r;
	*(uint64_t *)xg_buf(x, XG_BUF) = XT_MS;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, XG_BUF, "period 1 ms");
	SET_TIMER(now + 1000 * XT_MS, "set_timer_op(+1 s)");
	*(uint64_t *)xg_buf(x, XG_BUF) = XT_RS;
	HC(0, __HYPERVISOR_vcpu_op, VCPUOP_register_runstate_memory_area, 0, XG_BUF,
	   "register_runstate_memory_area");
	SET_TIMER(now + 2 * XT_MS, "set_timer_op(+2 ms)");
	return PASS;
}

static int t_xen_timer_teardown_no_leak(void)
{
	struct hxen_info before;
	int sys, r = PASS, i, n = 1000;

	if (is_kvm())
		return skip("no Xen ABI on this device (KVM 6.1 has none)");
	sys = open(device, O_RDWR | O_CLOEXEC);
	EXPECT(sys >= 0, "open: %s", strerror(errno));
	if ((r = xg_info(&before, sys))) {
		close(sys);
		return r;
	}
	for (i = 0; i < n && r == PASS; i++) {
		struct xg xg_, *x = &xg_;

		r = xg_open(x, i & 1, i % 3 == 0);
		if (r == PASS)
			r = xt_teardown_one(x);
		xg_close(x);
	}
	if (r == PASS) {
		char what[32];

		snprintf(what, sizeof(what), "%d VMs", n);
		r = xg_expect_no_leak(sys, &before, what);
	}
	close(sys);
	return r;
}

#define XEN_TESTS                                                              \
	{ "xen_enable_rules", t_xen_enable_rules },                            \
	{ "xen_disabled_vm_unchanged", t_xen_disabled_vm_unchanged },          \
	{ "xen64_cpuid_hypercall_page_version", t_xen64_version },             \
	{ "xen32_cpuid_hypercall_page_version", t_xen32_version },             \
	{ "xen64_shared_info_params_vcpu_info", t_xen64_shared_info },         \
	{ "xen32_shared_info_params_vcpu_info", t_xen32_shared_info },         \
	{ "xen64_event_channels", t_xen64_event_channels },                    \
	{ "xen32_event_channels", t_xen32_event_channels },                    \
	{ "xen32_upcall_vector_lapic", t_xen32_upcall_vector_lapic },          \
	{ "xen32_upcall_vector_lapic_late", t_xen32_upcall_vector_lapic_late }, \
	{ "xen64_console_and_shutdown", t_xen64_console_shutdown },            \
	{ "xen32_console_and_shutdown", t_xen32_console_shutdown },            \
	{ "xen64_timers", t_xen64_timers },                                    \
	{ "xen32_timers", t_xen32_timers },                                    \
	{ "xen64_runstate_vm_assist", t_xen64_runstate },                      \
	{ "xen32_runstate_vm_assist", t_xen32_runstate },                      \
	{ "xen64_poll_block", t_xen64_poll_block },                            \
	{ "xen32_poll_block", t_xen32_poll_block },                            \
	{ "xen_timer_teardown_no_leak", t_xen_timer_teardown_no_leak },        \
	{ "xen_fuzz_hypercalls_no_leak", t_xen_fuzz_hypercalls },
