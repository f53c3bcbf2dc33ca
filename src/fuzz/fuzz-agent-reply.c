/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's reading of the agent's replies (agent-client.h): whatever the
 * agent sends, a call either fails as a failed conversation or returns an
 * errno-sized status with a payload that fits the caller's buffer. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "probe/agent-client.h"
#include "fuzz/fuzz.h"
#include "shared/test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t buf[AGENT_MAX_REPLY];
        static const size_t sizes[] = { 0, 16, 4096, AGENT_MAX_REPLY };
        int sv[2];

        if (size < 1)
                return 0;
        /* The agent's side: these bytes, then nothing more. */
        fuzz_peer_said(data + 1, size - 1, sv);
        size_t bufsz = sizes[data[0] & 3];
        for (int i = 0; i < 4; i++) {
                size_t len = 12345;
                bool failed;
                int r = agent_call(sv[0], 50, AGENT_OP_PREAD, 7, 4096, "/boot/xen/pvboot-x86_64.elf", buf, bufsz,
                                   &len, &failed);
                CHECK(len <= bufsz);
                if (failed) {
                        CHECK(r < 0 && len == 0);
                        break;
                }
                CHECK(r <= 0 && r >= -4095);
                CHECK(r == 0 || len == 0);
        }
        close(sv[0]);
        close(sv[1]);
        return 0;
}
