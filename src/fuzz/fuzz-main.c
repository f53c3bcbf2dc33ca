/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replay driver: run the target on every file named, or in the directories
 * named, on the command line (like systemd's src/fuzz replay). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"

static int run_file(const char *path) {
        FILE *f = fopen(path, "rb");
        unsigned char *buf;
        long n;

        if (!f) {
                perror(path);
                return 1;
        }
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        if (n < 0 || n > (64L << 20)) {
                fclose(f);
                return 1;
        }
        buf = malloc((size_t) n + 1);
        if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n) {
                fclose(f);
                free(buf);
                return 1;
        }
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t) n);
        free(buf);
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
                        DIR *d = opendir(argv[i]);
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
                        if (d)
                                closedir(d);
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
