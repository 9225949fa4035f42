// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of the in-kernel local APIC: timer modes, IPIs, INIT/SIPI, EOI, TPR, KVM_GET/SET_LAPIC, HLT blocking.
 * #included by guesttest.c (shares its helpers); the guests live in
 * the .S files beside it.
 */

#define LAPIC_TESTS
