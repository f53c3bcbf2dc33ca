/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the privileged parent checks of an answer before it writes
 * anything.  The report is validated already (report.h, bus-report.h),
 * and came from the uid its worker was given (worker_receive(), for the
 * cold path and the daemon's pool alike); here it is held to what the
 * admin asked, and the width it names to what the hypervisor runs.
 * Then, and only then, it names the host's own stage 1 to copy.
 */

#include <stddef.h>

#include "cli/args.h"
#include "selector/report.h"

/* The host stage 1 for a positive report, after holding it to the
 * admin's policy again (--force-arch; --pvh answers with the PVH stage
 * 1's grub.cfg reading) and re-checking the width against the hypervisor
 * (the worker ran the rule; this part is cheap), and the file it names to
 * the search list of that width (policy_chainload_path).  NULL with err set if
 * the answer breaks the policy or the host cannot run it.  (--prefer is a
 * tie-break between widths the worker alone saw evidence for: the report
 * carries the rule it used, in its evidence, not the inputs to re-run it.) */
const char *accept_stage1(const Options *o, const InspectReport *rep, char *err, size_t errsz);

/* Which bytes of that stage 1 the decision was made for
 * (policy_read_search): the copy handed to libxl must be those. */
const Stage1Digest *accept_stage1_digest(const Options *o, const InspectReport *rep);
