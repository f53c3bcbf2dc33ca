/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The output writer, as a property: whatever kernel path and args it is
 * given, either it refuses, or libxl's parser (parse_bootloader_result in
 * libxl_bootloader.c, re-implemented here) reads back exactly one kernel
 * record with that path and at most one args record with those args.
 * A forged record is the XSA-198 class of bug.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz.h"
#include "shared/macro.h"
#include "cli/output.h"
#include "cli/test-libxl.h"
#include "shared/test-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *kernel = NULL, *args = NULL, *out = NULL;
        const char *split;
        size_t len = 0;
        OutputFormat fmt;

        if (size < 1)
                return 0;
        fmt = (OutputFormat) (data[0] % _OUTPUT_FORMAT_MAX);
        data++, size--;
        /* kernel NUL args */
        split = memchr(data, 0, size);
        kernel = strndup((const char *) data, split ? (size_t) (split - (const char *) data) : size);
        args = split ? strndup(split + 1, size - (size_t) (split + 1 - (const char *) data)) : NULL;
        CHECK(kernel);

        if (output_format_records(fmt, kernel, args, &out, &len) == 0 && fmt == OUTPUT_SIMPLE0) {
                unsigned n_kernel = 0, n_args = 0;
                size_t pos = 0;
                while (pos < len) {
                        const char *rec = out + pos, *rhs;
                        size_t l = strnlen(rec, len - pos);
                        if ((rhs = libxl_result_command(rec, "kernel"))) {
                                n_kernel++;
                                /* libxl strips leading white space of the value */
                                const char *k = kernel;
                                while (isspace((unsigned char) *k))
                                        k++;
                                CHECK(strcmp(rhs, k) == 0);
                        } else if ((rhs = libxl_result_command(rec, "args"))) {
                                n_args++;
                                const char *a = args;
                                CHECK(a);
                                while (isspace((unsigned char) *a))
                                        a++;
                                CHECK(strcmp(rhs, a) == 0);
                        } else
                                CHECK(l == 0);  /* only the closing empty record */
                        pos += l + 1;
                }
                CHECK(n_kernel == 1);
                CHECK(n_args <= 1);
        }
        if (out && fmt == OUTPUT_SIMPLE)
                /* one line per record: the values never add a newline */
                CHECK(memchr(kernel, '\n', strlen(kernel)) == NULL);
        return 0;
}
