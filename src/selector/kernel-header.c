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

static bool compressed(const unsigned char *b, size_t n) {
        static const struct { const char *magic; size_t len; } m[] = {
                { "\x1f\x8b", 2 },                      /* gzip */
                { "\xfd" "7zXZ\0", 6 },                 /* xz */
                { "\x28\xb5\x2f\xfd", 4 },              /* zstd */
                { "BZh", 3 },                           /* bzip2 */
                { "\x02\x21\x4c\x18", 4 },              /* lz4 legacy */
                { "\x04\x22\x4d\x18", 4 },              /* lz4 frame */
                { "\x5d\x00\x00", 3 },                  /* lzma */
                { "\x89LZO", 4 },                       /* lzop */
        };
        for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
                if (n >= m[i].len && memcmp(b, m[i].magic, m[i].len) == 0)
                        return true;
        return false;
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
        } else if (n >= 0x238 && le16(b + 0x1fe) == 0xaa55 && memcmp(b + 0x202, "HdrS", 4) == 0)
                bzimage(b, src->size, &k);
        else if (compressed(b, n))
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
