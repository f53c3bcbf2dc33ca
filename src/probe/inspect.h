/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One inspection of one disk: launch the appliance, visit every candidate
 * filesystem once, resolve the four spec paths there, and judge what is
 * found with the selector's ELF reader.  The decision itself is the
 * selector's (decide.h); this file only gathers the evidence.
 */

#include "decide.h"
#include "probe.h"
#include "report.h"

typedef struct Inspection {
        Candidate candidates[PVBOOT_N_PATHS * PROBE_MAX_FILESYSTEMS];
        size_t n_candidates;
        unsigned n_filesystems;
        char error[512];        /* printable ASCII, when inspect_disk fails */
} Inspection;

/* 0: the disk was inspected (possibly finding nothing); -errno: the
 * appliance could not be used, ret->error says why. */
int inspect_disk(const ProbeConfig *cfg, Inspection *ret);

/* Run the decision over an inspection and fill a report for the parent. */
void inspect_report(const Inspection *in, int status, PvArch force_arch, InspectReport *ret);
