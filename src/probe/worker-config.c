/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How both paths configure their workers (worker.h): where the helpers
 * are, the template's configuration, and who a clone runs as.  One
 * statement each, for pvboot-select's cold path and pvboot-selectd.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probe/worker.h"

const char *worker_helper_path(const char *name) {
        static char bufs[2][PATH_MAX];
        static unsigned next;
        char *buf = bufs[next++ % 2];
        ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX - 64);

        if (n > 0 && strlen(name) < 64) {
                char *slash;
                buf[n] = 0;
                slash = strrchr(buf, '/');
                if (slash) {
                        strcpy(slash + 1, name);
                        if (access(buf, R_OK) == 0)
                                return buf;
                }
        }
        snprintf(buf, PATH_MAX, "%s/%s", PVBOOT_HELPER_DIR, name);
        return buf;
}

void worker_template_config(const char *cachedir, int memsize_mb, bool debug, TemplateConfig *ret) {
        static char agent[PATH_MAX], wrapper[PATH_MAX];
        snprintf(agent, sizeof(agent), "%s", worker_helper_path(PVBOOT_AGENT_NAME));
        snprintf(wrapper, sizeof(wrapper), "%s", worker_helper_path(PVBOOT_TEMPLATE_WRAPPER_NAME));
        *ret = (TemplateConfig) {
                .dir = cachedir ? cachedir : PVBOOT_APPLIANCE_CACHE,
                .agent = agent,
                .wrapper = wrapper,
                .memsize_mb = memsize_mb > 0 ? memsize_mb : PVBOOT_APPLIANCE_MEMSIZE_MB,
                .debug = debug,
        };
}

int worker_default_user(uid_t *ret_uid, gid_t *ret_gid) {
        struct passwd *pw = getpwnam(PVBOOT_WORKER_USER);
        if (!pw || pw->pw_uid == 0)
                return -ENOENT;
        *ret_uid = pw->pw_uid;
        *ret_gid = pw->pw_gid;
        return 0;
}

/* May we hand out uids: root, or CAP_SETUID and CAP_SETGID in effect? */
static bool can_setuid(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

        if (geteuid() == 0)
                return true;
        if (syscall(SYS_capget, &h, d) < 0)
                return false;
        return (d[0].effective & (1u << CAP_SETUID)) && (d[0].effective & (1u << CAP_SETGID));
}

int worker_config_new(const WorkerSetup *req, WorkerConfig *wc, char *why, size_t whysz) {
        int r;

        *wc = (WorkerConfig) {
                .format = req->format ? req->format : "raw",
                .template = req->template,
                .tcg_cache_mb = req->tcg_cache_mb,
                .debug = req->debug,
        };
        /* libxl's restrict mode: that uid, and its gid the same number, as
         * pygrub does. */
        if (req->runas_set) {
                wc->runas_set = true;
                wc->runas = req->runas;
                wc->runas_gid = (gid_t) req->runas;
                return WORKER_USER_RUNAS;
        }
        if (req->uids.count > 0 && (req->uids_required || can_setuid())) {
                r = clone_uid_range_check(&req->uids, why, whysz);
                if (r < 0)
                        return r;
                if (!can_setuid()) {
                        snprintf(why, whysz, "clone uids need CAP_SETUID and CAP_SETGID (the shipped unit "
                                 "grants them) or root; or set clone_uid_count = 0");
                        return -EPERM;
                }
                wc->uids = req->uids;
                return WORKER_USER_CLONE_UIDS;
        }
        if (geteuid() != 0)
                return WORKER_USER_SELF;
        if (worker_default_user(&wc->runas, &wc->runas_gid) == 0) {
                wc->runas_set = true;
                return WORKER_USER_SYSTEM;
        }
        return WORKER_USER_ROOT;
}
