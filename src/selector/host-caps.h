/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the hypervisor can run.
 *
 * Xen advertises its guest types in xen_caps (libxl_get_version_info(), or
 * /sys/hypervisor/properties/capabilities): a space-separated list such as
 * "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64".  Debian
 * and upstream build Xen without CONFIG_PV32, so "xen-3.0-x86_32p" is often
 * missing and a 32-bit PV domain then dies in xc_dom_compat_check().  We
 * check first and say why.
 */

#include <stdbool.h>
#include <stddef.h>

#define HOST_CAPS_MAX 512

typedef struct HostCaps {
        bool known;
        bool pv64;      /* xen-3.0-x86_64 */
        bool pv32;      /* xen-3.0-x86_32p */
        bool hvm;       /* any hvm-3.0-*: PVH (and the PV shim) need it */
        char text[HOST_CAPS_MAX];       /* the caps as read, printable */
        const char *source;             /* "libxenlight", "sysfs", "--host-caps" */
} HostCaps;

/* Parse a xen_caps string.  -EINVAL if it is not a list of printable tokens. */
int host_caps_parse(const char *s, const char *source, HostCaps *ret);

/* Read the running hypervisor's caps: libxenlight first, then sysfs.
 * -ENXIO when neither answers (not on Xen); ret->known is then false. */
int host_caps_read(HostCaps *ret);
