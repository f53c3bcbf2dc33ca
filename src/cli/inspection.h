/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One inspection of the guest disk, however it is obtained: through
 * pvboot-selectd when one answers (a warm clone), else here, in a worker
 * of our own (the cold path).  Both run the same probe and the same rule;
 * the answer is checked the same way (accept.h) whoever gave it.
 */

#include <stdbool.h>
#include <stdint.h>

#include "cli/args.h"
#include "selector/report.h"

/* Below this, a cold appliance is not worth starting after a daemon
 * failed us late: its failure is the answer instead. */
#define COLD_MIN_SECONDS 30

typedef struct Inspected {
        InspectReport rep;      /* validated, status 0 */
        bool via_daemon;
        uint64_t usec;          /* the inspection call, daemon or worker */
} Inspected;

/*
 * Inspect the guest's disks (the one libxl gave, then --disk's, in the
 * domain's order; at most PROBE_MAX_DISKS): through pvboot-selectd when
 * it may answer and there is one disk, else in a clone of our own.
 * 0 with a report that ran (its outcome may still be "nothing to boot");
 * -errno with the console line in err; -ECANCELED when a signal stopped
 * it (stop.h: the daemon's request cancelled, the cold worker killed).
 */
int inspection_run(const Options *o, const int *disk_fds, size_t n_disks, Inspected *ret, char *err, size_t errsz);

/* May the daemon answer this request?  Not with --no-daemon, not in
 * restrict mode (libxl names the uid that must inspect; the daemon's
 * clones run as uids of their own), not for the e2e seam. */
bool inspection_may_use_daemon(const Options *o);

/* The cold path's deadline after spent_usec went to the daemon: what is
 * left of timeout, rounding the time spent up. */
unsigned inspection_cold_deadline(unsigned timeout, uint64_t spent_usec);

/*
 * The inspection inside libxl's timeout (args.h: LibxlTimeout).  libxl
 * starts its clock just before it forks us and SIGKILLs us when it runs
 * out, wherever we are: the inspection's deadline (the cold worker's, the
 * daemon request's Timeout) is set so that what must still happen after
 * it fits before that.  In seconds:
 */
#define MARGIN_START 1  /* libxl's fork and our exec, before main() can measure anything */
#define MARGIN_KILL 2   /* a cold worker past its deadline killed with its qemu and reaped (worker_run()) */
#define MARGIN_WRITE 3  /* the answer held to the policy, recorded in xenstore, the stage 1 copied and
                         * the records written (output_deliver()), the journal entry */
/* ... plus CLIENT_REPLY_GRACE_SEC (client.h) when pvboot-selectd may
 * answer: the client waits that long past the deadline for its answer. */

/* The seconds kept for all that, for this run. */
unsigned inspection_margin(const Options *o);

/*
 * Lower o->policy.timeout_sec, spent_usec after main() started, so that
 * the inspection and the margin fit in what libxl leaves us.  0, with one
 * line for the log in note (or ""): libxl's limit, or what libxl makes of
 * an odd LIBXL_BOOTLOADER_TIMEOUT.  -ETIME when less than TIMEOUT_MIN
 * would be left for the inspection: not started, the line in err.
 */
int inspection_fit_libxl(Options *o, const LibxlTimeout *t, uint64_t spent_usec, char *note, size_t notesz,
                         char *err, size_t errsz);

/* What is left before libxl kills us, spent_usec after main() started
 * (MARGIN_START counted); INT64_MAX when it never will. */
int64_t inspection_libxl_left_usec(const LibxlTimeout *t, uint64_t spent_usec);