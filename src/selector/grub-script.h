/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The part of GRUB's script language a stage 1's config uses to find a
 * guest, and nothing more.
 *
 * A stage 1 config (Debian's memdisk grub.cfg, an admin's grub-mkimage -c
 * file) is a sequence of
 *
 *   if search [-s|--set[=VAR]] [-n|--no-floppy] (-f|--file) PATH ; then
 *           CMD PATH          (multiboot/linux/chainloader, then boot; or
 *                              configfile/source/normal)
 *   fi
 *
 * blocks, each an entry of the stage 1's search list (search-list.h), with
 * comments, echo, insmod and set of other variables than root and prefix
 * around them: those change nothing of what is searched.  At the top
 * level of the embedded config, `normal`, `configfile` and `source` of a
 * file in (memdisk) are followed, one level deep.  Anything else, or any
 * of these in a shape not listed, is not modelled: the model stops with
 * the line and the reason, and the caller falls back to the spec's paths.
 * Words are split as GRUB's lexer splits them (grub-core/script/yylex.l):
 * quotes, backslash escapes, `#` comments, `;` and newlines; search's
 * options as grub-core/lib/arg.c parses them (an optional value is taken
 * from the next word when that does not start with '-').
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "selector/search-list.h"

#define GRUB_SCRIPT_WORD_MAX 256        /* bytes of a word we look at */
#define GRUB_SCRIPT_MAX_WORDS 16        /* words of a statement we look at */

typedef enum ScriptEnd {
        SCRIPT_END_FALLTHROUGH = 0,     /* the script ended: GRUB goes on to normal mode ($prefix/grub.cfg) */
        SCRIPT_END_NORMAL,              /* `normal FILE` ran: nothing after it is reached */
} ScriptEnd;

/*
 * Follow a top-level `normal`/`configfile`/`source` of (memdisk)PATH:
 * 0, or -errno with why set.  NULL: nothing is followed (a followed file
 * itself), which makes such a line not modelled.
 */
typedef int (*grub_script_follow_fn)(void *userdata, const char *memdisk_path, char *why, size_t whysz);

/*
 * Model text[0..len) (cut at its first NUL, as GRUB reads it) for a stage
 * 1 of that kind, appending its entries to list.  0 and *ret_end, or
 * -EINVAL / -E2BIG with why: "line N: ...".
 */
int grub_script_model(const char *text, size_t len, Stage1Kind kind, SearchList *list, grub_script_follow_fn follow,
                      void *userdata, ScriptEnd *ret_end, char *why, size_t whysz);

/*
 * The menu a guest's grub.cfg builds, as far as a stage 1 needs to know.
 *
 * Fedora, RHEL and CentOS Stream write (GRUB_ENABLE_BLSCFG=true) a
 * grub.cfg without menuentries: at boot, `blscfg` (a Fedora patch, module
 * blscfg; module blsuki since GRUB 2.14) builds the menu from
 * /boot/loader/entries/NAME.conf.  A stage 1 without that command runs the
 * rest of the script and shows an empty menu.  This scan reads the script
 * with the same lexer and says where blscfg runs and whether the script
 * defines entries of its own.
 *
 * What counts: commands where GRUB runs them while it reads the file: at
 * the top level, in both branches of an `if' (but not in the branch of
 * `if [ "$grub_platform" = "efi" ]' a Xen stage 1 never takes: Fedora's
 * 30_uefi-firmware entry), in loops, and in a function's body when the
 * function is called after it is defined.  A menuentry's or submenu's
 * body runs only when it is chosen and is skipped.  `source',
 * `configfile' and the like may bring in more entries: a file next to the
 * grub.cfg (${config_directory}/NAME) counts only when exists() says it
 * is there; one under the stage 1's own $prefix (its memdisk on Debian,
 * not the guest's) does not count; any other makes the menu unsure, as do
 * a command named by a variable and a `set prefix' (insmod would then
 * load modules from where the guest says).
 */
#define GRUB_MENU_SCAN_MAX (64u << 10)  /* bytes of a grub.cfg we read to scan */
#define GRUB_MENU_MAX_DEPTH 32          /* nested if/while/for/function/brace blocks */
#define GRUB_MENU_MAX_FUNCTIONS 32

typedef struct GrubMenuScan {
        uint32_t blscfg_line;   /* first line where blscfg (or bls_import) runs; 0: never */
        uint32_t entries;       /* menuentry and submenu definitions reached */
        uint32_t entry_line;    /* the first one's line */
        uint32_t unsure_line;   /* first line that may add entries we cannot see; 0: none */
} GrubMenuScan;

/* Does the file NAME (relative, printable, no `..') exist next to the
 * grub.cfg? */
typedef bool (*grub_menu_exists_fn)(void *userdata, const char *name);

/*
 * Scan text[0..len) (cut at its first NUL).  0 with *ret; or -EINVAL /
 * -E2BIG with why ("line N: ..."): a shape we do not follow (an
 * unterminated quote, a `}' without its `{', an unclosed block, too
 * deep), after which nothing is known.  exists NULL: every such file
 * counts as there.
 */
int grub_menu_scan(const char *text, size_t len, grub_menu_exists_fn exists, void *userdata, GrubMenuScan *ret,
                   char *why, size_t whysz);
