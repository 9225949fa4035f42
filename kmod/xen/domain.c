// SPDX-License-Identifier: GPL-2.0
/*
 * The Xen domain ids of the VMs alive on this host (1 .. 0x7fef), so that
 * two VMs can connect event channels. Each id maps to its struct
 * hxen_xen; a lookup (under RCU) takes a reference, which keeps the
 * structure, not the VM: a VM going away first leaves the registry, then
 * sets xen->dead under its evtchn_lock (hxen_xen_vm_stop), and every path
 * into another VM checks dead under that lock before touching its vCPUs
 * or guest memory. The VM's own reference is dropped when it is freed;
 * the last one frees the structure after an RCU grace period, since
 * lookups run under rcu_read_lock() only.
 *
 * Domain 0 is the host (see evtchn.h); no VM gets it.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <xen/interface/xen.h>

#include "internal.h"

static DEFINE_XARRAY_ALLOC(hxen_xen_domains);

int hxen_xen_domain_register(struct hxen_xen *xen)
{
	u32 id;
	int r;

	r = xa_alloc(&hxen_xen_domains, &id, xen, XA_LIMIT(1, DOMID_FIRST_RESERVED - 1),
		     GFP_KERNEL_ACCOUNT);
	if (r == -EBUSY)
		return -ENOSPC;
	if (r)
		return r;
	xen->domid = id;
	return 0;
}

void hxen_xen_domain_unregister(struct hxen_xen *xen)
{
	xa_erase(&hxen_xen_domains, xen->domid);
}

struct hxen_xen *hxen_xen_domain_get(u16 domid)
{
	struct hxen_xen *xen;

	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return NULL;
	rcu_read_lock();
	xen = xa_load(&hxen_xen_domains, domid);
	if (xen && !refcount_inc_not_zero(&xen->refs))
		xen = NULL;
	rcu_read_unlock();
	return xen;
}

/* Any context (a sender may drop the last reference under its own lock). */
void hxen_xen_domain_put(struct hxen_xen *xen)
{
	if (refcount_dec_and_test(&xen->refs))
		kvfree_rcu(xen, rcu);
}

/* Is @dom the calling domain (DOMID_SELF or its own id)? */
bool hxen_xen_dom_is_self(struct xen_call *c, u16 dom)
{
	return dom == DOMID_SELF || dom == c->xen->domid;
}
