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

#include "pvboot-select.h"

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

/*
 * Can this host run the domain?  hvm_container: the guest is type="pvh"
 * (the PVH stage 1, or the PV shim, which brings its own 32-bit PV support)
 * and needs hvm-3.0-*; otherwise a PV domain of width arch needs
 * xen-3.0-x86_32p or xen-3.0-x86_64.  Unknown caps never block: the caller
 * says so instead.  The one statement of the rule, for the decision and for
 * the parent's re-check of the worker's answer.
 */
bool host_caps_allow(const HostCaps *h, bool hvm_container, PvArch arch);

/* Read the running hypervisor's caps: libxenlight first, then sysfs.
 * -ENXIO when neither answers (not on Xen); ret->known is then false. */
int host_caps_read(HostCaps *ret);
