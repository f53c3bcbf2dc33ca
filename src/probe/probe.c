/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe over an appliance clone (see probe.h, clone.h).
 *
 * Every call is one question to the clone's agent; every answer is
 * checked here, or by the reply decoders of agent-client.h, for shape and
 * size before anyone else sees it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/agent-client.h"
#include "probe/clone.h"
#include "probe/probe.h"
#include "shared/text.h"

struct Probe {
        ProbeConfig cfg;
        bool bound;
        bool mounted;
        char error[512];
        uint64_t read_total;
        uint64_t stage_us[_STAGE_MAX];  /* launch, bind, rescan, read (see report.h) */
        Clone *clone;
        int disk_fds[PROBE_MAX_DISKS];  /* ours until the clone has them */
        size_t n_disks;
        int attach_r;           /* 1: not yet attached */
        AgentDevice devices[PROBE_MAX_FILESYSTEMS];
        size_t n_devices;
};

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
        Probe *p;

        if (!cfg || !cfg->format || !cfg->template)
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->cfg = *cfg;
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
        free(p);
        return NULL;
}

/* Hot-plug the disks into the running clone and let the agent find their
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

int probe_bind(Probe *p, const int *disk_fds, size_t n_disks) {
        uint64_t t0 = now_usec();

        if (p->bound || n_disks == 0 || n_disks > PROBE_MAX_DISKS)
                return -EINVAL;
        for (size_t i = 0; i < n_disks; i++)
                if (disk_fds[i] < 0)
                        return -EINVAL;
        p->bound = true;
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

int probe_launch(Probe *p) {
        uint64_t t0 = now_usec();
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
        if (r < 0)
                set_error(p);
        else if (p->bound)
                r = attach(p);
        p->stage_us[STAGE_LAUNCH] += now_usec() - t0;
        return r;
}

bool probe_alive(Probe *p) {
        return clone_alive(p->clone);
}

int probe_list_filesystems(Probe *p, char ***ret) {
        _cleanup_(probe_strv_freep) char **out = NULL;

        if (p->attach_r != 0)
                return p->attach_r > 0 ? -EINVAL : p->attach_r;
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

int probe_mount(Probe *p, const char *device) {
        const AgentDevice *d = probe_filesystem(p, device);
        int r;

        if (p->mounted)
                return -EBUSY;
        r = !d ? -ENOENT : call(p, AGENT_OP_MOUNT, (uint32_t) (d - p->devices), 0, NULL, NULL, 0, NULL);
        if (r < 0)
                return -EIO;
        p->mounted = true;
        return 0;
}

int probe_umount(Probe *p) {
        if (!p->mounted)
                return 0;
        p->mounted = false;
        return call(p, AGENT_OP_UMOUNT, 0, 0, NULL, NULL, 0, NULL) < 0 ? -EIO : 0;
}

int probe_glob(Probe *p, const char *pattern, char ***ret) {
        static char buf[AGENT_MAX_GLOB * (AGENT_MAX_REQUEST + 257)];
        const char *names[PROBE_MAX_GLOB];
        _cleanup_(probe_strv_freep) char **v = NULL;
        size_t len;
        int r, n;

        r = call(p, AGENT_OP_GLOB, 0, 0, pattern, buf, sizeof(buf), &len);
        if (r < 0)
                return r == -ENOENT ? (*ret = calloc(1, sizeof(char *))) ? 0 : -ENOMEM : -EIO;
        /* A guest with thousands of matching names gets the first few. */
        n = agent_reply_names(buf, len, names, PROBE_MAX_GLOB);
        if (n < 0)
                return n;
        v = calloc((size_t) n + 1, sizeof(char *));
        if (!v)
                return -ENOMEM;
        for (int i = 0; i < n; i++) {
                v[i] = strdup(names[i]);
                if (!v[i])
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(v);
        return 0;
}

static int ops_lstat(void *userdata, const char *path, GuestStat *ret) {
        Probe *p = userdata;
        AgentStat st;
        size_t len;
        int r = call(p, AGENT_OP_LSTAT, 0, 0, path, &st, sizeof(st), &len);

        if (r == -ENOENT || r == -ENOTDIR)
                return -ENOENT;
        if (r < 0)
                return r;
        r = agent_reply_stat(&st, len, &st);
        if (r < 0)
                return r;
        ret->type = st.type == AGENT_TYPE_REGULAR ? GUEST_FILE_REGULAR
                  : st.type == AGENT_TYPE_DIRECTORY ? GUEST_FILE_DIRECTORY
                  : st.type == AGENT_TYPE_SYMLINK ? GUEST_FILE_SYMLINK
                  : GUEST_FILE_OTHER;
        ret->size = st.size;
        return 0;
}

/* 0 with the target; -EBADMSG for a lie, -EIO whatever else went wrong. */
static int ops_readlink(void *userdata, const char *path, char **ret) {
        static char buf[4096];
        Probe *p = userdata;
        size_t len;
        int r = call(p, AGENT_OP_READLINK, 0, 0, path, buf, sizeof(buf), &len);

        if (r < 0)
                return -EIO;
        r = agent_reply_link(buf, len, ret);
        return r == -ENOMEM ? -EIO : r;
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

/* Chunk by chunk: the agent must answer each with exactly what was asked
 * (less is a short file or a lie, more cannot fit: agent_call refuses
 * it), and nothing of a refused answer reaches the caller's buffer.
 * -EIO when the call failed. */
static int read_chunks(ProbeFile *fsrc, uint64_t offset, unsigned char *out, size_t len) {
        Probe *p = fsrc->probe;

        while (len > 0) {
                size_t want = len < READ_CHUNK ? len : READ_CHUNK, got = 0;
                _cleanup_free_ char *data = malloc(want);

                if (!data || call(p, AGENT_OP_PREAD, (uint32_t) want, offset, fsrc->path, data, want, &got) < 0)
                        return -EIO;
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
