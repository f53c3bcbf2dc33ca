/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Fuzz targets: each file defines LLVMFuzzerTestOneInput.  Built with
 * clang -fsanitize=fuzzer when -Dfuzzing=true; otherwise linked with
 * fuzz-main.c, a plain main that replays saved inputs (seed corpora and
 * regression files) under meson test, so every finding stays a test.
 * A target aborts (via CHECK) on a violated property, not only on a crash.
 */

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shared/test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* For targets that read a peer: a stream socket pair whose peer end
 * sv[1] has sent data (as much as the socket buffer takes) and then shut
 * down its writing side.  sv[0] is ours; sv[1] stays open, so that what
 * we send it does not fail. */
static inline void fuzz_peer_said(const uint8_t *data, size_t size, int sv[2]) {
        CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        (void) fcntl(sv[1], F_SETFL, O_NONBLOCK);
        for (size_t off = 0; off < size;) {
                ssize_t n = write(sv[1], data + off, size - off);
                if (n <= 0)
                        break;
                off += (size_t) n;
        }
        CHECK(shutdown(sv[1], SHUT_WR) == 0);
}
