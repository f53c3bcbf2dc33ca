/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The inspection child: one appliance, one guest disk, then gone.
 *
 * A privileged parent (pvboot-select's cold path, or pvboot-selectd for its
 * pool) forks a worker, which sandboxes itself, drops to the configured
 * uid before it touches guest bytes, and talks to its parent over one
 * SOCK_SEQPACKET socket:
 *
 *   worker -> parent   READY                      (pooled: appliance is up)
 *   parent -> worker   WorkerRequest + disk fd    (SCM_RIGHTS, exactly once)
 *   worker -> parent   REPORT (one InspectReport), then the worker exits
 *
 * A cold worker waits for its request and binds the disk before it
 * restores its clone; a pooled worker restores its clone, says READY, and
 * binds when the request comes (the two timings of probe.h).  Everything
 * after the bind is the same code.  Nothing of one worker (qemu, its
 * directory) outlives worker_free(), and a worker never serves a second
 * disk: a guest that compromised its appliance sees no other guest.
 *
 * The parent treats everything the worker says as hostile: messages have
 * exact sizes and reports are re-validated (report.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pvboot-select.h"
#include "selector/decide.h"
#include "probe/clone-uid.h"
#include "selector/report.h"
#include "probe/template.h"
#include "shared/macro.h"

typedef struct WorkerConfig {
        const char *format;     /* cold only; pooled workers serve raw */
        const Template *template;       /* opened by the parent (template_ensure) */
        bool runas_set;         /* drop to runas/runas_gid before touching guest bytes */
        uid_t runas;
        gid_t runas_gid;
        /* Without runas_set: a uid of the worker's own from this range,
         * reserved for its lifetime (clone-uid.h); count 0: none. */
        CloneUidRange uids;
        bool pooled;            /* restore the clone first, attach late */
        unsigned tcg_cache_mb;  /* TCG translation cache, 0: qemu's default (1 GiB) */
        bool debug;
} WorkerConfig;

typedef struct Worker Worker;

enum {
        WORKER_READY = 1,
        WORKER_REPORT = 2,
};

/* Fork a worker.  Its socket is worker_fd(); nothing is sent yet.
 * -EBUSY: every uid of cfg->uids is taken by a live clone. */
int worker_spawn(const WorkerConfig *cfg, Worker **ret);

int worker_fd(const Worker *w);
pid_t worker_pid(const Worker *w);

/* Send the request: the disks (borrowed, the domain's order, at most
 * PROBE_MAX_DISKS), the admin's policy (mode, force_arch, prefer, host,
 * search lists; the format is the WorkerConfig's) and the deadline
 * (now_usec()) at which the caller gives up: the worker ends every step
 * of its clone a little before it, so that it reports what timed out
 * instead of being killed silent.  Once per worker. */
int worker_send(Worker *w, const int *disk_fds, size_t n_disks, const Policy *policy, uint64_t deadline);

/* Read one message, non-blocking: WORKER_READY, WORKER_REPORT (*ret
 * filled and validated), -EAGAIN (nothing yet), -EPIPE (the worker is
 * gone without a report), -EBADMSG (it said something malformed) or
 * -EPERM (a decision from another uid than the one it was given). */
int worker_receive(Worker *w, InspectReport *ret);

/*
 * The end of a worker, in two halves for an event loop that must never
 * wait (pvboot-selectd):
 *  worker_kill()   closes our socket and sends its process group SIGKILL;
 *  worker_reap()   reaps what has died, without waiting: 1 when nothing
 *                  of it is left, 0 while some of it lives (call it
 *                  again on SIGCHLD), -EINVAL before worker_kill().
 * A process in uninterruptible sleep (a read from a hung NFS or iSCSI
 * disk) dies only when its I/O ends: until then its worker holds its
 * directory and its clone uid, so no other clone gets them.
 */
void worker_kill(Worker *w);
int worker_reap(Worker *w);

/* Kill, reap, remove its directory, free its uid.  Returns at once after
 * worker_reap() said 1; otherwise it waits, the cold path's way: for the
 * worker itself, then up to 2 s for the rest of its group.  Whatever is
 * still stuck then is left to die with its I/O. */
Worker *worker_free(Worker *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(Worker *, worker_free);

/* The same without any wait, for a daemon on its way out. */
Worker *worker_abandon(Worker *w);

/*
 * The cold path in one call: spawn, send, wait for the report until the
 * deadline.  0 with a validated report; -ETIMEDOUT, -EBADMSG (malformed
 * report, crashed worker), -ECANCELED (worker_kill_current() was called,
 * before or during the run) or another -errno.
 */
int worker_run(const WorkerConfig *cfg, const int *disk_fds, size_t n_disks, const Policy *policy,
               unsigned deadline_sec, InspectReport *ret);

/* Forward a termination signal to worker_run's worker (async-signal-safe):
 * kill its process group now, and from then on every worker_run() ends
 * with -ECANCELED (a signal that came before the worker existed stops it
 * too). */
void worker_kill_current(void);

/* Our helpers (the agent, the template's qemu wrapper): beside the running
 * binary in a build tree, else installed.  Two results may be held at once. */
const char *worker_helper_path(const char *name);

/* The template configuration both paths use: cachedir (NULL: the default,
 * PVBOOT_APPLIANCE_CACHE), our agent and wrapper, the appliance's memory
 * (0: PVBOOT_APPLIANCE_MEMSIZE_MB). */
void worker_template_config(const char *cachedir, int memsize_mb, bool debug, TemplateConfig *ret);

/* Our unprivileged system user (systemd/pvboot-select.sysusers), when it
 * is installed: 0 and its uid and gid, else -ENOENT. */
int worker_default_user(uid_t *ret_uid, gid_t *ret_gid);

/*
 * A worker's configuration, built one way for both paths (pvboot-select's
 * cold path, pvboot-selectd's pool) from what each knows.  The clone
 * starts from template with its own TCG cache; the format is the cold
 * path's (a pooled worker serves raw whatever this says).  Who runs it,
 * by one rule:
 *  - libxl's restrict mode (--runas): that uid, gid the same number;
 *  - else a uid of each clone's own from uids, when this process may
 *    change uids (root, or CAP_SETUID and CAP_SETGID): the clone's only
 *    identity, reserved for its lifetime (clone-uid.h).  uids_required:
 *    not being able to is an error (-EPERM with why), not a fallback;
 *  - else, as root: our system user, or root itself when that user is
 *    not installed (the caller says so: the disk is read as root);
 *  - else: this process's own uid.
 * The outcome (>= 0) says who; -errno with why on a bad range.
 */
typedef struct WorkerSetup {
        const Template *template;
        const char *format;
        unsigned tcg_cache_mb;
        bool debug;
        bool runas_set;
        uid_t runas;
        CloneUidRange uids;             /* count 0: none */
        bool uids_required;
} WorkerSetup;

enum {
        WORKER_USER_RUNAS,
        WORKER_USER_CLONE_UIDS,
        WORKER_USER_SYSTEM,
        WORKER_USER_ROOT,
        WORKER_USER_SELF,
};

int worker_config_new(const WorkerSetup *setup, WorkerConfig *ret, char *why, size_t whysz);
