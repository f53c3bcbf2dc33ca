/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The search lists survive the bus; what a caller may forge does not pass. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "record/bus-search.h"
#include "record/test-bus.h"
#include "shared/test-util.h"


static sd_bus_message *new_msg(sd_bus *b) {
        sd_bus_message *m;
        CHECK(sd_bus_message_new_method_call(b, &m, NULL, "/x", "x.y", "Z") >= 0);
        CHECK(sd_bus_message_open_container(m, 'a', "{sv}") >= 0);
        return m;
}

static void seal(sd_bus_message *m) {
        CHECK(sd_bus_message_close_container(m) >= 0);
        test_bus_seal(m);
}

/* Read the one option back, as manager-bus.c does. */
static int read_back(sd_bus_message *m, Policy *p, char *err, size_t errsz) {
        const char *key;
        CHECK(sd_bus_message_enter_container(m, 'a', "{sv}") > 0);
        CHECK(sd_bus_message_enter_container(m, 'e', "sv") > 0);
        CHECK(sd_bus_message_read(m, "s", &key) > 0);
        CHECK_STREQ(key, BUS_SEARCH_KEY);
        return bus_search_read(m, p, err, errsz);
}

static void test_round_trip(sd_bus *b) {
        Policy p, got;
        char err[256];
        sd_bus_message *m;

        policy_init(&p);
        search_list_init(&p.search[STAGE1_X86_64], true, "/opt/x.bin: embedded config");
        CHECK_EQ(search_list_add(&p.search[STAGE1_X86_64], STAGE1_X86_64, SEARCH_CONFIG, "/boot/grub2/grub.cfg"), 0);
        CHECK_EQ(search_list_add(&p.search[STAGE1_X86_64], STAGE1_X86_64, SEARCH_CHAINLOAD, "/x.elf"), 0);
        p.search[STAGE1_X86_64].modules_known = 1;
        p.search[STAGE1_X86_64].modules = UINT64_C(1) << search_module_index("ext2") |
                                          UINT64_C(1) << search_module_index("lvm");
        search_list_spec_default(STAGE1_I386, "/opt/i.bin: not an ELF file", &p.search[STAGE1_I386]);

        m = new_msg(b);
        CHECK(bus_search_append(m, &p) >= 0);
        seal(m);
        policy_init(&got);
        CHECK_EQ(read_back(m, &got, err, sizeof(err)), 0);
        CHECK(memcmp(&got.search[STAGE1_X86_64], &p.search[STAGE1_X86_64], sizeof(SearchList)) == 0);
        CHECK(memcmp(&got.search[STAGE1_I386], &p.search[STAGE1_I386], sizeof(SearchList)) == 0);
        /* PV mode sends no PVH list: the receiver's stays its own. */
        CHECK_STREQ(got.search[STAGE1_PVH].origin, "spec default: no stage 1 read");
        sd_bus_message_unref(m);

        /* PVH mode sends the PVH list only. */
        p.mode = MODE_PVH;
        search_list_init(&p.search[STAGE1_PVH], true, "/opt/p.bin: memdisk grub.cfg");
        CHECK_EQ(search_list_add(&p.search[STAGE1_PVH], STAGE1_PVH, SEARCH_CONFIG, "/grub2/grub.cfg"), 0);
        m = new_msg(b);
        CHECK(bus_search_append(m, &p) >= 0);
        seal(m);
        policy_init(&got);
        CHECK_EQ(read_back(m, &got, err, sizeof(err)), 0);
        CHECK(memcmp(&got.search[STAGE1_PVH], &p.search[STAGE1_PVH], sizeof(SearchList)) == 0);
        CHECK_STREQ(got.search[STAGE1_X86_64].origin, "spec default: no stage 1 read");
        sd_bus_message_unref(m);
}

/* One forged list: kind, then entries, then modules, as a caller may send them. */
static int forged(sd_bus *b, const char *kind, const char *origin, const char *const *entries, unsigned n_modules,
                  const char *module, char *err, size_t errsz) {
        sd_bus_message *m = new_msg(b);
        Policy p;
        int r;

        CHECK(sd_bus_message_open_container(m, 'e', "sv") >= 0);
        CHECK(sd_bus_message_append(m, "s", BUS_SEARCH_KEY) >= 0);
        CHECK(sd_bus_message_open_container(m, 'v', BUS_SEARCH_SIGNATURE) >= 0);
        CHECK(sd_bus_message_open_container(m, 'a', "(ssba(ss)bas)") >= 0);
        CHECK(sd_bus_message_open_container(m, 'r', "ssba(ss)bas") >= 0);
        CHECK(sd_bus_message_append(m, "ssb", kind, origin, 1) >= 0);
        CHECK(sd_bus_message_open_container(m, 'a', "(ss)") >= 0);
        for (const char *const *e = entries; e && *e; e += 2)
                CHECK(sd_bus_message_append(m, "(ss)", e[0], e[1]) >= 0);
        CHECK(sd_bus_message_close_container(m) >= 0);
        CHECK(sd_bus_message_append(m, "b", 1) >= 0);
        CHECK(sd_bus_message_open_container(m, 'a', "s") >= 0);
        for (unsigned i = 0; i < n_modules; i++)
                CHECK(sd_bus_message_append(m, "s", module) >= 0);
        for (int i = 0; i < 5; i++)
                CHECK(sd_bus_message_close_container(m) >= 0);
        seal(m);
        policy_init(&p);
        err[0] = 0;
        r = read_back(m, &p, err, errsz);
        if (r == 0 && n_modules)
                CHECK((p.search[stage1_kind_from_string(kind)].modules != 0) == (search_module_index(module) >= 0));
        sd_bus_message_unref(m);
        return r;
}

static void test_forged(sd_bus *b) {
        char err[256];
        const char *ok[] = { "config", "/boot/grub/grub.cfg", NULL };
        const char *rel[] = { "config", "grub.cfg", NULL };
        const char *dots[] = { "chainload", "/boot/../etc/shadow", NULL };
        const char *verb[] = { "exec", "/bin/sh", NULL };
        const char *esc[] = { "config", "/boot/\x1b[2J", NULL };
        const char *pvh_chain[] = { "chainload", "/k.elf", NULL };
        const char *many[2 * (SEARCH_MAX_ENTRIES + 1) + 1];

        CHECK_EQ(forged(b, "x86_64", "o", ok, 0, NULL, err, sizeof(err)), 0);
        CHECK_EQ(forged(b, "pvh", "o", ok, 2, "xfs", err, sizeof(err)), 0);
        /* Module names we do not track are skipped, not refused. */
        CHECK_EQ(forged(b, "i386", "o", ok, 3, "blscfg", err, sizeof(err)), 0);
        CHECK_EQ(forged(b, "i386", "o", ok, BUS_SEARCH_MAX_MODULES + 1, "ext2", err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "too many modules"));
        CHECK_EQ(forged(b, "arm64", "o", ok, 0, NULL, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "SearchLists names a stage 1 other than"));
        CHECK_EQ(forged(b, "x86_64", "o", rel, 0, NULL, err, sizeof(err)), -EINVAL);
        CHECK_EQ(forged(b, "x86_64", "o", dots, 0, NULL, err, sizeof(err)), -EINVAL);
        CHECK_EQ(forged(b, "x86_64", "o", verb, 0, NULL, err, sizeof(err)), -EINVAL);
        CHECK_EQ(forged(b, "x86_64", "o", esc, 0, NULL, err, sizeof(err)), -EINVAL);
        CHECK_EQ(forged(b, "pvh", "o", pvh_chain, 0, NULL, err, sizeof(err)), -EINVAL);
        for (unsigned i = 0; i <= SEARCH_MAX_ENTRIES; i++) {
                many[2 * i] = "config";
                many[2 * i + 1] = "/g";
        }
        many[2 * (SEARCH_MAX_ENTRIES + 1)] = NULL;
        CHECK_EQ(forged(b, "x86_64", "o", many, 0, NULL, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "longer than the bound"));
        /* An origin with control characters arrives escaped. */
        CHECK_EQ(forged(b, "x86_64", "a\x1b[2Jb", ok, 0, NULL, err, sizeof(err)), 0);

        /* The wrong type altogether. */
        sd_bus_message *m = new_msg(b);
        Policy p;
        CHECK(sd_bus_message_append(m, "{sv}", BUS_SEARCH_KEY, "s", "x86_64") >= 0);
        seal(m);
        policy_init(&p);
        CHECK_EQ(read_back(m, &p, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "must have type " BUS_SEARCH_SIGNATURE));
        sd_bus_message_unref(m);
}

int main(void) {
        sd_bus *b = test_bus_peer();
        test_round_trip(b);
        test_forged(b);
        sd_bus_unref(b);
        return 0;
}
