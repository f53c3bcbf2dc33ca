/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kernel width from its header (see kernel-header.h). */
#include <errno.h>
#include <string.h>

#include "selector/elf-notes.h"
#include "selector/kernel-header.h"

#define XLF_KERNEL_64 (1u << 0)

static uint16_t le16(const unsigned char *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

/* The compression, by its magic: PAYLOAD_UNKNOWN when none matches. */
static KernelPayload compression(const unsigned char *b, size_t n) {
        static const struct { const char *magic; size_t len; KernelPayload kind; } m[] = {
                { "\x1f\x8b", 2, PAYLOAD_GZIP },
                { "\xfd" "7zXZ\0", 6, PAYLOAD_XZ },
                { "\x28\xb5\x2f\xfd", 4, PAYLOAD_ZSTD },
                { "BZh", 3, PAYLOAD_BZIP2 },
                { "\x02\x21\x4c\x18", 4, PAYLOAD_LZ4 },       /* legacy */
                { "\x04\x22\x4d\x18", 4, PAYLOAD_LZ4 },       /* frame */
                { "\x5d\x00\x00", 3, PAYLOAD_LZMA },
                { "\x89LZO", 4, PAYLOAD_LZO },
        };
        for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
                if (n >= m[i].len && memcmp(b, m[i].magic, m[i].len) == 0)
                        return m[i].kind;
        return PAYLOAD_UNKNOWN;
}

/* A bzImage's payload, by its first bytes; PAYLOAD_UNKNOWN when it is not
 * inside the file or cannot be read (the width stands without it). */
static KernelPayload payload(const ByteSource *src, const unsigned char *b) {
        unsigned setup_sects = b[0x1f1] ? b[0x1f1] : 4;
        uint64_t at = ((uint64_t) setup_sects + 1) * 512 + le32(b + 0x248), len = le32(b + 0x24c);
        unsigned char m[KERNEL_PAYLOAD_READ];

        if (len < sizeof(m) || at > src->size || src->size - at < sizeof(m) ||
            byte_source_read(src, at, m, sizeof(m)) < 0)
                return PAYLOAD_UNKNOWN;
        if (memcmp(m, "\177ELF", 4) == 0)
                return PAYLOAD_ELF;
        KernelPayload p = compression(m, sizeof(m));
        return p == PAYLOAD_UNKNOWN ? PAYLOAD_OTHER : p;
}

static void bzimage(const unsigned char *b, uint64_t file_size, KernelInfo *k) {
        unsigned setup_sects = b[0x1f1] ? b[0x1f1] : 4;    /* boot.rst: 0 means 4 */
        uint64_t need = ((uint64_t) setup_sects + 1) * 512 + (uint64_t) le32(b + 0x1f4) * 16;

        k->protocol = le16(b + 0x206);

        /* Before 2.12 there is no xloadflags (and before 2.04 syssize is
         * only 16 bits): such a header cannot tell the width. */
        if (k->protocol < 0x20c) {
                k->reason = KERNEL_OLD_PROTOCOL;
                return;
        }
        /* A lying header: the setup and protected-mode sizes it declares
         * must fit in the file that carries it. */
        if (need > file_size) {
                k->reason = KERNEL_SHORT_FILE;
                return;
        }
        if (le16(b + 0x236) & XLF_KERNEL_64) {
                k->width = PV_ARCH_X86_64;
                k->reason = KERNEL_BZIMAGE_64;
        } else {
                k->width = PV_ARCH_I386;
                k->reason = KERNEL_BZIMAGE_32;
        }
}

int kernel_inspect(const ByteSource *src, KernelInfo *ret) {
        unsigned char b[KERNEL_HEADER_READ];
        size_t n = src->size < sizeof(b) ? (size_t) src->size : sizeof(b);
        KernelInfo k = { .width = PV_ARCH_NONE, .reason = KERNEL_NOT_KERNEL };
        int r;

        r = byte_source_read(src, 0, b, n);
        if (r < 0)
                return r;

        if (n >= 4 && memcmp(b, "\177ELF", 4) == 0) {
                PvArch a;
                r = elf_identify(src, &a);
                if (r < 0)
                        return r;
                if (r == ELF_PV_OK) {
                        k.width = a;
                        k.reason = KERNEL_ELF;
                } else
                        k.reason = r == ELF_TRUNCATED ? KERNEL_SHORT_FILE : KERNEL_ELF_OTHER;
        } else if (n >= 0x238 && le16(b + 0x1fe) == 0xaa55 && memcmp(b + 0x202, "HdrS", 4) == 0) {
                bzimage(b, src->size, &k);
                if (k.width != PV_ARCH_NONE && n >= 0x250)
                        k.payload = payload(src, b);
        } else if (compression(b, n) != PAYLOAD_UNKNOWN)
                k.reason = KERNEL_COMPRESSED;

        *ret = k;
        return 0;
}

const char *kernel_reason_to_string(KernelReason r) {
        static const char *const s[_KERNEL_REASON_MAX] = {
                [KERNEL_BZIMAGE_64]   = "bzImage with XLF_KERNEL_64",
                [KERNEL_BZIMAGE_32]   = "bzImage without XLF_KERNEL_64",
                [KERNEL_ELF]          = "ELF vmlinux",
                [KERNEL_OLD_PROTOCOL] = "unknown width: bzImage boot protocol older than 2.12",
                [KERNEL_SHORT_FILE]   = "unknown width: header claims more than the file holds",
                [KERNEL_COMPRESSED]   = "unknown width: compressed image",
                [KERNEL_ELF_OTHER]    = "unknown width: ELF that is not i386 or x86-64",
                [KERNEL_NOT_KERNEL]   = "unknown width: no kernel header",
        };
        if ((unsigned) r < _KERNEL_REASON_MAX)
                return s[r];
        return "unknown";
}

const char *kernel_payload_to_string(KernelPayload p) {
        static const char *const s[_PAYLOAD_MAX] = {
                [PAYLOAD_UNKNOWN] = "unknown",
                [PAYLOAD_ELF]     = "uncompressed",
                [PAYLOAD_GZIP]    = "gzip",
                [PAYLOAD_XZ]      = "xz",
                [PAYLOAD_LZO]     = "lzo",
                [PAYLOAD_ZSTD]    = "zstd",
                [PAYLOAD_LZ4]     = "lz4",
                [PAYLOAD_BZIP2]   = "bzip2",
                [PAYLOAD_LZMA]    = "lzma",
                [PAYLOAD_OTHER]   = "not compressed in any known way",
        };
        return (unsigned) p < _PAYLOAD_MAX ? s[p] : "unknown";
}

bool kernel_payload_xen_loadable(KernelPayload p) {
        return p == PAYLOAD_UNKNOWN || p == PAYLOAD_ELF || p == PAYLOAD_GZIP || p == PAYLOAD_XZ || p == PAYLOAD_LZO;
}
