// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of the in-kernel PIC, IOAPIC, PIT, GSI routing, MSI,
 * KVM_GET/SET_IRQCHIP, KVM_GET/SET_PIT2. #included by guesttest.c (shares
 * its helpers); the guests live in irqchip_guests.S.
 */

#include <sys/time.h>

GUEST_SYM(pic); GUEST_SYM(ioapic_level); GUEST_SYM(pit_periodic); GUEST_SYM(pit_ch2);
GUEST_SYM(msi); GUEST_SYM(pic_cascade); GUEST_SYM(pit_oneshot); GUEST_SYM(irq_fuzz);
GUEST_SYM(pic_string);

#define IRQ_RTE_REMOTE_IRR	(1ULL << 14)
#define IRQ_RTE_MASKED		(1ULL << 16)

static void irq_on_alarm(int sig)
{
	(void)sig;
}

/*
 * A guest that waits in HLT for an interrupt that never comes blocks in
 * KVM_RUN with an in-kernel irqchip: a timer signal makes KVM_RUN fail
 * with EINTR instead of hanging the suite.
 */
static void irq_watchdog(unsigned int seconds)
{
	struct sigaction sa = { .sa_handler = irq_on_alarm };

	sigaction(SIGALRM, &sa, NULL);
	alarm(seconds);
}

static uint64_t irq_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* KVM_RUN; the exit must be an OUT to @port; its data in *val. */
static int irq_run_out(struct vm *v, uint16_t port, uint32_t *val)
{
	struct kvm_run *run = v->run[0];
	struct kvm_regs regs;
	int r;

	if ((r = run_expect(v, 0, KVM_EXIT_IO))) {
		memset(&regs, 0, sizeof(regs));
		ioctl(v->vcpu[0], KVM_GET_REGS, &regs);
		return fail("%s (waiting for OUT %#x; rip %#llx eax %#llx)", reason, port,
			    (unsigned long long)regs.rip, (unsigned long long)regs.rax);
	}
	EXPECT(run->io.direction == KVM_EXIT_IO_OUT && run->io.port == port,
	       "IO dir %d port %#x, want OUT to %#x", run->io.direction, run->io.port, port);
	*val = 0;
	memcpy(val, (uint8_t *)run + run->io.data_offset, run->io.size);
	return PASS;
}

static int irq_line(struct vm *v, uint32_t gsi, uint32_t level)
{
	struct kvm_irq_level l = { .irq = gsi, .level = level };

	EXPECT(ioctl(v->fd, KVM_IRQ_LINE, &l) == 0, "KVM_IRQ_LINE(%u, %u): %s", gsi, level,
	       strerror(errno));
	return PASS;
}

static int irq_get_chip(struct vm *v, uint32_t id, struct kvm_irqchip *c)
{
	memset(c, 0, sizeof(*c));
	c->chip_id = id;
	EXPECT(ioctl(v->fd, KVM_GET_IRQCHIP, c) == 0, "GET_IRQCHIP(%u): %s", id, strerror(errno));
	return PASS;
}

/*
 * A VM with the irqchip (and the PIT if @pit, with port 0x61 in the
 * kernel too) created before vCPU 0.
 */
static int irq_vm_open(struct vm *v, bool pit)
{
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
	int r = vm_open(v);

	if (r)
		return r;
	EXPECT(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) == 0, "CREATE_IRQCHIP: %s", strerror(errno));
	if (pit)
		EXPECT(ioctl(v->fd, KVM_CREATE_PIT2, &cfg) == 0, "CREATE_PIT2: %s",
		       strerror(errno));
	return vcpu_open(v, 0);
}

#define WITH_IRQ_VM(pit, body)                                                 \
	do {                                                                   \
		struct vm vm_;                                                 \
		struct vm *v = &vm_;                                           \
		int r_ = irq_vm_open(v, pit);                                  \
		if (r_ == PASS) {                                              \
			irq_watchdog(20);                                      \
			r_ = (body);                                           \
			alarm(0);                                              \
		}                                                              \
		vm_close(v);                                                   \
		return r_;                                                     \
	} while (0)

static int create_errors_body(struct vm *v)
{
	struct kvm_irq_level l = { .irq = 0, .level = 1 };
	struct kvm_irq_routing rt = { 0 };
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x30 };
	struct kvm_pit_state2 ps;
	struct kvm_irqchip c = { .chip_id = 0 };
	struct vm v2;
	int r;

	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_IRQCHIP) > 0, "no KVM_CAP_IRQCHIP");
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_ROUTING) > 0, "no KVM_CAP_IRQ_ROUTING");
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_PIT2) > 0, "no KVM_CAP_PIT2");
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_PIT_STATE2) > 0, "no KVM_CAP_PIT_STATE2");
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_SIGNAL_MSI) > 0, "no KVM_CAP_SIGNAL_MSI");
	EXPECT(ioctl(v->sys, KVM_CHECK_EXTENSION, KVM_CAP_IRQ_INJECT_STATUS) > 0,
	       "no KVM_CAP_IRQ_INJECT_STATUS");

	/* Nothing to talk to yet. */
	EXPECT_ERRNO(ioctl(v->fd, KVM_IRQ_LINE, &l), ENXIO, "IRQ_LINE without irqchip");
	EXPECT_ERRNO(ioctl(v->fd, KVM_IRQ_LINE_STATUS, &l), ENXIO, "IRQ_LINE_STATUS without irqchip");
	EXPECT_ERRNO(ioctl(v->fd, KVM_GET_IRQCHIP, &c), ENXIO, "GET_IRQCHIP without irqchip");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_IRQCHIP, &c), ENXIO, "SET_IRQCHIP without irqchip");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_GSI_ROUTING, &rt), EINVAL, "SET_GSI_ROUTING without irqchip");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SIGNAL_MSI, &msi), EINVAL, "SIGNAL_MSI without irqchip");
	EXPECT_ERRNO(ioctl(v->fd, KVM_GET_PIT2, &ps), ENXIO, "GET_PIT2 without PIT");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_PIT2, &ps), ENXIO, "SET_PIT2 without PIT");

	EXPECT(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) == 0, "CREATE_IRQCHIP: %s", strerror(errno));
	EXPECT_ERRNO(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0), EEXIST, "second CREATE_IRQCHIP");
	EXPECT(ioctl(v->fd, KVM_IRQ_LINE_STATUS, &l) == 0, "IRQ_LINE_STATUS: %s", strerror(errno));

	/* After a vCPU exists it is too late. */
	if ((r = vm_open(&v2)))
		return r;
	r = vcpu_open(&v2, 0);
	if (r == PASS) {
		errno = 0;
		if (ioctl(v2.fd, KVM_CREATE_IRQCHIP, 0) != -1 || errno != EINVAL)
			r = fail("CREATE_IRQCHIP after a vCPU: %s, want EINVAL", strerror(errno));
	}
	vm_close(&v2);
	return r;
}

static int t_irqchip_create_errors(void)
{
	struct vm vm_;
	struct vm *v = &vm_;
	int r = vm_open(v);

	if (r == PASS)
		r = create_errors_body(v);
	vm_close(v);
	return r;
}

static int get_set_body(struct vm *v)
{
	struct kvm_irqchip c, back;
	int r, i;

	EXPECT(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) == 0, "CREATE_IRQCHIP: %s", strerror(errno));
	/* PIIX: IRQs 0-2, 8, 13 cannot be level-triggered. */
	if ((r = irq_get_chip(v, 0, &c)))
		return r;
	EXPECT(c.chip.pic.elcr_mask == 0xf8, "master elcr_mask %#x", c.chip.pic.elcr_mask);
	if ((r = irq_get_chip(v, 1, &c)))
		return r;
	EXPECT(c.chip.pic.elcr_mask == 0xde, "slave elcr_mask %#x", c.chip.pic.elcr_mask);
	if ((r = irq_get_chip(v, 2, &c)))
		return r;
	EXPECT(c.chip.ioapic.base_address == 0xfec00000, "IOAPIC base %#llx",
	       (unsigned long long)c.chip.ioapic.base_address);
	for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		EXPECT(c.chip.ioapic.redirtbl[i].bits & IRQ_RTE_MASKED,
		       "IOAPIC entry %d not masked at reset: %#llx", i,
		       (unsigned long long)c.chip.ioapic.redirtbl[i].bits);

	/* Bad chip ids. */
	memset(&c, 0, sizeof(c));
	c.chip_id = 3;
	EXPECT_ERRNO(ioctl(v->fd, KVM_GET_IRQCHIP, &c), EINVAL, "GET_IRQCHIP(3)");
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_IRQCHIP, &c), EINVAL, "SET_IRQCHIP(3)");
	c.chip_id = 0xffffffff;
	EXPECT_ERRNO(ioctl(v->fd, KVM_GET_IRQCHIP, &c), EINVAL, "GET_IRQCHIP(-1)");

	/* PIC round trips (a consistent, idle state). */
	for (i = 0; i < 2; i++) {
		memset(&c, 0, sizeof(c));
		c.chip_id = i;
		c.chip.pic = (struct kvm_pic_state){
			.imr = 0xa5, .isr = 0x10, .priority_add = 3,
			.irq_base = i ? 0x78 : 0x70, .read_reg_select = 1,
			.special_mask = 0, .init_state = 0, .auto_eoi = 0,
			.rotate_on_auto_eoi = 1, .special_fully_nested_mode = 1,
			.init4 = 1, .elcr = i ? 0x0c : 0x08,
			.elcr_mask = i ? 0xde : 0xf8,
		};
		EXPECT(ioctl(v->fd, KVM_SET_IRQCHIP, &c) == 0, "SET_IRQCHIP(%d): %s", i,
		       strerror(errno));
		if ((r = irq_get_chip(v, i, &back)))
			return r;
		EXPECT(!memcmp(&back.chip.pic, &c.chip.pic, sizeof(c.chip.pic)),
		       "PIC %d state changed: imr %#x isr %#x base %#x elcr %#x", i,
		       back.chip.pic.imr, back.chip.pic.isr, back.chip.pic.irq_base,
		       back.chip.pic.elcr);
	}

	/* IOAPIC round trip. */
	memset(&c, 0, sizeof(c));
	c.chip_id = 2;
	c.chip.ioapic.base_address = 0xfec00000;
	c.chip.ioapic.ioregsel = 0x12;
	c.chip.ioapic.id = 3;
	for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		c.chip.ioapic.redirtbl[i].bits = IRQ_RTE_MASKED | (0x30 + i) |
			((uint64_t)i << 56) | ((i & 1) ? 1ULL << 15 : 0);
	EXPECT(ioctl(v->fd, KVM_SET_IRQCHIP, &c) == 0, "SET_IRQCHIP(IOAPIC): %s", strerror(errno));
	if ((r = irq_get_chip(v, 2, &back)))
		return r;
	EXPECT(back.chip.ioapic.ioregsel == 0x12 && back.chip.ioapic.id == 3 &&
	       back.chip.ioapic.base_address == 0xfec00000,
	       "IOAPIC regsel %#x id %u base %#llx", back.chip.ioapic.ioregsel,
	       back.chip.ioapic.id, (unsigned long long)back.chip.ioapic.base_address);
	for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++)
		EXPECT(back.chip.ioapic.redirtbl[i].bits == c.chip.ioapic.redirtbl[i].bits,
		       "IOAPIC entry %d: %#llx, want %#llx", i,
		       (unsigned long long)back.chip.ioapic.redirtbl[i].bits,
		       (unsigned long long)c.chip.ioapic.redirtbl[i].bits);
	return PASS;
}

static int t_irqchip_get_set(void)
{
	struct vm vm_;
	struct vm *v = &vm_;
	int r = vm_open(v);

	if (r == PASS)
		r = get_set_body(v);
	vm_close(v);
	return r;
}

static int set_routes(struct vm *v, const struct kvm_irq_routing_entry *e, uint32_t nr,
		      uint32_t flags)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[8];
	} rt;

	memset(&rt, 0, sizeof(rt));
	rt.hdr.nr = nr;
	rt.hdr.flags = flags;
	memcpy(rt.e, e, nr * sizeof(*e));
	return ioctl(v->fd, KVM_SET_GSI_ROUTING, &rt);
}

#define ROUTE_CHIP(g, c, p) { .gsi = (g), .type = KVM_IRQ_ROUTING_IRQCHIP, \
			      .u.irqchip = { .irqchip = (c), .pin = (p) } }
#define ROUTE_MSI(g, a, d)  { .gsi = (g), .type = KVM_IRQ_ROUTING_MSI, \
			      .u.msi = { .address_lo = (a), .data = (d) } }

static int routing_body(struct vm *v)
{
	struct kvm_irq_routing_entry e[2];
	struct kvm_irq_routing hdr = { .nr = 4097 };
	struct kvm_irq_level l;
	struct kvm_irqchip c;
	int r;

	EXPECT(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) == 0, "CREATE_IRQCHIP: %s", strerror(errno));
	EXPECT_ERRNO(ioctl(v->fd, KVM_SET_GSI_ROUTING, &hdr), EINVAL, "4097 routes");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_IOAPIC, 5);
	EXPECT_ERRNO(set_routes(v, e, 1, 1), EINVAL, "routing flags 1");
	e[0].type = 99;
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "entry type 99");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, 3, 5);
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "irqchip 3");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_PIC_SLAVE, 8);
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "PIC pin 8");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_IOAPIC, 24);
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "IOAPIC pin 24");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_IOAPIC, 5);
	e[0].flags = 1;
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "irqchip entry flags");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(4096, KVM_IRQCHIP_IOAPIC, 5);
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "GSI 4096");
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_IOAPIC, 5);
	e[1] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_IOAPIC, 6);
	EXPECT_ERRNO(set_routes(v, e, 2, 0), EINVAL, "one GSI on two pins of one chip");
	e[1] = (struct kvm_irq_routing_entry)ROUTE_MSI(5, 0xfee00000, 0x40);
	EXPECT_ERRNO(set_routes(v, e, 2, 0), EINVAL, "one GSI to a pin and an MSI");
	e[0].flags = 0xff00;
	e[0].type = KVM_IRQ_ROUTING_MSI;
	EXPECT_ERRNO(set_routes(v, e, 1, 0), EINVAL, "MSI entry flags");

	/* Good tables. */
	e[0] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_IOAPIC, 5);
	e[1] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_PIC_MASTER, 5);
	EXPECT(set_routes(v, e, 2, 0) == 0, "pin on PIC and IOAPIC: %s", strerror(errno));
	EXPECT(set_routes(v, e, 0, 0) == 0, "empty table: %s", strerror(errno));

	/* No route for GSI 5 now: ignored, status < 0. */
	l = (struct kvm_irq_level){ .irq = 5, .level = 1 };
	EXPECT(ioctl(v->fd, KVM_IRQ_LINE_STATUS, &l) == 0, "IRQ_LINE_STATUS: %s", strerror(errno));
	EXPECT(l.status < 0, "unrouted GSI status %d", l.status);

	/* Routed to masked pins only (PIC IMR all set, IOAPIC reset): masked. */
	e[1] = (struct kvm_irq_routing_entry)ROUTE_CHIP(5, KVM_IRQCHIP_PIC_MASTER, 5);
	EXPECT(set_routes(v, e, 2, 0) == 0, "routes: %s", strerror(errno));
	if ((r = irq_get_chip(v, 0, &c)))
		return r;
	c.chip.pic.imr = 0xff;
	EXPECT(ioctl(v->fd, KVM_SET_IRQCHIP, &c) == 0, "SET_IRQCHIP: %s", strerror(errno));
	l = (struct kvm_irq_level){ .irq = 5, .level = 1 };
	EXPECT(ioctl(v->fd, KVM_IRQ_LINE_STATUS, &l) == 0, "IRQ_LINE_STATUS: %s", strerror(errno));
	EXPECT(l.status < 0, "masked GSI status %d", l.status);
	return PASS;
}

static int t_irqchip_routing(void)
{
	struct vm vm_;
	struct vm *v = &vm_;
	int r = vm_open(v);

	if (r == PASS)
		r = routing_body(v);
	vm_close(v);
	return r;
}

static int pit2_body(struct vm *v)
{
	struct kvm_pit_config cfg = { 0 };
	struct kvm_pit_state2 s, back;
	int i;

	EXPECT(ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) == 0, "CREATE_IRQCHIP: %s", strerror(errno));
	EXPECT(ioctl(v->fd, KVM_CREATE_PIT2, &cfg) == 0, "CREATE_PIT2: %s", strerror(errno));
	EXPECT_ERRNO(ioctl(v->fd, KVM_CREATE_PIT2, &cfg), EEXIST, "second CREATE_PIT2");
	EXPECT(ioctl(v->fd, KVM_GET_PIT2, &s) == 0, "GET_PIT2: %s", strerror(errno));
	/* A PC wires the gates of channels 0 and 1 high; 2 is port 0x61's. */
	EXPECT(s.channels[0].gate == 1 && s.channels[1].gate == 1 && s.channels[2].gate == 0,
	       "gates %u %u %u", s.channels[0].gate, s.channels[1].gate, s.channels[2].gate);

	memset(&s, 0, sizeof(s));
	for (i = 0; i < 3; i++) {
		s.channels[i].count = 0x1000 + i;
		s.channels[i].rw_mode = 3;
		s.channels[i].read_state = 3;
		s.channels[i].write_state = 3;
		s.channels[i].mode = i == 1 ? 0 : 2;
		s.channels[i].gate = i != 2;
	}
	s.flags = KVM_PIT_FLAGS_HPET_LEGACY;	/* no interrupts meanwhile */
	EXPECT(ioctl(v->fd, KVM_SET_PIT2, &s) == 0, "SET_PIT2: %s", strerror(errno));
	EXPECT(ioctl(v->fd, KVM_GET_PIT2, &back) == 0, "GET_PIT2: %s", strerror(errno));
	for (i = 0; i < 3; i++) {
		const struct kvm_pit_channel_state *a = &s.channels[i], *b = &back.channels[i];

		EXPECT(a->count == b->count && a->rw_mode == b->rw_mode &&
		       a->read_state == b->read_state && a->write_state == b->write_state &&
		       a->mode == b->mode && a->gate == b->gate,
		       "channel %d: count %#x rw %u rs %u ws %u mode %u gate %u", i, b->count,
		       b->rw_mode, b->read_state, b->write_state, b->mode, b->gate);
	}
	EXPECT(back.flags & KVM_PIT_FLAGS_HPET_LEGACY, "flags %#x", back.flags);
	return PASS;
}

static int t_irqchip_pit2(void)
{
	struct kvm_pit_config cfg = { 0 };
	struct vm vm_;
	struct vm *v = &vm_;
	int r = vm_open(v);

	if (r == PASS)
		r = pit2_body(v);
	vm_close(v);
	if (r != PASS)
		return r;
	/* KVM does not insist on the irqchip (whatever api.rst says). */
	if ((r = vm_open(v)))
		return r;
	if (ioctl(v->fd, KVM_CREATE_PIT2, &cfg))
		r = fail("CREATE_PIT2 without irqchip: %s", strerror(errno));
	vm_close(v);
	return r;
}

/* The PIC delivers through the BSP's LINT0 (ExtINT at reset). */
static int pic_body(struct vm *v)
{
	uint32_t val;
	int r;

	LOAD(v, pic);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)) ||
	    (r = irq_run_out(v, 0x83, &val)))
		return r;
	if ((r = irq_line(v, 3, 1)) || (r = irq_line(v, 3, 0)))
		return r;
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 0x0801, "first IRQ 3: ISR<<8|count %#x, want 0x801", val);
	if ((r = irq_run_out(v, 0x83, &val)))
		return r;
	/* IRQ 4 is masked: only the second IRQ 3 arrives. */
	if ((r = irq_line(v, 4, 1)) || (r = irq_line(v, 4, 0)) ||
	    (r = irq_line(v, 3, 1)) || (r = irq_line(v, 3, 0)))
		return r;
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 0x0802, "second IRQ 3: ISR<<8|count %#x, want 0x802", val);
	return irq_run_out(v, 0x83, &val);
}

static int t_irqchip_pic(void)
{
	WITH_IRQ_VM(false, pic_body(v));
}

static int ioapic_rte(struct vm *v, int pin, uint64_t *rte)
{
	struct kvm_irqchip c;
	int r;

	if ((r = irq_get_chip(v, 2, &c)))
		return r;
	*rte = c.chip.ioapic.redirtbl[pin].bits;
	return PASS;
}

static int ioapic_level_body(struct vm *v)
{
	uint64_t rte;
	uint32_t val;
	int r;

	LOAD(v, ioapic_level);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)))
		return r;
	EXPECT(val == 0x170011, "IOAPIC version register %#x, want 0x170011", val);
	if ((r = irq_run_out(v, 0x83, &val)) || (r = irq_line(v, 10, 1)) ||
	    (r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 1, "first delivery: count %u", val);
	if ((r = ioapic_rte(v, 10, &rte)))
		return r;
	EXPECT(rte & IRQ_RTE_REMOTE_IRR, "remote IRR clear before EOI: %#llx",
	       (unsigned long long)rte);
	/* Still asserted at the EOI: delivered again. */
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 2, "after EOI while asserted: count %u, want 2", val);
	/* De-asserted before the EOI: no more. */
	if ((r = irq_line(v, 10, 0)) || (r = irq_run_out(v, 0x83, &val)))
		return r;
	EXPECT(val == 2, "after de-assert: count %u, want 2", val);
	if ((r = ioapic_rte(v, 10, &rte)))
		return r;
	EXPECT(!(rte & IRQ_RTE_REMOTE_IRR), "remote IRR after EOI: %#llx",
	       (unsigned long long)rte);
	return PASS;
}

static int t_irqchip_ioapic_level(void)
{
	WITH_IRQ_VM(false, ioapic_level_body(v));
}

static int pit_periodic_body(struct vm *v)
{
	uint64_t t0, dt;
	uint32_t val;
	int r;

	LOAD(v, pit_periodic);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)))
		return r;
	t0 = irq_now_ns();
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	dt = irq_now_ns() - t0;
	EXPECT(val == 10, "ticks %u", val);
	/* Ten ticks of 10 ms: at least nine periods passed. */
	EXPECT(dt >= 89000000 && dt < 10000000000ULL, "10 ticks in %llu us",
	       (unsigned long long)dt / 1000);
	return PASS;
}

static int t_irqchip_pit_periodic(void)
{
	WITH_IRQ_VM(true, pit_periodic_body(v));
}

static int pit_ch2_body(struct vm *v)
{
	uint64_t t0, dt;
	uint32_t val;
	int r;

	LOAD(v, pit_ch2);
	if ((r = enter_prot32(v, 0)))
		return r;
	t0 = irq_now_ns();
	if ((r = irq_run_out(v, 0x80, &val)))
		return r;
	EXPECT((val & 0xffff) > 0xc000 && (val & 0xffff) <= 0xffff,
	       "count just after loading 0xffff: %#x", val & 0xffff);
	EXPECT(!(val & (0x20 << 16)), "OUT2 high right after loading (port 0x61 %#x)", val >> 16);
	EXPECT((val >> 16) & 1, "gate 2 not set in port 0x61 (%#x)", val >> 16);
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	dt = irq_now_ns() - t0;
	/* 0xffff ticks at 1.193182 MHz: 54.9 ms of real time, however many polls. */
	EXPECT(dt >= 54000000 && dt < 5000000000ULL, "OUT2 rose after %llu us (%u polls)",
	       (unsigned long long)dt / 1000, val);
	return PASS;
}

static int t_irqchip_pit_ch2(void)
{
	WITH_IRQ_VM(true, pit_ch2_body(v));
}

static int msi_body(struct vm *v)
{
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x50 };
	struct kvm_irq_routing_entry e[1] = { ROUTE_MSI(40, 0xfee00000, 0x51) };
	uint32_t val;
	int r;

	LOAD(v, msi);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)) ||
	    (r = irq_run_out(v, 0x83, &val)))
		return r;
	msi.flags = 2;
	EXPECT_ERRNO(ioctl(v->fd, KVM_SIGNAL_MSI, &msi), EINVAL, "SIGNAL_MSI flags 2");
	msi.flags = 0;
	r = ioctl(v->fd, KVM_SIGNAL_MSI, &msi);
	EXPECT(r > 0, "SIGNAL_MSI: %d (%s), want delivered", r, strerror(errno));
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 1, "MSI 0x50 count %u", val);
	if ((r = irq_run_out(v, 0x83, &val)))
		return r;
	/* The same through an MSI route. */
	EXPECT(set_routes(v, e, 1, 0) == 0, "MSI route: %s", strerror(errno));
	if ((r = irq_line(v, 40, 1)) || (r = irq_line(v, 40, 0)) ||
	    (r = irq_run_out(v, 0x82, &val)))
		return r;
	EXPECT(val == 1, "MSI 0x51 count %u", val);
	return irq_run_out(v, 0x83, &val);
}

static int t_irqchip_msi(void)
{
	WITH_IRQ_VM(false, msi_body(v));
}

static int pic_cascade_body(struct vm *v)
{
	struct kvm_irqchip c;
	uint32_t val;
	int r;

	LOAD(v, pic_cascade);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)))
		return r;
	EXPECT(val == 0x20, "ELCR1 reads %#x, want 0x20", val);
	if ((r = irq_run_out(v, 0x83, &val)) || (r = irq_line(v, 12, 1)) ||
	    (r = irq_line(v, 12, 0)) || (r = irq_run_out(v, 0x82, &val)))
		return r;
	EXPECT(val == 0x0410, "IRQ 12: master ISR << 8 | slave ISR %#x, want 0x410", val);
	if ((r = irq_run_out(v, 0x83, &val)))
		return r;
	/* A level line still asserted at the EOI interrupts again. */
	if ((r = irq_line(v, 5, 1)) || (r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 1, "level IRQ 5: count %u", val);
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 2, "level IRQ 5 still asserted after EOI: count %u, want 2", val);
	if ((r = irq_line(v, 5, 0)) || (r = irq_run_out(v, 0x83, &val)))
		return r;
	EXPECT(val == 2, "IRQ 5 after de-assert: count %u, want 2", val);
	if ((r = irq_get_chip(v, 0, &c)))
		return r;
	EXPECT(c.chip.pic.elcr == 0x20 && c.chip.pic.irq_base == 0x20 && c.chip.pic.imr == 0xdb,
	       "master elcr %#x base %#x imr %#x", c.chip.pic.elcr, c.chip.pic.irq_base,
	       c.chip.pic.imr);
	return PASS;
}

static int t_irqchip_pic_cascade(void)
{
	WITH_IRQ_VM(false, pic_cascade_body(v));
}

static int pit_oneshot_body(struct vm *v)
{
	uint32_t val;
	int r;

	LOAD(v, pit_oneshot);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)))
		return r;
	/* OUT low, LSB then MSB, mode 0, binary. */
	EXPECT(val == 0x30, "status after loading %#x, want 0x30", val);
	if ((r = irq_run_out(v, 0x81, &val)))
		return r;
	EXPECT(val == 0xb0, "status after terminal count %#x, want 0xb0", val);
	if ((r = irq_run_out(v, 0x82, &val)))
		return r;
	EXPECT(val == 1, "mode 0 interrupted %u times, want once", val);
	return PASS;
}

static int t_irqchip_pit_oneshot(void)
{
	WITH_IRQ_VM(true, pit_oneshot_body(v));
}

/* VMs destroyed with the PIT firing: no timer may outlive its VM. */
static int t_irqchip_pit_teardown(void)
{
	struct kvm_pit_config cfg = { 0 };
	struct kvm_pit_state2 s;
	struct vm vm_;
	struct vm *v = &vm_;
	int i, r = PASS;

	for (i = 0; i < 10 && r == PASS; i++) {
		if ((r = vm_open(v)))
			return r;
		if (ioctl(v->fd, KVM_CREATE_IRQCHIP, 0) || ioctl(v->fd, KVM_CREATE_PIT2, &cfg))
			r = fail("CREATE_IRQCHIP/PIT2: %s", strerror(errno));
		if (r == PASS && (i & 1))
			r = vcpu_open(v, 0);
		memset(&s, 0, sizeof(s));
		s.channels[0].count = 1193;	/* 1 kHz */
		s.channels[0].mode = 2;
		s.channels[0].rw_mode = 3;
		s.channels[0].read_state = s.channels[0].write_state = 3;
		s.channels[0].gate = 1;
		if (r == PASS && ioctl(v->fd, KVM_SET_PIT2, &s))
			r = fail("SET_PIT2: %s", strerror(errno));
		usleep(2000);
		vm_close(v);
	}
	return r;
}

static uint64_t fuzz_state = 0x9e3779b97f4a7c15ULL;

static uint64_t fuzz_rand(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return fuzz_state;
}

static void fuzz_bytes(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = fuzz_rand();
}

/* Random device state, lines and routes from userspace, between guest slices. */
static void fuzz_ioctls(struct vm *v)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[4];
	} rt;
	struct kvm_irqchip c;
	struct kvm_pit_state2 ps;
	struct kvm_irq_level l;
	struct kvm_msi msi;
	unsigned int i;

	switch (fuzz_rand() % 8) {
	case 0:
		fuzz_bytes(&c, sizeof(c));
		c.chip_id = fuzz_rand() % 4;
		ioctl(v->fd, KVM_SET_IRQCHIP, &c);
		break;
	case 1:
		fuzz_bytes(&ps, sizeof(ps));
		ioctl(v->fd, KVM_SET_PIT2, &ps);
		break;
	case 2:
		fuzz_bytes(&rt, sizeof(rt));
		rt.hdr.nr = fuzz_rand() % 5;
		rt.hdr.flags = 0;
		for (i = 0; i < 4; i++) {
			rt.e[i].gsi %= 48;
			rt.e[i].type = 1 + fuzz_rand() % 2;
			rt.e[i].flags = 0;
			rt.e[i].u.irqchip.irqchip %= 3;
			rt.e[i].u.irqchip.pin %= 24;
		}
		ioctl(v->fd, KVM_SET_GSI_ROUTING, &rt);
		break;
	case 3:
		msi = (struct kvm_msi){ .address_lo = 0xfee00000 | (fuzz_rand() & 0xff00c),
					.data = fuzz_rand() & 0xc0ff };
		ioctl(v->fd, KVM_SIGNAL_MSI, &msi);
		break;
	case 4:
		c.chip_id = fuzz_rand() % 3;
		ioctl(v->fd, KVM_GET_IRQCHIP, &c);
		ioctl(v->fd, KVM_GET_PIT2, &ps);
		break;
	default:
		l = (struct kvm_irq_level){ .irq = fuzz_rand() % 48, .level = fuzz_rand() & 1 };
		ioctl(v->fd, fuzz_rand() & 1 ? KVM_IRQ_LINE : KVM_IRQ_LINE_STATUS, &l);
		break;
	}
}

static void irq_on_tick(int sig)
{
	(void)sig;
}

/*
 * Hostile guest and userspace at once: only survival is checked (the
 * host must log no oops or WARN); KVM runs it too.
 */
static int irq_fuzz_body(struct vm *v)
{
	struct sigaction sa = { .sa_handler = irq_on_tick };
	struct itimerval it = { .it_interval = { 0, 5000 }, .it_value = { 0, 5000 } };
	struct kvm_regs regs;
	int i, r = PASS, runs = 0;

	LOAD(v, irq_fuzz);
	if ((r = enter_prot32(v, 0)) || (r = get_regs(v, 0, &regs)))
		return r;
	regs.rsi = 0x2545f491;
	EXPECT(ioctl(v->vcpu[0], KVM_SET_REGS, &regs) == 0, "SET_REGS: %s", strerror(errno));
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	for (i = 0; i < 300; i++) {
		fuzz_ioctls(v);
		if (ioctl(v->vcpu[0], KVM_RUN, 0) == 0) {
			runs++;
			/* Anything but an interrupted run: the guest went astray; restart it. */
			if ((r = enter_prot32(v, 0)))
				break;
		} else if (errno != EINTR) {
			r = fail("KVM_RUN: %s", strerror(errno));
			break;
		}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	if (r == PASS)
		printf("# irq fuzz: %d of 300 slices ended in an exit\n", runs);
	return r;
}

static int t_irqchip_fuzz(void)
{
	WITH_IRQ_VM(true, irq_fuzz_body(v));
}

static int pic_string_body(struct vm *v)
{
	uint32_t val;
	int r;

	LOAD(v, pic_string);
	if ((r = enter_prot32(v, 0)) || (r = irq_run_out(v, 0x80, &val)))
		return r;
	EXPECT(val == 0xa5a5, "REP INSB of the IMR after REP OUTSB 5a a5: %#x, want 0xa5a5", val);
	return PASS;
}

static int t_irqchip_string_pio(void)
{
	WITH_IRQ_VM(false, pic_string_body(v));
}

#define IRQCHIP_TESTS                                                          \
	{ "irqchip_create_errors", t_irqchip_create_errors },                  \
	{ "irqchip_get_set", t_irqchip_get_set },                              \
	{ "irqchip_routing", t_irqchip_routing },                              \
	{ "irqchip_pit2", t_irqchip_pit2 },                                    \
	{ "irqchip_pic", t_irqchip_pic },                                      \
	{ "irqchip_ioapic_level", t_irqchip_ioapic_level },                    \
	{ "irqchip_pit_periodic", t_irqchip_pit_periodic },                    \
	{ "irqchip_pit_ch2", t_irqchip_pit_ch2 },                              \
	{ "irqchip_msi", t_irqchip_msi },                                      \
	{ "irqchip_pic_cascade", t_irqchip_pic_cascade },                      \
	{ "irqchip_pit_oneshot", t_irqchip_pit_oneshot },                      \
	{ "irqchip_pit_teardown", t_irqchip_pit_teardown },                    \
	{ "irqchip_string_pio", t_irqchip_string_pio },                        \
	{ "irqchip_fuzz", t_irqchip_fuzz },
