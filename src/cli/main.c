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

#include "cli/args.h"
#include "cli/client.h"
#include "probe/disk-fd.h"
#include "record/xs-record.h"
#include "selector/host-caps.h"
#include "cli/json.h"
#include "cli/output.h"
#include "selector/report.h"
#include "shared/text.h"
#include "probe/worker.h"


/* Below this, a cold appliance (15-20 s to launch under TCG, more when
 * the host is busy) is not worth starting after a daemon failed us. */
#define COLD_MIN_SECONDS 30

static bool stderr_is_stdout(void) {
        struct stat a, b;
        return fstat(STDOUT_FILENO, &a) == 0 && fstat(STDERR_FILENO, &b) == 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_rdev == b.st_rdev;
}

/* As libxl's bootloader, stdout is the guest console; for inspect and
 * status it is the answer, and messages go to stderr only. */
static bool stdout_is_console = true;

/* One line on the guest console (stdout, libxl's pty) and, when it is a
 * different file, on stderr for the log.  Always printable ASCII. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...) {
        char raw[1024], buf[1024];
        const char *safe;
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        /* Report text is printable already (escaped once, where it came
         * from); argv's may not be. */
        safe = text_printable(raw, sizeof(raw), buf, sizeof(buf));
        if (stdout_is_console) {
                printf("pvboot-select: %s\n", safe);
                fflush(stdout);
        }
        if (!stdout_is_console || !stderr_is_stdout())
                fprintf(stderr, "pvboot-select: %s\n", safe);
}

static void on_signal(int sig) {
        (void) sig;
        worker_kill_current();
}

/* Open the disk, and check it with the one rule for disk descriptors. */
static int open_disk(const char *path, int *ret, char *err, size_t errlen) {
        uint64_t size;
        int r, fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0) {
                snprintf(err, errlen, "%s", strerror(errno));
                return -errno;
        }
        r = disk_fd_check(fd, 0, &size, err, errlen);
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
                if ((s == STAGE_LAUNCH && rep->stage_us[s] == 0) || n >= sizeof(line))
                        continue;
                n += (size_t) snprintf(line + n, sizeof(line) - n, "%s=%.3f ", report_stage_to_string(s),
                                       rep->stage_us[s] / 1e6);
        }
        if (n >= sizeof(line))
                n = sizeof(line) - 1;
        snprintf(line + n, sizeof(line) - n, "reply=%.3f copy=%.3f total=%.3f",
                 (inspect_usec > staged ? inspect_usec - staged : 0) / 1e6, copy_usec / 1e6, total_usec / 1e6);
        say("  timing: %s", line);
}

/* An inspection's answer, however it was obtained. */
typedef struct Inspected {
        InspectReport rep;      /* validated, status 0 */
        bool via_daemon;
        uint64_t usec;          /* the inspection call, daemon or worker */
} Inspected;

/*
 * Inspect the disk: through pvboot-selectd when it answers, else in a
 * worker here (the cold path).  0 with a report that ran (its outcome may
 * still be "nothing to boot"); -errno with the console line in err.
 */
static int inspect_guest(const Options *o, int disk_fd, const HostCaps *host, int record_fd, int replay_fd,
                         Inspected *ret, char *err, size_t errsz) {
        char why[512];
        int r;

        /* Who inspects: libxl's restrict uid (gid == uid, as pygrub does),
         * else a uid of the clone's own from the configured range (as
         * root), else our own unprivileged system user when it is
         * installed (systemd/pvboot-select.sysusers), else root, said once. */
        bool drop = o->runas_set;
        uid_t uid = o->runas;
        gid_t gid = (gid_t) o->runas;
        CloneUidRange range = { 0 };
        if (!drop && o->clone_uid_count > 0 && geteuid() == 0) {
                range = (CloneUidRange) { .base = (uid_t) o->clone_uid_base, .count = o->clone_uid_count };
                r = clone_uid_range_check(&range, why, sizeof(why));
                if (r < 0) {
                        snprintf(err, errsz, "inspection failed: %s", why);
                        return r;
                }
        } else if (!drop) {
                if (worker_default_user(&uid, &gid) == 0)
                        drop = true;
                else if (!o->not_really)
                        fprintf(stderr, "pvboot-select: no user '" PVBOOT_WORKER_USER "' and no --runas: "
                                        "the disk is inspected as root\n");
        }

        WorkerConfig wc = {
                .format = o->format,
                .tcg_cache_mb = PVBOOT_TCG_CACHE_MB_DEFAULT,
                .runas_set = drop,
                .runas = uid,
                .runas_gid = gid,
                .uids = range,
                .debug = o->debug,
                .record_fd = record_fd,
                .replay_fd = replay_fd,
        };
        DecisionInput policy = {
                .mode = o->mode,
                .force_arch = o->force_arch,
                .prefer = o->prefer,
                .host = *host,
        };
        InspectReport *rep = &ret->rep;
        *ret = (Inspected) { 0 };

        /* The daemon first, when there is one: same probe, same rule, a
         * warm appliance.  Anything short of its answer (no bus, no
         * daemon, refused, busy) takes the cold path here, said in the
         * log; a failure it reports is the answer. */
        unsigned cold_deadline = o->timeout;
        uint64_t start = now_usec();
        /* libxl's restrict mode names the uid that must inspect; the
         * daemon's clones run as uids of their own, so such a request is
         * inspected here, as that uid. */
        if (o->runas_set && !o->no_daemon && !o->not_really)
                fprintf(stderr, "pvboot-select: restrict mode (--runas=%lu): inspecting here as that uid, "
                                "not through pvboot-selectd\n", (unsigned long) o->runas);
        if (!o->no_daemon && !o->runas_set && !o->record && !o->replay) {
                ClientRequest cr = {
                        .mode = o->mode,
                        .force_arch = o->force_arch,
                        .prefer = o->prefer,
                        .host_caps = o->host_caps,
                        .format = o->format,
                        .timeout_sec = o->timeout,
                        .domid = client_domid_from_output(o->output),
                        .disk = o->disk,
                };
                BusDetails bd;
                r = client_inspect(disk_fd, &cr, rep, &bd, why, sizeof(why));
                /* The cold path gets what is left of the deadline.  A
                 * daemon that vanished late leaves too little for a cold
                 * appliance: then its failure is the answer.  (One that
                 * is simply absent costs nothing, whatever --timeout.) */
                unsigned spent = (unsigned) ((now_usec() - start) / 1000000) + 1;
                cold_deadline = spent < o->timeout ? o->timeout - spent : 0;
                if (r == -EHOSTUNREACH && spent > 2 && cold_deadline < COLD_MIN_SECONDS) {
                        snprintf(err, errsz, "inspection failed: %s, with %u s left: too late for the cold path",
                                 why, cold_deadline);
                        return -ETIMEDOUT;
                }
                /* A daemon that inspected as root is misconfigured: its
                 * answer is not the deprivileged one we require. */
                if (r == 0 && rep->worker_uid == 0) {
                        snprintf(why, sizeof(why), "pvboot-selectd inspected as root; not using it");
                        r = -EHOSTUNREACH;
                }
                if (r == -EHOSTUNREACH)
                        fprintf(stderr, "pvboot-select: %s; inspecting here (cold path)\n", why);
                else if (r < 0) {
                        snprintf(err, errsz, "inspection failed: %s", why);
                        return r;
                } else {
                        ret->via_daemon = true;
                        if (o->verbose || o->not_really)
                                say("  daemon: request %llu answered %s in %.2f s",
                                    (unsigned long long) bd.request_id,
                                    bd.cached ? "from its cache" : bd.warm ? "by a warm appliance" : "by a cold appliance",
                                    bd.seconds);
                }
        }
        if (!ret->via_daemon) {
                start = now_usec();
                /* The template root built (once per host boot, or when qemu,
                 * the appliance or the agent changed): verified, its RAM in
                 * a sealed memfd the worker's clone maps copy-on-write. */
                Template *t = NULL;
                if (replay_fd < 0) {
                        TemplateConfig tc;
                        bool rebuilt;
                        worker_template_config(o->appliance_cache, o->memsize_mb, o->debug, &tc);
                        r = template_ensure(&tc, &t, &rebuilt, why, sizeof(why));
                        if (r < 0) {
                                snprintf(err, errsz, "inspection failed: %s", why);
                                return r;
                        }
                        if (rebuilt)
                                fprintf(stderr, "pvboot-select: built the appliance template in %s (%.1f s)\n",
                                        tc.dir, (double) (now_usec() - start) / 1e6);
                        unsigned spent = (unsigned) ((now_usec() - start) / 1000000);
                        cold_deadline = spent < cold_deadline ? cold_deadline - spent : 0;
                }
                wc.template = t;
                r = worker_run(&wc, disk_fd, &policy, cold_deadline, rep);
                template_free(t);
                if (r < 0) {
                        snprintf(err, errsz, "inspection failed: %s",
                                 r == -ETIMEDOUT ? "the appliance did not answer in time" :
                                 r == -EBADMSG ? "the inspection worker returned a malformed report" :
                                 r == -EBUSY ? "every uid of the clone uid range is in use (clone_uid_count)" : strerror(-r));
                        return r;
                }
        }
        ret->usec = now_usec() - start;
        if (rep->status < 0) {
                snprintf(err, errsz, "cannot inspect %s: %s", o->disk, rep->message);
                return rep->status;
        }
        /* Restrict mode is only real if the worker says it ran as that uid.
         * The daemon's workers run as its own unprivileged user instead
         * (pvboot-selectd(8)); --no-daemon keeps libxl's uid. */
        if (drop && !ret->via_daemon && rep->worker_uid != (uint32_t) uid) {
                snprintf(err, errsz, "inspection worker ran as uid %u, not %u; refusing", rep->worker_uid,
                         (unsigned) uid);
                return -EPERM;
        }
        if (range.count > 0 && !ret->via_daemon &&
            (rep->worker_uid < range.base || rep->worker_uid - range.base >= range.count)) {
                snprintf(err, errsz, "inspection worker ran as uid %u, outside the clone uid range; refusing",
                         rep->worker_uid);
                return -EPERM;
        }
        return 0;
}

/* The host stage 1 for a positive report, after re-checking the width
 * against the hypervisor (the worker ran the rule; this part is cheap).
 * NULL with err set if the host cannot run it. */
static const char *choose_stage1(const Options *o, const HostCaps *host, const InspectReport *rep,
                                 char *err, size_t errsz) {
        if (!host_caps_allow(host, o->mode != MODE_PV, (PvArch) rep->arch)) {
                snprintf(err, errsz, "inspection worker chose a width the hypervisor cannot run; refusing");
                return NULL;
        }
        return o->mode == MODE_PVH ? o->stage1_pvh : o->stage1[rep->arch];
}

static void say_evidence(const InspectReport *rep) {
        for (uint32_t i = 0; i < rep->n_evidence; i++)
                say("  %s", rep->evidence[i]);
        say("  worker: inspected as uid %u", rep->worker_uid);
}

/* The host's capabilities: --host-caps, else read here, on the
 * privileged side, and handed to the worker. */
static int read_host(const Options *o, HostCaps *host) {
        if (o->host_caps) {
                if (host_caps_parse(o->host_caps, "--host-caps", host) < 0) {
                        say("--host-caps: not a space-separated xen_caps list");
                        return -EINVAL;
                }
        } else if (host_caps_read(host) < 0 && !o->not_really && !o->inspect)
                fprintf(stderr, "pvboot-select: hypervisor capabilities unknown (not running on Xen?); "
                                "the domain width is not checked against the host\n");
        return 0;
}

static void catch_signals(void) {
        struct sigaction sa = { .sa_handler = on_signal };
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
}

/* inspect: the decision for a person (text) or a script (--json), and
 * exit 0 when the guest is bootable, 1 when not, 2 on bad usage.  In
 * JSON mode every failure is still one JSON object, with "error" set. */
static int inspect_failed(const Options *o, const InspectReport *rep, const char *msg, int rc) {
        if (o->json) {
                InspectJson j = { .disk = o->disk, .mode = o->mode, .rep = rep, .error = msg };
                (void) inspect_json_write(&j, stdout);
        } else
                say("%s", msg);
        return rc;
}

static int inspect_main(const Options *o) {
        char err[600];
        Inspected in;
        HostCaps host;
        int disk_fd, r;

        r = open_disk(o->disk, &disk_fd, err, sizeof(err));
        if (r < 0) {
                char msg[700];
                snprintf(msg, sizeof(msg), "cannot use disk %s: %s", o->disk, err);
                return inspect_failed(o, NULL, msg, 1);
        }
        if (read_host(o, &host) < 0)
                return inspect_failed(o, NULL, "--host-caps: not a space-separated xen_caps list", 2);
        catch_signals();
        r = inspect_guest(o, disk_fd, &host, -1, -1, &in, err, sizeof(err));
        close(disk_fd);
        if (r < 0)
                return inspect_failed(o, NULL, err, 1);
        const InspectReport *rep = &in.rep;
        const char *stage1 = NULL;
        if (rep->outcome == DECISION_OK && !(stage1 = choose_stage1(o, &host, rep, err, sizeof(err))))
                return inspect_failed(o, rep, err, 1);
        if (o->json) {
                InspectJson j = { .disk = o->disk, .mode = o->mode, .rep = rep, .stage1 = stage1,
                                  .error = stage1 ? NULL : rep->message };
                return inspect_json_write(&j, stdout) < 0 ? 1 : stage1 ? 0 : 1;
        }
        char safe[512];
        printf("disk:      %s\n", text_escape(o->disk, strlen(o->disk), safe, sizeof(safe)));
        printf("mode:      %s\n", decision_mode_to_string(o->mode));
        if (stage1) {
                printf("decision:  %s %s (%s)\n", pv_arch_to_string((PvArch) rep->arch),
                       o->mode == MODE_PVH ? "PVH" : "PV",
                       rep->source == SOURCE_PVBOOT ? "the guest's pvboot ELF" : "the guest's kernels");
                if (rep->source == SOURCE_PVBOOT)
                        printf("found:     %s:%s\n", rep->fs, pvboot_paths[rep->path_index].path);
                printf("stage1:    %s\n", stage1);
        } else
                printf("decision:  none (%s)\n", decision_outcome_to_string((DecisionOutcome) rep->outcome));
        printf("message:   %s\n", rep->message);
        printf("evidence:\n");
        for (uint32_t i = 0; i < rep->n_evidence; i++)
                printf("  %s\n", rep->evidence[i]);
        printf("inspected: as uid %u, %s, in %.2f s\n", rep->worker_uid,
               in.via_daemon ? "by pvboot-selectd" : "here (cold appliance)", in.usec / 1e6);
        return stage1 ? 0 : 1;
}

static int status_main(const Options *o) {
        char err[600];
        int r = client_status(stdout, o->json, err, sizeof(err));
        if (r < 0) {
                if (o->json) {
                        yajl_gen g = json_new();
                        if (g) {
                                yajl_gen_map_open(g);
                                json_key_string(g, "error", err);
                                yajl_gen_map_close(g);
                                (void) json_write(g, stdout);
                                yajl_gen_free(g);
                        }
                }
                say("%s", err);
                /* As systemctl status: 3 for "not running". */
                return r == -EHOSTUNREACH ? 3 : 1;
        }
        return 0;
}

/*
 * pvboot-select template [--force] [--config=FILE] [--debug]: make sure
 * the appliance and its template are there and verify, building them as
 * root when they are missing, stale or damaged (--force: always, as the
 * daemon's unit does at every start, so no two host boots share a layout).
 */
static int template_main(int argc, char **argv) {
        const char *config = NULL;
        bool debug = false, force = false;
        Config conf;
        char err[600];

        for (int i = 2; i < argc; i++) {
                if (strncmp(argv[i], "--config=", 9) == 0 && argv[i][9])
                        config = argv[i] + 9;
                else if (strcmp(argv[i], "--debug") == 0)
                        debug = true;
                else if (strcmp(argv[i], "--force") == 0)
                        force = true;
                else {
                        fprintf(stderr, "pvboot-select: usage: pvboot-select template [--force] [--config=FILE] [--debug]\n");
                        return 2;
                }
        }
        if (config_load(config, &conf, err, sizeof(err)) < 0) {
                fprintf(stderr, "pvboot-select: %s\n", err);
                return 2;
        }
        TemplateConfig tc;
        worker_template_config(conf.set[CONF_APPLIANCE_CACHE] ? conf.str[CONF_APPLIANCE_CACHE] : NULL,
                               conf.set[CONF_MEMSIZE] ? (int) conf.num[CONF_MEMSIZE] : 0, debug, &tc);
        uint64_t t0 = now_usec();
        Template *t = NULL;
        bool rebuilt = false;
        int r = force ? template_build(&tc, err, sizeof(err)) : 0;
        if (r >= 0)
                r = template_ensure(&tc, &t, &rebuilt, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "pvboot-select: %s\n", err);
                return 1;
        }
        printf("template %s: key %.16s, %d MiB appliance, %s in %.1f s\n", t->dir, t->key, t->memsize_mb,
               force || rebuilt ? "built and verified" : "verified", (double) (now_usec() - t0) / 1e6);
        template_free(t);
        return 0;
}

int main(int argc, char **argv) {
        uint64_t main_start = now_usec();
        Options o;
        Config conf;
        Inspected in;
        char err[600], name[64], kernel[PATH_MAX + 64];
        char *records = NULL;
        size_t records_len = 0;
        int disk_fd = -1, dir_fd = -1, out_fd = -1, r;
        bool copied = false;

        /* The subcommands answer on stdout: messages go to stderr.  (libxl's
         * argv never starts with a word: always --options, then DISK.) */
        if (argc > 1 && (strcmp(argv[1], "inspect") == 0 || strcmp(argv[1], "status") == 0 ||
                         strcmp(argv[1], "template") == 0))
                stdout_is_console = false;
        if (argc > 1 && strcmp(argv[1], "template") == 0)
                return template_main(argc, argv);
        r = config_load(config_path_from_argv(argc, argv), &conf, err, sizeof(err));
        if (r == 0)
                r = options_parse_config(argc, argv, &conf, &o, err, sizeof(err));
        if (r < 0) {
                /* Even a usage error is JSON when JSON was asked for. */
                Options bare = { .disk = argc > 1 ? argv[argc - 1] : "" };
                for (int i = 1; i < argc; i++)
                        bare.json = bare.json || strcmp(argv[i], "--json") == 0;
                if (!stdout_is_console && bare.json && strcmp(argv[1], "inspect") == 0)
                        return inspect_failed(&bare, NULL, err, 2);
                say("%s", err);
                return 2;
        }
        if (o.help) {
                fputs(options_usage, stdout);
                return 0;
        }
        if (o.status)
                return status_main(&o);
        if (o.inspect)
                return inspect_main(&o);

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

        /* What the hypervisor runs is read here and handed to the worker;
         * we check its answer against it again. */
        HostCaps host;
        if (read_host(&o, &host) < 0)
                return 2;

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

        catch_signals();
        r = inspect_guest(&o, disk_fd, &host, record_fd, replay_fd, &in, err, sizeof(err));
        close(disk_fd);
        if (r < 0) {
                say("%s", err);
                return 1;
        }
        const InspectReport *rep = &in.rep;

        /* The decision, for the admin, in xenstore (xs-record.h): only
         * root reaches xenstored, and we are root here. */
        uint32_t domid = client_domid_from_output(o.output);
        if (domid && !o.not_really) {
                XsRecord *xs = NULL;
                r = xs_record_open(false, &xs);
                if (r == 0)
                        r = xs_record_write(xs, domid, rep);
                xs_record_free(xs);
                if (r < 0 && r != -ENOENT)
                        fprintf(stderr, "pvboot-select: cannot record the decision in xenstore: %s\n", strerror(-r));
        }
        if (o.verbose || o.not_really)
                say_evidence(rep);
        if (rep->outcome != DECISION_OK) {
                say("%s", rep->message);
                return 1;
        }

        const char *stage1 = choose_stage1(&o, &host, rep, err, sizeof(err));
        if (!stage1) {
                say("%s", err);
                return 1;
        }
        if (o.not_really) {
                say("%s (not really: %s)", rep->message, stage1);
                return 0;
        }

        /* The name is ours alone: nothing from the guest reaches a host path. */
        snprintf(name, sizeof(name), "pvboot-select-stage1-%s",
                 o.mode == MODE_PVH ? "pvh" : pv_arch_to_string((PvArch) rep->arch));
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
                say_timing(rep, in.usec, now_usec() - copy_start, now_usec() - main_start);
        say("%s", rep->message);
        close(dir_fd);
        config_free(&conf);
        return 0;
}
