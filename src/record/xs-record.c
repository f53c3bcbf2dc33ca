/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decisions in xenstore (see xs-record.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "record/xs-record.h"
#include "shared/macro.h"

struct XsRecord {
        struct xs_handle *xs;
};

/* Xen's domid space: DOMID_FIRST_RESERVED is 0x7FF0. */
#define DOMID_MAX 0x7FEF

int xs_record_parse_domid(const char *name, uint32_t *ret) {
        char *end;
        unsigned long v;

        if (!name || name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
                return -EINVAL;
        errno = 0;
        v = strtoul(name, &end, 10);
        if (errno || *end || v == 0 || v > DOMID_MAX)
                return -EINVAL;
        *ret = (uint32_t) v;
        return 0;
}

const char *xs_record_value(const InspectReport *r, const char *key) {
        if (strcmp(key, "arch") == 0)
                return r->outcome == DECISION_OK ? pv_arch_to_string((PvArch) r->arch) : "";
        if (strcmp(key, "outcome") == 0)
                return decision_outcome_to_string((DecisionOutcome) r->outcome);
        if (strcmp(key, "message") == 0)
                return r->message;
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(struct xs_handle *, xs_close);

int xs_record_open(bool watch, XsRecord **ret) {
        _cleanup_(xs_closep) struct xs_handle *xs = xs_open(0);
        _cleanup_(xs_record_freep) XsRecord *x = NULL;

        if (!xs)
                return -ENOENT;
        x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        x->xs = TAKE_PTR(xs);
        if (watch && !xs_watch(x->xs, "@releaseDomain", "pvboot-select"))
                return -EIO;
        /* Records of domains that went away while we were not running. */
        (void) xs_record_dispatch(x);
        *ret = TAKE_PTR(x);
        return 0;
}

XsRecord *xs_record_free(XsRecord *x) {
        if (x) {
                xs_close(x->xs);
                free(x);
        }
        return NULL;
}

int xs_record_fd(XsRecord *x) {
        return xs_fileno(x->xs);
}

int xs_record_dispatch(XsRecord *x) {
        unsigned int num;
        _cleanup_free_ char **names = NULL;     /* one allocation, strings included */
        char **ev;
        int removed = 0;

        /* Drain what is queued; one sweep covers any number of events. */
        while ((ev = xs_check_watch(x->xs)))
                free(ev);
        names = xs_directory(x->xs, XBT_NULL, XS_RECORD_BASE, &num);
        if (!names)
                return 0;
        for (unsigned int i = 0; i < num; i++) {
                char path[sizeof(XS_RECORD_BASE) + 16];
                uint32_t domid;

                if (xs_record_parse_domid(names[i], &domid) < 0 || xs_is_domain_introduced(x->xs, domid))
                        continue;
                snprintf(path, sizeof(path), XS_RECORD_BASE "/%u", domid);
                if (xs_rm(x->xs, XBT_NULL, path))
                        removed++;
        }
        return removed;
}

int xs_record_write(XsRecord *x, uint32_t domid, const InspectReport *r) {
        static const char *const keys[] = { "arch", "outcome", "message" };

        if (domid == 0 || domid > DOMID_MAX)
                return -EINVAL;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                char path[sizeof(XS_RECORD_BASE) + 32];
                const char *v = xs_record_value(r, keys[i]);

                snprintf(path, sizeof(path), XS_RECORD_BASE "/%u/%s", domid, keys[i]);
                if (!xs_write(x->xs, XBT_NULL, path, v, (unsigned int) strlen(v)))
                        return errno ? -errno : -EIO;
        }
        return 0;
}

int xs_record_decision(uint32_t domid, const InspectReport *r) {
        _cleanup_(xs_record_freep) XsRecord *x = NULL;
        int k;

        if (domid == 0)
                return 0;
        k = xs_record_open(false, &x);
        if (k == -ENOENT)
                return 0;
        if (k == 0)
                k = xs_record_write(x, domid, r);
        return k == -ENOENT ? 0 : k;
}
