// SPDX-License-Identifier: GPL-2.0
/*
 * KVM steal time (MSR_KVM_STEAL_TIME), the same on hxen and KVM. #included
 * by guesttest.c; the guest is kvm-clock's (kvmclock_guests.S: an OUT to
 * port 0x41 in a loop), the steal-time record set up from the host.
 *
 * The vCPU thread shares one host CPU with a spinning thread, so it waits
 * for that CPU while runnable: both hypervisors must count that wait into
 * the guest's record, never more than the time that passed, and keep the
 * record's version even between updates.
 */
#include <pthread.h>
#include <sched.h>

#define STEAL_REC		0x2300
#define MSR_KVM_STEAL_TIME	0x4b564d03

static volatile bool steal_spin_stop;

static void *steal_spinner(void *arg)
{
	(void)arg;
	while (!steal_spin_stop)
		;
	return NULL;
}

static int steal_time_body(struct vm *v)
{
	volatile struct {
		uint64_t steal;
		uint32_t version, flags;
		uint8_t preempted;
	} *st = (void *)(v->mem + STEAL_REC);
	uint64_t val, t0, steal1, elapsed;
	cpu_set_t one, saved;
	pthread_t spinner;
	int r = PASS, cpu;

	LOAD(v, kvmclock);
	if ((r = enter_long64(v, 0)))
		return r;
	/* Bits 1-5 are reserved: the write is refused (#GP for a guest). */
	val = STEAL_REC | 2 | 1;
	EXPECT(vcpu_msr(v, MSR_KVM_STEAL_TIME, true, &val) == 0, "SET_MSRS took reserved bits");
	memset((void *)st, 0xff, 64);
	val = STEAL_REC | 1;
	EXPECT(vcpu_msr(v, MSR_KVM_STEAL_TIME, true, &val) == 1, "SET_MSRS(steal time): %s", strerror(errno));
	val = 0;
	EXPECT(vcpu_msr(v, MSR_KVM_STEAL_TIME, false, &val) == 1 && val == (STEAL_REC | 1),
	       "GET_MSRS: %#llx", (unsigned long long)val);
	/* The guest's garbage first: the record is the guest's memory. */
	memset((void *)st, 0, 64);
	EXPECT(run_expect(v, 0, KVM_EXIT_IO) == PASS, "first run");
	EXPECT(!(st->version & 1), "version %u after a run", st->version);

	/* One host CPU for this thread and a spinner: runnable, waiting. */
	cpu = sched_getcpu();
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	EXPECT(sched_getaffinity(0, sizeof(saved), &saved) == 0, "getaffinity");
	EXPECT(sched_setaffinity(0, sizeof(one), &one) == 0, "setaffinity: %s", strerror(errno));
	steal_spin_stop = false;
	if (pthread_create(&spinner, NULL, steal_spinner, NULL)) {
		sched_setaffinity(0, sizeof(saved), &saved);
		return fail("pthread_create");
	}
	pthread_setaffinity_np(spinner, sizeof(one), &one);
	steal1 = st->steal;
	t0 = mono_ns();
	while (mono_ns() - t0 < 400000000ULL && r == PASS)
		r = run_expect(v, 0, KVM_EXIT_IO);
	elapsed = mono_ns() - t0;
	steal_spin_stop = true;
	pthread_join(spinner, NULL);
	sched_setaffinity(0, sizeof(saved), &saved);
	if (r)
		return r;
	EXPECT(!(st->version & 1) && st->version, "version %u", st->version);
	EXPECT(st->steal > steal1, "no steal time counted in %llu ms beside a spinner",
	       (unsigned long long)(elapsed / 1000000));
	EXPECT(st->steal - steal1 <= elapsed, "%llu ns stolen in %llu ns",
	       (unsigned long long)(st->steal - steal1), (unsigned long long)elapsed);
	EXPECT(st->preempted == 0, "preempted %u while running", st->preempted);

	/* Disabled: the record stays as it is. */
	val = 0;
	EXPECT(vcpu_msr(v, MSR_KVM_STEAL_TIME, true, &val) == 1, "SET_MSRS(0)");
	st->steal = 12345;
	EXPECT(run_expect(v, 0, KVM_EXIT_IO) == PASS, "run after disable");
	EXPECT(st->steal == 12345, "steal written while disabled: %llu",
	       (unsigned long long)st->steal);
	return PASS;
}

/* CPUID offers it, and migration finds the MSR in the index list. */
static int t_steal_time(void)
{
	struct kvm_cpuid_entry2 e;
	bool feat, listed;

	feat = supported_cpuid_entry(0x40000001, 0, &e) &&
	       (e.eax & (1 << 5));	/* KVM_FEATURE_STEAL_TIME */
	listed = msr_index_listed(MSR_KVM_STEAL_TIME);
	EXPECT(feat && listed, "steal time: CPUID %d, MSR listed %d", feat, listed);
	WITH_VM(steal_time_body(v));
}

#define STEAL_TIME_TESTS                                                       \
	{ "kvm_steal_time", t_steal_time },
