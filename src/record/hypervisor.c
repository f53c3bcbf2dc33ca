/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hypervisor's domain list (see hypervisor.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xenctrl.h>

#include "record/hypervisor.h"
#include "shared/macro.h"

struct Hypervisor {
        xc_interface *xc;
};

_Static_assert(sizeof(xen_domain_handle_t) == DOMAIN_HANDLE_SIZE, "a domain handle is a 16-byte uuid");

/* libxenctrl logs to stderr unless told otherwise; our callers say what
 * failed, in their own words and only once. */
static void quiet_vmessage(struct xentoollog_logger *logger, xentoollog_level level, int errnoval,
                           const char *context, const char *format, va_list al) {
        (void) logger;
        (void) level;
        (void) errnoval;
        (void) context;
        (void) format;
        (void) al;
}

static void quiet_destroy(struct xentoollog_logger *logger) {
        (void) logger;
}

static xentoollog_logger quiet_logger = {
        .vmessage = quiet_vmessage,
        .destroy = quiet_destroy,
};

int hypervisor_open(Hypervisor **ret) {
        _cleanup_(hypervisor_freep) Hypervisor *h = calloc(1, sizeof(*h));

        if (!h)
                return -ENOMEM;
        errno = 0;
        h->xc = xc_interface_open(&quiet_logger, &quiet_logger, 0);
        if (!h->xc)
                return errno > 0 ? -errno : -ENXIO;
        *ret = TAKE_PTR(h);
        return 0;
}

Hypervisor *hypervisor_free(Hypervisor *h) {
        if (h) {
                if (h->xc)
                        xc_interface_close(h->xc);
                free(h);
        }
        return NULL;
}

static void live_from_info(const xc_domaininfo_t *info, LiveDomain *ret) {
        ret->domid = info->domain;
        memcpy(ret->handle, info->handle, sizeof(ret->handle));
        ret->dying = info->flags & XEN_DOMINF_dying;
        ret->hvm = info->flags & XEN_DOMINF_hvm_guest;
}

int hypervisor_domains(Hypervisor *h, LiveDomain **ret, size_t *ret_n) {
        _cleanup_free_ LiveDomain *live = NULL;
        size_t n = 0;
        uint32_t first = 0;

        /* In chunks: the hypervisor returns the domains from first on,
         * in domid order (its domain_list is kept sorted). */
        for (;;) {
                xc_domaininfo_t info[64];
                LiveDomain *grown;
                int k;

                errno = 0;
                k = xc_domain_getinfolist(h->xc, first, ELEMENTSOF(info), info);
                if (k < 0)
                        return errno > 0 ? -errno : -EIO;
                if ((size_t) k > ELEMENTSOF(info))
                        return -EIO;
                grown = realloc(live, (n + (size_t) k + 1) * sizeof(*live));
                if (!grown)
                        return -ENOMEM;
                live = grown;
                for (int i = 0; i < k; i++)
                        live_from_info(&info[i], &live[n++]);
                if ((size_t) k < ELEMENTSOF(info) || info[k - 1].domain >= DOMID_FIRST_RESERVED - 1)
                        break;
                first = info[k - 1].domain + 1u;
        }
        *ret = TAKE_PTR(live);
        *ret_n = n;
        return 0;
}

int hypervisor_domain(Hypervisor *h, uint32_t domid, LiveDomain *ret, size_t *ret_n) {
        xc_domaininfo_t info;
        int k;

        errno = 0;
        k = xc_domain_getinfolist(h->xc, domid, 1, &info);
        if (k < 0)
                return errno > 0 ? -errno : -EIO;
        /* The first domain from domid on: another one when domid is gone. */
        *ret_n = k == 1 && info.domain == domid;
        if (*ret_n)
                live_from_info(&info, ret);
        return 0;
}
