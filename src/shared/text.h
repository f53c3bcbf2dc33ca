/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Making guest-controlled bytes safe to show.
 *
 * The guest console is a vt100 pty the guest owner reads, and the log is
 * read by admins in terminals: a note string or a file name from the guest
 * must never carry an escape sequence, a NUL or a newline into either
 * (the XSA-198 family).  Everything from a guest that is ever displayed
 * passes through text_escape(); the result is printable ASCII only.
 */

#include <stdbool.h>
#include <stddef.h>

/* Copy len bytes of in to out as printable ASCII: bytes outside 0x20..0x7e
 * and the backslash become \xNN; a result that would not fit ends in "...".
 * out is always NUL-terminated (outsz >= 4). Returns out. */
char *text_escape(const void *in, size_t len, char *out, size_t outsz);

/* True if s (NUL-terminated, at most max bytes before the NUL) is entirely
 * printable ASCII.  The privileged side uses it to re-check text that
 * crossed from the inspection child. */
bool text_is_printable(const char *s, size_t max);

/*
 * For the layers after the one where guest bytes became text: s as it is
 * when it is already printable (escaped once, where it came from), else
 * escaped into out.  A guest's byte is escaped exactly once, so "\x1b"
 * stays "\x1b" on the console instead of growing a "\x5c" at every layer,
 * and what reaches a terminal is printable ASCII either way.  s need not
 * be NUL-terminated within max (then it is escaped, up to max bytes).
 */
const char *text_printable(const char *s, size_t max, char *out, size_t outsz);
