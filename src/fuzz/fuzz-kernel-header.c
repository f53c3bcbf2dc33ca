/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernel header reader on arbitrary bytes: a width only with a reason
 * that proves it. */
#include "fuzz/fuzz.h"
#include "selector/kernel-header.h"
#include "shared/test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ByteSource s;
        KernelInfo k;

        byte_source_from_buffer(&s, data, size);
        CHECK(kernel_inspect(&s, &k) == 0);
        CHECK((unsigned) k.reason < _KERNEL_REASON_MAX);
        if (k.width != PV_ARCH_NONE)
                CHECK(k.reason == KERNEL_BZIMAGE_64 || k.reason == KERNEL_BZIMAGE_32 || k.reason == KERNEL_ELF);
        if (k.reason == KERNEL_BZIMAGE_64)
                CHECK(k.width == PV_ARCH_X86_64);
        if (k.reason == KERNEL_BZIMAGE_32)
                CHECK(k.width == PV_ARCH_I386);
        return 0;
}
