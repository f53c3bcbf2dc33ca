/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who runs a clone (worker_config_new), for every rule of worker.h: as
 * root, and in forked children that gave root up (with and without
 * CAP_SETUID/CAP_SETGID).  The system user's presence and absence are
 * real password databases: a private mount namespace with its own
 * /etc/passwd bound over the host's.  Also where the helpers are found
 * and the template's configuration.  Root needed for most (77 if not).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "probe/worker.h"
#include "shared/test-util.h"

/* A range nobody's password entry falls in (checked by the code itself). */
#define GOOD_RANGE ((CloneUidRange) { 1u << 24, 256 })

/* Run fn in a child; its exit status (or 128 + signal). */
static int in_child(int (*fn)(void)) {
        pid_t pid = fork();
        int st;

        CHECK(pid >= 0);
        if (pid == 0)
                _exit(fn());
        CHECK_EQ(waitpid(pid, &st, 0), pid);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Give root up for uid 65534, keeping CAP_SETUID and CAP_SETGID in
 * effect or not. */
static int become_nobody(bool keep_setuid) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };

        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
            setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                return -errno;
        if (keep_setuid)
                d[0].permitted = d[0].effective = (1u << CAP_SETUID) | (1u << CAP_SETGID);
        if (syscall(SYS_capset, &h, d) < 0)
                return -errno;
        return geteuid() == 65534 ? 0 : -EPERM;
}

static void test_runas(void) {
        WorkerConfig wc = { .uids = GOOD_RANGE };
        WorkerSetup req = { .runas_set = true, .runas = 131080, .uids = GOOD_RANGE, .uids_required = true };
        char why[256] = "";

        /* libxl's restrict uid wins over everything, gid the same number. */
        CHECK_EQ(worker_config_new(&req, &wc, why, sizeof(why)), WORKER_USER_RUNAS);
        CHECK(wc.runas_set);
        CHECK_EQ(wc.runas, 131080);
        CHECK_EQ(wc.runas_gid, 131080);
        CHECK_EQ(wc.uids.count, 0);
}

static void test_clone_uids_as_root(void) {
        WorkerConfig wc = { .runas_set = true, .runas = 7 };
        WorkerSetup req = { .uids = GOOD_RANGE };
        char why[256] = "";

        CHECK_EQ(worker_config_new(&req, &wc, why, sizeof(why)), WORKER_USER_CLONE_UIDS);
        CHECK(!wc.runas_set);   /* each worker reserves its own at spawn */
        CHECK_EQ(wc.uids.base, GOOD_RANGE.base);
        CHECK_EQ(wc.uids.count, GOOD_RANGE.count);

        /* A bad range is an error with its reason, not a fallback. */
        req.uids = (CloneUidRange) { 1u << 24, 3 };
        CHECK_EQ(worker_config_new(&req, &wc, why, sizeof(why)), -EINVAL);
        CHECK(strstr(why, "power of two"));
        CHECK_EQ(wc.uids.count, 0);
        req.uids = (CloneUidRange) { 1000, 2 };       /* below 65536 */
        why[0] = 0;
        CHECK_EQ(worker_config_new(&req, &wc, why, sizeof(why)), -EINVAL);
        CHECK(why[0]);
}

/* Root, no clone uids: our system user, or root itself without one.  In
 * a namespace whose /etc/passwd has or lacks that user. */
static int with_passwd(const char *content) {
        char path[] = "/tmp/test-worker-config.XXXXXX";
        int fd = mkstemp(path);

        if (fd < 0 || write(fd, content, strlen(content)) != (ssize_t) strlen(content))
                return 90;
        close(fd);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
            mount(path, "/etc/passwd", NULL, MS_BIND, NULL) < 0) {
                unlink(path);
                return 91;
        }
        unlink(path);   /* the bind mount keeps it */
        return 0;
}

static int system_user_present(void) {
        WorkerConfig wc = { 0 };
        WorkerSetup req = { 0 };
        char why[256];
        int r = with_passwd("root:x:0:0:root:/root:/bin/sh\n" PVBOOT_WORKER_USER ":x:4242:4343::/:/bin/false\n");

        if (r)
                return r;
        if (worker_config_new(&req, &wc, why, sizeof(why)) != WORKER_USER_SYSTEM)
                return 1;
        if (!wc.runas_set || wc.runas != 4242 || wc.runas_gid != 4343)
                return 2;
        return 0;
}

static int system_user_absent(void) {
        WorkerConfig wc = { 0 };
        WorkerSetup req = { 0 };
        uid_t u;
        gid_t g;
        char why[256];
        int r = with_passwd("root:x:0:0:root:/root:/bin/sh\n");

        if (r)
                return r;
        if (worker_default_user(&u, &g) != -ENOENT)
                return 1;
        if (worker_config_new(&req, &wc, why, sizeof(why)) != WORKER_USER_ROOT || wc.runas_set)
                return 2;
        return 0;
}

static int system_user_is_root(void) {
        uid_t u;
        gid_t g;
        int r = with_passwd("root:x:0:0:root:/root:/bin/sh\n" PVBOOT_WORKER_USER ":x:0:0::/:/bin/false\n");

        if (r)
                return r;
        /* A "system user" that is root is none. */
        return worker_default_user(&u, &g) == -ENOENT ? 0 : 1;
}

/* Not root and no capabilities: clone uids are impossible; asked for,
 * that is an error; merely offered, the worker runs as we do. */
static int without_caps(void) {
        WorkerConfig wc = { 0 };
        WorkerSetup req = { .uids = GOOD_RANGE, .uids_required = true };
        char why[256] = "";

        if (become_nobody(false) < 0)
                return 90;
        if (worker_config_new(&req, &wc, why, sizeof(why)) != -EPERM || !strstr(why, "CAP_SETUID"))
                return 1;
        if (wc.uids.count != 0)
                return 2;
        /* A bad range is still refused as such first. */
        req.uids = (CloneUidRange) { 1u << 24, 3 };
        if (worker_config_new(&req, &wc, why, sizeof(why)) != -EINVAL)
                return 3;
        req = (WorkerSetup) { .uids = GOOD_RANGE };
        if (worker_config_new(&req, &wc, why, sizeof(why)) != WORKER_USER_SELF || wc.runas_set || wc.uids.count)
                return 4;
        req = (WorkerSetup) { 0 };
        if (worker_config_new(&req, &wc, why, sizeof(why)) != WORKER_USER_SELF)
                return 5;
        return 0;
}

/* Not root but with CAP_SETUID and CAP_SETGID (the shipped unit). */
static int with_caps(void) {
        WorkerConfig wc = { 0 };
        WorkerSetup req = { .uids = GOOD_RANGE };
        char why[256] = "";

        if (become_nobody(true) < 0)
                return 90;
        if (worker_config_new(&req, &wc, why, sizeof(why)) != WORKER_USER_CLONE_UIDS)
                return 1;
        if (wc.uids.base != GOOD_RANGE.base || wc.uids.count != GOOD_RANGE.count)
                return 2;
        return 0;
}

static void test_helper_path(void) {
        char self[PATH_MAX], *slash;
        const char *a, *b;
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

        CHECK(n > 0);
        self[n] = 0;
        slash = strrchr(self, '/');
        CHECK(slash);
        /* Beside the running binary when it is there ... */
        a = worker_helper_path(slash + 1);
        CHECK_STREQ(a, self);
        /* ... else installed; and two results are held at once. */
        b = worker_helper_path("no-such-helper");
        CHECK_STREQ(b, PVBOOT_HELPER_DIR "/no-such-helper");
        CHECK_STREQ(a, self);
}

static void test_template_config(void) {
        TemplateConfig tc;

        worker_template_config(NULL, 0, false, &tc);
        CHECK_STREQ(tc.dir, PVBOOT_APPLIANCE_CACHE);
        CHECK_EQ(tc.memsize_mb, PVBOOT_APPLIANCE_MEMSIZE_MB);
        CHECK(!tc.debug);
        CHECK(strstr(tc.agent, "/" PVBOOT_AGENT_NAME));
        CHECK(strstr(tc.wrapper, "/" PVBOOT_TEMPLATE_WRAPPER_NAME));
        worker_template_config("/somewhere", 700, true, &tc);
        CHECK_STREQ(tc.dir, "/somewhere");
        CHECK_EQ(tc.memsize_mb, 700);
        CHECK(tc.debug);
}

int main(void) {
        test_helper_path();
        test_template_config();
        test_runas();
        if (geteuid() != 0) {
                fprintf(stderr, "the rest needs root\n");
                return EXIT_TEST_SKIP;
        }
        test_clone_uids_as_root();
        CHECK_EQ(in_child(system_user_present), 0);
        CHECK_EQ(in_child(system_user_absent), 0);
        CHECK_EQ(in_child(system_user_is_root), 0);
        CHECK_EQ(in_child(without_caps), 0);
        CHECK_EQ(in_child(with_caps), 0);
        return 0;
}
