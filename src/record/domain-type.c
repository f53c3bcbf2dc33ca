/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain type libxl recorded (see domain-type.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "record/domain-type.h"
#include "record/xs-util.h"
#include "shared/macro.h"

static const char *const type_names[_DOMAIN_TYPE_MAX] = {
        [DOMAIN_TYPE_PV] = "pv",
        [DOMAIN_TYPE_PVH] = "pvh",
        [DOMAIN_TYPE_HVM] = "hvm",
};

const char *domain_type_to_string(DomainType t) {
        return t < _DOMAIN_TYPE_MAX ? type_names[t] : "unknown";
}

int domain_type_parse(const char *v, size_t len, DomainType *ret) {
        if (!v || len == 0 || len > DOMAIN_TYPE_VALUE_MAX)
                return -EBADMSG;
        /* Compared over len bytes: a NUL inside, or anything after the
         * word, makes it another value. */
        for (DomainType t = 0; t < _DOMAIN_TYPE_MAX; t++)
                if (strlen(type_names[t]) == len && memcmp(v, type_names[t], len) == 0) {
                        *ret = t;
                        return 0;
                }
        return -EBADMSG;
}

int domain_type_judge(uint32_t domid, const char *value, size_t len, const LiveDomain *live, size_t n_live,
                      DomainType *ret) {
        const LiveDomain *d = NULL;
        DomainType t;
        int r;

        if (!value)
                return -ENOENT;
        r = domain_type_parse(value, len, &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_live && !d; i++)
                if (live[i].domid == domid)
                        d = &live[i];
        if (!d || d->dying)
                return -ESRCH;
        /* libxl__bootloader_run() returns at once for an HVM domain. */
        if (t == DOMAIN_TYPE_HVM)
                return -EPROTO;
        if (d->hvm != (t == DOMAIN_TYPE_PVH))
                return -EPROTO;
        *ret = t;
        return 0;
}

int domain_type_read(uint32_t domid, DomainType *ret) {
        _cleanup_(xs_closep) struct xs_handle *xs = NULL;
        _cleanup_(hypervisor_freep) Hypervisor *hv = NULL;
        _cleanup_free_ char *v = NULL;
        char path[sizeof("/libxl//type") + 10];
        unsigned int len = 0;
        LiveDomain d = { 0 };
        size_t n = 0;
        int r;

        if (domid == 0 || domid > XS_DOMID_MAX)
                return -EINVAL;
        xs = xs_open(XS_OPEN_READONLY);
        if (!xs)
                return -ENXIO;
        snprintf(path, sizeof(path), "/libxl/%u/type", domid);
        errno = 0;
        v = xs_read(xs, XBT_NULL, path, &len);
        if (!v)
                return errno == ENOENT ? -ENOENT : -(errno ? errno : EIO);
        r = hypervisor_open(&hv);
        if (r < 0)
                return r;
        r = hypervisor_domain(hv, domid, &d, &n);
        if (r < 0)
                return r;
        return domain_type_judge(domid, v, len, &d, n, ret);
}
