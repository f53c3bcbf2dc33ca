/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decisions in xenstore, and whose they are (see xs-record.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "record/xs-record.h"
#include "record/xs-util.h"
#include "shared/macro.h"

struct XsRecord {
        struct xs_handle *xs;
        Hypervisor *hv;         /* NULL: it cannot be asked, hv_error says why */
        int hv_error;
};

/* A record's path: the base, "/", a domid, "/", the longest key. */
#define RECORD_PATH_MAX (sizeof(XS_RECORD_BASE) + 16)
/* A transaction that keeps meeting another writer gives up (and keeps). */
#define TRANSACTION_ATTEMPTS 16

static const char *const record_keys[] = { "arch", "outcome", "message" };

int xs_record_parse_domid(const char *name, uint32_t *ret) {
        char *end;
        unsigned long v;

        if (!name || name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]))
                return -EINVAL;
        errno = 0;
        v = strtoul(name, &end, 10);
        if (errno || *end || v == 0 || v > XS_DOMID_MAX)
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

/* The dashes of 8-4-4-4-12 fall before these bytes. */
static bool uuid_dash_before(size_t byte) {
        return byte == 4 || byte == 6 || byte == 8 || byte == 10;
}

void xs_record_format_uuid(const uint8_t handle[DOMAIN_HANDLE_SIZE], char *ret) {
        static const char hex[] = "0123456789abcdef";
        char *p = ret;

        for (size_t i = 0; i < DOMAIN_HANDLE_SIZE; i++) {
                if (uuid_dash_before(i))
                        *p++ = '-';
                *p++ = hex[handle[i] >> 4];
                *p++ = hex[handle[i] & 0xf];
        }
        *p = '\0';
}

static int hex_digit(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

int xs_record_parse_uuid(const char *s, uint8_t ret[DOMAIN_HANDLE_SIZE]) {
        uint8_t h[DOMAIN_HANDLE_SIZE];

        if (!s || strlen(s) != XS_RECORD_UUID_STRLEN)
                return -EINVAL;
        for (size_t i = 0; i < DOMAIN_HANDLE_SIZE; i++) {
                int hi, lo;

                if (uuid_dash_before(i) && *s++ != '-')
                        return -EINVAL;
                hi = hex_digit(*s++);
                lo = hex_digit(*s++);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                h[i] = (uint8_t) (hi << 4 | lo);
        }
        memcpy(ret, h, sizeof(h));
        return 0;
}

bool xs_record_stale(const char *name, const char *uuid, const LiveDomain *live, size_t n_live) {
        const LiveDomain *d = NULL;
        uint8_t h[DOMAIN_HANDLE_SIZE];
        uint32_t domid;

        /* Not a domid: not a record of ours, never touched. */
        if (xs_record_parse_domid(name, &domid) < 0)
                return false;
        for (size_t i = 0; i < n_live && !d; i++)
                if (live[i].domid == domid)
                        d = &live[i];
        if (!d || d->dying)
                return true;
        if (!uuid)
                return false;   /* an older record: the domid alone */
        if (xs_record_parse_uuid(uuid, h) < 0)
                return true;    /* cannot vouch for the live domain */
        return memcmp(h, d->handle, sizeof(h)) != 0;
}

/* The hypervisor's word, or why it cannot be had: nothing is guessed. */
static int live_domains(XsRecord *x, LiveDomain **ret, size_t *ret_n) {
        return x->hv ? hypervisor_domains(x->hv, ret, ret_n) : x->hv_error;
}

static int live_domain(XsRecord *x, uint32_t domid, LiveDomain *ret, size_t *ret_n) {
        return x->hv ? hypervisor_domain(x->hv, domid, ret, ret_n) : x->hv_error;
}

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
        /* Not an error yet: the sweep refuses to guess without it. */
        x->hv_error = hypervisor_open(&x->hv);
        *ret = TAKE_PTR(x);
        return 0;
}

XsRecord *xs_record_free(XsRecord *x) {
        if (x) {
                hypervisor_free(x->hv);
                xs_close(x->xs);
                free(x);
        }
        return NULL;
}

int xs_record_fd(XsRecord *x) {
        return xs_fileno(x->xs);
}

/* The record's uuid key: *ret NULL when there is none.  A value with a
 * NUL inside is not a uuid: it is read as "", which does not parse. */
static int read_uuid(XsRecord *x, xs_transaction_t t, uint32_t domid, char **ret) {
        char path[RECORD_PATH_MAX];
        unsigned int len;
        char *v;

        snprintf(path, sizeof(path), XS_RECORD_BASE "/%u/uuid", domid);
        v = xs_read(x->xs, t, path, &len);
        if (!v) {
                *ret = NULL;
                return errno == ENOENT ? 0 : -(errno ? errno : EIO);
        }
        if (strlen(v) != len)
                v[0] = '\0';
        *ret = v;
        return 0;
}

/* End transaction t: committed (1), another writer came first, so try
 * again (0), or -errno.  With abort_r < 0, abandon it and return abort_r. */
static int transaction_end(XsRecord *x, xs_transaction_t t, int abort_r) {
        if (abort_r < 0) {
                (void) xs_transaction_end(x->xs, t, true);
                return abort_r;
        }
        if (xs_transaction_end(x->xs, t, false))
                return 1;
        return errno == EAGAIN ? 0 : -(errno ? errno : EIO);
}

/* Remove the record if it is still stale: read again, and ask the
 * hypervisor again, inside a transaction, so that a record a new domain
 * with this domid wrote since the sweep looked is kept (the transaction
 * then fails with EAGAIN, and the next attempt sees it).  1 if removed. */
static int remove_if_stale(XsRecord *x, const char *name, uint32_t domid) {
        char path[RECORD_PATH_MAX];

        snprintf(path, sizeof(path), XS_RECORD_BASE "/%u", domid);
        for (int attempt = 0; attempt < TRANSACTION_ATTEMPTS; attempt++) {
                _cleanup_free_ char *uuid = NULL;
                LiveDomain d = { 0 };
                size_t n = 0;
                xs_transaction_t t = xs_transaction_start(x->xs);
                int r;

                if (t == XBT_NULL)
                        return -(errno ? errno : EIO);
                r = read_uuid(x, t, domid, &uuid);
                if (r == 0)
                        r = live_domain(x, domid, &d, &n);
                if (r < 0)
                        return transaction_end(x, t, r);
                if (!xs_record_stale(name, uuid, &d, n)) {
                        (void) transaction_end(x, t, -ESTALE);  /* kept: nothing to commit */
                        return 0;
                }
                if (!xs_rm(x->xs, t, path) && errno != ENOENT)
                        return transaction_end(x, t, -(errno ? errno : EIO));
                r = transaction_end(x, t, 0);
                if (r != 0)
                        return r;
        }
        return -EAGAIN;
}

int xs_record_sweep(XsRecord *x) {
        _cleanup_free_ char **names = NULL;     /* one allocation, strings included */
        _cleanup_free_ LiveDomain *live = NULL;
        unsigned int num = 0;
        size_t n_live;
        int removed = 0, r;

        /* The names first, the hypervisor after: a record listed here was
         * written by a domain that existed before the list is read. */
        names = xs_directory(x->xs, XBT_NULL, XS_RECORD_BASE, &num);
        r = live_domains(x, &live, &n_live);
        if (r < 0)
                return r;
        for (unsigned int i = 0; names && i < num; i++) {
                _cleanup_free_ char *uuid = NULL;
                uint32_t domid;

                if (xs_record_parse_domid(names[i], &domid) < 0)
                        continue;
                /* A record that cannot be read is kept (no guess). */
                if (read_uuid(x, XBT_NULL, domid, &uuid) < 0 || !xs_record_stale(names[i], uuid, live, n_live))
                        continue;
                if (remove_if_stale(x, names[i], domid) > 0)
                        removed++;
        }
        return removed;
}

int xs_record_dispatch(XsRecord *x) {
        char **ev;

        /* Drain what is queued; one sweep covers any number of events. */
        while ((ev = xs_check_watch(x->xs)))
                free(ev);
        return xs_record_sweep(x);
}

/* The domain's handle as the record's uuid: -errno when it cannot be had. */
static int domain_uuid(XsRecord *x, uint32_t domid, char *ret) {
        LiveDomain d = { 0 };
        size_t n = 0;
        int r = live_domain(x, domid, &d, &n);

        if (r < 0)
                return r;
        if (n == 0 || d.dying)
                return -ESRCH;
        xs_record_format_uuid(d.handle, ret);
        return 0;
}

/* One key of domid's record, inside transaction t. */
static bool write_key(XsRecord *x, xs_transaction_t t, uint32_t domid, const char *key, const char *v) {
        char path[RECORD_PATH_MAX];

        snprintf(path, sizeof(path), XS_RECORD_BASE "/%u/%s", domid, key);
        return xs_write(x->xs, t, path, v, (unsigned int) strlen(v));
}

int xs_record_write(XsRecord *x, uint32_t domid, const InspectReport *r) {
        char uuid[XS_RECORD_UUID_STRLEN + 1], dir[RECORD_PATH_MAX];
        bool have_uuid;

        if (domid == 0 || domid > XS_DOMID_MAX)
                return -EINVAL;
        /* Without the hypervisor the record is judged by its domid alone. */
        have_uuid = domain_uuid(x, domid, uuid) == 0;
        snprintf(dir, sizeof(dir), XS_RECORD_BASE "/%u", domid);
        for (int attempt = 0; attempt < TRANSACTION_ATTEMPTS; attempt++) {
                xs_transaction_t t = xs_transaction_start(x->xs);
                bool ok;

                if (t == XBT_NULL)
                        return -(errno ? errno : EIO);
                /* Whatever an earlier domain with this domid left goes:
                 * the record is this run's alone, keys and uuid. */
                ok = xs_rm(x->xs, t, dir) || errno == ENOENT;
                for (size_t i = 0; ok && i < ELEMENTSOF(record_keys); i++)
                        ok = write_key(x, t, domid, record_keys[i], xs_record_value(r, record_keys[i]));
                if (ok && have_uuid)
                        ok = write_key(x, t, domid, "uuid", uuid);
                int k = transaction_end(x, t, ok ? 0 : -(errno ? errno : EIO));
                if (k != 0)
                        return k < 0 ? k : 0;
        }
        return -EAGAIN;
}

int xs_record_decision(uint32_t domid, const InspectReport *r, int *ret_swept) {
        _cleanup_(xs_record_freep) XsRecord *x = NULL;
        int k, swept = 0;

        if (ret_swept)
                *ret_swept = 0;
        if (domid == 0)
                return 0;
        k = xs_record_open(false, &x);
        if (k == -ENOENT)
                return 0;
        if (k == 0) {
                /* Records of domains that went away while nobody swept. */
                swept = xs_record_sweep(x);
                k = xs_record_write(x, domid, r);
        }
        if (ret_swept)
                *ret_swept = swept;
        return k == -ENOENT ? 0 : k;
}
