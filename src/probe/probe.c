/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The libguestfs side (see probe.h).
 *
 * Handle setup follows guestfs-security(1) and nbdkit's practice: no
 * environment (GUESTFS_CREATE_NO_ENVIRONMENT, so no inherited LIBGUESTFS_*),
 * our own error handler, the direct backend with TCG forced (dom0 has no
 * usable KVM), network off, the drive read-only with an explicit format.
 */
#include <errno.h>
#include <fcntl.h>
#include <guestfs.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "probe.h"
#include "text.h"
#if PVBOOT_E2E_REPLAY
#include "transcript.h"
#endif

#define READ_CHUNK (1u << 20)

struct Probe {
        ProbeConfig cfg;
        guestfs_h *g;
        pid_t nbdkit_pid;
        int ctl;                /* our end of the plugin's control socket */
        bool bound;
        bool late;              /* bound after launch: the warm timing */
        char socket_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
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
        const char *e = p->g ? guestfs_last_error(p->g) : NULL;
        if (!e)
                e = "";
        text_escape(e, strlen(e), p->error, sizeof(p->error));
}

const char *probe_last_error(Probe *p) {
        return p ? p->error : "";
}

int probe_new(const ProbeConfig *cfg, Probe **ret) {
        Probe *p;

        if (!cfg || !cfg->workdir || !cfg->nbdkit || !cfg->plugin || !cfg->format)
                return -EINVAL;
        /* A pooled appliance boots on zeros: only a raw view of them
         * means anything.  The e2e seam records the cold timing only. */
        if (cfg->unbound_size > 0 && (strcmp(cfg->format, "raw") != 0 ||
                                      cfg->record_fd >= 0 || cfg->replay_fd >= 0))
                return -EINVAL;
#if !PVBOOT_E2E_REPLAY
        if (cfg->record_fd >= 0 || cfg->replay_fd >= 0)
                return -EOPNOTSUPP;
#endif
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->cfg = *cfg;
        p->nbdkit_pid = -1;
        p->ctl = -1;
#if PVBOOT_E2E_REPLAY
        p->replay = cfg->replay_fd >= 0;
#endif
        *ret = p;
        return 0;
}

Probe *probe_free(Probe *p) {
        if (!p)
                return NULL;
        if (p->g) {
                /* guestfs_close kills qemu if it is still running. */
                guestfs_close(p->g);
                p->g = NULL;
        }
        if (p->nbdkit_pid > 0) {
                kill(p->nbdkit_pid, SIGTERM);
                while (waitpid(p->nbdkit_pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        if (p->socket_path[0])
                (void) unlink(p->socket_path);
        if (p->ctl >= 0)
                close(p->ctl);
#if PVBOOT_E2E_REPLAY
        transcript_free(p->tx);
#endif
        free(p);
        return NULL;
}

/*
 * Bind the socket ourselves and give it to nbdkit by socket activation
 * (LISTEN_FDS): the socket is listening before nbdkit even starts, so
 * libguestfs can connect at add_drive time without a readiness race.
 */
static int start_nbdkit(Probe *p) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int lfd, r, ctl[2];
        pid_t pid;

        if (p->nbdkit_pid > 0)
                return 0;

        r = snprintf(p->socket_path, sizeof(p->socket_path), "%s/nbd.sock", p->cfg.workdir);
        if (r < 0 || (size_t) r >= sizeof(p->socket_path)) {
                p->socket_path[0] = 0;
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, p->socket_path, strlen(p->socket_path) + 1);

        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0)
                return -errno;
        if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0 ||
            socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) < 0) {
                r = -errno;
                close(lfd);
                return r;
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(lfd);
                close(ctl[0]);
                close(ctl[1]);
                return r;
        }
        if (pid == 0) {
                char listen_pid[32], sizearg[48];
                char *env[] = { listen_pid, "LISTEN_FDS=1", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
                char *argv[] = { "nbdkit", "--exit-with-parent", "--foreground", "--readonly",
                                 (char *) p->cfg.plugin, "control=4",
                                 p->cfg.unbound_size > 0 ? sizearg : NULL, NULL };
                int c, devnull;

                /* fd 3 = listening socket (socket activation), fd 4 = control. */
                c = fcntl(ctl[1], F_DUPFD_CLOEXEC, 10);
                lfd = fcntl(lfd, F_DUPFD_CLOEXEC, 10);
                if (c < 0 || lfd < 0 || dup2(lfd, 3) < 0 || dup2(c, 4) < 0)
                        _exit(127);
                snprintf(sizearg, sizeof(sizearg), "size=%llu", (unsigned long long) p->cfg.unbound_size);
                if (!p->cfg.debug) {
                        devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
                        if (devnull >= 0) {
                                dup2(devnull, STDOUT_FILENO);
                                dup2(devnull, STDERR_FILENO);
                        }
                }
                devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (devnull >= 0)
                        dup2(devnull, STDIN_FILENO);
                snprintf(listen_pid, sizeof(listen_pid), "LISTEN_PID=%ld", (long) getpid());
                execve(p->cfg.nbdkit, argv, env);
                _exit(127);
        }
        close(lfd);
        close(ctl[1]);
        p->ctl = ctl[0];
        p->nbdkit_pid = pid;
        return 0;
}

/* Hand nbdkit the disk and read its one-line answer. */
static int send_disk(Probe *p, int disk_fd) {
        char answer[300];
        ssize_t n;
        int r;

        r = send_with_fd(p->ctl, "B", 1, disk_fd);
        if (r < 0) {
                snprintf(p->error, sizeof(p->error), "cannot hand the disk to nbdkit: %s", strerror(-r));
                return -EIO;
        }
        do
                n = recv(p->ctl, answer, sizeof(answer) - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
                snprintf(p->error, sizeof(p->error), "nbdkit did not answer the bind");
                return -EIO;
        }
        answer[n] = 0;
        close(p->ctl);
        p->ctl = -1;
        if (strncmp(answer, "OK ", 3) == 0)
                return 0;
        /* "ERR <errno> <why>": the plugin's own errno, bounded like any
         * other answer we did not write. */
        char *end;
        long e = strncmp(answer, "ERR ", 4) == 0 ? strtol(answer + 4, &end, 10) : 0;
        if (e < 1 || e > 4095 || *end != ' ') {
                snprintf(p->error, sizeof(p->error), "nbdkit answered the bind with garbage");
                return -EIO;
        }
        end++;
        text_escape(end, (size_t) n - (size_t) (end - answer), p->error, sizeof(p->error));
        return (int) -e;
}

/* Our only drive, as libguestfs names it (guestfs(3), BLOCK DEVICE
 * NAMING): asking the appliance costs a udev settle under TCG. */
#define PROBE_DEVICE "/dev/sda"

static int bind_live(Probe *p, int disk_fd) {
        int r;

        uint64_t t0 = now_usec();
        r = start_nbdkit(p);
        if (r < 0) {
                snprintf(p->error, sizeof(p->error), "cannot start nbdkit: %s", strerror(-r));
                return r;
        }
        r = send_disk(p, disk_fd);
        p->stage_us[STAGE_BIND] += now_usec() - t0;
        if (r < 0 || !p->g)
                return r;

        /* Warm: the appliance's kernel read zeros at boot.  BLKRRPART makes
         * it read the partition table again and drops the device's page
         * cache, so nothing it saw before the bind survives. */
        p->late = true;
        t0 = now_usec();
        r = guestfs_blockdev_rereadpt(p->g, PROBE_DEVICE);
        p->stage_us[STAGE_RESCAN] += now_usec() - t0;
        if (r < 0) {
                set_error(p);
                return -EIO;
        }
        return 0;
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

#define QEMU_SANDBOX "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"

static int launch_live(Probe *p) {
        char server[sizeof(p->socket_path) + 8];
        char *servers[] = { server, NULL };
        char *settings[] = { "force_tcg", NULL };
        char runtime[sizeof(p->socket_path) + 32];
        char *env[] = { runtime, NULL };
        int r;

        /* Cold: the disk is bound first, so the export qemu and the
         * overlay see is exactly the disk. */
        if (!p->bound && p->cfg.unbound_size == 0)
                return -EINVAL;
        r = start_nbdkit(p);
        if (r < 0) {
                snprintf(p->error, sizeof(p->error), "cannot start nbdkit: %s", strerror(-r));
                return r;
        }

        p->g = guestfs_create_flags(GUESTFS_CREATE_NO_ENVIRONMENT);
        if (!p->g) {
                snprintf(p->error, sizeof(p->error), "cannot create libguestfs handle");
                return -ENOMEM;
        }
        guestfs_set_error_handler(p->g, NULL, NULL);
        /* A non-root libguestfs puts its socket directory in
         * $XDG_RUNTIME_DIR, else /tmp: keep it in our directory, removed
         * with the inspection.  (As root it is always /tmp: the worker's
         * private one, see sandbox.h.) */
        snprintf(runtime, sizeof(runtime), "XDG_RUNTIME_DIR=%s", p->cfg.workdir);
        if (guestfs_parse_environment_list(p->g, env) < 0) {
                set_error(p);
                return -EIO;
        }

        snprintf(server, sizeof(server), "unix:%s", p->socket_path);
        if (guestfs_set_backend(p->g, "direct") < 0 ||
            guestfs_set_backend_settings(p->g, settings) < 0 ||
            guestfs_set_network(p->g, 0) < 0 ||
            guestfs_set_autosync(p->g, 0) < 0 ||
            guestfs_set_tmpdir(p->g, p->cfg.workdir) < 0 ||
            guestfs_set_verbose(p->g, p->cfg.debug) < 0 ||
            (p->cfg.memsize_mb > 0 && guestfs_set_memsize(p->g, p->cfg.memsize_mb) < 0) ||
            (p->cfg.cachedir && guestfs_set_cachedir(p->g, p->cfg.cachedir) < 0) ||
            (p->cfg.hv && guestfs_set_hv(p->g, p->cfg.hv) < 0) ||
            /* qemu's own seccomp filter: no exec/fork, no setuid, no
             * scheduler or obsolete calls, should the guest reach qemu. */
            guestfs_config(p->g, "-sandbox", QEMU_SANDBOX) < 0 ||
            guestfs_add_drive_opts(p->g, "",
                                   GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                   GUESTFS_ADD_DRIVE_OPTS_FORMAT, p->cfg.format,
                                   GUESTFS_ADD_DRIVE_OPTS_PROTOCOL, "nbd",
                                   GUESTFS_ADD_DRIVE_OPTS_SERVER, servers,
                                   -1) < 0 ||
            guestfs_launch(p->g) < 0) {
                set_error(p);
                return -EIO;
        }
        return 0;
}

bool probe_alive(Probe *p) {
#if PVBOOT_E2E_REPLAY
        if (REPLAYING(p))
                return true;    /* a replay mismatch fails on its own */
#endif
        return p->g && guestfs_is_ready(p->g) > 0;
}

static bool skip_vfs(const char *t) {
        static const char *const skip[] = {
                "", "swap", "LVM2_member", "crypto_LUKS", "linux_raid_member", "unknown", NULL
        };
        for (const char *const *s = skip; *s; s++)
                if (strcmp(t, *s) == 0)
                        return true;
        return false;
}

/* Append the devices of src that carry a mountable filesystem. */
static int collect(Probe *p, char **src, char **out, size_t *n, bool *ret_pv) {
        for (char **d = src; d && *d; d++) {
                char *t;

                if (*n >= PROBE_MAX_FILESYSTEMS)
                        break;
                /* vfs_type is one blkid call per device: much cheaper than
                 * list_filesystems under TCG.  A device it cannot read
                 * (empty, bad superblock) is simply not a candidate. */
                guestfs_push_error_handler(p->g, NULL, NULL);
                t = guestfs_vfs_type(p->g, *d);
                guestfs_pop_error_handler(p->g);
                if (!t)
                        continue;
                if (strcmp(t, "LVM2_member") == 0)
                        *ret_pv = true;
                if (!skip_vfs(t)) {
                        out[*n] = strdup(*d);
                        if (!out[*n]) {
                                free(t);
                                return -ENOMEM;
                        }
                        (*n)++;
                }
                free(t);
        }
        return 0;
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
        char *devices[] = { PROBE_DEVICE, NULL };
        char **parts = NULL, **lvs = NULL, **out;
        size_t n = 0;
        bool pv = false;
        int r = 0;

        out = calloc(PROBE_MAX_FILESYSTEMS + 1, sizeof(char *));
        if (!out)
                return -ENOMEM;

        parts = guestfs_list_partitions(p->g);
        if (!parts) {
                set_error(p);
                r = -EIO;
                goto out;
        }
        /* A whole-disk filesystem (or PV) when there is no partition
         * table, as GRUB sees it; else partitions in table order; then
         * logical volumes. */
        if ((r = collect(p, parts[0] ? parts : devices, out, &n, &pv)) < 0)
                goto out;

        /* The appliance activated LVM at boot; a warm one booted on zeros
         * and must look again (lvm_scan).  LVM may be absent from the
         * appliance or find nothing: not an error. */
        if (pv) {
                /* No physical volume, no logical volume: skip the lvm
                 * commands, each a few hundred ms under TCG. */
                guestfs_push_error_handler(p->g, NULL, NULL);
                if (p->late)
                        (void) guestfs_lvm_scan(p->g, 1);
                lvs = guestfs_lvs(p->g);
                guestfs_pop_error_handler(p->g);
                if ((r = collect(p, lvs, out, &n, &pv)) < 0)
                        goto out;
        }

        *ret = out;
        out = NULL;
out:
        strv_free(parts);
        strv_free(lvs);
        strv_free(out);
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
        if (guestfs_mount_options(p->g, "ro,nodev,nosuid,noexec", device, "/") < 0) {
                set_error(p);
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
        if (guestfs_umount_all(p->g) < 0) {
                set_error(p);
                r = -EIO;
        }
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
        char **v;
        size_t n = 0;

        guestfs_push_error_handler(p->g, NULL, NULL);
        v = guestfs_glob_expand(p->g, pattern);
        guestfs_pop_error_handler(p->g);
        if (!v)
                return -EIO;
        while (v[n])
                n++;
        /* A guest with thousands of matching names gets the first few. */
        for (size_t i = PROBE_MAX_GLOB; i < n; i++) {
                free(v[i]);
                v[i] = NULL;
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
        struct guestfs_statns *st;
        int64_t fmt;

        guestfs_push_error_handler(p->g, NULL, NULL);
        st = guestfs_lstatns(p->g, path);
        guestfs_pop_error_handler(p->g);
        if (!st) {
                /* The daemon reports ENOENT/ENOTDIR via guestfs_last_errno.
                 * The number comes from the appliance: anything but a
                 * plausible errno is an I/O error, never a "success". */
                int e = guestfs_last_errno(p->g);
                if (e == ENOENT || e == ENOTDIR || e == 0)
                        return -ENOENT;
                return e > 0 && e < 4096 ? -e : -EIO;
        }
        fmt = st->st_mode & S_IFMT;
        ret->type = fmt == S_IFREG ? GUEST_FILE_REGULAR
                  : fmt == S_IFDIR ? GUEST_FILE_DIRECTORY
                  : fmt == S_IFLNK ? GUEST_FILE_SYMLINK
                  : GUEST_FILE_OTHER;
        ret->size = st->st_size < 0 ? 0 : (uint64_t) st->st_size;
        guestfs_free_statns(st);
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
        t = guestfs_readlink(p->g, path);
        RECORD(p, "readlink", TX_STR(path), TX_INT(t ? 0 : -EIO), TX_STR(t ? t : ""));
        if (!t) {
                set_error(p);
                return -EIO;
        }
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
                        data = guestfs_pread(p->g, fsrc->path, (int) want, (int64_t) offset, &got);
                        RECORD(p, "pread", TX_STR(fsrc->path), TX_INT(offset), TX_INT(want),
                               TX_INT(data ? 0 : -EIO), TX_BYTES(data ? data : "", data ? got : 0));
                }
                if (!data) {
                        set_error(p);
                        return -EIO;
                }
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
