/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2e seam (transcript.h), built only with -De2e_replay=true: two
 * backends for probe.c (probe-internal.h).
 *
 *   replay  every question is answered from the transcript instead of the
 *           appliance;
 *   record  every question goes to probe_live, and its answer is appended
 *           to the transcript.
 *
 * A replayed answer goes through exactly the same checks in probe.c and
 * its callers as a live one.  The transcript is tied to the disk's bytes,
 * so it is opened at bind, where the disk first appears, before the
 * launch it records.  (Before that, record records nothing and replay
 * answers nothing.)
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/clone.h"
#include "probe/probe-internal.h"

#define RECORD(p, call, ...)                                                     \
        do {                                                                     \
                if ((p)->tx) {                                                   \
                        const TxField _f[] = { __VA_ARGS__ };                    \
                        (void) transcript_put((p)->tx, call, _f, sizeof(_f) / sizeof(_f[0])); \
                }                                                                \
        } while (0)

static int transcript_error(Probe *p, int r) {
        snprintf(p->error, sizeof(p->error), "%s",
                 r == -ESTALE ? "replay: the transcript was recorded from another disk (size or SHA-256 differ)"
                 : r == -EBADMSG || r == -EFBIG ? "replay: not a valid transcript"
                 : strerror(-r));
        return r;
}

static void seam_done(Probe *p) {
        p->tx = transcript_free(p->tx);
}

/*
 * replay
 */

static int replay_rc(Probe *p, const char *call, const TxField *args, size_t n) {
        int64_t rc;
        if (transcript_next(p->tx, call, args, n) < 0 || transcript_result_int(p->tx, 0, &rc) < 0 ||
            rc > 0 || rc < -4095) {
                snprintf(p->error, sizeof(p->error), "replay: the transcript does not match this inspection");
                p->replay_broken = true;
                return -EBADMSG;
        }
        return (int) rc;
}

/* The transcript is tied to the first disk's bytes, and says how many
 * there were. */
static int replay_bind(Probe *p, const int *disk_fds, size_t n_disks) {
        int r = transcript_replay(p->cfg.replay_fd, disk_fds[0], &p->tx);
        if (r < 0)
                return transcript_error(p, r);
        const TxField a[] = { TX_INT((int64_t) n_disks) };
        r = replay_rc(p, "disks", a, 1);
        return r < 0 ? r : 0;
}


/* A recorded list: rc, count, then that many strings, as a NULL-terminated array. */
static int replay_strv(Probe *p, const char *call, const TxField *args, size_t nargs, size_t max, char ***ret) {
        _cleanup_(probe_strv_freep) char **v = NULL;
        int64_t n;
        int r = replay_rc(p, call, args, nargs);

        if (r < 0)
                return r;
        if (transcript_result_int(p->tx, 1, &n) < 0 || n < 0 || (size_t) n > max ||
            transcript_n_results(p->tx) != (size_t) n + 2)
                return -EBADMSG;
        v = calloc((size_t) n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (int64_t i = 0; i < n; i++) {
                size_t len;
                if (transcript_result_bytes(p->tx, (size_t) i + 2, &v[i], &len) < 0 || strlen(v[i]) != len)
                        return -EBADMSG;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int replay_launch(Probe *p) {
        int r = replay_rc(p, "launch", NULL, 0);
        if (r < 0 && r != -EBADMSG)
                snprintf(p->error, sizeof(p->error), "replay: recorded launch failure");
        return r;
}

/* A transcript that stopped matching is a dead appliance: whatever was
 * looked up after that is not evidence, and the inspection fails, as it
 * does when a clone dies (a lookup's failure alone would read as "not
 * there"). */
static bool replay_alive(Probe *p) {
        return !p->replay_broken;
}

/* A filesystem as the transcript keeps it: "FSTYPE DISK FLAGS SUBVOL VIA NAME". */
static int replay_list_filesystems(Probe *p) {
        _cleanup_(probe_strv_freep) char **v = NULL;
        int r = replay_strv(p, "filesystems", NULL, 0, PROBE_MAX_FILESYSTEMS, &v);

        if (r < 0)
                return r;
        p->n_devices = 0;
        for (char **i = v; *i; i++) {
                AgentDevice *d = &p->devices[p->n_devices];
                unsigned long long subvol;
                int name = -1;
                *d = (AgentDevice) { 0 };
                if (sscanf(*i, "%15s %" SCNu32 " %" SCNu32 " %llu %" SCNu32 " %n", d->fstype, &d->disk, &d->flags,
                           &subvol, &d->via, &name) != 5 || name < 0 || strlen(*i + name) >= sizeof(d->name) ||
                    !clone_via_valid(d->via))
                        return -EBADMSG;
                d->subvol = subvol;
                memcpy(d->name, *i + name, strlen(*i + name) + 1);
                p->n_devices++;
        }
        return 0;
}

static int replay_mount(Probe *p, const char *device) {
        const TxField a[] = { TX_STR(device) };
        return replay_rc(p, "mount", a, 1);
}

static int replay_umount(Probe *p) {
        return replay_rc(p, "umount", NULL, 0);
}

static int replay_glob(Probe *p, const char *pattern, char ***ret) {
        const TxField a[] = { TX_STR(pattern) };
        return replay_strv(p, "glob", a, 1, PROBE_MAX_GLOB, ret);
}

static int replay_lstat(Probe *p, const char *path, GuestStat *ret) {
        const TxField a[] = { TX_STR(path) };
        int64_t type, size;
        int r = replay_rc(p, "lstat", a, 1);

        if (r < 0)
                return r;
        if (transcript_result_int(p->tx, 1, &type) < 0 || transcript_result_int(p->tx, 2, &size) < 0 ||
            type < GUEST_FILE_REGULAR || type > GUEST_FILE_OTHER || size < 0)
                return -EBADMSG;
        *ret = (GuestStat) { .type = (GuestFileType) type, .size = (uint64_t) size };
        return 0;
}

/* A recorded answer of one string for one string argument: rc, string. */
static int replay_string(Probe *p, const char *call, const char *arg, char **ret) {
        const TxField a[] = { TX_STR(arg) };
        size_t len;
        int r = replay_rc(p, call, a, 1);

        if (r < 0)
                return r;
        _cleanup_free_ char *t = NULL;
        if (transcript_result_bytes(p->tx, 1, &t, &len) < 0 || strlen(t) != len)
                return -EBADMSG;        /* nothing handed out */
        *ret = TAKE_PTR(t);
        return 0;
}

static int replay_readlink(Probe *p, const char *path, char **ret) {
        return replay_string(p, "readlink", path, ret);
}

static int replay_pread(Probe *p, const char *path, uint64_t offset, size_t want, char **ret_data, size_t *ret_len) {
        const TxField a[] = { TX_STR(path), TX_INT(offset), TX_INT(want) };
        int r = replay_rc(p, "pread", a, 3);

        if (r < 0)
                return r;
        if (transcript_result_bytes(p->tx, 1, ret_data, ret_len) < 0)
                return -EBADMSG;
        return 0;
}

static const ProbeBackend probe_replay = {
        .bind = replay_bind,
        .launch = replay_launch,
        .alive = replay_alive,
        .list_filesystems = replay_list_filesystems,
        .mount = replay_mount,
        .umount = replay_umount,
        .glob = replay_glob,
        .lstat = replay_lstat,
        .readlink = replay_readlink,
        .pread = replay_pread,
        .done = seam_done,
};

/*
 * record
 */

static int record_bind(Probe *p, const int *disk_fds, size_t n_disks) {
        int r = transcript_record(p->cfg.record_fd, disk_fds[0], &p->tx);
        if (r < 0)
                return transcript_error(p, r);
        RECORD(p, "disks", TX_INT((int64_t) n_disks), TX_INT(0));
        return probe_live.bind(p, disk_fds, n_disks);
}

static void record_strv(Probe *p, const char *call, const char *arg, int rc, char **v) {
        TxField f[TRANSCRIPT_MAX_FIELDS];
        size_t n = 0;

        if (!p->tx)
                return;
        if (arg)
                f[n++] = TX_STR(arg);
        f[n++] = TX_INT(rc);
        f[n++] = TX_INT(0);
        for (char **i = v; rc == 0 && i && *i && n < TRANSCRIPT_MAX_FIELDS; i++)
                f[n++] = TX_STR(*i);
        f[arg ? 2 : 1] = TX_INT(n - (arg ? 3 : 2));
        (void) transcript_put(p->tx, call, f, n);
}

static int record_launch(Probe *p) {
        int r = probe_live.launch(p);
        RECORD(p, "launch", TX_INT(r));
        return r;
}

static bool record_alive(Probe *p) {
        return probe_live.alive(p);
}

static int record_list_filesystems(Probe *p) {
        char lines[PROBE_MAX_FILESYSTEMS][sizeof(AgentDevice) + 64], *v[PROBE_MAX_FILESYSTEMS + 1] = { NULL };
        int r = probe_live.list_filesystems(p);

        for (size_t i = 0; r == 0 && i < p->n_devices; i++) {
                const AgentDevice *d = &p->devices[i];
                snprintf(lines[i], sizeof(lines[i]), "%s %" PRIu32 " %" PRIu32 " %llu %" PRIu32 " %s", d->fstype,
                         d->disk, d->flags, (unsigned long long) d->subvol, d->via, d->name);
                v[i] = lines[i];
        }
        record_strv(p, "filesystems", NULL, r, v);
        return r;
}

static int record_mount(Probe *p, const char *device) {
        int r = probe_live.mount(p, device);
        RECORD(p, "mount", TX_STR(device), TX_INT(r));
        return r;
}

static int record_umount(Probe *p) {
        int r = probe_live.umount(p);
        RECORD(p, "umount", TX_INT(r));
        return r;
}

static int record_glob(Probe *p, const char *pattern, char ***ret) {
        int r = probe_live.glob(p, pattern, ret);
        record_strv(p, "glob", pattern, r, r == 0 ? *ret : NULL);
        return r;
}

static int record_lstat(Probe *p, const char *path, GuestStat *ret) {
        int r = probe_live.lstat(p, path, ret);
        RECORD(p, "lstat", TX_STR(path), TX_INT(r), TX_INT(r == 0 ? ret->type : 0),
               TX_INT(r == 0 ? (int64_t) ret->size : 0));
        return r;
}

static int record_readlink(Probe *p, const char *path, char **ret) {
        int r = probe_live.readlink(p, path, ret);
        RECORD(p, "readlink", TX_STR(path), TX_INT(r == 0 ? 0 : -EIO), TX_STR(r == 0 ? *ret : ""));
        return r;
}

static int record_pread(Probe *p, const char *path, uint64_t offset, size_t want, char **ret_data, size_t *ret_len) {
        int r = probe_live.pread(p, path, offset, want, ret_data, ret_len);
        RECORD(p, "pread", TX_STR(path), TX_INT(offset), TX_INT(want),
               TX_INT(r == 0 ? 0 : -EIO), TX_BYTES(r == 0 ? *ret_data : "", r == 0 ? *ret_len : 0));
        return r;
}

static const ProbeBackend probe_record = {
        .bind = record_bind,
        .launch = record_launch,
        .alive = record_alive,
        .list_filesystems = record_list_filesystems,
        .mount = record_mount,
        .umount = record_umount,
        .glob = record_glob,
        .lstat = record_lstat,
        .readlink = record_readlink,
        .pread = record_pread,
        .done = seam_done,
};

/* The one place a backend is chosen (given both, replay wins). */
int probe_backend_select(const ProbeConfig *cfg, const ProbeBackend **ret) {
        *ret = cfg->replay_fd >= 0 ? &probe_replay : cfg->record_fd >= 0 ? &probe_record : &probe_live;
        return 0;
}
