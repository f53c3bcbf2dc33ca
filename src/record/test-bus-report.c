/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An InspectReport survives the bus, and a forged reply does not pass. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/bus-report.h"
#include "pvboot-select-bus.h"
#include "record/test-bus.h"
#include "shared/test-util.h"


/* A sealed message to read back, as a client would receive it. */
static sd_bus_message *new_msg(sd_bus *b) {
        sd_bus_message *m;
        CHECK(sd_bus_message_new_method_call(b, &m, NULL, "/x", "x.y", "Z") >= 0);
        return m;
}


static InspectReport sample(void) {
        InspectReport r = { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .outcome = DECISION_OK,
                            .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT, .path_index = 2, .worker_uid = 995,
                            .n_evidence = 2, .stage_us = { 0, 1500, 820000, 206000, 4000, 300 } };
        snprintf(r.fs, sizeof(r.fs), "/dev/sda1");
        snprintf(r.message, sizeof(r.message), "found i386 pvboot ELF");
        snprintf(r.evidence[0], REPORT_LINE, "pvboot /dev/sda1:/boot/xen/pvboot-i386.elf: valid");
        snprintf(r.evidence[1], REPORT_LINE, "rule: mode pv");
        return r;
}

static void test_round_trip(sd_bus *b) {
        InspectReport r = sample(), got;
        BusDetails d = { .warm = true, .seconds = 1.25, .request_id = 42 }, gd;
        sd_bus_message *m = new_msg(b);

        CHECK(bus_report_append(m, &r, &d) >= 0);
        test_bus_seal(m);
        CHECK(strcmp(sd_bus_message_get_signature(m, true), PVBOOT_BUS_INSPECT_OUT) == 0);
        CHECK_EQ(bus_report_read(m, &got, &gd), 0);
        CHECK(memcmp(&got, &r, sizeof(r)) == 0);
        CHECK(gd.warm && !gd.cached && gd.request_id == 42 && gd.seconds == 1.25);
        sd_bus_message_unref(m);

        /* A negative answer travels too. */
        r = sample();
        r.outcome = DECISION_NOTHING_FOUND;
        r.arch = 0;
        r.source = 0;
        r.path_index = 0;
        memset(r.fs, 0, sizeof(r.fs));
        m = new_msg(b);
        CHECK(bus_report_append(m, &r, &d) >= 0);
        test_bus_seal(m);
        CHECK_EQ(bus_report_read(m, &got, NULL), 0);
        CHECK(memcmp(&got, &r, sizeof(r)) == 0);
        sd_bus_message_unref(m);

        /* Failures are D-Bus errors, never a reply body. */
        r.status = -EIO;
        m = new_msg(b);
        CHECK_EQ(bus_report_append(m, &r, &d), -EINVAL);
        sd_bus_message_unref(m);
}

/* Stage names a later daemon may add are skipped; a mistyped Stages is
 * refused like any other malformed reply. */
static void test_stages(sd_bus *b) {
        InspectReport r = sample(), got;
        sd_bus_message *m;

        for (int typed = 1; typed >= 0; typed--) {
                m = new_msg(b);
                CHECK(sd_bus_message_append(m, "sssussu", "ok", "i386", "pvboot", 2u, r.fs, r.message, 995u) >= 0);
                CHECK(sd_bus_message_append(m, "as", 0) >= 0);
                if (typed)
                        CHECK(sd_bus_message_append(m, "a{sv}", 1, "Stages", "a{su}", 2, "bind", 7u, "teleport", 9u) >= 0);
                else
                        CHECK(sd_bus_message_append(m, "a{sv}", 1, "Stages", "a{ss}", 1, "bind", "7") >= 0);
                test_bus_seal(m);
                if (typed) {
                        CHECK_EQ(bus_report_read(m, &got, NULL), 0);
                        CHECK(got.stage_us[STAGE_BIND] == 7 && got.stage_us[STAGE_RESCAN] == 0);
                } else
                        CHECK_EQ(bus_report_read(m, &got, NULL), -EBADMSG);
                sd_bus_message_unref(m);
        }
}

/* Replies a well-behaved daemon never sends. */
static void forged(sd_bus *b, const char *outcome, const char *arch, const char *source, uint32_t idx,
                   const char *fs, const char *msg, unsigned n_lines, const char *line) {
        sd_bus_message *m = new_msg(b);
        InspectReport got;

        CHECK(sd_bus_message_append(m, "sssussu", outcome, arch, source, idx, fs, msg, 0u) >= 0);
        CHECK(sd_bus_message_open_container(m, 'a', "s") >= 0);
        for (unsigned i = 0; i < n_lines; i++)
                CHECK(sd_bus_message_append(m, "s", line) >= 0);
        CHECK(sd_bus_message_close_container(m) >= 0);
        CHECK(sd_bus_message_append(m, "a{sv}", 1, "Future", "s", "ignored") >= 0);
        test_bus_seal(m);
        CHECK_EQ(bus_report_read(m, &got, NULL), -EBADMSG);
        sd_bus_message_unref(m);
}

static void test_forged(sd_bus *b) {
        char longs[700];
        memset(longs, 'a', sizeof(longs) - 1);
        longs[sizeof(longs) - 1] = 0;

        forged(b, "maybe", "x86_64", "pvboot", 0, "", "m", 0, "");             /* unknown outcome */
        forged(b, "ok", "arm64", "pvboot", 0, "", "m", 0, "");                 /* unknown width */
        forged(b, "ok", "x86_64", "kernel", 0, "", "m", 0, "");                /* unknown source */
        forged(b, "ok", "x86_64", "pvboot", SEARCH_MAX_ENTRIES, "", "m", 0, "");       /* past any list */
        forged(b, "ok", "x86_64", "pvboot", UINT32_MAX, "", "m", 0, "");       /* ... far past */
        forged(b, "nothing-found", "x86_64", "none", 0, "", "m", 0, "");       /* width without a decision */
        forged(b, "ok", "x86_64", "grub-cfg", 0, "", longs, 0, "");            /* message too long */
        forged(b, "ok", "x86_64", "grub-cfg", 0, "", "\x1b[2J", 0, "");        /* escape sequence */
        forged(b, "ok", "x86_64", "grub-cfg", 0, "", "m", REPORT_MAX_EVIDENCE + 1, "l");  /* too many lines */
        forged(b, "ok", "x86_64", "grub-cfg", 0, "", "m", 1, "\x07");          /* control byte in evidence */

        /* The wrong signature altogether. */
        sd_bus_message *m = new_msg(b);
        InspectReport got;
        CHECK(sd_bus_message_append(m, "s", "ok") >= 0);
        test_bus_seal(m);
        CHECK_EQ(bus_report_read(m, &got, NULL), -EBADMSG);
        sd_bus_message_unref(m);
}

int main(void) {
        sd_bus *b = test_bus_peer();
        test_round_trip(b);
        test_stages(b);
        test_forged(b);
        sd_bus_flush_close_unref(b);
        return 0;
}
