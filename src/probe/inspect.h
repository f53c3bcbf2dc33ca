/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One inspection of one disk: in a launched, bound appliance, visit every
 * candidate filesystem once, look up every path the stage 1s' search
 * lists name there (the policy's, search-list.h), and judge the pvboot
 * ELFs found with the selector's ELF reader.  The decision itself is the
 * selector's (decide.h); this file only gathers the evidence.
 */

#include "selector/decide.h"
#include "probe/probe.h"
#include "selector/report.h"

#define INSPECT_MAX_KERNELS 32
/* Files found at chainload entries: the spec's four paths on every
 * filesystem fit; a longer list on many filesystems fails the inspection
 * rather than decide on part of what the stage 1 would see. */
#define INSPECT_MAX_CANDIDATES (4 * PROBE_MAX_FILESYSTEMS)
#define INSPECT_MAX_CONFIGS (_STAGE1_KIND_MAX * SEARCH_MAX_ENTRIES)

typedef struct Inspection {
        Candidate candidates[INSPECT_MAX_CANDIDATES];
        size_t n_candidates;
        ConfigHit configs[INSPECT_MAX_CONFIGS];         /* the first filesystem with each config entry */
        size_t n_configs;
        KernelEvidence kernels[INSPECT_MAX_KERNELS];
        size_t n_kernels;
        unsigned n_filesystems;
        bool too_many;          /* more candidates than INSPECT_MAX_CANDIDATES */
        char hidden[DECISION_HIDDEN_MAX];       /* a file the stage 1 will not see, and why (decide.h) */
        char extlinux[FS_NAME_MAX + 40];        /* fs:path of an extlinux/syslinux config, "" if none */
        char bls[FS_NAME_MAX + 40];             /* fs:dir of BLS entries, "" if none */
        char unread[DECISION_HIDDEN_MAX];       /* devices not read, and why (decide.h) */
        char error[512];        /* printable ASCII, when inspect_disk fails */
        uint64_t stage_us[_STAGE_MAX];  /* where the time went (report.h) */
} Inspection;

/* Inspect the disk bound to a launched probe (probe.h) for the search
 * lists of policy.  0: the disk was inspected (possibly finding
 * nothing); -errno: the appliance could not be used, or more was found
 * than is kept, ret->error says why. */
int inspect_disk(Probe *p, const Policy *policy, Inspection *ret);

/* Run the decision over an inspection and fill a report for the parent.
 * policy carries mode, force_arch, prefer, host and the search lists. */
void inspect_report(const Inspection *in, int status, const Policy *policy, InspectReport *ret);
