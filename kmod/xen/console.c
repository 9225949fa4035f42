// SPDX-License-Identifier: GPL-2.0
/*
 * Guest-facing Xen ABI: console_io. CONSOLEIO_write goes to userspace as
 * port output (below); console input is the rest of this file.
 *
 * Xen console input: HXEN_XEN_CONSOLE_INPUT puts bytes from userspace into
 * a per-VM ring, and the guest takes them with console_io(CONSOLEIO_read),
 * the way Xen's console domain reads the hypervisor's serial input. Every
 * push that adds bytes raises VIRQ_CONSOLE (a global VIRQ) if the guest
 * bound it, as Xen's serial input handler does.
 *
 * Differences from Xen, both in the guest's favour: Xen drops serial input
 * that finds its ring full, here the ioctl takes fewer bytes and userspace
 * offers the rest again; and a CONSOLEIO_read that faults consumes nothing
 * (Xen keeps what it copied before the fault consumed). CONSOLEIO_read is
 * offered to every Xen guest of hxen: the launcher's user is its console
 * (Xen lets only the console domain read).
 */
#include <linux/kvm.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <xen/interface/xen.h>

#include "internal.h"

#define RING	HXEN_XEN_CONSOLE_RING
/* console_io text per exit; fits the kvm_run page after the structure. */
#define XEN_CONSOLE_CHUNK	1024
#define XEN_PIO_DATA_OFFSET	ALIGN(sizeof(struct kvm_run), 64)

/* Free-running u32 indices wrap cleanly only with a power of two. */
static_assert((RING & (RING - 1)) == 0);

/* Bytes pushed; any context but evtchn_lock, cons_lock not held. */
static void console_raise(struct hxen_xen *xen)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	/* Not bound: nothing to raise, the bytes wait for a read. */
	if (!xen->dead) {
		hxen_evtchn_send_virq(&xen->evtchn, 0, VIRQ_CONSOLE);
		/* A SCHEDOP_poll on the VIRQ's port looks again. */
		hxen_xen_poll_kick(xen);
	}
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
}

long hxen_xen_console_input(struct hxen_xen *xen, struct hxen_xen_console_input __user *arg)
{
	struct hxen_xen_console_input in;
	const u8 __user *buf;
	u32 n, idx, first;
	long r = 0;

	if (copy_from_user(&in, arg, sizeof(in)))
		return -EFAULT;
	if (in.flags || memchr_inv(in.reserved, 0, sizeof(in.reserved)))
		return -EINVAL;
	buf = u64_to_user_ptr(in.buf);

	mutex_lock(&xen->cons_lock);
	n = min_t(u64, in.len, RING - (xen->cons_prod - xen->cons_cons));
	idx = xen->cons_prod & (RING - 1);
	first = min_t(u32, n, RING - idx);
	/*
	 * Into free space, committed only when everything (the answer too)
	 * got through: a fault leaves the ring as it was.
	 */
	if (copy_from_user(xen->cons_ring + idx, buf, first) ||
	    copy_from_user(xen->cons_ring, buf + first, n - first) ||
	    put_user(xen->cons_cons, &arg->consumed))
		r = -EFAULT;
	if (!r) {
		xen->cons_prod += n;
		r = n;
	}
	mutex_unlock(&xen->cons_lock);
	if (r > 0)
		console_raise(xen);
	return r;
}

/*
 * CONSOLEIO_read: up to @count bytes in order, the number copied returned
 * (0 with an empty ring or @count 0, whatever @buf is, as on Xen). Xen
 * takes @count as an unsigned int and refuses counts above INT_MAX with
 * -E2BIG, so that a byte count never looks like an error.
 */
static long console_read(struct xen_call *c, u32 count, u64 buf)
{
	struct hxen_xen *xen = c->xen;
	u32 n, idx, first;
	long r;

	if (count > INT_MAX)
		return -E2BIG;
	mutex_lock(&xen->cons_lock);
	n = min_t(u64, count, xen->cons_prod - xen->cons_cons);
	idx = xen->cons_cons & (RING - 1);
	first = min_t(u32, n, RING - idx);
	if (hxen_xen_copy_to_guest(c, buf, xen->cons_ring + idx, first) ||
	    hxen_xen_copy_to_guest(c, buf + first, xen->cons_ring, n - first)) {
		r = -EFAULT;
	} else {
		xen->cons_cons += n;
		r = n;
	}
	mutex_unlock(&xen->cons_lock);
	return r;
}

/*
 * CONSOLEIO_write: up to XEN_CONSOLE_CHUNK bytes per exit to userspace as
 * an OUT string to HXEN_XEN_CONSOLE_PORT; the rest by continuation (the
 * call is re-executed with buffer and count advanced, as Xen does for
 * preempted hypercalls), so userspace sees the text in order.
 * CONSOLEIO_read: console_read. Xen's cmd and count are unsigned ints.
 */
long hxen_xen_console_io(struct xen_call *c, u64 cmd, u64 count, u64 buf)
{
	struct kvm_run *run = c->vcpu->run;
	u32 n, left = count;

	BUILD_BUG_ON(XEN_PIO_DATA_OFFSET + XEN_CONSOLE_CHUNK > PAGE_SIZE);
	switch ((u32)cmd) {
	case CONSOLEIO_write:
		if (!left)
			return 0;
		n = min_t(u32, left, XEN_CONSOLE_CHUNK);
		if (hxen_xen_copy_from_guest(c, (u8 *)run + XEN_PIO_DATA_OFFSET, buf, n))
			return -EFAULT;
		run->exit_reason = KVM_EXIT_IO;
		run->io.direction = KVM_EXIT_IO_OUT;
		run->io.size = 1;
		run->io.port = HXEN_XEN_CONSOLE_PORT;
		run->io.count = n;
		run->io.data_offset = XEN_PIO_DATA_OFFSET;
		c->exit = true;
		if (n < left) {
			c->restart = true;
			c->arg[1] = left - n;
			c->arg[2] = buf + n;
		}
		return 0;
	case CONSOLEIO_read:
		return console_read(c, count, buf);
	default:
		return -ENOSYS;
	}
}
