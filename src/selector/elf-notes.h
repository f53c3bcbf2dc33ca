/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ELF + Xen ELF-notes reader.
 *
 * Decides what the domain builder (libxenguest's xg_dom_elfloader.c on top
 * of xen/common/libelf) would make of a pvboot ELF, without trusting a byte
 * of it: every offset and size is checked before use, every read goes
 * through a bounded ByteSource, the note walk is capped and strictly
 * forward.  The verdict mirrors libelf's acceptance rules (prefix
 * comparisons included) so that "valid" here means "the builder accepts
 * it as a PV kernel of this width".
 */

#include <stdbool.h>
#include <stdint.h>

#include "pvboot-select.h"

/* xen/include/public/elfnote.h */
enum {
        XEN_ELFNOTE_ENTRY          = 1,
        XEN_ELFNOTE_HYPERCALL_PAGE = 2,
        XEN_ELFNOTE_VIRT_BASE      = 3,
        XEN_ELFNOTE_PADDR_OFFSET   = 4,
        XEN_ELFNOTE_XEN_VERSION    = 5,
        XEN_ELFNOTE_GUEST_OS       = 6,
        XEN_ELFNOTE_GUEST_VERSION  = 7,
        XEN_ELFNOTE_LOADER         = 8,
        XEN_ELFNOTE_PAE_MODE       = 9,
        XEN_ELFNOTE_FEATURES       = 10,
        XEN_ELFNOTE_PHYS32_ENTRY   = 18,
        _XEN_ELFNOTE_MAX           = 19,
};

#define ELF_NOTE_MAX_STRING   4096u    /* libelf's cap on a note string */
#define ELF_NOTE_MAX_COUNT    65536u   /* libelf's ELF_MAX_TOTAL_NOTE_COUNT */
#define ELF_MAX_NOTE_SEGMENT  (1u << 20)
#define ELF_MAX_HEADER_TABLE  (64u << 10)
#define ELF_NOTE_SHOW         64u      /* bytes of a note string kept for evidence */

/* Outcomes the caller branches on (>= 0); -errno is an I/O failure. */
typedef enum ElfVerdict {
        ELF_PV_OK = 0,
        ELF_PVH_ONLY,
        ELF_TRUNCATED,
        ELF_BAD_MAGIC,
        ELF_BAD_ENCODING,
        ELF_BAD_CLASS_MACHINE,
        ELF_NAME_MISMATCH,
        ELF_BAD_HEADER_TABLE,
        ELF_BAD_NOTES,
        ELF_NO_XEN_NOTES,
        ELF_BAD_XEN_VERSION,
        ELF_BAD_LOADER,
        ELF_NO_PAE,
        _ELF_VERDICT_MAX,
} ElfVerdict;

typedef struct XenNote {
        bool present;
        bool valid;                     /* well-formed string / number */
        uint64_t value;                 /* numeric notes */
        char str[ELF_NOTE_SHOW + 1];    /* string notes, truncated copy, may hold any byte but NUL */
        size_t str_len;                 /* full length of the string */
} XenNote;

typedef struct ElfImage {
        unsigned elf_class;     /* 1 = 32, 2 = 64 */
        unsigned elf_data;
        unsigned machine;
        unsigned type;
        PvArch arch;            /* from class + machine; NONE if they disagree */
        unsigned n_notes;
        unsigned n_xen_notes;
        bool notes_from_sections;
        bool quirk_clipped_desc; /* a note's desc ran past its segment (grub-mkimage i386-xen PAE_MODE) */
        XenNote notes[_XEN_ELFNOTE_MAX];
} ElfImage;

/*
 * Read and judge one ELF.  name_arch is the width of the stage 1 that
 * would load it (for the spec's paths, the one its file name claims)
 * (PV_ARCH_NONE: no claim).  Returns an ElfVerdict (>= 0) and fills
 * *ret as far as it got, or -errno when the source itself failed.
 */
int elf_inspect(const ByteSource *src, PvArch name_arch, ElfImage *ret);

/* Only the header: ELF_PV_OK and *ret_arch when class and machine are
 * ELF32/i386 or ELF64/x86-64, another verdict otherwise, -errno on I/O
 * failure.  Used for kernels, which carry no pvboot naming. */
int elf_identify(const ByteSource *src, PvArch *ret_arch);

/* The first section named name (the stage 1's "mods", a GRUB module's
 * ".modname"): 0 with its file offset and size, checked to lie inside
 * src; an ElfVerdict (> 0) for a malformed or foreign ELF; -ENOENT when
 * no section has that name; -errno when the source failed. */
int elf_find_section(const ByteSource *src, const char *name, uint64_t *ret_off, uint64_t *ret_size);

const char *elf_verdict_to_string(ElfVerdict v);
const char *xen_elfnote_name(unsigned type);
