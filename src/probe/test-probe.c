/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The probe without an appliance: what probe.c refuses or decides on its
 * own before any question reaches a clone (configuration, the one bind,
 * the mount state, the read budgets), and that it keeps and releases the
 * disk descriptor it is given.  With a clone: test-probe-live.c; the
 * agent's lies: test-agent-client.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "probe/probe.h"
#include "shared/test-util.h"

/* Never used to start a clone here: probe_new only needs one to exist. */
static const Template fake_template = { .ram_fd = -1, .state_fd = -1 };

static ProbeConfig config(void) {
        return (ProbeConfig) { .format = "raw", .template = &fake_template, .deadline = 1 };
}

static void test_new(void) {
        ProbeConfig cfg = config();
        Probe *p = NULL;

        CHECK_EQ(probe_new(NULL, &p), -EINVAL);
        cfg.format = NULL;
        CHECK_EQ(probe_new(&cfg, &p), -EINVAL);
        cfg = config();
        cfg.template = NULL;
        CHECK_EQ(probe_new(&cfg, &p), -EINVAL);
        CHECK(!p);

        cfg = config();
        CHECK_EQ(probe_new(&cfg, &p), 0);
        CHECK_STREQ(probe_last_error(p), "");
        CHECK_STREQ(probe_last_error(NULL), "");
        CHECK(!probe_alive(p));         /* no clone yet */
        CHECK_EQ(probe_stage_usec(p, STAGE_LAUNCH), 0);
        CHECK_EQ(probe_stage_usec(p, _STAGE_MAX), 0);
        CHECK(!probe_free(p));
        CHECK(!probe_free(NULL));
}

static void test_bind(void) {
        ProbeConfig cfg = config();
        Probe *p = NULL;
        char **fss = NULL;
        unsigned before = test_count_fds();
        int disk = open("/dev/null", O_RDONLY | O_CLOEXEC);

        CHECK(disk >= 0);
        CHECK_EQ(probe_new(&cfg, &p), 0);
        CHECK_EQ(probe_bind(p, &(int) { -1 }, 1), -EINVAL);
        /* Cold: bound before the launch, the probe keeps its own copy. */
        CHECK_EQ(probe_bind(p, &(int) { disk }, 1), 0);
        CHECK_EQ(test_count_fds(), before + 2);
        close(disk);
        CHECK_EQ(test_count_fds(), before + 1);
        /* Once only. */
        disk = open("/dev/null", O_RDONLY | O_CLOEXEC);
        CHECK_EQ(probe_bind(p, &(int) { disk }, 1), -EINVAL);
        close(disk);
        /* Not attached to any clone: nothing to list, and no pretending. */
        CHECK_EQ(probe_list_filesystems(p, &fss), -EINVAL);
        CHECK(!fss);
        CHECK(!probe_free(p));
        CHECK_EQ(test_count_fds(), before);

        /* A descriptor that cannot be kept: the error says so, and the
         * one bind is spent. */
        CHECK_EQ(probe_new(&cfg, &p), 0);
        CHECK_EQ(probe_bind(p, &(int) { 999 }, 1), -EBADF);
        CHECK(strstr(probe_last_error(p), "cannot keep the disk"));
        CHECK_EQ(probe_bind(p, &(int) { STDIN_FILENO }, 1), -EINVAL);
        probe_free(p);
        CHECK_EQ(test_count_fds(), before);
}

static void test_mount_state(void) {
        ProbeConfig cfg = config();
        Probe *p = NULL;

        CHECK_EQ(probe_new(&cfg, &p), 0);
        /* A device the agent never listed is not asked about. */
        CHECK_EQ(probe_mount(p, "/dev/sda1"), -EIO);
        /* Nothing mounted, so nothing to unmount and nothing to ask. */
        CHECK_EQ(probe_umount(p), 0);
        probe_free(p);
}

/* The budgets are checked before any question is asked (there is no
 * clone here to ask). */
static void test_read_budget(void) {
        ProbeConfig cfg = config();
        Probe *p = NULL;
        ProbeFile f;
        char b;

        CHECK_EQ(probe_new(&cfg, &p), 0);
        probe_file_init(&f, p, "/boot/xen/pvboot-x86_64.elf", 1u << 30);
        CHECK(f.probe == p);
        CHECK_EQ(f.source.size, 1u << 30);
        CHECK_EQ(f.source.read(f.source.userdata, 0, &b, (size_t) PVBOOT_MAX_READ_TOTAL + 1), -E2BIG);
        CHECK_EQ(f.read, 0);    /* a refused read spends nothing */
        probe_free(p);
}

int main(void) {
        test_new();
        test_bind();
        test_mount_state();
        test_read_budget();
        return 0;
}
