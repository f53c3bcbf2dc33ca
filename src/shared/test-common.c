/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Width names, the ByteSource bound, windows on a ByteSource. */
#include <errno.h>
#include <stdint.h>

#include "pvboot-select.h"
#include "shared/test-util.h"

int main(void) {
        static const unsigned char data[16] = "0123456789abcdef";
        unsigned char buf[16];
        ByteSource s;

        CHECK_STREQ(pv_arch_to_string(PV_ARCH_I386), "i386");
        CHECK_STREQ(pv_arch_to_string(PV_ARCH_X86_64), "x86_64");
        CHECK_STREQ(pv_arch_to_string((PvArch) 99), "none");
        CHECK_EQ(pv_arch_from_string("i386"), PV_ARCH_I386);
        CHECK_EQ(pv_arch_from_string("x86_64"), PV_ARCH_X86_64);
        CHECK_EQ(pv_arch_from_string("i686"), PV_ARCH_NONE);
        CHECK_EQ(pv_arch_from_string(NULL), PV_ARCH_NONE);


        byte_source_from_buffer(&s, data, sizeof(data));
        CHECK_EQ(byte_source_read(&s, 0, buf, 16), 0);
        CHECK(memcmp(buf, data, 16) == 0);
        CHECK_EQ(byte_source_read(&s, 15, buf, 1), 0);
        CHECK_EQ(buf[0], 'f');
        CHECK_EQ(byte_source_read(&s, 16, buf, 0), 0);
        CHECK_EQ(byte_source_read(&s, 16, buf, 1), -EBADMSG);
        CHECK_EQ(byte_source_read(&s, 1, buf, 16), -EBADMSG);
        /* offset + len wrapping around 2^64 must not pass the bound */
        CHECK_EQ(byte_source_read(&s, UINT64_MAX, buf, 2), -EBADMSG);
        CHECK_EQ(byte_source_read(NULL, 0, buf, 1), -EINVAL);

        /* A window: its own offsets, its own bound, never past the parent. */
        ByteWindow w;
        CHECK_EQ(byte_window_init(&w, &s, 4, 8), 0);
        CHECK_EQ(w.source.size, 8u);
        CHECK_EQ(byte_source_read(&w.source, 0, buf, 8), 0);
        CHECK(memcmp(buf, "456789ab", 8) == 0);
        CHECK_EQ(byte_source_read(&w.source, 7, buf, 2), -EBADMSG);
        CHECK_EQ(byte_source_read(&w.source, UINT64_MAX, buf, 2), -EBADMSG);
        CHECK_EQ(byte_window_init(&w, &s, 8, 9), -EBADMSG);
        CHECK_EQ(byte_window_init(&w, &s, UINT64_MAX, 2), -EBADMSG);
        CHECK_EQ(byte_window_init(&w, &s, 16, 0), 0);
        return 0;
}
