// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware virtualization ownership. VMX/SVM is enabled on every online CPU
 * only while at least one VM exists and released after the last one goes,
 * so hxen coexists with other hypervisors (KVM, VirtualBox) that do the
 * same. CPUs that come online meanwhile are enabled, CPUs that go offline
 * are released, and suspend and reboot release everything.
 */
#define pr_fmt(fmt) "hxen: " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>

#include "hxen.h"
#include "vendor.h"
#include "x86/x86.h"

struct hxen_cpu {
	/* VMXON region / host save area; changed under hxen_virt_lock. */
	struct page *area;
	/* Set and cleared on this CPU with interrupts off. */
	bool enabled;
};

static DEFINE_PER_CPU(struct hxen_cpu, hxen_cpu);

/*
 * Lock order: cpus_read_lock (or the hotplug callbacks' write side), then
 * hxen_virt_lock.
 */
static DEFINE_MUTEX(hxen_virt_lock);
/* VMs alive; protected by hxen_virt_lock. */
static unsigned int hxen_virt_users;
/* Cleared by the reboot notifier: no enabling while the host goes down. */
static bool hxen_virt_allowed = true;
static atomic_t hxen_virt_enabled_cpus = ATOMIC_INIT(0);
static enum cpuhp_state hxen_cpuhp_state;

unsigned int hxen_virt_cpus(void)
{
	return atomic_read(&hxen_virt_enabled_cpus);
}

static int virt_alloc_area(unsigned int cpu)
{
	struct hxen_cpu *c = per_cpu_ptr(&hxen_cpu, cpu);
	struct page *page;

	if (c->area)
		return 0;
	page = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO,
				hxen_ops->cpu_area_order);
	if (!page)
		return -ENOMEM;
	c->area = page;
	atomic64_add(1 << hxen_ops->cpu_area_order, &hxen_live_pages);
	return 0;
}

static void virt_free_area(unsigned int cpu)
{
	struct hxen_cpu *c = per_cpu_ptr(&hxen_cpu, cpu);

	if (!c->area)
		return;
	__free_pages(c->area, hxen_ops->cpu_area_order);
	c->area = NULL;
	atomic64_sub(1 << hxen_ops->cpu_area_order, &hxen_live_pages);
}

/* On the CPU itself, interrupts off. @err collects the first failure. */
static void virt_enable_this_cpu(void *err)
{
	struct hxen_cpu *c = this_cpu_ptr(&hxen_cpu);
	int r;

	if (c->enabled)
		return;
	r = hxen_ops->cpu_enable(c->area);
	if (r) {
		/* -EBUSY (another hypervisor) wins over other errors. */
		if (r == -EBUSY)
			atomic_set(err, r);
		else
			atomic_cmpxchg(err, 0, r);
		return;
	}
	c->enabled = true;
	atomic_inc(&hxen_virt_enabled_cpus);
}

static void virt_disable_this_cpu(void *unused)
{
	struct hxen_cpu *c = this_cpu_ptr(&hxen_cpu);

	/* No guest runs here any more: the host's TSC_AUX back now. */
	hxen_user_msrs_drop();
	if (!c->enabled)
		return;
	hxen_ops->cpu_disable();
	c->enabled = false;
	atomic_dec(&hxen_virt_enabled_cpus);
}

static void virt_report_failure(int r)
{
	if (r == -EBUSY)
		pr_warn_ratelimited("%s is in use by another hypervisor (e.g. %s with a VM running); cannot create a VM until it is released\n",
				    hxen_ops->name,
				    hxen_ops == &svm_vendor_ops ? "kvm_amd" : "kvm_intel");
	else
		pr_err_ratelimited("cannot enable %s on every CPU (error %d)\n",
				   hxen_ops->name, r);
}

/* Called with cpus_read_lock and hxen_virt_lock held. */
static void virt_disable_all(void)
{
	unsigned int cpu;

	on_each_cpu(virt_disable_this_cpu, NULL, 1);
	for_each_possible_cpu(cpu)
		virt_free_area(cpu);
}

static int virt_enable_all(void)
{
	atomic_t err = ATOMIC_INIT(0);
	unsigned int cpu;
	int r;

	for_each_online_cpu(cpu) {
		r = virt_alloc_area(cpu);
		if (r)
			goto fail;
	}
	on_each_cpu(virt_enable_this_cpu, &err, 1);
	r = atomic_read(&err);
	if (!r)
		return 0;
fail:
	virt_disable_all();
	return r;
}

/* A VM is being created: make sure every online CPU can run it. */
int hxen_virt_get(void)
{
	int r = 0;

	cpus_read_lock();
	mutex_lock(&hxen_virt_lock);
	if (!hxen_virt_allowed)
		r = -ESHUTDOWN;
	else if (hxen_virt_users == 0)
		r = virt_enable_all();
	if (!r)
		hxen_virt_users++;
	mutex_unlock(&hxen_virt_lock);
	cpus_read_unlock();
	if (r)
		virt_report_failure(r);
	return r;
}

void hxen_virt_put(void)
{
	cpus_read_lock();
	mutex_lock(&hxen_virt_lock);
	if (!--hxen_virt_users)
		virt_disable_all();
	mutex_unlock(&hxen_virt_lock);
	cpus_read_unlock();
}

/* CPU hotplug callbacks run on the CPU concerned, in its hotplug thread. */
static int hxen_cpu_online(unsigned int cpu)
{
	atomic_t err = ATOMIC_INIT(0);
	int r = 0;

	mutex_lock(&hxen_virt_lock);
	if (hxen_virt_users && hxen_virt_allowed) {
		r = virt_alloc_area(cpu);
		if (!r) {
			local_irq_disable();
			virt_enable_this_cpu(&err);
			local_irq_enable();
			r = atomic_read(&err);
		}
		/* Refuse the CPU: VMs could not run on it. */
		if (r) {
			virt_free_area(cpu);
			virt_report_failure(r);
		}
	}
	mutex_unlock(&hxen_virt_lock);
	return r;
}

static int hxen_cpu_offline(unsigned int cpu)
{
	mutex_lock(&hxen_virt_lock);
	local_irq_disable();
	virt_disable_this_cpu(NULL);
	local_irq_enable();
	virt_free_area(cpu);
	mutex_unlock(&hxen_virt_lock);
	return 0;
}

/*
 * Suspend runs on the last online CPU with interrupts off and tasks frozen,
 * so hxen_virt_users cannot change under us (and the mutex cannot be taken).
 */
static int hxen_suspend(void)
{
	virt_disable_this_cpu(NULL);
	return 0;
}

static void hxen_resume(void)
{
	atomic_t err = ATOMIC_INIT(0);

	if (hxen_virt_users) {
		virt_enable_this_cpu(&err);
		if (atomic_read(&err))
			pr_err("cannot re-enable %s after resume (error %d)\n",
			       hxen_ops->name, atomic_read(&err));
	}
}

static struct syscore_ops hxen_syscore_ops = {
	.suspend = hxen_suspend,
	.resume = hxen_resume,
};

/* kexec and firmware expect VMX/SVM off; VMs are dead anyway past this. */
static int hxen_reboot(struct notifier_block *nb, unsigned long code, void *v)
{
	mutex_lock(&hxen_virt_lock);
	hxen_virt_allowed = false;
	on_each_cpu(virt_disable_this_cpu, NULL, 1);
	mutex_unlock(&hxen_virt_lock);
	return NOTIFY_OK;
}

static struct notifier_block hxen_reboot_nb = {
	.notifier_call = hxen_reboot,
};

int hxen_virt_init(void)
{
	int r;

	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hxen:online",
			      hxen_cpu_online, hxen_cpu_offline);
	if (r < 0)
		return r;
	hxen_cpuhp_state = r;
	register_syscore_ops(&hxen_syscore_ops);
	register_reboot_notifier(&hxen_reboot_nb);
	return 0;
}

void hxen_virt_exit(void)
{
	unregister_reboot_notifier(&hxen_reboot_nb);
	unregister_syscore_ops(&hxen_syscore_ops);
	cpuhp_remove_state(hxen_cpuhp_state);
}
