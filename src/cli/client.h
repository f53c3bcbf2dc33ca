/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pvboot-select's side of the daemon: one Inspect() call.
 *
 * The disk is opened by pvboot-select (root, from libxl) and passed as a
 * descriptor; the daemon never opens a guest path.  The answer is
 * rebuilt into an InspectReport and validated like a worker's.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "record/bus-report.h"
#include "selector/decide.h"

typedef struct ClientRequest {
        DecisionMode mode;
        PvArch force_arch;      /* PV_ARCH_NONE: decide */
        PvArch prefer;          /* PV_ARCH_NONE: the default */
        const char *host_caps;  /* the caller's --host-caps, or NULL: the daemon's */
        const char *format;
        unsigned timeout_sec;
        uint32_t domid;         /* 0: unknown */
        const char *disk;       /* our name for the disk, for the daemon's log; NULL: none */
        bool debug;
} ClientRequest;

/*
 * 0: the daemon answered, *ret is a validated report (status 0).
 * -EHOSTUNREACH: no daemon to answer (no bus, no owner, refused, busy,
 *   stopping): take the cold path; err says why, for the log.
 * Other -errno: the daemon inspected and failed, or answered garbage;
 *   err is the reason, for the console.
 */
int client_inspect(int disk_fd, const ClientRequest *req, InspectReport *ret, BusDetails *ret_details,
                   char *err, size_t errlen);

/*
 * `pvboot-select status`: the daemon's pool, queue, cache and counters
 * (its Manager properties), as text or JSON on out.  0; -EHOSTUNREACH
 * when no daemon answers (err says why); other -errno.
 */
int client_status(FILE *out, bool json, char *err, size_t errlen);

/* libxl names its output file /var/lib/xen/bootloader.<domid>.out: the
 * domain id when path has that shape, else 0. */
uint32_t client_domid_from_output(const char *path);
