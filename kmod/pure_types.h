/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's fixed-width types for pure logic (instruction emulator,
 * page walker, event channels) that also builds into userspace unit tests.
 */
#ifndef HXEN_PURE_TYPES_H
#define HXEN_PURE_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stdint.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;
#endif

#endif /* HXEN_PURE_TYPES_H */
