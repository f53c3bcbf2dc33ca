/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What width is a guest kernel?  Read from its header only, never guessed.
 *
 * An x86 bzImage carries the boot protocol's setup header
 * (Documentation/arch/x86/boot.rst): boot_flag 0xAA55 at 0x1FE, "HdrS" at
 * 0x202, the protocol version at 0x206 and, from protocol 2.12 on,
 * xloadflags at 0x236 whose bit 0 (XLF_KERNEL_64) is set exactly when the
 * kernel is 64-bit.  An uncompressed vmlinux is an ELF whose class and
 * machine say it.  Anything else (compressed images, an older protocol
 * that has no xloadflags, a header that claims more bytes than the file
 * holds) is "unknown" with a reason: evidence we do not have is never
 * invented.
 */

#include <stdbool.h>
#include <stdint.h>

#include "pvboot-select.h"

#define KERNEL_HEADER_READ 1024u  /* the window read from each kernel; an ELF's header is re-read from it */
#define KERNEL_MAX_FILE_SIZE (UINT64_C(256) << 20)

typedef enum KernelReason {
        KERNEL_BZIMAGE_64 = 0,  /* XLF_KERNEL_64 set */
        KERNEL_BZIMAGE_32,      /* protocol >= 2.12, XLF_KERNEL_64 clear */
        KERNEL_ELF,             /* uncompressed vmlinux; width from class/machine */
        KERNEL_OLD_PROTOCOL,    /* bzImage before 2.12: no xloadflags */
        KERNEL_SHORT_FILE,      /* header claims more than the file holds */
        KERNEL_COMPRESSED,      /* gzip/xz/zstd/bzip2/lz4/lzma image */
        KERNEL_ELF_OTHER,       /* an ELF, but not i386 or x86-64 */
        KERNEL_NOT_KERNEL,      /* no recognisable header */
        _KERNEL_REASON_MAX,
} KernelReason;

/*
 * What a bzImage carries (boot protocol 2.08+: payload_offset/_length at
 * 0x248/0x24c, from the end of the setup sectors): the kernel ELF,
 * compressed or not.  The stage 1 does not run the kernel's own
 * decompressor: GRUB's Xen loader (grub-core/loader/i386/xen_file.c)
 * opens the payload through GRUB's file filters, which read gzip (gzio),
 * xz (xzio) and lzo (lzopio) only.  A zstd, lz4, bzip2 or lzma payload
 * cannot be loaded by a PV stage 1 at all.  Read: KERNEL_PAYLOAD_READ
 * bytes, once, only for a bzImage whose width is known.
 */
#define KERNEL_PAYLOAD_READ 8u

typedef enum KernelPayload {
        PAYLOAD_UNKNOWN = 0,    /* not read: no bzImage of known width, or out of the file */
        PAYLOAD_ELF,            /* uncompressed */
        PAYLOAD_GZIP,
        PAYLOAD_XZ,
        PAYLOAD_LZO,
        PAYLOAD_ZSTD,
        PAYLOAD_LZ4,
        PAYLOAD_BZIP2,
        PAYLOAD_LZMA,
        PAYLOAD_OTHER,          /* none of these: not a kernel GRUB can load either */
        _PAYLOAD_MAX,
} KernelPayload;

typedef struct KernelInfo {
        PvArch width;           /* PV_ARCH_NONE: unknown */
        KernelReason reason;
        unsigned protocol;      /* bzImage boot protocol, e.g. 0x20f */
        KernelPayload payload;
} KernelInfo;

/* 0 and *ret filled, or -errno if the source failed. */
int kernel_inspect(const ByteSource *src, KernelInfo *ret);

const char *kernel_reason_to_string(KernelReason r);

/* "xz", "zstd", ...; "unknown" for PAYLOAD_UNKNOWN and out of range. */
const char *kernel_payload_to_string(KernelPayload p);

/* Can a PV stage 1 (GRUB's Xen loader) load a kernel with this payload?
 * PAYLOAD_UNKNOWN: not known to be impossible, so true. */
bool kernel_payload_xen_loadable(KernelPayload p);
