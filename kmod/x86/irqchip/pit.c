// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 PIT (ports 0x40-0x43) and, with KVM_PIT_SPEAKER_DUMMY, the
 * port 0x61 bits that go with it (channel 2's gate in bit 0, the speaker
 * data in bit 1, the refresh toggle in bit 4 and channel 2's OUT in bit
 * 5). Behaviour from the Intel 8254 datasheet: modes 0-5 (6 and 7 alias
 * 2 and 3), LSB/MSB/LSB-then-MSB access, counter latch, read-back with
 * status, gate control.
 *
 * Counters are not stepped: a running counter's value and OUT are computed
 * from the host's monotonic clock since it started (1193182 Hz), so what
 * the guest reads is right in real time however often it exits (Linux
 * calibrates its TSC by polling channel 2 through port 0x61). Channel 0's
 * OUT rising edges become GSI 0 edges from an hrtimer; ticks the guest
 * missed are not re-injected (no KVM_CAP_REINJECT_CONTROL), and periodic
 * rates are limited to one per 200 us as KVM does. BCD counting is not
 * modelled (counts are binary; the BCD bit is kept).
 *
 * All state is under pit->lock (irqsave: the hrtimer callback is hardirq).
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/hrtimer.h>
#include <linux/kvm.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../../hxen.h"
#include "irqdev.h"

#define PIT_FREQ		1193182
#define PIT_MIN_PERIOD_NS	200000ULL

/* Access states, as in struct kvm_pit_channel_state (and QEMU's i8254). */
#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD0	3	/* LSB then MSB: the LSB is next */
#define RW_WORD1	4	/* ... the MSB is next */

static u64 ticks_to_ns(u64 ticks)
{
	return DIV_ROUND_UP_ULL(ticks * NSEC_PER_SEC, PIT_FREQ);
}

static u64 ch_elapsed(const struct hxen_pit_channel *c, ktime_t now)
{
	s64 ns = ktime_to_ns(ktime_sub(now, c->count_load_time));

	return ns > 0 ? mul_u64_u32_div(ns, PIT_FREQ, NSEC_PER_SEC) : 0;
}

static int ch_mode(const struct hxen_pit_channel *c)
{
	return c->mode >= 6 ? c->mode - 4 : c->mode;
}

/* The counter's value (16 bits) and OUT now. */
static void ch_state(const struct hxen_pit_channel *c, ktime_t now, u16 *count, bool *out)
{
	u32 n = c->count;
	u64 t, phase, half;

	if (!c->running) {
		*count = c->start_count;
		/* A stopped counter's OUT: low after a mode 0 control word, else high. */
		*out = ch_mode(c) == 0 ? c->out_high : true;
		return;
	}
	t = ch_elapsed(c, now);
	switch (ch_mode(c)) {
	case 0:		/* interrupt on terminal count: OUT rises at 0 and stays */
	case 1:		/* one-shot: OUT low from the trigger until 0 */
		*count = c->start_count - t;
		*out = c->out_high || t >= c->start_count;
		break;
	case 2:		/* rate generator: OUT low while the count is 1 */
		phase = do_div(t, n);
		*count = n - phase;
		*out = phase != n - 1;
		break;
	case 3:		/* square wave: high for the first half of each period */
		phase = do_div(t, n);
		half = (n + 1) / 2;
		*out = phase < half;
		*count = n - 2 * (phase < half ? phase : phase - half);
		break;
	default:	/* 4, 5: strobe: OUT low for the tick at terminal count */
		*count = c->start_count - t;
		*out = t != c->start_count;
		break;
	}
}

/* Hold the counter where it is (gate low in modes 0, 2, 3, 4). */
static void ch_hold(struct hxen_pit_channel *c, ktime_t now)
{
	u16 count;
	bool out;

	if (!c->running)
		return;
	ch_state(c, now, &count, &out);
	c->start_count = count;
	c->out_high = ch_mode(c) == 0 && out;
	c->running = false;
}

/* Start counting from @from now. */
static void ch_start(struct hxen_pit_channel *c, ktime_t now, u32 from)
{
	c->start_count = from;
	c->count_load_time = now;
	c->running = true;
}

static void ch_set_gate(struct hxen_pit_channel *c, ktime_t now, bool gate)
{
	bool rising = gate && !c->gate;

	c->gate = gate;
	switch (ch_mode(c)) {
	case 0:
	case 4:		/* the gate enables counting */
		if (!gate)
			ch_hold(c, now);
		else if (rising && c->armed)
			ch_start(c, now, c->start_count);
		break;
	case 1:
	case 5:		/* a rising gate (re)triggers */
		if (rising && c->armed) {
			c->out_high = false;
			ch_start(c, now, c->count);
		}
		break;
	default:	/* 2, 3: low stops (OUT high), rising reloads */
		if (!gate)
			ch_hold(c, now);
		else if (rising && c->armed)
			ch_start(c, now, c->count);
		break;
	}
}

/* A new count was written (0 means 0x10000). */
static void ch_load(struct hxen_pit_channel *c, ktime_t now, u32 val)
{
	c->count = val ? val : 0x10000;
	c->armed = true;
	switch (ch_mode(c)) {
	case 1:
	case 5:		/* takes effect at the next trigger */
		break;
	default:
		c->out_high = false;
		c->start_count = c->count;
		if (c->gate)
			ch_start(c, now, c->count);
		break;
	}
}

/* Under lock: program channel 0's interrupt timer for its current state. */
static void pit_arm(struct hxen_pit *pit, ktime_t now)
{
	struct hxen_pit_channel *c = &pit->ch[0];
	ktime_t expiry = 0;

	pit->timer_on = false;
	pit->period_ns = 0;
	if (c->running && !pit->dying) {
		switch (ch_mode(c)) {
		case 2:
		case 3:		/* OUT rises when each period ends */
			pit->period_ns = max(ticks_to_ns(c->count), PIT_MIN_PERIOD_NS);
			expiry = ktime_add_ns(c->count_load_time, pit->period_ns);
			pit->timer_on = true;
			break;
		case 0:
		case 4:		/* once, at terminal count */
			if (c->out_high || ch_elapsed(c, now) >= c->start_count)
				break;
			expiry = ktime_add_ns(c->count_load_time, ticks_to_ns(c->start_count));
			pit->timer_on = true;
			break;
		}
	}
	if (pit->timer_on)
		hrtimer_start(&pit->timer, expiry, HRTIMER_MODE_ABS_HARD);
	else
		hrtimer_try_to_cancel(&pit->timer);
}

static enum hrtimer_restart pit_timer_fn(struct hrtimer *t)
{
	struct hxen_pit *pit = container_of(t, struct hxen_pit, timer);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool fire;

	raw_spin_lock_irqsave(&pit->lock, flags);
	/* Re-queued or turned off since this expiry was set: stale. */
	fire = pit->timer_on && !pit->dying && !hrtimer_is_queued(t);
	if (fire && pit->period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(pit->period_ns));
		ret = HRTIMER_RESTART;
	} else if (fire) {
		pit->timer_on = false;
	}
	if (pit->flags & KVM_PIT_FLAGS_HPET_LEGACY)
		fire = false;	/* the HPET drives IRQ 0 instead */
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	if (fire) {
		hxen_irq_set(pit->vm, 0, 1);
		hxen_irq_set(pit->vm, 0, 0);
	}
	return ret;
}

static void ch_latch_count(struct hxen_pit_channel *c, ktime_t now)
{
	u16 count;
	bool out;

	if (c->count_latched)
		return;		/* the first latch holds until read */
	ch_state(c, now, &count, &out);
	c->latched_count = count;
	c->count_latched = c->rw_mode;
}

static void ch_latch_status(struct hxen_pit_channel *c, ktime_t now)
{
	u16 count;
	bool out;

	if (c->status_latched)
		return;
	ch_state(c, now, &count, &out);
	/* OUT, null count (0: counts load at once), RW, mode, BCD. */
	c->status = (out << 7) | (c->rw_mode << 4) | (c->mode << 1) | c->bcd;
	c->status_latched = 1;
}

static void pit_control(struct hxen_pit *pit, u8 val, ktime_t now)
{
	struct hxen_pit_channel *c;
	int i;

	if ((val >> 6) == 3) {
		/* Read-back: bits 3:1 select channels; bit 5 = 0 latches counts, bit 4 = 0 status. */
		for (i = 0; i < 3; i++) {
			if (!(val & BIT(i + 1)))
				continue;
			if (!(val & 0x20))
				ch_latch_count(&pit->ch[i], now);
			if (!(val & 0x10))
				ch_latch_status(&pit->ch[i], now);
		}
		return;
	}
	c = &pit->ch[val >> 6];
	if (!(val & 0x30)) {
		ch_latch_count(c, now);
		return;
	}
	/* A control word stops the counter until a count is written. */
	c->rw_mode = (val >> 4) & 3;
	c->read_state = c->rw_mode;
	c->write_state = c->rw_mode;
	c->mode = (val >> 1) & 7;
	c->bcd = val & 1;
	c->armed = false;
	c->running = false;
	c->out_high = false;
	c->count_latched = 0;
	if (c == &pit->ch[0])
		pit_arm(pit, now);
}

static u8 pit_read_data(struct hxen_pit_channel *c, ktime_t now)
{
	u16 count;
	bool out;

	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_WORD0:
			c->count_latched = RW_MSB;
			return c->latched_count;
		case RW_MSB:
			c->count_latched = 0;
			return c->latched_count >> 8;
		default:
			c->count_latched = 0;
			return c->latched_count;
		}
	}
	ch_state(c, now, &count, &out);
	switch (c->read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return count;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return count >> 8;
	default:
		return count;
	}
}

static void pit_write_data(struct hxen_pit *pit, int ch, u8 val, ktime_t now)
{
	struct hxen_pit_channel *c = &pit->ch[ch];

	switch (c->write_state) {
	case RW_LSB:
		ch_load(c, now, val);
		break;
	case RW_MSB:
		ch_load(c, now, val << 8);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		return;
	case RW_WORD1:
		c->write_state = RW_WORD0;
		ch_load(c, now, c->write_latch | (val << 8));
		break;
	default:
		return;		/* not programmed */
	}
	if (ch == 0)
		pit_arm(pit, now);
}

/* Port 0x61: gate 2, speaker data, refresh toggle (~15 us), OUT2. */
static u8 pit_read_61(struct hxen_pit *pit, ktime_t now)
{
	u16 count;
	bool out;

	ch_state(&pit->ch[2], now, &count, &out);
	return pit->ch[2].gate | (pit->speaker_data << 1) |
	       (((ktime_to_ns(now) >> 14) & 1) << 4) | (out << 5);
}

static int pit_port_read(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len, void *val)
{
	struct hxen_pit *pit = smp_load_acquire(&vcpu->vm->pit);
	ktime_t now = ktime_get();
	unsigned long flags;
	u8 v = 0;

	if (!pit)
		return -ENODEV;
	raw_spin_lock_irqsave(&pit->lock, flags);
	if (addr == 0x61)
		v = pit_read_61(pit, now);
	else if (addr < 0x43)
		v = pit_read_data(&pit->ch[addr - 0x40], now);
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	/* The control port reads 0; wider reads zero-extend (as KVM). */
	memset(val, 0, len);
	*(u8 *)val = v;
	return 0;
}

static int pit_port_write(struct hxen_vcpu *vcpu, void *opaque, u64 addr, u32 len,
			  const void *val)
{
	struct hxen_pit *pit = smp_load_acquire(&vcpu->vm->pit);
	ktime_t now = ktime_get();
	u8 v = *(const u8 *)val;
	unsigned long flags;

	if (!pit)
		return -ENODEV;
	raw_spin_lock_irqsave(&pit->lock, flags);
	if (addr == 0x61) {
		ch_set_gate(&pit->ch[2], now, v & 1);
		pit->speaker_data = (v >> 1) & 1;
	} else if (addr == 0x43) {
		pit_control(pit, v, now);
	} else {
		pit_write_data(pit, addr - 0x40, v, now);
	}
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

static const struct hxen_io_dev_ops pit_ops = {
	.read = pit_port_read,
	.write = pit_port_write,
};

static void pit_reset(struct hxen_pit *pit)
{
	int i;

	for (i = 0; i < 3; i++) {
		struct hxen_pit_channel *c = &pit->ch[i];

		memset(c, 0, sizeof(*c));
		/* Channels 0 and 1 have their gates tied high on a PC. */
		c->gate = i != 2;
		c->count = 0x10000;
	}
}

static int pit_create(struct hxen_vm *vm, struct kvm_pit_config __user *argp)
{
	struct kvm_pit_config cfg;
	struct hxen_pit *pit;
	int r;

	if (copy_from_user(&cfg, argp, sizeof(cfg)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	/*
	 * api.rst asks for the irqchip first, but KVM does not check (and
	 * takes any flags): without one, GSI 0 edges just go nowhere.
	 */
	r = -EEXIST;
	if (vm->pit)
		goto out;
	r = -ENOMEM;
	pit = kzalloc(sizeof(*pit), GFP_KERNEL_ACCOUNT);
	if (!pit)
		goto out;
	pit->vm = vm;
	raw_spin_lock_init(&pit->lock);
	hrtimer_init(&pit->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	pit->timer.function = pit_timer_fn;
	pit_reset(pit);
	/* The ports find the PIT through vm->pit: a partial failure is harmless. */
	r = hxen_iobus_register(vm, HXEN_BUS_PIO, 0x40, 4, &pit_ops, NULL);
	/* Port 0x61 stays userspace's (QEMU's pcspk) unless asked for (KVM). */
	if (!r && (cfg.flags & KVM_PIT_SPEAKER_DUMMY))
		r = hxen_iobus_register(vm, HXEN_BUS_PIO, 0x61, 1, &pit_ops, NULL);
	if (r) {
		kfree(pit);
		goto out;
	}
	smp_store_release(&vm->pit, pit);
out:
	mutex_unlock(&vm->lock);
	return r;
}

static long pit_get(struct hxen_pit *pit, struct kvm_pit_state2 __user *argp)
{
	struct kvm_pit_state2 st;
	unsigned long flags;
	int i;

	memset(&st, 0, sizeof(st));
	raw_spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < 3; i++) {
		const struct hxen_pit_channel *c = &pit->ch[i];
		struct kvm_pit_channel_state *s = &st.channels[i];

		s->count = c->count;
		s->latched_count = c->latched_count;
		s->count_latched = c->count_latched;
		s->status_latched = c->status_latched;
		s->status = c->status;
		s->read_state = c->read_state;
		s->write_state = c->write_state;
		s->write_latch = c->write_latch;
		s->rw_mode = c->rw_mode;
		s->mode = c->mode;
		s->bcd = c->bcd;
		s->gate = c->gate;
		s->count_load_time = ktime_to_ns(c->count_load_time);
	}
	st.flags = pit->flags | (pit->speaker_data ? KVM_PIT_FLAGS_SPEAKER_DATA_ON : 0);
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	return copy_to_user(argp, &st, sizeof(st)) ? -EFAULT : 0;
}

/*
 * Restore: each channel's programmed state as given, its count loaded
 * afresh now (KVM does the same; load times are host-local).
 */
static long pit_set(struct hxen_pit *pit, struct kvm_pit_state2 __user *argp)
{
	struct kvm_pit_state2 st;
	ktime_t now = ktime_get();
	unsigned long flags;
	int i;

	if (copy_from_user(&st, argp, sizeof(st)))
		return -EFAULT;
	raw_spin_lock_irqsave(&pit->lock, flags);
	for (i = 0; i < 3; i++) {
		struct hxen_pit_channel *c = &pit->ch[i];
		const struct kvm_pit_channel_state *s = &st.channels[i];

		memset(c, 0, sizeof(*c));
		c->latched_count = s->latched_count;
		c->count_latched = s->count_latched <= RW_WORD0 ? s->count_latched : 0;
		c->status_latched = !!s->status_latched;
		c->status = s->status;
		c->read_state = s->read_state <= RW_WORD1 ? s->read_state : 0;
		c->write_state = s->write_state <= RW_WORD1 ? s->write_state : 0;
		c->write_latch = s->write_latch;
		c->rw_mode = s->rw_mode & 3;
		c->mode = s->mode & 7;
		c->bcd = s->bcd & 1;
		c->gate = s->gate & 1;
		ch_load(c, now, s->count >= 0x10000 ? 0 : s->count);
	}
	pit->flags = st.flags & KVM_PIT_FLAGS_HPET_LEGACY;
	pit->speaker_data = !!(st.flags & KVM_PIT_FLAGS_SPEAKER_DATA_ON);
	pit_arm(pit, now);
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	return 0;
}

long hxen_pit_ioctl(struct hxen_vm *vm, unsigned int ioctl, void __user *argp)
{
	struct hxen_pit *pit;

	if (ioctl == KVM_CREATE_PIT2)
		return pit_create(vm, argp);
	pit = smp_load_acquire(&vm->pit);
	if (!pit)
		return -ENXIO;
	return ioctl == KVM_GET_PIT2 ? pit_get(pit, argp) : pit_set(pit, argp);
}

/* VM teardown, before the vCPUs go: after this no PIT interrupt fires. */
void hxen_pit_destroy(struct hxen_vm *vm)
{
	struct hxen_pit *pit = vm->pit;
	unsigned long flags;

	if (!pit)
		return;
	raw_spin_lock_irqsave(&pit->lock, flags);
	pit->dying = true;
	pit->timer_on = false;
	raw_spin_unlock_irqrestore(&pit->lock, flags);
	hrtimer_cancel(&pit->timer);
	vm->pit = NULL;
	kfree(pit);
}
