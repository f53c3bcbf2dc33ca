/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus-inspect: call pvboot-selectd's Inspect() with any descriptor and any
 * options, for the daemon tests' hostile-caller cases (busctl cannot pass
 * descriptors).
 *
 *   bus-inspect FD [KEY=s:VALUE | KEY=u:N | KEY=b:0|1 | KEY=t:N]...
 *
 * FD is file:PATH (read-only), wronly:PATH, opath:PATH, dir:PATH, pipe or
 * socket.  Prints "ok OUTCOME ARCH warm=B cached=B" or "error NAME: MESSAGE";
 * exit 0 when the call returned, 1 for a D-Bus error, 2 for bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "record/bus-report.h"
#include "pvboot-select-bus.h"

static int open_fd(const char *spec) {
        int p[2];
        if (strncmp(spec, "file:", 5) == 0)
                return open(spec + 5, O_RDONLY | O_CLOEXEC);
        if (strncmp(spec, "wronly:", 7) == 0)
                return open(spec + 7, O_WRONLY | O_CLOEXEC);
        if (strncmp(spec, "opath:", 6) == 0)
                return open(spec + 6, O_PATH | O_CLOEXEC);
        if (strncmp(spec, "dir:", 4) == 0)
                return open(spec + 4, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (strcmp(spec, "pipe") == 0)
                return pipe2(p, O_CLOEXEC) < 0 ? -1 : p[0];
        if (strcmp(spec, "socket") == 0)
                return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0 ? -1 : p[0];
        errno = EINVAL;
        return -1;
}

int main(int argc, char **argv) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus *bus = NULL;
        InspectReport rep;
        BusDetails d;
        int fd, k;

        if (argc < 2) {
                fprintf(stderr, "usage: bus-inspect FD [KEY=T:VALUE]...\n");
                return 2;
        }
        fd = open_fd(argv[1]);
        if (fd < 0) {
                perror(argv[1]);
                return 2;
        }
        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_message_new_method_call(bus, &m, PVBOOT_BUS_NAME, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Inspect") < 0 ||
            sd_bus_message_append(m, "h", fd) < 0 || sd_bus_message_open_container(m, 'a', "{sv}") < 0) {
                fprintf(stderr, "bus-inspect: cannot build the call\n");
                return 2;
        }
        for (int i = 2; i < argc; i++) {
                char *eq = strchr(argv[i], '='), *key = argv[i];
                if (!eq || strlen(eq) < 3 || eq[2] != ':')
                        return 2;
                *eq = 0;
                const char *v = eq + 3;
                switch (eq[1]) {
                case 's': k = sd_bus_message_append(m, "{sv}", key, "s", v); break;
                case 'u': k = sd_bus_message_append(m, "{sv}", key, "u", (uint32_t) strtoul(v, NULL, 0)); break;
                case 'b': k = sd_bus_message_append(m, "{sv}", key, "b", atoi(v)); break;
                case 't': k = sd_bus_message_append(m, "{sv}", key, "t", (uint64_t) strtoull(v, NULL, 0)); break;
                default: return 2;
                }
                if (k < 0)
                        return 2;
        }
        if (sd_bus_message_close_container(m) < 0)
                return 2;
        k = sd_bus_call(bus, m, 130 * 1000000ULL, &e, &reply);
        if (k < 0) {
                printf("error %s: %s\n", e.name ? e.name : "?", e.message ? e.message : strerror(-k));
                return 1;
        }
        k = bus_report_read(reply, &rep, &d);
        if (k < 0) {
                printf("error malformed reply\n");
                return 1;
        }
        printf("ok %s %s warm=%d cached=%d\n", decision_outcome_to_string((DecisionOutcome) rep.outcome),
               rep.outcome == DECISION_OK ? pv_arch_to_string((PvArch) rep.arch) : "-", d.warm, d.cached);
        return 0;
}
