/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe over a real clone of the installed template: bind a real ext4
 * disk, launch, and ask what inspect_disk() asks (filesystems, mount,
 * glob, lstat, readlink, reads), twice: a second clone of the template
 * must give the same answers as the first.  Root, qemu, mkfs.ext4 and a
 * valid template in the appliance cache (this test never builds one: it
 * is shared) are needed; 77 without them.
 *
 * Usage: test-probe-live AGENT WRAPPER
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe.h"
#include "shared/test-util.h"

static char dir[] = "/tmp/test-probe-live.XXXXXX";

/* What one conversation learnt, to compare across clones. */
typedef struct Answers {
        char fss[512];
        char kernels[512];
        GuestStat link_st;
        char link[64];
        char elf[8];
} Answers;

static void join(char **v, char *out, size_t outsz) {
        out[0] = 0;
        for (char **i = v; *i; i++)
                snprintf(out + strlen(out), outsz - strlen(out), "%s;", *i);
}

static bool same(const Answers *a, const Answers *b) {
        return strcmp(a->fss, b->fss) == 0 && strcmp(a->kernels, b->kernels) == 0 &&
               a->link_st.type == b->link_st.type && a->link_st.size == b->link_st.size &&
               strcmp(a->link, b->link) == 0 && memcmp(a->elf, b->elf, sizeof(a->elf)) == 0;
}

static void converse(const Template *t, int disk, Answers *ret) {
        ProbeConfig cfg = { .format = "raw", .template = t, .deadline = now_usec() + 100 * 1000000 };
        Probe *p = NULL;
        char **v = NULL, *target = NULL, *part = NULL;
        GuestFsOps ops;
        GuestStat st;
        ProbeFile f;

        memset(ret, 0, sizeof(*ret));
        CHECK_EQ(probe_new(&cfg, &p), 0);
        CHECK_EQ(probe_bind(p, &(int) { disk }, 1), 0);
        if (probe_launch(p) < 0) {
                fprintf(stderr, "launch: %s\n", probe_last_error(p));
                exit(EXIT_FAILURE);
        }
        CHECK(probe_alive(p));
        CHECK_EQ(probe_list_filesystems(p, &v), 0);
        join(v, ret->fss, sizeof(ret->fss));
        for (char **i = v; *i; i++)
                if (!part && strlen(*i) > strlen("/dev/sda") && strncmp(*i, "/dev/sd", 7) == 0)
                        part = strdup(*i);
        v = probe_strv_free(v);
        CHECK(part);
        CHECK_EQ(probe_mount(p, part), 0);
        free(part);
        CHECK_EQ(probe_glob(p, "/boot/vmlinuz*", &v), 0);
        join(v, ret->kernels, sizeof(ret->kernels));
        v = probe_strv_free(v);
        probe_fs_ops(p, &ops);
        CHECK_EQ(ops.lstat(ops.userdata, "/boot/xen/link", &ret->link_st), 0);
        CHECK_EQ(ops.lstat(ops.userdata, "/boot/xen/none", &st), -ENOENT);
        CHECK_EQ(ops.readlink(ops.userdata, "/boot/xen/link", &target), 0);
        snprintf(ret->link, sizeof(ret->link), "%s", target);
        free(target);
        probe_file_init(&f, p, "/boot/xen/pvboot-x86_64.elf", 7);
        CHECK_EQ(f.source.read(f.source.userdata, 0, ret->elf, 7), 0);
        CHECK_EQ(f.source.read(f.source.userdata, 4, ret->elf, 7), -EBADMSG);  /* past the end: short */
        CHECK_EQ(probe_umount(p), 0);
        CHECK(probe_stage_usec(p, STAGE_LAUNCH) > 0);
        probe_free(p);
}

int main(int argc, char **argv) {
        TemplateConfig tc;
        Template *t = NULL;
        Answers live, again;
        char disk_path[96], cmd[1024];
        int disk, r;

        if (argc != 3)
                return EXIT_FAILURE;
        if (geteuid() != 0 || access("/sbin/mkfs.ext4", X_OK) < 0 || access("/sbin/sfdisk", X_OK) < 0) {
                fprintf(stderr, "needs root, mkfs.ext4 and sfdisk\n");
                return EXIT_TEST_SKIP;
        }
        tc = (TemplateConfig) { .dir = PVBOOT_APPLIANCE_CACHE, .agent = argv[1], .wrapper = argv[2],
                                .memsize_mb = PVBOOT_APPLIANCE_MEMSIZE_MB };
        r = template_open(&tc, &t);
        if (r < 0) {
                fprintf(stderr, "no usable template in %s (%s): run pvboot-select once as root\n", tc.dir, strerror(-r));
                return EXIT_TEST_SKIP;
        }

        CHECK(mkdtemp(dir));
        snprintf(disk_path, sizeof(disk_path), "%s/disk.img", dir);
        snprintf(cmd, sizeof(cmd),
                 "set -e; d=%s; mkdir -p $d/root/boot/xen; printf '\\177ELF\\002\\001\\001' >$d/root/boot/xen/pvboot-x86_64.elf; "
                 "ln -s pvboot-x86_64.elf $d/root/boot/xen/link; touch $d/root/boot/vmlinuz-1 $d/root/boot/vmlinuz-2; "
                 "truncate -s 32M %s; printf 'label: dos\\nstart=2048, type=83\\n' | sfdisk -q %s; "
                 "mkfs.ext4 -q -F -E offset=1048576 -d $d/root %s 30M",
                 dir, disk_path, disk_path, disk_path);
        CHECK(system(cmd) == 0);
        disk = open(disk_path, O_RDONLY | O_CLOEXEC);
        CHECK(disk >= 0);

        converse(t, disk, &live);
        CHECK(strstr(live.kernels, "/boot/vmlinuz-1;"));
        CHECK(strstr(live.kernels, "/boot/vmlinuz-2;"));
        CHECK_EQ(live.link_st.type, GUEST_FILE_SYMLINK);
        CHECK_STREQ(live.link, "pvboot-x86_64.elf");
        CHECK(memcmp(live.elf, "\177ELF\002\001\001", 7) == 0);

        converse(t, disk, &again);
        CHECK(same(&live, &again));

        close(disk);
        template_free(t);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0);
        return 0;
}
