/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * nbdkit plugin: serve one guest disk descriptor, read-only, bound late.
 *
 *   nbdkit --readonly nbdkit-pvboot-fd-plugin.so control=N [size=BYTES]
 *
 * The plugin starts unbound.  Exactly one disk descriptor arrives over the
 * control socket (SCM_RIGHTS, fd N, a SOCK_SEQPACKET the prober holds);
 * the plugin checks it, answers "OK <size>" or "ERR <errno> <why>" and closes the
 * control socket: one plugin instance serves one disk, ever.
 *
 * Without size=, connections are refused until the disk is bound, and the
 * export is exactly the disk (the cold path binds before it launches the
 * appliance).  With size=, the export has that fixed size from the start
 * and serves zeros until bound: this is how a pooled appliance boots
 * before its guest is known, and libguestfs can create its qcow2 overlay
 * over a server that is already listening.  Past the disk's end the export
 * reads as zeros (nbd-serve.h).
 *
 * Why our own plugin: nbdkit 1.32 (Debian 12) has no fd= in its file
 * plugin, and reopening /proc/self/fd/N would re-check permissions that an
 * unprivileged worker fails for a root-only disk.
 */
#define NBDKIT_API_VERSION 2
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nbdkit-plugin.h>

#include "fd-util.h"
#include "nbd-serve.h"

static int control_fd = -1;
static int64_t export_size = -1;        /* size=, or -1: the bound disk's size */

/* Written once by the control thread, before 'bound' is released. */
static int disk_fd = -1;
static uint64_t disk_size;
static int bound;

static int parse_u64(const char *value, uint64_t max, uint64_t *ret) {
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(value, &end, 10);
        if (errno != 0 || end == value || *end != 0 || value[0] == '-' || v > max)
                return -1;
        *ret = v;
        return 0;
}

static int fd_config(const char *key, const char *value) {
        uint64_t v;

        if (strcmp(key, "control") == 0) {
                if (parse_u64(value, 65535, &v) < 0 || v < 3) {
                        nbdkit_error("control= needs a descriptor number >= 3");
                        return -1;
                }
                control_fd = (int) v;
        } else if (strcmp(key, "size") == 0) {
                if (parse_u64(value, INT64_MAX, &v) < 0 || v == 0 || v % 512 != 0) {
                        nbdkit_error("size= needs a positive multiple of 512");
                        return -1;
                }
                export_size = (int64_t) v;
        } else {
                nbdkit_error("unknown parameter '%s'", key);
                return -1;
        }
        return 0;
}

static int fd_config_complete(void) {
        if (control_fd < 0) {
                nbdkit_error("control= is required");
                return -1;
        }
        return 0;
}

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void reply(const char *fmt, ...) {
        char buf[512];
        va_list ap;
        int n;

        va_start(ap, fmt);
        n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n < 0)
                return;
        if ((size_t) n >= sizeof(buf))
                n = sizeof(buf) - 1;
        (void) send(control_fd, buf, (size_t) n, MSG_NOSIGNAL);
}

/* Receive one descriptor; anything else on the socket is refused. */
static int receive_disk(void) {
        char byte = 0;
        int fd = -1;
        ssize_t n = recv_with_fd(control_fd, &byte, 1, &fd);

        if (n == -EPIPE)
                return -1;      /* the prober went away: stay unbound */
        if (n != 1 || byte != 'B') {
                if (n >= 0)
                        close(fd);
                reply("ERR %d expected exactly one disk descriptor", EBADMSG);
                return -1;
        }
        return fd;
}

static void *control_thread(void *arg) {
        char err[256];
        uint64_t size;
        int fd;

        (void) arg;
        fd = receive_disk();
        if (fd >= 0) {
                int r = nbd_bind_check(fd, export_size > 0 ? (uint64_t) export_size : 0, &size, err, sizeof(err));
                if (r < 0) {
                        close(fd);
                        reply("ERR %d %s", -r, err);
                } else {
                        disk_fd = fd;
                        disk_size = size;
                        __atomic_store_n(&bound, 1, __ATOMIC_RELEASE);
                        reply("OK %" PRIu64, size);
                }
        }
        close(control_fd);
        return NULL;
}

static int fd_after_fork(void) {
        pthread_t t;
        int r = pthread_create(&t, NULL, control_thread, NULL);
        if (r != 0) {
                nbdkit_error("cannot start the control thread: %s", strerror(r));
                return -1;
        }
        pthread_detach(t);
        return 0;
}

static void *fd_open(int readonly) {
        (void) readonly;
        return NBDKIT_HANDLE_NOT_NEEDED;
}

static int64_t fd_get_size(void *handle) {
        (void) handle;
        if (export_size > 0)
                return export_size;
        if (!__atomic_load_n(&bound, __ATOMIC_ACQUIRE)) {
                nbdkit_error("no disk bound yet");
                return -1;
        }
        return (int64_t) disk_size;
}

static int fd_can_write(void *handle) {
        (void) handle;
        return 0;
}

static int fd_pread(void *handle, void *buf, uint32_t count, uint64_t offset, uint32_t flags) {
        int r;
        (void) handle;
        (void) flags;

        if (__atomic_load_n(&bound, __ATOMIC_ACQUIRE))
                r = nbd_serve_read(disk_fd, disk_size, buf, count, offset);
        else
                r = nbd_serve_read(-1, 0, buf, count, offset);
        if (r < 0) {
                nbdkit_set_error(-r);
                nbdkit_error("read at %" PRIu64 ": %s", offset,
                             r == -EIO ? "the disk shrank while served" : strerror(-r));
                return -1;
        }
        return 0;
}

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

static struct nbdkit_plugin plugin = {
        .name = "pvboot-fd",
        .version = "2",
        .longname = "pvboot-select read-only late-bound disk server",
        .config = fd_config,
        .config_complete = fd_config_complete,
        .config_help = "control=<N>   socket to receive the disk descriptor on (required)\n"
                       "size=<BYTES>  serve zeros of this size until bound",
        .after_fork = fd_after_fork,
        .open = fd_open,
        .get_size = fd_get_size,
        .can_write = fd_can_write,
        .pread = fd_pread,
};

NBDKIT_REGISTER_PLUGIN(plugin)
