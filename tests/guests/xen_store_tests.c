// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of the toolstack's role (HXEN_XEN_SET_PARAM): the store and
 * console parameters a VMM sets as Xen's toolstack does, and the port it
 * has the module allocate in the guest (unbound, remote domain 0). The
 * ioctl's argument checks; a guest reading the parameters back with
 * HVMOP_get_param and refused when it sets the read-only ones (-EPERM, as
 * Xen's hvm_allow_set_param), the event channel crossing both ways
 * through the eventfd bindings; and a guest that writes XS_READ and
 * XS_WRITE requests into its store ring and gets replies from the
 * launcher's xenstore (userspace/xen/, built in here) serving the ring on
 * the eventfd, as `hxen run` does. #included by guesttest.c after
 * xen_tests.c and xen_link_tests.c, whose helpers it uses. On KVM, which
 * has no Xen ABI, the tests skip.
 */
#include "../../userspace/xen/xenstore.c"
#include "../../userspace/xen/xs_txn.c"
#include "../../userspace/xen/xs_watch.c"
#include "../../userspace/xen/xs_ops.c"
#include "../../userspace/xen/xs_ring.c"
#include "../../userspace/xen/xs_domain.c"

#define XS_PAGE		(XG_BUF + 0x2000)	/* the store ring, in slot 2 */
#define XS_CONS_PAGE	(XG_BUF + 0x3000)	/* the console ring */

/* HXEN_XEN_SET_PARAM; 0 or -errno, the value back in *value. */
static int xs_set(int fd, uint32_t index, uint32_t flags, uint64_t *value)
{
	struct hxen_xen_param p = { .index = index, .flags = flags, .value = *value };

	if (ioctl(fd, HXEN_XEN_SET_PARAM, &p) < 0)
		return -errno;
	*value = p.value;
	return 0;
}

#define SET_ERR(err, index, flags, val, what)                                  \
	do {                                                                   \
		uint64_t v_ = (val);                                           \
		int e_ = xs_set(v.fd, index, flags, &v_);                      \
		if (e_ != -(err)) {                                            \
			r = fail("%s: %s, want %s", what, strerror(-e_),       \
				 strerror(err));                               \
			goto out;                                              \
		}                                                              \
	} while (0)

/* ---- the ioctl's rules ---- */

static int t_xen_toolstack_param_ioctl(void)
{
	struct hxen_xen_param p;
	uint64_t val, port, first;
	void *ro;
	struct vm v;
	int r, e, n;

	if ((r = vm_open(&v)))
		return r;
	memset(&p, 0, sizeof(p));
	p.index = HVM_PARAM_STORE_EVTCHN;
	errno = 0;
	if (ioctl(v.fd, HXEN_XEN_SET_PARAM, &p) == -1 && errno == ENOTTY) {
		r = skip("no Xen ABI on this device (KVM 6.1 has none)");
		goto out;
	}
	if (errno != EINVAL) {
		r = fail("set_param without Xen: %s, want EINVAL", strerror(errno));
		goto out;
	}
	if ((r = xg_enable(&v, NULL)))
		goto out;

	errno = 0;
	if (ioctl(v.fd, HXEN_XEN_SET_PARAM, (void *)8) != -1 || errno != EFAULT) {
		r = fail("bad pointer: %s, want EFAULT", strerror(errno));
		goto out;
	}
	p.flags = 2;
	errno = 0;
	if (ioctl(v.fd, HXEN_XEN_SET_PARAM, &p) != -1 || errno != EINVAL) {
		r = fail("flags 2: %s, want EINVAL", strerror(errno));
		goto out;
	}
	p.flags = 0;
	p.reserved[3] = 1;
	errno = 0;
	if (ioctl(v.fd, HXEN_XEN_SET_PARAM, &p) != -1 || errno != EINVAL) {
		r = fail("reserved: %s, want EINVAL", strerror(errno));
		goto out;
	}
	/* Only the toolstack's store and console parameters. */
	SET_ERR(EINVAL, HVM_PARAM_CALLBACK_IRQ, 0, 0, "CALLBACK_IRQ");
	SET_ERR(EINVAL, 0, 0, 0, "index 0");
	SET_ERR(EINVAL, HVM_NR_PARAMS, 0, 0, "index HVM_NR_PARAMS");
	SET_ERR(EINVAL, 0xffffffffu, 0, 0, "index 2^32-1");
	/* Frames: backed by a memslot, or 0. */
	SET_ERR(EINVAL, HVM_PARAM_STORE_PFN, 0, XG_BAD >> 12, "STORE_PFN without memory");
	SET_ERR(EINVAL, HVM_PARAM_CONSOLE_PFN, 0, 1ULL << 52, "CONSOLE_PFN 2^52");
	SET_ERR(EINVAL, HVM_PARAM_CONSOLE_PFN, 0, ~0ULL, "CONSOLE_PFN ~0");
	SET_ERR(EINVAL, HVM_PARAM_STORE_PFN, HXEN_XEN_PARAM_ALLOC_PORT, 0, "ALLOC_PORT on a frame");
	SET_ERR(0, HVM_PARAM_STORE_PFN, 0, 0, "STORE_PFN 0");
	SET_ERR(0, HVM_PARAM_STORE_PFN, 0, 1, "STORE_PFN in RAM");
	/* Ports: of the 2-level range. */
	SET_ERR(EINVAL, HVM_PARAM_STORE_EVTCHN, 0, 4096, "STORE_EVTCHN 4096");
	SET_ERR(EINVAL, HVM_PARAM_CONSOLE_EVTCHN, 0, 1ULL << 32 | 1, "CONSOLE_EVTCHN 2^32+1");
	SET_ERR(EINVAL, HVM_PARAM_STORE_EVTCHN, HXEN_XEN_PARAM_ALLOC_PORT, 5,
		"ALLOC_PORT with a value");
	SET_ERR(0, HVM_PARAM_STORE_EVTCHN, 0, 4095, "STORE_EVTCHN 4095");
	/* Allocation: the lowest free port, a new one each time. */
	first = 0;
	if ((e = xs_set(v.fd, HVM_PARAM_STORE_EVTCHN, HXEN_XEN_PARAM_ALLOC_PORT, &first)) ||
	    first < 1 || first >= 4096) {
		r = fail("ALLOC_PORT: %s, port %llu", strerror(-e), (unsigned long long)first);
		goto out;
	}
	port = 0;
	if ((e = xs_set(v.fd, HVM_PARAM_CONSOLE_EVTCHN, HXEN_XEN_PARAM_ALLOC_PORT, &port)) ||
	    port == first || port < 1) {
		r = fail("second ALLOC_PORT: %s, port %llu after %llu", strerror(-e),
			 (unsigned long long)port, (unsigned long long)first);
		goto out;
	}
	/* A result that cannot be written back: EFAULT, the port freed again. */
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED) {
		r = fail("mmap: %s", strerror(errno));
		goto out;
	}
	((struct hxen_xen_param *)ro)->index = HVM_PARAM_STORE_EVTCHN;
	((struct hxen_xen_param *)ro)->flags = HXEN_XEN_PARAM_ALLOC_PORT;
	mprotect(ro, 4096, PROT_READ);
	errno = 0;
	n = ioctl(v.fd, HXEN_XEN_SET_PARAM, ro);
	munmap(ro, 4096);
	if (n != -1 || errno != EFAULT) {
		r = fail("ALLOC_PORT into read-only memory: %s, want EFAULT", strerror(errno));
		goto out;
	}
	val = 0;
	if ((e = xs_set(v.fd, HVM_PARAM_STORE_EVTCHN, HXEN_XEN_PARAM_ALLOC_PORT, &val)) ||
	    val != port + 1) {
		r = fail("after EFAULT: %s, port %llu, want %llu (the lost one freed)",
			 strerror(-e), (unsigned long long)val, (unsigned long long)port + 1);
		goto out;
	}
	/* Until none is left: ENOSPC, nothing leaks (the VM's teardown frees them). */
	first = 0;
	for (n = 0; n < 5000; n++) {
		val = 0;
		if ((e = xs_set(v.fd, HVM_PARAM_CONSOLE_EVTCHN, HXEN_XEN_PARAM_ALLOC_PORT, &val)))
			break;
		if (val > first)
			first = val;
	}
	/* 4095 ports (0 is reserved), 3 taken above. */
	if (e != -ENOSPC || n != 4092 || first != 4095) {
		r = fail("exhausting ports: %s after %d, highest port %llu", strerror(-e), n,
			 (unsigned long long)first);
		goto out;
	}
out:
	vm_close(&v);
	return r;
}

/* ---- the guest's view: parameters, the channel, the store ring ---- */

/* The launcher's side of the store, as `hxen run` has it. */
struct xs_host {
	struct xs_store *store;
	struct xs_conn *conn;
	int in, out;		/* eventfds: to the guest, from the guest */
	uint32_t port;
};

/* The toolstack's part: ports, frames, eventfds, the guest's tree. */
static int xs_host_setup(struct xg *x, struct xs_host *h)
{
	struct xs_domain_info d = { .domid = x->domid, .name = "guesttest", .vcpus = 1 };
	struct hxen_xen_evtchn_eventfd b = { 0 };
	uint64_t v;

	h->in = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	h->out = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	EXPECT(h->in >= 0 && h->out >= 0, "eventfd: %s", strerror(errno));
	h->store = xs_store_new();
	h->conn = h->store ? xs_conn_new(h->store, x->domid) : NULL;
	EXPECT(h->conn, "xenstore: out of memory");
	EXPECT(xs_domain_create(h->store, &d) == 0, "xs_domain_create");
	xs_ring_init(xg_buf(x, XS_PAGE));
	v = 0;
	EXPECT(xs_set(x->vm.fd, HVM_PARAM_STORE_EVTCHN, HXEN_XEN_PARAM_ALLOC_PORT, &v) == 0,
	       "ALLOC_PORT: %s", strerror(errno));
	h->port = v;
	v = XS_PAGE >> 12;
	EXPECT(xs_set(x->vm.fd, HVM_PARAM_STORE_PFN, 0, &v) == 0, "STORE_PFN: %s",
	       strerror(errno));
	b.port = h->port;
	b.fd = h->out;
	b.flags = HXEN_XEN_EVTCHN_FROM_GUEST;
	EXPECT(ioctl(x->vm.fd, HXEN_XEN_EVTCHN_EVENTFD, &b) == 0, "bind from guest: %s",
	       strerror(errno));
	b.fd = h->in;
	b.flags = HXEN_XEN_EVTCHN_TO_GUEST;
	EXPECT(ioctl(x->vm.fd, HXEN_XEN_EVTCHN_EVENTFD, &b) == 0, "bind to guest: %s",
	       strerror(errno));
	return PASS;
}

static void xs_host_free(struct xs_host *h)
{
	if (h->conn)
		xs_conn_free(h->conn);
	if (h->store)
		xs_store_free(h->store);
	if (h->in >= 0)
		close(h->in);
	if (h->out >= 0)
		close(h->out);
}

/*
 * Guest memory [@gpa, @gpa + @len) to or from @buf through the guest's own
 * 8-byte loads and stores (a write is a read-modify-write of the aligned
 * words it covers).
 */
static int xs_guest_copy(struct xg *x, uint64_t gpa, uint8_t *buf, size_t len, bool write)
{
	uint64_t a, w;
	size_t i;
	int r;

	for (a = gpa & ~7ULL; a < gpa + len; a += 8) {
		if ((r = xg_load(x, a, &w)))
			return r;
		for (i = 0; i < 8; i++) {
			if (a + i < gpa || a + i >= gpa + len)
				continue;
			if (write)
				((uint8_t *)&w)[i] = buf[a + i - gpa];
			else
				buf[a + i - gpa] = ((uint8_t *)&w)[i];
		}
		if (write && (r = xg_store(x, a, w)))
			return r;
	}
	return PASS;
}

static int xs_guest_write(struct xg *x, uint64_t gpa, const void *src, size_t len)
{
	return xs_guest_copy(x, gpa, (uint8_t *)src, len, true);
}

static int xs_guest_read(struct xg *x, uint64_t gpa, uint8_t *dst, size_t len)
{
	return xs_guest_copy(x, gpa, dst, len, false);
}

/*
 * The guest puts @len bytes of @msg into req[] at req_prod, moves req_prod
 * and sends on the port, as Linux's xb_write does.
 */
static int xs_guest_request(struct xg *x, struct xs_host *h, const void *msg, size_t len)
{
	uint64_t base = XS_PAGE + offsetof(struct xenstore_domain_interface, req);
	uint64_t ctl = XS_PAGE + offsetof(struct xenstore_domain_interface, req_cons);
	struct evtchn_send sd = { .port = h->port };
	uint64_t c;
	uint32_t prod, cons;
	int r;

	if ((r = xg_load(x, ctl, &c)))
		return r;
	cons = c;
	prod = c >> 32;
	/* A short test: the ring never wraps. */
	EXPECT(prod == cons && prod + len <= XENSTORE_RING_SIZE, "ring state %u/%u for %zu bytes",
	       prod, cons, len);
	if ((r = xs_guest_write(x, base + prod, msg, len)))
		return r;
	prod += len;
	if ((r = xs_guest_write(x, ctl + 4, (const uint8_t *)&prod, 4)))
		return r;
	EVOP(0, EVTCHNOP_send, sd, NULL, "send on the store port");
	return PASS;
}

/*
 * The host side: the guest's send arrived on the eventfd; serve the ring
 * and notify the guest, which then takes an upcall.
 */
static int xs_host_serve(struct xg *x, struct xs_host *h)
{
	uint64_t cnt;

	EXPECT(read(h->out, &cnt, 8) == 8 && cnt == 1, "the guest's send did not arrive");
	EXPECT(xs_ring_process(h->conn, xg_buf(x, XS_PAGE)) == XS_RING_NOTIFY,
	       "no reply on the ring");
	EXPECT(!xs_conn_broken(h->conn), "the store broke the connection");
	cnt = 1;
	EXPECT(write(h->in, &cnt, 8) == 8, "notify: %s", strerror(errno));
	return PASS;
}

/* The guest reads the reply at rsp_cons: header and payload into @hdr, @body. */
static int xs_guest_reply(struct xg *x, struct xsd_sockmsg *hdr, char *body, size_t size)
{
	uint64_t base = XS_PAGE + offsetof(struct xenstore_domain_interface, rsp);
	uint64_t ctl = XS_PAGE + offsetof(struct xenstore_domain_interface, rsp_cons);
	uint8_t buf[256];
	uint32_t cons, prod;
	uint64_t c;
	int r;

	if ((r = xg_load(x, ctl, &c)))
		return r;
	cons = c;
	prod = c >> 32;
	EXPECT(prod - cons >= sizeof(*hdr) && prod - cons <= sizeof(buf) &&
	       prod <= XENSTORE_RING_SIZE, "reply ring %u..%u", cons, prod);
	if ((r = xs_guest_read(x, base + cons, buf, prod - cons)))
		return r;
	memcpy(hdr, buf, sizeof(*hdr));
	EXPECT(hdr->len == prod - cons - sizeof(*hdr) && hdr->len < size, "reply of %u bytes",
	       hdr->len);
	memcpy(body, buf + sizeof(*hdr), hdr->len);
	body[hdr->len] = 0;
	return xs_guest_write(x, ctl, (const uint8_t *)&prod, 4);
}

/* An XS_* request of @payload (@plen bytes) through the ring; the reply. */
static int xs_round_trip(struct xg *x, struct xs_host *h, uint32_t type, uint32_t req_id,
			 const char *payload, size_t plen, struct xsd_sockmsg *rh, char *body)
{
	uint8_t msg[128];
	struct xsd_sockmsg q = { .type = type, .req_id = req_id, .len = plen };
	uint32_t up = xg_upcalls(x);
	int r;

	memcpy(msg, &q, sizeof(q));
	memcpy(msg + sizeof(q), payload, plen);
	if ((r = xg_ev_clear(x)) || (r = xs_guest_request(x, h, msg, sizeof(q) + plen)) ||
	    (r = xs_host_serve(x, h)) || (r = xg_poke(x)))
		return r;
	EXPECT(xg_upcalls(x) == up + 1, "%u upcalls after the reply, want %u", xg_upcalls(x),
	       up + 1);
	return xs_guest_reply(x, rh, body, 128);
}

static int store_run(struct xg *x, struct xs_host *h)
{
	struct evtchn_status st;
	struct xsd_sockmsg rh;
	char body[128], *val;
	uint64_t pv;
	int r;

	if ((r = xs_host_setup(x, h)))
		return r;
	if ((r = xg_ev_setup(x)))
		return r;
	/* What the guest reads (Linux's xenbus_init, hvc_xen's console init). */
	PARAM(0, false, DOMID_SELF, HVM_PARAM_STORE_PFN, 0, "get STORE_PFN");
	EXPECT(pv == XS_PAGE >> 12, "STORE_PFN %#llx, want %#llx", (unsigned long long)pv,
	       (unsigned long long)XS_PAGE >> 12);
	PARAM(0, false, DOMID_SELF, HVM_PARAM_STORE_EVTCHN, 0, "get STORE_EVTCHN");
	EXPECT(pv == h->port, "STORE_EVTCHN %llu, want %u", (unsigned long long)pv, h->port);
	PARAM(0, false, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 0, "get CONSOLE_PFN");
	EXPECT(pv == 0, "CONSOLE_PFN %llu before the toolstack set it", (unsigned long long)pv);
	pv = XS_CONS_PAGE >> 12;
	EXPECT(xs_set(x->vm.fd, HVM_PARAM_CONSOLE_PFN, 0, &pv) == 0, "CONSOLE_PFN: %s",
	       strerror(errno));
	PARAM(0, false, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 0, "get CONSOLE_PFN");
	EXPECT(pv == XS_CONS_PAGE >> 12, "CONSOLE_PFN %#llx", (unsigned long long)pv);
	/* The frames are the toolstack's: -EPERM for the guest (Xen). */
	PARAM(-XEN_EPERM, true, DOMID_SELF, HVM_PARAM_STORE_PFN, 5, "set STORE_PFN");
	PARAM(-XEN_EPERM, true, DOMID_SELF, HVM_PARAM_CONSOLE_PFN, 5, "set CONSOLE_PFN");
	PARAM(0, false, DOMID_SELF, HVM_PARAM_STORE_PFN, 0, "get STORE_PFN again");
	EXPECT(pv == XS_PAGE >> 12, "STORE_PFN changed by the guest to %#llx",
	       (unsigned long long)pv);
	/* The ports the guest may set (Xen's hvm_allow_set_param). */
	PARAM(0, true, DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, 77, "set CONSOLE_EVTCHN");
	PARAM(0, false, DOMID_SELF, HVM_PARAM_CONSOLE_EVTCHN, 0, "get CONSOLE_EVTCHN");
	EXPECT(pv == 77, "CONSOLE_EVTCHN %llu after the guest set 77", (unsigned long long)pv);
	/* The port the toolstack made: unbound to domain 0 until bound, then the host's. */
	if ((r = xg_status(x, h->port, &st)))
		return r;
	EXPECT(st.status == EVTCHNSTAT_interdomain && st.u.interdomain.dom == 0,
	       "store port status %u dom %u", st.status, st.u.interdomain.dom);

	/* XS_READ of a node the toolstack wrote, by its relative path. */
	if ((r = xs_round_trip(x, h, XS_READ, 7, "name", 5, &rh, body)))
		return r;
	EXPECT(rh.type == XS_READ && rh.req_id == 7 && !strcmp(body, "guesttest"),
	       "XS_READ name: type %u req_id %u '%s'", rh.type, rh.req_id, body);
	/* XS_WRITE where the domain may write; the launcher sees it. */
	if ((r = xs_round_trip(x, h, XS_WRITE, 8, "data/hxtest\0hello", 17, &rh, body)))
		return r;
	EXPECT(rh.type == XS_WRITE && rh.req_id == 8 && !strcmp(body, "OK"),
	       "XS_WRITE: type %u '%s'", rh.type, body);
	snprintf(body, sizeof(body), "/local/domain/%u/data/hxtest", x->domid);
	val = xs_store_read(h->store, body, NULL);
	EXPECT(val && !strcmp(val, "hello"), "the store holds '%s'", val ? val : "(nothing)");
	free(val);
	/* And a write it may not do: an error reply, the connection lives on. */
	if ((r = xs_round_trip(x, h, XS_WRITE, 9, "/local/domain/0/x\0y", 19, &rh, body)))
		return r;
	EXPECT(rh.type == XS_ERROR && !strcmp(body, "EACCES"), "foreign write: type %u '%s'",
	       rh.type, body);
	return PASS;
}

static int store_body(struct xg *x)
{
	struct xs_host h = { .in = -1, .out = -1 };
	int r = store_run(x, &h);

	xs_host_free(&h);
	return r;
}

static int t_xen64_toolstack_store(void)
{
	WITH_XG(true, false, store_body(x));
}

static int t_xen32_toolstack_store(void)
{
	WITH_XG(false, false, store_body(x));
}

#define XEN_STORE_TESTS                                                        \
	{ "xen_toolstack_param_ioctl", t_xen_toolstack_param_ioctl },          \
	{ "xen64_toolstack_store", t_xen64_toolstack_store },                  \
	{ "xen32_toolstack_store", t_xen32_toolstack_store },
