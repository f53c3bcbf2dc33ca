/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Decisions in xenstore, for the admin and the toolstack:
 *
 *   /local/domain/0/pvboot-select/<domid>/arch      "x86_64" | "i386" | ""
 *   /local/domain/0/pvboot-select/<domid>/outcome   ok, nothing-found, ...
 *   /local/domain/0/pvboot-select/<domid>/message   the console line
 *
 * Written by pvboot-select after each decision, warm or cold: it runs as
 * root under libxl, and xenstored lets only root in (any dom0 process
 * that can open its socket is all of dom0).  That is also why the
 * daemon, which runs as its own unprivileged user, never touches
 * xenstore.  The records are removed when the domain is released: by
 * `pvboot-selectd --xenstore-janitor` (pvboot-select-xenstore.service,
 * root without any capability, no guest bytes), which watches
 * @releaseDomain, and by a sweep at every pvboot-select run.  Guests
 * cannot read or forge them: /local/domain/0 is dom0's.  Without
 * xenstore (not on Xen) nothing is recorded.
 */

#include <stdbool.h>
#include <stdint.h>

#include "selector/report.h"
#include "shared/macro.h"

#define XS_RECORD_BASE "/local/domain/0/pvboot-select"

typedef struct XsRecord XsRecord;

/* Connect and sweep the records of domains that are gone; with watch,
 * also watch @releaseDomain.  -ENOENT when there is no xenstore. */
int xs_record_open(bool watch, XsRecord **ret);
XsRecord *xs_record_free(XsRecord *x);
DEFINE_TRIVIAL_CLEANUP_FUNC(XsRecord *, xs_record_free);

/* The descriptor to watch; call xs_record_dispatch() when it is readable. */
int xs_record_fd(XsRecord *x);
/* Consume watch events; on @releaseDomain, remove the records of every
 * domain that no longer exists.  Returns how many were removed. */
int xs_record_dispatch(XsRecord *x);

int xs_record_write(XsRecord *x, uint32_t domid, const InspectReport *r);

/* Connect (sweeping, as above), write domid's record, disconnect: what
 * one pvboot-select run does.  0 also without xenstore (not on Xen) and
 * for domid 0 (unknown: nothing to record). */
int xs_record_decision(uint32_t domid, const InspectReport *r);

/* The value written for key ("arch", "outcome", "message"), for tests. */
const char *xs_record_value(const InspectReport *r, const char *key);
/* Parse a record directory name as a domid: 0 or -EINVAL. */
int xs_record_parse_domid(const char *name, uint32_t *ret);
