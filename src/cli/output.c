/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Output records and the stage 1 copy (see output.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "cli/output.h"
#include "cli/stop.h"
#include "selector/stage1-file.h"
#include "selector/stage1.h"
#include "shared/macro.h"

int output_format_from_string(const char *s, OutputFormat *ret) {
        static const char *const names[_OUTPUT_FORMAT_MAX] = {
                [OUTPUT_SIMPLE0] = "simple0",
                [OUTPUT_SIMPLE] = "simple",
                [OUTPUT_SXP] = "sxp",
        };
        for (int i = 0; i < _OUTPUT_FORMAT_MAX; i++)
                if (s && strcmp(s, names[i]) == 0) {
                        *ret = (OutputFormat) i;
                        return 0;
                }
        return -EINVAL;
}

static bool representable(OutputFormat fmt, const char *v) {
        for (const unsigned char *p = (const unsigned char *) v; *p; p++) {
                switch (fmt) {
                case OUTPUT_SIMPLE0:
                        break;  /* a C string cannot hold the NUL separator */
                case OUTPUT_SIMPLE:
                        if (*p == '\n')
                                return false;
                        break;
                case OUTPUT_SXP:
                        /* We quote with '...' and do not escape: refuse
                         * anything that would need it. */
                        if (*p == '\'' || *p == '\\' || *p < 0x20 || *p == 0x7f)
                                return false;
                        break;
                default:
                        return false;
                }
        }
        return true;
}

int output_format_records(OutputFormat fmt, const char *kernel, const char *args, char **ret, size_t *ret_len) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f;
        char sep;

        if (!kernel || !*kernel || (unsigned) fmt >= _OUTPUT_FORMAT_MAX)
                return -EINVAL;
        if (args && !*args)
                args = NULL;
        if (!representable(fmt, kernel) || (args && !representable(fmt, args)))
                return -EINVAL;

        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        if (fmt == OUTPUT_SXP) {
                fprintf(f, "linux (kernel '%s')", kernel);
                if (args)
                        fprintf(f, "(args '%s')", args);
        } else {
                sep = fmt == OUTPUT_SIMPLE0 ? '\0' : '\n';
                fprintf(f, "kernel %s%c", kernel, sep);
                if (args)
                        fprintf(f, "args %s%c", args, sep);
                fputc(sep, f);  /* pygrub ends with an empty record too */
        }
        if (fclose(f) != 0) {
                free(buf);
                return -ENOMEM;
        }
        *ret = buf;
        *ret_len = len;
        return 0;
}

/* The bytes to out, a stop (stop.h) asked between chunks. */
static int write_bytes(int out, const uint8_t *bytes, size_t size) {
        const size_t chunk = 65536;
        int r;

        for (size_t at = 0; at < size; at += chunk) {
                /* Told to stop: the caller removes what we wrote. */
                if (stop_signal())
                        return -ECANCELED;
                r = loop_write(out, bytes + at, size - at < chunk ? size - at : chunk);
                if (r < 0)
                        return r;
        }
        return fsync(out) < 0 ? -errno : 0;
}

int stage1_copy(const char *src_path, const Stage1Digest *expect, int dirfd, const char *name) {
        _cleanup_free_ uint8_t *bytes = NULL;
        Stage1Digest now;
        size_t size = 0;
        int out, r;

        if (!name || !*name || strchr(name, '/'))
                return -EINVAL;
        if (stop_signal())
                return -ECANCELED;
        /* Read as the decision read it (stage1-file.h), and written only
         * when these are the bytes it was made for. */
        r = stage1_file_load(src_path, &bytes, &size, &now);
        if (r < 0)
                return r;
        if (size == 0)
                return -EFBIG;
        if (!expect || !expect->known)
                return -ENODATA;
        if (!stage1_digest_equal(expect, &now))
                return -ESTALE;
        out = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
        if (out < 0)
                return -errno;
        r = write_bytes(out, bytes, size);
        if (close(out) < 0 && r == 0)
                r = -errno;
        if (r < 0)
                (void) unlinkat(dirfd, name, 0);
        return r;
}

bool stage1_reads_xen_grub_env(const char *path) {
        static const char needle[] = "xen_grub_env_";
        _cleanup_free_ uint8_t *bytes = NULL;
        Stage1Digest ignored;
        size_t size = 0;

        /* Read the one way stage 1s are read (stage1-file.h), bounded. */
        return stage1_file_load(path, &bytes, &size, &ignored) == 0 && bytes &&
               memmem(bytes, size, needle, sizeof(needle) - 1) != NULL;
}

int output_write_file(int fd, const char *buf, size_t len) {
        struct stat st;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISREG(st.st_mode)) {
                if (ftruncate(fd, 0) < 0 || lseek(fd, 0, SEEK_SET) < 0)
                        return -errno;
        }
        r = loop_write(fd, buf, len);
        if (r < 0)
                return r;
        if (S_ISREG(st.st_mode) && fsync(fd) < 0)
                return -errno;
        return 0;
}

int output_deliver(int dirfd, const char *dir, int out_fd, OutputFormat fmt, const char *stage1,
                   const Stage1Digest *expect, const char *name, const char *args, char *err, size_t errsz) {
        _cleanup_free_ char *records = NULL, *kernel = NULL;
        size_t records_len = 0;
        int r;

        r = stage1_copy(stage1, expect, dirfd, name);
        /* The last moment a stop undoes the answer; once the records are
         * being written, the run finishes. */
        if (r == 0 && stop_signal()) {
                (void) unlinkat(dirfd, name, 0);
                r = -ECANCELED;
        }
        if (r == -ECANCELED) {
                snprintf(err, errsz, "stopped while the stage 1 was copied");
                return r;
        }
        if (r == -ESTALE) {
                snprintf(err, errsz, "stage 1 %s changed after the decision was made for it (rewritten or replaced "
                         "since it was read): nothing was written; run the bootloader again", stage1);
                return r;
        }
        if (r == -ENODATA) {
                snprintf(err, errsz, "stage 1 %s could not be read when the decision was made: nothing was written",
                         stage1);
                return r;
        }
        if (r < 0) {
                snprintf(err, errsz, "cannot copy stage 1 %s into %s: %s", stage1, dir, strerror(-r));
                return r;
        }
        r = asprintf(&kernel, "%s/%s", dir, name) < 0 ? -ENOMEM :
                output_format_records(fmt, kernel, args, &records, &records_len);
        if (r == 0)
                r = output_write_file(out_fd, records, records_len);
        if (r == 0 && out_fd != STDOUT_FILENO && close(out_fd) < 0)
                r = -errno;
        if (r < 0) {
                snprintf(err, errsz, "cannot write the output records: %s",
                         r == -EINVAL ? "a value contains the output format's separator" : strerror(-r));
                (void) unlinkat(dirfd, name, 0);
                if (out_fd != STDOUT_FILENO && ftruncate(out_fd, 0) < 0) {
                        /* Best effort: err already says what failed. */
                }
        }
        return r;
}
