/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One inspection of one disk: in a launched, bound appliance, visit every candidate
 * filesystem once, resolve the four spec paths there, and judge what is
 * found with the selector's ELF reader.  The decision itself is the
 * selector's (decide.h); this file only gathers the evidence.
 */

#include "selector/decide.h"
#include "probe/probe.h"
#include "selector/report.h"

#define INSPECT_MAX_KERNELS 32

typedef struct Inspection {
        Candidate candidates[PVBOOT_N_PATHS * PROBE_MAX_FILESYSTEMS];
        size_t n_candidates;
        KernelEvidence kernels[INSPECT_MAX_KERNELS];
        size_t n_kernels;
        unsigned n_filesystems;
        bool grub_cfg;
        unsigned grub_cfg_rank;
        char grub_cfg_where[FS_NAME_MAX + 32];
        char hidden[DECISION_HIDDEN_MAX];       /* a file the stage 1 will not see, and why (decide.h) */
        char extlinux[FS_NAME_MAX + 40];        /* fs:path of an extlinux/syslinux config, "" if none */
        char bls[FS_NAME_MAX + 40];             /* fs:dir of BLS entries, "" if none */
        char error[512];        /* printable ASCII, when inspect_disk fails */
        uint64_t stage_us[_STAGE_MAX];  /* where the time went (report.h) */
} Inspection;

/* Inspect the disk bound to a launched probe (probe.h).  0: the disk was
 * inspected (possibly finding nothing); -errno: the appliance could not
 * be used, ret->error says why. */
int inspect_disk(Probe *p, Inspection *ret);

/* Run the decision over an inspection and fill a report for the parent.
 * policy carries mode, force_arch, prefer and host; its evidence fields
 * are ignored. */
void inspect_report(const Inspection *in, int status, const Policy *policy, InspectReport *ret);
