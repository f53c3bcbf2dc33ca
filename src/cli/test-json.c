/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* inspect --json: the documented keys, valid JSON whatever the strings hold. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "cli/json.h"
#include "shared/test-util.h"

static yajl_val emit(const InspectJson *j) {
        char *buf = NULL, errbuf[256];
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        CHECK(f != NULL);
        CHECK_EQ(inspect_json_write(j, f), 0);
        CHECK_EQ(fclose(f), 0);
        for (size_t i = 0; i < len; i++)        /* printable ASCII and newlines only */
                CHECK(buf[i] == '\n' || (buf[i] >= 0x20 && buf[i] < 0x7f));
        yajl_val v = yajl_tree_parse(buf, errbuf, sizeof(errbuf));
        if (!v)
                fprintf(stderr, "invalid JSON (%s):\n%s\n", errbuf, buf);
        CHECK(v != NULL);
        free(buf);
        return v;
}

static const char *str(yajl_val v, const char *key) {
        const char *path[] = { key, NULL };
        yajl_val x = yajl_tree_get(v, path, yajl_t_any);
        CHECK(x != NULL);       /* every key is always present */
        return YAJL_IS_NULL(x) ? NULL : YAJL_GET_STRING(x);
}

static void test_ok(void) {
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .outcome = DECISION_OK,
                            .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT, .path_index = 1, .n_evidence = 1,
                            .stage_us = { [STAGE_RESCAN] = 820000 } };
        snprintf(r.fs, sizeof(r.fs), "/dev/sda1");
        snprintf(r.message, sizeof(r.message), "found i386 pvboot ELF");
        snprintf(r.evidence[0], REPORT_LINE, "rule: \"quoted\" \\ back");
        Policy p;
        policy_init(&p);
        p.mode = MODE_PVSHIM;
        search_list_init(&p.search[STAGE1_I386], true, "/opt/i.bin: embedded config");
        CHECK_EQ(search_list_add(&p.search[STAGE1_I386], STAGE1_I386, SEARCH_CONFIG, "/boot/grub2/grub.cfg"), 0);
        CHECK_EQ(search_list_add(&p.search[STAGE1_I386], STAGE1_I386, SEARCH_CHAINLOAD, "/boot/pv32.elf"), 0);
        p.search[STAGE1_I386].modules_known = 1;
        p.search[STAGE1_I386].modules = UINT64_C(1) << search_module_index("xfs");
        InspectJson j = { .disk = "/srv/g.img", .mode = MODE_PVSHIM, .rep = &r, .stage1 = "/usr/lib/grub-xen/grub-i386-xen.bin",
                          .policy = &p };
        yajl_val v = emit(&j);

        CHECK_STREQ(str(v, "arch"), "i386");
        CHECK_STREQ(str(v, "kind"), "pv");
        CHECK_STREQ(str(v, "mode"), "pvshim");
        CHECK_STREQ(str(v, "source"), "pvboot");
        /* The path is our list's, entry path_index. */
        CHECK_STREQ(str(v, "guest_path"), "/boot/pv32.elf");
        {
                const char *o[] = { "search", "i386", "origin", NULL }, *e[] = { "search", "i386", "entries", NULL },
                           *m[] = { "search", "i386", "modules", NULL }, *x[] = { "search", "x86_64", "modules", NULL },
                           *pvh[] = { "search", "pvh", NULL };
                CHECK_STREQ(YAJL_GET_STRING(yajl_tree_get(v, o, yajl_t_string)), "/opt/i.bin: embedded config");
                yajl_val ents = yajl_tree_get(v, e, yajl_t_array);
                CHECK(ents && YAJL_GET_ARRAY(ents)->len == 2);
                CHECK_STREQ(str(YAJL_GET_ARRAY(ents)->values[1], "action"), "chainload");
                CHECK_STREQ(str(YAJL_GET_ARRAY(ents)->values[1], "path"), "/boot/pv32.elf");
                yajl_val mods = yajl_tree_get(v, m, yajl_t_array);
                CHECK(mods && YAJL_GET_ARRAY(mods)->len == 1);
                CHECK_STREQ(YAJL_GET_STRING(YAJL_GET_ARRAY(mods)->values[0]), "xfs");
                /* The spec's default: modules unknown; the PVH list is not the mode's. */
                CHECK(YAJL_IS_NULL(yajl_tree_get(v, x, yajl_t_any)));
                CHECK(yajl_tree_get(v, pvh, yajl_t_any) == NULL);
        }
        yajl_tree_free(v);
        /* An index our list does not chainload: no path. */
        r.path_index = 0;
        v = emit(&j);
        CHECK(str(v, "guest_path") == NULL);
        CHECK_STREQ(str(v, "filesystem"), "/dev/sda1");
        CHECK_STREQ(str(v, "stage1"), "/usr/lib/grub-xen/grub-i386-xen.bin");
        CHECK_STREQ(str(v, "decision"), "ok");
        CHECK(str(v, "error") == NULL);
        const char *ev[] = { "evidence", NULL }, *t[] = { "timing", "rescan", NULL }, *ver[] = { "version", NULL };
        yajl_val e = yajl_tree_get(v, ev, yajl_t_array);
        CHECK(e && YAJL_GET_ARRAY(e)->len == 1);
        CHECK_STREQ(YAJL_GET_STRING(YAJL_GET_ARRAY(e)->values[0]), "rule: \"quoted\" \\ back");
        CHECK(YAJL_GET_DOUBLE(yajl_tree_get(v, t, yajl_t_number)) == 0.82);
        CHECK(YAJL_GET_INTEGER(yajl_tree_get(v, ver, yajl_t_number)) == INSPECT_JSON_VERSION);
        yajl_tree_free(v);

        /* The kernels decided: source "kernel", no guest path. */
        r.source = SOURCE_GRUBCFG;
        j.mode = MODE_PVH;
        v = emit(&j);
        CHECK_STREQ(str(v, "source"), "kernel");
        CHECK_STREQ(str(v, "kind"), "pvh");
        CHECK(str(v, "guest_path") == NULL && str(v, "filesystem") == NULL);
        yajl_tree_free(v);
}

static void test_errors(void) {
        /* Nothing bootable: a decision, no arch, the reason in error. */
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .outcome = DECISION_NOTHING_FOUND };
        snprintf(r.message, sizeof(r.message), "nothing to boot");
        InspectJson j = { .disk = "d", .rep = &r, .stage1 = "/never/shown", .error = "nothing to boot" };
        yajl_val v = emit(&j);
        CHECK_STREQ(str(v, "decision"), "nothing-found");
        CHECK(str(v, "arch") == NULL && str(v, "kind") == NULL && str(v, "stage1") == NULL);
        CHECK_STREQ(str(v, "error"), "nothing to boot");
        yajl_tree_free(v);

        /* No report at all, and hostile text from argv: still valid JSON. */
        InspectJson bad = { .disk = "/x\x1b[2J\n\"\\\xff", .error = "cannot use disk /x\x1b[2J: \"no\"\n" };
        v = emit(&bad);
        CHECK(str(v, "decision") == NULL && str(v, "message") == NULL && str(v, "search") == NULL);
        CHECK(strchr(str(v, "disk"), 0x1b) == NULL && strchr(str(v, "error"), '\n') == NULL);
        yajl_tree_free(v);
}

int main(void) {
        test_ok();
        test_errors();
        return 0;
}
