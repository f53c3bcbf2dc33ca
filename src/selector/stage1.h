/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * A host stage 1 image, read for what it will search.
 *
 * grub-mkimage -O {x86_64,i386}-xen / i386-xen_pvh writes an ELF
 * (util/grub-mkimagexx.c) whose section "mods" (and the PT_LOAD segment
 * over it) starts with GRUB's module info header (include/grub/kernel.h:
 * grub_module_info64 {u32 magic "mimg", u32 pad, u64 offset, u64 size}
 * for 64-bit images, grub_module_info32 {u32 magic, u32 offset, u32 size}
 * for 32-bit ones), followed by objects {u32 type, u32 size incl. this
 * header}, each padded to the pointer size (FOR_MODULES): relocatable ELF
 * modules (type 0, named by their ".modname" section), the memdisk (1,
 * here a ustar archive), the embedded config (2; GRUB runs the first one,
 * kern/main.c grub_load_config) and the prefix (3).  GRUB runs the
 * embedded config, then normal mode on $prefix/grub.cfg; the model of
 * what those scripts search is grub-script.h.
 *
 * Everything is bounded: the image, the objects walked, the configs and
 * the archive members read.  An image we cannot read, or whose config
 * does what we do not model, gives an error with the reason; the caller
 * then uses the spec's paths and says why (policy_read_search).
 */

#include <stddef.h>

#include "selector/search-list.h"
#include "pvboot-select.h"

#define STAGE1_MAX_IMAGE       (64u << 20)      /* bytes of an image we read at all */
#define STAGE1_MAX_CONFIG      (64u << 10)      /* bytes of an embedded config or a memdisk file */
#define STAGE1_MAX_OBJECTS     1024u            /* objects in the module area */
#define STAGE1_MAX_TAR_MEMBERS 1024u            /* members of the memdisk archive */
#define STAGE1_MAX_PREFIX      256u

/* GRUB's object types (include/grub/kernel.h) */
enum {
        STAGE1_OBJ_ELF = 0,
        STAGE1_OBJ_MEMDISK = 1,
        STAGE1_OBJ_CONFIG = 2,
        STAGE1_OBJ_PREFIX = 3,
};
#define STAGE1_MODULE_MAGIC UINT32_C(0x676d696d)

/*
 * Read the stage 1 of that kind in src.  0 with *ret the list it searches
 * (from_image 1, its modules known, origin "NAME: embedded config" /
 * "NAME: memdisk grub.cfg" / ...); -errno with a one-line reason in why
 * otherwise (*ret then undefined).
 */
int stage1_read(const ByteSource *src, Stage1Kind kind, const char *name, SearchList *ret, char *why, size_t whysz);
