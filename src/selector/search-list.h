/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What a stage 1 searches, in its order.
 *
 * A pvgrub2 stage 1 boots a guest by running GRUB script: for each entry
 * of its list, `search -s -f PATH` over every filesystem it can read, and
 * on the first hit either chainloads PATH (a pvboot ELF of the stage 1's
 * own width: `multiboot`, `linux`, `chainloader`) or reads it as a config
 * file (`configfile`, `source`, `normal`).  The first entry with a hit
 * decides what that stage 1 does.  Debian's grub-xen-host images carry
 * exactly the Xen x86 PV Bootloader Protocol's paths
 * (xen.git docs/misc/x86-xenpv-bootloader.pandoc): /boot/xen, then /xen,
 * then /boot/grub/grub.cfg and /grub/grub.cfg; other images search what
 * their config says (stage1.h reads it).
 *
 * A SearchList is fixed-size plain data: it is built on the privileged
 * side (policy_read_search), crosses to the worker and to pvboot-selectd
 * as it is, and is checked by search_list_check() wherever it arrives.
 * It also carries which filesystem and partition modules the stage 1 has,
 * so that a guest whose file sits on a filesystem the stage 1 cannot read
 * is refused with that reason (decide.h).
 */

#include <stdbool.h>
#include <stdint.h>

#include "pvboot-select.h"

#define SEARCH_MAX_ENTRIES 16
#define SEARCH_PATH_MAX    128          /* bytes of a path, its NUL included */
#define SEARCH_ORIGIN_MAX  256          /* bytes of the origin text, its NUL included */

typedef enum SearchAction {
        SEARCH_CHAINLOAD = 1,   /* multiboot/linux/chainloader PATH; boot */
        SEARCH_CONFIG = 2,      /* configfile/source/normal PATH */
} SearchAction;

/* Which stage 1: the PV ones by width, and the PVH one. */
typedef enum Stage1Kind {
        STAGE1_X86_64 = 0,
        STAGE1_I386,
        STAGE1_PVH,
        _STAGE1_KIND_MAX,
} Stage1Kind;

typedef struct SearchEntry {
        uint32_t action;                /* SearchAction */
        char path[SEARCH_PATH_MAX];     /* absolute, printable ASCII, NUL-padded */
} SearchEntry;

typedef struct SearchList {
        uint32_t n;
        SearchEntry entries[SEARCH_MAX_ENTRIES];
        uint32_t from_image;            /* 1: read from the stage 1; 0: the spec's paths */
        uint32_t modules_known;         /* 1: modules is what the stage 1 carries */
        uint64_t modules;               /* bits over search_module_name() */
        char origin[SEARCH_ORIGIN_MAX]; /* printable ASCII: where the list came from */
} SearchList;

/* The names of the stage 1 kinds ("x86_64", "i386", "pvh"), and back
 * (-EINVAL). */
const char *stage1_kind_to_string(Stage1Kind k);
int stage1_kind_from_string(const char *s);
/* The PV stage 1 of a width; _STAGE1_KIND_MAX for PV_ARCH_NONE. */
Stage1Kind stage1_kind_of_arch(PvArch a);

/* An empty list (zero-filled, so that two equal lists are equal bytes)
 * with its origin, escaped to printable ASCII and cut to fit. */
void search_list_init(SearchList *l, bool from_image, const char *origin);
void search_list_set_origin(SearchList *l, const char *origin);

/* Append an entry: 0, -EINVAL (not an absolute printable path of fewer
 * than SEARCH_PATH_MAX bytes, or a chainload in a PVH list: kind
 * _STAGE1_KIND_MAX skips that check), -E2BIG (the list is full). */
int search_list_add(SearchList *l, Stage1Kind kind, SearchAction action, const char *path);

/* The spec's list for a kind (the one Debian's images carry too), with
 * the reason it is used: "spec default: <reason>".  Modules unknown. */
void search_list_spec_default(Stage1Kind kind, const char *reason, SearchList *ret);

/* A list that came from another process: 0 if it is one that
 * search_list_init/add could have built for this kind, -EBADMSG if not. */
int search_list_check(const SearchList *l, Stage1Kind kind);

bool search_path_valid(const char *path);

/*
 * Modules.  A fixed table of the GRUB modules a filesystem or the layers
 * below it need (the bits of SearchList.modules), which filesystem type
 * (as the agent names it, blkid's names) needs which, and which modules
 * the layers a device is reached through need (the agent's AGENT_VIA_*
 * facts, include/pvboot-agent.h), as grub-probe --target=partmap and
 * --target=abstraction name them: part_msdos, part_gpt; diskfilter and
 * mdraid09/mdraid1x for md, raid5rec/raid6rec for RAID5/6; lvm.
 */
#define SEARCH_MAX_MODULES 64
/* Name of bit i, NULL past the table. */
const char *search_module_name(unsigned i);
/* Bit of a module name, -ENOENT when it is not one we track. */
int search_module_index(const char *name);
/* The GRUB module that reads a filesystem type, NULL when we do not know
 * one (then nothing is checked). */
const char *search_fs_module(const char *fstype);
/* The modules a filesystem of that type reached through via (AGENT_VIA_*)
 * needs, in the order a missing one is named: the filesystem's (when
 * known), then the layers' from the disk up ("ext2 part_gpt lvm"; ""
 * when none). */
void search_device_describe(const char *fstype, uint32_t via, char *buf, size_t size);
/* May the stage 1 of this list read a filesystem of that type, reached
 * through via?  True when its modules are unknown; else whether it
 * carries every module search_device_describe() names (an unknown type
 * needs none of its own).  *ret_missing: the first one it lacks, the
 * filesystem's first and then the layers' from the disk up, NULL when
 * none is. */
bool search_list_can_read(const SearchList *l, const char *fstype, uint32_t via, const char **ret_missing);

/* Can the stage 1 run blscfg (module blscfg, Fedora's, or blsuki, GRUB
 * 2.14's)?  1 or 0; -ENODATA when its modules are unknown. */
int search_list_has_blscfg(const SearchList *l);

/* "chainload /boot/xen/pvboot-x86_64.elf, ..., config /grub/grub.cfg"
 * ("nothing" for an empty list), cut with "..." to fit. */
void search_list_describe(const SearchList *l, char *buf, size_t size);
/* The modules the list knows of, space-separated ("unknown" when not
 * known, "none" when none). */
void search_list_describe_modules(const SearchList *l, char *buf, size_t size);
const char *search_action_to_string(SearchAction a);
