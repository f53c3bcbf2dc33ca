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
