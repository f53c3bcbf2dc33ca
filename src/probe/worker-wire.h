/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a worker and its parent say to each other over their
 * SOCK_SEQPACKET socket (worker.h), private to the two halves:
 * worker.c (the parent's side) and worker-child.c (the worker).
 * Every message has one exact size; anything else is malformed.
 */

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe/worker.h"
#include "selector/host-caps.h"
#include "selector/report.h"

#define WORKER_MAGIC UINT32_C(0x4b525750)       /* "PWRK" */

/* parent -> worker, with the disk descriptor */
typedef struct WorkerRequest {
        uint32_t magic;
        uint32_t mode;
        uint32_t force_arch;
        uint32_t prefer;
        uint32_t host_known;
        uint32_t host_source;           /* index into host_sources[] */
        uint32_t n_disks;               /* the descriptors this message carries */
        uint64_t deadline;              /* now_usec() at which the parent gives up */
        char host_caps[HOST_CAPS_MAX];  /* NUL-terminated */
        SearchList search[_STAGE1_KIND_MAX];    /* checked by policy_set_search() */
} WorkerRequest;

/* worker -> parent */
typedef struct WorkerMessage {
        uint32_t magic;
        uint32_t kind;
        InspectReport report;           /* WORKER_REPORT only */
} WorkerMessage;

#define READY_LEN offsetof(WorkerMessage, report)

/* HostCaps.source is a pointer; across the socket it is an index. */
static const char *const host_sources[] = { "libxenlight", "sysfs", "--host-caps", "caller" };
#define N_HOST_SOURCES (sizeof(host_sources) / sizeof(host_sources[0]))

/* The worker: never returns.  sock is its end of the socket, parent the
 * pid that must stay its parent (PDEATHSIG is checked against it). */
_Noreturn void worker_child_main(const WorkerConfig *cfg, const char *workdir, int sock, pid_t parent);
