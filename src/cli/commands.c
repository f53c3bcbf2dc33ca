/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inspect, status and template (see commands.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/accept.h"
#include "cli/client.h"
#include "cli/commands.h"
#include "cli/extra-disks.h"
#include "cli/console.h"
#include "cli/inspection.h"
#include "cli/json.h"
#include "probe/disk-fd.h"
#include "probe/template.h"
#include "probe/worker.h"
#include "shared/macro.h"
#include "shared/text.h"

/* argv and the config file; exit code 2 on bad usage (as JSON when the
 * inspect command asked for JSON). */
int command_parse(int argc, char **argv, Config *conf, Options *o) {
        char err[600];
        int r = config_load(config_path_from_argv(argc, argv), conf, err, sizeof(err));

        if (r == 0)
                r = options_parse_config(argc, argv, conf, o, err, sizeof(err));
        if (r < 0) {
                Options bare = { .disk = argc > 1 ? argv[argc - 1] : "" };
                for (int i = 1; i < argc; i++)
                        bare.json = bare.json || strcmp(argv[i], "--json") == 0;
                if (bare.json && argc > 1 && strcmp(argv[1], "inspect") == 0)
                        return command_inspect_failed(&bare, NULL, NULL, err, 2);
                console_say("%s", err);
                return 2;
        }
        return 0;
}

int command_inspect_failed(const Options *o, const Policy *policy, const InspectReport *rep, const char *msg, int rc) {
        if (o->json) {
                InspectJson j = { .disk = o->disk, .mode = o->policy.mode, .rep = rep, .error = msg,
                                  .policy = policy };
                (void) inspect_json_write(&j, stdout);
        } else
                console_say("%s", msg);
        return rc;
}

static void print_decision(const Options *o, const Inspected *in, const char *stage1) {
        const InspectReport *rep = &in->rep;
        char safe[512];

        printf("disk:      %s\n", text_escape(o->disk, strlen(o->disk), safe, sizeof(safe)));
        printf("mode:      %s\n", decision_mode_to_string(o->policy.mode));
        if (stage1) {
                printf("decision:  %s %s (%s)\n", pv_arch_to_string((PvArch) rep->arch),
                       o->policy.mode == MODE_PVH ? "PVH" : "PV",
                       rep->source == SOURCE_PVBOOT ? "the guest's pvboot ELF" : "the guest's kernels");
                if (rep->source == SOURCE_PVBOOT)
                        printf("found:     %s:%s\n", rep->fs,
                               policy_chainload_path(&o->policy, (PvArch) rep->arch, rep->path_index));
                printf("stage1:    %s\n", stage1);
        } else
                printf("decision:  none (%s)\n", decision_outcome_to_string((DecisionOutcome) rep->outcome));
        printf("message:   %s\n", rep->message);
        printf("evidence:\n");
        for (uint32_t i = 0; i < rep->n_evidence; i++)
                printf("  %s\n", rep->evidence[i]);
        printf("inspected: as uid %u, %s, in %.2f s\n", rep->worker_uid,
               in->via_daemon ? "by pvboot-selectd" : "here (cold appliance)", in->usec / 1e6);
}

int command_inspect(const Options *o) {
        _cleanup_close_ int disk_fd = -EBADF;
        _cleanup_(extra_disks_close) ExtraDisks extra = { .n = 0 };
        int disks[1 + OPTIONS_EXTRA_DISKS_MAX];
        char err[600];
        Inspected in;
        int r;

        r = disk_fd_open(o->disk, &disk_fd, err, sizeof(err));
        if (r < 0) {
                char msg[700];
                snprintf(msg, sizeof(msg), "cannot use disk %s: %s", o->disk, err);
                return command_inspect_failed(o, &o->policy, NULL, msg, 1);
        }
        /* The domain's other disks too, as a libxl run sees them. */
        if (extra_disks_open(o, disk_fd, &extra, err, sizeof(err)) < 0)
                return command_inspect_failed(o, &o->policy, NULL, err, 1);
        r = inspection_run(o, disks, extra_disks_all(&extra, disk_fd, disks), &in, err, sizeof(err));
        if (r < 0)
                return command_inspect_failed(o, &o->policy, NULL, err, 1);
        const InspectReport *rep = &in.rep;
        const char *stage1 = NULL;
        /* -l, as pygrub -l: 0 once the disk was looked at, whatever was found. */
        int found = o->list ? 0 : 1;
        if (rep->outcome == DECISION_OK && !(stage1 = accept_stage1(o, rep, err, sizeof(err))))
                return command_inspect_failed(o, &o->policy, rep, err, found);
        if (o->json) {
                InspectJson j = { .disk = o->disk, .mode = o->policy.mode, .rep = rep, .stage1 = stage1,
                                  .policy = &o->policy, .error = stage1 ? NULL : rep->message };
                return inspect_json_write(&j, stdout) < 0 ? 1 : stage1 ? 0 : found;
        }
        print_decision(o, &in, stage1);
        return stage1 ? 0 : found;
}

int command_status(const Options *o) {
        char err[600];
        int r = client_status(stdout, o->json, err, sizeof(err));

        if (r == CLIENT_ANSWERED)
                return 0;
        if (o->json) {
                _cleanup_(yajl_gen_freep) yajl_gen g = json_new();
                if (g) {
                        yajl_gen_map_open(g);
                        json_key_string(g, "error", err);
                        yajl_gen_map_close(g);
                        (void) json_write(g, stdout);
                }
        }
        console_say("%s", err);
        /* As systemctl status: 3 for "not running". */
        return r == CLIENT_NO_DAEMON ? 3 : 1;
}

/*
 * pvboot-select template [--force] [--config=FILE] [--debug]: make sure
 * the appliance and its template are there and verify, building them as
 * root when they are missing, stale or damaged (--force: always, as the
 * daemon's unit does at every start, so no two host boots share a layout).
 */
int command_template(int argc, char **argv) {
        _cleanup_(config_free) Config conf = { 0 };
        _cleanup_(template_freep) Template *t = NULL;
        const char *config = NULL;
        bool debug = false, force = false, rebuilt = false;
        char err[600];

        for (int i = 2; i < argc; i++) {
                if (strncmp(argv[i], "--config=", 9) == 0 && argv[i][9])
                        config = argv[i] + 9;
                else if (strcmp(argv[i], "--debug") == 0)
                        debug = true;
                else if (strcmp(argv[i], "--force") == 0)
                        force = true;
                else {
                        console_log("usage: pvboot-select template [--force] [--config=FILE] [--debug]");
                        return 2;
                }
        }
        if (config_load(config, &conf, err, sizeof(err)) < 0)
                return console_log("%s", err), 2;
        TemplateConfig tc;
        worker_template_config(conf.set[CONF_APPLIANCE_CACHE] ? conf.str[CONF_APPLIANCE_CACHE] : NULL,
                               conf.set[CONF_MEMSIZE] ? (int) conf.num[CONF_MEMSIZE] : 0, debug, &tc);
        uint64_t t0 = now_usec();
        int r = force ? template_build(&tc, err, sizeof(err)) : 0;
        if (r >= 0)
                r = template_ensure(&tc, &t, &rebuilt, err, sizeof(err));
        if (r < 0)
                return console_log("%s", err), 1;
        printf("template %s: key %.16s, %d MiB appliance, %s in %.1f s\n", t->dir, t->key, t->memsize_mb,
               force || rebuilt ? "built and verified" : "verified", (double) (now_usec() - t0) / 1e6);
        return 0;
}
