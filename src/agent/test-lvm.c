/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's LVM metadata reader: the tables it would load for metadata
 * as LVM 2.03 writes it (linear, several segments out of order, striped),
 * the LVs it leaves out (hidden, thin, a PV it does not have, segments
 * with a gap), and text it refuses (truncated, too deep, too many nodes).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/lvm.h"
#include "shared/test-util.h"

static char got[4096];
static size_t got_len;

static void collect(void *userdata, const char *vg, const char *lv, const char *table, size_t n_lines) {
        (void) userdata;
        got_len += (size_t) snprintf(got + got_len, sizeof(got) - got_len, "%s/%s:", vg, lv);
        for (size_t i = 0; i < n_lines; i++, table += strlen(table) + 1)
                got_len += (size_t) snprintf(got + got_len, sizeof(got) - got_len, " [%s]", table);
        got_len += (size_t) snprintf(got + got_len, sizeof(got) - got_len, "\n");
}

static const char meta[] =
        "vg-0 {\n"
        "id = \"6V6S1J-fF1F-V9cT-rm55-9WZW-lGkx-baXW0M\"\n"
        "seqno = 4\n"
        "format = \"lvm2\" # comment\n"
        "status = [\"RESIZEABLE\", \"READ\", \"WRITE\"]\n"
        "flags = []\n"
        "extent_size = 8192\n"
        "physical_volumes {\n"
        "pv0 {\nid = \"NbWBKx-2PUE-JnaF-83u7-3dks-1iFF-eoqOGw\"\ndevice = \"/dev/sda1\"\n"
        "status = [\"ALLOCATABLE\"]\npe_start = 2048\npe_count = 15\n}\n"
        "pv1 {\nid = \"AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA\"\npe_start = 4096\npe_count = 15\n}\n"
        "pv9 {\nid = \"ZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZ\"\npe_start = 2048\npe_count = 15\n}\n"
        "}\n"
        "logical_volumes {\n"
        "root {\nid = \"x\"\nstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\nsegment_count = 1\n"
        "segment1 {\nstart_extent = 0\nextent_count = 5\ntype = \"striped\"\nstripe_count = 1 # linear\n"
        "stripes = [\n\"pv0\", 3\n]\n}\n}\n"
        "two-parts {\nstatus = [\"VISIBLE\"]\nsegment_count = 2\n"
        "segment2 {\nstart_extent = 2\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv1\", 0]\n}\n"
        "segment1 {\nstart_extent = 0\nextent_count = 2\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 8]\n}\n}\n"
        "wide {\nstatus = [\"VISIBLE\"]\nsegment_count = 1\n"
        "segment1 {\nstart_extent = 0\nextent_count = 4\ntype = \"striped\"\nstripe_count = 2\nstripe_size = 128\n"
        "stripes = [\"pv0\", 10, \"pv1\", 10]\n}\n}\n"
        "hidden {\nstatus = [\"READ\"]\nsegment_count = 1\n"
        "segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n}\n}\n"
        "thin {\nstatus = [\"VISIBLE\"]\nsegment_count = 1\n"
        "segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"thin\"\n}\n}\n"
        "elsewhere {\nstatus = [\"VISIBLE\"]\nsegment_count = 1\n"
        "segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv9\", 0]\n}\n}\n"
        "gap {\nstatus = [\"VISIBLE\"]\nsegment_count = 2\n"
        "segment1 {\nstart_extent = 0\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 0]\n}\n"
        "segment2 {\nstart_extent = 5\nextent_count = 1\ntype = \"striped\"\nstripe_count = 1\nstripes = [\"pv0\", 1]\n}\n}\n"
        "}\n}\n"
        "contents = \"Text Format Volume Group\"\nversion = 1\n";

int main(void) {
        LvmPv pvs[2] = {
                { .major = 8, .minor = 17, .uuid = "NbWBKx2PUEJnaF83u73dks1iFFeoqOGw" },
                { .major = 8, .minor = 18, .uuid = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
        };

        CHECK_EQ(lvm_parse_lvs(meta, pvs, 2, collect, NULL), 0);
        CHECK_STREQ(got,
                    "vg-0/root: [0 40960 linear 8:17 26624]\n"
                    "vg-0/two-parts: [0 16384 linear 8:17 67584] [16384 8192 linear 8:18 4096]\n"
                    "vg-0/wide: [0 32768 striped 2 128 8:17 83968 8:18 86016]\n");

        /* Text we refuse whole. */
        static const char *const bad[] = {
                "", "vg0 {\n", "vg0 {\nx = \n}\n", "vg0 {\nx = \"open\n}\n", "vg0 = 1\n", "{\n}\n",
                "vg0 {\na {\nb {\nc {\nd {\ne {\nf {\ng {\nh {\ni {\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n}\n",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                got_len = 0;
                got[0] = 0;
                CHECK_EQ(lvm_parse_lvs(bad[i], pvs, 2, collect, NULL), -EBADMSG);
                CHECK(got[0] == 0);
        }
        /* 5000 values: over the node bound. */
        size_t sz = 5000 * 8 + 64;
        char *many = malloc(sz), *p = many;
        CHECK(many);
        p += sprintf(p, "vg0 {\nl = [");
        for (int i = 0; i < 5000; i++)
                p += sprintf(p, "%d, ", i);
        sprintf(p, "]\n}\n");
        CHECK_EQ(lvm_parse_lvs(many, pvs, 2, collect, NULL), -EBADMSG);
        free(many);
        return 0;
}
