/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * One appliance clone: the template restored into a fresh qemu, for one
 * guest disk, then killed.
 *
 * clone_start() runs qemu (as the calling uid) with the template's command
 * line, except: RAM is the template's sealed memfd mapped copy-on-write
 * (share=off), the root disk a throw-away snapshot in $TMPDIR, a new
 * vmgenid (the kernel reseeds its RNG), the agent's port and the QMP
 * monitor on socketpairs we hold, qemu's seccomp sandbox, and -incoming
 * defer; then it restores the migration stream and says HELLO to the agent.
 * clone_attach() hot-plugs the guest disk read-only from a descriptor
 * (QMP add-fd: qemu never opens a path to it) at SCSI target 1 and asks
 * the agent for its filesystems.  Every answer is bounded in size, and in
 * time by one deadline for all the clone's steps (the inspection's, not a
 * budget per step); a clone that answers wrongly or late is dead from
 * then on.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pvboot-agent.h"
#include "probe/template.h"
#include "shared/macro.h"

typedef struct CloneConfig {
        const Template *template;
        unsigned tcg_cache_mb;          /* 0: qemu's default */
        /* now_usec() by which every step and agent call ends: the
         * inspection's deadline (or, for a clone restored ahead, the time
         * one inspection may take); clone_set_deadline() moves it. */
        uint64_t deadline;
        bool debug;                     /* qemu's and the appliance's output to stderr */
} CloneConfig;

typedef struct Clone Clone;

/* 0, or -errno with clone_last_error() saying why (*ret is set either
 * way, so that the error can be read; free it). */
int clone_start(const CloneConfig *cfg, Clone **ret);

/* May an agent's device be reached through these AGENT_VIA_* layers?
 * Known bits only; an md level only with an md metadata version. */
bool clone_via_valid(uint32_t via);

/* Hot-plug the disk (borrowed) in the given format ("raw"; "qcow2" opens
 * no backing file) and list its filesystems: *ret_n records in ret[]. */
int clone_attach(Clone *c, const int *disk_fds, size_t n_disks, const char *format, AgentDevice *ret, size_t max,
                 size_t *ret_n);

/* One agent call: the reply's payload into buf (at most bufsz bytes, the
 * reply must fit), its length in *ret_len.  Returns the agent's status
 * (0 or -errno) or -EIO/-ETIMEDOUT/-EBADMSG when the clone failed (and
 * is dead from then on). */
int clone_call(Clone *c, AgentOp op, uint32_t arg, uint64_t offset, const char *payload,
               void *buf, size_t bufsz, size_t *ret_len);

/* From now on every step ends by usec (a pooled clone, once it is
 * given its request: the request's deadline). */
void clone_set_deadline(Clone *c, uint64_t usec);

bool clone_alive(Clone *c);
pid_t clone_pid(const Clone *c);
const char *clone_last_error(const Clone *c);

/* Build qemu's argv for a clone from the template's (exposed for tests).
 * fds: the RAM memfd, the agent's and QMP's socket ends as qemu will
 * see them.  A NULL-terminated malloc'd vector, or NULL. */
char **clone_argv(const Template *t, const CloneConfig *cfg, int ram_fd, int agent_fd, int qmp_fd);
void clone_argv_free(char **argv);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, clone_argv_free);

Clone *clone_free(Clone *c);
