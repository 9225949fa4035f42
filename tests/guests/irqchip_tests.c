// SPDX-License-Identifier: GPL-2.0
/*
 * Guest tests of the in-kernel PIC, IOAPIC, PIT, GSI routing, MSI, KVM_GET/SET_IRQCHIP, KVM_GET/SET_PIT2.
 * #included by guesttest.c (shares its helpers); the guests live in
 * the .S files beside it.
 */

#define IRQCHIP_TESTS
