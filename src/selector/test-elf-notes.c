/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for the ELF + Xen notes reader (elf-notes.c).
 *
 * The reference images are real: grub-mkimage builds the three Xen flavours
 * the pvgrub2 stage 1s are made from, so the reader is tested against what a
 * distribution actually ships, grub's clipped PAE_MODE note included.  Every
 * "lying" image is one of those with a few bytes patched; the bytes to patch
 * are located by a small ELF walker in this file, independent of the code
 * under test.  Shapes grub-mkimage never produces (huge note counts, notes
 * only in sections, overlong strings, a 4 GiB file) are built by hand as
 * minimal ELF64 files.
 *
 * The synthetic tests need no grub-mkimage and run first; without a usable
 * GRUB_MKIMAGE the program then exits 77 (skip).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "selector/elf-notes.h"
#include "shared/test-util.h"
#include "selector/test-blob.h"

#define EM_386    3
#define EM_X86_64 62
#define PT_NOTE   4
#define SHT_NOTE  7

/* ELF header field offsets (ELF32 / ELF64). */
#define E_MACHINE      18
#define E32_PHOFF      28
#define E32_PHENTSIZE  42
#define E32_PHNUM      44
#define E64_PHOFF      32
#define E64_SHOFF      40
#define E64_PHENTSIZE  54
#define E64_PHNUM      56
#define E64_SHENTSIZE  58
#define E64_SHNUM      60

/* ------------------------------------------------------------------ */
/* More on Blobs (the basics are in test-blob.h)                       */

static void blob_pad4(Blob *b) {
        while (b->len % 4)
                blob_append(b, NULL, 1);
}

static Blob blob_dup(const Blob *b) {
        Blob c = {};
        blob_append(&c, b->data, b->len);
        return c;
}

/* ------------------------------------------------------------------ */
/* Running the code under test                                         */

static int inspect_len(const Blob *b, size_t len, PvArch name, ElfImage *img) {
        ByteSource src;

        CHECK(len <= b->len);
        byte_source_from_buffer(&src, b->data, len);
        return elf_inspect(&src, name, img);
}

static const char *verdict_name(int r) {
        return r >= 0 ? elf_verdict_to_string((ElfVerdict) r) : strerror(-r);
}

/* Judge b (whole) and insist on one verdict; says what was tried on failure. */
static void expect_verdict(const char *what, const Blob *b, PvArch name, int expected) {
        ElfImage img;
        int r = inspect_len(b, b->len, name, &img);

        if (r != expected) {
                fprintf(stderr, "%s: elf_inspect() = %d (%s), expected %d (%s)\n",
                        what, r, verdict_name(r), expected, verdict_name(expected));
                exit(EXIT_FAILURE);
        }
}

/* Same for a patched copy, which is consumed. */
static void expect_variant(const char *what, Blob *copy, PvArch name, int expected) {
        expect_verdict(what, copy, name, expected);
        blob_free(copy);
}

/* ------------------------------------------------------------------ */
/* Building synthetic ELF64 images                                     */

/* One note, laid out as the gABI says: 12-byte header, name and
 * descriptor each padded to 4 bytes.  name includes its NUL. */
static void note_append(Blob *b, const char *name, uint32_t type, const void *desc, uint32_t descsz) {
        uint32_t namesz = name ? (uint32_t) strlen(name) + 1 : 0;
        unsigned char h[12];

        put32(h, namesz);
        put32(h + 4, descsz);
        put32(h + 8, type);
        blob_append(b, h, sizeof(h));
        if (namesz)
                blob_append(b, name, namesz);
        blob_pad4(b);
        if (descsz)
                blob_append(b, desc, descsz);
        blob_pad4(b);
}

static void xen_note_str(Blob *b, uint32_t type, const char *s) {
        note_append(b, "Xen", type, s, (uint32_t) strlen(s) + 1);
}

/* The minimum libelf accepts for a 64-bit PV kernel. */
static void pv_notes(Blob *b) {
        xen_note_str(b, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
        xen_note_str(b, XEN_ELFNOTE_LOADER, "generic");
}

/*
 * A minimal ELF64/x86-64 file: header; one PT_NOTE program header if seg;
 * a null and one SHT_NOTE section header if sec; then the segment's notes,
 * then the section's notes.
 */
static Blob synth_elf64(const Blob *seg, const Blob *sec) {
        unsigned phnum = seg ? 1 : 0, shnum = sec ? 2 : 0;
        uint64_t phoff = 64, shoff = phoff + 56u * phnum;
        uint64_t seg_off = shoff + 64u * shnum;
        uint64_t sec_off = seg_off + (seg ? seg->len : 0);
        Blob b = {};
        unsigned char *e;

        blob_append(&b, NULL, sec_off + (sec ? sec->len : 0));
        e = b.data;
        memcpy(e, "\177ELF", 4);
        e[4] = 2;                               /* ELFCLASS64 */
        e[5] = 1;                               /* ELFDATA2LSB */
        e[6] = 1;                               /* EV_CURRENT */
        put16(e + 16, 2);                       /* ET_EXEC */
        put16(e + E_MACHINE, EM_X86_64);
        put32(e + 20, 1);
        put64(e + E64_PHOFF, phnum ? phoff : 0);
        put64(e + E64_SHOFF, shnum ? shoff : 0);
        put16(e + 52, 64);                      /* e_ehsize */
        put16(e + E64_PHENTSIZE, 56);
        put16(e + E64_PHNUM, (uint16_t) phnum);
        put16(e + E64_SHENTSIZE, 64);
        put16(e + E64_SHNUM, (uint16_t) shnum);

        if (seg) {
                unsigned char *p = b.data + phoff;
                put32(p, PT_NOTE);
                put32(p + 4, 4);                /* PF_R */
                put64(p + 8, seg_off);
                put64(p + 32, seg->len);        /* p_filesz */
                put64(p + 48, 4);               /* p_align */
                if (seg->len)
                        memcpy(b.data + seg_off, seg->data, seg->len);
        }
        if (sec) {
                unsigned char *s = b.data + shoff + 64;   /* [0] stays SHT_NULL */
                put32(s + 4, SHT_NOTE);
                put64(s + 24, sec_off);
                put64(s + 32, sec->len);
                put64(s + 48, 4);               /* sh_addralign */
                if (sec->len)
                        memcpy(b.data + sec_off, sec->data, sec->len);
        }
        return b;
}

/* Synthetic image whose only PT_NOTE holds exactly these notes. */
static void expect_seg_notes(const char *what, Blob *notes, int expected) {
        Blob elf = synth_elf64(notes, NULL);

        expect_verdict(what, &elf, PV_ARCH_X86_64, expected);
        blob_free(&elf);
        blob_free(notes);
}

/* ------------------------------------------------------------------ */
/* Synthetic tests                                                     */

static void test_verdict_strings(void) {
        for (int i = 0; i < _ELF_VERDICT_MAX; i++) {
                const char *s = elf_verdict_to_string((ElfVerdict) i);
                CHECK(s);
                CHECK(*s);
                CHECK(strcmp(s, "unknown verdict") != 0);
                for (int j = 0; j < i; j++)
                        CHECK(strcmp(s, elf_verdict_to_string((ElfVerdict) j)) != 0);
        }
        /* Out of range must still give a string, never NULL or garbage. */
        CHECK(elf_verdict_to_string(_ELF_VERDICT_MAX));
        CHECK(elf_verdict_to_string((ElfVerdict) -1));
}

static void test_empty_and_tiny(void) {
        static const unsigned char text[] = "hello";
        ByteSource src;
        ElfImage img;

        byte_source_from_buffer(&src, text, 0);
        CHECK_EQ(elf_inspect(&src, PV_ARCH_NONE, &img), ELF_BAD_MAGIC);
        byte_source_from_buffer(&src, text, 3);
        CHECK_EQ(elf_inspect(&src, PV_ARCH_X86_64, &img), ELF_BAD_MAGIC);
}

/* The synthetic builder itself must produce something the reader accepts,
 * or every "rejected" result below would prove nothing. */
static void test_synthetic_baseline(void) {
        Blob notes = {}, elf;
        ElfImage img;

        pv_notes(&notes);
        elf = synth_elf64(&notes, NULL);
        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_PV_OK);
        CHECK_EQ(img.arch, PV_ARCH_X86_64);
        CHECK(!img.notes_from_sections);
        CHECK(!img.quirk_clipped_desc);
        CHECK_EQ(img.n_notes, 2);
        CHECK_EQ(img.n_xen_notes, 2);
        CHECK_STREQ(img.notes[XEN_ELFNOTE_XEN_VERSION].str, "xen-3.0");
        CHECK_STREQ(img.notes[XEN_ELFNOTE_LOADER].str, "generic");
        blob_free(&elf);
        blob_free(&notes);

        /* GUEST_OS "linux" is libelf's alternative to LOADER "generic". */
        xen_note_str(&notes, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
        xen_note_str(&notes, XEN_ELFNOTE_GUEST_OS, "linux");
        expect_seg_notes("GUEST_OS linux instead of LOADER", &notes, ELF_PV_OK);

        /* PHYS32_ENTRY alone: a PVH kernel, not something PV can boot. */
        note_append(&notes, "Xen", XEN_ELFNOTE_PHYS32_ENTRY, "\0\0\x10\0", 4);
        expect_seg_notes("PHYS32_ENTRY only", &notes, ELF_PVH_ONLY);

        /* Notes owned by someone else are no Xen notes at all. */
        note_append(&notes, "GNU", 3, "abcdefgh", 8);
        expect_seg_notes("GNU note only", &notes, ELF_NO_XEN_NOTES);
}

/* libelf gives up after ELF_MAX_TOTAL_NOTE_COUNT notes; a segment of
 * 12-byte empty notes is the cheapest way to make a walker spin. */
static void test_note_count_cap(void) {
        Blob notes = {};
        ElfImage img;
        Blob elf;

        /* Valid notes first, so only the cap can make this fail. */
        pv_notes(&notes);
        for (unsigned i = 0; i < 70000; i++)
                note_append(&notes, NULL, 0, NULL, 0);
        expect_seg_notes("70000 empty notes", &notes, ELF_BAD_NOTES);

        /* Exactly the cap is still fine. */
        pv_notes(&notes);
        for (unsigned i = 2; i < ELF_NOTE_MAX_COUNT; i++)
                note_append(&notes, NULL, 0, NULL, 0);
        elf = synth_elf64(&notes, NULL);
        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_PV_OK);
        CHECK_EQ(img.n_notes, ELF_NOTE_MAX_COUNT);
        blob_free(&elf);
        blob_free(&notes);
}

/* A note segment over 1 MiB is refused before it is read. */
static void test_note_segment_cap(void) {
        for (size_t extra = 0; extra <= 4; extra += 4) {
                Blob notes = {};
                unsigned char *desc;
                size_t pad;

                /* Valid notes, then one foreign note filling the segment
                 * to 1 MiB (+ extra): header 12 + "Pad\0" 4 + descriptor. */
                pv_notes(&notes);
                pad = ELF_MAX_NOTE_SEGMENT - notes.len - 16 + extra;
                desc = calloc(1, pad);
                CHECK(desc);
                note_append(&notes, "Pad", 1, desc, (uint32_t) pad);
                free(desc);
                CHECK_EQ(notes.len, ELF_MAX_NOTE_SEGMENT + extra);
                expect_seg_notes(extra ? "1 MiB + 4 note segment" : "1 MiB note segment",
                                 &notes, extra ? ELF_BAD_NOTES : ELF_PV_OK);
        }
}

/* libelf falls back to SHT_NOTE sections only when no PT_NOTE had Xen notes. */
static void test_notes_from_sections(void) {
        Blob good = {}, bad = {}, gnu = {}, elf;
        ElfImage img;

        pv_notes(&good);
        xen_note_str(&bad, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
        xen_note_str(&bad, XEN_ELFNOTE_LOADER, "generic");
        note_append(&gnu, "GNU", 3, "abcdefgh", 8);

        /* No PT_NOTE at all. */
        elf = synth_elf64(NULL, &good);
        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_PV_OK);
        CHECK(img.notes_from_sections);
        CHECK_STREQ(img.notes[XEN_ELFNOTE_XEN_VERSION].str, "xen-3.0");
        CHECK_STREQ(img.notes[XEN_ELFNOTE_LOADER].str, "generic");
        blob_free(&elf);

        /* A PT_NOTE without Xen notes does not stop the fallback. */
        elf = synth_elf64(&gnu, &good);
        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_NONE, &img), ELF_PV_OK);
        CHECK(img.notes_from_sections);
        blob_free(&elf);

        /* Xen notes in the segment win, even if the section's are better. */
        elf = synth_elf64(&bad, &good);
        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_BAD_XEN_VERSION);
        CHECK(!img.notes_from_sections);
        blob_free(&elf);

        blob_free(&good);
        blob_free(&bad);
        blob_free(&gnu);
}

/* A string note is only a string if its NUL lies inside the descriptor,
 * and only up to libelf's 4096-byte cap. */
static void test_string_rules(void) {
        Blob notes = {}, elf;
        ElfImage img;
        char *s;

        /* "xen-3.0" with descsz 7: the only NUL is in the padding. */
        note_append(&notes, "Xen", XEN_ELFNOTE_XEN_VERSION, "xen-3.0", 7);
        xen_note_str(&notes, XEN_ELFNOTE_LOADER, "generic");
        elf = synth_elf64(&notes, NULL);
        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_BAD_XEN_VERSION);
        CHECK(img.notes[XEN_ELFNOTE_XEN_VERSION].present);
        CHECK(!img.notes[XEN_ELFNOTE_XEN_VERSION].valid);
        blob_free(&elf);
        blob_free(&notes);

        xen_note_str(&notes, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
        note_append(&notes, "Xen", XEN_ELFNOTE_LOADER, "generic", 7);
        expect_seg_notes("LOADER without NUL", &notes, ELF_BAD_LOADER);

        /* "xen-3.0" followed by filler: valid by prefix when short enough,
         * invalid once longer than the cap. */
        s = malloc(8192);
        CHECK(s);
        static const size_t lengths[] = { 7, 4095, 4097, 5000 };

        for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
                size_t len = lengths[i];

                memset(s, 'x', len);
                memcpy(s, "xen-3.0", 7);
                s[len] = 0;
                xen_note_str(&notes, XEN_ELFNOTE_XEN_VERSION, s);
                xen_note_str(&notes, XEN_ELFNOTE_LOADER, "generic");
                elf = synth_elf64(&notes, NULL);
                if (len < ELF_NOTE_MAX_STRING) {
                        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_PV_OK);
                        CHECK_EQ(img.notes[XEN_ELFNOTE_XEN_VERSION].str_len, len);
                        /* Only a bounded, NUL-terminated prefix is kept. */
                        CHECK_EQ(strlen(img.notes[XEN_ELFNOTE_XEN_VERSION].str),
                                 len < ELF_NOTE_SHOW ? len : ELF_NOTE_SHOW);
                } else {
                        CHECK_EQ(inspect_len(&elf, elf.len, PV_ARCH_X86_64, &img), ELF_BAD_XEN_VERSION);
                        CHECK(!img.notes[XEN_ELFNOTE_XEN_VERSION].valid);
                }
                blob_free(&elf);
                blob_free(&notes);
        }
        free(s);
}

/* ------------------------------------------------------------------ */
/* Bounded reads                                                       */

/* Wraps a ByteSource and sums what is asked of it. */
typedef struct Counter {
        const ByteSource *inner;
        uint64_t bytes;
        unsigned reads;
} Counter;

static int counting_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        Counter *c = userdata;

        c->bytes += len;
        c->reads++;
        return byte_source_read(c->inner, offset, buf, len);
}

static ByteSource counting_source(Counter *c, const ByteSource *inner) {
        *c = (Counter) { .inner = inner };
        return (ByteSource) { .size = inner->size, .read = counting_read, .userdata = c };
}

/* A file that claims to be far larger than the bytes we hold: anything
 * beyond them fails with -EIO, which elf_inspect() would pass on. */
static int sparse_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        const Blob *b = userdata;

        if (offset > b->len || len > b->len - offset)
                return -EIO;
        memcpy(buf, b->data + offset, len);
        return 0;
}

static uint64_t bytes_read_judging(const Blob *b, PvArch name, int expected) {
        ByteSource inner, src;
        Counter c;
        ElfImage img;

        byte_source_from_buffer(&inner, b->data, b->len);
        src = counting_source(&c, &inner);
        CHECK_EQ(elf_inspect(&src, name, &img), expected);
        return c.bytes;
}

static void test_huge_claimed_size(void) {
        const uint64_t four_gib = UINT64_C(4) << 30;
        Blob notes = {}, gnu = {}, elf;
        ByteSource inner, src;
        Counter c;
        ElfImage img;

        pv_notes(&notes);
        elf = synth_elf64(&notes, NULL);
        /* Section headers far out in the part we do not have: reading
         * them would fail, so a verdict proves they were not needed. */
        put64(elf.data + E64_SHOFF, UINT64_C(3) << 30);
        put16(elf.data + E64_SHNUM, 2);
        inner = (ByteSource) { .size = four_gib, .read = sparse_read, .userdata = &elf };
        src = counting_source(&c, &inner);
        CHECK_EQ(elf_inspect(&src, PV_ARCH_X86_64, &img), ELF_PV_OK);
        /* ELF header (52, then 64), one program header, the notes. */
        CHECK(c.bytes <= 4 + 52 + 64 + 56 + notes.len);  /* magic, then the headers */
        blob_free(&elf);

        /* Without Xen notes in the segment the sections are consulted: the
         * read goes exactly where the header points, and its failure is
         * reported as such rather than as a verdict. */
        note_append(&gnu, "GNU", 3, "abcdefgh", 8);
        elf = synth_elf64(&gnu, NULL);
        put64(elf.data + E64_SHOFF, UINT64_C(3) << 30);
        put16(elf.data + E64_SHNUM, 2);
        inner = (ByteSource) { .size = four_gib, .read = sparse_read, .userdata = &elf };
        src = counting_source(&c, &inner);
        CHECK_EQ(elf_inspect(&src, PV_ARCH_X86_64, &img), -EIO);
        CHECK(c.bytes <= 4 + 52 + 64 + 56 + gnu.len + 2 * 64);
        blob_free(&elf);

        blob_free(&notes);
        blob_free(&gnu);
}

/* ------------------------------------------------------------------ */
/* Real images from grub-mkimage                                       */

enum { IMG_X86_64, IMG_I386, IMG_PVH, N_IMAGES };

static const char *const image_formats[N_IMAGES] = {
        [IMG_X86_64] = "x86_64-xen",
        [IMG_I386]   = "i386-xen",
        [IMG_PVH]    = "i386-xen_pvh",
};

/* The width each image is built for (what its file name would claim). */
static const PvArch image_arch[N_IMAGES] = {
        [IMG_X86_64] = PV_ARCH_X86_64,
        [IMG_I386]   = PV_ARCH_I386,
        [IMG_PVH]    = PV_ARCH_I386,
};

/* Builds the three images; false if grub-mkimage cannot (no platform files). */
static bool make_images(Blob images[N_IMAGES]) {
        for (unsigned i = 0; i < N_IMAGES; i++) {
                int r = grub_mkimage(image_formats[i], &images[i]);

                if (r < 0) {
                        fprintf(stderr, "grub-mkimage -O %s failed\n", image_formats[i]);
                        return false;
                }
                CHECK(r > 0);
                CHECK(images[i].len > 64);
        }
        return true;
}

/* Our own reading of where the PT_NOTE lies, independent of elf-notes.c. */
typedef struct Range {
        size_t off, size;
} Range;

static Range find_pt_note(const Blob *b) {
        bool is64 = b->data[4] == 2;
        uint64_t phoff = is64 ? get64(b->data + E64_PHOFF) : get32(b->data + E32_PHOFF);
        unsigned entsize = get16(b->data + (is64 ? E64_PHENTSIZE : E32_PHENTSIZE));
        unsigned num = get16(b->data + (is64 ? E64_PHNUM : E32_PHNUM));

        for (unsigned i = 0; i < num; i++) {
                const unsigned char *p;
                Range r;

                CHECK(phoff + (uint64_t) (i + 1) * entsize <= b->len);
                p = b->data + phoff + (size_t) i * entsize;
                if (get32(p) != PT_NOTE)
                        continue;
                r.off = (size_t) (is64 ? get64(p + 8) : get32(p + 4));
                r.size = (size_t) (is64 ? get64(p + 32) : get32(p + 16));
                CHECK(r.off + r.size <= b->len);
                return r;
        }
        CHECK(!"no PT_NOTE in image");
        return (Range) {};
}

static size_t note_segment_end(const Blob *b) {
        Range r = find_pt_note(b);
        return r.off + r.size;
}

/* File offset of the descriptor of Xen note 'type' in the PT_NOTE. */
static size_t find_xen_note_desc(const Blob *b, unsigned type, uint32_t *descsz) {
        Range r = find_pt_note(b);
        size_t pos = r.off, end = r.off + r.size;

        while (end - pos >= 12) {
                uint32_t namesz = get32(b->data + pos), dsz = get32(b->data + pos + 4);
                size_t desc = pos + 12 + ((namesz + 3u) & ~3u);

                if (namesz == 4 && memcmp(b->data + pos + 12, "Xen", 4) == 0 &&
                    get32(b->data + pos + 8) == type) {
                        *descsz = dsz;
                        return desc;
                }
                pos = desc + ((dsz + 3u) & ~3u);
        }
        CHECK(!"Xen note not found");
        return 0;
}

static void test_real_images(const Blob images[N_IMAGES]) {
        ElfImage img;
        uint32_t dsz;

        CHECK_EQ(inspect_len(&images[IMG_X86_64], images[IMG_X86_64].len, PV_ARCH_X86_64, &img), ELF_PV_OK);
        CHECK_EQ(img.arch, PV_ARCH_X86_64);
        CHECK(!img.notes_from_sections);
        CHECK(!img.quirk_clipped_desc);
        CHECK_STREQ(img.notes[XEN_ELFNOTE_XEN_VERSION].str, "xen-3.0");
        CHECK_STREQ(img.notes[XEN_ELFNOTE_LOADER].str, "generic");

        /* grub's i386-xen PAE_MODE note claims a 12-byte descriptor but the
         * PT_NOTE ends after "yes\0": check the image really is like that,
         * then that the reader copes. */
        (void) find_xen_note_desc(&images[IMG_I386], XEN_ELFNOTE_PAE_MODE, &dsz);
        CHECK_EQ(dsz, 12);
        CHECK_EQ(inspect_len(&images[IMG_I386], images[IMG_I386].len, PV_ARCH_I386, &img), ELF_PV_OK);
        CHECK_EQ(img.arch, PV_ARCH_I386);
        CHECK(img.quirk_clipped_desc);
        CHECK_STREQ(img.notes[XEN_ELFNOTE_PAE_MODE].str, "yes");
        CHECK_STREQ(img.notes[XEN_ELFNOTE_XEN_VERSION].str, "xen-3.0");
        CHECK_STREQ(img.notes[XEN_ELFNOTE_LOADER].str, "generic");

        CHECK_EQ(inspect_len(&images[IMG_PVH], images[IMG_PVH].len, PV_ARCH_I386, &img), ELF_PVH_ONLY);
        CHECK(img.notes[XEN_ELFNOTE_PHYS32_ENTRY].valid);

        /* No claim from the file name is no obstacle. */
        CHECK_EQ(inspect_len(&images[IMG_X86_64], images[IMG_X86_64].len, PV_ARCH_NONE, &img), ELF_PV_OK);
        CHECK_EQ(img.arch, PV_ARCH_X86_64);
        CHECK_EQ(inspect_len(&images[IMG_I386], images[IMG_I386].len, PV_ARCH_NONE, &img), ELF_PV_OK);
        CHECK_EQ(img.arch, PV_ARCH_I386);
        CHECK_EQ(inspect_len(&images[IMG_PVH], images[IMG_PVH].len, PV_ARCH_NONE, &img), ELF_PVH_ONLY);
}

/* Sections by name (the stage 1 reader's "mods", a module's ".modname"). */
static void test_find_section(const Blob images[N_IMAGES]) {
        for (unsigned i = 0; i < N_IMAGES; i++) {
                const Blob *img = &images[i];
                bool is64 = img->data[4] == 2;
                uint64_t shoff = is64 ? get64(img->data + 40) : get32(img->data + 32), off, size, off2, size2;
                unsigned shentsize = is64 ? 64 : 40, shstrndx = get16(img->data + (is64 ? 62 : 50));
                ByteSource s;
                Blob b;

                byte_source_from_buffer(&s, img->data, img->len);
                CHECK_EQ(elf_find_section(&s, "mods", &off, &size), 0);
                CHECK(off + size <= img->len && size >= 12);
                CHECK_EQ(get32(img->data + off), 0x676d696d);   /* GRUB's module info magic */
                CHECK_EQ(elf_find_section(&s, ".text", &off2, &size2), 0);
                CHECK(off2 + size2 <= off);
                CHECK_EQ(elf_find_section(&s, ".modname", &off2, &size2), -ENOENT);
                CHECK_EQ(elf_find_section(&s, "mod", &off2, &size2), -ENOENT);        /* whole names only */

                /* A section past the end of the file is not handed out. */
                b = blob_dup(img);
                unsigned mods = 0;
                for (unsigned k = 1; k < get16(img->data + (is64 ? 60 : 48)); k++)
                        if ((is64 ? get64(img->data + shoff + k * shentsize + 24)
                                  : get32(img->data + shoff + k * shentsize + 16)) == off)
                                mods = k;
                CHECK(mods > 0);
                if (is64)
                        put64(b.data + shoff + mods * shentsize + 32, UINT64_MAX - 8);
                else
                        put32(b.data + shoff + mods * shentsize + 20, UINT32_MAX - 8);
                byte_source_from_buffer(&s, b.data, b.len);
                CHECK_EQ(elf_find_section(&s, "mods", &off2, &size2), ELF_TRUNCATED);
                blob_free(&b);

                /* A name offset past the name table names nothing. */
                b = blob_dup(img);
                put32(b.data + shoff + mods * shentsize, 0x7fffffff);
                byte_source_from_buffer(&s, b.data, b.len);
                CHECK_EQ(elf_find_section(&s, "mods", &off2, &size2), -ENOENT);
                blob_free(&b);

                /* No name table: nothing can be found. */
                b = blob_dup(img);
                put16(b.data + (is64 ? 62 : 50), (uint16_t) get16(img->data + (is64 ? 60 : 48)));
                byte_source_from_buffer(&s, b.data, b.len);
                CHECK_EQ(elf_find_section(&s, "mods", &off2, &size2), -ENOENT);
                blob_free(&b);

                /* A name table claiming more than the bound. */
                b = blob_dup(img);
                if (is64)
                        put64(b.data + shoff + shstrndx * shentsize + 32, ELF_MAX_HEADER_TABLE + 1);
                else
                        put32(b.data + shoff + shstrndx * shentsize + 20, ELF_MAX_HEADER_TABLE + 1);
                byte_source_from_buffer(&s, b.data, b.len);
                CHECK(elf_find_section(&s, "mods", &off2, &size2) > 0);
                blob_free(&b);

                /* Not an ELF at all. */
                byte_source_from_buffer(&s, "#!/bin/sh\n", 10);
                CHECK_EQ(elf_find_section(&s, "mods", &off2, &size2), ELF_BAD_MAGIC);
                byte_source_from_buffer(&s, img->data, 40);     /* an ELF cut in its header */
                CHECK_EQ(elf_find_section(&s, "mods", &off2, &size2), ELF_TRUNCATED);
        }
}

/* Header lies: each a copy of a real image with a field or two changed. */
static void test_header_lies(const Blob images[N_IMAGES]) {
        const Blob *x64 = &images[IMG_X86_64], *x32 = &images[IMG_I386];
        Blob b;

        expect_verdict("x86_64 image named i386", x64, PV_ARCH_I386, ELF_NAME_MISMATCH);
        expect_verdict("i386 image named x86_64", x32, PV_ARCH_X86_64, ELF_NAME_MISMATCH);
        expect_verdict("PVH image named x86_64", &images[IMG_PVH], PV_ARCH_X86_64, ELF_NAME_MISMATCH);

        b = blob_dup(x64);
        b.data[4] = 1;
        expect_variant("ELF64 x86-64 with EI_CLASS 32", &b, PV_ARCH_NONE, ELF_BAD_CLASS_MACHINE);
        b = blob_dup(x32);
        b.data[4] = 2;
        expect_variant("ELF32 i386 with EI_CLASS 64", &b, PV_ARCH_NONE, ELF_BAD_CLASS_MACHINE);
        b = blob_dup(x64);
        b.data[4] = 3;
        expect_variant("EI_CLASS 3", &b, PV_ARCH_NONE, ELF_BAD_CLASS_MACHINE);
        b = blob_dup(x64);
        put16(b.data + E_MACHINE, EM_386);
        expect_variant("ELF64 with EM_386", &b, PV_ARCH_NONE, ELF_BAD_CLASS_MACHINE);
        b = blob_dup(x32);
        put16(b.data + E_MACHINE, EM_X86_64);
        expect_variant("ELF32 with EM_X86_64", &b, PV_ARCH_NONE, ELF_BAD_CLASS_MACHINE);

        b = blob_dup(x64);
        b.data[1] = 'X';
        expect_variant("bad magic", &b, PV_ARCH_X86_64, ELF_BAD_MAGIC);
        b = blob_dup(x64);
        b.data[5] = 2;
        expect_variant("EI_DATA big-endian", &b, PV_ARCH_X86_64, ELF_BAD_ENCODING);
        b = blob_dup(x32);
        b.data[6] = 0;
        expect_variant("EI_VERSION 0", &b, PV_ARCH_I386, ELF_BAD_ENCODING);

        b = blob_dup(x64);
        put16(b.data + E64_PHENTSIZE, 57);
        expect_variant("ELF64 e_phentsize 57", &b, PV_ARCH_X86_64, ELF_BAD_HEADER_TABLE);
        b = blob_dup(x32);
        put16(b.data + E32_PHENTSIZE, 56);
        expect_variant("ELF32 e_phentsize 56", &b, PV_ARCH_I386, ELF_BAD_HEADER_TABLE);
        b = blob_dup(x64);
        put16(b.data + E64_PHNUM, 0xffff);
        expect_variant("ELF64 e_phnum 0xffff", &b, PV_ARCH_X86_64, ELF_BAD_HEADER_TABLE);
        b = blob_dup(x32);
        put16(b.data + E32_PHNUM, 0xffff);
        expect_variant("ELF32 e_phnum 0xffff", &b, PV_ARCH_I386, ELF_BAD_HEADER_TABLE);

        b = blob_dup(x64);
        put64(b.data + E64_PHOFF, b.len + 1);
        expect_variant("e_phoff past EOF", &b, PV_ARCH_X86_64, ELF_TRUNCATED);
        b = blob_dup(x64);
        put64(b.data + E64_PHOFF, UINT64_MAX - 8);     /* phoff + table size wraps */
        expect_variant("e_phoff wrapping", &b, PV_ARCH_X86_64, ELF_TRUNCATED);
        b = blob_dup(x32);
        put32(b.data + E32_PHOFF, (uint32_t) b.len - 16);
        expect_variant("ELF32 e_phoff near EOF", &b, PV_ARCH_I386, ELF_TRUNCATED);
}

/* Note lies: each a copy of a real image with one note patched. */
static void test_note_lies(const Blob images[N_IMAGES]) {
        const Blob *x32 = &images[IMG_I386];
        uint32_t dsz;
        size_t d;
        Blob b;

        for (unsigned i = IMG_X86_64; i <= IMG_I386; i++) {
                b = blob_dup(&images[i]);
                d = find_xen_note_desc(&b, XEN_ELFNOTE_XEN_VERSION, &dsz);
                CHECK(memcmp(b.data + d, "xen-3.0", 8) == 0);
                b.data[d + 4] = '2';
                expect_variant("XEN_VERSION xen-2.0", &b, image_arch[i], ELF_BAD_XEN_VERSION);

                /* GUEST_OS is "GRUB" in these images, so LOADER is all
                 * that makes them loadable. */
                b = blob_dup(&images[i]);
                d = find_xen_note_desc(&b, XEN_ELFNOTE_LOADER, &dsz);
                CHECK(memcmp(b.data + d, "generic", 8) == 0);
                b.data[d + 3] = 'x';
                expect_variant("LOADER genxric", &b, image_arch[i], ELF_BAD_LOADER);

                b = blob_dup(&images[i]);
                put32(b.data + find_pt_note(&b).off, 0xffffffff);
                expect_variant("first note namesz 0xffffffff", &b, image_arch[i], ELF_BAD_NOTES);

                /* A descriptor running past the segment is clipped and
                 * ends the walk: GUEST_OS "GRUB" comes first, so LOADER
                 * is never seen. */
                b = blob_dup(&images[i]);
                put32(b.data + find_pt_note(&b).off + 4, 0xfffffff0);
                expect_variant("first note descsz huge", &b, image_arch[i], ELF_BAD_LOADER);
        }

        /* PAE_MODE "yes" -> "no": a non-PAE 32-bit kernel no Xen runs. */
        b = blob_dup(x32);
        d = find_xen_note_desc(&b, XEN_ELFNOTE_PAE_MODE, &dsz);
        CHECK(memcmp(b.data + d, "yes", 4) == 0);
        memcpy(b.data + d, "no\0\0", 4);
        expect_variant("PAE_MODE no", &b, PV_ARCH_I386, ELF_NO_PAE);

        /* A PT_NOTE pointing outside the file. */
        b = blob_dup(x32);
        {
                const unsigned char *e = b.data;
                unsigned char *p = b.data + get32(e + E32_PHOFF);
                while (get32(p) != PT_NOTE)
                        p += get16(e + E32_PHENTSIZE);
                put32(p + 4, (uint32_t) b.len - 8);
        }
        expect_variant("PT_NOTE past EOF", &b, PV_ARCH_I386, ELF_TRUNCATED);
}

/*
 * Every prefix of a real image up to the end of its notes: byte by byte
 * for the headers, then a few hundred spread points and the whole note
 * segment byte by byte.  None may be judged bootable.
 */
static void check_truncated(const Blob *b, size_t len) {
        ElfImage img;
        int r = inspect_len(b, len, PV_ARCH_NONE, &img);

        if (r == ELF_PV_OK || r < 0 || r >= _ELF_VERDICT_MAX) {
                fprintf(stderr, "truncated to %zu of %zu bytes: elf_inspect() = %d (%s)\n",
                        len, b->len, r, verdict_name(r));
                exit(EXIT_FAILURE);
        }
        /* These images have all they need up to their notes' end. */
        CHECK_EQ(r, len < 4 ? ELF_BAD_MAGIC : ELF_TRUNCATED);
}

static void test_truncations(const Blob images[N_IMAGES]) {
        for (unsigned i = 0; i < N_IMAGES; i++) {
                const Blob *b = &images[i];
                Range notes = find_pt_note(b);
                size_t end = notes.off + notes.size;

                for (size_t len = 0; len < 128 && len < end; len++)
                        check_truncated(b, len);
                for (size_t k = 0; k < 400; k++)
                        check_truncated(b, 128 + (end - 128) * k / 400);
                for (size_t len = notes.off; len < end; len++)
                        check_truncated(b, len);
        }
}

static void test_bounded_reads(const Blob images[N_IMAGES]) {
        static const int expected[N_IMAGES] = {
                [IMG_X86_64] = ELF_PV_OK,
                [IMG_I386]   = ELF_PV_OK,
                [IMG_PVH]    = ELF_PVH_ONLY,
        };

        for (unsigned i = 0; i < N_IMAGES; i++) {
                uint64_t n = bytes_read_judging(&images[i], image_arch[i], expected[i]);

                fprintf(stderr, "%s: %llu bytes read of %zu\n", image_formats[i],
                        (unsigned long long) n, images[i].len);
                /* Headers and notes only: far from 1 MiB, and less than
                 * the image itself. */
                CHECK(n < 4096);
                CHECK(n < images[i].len);
        }
}

/* ------------------------------------------------------------------ */
/* Deterministic mini-fuzz                                             */

/* Whatever the bytes, the result is a verdict, and "bootable" always
 * comes with a width that agrees with the name and a sane note copy. */
static void check_fuzzed(const Blob *b, PvArch name, unsigned iter) {
        ElfImage img;
        int r = inspect_len(b, b->len, name, &img);

        if (r < 0 || r >= _ELF_VERDICT_MAX) {
                fprintf(stderr, "fuzz iteration %u: elf_inspect() = %d\n", iter, r);
                exit(EXIT_FAILURE);
        }
        if (r == ELF_PV_OK) {
                if (name != PV_ARCH_NONE)
                        CHECK_EQ(img.arch, name);
                else
                        CHECK(img.arch == PV_ARCH_I386 || img.arch == PV_ARCH_X86_64);
        }
        /* String notes: a NUL-free copy of at most ELF_NOTE_SHOW bytes. */
        for (unsigned t = XEN_ELFNOTE_XEN_VERSION; t <= XEN_ELFNOTE_FEATURES; t++) {
                const XenNote *n = &img.notes[t];
                size_t show = n->str_len < ELF_NOTE_SHOW ? n->str_len : ELF_NOTE_SHOW;

                if (n->present && n->valid) {
                        CHECK(n->str_len < ELF_NOTE_MAX_STRING);
                        CHECK_EQ(strnlen(n->str, sizeof(n->str)), show);
                }
        }
}

static void test_fuzz(const Blob images[N_IMAGES]) {
        uint64_t seed = UINT64_C(0x9e3779b97f4a7c15);

        for (unsigned i = 0; i < N_IMAGES; i++) {
                Blob b = blob_dup(&images[i]);
                size_t region = note_segment_end(&b) + 64;

                if (region > b.len)
                        region = b.len;
                for (unsigned iter = 0; iter < 20000; iter++) {
                        size_t pos[8];
                        unsigned char old[8];
                        unsigned n = 1 + (unsigned) (xorshift64(&seed) % 8);
                        PvArch name = (PvArch) (xorshift64(&seed) % _PV_ARCH_MAX);

                        for (unsigned k = 0; k < n; k++) {
                                pos[k] = (size_t) (xorshift64(&seed) % region);
                                old[k] = b.data[pos[k]];
                                b.data[pos[k]] ^= (unsigned char) (1 + xorshift64(&seed) % 255);
                        }
                        check_fuzzed(&b, name, iter);
                        /* Undo in reverse, so repeated positions come out right. */
                        for (unsigned k = n; k-- > 0;)
                                b.data[pos[k]] = old[k];
                }
                CHECK(memcmp(b.data, images[i].data, b.len) == 0);
                blob_free(&b);
        }
}

/* ------------------------------------------------------------------ */

int main(void) {
        const char *mkimage = getenv("GRUB_MKIMAGE");
        Blob images[N_IMAGES] = {};

        test_verdict_strings();
        test_empty_and_tiny();
        test_synthetic_baseline();
        test_note_count_cap();
        test_note_segment_cap();
        test_notes_from_sections();
        test_string_rules();
        test_huge_claimed_size();

        if (!mkimage || !*mkimage || access(mkimage, X_OK) < 0) {
                fprintf(stderr, "GRUB_MKIMAGE unset or not executable: skipping the real-image tests\n");
                return EXIT_TEST_SKIP;
        }
        if (!make_images(images)) {
                fprintf(stderr, "cannot build Xen images (grub Xen platforms not installed?): skipping\n");
                return EXIT_TEST_SKIP;
        }

        test_real_images(images);
        test_find_section(images);
        test_header_lies(images);
        test_note_lies(images);
        test_truncations(images);
        test_bounded_reads(images);
        test_fuzz(images);

        for (unsigned i = 0; i < N_IMAGES; i++)
                blob_free(&images[i]);
        remove_tmp();
        return EXIT_SUCCESS;
}
