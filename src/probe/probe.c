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

#include "probe.h"
#include "text.h"

#define READ_CHUNK (1u << 20)

struct Probe {
        ProbeConfig cfg;
        guestfs_h *g;
        pid_t nbdkit_pid;
        char socket_path[sizeof(((struct sockaddr_un *) 0)->sun_path)];
        char error[512];
        bool mounted;
        uint64_t read_total;
};

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

        if (!cfg || cfg->disk_fd < 0 || !cfg->workdir || !cfg->nbdkit || !cfg->plugin || !cfg->format)
                return -EINVAL;
        p = calloc(1, sizeof(*p));
        if (!p)
                return -ENOMEM;
        p->cfg = *cfg;
        p->nbdkit_pid = -1;
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
        int lfd, r;
        pid_t pid;

        r = snprintf(p->socket_path, sizeof(p->socket_path), "%s/nbd.sock", p->cfg.workdir);
        if (r < 0 || (size_t) r >= sizeof(p->socket_path)) {
                p->socket_path[0] = 0;
                return -ENAMETOOLONG;
        }
        memcpy(sa.sun_path, p->socket_path, strlen(p->socket_path) + 1);

        lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (lfd < 0)
                return -errno;
        if (bind(lfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0) {
                r = -errno;
                close(lfd);
                return r;
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(lfd);
                return r;
        }
        if (pid == 0) {
                char listen_pid[32], fdarg[32];
                char *env[] = { listen_pid, "LISTEN_FDS=1", "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
                char *argv[] = { "nbdkit", "--exit-with-parent", "--foreground", "--readonly",
                                 (char *) p->cfg.plugin, fdarg, NULL };
                int disk, devnull;

                /* fd 3 = listening socket (socket activation), fd 4 = disk. */
                disk = fcntl(p->cfg.disk_fd, F_DUPFD_CLOEXEC, 10);
                lfd = fcntl(lfd, F_DUPFD_CLOEXEC, 10);
                if (disk < 0 || lfd < 0 || dup2(lfd, 3) < 0 || dup2(disk, 4) < 0)
                        _exit(127);
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
                snprintf(fdarg, sizeof(fdarg), "fd=4");
                execve(p->cfg.nbdkit, argv, env);
                _exit(127);
        }
        close(lfd);
        p->nbdkit_pid = pid;
        return 0;
}

int probe_launch(Probe *p) {
        char server[sizeof(p->socket_path) + 8];
        char *servers[] = { server, NULL };
        char *settings[] = { "force_tcg", NULL };
        int r;

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

        snprintf(server, sizeof(server), "unix:%s", p->socket_path);
        if (guestfs_set_backend(p->g, "direct") < 0 ||
            guestfs_set_backend_settings(p->g, settings) < 0 ||
            guestfs_set_network(p->g, 0) < 0 ||
            guestfs_set_autosync(p->g, 0) < 0 ||
            guestfs_set_tmpdir(p->g, p->cfg.workdir) < 0 ||
            guestfs_set_verbose(p->g, p->cfg.debug) < 0 ||
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

static bool skip_vfs(const char *t) {
        static const char *const skip[] = {
                "", "swap", "LVM2_member", "crypto_LUKS", "linux_raid_member", "unknown", NULL
        };
        for (const char *const *s = skip; *s; s++)
                if (strcmp(t, *s) == 0)
                        return true;
        return false;
}

static void strv_free(char **v) {
        if (!v)
                return;
        for (char **i = v; *i; i++)
                free(*i);
        free(v);
}

/* Append the devices of src that carry a mountable filesystem. */
static int collect(Probe *p, char **src, char **out, size_t *n) {
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

int probe_list_filesystems(Probe *p, char ***ret) {
        char **devices = NULL, **parts = NULL, **lvs = NULL, **out;
        size_t n = 0;
        int r = 0;

        out = calloc(PROBE_MAX_FILESYSTEMS + 1, sizeof(char *));
        if (!out)
                return -ENOMEM;

        devices = guestfs_list_devices(p->g);
        parts = guestfs_list_partitions(p->g);
        if (!devices || !parts) {
                set_error(p);
                r = -EIO;
                goto out;
        }
        /* LVM may be absent from the appliance or find nothing: not an error. */
        guestfs_push_error_handler(p->g, NULL, NULL);
        lvs = guestfs_lvs(p->g);
        guestfs_pop_error_handler(p->g);

        /* A whole-disk filesystem first (no partition table), then
         * partitions in table order, then logical volumes. */
        if ((r = collect(p, devices, out, &n)) < 0 ||
            (r = collect(p, parts, out, &n)) < 0 ||
            (r = collect(p, lvs, out, &n)) < 0)
                goto out;

        *ret = out;
        out = NULL;
out:
        strv_free(devices);
        strv_free(parts);
        strv_free(lvs);
        strv_free(out);
        return r;
}

int probe_mount(Probe *p, const char *device) {
        if (p->mounted)
                return -EBUSY;
        if (guestfs_mount_options(p->g, "ro,nodev,nosuid,noexec", device, "/") < 0) {
                set_error(p);
                return -EIO;
        }
        p->mounted = true;
        return 0;
}

int probe_umount(Probe *p) {
        if (!p->mounted)
                return 0;
        p->mounted = false;
        if (guestfs_umount_all(p->g) < 0) {
                set_error(p);
                return -EIO;
        }
        return 0;
}

int probe_glob(Probe *p, const char *pattern, char ***ret) {
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

static int ops_lstat(void *userdata, const char *path, GuestStat *ret) {
        Probe *p = userdata;
        struct guestfs_statns *st;
        int64_t fmt;

        guestfs_push_error_handler(p->g, NULL, NULL);
        st = guestfs_lstatns(p->g, path);
        guestfs_pop_error_handler(p->g);
        if (!st) {
                /* The daemon reports ENOENT/ENOTDIR via guestfs_last_errno. */
                int e = guestfs_last_errno(p->g);
                return e == ENOENT || e == ENOTDIR || e == 0 ? -ENOENT : -e;
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
        char *t = guestfs_readlink(p->g, path);
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

static int file_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        ProbeFile *fsrc = userdata;
        Probe *p = fsrc->probe;
        unsigned char *out = buf;

        /* Across all files in this inspection: a guest cannot make us read
         * more than the budget, whatever its headers claim. */
        if (len > PVBOOT_MAX_READ_TOTAL || p->read_total + len > PVBOOT_MAX_READ_TOTAL)
                return -E2BIG;
        p->read_total += len;

        while (len > 0) {
                size_t want = len < READ_CHUNK ? len : READ_CHUNK, got = 0;
                char *data = guestfs_pread(p->g, fsrc->path, (int) want, (int64_t) offset, &got);
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

void probe_file_init(ProbeFile *f, Probe *p, const char *path, uint64_t size) {
        *f = (ProbeFile) {
                .probe = p,
                .path = path,
                .source = { .size = size, .read = file_read, .userdata = f },
        };
}
