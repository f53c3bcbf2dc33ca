/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the admin decides about an inspection, and the bounds on it: one
 * definition for argv, the config file and the daemon's D-Bus options.
 *
 * The timeout is the whole inspection's: libxl gives a bootloader
 * LIBXL_BOOTLOADER_TIMEOUT (120 s, libxl_internal.h) before it kills it
 * in restrict mode, so ours stays below with room for the copy.
 */

#define TIMEOUT_MIN 5
#define TIMEOUT_DEFAULT 100
#define TIMEOUT_MAX 110

#define STAGE1_DEFAULT_X86_64 "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define STAGE1_DEFAULT_I386   "/usr/lib/grub-xen/grub-i386-xen.bin"
#define STAGE1_DEFAULT_PVH    "/usr/lib/grub-xen/grub-i386-xen_pvh.bin"

#include <stdbool.h>

/* A disk format name as qemu spells them (--format, the daemon's Format). */
#define POLICY_FORMAT_MAX 32
bool policy_format_valid(const char *s);
