/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Inside the probe: how probe.c reaches the guest.
 *
 * probe.c keeps what is the same whoever answers: the call order (bind
 * once, one mount at a time), the read budgets, the shape and size checks
 * on every answer, the stage times of the reads.  The questions
 * themselves go through a ProbeBackend:
 *
 *   probe_live     the clone and its agent (probe.c);
 *   record/replay  the e2e seam (transcript.h, probe-replay.c): replay
 *                  answers from a transcript instead of the appliance,
 *                  record asks probe_live and appends each answer to one.
 *
 * Which backend a ProbeConfig gets is decided in one place,
 * probe_backend_select(), by whichever seam file is linked:
 * probe-replay.c in -De2e_replay=true builds, probe-replay-none.c (which
 * refuses a record or replay descriptor with -EOPNOTSUPP) in every other.
 * A backend's answer goes through exactly the same checks as a live one.
 *
 * Private to src/probe/probe*.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/clone.h"
#include "probe/probe.h"
#include "probe/transcript.h"

typedef struct ProbeBackend {
        /* Take the disks (borrowed); p->bound is already set. */
        int (*bind)(Probe *p, const int *disk_fds, size_t n_disks);
        int (*launch)(Probe *p);
        bool (*alive)(Probe *p);
        /* Fill p->devices and p->n_devices, in the agent's order. */
        int (*list_filesystems)(Probe *p);
        /* The device as given; p->mounted is kept by probe.c. */
        int (*mount)(Probe *p, const char *device);
        int (*umount)(Probe *p);
        int (*glob)(Probe *p, const char *pattern, char ***ret);
        int (*lstat)(Probe *p, const char *path, GuestStat *ret);
        int (*readlink)(Probe *p, const char *path, char **ret);
        /* One chunk of at most AGENT_MAX_READ bytes: 0 with a malloc'd
         * copy of what came back (its length unchecked), or -errno. */
        int (*pread)(Probe *p, const char *path, uint64_t offset, size_t want, char **ret_data, size_t *ret_len);
        /* Release what the backend added to p (NULL: nothing). */
        void (*done)(Probe *p);
} ProbeBackend;

struct Probe {
        ProbeConfig cfg;
        const ProbeBackend *backend;
        bool bound;
        bool mounted;
        char error[512];
        uint64_t read_total;
        uint64_t stage_us[_STAGE_MAX];  /* launch, bind, rescan, read (see report.h) */

        /* probe_live's */
        Clone *clone;
        int disk_fds[PROBE_MAX_DISKS];  /* ours until the clone has them */
        size_t n_disks;
        int attach_r;           /* 1: not yet attached */
        AgentDevice devices[PROBE_MAX_FILESYSTEMS];
        size_t n_devices;

        /* the e2e seam's (probe-replay.c); NULL where it is not built */
        Transcript *tx;
        bool replay_broken;     /* a call did not match the transcript */
};

extern const ProbeBackend probe_live;

/* The backend cfg asks for: probe_live, or the seam's when cfg carries a
 * record or replay descriptor; -EOPNOTSUPP when it does and the seam is
 * not built into this binary. */
int probe_backend_select(const ProbeConfig *cfg, const ProbeBackend **ret);
