/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-select: libxl's bootloader for Xen PV guests booted by pvgrub2.
 *
 * libxl's contract (tools/libs/light/libxl_bootloader.c): we get the
 * guest's disk, an output file and an output directory, the guest
 * console on stdout; we leave in the directory a kernel for the domain
 * builder, the host's own stage 1 of the guest's width, and name it in
 * the output file.  Exit 0 means boot it.
 *
 * The privileged half: parse argv, open what libxl gave us while we
 * still can, have the disk inspected (inspection.h: the daemon, or a
 * worker of our own), hold the answer to the admin's policy (accept.h),
 * record it, copy the stage 1, write the records.  Nothing here reads
 * guest bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/accept.h"
#include "cli/args.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/console.h"
#include "cli/domain.h"
#include "cli/extra-disks.h"
#include "cli/inspection.h"
#include "cli/output.h"
#include "cli/stop.h"
#include "probe/disk-fd.h"
#include "probe/probe.h"
#include "probe/worker.h"
#include "record/xs-record.h"
#include "shared/macro.h"

/* The output directory and file: opened by the privileged side while it
 * can (a --runas worker could not). */
typedef struct Outputs {
        int dir_fd, out_fd;
} Outputs;

/* Open what libxl named; why not, in err. */
static int open_said(const char *what, const char *path, int flags, int *ret, char *err, size_t errsz) {
        *ret = open(path, flags | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600);
        if (*ret >= 0)
                return 0;
        int r = -errno;
        snprintf(err, errsz, "cannot open %s %s: %s", what, path, strerror(-r));
        return r;
}

static int open_outputs(const Options *o, Outputs *ret, char *err, size_t errsz) {
        int r = 0;

        if (!o->not_really) {
                r = open_said("output directory", o->output_directory, O_RDONLY | O_DIRECTORY, &ret->dir_fd, err,
                              errsz);
                if (r == 0 && o->output && strcmp(o->output, "-") != 0)
                        r = open_said("output file", o->output, O_WRONLY | O_CREAT, &ret->out_fd, err, errsz);
                else
                        ret->out_fd = STDOUT_FILENO;
        }
        return r;
}

int main(int argc, char **argv) {
        uint64_t main_start = now_usec();
        _cleanup_close_ int disk_fd = -EBADF;
        _cleanup_(extra_disks_close) ExtraDisks extra = { .n = 0 };
        Outputs out = { -EBADF, -EBADF };
        char err[600];
        _cleanup_(config_free) Config conf = { 0 };
        Options o;
        Inspected in;
        int r;

        /* The commands answer on stdout: messages go to stderr.  (libxl's
         * argv never starts with a word: always --options, then DISK.) */
        if (argc > 1 && (strcmp(argv[1], "inspect") == 0 || strcmp(argv[1], "status") == 0 ||
                         strcmp(argv[1], "template") == 0))
                console_set_stdout_is_console(false);
        if (argc > 1 && strcmp(argv[1], "template") == 0)
                return command_template(argc, argv);
        r = command_parse(argc, argv, &conf, &o);
        if (r != 0)
                return r;
        if (o.help)
                return fputs(options_usage, stdout) < 0;
        if (o.status)
                return command_status(&o);
        /* -l answers on stdout, as inspect does. */
        if (o.list)
                console_set_stdout_is_console(false);
        /* pygrub's flags we cannot honour, once each; --args waits for the
         * stage 1, whose features decide what to say about it. */
        for (PygrubFlag f = 0; f < _PYGRUB_MAX; f++)
                if (f != PYGRUB_ARGS && (o.pygrub_ignored & (1u << f)))
                        console_say("%s", options_pygrub_note(f, false));
        /* From here on every end is said once, and journalled once
         * (console_end): a decision, a refusal or a failure. */
        RunEnd end = {
                .journal = !o.not_really,
                .domid = client_domid_from_output(o.output),
                .disk = o.disk,
                .start_usec = main_start,
        };
        /* The type libxl recorded for the domid, unless --pvh/--pvshim
         * say otherwise (domain.h): first, since it says which stage 1s
         * are read below and which one is copied. */
        if (!o.inspect) {
                bool loud = false;
                if (domain_mode_apply(&o, end.domid, err, sizeof(err), &loud) < 0)
                        return console_end(&end, 1, "%s", err);
                if (loud)
                        console_say("%s", err);
                else if (o.verbose)
                        console_log("%s", err);
        }
        /* What the hypervisor runs is read here, on the privileged side,
         * handed to the worker, and its answer checked against it again. */
        if (policy_read_host(&o.policy) < 0 && !o.not_really && !o.inspect)
                console_log("hypervisor capabilities unknown (not running on Xen?); "
                            "the domain width is not checked against the host");
        /* What the stage 1s search, read from their images here too; one
         * that cannot be read is decided for with the spec's paths, said. */
        const char *const images[_STAGE1_KIND_MAX] = {
                [STAGE1_X86_64] = o.stage1[PV_ARCH_X86_64],
                [STAGE1_I386] = o.stage1[PV_ARCH_I386],
                [STAGE1_PVH] = o.stage1_pvh,
        };
        if (policy_read_search(&o.policy, images, o.stage1_status, o.stage1_digest) > 0)
                for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++)
                        if (policy_uses_stage1(&o.policy, k) && !o.policy.search[k].from_image)
                                console_log("stage 1 %s: %s; deciding with the spec's paths", stage1_kind_to_string(k),
                                            o.policy.search[k].origin);
        /* From here a signal stops the run cleanly (stop.h); libxl's
         * output directory and file are only opened after this. */
        stop_catch_signals();
        if (o.inspect)
                return command_inspect(&o);

        /* libxl's timeout, from the environment it gave us (args.h): the
         * inspection fits inside it, or does not start. */
        LibxlTimeout lt;
        char note[700];
        if (libxl_timeout_parse(getenv("LIBXL_BOOTLOADER_RESTRICT"), getenv("LIBXL_BOOTLOADER_USER"),
                                getenv("LIBXL_BOOTLOADER_TIMEOUT"), &lt, err, sizeof(err)) < 0)
                return console_end(&end, 1, "%s", err);
        r = inspection_fit_libxl(&o, &lt, now_usec() - main_start, note, sizeof(note), err, sizeof(err));
        if (note[0])
                console_log("%s", note);
        if (r < 0)
                return console_end(&end, 1, "%s", err);
        r = disk_fd_open(o.disk, &disk_fd, err, sizeof(err));
        if (r < 0)
                return console_end(&end, 1, "cannot use disk %s: %s", o.disk, err);
        /* The domain's other disks (--disk), in its order, checked as DISK. */
        if (extra_disks_open(&o, disk_fd, &extra, err, sizeof(err)) < 0)
                return console_end(&end, 1, "%s", err);
        if (open_outputs(&o, &out, err, sizeof(err)) < 0)
                return console_end(&end, 1, "%s", err);
        _Static_assert(1 + OPTIONS_EXTRA_DISKS_MAX <= PROBE_MAX_DISKS, "one clone takes every disk --disk may name");
        int disks[1 + OPTIONS_EXTRA_DISKS_MAX];
        size_t n_disks = extra_disks_all(&extra, disk_fd, disks);
        r = inspection_run(&o, disks, n_disks, &in, err, sizeof(err));
        if (r < 0)
                return console_end(&end, 1, "%s", err);
        const InspectReport *rep = &in.rep;
        end.report = rep;
        end.via_daemon = in.via_daemon;
        /* A stop that came as the answer did: nothing is recorded or copied. */
        if (stop_signal())
                return console_end(&end, 1, "stopped by %s after the inspection; nothing was written",
                                   stop_signal_name());
        if (o.verbose || o.not_really)
                console_evidence(rep);
        /* Held to the admin's policy first (accept.h): an answer refused
         * is neither used nor recorded. */
        const char *stage1 = NULL;
        if (rep->outcome == DECISION_OK && !(stage1 = accept_stage1(&o, rep, err, sizeof(err)))) {
                end.refused = true;
                return console_end(&end, 1, "%s", err);
        }
        /* An inspection that overran (a template rebuilt first, say) must
         * not be killed by libxl in the middle of the writes below. */
        int64_t left = inspection_libxl_left_usec(&lt, now_usec() - main_start);
        if (stage1 && !o.not_really && left < (int64_t) MARGIN_WRITE * 1000000)
                return console_end(&end, 1, "the inspection ended %.1f s before libxl's timeout of %u s, too late to "
                                   "write the output safely: nothing was written; raise LIBXL_BOOTLOADER_TIMEOUT",
                                   left > 0 ? (double) left / 1e6 : 0.0, lt.kill_sec);
        if (stage1 && (o.pygrub_ignored & (1u << PYGRUB_ARGS)))
                console_say("%s", options_pygrub_note(PYGRUB_ARGS, stage1_reads_xen_grub_env(stage1)));
        /* The decision, for the admin, in xenstore (xs-record.h). */
        int swept = 0;
        r = o.not_really ? 0 : xs_record_decision(end.domid, rep, &swept);
        if (r < 0)
                console_log("cannot record the decision in xenstore: %s", strerror(-r));
        if (swept < 0)
                console_log("xenstore records of released domains left alone: cannot read the hypervisor's domain list: %s",
                            strerror(-swept));
        if (!stage1)
                return console_end(&end, 1, "%s", rep->message);
        if (o.not_really)
                return console_say("%s (not really: %s)", rep->message, stage1), 0;

        /* The name is ours alone: nothing from the guest reaches a host path. */
        char name[64];
        snprintf(name, sizeof(name), "pvboot-select-stage1-%s",
                 o.policy.mode == MODE_PVH ? "pvh" : pv_arch_to_string((PvArch) rep->arch));
        uint64_t copy_start = now_usec();
        r = output_deliver(out.dir_fd, o.output_directory, out.out_fd, o.output_format, stage1,
                           accept_stage1_digest(&o, rep), name, o.args, err, sizeof(err));
        if (r == -ECANCELED)
                return console_end(&end, 1,
                                   "stopped by %s while the stage 1 was copied; the copy is removed, nothing was written",
                                   stop_signal_name());
        if (r < 0)
                return console_end(&end, 1, "%s", err);
        if (o.verbose)
                console_timing(rep, in.usec, now_usec() - copy_start, now_usec() - main_start);
        end.stage1 = stage1;
        return console_end(&end, 0, "%s", rep->message);
}
