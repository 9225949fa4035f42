// SPDX-License-Identifier: GPL-2.0
/*
 * The host's ends of Xen event channels: HXEN_XEN_EVTCHN_EVENTFD ties a
 * guest port to eventfds (see the uapi header for the model: the host is
 * domain 0; the guest offers the port with EVTCHNOP_alloc_unbound).
 *
 *  - guest -> host: EVTCHNOP_send on the port finds the record under RCU
 *    and eventfd_signal()s its "out" eventfd (hxen_xen_host_signal).
 *  - host -> guest: like KVM's irqfd, a wait-queue entry on the "in"
 *    eventfd; its wake function runs in the writer's context with the
 *    eventfd's lock held (interrupts off), consumes the count and sets
 *    the port pending under evtchn_lock, if the VM is not going and the
 *    port is still bound to the host (hxen_evtchn_deliver checks).
 *
 * Locking: records (struct hxen_xen_evfd) are added, changed and removed
 * under xen->host_lock (a mutex: removing needs synchronize_rcu and the
 * eventfd's lock); xen->evfds is read under RCU. Records are freed after
 * a grace period; an "out" eventfd is put only after one.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "internal.h"

#define HOST_DIRS	(HXEN_XEN_EVTCHN_FROM_GUEST | HXEN_XEN_EVTCHN_TO_GUEST)

struct hxen_xen_evfd {
	struct hxen_xen *xen;
	u32 port;
	struct eventfd_ctx *out;	/* guest -> host; RCU readers */
	struct eventfd_ctx *in;		/* host -> guest */
	wait_queue_entry_t wait;	/* on in's wait queue while in is set */
	poll_table pt;
	struct rcu_head rcu;
};

/* Raise @port in the guest on the host's behalf. Any context. */
static void host_raise(struct hxen_xen *xen, u32 port)
{
	unsigned long flags;

	/* Kick under the lock, not dead: the vCPUs exist (hxen_xen_poll_kick). */
	raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
	if (!xen->dead) {
		hxen_evtchn_deliver(&xen->evtchn, port, HXEN_EVTCHN_HOST_DOM, 0);
		hxen_xen_poll_kick(xen);
	}
	raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
}

/* The "in" eventfd was written (or closed): its lock is held. */
static int host_wakeup(wait_queue_entry_t *wait, unsigned int mode, int sync, void *key)
{
	struct hxen_xen_evfd *ev = container_of(wait, struct hxen_xen_evfd, wait);
	__poll_t flags = key_to_poll(key);
	u64 cnt;

	/*
	 * EPOLLHUP (the host closed it) needs nothing: the record holds a
	 * reference to the eventfd until it is unbound.
	 */
	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(ev->in, &cnt);
		host_raise(ev->xen, ev->port);
	}
	return 0;
}

static void host_queue_proc(struct file *file, wait_queue_head_t *wqh, poll_table *pt)
{
	struct hxen_xen_evfd *ev = container_of(pt, struct hxen_xen_evfd, pt);

	add_wait_queue(wqh, &ev->wait);
}

/* Under host_lock: start watching @file (an eventfd) for @ev. */
static int host_watch(struct hxen_xen_evfd *ev, struct file *file)
{
	struct eventfd_ctx *ctx = eventfd_ctx_fileget(file);
	__poll_t events;

	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (ctx == ev->out) {
		/* Our own signals would come straight back into the guest. */
		eventfd_ctx_put(ctx);
		return -EINVAL;
	}
	ev->in = ctx;
	init_waitqueue_func_entry(&ev->wait, host_wakeup);
	init_poll_funcptr(&ev->pt, host_queue_proc);
	events = vfs_poll(file, &ev->pt);
	/* Written before we looked: raise once (the count stays). */
	if (events & EPOLLIN)
		host_raise(ev->xen, ev->port);
	return 0;
}

/* Under host_lock: drop directions @dirs of @ev. */
static void host_release(struct hxen_xen_evfd *ev, u32 dirs)
{
	struct eventfd_ctx *ctx;
	u64 cnt;

	if ((dirs & HXEN_XEN_EVTCHN_TO_GUEST) && ev->in) {
		/* After this the wake function cannot run any more. */
		eventfd_ctx_remove_wait_queue(ev->in, &ev->wait, &cnt);
		eventfd_ctx_put(ev->in);
		ev->in = NULL;
	}
	if ((dirs & HXEN_XEN_EVTCHN_FROM_GUEST) && ev->out) {
		ctx = ev->out;
		WRITE_ONCE(ev->out, NULL);
		synchronize_rcu();
		eventfd_ctx_put(ctx);
	}
}

/* Under host_lock: @ev has no direction left; forget it. */
static void host_drop(struct hxen_xen *xen, struct hxen_xen_evfd *ev, bool unbind)
{
	unsigned long flags;

	xa_erase(&xen->evfds, ev->port);
	if (unbind) {
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		hxen_evtchn_unbind_host(&xen->evtchn, ev->port);
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
	}
	kfree_rcu(ev, rcu);
}

static long host_assign(struct hxen_xen *xen, const struct hxen_xen_evtchn_eventfd *a)
{
	u32 dirs = a->flags & HOST_DIRS;
	struct hxen_xen_evfd *ev;
	struct eventfd_ctx *out = NULL;
	unsigned long flags;
	struct fd f;
	bool fresh = false;
	long r;

	/* One eventfd for both ways would loop the guest's own sends back. */
	if (dirs == HOST_DIRS)
		return -EINVAL;
	f = fdget(a->fd);
	if (!f.file)
		return -EBADF;
	ev = xa_load(&xen->evfds, a->port);
	if (ev && ((dirs & HXEN_XEN_EVTCHN_TO_GUEST ? ev->in : ev->out))) {
		r = -EBUSY;
		goto out;
	}
	if (!ev) {
		ev = kzalloc(sizeof(*ev), GFP_KERNEL_ACCOUNT);
		if (!ev) {
			r = -ENOMEM;
			goto out;
		}
		ev->xen = xen;
		ev->port = a->port;
		fresh = true;
	}
	if (dirs & HXEN_XEN_EVTCHN_FROM_GUEST) {
		out = eventfd_ctx_fileget(f.file);
		if (IS_ERR(out)) {
			r = PTR_ERR(out);
			goto free;
		}
		if (out == ev->in) {
			eventfd_ctx_put(out);
			r = -EINVAL;
			goto free;
		}
	}
	if (fresh) {
		/* The port must be unbound, offered to the host. */
		raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
		r = xen->dead ? -EINVAL : hxen_evtchn_bind_host(&xen->evtchn, a->port);
		raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
		if (!r) {
			r = xa_err(xa_store(&xen->evfds, a->port, ev, GFP_KERNEL_ACCOUNT));
			if (r) {
				raw_spin_lock_irqsave(&xen->evtchn_lock, flags);
				hxen_evtchn_unbind_host(&xen->evtchn, a->port);
				raw_spin_unlock_irqrestore(&xen->evtchn_lock, flags);
			}
		}
		if (r) {
			if (out)
				eventfd_ctx_put(out);
			goto free;
		}
	}
	if (out) {
		WRITE_ONCE(ev->out, out);
		r = 0;
	} else {
		r = host_watch(ev, f.file);
		if (r && fresh)
			host_drop(xen, ev, true);
	}
	fdput(f);
	return r;
free:
	if (fresh)
		kfree(ev);
out:
	fdput(f);
	return r;
}

long hxen_xen_evtchn_eventfd(struct hxen_xen *xen, struct hxen_xen_evtchn_eventfd __user *arg)
{
	struct hxen_xen_evtchn_eventfd a;
	struct hxen_xen_evfd *ev;
	u32 dirs;
	long r;

	if (copy_from_user(&a, arg, sizeof(a)))
		return -EFAULT;
	dirs = a.flags & HOST_DIRS;
	if (!dirs || (a.flags & ~(HOST_DIRS | HXEN_XEN_EVTCHN_DEASSIGN)) ||
	    memchr_inv(a.reserved, 0, sizeof(a.reserved)) || a.port >= HXEN_EVTCHN_PORTS_64)
		return -EINVAL;
	mutex_lock(&xen->host_lock);
	if (!(a.flags & HXEN_XEN_EVTCHN_DEASSIGN)) {
		r = host_assign(xen, &a);
	} else {
		ev = xa_load(&xen->evfds, a.port);
		if (!ev || ((dirs & HXEN_XEN_EVTCHN_TO_GUEST) && !ev->in) ||
		    ((dirs & HXEN_XEN_EVTCHN_FROM_GUEST) && !ev->out)) {
			r = -ENOENT;
		} else {
			host_release(ev, dirs);
			if (!ev->in && !ev->out)
				host_drop(xen, ev, true);
			r = 0;
		}
	}
	mutex_unlock(&xen->host_lock);
	return r;
}

void hxen_xen_host_signal(struct hxen_xen *xen, u32 port)
{
	struct hxen_xen_evfd *ev;
	struct eventfd_ctx *out;

	rcu_read_lock();
	ev = xa_load(&xen->evfds, port);
	out = ev ? READ_ONCE(ev->out) : NULL;
	if (out)
		eventfd_signal(out, 1);
	rcu_read_unlock();
}

void hxen_xen_host_port_closed(struct hxen_xen *xen, u32 port)
{
	struct hxen_xen_evfd *ev;

	mutex_lock(&xen->host_lock);
	ev = xa_load(&xen->evfds, port);
	if (ev) {
		host_release(ev, HOST_DIRS);
		/* The guest freed the port already. */
		host_drop(xen, ev, false);
	}
	mutex_unlock(&xen->host_lock);
}

void hxen_xen_host_free(struct hxen_xen *xen)
{
	struct hxen_xen_evfd *ev;
	unsigned long port;

	mutex_lock(&xen->host_lock);
	xa_for_each(&xen->evfds, port, ev) {
		host_release(ev, HOST_DIRS);
		host_drop(xen, ev, false);
	}
	mutex_unlock(&xen->host_lock);
	xa_destroy(&xen->evfds);
}
