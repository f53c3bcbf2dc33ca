/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replay driver: run the target on every file named, or in the directories
 * named, on the command line (like systemd's src/fuzz replay). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"
#include "shared/macro.h"

/* The whole file, closed before the target runs: 0 or -1. */
static int read_input(const char *path, unsigned char **ret, size_t *ret_size) {
        _cleanup_(fclosep) FILE *f = fopen(path, "rb");
        _cleanup_free_ unsigned char *buf = NULL;
        long n;

        if (!f) {
                perror(path);
                return -1;
        }
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        if (n < 0 || n > (64L << 20))
                return -1;
        buf = malloc((size_t) n + 1);
        if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n)
                return -1;
        *ret = TAKE_PTR(buf);
        *ret_size = (size_t) n;
        return 0;
}

static int run_file(const char *path) {
        _cleanup_free_ unsigned char *buf = NULL;
        size_t n;

        if (read_input(path, &buf, &n) < 0)
                return 1;
        LLVMFuzzerTestOneInput(buf, n);
        return 0;
}

int main(int argc, char **argv) {
        unsigned runs = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0) {
                        perror(argv[i]);
                        return 1;
                }
                if (S_ISDIR(st.st_mode)) {
                        _cleanup_(closedirp) DIR *d = opendir(argv[i]);
                        struct dirent *de;
                        char p[4096];
                        while (d && (de = readdir(d))) {
                                if (de->d_name[0] == '.')
                                        continue;
                                snprintf(p, sizeof(p), "%s/%s", argv[i], de->d_name);
                                if (run_file(p) != 0)
                                        return 1;
                                runs++;
                        }
                } else {
                        if (run_file(argv[i]) != 0)
                                return 1;
                        runs++;
                }
        }
        /* Also the empty input, which every target must survive. */
        LLVMFuzzerTestOneInput((const uint8_t *) "", 0);
        printf("%u inputs replayed\n", runs + 1);
        return 0;
}
