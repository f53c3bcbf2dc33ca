/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the inspection child tells the privileged parent.
 *
 * The child has touched guest bytes and may run as libxl's restrict uid,
 * so the parent treats its report like a request from an unprivileged
 * peer: a fixed-size record, every field range-checked, every string
 * required to be NUL-terminated printable ASCII.  The parent never takes a
 * path from it: it gets a width and an index into the search list it
 * gave the worker for that width's stage 1 (which it checks against that
 * list, accept.h), and picks the host stage 1 itself.
 */

#include <stdint.h>

#include "selector/decide.h"

#define REPORT_MAGIC   UINT32_C(0x53425650)     /* "PVBS" */
#define REPORT_VERSION 4
#define REPORT_MAX_EVIDENCE 28
#define REPORT_LINE 256

/*
 * Where one decision's time went, measured in the worker: the appliance's
 * start (only when it was started for this decision: the cold path), the
 * NBD bind, the partition/LVM rescan, the search (mounts, path lookups,
 * globs), the file reads, and the validation (ELF/kernel parsing and the
 * decision).  The client adds the reply and its own copy.
 */
typedef enum ReportStage {
        STAGE_LAUNCH,
        STAGE_BIND,
        STAGE_RESCAN,
        STAGE_SEARCH,
        STAGE_READ,
        STAGE_VALIDATE,
        _STAGE_MAX,
} ReportStage;

const char *report_stage_to_string(ReportStage s);

typedef struct InspectReport {
        uint32_t magic;
        uint32_t version;
        int32_t status;         /* 0: inspection ran, see outcome; < 0: -errno, see message */
        uint32_t outcome;       /* DecisionOutcome */
        uint32_t arch;          /* PvArch, when outcome == DECISION_OK */
        uint32_t source;        /* DecisionSource, when outcome == DECISION_OK */
        uint32_t path_index;    /* entry of the width's search list, when source == SOURCE_PVBOOT */
        char fs[FS_NAME_MAX];   /* escaped device name, for the message */
        char message[512];      /* the console line, printable ASCII */
        uint32_t worker_uid;    /* getuid() in the worker, after any --runas switch */
        uint32_t stage_us[_STAGE_MAX];  /* microseconds; informational only */
        uint32_t n_evidence;
        char evidence[REPORT_MAX_EVIDENCE][REPORT_LINE];
} InspectReport;

/* 0 if r is well-formed and self-consistent, -EBADMSG otherwise.  (That
 * path_index names a chainload entry of the list is the receiver's check:
 * policy_chainload_path().) */
int report_validate(const InspectReport *r);
