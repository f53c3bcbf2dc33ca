/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the bus wire-form tests share: a bus with no peer to talk to (a
 * socketpair whose other end is closed), enough to build messages, and a
 * message sealed and rewound, as a receiver gets it. */
#include <sys/socket.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "shared/test-util.h"

static inline sd_bus *test_bus_peer(void) {
        sd_bus *b;
        int sv[2];
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        CHECK(sd_bus_new(&b) >= 0);
        CHECK(sd_bus_set_fd(b, sv[0], sv[0]) >= 0);
        CHECK(sd_bus_start(b) >= 0);
        close(sv[1]);
        return b;
}

static inline void test_bus_seal(sd_bus_message *m) {
        static uint64_t cookie = 1;
        CHECK(sd_bus_message_seal(m, cookie++, 0) >= 0);
        CHECK(sd_bus_message_rewind(m, true) >= 0);
}
