/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe over an appliance clone (see probe.h, clone.h).
 *
 * Every call is one question to the clone's agent; every answer is
 * checked here for shape and size before anyone else sees it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/clone.h"
#include "probe/probe.h"
#include "shared/text.h"
#if PVBOOT_E2E_REPLAY
#include "probe/transcript.h"
#endif

#define READ_CHUNK AGENT_MAX_READ

struct Probe {
        ProbeConfig cfg;
        Clone *clone;
        int disk_fd;            /* ours until the clone has it */
        bool bound;
        int attach_r;           /* 1: not yet attached */
        AgentDevice devices[PROBE_MAX_FILESYSTEMS];
        size_t n_devices;
        char error[512];
        bool mounted;
        uint64_t read_total;
        uint64_t stage_us[_STAGE_MAX];  /* launch, bind, rescan, read (see report.h) */
#if PVBOOT_E2E_REPLAY
        Transcript *tx;
        bool replay;
#endif
};

#if PVBOOT_E2E_REPLAY
/*
 * The e2e seam (transcript.h): in replay mode every call below is answered
 * from the transcript instead of the appliance; in record mode each real
 * answer is appended to it.  A replayed answer goes through exactly the
 * same checks in the callers as a live one.
 */
#define REPLAYING(p) ((p)->replay)
#define RECORD(p, call, ...)                                                     \
        do {                                                                     \
                if ((p)->tx && !(p)->replay) {                                   \
                        const TxField _f[] = { __VA_ARGS__ };                    \
                        (void) transcript_put((p)->tx, call, _f, sizeof(_f) / sizeof(_f[0])); \
                }                                                                \
        } while (0)
#else
#define REPLAYING(p) false
#define RECORD(p, call, ...) do { } while (0)
#endif

static void strv_free(char **v) {
        if (!v)
                return;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
}

static void set_error(Probe *p) {
        snprintf(p->error, sizeof(p->error), "%s", clone_last_error(p->clone));
}

const char *probe_last_error(Probe *p) {
        return p ? p->error : "";
}

int probe_new(const ProbeConfig *cfg, Probe **ret) {
        Probe *p;

        if (!cfg || !cfg->format)
                return -EINVAL;
#if !PVBOOT_E2E_REPLAY
        if (cfg->record_fd >= 0 || cfg->replay_fd >= 0)
                return -EOPNOTSUPP;
#endif
        if (!cfg->template && cfg->replay_fd < 0)
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->cfg = *cfg;
        p->disk_fd = -1;
        p->attach_r = 1;
#if PVBOOT_E2E_REPLAY
        p->replay = cfg->replay_fd >= 0;
#endif
        *ret = p;
        return 0;
}

Probe *probe_free(Probe *p) {
        if (!p)
                return NULL;
        clone_free(p->clone);
        if (p->disk_fd >= 0)
                close(p->disk_fd);
#if PVBOOT_E2E_REPLAY
        transcript_free(p->tx);
#endif
        free(p);
        return NULL;
}

/* Hot-plug the disk into the running clone and let the agent find its
 * filesystems: the only scan there is, the same in both timings. */
static int attach(Probe *p) {
        uint64_t t0 = now_usec();
        int r = clone_attach(p->clone, p->disk_fd, p->cfg.format, p->devices, PROBE_MAX_FILESYSTEMS, &p->n_devices);
        p->stage_us[STAGE_RESCAN] += now_usec() - t0;
        close(p->disk_fd);
        p->disk_fd = -1;
        if (r < 0)
                set_error(p);
        p->attach_r = r;
        return r;
}

static int bind_live(Probe *p, int disk_fd) {
        uint64_t t0 = now_usec();
        p->disk_fd = fcntl(disk_fd, F_DUPFD_CLOEXEC, 3);
        p->stage_us[STAGE_BIND] += now_usec() - t0;
        if (p->disk_fd < 0) {
                snprintf(p->error, sizeof(p->error), "cannot keep the disk: %s", strerror(errno));
                return -errno;
        }
        return p->clone ? attach(p) : 0;
}

int probe_bind(Probe *p, int disk_fd) {
        int r;

        if (p->bound || disk_fd < 0)
                return -EINVAL;
        p->bound = true;
#if PVBOOT_E2E_REPLAY
        /* The transcript is tied to the disk's bytes: created here, where
         * the disk first appears, before the launch it records. */
        if (p->cfg.replay_fd >= 0)
                r = transcript_replay(p->cfg.replay_fd, disk_fd, &p->tx);
        else if (p->cfg.record_fd >= 0)
                r = transcript_record(p->cfg.record_fd, disk_fd, &p->tx);
        else
                r = 0;
        if (r < 0) {
                snprintf(p->error, sizeof(p->error), "%s",
                         r == -ESTALE ? "replay: the transcript was recorded from another disk (size or SHA-256 differ)"
                         : r == -EBADMSG || r == -EFBIG ? "replay: not a valid transcript"
                         : strerror(-r));
                return r;
        }
        if (REPLAYING(p))
                return 0;
#endif
        r = bind_live(p, disk_fd);
        return r;
}

#if PVBOOT_E2E_REPLAY
static int replay_rc(Probe *p, const char *call, const TxField *args, size_t n) {
        int64_t rc;
        if (transcript_next(p->tx, call, args, n) < 0 || transcript_result_int(p->tx, 0, &rc) < 0 ||
            rc > 0 || rc < -4095) {
                snprintf(p->error, sizeof(p->error), "replay: the transcript does not match this inspection");
                return -EBADMSG;
        }
        return (int) rc;
}
#endif

static int launch_live(Probe *p);

int probe_launch(Probe *p) {
        int r;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p)) {
                r = replay_rc(p, "launch", NULL, 0);
                if (r < 0 && r != -EBADMSG)
                        snprintf(p->error, sizeof(p->error), "replay: recorded launch failure");
                return r;
        }
#endif
        uint64_t t0 = now_usec();
        r = launch_live(p);
        p->stage_us[STAGE_LAUNCH] += now_usec() - t0;
        RECORD(p, "launch", TX_INT(r));
        return r;
}

static int launch_live(Probe *p) {
        CloneConfig cc = {
                .template = p->cfg.template,
                .tcg_cache_mb = p->cfg.tcg_cache_mb,
                .timeout_ms = p->cfg.timeout_ms,
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

bool probe_alive(Probe *p) {
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p))
                return true;    /* a replay mismatch fails on its own */
#endif
        return clone_alive(p->clone);
}

#if PVBOOT_E2E_REPLAY
/* A recorded list: rc, count, then that many strings, as a NULL-terminated array. */
static int replay_strv(Probe *p, const char *call, const TxField *args, size_t nargs, size_t max, char ***ret) {
        int64_t n;
        char **v;
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
                if (transcript_result_bytes(p->tx, (size_t) i + 2, &v[i], &len) < 0 || strlen(v[i]) != len) {
                        strv_free(v);
                        return -EBADMSG;
                }
        }
        *ret = v;
        return 0;
}

static void record_strv(Probe *p, const char *call, const char *arg, int rc, char **v) {
        TxField f[TRANSCRIPT_MAX_FIELDS];
        size_t n = 0;

        if (!p->tx || p->replay)
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
#endif

static int list_filesystems_live(Probe *p, char ***ret);

int probe_list_filesystems(Probe *p, char ***ret) {
        int r;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p))
                return replay_strv(p, "filesystems", NULL, 0, PROBE_MAX_FILESYSTEMS, ret);
#endif
        uint64_t t0 = now_usec();
        r = list_filesystems_live(p, ret);
        p->stage_us[STAGE_RESCAN] += now_usec() - t0;
#if PVBOOT_E2E_REPLAY
        record_strv(p, "filesystems", NULL, r, r == 0 ? *ret : NULL);
#endif
        return r;
}

static int list_filesystems_live(Probe *p, char ***ret) {
        char **out;

        if (p->attach_r != 0)
                return p->attach_r > 0 ? -EINVAL : p->attach_r;
        out = calloc(p->n_devices + 1, sizeof(char *));
        if (!out)
                return -ENOMEM;
        /* In the agent's order: the whole disk, partitions, logical volumes. */
        for (size_t i = 0; i < p->n_devices; i++) {
                out[i] = strdup(p->devices[i].name);
                if (!out[i]) {
                        strv_free(out);
                        return -ENOMEM;
                }
        }
        *ret = out;
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

int probe_mount(Probe *p, const char *device) {
        int r = 0;

        if (p->mounted)
                return -EBUSY;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p)) {
                const TxField a[] = { TX_STR(device) };
                r = replay_rc(p, "mount", a, 1);
        } else
#endif
        {
                size_t i = 0;
                while (i < p->n_devices && strcmp(p->devices[i].name, device) != 0)
                        i++;
                r = i == p->n_devices ? -ENOENT : call(p, AGENT_OP_MOUNT, (uint32_t) i, 0, NULL, NULL, 0, NULL);
                if (r < 0)
                        r = -EIO;
        }
        RECORD(p, "mount", TX_STR(device), TX_INT(r));
        if (r == 0)
                p->mounted = true;
        return r;
}

int probe_umount(Probe *p) {
        int r = 0;

        if (!p->mounted)
                return 0;
        p->mounted = false;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p))
                return replay_rc(p, "umount", NULL, 0);
#endif
        if (call(p, AGENT_OP_UMOUNT, 0, 0, NULL, NULL, 0, NULL) < 0)
                r = -EIO;
        RECORD(p, "umount", TX_INT(r));
        return r;
}

static int glob_live(Probe *p, const char *pattern, char ***ret);

int probe_glob(Probe *p, const char *pattern, char ***ret) {
        int r;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p)) {
                const TxField a[] = { TX_STR(pattern) };
                return replay_strv(p, "glob", a, 1, PROBE_MAX_GLOB, ret);
        }
#endif
        r = glob_live(p, pattern, ret);
#if PVBOOT_E2E_REPLAY
        record_strv(p, "glob", pattern, r, r == 0 ? *ret : NULL);
#endif
        return r;
}

static int glob_live(Probe *p, const char *pattern, char ***ret) {
        static char buf[AGENT_MAX_GLOB * (AGENT_MAX_REQUEST + 257)];
        size_t len, n = 0;
        char **v;
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
                if (!v[n]) {
                        strv_free(v);
                        return -ENOMEM;
                }
                n++;
        }
        *ret = v;
        return 0;
}

static int lstat_live(Probe *p, const char *path, GuestStat *ret);

static int ops_lstat(void *userdata, const char *path, GuestStat *ret) {
        Probe *p = userdata;
        int r;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p)) {
                const TxField a[] = { TX_STR(path) };
                int64_t type, size;
                r = replay_rc(p, "lstat", a, 1);
                if (r < 0)
                        return r;
                if (transcript_result_int(p->tx, 1, &type) < 0 || transcript_result_int(p->tx, 2, &size) < 0 ||
                    type < GUEST_FILE_REGULAR || type > GUEST_FILE_OTHER || size < 0)
                        return -EBADMSG;
                *ret = (GuestStat) { .type = (GuestFileType) type, .size = (uint64_t) size };
                return 0;
        }
#endif
        r = lstat_live(p, path, ret);
        RECORD(p, "lstat", TX_STR(path), TX_INT(r), TX_INT(r == 0 ? ret->type : 0),
               TX_INT(r == 0 ? (int64_t) ret->size : 0));
        return r;
}

static int lstat_live(Probe *p, const char *path, GuestStat *ret) {
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

static int ops_readlink(void *userdata, const char *path, char **ret) {
        Probe *p = userdata;
        char *t;
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p)) {
                const TxField a[] = { TX_STR(path) };
                size_t len;
                int r = replay_rc(p, "readlink", a, 1);
                if (r < 0)
                        return r;
                if (transcript_result_bytes(p->tx, 1, ret, &len) < 0 || strlen(*ret) != len)
                        return -EBADMSG;
                return 0;
        }
#endif
        static char buf[4096 + 1];
        size_t len;
        int r = call(p, AGENT_OP_READLINK, 0, 0, path, buf, sizeof(buf) - 1, &len);
        if (r >= 0 && memchr(buf, 0, len))
                r = -EBADMSG;   /* a link target has no NUL: a lie */
        buf[r >= 0 ? len : 0] = 0;
        t = r >= 0 ? strdup(buf) : NULL;
        RECORD(p, "readlink", TX_STR(path), TX_INT(t ? 0 : -EIO), TX_STR(t ? t : ""));
        if (!t)
                return -EIO;
        *ret = t;
        return 0;
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
                char *data = NULL;
#if PVBOOT_E2E_REPLAY
                if (REPLAYING(p)) {
                        const TxField a[] = { TX_STR(fsrc->path), TX_INT(offset), TX_INT(want) };
                        int r = replay_rc(p, "pread", a, 3);
                        if (r < 0)
                                return r;
                        if (transcript_result_bytes(p->tx, 1, &data, &got) < 0)
                                return -EBADMSG;
                } else
#endif
                {
                        data = malloc(want);
                        if (data && call(p, AGENT_OP_PREAD, (uint32_t) want, offset, fsrc->path, data, want, &got) < 0) {
                                free(data);
                                data = NULL;
                        }
                        RECORD(p, "pread", TX_STR(fsrc->path), TX_INT(offset), TX_INT(want),
                               TX_INT(data ? 0 : -EIO), TX_BYTES(data ? data : "", data ? got : 0));
                }
                if (!data)
                        return -EIO;
                if (got != want) {
                        /* The appliance answered with more or less than we
                         * asked: a short file, or a lie.  Either way stop. */
                        free(data);
                        return -EBADMSG;
                }
                memcpy(out, data, got);
                free(data);
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
