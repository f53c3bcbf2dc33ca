/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* xen_caps: parse, and read from libxenlight or sysfs (see host-caps.h). */
#include <errno.h>
#include <fcntl.h>
#include <libxl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "selector/host-caps.h"
#include "shared/macro.h"

int host_caps_parse(const char *s, const char *source, HostCaps *ret) {
        HostCaps c = { .known = true, .source = source };
        size_t n = strlen(s);
        const char *p = s;

        while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
                n--;
        if (n == 0 || n >= sizeof(c.text))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] >= 0x7f)
                        return -EINVAL;
        memcpy(c.text, s, n);
        c.text[n] = 0;

        for (p = c.text; *p;) {
                size_t l;
                while (*p == ' ')
                        p++;
                l = strcspn(p, " ");
                if (l == strlen("xen-3.0-x86_64") && strncmp(p, "xen-3.0-x86_64", l) == 0)
                        c.pv64 = true;
                else if (l == strlen("xen-3.0-x86_32p") && strncmp(p, "xen-3.0-x86_32p", l) == 0)
                        c.pv32 = true;
                else if (l > 8 && strncmp(p, "hvm-3.0-", 8) == 0)
                        c.hvm = true;
                p += l;
        }
        *ret = c;
        return 0;
}

bool host_caps_allow(const HostCaps *h, bool hvm_container, PvArch arch) {
        if (!h->known)
                return true;
        if (hvm_container)
                return h->hvm;
        return arch == PV_ARCH_I386 ? h->pv32 : arch == PV_ARCH_X86_64 ? h->pv64 : false;
}

static int read_libxl(HostCaps *ret) {
        libxl_ctx *ctx = NULL;
        const libxl_version_info *vi;
        xentoollog_logger_stdiostream *lg;
        int r = -ENXIO;

        /* libxl logs through xtl; keep it quiet, we say what failed. */
        lg = xtl_createlogger_stdiostream(stderr, XTL_CRITICAL + 1, 0);
        if (!lg)
                return -ENOMEM;
        if (libxl_ctx_alloc(&ctx, LIBXL_VERSION, 0, (xentoollog_logger *) lg) == 0) {
                vi = libxl_get_version_info(ctx);
                if (vi && vi->capabilities)
                        r = host_caps_parse(vi->capabilities, "libxenlight", ret);
                libxl_ctx_free(ctx);
        }
        xtl_logger_destroy((xentoollog_logger *) lg);
        return r;
}

static int read_sysfs(HostCaps *ret) {
        char buf[HOST_CAPS_MAX];
        ssize_t n;
        _cleanup_close_ int fd = open("/sys/hypervisor/properties/capabilities", O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return -ENXIO;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -ENXIO;
        buf[n] = 0;
        return host_caps_parse(buf, "sysfs", ret);
}

int host_caps_read(HostCaps *ret) {
        *ret = (HostCaps) { .known = false };
        /* libxl needs /dev/xen/privcmd; skip it cleanly where there is none. */
        if (access("/proc/xen/capabilities", F_OK) == 0 && read_libxl(ret) == 0)
                return 0;
        if (read_sysfs(ret) == 0)
                return 0;
        *ret = (HostCaps) { .known = false };
        return -ENXIO;
}
