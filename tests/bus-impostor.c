/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bus-impostor: take pvboot-selectd's name on the bus, as whoever runs it,
 * and report every call that reaches it, for the daemon tests' "someone
 * else owns the name" case.  Prints "owned" once it holds the name, then
 * "call MEMBER (N fds)" for each method call (answered with an error),
 * until SIGTERM.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-bus.h>

#include "pvboot-select-bus.h"

static int on_call(sd_bus_message *m, void *userdata, sd_bus_error *e) {
        unsigned fds = 0;
        const char *member = sd_bus_message_get_member(m);
        char type;
        (void) userdata;
        /* Count the descriptors the call carries: the disk, if any. */
        while (sd_bus_message_peek_type(m, &type, NULL) > 0) {
                if (type == 'h')
                        fds++;
                if (sd_bus_message_skip(m, NULL) < 0)
                        break;
        }
        printf("call %s (%u fds)\n", member ? member : "?", fds);
        fflush(stdout);
        return sd_bus_error_set(e, "org.example.Impostor", "not the real daemon");
}

int main(void) {
        sd_bus *bus = NULL;
        sigset_t ss;
        int k;

        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        if (sd_bus_open_system(&bus) < 0 ||
            sd_bus_add_fallback(bus, NULL, "/", on_call, NULL) < 0 ||
            sd_bus_request_name(bus, PVBOOT_BUS_NAME, 0) < 0) {
                fprintf(stderr, "bus-impostor: cannot take %s\n", PVBOOT_BUS_NAME);
                return 1;
        }
        printf("owned\n");
        fflush(stdout);
        sigprocmask(SIG_BLOCK, &ss, NULL);
        for (;;) {
                struct timespec t = { 0, 0 };
                siginfo_t si;
                if (sigtimedwait(&ss, &si, &t) == SIGTERM)
                        break;
                k = sd_bus_process(bus, NULL);
                if (k < 0)
                        return 1;
                if (k == 0 && sd_bus_wait(bus, 100000) < 0)
                        return 1;
        }
        sd_bus_flush_close_unref(bus);
        return 0;
}
