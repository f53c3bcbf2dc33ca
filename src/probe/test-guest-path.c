/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for guest-path.c against an in-memory filesystem behind GuestFsOps. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe/guest-path.h"
#include "pvboot-select.h"
#include "shared/test-util.h"

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

typedef struct FakeEntry {
        const char *path;
        GuestFileType type;
        uint64_t size;
        const char *target;     /* symlinks; NULL: readlink fails with -EIO */
} FakeEntry;

#define DIR_(p)     { (p), GUEST_FILE_DIRECTORY, 4096, NULL }
#define REG(p, s)   { (p), GUEST_FILE_REGULAR, (s), NULL }
#define LNK(p, t)   { (p), GUEST_FILE_SYMLINK, sizeof(t) - 1, (t) }
#define OTHER(p)    { (p), GUEST_FILE_OTHER, 0, NULL }

typedef struct Call {
        char op;                /* 'L' lstat, 'R' readlink */
        char *path;
} Call;

#define MAX_CALLS 4096

typedef struct FakeFs {
        const FakeEntry *entries;
        size_t n_entries;
        bool a_dirs;            /* every "/a/a/.../a" is a directory */
        const char *fail_path;  /* lstat of this path fails with fail_errno */
        int fail_errno;
        Call calls[MAX_CALLS];
        size_t n_calls;
        unsigned n_lstat, n_readlink;
} FakeFs;

static FakeFs fs;

static void fs_reset(const FakeEntry *entries, size_t n) {
        for (size_t i = 0; i < fs.n_calls; i++)
                free(fs.calls[i].path);
        fs = (FakeFs) { .entries = entries, .n_entries = n };
}

static bool is_a_chain(const char *path) {
        if (!*path)
                return false;
        for (; *path; path += 2)
                if (path[0] != '/' || path[1] != 'a')
                        return false;
        return true;
}

static const FakeEntry *lookup(const char *path) {
        static const FakeEntry a_dir = DIR_("/a...");

        for (size_t i = 0; i < fs.n_entries; i++)
                if (strcmp(fs.entries[i].path, path) == 0)
                        return &fs.entries[i];
        if (fs.a_dirs && is_a_chain(path))
                return &a_dir;
        return NULL;
}

static void record(char op, const char *path) {
        CHECK(fs.n_calls < MAX_CALLS);
        fs.calls[fs.n_calls].op = op;
        fs.calls[fs.n_calls].path = strdup(path);
        CHECK(fs.calls[fs.n_calls].path);
        fs.n_calls++;
}

/* An absolute path of plain components: no "//", ".", "..", trailing "/". */
static void check_normal(const char *path) {
        const char *p = path;

        if (strlen(path) > PVBOOT_MAX_GUEST_PATH || path[0] != '/' || strcmp(path, "/") == 0)
                goto bad;
        while (*p) {
                size_t cl;

                if (*p != '/')
                        goto bad;
                p++;
                cl = strcspn(p, "/");
                if (cl == 0 || (cl == 1 && p[0] == '.') || (cl == 2 && p[0] == '.' && p[1] == '.'))
                        goto bad;
                p += cl;
        }
        return;
bad:
        fprintf(stderr, "not a normal absolute path: \"%s\"\n", path);
        exit(EXIT_FAILURE);
}

/* Every proper ancestor of path is a real directory: no symlink on the way. */
static void check_ancestors_are_dirs(const char *path) {
        char buf[PVBOOT_MAX_GUEST_PATH + 1];

        CHECK(strlen(path) <= PVBOOT_MAX_GUEST_PATH);
        strcpy(buf, path);
        for (char *s = buf + 1; (s = strchr(s, '/')); s++) {
                const FakeEntry *e;

                *s = 0;
                e = lookup(buf);
                if (!e || e->type != GUEST_FILE_DIRECTORY) {
                        fprintf(stderr, "lstat(\"%s\"): ancestor \"%s\" is %s\n", path, buf,
                                !e ? "missing" : e->type == GUEST_FILE_SYMLINK ? "a symlink" : "not a directory");
                        exit(EXIT_FAILURE);
                }
                *s = '/';
        }
}

static int fake_lstat(void *userdata, const char *path, GuestStat *ret) {
        const FakeEntry *e;

        CHECK(userdata == &fs);
        CHECK(path);
        record('L', path);
        fs.n_lstat++;
        check_normal(path);
        check_ancestors_are_dirs(path);

        if (fs.fail_path && strcmp(path, fs.fail_path) == 0)
                return -fs.fail_errno;
        e = lookup(path);
        if (!e)
                return -ENOENT;
        *ret = (GuestStat) { .type = e->type, .size = e->size };
        return 0;
}

static int fake_readlink(void *userdata, const char *path, char **ret) {
        const FakeEntry *e;

        CHECK(userdata == &fs);
        CHECK(path);
        /* Only right after lstat said "symlink" for this very path. */
        CHECK(fs.n_calls > 0);
        CHECK_EQ(fs.calls[fs.n_calls - 1].op, 'L');
        CHECK_STREQ(fs.calls[fs.n_calls - 1].path, path);
        record('R', path);
        fs.n_readlink++;

        e = lookup(path);
        CHECK(e);
        CHECK_EQ(e->type, GUEST_FILE_SYMLINK);
        if (!e->target)
                return -EIO;
        *ret = strdup(e->target);
        return *ret ? 0 : -ENOMEM;
}

static const GuestFsOps ops = {
        .lstat = fake_lstat,
        .readlink = fake_readlink,
        .userdata = &fs,
};

/* A symlink is lstat'ed only to be read right after; the one exception is
 * the link that takes the walk over the limit. */
static void check_calls(size_t first, int r) {
        for (size_t i = first; i < fs.n_calls; i++) {
                const FakeEntry *e;

                if (fs.calls[i].op != 'L')
                        continue;
                e = lookup(fs.calls[i].path);
                if (!e || e->type != GUEST_FILE_SYMLINK)
                        continue;
                if (i + 1 == fs.n_calls && (r == -ELOOP || (fs.fail_path && r == -fs.fail_errno)))
                        continue;
                if (i + 1 >= fs.n_calls || fs.calls[i + 1].op != 'R' ||
                    strcmp(fs.calls[i + 1].path, fs.calls[i].path) != 0) {
                        fprintf(stderr, "lstat(\"%s\") of a symlink not followed by its readlink\n",
                                fs.calls[i].path);
                        exit(EXIT_FAILURE);
                }
        }
}

static int resolve(const char *path, char **ret_path, GuestStat *ret_st) {
        size_t first = fs.n_calls;
        int r;

        *ret_path = NULL;
        *ret_st = (GuestStat) { .type = (GuestFileType) 99, .size = 0xdeadbeef };
        r = guest_path_resolve(&ops, path, ret_path, ret_st);
        check_calls(first, r);
        if (r < 0)
                CHECK(*ret_path == NULL);
        return r;
}

static void expect_ok_at(int line, const char *path, const char *want_path, GuestFileType want_type, uint64_t want_size) {
        GuestStat st;
        char *got = NULL;
        int r = resolve(path, &got, &st);

        if (r != 0) {
                fprintf(stderr, "line %d: resolving \"%s\": %d (%s)\n", line, path, r, strerror(-r));
                exit(EXIT_FAILURE);
        }
        CHECK(got);
        if (strcmp(got, want_path) != 0) {
                fprintf(stderr, "line %d: \"%s\" resolved to \"%s\", expected \"%s\"\n", line, path, got, want_path);
                exit(EXIT_FAILURE);
        }
        CHECK_EQ(st.type, want_type);
        CHECK_EQ(st.size, want_size);

        /* The result is symlink-free and is what lstat says it is. */
        if (strcmp(got, "/") != 0) {
                const FakeEntry *e;
                check_normal(got);
                check_ancestors_are_dirs(got);
                e = lookup(got);
                CHECK(e);
                CHECK(e->type != GUEST_FILE_SYMLINK);
                CHECK_EQ(e->type, st.type);
        }
        free(got);
}

static void expect_err_at(int line, const char *path, int want) {
        GuestStat st;
        char *got = NULL;
        int r = resolve(path, &got, &st);

        if (r != want) {
                fprintf(stderr, "line %d: resolving \"%s\": got %d (%s), expected %d (%s)\n", line,
                        path ? path : "(null)", r, strerror(r < 0 ? -r : r), want, strerror(-want));
                exit(EXIT_FAILURE);
        }
}

#define expect_ok(p, w, t, s) expect_ok_at(__LINE__, (p), (w), (t), (s))
#define expect_err(p, e) expect_err_at(__LINE__, (p), (e))

/* ---- the cases ---------------------------------------------------------- */

static void test_plain(void) {
        static const FakeEntry t[] = {
                DIR_("/boot"),
                DIR_("/boot/xen"),
                REG("/boot/xen/pvboot-x86_64.elf", 12345),
                OTHER("/boot/xen/pvboot-i386.elf"),
                REG("/boot/xen/f", 1),
                DIR_("/xen"),
                REG("/xen/pvboot-i386.elf", 77),
        };
        char *longpath;

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/boot/xen/pvboot-x86_64.elf", "/boot/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 12345);
        CHECK_EQ(fs.n_lstat, 3);
        CHECK_EQ(fs.n_readlink, 0);

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/xen/pvboot-i386.elf", "/xen/pvboot-i386.elf", GUEST_FILE_REGULAR, 77);
        CHECK_EQ(fs.n_lstat, 2);

        /* Spelling variants reach the same file through normal paths only. */
        fs_reset(t, ELEMENTSOF(t));
        expect_ok("//boot///xen/./pvboot-x86_64.elf", "/boot/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 12345);
        expect_ok("/boot/./xen/../xen/pvboot-x86_64.elf", "/boot/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 12345);
        expect_ok("/xen/../boot/xen/pvboot-x86_64.elf", "/boot/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 12345);

        /* Missing. */
        fs_reset(t, ELEMENTSOF(t));
        expect_err("/boot/xen/pvboot-missing.elf", -ENOENT);
        fs_reset(t, ELEMENTSOF(t));
        expect_err("/nope/xen/pvboot-x86_64.elf", -ENOENT);
        CHECK_EQ(fs.n_lstat, 1);        /* stops at the first missing component */

        /* Directories and devices are reported, not refused. */
        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/boot/xen", "/boot/xen", GUEST_FILE_DIRECTORY, 4096);
        expect_ok("/boot/xen/", "/boot/xen", GUEST_FILE_DIRECTORY, 4096);
        expect_ok("/boot/xen/pvboot-i386.elf", "/boot/xen/pvboot-i386.elf", GUEST_FILE_OTHER, 0);
        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/", "/", GUEST_FILE_DIRECTORY, 0);
        CHECK_EQ(fs.n_lstat, 0);
        expect_ok("/boot/..", "/", GUEST_FILE_DIRECTORY, 0);

        /* A non-directory in the middle. */
        expect_err("/boot/xen/f/x", -ENOTDIR);
        expect_err("/boot/xen/pvboot-x86_64.elf/pvboot-x86_64.elf", -ENOTDIR);
        expect_err("/boot/xen/pvboot-i386.elf/x", -ENOTDIR);

        /* Not absolute, or too long to begin with. */
        fs_reset(t, ELEMENTSOF(t));
        expect_err("boot/xen/pvboot-x86_64.elf", -EINVAL);
        expect_err("", -EINVAL);
        expect_err(NULL, -EINVAL);
        CHECK_EQ(fs.n_lstat, 0);
        longpath = malloc(PVBOOT_MAX_GUEST_PATH + 2);
        CHECK(longpath);
        longpath[0] = '/';
        memset(longpath + 1, 'x', PVBOOT_MAX_GUEST_PATH);
        longpath[PVBOOT_MAX_GUEST_PATH + 1] = 0;
        expect_err(longpath, -ENAMETOOLONG);
        CHECK_EQ(fs.n_lstat, 0);
        free(longpath);
}

static void test_separate_boot(void) {
        /* A separate /boot is commonly reached as /boot -> "." on itself. */
        static const FakeEntry t[] = {
                LNK("/boot", "."),
                DIR_("/xen"),
                REG("/xen/pvboot-x86_64.elf", 5),
        };

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/boot/xen/pvboot-x86_64.elf", "/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 5);
        CHECK_EQ(fs.n_readlink, 1);
        expect_ok("/boot/boot/boot/xen/pvboot-x86_64.elf", "/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 5);
        expect_ok("/boot", "/", GUEST_FILE_DIRECTORY, 0);
        expect_err("/boot/xen/pvboot-i386.elf", -ENOENT);
}

static void test_relative_links(void) {
        static const FakeEntry t[] = {
                DIR_("/boot"),
                DIR_("/boot/xen"),
                LNK("/boot/xen/pvboot-x86_64.elf", "../xen/real.elf"),
                REG("/boot/xen/real.elf", 9),
                LNK("/boot/xen/pvboot-i386.elf", "../../xen/f"),
                LNK("/boot/xen/up", ".."),
                LNK("/boot/xen/same", "./real.elf"),
                LNK("/boot/xen/sub", "deeper/dir"),
                DIR_("/boot/xen/deeper"),
                DIR_("/boot/xen/deeper/dir"),
                LNK("/boot/xen/deeper/dir/back", "../../real.elf"),
                DIR_("/xen"),
                REG("/xen/f", 3),
        };

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/boot/xen/pvboot-x86_64.elf", "/boot/xen/real.elf", GUEST_FILE_REGULAR, 9);
        expect_ok("/boot/xen/pvboot-i386.elf", "/xen/f", GUEST_FILE_REGULAR, 3);
        expect_ok("/boot/xen/up/xen/real.elf", "/boot/xen/real.elf", GUEST_FILE_REGULAR, 9);
        expect_ok("/boot/xen/up/../xen/f", "/xen/f", GUEST_FILE_REGULAR, 3);
        expect_ok("/boot/xen/same", "/boot/xen/real.elf", GUEST_FILE_REGULAR, 9);
        /* A relative link in a directory reached through a link. */
        expect_ok("/boot/xen/sub/back", "/boot/xen/real.elf", GUEST_FILE_REGULAR, 9);
        expect_ok("/boot/xen/sub/../dir/back", "/boot/xen/real.elf", GUEST_FILE_REGULAR, 9);
}

static void test_absolute_links(void) {
        static const FakeEntry t[] = {
                LNK("/boot", "/mnt/realboot"),
                DIR_("/mnt"),
                DIR_("/mnt/realboot"),
                DIR_("/mnt/realboot/xen"),
                REG("/mnt/realboot/xen/pvboot-x86_64.elf", 8),
                LNK("/mnt/realboot/xen/pvboot-i386.elf", "/xen/pvboot-i386.elf"),
                DIR_("/xen"),
                REG("/xen/pvboot-i386.elf", 32),
                LNK("/xen/root", "/"),
                LNK("/xen/rootdots", "/../../.."),
        };

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/boot/xen/pvboot-x86_64.elf", "/mnt/realboot/xen/pvboot-x86_64.elf", GUEST_FILE_REGULAR, 8);
        /* Restarts at the root, not below the link's directory. */
        expect_ok("/boot/xen/pvboot-i386.elf", "/xen/pvboot-i386.elf", GUEST_FILE_REGULAR, 32);
        expect_ok("/xen/root/xen/pvboot-i386.elf", "/xen/pvboot-i386.elf", GUEST_FILE_REGULAR, 32);
        expect_ok("/xen/root", "/", GUEST_FILE_DIRECTORY, 0);
        expect_ok("/xen/rootdots/xen/pvboot-i386.elf", "/xen/pvboot-i386.elf", GUEST_FILE_REGULAR, 32);
}

static void test_dotdot_at_root(void) {
        static const FakeEntry t[] = {
                DIR_("/xen"),
                REG("/xen/f", 6),
                LNK("/up", "../../../xen/f"),
                DIR_("/d"),
                LNK("/d/up", "../../../../../xen/f"),
        };

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/../../xen/f", "/xen/f", GUEST_FILE_REGULAR, 6);
        expect_ok("/..", "/", GUEST_FILE_DIRECTORY, 0);
        expect_ok("/xen/../../../xen/f", "/xen/f", GUEST_FILE_REGULAR, 6);
        expect_ok("/up", "/xen/f", GUEST_FILE_REGULAR, 6);
        expect_ok("/d/up", "/xen/f", GUEST_FILE_REGULAR, 6);
}

static void test_loops_and_limits(void) {
        static const FakeEntry t[] = {
                LNK("/a", "b"),
                LNK("/b", "a"),
                LNK("/s", "s"),
                LNK("/abs", "/abs"),
                LNK("/grow", "grow/grow/grow/grow"),
                LNK("/dotloop", "./dotloop"),
                /* 8 links: GRUB fails at the 8th (fshelp.c symlinknest == 8) */
                LNK("/l1", "l2"), LNK("/l2", "l3"), LNK("/l3", "l4"), LNK("/l4", "l5"),
                LNK("/l5", "l6"), LNK("/l6", "l7"), LNK("/l7", "/l8"), LNK("/l8", "f"),
                /* 9 links */
                LNK("/m1", "m2"), LNK("/m2", "m3"), LNK("/m3", "m4"), LNK("/m4", "m5"),
                LNK("/m5", "m6"), LNK("/m6", "m7"), LNK("/m7", "m8"), LNK("/m8", "m9"),
                LNK("/m9", "f"),
                REG("/f", 42),
                /* links counted over the whole walk, not per component */
                LNK("/d1", "d2"), LNK("/d2", "d3"), LNK("/d3", "d4"), LNK("/d4", "dir"),
                DIR_("/dir"),
                LNK("/dir/k1", "k2"), LNK("/dir/k2", "k3"), LNK("/dir/k3", "k4"), LNK("/dir/k4", "k5"),
                LNK("/dir/k5", "/f"),
        };

        fs_reset(t, ELEMENTSOF(t));
        expect_err("/a", -ELOOP);
        CHECK_EQ(fs.n_readlink, PVBOOT_MAX_SYMLINKS - 1);
        CHECK(fs.n_lstat <= PVBOOT_MAX_SYMLINKS + 1);
        fs_reset(t, ELEMENTSOF(t));
        expect_err("/a/x/y", -ELOOP);
        expect_err("/s", -ELOOP);
        expect_err("/s/x", -ELOOP);
        expect_err("/abs", -ELOOP);
        expect_err("/dotloop", -ELOOP);
        fs_reset(t, ELEMENTSOF(t));
        expect_err("/grow", -ELOOP);
        CHECK(fs.n_lstat <= PVBOOT_MAX_SYMLINKS + 1);

        fs_reset(t, ELEMENTSOF(t));
        expect_err("/l1", -ELOOP);                              /* 8 links */
        CHECK_EQ(fs.n_readlink, 7);
        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/l2", "/f", GUEST_FILE_REGULAR, 42);         /* 7 links */
        CHECK_EQ(fs.n_readlink, 7);
        fs_reset(t, ELEMENTSOF(t));
        expect_err("/m1", -ELOOP);
        CHECK_EQ(fs.n_readlink, 7);
        expect_err("/m2", -ELOOP);
        expect_ok("/m3", "/f", GUEST_FILE_REGULAR, 42);

        fs_reset(t, ELEMENTSOF(t));
        expect_ok("/d1/k3", "/f", GUEST_FILE_REGULAR, 42);     /* 4 + 3 */
        expect_err("/d1/k2", -ELOOP);                          /* 4 + 4 */
        expect_ok("/dir/k1", "/f", GUEST_FILE_REGULAR, 42);    /* 5 */
        expect_err("/d1/k1", -ELOOP);                          /* 4 + 5 */
}

static void test_dangling(void) {
        static const FakeEntry t[] = {
                DIR_("/boot"),
                DIR_("/boot/xen"),
                LNK("/boot/xen/pvboot-x86_64.elf", "nothere"),
                LNK("/boot/xen/pvboot-i386.elf", "/nowhere/at/all"),
                LNK("/boot/xen/empty", ""),
                LNK("/boot/xen/todir", "../../boot"),
                REG("/f", 1),
                LNK("/notdir", "f/x"),
                { "/unreadable", GUEST_FILE_SYMLINK, 5, NULL },
        };

        fs_reset(t, ELEMENTSOF(t));
        expect_err("/boot/xen/pvboot-x86_64.elf", -ENOENT);
        expect_err("/boot/xen/pvboot-i386.elf", -ENOENT);
        expect_err("/boot/xen/empty", -ENOENT);
        expect_err("/boot/xen/empty/x", -ENOENT);
        expect_ok("/boot/xen/todir", "/boot", GUEST_FILE_DIRECTORY, 4096);
        expect_err("/notdir", -ENOTDIR);
        expect_err("/unreadable", -EIO);
}

static char too_long_target[PVBOOT_MAX_GUEST_PATH + 2];
static char long_target[1001];

static void test_name_too_long(void) {
        static const FakeEntry t[] = {
                LNK("/toolong", too_long_target),
                { "/long", GUEST_FILE_SYMLINK, 1000, long_target },
                DIR_("/b"),
        };
        char path[200];

        /* A target over the limit. */
        too_long_target[0] = '/';
        memset(too_long_target + 1, 'a', PVBOOT_MAX_GUEST_PATH);
        too_long_target[PVBOOT_MAX_GUEST_PATH + 1] = 0;
        fs_reset(t, ELEMENTSOF(t));
        expect_err("/toolong", -ENAMETOOLONG);

        /* A target within the limit that, with what follows it, is not. */
        long_target[0] = '/';
        memset(long_target + 1, 'b', 999);
        long_target[1000] = 0;
        snprintf(path, sizeof(path), "/long/%0100d", 0);
        expect_err(path, -ENAMETOOLONG);
        CHECK(fs.n_lstat >= 1);
}

static void test_errors_propagate(void) {
        static const FakeEntry t[] = {
                DIR_("/boot"),
                DIR_("/boot/xen"),
                REG("/boot/xen/pvboot-x86_64.elf", 1),
        };

        fs_reset(t, ELEMENTSOF(t));
        fs.fail_path = "/boot/xen";
        fs.fail_errno = EIO;
        expect_err("/boot/xen/pvboot-x86_64.elf", -EIO);
        fs.fail_errno = EACCES;
        expect_err("/boot/xen/pvboot-x86_64.elf", -EACCES);
}

static void test_bounded(void) {
        char path[5 * 100 + 3], *p = path;     /* the larger of the two paths below */

        /* 200 "a/" components: one lstat each, no more. */
        *p++ = '/';
        for (int i = 0; i < 200; i++) {
                *p++ = 'a';
                *p++ = '/';
        }
        *p = 0;
        fs_reset(NULL, 0);
        fs.a_dirs = true;
        {
                char want[sizeof(path)];
                memcpy(want, path, (size_t) (p - path - 1));
                want[p - path - 1] = 0;
                expect_ok(path, want, GUEST_FILE_DIRECTORY, 4096);
        }
        CHECK_EQ(fs.n_lstat, 200);
        CHECK_EQ(fs.n_readlink, 0);

        /* Going up costs nothing; "/a/.." 100 times then one "a". */
        fs_reset(NULL, 0);
        fs.a_dirs = true;
        p = path;
        for (int i = 0; i < 100; i++) {
                memcpy(p, "/a/..", 5);
                p += 5;
        }
        strcpy(p, "/a");
        expect_ok(path, "/a", GUEST_FILE_DIRECTORY, 4096);
        CHECK_EQ(fs.n_lstat, 101);
}

int main(void) {
        test_plain();
        test_separate_boot();
        test_relative_links();
        test_absolute_links();
        test_dotdot_at_root();
        test_loops_and_limits();
        test_dangling();
        test_name_too_long();
        test_errors_propagate();
        test_bounded();
        fs_reset(NULL, 0);
        return 0;
}
