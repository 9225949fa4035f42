# SPDX-License-Identifier: GPL-2.0
#
#   make          build hxen.ko (for KDIR), the launcher and the test programs
#   make demo     boot an emulated SVM host, load hxen.ko, show what it detected
#   make check    run every test (unit, then the module suites on SVM and VMX)
#   make bench    exit round-trip costs, hxen vs KVM, deterministic time
#
# KDIR defaults to the running kernel's build tree, or else the headers of
# Debian's current kernel, which the emulated test hosts boot.

HXEN_VERSION := 0.1
BUILD := $(CURDIR)/build
RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
# Recursive on purpose: the Debian ABI is looked up only when needed.
TEST_ABI = $(shell scripts/kernel-abi)
TEST_KDIR = /usr/src/linux-headers-$(TEST_ABI)
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR),$(TEST_KDIR))

CC ?= gcc
# Static: the VMX test host's initramfs has no libc.
USER_CFLAGS := -O2 -g -Wall -Wextra -Werror -std=gnu11 -I$(CURDIR)/kmod -I$(CURDIR)/tests/lib \
	-DHXEN_VERSION='"$(HXEN_VERSION)"'
USER_LDFLAGS := -static

KMOD_SRC := $(shell find kmod -name '*.[chS]') kmod/Kbuild kmod/Makefile
PROGRAMS := $(BUILD)/bin/hxen $(BUILD)/bin/hxen-modtest $(BUILD)/bin/hxen-guesttest \
	$(BUILD)/bin/hxen-bench $(BUILD)/bin/hxen-ioctlfuzz

all: kmod programs

kmod: $(KMOD_SRC)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod W=1 modules

programs: $(PROGRAMS)

# The launcher: every userspace/**/*.c (core vmm/, boot/, devices/).
HXEN_SRC := $(sort $(shell find userspace -name '*.c'))
$(BUILD)/bin/hxen: $(HXEN_SRC) $(shell find userspace -name '*.h') kmod/uapi/hxen.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -pthread -o $@ $(HXEN_SRC) $(USER_LDFLAGS) -llzma -lz -lzstd

$(BUILD)/bin/hxen-modtest: tests/integration/modtest.c kmod/uapi/hxen.h tests/lib/testlib.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ $< $(USER_LDFLAGS)

# guesttest.c #includes the tests/guests/*_tests.c parts; every .S is a guest.
GUEST_ASM := $(wildcard tests/guests/*.S)
$(BUILD)/bin/hxen-guesttest: $(wildcard tests/guests/*.[ch]) $(GUEST_ASM) tests/lib/testlib.h \
		$(wildcard userspace/xen/xs*.[ch] userspace/xen/xenstore.[ch]) kmod/uapi/hxen.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -pthread -o $@ tests/guests/guesttest.c $(GUEST_ASM) $(USER_LDFLAGS)

$(BUILD)/bin/hxen-ioctlfuzz: tests/integration/ioctlfuzz.c kmod/uapi/hxen.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -pthread -o $@ $< $(USER_LDFLAGS)

$(BUILD)/bin/hxen-bench: tests/bench/bench.c tests/bench/bench_guests.S kmod/uapi/hxen.h
	@mkdir -p $(dir $@)
	$(CC) $(USER_CFLAGS) -o $@ tests/bench/bench.c tests/bench/bench_guests.S $(USER_LDFLAGS)

# hxen.ko for the emulated test hosts: built against the Debian kernel they
# boot, from a copy of the sources (kmod/ may target another kernel), with
# warnings as errors at W=1 and without debug info (faster loads in Bochs).
testhost-kmod:
	@abi=$(TEST_ABI); out=$(BUILD)/kmod-$$abi; mkdir -p $$out && \
	(cd kmod && find . -name '*.[chS]' -o -name Kbuild -o -name Makefile | \
		cpio -pdmu --quiet $$out) && \
	$(MAKE) -s -C /usr/src/linux-headers-$$abi M=$$out W=1 KCFLAGS=-Werror modules && \
	mkdir -p $$out/stripped && strip --strip-debug -o $$out/stripped/hxen.ko $$out/hxen.ko

deps:
	scripts/deps

check: deps programs testhost-kmod
	tests/check

demo: deps programs testhost-kmod
	scripts/demo

bench: deps programs testhost-kmod
	tests/bench/run

# All of Linux's KVM selftests on hxen and KVM (`make check` runs the ones in
# tests/selftests/check.list).
selftests: deps programs testhost-kmod
	tests/selftests/check

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/kmod clean
	rm -rf $(BUILD)

.PHONY: all kmod programs testhost-kmod deps check demo bench selftests clean
