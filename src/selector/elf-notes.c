/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ELF + Xen ELF-notes reader (see elf-notes.h).
 *
 * Layout knowledge comes from the ELF gABI and xen/include/public/elfnote.h;
 * acceptance rules from xen/common/libelf/libelf-dominfo.c
 * (elf_xen_note_check) and tools/libs/guest/xg_dom_elfloader.c.  Nothing
 * here trusts a size or an offset from the file: all arithmetic is done in
 * 64 bits with overflow checks, every table is capped before it is read,
 * and the note walk stops at the first note that would not move forward or
 * would leave its segment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "selector/elf-notes.h"
#include "shared/macro.h"

#define EI_NIDENT   16
#define ELFCLASS32  1
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EM_386      3
#define EM_X86_64   62
#define PT_NOTE     4
#define SHT_NOTE    7
#define SHT_NOBITS  8

static uint16_t le16(const unsigned char *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static uint64_t le64(const unsigned char *p) {
        return (uint64_t) le32(p) | ((uint64_t) le32(p + 4) << 32);
}

typedef struct ElfHeader {
        bool is64;
        uint64_t phoff, shoff;
        unsigned phentsize, phnum, shentsize, shnum, shstrndx;
} ElfHeader;

static const char *const note_names[_XEN_ELFNOTE_MAX] = {
        [XEN_ELFNOTE_ENTRY]          = "ENTRY",
        [XEN_ELFNOTE_HYPERCALL_PAGE] = "HYPERCALL_PAGE",
        [XEN_ELFNOTE_VIRT_BASE]      = "VIRT_BASE",
        [XEN_ELFNOTE_PADDR_OFFSET]   = "PADDR_OFFSET",
        [XEN_ELFNOTE_XEN_VERSION]    = "XEN_VERSION",
        [XEN_ELFNOTE_GUEST_OS]       = "GUEST_OS",
        [XEN_ELFNOTE_GUEST_VERSION]  = "GUEST_VERSION",
        [XEN_ELFNOTE_LOADER]         = "LOADER",
        [XEN_ELFNOTE_PAE_MODE]       = "PAE_MODE",
        [XEN_ELFNOTE_FEATURES]       = "FEATURES",
        [XEN_ELFNOTE_PHYS32_ENTRY]   = "PHYS32_ENTRY",
};

static bool note_is_string(unsigned type) {
        switch (type) {
        case XEN_ELFNOTE_XEN_VERSION:
        case XEN_ELFNOTE_GUEST_OS:
        case XEN_ELFNOTE_GUEST_VERSION:
        case XEN_ELFNOTE_LOADER:
        case XEN_ELFNOTE_PAE_MODE:
        case XEN_ELFNOTE_FEATURES:
                return true;
        default:
                return false;
        }
}

const char *xen_elfnote_name(unsigned type) {
        if (type < _XEN_ELFNOTE_MAX && note_names[type])
                return note_names[type];
        return "UNKNOWN";
}

static void store_note(ElfImage *img, unsigned type, const unsigned char *desc, uint64_t descsz) {
        XenNote *n;

        if (type >= _XEN_ELFNOTE_MAX || !note_names[type])
                return; /* libelf ignores types it does not know; so do we */

        n = &img->notes[type];
        *n = (XenNote) { .present = true };

        if (note_is_string(type)) {
                const unsigned char *nul;

                /* Stricter than libelf: the NUL must lie inside the
                 * descriptor, and the string inside libelf's cap. */
                nul = descsz > 0 ? memchr(desc, 0, (size_t) descsz) : NULL;
                if (!nul || (size_t) (nul - desc) >= ELF_NOTE_MAX_STRING)
                        return;
                n->str_len = (size_t) (nul - desc);
                memcpy(n->str, desc, n->str_len < ELF_NOTE_SHOW ? n->str_len : ELF_NOTE_SHOW);
                n->valid = true;
        } else {
                /* libelf's elf_note_numeric(): 4 or 8 byte descriptors only. */
                if (descsz == 4)
                        n->value = le32(desc);
                else if (descsz == 8)
                        n->value = le64(desc);
                else
                        return;
                n->valid = true;
        }
}

/*
 * Walk the notes in buf[0..len).  Returns 0, or ELF_BAD_NOTES for a walk
 * that cannot be completed safely.
 */
static int walk_notes(ElfImage *img, const unsigned char *buf, uint64_t len) {
        uint64_t pos = 0;

        while (len - pos >= 12) {
                uint64_t namesz, descsz, name_pad, desc_pad, desc_off, next;
                unsigned type;

                if (img->n_notes >= ELF_NOTE_MAX_COUNT)
                        return ELF_BAD_NOTES;
                img->n_notes++;

                namesz = le32(buf + pos);
                descsz = le32(buf + pos + 4);
                type = le32(buf + pos + 8);

                /* Notes are 4-byte aligned in both classes (libelf's
                 * elf_note_next()).  64-bit math cannot overflow here: the
                 * inputs are 32-bit. */
                name_pad = (namesz + 3) & ~UINT64_C(3);
                desc_pad = (descsz + 3) & ~UINT64_C(3);
                desc_off = pos + 12 + name_pad;
                next = desc_off + desc_pad;

                if (desc_off > len)
                        return ELF_BAD_NOTES;   /* the name leaves the segment */

                if (next > len) {
                        /* grub-mkimage -O i386-xen emits PAE_MODE with
                         * descsz 12 in a PT_NOTE whose filesz ends after
                         * "yes\0".  libelf reads on into the file; we clip
                         * the descriptor to the segment instead (never
                         * lengthening it), keep the note if what remains is
                         * well-formed, and stop. */
                        if (desc_off + descsz > len) {
                                descsz = len - desc_off;
                                img->quirk_clipped_desc = true;
                        }
                        next = len;
                }

                if (namesz == 4 && memcmp(buf + pos + 12, "Xen", 4) == 0) {
                        img->n_xen_notes++;
                        store_note(img, type, buf + desc_off, descsz);
                }

                if (next <= pos)
                        return ELF_BAD_NOTES;   /* cannot happen, but never loop */
                pos = next;
        }
        return 0;
}

/* Read one note area [off, off+size) and walk it. */
static int read_note_area(const ByteSource *src, ElfImage *img, uint64_t off, uint64_t size) {
        _cleanup_free_ unsigned char *buf = NULL;
        int r;

        if (size == 0)
                return 0;
        if (size > ELF_MAX_NOTE_SEGMENT)
                return ELF_BAD_NOTES;

        buf = malloc((size_t) size);
        if (!buf)
                return -ENOMEM;
        r = byte_source_read(src, off, buf, (size_t) size);
        if (r == -EBADMSG)
                return ELF_TRUNCATED;
        if (r != 0)
                return r;
        return walk_notes(img, buf, size);
}

static int read_table(const ByteSource *src, uint64_t off, unsigned entsize, unsigned num, unsigned char **ret) {
        uint64_t total = (uint64_t) entsize * num;
        _cleanup_free_ unsigned char *t = NULL;
        int r;

        if (total > ELF_MAX_HEADER_TABLE)
                return ELF_BAD_HEADER_TABLE;
        t = malloc(total ? (size_t) total : 1);
        if (!t)
                return -ENOMEM;
        r = byte_source_read(src, off, t, (size_t) total);
        if (r < 0)
                return r == -EBADMSG ? ELF_TRUNCATED : r;
        *ret = TAKE_PTR(t);
        return 0;
}

static int parse_header(const ByteSource *src, ElfImage *img, ElfHeader *h) {
        unsigned char e[64];
        int r;

        if (src->size < 4)
                return ELF_BAD_MAGIC;
        r = byte_source_read(src, 0, e, 4);
        if (r < 0)
                return r;
        if (memcmp(e, "\177ELF", 4) != 0)
                return ELF_BAD_MAGIC;
        if (src->size < 52)
                return ELF_TRUNCATED;
        r = byte_source_read(src, 0, e, 52);
        if (r < 0)
                return r;

        img->elf_class = e[4];
        img->elf_data = e[5];
        if (img->elf_class != ELFCLASS32 && img->elf_class != ELFCLASS64)
                return ELF_BAD_CLASS_MACHINE;
        if (img->elf_data != ELFDATA2LSB || e[6] != 1)
                return ELF_BAD_ENCODING;        /* x86 is little-endian, ELF version 1 */

        h->is64 = img->elf_class == ELFCLASS64;
        if (h->is64) {
                if (src->size < 64)
                        return ELF_TRUNCATED;
                r = byte_source_read(src, 0, e, 64);
                if (r < 0)
                        return r;
        }

        img->type = le16(e + 16);
        img->machine = le16(e + 18);

        if (h->is64) {
                h->phoff = le64(e + 32);
                h->shoff = le64(e + 40);
                h->phentsize = le16(e + 54);
                h->phnum = le16(e + 56);
                h->shentsize = le16(e + 58);
                h->shnum = le16(e + 60);
                h->shstrndx = le16(e + 62);
        } else {
                h->phoff = le32(e + 28);
                h->shoff = le32(e + 32);
                h->phentsize = le16(e + 42);
                h->phnum = le16(e + 44);
                h->shentsize = le16(e + 46);
                h->shnum = le16(e + 48);
                h->shstrndx = le16(e + 50);
        }
        if (img->elf_class == ELFCLASS32 && img->machine == EM_386)
                img->arch = PV_ARCH_I386;
        else if (img->elf_class == ELFCLASS64 && img->machine == EM_X86_64)
                img->arch = PV_ARCH_X86_64;
        else
                return ELF_BAD_CLASS_MACHINE;

        if (h->phnum > 0 && h->phentsize != (h->is64 ? 56u : 32u))
                return ELF_BAD_HEADER_TABLE;
        if (h->shnum > 0 && h->shentsize != (h->is64 ? 64u : 40u))
                return ELF_BAD_HEADER_TABLE;
        return 0;
}

static int scan_program_headers(const ByteSource *src, ElfImage *img, const ElfHeader *h) {
        _cleanup_free_ unsigned char *t = NULL;
        int r;

        if (h->phnum == 0)
                return 0;
        r = read_table(src, h->phoff, h->phentsize, h->phnum, &t);
        if (r != 0)
                return r;

        for (unsigned i = 0; i < h->phnum && r == 0; i++) {
                const unsigned char *p = t + (size_t) i * h->phentsize;
                uint64_t off, filesz;

                if (le32(p) != PT_NOTE)
                        continue;
                if (h->is64) {
                        off = le64(p + 8);
                        filesz = le64(p + 32);
                } else {
                        off = le32(p + 4);
                        filesz = le32(p + 16);
                }
                /* libelf skips a PT_NOTE at offset 0 (old binutils
                 * emitted such bogus ones); do the same. */
                if (off == 0)
                        continue;
                r = read_note_area(src, img, off, filesz);
        }
        return r;
}

static int scan_section_headers(const ByteSource *src, ElfImage *img, const ElfHeader *h) {
        _cleanup_free_ unsigned char *t = NULL;
        int r;

        /* shnum == 0 also covers extended numbering (count in sh[0]); a
         * pvboot image has no reason to need that many sections. */
        if (h->shnum == 0)
                return 0;
        r = read_table(src, h->shoff, h->shentsize, h->shnum, &t);
        if (r != 0)
                return r;

        img->notes_from_sections = true;
        /* Index 0 is the null section; libelf starts at 1 too. */
        for (unsigned i = 1; i < h->shnum && r == 0; i++) {
                const unsigned char *s = t + (size_t) i * h->shentsize;
                uint64_t off, size;

                if (le32(s + 4) != SHT_NOTE)
                        continue;
                if (h->is64) {
                        off = le64(s + 24);
                        size = le64(s + 32);
                } else {
                        off = le32(s + 16);
                        size = le32(s + 20);
                }
                r = read_note_area(src, img, off, size);
        }
        return r;
}

static bool note_has_prefix(const XenNote *n, const char *prefix) {
        size_t l = strlen(prefix);
        return n->present && n->valid && n->str_len >= l && memcmp(n->str, prefix, l) == 0;
}

static bool note_equals(const XenNote *n, const char *s) {
        return n->present && n->valid && n->str_len == strlen(s) && memcmp(n->str, s, n->str_len) == 0;
}

static bool note_contains(const XenNote *n, const char *s) {
        /* str holds at most ELF_NOTE_SHOW bytes; "bimodal" beyond that
         * would not be seen, which only ever makes us stricter. */
        size_t l = strlen(s), have = n->str_len < ELF_NOTE_SHOW ? n->str_len : ELF_NOTE_SHOW;
        if (!n->present || !n->valid || have < l)
                return false;
        for (size_t i = 0; i + l <= have; i++)
                if (memcmp(n->str + i, s, l) == 0)
                        return true;
        return false;
}

static ElfVerdict judge(const ElfImage *img) {
        const XenNote *n = img->notes;
        bool pv_loader, pv_version, any_pv;

        if (img->n_xen_notes == 0)
                return ELF_NO_XEN_NOTES;

        pv_loader = note_has_prefix(&n[XEN_ELFNOTE_LOADER], "generic") ||
                    note_has_prefix(&n[XEN_ELFNOTE_GUEST_OS], "linux");
        pv_version = note_has_prefix(&n[XEN_ELFNOTE_XEN_VERSION], "xen-3.0");
        any_pv = n[XEN_ELFNOTE_LOADER].present || n[XEN_ELFNOTE_GUEST_OS].present ||
                 n[XEN_ELFNOTE_XEN_VERSION].present;

        /* libelf accepts PHYS32_ENTRY alone only for an HVM (PVH) build. */
        if (!any_pv && n[XEN_ELFNOTE_PHYS32_ENTRY].present && n[XEN_ELFNOTE_PHYS32_ENTRY].valid)
                return ELF_PVH_ONLY;
        if (!pv_loader)
                return ELF_BAD_LOADER;
        if (!pv_version)
                return ELF_BAD_XEN_VERSION;

        /* libelf: "yes" exactly, or anything containing "bimodal"; other
         * values leave the image non-PAE, which no current Xen runs. */
        if (img->arch == PV_ARCH_I386 &&
            !note_equals(&n[XEN_ELFNOTE_PAE_MODE], "yes") &&
            !note_contains(&n[XEN_ELFNOTE_PAE_MODE], "bimodal"))
                return ELF_NO_PAE;

        return ELF_PV_OK;
}

static int inspect(const ByteSource *src, PvArch name_arch, ElfImage *img) {
        ElfHeader h = {};
        int r;

        r = parse_header(src, img, &h);
        if (r == -EBADMSG)
                return ELF_TRUNCATED;
        if (r != 0)
                return r;

        if (name_arch != PV_ARCH_NONE && name_arch != img->arch)
                return ELF_NAME_MISMATCH;

        /* libelf: PT_NOTE first; sections only when no segment had Xen notes. */
        r = scan_program_headers(src, img, &h);
        if (r != 0)
                return r;
        if (img->n_xen_notes == 0) {
                memset(img->notes, 0, sizeof(img->notes));
                r = scan_section_headers(src, img, &h);
                if (r != 0)
                        return r;
        }

        return judge(img);
}

int elf_inspect(const ByteSource *src, PvArch name_arch, ElfImage *ret) {
        ElfImage img = {};
        int r = inspect(src, name_arch, &img);

        *ret = img;     /* also what was read before a failure: it is evidence */
        return r;
}

int elf_identify(const ByteSource *src, PvArch *ret_arch) {
        ElfHeader h = {};
        ElfImage img = {};
        int r = parse_header(src, &img, &h);
        if (r == -EBADMSG)
                r = ELF_TRUNCATED;
        if (r == 0)
                *ret_arch = img.arch;
        return r;
}

/* A section header's file extent, checked to lie inside src. */
static int section_extent(const ByteSource *src, const ElfHeader *h, const unsigned char *s, uint64_t *ret_off,
                          uint64_t *ret_size) {
        uint64_t off = h->is64 ? le64(s + 24) : le32(s + 16), size = h->is64 ? le64(s + 32) : le32(s + 20), end;

        if (le32(s + 4) == SHT_NOBITS || __builtin_add_overflow(off, size, &end) || end > src->size)
                return ELF_TRUNCATED;
        *ret_off = off;
        *ret_size = size;
        return 0;
}

int elf_find_section(const ByteSource *src, const char *name, uint64_t *ret_off, uint64_t *ret_size) {
        _cleanup_free_ unsigned char *t = NULL, *names = NULL;
        uint64_t str_off, str_size;
        ElfHeader h = {};
        ElfImage img = {};
        size_t want = strlen(name) + 1;
        int r;

        r = parse_header(src, &img, &h);
        if (r == -EBADMSG)
                return ELF_TRUNCATED;
        if (r != 0)
                return r;
        if (h.shnum == 0 || h.shstrndx == 0 || h.shstrndx >= h.shnum)
                return -ENOENT;         /* no section names to look in */
        r = read_table(src, h.shoff, h.shentsize, h.shnum, &t);
        if (r != 0)
                return r;
        r = section_extent(src, &h, t + (size_t) h.shstrndx * h.shentsize, &str_off, &str_size);
        if (r != 0)
                return r;
        if (str_size > ELF_MAX_HEADER_TABLE)
                return ELF_BAD_HEADER_TABLE;
        r = read_table(src, str_off, 1, (unsigned) str_size, &names);     /* bounded like a table */
        if (r != 0)
                return r;
        for (unsigned i = 1; i < h.shnum; i++) {
                const unsigned char *s = t + (size_t) i * h.shentsize;
                uint64_t at = le32(s);

                /* The name, NUL included, must lie inside the table. */
                if (at >= str_size || str_size - at < want || memcmp(names + at, name, want) != 0)
                        continue;
                return section_extent(src, &h, s, ret_off, ret_size);
        }
        return -ENOENT;
}

const char *elf_verdict_to_string(ElfVerdict v) {
        static const char *const s[_ELF_VERDICT_MAX] = {
                [ELF_PV_OK]             = "valid PV image",
                [ELF_PVH_ONLY]          = "PVH-only image (PHYS32_ENTRY, no PV notes): a PV stage 1 cannot chainload it",
                [ELF_TRUNCATED]         = "truncated ELF",
                [ELF_BAD_MAGIC]         = "not an ELF file",
                [ELF_BAD_ENCODING]      = "not a little-endian ELF version 1 file",
                [ELF_BAD_CLASS_MACHINE] = "ELF class and machine are not ELF32/i386 or ELF64/x86-64",
                [ELF_NAME_MISMATCH]     = "not of the width of the stage 1 that loads it (file name and ELF width disagree)",
                [ELF_BAD_HEADER_TABLE]  = "malformed ELF program or section header table",
                [ELF_BAD_NOTES]         = "malformed ELF notes",
                [ELF_NO_XEN_NOTES]      = "no Xen ELF notes",
                [ELF_BAD_XEN_VERSION]   = "Xen note XEN_VERSION is not \"xen-3.0\"",
                [ELF_BAD_LOADER]        = "Xen note LOADER is not \"generic\" and GUEST_OS is not \"linux\"",
                [ELF_NO_PAE]            = "32-bit image without Xen note PAE_MODE \"yes\" or \"bimodal\"",
        };
        if ((unsigned) v < _ELF_VERDICT_MAX && s[v])
                return s[v];
        return "unknown verdict";
}
