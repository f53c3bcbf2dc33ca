/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-select: libxl's bootloader for Xen PV guests booted by pvgrub2.
 *
 * The privileged half: parse argv, open what libxl gave us (disk, output
 * file, output directory) while we still can, hand the disk descriptor to
 * the inspection worker, check what it reports, then copy the host stage 1
 * of the chosen width into the output directory and write the records.
 * Nothing here reads guest bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "args.h"
#include "client.h"
#include "nbd-serve.h"
#include "xs-record.h"
#include "host-caps.h"
#include "output.h"
#include "report.h"
#include "text.h"
#include "worker.h"


/* Below this, a cold appliance (15-20 s to launch under TCG, more when
 * the host is busy) is not worth starting after a daemon failed us. */
#define COLD_MIN_SECONDS 30

static bool stderr_is_stdout(void) {
        struct stat a, b;
        return fstat(STDOUT_FILENO, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_rdev == b.st_rdev;
}

/* One line on the guest console (stdout, libxl's pty) and, when it is a
 * different file, on stderr for the log.  Always printable ASCII. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
        char raw[1024], safe[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        text_escape(raw, strlen(raw), safe, sizeof(safe));
        printf("pvboot-select: %s\n", safe);
        fflush(stdout);
        if (!stderr_is_stdout())
                fprintf(stderr, "pvboot-select: %s\n", safe);
}

static void on_signal(int sig) {
        (void) sig;
        worker_kill_current();
}

/* Open the disk, and check it with the rule the NBD plugin applies. */
static int open_disk(const char *path, int *ret, char *err, size_t errlen) {
        uint64_t size;
        int r, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0) {
                snprintf(err, errlen, "%s", strerror(errno));
                return -errno;
        }
        r = nbd_bind_check(fd, 0, &size, err, errlen);
        if (r < 0) {
                close(fd);
                return r;
        }
        *ret = fd;
        return 0;
}

/*
 * Where this decision's time went (-v), one line for scripts (bench/):
 * the worker's stages (report.h; launch only when an appliance started for
 * this decision), then "reply": the rest of the inspection call (worker or
 * daemon round trip, queueing, the report's journey), "copy": the stage 1
 * and the output records, and "total": this process from start to end.
 */
static void say_timing(const InspectReport *rep, uint64_t inspect_usec, uint64_t copy_usec, uint64_t total_usec) {
        char line[256];
        size_t n = 0;
        uint64_t staged = 0;

        for (ReportStage s = 0; s < _STAGE_MAX; s++) {
                staged += rep->stage_us[s];
                if (s == STAGE_LAUNCH && rep->stage_us[s] == 0)
                        continue;
                n += (size_t) snprintf(line + n, sizeof(line) - n, "%s=%.3f ", report_stage_to_string(s),
                                       rep->stage_us[s] / 1e6);
        }
        snprintf(line + n, sizeof(line) - n, "reply=%.3f copy=%.3f total=%.3f",
                 (inspect_usec > staged ? inspect_usec - staged : 0) / 1e6, copy_usec / 1e6, total_usec / 1e6);
        say("  timing: %s", line);
}

int main(int argc, char **argv) {
        uint64_t main_start = now_usec();
        Options o;
        InspectReport rep;
        char err[512], name[64], kernel[PATH_MAX + 64];
        char *records = NULL;
        size_t records_len = 0;
        int disk_fd = -1, dir_fd = -1, out_fd = -1, r;
        bool copied = false;

        r = options_parse(argc, argv, &o, err, sizeof(err));
        if (r < 0) {
                say("%s", err);
                return 2;
        }
        if (o.help) {
                fputs(options_usage, stdout);
                return 0;
        }

        r = open_disk(o.disk, &disk_fd, err, sizeof(err));
        if (r < 0) {
                say("cannot use disk %s: %s", o.disk, err);
                return 1;
        }

        if (!o.not_really) {
                dir_fd = open(o.output_directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dir_fd < 0) {
                        say("cannot open output directory %s: %s", o.output_directory, strerror(errno));
                        return 1;
                }
                if (o.output && strcmp(o.output, "-") != 0) {
                        out_fd = open(o.output, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
                        if (out_fd < 0) {
                                say("cannot open output file %s: %s", o.output, strerror(errno));
                                return 1;
                        }
                } else
                        out_fd = STDOUT_FILENO;
        }

        /* What the hypervisor runs is read here, on the privileged side,
         * and handed to the worker; we check its answer against it again. */
        HostCaps host;
        if (o.host_caps) {
                if (host_caps_parse(o.host_caps, "--host-caps", &host) < 0) {
                        say("--host-caps: not a space-separated xen_caps list");
                        return 2;
                }
        } else if (host_caps_read(&host) < 0 && !o.not_really)
                fprintf(stderr, "pvboot-select: hypervisor capabilities unknown (not running on Xen?); "
                                "the domain width is not checked against the host\n");

        /* The e2e seam's files are opened here, by the privileged side,
         * like the disk: a --runas worker could not open them. */
        int record_fd = -1, replay_fd = -1;
        if (o.record) {
                record_fd = open(o.record, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (record_fd < 0) {
                        say("cannot open --record file %s: %s", o.record, strerror(errno));
                        return 1;
                }
        }
        if (o.replay) {
                replay_fd = open(o.replay, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                if (replay_fd < 0) {
                        say("cannot open --replay file %s: %s", o.replay, strerror(errno));
                        return 1;
                }
        }

        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);

        /* Who inspects: libxl's restrict uid (gid == uid, as pygrub does),
         * else our own unprivileged system user when it is installed
         * (systemd/pvboot-select.sysusers), else root, said once. */
        bool drop = o.runas_set;
        uid_t uid = o.runas;
        gid_t gid = (gid_t) o.runas;
        if (!drop) {
                if (worker_default_user(&uid, &gid) == 0)
                        drop = true;
                else if (!o.not_really)
                        fprintf(stderr, "pvboot-select: no user '" PVBOOT_WORKER_USER "' and no --runas: "
                                        "the disk is inspected as root\n");
        }

        WorkerConfig wc = {
                .format = o.format,
                .nbdkit = NBDKIT_PATH,
                .plugin = worker_plugin_path(),
                .runas_set = drop,
                .runas = uid,
                .runas_gid = gid,
                .debug = o.debug,
                .record_fd = record_fd,
                .replay_fd = replay_fd,
        };
        DecisionInput policy = {
                .mode = o.mode,
                .force_arch = o.force_arch,
                .prefer = o.prefer,
                .host = host,
        };
        /* The daemon first, when there is one: same probe, same rule, a
         * warm appliance.  Anything short of its answer (no bus, no
         * daemon, refused, busy) takes the cold path here, said in the
         * log; a failure it reports is the answer. */
        bool via_daemon = false;
        unsigned cold_deadline = o.timeout;
        uint64_t inspect_start = now_usec(), inspect_usec;
        if (!o.no_daemon && !o.record && !o.replay) {
                ClientRequest cr = {
                        .mode = o.mode,
                        .force_arch = o.force_arch,
                        .prefer = o.prefer,
                        .host_caps = o.host_caps,
                        .format = o.format,
                        .timeout_sec = o.timeout,
                        .domid = client_domid_from_output(o.output),
                };
                BusDetails bd;
                r = client_inspect(disk_fd, &cr, &rep, &bd, err, sizeof(err));
                /* The cold path gets what is left of the deadline.  A
                 * daemon that vanished late leaves too little for a cold
                 * appliance: then its failure is the answer.  (One that
                 * is simply absent costs nothing, whatever --timeout.) */
                unsigned spent = (unsigned) ((now_usec() - inspect_start) / 1000000) + 1;
                cold_deadline = spent < o.timeout ? o.timeout - spent : 0;
                if (r == -EHOSTUNREACH && spent > 2 && cold_deadline < COLD_MIN_SECONDS) {
                        close(disk_fd);
                        say("inspection failed: %s, with %u s left: too late for the cold path", err, cold_deadline);
                        return 1;
                }
                /* A daemon that inspected as root is misconfigured: its
                 * answer is not the deprivileged one we require. */
                if (r == 0 && rep.worker_uid == 0) {
                        snprintf(err, sizeof(err), "pvboot-selectd inspected as root; not using it");
                        r = -EHOSTUNREACH;
                }
                if (r == -EHOSTUNREACH)
                        fprintf(stderr, "pvboot-select: %s; inspecting here (cold path)\n", err);
                else if (r < 0) {
                        close(disk_fd);
                        say("inspection failed: %s", err);
                        return 1;
                } else {
                        via_daemon = true;
                        if (o.verbose || o.not_really)
                                say("  daemon: request %llu answered %s in %.2f s",
                                    (unsigned long long) bd.request_id,
                                    bd.cached ? "from its cache" : bd.warm ? "by a warm appliance" : "by a cold appliance",
                                    bd.seconds);
                }
        }
        if (!via_daemon) {
                inspect_start = now_usec();
                r = worker_run(&wc, disk_fd, &policy, cold_deadline, &rep);
        }
        inspect_usec = now_usec() - inspect_start;
        close(disk_fd);
        if (r < 0) {
                say("inspection failed: %s",
                    r == -ETIMEDOUT ? "the appliance did not answer in time" :
                    r == -EBADMSG ? "the inspection worker returned a malformed report" : strerror(-r));
                return 1;
        }
        if (rep.status < 0) {
                say("cannot inspect %s: %s", o.disk, rep.message);
                return 1;
        }
        /* Restrict mode is only real if the worker says it ran as that uid.
         * The daemon's workers run as its own unprivileged user instead
         * (pvboot-selectd(8)); --no-daemon keeps libxl's uid. */
        if (drop && !via_daemon && rep.worker_uid != (uint32_t) uid) {
                say("inspection worker ran as uid %u, not %u; refusing", rep.worker_uid, (unsigned) uid);
                return 1;
        }
        /* The decision, for the admin, in xenstore (xs-record.h): only
         * root reaches xenstored, and we are root here. */
        uint32_t domid = client_domid_from_output(o.output);
        if (domid && !o.not_really) {
                XsRecord *xs = NULL;
                r = xs_record_open(false, &xs);
                if (r == 0)
                        r = xs_record_write(xs, domid, &rep);
                xs_record_free(xs);
                if (r < 0 && r != -ENOENT)
                        fprintf(stderr, "pvboot-select: cannot record the decision in xenstore: %s\n", strerror(-r));
        }
        if (o.verbose || o.not_really) {
                for (uint32_t i = 0; i < rep.n_evidence; i++)
                        say("  %s", rep.evidence[i]);
                say("  worker: inspected as uid %u", rep.worker_uid);
        }
        if (rep.outcome != DECISION_OK) {
                say("%s", rep.message);
                return 1;
        }

        /* The worker ran the rule; the host part is cheap to re-check. */
        if (!host_caps_allow(&host, o.mode != MODE_PV, (PvArch) rep.arch)) {
                say("inspection worker chose a width the hypervisor cannot run; refusing");
                return 1;
        }

        const char *stage1 = o.mode == MODE_PVH ? o.stage1_pvh : o.stage1[rep.arch];
        if (o.not_really) {
                say("%s (not really: %s)", rep.message, stage1);
                return 0;
        }

        /* The name is ours alone: nothing from the guest reaches a host path. */
        snprintf(name, sizeof(name), "pvboot-select-stage1-%s",
                 o.mode == MODE_PVH ? "pvh" : pv_arch_to_string((PvArch) rep.arch));
        uint64_t copy_start = now_usec();
        r = stage1_copy(stage1, dir_fd, name);
        if (r < 0) {
                say("cannot copy stage 1 %s into %s: %s", stage1, o.output_directory, strerror(-r));
                return 1;
        }
        copied = true;

        r = snprintf(kernel, sizeof(kernel), "%s/%s", o.output_directory, name);
        if (r < 0 || (size_t) r >= sizeof(kernel))
                r = -ENAMETOOLONG;
        else
                r = output_format_records(o.output_format, kernel, o.args, &records, &records_len);
        if (r == 0)
                r = output_write_file(out_fd, records, records_len);
        free(records);
        if (r < 0) {
                say("cannot write the output records: %s",
                    r == -EINVAL ? "a value contains the output format's separator" : strerror(-r));
                if (copied)
                        (void) unlinkat(dir_fd, name, 0);
                if (out_fd != STDOUT_FILENO)
                        (void) ftruncate(out_fd, 0);
                return 1;
        }
        if (out_fd != STDOUT_FILENO && close(out_fd) < 0) {
                say("cannot write the output records: %s", strerror(errno));
                (void) unlinkat(dir_fd, name, 0);
                return 1;
        }

        if (o.verbose)
                say_timing(&rep, inspect_usec, now_usec() - copy_start, now_usec() - main_start);
        say("%s", rep.message);
        close(dir_fd);
        return 0;
}
