/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What pvboot-select hands back to libxl.
 *
 * libxl (tools/libs/light/libxl_bootloader.c, parse_bootloader_result)
 * reads NUL-separated records "kernel PATH", "ramdisk PATH", "args STRING"
 * from the --output file, mmaps each returned file and then unlinks it.
 * So we return a private copy of the host stage 1, created inside
 * --output-directory, never the installed file; and, the XSA-198 lesson,
 * we refuse to emit any value that contains the format's separator rather
 * than let it forge a record.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "selector/stage1-file.h"

typedef enum OutputFormat {
        OUTPUT_SIMPLE0 = 0,     /* libxl's: records separated by NUL */
        OUTPUT_SIMPLE,          /* records separated by newline */
        OUTPUT_SXP,             /* pygrub's legacy s-expression */
        _OUTPUT_FORMAT_MAX,
} OutputFormat;

int output_format_from_string(const char *s, OutputFormat *ret);

/* Build the records.  args may be NULL.  -EINVAL if a value cannot be
 * represented in fmt (separator, quote, control character). */
int output_format_records(OutputFormat fmt, const char *kernel, const char *args, char **ret, size_t *ret_len);

/* Copy the host stage 1 at src_path to a new file name inside dirfd:
 * O_EXCL|O_NOFOLLOW, mode 0600, regular non-empty source only, bounded
 * size (STAGE1_MAX_IMAGE), and only the bytes expect names, the ones the
 * decision was made for (stage1-file.h): -ESTALE when the file holds
 * others now, -ENODATA when expect is unknown (the image was not read).
 * -ECANCELED when a stop was requested (stop.h) before or during the
 * copy.  On failure nothing is left behind. */
int stage1_copy(const char *src_path, const Stage1Digest *expect, int dirfd, const char *name);

/* Does the stage 1 at path set GRUB variables from xen_grub_env_* words
 * of its command line (GRUB's kern/xen/cmdline.c, whose prefix string it
 * then carries)?  false when it cannot be read. */
bool stage1_reads_xen_grub_env(const char *path);

/* Replace the content of fd (libxl's precreated output file) with buf. */
int output_write_file(int fd, const char *buf, size_t len);

/*
 * The whole answer to libxl: the stage 1 at stage1, if it still holds
 * the bytes expect names (stage1_copy), copied into dirfd (the output
 * directory, dir by name) as name, and the records naming
 * dir/name written to out_fd, which is closed unless it is stdout.  On
 * failure the copy is removed and the file emptied, and err says what
 * failed, for the console.  -ECANCELED: a stop (stop.h) came before the
 * records were begun; the file was not touched.
 */
int output_deliver(int dirfd, const char *dir, int out_fd, OutputFormat fmt, const char *stage1,
                   const Stage1Digest *expect, const char *name, const char *args, char *err, size_t errsz);
