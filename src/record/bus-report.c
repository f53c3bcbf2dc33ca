/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* InspectReport <-> Inspect() reply (see bus-report.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "record/bus-report.h"
#include "pvboot-select-bus.h"

/* "Stages": a{su}, each stage's microseconds by name (report.h). */
static int append_stages(sd_bus_message *m, const InspectReport *r) {
        int k;

        k = sd_bus_message_open_container(m, 'e', "sv");
        if (k >= 0)
                k = sd_bus_message_append(m, "s", "Stages");
        if (k >= 0)
                k = sd_bus_message_open_container(m, 'v', "a{su}");
        if (k >= 0)
                k = sd_bus_message_open_container(m, 'a', "{su}");
        for (ReportStage s = 0; k >= 0 && s < _STAGE_MAX; s++)
                k = sd_bus_message_append(m, "{su}", report_stage_to_string(s), r->stage_us[s]);
        for (int i = 0; k >= 0 && i < 3; i++)
                k = sd_bus_message_close_container(m);
        return k;
}

/* Unknown stage names are skipped: a later daemon may measure more. */
static int read_stages(sd_bus_message *m, uint32_t stage_us[static _STAGE_MAX]) {
        const char *name;
        uint32_t us;
        int k;

        k = sd_bus_message_enter_container(m, 'v', "a{su}");
        if (k >= 0)
                k = sd_bus_message_enter_container(m, 'a', "{su}");
        while (k >= 0 && (k = sd_bus_message_read(m, "{su}", &name, &us)) > 0)
                for (ReportStage s = 0; s < _STAGE_MAX; s++)
                        if (strcmp(name, report_stage_to_string(s)) == 0)
                                stage_us[s] = us;
        if (k >= 0)
                k = sd_bus_message_exit_container(m);
        if (k >= 0)
                k = sd_bus_message_exit_container(m);
        return k;
}

int bus_report_append(sd_bus_message *m, const InspectReport *r, const BusDetails *d) {
        int k;

        if (r->status < 0)
                return -EINVAL;
        k = sd_bus_message_append(m, "sssussu",
                                  decision_outcome_to_string((DecisionOutcome) r->outcome),
                                  r->outcome == DECISION_OK ? pv_arch_to_string((PvArch) r->arch) : "",
                                  decision_source_to_string(r->outcome == DECISION_OK ? (DecisionSource) r->source : SOURCE_NONE),
                                  r->path_index, r->fs, r->message, r->worker_uid);
        if (k < 0)
                return k;
        k = sd_bus_message_open_container(m, 'a', "s");
        for (uint32_t i = 0; k >= 0 && i < r->n_evidence; i++)
                k = sd_bus_message_append(m, "s", r->evidence[i]);
        if (k >= 0)
                k = sd_bus_message_close_container(m);
        if (k >= 0)
                k = sd_bus_message_open_container(m, 'a', "{sv}");
        if (k >= 0)
                k = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}",
                                          "Warm", "b", (int) d->warm,
                                          "Cached", "b", (int) d->cached,
                                          "Seconds", "d", d->seconds,
                                          "RequestId", "t", d->request_id);
        if (k >= 0)
                k = append_stages(m, r);
        if (k >= 0)
                k = sd_bus_message_close_container(m);
        return k;
}

/* Copy a string that must fit, terminator included. */
static int copy_str(char *dst, size_t size, const char *src) {
        size_t n = strlen(src);
        if (n >= size)
                return -EBADMSG;
        memcpy(dst, src, n + 1);
        return 0;
}

static int read_details(sd_bus_message *m, BusDetails *d, uint32_t stage_us[static _STAGE_MAX]) {
        int k;

        k = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (k < 0)
                return k;
        while ((k = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *key;
                int b;

                k = sd_bus_message_read(m, "s", &key);
                if (k < 0)
                        return k;
                if (strcmp(key, "Warm") == 0 || strcmp(key, "Cached") == 0) {
                        k = sd_bus_message_read(m, "v", "b", &b);
                        if (k >= 0)
                                *(key[0] == 'W' ? &d->warm : &d->cached) = b;
                } else if (strcmp(key, "Seconds") == 0)
                        k = sd_bus_message_read(m, "v", "d", &d->seconds);
                else if (strcmp(key, "RequestId") == 0)
                        k = sd_bus_message_read(m, "v", "t", &d->request_id);
                else if (strcmp(key, "Stages") == 0)
                        k = read_stages(m, stage_us);
                else
                        k = sd_bus_message_skip(m, "v");        /* later versions may add keys */
                if (k < 0)
                        return k;
                k = sd_bus_message_exit_container(m);
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        return sd_bus_message_exit_container(m);
}

int bus_report_read(sd_bus_message *m, InspectReport *ret, BusDetails *ret_details) {
        const char *outcome, *arch, *source, *fs, *message, *line;
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION };
        BusDetails d = { 0 };
        uint32_t path_index, uid;
        int k, o, s;

        k = sd_bus_message_read(m, "sssussu", &outcome, &arch, &source, &path_index, &fs, &message, &uid);
        if (k < 0)
                return -EBADMSG;
        o = decision_outcome_from_string(outcome);
        s = decision_source_from_string(source);
        if (o < 0 || s < 0)
                return -EBADMSG;
        r.outcome = (uint32_t) o;
        r.source = (uint32_t) s;
        r.path_index = path_index;
        r.worker_uid = uid;
        if (o == DECISION_OK) {
                PvArch a = pv_arch_from_string(arch);
                if (a != PV_ARCH_I386 && a != PV_ARCH_X86_64)
                        return -EBADMSG;
                r.arch = a;
        } else if (arch[0] != 0)
                return -EBADMSG;
        if (copy_str(r.fs, sizeof(r.fs), fs) < 0 || copy_str(r.message, sizeof(r.message), message) < 0)
                return -EBADMSG;

        if (sd_bus_message_enter_container(m, 'a', "s") < 0)
                return -EBADMSG;
        while ((k = sd_bus_message_read(m, "s", &line)) > 0) {
                if (r.n_evidence >= REPORT_MAX_EVIDENCE ||
                    copy_str(r.evidence[r.n_evidence], REPORT_LINE, line) < 0)
                        return -EBADMSG;
                r.n_evidence++;
        }
        if (k < 0 || sd_bus_message_exit_container(m) < 0 || read_details(m, &d, r.stage_us) < 0)
                return -EBADMSG;
        if (report_validate(&r) < 0)
                return -EBADMSG;
        *ret = r;
        if (ret_details)
                *ret_details = d;
        return 0;
}
