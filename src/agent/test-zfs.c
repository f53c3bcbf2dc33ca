/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for zfs.c: the parser of GRUB's `ls -l` and error lines, on
 * outputs captured from grub-fstest 2.06 on a real pool and on hostile
 * ones; then, given the fixture (tests/fixtures/zfs64.img.xz, a real
 * OpenZFS boot pool), the operations themselves through the host's
 * grub-fstest (exit 77 when either is missing).
 *
 *   test-zfs [FIXTURE.img.xz]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "agent/zfs.h"
#include "shared/macro.h"
#include "shared/test-util.h"

static ZfsEntry e[8];

static int parse(const char *s) {
        return zfs_parse_listing(s, strlen(s), e, ELEMENTSOF(e));
}

static void test_listing(void) {
        /* Captured: ls -l (loop0,msdos1)/BOOT/ and .../BOOT/debian@/xen/ */
        CHECK_EQ(parse("DIR          20261129175101 @/\nDIR          20261129175101 debian/\n\n"), 2);
        CHECK(e[0].dir && strcmp(e[0].name, "@") == 0);
        CHECK(e[1].dir && strcmp(e[1].name, "debian") == 0);
        CHECK_EQ(parse("300010      pvboot-x86_64.elf\n\n"), 1);
        CHECK(!e[0].dir && e[0].size == 300010 && strcmp(e[0].name, "pvboot-x86_64.elf") == 0);
        CHECK_EQ(parse("12           20261129175101 a b\n\n"), 1);       /* mtime, a space in a name */
        CHECK(e[0].size == 12 && strcmp(e[0].name, "a b") == 0);
        CHECK_EQ(parse("\n"), 0);                                       /* empty directory */
        CHECK_EQ(parse(""), -ENOENT);                                   /* GRUB's ls could not list */

        /* Hostile: no final empty line, garbage, sizes without padding,
         * a directory without its "/", slashes, too many. */
        CHECK_EQ(parse("300010      x\n"), -EBADMSG);
        CHECK_EQ(parse("garbage\n\n"), -EBADMSG);
        CHECK_EQ(parse("\x01\x02\n\n"), -EBADMSG);
        CHECK_EQ(parse("123456789012x\n\n"), -EBADMSG);
        CHECK_EQ(parse("1234567890123456 x\n\n"), -EBADMSG);
        CHECK_EQ(parse("12    3     x\n\n"), -EBADMSG);
        CHECK_EQ(parse("DIR          x\n\n"), -EBADMSG);
        CHECK_EQ(parse("DIR         /\n\n"), -EBADMSG);
        CHECK_EQ(parse("5           a/b\n\n"), -EBADMSG);
        CHECK_EQ(parse("5           \n\n"), -EBADMSG);
        CHECK_EQ(parse("1           a\n1           b\n1           c\n1           d\n1           e\n"
                       "1           f\n1           g\n1           h\n1           i\n\n"), -E2BIG);
        /* A name with a newline: its tail cannot pass for a line here... */
        CHECK_EQ(parse("5           evil\nname\n\n"), -EBADMSG);
        /* ...and where it can, the forged line is only a name: zfs_lstat
         * believes no size it has not checked against the file. */
        CHECK_EQ(parse("5           evil\n999         pvboot-x86_64.elf\n\n"), 2);
        /* Escapes are bytes like any other, never interpreted. */
        CHECK_EQ(parse("7           \\n\\x41\x1b[2J\n\n"), 1);
        CHECK(strcmp(e[0].name, "\\n\\x41\x1b[2J") == 0);
        /* A name past NAME_MAX, and a listing past its cap. */
        char big[600];
        memset(big, 'a', sizeof(big));
        memcpy(big, "1           ", 12);
        memcpy(big + sizeof(big) - 3, "\n\n", 3);
        CHECK_EQ(parse(big), -EBADMSG);
        size_t huge = ZFS_MAX_LISTING + 2;
        char *h = malloc(huge);
        CHECK(h);
        memset(h, '\n', huge);
        CHECK_EQ(zfs_parse_listing(h, huge, e, ELEMENTSOF(e)), -EBADMSG);
        free(h);
}

static int err(const char *s) {
        return zfs_parse_error(s, strlen(s));
}

static void test_errors(void) {
        /* Captured from grub-fstest 2.06 cat. */
        CHECK_EQ(err("grub-fstest: error: cannot open `(loop0,msdos1)/boot/xen/pvboot-x86_64.elf': file `boot' not found.\n"),
                 -ENOENT);
        CHECK_EQ(err("grub-fstest: error: cannot open `(loop0,msdos1)/BOOT/debian@/xen': not a regular file.\n"), 1);
        CHECK_EQ(err("grub-fstest: error: cannot open `(loop0)/BOOT': missing `@' symbol.\n"), 1);
        CHECK_EQ(err("grub-fstest: error: invalid skip value 400000.\n"), -EIO);
        /* Only the tail counts: a name cannot turn "not found" into a file. */
        CHECK_EQ(err("grub-fstest: error: cannot open `(loop0)/a@/x': not a regular file.': file `x': not a regular file.' not found.\n"),
                 -ENOENT);
        CHECK_EQ(err(""), -EIO);
        CHECK_EQ(err("\n\n\n"), -EIO);
}

static char work[] = "/tmp/test-zfs.XXXXXX";

static void test_live(const char *fixture) {
        char cmd[1024], part[256];
        uint8_t buf[4096];
        AgentStat st;
        uint32_t len;

        if (!fixture || access(fixture, R_OK) < 0 || !zfs_available() || !mkdtemp(work)) {
                printf("# live: skipped (no fixture or no " ZFS_GRUB_FSTEST ")\n");
                return;
        }
        /* Partition 1 (1 MiB on) as its own file: what the agent's node of
         * /dev/sda1 shows grub-fstest. */
        snprintf(part, sizeof(part), "%s/part1", work);
        snprintf(cmd, sizeof(cmd), "xz -dc '%s' | dd of=%s bs=1M skip=1 iflag=fullblock conv=sparse status=none", fixture, part);
        CHECK_EQ(system(cmd), 0);

        int fd = open(part, 0);
        CHECK(fd >= 0 && zfs_is_member(fd));
        close(fd);

        /* GRUB's rules: a path without '@' never names a file. */
        CHECK_EQ(zfs_lstat(part, "/boot/xen/pvboot-x86_64.elf", &st), -ENOENT);
        CHECK_EQ(zfs_lstat(part, "/xen/pvboot-x86_64.elf", &st), -ENOENT);
        CHECK_EQ(zfs_lstat(part, "/", &st), 0);
        CHECK_EQ(st.type, AGENT_TYPE_DIRECTORY);
        CHECK_EQ(zfs_lstat(part, "/BOOT", &st), 0);                     /* a dataset */
        CHECK_EQ(st.type, AGENT_TYPE_DIRECTORY);
        CHECK_EQ(zfs_lstat(part, "/BOOT/debian@", &st), 0);
        CHECK_EQ(st.type, AGENT_TYPE_DIRECTORY);
        CHECK_EQ(zfs_lstat(part, "/BOOT/debian@/xen", &st), 0);
        CHECK_EQ(st.type, AGENT_TYPE_DIRECTORY);
        CHECK_EQ(zfs_lstat(part, "/BOOT/debian@/xen/pvboot-x86_64.elf", &st), 0);
        CHECK_EQ(st.type, AGENT_TYPE_REGULAR);
        CHECK(st.size > 4096);
        uint64_t size = st.size;
        CHECK_EQ(zfs_lstat(part, "/BOOT/debian@/xen/nope", &st), -ENOENT);

        CHECK_EQ(zfs_glob(part, "/BOOT/debian@/xen/pvboot-*.elf", buf, sizeof(buf), &len), 0);
        CHECK(len == sizeof("/BOOT/debian@/xen/pvboot-x86_64.elf") &&
              memcmp(buf, "/BOOT/debian@/xen/pvboot-x86_64.elf", len) == 0);
        CHECK_EQ(zfs_glob(part, "/boot/vmlinuz*", buf, sizeof(buf), &len), -ENOENT);

        CHECK_EQ(zfs_pread(part, "/BOOT/debian@/xen/pvboot-x86_64.elf", 0, 64, buf, &len), 0);
        CHECK(len == 64 && memcmp(buf, "\x7f" "ELF\x02", 5) == 0);
        CHECK_EQ(zfs_pread(part, "/BOOT/debian@/xen/pvboot-x86_64.elf", size - 10, 64, buf, &len), 0);
        CHECK_EQ(len, 10u);
        CHECK(zfs_pread(part, "/BOOT/debian@/xen", 0, 64, buf, &len) < 0);
        CHECK(zfs_pread(part, "/boot/xen/pvboot-x86_64.elf", 0, 64, buf, &len) < 0);

        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        (void) system(cmd);
        printf("# live: ok\n");
}

int main(int argc, char **argv) {
        test_listing();
        test_errors();
        test_live(argc > 1 ? argv[1] : NULL);
        return 0;
}
