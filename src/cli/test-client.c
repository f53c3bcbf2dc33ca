/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client: domid from libxl's output name, and "no daemon" is a fallback. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/client.h"
#include "shared/test-util.h"

int main(void) {
        CHECK_EQ(client_domid_from_output("/var/lib/xen/bootloader.5.out"), 5u);
        CHECK_EQ(client_domid_from_output("bootloader.32751.out"), 32751u);
        static const char *const bad[] = {
                "/var/lib/xen/bootloader.0.out", "/var/lib/xen/bootloader.05.out", "/x/bootloader.5.outx",
                "/x/bootloader..out", "/x/bootloader.32752.out", "/x/bootloader.5", "/x/xbootloader.5.out",
                "/x/bootloader.5.out/", "-", "", "/x/bootloader.99999999999999999999.out", NULL
        };
        for (const char *const *b = bad; *b; b++)
                CHECK_EQ(client_domid_from_output(*b), 0u);
        CHECK_EQ(client_domid_from_output(NULL), 0u);

        /* A bus with no daemon on it (here: none at all) is "unreachable",
         * the one answer that sends pvboot-select down the cold path. */
        char err[256];
        InspectReport rep;
        BusDetails d;
        Policy policy;
        policy_init(&policy);
        ClientRequest req = { .policy = &policy };
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        CHECK_EQ(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pvboot-test-bus", 1), 0);
        CHECK_EQ(client_inspect(fd, &req, &rep, &d, err, sizeof(err)), CLIENT_NO_DAEMON);
        CHECK(strstr(err, "no system bus") || strstr(err, "not reachable"));
        CHECK_EQ(client_status(stdout, false, err, sizeof(err)), CLIENT_NO_DAEMON);
        CHECK(strstr(err, "no system bus") || strstr(err, "not running"));
        close(fd);
        return 0;
}
