/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for the kernel width reader (kernel-header.c).
 *
 * The reference kernels are real Debian images (tools/fetch-kernels.sh puts
 * them in $KERNEL_DIR, default /var/cache/pvboot-select-tests/kernels): a
 * 64-bit bzImage (vmlinuz-amd64) and a 32-bit one (vmlinuz-686-pae).  The
 * hostile shapes are built by hand from the boot protocol's header layout
 * (Documentation/arch/x86/boot.rst), independently of the code under test.
 *
 * The synthetic tests need nothing and run first; without the real kernels
 * the program then exits 77 (skip).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "selector/kernel-header.h"
#include "shared/test-util.h"
#include "selector/test-blob.h"

/* Setup header offsets (boot.rst). */
#define H_SETUP_SECTS 0x1f1
#define H_SYSSIZE     0x1f4
#define H_BOOT_FLAG   0x1fe
#define H_HEADER      0x202
#define H_VERSION     0x206
#define H_XLOADFLAGS  0x236
#define H_END         0x238     /* the header reaches xloadflags' last byte */

#define XLF_KERNEL_64 0x0001

#define EM_386     3
#define EM_ARM     40
#define EM_X86_64  62
#define EM_AARCH64 183

#define DEFAULT_KERNEL_DIR "/var/cache/pvboot-select-tests/kernels"

/* ------------------------------------------------------------------ */
/* Running the code under test                                         */

static const char *reason_name(KernelReason r) {
        return kernel_reason_to_string(r);
}

static KernelInfo inspect_len(const Blob *b, size_t len) {
        ByteSource src;
        KernelInfo k;
        int r;

        CHECK(len <= b->len);
        byte_source_from_buffer(&src, b->data, len);
        memset(&k, 0xa5, sizeof(k));
        r = kernel_inspect(&src, &k);
        if (r != 0) {
                fprintf(stderr, "kernel_inspect() = %d (%s) on a memory buffer\n", r, strerror(-r));
                exit(EXIT_FAILURE);
        }
        return k;
}

/* Insist on a reason and a width; says what was tried on failure. */
static KernelInfo expect_len(const char *what, const Blob *b, size_t len, KernelReason reason, PvArch width) {
        KernelInfo k = inspect_len(b, len);

        if (k.reason != reason || k.width != width) {
                fprintf(stderr, "%s (%zu bytes): reason %d (%s), width %s; expected reason %d (%s), width %s\n",
                        what, len, (int) k.reason, reason_name(k.reason), pv_arch_to_string(k.width),
                        (int) reason, reason_name(reason), pv_arch_to_string(width));
                exit(EXIT_FAILURE);
        }
        return k;
}

static KernelInfo expect(const char *what, const Blob *b, KernelReason reason, PvArch width) {
        return expect_len(what, b, b->len, reason, width);
}

/* ------------------------------------------------------------------ */
/* Synthetic bzImages                                                   */

/*
 * A file of len bytes carrying a setup header: "MZ", setup_sects,
 * syssize, boot_flag, "HdrS", version and xloadflags, zeros elsewhere.
 * len must reach at least the field written last.
 */
static Blob synth_bzimage(size_t len, uint8_t setup_sects, uint32_t syssize, uint16_t version, uint16_t xloadflags) {
        Blob b = blob_zero(len < H_END ? H_END : len);

        b.data[0] = 'M';
        b.data[1] = 'Z';
        b.data[H_SETUP_SECTS] = setup_sects;
        put32(b.data + H_SYSSIZE, syssize);
        put16(b.data + H_BOOT_FLAG, 0xaa55);
        memcpy(b.data + H_HEADER, "HdrS", 4);
        put16(b.data + H_VERSION, version);
        put16(b.data + H_XLOADFLAGS, xloadflags);
        b.len = len;
        return b;
}

/* What the header claims the file holds, read our own way. */
static uint64_t claimed_size(const unsigned char *h) {
        unsigned sects = h[H_SETUP_SECTS] ? h[H_SETUP_SECTS] : 4;
        return (uint64_t) (sects + 1) * 512 + (uint64_t) get32(h + H_SYSSIZE) * 16;
}

static void test_reason_strings(void) {
        for (int i = 0; i < _KERNEL_REASON_MAX; i++) {
                const char *s = kernel_reason_to_string((KernelReason) i);
                CHECK(s);
                CHECK(*s);
                CHECK(strcmp(s, "unknown") != 0);
                for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                        CHECK(*p >= 0x20 && *p < 0x7f);
                for (int j = 0; j < i; j++)
                        CHECK(strcmp(s, kernel_reason_to_string((KernelReason) j)) != 0);
        }
        CHECK(kernel_reason_to_string(_KERNEL_REASON_MAX));
        CHECK(kernel_reason_to_string((KernelReason) -1));
        CHECK(kernel_reason_to_string((KernelReason) 0x7fffffff));
}

static void test_synthetic_bzimage(void) {
        /* 4 setup sectors + boot sector + 16 paragraphs of protected mode. */
        const size_t need = 5 * 512 + 16 * 16;
        Blob b;
        KernelInfo k;

        b = synth_bzimage(need, 4, 16, 0x20f, XLF_KERNEL_64);
        k = expect("64-bit, exact size", &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        CHECK_EQ(k.protocol, 0x20f);
        /* One byte less than the header claims. */
        expect_len("64-bit, one byte short", &b, need - 1, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);

        /* XLF_KERNEL_64 is bit 0 only; the other bits say nothing about width. */
        b = synth_bzimage(need + 4096, 4, 16, 0x20f, 0xfffe);
        k = expect("32-bit, other xloadflags set", &b, KERNEL_BZIMAGE_32, PV_ARCH_I386);
        CHECK_EQ(k.protocol, 0x20f);
        blob_free(&b);
        b = synth_bzimage(need, 4, 16, 0x20f, 0);
        expect("32-bit", &b, KERNEL_BZIMAGE_32, PV_ARCH_I386);
        blob_free(&b);

        /* setup_sects == 0 means 4 (boot.rst), not 0. */
        b = synth_bzimage(need, 0, 16, 0x20f, XLF_KERNEL_64);
        expect("setup_sects 0, room for 4", &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        expect_len("setup_sects 0, room for 0 only", &b, 512 + 16 * 16, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);

        /* xloadflags exist from 2.12 on: 0x20c is the first version trusted. */
        b = synth_bzimage(need, 4, 16, 0x20c, XLF_KERNEL_64);
        k = expect("protocol 2.12", &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        CHECK_EQ(k.protocol, 0x20c);
        blob_free(&b);
        /* Before that, a set bit 0 is not evidence: 0x236 was padding. */
        b = synth_bzimage(4096, 4, 16, 0x20b, XLF_KERNEL_64);
        k = expect("protocol 2.11 with bit 0", &b, KERNEL_OLD_PROTOCOL, PV_ARCH_NONE);
        CHECK_EQ(k.protocol, 0x20b);
        blob_free(&b);
        b = synth_bzimage(4096, 4, 16, 0x20b, 0);
        expect("protocol 2.11", &b, KERNEL_OLD_PROTOCOL, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_bzimage(4096, 4, 16, 0x200, 0);
        expect("protocol 2.00", &b, KERNEL_OLD_PROTOCOL, PV_ARCH_NONE);
        blob_free(&b);

        /* A Debian-shaped header (0x27 setup sectors, 8 MiB of payload)
         * cut to its first 4096 bytes: it claims more than the file holds. */
        b = synth_bzimage(4096, 0x27, 0x7d8200 / 16, 0x20f, 0x7f);
        expect("header truncated to 4096", &b, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);

        /* A 64-bit flag on a file too short to be a kernel: the header
         * alone, and the setup it claims is not there. */
        b = synth_bzimage(H_END, 4, 0, 0x20f, XLF_KERNEL_64);
        expect("64-bit flag, header only", &b, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_bzimage(KERNEL_HEADER_READ, 0x27, 1, 0x20f, XLF_KERNEL_64);
        expect("64-bit flag, 1 KiB file", &b, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);

        /* Garbage around the magic, syssize huge: 64-bit arithmetic, no wrap. */
        {
                static const uint32_t huge[] = { UINT32_MAX, 0x80000000u, 0x10000000u, 0x0fffffffu };
                uint64_t seed = 0x9e3779b97f4a7c15u;

                for (size_t i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
                        b = blob_zero(64 << 10);
                        for (size_t j = 0; j < b.len; j++)
                                b.data[j] = (unsigned char) xorshift64(&seed);
                        put16(b.data + H_BOOT_FLAG, 0xaa55);
                        memcpy(b.data + H_HEADER, "HdrS", 4);
                        put32(b.data + H_SYSSIZE, huge[i]);
                        put16(b.data + H_VERSION, 0x20f);
                        put16(b.data + H_XLOADFLAGS, XLF_KERNEL_64);
                        CHECK(claimed_size(b.data) > b.len);
                        expect("garbage with huge syssize", &b, KERNEL_SHORT_FILE, PV_ARCH_NONE);
                        blob_free(&b);
                }
        }

        /* Half a magic is no magic. */
        b = synth_bzimage(need, 4, 16, 0x20f, XLF_KERNEL_64);
        b.data[H_HEADER + 3] = 's';
        expect("\"Hdrs\"", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_bzimage(need, 4, 16, 0x20f, XLF_KERNEL_64);
        put16(b.data + H_BOOT_FLAG, 0x55aa);
        expect("boot flag byte-swapped", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        blob_free(&b);
}

/* A bzImage's payload, found where payload_offset says, named by its
 * magic; only gzip, xz, lzo and an uncompressed ELF are loadable by GRUB's
 * Xen loader. */
static void test_payload(void) {
        static const struct {
                const char *magic;
                size_t len;
                KernelPayload want;
                bool loadable;
        } m[] = {
                { "\177ELF\2\1\1\0", 8, PAYLOAD_ELF, true },
                { "\x1f\x8b\x08\x00", 4, PAYLOAD_GZIP, true },
                { "\xfd" "7zXZ\0", 6, PAYLOAD_XZ, true },
                { "\x89LZO\0\r\n", 7, PAYLOAD_LZO, true },
                { "\x28\xb5\x2f\xfd", 4, PAYLOAD_ZSTD, false },
                { "\x02\x21\x4c\x18", 4, PAYLOAD_LZ4, false },
                { "BZh91AY&", 8, PAYLOAD_BZIP2, false },
                { "\x5d\x00\x00\x80\x00", 5, PAYLOAD_LZMA, false },
                { "\x01\x02\x03\x04", 4, PAYLOAD_OTHER, false },
        };
        const size_t need = 5 * 512 + 16 * 16, at = 5 * 512 + 0x40;

        for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
                Blob b = synth_bzimage(need, 4, 16, 0x20f, XLF_KERNEL_64);
                KernelInfo k;
                put32(b.data + 0x248, 0x40);
                put32(b.data + 0x24c, 0x80);
                memcpy(b.data + at, m[i].magic, m[i].len);
                k = expect(kernel_payload_to_string(m[i].want), &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
                CHECK_EQ(k.payload, m[i].want);
                CHECK_EQ(kernel_payload_xen_loadable(k.payload), m[i].loadable);
                /* A payload said to lie past the end, or shorter than its
                 * magic: unknown, and the width stands. */
                put32(b.data + 0x248, (uint32_t) need);
                k = expect("payload past the end", &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
                CHECK_EQ(k.payload, PAYLOAD_UNKNOWN);
                put32(b.data + 0x248, UINT32_MAX);
                k = expect("payload offset 4 GiB", &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
                CHECK_EQ(k.payload, PAYLOAD_UNKNOWN);
                put32(b.data + 0x248, 0x40);
                put32(b.data + 0x24c, 4);
                k = expect("payload of 4 bytes", &b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
                CHECK_EQ(k.payload, PAYLOAD_UNKNOWN);
                blob_free(&b);
        }
        /* Unknown is not known to be impossible. */
        CHECK(kernel_payload_xen_loadable(PAYLOAD_UNKNOWN));
        CHECK_STREQ(kernel_payload_to_string((KernelPayload) 99), "unknown");
        for (int i = 0; i < _PAYLOAD_MAX; i++)
                for (int j = 0; j < i; j++)
                        CHECK(strcmp(kernel_payload_to_string((KernelPayload) i),
                                     kernel_payload_to_string((KernelPayload) j)) != 0);
}

static void test_compressed(void) {
        static const struct {
                const char *name;
                const char *magic;
                size_t len;
        } m[] = {
                { "gzip",  "\x1f\x8b\x08\x00", 4 },
                { "xz",    "\xfd" "7zXZ\0", 6 },
                { "zstd",  "\x28\xb5\x2f\xfd", 4 },
                { "bzip2", "BZh91AY&SY", 10 },
                { "lz4",   "\x02\x21\x4c\x18", 4 },
                { "lzma",  "\x5d\x00\x00\x80\x00", 5 },
        };

        for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
                Blob b = blob_zero(4096);

                memcpy(b.data, m[i].magic, m[i].len);
                for (size_t j = m[i].len; j < b.len; j++)
                        b.data[j] = (unsigned char) (j * 7 + 3);
                expect(m[i].name, &b, KERNEL_COMPRESSED, PV_ARCH_NONE);
                /* Just the magic. */
                expect_len(m[i].name, &b, m[i].len, KERNEL_COMPRESSED, PV_ARCH_NONE);
                blob_free(&b);
        }

        /* Near misses. */
        {
                Blob b = blob_zero(4096);
                memcpy(b.data, "\x1f\x8c", 2);
                expect("gzip near miss", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
                memcpy(b.data, "BZh", 3);
                expect_len("bzip2 magic cut short", &b, 2, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
                blob_free(&b);
        }
}

/* A minimal ELF header: class, data, version, machine; no tables. */
static Blob synth_elf(unsigned elf_class, unsigned data, unsigned machine) {
        size_t len = elf_class == 2 ? 64 : 52;
        Blob b = blob_zero(len);

        memcpy(b.data, "\177ELF", 4);
        b.data[4] = (unsigned char) elf_class;
        b.data[5] = (unsigned char) data;
        b.data[6] = 1;                          /* EV_CURRENT */
        if (data == 2) {                        /* big-endian */
                b.data[16 + 1] = 2;
                b.data[18 + 1] = (unsigned char) machine;
        } else {
                put16(b.data + 16, 2);          /* ET_EXEC */
                put16(b.data + 18, (uint16_t) machine);
        }
        put32(b.data + 20, 1);
        put16(b.data + (elf_class == 2 ? 52 : 40), (uint16_t) len);     /* e_ehsize */
        return b;
}

static void test_elf(void) {
        Blob b;

        b = synth_elf(2, 1, EM_X86_64);
        expect("ELF64 x86-64", &b, KERNEL_ELF, PV_ARCH_X86_64);
        expect_len("ELF64 x86-64 cut to 60 bytes", &b, 60, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        expect_len("ELF magic only", &b, 4, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        expect_len("3 bytes of ELF magic", &b, 3, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        blob_free(&b);

        b = synth_elf(1, 1, EM_386);
        expect("ELF32 i386", &b, KERNEL_ELF, PV_ARCH_I386);
        expect_len("ELF32 i386 cut to 40 bytes", &b, 40, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);

        b = synth_elf(1, 1, EM_ARM);
        expect("ELF32 ARM", &b, KERNEL_ELF_OTHER, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_elf(2, 1, EM_AARCH64);
        expect("ELF64 AArch64", &b, KERNEL_ELF_OTHER, PV_ARCH_NONE);
        blob_free(&b);
        /* Class and machine must agree. */
        b = synth_elf(2, 1, EM_386);
        expect("ELF64 i386", &b, KERNEL_ELF_OTHER, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_elf(1, 1, EM_X86_64);
        expect("ELF32 x86-64", &b, KERNEL_ELF_OTHER, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_elf(2, 2, EM_X86_64);
        expect("big-endian ELF64", &b, KERNEL_ELF_OTHER, PV_ARCH_NONE);
        blob_free(&b);
        b = synth_elf(3, 1, EM_X86_64);
        expect("ELF class 3", &b, KERNEL_ELF_OTHER, PV_ARCH_NONE);
        blob_free(&b);
}

static void test_not_kernel(void) {
        Blob b = blob_zero(4096);

        expect_len("empty file", &b, 0, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        expect_len("1 zero byte", &b, 1, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        expect_len("0x237 zero bytes", &b, 0x237, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        expect("4096 zero bytes", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        memset(b.data, 0xff, b.len);
        expect_len("1 byte 0xff", &b, 1, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        expect("4096 bytes 0xff", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        memcpy(b.data, "MZ", 2);
        expect("PE without a setup header", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        blob_free(&b);

        /* A whole setup header but for xloadflags' last byte: not enough to read one. */
        b = synth_bzimage(0x237, 4, 0, 0x20f, XLF_KERNEL_64);
        expect("0x237 bytes of setup header", &b, KERNEL_NOT_KERNEL, PV_ARCH_NONE);
        blob_free(&b);
}

/* ------------------------------------------------------------------ */
/* A source that claims more than it has                               */

typedef struct Wrapped {
        const unsigned char *data;
        size_t len;             /* what really is there; reads past it fail */
        unsigned reads, failed;
        uint64_t bytes, max_end;
        uint64_t beyond;        /* the longest read past the header (the payload's magic) */
} Wrapped;

static int wrapped_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        Wrapped *w = userdata;

        w->reads++;
        w->bytes += len;
        if (offset + len > w->max_end)
                w->max_end = offset + len;
        if (offset + len > KERNEL_HEADER_READ && len > w->beyond)
                w->beyond = len;
        if (offset > w->len || len > w->len - offset) {
                w->failed++;
                return -EIO;
        }
        memcpy(buf, w->data + offset, len);
        return 0;
}

static int inspect_wrapped(Wrapped *w, uint64_t claimed, KernelInfo *k) {
        ByteSource src = { .size = claimed, .read = wrapped_read, .userdata = w };
        return kernel_inspect(&src, k);
}

/*
 * The header is all kernel_inspect() may read, whatever size the source
 * claims (here 4 GiB over a buffer of KERNEL_HEADER_READ bytes), and for a
 * bzImage of known width the payload's first KERNEL_PAYLOAD_READ bytes,
 * where the header says (here past the buffer: that read fails, and the
 * width stands, the payload unknown).  An ELF header is read again by
 * elf_identify(), so there only the extent is bounded (max_total).
 */
static void test_bounded_reads_max(const Blob *header, KernelReason reason, PvArch width, uint64_t max_total) {
        const uint64_t four_gib = UINT64_C(4) << 30;
        Wrapped w = { .data = header->data, .len = KERNEL_HEADER_READ };
        KernelInfo k;

        CHECK(header->len >= KERNEL_HEADER_READ);
        CHECK_EQ(inspect_wrapped(&w, four_gib, &k), 0);
        CHECK(w.failed <= (width != PV_ARCH_NONE && reason != KERNEL_ELF ? 1u : 0u));
        CHECK(w.reads >= 1);
        CHECK(w.bytes <= max_total + KERNEL_PAYLOAD_READ);
        CHECK(w.beyond <= KERNEL_PAYLOAD_READ);
        CHECK_EQ(k.reason, reason);
        CHECK_EQ(k.width, width);
        if (w.failed)
                CHECK_EQ(k.payload, PAYLOAD_UNKNOWN);
}

static void test_bounded_reads(const Blob *header, KernelReason reason, PvArch width) {
        test_bounded_reads_max(header, reason, width, KERNEL_HEADER_READ);
}

static void test_synthetic_bounded_reads(void) {
        Blob b = synth_bzimage(KERNEL_HEADER_READ, 0x27, 0x7d8200 / 16, 0x20f, 0x7f);
        KernelInfo k;

        test_bounded_reads(&b, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        put16(b.data + H_XLOADFLAGS, 0);
        test_bounded_reads(&b, KERNEL_BZIMAGE_32, PV_ARCH_I386);
        /* 64 GiB claimed by the header is more than even 4 GiB. */
        put32(b.data + H_SYSSIZE, UINT32_MAX);
        test_bounded_reads(&b, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        blob_free(&b);

        /* An ELF header claiming 4 GiB: only the header is read too. */
        {
                Blob e = synth_elf(2, 1, EM_X86_64), big = blob_zero(KERNEL_HEADER_READ);
                memcpy(big.data, e.data, e.len);
                test_bounded_reads_max(&big, KERNEL_ELF, PV_ARCH_X86_64, 2 * KERNEL_HEADER_READ);
                blob_free(&e);
                blob_free(&big);
        }

        /* A source that fails inside the header is an error, not a verdict. */
        {
                Wrapped w;
                b = synth_bzimage(KERNEL_HEADER_READ, 0x27, 0x7d8200 / 16, 0x20f, 0x7f);
                w = (Wrapped) { .data = b.data, .len = 512 };
                memset(&k, 0, sizeof(k));
                CHECK_EQ(inspect_wrapped(&w, UINT64_C(4) << 30, &k), -EIO);
                CHECK(w.failed > 0);
                blob_free(&b);
        }

        /* A source without a reader. */
        {
                ByteSource src = { .size = 4096 };
                CHECK(kernel_inspect(&src, &k) < 0);
        }
}

/* ------------------------------------------------------------------ */
/* Real images                                                         */

static void test_grub_images(void) {
        Blob b;

        if (grub_mkimage("x86_64-xen", &b) <= 0) {
                fprintf(stderr, "no usable GRUB_MKIMAGE: real ELF images not tested (hand-built ones were)\n");
                return;
        }
        expect("grub-mkimage x86_64-xen", &b, KERNEL_ELF, PV_ARCH_X86_64);
        blob_free(&b);
        CHECK(grub_mkimage("i386-xen", &b) > 0);
        expect("grub-mkimage i386-xen", &b, KERNEL_ELF, PV_ARCH_I386);
        blob_free(&b);
}

static void test_real_kernels(const Blob *amd64, const Blob *pae) {
        KernelInfo k;
        uint64_t need;

        k = expect("vmlinuz-amd64", amd64, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        CHECK(k.protocol >= 0x20c);
        /* Debian compresses its kernels with xz: GRUB's Xen loader reads it. */
        CHECK_EQ(k.payload, PAYLOAD_XZ);
        CHECK(kernel_payload_xen_loadable(k.payload));
        CHECK_EQ(k.protocol, get16(amd64->data + H_VERSION));
        k = expect("vmlinuz-686-pae", pae, KERNEL_BZIMAGE_32, PV_ARCH_I386);
        CHECK(k.protocol >= 0x20c);
        CHECK_EQ(k.payload, PAYLOAD_XZ);

        /* Truncated copies: the header then claims more than the file. */
        expect_len("vmlinuz-amd64 cut to 4096", amd64, 4096, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        expect_len("vmlinuz-686-pae cut to 4096", pae, 4096, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        expect_len("vmlinuz-amd64 cut to the header", amd64, KERNEL_HEADER_READ, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        need = claimed_size(amd64->data);
        CHECK(need <= amd64->len);
        expect_len("vmlinuz-amd64 cut to what it claims", amd64, (size_t) need, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        expect_len("vmlinuz-amd64 one byte less", amd64, (size_t) need - 1, KERNEL_SHORT_FILE, PV_ARCH_NONE);
        expect_len("vmlinuz-amd64 cut to 0x237", amd64, 0x237, KERNEL_NOT_KERNEL, PV_ARCH_NONE);

        /* Only the header is read, whatever size is claimed. */
        test_bounded_reads(amd64, KERNEL_BZIMAGE_64, PV_ARCH_X86_64);
        test_bounded_reads(pae, KERNEL_BZIMAGE_32, PV_ARCH_I386);
}

static bool width_known(KernelReason r) {
        return r == KERNEL_BZIMAGE_64 || r == KERNEL_BZIMAGE_32 || r == KERNEL_ELF;
}

/* Byte flips in the header of the real 64-bit kernel. */
static void test_fuzz(const Blob *amd64) {
        Blob b = blob_zero(amd64->len);
        uint64_t seed = 0x243f6a8885a308d3u;
        unsigned seen[_KERNEL_REASON_MAX] = {};
        const size_t region = 0x300;

        memcpy(b.data, amd64->data, b.len);
        for (unsigned iter = 0; iter < 20000; iter++) {
                size_t pos[8];
                unsigned char old[8];
                unsigned n = 1 + (unsigned) (xorshift64(&seed) % 8);
                Wrapped w = { .data = b.data, .len = b.len };
                KernelInfo k;
                int r;

                for (unsigned j = 0; j < n; j++) {
                        pos[j] = (size_t) (xorshift64(&seed) % region);
                        old[j] = b.data[pos[j]];
                        b.data[pos[j]] ^= (unsigned char) (1 + xorshift64(&seed) % 255);
                }

                memset(&k, 0xa5, sizeof(k));
                r = inspect_wrapped(&w, b.len, &k);
                if (r != 0 || (unsigned) k.reason >= _KERNEL_REASON_MAX ||
                    (!width_known(k.reason) && k.width != PV_ARCH_NONE) ||
                    (k.reason == KERNEL_BZIMAGE_64 && k.width != PV_ARCH_X86_64) ||
                    (k.reason == KERNEL_BZIMAGE_32 && k.width != PV_ARCH_I386) ||
                    (k.reason == KERNEL_ELF && k.width != PV_ARCH_I386 && k.width != PV_ARCH_X86_64) ||
                    w.failed || w.beyond > KERNEL_PAYLOAD_READ || (unsigned) k.payload >= _PAYLOAD_MAX ||
                    (k.width == PV_ARCH_NONE && k.payload != PAYLOAD_UNKNOWN)) {
                        fprintf(stderr, "fuzz iteration %u: r=%d reason=%d width=%d failed=%u max_end=%llu\n",
                                iter, r, (int) k.reason, (int) k.width, w.failed, (unsigned long long) w.max_end);
                        exit(EXIT_FAILURE);
                }
                seen[k.reason]++;

                for (unsigned j = n; j-- > 0;)
                        b.data[pos[j]] = old[j];
        }
        CHECK(memcmp(b.data, amd64->data, b.len) == 0);
        for (int i = 0; i < _KERNEL_REASON_MAX; i++)
                if (seen[i])
                        fprintf(stderr, "fuzz: %5u x %s\n", seen[i], kernel_reason_to_string((KernelReason) i));
        /* The flips reached both the decided and the refused paths. */
        CHECK(seen[KERNEL_BZIMAGE_64] > 0);
        CHECK(seen[KERNEL_NOT_KERNEL] + seen[KERNEL_SHORT_FILE] + seen[KERNEL_OLD_PROTOCOL] > 0);
        blob_free(&b);
}

int main(void) {
        const char *dir = getenv("KERNEL_DIR");
        char p64[PATH_MAX], p32[PATH_MAX];
        Blob amd64 = {}, pae = {};

        test_reason_strings();
        test_synthetic_bzimage();
        test_compressed();
        test_payload();
        test_elf();
        test_not_kernel();
        test_synthetic_bounded_reads();
        test_grub_images();

        if (!dir || !*dir)
                dir = DEFAULT_KERNEL_DIR;
        snprintf(p64, sizeof(p64), "%s/vmlinuz-amd64", dir);
        snprintf(p32, sizeof(p32), "%s/vmlinuz-686-pae", dir);
        if (!read_whole_file(p64, &amd64) || !read_whole_file(p32, &pae)) {
                fprintf(stderr, "%s or %s missing (tools/fetch-kernels.sh): skipping the real-kernel tests\n", p64, p32);
                blob_free(&amd64);
                return EXIT_TEST_SKIP;
        }

        test_real_kernels(&amd64, &pae);
        test_fuzz(&amd64);

        blob_free(&amd64);
        blob_free(&pae);
        return EXIT_SUCCESS;
}
