/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What crosses component borders in pvboot-select.
 *
 * The selector (pure decision logic), the probe (the libguestfs side that
 * touches guest bytes) and the daemon agree on two things only: the two
 * PV widths and the bounds every reader of guest bytes obeys.  (The
 * guest paths looked at are the stage 1s' own search lists,
 * selector/search-list.h, whose default is the Xen x86 PV Bootloader
 * Protocol's, xen.git docs/misc/x86-xenpv-bootloader.pandoc.)  Everything
 * else stays private to its component.
 */

#include <stddef.h>
#include <stdint.h>

typedef enum PvArch {
        PV_ARCH_NONE = 0,
        PV_ARCH_I386,
        PV_ARCH_X86_64,
        _PV_ARCH_MAX,
} PvArch;

const char *pv_arch_to_string(PvArch a);
PvArch pv_arch_from_string(const char *s);

/* CLOCK_MONOTONIC in microseconds: every duration we measure or report. */
uint64_t now_usec(void);

/* The uids clones run as (clone-uid.h, pvboot-select.conf(5)): 256 of
 * them from 196608 (3 * 65536), above libxl's usual 131072 + domid. */
#define PVBOOT_CLONE_UID_BASE_DEFAULT 196608u
#define PVBOOT_CLONE_UID_COUNT_DEFAULT 256u

/* Each clone's TCG translation cache (MiB): a clone translates only what it
 * runs after the restore; qemu's default is 1 GiB. */
#define PVBOOT_TCG_CACHE_MB_DEFAULT 32u

/* Bounds on what we accept from a guest (see docs and guestfs-security(1)). */
#define PVBOOT_MAX_FILE_SIZE   (UINT64_C(64) << 20)  /* a pvboot ELF larger than this is refused */
#define PVBOOT_MAX_READ_TOTAL  (4u << 20)            /* bytes read from one guest file, all reads */
#define PVBOOT_MAX_READ_INSPECTION (16u << 20)       /* bytes read from all files of one inspection */
#define PVBOOT_MAX_SYMLINKS    8                     /* GRUB's nesting limit: the 8th link fails */
#define PVBOOT_MAX_GUEST_PATH  1024

/*
 * A bounded random-access reader.  The ELF reader knows nothing about where
 * bytes come from: a memory buffer in tests, a file on the host (a stage
 * 1), the agent's reads in the probe.  read() fills exactly
 * len bytes or fails: short reads are an error (-EBADMSG / -EIO), never a
 * silent zero fill.
 */
typedef struct ByteSource {
        uint64_t size;
        int (*read)(void *userdata, uint64_t offset, void *buf, size_t len);
        void *userdata;
} ByteSource;

int byte_source_read(const ByteSource *s, uint64_t offset, void *buf, size_t len);
void byte_source_from_buffer(ByteSource *s, const void *buf, size_t size);

/* size bytes of parent from offset, as a source of their own (an object
 * inside a file: a GRUB module in its stage 1).  -EBADMSG when they do
 * not lie inside parent.  w must outlive w->source. */
typedef struct ByteWindow {
        ByteSource source;
        const ByteSource *parent;
        uint64_t offset;
} ByteWindow;
int byte_window_init(ByteWindow *w, const ByteSource *parent, uint64_t offset, uint64_t size);
