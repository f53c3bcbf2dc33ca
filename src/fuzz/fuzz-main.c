/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replay driver, like systemd's src/fuzz: run the target on every file
 * named, or in the directories named, on the command line.  meson test
 * runs it on the committed corpus, src/fuzz/corpus/TARGET (seeds from
 * tools/fuzz-seeds.sh and regression inputs), so a replay is the same
 * bytes in the same order on every machine.  Each input's name is printed
 * before it runs: the last name in a failed test's log is the input that
 * aborted.  A directory without inputs is an error, never an empty pass. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz/fuzz.h"
#include "shared/macro.h"

/* Inputs larger than this are not fuzz inputs (libFuzzer runs -max_len=65536). */
#define REPLAY_MAX_INPUT (64L << 20)

/* The whole input, the file closed before the target runs. */
static int read_input(const char *path, unsigned char **ret, long *ret_size) {
        _cleanup_(fclosep) FILE *f = fopen(path, "rb");
        _cleanup_free_ unsigned char *buf = NULL;
        long n;

        if (!f) {
                perror(path);
                return -errno;
        }
        if (fseek(f, 0, SEEK_END) < 0 || (n = ftell(f)) < 0 || n > REPLAY_MAX_INPUT) {
                fprintf(stderr, "%s: not a replayable input\n", path);
                return -EINVAL;
        }
        rewind(f);
        buf = malloc((size_t) n + 1);
        if (!buf || fread(buf, 1, (size_t) n, f) != (size_t) n) {
                fprintf(stderr, "%s: cannot read\n", path);
                return -EIO;
        }
        *ret = TAKE_PTR(buf);
        *ret_size = n;
        return 0;
}

static int run_file(const char *path) {
        _cleanup_free_ unsigned char *buf = NULL;
        long n = 0;
        int r = read_input(path, &buf, &n);

        if (r < 0)
                return r;
        printf("%s (%ld bytes)\n", path, n);
        fflush(stdout);
        LLVMFuzzerTestOneInput(buf, (size_t) n);
        return 0;
}

static int no_dot(const struct dirent *de) {
        return de->d_name[0] != '.';
}

/* Every input of DIR, in name order (readdir's order is the file system's). */
static int run_dir(const char *dir, unsigned *runs) {
        struct dirent **list;
        int n, r = 0;

        n = scandir(dir, &list, no_dot, alphasort);
        if (n < 0) {
                perror(dir);
                return -errno;
        }
        if (n == 0) {
                fprintf(stderr, "%s: no inputs\n", dir);
                r = -ENOENT;
        }
        for (int i = 0; i < n; i++) {
                char p[4096];

                if (r == 0) {
                        if ((size_t) snprintf(p, sizeof(p), "%s/%s", dir, list[i]->d_name) >= sizeof(p))
                                r = -ENAMETOOLONG;
                        else
                                r = run_file(p);
                        if (r == 0)
                                (*runs)++;
                }
                free(list[i]);
        }
        free(list);
        return r;
}

int main(int argc, char **argv) {
        unsigned runs = 0;

        for (int i = 1; i < argc; i++) {
                struct stat st;
                int r;

                if (stat(argv[i], &st) < 0) {
                        perror(argv[i]);
                        return EXIT_FAILURE;
                }
                if (S_ISDIR(st.st_mode))
                        r = run_dir(argv[i], &runs);
                else if ((r = run_file(argv[i])) == 0)
                        runs++;
                if (r < 0)
                        return EXIT_FAILURE;
        }
        /* Also the empty input, which every target must survive. */
        LLVMFuzzerTestOneInput((const uint8_t *) "", 0);
        printf("%u inputs replayed\n", runs + 1);
        return EXIT_SUCCESS;
}
