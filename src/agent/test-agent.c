/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for agent.c: the real agent binary, on the host, over its wire
 * protocol (include/pvboot-agent.h), on a real ext4 made by mkfs.ext4 on
 * a loop device.  The agent runs in a
 * mount namespace of its own with a private /run, so what it mounts and
 * the nodes it makes never reach the host.  Root only (exit 77 else).
 *
 *   test-agent AGENT
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvboot-agent.h"
#include "shared/test-util.h"

static char work[] = "/tmp/test-agent.XXXXXX";
static char loopdev[64];
static int sock = -1;
static pid_t agent = -1;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...) {
        char cmd[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        return system(cmd);
}

static void cleanup(void) {
        if (agent > 0) {
                kill(agent, SIGKILL);
                waitpid(agent, NULL, 0);
        }
        if (loopdev[0])
                sh("losetup -d %s 2>/dev/null", loopdev);
        sh("rm -rf %s", work);
}

static bool io(void *buf, size_t len, bool wr) {
        char *p = buf;
        while (len > 0) {
                ssize_t n = wr ? write(sock, p, len) : read(sock, p, len);
                if (n <= 0)
                        return false;
                p += n;
                len -= (size_t) n;
        }
        return true;
}

/* One request, one reply: the reply's status; its payload in buf. */
static int call(AgentOp op, uint32_t arg, uint64_t offset, const char *path, void *buf, size_t size,
                uint32_t *ret_len) {
        AgentRequest q = { .magic = AGENT_MAGIC_REQUEST, .op = op, .arg = arg, .offset = offset,
                           .len = path ? (uint32_t) strlen(path) : 0 };
        AgentReply a;

        CHECK(io(&q, sizeof(q), true) && (!q.len || io((void *) path, q.len, true)));
        CHECK(io(&a, sizeof(a), false));
        CHECK_EQ(a.magic, AGENT_MAGIC_REPLY);
        CHECK(a.len <= size);
        CHECK(io(buf, a.len, false));
        if (ret_len)
                *ret_len = a.len;
        return a.status;
}

static void start_agent(const char *exe) {
        int sv[2];

        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        agent = fork();
        CHECK(agent >= 0);
        if (agent == 0) {
                char fdarg[32], diskarg[96];
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                /* Its mounts and device nodes stay in here. */
                if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("tmpfs", "/run", "tmpfs", MS_NOSUID, "mode=0755") < 0)
                        _exit(3);
                dup2(sv[1], 3);
                snprintf(fdarg, sizeof(fdarg), "--fd=3");
                snprintf(diskarg, sizeof(diskarg), "--disk=%s", loopdev);
                execl(exe, exe, fdarg, diskarg, (char *) NULL);
                _exit(4);
        }
        close(sv[1]);
        sock = sv[0];
}

int main(int argc, char **argv) {
        static char buf[AGENT_MAX_REPLY];
        uint32_t len;
        FILE *f;

        CHECK(argc == 2);
        if (geteuid() != 0 || sh("command -v mkfs.ext4 losetup >/dev/null") != 0) {
                fprintf(stderr, "SKIP: needs root, mkfs.ext4 and losetup\n");
                return EXIT_TEST_SKIP;
        }
        CHECK(mkdtemp(work));
        atexit(cleanup);

        /* The guest: an ext4 holding a pvboot ELF stand-in,
         * a grub.cfg and a symlink that tries to leave the filesystem. */
        CHECK_EQ(sh("mkdir -p %s/root/boot/xen %s/root/boot/grub && "
                    "seq 1 100000 | head -c 300000 > %s/root/boot/xen/pvboot-x86_64.elf && "
                    "echo 'menuentry x {}' > %s/root/boot/grub/grub.cfg && "
                    "ln -s ../../../../../etc/shadow %s/root/boot/xen/escape && "
                    "truncate -s 64M %s/disk.img && mkfs.ext4 -q -d %s/root %s/disk.img",
                    work, work, work, work, work, work, work, work), 0);
        snprintf(buf, sizeof(buf), "losetup --find --show %s/disk.img", work);
        f = popen(buf, "r");
        CHECK(f);
        if (!fgets(loopdev, sizeof(loopdev), f)) {
                pclose(f);
                fprintf(stderr, "SKIP: no loop device\n");
                return EXIT_TEST_SKIP;
        }
        pclose(f);
        loopdev[strcspn(loopdev, "\n")] = 0;
        start_agent(argv[1]);

        CHECK_EQ(call(AGENT_OP_HELLO, 0, 0, NULL, buf, sizeof(buf), &len), 0);
        CHECK(len > 0 && strncmp(buf, "pvboot-agent", 12) == 0);

        /* The disk, named as the guest's stage 1 sees it.  (A filesystem on
         * the whole disk: partitions on loop devices are not there on every
         * kernel; the appliance's partition scan runs in test-clone.) */
        CHECK_EQ(call(AGENT_OP_ATTACH, 0, 0, NULL, buf, sizeof(buf), &len), 0);
        CHECK(len % sizeof(AgentDevice) == 0 && len > 0);
        int ext4 = -1;
        for (unsigned i = 0; i < len / sizeof(AgentDevice); i++) {
                AgentDevice *d = (AgentDevice *) buf + i;
                CHECK(memchr(d->name, 0, sizeof(d->name)) && memchr(d->fstype, 0, sizeof(d->fstype)));
                if (strcmp(d->fstype, "ext4") == 0) {
                        CHECK_STREQ(d->name, "/dev/sda");
                        CHECK_EQ(d->via, 0);       /* the whole disk: no layer between */
                        CHECK_EQ(d->reserved, 0);
                        ext4 = (int) i;
                }
        }
        CHECK(ext4 >= 0);
        CHECK(call(AGENT_OP_ATTACH, 0, 0, NULL, buf, sizeof(buf), &len) < 0);   /* once only */
        CHECK(call(AGENT_OP_MOUNT, 99, 0, NULL, buf, sizeof(buf), &len) < 0);
        CHECK_EQ(call(AGENT_OP_MOUNT, (uint32_t) ext4, 0, NULL, buf, sizeof(buf), &len), 0);

        AgentStat st;
        CHECK_EQ(call(AGENT_OP_LSTAT, 0, 0, "/boot/xen/pvboot-x86_64.elf", &st, sizeof(st), &len), 0);
        CHECK(len == sizeof(st) && st.type == AGENT_TYPE_REGULAR && st.size == 300000);
        CHECK_EQ(call(AGENT_OP_LSTAT, 0, 0, "/boot/xen/escape", &st, sizeof(st), &len), 0);
        CHECK_EQ(st.type, AGENT_TYPE_SYMLINK);
        CHECK_EQ(call(AGENT_OP_LSTAT, 0, 0, "/boot/xen", &st, sizeof(st), &len), 0);
        CHECK_EQ(st.type, AGENT_TYPE_DIRECTORY);
        CHECK_EQ(call(AGENT_OP_LSTAT, 0, 0, "/nonexistent", buf, sizeof(buf), &len), -ENOENT);

        /* Bytes as they are on the guest's filesystem, bounded. */
        static char want[300000];
        snprintf(buf, sizeof(buf), "%s/root/boot/xen/pvboot-x86_64.elf", work);
        f = fopen(buf, "r");
        CHECK(f && fread(want, 1, sizeof(want), f) == sizeof(want));
        fclose(f);
        CHECK_EQ(call(AGENT_OP_PREAD, 4096, 1000, "/boot/xen/pvboot-x86_64.elf", buf, sizeof(buf), &len), 0);
        CHECK(len == 4096 && memcmp(buf, want + 1000, 4096) == 0);
        CHECK_EQ(call(AGENT_OP_PREAD, 4096, 299000, "/boot/xen/pvboot-x86_64.elf", buf, sizeof(buf), &len), 0);
        CHECK_EQ(len, 1000);    /* short at the end of the file, never past it */
        CHECK(call(AGENT_OP_PREAD, AGENT_MAX_READ + 1, 0, "/boot/xen/pvboot-x86_64.elf", buf, sizeof(buf), &len) < 0);

        /* A link is text, and following one stays inside the guest's
         * filesystem: no host /etc/shadow through it. */
        CHECK_EQ(call(AGENT_OP_READLINK, 0, 0, "/boot/xen/escape", buf, sizeof(buf), &len), 0);
        CHECK(len == strlen("../../../../../etc/shadow") && memcmp(buf, "../../../../../etc/shadow", len) == 0);
        CHECK(call(AGENT_OP_PREAD, 100, 0, "/boot/xen/escape", buf, sizeof(buf), &len) < 0);
        CHECK(call(AGENT_OP_PREAD, 100, 0, "/../../../etc/shadow", buf, sizeof(buf), &len) < 0);

        CHECK_EQ(call(AGENT_OP_GLOB, 0, 0, "/boot/xen/pvboot-*.elf", buf, sizeof(buf), &len), 0);
        CHECK(len == strlen("/boot/xen/pvboot-x86_64.elf") + 1 && strcmp(buf, "/boot/xen/pvboot-x86_64.elf") == 0);

        /* A request it does not know: an error, and it still answers. */
        CHECK(call((AgentOp) 77, 0, 0, NULL, buf, sizeof(buf), &len) < 0);
        CHECK_EQ(call(AGENT_OP_HELLO, 0, 0, NULL, buf, sizeof(buf), &len), 0);
        CHECK_EQ(call(AGENT_OP_UMOUNT, 0, 0, NULL, buf, sizeof(buf), &len), 0);

        /* A malformed request ends the conversation. */
        AgentRequest bad = { .magic = 0x12345678 };
        CHECK(io(&bad, sizeof(bad), true));
        AgentReply a;
        CHECK(!io(&a, sizeof(a), false) || a.status < 0);
        return 0;
}
