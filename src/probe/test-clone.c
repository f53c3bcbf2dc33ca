/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The template and its clones, for real: build the appliance and template
 * with libguestfs into a fresh root-owned directory, restore clones from
 * it, hot-plug a real ext4 disk and ask the agent about it; then damage
 * the template in each way the design must catch (tampered RAM, truncated
 * state, a file owned by someone else, another key) and check it is
 * refused and rebuilt.  Root, libguestfs and mkfs.ext4 needed (77 if not).
 *
 * Usage: test-clone AGENT WRAPPER
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/clone.h"
#include "pvboot-select.h"
#include "probe/template.h"

static int failures;

#define CHECK(cond, ...)                                                        \
        do {                                                                    \
                if (!(cond)) {                                                  \
                        fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);    \
                        fprintf(stderr, __VA_ARGS__);                           \
                        fputc('\n', stderr);                                    \
                        failures++;                                             \
                }                                                               \
        } while (0)

static char dir[64], disk[96];

static void sh(const char *cmd) {
        if (system(cmd) != 0) {
                fprintf(stderr, "FAIL: %s\n", cmd);
                exit(1);
        }
}

/* An MBR disk with one ext4 partition holding /boot/xen/pvboot-x86_64.elf
 * (an ELF header's first bytes are enough for the agent) and a symlink. */
static void make_disk(void) {
        char cmd[1024];
        snprintf(cmd, sizeof(cmd),
                 "set -e; d=%s; mkdir -p $d/root/boot/xen; printf '\\177ELF\\002\\001\\001' >$d/root/boot/xen/pvboot-x86_64.elf; "
                 "ln -s pvboot-x86_64.elf $d/root/boot/xen/link; touch $d/root/boot/vmlinuz-1 $d/root/boot/vmlinuz-2; "
                 "truncate -s 32M %s; printf 'label: dos\\nstart=2048, type=83\\n' | sfdisk -q %s; "
                 "mkfs.ext4 -q -F -E offset=1048576 -d $d/root %s 30M",
                 dir, disk, disk, disk);
        sh(cmd);
}

static Template *open_ok(const TemplateConfig *cfg) {
        Template *t = NULL;
        int r = template_open(cfg, &t);
        CHECK(r == 0, "template_open: %s", strerror(-r));
        return t;
}

static void one_clone(const Template *t) {
        CloneConfig cc = { .template = t, .tcg_cache_mb = 32, .deadline = now_usec() + 60 * 1000000 };
        AgentDevice devs[AGENT_MAX_DEVICES];
        Clone *c = NULL;
        size_t n = 0, len;
        char buf[4096];
        uint64_t t0 = now_usec();
        int r, fd;

        r = clone_start(&cc, &c);
        CHECK(r == 0, "clone_start: %s", clone_last_error(c));
        uint64_t t1 = now_usec();
        fd = open(disk, O_RDONLY | O_CLOEXEC);
        CHECK(fd >= 0, "open disk");
        r = clone_attach(c, &fd, 1, "raw", devs, AGENT_MAX_DEVICES, &n);
        close(fd);
        CHECK(r == 0 && n == 1, "attach: %d, %zu devices: %s", r, n, clone_last_error(c));
        if (r == 0 && n == 1)
                CHECK(strcmp(devs[0].name, "/dev/sda1") == 0 && strcmp(devs[0].fstype, "ext4") == 0 &&
                      devs[0].via == AGENT_VIA_PART_MSDOS,
                      "device %s %s via %#x", devs[0].name, devs[0].fstype, devs[0].via);
        r = clone_call(c, AGENT_OP_MOUNT, 0, 0, NULL, buf, sizeof(buf), &len);
        CHECK(r == 0, "mount: %d", r);
        AgentStat st;
        r = clone_call(c, AGENT_OP_LSTAT, 0, 0, "/boot/xen/pvboot-x86_64.elf", &st, sizeof(st), &len);
        CHECK(r == 0 && len == sizeof(st) && st.type == AGENT_TYPE_REGULAR && st.size == 7, "lstat: %d", r);
        r = clone_call(c, AGENT_OP_LSTAT, 0, 0, "/boot/xen/link", &st, sizeof(st), &len);
        CHECK(r == 0 && st.type == AGENT_TYPE_SYMLINK, "lstat link: %d", r);
        r = clone_call(c, AGENT_OP_LSTAT, 0, 0, "/boot/xen/link/x", &st, sizeof(st), &len);
        CHECK(r < 0, "a path through a symlink is refused: %d", r);
        r = clone_call(c, AGENT_OP_READLINK, 0, 0, "/boot/xen/link", buf, sizeof(buf), &len);
        CHECK(r == 0 && len == 17 && memcmp(buf, "pvboot-x86_64.elf", 17) == 0, "readlink: %d", r);
        r = clone_call(c, AGENT_OP_PREAD, 16, 0, "/boot/xen/pvboot-x86_64.elf", buf, sizeof(buf), &len);
        CHECK(r == 0 && len == 7 && memcmp(buf, "\177ELF", 4) == 0, "pread: %d %zu", r, len);
        r = clone_call(c, AGENT_OP_GLOB, 0, 0, "/boot/vmlinuz*", buf, sizeof(buf), &len);
        CHECK(r == 0 && len == 32 && strcmp(buf, "/boot/vmlinuz-1") == 0 && strcmp(buf + 16, "/boot/vmlinuz-2") == 0,
              "glob: %d %zu", r, len);
        r = clone_call(c, AGENT_OP_LSTAT, 0, 0, "/../../etc/passwd", &st, sizeof(st), &len);
        CHECK(r == -ENOENT, "no way out of the guest's filesystem: %d", r);
        r = clone_call(c, AGENT_OP_UMOUNT, 0, 0, NULL, buf, sizeof(buf), &len);
        CHECK(r == 0, "umount: %d", r);
        printf("clone: restored in %.3f s, attach+inspect %.3f s\n", (double) (t1 - t0) / 1e6,
               (double) (now_usec() - t1) / 1e6);

        /* qemu killed under the agent: the next call fails, bounded. */
        kill(clone_pid(c), SIGKILL);
        r = clone_call(c, AGENT_OP_LSTAT, 0, 0, "/boot", &st, sizeof(st), &len);
        CHECK(r == -EIO, "a dead clone's call: %d", r);
        CHECK(!clone_alive(c), "dead clone reported alive");
        clone_free(c);
}

/* One deadline bounds every step: none, or one already past, starts
 * nothing; a clone that stops answering fails at the deadline it was
 * given later (a pooled clone's request), with the reason, not before. */
static void deadline_clone(const Template *t) {
        CloneConfig cc = { .template = t, .tcg_cache_mb = 32 };
        Clone *c = NULL;
        AgentStat st;
        size_t len;
        int r;

        r = clone_start(&cc, &c);
        CHECK(r == -EINVAL, "no deadline: %d", r);
        clone_free(c);
        c = NULL;
        cc.deadline = now_usec() - 1;
        r = clone_start(&cc, &c);
        CHECK(r == -ETIMEDOUT && strstr(clone_last_error(c), "time"), "a past deadline: %d %s", r,
              clone_last_error(c));
        CHECK(!clone_alive(c), "a clone past its deadline reported alive");
        clone_free(c);
        c = NULL;

        cc.deadline = now_usec() + 60 * 1000000;
        r = clone_start(&cc, &c);
        CHECK(r == 0, "clone_start: %s", clone_last_error(c));
        uint64_t deadline = now_usec() + 1000000;
        clone_set_deadline(c, deadline);
        kill(clone_pid(c), SIGSTOP);
        r = clone_call(c, AGENT_OP_LSTAT, 0, 0, "/boot", &st, sizeof(st), &len);
        CHECK(r == -ETIMEDOUT, "a stopped clone's call: %d", r);
        CHECK(now_usec() >= deadline, "the call gave up before its deadline");
        CHECK(strcmp(clone_last_error(c), "the appliance did not answer in time") == 0, "error: %s",
              clone_last_error(c));
        kill(clone_pid(c), SIGKILL);
        clone_free(c);
}

static void damage(const char *cmd, int expect, const TemplateConfig *cfg) {
        char full[512];
        Template *t = NULL;
        snprintf(full, sizeof(full), "cd %s/cache/template && %s", dir, cmd);
        sh(full);
        int r = template_open(cfg, &t);
        CHECK(r == expect, "after '%s': %d, expected %d", cmd, r, expect);
        template_free(t);
        bool rebuilt = false;
        char err[512];
        r = template_ensure(cfg, &t, &rebuilt, err, sizeof(err));
        CHECK(r == 0 && rebuilt, "after '%s', rebuilt: %d %s", cmd, r, err);
        template_free(t);
}

int main(int argc, char **argv) {
        char err[512];
        if (argc != 3)
                return 2;
        /* The layers an agent may say a device is reached through. */
        CHECK(clone_via_valid(0) && clone_via_valid(AGENT_VIA_PART_GPT | AGENT_VIA_LVM), "plain layers");
        CHECK(clone_via_valid(AGENT_VIA_PART_MSDOS | AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID1 | AGENT_VIA_LVM), "md");
        CHECK(clone_via_valid(AGENT_VIA_MD_090), "md of a level we have no name for");
        CHECK(!clone_via_valid(AGENT_VIA_MD_RAID5), "a level without an array");
        CHECK(!clone_via_valid(UINT32_C(0x80000000)) && !clone_via_valid(AGENT_VIA_PART_GPT | 0x8), "unknown bits");
        if (geteuid() != 0 || access("/usr/bin/qemu-system-x86_64", X_OK) < 0 || access("/sbin/mkfs.ext4", X_OK) < 0) {
                printf("SKIP: needs root, qemu and mkfs.ext4\n");
                return 77;
        }
        snprintf(dir, sizeof(dir), "/var/tmp/pvboot-test-clone.XXXXXX");
        if (!mkdtemp(dir) || chmod(dir, 0755) < 0)
                return 1;
        snprintf(disk, sizeof(disk), "%s/disk.img", dir);
        make_disk();
        char cache[96];
        snprintf(cache, sizeof(cache), "%s/cache", dir);
        TemplateConfig cfg = { .dir = cache, .agent = argv[1], .wrapper = argv[2], .memsize_mb = 512 };

        uint64_t t0 = now_usec();
        /* As systemd runs it (UMask=0077 applies to ExecStartPre=+ too):
         * the result must still be readable by the daemon's user. */
        umask(077);
        int r = template_build(&cfg, err, sizeof(err));
        CHECK(r == 0, "template_build: %s", err);
        if (r < 0)
                return 1;
        CHECK(umask(022) == 077, "template_build did not give the caller's umask back");
        {
                char cmd[256], first[PATH_MAX] = "";
                snprintf(cmd, sizeof(cmd), "find %s/template %s/appliance ! -perm -o+r -print", cache, cache);
                FILE *p = popen(cmd, "r");
                CHECK(p && (!fgets(first, sizeof(first), p) || !first[0]),
                      "not readable by others after a build under umask 077: %s", first);
                if (p)
                        pclose(p);
        }
        printf("template: built in %.1f s\n", (double) (now_usec() - t0) / 1e6);
        t0 = now_usec();
        Template *t = open_ok(&cfg);
        printf("template: opened (verified, RAM in a sealed memfd) in %.3f s\n", (double) (now_usec() - t0) / 1e6);
        if (t) {
                CHECK(fcntl(t->ram_fd, F_GET_SEALS) == (F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL),
                      "RAM memfd not sealed");
                CHECK(pwrite(t->ram_fd, "x", 1, 0) < 0 && errno == EPERM, "sealed RAM is writable");
                one_clone(t);
                one_clone(t);   /* a second clone of the same template */
                deadline_clone(t);
        }
        template_free(t);

        /* Each kind of damage is refused, then repaired by a rebuild. */
        damage("chmod u+w ram && printf 'X' | dd of=ram bs=1 seek=1048576 conv=notrunc status=none", -EBADMSG, &cfg);
        damage("chmod u+w state && truncate -s 1000 state", -EBADMSG, &cfg);
        damage("chown nobody root.qcow2", -EPERM, &cfg);
        damage("chmod u+w meta && sed -i \"s/^key .*/key $(printf 'f%.0s' $(seq 64))/\" meta", -ESTALE, &cfg);
        damage("rm -f argv", -EBADMSG, &cfg);

        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        sh(cmd);
        printf("%s\n", failures ? "FAILED" : "ok");
        return failures ? 1 : 0;
}
