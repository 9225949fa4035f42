// SPDX-License-Identifier: GPL-2.0
/*
 * The common part of the launcher's Xen backends (backend.h): the channel
 * to the guest and the thread that waits on it. The guest's notification
 * only says "look at the ring": the eventfd's count is read and dropped,
 * and the service function looks at the whole ring each time, so merged
 * or spurious notifications lose nothing.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "../vmm/vmm.h"
#include "backend.h"

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing pending; the ring is looked at anyway. */
	}
}

static void *backend_thread(void *arg)
{
	struct xen_backend *b = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = b->from_guest, .events = POLLIN },
			{ .fd = b->stop, .events = POLLIN },
		};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			die_errno("poll (Xen backend)");
			break;
		}
		if (p[1].revents)
			break;
		drain(b->from_guest);
		pthread_mutex_lock(b->lock);
		b->service(b);
		pthread_mutex_unlock(b->lock);
	}
	return NULL;
}

int xen_backend_start(struct xen_backend *b, uint32_t index, uint32_t pfn_index,
		      unsigned int page)
{
	struct vm *vm = b->vm;

	b->stop = -1;
	if (xen_backend_channel(vm, index, &b->port, &b->from_guest, &b->to_guest))
		return -1;
	b->stop = eventfd(0, EFD_CLOEXEC);
	if (b->stop < 0) {
		die_errno("eventfd");
		goto fail;
	}
	if (xen_set_param(vm, pfn_index, (GUEST_XEN_SPECIAL >> 12) + page))
		goto fail;
	if (pthread_create(&b->thread, NULL, backend_thread, b)) {
		fprintf(stderr, "hxen: %s: cannot start its thread\n", b->name);
		goto fail;
	}
	b->running = true;
	if (vm->cfg->debug)
		fprintf(stderr, "hxen: %s on event channel %u, frame 0x%llx\n", b->name, b->port,
			(unsigned long long)(GUEST_XEN_SPECIAL >> 12) + page);
	return 0;
fail:
	xen_backend_stop(b);
	return -1;
}

void xen_backend_stop(struct xen_backend *b)
{
	uint64_t one = 1;

	if (b->running && write(b->stop, &one, sizeof(one)) == sizeof(one))
		pthread_join(b->thread, NULL);
	b->running = false;
	if (b->stop >= 0)
		close(b->stop);
	if (b->from_guest >= 0)
		close(b->from_guest);
	if (b->to_guest >= 0)
		close(b->to_guest);
	b->stop = b->from_guest = b->to_guest = -1;
}

void xen_backend_notify(struct xen_backend *b)
{
	uint64_t one = 1;

	if (write(b->to_guest, &one, sizeof(one)) < 0) {
		/* EAGAIN: the count is at its maximum, the guest is raised anyway. */
	}
}
