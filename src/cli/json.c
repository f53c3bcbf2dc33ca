/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON output (see json.h). */
#include <errno.h>
#include <string.h>

#include "cli/json.h"
#include "shared/text.h"

yajl_gen json_new(void) {
        yajl_gen g = yajl_gen_alloc(NULL);
        if (g) {
                yajl_gen_config(g, yajl_gen_beautify, 1);
                yajl_gen_config(g, yajl_gen_validate_utf8, 1);
        }
        return g;
}

static void string(yajl_gen g, const char *s) {
        char safe[1024];
        if (!s) {
                yajl_gen_null(g);
                return;
        }
        /* Reports hold printable ASCII already; argv's text may not. */
        s = text_printable(s, strlen(s) + 1, safe, sizeof(safe));
        yajl_gen_string(g, (const unsigned char *) s, strlen(s));
}

void json_key_string(yajl_gen g, const char *key, const char *value) {
        string(g, key);
        string(g, value);
}

int json_write(yajl_gen g, FILE *f) {
        const unsigned char *buf;
        size_t len;

        if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
                return -EINVAL;
        if (fwrite(buf, 1, len, f) != len || fflush(f) != 0)
                return -EIO;
        return 0;
}

/* "search": for each stage 1 of the mode, its list and where it came from
 * (the privileged side's own lists, not the worker's word). */
static void search_lists(yajl_gen g, const Policy *p) {
        string(g, "search");
        if (!p) {
                yajl_gen_null(g);
                return;
        }
        yajl_gen_map_open(g);
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                const SearchList *l = &p->search[k];
                if (!policy_uses_stage1(p, k))
                        continue;
                string(g, stage1_kind_to_string(k));
                yajl_gen_map_open(g);
                json_key_string(g, "origin", l->origin);
                string(g, "from_image");
                yajl_gen_bool(g, l->from_image);
                string(g, "entries");
                yajl_gen_array_open(g);
                for (uint32_t i = 0; i < l->n && i < SEARCH_MAX_ENTRIES; i++) {
                        yajl_gen_map_open(g);
                        json_key_string(g, "action", search_action_to_string((SearchAction) l->entries[i].action));
                        json_key_string(g, "path", l->entries[i].path);
                        yajl_gen_map_close(g);
                }
                yajl_gen_array_close(g);
                string(g, "modules");
                if (l->modules_known) {
                        yajl_gen_array_open(g);
                        for (unsigned i = 0; search_module_name(i); i++)
                                if ((l->modules >> i) & 1)
                                        string(g, search_module_name(i));
                        yajl_gen_array_close(g);
                } else
                        yajl_gen_null(g);
                yajl_gen_map_close(g);
        }
        yajl_gen_map_close(g);
}

int inspect_json_write(const InspectJson *j, FILE *f) {
        const InspectReport *r = j->rep;
        bool ok = r && r->status == 0 && r->outcome == DECISION_OK;
        _cleanup_(yajl_gen_freep) yajl_gen g = json_new();

        if (!g)
                return -ENOMEM;
        yajl_gen_map_open(g);
        string(g, "version");
        yajl_gen_integer(g, INSPECT_JSON_VERSION);
        json_key_string(g, "disk", j->disk);
        json_key_string(g, "mode", decision_mode_to_string(j->mode));
        json_key_string(g, "decision", r && r->status == 0 ? decision_outcome_to_string((DecisionOutcome) r->outcome) : NULL);
        json_key_string(g, "arch", ok ? pv_arch_to_string((PvArch) r->arch) : NULL);
        json_key_string(g, "kind", ok ? (j->mode == MODE_PVH ? "pvh" : "pv") : NULL);
        /* "kernel": no pvboot ELF decided, the guest's kernels did. */
        json_key_string(g, "source", !ok ? NULL : r->source == SOURCE_PVBOOT ? "pvboot" : "kernel");
        json_key_string(g, "filesystem", ok && r->source == SOURCE_PVBOOT ? r->fs : NULL);
        json_key_string(g, "guest_path",
                        ok && r->source == SOURCE_PVBOOT && j->policy
                                ? policy_chainload_path(j->policy, (PvArch) r->arch, r->path_index) : NULL);
        json_key_string(g, "stage1", ok ? j->stage1 : NULL);
        json_key_string(g, "message", r ? r->message : NULL);
        string(g, "evidence");
        yajl_gen_array_open(g);
        for (uint32_t i = 0; r && i < r->n_evidence && i < REPORT_MAX_EVIDENCE; i++)
                string(g, r->evidence[i]);
        yajl_gen_array_close(g);
        string(g, "timing");
        yajl_gen_map_open(g);
        for (ReportStage s = 0; r && s < _STAGE_MAX; s++) {
                string(g, report_stage_to_string(s));
                yajl_gen_double(g, r->stage_us[s] / 1e6);
        }
        yajl_gen_map_close(g);
        search_lists(g, j->policy);
        json_key_string(g, "error", j->error);
        yajl_gen_map_close(g);
        return json_write(g, f);
}
