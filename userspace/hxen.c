// SPDX-License-Identifier: GPL-2.0
/*
 * hxen: the launcher, a VMM over the KVM API. `hxen info` reports what the
 * hypervisor module detected; `hxen run` boots a Linux guest (run.c, with
 * the core in vmm/, the machine's layout, e820 and ACPI tables in
 * platform/, boot loaders in boot/ and devices in devices/).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "uapi/hxen.h"
#include "vmm/vmm.h"

#define HXEN_DEFAULT_DEVICE "/dev/hxen"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: hxen info [--device PATH]\n"
		"       hxen run --kernel FILE [OPTIONS]   (hxen run --help)\n"
		"       hxen --help | --version\n"
		"\n"
		"  info    show the hypervisor's API version, capabilities and what\n"
		"          hxen.ko detected (vendor, NPT/EPT, ...)\n"
		"  run     boot a Linux kernel in a VM, console on stdin/stdout\n"
		"  --device PATH  KVM-API device (default %s; /dev/kvm works too)\n",
		HXEN_DEFAULT_DEVICE);
}

struct cap_name {
	int cap;
	const char *name;
};

#define CAP(x) { KVM_CAP_##x, #x }
/* The capabilities worth showing; hxen reports only the ones it implements. */
static const struct cap_name caps[] = {
	CAP(IRQCHIP), CAP(HLT), CAP(USER_MEMORY), CAP(SET_TSS_ADDR),
	CAP(EXT_CPUID), CAP(NR_VCPUS), CAP(NR_MEMSLOTS), CAP(PIT2),
	CAP(MP_STATE), CAP(SYNC_MMU), CAP(IOEVENTFD), CAP(IRQFD),
	CAP(XSAVE), CAP(XCRS), CAP(VCPU_EVENTS), CAP(ADJUST_CLOCK),
	CAP(TSC_DEADLINE_TIMER), CAP(MAX_VCPUS), CAP(READONLY_MEM),
	CAP(CHECK_EXTENSION_VM), CAP(IMMEDIATE_EXIT), CAP(XEN_HVM),
};

static const struct {
	__u64 bit;
	const char *name;
} feats[] = {
	{ HXEN_FEAT_NPT, "npt" },
	{ HXEN_FEAT_NRIPS, "nrip-save" },
	{ HXEN_FEAT_VMCB_CLEAN, "vmcb-clean" },
	{ HXEN_FEAT_FLUSH_BY_ASID, "flush-by-asid" },
	{ HXEN_FEAT_DECODE_ASSISTS, "decode-assists" },
	{ HXEN_FEAT_PAUSE_FILTER, "pause-filter" },
	{ HXEN_FEAT_LBRV, "lbrv" },
	{ HXEN_FEAT_TSC_RATE, "tsc-rate" },
	{ HXEN_FEAT_VGIF, "vgif" },
	{ HXEN_FEAT_AVIC, "avic" },
	{ HXEN_FEAT_V_VMSAVE_VMLOAD, "v-vmsave-vmload" },
	{ HXEN_FEAT_EPT, "ept" },
	{ HXEN_FEAT_UNRESTRICTED_GUEST, "unrestricted-guest" },
	{ HXEN_FEAT_VPID, "vpid" },
	{ HXEN_FEAT_EPT_AD, "ept-ad" },
	{ HXEN_FEAT_EPT_2M, "ept-2m" },
	{ HXEN_FEAT_EPT_1G, "ept-1g" },
	{ HXEN_FEAT_PML, "pml" },
	{ HXEN_FEAT_APICV, "apicv" },
	{ HXEN_FEAT_POSTED_INTR, "posted-interrupts" },
	{ HXEN_FEAT_TSC_SCALING, "tsc-scaling" },
	{ HXEN_FEAT_SHADOW_VMCS, "shadow-vmcs" },
	{ HXEN_FEAT_VMFUNC, "vmfunc" },
	{ HXEN_FEAT_TRUE_CTLS, "true-ctls" },
};

static int cmd_info(const char *dev)
{
	struct hxen_info info;
	int fd, api, i, n = 0;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "hxen: %s: %s%s\n", dev, strerror(errno),
			errno == ENOENT ? " (is hxen.ko loaded? try: modprobe hxen)" : "");
		return 1;
	}
	api = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (api < 0) {
		fprintf(stderr, "hxen: %s: KVM_GET_API_VERSION: %s\n", dev, strerror(errno));
		close(fd);
		return 1;
	}
	printf("device:       %s\n", dev);
	printf("api version:  %d\n", api);
	if (ioctl(fd, HXEN_GET_INFO, &info) == 0) {
		printf("hypervisor:   hxen (%s)\n",
		       info.vendor == HXEN_VENDOR_SVM ? "AMD SVM" : "Intel VMX");
		printf("features:    ");
		for (i = 0; i < (int)(sizeof(feats) / sizeof(feats[0])); i++)
			if (info.features & feats[i].bit)
				printf(" %s", feats[i].name);
		printf("\n");
		if (info.vendor == HXEN_VENDOR_SVM)
			printf("asids:        %u\n", info.nr_asids);
		else
			printf("vmcs rev:     %#x\n", info.vmcs_revision);
		printf("live vms:     %u (virtualization on %u CPUs)\n",
		       info.live_vms, info.virt_cpus);
		printf("live vcpus:   %u\n", info.live_vcpus);
		printf("live pages:   %llu\n", (unsigned long long)info.live_pages);
		printf("/dev/kvm:     %s\n", info.kvm_alias ? "alias of /dev/hxen" : "not hxen's");
	} else {
		printf("hypervisor:   not hxen (HXEN_GET_INFO: %s)\n", strerror(errno));
	}
	printf("extensions:  ");
	for (i = 0; i < (int)(sizeof(caps) / sizeof(caps[0])); i++) {
		int r = ioctl(fd, KVM_CHECK_EXTENSION, caps[i].cap);

		if (r > 0) {
			printf(r == 1 ? " %s" : " %s=%d", caps[i].name, r);
			n++;
		}
	}
	printf(n ? "\n" : " (none yet)\n");
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dev = HXEN_DEFAULT_DEVICE;
	int i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("hxen %s\n", HXEN_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(argv[1], "info")) {
		fprintf(stderr, "hxen: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			dev = argv[++i];
		} else {
			fprintf(stderr, "hxen: info: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	return cmd_info(dev);
}
