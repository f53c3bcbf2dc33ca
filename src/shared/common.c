/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The few shared definitions from include/pvboot-select.h: width names
 * and the bounded ByteSource.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "pvboot-select.h"

uint64_t now_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
}

const char *pv_arch_to_string(PvArch a) {
        switch (a) {
        case PV_ARCH_I386:   return "i386";
        case PV_ARCH_X86_64: return "x86_64";
        default:             return "none";
        }
}

PvArch pv_arch_from_string(const char *s) {
        if (!s)
                return PV_ARCH_NONE;
        if (strcmp(s, "i386") == 0)
                return PV_ARCH_I386;
        if (strcmp(s, "x86_64") == 0)
                return PV_ARCH_X86_64;
        return PV_ARCH_NONE;
}

/* Every read of guest bytes goes through here, so the bound lives once. */
int byte_source_read(const ByteSource *s, uint64_t offset, void *buf, size_t len) {
        uint64_t end;

        if (!s || !s->read)
                return -EINVAL;
        if (__builtin_add_overflow(offset, (uint64_t) len, &end) || end > s->size)
                return -EBADMSG;
        if (len == 0)
                return 0;
        return s->read(s->userdata, offset, buf, len);
}

static int buffer_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        /* byte_source_read() already checked offset+len against the size. */
        memcpy(buf, (const unsigned char *) userdata + offset, len);
        return 0;
}

void byte_source_from_buffer(ByteSource *s, const void *buf, size_t size) {
        *s = (ByteSource) {
                .size = size,
                .read = buffer_read,
                .userdata = (void *) buf,
        };
}

static int window_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        const ByteWindow *w = userdata;
        /* In range: byte_source_read() checked offset+len against our
         * size, and byte_window_init() our size against the parent's. */
        return byte_source_read(w->parent, w->offset + offset, buf, len);
}

int byte_window_init(ByteWindow *w, const ByteSource *parent, uint64_t offset, uint64_t size) {
        uint64_t end;

        if (__builtin_add_overflow(offset, size, &end) || end > parent->size)
                return -EBADMSG;
        *w = (ByteWindow) {
                .source = { .size = size, .read = window_read, .userdata = w },
                .parent = parent,
                .offset = offset,
        };
        return 0;
}
