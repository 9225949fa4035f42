/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest page-table walker: linear to guest-physical addresses in the
 * guest's own paging mode (off, 32-bit, PAE, 4-level), with the permission
 * checks that decide #PF. Used when hxen must touch guest memory by linear
 * address itself (emulated MMIO instructions, string port I/O). Pure logic:
 * tests/unit/walk_test.c builds it in userspace.
 */
#ifndef HXEN_X86_WALK_H
#define HXEN_X86_WALK_H

#include "../../pure_types.h"

struct hxen_walk_mode {
	u64 cr0, cr3, cr4, efer, rflags;
	u8 cpl;
};

/* Access kinds, as in the #PF error code. */
#define HXEN_PF_PRESENT	0x01	/* the page was present: a protection fault */
#define HXEN_PF_WRITE	0x02
#define HXEN_PF_USER	0x04
#define HXEN_PF_RSVD	0x08
#define HXEN_PF_FETCH	0x10

/* Read @len (4 or 8) bytes of guest-physical memory; 0, or -1 if not RAM. */
typedef int (*hxen_read_gpa_t)(void *opaque, u64 gpa, void *buf, unsigned int len);

#define HXEN_WALK_OK	0
#define HXEN_WALK_PF	1	/* inject #PF(*error) with CR2 = the address */
#define HXEN_WALK_BAD	(-1)	/* a paging structure is not in RAM */

/*
 * Translate @la for an access of kind @access (HXEN_PF_WRITE/FETCH; the
 * user bit comes from mode->cpl). On HXEN_WALK_OK *gpa is set; on
 * HXEN_WALK_PF *error is the #PF error code.
 */
int hxen_walk(const struct hxen_walk_mode *mode, u64 la, u32 access,
	      hxen_read_gpa_t read, void *opaque, u64 *gpa, u32 *error);

#endif
