/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The daemon, else a worker of our own (see inspection.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/console.h"
#include "cli/inspection.h"
#include "cli/stop.h"
#include "probe/disk-fd.h"
#include "probe/probe.h"
#include "probe/template.h"
#include "probe/worker.h"
#include "shared/text.h"

/* The console line for a stop (stop.h): which signal, where it found us. */
static int stopped(const char *what, char *err, size_t errsz) {
        snprintf(err, errsz, "stopped by %s %s; nothing was written", stop_signal_name(), what);
        return -ECANCELED;
}

bool inspection_may_use_daemon(const Options *o) {
        return !o->no_daemon && !o->runas_set;
}

unsigned inspection_cold_deadline(unsigned timeout, uint64_t spent_usec) {
        unsigned spent = (unsigned) (spent_usec / 1000000) + 1;
        return spent < timeout ? timeout - spent : 0;
}

/* CLIENT_ANSWERED, CLIENT_NO_DAEMON (go cold, with *cold_deadline what
 * is left), or -errno with err. */
static int ask_daemon(const Options *o, int disk_fd, Inspected *ret, unsigned *cold_deadline, char *err,
                      size_t errsz) {
        ClientRequest cr = {
                .policy = &o->policy,
                .domid = client_domid_from_output(o->output),
                .disk = o->disk,
                .stop_fd = stop_fd(),
        };
        uint64_t start = now_usec();
        char why[512];
        BusDetails bd;
        int r;

        r = client_inspect(disk_fd, &cr, &ret->rep, &bd, why, sizeof(why));
        ret->usec = now_usec() - start;
        if (r == -ECANCELED) {
                char what[600];
                snprintf(what, sizeof(what), "while pvboot-selectd inspected the disk (%s)", why);
                return stopped(what, err, errsz);
        }
        /* Stopped while we looked for the daemon (the bus driver's calls
         * return EINTR): not "unreachable, going cold". */
        if (r == CLIENT_NO_DAEMON && stop_signal())
                return stopped("while pvboot-selectd was looked for", err, errsz);
        /* The cold path gets what is left of the deadline.  A daemon that
         * vanished late leaves too little for a cold appliance: then its
         * failure is the answer.  (One that is simply absent costs
         * nothing, whatever --timeout.) */
        *cold_deadline = inspection_cold_deadline(o->policy.timeout_sec, ret->usec);
        if (r == CLIENT_NO_DAEMON && ret->usec >= 2000000 && *cold_deadline < COLD_MIN_SECONDS) {
                snprintf(err, errsz, "inspection failed: %s, with %u s left: too late for the cold path", why,
                         *cold_deadline);
                return -ETIMEDOUT;
        }
        if (r == CLIENT_NO_DAEMON) {
                console_log("%s; inspecting here (cold path)", why);
                return r;
        }
        if (r < 0) {
                snprintf(err, errsz, "inspection failed: %s", why);
                return r;
        }
        ret->via_daemon = true;
        if (o->verbose || o->not_really)
                console_say("  daemon: request %llu answered %s in %.2f s", (unsigned long long) bd.request_id,
                            bd.cached ? "from its cache" : bd.warm ? "by a warm appliance" : "by a cold appliance",
                            bd.seconds);
        return CLIENT_ANSWERED;
}

static const char *worker_error(int r) {
        return r == -ETIMEDOUT ? "the appliance did not answer in time" :
               r == -EBADMSG ? "the inspection worker returned a malformed report" :
               r == -EBUSY ? "every uid of the clone uid range is in use (clone_uid_count)" :
               r == -EPERM ? "the inspection worker answered from another uid than it was given; refusing" :
               strerror(-r);
}

/* A worker of our own, from the verified template. */
static int run_cold(const Options *o, const int *disk_fds, size_t n_disks, unsigned deadline, Inspected *ret, char *err, size_t errsz) {
        WorkerSetup setup = {
                .format = o->policy.format,
                .tcg_cache_mb = PVBOOT_TCG_CACHE_MB_DEFAULT,
                .debug = o->debug,
                .runas_set = o->runas_set,
                .runas = o->runas,
                .uids = { (uid_t) o->clone_uid_base, o->clone_uid_count },
        };
        uint64_t start = now_usec();
        WorkerConfig wc;
        char why[512];
        int r;

        r = worker_config_new(&setup, &wc, why, sizeof(why));
        if (r < 0) {
                snprintf(err, errsz, "inspection failed: %s", why);
                return r;
        }
        if (r == WORKER_USER_ROOT && !o->not_really)
                console_log("no user '" PVBOOT_WORKER_USER "' and no --runas: the disk is inspected as root");

        /* The template, root built (once per host boot, or when qemu, the
         * appliance or the agent changed): verified, its RAM in a sealed
         * memfd the worker's clone maps copy-on-write. */
        _cleanup_(template_freep) Template *t = NULL;
        if (stop_signal())
                return stopped("before the inspection started", err, errsz);
        TemplateConfig tc;
        bool rebuilt;
        worker_template_config(o->appliance_cache, o->memsize_mb, o->debug, &tc);
        r = template_ensure(&tc, &t, &rebuilt, why, sizeof(why));
        if (r < 0) {
                snprintf(err, errsz, "inspection failed: %s", why);
                return r;
        }
        if (rebuilt)
                console_log("built the appliance template in %s (%.1f s)", tc.dir,
                            (double) (now_usec() - start) / 1e6);
        unsigned spent = (unsigned) ((now_usec() - start) / 1000000);
        deadline = spent < deadline ? deadline - spent : 0;
        wc.template = t;
        r = worker_run(&wc, disk_fds, n_disks, &o->policy, deadline, &ret->rep);
        ret->usec = now_usec() - start;
        if (r == -ECANCELED)
                return stopped("during the inspection: its appliance was killed", err, errsz);
        if (r < 0) {
                snprintf(err, errsz, "inspection failed: %s", worker_error(r));
                return r;
        }
        return 0;
}

int inspection_run(const Options *o, const int *disk_fds, size_t n_disks,
                   Inspected *ret, char *err, size_t errsz) {
        unsigned cold_deadline = o->policy.timeout_sec;
        int r;

        *ret = (Inspected) { 0 };
        if (n_disks == 0 || n_disks > PROBE_MAX_DISKS) {
                snprintf(err, errsz, "at most %d disks can be inspected together", PROBE_MAX_DISKS);
                return -EINVAL;
        }
        for (size_t i = 0; i < n_disks; i++) {
                r = disk_fd_check_format(disk_fds[i], o->policy.format, err, errsz);
                if (r < 0) {
                        char why[512];
                        snprintf(why, sizeof(why), "%s", err);
                        snprintf(err, errsz, "cannot use disk %s: %s", i == 0 ? o->disk : "given by --disk", why);
                        return r;
                }
        }
        if (o->runas_set && !o->no_daemon && !o->not_really)
                console_log("restrict mode (--runas=%lu): inspecting here as that uid, not through pvboot-selectd",
                            (unsigned long) o->runas);
        if (stop_signal())
                return stopped("before the inspection started", err, errsz);
        /* pvboot-selectd's clones take one disk: a guest with others
         * (--disk) is inspected here, all its disks in one clone. */
        if (n_disks > 1 && inspection_may_use_daemon(o) && (o->verbose || o->not_really))
                console_say("  %zu disks: inspected here, in one clone (pvboot-selectd takes one disk)", n_disks);
        /* Which is which, as the evidence names them. */
        for (size_t i = 0; n_disks > 1 && i < n_disks && (o->verbose || o->not_really); i++)
                console_say("  disk /dev/sd%c: %s%s", (char) ('a' + i), i == 0 ? "" : "--disk=",
                            i == 0 ? o->disk : i - 1 < o->n_extra_disks ? o->extra_disks[i - 1] : "?");
        r = inspection_may_use_daemon(o) && n_disks == 1 ? ask_daemon(o, disk_fds[0], ret, &cold_deadline, err, errsz)
                                                         : CLIENT_NO_DAEMON;
        if (r == CLIENT_NO_DAEMON)
                r = run_cold(o, disk_fds, n_disks, cold_deadline, ret, err, errsz);
        if (r < 0)
                return r;
        if (ret->rep.status < 0) {
                snprintf(err, errsz, "cannot inspect %s: %s", o->disk, ret->rep.message);
                return ret->rep.status;
        }
        return 0;
}

unsigned inspection_margin(const Options *o) {
        return MARGIN_START + MARGIN_KILL + MARGIN_WRITE + (inspection_may_use_daemon(o) ? CLIENT_REPLY_GRACE_SEC : 0);
}

int64_t inspection_libxl_left_usec(const LibxlTimeout *t, uint64_t spent_usec) {
        if (t->kill_sec == 0)
                return INT64_MAX;
        return ((int64_t) t->kill_sec - MARGIN_START) * 1000000 - (int64_t) spent_usec;
}

int inspection_fit_libxl(Options *o, const LibxlTimeout *t, uint64_t spent_usec, char *note, size_t notesz,
                         char *err, size_t errsz) {
        unsigned own = o->policy.timeout_sec, margin = inspection_margin(o);
        char what[160], safe[96];

        note[0] = err[0] = 0;
        /* How the value was given, and what libxl's atoi() made of it. */
        if (t->text) {
                text_escape(t->text, strlen(t->text), safe, sizeof(safe));
                if (t->trailing || (t->restrict_mode && t->kill_sec == 0))
                        snprintf(what, sizeof(what), "LIBXL_BOOTLOADER_TIMEOUT='%s' (read as %ld by libxl's atoi())",
                                 safe, t->value);
                else
                        snprintf(what, sizeof(what), "LIBXL_BOOTLOADER_TIMEOUT='%s'", safe);
        } else
                snprintf(what, sizeof(what), "libxl's default timeout");

        if (!t->restrict_mode) {
                if (t->text)
                        snprintf(note, notesz, "%s is not used: libxl times its bootloader out in restrict mode only "
                                 "(LIBXL_BOOTLOADER_RESTRICT or LIBXL_BOOTLOADER_USER); the inspection keeps its own "
                                 "%u s", what, own);
                return 0;
        }
        if (t->kill_sec == 0) {
                snprintf(note, notesz, "%s: libxl sets no timeout (0 or less disables it); the inspection keeps "
                         "its own %u s", what, own);
                return 0;
        }
        /* Whole seconds: the time already spent rounded up. */
        int64_t left = ((int64_t) t->kill_sec * 1000000 - (int64_t) spent_usec) / 1000000 - margin;
        if (left < TIMEOUT_MIN) {
                snprintf(err, errsz, "%s: libxl kills the bootloader %u s after starting it, which leaves %lld s for "
                         "the inspection once %u s are kept for starting, stopping and writing the output (%.1f s "
                         "spent, counted as whole seconds); an inspection needs %d s: not starting one; raise "
                         "LIBXL_BOOTLOADER_TIMEOUT, or unset it for libxl's " STRINGIFY(LIBXL_TIMEOUT_DEFAULT) " s",
                         what, t->kill_sec, (long long) (left > 0 ? left : 0), margin, (double) spent_usec / 1e6,
                         TIMEOUT_MIN);
                return -ETIME;
        }
        if (left < own) {
                o->policy.timeout_sec = (unsigned) left;
                snprintf(note, notesz, "the inspection gets %lld s: libxl kills the bootloader at %u s, from %s, and "
                         "%u s are kept for starting, stopping and writing the output", (long long) left, t->kill_sec, what,
                         margin);
        } else if (t->text)
                snprintf(note, notesz, "%s: libxl kills the bootloader at %u s; the inspection keeps its own %u s",
                         what, t->kill_sec, own);
        return 0;
}