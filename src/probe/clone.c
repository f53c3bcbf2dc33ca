/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Appliance clones restored from the template (see clone.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe/agent-client.h"
#include "probe/clone.h"
#include "shared/fd-util.h"
#include "pvboot-select.h"
#include "probe/qmp.h"
#include "shared/macro.h"
#include "shared/text.h"

#define QEMU_BINARY "/usr/bin/qemu-system-x86_64"
#define QEMU_SANDBOX "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"
/* The descriptors qemu gets, at fixed numbers. */
#define FD_RAM 3
#define FD_STATE 4
#define FD_AGENT 5
#define FD_QMP 6
#define GUEST_TARGET 1

struct Clone {
        pid_t pid;
        int agent;
        Qmp *qmp;
        bool dead;
        bool attached;
        uint64_t deadline;      /* now_usec() by which every step ends */
        char error[512];
};

static void set_error(Clone *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(Clone *c, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
}

/* What is left of the deadline, as one step's bound: no step has a
 * budget of its own, so a machine that is slow on one step (a restore
 * under nested TCG) is not failed while the inspection has time left,
 * and none can outlast the inspection. */
static unsigned left_ms(const Clone *c) {
        uint64_t now = now_usec(), ms;
        if (now >= c->deadline)
                return 0;
        ms = (c->deadline - now + 999) / 1000;
        return ms > UINT_MAX ? UINT_MAX : (unsigned) ms;
}

void clone_set_deadline(Clone *c, uint64_t usec) {
        if (c)
                c->deadline = usec;
}

/* A QMP step that failed.  Out of time is said the way the agent's calls
 * say it, naming the step: the deadline is the inspection's, whichever
 * step it ends in. */
static void step_failed(Clone *c, int r, const char *step, const char *failed) {
        if (r == -ETIMEDOUT)
                set_error(c, "the appliance did not answer in time (%s)", step);
        else
                set_error(c, "%s: %s", failed, r == -EREMOTEIO && c->qmp ? qmp_last_error(c->qmp) : strerror(-r));
}

const char *clone_last_error(const Clone *c) {
        return c ? c->error : "";
}

pid_t clone_pid(const Clone *c) {
        return c ? c->pid : -1;
}

void clone_argv_free(char **argv) {
        if (!argv)
                return;
        for (char **a = argv; *a; a++)
                free(*a);
        free(argv);
}

static bool has_id(const char *opt, const char *id) {
        size_t n = strlen(id);
        for (const char *p = strstr(opt, "id="); p; p = strstr(p + 1, "id="))
                if ((p == opt || p[-1] == ',') && strncmp(p + 3, id, n) == 0 && (p[3 + n] == ',' || !p[3 + n]))
                        return true;
        return false;
}

static int push(char **v, size_t *n, size_t max, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int push(char **v, size_t *n, size_t max, const char *fmt, ...) {
        va_list ap;
        char *s;
        if (*n >= max)
                return -E2BIG;
        va_start(ap, fmt);
        int r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        v[(*n)++] = s;
        return 0;
}

char **clone_argv(const Template *t, const CloneConfig *cfg, int ram_fd, int agent_fd, int qmp_fd) {
        size_t max = TEMPLATE_MAX_ARGS + 16, n = 0;
        _cleanup_(clone_argv_freep) char **v = calloc(max + 1, sizeof(char *));
        uint8_t g[16];
        int r = 0;

        if (!v)
                return NULL;
        /* A new VM generation ID for each clone: the appliance kernel
         * reseeds its RNG when it changes (clones share the template's). */
        _cleanup_close_ int rnd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (rnd < 0 || read(rnd, g, sizeof(g)) != sizeof(g))
                return NULL;
        rnd = safe_close(rnd);
        g[6] = (uint8_t) ((g[6] & 0x0f) | 0x40);
        g[8] = (uint8_t) ((g[8] & 0x3f) | 0x80);

        r = push(v, &n, max, "%s", QEMU_BINARY);
        for (size_t i = 1; r >= 0 && t->argv[i]; i++) {
                const char *a = t->argv[i], *val = t->argv[i + 1];
                static const char *const with_value[] = {
                        "-global", "-display", "-machine", "-cpu", "-m", "-rtc", "-kernel", "-initrd", "-object",
                        "-device", "-drive", "-serial", "-chardev", "-append", "-mon", "-accel", "-smp", "-qmp",
                        "-sandbox", "-incoming", "-name", "-boot", "-L", "-bios", NULL
                };
                bool takes = false;
                for (const char *const *w = with_value; *w && val; w++)
                        takes = takes || strcmp(a, *w) == 0;
                if (!takes) {
                        r = push(v, &n, max, "%s", a);
                        continue;
                }
                i++;
                if (strcmp(a, "-drive") == 0 && has_id(val, "appliance"))
                        /* The template's root disk, never written: each clone
                         * writes to its own snapshot in $TMPDIR. */
                        r = push(v, &n, max, "-drive") ?: push(v, &n, max,
                                "file=%s/root.qcow2,format=qcow2,id=appliance,cache=unsafe,if=none,snapshot=on", t->dir);
                else if (strcmp(a, "-object") == 0 && has_id(val, "pvbram"))
                        r = push(v, &n, max, "-object") ?: push(v, &n, max,
                                "memory-backend-file,id=pvbram,size=%dM,mem-path=/proc/self/fd/%d,share=off",
                                t->memsize_mb, ram_fd);
                else if (strcmp(a, "-chardev") == 0 && has_id(val, "channel0"))
                        /* guestfsd's channel: connected, silent.  It must not see
                         * EOF, or guestfsd exits and the appliance reboots. */
                        r = push(v, &n, max, "-chardev") ?: push(v, &n, max, "file,id=channel0,path=/dev/null");
                else if (strcmp(a, "-chardev") == 0 && has_id(val, "pvbagent"))
                        r = push(v, &n, max, "-chardev") ?: push(v, &n, max, "socket,id=pvbagent,fd=%d", agent_fd);
                else if (strcmp(a, "-chardev") == 0 && has_id(val, "pvbqmp"))
                        r = push(v, &n, max, "-chardev") ?: push(v, &n, max, "socket,id=pvbqmp,fd=%d", qmp_fd);
                else if (strcmp(a, "-device") == 0 && strncmp(val, "vmgenid,", 8) == 0)
                        r = push(v, &n, max, "-device") ?: push(v, &n, max,
                                "vmgenid,guid=%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                                g[0], g[1], g[2], g[3], g[4], g[5], g[6], g[7], g[8], g[9], g[10], g[11], g[12],
                                g[13], g[14], g[15]);
                else if (strcmp(a, "-machine") == 0 && strncmp(val, "accel=tcg", 9) == 0 && cfg->tcg_cache_mb > 0) {
                        /* TCG's translation cache, 1 GiB by default, sized here. */
                        if (val[9] == ',')
                                r = push(v, &n, max, "-machine") ?: push(v, &n, max, "%s", val + 10);
                        if (r >= 0)
                                r = push(v, &n, max, "-accel") ?: push(v, &n, max, "tcg,tb-size=%u", cfg->tcg_cache_mb);
                } else if (strcmp(a, "-sandbox") == 0 || strcmp(a, "-incoming") == 0)
                        continue;
                else
                        r = push(v, &n, max, "%s", a) ?: push(v, &n, max, "%s", val);
        }
        if (r >= 0)
                r = push(v, &n, max, "-sandbox") ?: push(v, &n, max, "%s", QEMU_SANDBOX) ?:
                    push(v, &n, max, "-incoming") ?: push(v, &n, max, "defer");
        if (r < 0)
                return NULL;
        return TAKE_PTR(v);
}

static _Noreturn void exec_qemu(char **argv, int ram, int state, int agent, int qmp, bool debug) {
        int fds[] = { ram, state, agent, qmp };
        /* The root disk's snapshot (snapshot=on) goes to $TMPDIR: the
         * worker's private, size-bounded /tmp.  qemu 7.2's
         * create_tmp_file() swaps a TMPDIR of exactly "/tmp" for
         * /var/tmp (large images belong on disk), which is dom0's disk,
         * unbounded, and keeps a killed clone's snapshot: "/tmp/." names
         * the same directory without being "/tmp". */
        char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TMPDIR=/tmp/.", NULL };

        (void) prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* Above every target number first, so no dup2 clobbers a source. */
        for (size_t i = 0; i < 4; i++) {
                fds[i] = fcntl(fds[i], F_DUPFD, 20);
                if (fds[i] < 0)
                        _exit(127);
        }
        for (int i = 0; i < 4; i++)
                if (dup2(fds[i], FD_RAM + i) < 0)
                        _exit(127);
        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (null < 0 || dup2(null, STDIN_FILENO) < 0 || (!debug && dup2(null, STDOUT_FILENO) < 0))
                _exit(127);
        if (debug)
                (void) dup2(STDERR_FILENO, STDOUT_FILENO);
        else if (dup2(null, STDERR_FILENO) < 0)
                _exit(127);
        for (int fd = FD_QMP + 1; fd < 1024; fd++)
                (void) close(fd);
        execve(QEMU_BINARY, argv, env);
        _exit(127);
}

int clone_call(Clone *c, AgentOp op, uint32_t arg, uint64_t offset, const char *payload,
               void *buf, size_t bufsz, size_t *ret_len) {
        size_t len;
        bool failed;
        int r;

        if (ret_len)
                *ret_len = 0;
        if (c->dead)
                return -EIO;
        r = agent_call(c->agent, left_ms(c), op, arg, offset, payload, buf, bufsz, &len, &failed);
        if (failed && r != -ENAMETOOLONG) {
                c->dead = true;
                set_error(c, "%s", r == -ETIMEDOUT ? "the appliance did not answer in time"
                                   : r == -EBADMSG ? "the appliance's agent answered garbage"
                                   : "the appliance died");
                return r == -ETIMEDOUT || r == -EBADMSG ? r : -EIO;
        }
        if (ret_len)
                *ret_len = len;
        return r;
}

bool clone_alive(Clone *c) {
        if (!c || c->dead || c->pid <= 0)
                return false;
        if (waitpid(c->pid, NULL, WNOHANG) != 0) {
                c->pid = -1;
                c->dead = true;
                return false;
        }
        return true;
}

static int restore(Clone *c) {
        static const char *p_status[] = { "status", NULL };
        int r;

        r = qmp_execute(c->qmp, "{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":"
                                "[{\"capability\":\"x-ignore-shared\",\"state\":true}]}}", -1, left_ms(c), NULL);
        if (r >= 0)
                r = qmp_execute(c->qmp, "{\"execute\":\"migrate-incoming\",\"arguments\":{\"uri\":\"fd:" STRINGIFY(FD_STATE) "\"}}",
                                -1, left_ms(c), NULL);
        while (r >= 0) {
                _cleanup_(yajl_tree_freep) yajl_val doc = NULL;
                yajl_val s;
                r = qmp_execute(c->qmp, "{\"execute\":\"query-status\"}", -1, left_ms(c), &doc);
                if (r < 0)
                        break;
                s = yajl_tree_get(qmp_return(doc), p_status, yajl_t_string);
                const char *v = s ? YAJL_GET_STRING(s) : "";
                bool running = strcmp(v, "running") == 0, waiting = strcmp(v, "inmigrate") == 0;
                if (running)
                        return 0;
                if (!waiting)
                        return -EBADMSG;
                if (now_usec() >= c->deadline)
                        return -ETIMEDOUT;
                usleep(2000);
        }
        return r;
}

/* qemu from the template, restored, its agent greeted; c is the caller's
 * on every path.  qemu gets the RAM memfd, the state, the agent's and
 * QMP's ends at FD_RAM..FD_QMP (exec_qemu); we keep the other ends. */
static int launch(Clone *c, const CloneConfig *cfg) {
        _cleanup_close_pair_ int agent[2] = { -EBADF, -EBADF };
        _cleanup_close_pair_ int qmp[2] = { -EBADF, -EBADF };
        _cleanup_(clone_argv_freep) char **argv = NULL;
        _cleanup_close_ int state = -EBADF;
        int r;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, agent) < 0 ||
            socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp) < 0) {
                r = -errno;
                set_error(c, "cannot make the clone's sockets: %s", strerror(-r));
                return r;
        }
        argv = clone_argv(cfg->template, cfg, FD_RAM, FD_AGENT, FD_QMP);
        if (!argv) {
                set_error(c, "cannot build the clone's command line");
                return -ENOMEM;
        }
        /* The stream from its start, whatever an earlier clone read: a
         * description of our own, not a dup sharing the file offset. */
        char self[64];
        snprintf(self, sizeof(self), "/proc/self/fd/%d", cfg->template->state_fd);
        state = open(self, O_RDONLY | O_CLOEXEC);
        if (state < 0) {
                r = -errno;
                set_error(c, "cannot reopen the template's state: %s", strerror(-r));
                return r;
        }
        c->pid = fork();
        if (c->pid < 0) {
                r = -errno;
                set_error(c, "cannot start qemu: %s", strerror(-r));
                return r;
        }
        if (c->pid == 0)
                exec_qemu(argv, cfg->template->ram_fd, state, agent[1], qmp[1], cfg->debug);
        /* The child has its copies; of the sockets we keep our two ends. */
        state = safe_close(state);
        clone_argv_free(TAKE_PTR(argv));
        agent[1] = safe_close(agent[1]);
        qmp[1] = safe_close(qmp[1]);
        c->agent = TAKE_FD(agent[0]);

        r = qmp_new(TAKE_FD(qmp[0]), left_ms(c), &c->qmp);
        if (r < 0) {
                step_failed(c, r, "qemu's monitor", "qemu did not start");
                return r;
        }
        r = restore(c);
        if (r < 0) {
                step_failed(c, r, "restoring it", "restoring the appliance failed");
                return r;
        }
        char hello[64];
        size_t len;
        r = clone_call(c, AGENT_OP_HELLO, 0, 0, NULL, hello, sizeof(hello) - 1, &len);
        if (r < 0)
                return r;
        hello[len] = 0;
        if (strncmp(hello, "pvboot-agent ", 13) != 0) {
                set_error(c, "the appliance's agent is not ours");
                return -EBADMSG;
        }
        return 0;
}

int clone_start(const CloneConfig *cfg, Clone **ret) {
        Clone *c;
        int r;

        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        *ret = c;
        c->pid = -1;
        c->agent = -1;
        c->deadline = cfg->deadline;
        if (c->deadline == 0 || now_usec() >= c->deadline) {
                c->dead = true;
                set_error(c, "%s", c->deadline == 0 ? "no deadline for the clone"
                                   : "no time left to restore the appliance");
                return c->deadline == 0 ? -EINVAL : -ETIMEDOUT;
        }
        r = launch(c, cfg);
        if (r < 0)
                c->dead = true;
        return r;
}

/* Disk i as the appliance's SCSI target GUEST_TARGET + i, read-only, from
 * the descriptor: qemu opens /dev/fdset/<1+i>, a dup of ours. */
static int attach_one(Clone *c, size_t i, int disk_fd, const char *format) {
        char cmd[512];
        int r;

        snprintf(cmd, sizeof(cmd), "{\"execute\":\"add-fd\",\"arguments\":{\"fdset-id\":%zu}}", i + 1);
        r = qmp_execute(c->qmp, cmd, disk_fd, left_ms(c), NULL);
        if (r < 0)
                return r;
        /* A qcow2's backing file is a path the guest chose: never opened. */
        snprintf(cmd, sizeof(cmd),
                 "{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"%s\",\"node-name\":\"guest%zu\","
                 "\"read-only\":true,%s\"file\":{\"driver\":\"file\",\"filename\":\"/dev/fdset/%zu\","
                 "\"read-only\":true}}}", format, i, strcmp(format, "qcow2") == 0 ? "\"backing\":null," : "", i + 1);
        r = qmp_execute(c->qmp, cmd, -1, left_ms(c), NULL);
        if (r < 0)
                return r;
        snprintf(cmd, sizeof(cmd),
                 "{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"scsi-hd\",\"bus\":\"scsi.0\","
                 "\"drive\":\"guest%zu\",\"id\":\"guest%zu\",\"scsi-id\":%zu}}", i, i, GUEST_TARGET + i);
        return qmp_execute(c->qmp, cmd, -1, left_ms(c), NULL);
}

bool clone_via_valid(uint32_t via) {
        return !(via & ~AGENT_VIA_ALL) && (!(via & AGENT_VIA_MD_LEVELS) || (via & AGENT_VIA_MD_METADATA));
}

int clone_attach(Clone *c, const int *disk_fds, size_t n_disks, const char *format, AgentDevice *ret, size_t max,
                 size_t *ret_n) {
        size_t len;
        int r = 0;

        *ret_n = 0;
        if (c->attached || c->dead || n_disks == 0 || n_disks > AGENT_MAX_DISKS)
                return -EINVAL;
        c->attached = true;
        if (strcmp(format, "raw") != 0 && strcmp(format, "qcow2") != 0) {
                set_error(c, "disk format %s is not supported (raw or qcow2)", format);
                return -EINVAL;
        }
        for (size_t i = 0; i < n_disks && r >= 0; i++)
                r = attach_one(c, i, disk_fds[i], format);
        if (r < 0) {
                step_failed(c, r, "attaching the disk", "cannot attach the disk to the appliance");
                return r == -EREMOTEIO ? -EIO : r;
        }
        r = clone_call(c, AGENT_OP_ATTACH, GUEST_TARGET, n_disks, NULL, ret, max * sizeof(AgentDevice), &len);
        if (r < 0) {
                if (!c->dead)
                        set_error(c, "the appliance cannot see the disk: %s", strerror(-r));
                return r;
        }
        if (len % sizeof(AgentDevice) != 0) {
                c->dead = true;
                set_error(c, "the appliance's agent answered garbage");
                return -EBADMSG;
        }
        *ret_n = len / sizeof(AgentDevice);
        for (size_t i = 0; i < *ret_n; i++) {
                /* Hostile: force termination; the caller escapes for display. */
                ret[i].name[sizeof(ret[i].name) - 1] = 0;
                ret[i].fstype[sizeof(ret[i].fstype) - 1] = 0;
                /* What the inspection acts on must be what we asked for:
                 * one of our disks, flags we know. */
                if (ret[i].disk >= n_disks || (ret[i].flags & ~(AGENT_DEVICE_DEFAULT_SUBVOL | AGENT_DEVICE_UNREAD))) {
                        c->dead = true;
                        set_error(c, "the appliance's agent listed a filesystem on disk %" PRIu32 " with flags %#" PRIx32
                                  " (%zu disks attached)", ret[i].disk, ret[i].flags, n_disks);
                        return -EBADMSG;
                }
                /* The layers it is reached through decide which modules
                 * the stage 1 needs (rule 6): facts we know, and an md
                 * level only with an md metadata version. */
                if (!clone_via_valid(ret[i].via) || ret[i].reserved != 0) {
                        c->dead = true;
                        set_error(c, "the appliance's agent listed a filesystem reached through layers %#" PRIx32
                                  " (reserved %#" PRIx32 ")", ret[i].via, ret[i].reserved);
                        return -EBADMSG;
                }
                /* Mounts are asked for by name: two filesystems of one name
                 * (LV names cut to fit, or a lying agent) would make one
                 * of them read twice and the other never. */
                for (size_t j = 0; j < i; j++)
                        if (strcmp(ret[i].name, ret[j].name) == 0) {
                                c->dead = true;
                                set_error(c, "the appliance's agent listed two filesystems as %s", ret[i].name);
                                return -EBADMSG;
                        }
        }
        return 0;
}

Clone *clone_free(Clone *c) {
        if (!c)
                return NULL;
        if (c->pid > 0) {
                kill(c->pid, SIGKILL);
                while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        qmp_free(c->qmp);
        safe_close(c->agent);
        free(c);
        return NULL;
}
