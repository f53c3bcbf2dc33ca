/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The domain type libxl recorded for the domain whose bootloader we are.
 *
 * What libxl tells its bootloader (Xen 4.17, tools/libs/light; proven on
 * real Xen by tests/e2e, scenario libxl-facts; docs in tests/e2e/README.md):
 *
 *   - initiate_domain_create() calls libxl__domain_make() before
 *     libxl__bootloader_run().  libxl__domain_make() creates the domain
 *     (xc_domain_create(), XEN_DOMCTL_CDF_hvm for every type but PV) and,
 *     in the transaction that sets up its xenstore paths, writes
 *       /libxl/<domid>/type = libxl_domain_type_to_string(c_info.type)
 *     ("pv", "pvh" or "hvm"), a node only dom0 may read.  The bootloader
 *     learns the domid from its --output file name (bootloader_setpaths()).
 *   - pvshim is not recorded anywhere before the bootloader runs: it is a
 *     build-time setting of a "pvh" domain (libxl__domain_build()).  So a
 *     pvshim guest reads "pvh"; --pvshim stays the only way to say it.
 *   - Nothing about the domain's other disks is visible: the saved
 *     configuration (userdata "libxl-json", libxl__set_domain_configuration())
 *     is written in domcreate_complete(), and the disks' backends by
 *     libxl__add_disks() in domcreate_rebuild_done(), both after the
 *     bootloader has exited.  Only disks[0] reaches it, as its last argument.
 *
 * The value is root's, but it is read as untrusted input all the same:
 * bounded, exactly one of the strings libxl writes, and held against the
 * hypervisor's own view of the domid (it must exist, not be dying, and be
 * an HVM container exactly when the type says PVH), so that a stale record
 * or an output name that is not libxl's cannot pass for this domain's.
 */

#include <stddef.h>
#include <stdint.h>

#include "record/hypervisor.h"

typedef enum DomainType {
        DOMAIN_TYPE_PV = 0,
        DOMAIN_TYPE_PVH,
        DOMAIN_TYPE_HVM,
        _DOMAIN_TYPE_MAX,
} DomainType;

/* The longest value looked at; the longest libxl writes is "invalid". */
#define DOMAIN_TYPE_VALUE_MAX 16

/* "pv", "pvh", "hvm" (libxl_domain_type_to_string()'s words). */
const char *domain_type_to_string(DomainType t);

/* A /libxl/<domid>/type value of len bytes, exactly as xenstore returned
 * it: "pv", "pvh" or "hvm" and nothing else (no NUL inside, no trailing
 * byte, at most DOMAIN_TYPE_VALUE_MAX).  0, or -EBADMSG. */
int domain_type_parse(const char *v, size_t len, DomainType *ret);

/*
 * The whole rule, pure, for the tests: value (len bytes; NULL when the
 * node does not exist) is what xenstore holds for domid, live/n_live what
 * hypervisor_domain() said of domid.  The type, or
 *   -ENOENT   nothing recorded: the domain was not made by libxl
 *   -EBADMSG  not a value libxl writes
 *   -ESRCH    the hypervisor has no such live domain (gone, dying, or
 *             another domid): the record is not this run's domain's
 *   -EPROTO   the hypervisor contradicts it (HVM container or not), or
 *             it says hvm, for which libxl runs no bootloader
 *             (libxl__bootloader_run())
 */
int domain_type_judge(uint32_t domid, const char *value, size_t len, const LiveDomain *live, size_t n_live,
                      DomainType *ret);

/* Read it for domid (1..0x7FEF): the rule above, or also -EINVAL (no such
 * domid), -ENXIO (no xenstore: not on Xen), or the -errno of a xenstore
 * read or of the hypervisor. */
int domain_type_read(uint32_t domid, DomainType *ret);
