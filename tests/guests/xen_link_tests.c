// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of hxen's Xen ABI, part 2: XENMEM_memory_map (with
 * HXEN_XEN_SET_MEMORY_MAP), grant tables v1 and their frames, physdev_op,
 * event channels between two VMs and between a VM and host eventfds
 * (HXEN_XEN_EVTCHN_EVENTFD). #included by guesttest.c after xen_tests.c,
 * whose helpers and guests (xen_guests.S) it uses. The oracle is Xen's
 * public headers (grant_table.h, memory.h, event_channel.h) and what
 * Xen does with them; on KVM, which has no Xen ABI, the tests skip.
 */
#include <sys/eventfd.h>
#include <xen/grant_table.h>
#include <xen/physdev.h>

#define XG_GNT0		0x108000	/* where the guest maps grant frames */
#define XG_GNT1		0x109000
#define XG_GNT2		0x10a000
#define XG_LIST		(XG_BUF + 0x800)	/* frame lists, e820 buffers */
#define XG_NORAM	0x1f0000	/* no slot; inside the 64-bit guest's 2 MiB map */

struct xg_e820 {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/* ---- XENMEM_memory_map ---- */

static int xg_set_map(struct xg *x, const struct hxen_e820_entry *e, uint32_t n)
{
	struct hxen_xen_memory_map m = { .nr_entries = n, .entries = (uintptr_t)e };

	EXPECT(ioctl(x->vm.fd, HXEN_XEN_SET_MEMORY_MAP, &m) == 0, "SET_MEMORY_MAP: %s",
	       strerror(errno));
	return PASS;
}

/* XENMEM_memory_map with @n slots at XG_LIST; *@got the nr_entries back. */
static int xg_memmap(struct xg *x, int64_t *ret, uint32_t n, uint64_t buf, uint32_t *got)
{
	uint8_t *b = xg_buf(x, XG_BUF);
	int r;

	memset(b, 0, 16);
	if (x->m64) {
		*(uint32_t *)b = n;
		*(uint64_t *)(b + 8) = buf;
	} else {
		*(uint32_t *)b = n;
		*(uint32_t *)(b + 4) = buf;
	}
	if ((r = xg_hc(x, ret, __HYPERVISOR_memory_op, XENMEM_memory_map, XG_BUF, 0)))
		return r;
	*got = *(uint32_t *)b;
	return PASS;
}

static int memmap_body(struct xg *x)
{
	static const struct hxen_e820_entry map[3] = {
		{ .addr = 0, .size = 0x9fc00, .type = 1 },
		{ .addr = 0xf0000, .size = 0x10000, .type = 2 },
		{ .addr = 0x100000, .size = 0x7ff00000, .type = 1 },
	};
	struct xg_e820 *e = xg_buf(x, XG_LIST);
	uint32_t got = 0;
	int64_t ret;
	int r, i;

	if ((r = xg_install_page(x)))
		return r;
	/* No map yet: Xen's -ENOSYS. */
	if ((r = xg_memmap(x, &ret, 8, XG_LIST, &got)))
		return r;
	EXPECT(ret == -XEN_ENOSYS, "memory_map without a map: %lld", (long long)ret);
	if ((r = xg_set_map(x, map, 3)))
		return r;
	memset(e, 0x55, 8 * sizeof(*e));
	if ((r = xg_memmap(x, &ret, 8, XG_LIST, &got)))
		return r;
	EXPECT(ret == 0 && got == 3, "memory_map: %lld, %u entries", (long long)ret, got);
	for (i = 0; i < 3; i++)
		EXPECT(e[i].addr == map[i].addr && e[i].size == map[i].size &&
		       e[i].type == map[i].type, "entry %d: %#llx %#llx %u", i,
		       (unsigned long long)e[i].addr, (unsigned long long)e[i].size, e[i].type);
	EXPECT(((uint8_t *)&e[3])[0] == 0x55, "wrote past the third 20-byte entry");
	/* Fewer slots: the first ones, no error (Xen). */
	memset(e, 0x55, 8 * sizeof(*e));
	if ((r = xg_memmap(x, &ret, 2, XG_LIST, &got)))
		return r;
	EXPECT(ret == 0 && got == 2 && e[1].addr == map[1].addr &&
	       ((uint8_t *)&e[2])[0] == 0x55, "2 slots: %lld, %u", (long long)ret, got);
	if ((r = xg_memmap(x, &ret, 0xffffffff, XG_LIST, &got)))
		return r;
	EXPECT(ret == 0 && got == 3, "2^32-1 slots: %lld, %u", (long long)ret, got);
	if ((r = xg_memmap(x, &ret, 0, XG_LIST, &got)))
		return r;
	EXPECT(ret == 0 && got == 0, "0 slots: %lld, %u", (long long)ret, got);
	if ((r = xg_memmap(x, &ret, 3, XG_BAD, &got)))
		return r;
	EXPECT(ret == -XEN_EFAULT, "bad buffer: %lld", (long long)ret);
	if ((r = xg_memmap(x, &ret, 3, XG_GPA2 + XG_SIZE2 - 30, &got)))
		return r;
	EXPECT(ret == -XEN_EFAULT, "buffer across the end of RAM: %lld", (long long)ret);
	HC(-XEN_EFAULT, __HYPERVISOR_memory_op, XENMEM_memory_map, XG_BAD, 0, "bad argument");
	/* A new map replaces the old. */
	if ((r = xg_set_map(x, map + 2, 1)) || (r = xg_memmap(x, &ret, 8, XG_LIST, &got)))
		return r;
	EXPECT(ret == 0 && got == 1 && e[0].addr == 0x100000, "replaced map: %u", got);
	/* What Linux may call besides: clean answers. */
	HC(-XEN_ENOSYS, __HYPERVISOR_memory_op, XENMEM_decrease_reservation, XG_BUF, 0,
	   "decrease_reservation");
	HC(-XEN_ENOSYS, __HYPERVISOR_memory_op, XENMEM_populate_physmap, XG_BUF, 0,
	   "populate_physmap");
	HC(-XEN_ENOSYS, __HYPERVISOR_memory_op, XENMEM_remove_from_physmap, XG_BUF, 0,
	   "remove_from_physmap");
	HC(-XEN_ENOSYS, __HYPERVISOR_memory_op, XENMEM_maximum_reservation, XG_BUF, 0,
	   "maximum_reservation");
	HC(-XEN_ENOSYS, __HYPERVISOR_physdev_op, PHYSDEVOP_get_free_pirq, XG_BUF, 0,
	   "get_free_pirq");
	HC(-XEN_ENOSYS, __HYPERVISOR_physdev_op, PHYSDEVOP_pirq_eoi_gmfn_v2, XG_BAD, 0,
	   "pirq_eoi_gmfn_v2");
	HC(-XEN_ENOSYS, __HYPERVISOR_physdev_op, PHYSDEVOP_map_pirq, XG_BUF, 0, "map_pirq");
	HC(-XEN_ENOSYS, __HYPERVISOR_physdev_op, PHYSDEVOP_pci_device_add, XG_BUF, 0,
	   "pci_device_add");
	HC(-XEN_ENOSYS, __HYPERVISOR_physdev_op, 0xffffffff, XG_BUF, 0, "physdev op -1");
	return PASS;
}

static int t_xen64_memory_map(void)
{
	WITH_XG(true, false, memmap_body(x));
}

static int t_xen32_memory_map(void)
{
	WITH_XG(false, false, memmap_body(x));
}

/* ---- grant tables ---- */

static int xg_gnt(struct xg *x, int64_t *ret, uint32_t cmd, const void *op, size_t size,
		  uint32_t count, void *out)
{
	int r;

	memcpy(xg_buf(x, XG_BUF), op, size);
	if ((r = xg_hc(x, ret, __HYPERVISOR_grant_table_op, cmd, XG_BUF, count)))
		return r;
	if (out)
		memcpy(out, xg_buf(x, XG_BUF), size);
	return PASS;
}

#define GNT(want, cmd, op, count, out, what)                                   \
	do {                                                                   \
		int64_t ret_;                                                  \
		int rr_ = xg_gnt(x, &ret_, cmd, &(op), sizeof(op), count, out);\
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (int64_t)(want), "%s: %lld, want %lld", what,   \
		       (long long)ret_, (long long)(want));                    \
	} while (0)

/* GNTTABOP_setup_table in the guest's layout; the status back in *st. */
static int xg_setup_table(struct xg *x, int64_t *ret, uint16_t dom, uint32_t n, uint64_t list,
			  int16_t *st)
{
	uint8_t *b = xg_buf(x, XG_BUF);
	int r;

	memset(b, 0, 24);
	*(uint16_t *)b = dom;
	*(uint32_t *)(b + 4) = n;
	*(int16_t *)(b + 8) = 0x5555;
	if (x->m64)
		*(uint64_t *)(b + 16) = list;
	else
		*(uint32_t *)(b + 12) = list;
	if ((r = xg_hc(x, ret, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, XG_BUF, 1)))
		return r;
	*st = *(int16_t *)(b + 8);
	return PASS;
}

#define SETUP(want, wst, dom, n, list, what)                                   \
	do {                                                                   \
		int64_t ret_;                                                  \
		int16_t st_;                                                   \
		int rr_ = xg_setup_table(x, &ret_, dom, n, list, &st_);        \
		if (rr_)                                                       \
			return rr_;                                            \
		EXPECT(ret_ == (want) && st_ == (wst), "%s: %lld status %d, want %d", \
		       what, (long long)ret_, st_, wst);                       \
	} while (0)

/* Frame @i of the list setup_table wrote, in the guest's width. */
static uint64_t xg_frame(struct xg *x, int i)
{
	if (x->m64)
		return ((uint64_t *)xg_buf(x, XG_LIST))[i];
	return ((uint32_t *)xg_buf(x, XG_LIST))[i];
}

static int grant_body(struct xg *x)
{
	uint64_t none = x->m64 ? ~0ULL : 0xffffffffULL, v, pv;
	struct gnttab_query_size qs = { .dom = DOMID_SELF };
	struct gnttab_set_version sv = { .version = 1 };
	struct gnttab_get_version gv = { .dom = DOMID_SELF };
	uint64_t entry = 0x0000000012340001ULL;	/* v1: GTF_permit_access, dom 0, frame */
	int r;

	(void)pv;
	if ((r = xg_install_page(x)))
		return r;
	GNT(0, GNTTABOP_query_size, qs, 1, &qs, "query_size");
	EXPECT(qs.status == GNTST_okay && qs.nr_frames == 1 && qs.max_nr_frames == 64,
	       "query_size: status %d frames %u max %u", qs.status, qs.nr_frames,
	       qs.max_nr_frames);
	GNT(-XEN_EINVAL, GNTTABOP_query_size, qs, 2, NULL, "query_size count 2");
	GNT(-XEN_EINVAL, GNTTABOP_query_size, qs, 0, NULL, "query_size count 0");
	GNT(-XEN_EINVAL, GNTTABOP_query_size, qs, 0x80000000U, NULL, "query_size count -1");
	qs.dom = 0x7fee;
	GNT(0, GNTTABOP_query_size, qs, 1, &qs, "query_size of nobody");
	EXPECT(qs.status == GNTST_bad_domain, "query_size of nobody: status %d", qs.status);
	HC(-XEN_EFAULT, __HYPERVISOR_grant_table_op, GNTTABOP_query_size, XG_BAD, 1,
	   "query_size bad pointer");
	GNT(0, GNTTABOP_get_version, gv, 1, &gv, "get_version");
	EXPECT(gv.version == 0, "version %u before first use", gv.version);
	gv.dom = 0x7fee;
	GNT(-XEN_ESRCH, GNTTABOP_get_version, gv, 1, NULL, "get_version of nobody");
	HC(-XEN_EFAULT, __HYPERVISOR_grant_table_op, GNTTABOP_get_version, XG_BAD, 1,
	   "get_version bad pointer");

	/* setup_table: frames not mapped yet read as ~0. */
	SETUP(0, GNTST_okay, DOMID_SELF, 2, XG_LIST, "setup_table(2)");
	EXPECT(xg_frame(x, 0) == none && xg_frame(x, 1) == none, "unmapped frames %#llx %#llx",
	       (unsigned long long)xg_frame(x, 0), (unsigned long long)xg_frame(x, 1));
	SETUP(0, GNTST_general_error, DOMID_SELF, 65, XG_LIST, "setup_table(65)");
	SETUP(0, GNTST_bad_domain, 0x7fee, 1, XG_LIST, "setup_table of nobody");
	SETUP(0, GNTST_bad_virt_addr, DOMID_SELF, 1, XG_BAD, "setup_table bad frame list");
	SETUP(0, GNTST_okay, x->domid, 0, XG_BAD, "setup_table(0)");
	HC(-XEN_EFAULT, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, XG_BAD, 1,
	   "setup_table bad pointer");
	HC(-XEN_EINVAL, __HYPERVISOR_grant_table_op, GNTTABOP_setup_table, XG_BUF, 3,
	   "setup_table count 3");
	GNT(0, GNTTABOP_query_size, qs, 1, NULL, "query_size");
	qs.dom = DOMID_SELF;
	GNT(0, GNTTABOP_query_size, qs, 1, &qs, "query_size after setup");
	EXPECT(qs.nr_frames == 2, "%u frames after setup_table(2)", qs.nr_frames);
	gv.dom = DOMID_SELF;
	GNT(0, GNTTABOP_get_version, gv, 1, &gv, "get_version");
	EXPECT(gv.version == 1, "version %u after setup_table", gv.version);

	/* Versions: 1 only. */
	GNT(0, GNTTABOP_set_version, sv, 1, &sv, "set_version(1)");
	EXPECT(sv.version == 1, "set_version(1) reads %u", sv.version);
	sv.version = 2;
	GNT(-XEN_ENOSYS, GNTTABOP_set_version, sv, 1, &sv, "set_version(2)");
	EXPECT(sv.version == 1, "set_version(2) reads %u, want the version in effect", sv.version);
	sv.version = 3;
	GNT(-XEN_EINVAL, GNTTABOP_set_version, sv, 1, &sv, "set_version(3)");
	EXPECT(sv.version == 1, "set_version(3) reads %u", sv.version);
	HC(-XEN_EFAULT, __HYPERVISOR_grant_table_op, GNTTABOP_set_version, XG_BAD, 1,
	   "set_version bad pointer");

	/* The frames in the guest's physmap. */
	*(uint64_t *)xg_buf(x, XG_GNT0) = 0x1111111111111111ULL;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_grant_table, 0, XG_GNT0 >> 12, "map grant frame 0");
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_grant_table, 1, XG_GNT1 >> 12, "map grant frame 1");
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_grant_table, 5, XG_GNT2 >> 12, "map grant frame 5");
	PHYSMAP(-XEN_EINVAL, DOMID_SELF, XENMAPSPACE_grant_table, 64, XG_GNT2 >> 12,
		"grant frame 64");
	PHYSMAP(-XEN_EINVAL, DOMID_SELF, XENMAPSPACE_grant_table,
		XENMAPIDX_grant_table_status | 0, XG_GNT2 >> 12, "v1 status frame");
	if (x->m64)
		PHYSMAP(-XEN_EINVAL, DOMID_SELF, XENMAPSPACE_grant_table, 1, 1ULL << 36,
			"grant frame above 2^48");
	/* Where no RAM is, as Linux PVH maps them (unpopulated space). */
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_grant_table, 7, XG_NORAM >> 12,
		"grant frame 7 where no RAM is");
	if ((r = xg_store(x, XG_NORAM + 8, entry)) || (r = xg_load(x, XG_NORAM + 8, &v)))
		return r;
	EXPECT(v == entry, "grant frame 7 reads back %#llx", (unsigned long long)v);
	PHYSMAP(-XEN_ESRCH, 0x1234, XENMAPSPACE_grant_table, 1, XG_GNT1 >> 12,
		"other domain's grant frame");
	if ((r = xg_load(x, XG_GNT0, &v)))
		return r;
	EXPECT(v == 0, "grant frame 0 reads %#llx, want a fresh zeroed frame",
	       (unsigned long long)v);
	if ((r = xg_store(x, XG_GNT0, entry)) || (r = xg_load(x, XG_GNT0, &v)))
		return r;
	EXPECT(v == entry, "grant entry reads back %#llx", (unsigned long long)v);
	EXPECT(*(uint64_t *)xg_buf(x, XG_GNT0) == 0x1111111111111111ULL,
	       "the guest's RAM under the frame changed");
	SETUP(0, GNTST_okay, DOMID_SELF, 6, XG_LIST, "setup_table(6)");
	EXPECT(xg_frame(x, 0) == XG_GNT0 >> 12 && xg_frame(x, 1) == XG_GNT1 >> 12 &&
	       xg_frame(x, 2) == none && xg_frame(x, 5) == XG_GNT2 >> 12,
	       "frames %#llx %#llx %#llx %#llx", (unsigned long long)xg_frame(x, 0),
	       (unsigned long long)xg_frame(x, 1), (unsigned long long)xg_frame(x, 2),
	       (unsigned long long)xg_frame(x, 5));
	/* Hypercalls see the frame too (a guest copy through it). */
	HC(0, __HYPERVISOR_xen_version, XENVER_extraversion, XG_GNT1 + 64, 0,
	   "extraversion into a grant frame");
	if ((r = xg_load(x, XG_GNT1 + 64, &v)))
		return r;
	EXPECT((v & 0xff) == '-', "grant frame 1 did not get the copy: %#llx",
	       (unsigned long long)v);
	/* Frame 0 moves: the contents go with it, the RAM comes back. */
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_grant_table, 0, (XG_GNT2 >> 12) + 1, "move frame 0");
	if ((r = xg_load(x, XG_GNT2 + 0x1000, &v)))
		return r;
	EXPECT(v == entry, "moved frame reads %#llx", (unsigned long long)v);
	if ((r = xg_load(x, XG_GNT0, &v)))
		return r;
	EXPECT(v == 0x1111111111111111ULL, "old frame %#llx, want its RAM back",
	       (unsigned long long)v);
	/* A frame mapped over another takes its place (Xen: the old one leaves). */
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_grant_table, 1, XG_GNT2 >> 12, "frame 1 over frame 5");
	SETUP(0, GNTST_okay, DOMID_SELF, 6, XG_LIST, "setup_table(6) again");
	EXPECT(xg_frame(x, 1) == XG_GNT2 >> 12 && xg_frame(x, 5) == none,
	       "after the overlap: frame 1 %#llx frame 5 %#llx",
	       (unsigned long long)xg_frame(x, 1), (unsigned long long)xg_frame(x, 5));
	qs.dom = DOMID_SELF;
	GNT(0, GNTTABOP_query_size, qs, 1, &qs, "query_size");
	EXPECT(qs.nr_frames == 8, "%u frames", qs.nr_frames);
	/* Not offered. */
	HC(-XEN_ENOSYS, __HYPERVISOR_grant_table_op, GNTTABOP_map_grant_ref, XG_BUF, 1,
	   "map_grant_ref");
	HC(-XEN_ENOSYS, __HYPERVISOR_grant_table_op, GNTTABOP_copy, XG_BUF, 1, "copy");
	HC(-XEN_ENOSYS, __HYPERVISOR_grant_table_op, GNTTABOP_get_status_frames, XG_BUF, 1,
	   "get_status_frames");
	HC(-XEN_ENOSYS, __HYPERVISOR_grant_table_op, 99, XG_BUF, 1, "grant op 99");
	HC(-XEN_EINVAL, __HYPERVISOR_grant_table_op, GNTTABOP_query_size | (1 << 12), XG_BUF, 1,
	   "continuation bits");
	return PASS;
}

static int t_xen64_grant_tables(void)
{
	WITH_XG(true, false, grant_body(x));
}

static int t_xen32_grant_tables(void)
{
	WITH_XG(false, false, grant_body(x));
}

/* ---- event channels to other domains ---- */

/* shared_info at XG_SHINFO, the callback vector; upcalls clear vcpu_info[0]'s flag. */
static int xg_ev_setup(struct xg *x)
{
	volatile uint64_t *mb = xg_mb(x);
	uint64_t pv;
	int r;

	(void)pv;
	if ((r = xg_install_page(x)))
		return r;
	PHYSMAP(0, DOMID_SELF, XENMAPSPACE_shared_info, 0, XG_SHINFO >> 12, "map shared_info");
	mb[0x88 / 8] = XG_SHINFO;
	PARAM(0, true, DOMID_SELF, HVM_PARAM_CALLBACK_IRQ, (2ULL << 56) | XG_VEC, "CALLBACK_IRQ");
	return PASS;
}

/* The guest handled its events: pending bits, selector, upcall flag cleared. */
static int xg_ev_clear(struct xg *x)
{
	int r, i;

	for (i = 0; i < 2; i++)
		if ((r = xg_store(x, XG_SHINFO + 2048 + 8 * i, 0)))
			return r;
	if ((r = xg_store(x, XG_SHINFO, 0)))
		return r;
	return xg_store(x, XG_SHINFO + 8, 0);
}

static uint32_t xg_upcalls(struct xg *x)
{
	return xg_mb32(x, 0x80);
}

/* Run the guest once (a harmless call), so a pending upcall is taken. */
static int xg_poke(struct xg *x)
{
	int64_t ret;

	return xg_hc(x, &ret, __HYPERVISOR_xen_version, XENVER_version, 0, 0);
}

static int xg_status(struct xg *x, uint32_t port, struct evtchn_status *st)
{
	int64_t ret;
	int r;

	memset(st, 0, sizeof(*st));
	st->dom = DOMID_SELF;
	st->port = port;
	if ((r = xg_evop(x, &ret, EVTCHNOP_status, st, sizeof(*st), st)))
		return r;
	EXPECT(ret == 0, "status(%u): %lld", port, (long long)ret);
	return PASS;
}

/* Close @x's VM now; a later xg_close of it does nothing. */
static void xg_gone(struct xg *x)
{
	xg_close(x);
	memset(x, 0, sizeof(*x));
	x->vm.fd = x->vm.sys = x->vm.vcpu[0] = x->vm.vcpu[1] = -1;
}

static int link_body(struct xg *a, struct xg *b)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF };
	struct evtchn_bind_interdomain bi;
	struct evtchn_send sd;
	struct evtchn_close cl;
	struct evtchn_reset rs;
	struct evtchn_status st;
	struct gnttab_query_size qs;
	struct gnttab_get_version gv;
	struct xg *x;
	uint32_t pa, pb, pq, ua, ub, bdom = b->domid;
	bool set;
	int r;

	if ((r = xg_ev_setup(a)) || (r = xg_ev_setup(b)))
		return r;
	/* b offers a port to a; a port offered to a stranger. */
	x = b;
	au.remote_dom = a->domid;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "b: alloc_unbound for a");
	pb = au.port;
	au.remote_dom = 0x3333;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "b: alloc_unbound for 0x3333");
	pq = au.port;

	x = a;
	bi = (struct evtchn_bind_interdomain){ .remote_dom = 0x7fee, .remote_port = pb };
	EVOP(-XEN_ESRCH, EVTCHNOP_bind_interdomain, bi, NULL, "bind to nobody");
	bi = (struct evtchn_bind_interdomain){ .remote_dom = bdom, .remote_port = pq };
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_interdomain, bi, NULL, "bind a port offered elsewhere");
	bi.remote_port = pq + 5;
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_interdomain, bi, NULL, "bind a free port");
	bi.remote_port = 5000;
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_interdomain, bi, NULL, "bind port 5000");
	bi.remote_dom = 0;
	bi.remote_port = pb;
	EVOP(-XEN_ESRCH, EVTCHNOP_bind_interdomain, bi, NULL, "bind to the host by port");
	HC(-XEN_EFAULT, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_interdomain, XG_BAD, 0,
	   "bind_interdomain bad pointer");
	bi.remote_dom = bdom;
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "bind_interdomain");
	pa = bi.local_port;
	/* Xen sets the new local port pending. */
	EXPECT(xg_upcalls(a) == 1, "a: %u upcalls after the bind, want 1", xg_upcalls(a));
	if ((r = xg_bit(a, XG_SHINFO + 2048, pa, &set)))
		return r;
	EXPECT(set, "a: bound port not pending");
	EVOP(-XEN_EINVAL, EVTCHNOP_bind_interdomain, bi, NULL, "bind twice");
	if ((r = xg_status(a, pa, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == bdom &&
	       st.u.interdomain.port == pb, "a: status %u dom %u port %u", st.status,
	       st.u.interdomain.dom, st.u.interdomain.port);
	if ((r = xg_status(b, pb, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == a->domid &&
	       st.u.interdomain.port == pa, "b: status %u dom %u port %u", st.status,
	       st.u.interdomain.dom, st.u.interdomain.port);

	/* a -> b, b -> a. */
	if ((r = xg_ev_clear(a)))
		return r;
	sd.port = pa;
	EVOP(0, EVTCHNOP_send, sd, NULL, "a: send");
	if ((r = xg_poke(b)) || (r = xg_bit(b, XG_SHINFO + 2048, pb, &set)))
		return r;
	EXPECT(set && xg_upcalls(b) == 1, "b: pending %d, %u upcalls, want 1", set,
	       xg_upcalls(b));
	EXPECT(xg_upcalls(a) == 1, "a got its own send");
	x = b;
	sd.port = pb;
	EVOP(0, EVTCHNOP_send, sd, NULL, "b: send");
	if ((r = xg_poke(a)))
		return r;
	EXPECT(xg_upcalls(a) == 2, "a: %u upcalls after b's send, want 2", xg_upcalls(a));

	/* Other domains are visible but not ours. */
	x = a;
	qs = (struct gnttab_query_size){ .dom = bdom };
	GNT(0, GNTTABOP_query_size, qs, 1, &qs, "query_size of b");
	EXPECT(qs.status == GNTST_permission_denied, "query_size of b: status %d", qs.status);
	gv = (struct gnttab_get_version){ .dom = bdom };
	GNT(-XEN_EPERM, GNTTABOP_get_version, gv, 1, NULL, "get_version of b");
	rs.dom = bdom;
	EVOP(-XEN_EPERM, EVTCHNOP_reset, rs, NULL, "reset b");
	rs.dom = 0x7fee;
	EVOP(-XEN_ESRCH, EVTCHNOP_reset, rs, NULL, "reset nobody");
	au = (struct evtchn_alloc_unbound){ .dom = bdom, .remote_dom = DOMID_SELF };
	EVOP(-XEN_EPERM, EVTCHNOP_alloc_unbound, au, NULL, "alloc_unbound in b");

	/* b closes: a's end is unbound again, offered to b; sends are dropped. */
	x = b;
	cl.port = pb;
	EVOP(0, EVTCHNOP_close, cl, NULL, "b: close");
	if ((r = xg_status(a, pa, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == bdom,
	       "a after b's close: status %u dom %u", st.status, st.u.unbound.dom);
	if ((r = xg_ev_clear(b)))
		return r;
	x = a;
	sd.port = pa;
	EVOP(0, EVTCHNOP_send, sd, NULL, "a: send to a closed peer");
	if ((r = xg_poke(b)))
		return r;
	EXPECT(xg_upcalls(b) == 1, "b: upcall from a closed channel");
	/* Now b binds a's port: the other direction of setting up. */
	x = b;
	bi = (struct evtchn_bind_interdomain){ .remote_dom = a->domid, .remote_port = pa };
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "b: bind a's port");
	ub = bi.local_port;
	EXPECT(ub == pb, "b: port %u, want the lowest free %u", ub, pb);
	EXPECT(xg_upcalls(b) == 2, "b: %u upcalls after its bind, want 2", xg_upcalls(b));
	if ((r = xg_ev_clear(b)))
		return r;
	x = a;
	EVOP(0, EVTCHNOP_send, sd, NULL, "a: send again");
	if ((r = xg_poke(b)))
		return r;
	EXPECT(xg_upcalls(b) == 3, "b: %u upcalls, want 3", xg_upcalls(b));
	if ((r = xg_bit(b, XG_SHINFO + 2048, ub, &set)))
		return r;
	EXPECT(set, "b: port %u not pending", ub);
	/* a closes: b's end is unbound, offered to a. */
	ua = pa;
	cl.port = ua;
	EVOP(0, EVTCHNOP_close, cl, NULL, "a: close");
	if ((r = xg_status(b, ub, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == a->domid,
	       "b after a's close: status %u dom %u", st.status, st.u.unbound.dom);
	/* Connect once more, then b's VM goes away with the channel open. */
	bi = (struct evtchn_bind_interdomain){ .remote_dom = bdom, .remote_port = ub };
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "a: bind again");
	pa = bi.local_port;
	xg_gone(b);
	if ((r = xg_status(a, pa, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == bdom,
	       "a after b died: status %u dom %u", st.status, st.u.unbound.dom);
	sd.port = pa;
	EVOP(0, EVTCHNOP_send, sd, NULL, "a: send to a dead peer");
	bi.remote_port = ub;
	EVOP(-XEN_ESRCH, EVTCHNOP_bind_interdomain, bi, NULL, "bind to a dead domain");
	/* A loopback channel, then reset closes everything. */
	au = (struct evtchn_alloc_unbound){ .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc loopback");
	bi = (struct evtchn_bind_interdomain){ .remote_dom = a->domid, .remote_port = au.port };
	EVOP(0, EVTCHNOP_bind_interdomain, bi, &bi, "bind loopback");
	if ((r = xg_ev_clear(a)))
		return r;
	sd.port = bi.local_port;
	EVOP(0, EVTCHNOP_send, sd, NULL, "loopback send");
	if ((r = xg_bit(a, XG_SHINFO + 2048, au.port, &set)))
		return r;
	EXPECT(set, "loopback: the other port is not pending");
	rs.dom = DOMID_SELF;
	EVOP(0, EVTCHNOP_reset, rs, NULL, "reset");
	if ((r = xg_status(a, au.port, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_closed, "after reset: status %u", st.status);
	if ((r = xg_status(a, pa, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_closed, "after reset: status %u", st.status);
	HC(-XEN_EFAULT, __HYPERVISOR_event_channel_op, EVTCHNOP_reset, XG_BAD, 0,
	   "reset bad pointer");
	return PASS;
}

static int t_xen_interdomain(void)
{
	struct xg xa, xb;
	int r;

	r = xg_open(&xa, true, false);
	if (r == PASS) {
		/* The peer is a 32-bit guest: the layouts meet. */
		r = xg_open(&xb, false, false);
		if (r == PASS)
			r = link_body(&xa, &xb);
		xg_close(&xb);
	}
	xg_close(&xa);
	return r;
}

/* ---- event channels to host eventfds ---- */

static int xg_efd(struct xg *x, uint32_t port, int fd, uint32_t flags)
{
	struct hxen_xen_evtchn_eventfd a = { .port = port, .fd = fd, .flags = flags };

	return ioctl(x->vm.fd, HXEN_XEN_EVTCHN_EVENTFD, &a);
}

#define EFD_ERR(err, port, fd, flags, what)                                    \
	do {                                                                   \
		errno = 0;                                                     \
		EXPECT(xg_efd(x, port, fd, flags) == -1 && errno == (err),     \
		       "%s: %s, want %s", what, strerror(errno), strerror(err));\
	} while (0)

static int host_body(struct xg *x, int in, int out)
{
	struct evtchn_alloc_unbound au = { .dom = DOMID_SELF, .remote_dom = 0 };
	struct hxen_xen_evtchn_eventfd bad = { .fd = out, .flags = HXEN_XEN_EVTCHN_FROM_GUEST };
	struct evtchn_send sd;
	struct evtchn_close cl;
	struct evtchn_status st;
	uint64_t cnt, one = 1;
	uint32_t p, self, up;
	bool set;
	int r;

	if ((r = xg_ev_setup(x)))
		return r;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc_unbound for the host");
	p = au.port;
	au.remote_dom = DOMID_SELF;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc_unbound for self");
	self = au.port;

	EFD_ERR(EINVAL, self, out, HXEN_XEN_EVTCHN_FROM_GUEST, "port offered to self");
	EFD_ERR(EINVAL, 0, out, HXEN_XEN_EVTCHN_FROM_GUEST, "port 0");
	EFD_ERR(EINVAL, 4095, out, HXEN_XEN_EVTCHN_FROM_GUEST, "free port");
	EFD_ERR(EINVAL, 100000, out, HXEN_XEN_EVTCHN_FROM_GUEST, "port 100000");
	EFD_ERR(EINVAL, p, out, 0, "no direction");
	EFD_ERR(EINVAL, p, out, 8 | HXEN_XEN_EVTCHN_FROM_GUEST, "unknown flag");
	EFD_ERR(EINVAL, p, out, HXEN_XEN_EVTCHN_FROM_GUEST | HXEN_XEN_EVTCHN_TO_GUEST,
		"both directions at once");
	EFD_ERR(EBADF, p, -1, HXEN_XEN_EVTCHN_FROM_GUEST, "fd -1");
	EFD_ERR(EINVAL, p, x->vm.fd, HXEN_XEN_EVTCHN_TO_GUEST, "not an eventfd");
	EFD_ERR(ENOENT, p, out, HXEN_XEN_EVTCHN_FROM_GUEST | HXEN_XEN_EVTCHN_DEASSIGN,
		"deassign unbound");
	bad.port = p;
	bad.reserved[4] = 1;
	errno = 0;
	EXPECT(ioctl(x->vm.fd, HXEN_XEN_EVTCHN_EVENTFD, &bad) == -1 && errno == EINVAL,
	       "reserved: %s", strerror(errno));
	errno = 0;
	EXPECT(ioctl(x->vm.fd, HXEN_XEN_EVTCHN_EVENTFD, (void *)8) == -1 && errno == EFAULT,
	       "bad pointer: %s", strerror(errno));
	if ((r = xg_status(x, p, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	       "failed binds changed the port: %u", st.status);

	/* guest -> host */
	EXPECT(xg_efd(x, p, out, HXEN_XEN_EVTCHN_FROM_GUEST) == 0, "bind out: %s",
	       strerror(errno));
	EFD_ERR(EBUSY, p, out, HXEN_XEN_EVTCHN_FROM_GUEST, "bind out twice");
	EFD_ERR(EINVAL, p, out, HXEN_XEN_EVTCHN_TO_GUEST, "the out eventfd as in");
	if ((r = xg_status(x, p, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == 0 &&
	       st.u.interdomain.port == 0, "host-bound status %u dom %u port %u", st.status,
	       st.u.interdomain.dom, st.u.interdomain.port);
	sd.port = p;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send to the host");
	EVOP(0, EVTCHNOP_send, sd, NULL, "send to the host again");
	EXPECT(read(out, &cnt, 8) == 8 && cnt == 2, "out eventfd count %llu, want 2",
	       (unsigned long long)cnt);

	/* host -> guest */
	EXPECT(xg_efd(x, p, in, HXEN_XEN_EVTCHN_TO_GUEST) == 0, "bind in: %s", strerror(errno));
	EFD_ERR(EBUSY, p, in, HXEN_XEN_EVTCHN_TO_GUEST, "bind in twice");
	if ((r = xg_ev_clear(x)))
		return r;
	up = xg_upcalls(x);
	EXPECT(write(in, &one, 8) == 8, "write in: %s", strerror(errno));
	if ((r = xg_poke(x)))
		return r;
	if ((r = xg_bit(x, XG_SHINFO + 2048, p, &set)))
		return r;
	EXPECT(set && xg_upcalls(x) == up + 1, "host write: pending %d, %u upcalls, want %u",
	       set, xg_upcalls(x), up + 1);
	EXPECT(read(in, &cnt, 8) == -1 && errno == EAGAIN, "the in count was not consumed");
	/* Unbind host -> guest: writes do nothing now. */
	EXPECT(xg_efd(x, p, -1, HXEN_XEN_EVTCHN_TO_GUEST | HXEN_XEN_EVTCHN_DEASSIGN) == 0,
	       "deassign in: %s", strerror(errno));
	EFD_ERR(ENOENT, p, -1, HXEN_XEN_EVTCHN_TO_GUEST | HXEN_XEN_EVTCHN_DEASSIGN,
		"deassign in twice");
	if ((r = xg_ev_clear(x)))
		return r;
	EXPECT(write(in, &one, 8) == 8, "write in: %s", strerror(errno));
	if ((r = xg_poke(x)))
		return r;
	EXPECT(xg_upcalls(x) == up + 1, "upcall after deassign");
	/* Written before the bind: raised when bound. */
	EXPECT(xg_efd(x, p, in, HXEN_XEN_EVTCHN_TO_GUEST) == 0, "rebind in: %s", strerror(errno));
	if ((r = xg_poke(x)))
		return r;
	EXPECT(xg_upcalls(x) == up + 2, "%u upcalls after binding a written eventfd, want %u",
	       xg_upcalls(x), up + 2);
	/* All directions gone: unbound to the host again. */
	EXPECT(xg_efd(x, p, -1, HXEN_XEN_EVTCHN_TO_GUEST | HXEN_XEN_EVTCHN_DEASSIGN) == 0 &&
	       xg_efd(x, p, -1, HXEN_XEN_EVTCHN_FROM_GUEST | HXEN_XEN_EVTCHN_DEASSIGN) == 0,
	       "deassign both: %s", strerror(errno));
	if ((r = xg_status(x, p, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	       "after deassign: status %u dom %u", st.status, st.u.unbound.dom);
	EVOP(0, EVTCHNOP_send, sd, NULL, "send to the unbound port");
	EXPECT(read(out, &cnt, 8) == -1 && errno == EAGAIN, "signalled after deassign");

	/* The guest closes a bound port: the bindings go with it. */
	EXPECT(xg_efd(x, p, out, HXEN_XEN_EVTCHN_FROM_GUEST) == 0 &&
	       xg_efd(x, p, in, HXEN_XEN_EVTCHN_TO_GUEST) == 0, "bind both: %s", strerror(errno));
	cl.port = p;
	EVOP(0, EVTCHNOP_close, cl, NULL, "close the host port");
	EFD_ERR(ENOENT, p, -1, HXEN_XEN_EVTCHN_FROM_GUEST | HXEN_XEN_EVTCHN_DEASSIGN,
		"deassign after the guest closed");
	EFD_ERR(EINVAL, p, out, HXEN_XEN_EVTCHN_FROM_GUEST, "bind a closed port");
	/* And the VM goes with live bindings (released by its teardown). */
	au.remote_dom = 0;
	EVOP(0, EVTCHNOP_alloc_unbound, au, &au, "alloc_unbound for the host again");
	EXPECT(xg_efd(x, au.port, out, HXEN_XEN_EVTCHN_FROM_GUEST) == 0 &&
	       xg_efd(x, au.port, in, HXEN_XEN_EVTCHN_TO_GUEST) == 0, "bind both: %s",
	       strerror(errno));
	return PASS;
}

static int host_test(bool m64)
{
	int in = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	int out = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct xg xg_, *x = &xg_;
	int r;

	EXPECT(in >= 0 && out >= 0, "eventfd: %s", strerror(errno));
	r = xg_open(x, m64, false);
	if (r == PASS)
		r = host_body(x, in, out);
	xg_close(x);
	close(in);
	close(out);
	return r;
}

static int t_xen64_host_eventfd(void)
{
	return host_test(true);
}

static int t_xen32_host_eventfd(void)
{
	return host_test(false);
}

#define XEN_LINK_TESTS                                                         \
	{ "xen64_memory_map", t_xen64_memory_map },                            \
	{ "xen32_memory_map", t_xen32_memory_map },                            \
	{ "xen64_grant_tables", t_xen64_grant_tables },                        \
	{ "xen32_grant_tables", t_xen32_grant_tables },                        \
	{ "xen_interdomain_two_vms", t_xen_interdomain },                      \
	{ "xen64_host_eventfd", t_xen64_host_eventfd },                        \
	{ "xen32_host_eventfd", t_xen32_host_eventfd },
