/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for output.c: the records libxl parses and the stage 1 copy. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "cli/output.h"
#include "cli/stop.h"
#include "cli/test-libxl.h"
#include "shared/macro.h"
#include "shared/test-util.h"

/* ---- helpers ---------------------------------------------------------- */

static void check_bytes(const char *got, size_t got_len, const char *want, size_t want_len) {
        if (got_len != want_len || memcmp(got, want, want_len) != 0) {
                fprintf(stderr, "byte mismatch: got %zu bytes, want %zu bytes\n  got:  ", got_len, want_len);
                for (size_t i = 0; i < got_len; i++)
                        fprintf(stderr, "%02x ", (unsigned char) got[i]);
                fprintf(stderr, "\n  want: ");
                for (size_t i = 0; i < want_len; i++)
                        fprintf(stderr, "%02x ", (unsigned char) want[i]);
                fprintf(stderr, "\n");
                exit(EXIT_FAILURE);
        }
}

/* Build records and compare with the expected bytes (sizeof literal - 1). */
#define CHECK_RECORDS(fmt, kernel, args, want)                                   \
        do {                                                                     \
                char *_buf = NULL;                                               \
                size_t _len = 0;                                                 \
                CHECK_EQ(output_format_records((fmt), (kernel), (args), &_buf, &_len), 0); \
                CHECK(_buf);                                                     \
                check_bytes(_buf, _len, (want), sizeof(want) - 1);               \
                free(_buf);                                                      \
        } while (0)

#define CHECK_REFUSED(fmt, kernel, args)                                         \
        do {                                                                     \
                char *_buf = NULL;                                               \
                size_t _len = 12345;                                             \
                CHECK_EQ(output_format_records((fmt), (kernel), (args), &_buf, &_len), -EINVAL); \
                CHECK(_buf == NULL);                                             \
                CHECK_EQ(_len, 12345);                                           \
        } while (0)

typedef struct Parsed {
        char *kernel;
        char *ramdisk;
        char *args;
        unsigned n_kernel, n_ramdisk, n_args, n_unexpected;
} Parsed;

static void parsed_free(Parsed *p) {
        free(p->kernel);
        free(p->ramdisk);
        free(p->args);
        *p = (Parsed) {};
}

/* libxl's parse_bootloader_result() over an in-memory output file: records
 * end in sep (NUL for simple0; we also use it with '\n' for "simple"), an
 * unterminated last record still counts, later records override earlier. */
static void parse_like_libxl(const char *data, size_t len, char sep, Parsed *ret) {
        char buf[8192];  /* PATH_MAX*2 */
        size_t pos = 0;

        *ret = (Parsed) {};
        for (;;) {
                size_t l = 0;
                bool eof = false;
                const char *rhs;

                for (;;) {
                        if (pos >= len) {
                                eof = true;
                                break;
                        }
                        char c = data[pos++];
                        if (c == sep)
                                break;
                        if (l < sizeof(buf) - 1)
                                buf[l] = c;
                        l++;
                }
                if (eof && l == 0)
                        break;
                CHECK(l < sizeof(buf));  /* libxl would drop the record */
                buf[l] = 0;

                if ((rhs = libxl_result_command(buf, "kernel"))) {
                        free(ret->kernel);
                        ret->kernel = strdup(rhs);
                        ret->n_kernel++;
                } else if ((rhs = libxl_result_command(buf, "ramdisk"))) {
                        free(ret->ramdisk);
                        ret->ramdisk = strdup(rhs);
                        ret->n_ramdisk++;
                } else if ((rhs = libxl_result_command(buf, "args"))) {
                        free(ret->args);
                        ret->args = strdup(rhs);
                        ret->n_args++;
                } else if (l)
                        ret->n_unexpected++;
                if (eof)
                        break;
        }
}

static void check_roundtrip(OutputFormat fmt, const char *kernel, const char *args) {
        char *buf = NULL;
        size_t len = 0;
        Parsed p;

        CHECK_EQ(output_format_records(fmt, kernel, args, &buf, &len), 0);
        parse_like_libxl(buf, len, fmt == OUTPUT_SIMPLE0 ? '\0' : '\n', &p);
        CHECK_EQ(p.n_kernel, 1);
        CHECK_EQ(p.n_ramdisk, 0);
        CHECK_EQ(p.n_unexpected, 0);
        CHECK_STREQ(p.kernel, kernel);
        if (args && *args) {
                CHECK_EQ(p.n_args, 1);
                CHECK_STREQ(p.args, args);
        } else {
                CHECK_EQ(p.n_args, 0);
                CHECK(p.args == NULL);
        }
        parsed_free(&p);
        free(buf);
}

static char tmpdir[] = "/tmp/test-output-XXXXXX";

static char *tmp_path(const char *name) {
        char *p = NULL;
        CHECK(asprintf(&p, "%s/%s", tmpdir, name) > 0);
        return p;
}

static void write_file(const char *path, const void *data, size_t len) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        CHECK_EQ(write(fd, data, len), (ssize_t) len);
        CHECK_EQ(close(fd), 0);
}

/* Read the whole file at dirfd/name (not following a final symlink). */
static char *read_at(int dirfd, const char *name, size_t *ret_len) {
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        char *buf;

        CHECK(fd >= 0);
        CHECK_EQ(fstat(fd, &st), 0);
        buf = malloc((size_t) st.st_size + 1);
        CHECK(buf);
        CHECK_EQ(read(fd, buf, (size_t) st.st_size + 1), st.st_size);
        CHECK_EQ(close(fd), 0);
        *ret_len = (size_t) st.st_size;
        return buf;
}

static bool exists_at(int dirfd, const char *name) {
        struct stat st;
        return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static unsigned count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        unsigned n = 0;

        CHECK(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

/* ---- output_format_from_string ---------------------------------------- */

static void test_format_from_string(void) {
        OutputFormat f = _OUTPUT_FORMAT_MAX;

        CHECK_EQ(output_format_from_string("simple0", &f), 0);
        CHECK_EQ(f, OUTPUT_SIMPLE0);
        CHECK_EQ(output_format_from_string("simple", &f), 0);
        CHECK_EQ(f, OUTPUT_SIMPLE);
        CHECK_EQ(output_format_from_string("sxp", &f), 0);
        CHECK_EQ(f, OUTPUT_SXP);

        f = OUTPUT_SXP;
        CHECK_EQ(output_format_from_string("xml", &f), -EINVAL);
        CHECK_EQ(output_format_from_string("", &f), -EINVAL);
        CHECK_EQ(output_format_from_string("SIMPLE0", &f), -EINVAL);
        CHECK_EQ(output_format_from_string("simple0 ", &f), -EINVAL);
        CHECK_EQ(output_format_from_string("simple00", &f), -EINVAL);
        CHECK_EQ(output_format_from_string("simpl", &f), -EINVAL);
        CHECK_EQ(output_format_from_string(NULL, &f), -EINVAL);
        CHECK_EQ(f, OUTPUT_SXP);        /* untouched on failure */
}

/* ---- output_format_records -------------------------------------------- */

static void test_records_exact(void) {
        CHECK_RECORDS(OUTPUT_SIMPLE0, "K", NULL, "kernel K\0\0");
        CHECK_RECORDS(OUTPUT_SIMPLE0, "K", "A", "kernel K\0args A\0\0");
        CHECK_RECORDS(OUTPUT_SIMPLE0, "/var/lib/xen/bootloader.7.d/stage1", "root=/dev/xvda1 console=hvc0",
                      "kernel /var/lib/xen/bootloader.7.d/stage1\0args root=/dev/xvda1 console=hvc0\0\0");
        CHECK_RECORDS(OUTPUT_SIMPLE, "K", NULL, "kernel K\n\n");
        CHECK_RECORDS(OUTPUT_SIMPLE, "K", "A", "kernel K\nargs A\n\n");
        CHECK_RECORDS(OUTPUT_SXP, "K", NULL, "linux (kernel 'K')");
        CHECK_RECORDS(OUTPUT_SXP, "K", "A", "linux (kernel 'K')(args 'A')");
        CHECK_RECORDS(OUTPUT_SXP, "/d/stage1", "root=/dev/xvda1 console=hvc0",
                      "linux (kernel '/d/stage1')(args 'root=/dev/xvda1 console=hvc0')");

        /* Empty args: no args record at all. */
        CHECK_RECORDS(OUTPUT_SIMPLE0, "K", "", "kernel K\0\0");
        CHECK_RECORDS(OUTPUT_SIMPLE, "K", "", "kernel K\n\n");
        CHECK_RECORDS(OUTPUT_SXP, "K", "", "linux (kernel 'K')");

        /* What each format may carry that another may not. */
        CHECK_RECORDS(OUTPUT_SIMPLE0, "K", "a\nb", "kernel K\0args a\nb\0\0");
        CHECK_RECORDS(OUTPUT_SIMPLE0, "K", "it's", "kernel K\0args it's\0\0");
        CHECK_RECORDS(OUTPUT_SIMPLE, "K", "it's \\ \t", "kernel K\nargs it's \\ \t\n\n");
        CHECK_RECORDS(OUTPUT_SXP, "K", "a \"b\" ~", "linux (kernel 'K')(args 'a \"b\" ~')");
}

static void test_records_refused(void) {
        /* No kernel, or an empty one, whatever the format. */
        for (int f = 0; f < _OUTPUT_FORMAT_MAX; f++) {
                CHECK_REFUSED((OutputFormat) f, "", NULL);
                CHECK_REFUSED((OutputFormat) f, "", "A");
                CHECK_REFUSED((OutputFormat) f, NULL, "A");
        }
        /* Unknown format. */
        CHECK_REFUSED(_OUTPUT_FORMAT_MAX, "K", NULL);
        CHECK_REFUSED((OutputFormat) 1000, "K", "A");

        /* simple: the newline separator would forge a record. */
        CHECK_REFUSED(OUTPUT_SIMPLE, "K\nargs x", NULL);
        CHECK_REFUSED(OUTPUT_SIMPLE, "K", "a\nkernel /evil");
        CHECK_REFUSED(OUTPUT_SIMPLE, "K", "\n");
        CHECK_REFUSED(OUTPUT_SIMPLE, "K", "trailing\n");

        /* sxp: no quote, backslash or control character in either value. */
        static const char *const bad_sxp[] = {
                "it's", "'", "a\\b", "\\", "a\nb", "a\tb", "a\rb", "\x1b[31m", "x\x7f", "\x01",
        };
        for (size_t i = 0; i < sizeof(bad_sxp) / sizeof(bad_sxp[0]); i++) {
                CHECK_REFUSED(OUTPUT_SXP, "K", bad_sxp[i]);
                CHECK_REFUSED(OUTPUT_SXP, bad_sxp[i], NULL);
                CHECK_REFUSED(OUTPUT_SXP, bad_sxp[i], "A");
        }
        CHECK_REFUSED(OUTPUT_SXP, "K')(kernel '/evil", NULL);
        CHECK_REFUSED(OUTPUT_SXP, "K", "x')(kernel '/evil");
}

static void test_records_roundtrip(void) {
        static const char *const argses[] = {
                NULL,
                "",
                "A",
                "root=/dev/xvda1 console=hvc0",
                "root=/dev/xvda1 console=hvc0 kernel /evil",
                "kernel /evil",
                "kernel\t/evil ramdisk /evil2",
                "args x",
                "a  b   c",
                "ro quiet splash=\"x y\" 'z'",
        };
        const char *kernel = "/var/lib/xen/bootloader.7.d/pvboot-stage1";

        for (size_t i = 0; i < sizeof(argses) / sizeof(argses[0]); i++) {
                check_roundtrip(OUTPUT_SIMPLE0, kernel, argses[i]);
                check_roundtrip(OUTPUT_SIMPLE, kernel, argses[i]);
        }

        /* simple0 may carry a newline in args: still one args record. */
        check_roundtrip(OUTPUT_SIMPLE0, kernel, "a\nkernel /evil\n");

        /* Exactly two non-empty records plus the terminating empty one. */
        {
                char *buf = NULL;
                size_t len = 0, nuls = 0;
                CHECK_EQ(output_format_records(OUTPUT_SIMPLE0, "K", "x kernel /evil", &buf, &len), 0);
                for (size_t i = 0; i < len; i++)
                        nuls += buf[i] == 0;
                CHECK_EQ(nuls, 3);
                CHECK_EQ(buf[len - 1], 0);
                CHECK_EQ(buf[len - 2], 0);
                free(buf);
        }
}

/* ---- stage1_copy -------------------------------------------------------- */

/* The digest the decision would have: the file as it is now (unknown
 * when it cannot be read).  Static: used at once. */
static const Stage1Digest *digest_of(const char *path) {
        static Stage1Digest d;
        uint8_t *bytes = NULL;
        size_t size;

        if (stage1_file_load(path, &bytes, &size, &d) < 0)
                d = (Stage1Digest) { .known = false };
        free(bytes);
        return &d;
}

static void test_stage1_copy(void) {
        const size_t size = 200000;     /* more than one 64 KiB copy buffer */
        unsigned char *data = malloc(size);
        char *src = tmp_path("src.bin"), *src2 = tmp_path("src2.bin"), *victim = tmp_path("victim");
        char *empty = tmp_path("empty"), *missing = tmp_path("missing");
        char *outdir = tmp_path("out");
        unsigned char *copy;
        size_t copy_len;
        struct stat st;
        int dirfd;

        CHECK(data);
        srand((unsigned) getpid());
        for (size_t i = 0; i < size; i++)
                data[i] = (unsigned char) (rand() >> 7);
        write_file(src, data, size);
        write_file(src2, "other stage 1", 13);
        write_file(victim, "victim", 6);
        write_file(empty, "", 0);
        CHECK_EQ(mkdir(outdir, 0700), 0);
        dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(dirfd >= 0);

        /* A byte-identical private copy, 0600, regular. */
        umask(022);
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, "stage1"), 0);
        CHECK_EQ(fstatat(dirfd, "stage1", &st, AT_SYMLINK_NOFOLLOW), 0);
        CHECK(S_ISREG(st.st_mode));
        CHECK_EQ(st.st_mode & 07777, 0600);
        CHECK_EQ(st.st_nlink, 1);
        copy = (unsigned char *) read_at(dirfd, "stage1", &copy_len);
        CHECK_EQ(copy_len, size);
        CHECK(memcmp(copy, data, size) == 0);
        free(copy);

        /* Mode 0600 even under a permissive umask. */
        umask(0);
        CHECK_EQ(stage1_copy(src2, digest_of(src2), dirfd, "stage1-umask0"), 0);
        CHECK_EQ(fstatat(dirfd, "stage1-umask0", &st, AT_SYMLINK_NOFOLLOW), 0);
        CHECK_EQ(st.st_mode & 07777, 0600);
        umask(022);

        /* The same name again: -EEXIST, the first copy untouched. */
        CHECK_EQ(stage1_copy(src2, digest_of(src2), dirfd, "stage1"), -EEXIST);
        copy = (unsigned char *) read_at(dirfd, "stage1", &copy_len);
        CHECK_EQ(copy_len, size);
        CHECK(memcmp(copy, data, size) == 0);
        free(copy);

        /* A planted symlink is not followed and its target not changed. */
        CHECK_EQ(symlinkat(victim, dirfd, "planted"), 0);
        CHECK(stage1_copy(src, digest_of(src), dirfd, "planted") < 0);
        CHECK_EQ(fstatat(dirfd, "planted", &st, AT_SYMLINK_NOFOLLOW), 0);
        CHECK(S_ISLNK(st.st_mode));
        {
                size_t vl;
                char *v = read_at(AT_FDCWD, victim, &vl);
                CHECK_EQ(vl, 6);
                CHECK(memcmp(v, "victim", 6) == 0);
                free(v);
        }
        /* A dangling planted symlink does not create its target either. */
        CHECK_EQ(symlinkat(missing, dirfd, "planted-dangling"), 0);
        CHECK(stage1_copy(src, digest_of(src), dirfd, "planted-dangling") < 0);
        CHECK(!exists_at(AT_FDCWD, missing));
        CHECK_EQ(fstatat(dirfd, "planted-dangling", &st, AT_SYMLINK_NOFOLLOW), 0);
        CHECK(S_ISLNK(st.st_mode));

        /* Sources that are not a non-empty regular file: nothing created. */
        CHECK_EQ(stage1_copy("/dev/null", digest_of("/dev/null"), dirfd, "from-devnull"), -EINVAL);
        CHECK(!exists_at(dirfd, "from-devnull"));
        CHECK_EQ(stage1_copy(tmpdir, digest_of(tmpdir), dirfd, "from-dir"), -EINVAL);
        CHECK(!exists_at(dirfd, "from-dir"));
        CHECK(stage1_copy(empty, digest_of(empty), dirfd, "from-empty") < 0);
        CHECK(!exists_at(dirfd, "from-empty"));
        CHECK_EQ(stage1_copy(missing, digest_of(missing), dirfd, "from-missing"), -ENOENT);
        CHECK(!exists_at(dirfd, "from-missing"));

        /* Names that are not a single component. */
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, "a/b"), -EINVAL);
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, "/stage1"), -EINVAL);
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, "../escaped"), -EINVAL);
        CHECK(!exists_at(dirfd, "../escaped"));
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, ""), -EINVAL);
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, NULL), -EINVAL);

        /* Only what the successful calls made, plus the two planted links. */
        CHECK_EQ(count_entries(outdir), 4);

        CHECK_EQ(close(dirfd), 0);
        free(data);
        free(src);
        free(src2);
        free(victim);
        free(empty);
        free(missing);
        free(outdir);
}

/* ---- output_write_file -------------------------------------------------- */

static void test_write_file(void) {
        char *path = tmp_path("bootloader.7.out");
        static const char longer[] = "kernel /an/old/much/longer/record/that/must/go\0args old\0\0";
        static const char recs[] = "kernel K\0args A\0\0";
        char *got;
        size_t got_len;
        int fd, p[2];

        /* libxl precreates the file; our fd may be anywhere in it. */
        write_file(path, longer, sizeof(longer) - 1);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0);
        CHECK(lseek(fd, 0, SEEK_END) > 0);
        CHECK_EQ(output_write_file(fd, recs, sizeof(recs) - 1), 0);
        got = read_at(AT_FDCWD, path, &got_len);
        check_bytes(got, got_len, recs, sizeof(recs) - 1);
        free(got);

        /* Again on the same fd, shorter still. */
        CHECK_EQ(output_write_file(fd, "kernel K\0\0", 10), 0);
        got = read_at(AT_FDCWD, path, &got_len);
        check_bytes(got, got_len, "kernel K\0\0", 10);
        free(got);

        /* Empty content empties the file. */
        CHECK_EQ(output_write_file(fd, "", 0), 0);
        got = read_at(AT_FDCWD, path, &got_len);
        CHECK_EQ(got_len, 0);
        free(got);
        CHECK_EQ(close(fd), 0);

        /* A pipe (--output=/dev/stdout and the like): written as is. */
        CHECK_EQ(pipe(p), 0);
        CHECK_EQ(output_write_file(p[1], recs, sizeof(recs) - 1), 0);
        CHECK_EQ(close(p[1]), 0);
        {
                char buf[256];
                ssize_t n, total = 0;
                while ((n = read(p[0], buf + total, sizeof(buf) - (size_t) total)) > 0)
                        total += n;
                CHECK_EQ(n, 0);
                check_bytes(buf, (size_t) total, recs, sizeof(recs) - 1);
        }
        CHECK_EQ(close(p[0]), 0);

        /* A bad fd reports an error. */
        CHECK(output_write_file(-1, recs, 3) < 0);

        free(path);
}

static void cleanup_tmpdir(void) {
        char *cmd = NULL;
        if (asprintf(&cmd, "rm -rf -- '%s'", tmpdir) > 0) {
                if (system(cmd) != 0)
                        fprintf(stderr, "could not remove %s\n", tmpdir);
        }
        free(cmd);
}

/* ---- output_deliver ---------------------------------------------------- */

static void test_deliver(void) {
        _cleanup_free_ char *src = tmp_path("deliver-src"), *outdir = tmp_path("deliver-out"),
                            *outfile = tmp_path("deliver.out");
        char err[512], *got;
        size_t len;
        int dirfd, out;

        write_file(src, "stage 1", 7);
        CHECK_EQ(mkdir(outdir, 0700), 0);
        dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(dirfd >= 0);

        /* The copy and the records naming it; the file is closed. */
        out = open(outfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        CHECK(out >= 0);
        CHECK_EQ(output_deliver(dirfd, outdir, out, OUTPUT_SIMPLE, src, digest_of(src), "k", "quiet", err,
                                sizeof(err)), 0);
        CHECK(fcntl(out, F_GETFD) < 0);
        got = read_at(AT_FDCWD, outfile, &len);
        CHECK(strstr(got, "kernel ") && strstr(got, "/deliver-out/k\n") && strstr(got, "args quiet\n"));
        free(got);
        got = read_at(dirfd, "k", &len);
        CHECK(len == 7 && memcmp(got, "stage 1", 7) == 0);
        free(got);

        /* args that would forge a record: nothing left, the file empty. */
        out = open(outfile, O_WRONLY | O_CLOEXEC);
        CHECK(out >= 0);
        CHECK_EQ(output_deliver(dirfd, outdir, out, OUTPUT_SIMPLE, src, digest_of(src), "k2", "a\nkernel /etc/shadow",
                                err, sizeof(err)),
                 -EINVAL);
        CHECK(strstr(err, "separator"));
        CHECK(faccessat(dirfd, "k2", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
        got = read_at(AT_FDCWD, outfile, &len);
        CHECK_EQ(len, 0);
        free(got);
        close(out);

        /* A stage 1 that is not there: said, and nothing written. */
        out = open(outfile, O_WRONLY | O_CLOEXEC);
        CHECK_EQ(output_deliver(dirfd, outdir, out, OUTPUT_SIMPLE0, "/nonexistent/stage1",
                                digest_of("/nonexistent/stage1"), "k3", NULL, err,
                                sizeof(err)), -ENOENT);
        CHECK(strstr(err, "cannot copy stage 1 /nonexistent/stage1 into"));
        CHECK(faccessat(dirfd, "k3", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
        close(out);
        close(dirfd);
}

/* The stage 1 rewritten or replaced between the decision (its digest)
 * and the copy: refused, said, nothing left in the output directory and
 * libxl's file untouched; the same bytes again are copied. */
static void test_stage1_raced(void) {
        _cleanup_free_ char *src = tmp_path("raced-src"), *repl = tmp_path("raced-new"),
                            *outdir = tmp_path("raced-out"), *outfile = tmp_path("raced.out");
        static unsigned char img[200000];
        Stage1Digest decided;
        char err[512], *got;
        size_t len;
        int dirfd, out;

        for (size_t i = 0; i < sizeof(img); i++)
                img[i] = (unsigned char) (i * 7 + 1);
        write_file(src, img, sizeof(img));
        decided = *digest_of(src);      /* what policy_read_search() read */
        CHECK(decided.known);
        CHECK_EQ(mkdir(outdir, 0700), 0);
        dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(dirfd >= 0);

        /* Rewritten in place, one byte past the first 64 KiB, same size. */
        img[100000] ^= 0xff;
        write_file(src, img, sizeof(img));
        CHECK_EQ(stage1_copy(src, &decided, dirfd, "k"), -ESTALE);
        CHECK_EQ(count_entries(outdir), 0u);
        out = open(outfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        CHECK(out >= 0);
        CHECK_EQ(write(out, "before", 6), 6);
        CHECK_EQ(output_deliver(dirfd, outdir, out, OUTPUT_SIMPLE0, src, &decided, "k", NULL, err, sizeof(err)),
                 -ESTALE);
        CHECK(strstr(err, "changed after the decision was made for it") && strstr(err, "nothing was written"));
        CHECK(!strchr(err, '\n'));
        CHECK_EQ(count_entries(outdir), 0u);
        got = read_at(AT_FDCWD, outfile, &len);
        CHECK(len == 6 && memcmp(got, "before", 6) == 0);
        free(got);

        /* Replaced by rename, as dpkg does: refused as well. */
        img[100000] ^= 0xff;
        write_file(repl, img, sizeof(img) - 1);
        CHECK_EQ(rename(repl, src), 0);
        CHECK_EQ(stage1_copy(src, &decided, dirfd, "k"), -ESTALE);
        CHECK_EQ(count_entries(outdir), 0u);

        /* An image the decision never read: nothing to hold the copy to. */
        CHECK_EQ(output_deliver(dirfd, outdir, out, OUTPUT_SIMPLE0, src, &(Stage1Digest) { .known = false }, "k",
                                NULL, err, sizeof(err)), -ENODATA);
        CHECK(strstr(err, "could not be read when the decision was made"));
        CHECK_EQ(stage1_copy(src, NULL, dirfd, "k"), -ENODATA);
        CHECK_EQ(count_entries(outdir), 0u);

        /* The bytes decided for, back in place: copied, byte for byte. */
        write_file(src, img, sizeof(img));
        CHECK_EQ(stage1_copy(src, &decided, dirfd, "k"), 0);
        got = read_at(dirfd, "k", &len);
        CHECK(len == sizeof(img) && memcmp(got, img, len) == 0);
        free(got);
        close(out);
        close(dirfd);
}

/* Told to stop (stop.h; last: a stop is for good): no copy, no records,
 * the output directory as empty and the file as untouched as before. */
static void test_deliver_stopped(void) {
        _cleanup_free_ char *src = tmp_path("stopped-src"), *outdir = tmp_path("stopped-out"),
                            *outfile = tmp_path("stopped.out");
        static char big[1 << 20];
        char err[512], *got;
        size_t len;
        int dirfd, out;

        memset(big, 0x90, sizeof(big));
        write_file(src, big, sizeof(big));
        CHECK_EQ(mkdir(outdir, 0700), 0);
        dirfd = open(outdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        CHECK(dirfd >= 0);
        out = open(outfile, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        CHECK(out >= 0);
        CHECK_EQ(write(out, "before", 6), 6);   /* what libxl's file held must stay */

        stop_request(SIGTERM);
        CHECK_EQ(stage1_copy(src, digest_of(src), dirfd, "k"), -ECANCELED);
        CHECK_EQ(output_deliver(dirfd, outdir, out, OUTPUT_SIMPLE0, src, digest_of(src), "k", NULL, err, sizeof(err)),
                 -ECANCELED);
        CHECK(strstr(err, "stopped"));
        CHECK_EQ(count_entries(outdir), 0u);
        got = read_at(AT_FDCWD, outfile, &len);
        CHECK(len == 6 && memcmp(got, "before", 6) == 0);
        free(got);
        close(out);
        close(dirfd);
}

/* The xen_grub_env_ prefix, wherever it sits in the image. */
static void test_xen_grub_env(void) {
        char path[] = "/tmp/test-output-env.XXXXXX";
        static char img[3 * 65536];
        static const char needle[] = "xen_grub_env_";
        const size_t at[] = { 0, 100, 65536 - 5, 65536 - 13, 65536 - 12, 65536, 2 * 65536 - 7, sizeof(img) - 13 };
        int fd = mkstemp(path);

        CHECK(fd >= 0);
        for (size_t i = 0; i < ELEMENTSOF(at); i++) {
                memset(img, 0x5a, sizeof(img));
                memcpy(img + at[i], needle, sizeof(needle) - 1);
                CHECK_EQ(pwrite(fd, img, sizeof(img), 0), (ssize_t) sizeof(img));
                if (!stage1_reads_xen_grub_env(path)) {
                        fprintf(stderr, "not found at %zu\n", at[i]);
                        exit(EXIT_FAILURE);
                }
        }
        /* Cut short by one byte, at the end, or split by the prefix's
         * own first letters again: no. */
        memset(img, 0x5a, sizeof(img));
        memcpy(img + sizeof(img) - 12, needle, 12);
        memcpy(img + 65536 - 6, "xen_grxen_grub_en", 17);
        CHECK_EQ(pwrite(fd, img, sizeof(img), 0), (ssize_t) sizeof(img));
        CHECK(!stage1_reads_xen_grub_env(path));
        CHECK_EQ(ftruncate(fd, 0), 0);
        CHECK(!stage1_reads_xen_grub_env(path));
        close(fd);
        unlink(path);
        CHECK(!stage1_reads_xen_grub_env(path));
        CHECK(!stage1_reads_xen_grub_env("/"));
}

int main(void) {
        CHECK(mkdtemp(tmpdir));
        atexit(cleanup_tmpdir);

        test_format_from_string();
        test_records_exact();
        test_records_refused();
        test_records_roundtrip();
        test_stage1_copy();
        test_stage1_raced();
        test_write_file();
        test_deliver();
        test_deliver_stopped();
        test_xen_grub_env();
        return 0;
}
