/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The inspection child.
 *
 * The privileged parent opens the disk (and, before that, the output file
 * and directory) and then forks this worker, which drops to the --runas
 * uid when libxl gives one, runs the inspection, and sends back one
 * InspectReport over a pipe.  Everything that touches guest bytes (nbdkit,
 * qemu, the appliance, the ELF reader) runs in the worker or below it.
 * The parent re-validates the report before acting on it.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "pvboot-select.h"
#include "decide.h"
#include "report.h"

typedef struct WorkerConfig {
        int disk_fd;
        const char *format;
        const char *nbdkit;
        const char *plugin;
        bool runas_set;         /* drop to runas/runas_gid before touching guest bytes */
        uid_t runas;
        gid_t runas_gid;
        DecisionInput policy;   /* mode, force_arch, prefer, host */
        bool debug;
        unsigned deadline_sec;  /* the worker is killed after this long */
        int record_fd, replay_fd;       /* e2e builds only; -1 otherwise */
} WorkerConfig;

/*
 * Fork, inspect, collect.  0 with a validated report in *ret; -ETIMEDOUT,
 * -EBADMSG (malformed report, crashed worker) or another -errno.
 * The worker's private directory is removed in every case.
 */
int worker_run(const WorkerConfig *cfg, InspectReport *ret);

/* Forward a termination signal to the running worker (async-signal-safe). */
void worker_kill_current(void);
