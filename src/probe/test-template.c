/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for template.c's verification, without building an appliance: a
 * template directory of our own making, sealed by template_seal() (the
 * builder's own last step), then opened, then damaged every way that must
 * be refused.  (test-clone builds a real one and restores clones from it.)
 * Root only: a template must be root's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/template.h"
#include "shared/test-util.h"

static char cache[] = "/tmp/test-template.XXXXXX";
static char tdir[256];

static void put(const char *name, const void *data, size_t len) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tdir, name);
        (void) chmod(path, 0644);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        CHECK(write(fd, data, len) == (ssize_t) len);
        close(fd);
}

/* A 64 MiB RAM image, sparse, with two pages of data. */
static void put_ram(void) {
        char path[512];
        snprintf(path, sizeof(path), "%s/ram", tdir);
        (void) chmod(path, 0644);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        CHECK_EQ(ftruncate(fd, 64 << 20), 0);
        CHECK_EQ(pwrite(fd, "boot", 4, 4096), 4);
        CHECK_EQ(pwrite(fd, "heap", 4, 32 << 20), 4);
        close(fd);
}

static void make(const TemplateConfig *cfg) {
        static const char argv[] = "qemu-system-x86_64\0-m\0" "64\0-nodefaults";
        char err[256];
        put("argv", argv, sizeof(argv));
        put("state", "QEVM state", 10);
        put("root.qcow2", "QFI\xfb overlay", 12);
        put_ram();
        CHECK_EQ(template_seal(tdir, cfg, err, sizeof(err)), 0);
}

static int open_it(const TemplateConfig *cfg) {
        Template *t = NULL;
        int r = template_open(cfg, &t);
        CHECK((r == 0) == (t != NULL));
        template_free(t);
        return r;
}

/* Rewrite one byte of a sealed file, as someone with write access would. */
static void tamper(const char *name, off_t at, char c) {
        char path[512];
        snprintf(path, sizeof(path), "%s/%s", tdir, name);
        CHECK_EQ(chmod(path, 0644), 0);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        CHECK(fd >= 0 && pwrite(fd, &c, 1, at) == 1);
        close(fd);
        CHECK_EQ(chmod(path, 0444), 0);
}

int main(int argc, char **argv) {
        char path[512];
        Template *t = NULL;

        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: a template must be root's\n");
                return EXIT_TEST_SKIP;
        }
        CHECK(argc == 3);
        CHECK(mkdtemp(cache));
        CHECK_EQ(chmod(cache, 0755), 0);
        snprintf(tdir, sizeof(tdir), "%s/template", cache);
        TemplateConfig cfg = { .dir = cache, .agent = argv[1], .wrapper = argv[2], .memsize_mb = 64 };

        CHECK_EQ(open_it(&cfg), -ENOENT);       /* none yet */
        CHECK_EQ(mkdir(tdir, 0755), 0);
        make(&cfg);

        /* Sealed: it opens, its RAM in a sealed memfd, its argv parsed. */
        CHECK_EQ(template_open(&cfg, &t), 0);
        CHECK_EQ(t->memsize_mb, 64);
        CHECK_EQ(t->ram_size, (uint64_t) 64 << 20);
        CHECK_STREQ(t->argv[0], "qemu-system-x86_64");
        CHECK((fcntl(t->ram_fd, F_GET_SEALS) & (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK)) ==
              (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK));
        CHECK(pwrite(t->ram_fd, "x", 1, 0) < 0);
        char page[5] = { 0 };
        CHECK_EQ(pread(t->ram_fd, page, 4, 32 << 20), 4);
        CHECK_STREQ(page, "heap");
        template_free(t);

        /* Another appliance memory is another key: stale, not damaged. */
        cfg.memsize_mb = 128;
        CHECK_EQ(open_it(&cfg), -ESTALE);
        cfg.memsize_mb = 64;

        /* Any changed byte of any file: refused.  Zeros written into a hole
         * of the RAM change nothing a clone would see: still the same. */
        tamper("state", 0, 'X');
        CHECK_EQ(open_it(&cfg), -EBADMSG);
        make(&cfg);
        tamper("root.qcow2", 5, 'X');
        CHECK_EQ(open_it(&cfg), -EBADMSG);
        make(&cfg);
        tamper("ram", 8 << 20, 'X');
        CHECK_EQ(open_it(&cfg), -EBADMSG);
        make(&cfg);
        tamper("ram", 16 << 20, 0);
        CHECK_EQ(open_it(&cfg), 0);
        tamper("argv", 0, 'X');
        CHECK_EQ(open_it(&cfg), -EBADMSG);
        make(&cfg);
        CHECK_EQ(open_it(&cfg), 0);

        /* Someone else's file, or a directory others may write: refused. */
        snprintf(path, sizeof(path), "%s/root.qcow2", tdir);
        CHECK_EQ(chown(path, 65534, 65534), 0);
        CHECK_EQ(open_it(&cfg), -EPERM);
        CHECK_EQ(chown(path, 0, 0), 0);
        CHECK_EQ(open_it(&cfg), 0);
        CHECK_EQ(chmod(tdir, 0777), 0);
        CHECK_EQ(open_it(&cfg), -EPERM);
        CHECK_EQ(chmod(tdir, 0755), 0);

        /* A symlink where a file was: not followed. */
        snprintf(path, sizeof(path), "%s/state", tdir);
        CHECK_EQ(unlink(path), 0);
        CHECK_EQ(symlink("/etc/passwd", path), 0);
        CHECK(open_it(&cfg) < 0);
        CHECK_EQ(unlink(path), 0);

        /* meta gone: damaged, not absent. */
        make(&cfg);
        snprintf(path, sizeof(path), "%s/meta", tdir);
        CHECK_EQ(unlink(path), 0);
        CHECK_EQ(open_it(&cfg), -EBADMSG);

        /* argv without "-m N": refused at sealing's counterpart. */
        static const char no_m[] = "qemu-system-x86_64\0-nodefaults";
        put("argv", no_m, sizeof(no_m));
        char err[256];
        CHECK_EQ(template_seal(tdir, &cfg, err, sizeof(err)), 0);
        CHECK_EQ(open_it(&cfg), -EBADMSG);

        snprintf(path, sizeof(path), "rm -rf %s", cache);
        CHECK_EQ(system(path), 0);
        return 0;
}
