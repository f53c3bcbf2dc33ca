/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * probe.c and inspect_disk() answered by the e2e seam's replay backend
 * (probe-replay.c) from transcripts written here: every answer goes
 * through the same checks as a live one, so a short read, an oversized
 * list, a NUL in a link target or a call the transcript does not hold
 * must each be refused, and a transcript of another disk never used.
 * e2e builds only (-De2e_replay=true).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/inspect.h"
#include "pvboot-agent.h"
#include "probe/probe.h"
#include "probe/transcript.h"
#include "shared/test-util.h"

static char dir[] = "/tmp/test-probe-replay.XXXXXX";
static int disk;

static int mkfile(const char *name, const void *data, size_t len) {
        return test_mkfile(dir, name, data, len);
}

#define PUT(t, call, ...)                                                        \
        do {                                                                     \
                const TxField _f[] = { __VA_ARGS__ };                            \
                CHECK_EQ(transcript_put(t, call, _f, sizeof(_f) / sizeof(_f[0])), 0); \
        } while (0)

static Transcript *start(const char *name, int *ret_fd) {
        Transcript *t = NULL;
        *ret_fd = mkfile(name, "", 0);
        CHECK_EQ(transcript_record(*ret_fd, disk, &t), 0);
        PUT(t, "disks", TX_INT(1), TX_INT(0));  /* what binding one disk records */
        return t;
}

static Probe *replaying(int tx) {
        ProbeConfig cfg = { .format = "raw", .record_fd = -1, .replay_fd = tx };
        Probe *p = NULL;

        CHECK_EQ(probe_new(&cfg, &p), 0);
        CHECK_EQ(probe_bind(p, &(int) { disk }, 1), 0);
        return p;
}

static int read_file(Probe *p, const char *path, uint64_t size, uint64_t offset, void *buf, size_t len) {
        ProbeFile f;
        probe_file_init(&f, p, path, size);
        return f.source.read(f.source.userdata, offset, buf, len);
}

static void test_conversation(void) {
        static char big[AGENT_MAX_READ + 10], got[AGENT_MAX_READ + 10];
        char **v = NULL, *link = NULL, buf[8];
        GuestFsOps ops;
        GuestStat st;
        int fd;
        Transcript *t = start("conversation", &fd);
        Probe *p;

        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (char) (i * 7);
        PUT(t, "launch", TX_INT(0));
        PUT(t, "filesystems", TX_INT(0), TX_INT(2), TX_STR("ext4 0 0 0 1 /dev/sda1"), TX_STR("btrfs 0 0 5 6 /dev/sda2"));
        PUT(t, "mount", TX_STR("/dev/sda1"), TX_INT(-EIO));
        PUT(t, "mount", TX_STR("/dev/sda2"), TX_INT(0));
        PUT(t, "glob", TX_STR("/boot/vmlinuz*"), TX_INT(0), TX_INT(1), TX_STR("/boot/vmlinuz-6.1"));
        PUT(t, "lstat", TX_STR("/boot"), TX_INT(0), TX_INT(GUEST_FILE_DIRECTORY), TX_INT(4096));
        PUT(t, "lstat", TX_STR("/nope"), TX_INT(-ENOENT), TX_INT(0), TX_INT(0));
        PUT(t, "readlink", TX_STR("/vmlinuz"), TX_INT(0), TX_STR("boot/vmlinuz-6.1"));
        /* A read over one chunk is asked for in chunks. */
        PUT(t, "pread", TX_STR("/f"), TX_INT(0), TX_INT(AGENT_MAX_READ), TX_INT(0), TX_BYTES(big, AGENT_MAX_READ));
        PUT(t, "pread", TX_STR("/f"), TX_INT(AGENT_MAX_READ), TX_INT(10), TX_INT(0),
            TX_BYTES(big + AGENT_MAX_READ, 10));
        /* Less than asked: a short file or a lie, refused either way. */
        PUT(t, "pread", TX_STR("/g"), TX_INT(0), TX_INT(8), TX_INT(0), TX_BYTES("abc", 3));
        /* More than asked. */
        PUT(t, "pread", TX_STR("/g"), TX_INT(0), TX_INT(2), TX_INT(0), TX_BYTES("abc", 3));
        PUT(t, "pread", TX_STR("/h"), TX_INT(0), TX_INT(4), TX_INT(-EIO), TX_BYTES("", 0));
        PUT(t, "umount", TX_INT(0));
        transcript_free(t);

        p = replaying(fd);
        CHECK(probe_alive(p));
        CHECK_EQ(probe_launch(p), 0);
        CHECK_EQ(probe_list_filesystems(p, &v), 0);
        CHECK_STREQ(v[0], "/dev/sda1");
        CHECK_STREQ(v[1], "/dev/sda2");
        CHECK(!v[2]);
        v = probe_strv_free(v);
        /* What the agent said of each comes back too. */
        CHECK_STREQ(probe_filesystem(p, "/dev/sda2")->fstype, "btrfs");
        CHECK_EQ(probe_filesystem(p, "/dev/sda2")->subvol, 5u);
        CHECK_EQ(probe_filesystem(p, "/dev/sda2")->via, AGENT_VIA_PART_GPT | AGENT_VIA_LVM);
        CHECK(!probe_filesystem(p, "/dev/sda3"));
        CHECK_EQ(probe_mount(p, "/dev/sda1"), -EIO);
        CHECK_EQ(probe_umount(p), 0);   /* not mounted: nothing asked */
        CHECK_EQ(probe_mount(p, "/dev/sda2"), 0);
        CHECK_EQ(probe_mount(p, "/dev/sda1"), -EBUSY);  /* one at a time, nothing asked */
        CHECK_EQ(probe_glob(p, "/boot/vmlinuz*", &v), 0);
        CHECK_STREQ(v[0], "/boot/vmlinuz-6.1");
        CHECK(!v[1]);
        v = probe_strv_free(v);
        probe_fs_ops(p, &ops);
        CHECK_EQ(ops.lstat(ops.userdata, "/boot", &st), 0);
        CHECK_EQ(st.type, GUEST_FILE_DIRECTORY);
        CHECK_EQ(st.size, 4096);
        CHECK_EQ(ops.lstat(ops.userdata, "/nope", &st), -ENOENT);
        CHECK_EQ(ops.readlink(ops.userdata, "/vmlinuz", &link), 0);
        CHECK_STREQ(link, "boot/vmlinuz-6.1");
        free(link);
        CHECK_EQ(read_file(p, "/f", sizeof(big), 0, got, sizeof(got)), 0);
        CHECK(memcmp(got, big, sizeof(big)) == 0);
        CHECK_EQ(read_file(p, "/g", 8, 0, buf, 8), -EBADMSG);
        CHECK_EQ(read_file(p, "/g", 8, 0, buf, 2), -EBADMSG);
        CHECK_EQ(read_file(p, "/h", 8, 0, buf, 4), -EIO);
        CHECK_EQ(probe_umount(p), 0);
        /* Past the end of what was recorded. */
        CHECK_EQ(probe_mount(p, "/dev/sda2"), -EBADMSG);
        CHECK(strstr(probe_last_error(p), "does not match"));
        probe_free(p);
        close(fd);
}

/* Answers that are not what a live call could return are refused. */
static void test_lies(void) {
        char **v = (char **) 1, *link = NULL;
        GuestFsOps ops;
        GuestStat st;
        int fd;
        Transcript *t = start("lies", &fd);
        Probe *p;
        TxField many[TRANSCRIPT_MAX_FIELDS];
        size_t n = 0;

        PUT(t, "launch", TX_INT(0));
        many[n++] = TX_STR("/*");
        many[n++] = TX_INT(0);
        many[n++] = TX_INT(PROBE_MAX_GLOB + 1);
        while (n < PROBE_MAX_GLOB + 4)
                many[n++] = TX_STR("/x");
        CHECK_EQ(transcript_put(t, "glob", many, n), 0);
        PUT(t, "glob", TX_STR("/y*"), TX_INT(0), TX_INT(2), TX_STR("/y1"));     /* count and names differ */
        PUT(t, "lstat", TX_STR("/a"), TX_INT(0), TX_INT(GUEST_FILE_OTHER + 1), TX_INT(0));
        PUT(t, "lstat", TX_STR("/b"), TX_INT(0), TX_INT(GUEST_FILE_REGULAR), TX_INT(-1));
        PUT(t, "readlink", TX_STR("/l"), TX_INT(0), TX_BYTES("a\0b", 3));
        PUT(t, "filesystems", TX_INT(0), TX_INT(1), TX_STR("ext4 0 0 0 1024 /dev/sda"));  /* md level, no array */
        PUT(t, "filesystems", TX_INT(1), TX_INT(0));    /* a positive status is no errno */
        transcript_free(t);

        p = replaying(fd);
        probe_fs_ops(p, &ops);
        CHECK_EQ(probe_launch(p), 0);
        CHECK_EQ(probe_glob(p, "/*", &v), -EBADMSG);
        CHECK_EQ(probe_glob(p, "/y*", &v), -EBADMSG);
        CHECK(v == (char **) 1);        /* untouched */
        CHECK_EQ(ops.lstat(ops.userdata, "/a", &st), -EBADMSG);
        CHECK_EQ(ops.lstat(ops.userdata, "/b", &st), -EBADMSG);
        CHECK_EQ(ops.readlink(ops.userdata, "/l", &link), -EBADMSG);
        free(link);
        CHECK_EQ(probe_list_filesystems(p, &v), -EBADMSG);
        CHECK_EQ(probe_list_filesystems(p, &v), -EBADMSG);
        probe_free(p);
        close(fd);
}

static void test_launch_failure(void) {
        int fd;
        Transcript *t = start("launch-failure", &fd);
        Probe *p;

        PUT(t, "launch", TX_INT(-ETIMEDOUT));
        transcript_free(t);
        p = replaying(fd);
        CHECK_EQ(probe_launch(p), -ETIMEDOUT);
        CHECK_STREQ(probe_last_error(p), "replay: recorded launch failure");
        probe_free(p);
        close(fd);
}

static void test_wrong_transcript(void) {
        ProbeConfig cfg = { .format = "raw", .record_fd = -1 };
        Probe *p = NULL;
        int fd, other;
        Transcript *t = start("for-disk", &fd);

        PUT(t, "launch", TX_INT(0));
        transcript_free(t);
        other = mkfile("other-disk", "0123456780", 10);
        cfg.replay_fd = fd;
        CHECK_EQ(probe_new(&cfg, &p), 0);
        /* Launched before any disk is bound: there is no transcript yet. */
        CHECK_EQ(probe_launch(p), -EBADMSG);
        CHECK_EQ(probe_bind(p, &(int) { other }, 1), -ESTALE);
        CHECK(strstr(probe_last_error(p), "recorded from another disk"));
        probe_free(p);

        cfg.replay_fd = other;  /* not a transcript at all */
        CHECK_EQ(probe_new(&cfg, &p), 0);
        CHECK_EQ(probe_bind(p, &(int) { disk }, 1), -EBADMSG);
        CHECK_STREQ(probe_last_error(p), "replay: not a valid transcript");
        probe_free(p);
        close(other);
        close(fd);
}

/* The budgets count what was asked, answered or not: a guest cannot get
 * a second try by making a read fail. */
static void test_budgets(void) {
        static char buf[PVBOOT_MAX_READ_TOTAL];
        int fd;
        Transcript *t = start("budgets", &fd);
        Probe *p;
        ProbeFile f[5];

        PUT(t, "launch", TX_INT(0));
        transcript_free(t);
        p = replaying(fd);
        CHECK_EQ(probe_launch(p), 0);
        probe_file_init(&f[0], p, "/a", 1u << 30);
        CHECK_EQ(f[0].source.read(f[0].source.userdata, 0, buf, 3u << 20), -EBADMSG);       /* not recorded */
        CHECK_EQ(f[0].source.read(f[0].source.userdata, 0, buf, 2u << 20), -E2BIG);         /* 5 MiB > 4 */
        CHECK_EQ(f[0].source.read(f[0].source.userdata, 0, buf, 1u << 20), -EBADMSG);       /* 4 MiB: allowed */
        for (unsigned i = 1; i < 4; i++) {
                probe_file_init(&f[i], p, "/b", 1u << 30);
                CHECK_EQ(f[i].source.read(f[i].source.userdata, 0, buf, PVBOOT_MAX_READ_TOTAL), -EBADMSG);
        }
        /* 16 MiB asked in this inspection: not one byte more. */
        probe_file_init(&f[4], p, "/c", 1);
        CHECK_EQ(f[4].source.read(f[4].source.userdata, 0, buf, 1), -E2BIG);
        probe_free(p);
        close(fd);
}

/* inspect_disk over replayed answers: no filesystem, and one that does
 * not mount (as GRUB could not read it either). */
static void test_inspect(void) {
        static Inspection in;
        static Policy policy;
        int fd;
        Transcript *t = start("inspect", &fd);
        Probe *p;

        PUT(t, "launch", TX_INT(0));
        PUT(t, "filesystems", TX_INT(0), TX_INT(1), TX_STR("ext4 0 0 0 0 /dev/sda"));
        PUT(t, "mount", TX_STR("/dev/sda"), TX_INT(-EIO));
        transcript_free(t);
        p = replaying(fd);
        policy_init(&policy);
        CHECK_EQ(probe_launch(p), 0);
        CHECK_EQ(inspect_disk(p, &policy, &in), 0);
        CHECK_EQ(in.n_filesystems, 1);
        CHECK_EQ(in.n_candidates, 0);
        CHECK_EQ(in.n_kernels, 0);
        CHECK_EQ(in.n_configs, 0);
        probe_free(p);
        close(fd);

        t = start("inspect-fail", &fd);
        PUT(t, "launch", TX_INT(0));
        PUT(t, "filesystems", TX_INT(-EIO), TX_INT(0));
        transcript_free(t);
        p = replaying(fd);
        CHECK_EQ(probe_launch(p), 0);
        CHECK_EQ(inspect_disk(p, &policy, &in), -EIO);
        CHECK(strstr(in.error, "cannot list filesystems"));
        probe_free(p);
        close(fd);
}

int main(void) {
        CHECK(mkdtemp(dir));
        disk = mkfile("disk", "0123456789", 10);
        test_conversation();
        test_lies();
        test_launch_failure();
        test_wrong_transcript();
        test_budgets();
        test_inspect();
        close(disk);
        {
                char cmd[64];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
                CHECK(system(cmd) == 0);
        }
        return 0;
}
