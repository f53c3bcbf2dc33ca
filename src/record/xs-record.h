/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Decisions in xenstore, for the admin and the toolstack:
 *
 *   /local/domain/0/pvboot-select/<domid>/arch      "x86_64" | "i386" | ""
 *   /local/domain/0/pvboot-select/<domid>/outcome   ok, nothing-found, ...
 *   /local/domain/0/pvboot-select/<domid>/message   the console line
 *   /local/domain/0/pvboot-select/<domid>/uuid      the domain's handle
 *
 * Written by pvboot-select after each decision, warm or cold, in one
 * transaction that replaces whatever was there: it runs as root under
 * libxl, and xenstored lets only root in (any dom0 process that can open
 * its socket is all of dom0).  That is also why the daemon, which runs as
 * its own unprivileged user, never touches xenstore.  Guests cannot read
 * or forge the records: /local/domain/0 is dom0's.  Without xenstore (not
 * on Xen) nothing is recorded.
 *
 * uuid is the handle the hypervisor holds for the domain (lowercase
 * 8-4-4-4-12), which libxl sets from the guest's uuid when it creates the
 * domain (libxl__domain_make), before it runs the bootloader.  It is
 * left out when the hypervisor cannot be asked.
 *
 * The records are removed when their domain is gone: by
 * `pvboot-selectd --xenstore-janitor` (pvboot-select-xenstore.service,
 * root without any capability, no guest bytes), which watches
 * @releaseDomain, and by a sweep at every pvboot-select run.  Whether a
 * domain is gone is the hypervisor's word (its domain list, read through
 * libxenctrl), not xenstored's: libxl introduces a domain to xenstore
 * only after it is built (libxl__build_post), that is after its
 * bootloader has exited, so a domain whose bootloader runs, or has just
 * written its record, is not "introduced" yet while it very much exists.
 * A record is stale, and removed, when
 *   - no domain has its domid, or that domain is dying (xenstored fires
 *     @releaseDomain when it sees it dying, and a dying domain can stay
 *     in the list for a while with no further event), or
 *   - its uuid names another domain than the one with that domid now
 *     (the domid was reused), or is not a uuid at all: pvboot-select
 *     writes only well-formed ones, so such a value cannot vouch for the
 *     live domain (either case of hex digits is accepted).
 * A record without a uuid key (an older version's, or written when the
 * hypervisor could not be asked) is judged by its domid alone.  Names
 * that are not domids are never touched.  When the hypervisor's list
 * cannot be read (not on Xen, no permission on /dev/xen/privcmd) nothing
 * is removed: a record is never removed on a guess.  A removal is
 * re-checked inside a xenstore transaction against a fresh reading of the
 * hypervisor, so a record that a new domain with the same domid writes
 * meanwhile is not taken with the stale one.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record/hypervisor.h"
#include "selector/report.h"
#include "shared/macro.h"

#define XS_RECORD_BASE "/local/domain/0/pvboot-select"

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL. */
#define XS_RECORD_UUID_STRLEN 36

typedef struct XsRecord XsRecord;

/* Connect to xenstore (with watch, also watch @releaseDomain) and to the
 * hypervisor.  -ENOENT when there is no xenstore.  Not reaching the
 * hypervisor is not an error here: xs_record_sweep() says so. */
int xs_record_open(bool watch, XsRecord **ret);
XsRecord *xs_record_free(XsRecord *x);
DEFINE_TRIVIAL_CLEANUP_FUNC(XsRecord *, xs_record_free);

/* Remove the stale records (above).  Returns how many were removed, or
 * -errno when the hypervisor's domain list could not be read, in which
 * case nothing was removed. */
int xs_record_sweep(XsRecord *x);

/* The descriptor to watch; call xs_record_dispatch() when it is readable. */
int xs_record_fd(XsRecord *x);
/* Consume watch events, then sweep: xs_record_sweep()'s result. */
int xs_record_dispatch(XsRecord *x);

int xs_record_write(XsRecord *x, uint32_t domid, const InspectReport *r);

/* Connect, sweep, write domid's record, disconnect: what one
 * pvboot-select run does.  0 also without xenstore (not on Xen) and for
 * domid 0 (unknown: nothing to record).  The sweep's result goes to
 * *ret_swept if given (0 when there was nothing to sweep). */
int xs_record_decision(uint32_t domid, const InspectReport *r, int *ret_swept);

/* The value written for key ("arch", "outcome", "message"), for tests. */
const char *xs_record_value(const InspectReport *r, const char *key);
/* Parse a record directory name as a domid: 0 or -EINVAL. */
int xs_record_parse_domid(const char *name, uint32_t *ret);

/* A handle as lowercase 8-4-4-4-12; ret holds XS_RECORD_UUID_STRLEN + 1. */
void xs_record_format_uuid(const uint8_t handle[DOMAIN_HANDLE_SIZE], char *ret);
/* Exactly 8-4-4-4-12 hex digits, either case: 0 or -EINVAL. */
int xs_record_parse_uuid(const char *s, uint8_t ret[DOMAIN_HANDLE_SIZE]);

/* Whether the record named name, whose uuid key reads uuid (NULL: no such
 * key), is stale against the live list (any order).  Pure: the sweep's
 * whole rule, for the tests. */
bool xs_record_stale(const char *name, const char *uuid, const LiveDomain *live, size_t n_live);
