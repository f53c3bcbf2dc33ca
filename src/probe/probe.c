/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe over an appliance clone (see probe.h, clone.h).
 *
 * Every call is one question to the clone's agent; every answer is
 * checked here for shape and size before anyone else sees it.  The
 * questions go through a backend (probe-internal.h): probe_live below, or
 * in e2e builds the record/replay seam (probe-replay.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe-internal.h"
#include "shared/text.h"

#define READ_CHUNK AGENT_MAX_READ

char **probe_strv_free(char **v) {
        if (!v)
                return NULL;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
        return NULL;
}

static void set_error(Probe *p) {
        snprintf(p->error, sizeof(p->error), "%s", clone_last_error(p->clone));
}

const char *probe_last_error(Probe *p) {
        return p ? p->error : "";
}

void probe_set_deadline(Probe *p, uint64_t usec) {
        p->cfg.deadline = usec;
        clone_set_deadline(p->clone, usec);
}

int probe_new(const ProbeConfig *cfg, Probe **ret) {
        const ProbeBackend *backend;
        Probe *p;
        int r;

        if (!cfg || !cfg->format)
                return -EINVAL;
        r = probe_backend_select(cfg, &backend);
        if (r < 0)
                return r;
        if (!cfg->template && cfg->replay_fd < 0)
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->cfg = *cfg;
        p->backend = backend;
        p->attach_r = 1;
        *ret = p;
        return 0;
}

Probe *probe_free(Probe *p) {
        if (!p)
                return NULL;
        clone_free(p->clone);
        for (size_t i = 0; i < p->n_disks; i++)
                safe_close(p->disk_fds[i]);
        if (p->backend->done)
                p->backend->done(p);
        free(p);
        return NULL;
}

int probe_bind(Probe *p, const int *disk_fds, size_t n_disks) {
        if (p->bound || n_disks == 0 || n_disks > PROBE_MAX_DISKS)
                return -EINVAL;
        for (size_t i = 0; i < n_disks; i++)
                if (disk_fds[i] < 0)
                        return -EINVAL;
        p->bound = true;
        return p->backend->bind(p, disk_fds, n_disks);
}

int probe_launch(Probe *p) {
        return p->backend->launch(p);
}

bool probe_alive(Probe *p) {
        return p->backend->alive(p);
}

int probe_list_filesystems(Probe *p, char ***ret) {
        _cleanup_(probe_strv_freep) char **out = NULL;
        int r = p->backend->list_filesystems(p);

        if (r < 0)
                return r;
        out = calloc(p->n_devices + 1, sizeof(char *));
        if (!out)
                return -ENOMEM;
        /* In the agent's order: each disk and its partitions, md arrays,
         * logical volumes, then the views GRUB does not have. */
        for (size_t i = 0; i < p->n_devices; i++) {
                out[i] = strdup(p->devices[i].name);
                if (!out[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

const AgentDevice *probe_filesystem(Probe *p, const char *device) {
        for (size_t i = 0; i < p->n_devices; i++)
                if (strcmp(p->devices[i].name, device) == 0)
                        return &p->devices[i];
        return NULL;
}

void probe_filesystem_type(Probe *p, const char *device, char *ret, size_t size) {
        const AgentDevice *d = probe_filesystem(p, device);
        const char *t = d ? d->fstype : "";

        if (size == 0)
                return;
        ret[0] = 0;
        /* The appliance's word: a name, or nothing; never text to escape. */
        if (!*t || strlen(t) >= size || strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(t))
                return;
        memcpy(ret, t, strlen(t) + 1);
}

int probe_mount(Probe *p, const char *device) {
        int r;

        if (p->mounted)
                return -EBUSY;
        r = p->backend->mount(p, device);
        if (r == 0)
                p->mounted = true;
        return r;
}

int probe_umount(Probe *p) {
        if (!p->mounted)
                return 0;
        p->mounted = false;
        return p->backend->umount(p);
}

int probe_glob(Probe *p, const char *pattern, char ***ret) {
        return p->backend->glob(p, pattern, ret);
}

static int ops_lstat(void *userdata, const char *path, GuestStat *ret) {
        Probe *p = userdata;
        return p->backend->lstat(p, path, ret);
}

static int ops_readlink(void *userdata, const char *path, char **ret) {
        Probe *p = userdata;
        return p->backend->readlink(p, path, ret);
}

void probe_fs_ops(Probe *p, GuestFsOps *ret) {
        *ret = (GuestFsOps) { .lstat = ops_lstat, .readlink = ops_readlink, .userdata = p };
}

static int read_chunks(ProbeFile *fsrc, uint64_t offset, unsigned char *out, size_t len);

static int file_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        ProbeFile *fsrc = userdata;
        Probe *p = fsrc->probe;
        unsigned char *out = buf;

        /* Per file, and across all files of this inspection: a guest
         * cannot make us read more, whatever its headers claim, and one
         * file that spends its budget leaves the others theirs. */
        if (len > PVBOOT_MAX_READ_TOTAL || fsrc->read + len > PVBOOT_MAX_READ_TOTAL ||
            p->read_total + len > PVBOOT_MAX_READ_INSPECTION)
                return -E2BIG;
        fsrc->read += len;
        p->read_total += len;
        uint64_t t0 = now_usec();
        int r = read_chunks(fsrc, offset, out, len);
        p->stage_us[STAGE_READ] += now_usec() - t0;
        return r;
}

static int read_chunks(ProbeFile *fsrc, uint64_t offset, unsigned char *out, size_t len) {
        Probe *p = fsrc->probe;

        while (len > 0) {
                size_t want = len < READ_CHUNK ? len : READ_CHUNK, got = 0;
                _cleanup_free_ char *data = NULL;
                int r = p->backend->pread(p, fsrc->path, offset, want, &data, &got);

                if (r < 0)
                        return r;
                /* The appliance answered with more or less than we asked:
                 * a short file, or a lie.  Either way stop. */
                if (got != want)
                        return -EBADMSG;
                memcpy(out, data, got);
                out += got;
                offset += got;
                len -= got;
        }
        return 0;
}

uint64_t probe_stage_usec(const Probe *p, ReportStage s) {
        return s < _STAGE_MAX ? p->stage_us[s] : 0;
}

void probe_file_init(ProbeFile *f, Probe *p, const char *path, uint64_t size) {
        *f = (ProbeFile) {
                .probe = p,
                .path = path,
                .source = { .size = size, .read = file_read, .userdata = f },
        };
}

/*
 * probe_live: the clone and its agent.
 */

/* Hot-plug the disk into the running clone and let the agent find its
 * filesystems: the only scan there is, the same in both timings. */
static int attach(Probe *p) {
        uint64_t t0 = now_usec();
        int r = clone_attach(p->clone, p->disk_fds, p->n_disks, p->cfg.format, p->devices, PROBE_MAX_FILESYSTEMS,
                             &p->n_devices);
        p->stage_us[STAGE_RESCAN] += now_usec() - t0;
        for (size_t i = 0; i < p->n_disks; i++)
                p->disk_fds[i] = safe_close(p->disk_fds[i]);
        if (r < 0)
                set_error(p);
        p->attach_r = r;
        return r;
}

static int live_bind(Probe *p, const int *disk_fds, size_t n_disks) {
        uint64_t t0 = now_usec();
        for (size_t i = 0; i < n_disks; i++) {
                p->disk_fds[i] = fcntl(disk_fds[i], F_DUPFD_CLOEXEC, 3);
                if (p->disk_fds[i] < 0) {
                        snprintf(p->error, sizeof(p->error), "cannot keep the disk: %s", strerror(errno));
                        return -errno;
                }
                p->n_disks++;
        }
        p->stage_us[STAGE_BIND] += now_usec() - t0;
        return p->clone ? attach(p) : 0;
}

static int launch_clone(Probe *p) {
        CloneConfig cc = {
                .template = p->cfg.template,
                .tcg_cache_mb = p->cfg.tcg_cache_mb,
                .deadline = p->cfg.deadline,
                .debug = p->cfg.debug,
        };
        int r;

        if (p->clone)
                return -EINVAL;
        r = clone_start(&cc, &p->clone);
        if (r < 0) {
                set_error(p);
                return r;
        }
        return p->bound ? attach(p) : 0;
}

static int live_launch(Probe *p) {
        uint64_t t0 = now_usec();
        int r = launch_clone(p);
        p->stage_us[STAGE_LAUNCH] += now_usec() - t0;
        return r;
}

static bool live_alive(Probe *p) {
        return clone_alive(p->clone);
}

static int live_list_filesystems(Probe *p) {
        if (p->attach_r != 0)
                return p->attach_r > 0 ? -EINVAL : p->attach_r;
        return 0;
}

/* An agent call whose failure means the clone is gone: say so. */
static int call(Probe *p, AgentOp op, uint32_t arg, uint64_t offset, const char *payload, void *buf, size_t bufsz,
                size_t *ret_len) {
        int r = clone_call(p->clone, op, arg, offset, payload, buf, bufsz, ret_len);
        if (r < 0 && !clone_alive(p->clone))
                set_error(p);
        else if (r < 0)
                snprintf(p->error, sizeof(p->error), "%s", strerror(-r));
        return r;
}

static int live_mount(Probe *p, const char *device) {
        size_t i = 0;
        int r;

        while (i < p->n_devices && strcmp(p->devices[i].name, device) != 0)
                i++;
        r = i == p->n_devices ? -ENOENT : call(p, AGENT_OP_MOUNT, (uint32_t) i, 0, NULL, NULL, 0, NULL);
        return r < 0 ? -EIO : r;
}

static int live_umount(Probe *p) {
        if (call(p, AGENT_OP_UMOUNT, 0, 0, NULL, NULL, 0, NULL) < 0)
                return -EIO;
        return 0;
}

static int live_glob(Probe *p, const char *pattern, char ***ret) {
        static char buf[AGENT_MAX_GLOB * (AGENT_MAX_REQUEST + 257)];
        _cleanup_(probe_strv_freep) char **v = NULL;
        size_t len, n = 0;
        int r;

        r = call(p, AGENT_OP_GLOB, 0, 0, pattern, buf, sizeof(buf), &len);
        if (r < 0)
                return r == -ENOENT ? (*ret = calloc(1, sizeof(char *))) ? 0 : -ENOMEM : -EIO;
        /* NUL-terminated names, each one complete: anything else is a lie. */
        if (len > 0 && buf[len - 1] != 0)
                return -EBADMSG;
        v = calloc(PROBE_MAX_GLOB + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        /* A guest with thousands of matching names gets the first few. */
        for (size_t off = 0; off < len && n < PROBE_MAX_GLOB; off += strlen(buf + off) + 1) {
                v[n] = strdup(buf + off);
                if (!v[n])
                        return -ENOMEM;
                n++;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int live_lstat(Probe *p, const char *path, GuestStat *ret) {
        AgentStat st;
        size_t len;
        int r = call(p, AGENT_OP_LSTAT, 0, 0, path, &st, sizeof(st), &len);

        if (r == -ENOENT || r == -ENOTDIR)
                return -ENOENT;
        if (r < 0)
                return r;
        if (len != sizeof(st) || st.type < AGENT_TYPE_REGULAR || st.type > AGENT_TYPE_OTHER)
                return -EBADMSG;
        ret->type = st.type == AGENT_TYPE_REGULAR ? GUEST_FILE_REGULAR
                  : st.type == AGENT_TYPE_DIRECTORY ? GUEST_FILE_DIRECTORY
                  : st.type == AGENT_TYPE_SYMLINK ? GUEST_FILE_SYMLINK
                  : GUEST_FILE_OTHER;
        ret->size = st.size;
        return 0;
}

/* 0 with the target, or -EIO whatever went wrong. */
static int live_readlink(Probe *p, const char *path, char **ret) {
        static char buf[4096 + 1];
        size_t len;
        char *t;
        int r = call(p, AGENT_OP_READLINK, 0, 0, path, buf, sizeof(buf) - 1, &len);

        if (r >= 0 && memchr(buf, 0, len))
                r = -EBADMSG;   /* a link target has no NUL: a lie */
        buf[r >= 0 ? len : 0] = 0;
        t = r >= 0 ? strdup(buf) : NULL;
        if (!t)
                return -EIO;
        *ret = t;
        return 0;
}

/* 0 with the data, or -EIO whatever went wrong. */
static int live_pread(Probe *p, const char *path, uint64_t offset, size_t want, char **ret_data, size_t *ret_len) {
        _cleanup_free_ char *data = malloc(want);

        if (!data || call(p, AGENT_OP_PREAD, (uint32_t) want, offset, path, data, want, ret_len) < 0)
                return -EIO;
        *ret_data = TAKE_PTR(data);
        return 0;
}

const ProbeBackend probe_live = {
        .bind = live_bind,
        .launch = live_launch,
        .alive = live_alive,
        .list_filesystems = live_list_filesystems,
        .mount = live_mount,
        .umount = live_umount,
        .glob = live_glob,
        .lstat = live_lstat,
        .readlink = live_readlink,
        .pread = live_pread,
};
