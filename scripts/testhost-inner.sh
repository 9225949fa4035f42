#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs inside an emulated test host once its root filesystem is ready (the SVM
# host's 9p/overlay chroot or the VMX host's initramfs). POSIX sh: the VMX host
# only has busybox. $1 is the th.conf written by scripts/testhost; every path
# in it is the same inside the host as on the build machine.
#
# Protocol: the command's output goes to ttyS1; then "@@HXEN-TESTHOST-EXIT <rc>"
# ends ttyS1. The full dmesg is written to ttyS0 (the kernel console) first, so
# the build side can check it for oopses and WARNs once it sees the marker.
. "$1"

# Debian's busybox-static has no mountpoint applet.
command -v mountpoint >/dev/null 2>&1 || mountpoint() {
	[ -r /proc/mounts ] && grep -q "^[^ ]* $2 " /proc/mounts
}

# Mounted unconditionally: in the SVM host's chroot, /proc, /sys and /dev
# would otherwise show the build machine's through 9p.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# /tmp stays as it is: the run directory of scripts/testhost lives there.
mkdir -p /dev/pts /dev/shm /tmp /run
mountpoint -q /dev/pts || mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
# The loopback interface, up as on any booted system (QEMU's user network
# reaches the host's services through it: tests/qemu/run).
busybox ip link set lo up 2>/dev/null

out=/dev/ttyS1
stty -F $out raw -echo 115200 2>/dev/null
stty -F /dev/ttyS0 115200 2>/dev/null

finish() {
	{
		echo "@@HXEN-DMESG-BEGIN"
		dmesg
		echo "@@HXEN-DMESG-END"
	} >/dev/ttyS0 2>&1
	echo "@@HXEN-TESTHOST-EXIT $1" >$out
	sync
	busybox poweroff -f
	sleep 1000
}

export PATH="$TH_BIN:$PATH"
export HXEN_TESTHOST_CPU="$TH_CPU"
export HXEN_KO="$TH_KO"
export HXEN_KVM_MODULES="$TH_KVM_MODULES"
export HOME=/tmp

if ! insmod "$TH_KO" >$out 2>&1; then
	echo "testhost: insmod $TH_KO failed" >$out
	finish 125
fi
if [ "$TH_KVM" = 1 ]; then
	for m in $TH_KVM_MODULES; do
		name=$(basename "$m" .ko | tr - _)
		grep -q "^$name " /proc/modules && continue
		# KVM's LAPIC timer advance busy-waits with interrupts off for
		# a deadline it learns from the TSC; in an emulated host the TSC
		# jitters by milliseconds, the wait grows and the host locks up
		# or misses deadlines. Off here (an emulator-only setting).
		args=
		[ "$name" = kvm ] && args=lapic_timer_advance_ns=0
		if ! insmod "$m" $args >$out 2>&1; then
			echo "testhost: insmod $m failed" >$out
			finish 125
		fi
	done
fi

# A heartbeat on the console for testhost's hang detection (--stall).
if [ -n "$TH_STALL" ]; then
	(while sleep 30; do echo "@@HXEN-HEARTBEAT" >/dev/ttyS0; done) </dev/null >/dev/null 2>&1 &
fi

cd /tmp
sh "$TH_CMDFILE" <>/dev/null >$out 2>&1
finish $?
