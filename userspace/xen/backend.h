/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Domain 0's backends for a guest of `hxen run` (Xen mode): each serves a
 * ring in one of the launcher's special pages on an event channel the
 * launcher made as the guest's toolstack (vmm/xen.c), from a thread of its
 * own that sleeps in poll() on the channel's eventfd. The devices are in
 * the machine's device list (platform/machine.c).
 */
#ifndef HXEN_XEN_BACKEND_H
#define HXEN_XEN_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct xen_backend;

/* Called with *lock held when the guest signalled the channel. */
typedef void (*xen_backend_fn)(struct xen_backend *b);

struct xen_backend {
	struct vm *vm;
	const char *name;
	pthread_mutex_t *lock;	/* the device's */
	xen_backend_fn service;
	void *opaque;
	uint32_t port;		/* the guest's end */
	int from_guest;		/* eventfd: the guest sent */
	int to_guest;		/* eventfd: raise the port in the guest */
	int stop;		/* eventfd: the thread ends */
	pthread_t thread;
	bool running;
};

/*
 * Makes the channel (param @index, an HVM_PARAM_*_EVTCHN), publishes
 * page @page of the special pages as param @pfn_index, starts the thread.
 * -1 after a one-line error.
 */
int xen_backend_start(struct xen_backend *b, uint32_t index, uint32_t pfn_index,
		      unsigned int page);
void xen_backend_stop(struct xen_backend *b);
/* Raise the guest's port. Any thread. */
void xen_backend_notify(struct xen_backend *b);

/* store_backend.c, pv_console.c */
extern const struct device_desc xen_store_device;
extern const struct device_desc xen_pv_console_device;
/* The PV console's guest port, if it runs. */
bool xen_pv_console_port(struct vm *vm, uint32_t *port);

#endif
