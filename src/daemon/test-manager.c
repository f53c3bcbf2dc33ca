/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for manager.c: configurations it refuses, and a request's life
 * when no appliance can be had (no template here: the pool cannot start
 * one), seen through the bus: the caller hears Busy, nothing is cached,
 * the counters move and PropertiesChanged says so.  Warm and cold
 * inspections run for real in tests/daemon.sh.
 */
#include "daemon/test-manager-harness.h"

static const ManagerConfig config = { .pool_size = 0, .max_busy = 2, .queue_limit = 8, .cache_size = 4 };

static int changes;
static int on_changed(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        const char *iface;
        (void) userdata;
        (void) e;
        if (sd_bus_message_read(m, "s", &iface) >= 0 && strcmp(iface, PVBOOT_BUS_INTERFACE) == 0)
                changes++;
        return 0;
}

static void client(int fd) {
        sd_bus *b = client_bus(fd);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char path[] = "/tmp/test-manager.XXXXXX";
        int disk = mkstemp(path);

        CHILD_CHECK(disk >= 0 && write(disk, "disk", 4) == 4);
        unlink(path);
        CHILD_CHECK(get_u(b, "PoolSize") == 0 && get_u(b, "PoolReady") == 0 && get_u(b, "Busy") == 0);
        CHILD_CHECK(sd_bus_match_signal(b, NULL, NULL, PVBOOT_BUS_PATH, "org.freedesktop.DBus.Properties",
                                        "PropertiesChanged", on_changed, NULL) >= 0);

        /* The cache is asked (and would remember): a failure must not be. */
        harness_no_cache = false;
        for (int i = 1; i <= 2; i++) {
                CHILD_CHECK(inspect(b, disk, "ForceArch", 's', "i386", &e) < 0);
                CHILD_CHECK(sd_bus_error_has_name(&e, PVBOOT_BUS_ERROR_BUSY) &&
                            strstr(e.message, "cannot start an appliance"));
                sd_bus_error_free(&e);
                CHILD_CHECK(get_t(b, "RequestsTotal") == (uint64_t) i && get_t(b, "Failures") == (uint64_t) i);
        }
        /* Failures are never remembered; nothing is left busy or queued. */
        CHILD_CHECK(get_u(b, "CacheEntries") == 0 && get_u(b, "Busy") == 0 && get_u(b, "Queued") == 0);
        CHILD_CHECK(get_t(b, "WarmAnswers") == 0 && get_t(b, "ColdAnswers") == 0 && get_t(b, "CachedAnswers") == 0);
        while (sd_bus_process(b, NULL) > 0)
                ;
        CHILD_CHECK(changes > 0);
        sd_bus_flush_close_unref(b);
        _exit(0);
}

int main(void) {
        sd_event *event = NULL;
        Manager *m = NULL;

        if (harness_init() < 0)
                return EXIT_TEST_SKIP;

        /* Bounds it refuses before anything starts. */
        CHECK(sd_event_new(&event) >= 0);
        ManagerConfig bad = config;
        bad.max_busy = 0;
        CHECK_EQ(manager_new(&bad, NULL, event, NULL, &m), -EINVAL);
        bad = config;
        bad.pool_size = 1000;
        CHECK_EQ(manager_new(&bad, NULL, event, NULL, &m), -EINVAL);
        bad = config;
        bad.queue_limit = 100000;
        CHECK_EQ(manager_new(&bad, NULL, event, NULL, &m), -EINVAL);
        CHECK(m == NULL);
        sd_event_unref(event);

        CHECK_EQ(serve(client, 0, &config), 0);
        return 0;
}
