// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI, the per-VM part: HXEN_XEN_ENABLE and teardown,
 * the Xen CPUID leaves, the hypercall page, shared_info (a module page
 * that XENMEM_add_to_physmap puts over a guest frame, mmu/overlay.h) and
 * where each vCPU's vcpu_info is (VCPUOP_register_vcpu_info moves it,
 * vcpu_op.c), PV time and the delivery of event-channel upcalls.
 *
 * Upcall delivery (xen_raise_upcall): with a per-vCPU upcall vector
 * (HVMOP_set_evtchn_upcall_vector) the vector goes into the vCPU's
 * in-kernel LAPIC IRR like any fixed interrupt (the guest EOIs it, as on
 * Xen). With HVM_PARAM_CALLBACK_IRQ of type vector the vector is injected
 * directly, bypassing the LAPIC (Linux does not EOI it), before every
 * entry while evtchn_upcall_pending is set and the guest can take it
 * (hxen_xen_inject); the vCPU is only kicked. GSI / PCI INTx callbacks are
 * accepted and stored but not delivered yet.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/highmem.h>
#include <linux/math64.h>
#include <linux/jiffies.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include <asm/unaligned.h>
#include <asm/xen/cpuid.h>
#include <xen/interface/xen.h>

#include "../x86/irqchip/irqchip.h"
#include "../x86/pvclock.h"
#include "internal.h"

/* The 32-bit shared_info's wallclock (see evtchn.h for the layout). */
#define SHINFO_WC_32		(2048 + 2 * 128)
#define SHINFO_WC_SEC_HI_32	(SHINFO_WC_32 + 12 + 6 * 4)

u8 *hxen_xen_vcpu_info(struct hxen_xen *xen, u32 vcpu)
{
	u8 *vi;

	if (vcpu >= HXEN_MAX_VCPUS)
		return NULL;
	vi = READ_ONCE(xen->vcpus[vcpu].vi);
	if (vi)
		return vi;
	if (vcpu < MAX_VIRT_CPUS)
		return xen->shinfo + vcpu * sizeof(struct vcpu_info);
	return NULL;
}

/* ---- event-channel callbacks (evtchn.h) ---- */

static bool xen_vcpu_exists(void *opaque, u32 vcpu)
{
	struct hxen_xen *xen = opaque;

	return vcpu < HXEN_MAX_VCPUS && READ_ONCE(xen->vcpus[vcpu].vcpu);
}

static u8 *xen_vcpu_info_cb(void *opaque, u32 vcpu)
{
	return hxen_xen_vcpu_info(opaque, vcpu);
}

/*
 * evtchn_upcall_pending went 0 -> 1 (Xen's vcpu_mark_events_pending).
 * Any context; under evtchn_lock (the LAPIC's lock nests inside it).
 */
static void xen_raise_upcall(void *opaque, u32 id)
{
	struct hxen_xen *xen = opaque;
	struct hxen_vcpu *vcpu = READ_ONCE(xen->vcpus[id].vcpu);
	u8 vec = READ_ONCE(xen->vcpus[id].upcall_vector);

	if (!vcpu)
		return;
	if (vec && vcpu->lapic) {
		struct hxen_apic_irq irq = {
			.shorthand = 1,		/* self: exactly this vCPU */
			.src = vcpu,
			.delivery_mode = 0,	/* fixed, edge */
			.vector = vec,
			.assert = true,
		};

		/*
		 * Xen's vLAPIC takes it even software-disabled; hxen's drops
		 * fixed interrupts then, and upcall_pending stays set, which
		 * would stop every later upcall (raised on 0 -> 1 only).
		 */
		if (!hxen_lapic_deliver(xen->vm, &irq)) {
			WRITE_ONCE(xen->vcpus[id].upcall_retry, true);
			hxen_vcpu_wake(vcpu);
		}
		return;
	}
	/* Callback vector: hxen_xen_inject() sees the pending upcall. */
	hxen_vcpu_wake(vcpu);
}

/* ---- enable / teardown ---- */

void hxen_xen_write_wallclock(struct hxen_xen *xen)
{
	struct pvclock_wall_clock *wc;
	u64 sec = div_u64(xen->boot_wall_ns, NSEC_PER_SEC);
	u32 nsec = xen->boot_wall_ns - sec * NSEC_PER_SEC;
	u32 *sec_hi;

	if (xen->long_mode) {
		wc = &((struct shared_info *)xen->shinfo)->wc;
		sec_hi = &((struct shared_info *)xen->shinfo)->wc_sec_hi;
	} else {
		wc = (void *)(xen->shinfo + SHINFO_WC_32);
		sec_hi = (void *)(xen->shinfo + SHINFO_WC_SEC_HI_32);
	}
	/* The version protocol: odd while the fields change. */
	WRITE_ONCE(wc->version, (wc->version + 1) | 1);
	smp_wmb();
	wc->sec = sec;
	wc->nsec = nsec;
	*sec_hi = sec >> 32;
	smp_wmb();
	WRITE_ONCE(wc->version, wc->version + 1);
}

static void hxen_xen_free(struct hxen_xen *xen);

long hxen_xen_enable(struct hxen_vm *vm, struct hxen_xen_config __user *arg)
{
	struct hxen_xen_config cfg;
	struct hxen_xen *xen;
	int i;
	long r;

	BUILD_BUG_ON(offsetof(struct shared_info, evtchn_pending) != HXEN_SHINFO_PENDING);
	BUILD_BUG_ON(offsetof(struct shared_info, evtchn_mask) != HXEN_SHINFO_MASK_64);
	BUILD_BUG_ON(offsetof(struct vcpu_info, evtchn_pending_sel) != HXEN_VCPU_INFO_SEL_64);
	BUILD_BUG_ON(sizeof(struct vcpu_info) != HXEN_VCPU_INFO_SIZE);
	BUILD_BUG_ON(offsetof(struct vcpu_info, time) != 32);
	BUILD_BUG_ON(sizeof(struct shared_info) > PAGE_SIZE);
	BUILD_BUG_ON(HXEN_MAX_VCPUS > HXEN_EVTCHN_MAX_VCPUS);

	if (copy_from_user(&cfg, arg, sizeof(cfg)))
		return -EFAULT;
	if (cfg.flags || memchr_inv(cfg.reserved, 0, sizeof(cfg.reserved)))
		return -EINVAL;
	/* Cheap early answer; checked again under vm->lock. */
	if (READ_ONCE(vm->xen) || atomic_read(&vm->nr_vcpus))
		return -EBUSY;

	xen = kvzalloc(sizeof(*xen), GFP_KERNEL_ACCOUNT);
	if (!xen)
		return -ENOMEM;
	xen->shinfo_frame.page = hxen_alloc_page();
	if (!xen->shinfo_frame.page) {
		kvfree(xen);
		return -ENOMEM;
	}
	xen->vm = vm;
	refcount_set(&xen->refs, 1);
	memcpy(xen->handle, cfg.handle, sizeof(xen->handle));
	mutex_init(&xen->lock);
	mutex_init(&xen->host_lock);
	mutex_init(&xen->cons_lock);
	raw_spin_lock_init(&xen->evtchn_lock);
	spin_lock_init(&xen->updown_lock);
	xa_init(&xen->evfds);
	hxen_overlay_init(&xen->shinfo_frame, xen->shinfo_frame.page);
	xen->shinfo = page_address(xen->shinfo_frame.page);
	for (i = 0; i < HXEN_GNTTAB_MAX_FRAMES; i++)
		xen->gnttab[i].gfn = HXEN_OVERLAY_NO_GFN;

	xen->long_mode = true;
	xen->boot_ns = ktime_get_ns();
	xen->boot_wall_ns = ktime_get_real_ns();
	/* Events start disabled in every vcpu_info, as Xen creates them. */
	for (i = 0; i < MAX_VIRT_CPUS; i++)
		((struct shared_info *)xen->shinfo)->vcpu_info[i].evtchn_upcall_mask = 1;
	hxen_xen_write_wallclock(xen);

	xen->evtchn.shinfo = xen->shinfo;
	xen->evtchn.vcpu_exists = xen_vcpu_exists;
	xen->evtchn.vcpu_info = xen_vcpu_info_cb;
	xen->evtchn.raise = xen_raise_upcall;
	xen->evtchn.opaque = xen;
	hxen_evtchn_init(&xen->evtchn);

	/* Other VMs can find it from here on: everything above is ready. */
	r = hxen_xen_domain_register(xen);
	if (r)
		goto free;
	xen->evtchn.domid = xen->domid;

	mutex_lock(&vm->lock);
	if (vm->xen || atomic_read(&vm->nr_vcpus)) {
		r = -EBUSY;
	} else {
		cfg.domid = xen->domid;
		r = copy_to_user(arg, &cfg, sizeof(cfg)) ? -EFAULT : 0;
		if (!r)
			WRITE_ONCE(vm->xen, xen);
	}
	mutex_unlock(&vm->lock);
	if (!r)
		return 0;
	/* Peers may have looked it up: the same way out as a VM going. */
	hxen_xen_vm_stop(vm, xen);
	hxen_xen_free(xen);
	return r;
free:
	hxen_free_page(xen->shinfo_frame.page);
	kvfree(xen);
	return r;
}

struct hxen_xen_vcpu *hxen_xen_vcpu_attach(struct hxen_vm *vm, struct hxen_vcpu *vcpu)
{
	struct hxen_xen_vcpu *xv;

	lockdep_assert_held(&vm->lock);
	if (!vm->xen)
		return NULL;
	xv = &vm->xen->vcpus[vcpu->id];
	xv->time_dirty = true;
	xv->time_cpu = -1;
	hxen_xen_timer_init(xv);
	hxen_xen_runstate_init(xv, hxen_xen_now(vm->xen));
	hxen_xen_vcpu_updown_init(vm->xen, xv, vcpu);
	/*
	 * Other vCPUs' hypercalls (VCPUOP_is_up/up/down, send_nmi, upcall
	 * vectors) find the vCPU through xv->vcpu and then use vcpu->xen
	 * without a lock: it is set first, and the release store orders it
	 * (and the state above) before the pointer.
	 */
	vcpu->xen = xv;
	smp_store_release(&xv->vcpu, vcpu);
	return xv;
}

/*
 * The VM starts to go (its vCPUs still exist): their Xen timers stop, and
 * no other VM or host eventfd may reach it from now on. Peers' channels
 * become unbound.
 */
void hxen_xen_vm_stop(struct hxen_vm *vm, struct hxen_xen *xen)
{
	unsigned long flags;
	int i;

	if (!xen)
		return;
	for (i = 0; i < HXEN_MAX_VCPUS; i++)
		if (xen->vcpus[i].vcpu)
			hxen_xen_timer_cancel(&xen->vcpus[i]);
	hxen_xen_domain_unregister(xen);
	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	xen->dead = true;
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	hxen_xen_host_free(xen);
	hxen_xen_evtchn_teardown(xen);
}

/* Everything but the structure, which the last reference frees. */
static void hxen_xen_free(struct hxen_xen *xen)
{
	int i;

	for (i = 0; i < HXEN_MAX_VCPUS; i++)
		if (xen->vcpus[i].vi_page)
			unpin_user_page(xen->vcpus[i].vi_page);
	hxen_xen_gnttab_free(xen);
	hxen_xen_memory_free(xen);
	hxen_free_page(xen->shinfo_frame.page);
	xen->shinfo_frame.page = NULL;
	hxen_xen_domain_put(xen);
}

void hxen_xen_vm_free(struct hxen_vm *vm)
{
	if (!vm->xen)
		return;
	hxen_xen_free(vm->xen);
	vm->xen = NULL;
}

long hxen_xen_vm_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct hxen_xen *xen = READ_ONCE(vm->xen);

	/* Only after HXEN_XEN_ENABLE. */
	if (!xen)
		return -EINVAL;
	switch (ioctl) {
	case HXEN_XEN_SET_MEMORY_MAP:
		return hxen_xen_set_memory_map(xen, argp);
	case HXEN_XEN_EVTCHN_EVENTFD:
		return hxen_xen_evtchn_eventfd(xen, argp);
	case HXEN_XEN_CONSOLE_INPUT:
		return hxen_xen_console_input(xen, argp);
	case HXEN_XEN_SET_PARAM:
		return hxen_xen_set_param(xen, argp);
	default:
		return -ENOTTY;
	}
}

/* ---- CPUID and the hypercall page ---- */

/*
 * A Xen VM's leaves 0x40000000-0x400000ff are answered here, whatever the
 * VMM put in its CPUID table: KVM's paravirtual leaves (kvm-clock), which
 * a VMM copies from KVM_GET_SUPPORTED_CPUID to 0x40000000, are hidden.
 * They are not moved to 0x40000100 (Xen-on-KVM style) because Linux picks
 * the hypervisor whose detect() returns the highest value, and KVM's is
 * its base leaf: at 0x40000100 it would win over Xen at 0x40000000 and
 * the guest would boot as a KVM guest. The kvm-clock MSRs keep working
 * for a guest that writes them anyway.
 */

bool hxen_xen_cpuid(struct hxen_vcpu *vcpu, u32 leaf, u32 subleaf, u32 *eax, u32 *ebx,
		    u32 *ecx, u32 *edx)
{
	struct hxen_xen *xen = vcpu->vm->xen;

	if (leaf < XEN_CPUID_FIRST_LEAF || leaf > XEN_CPUID_FIRST_LEAF + 0xff)
		return false;
	*eax = *ebx = *ecx = *edx = 0;
	switch (leaf - XEN_CPUID_FIRST_LEAF) {
	case 0:
		*eax = XEN_CPUID_LEAF(4);
		*ebx = XEN_CPUID_SIGNATURE_EBX;
		*ecx = XEN_CPUID_SIGNATURE_ECX;
		*edx = XEN_CPUID_SIGNATURE_EDX;
		break;
	case 1:
		*eax = (HXEN_XEN_MAJOR << 16) | HXEN_XEN_MINOR;
		break;
	case 2:
		*eax = 1;			/* hypercall pages */
		*ebx = HXEN_XEN_HYPERCALL_MSR;
		break;
	case 3:
		/*
		 * TSC: sub-leaf 0 ECX the guest's rate in kHz; mode 0
		 * (Xen's default) and no emulation; sub-leaf 2 the host's.
		 */
		if (subleaf == 0 || subleaf == 2)
			*ecx = tsc_khz;
		break;
	case 4:
		/* HVM: the Xen vCPU id and domain id; per-vCPU upcall vectors need a LAPIC. */
		*eax = XEN_HVM_CPUID_VCPU_ID_PRESENT | XEN_HVM_CPUID_DOMID_PRESENT |
		       (vcpu->lapic ? XEN_HVM_CPUID_UPCALL_VECTOR : 0);
		*ebx = vcpu->id;
		*ecx = xen->domid;
		break;
	}
	return true;
}

/*
 * WRMSR to the hypercall-page MSR: bits 63:12 the guest frame, 11:0 the
 * page index (one page, so 0). Every one of the 128 32-byte stubs is
 * "mov $nr, %eax; vmcall|vmmcall; ret" with the host vendor's instruction;
 * __HYPERVISOR_iret, a PV-only call, is ud2; the rest of the page is int3.
 * A bad frame or index is #GP, as on Xen.
 */
static int xen_write_hypercall_page(struct hxen_vcpu *vcpu, u64 val)
{
	bool svm = hxen_detected.vendor == HXEN_VENDOR_SVM;
	unsigned long hva;
	u8 *page;
	int i, r;

	if (val & ~PAGE_MASK)
		return -EINVAL;
	hva = hxen_gpa_to_hva(vcpu->vm, val & PAGE_MASK, true);
	if (!hva)
		return -EINVAL;
	page = (u8 *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	memset(page, 0xcc, PAGE_SIZE);
	for (i = 0; i < PAGE_SIZE / 32; i++) {
		u8 *p = page + i * 32;

		if (i == __HYPERVISOR_iret) {
			p[0] = 0x0f;	/* ud2 */
			p[1] = 0x0b;
			continue;
		}
		p[0] = 0xb8;		/* mov $i, %eax */
		put_unaligned_le32(i, p + 1);
		p[5] = 0x0f;
		p[6] = 0x01;
		p[7] = svm ? 0xd9 : 0xc1;	/* vmmcall : vmcall */
		p[8] = 0xc3;		/* ret */
	}
	r = copy_to_user((void __user *)hva, page, PAGE_SIZE) ? -EINVAL : 0;
	/* Dirty logging: guest RAM the module wrote. */
	hxen_mark_gpa_dirty(vcpu->vm, val & PAGE_MASK);
	free_page((unsigned long)page);
	return r;
}

bool hxen_xen_set_msr(struct hxen_vcpu *vcpu, u32 msr, u64 val, int *r)
{
	if (msr != HXEN_XEN_HYPERCALL_MSR)
		return false;
	*r = xen_write_hypercall_page(vcpu, val);
	if (*r == -ENOMEM)
		*r = -EINVAL;
	return true;
}

/* ---- shared_info ---- */

/*
 * Xen latches the shared-state layout from the mode of the vCPU making
 * the first calls (add_to_physmap of shared_info, CALLBACK_IRQ).
 */
void hxen_xen_set_long_mode(struct hxen_xen *xen, bool long_mode)
{
	unsigned long flags;

	if (xen->long_mode == long_mode)
		return;
	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	xen->long_mode = long_mode;
	xen->evtchn.compat = !long_mode;
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	hxen_xen_write_wallclock(xen);
}

/* ---- PV time ---- */

/*
 * vcpu_info.time with pvclock's version protocol. The vCPU's own thread,
 * loaded (it reads the guest TSC through the vendor). System time counts
 * from HXEN_XEN_ENABLE on the host's monotonic clock. Refreshed when the
 * vcpu_info moves and once a second.
 */
void hxen_xen_update_time(struct hxen_vcpu *vcpu)
{
	struct hxen_xen_vcpu *xv = vcpu->xen;
	struct hxen_xen *xen = vcpu->vm->xen;
	struct pvclock_vcpu_time_info *t;
	u64 tsc, now;
	u8 *vi;

	xv->time_dirty = false;
	xv->time_next = jiffies + HZ;
	xv->time_cpu = vcpu->cpu;
	vi = hxen_xen_vcpu_info(xen, vcpu->id);
	if (!vi)
		return;
	hxen_pvclock_sample(vcpu, &tsc, &now);
	/* The same offset (32) in the 32-bit and 64-bit vcpu_info. */
	t = (void *)(vi + offsetof(struct vcpu_info, time));
	WRITE_ONCE(t->version, (t->version + 1) | 1);
	smp_wmb();
	/* No TSC-stable promise across vCPUs: flags 0. */
	hxen_pvclock_fill(t, tsc, now - xen->boot_ns, 0);
	smp_wmb();
	WRITE_ONCE(t->version, t->version + 1);
}

/* ---- upcall injection (the run loop) ---- */

/* The callback vector is due on this vCPU: its number, else 0. */
static u8 xen_callback_due(struct hxen_vcpu *vcpu)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	u8 vec = READ_ONCE(xen->callback_vector);
	u8 *vi;

	if (!vec || READ_ONCE(vcpu->xen->upcall_vector))
		return 0;
	vi = hxen_xen_vcpu_info(xen, vcpu->id);
	return vi && READ_ONCE(*vi) ? vec : 0;
}

/* The vCPU's thread, interrupts off: offer a refused upcall vector again. */
static void xen_upcall_retry(struct hxen_vcpu *vcpu)
{
	struct hxen_xen *xen = vcpu->vm->xen;
	unsigned long flags;
	u8 *vi;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	vi = hxen_xen_vcpu_info(xen, vcpu->id);
	if (!vi || !READ_ONCE(*vi)) {
		vcpu->xen->upcall_retry = false;
	} else {
		struct hxen_apic_irq irq = {
			.shorthand = 1,
			.src = vcpu,
			.delivery_mode = 0,
			.vector = READ_ONCE(vcpu->xen->upcall_vector),
			.assert = true,
		};

		if (irq.vector && hxen_lapic_deliver(xen->vm, &irq))
			vcpu->xen->upcall_retry = false;
	}
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
}

bool hxen_xen_inject(struct hxen_vcpu *vcpu)
{
	struct hxen_xen_vcpu *xv = vcpu->xen;
	u8 vec;

	if (unlikely(READ_ONCE(xv->upcall_retry)))
		xen_upcall_retry(vcpu);

	/*
	 * Also on a new host CPU, as Xen does on every reschedule: the record
	 * pairs a guest TSC with the host clock, and the TSCs of two host
	 * CPUs may disagree slightly.
	 */
	if (unlikely(xv->time_dirty || xv->time_cpu != vcpu->cpu ||
		     time_after_eq(jiffies, xv->time_next)))
		hxen_xen_update_time(vcpu);
	vec = xen_callback_due(vcpu);
	if (!vec)
		return false;
	/*
	 * Level-like, as on Xen: offered again before every entry until the
	 * guest clears evtchn_upcall_pending (Linux does so first thing).
	 */
	if (hxen_ops->interrupt_allowed(vcpu))
		hxen_ops->inject_irq(vcpu, vec);
	else
		hxen_ops->enable_irq_window(vcpu);
	return true;
}

bool hxen_xen_upcall_ready(struct hxen_vcpu *vcpu)
{
	return vcpu->xen && xen_callback_due(vcpu) && (hxen_ops->get_rflags(vcpu) & X86_EFLAGS_IF);
}
