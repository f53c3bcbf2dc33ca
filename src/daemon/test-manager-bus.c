/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for manager-bus.c: who may call, each option checked by the
 * policy's rule before anything is queued, the descriptor rule, Cancel,
 * and properties anyone may read.
 */
#include "daemon/test-manager-harness.h"

static const ManagerConfig config = { .pool_size = 0, .max_busy = 2, .queue_limit = 8, .cache_size = 4 };

static void refused(sd_bus *b, int fd, const char *key, char sig, const void *value, const char *error,
                    const char *says) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        CHILD_CHECK(inspect(b, fd, key, sig, value, &e) < 0);
        if (!sd_bus_error_has_name(&e, error) || !strstr(e.message, says)) {
                fprintf(stderr, "%s: got %s: %s\n", key ? key : "(no option)", e.name, e.message);
                _exit(1);
        }
        sd_bus_error_free(&e);
}

/* Mode pvh with ForceArch: the same rule as --pvh with --force-arch. */
static void refused_pvh_forced(sd_bus *b, int fd) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;

        CHILD_CHECK(sd_bus_message_new_method_call(b, &m, NULL, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Inspect") >= 0);
        CHILD_CHECK(sd_bus_message_append(m, "ha{sv}", fd, 2, "Mode", "s", "pvh", "ForceArch", "s", "i386") >= 0);
        CHILD_CHECK(sd_bus_call(b, m, 10 * 1000000, &e, &reply) < 0);
        CHILD_CHECK(sd_bus_error_has_name(&e, SD_BUS_ERROR_INVALID_ARGS) && strstr(e.message, "no meaning with Mode pvh"));
        sd_bus_error_free(&e);
        sd_bus_message_unref(m);
}

static void client_root(int fd) {
        sd_bus *b = client_bus(fd);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        char path[] = "/tmp/test-manager-bus.XXXXXX";
        int disk = mkstemp(path), empty = open("/dev/null", O_RDONLY | O_CLOEXEC), p[2];
        uint32_t three = 3, domid0 = 0, n = 99;

        CHILD_CHECK(disk >= 0 && write(disk, "disk", 4) == 4 && pipe(p) == 0);
        unlink(path);
        refused(b, disk, "Frobnicate", 's', "1", SD_BUS_ERROR_INVALID_ARGS, "unknown option 'Frobnicate'");
        refused(b, disk, "Timeout", 'u', &three, SD_BUS_ERROR_INVALID_ARGS, "Timeout must be 5..110 seconds");
        refused(b, disk, "Mode", 's', "hvm", SD_BUS_ERROR_INVALID_ARGS, "Mode must be pv, pvh or pvshim");
        refused(b, disk, "ForceArch", 's', "arm", SD_BUS_ERROR_INVALID_ARGS, "ForceArch must be i386 or x86_64");
        refused(b, disk, "Prefer", 's', "", SD_BUS_ERROR_INVALID_ARGS, "Prefer must be i386 or x86_64");
        refused(b, disk, "Format", 's', "qcow2,backing=x", SD_BUS_ERROR_INVALID_ARGS, "Format is not a disk format name");
        refused(b, disk, "HostCaps", 's', "", SD_BUS_ERROR_INVALID_ARGS, "HostCaps is not a xen_caps list");
        refused(b, disk, "DomainId", 'u', &domid0, SD_BUS_ERROR_INVALID_ARGS, "DomainId must name a guest domain");
        refused(b, disk, "Mode", 'u', &three, SD_BUS_ERROR_INVALID_ARGS, "option Mode must have type s");
        refused(b, p[0], NULL, 0, NULL, SD_BUS_ERROR_INVALID_ARGS, "neither a regular file nor a block device");
        refused_pvh_forced(b, disk);
        refused(b, empty, NULL, 0, NULL, SD_BUS_ERROR_INVALID_ARGS, "neither a regular file nor a block device");
        /* None of that became a request. */
        CHILD_CHECK(get_t(b, "RequestsTotal") == 0 && get_t(b, "Failures") == 0);

        /* Cancel answers with a count (here, with nothing queued, 0).  Whose
         * requests a caller may cancel needs senders, which a direct
         * connection has not: tests/daemon.sh cancels a real request on
         * the bus (sigterm-daemon-cancelled). */
        sd_bus_message *reply = NULL;
        CHILD_CHECK(sd_bus_call_method(b, NULL, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Cancel", &e, &reply, "t",
                                       (uint64_t) 42) >= 0);
        CHILD_CHECK(sd_bus_message_read(reply, "u", &n) >= 0 && n == 0);
        sd_bus_message_unref(reply);
        sd_bus_flush_close_unref(b);
        _exit(0);
}

static void client_nobody(int fd) {
        sd_bus *b = client_bus(fd);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int disk = open("/dev/zero", O_RDONLY | O_CLOEXEC);

        refused(b, disk, NULL, 0, NULL, SD_BUS_ERROR_ACCESS_DENIED, "only root or the configured group");
        CHILD_CHECK(sd_bus_call_method(b, NULL, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Cancel", &e, NULL, "t",
                                       (uint64_t) 1) < 0);
        CHILD_CHECK(sd_bus_error_has_name(&e, SD_BUS_ERROR_ACCESS_DENIED));
        /* Properties are for anyone: status needs no privilege. */
        CHILD_CHECK(get_u(b, "MaxBusy") == 2 && get_u(b, "QueueLimit") == 8 && get_u(b, "CacheLimit") == 4);
        CHILD_CHECK(get_t(b, "RequestsTotal") == 0);
        sd_bus_flush_close_unref(b);
        _exit(0);
}

/* A member of allow_group passes where nobody else does. */
static void client_group_member(int fd) {
        sd_bus *b = client_bus(fd);
        sd_bus_error e = SD_BUS_ERROR_NULL;
        int p[2];

        CHILD_CHECK(pipe(p) == 0);
        /* Past the caller check: refused for the descriptor, not the caller. */
        refused(b, p[0], NULL, 0, NULL, SD_BUS_ERROR_INVALID_ARGS, "neither a regular file nor a block device");
        (void) e;
        sd_bus_flush_close_unref(b);
        _exit(0);
}

int main(void) {
        if (harness_init() < 0)
                return EXIT_TEST_SKIP;
        CHECK_EQ(serve(client_root, 0, &config), 0);
        CHECK_EQ(serve(client_nobody, 65534, &config), 0);
        /* The caller's primary group (nogroup, 65534) as allow_group. */
        ManagerConfig group = config;
        group.allow_gid_set = true;
        group.allow_gid = 65534;
        CHECK_EQ(serve(client_group_member, 65534, &group), 0);
        return 0;
}
