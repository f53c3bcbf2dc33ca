/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The decision cache (see cache.h): a small array, least recently used out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/cache.h"

typedef struct CacheEntry {
        CacheKey key;
        InspectReport report;
        uint64_t used;          /* tick of the last hit or store */
} CacheEntry;

struct Cache {
        CacheEntry *entries;
        size_t n, max;
        bool block_devices;
        uint64_t tick;
};

int cache_new(size_t max_entries, bool block_devices, Cache **ret) {
        _cleanup_(cache_freep) Cache *c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        if (max_entries > 0 && !(c->entries = calloc(max_entries, sizeof(CacheEntry))))
                return -ENOMEM;
        c->max = max_entries;
        c->block_devices = block_devices;
        *ret = TAKE_PTR(c);
        return 0;
}

Cache *cache_free(Cache *c) {
        if (c) {
                free(c->entries);
                free(c);
        }
        return NULL;
}

int cache_key(const Cache *c, const struct stat *st, const Policy *policy,
              CacheKey *ret) {
        if (!(S_ISREG(st->st_mode) || (S_ISBLK(st->st_mode) && c->block_devices)))
                return -ENOTSUP;
        /* memset: keys are compared with memcmp, padding included. */
        memset(ret, 0, sizeof(*ret));
        ret->dev = S_ISBLK(st->st_mode) ? (uint64_t) st->st_rdev : (uint64_t) st->st_dev;
        ret->ino = (uint64_t) st->st_ino;
        ret->size = (uint64_t) st->st_size;
        ret->mtime_sec = st->st_mtim.tv_sec;
        ret->mtime_nsec = st->st_mtim.tv_nsec;
        ret->ctime_sec = st->st_ctim.tv_sec;
        ret->ctime_nsec = st->st_ctim.tv_nsec;
        ret->mode = policy->mode;
        ret->force_arch = policy->force_arch;
        ret->prefer = policy->prefer;
        snprintf(ret->format, sizeof(ret->format), "%s", policy->format);
        if (policy->host.known)
                snprintf(ret->host_caps, sizeof(ret->host_caps), "%s", policy->host.text);
        memcpy(ret->search, policy->search, sizeof(ret->search));
        return 0;
}

bool cache_key_equal(const CacheKey *a, const CacheKey *b) {
        return memcmp(a, b, sizeof(*a)) == 0;
}

int cache_lookup(Cache *c, const CacheKey *k, InspectReport *ret) {
        for (size_t i = 0; i < c->n; i++)
                if (cache_key_equal(&c->entries[i].key, k)) {
                        c->entries[i].used = ++c->tick;
                        *ret = c->entries[i].report;
                        return 0;
                }
        return -ENOENT;
}

void cache_store(Cache *c, const CacheKey *k, const InspectReport *r) {
        CacheEntry *e = NULL;

        if (c->max == 0 || r->status < 0)
                return;
        for (size_t i = 0; i < c->n && !e; i++)
                if (cache_key_equal(&c->entries[i].key, k))
                        e = &c->entries[i];
        if (!e && c->n < c->max)
                e = &c->entries[c->n++];
        if (!e) {
                e = &c->entries[0];
                for (size_t i = 1; i < c->n; i++)
                        if (c->entries[i].used < e->used)
                                e = &c->entries[i];
        }
        e->key = *k;
        e->report = *r;
        e->used = ++c->tick;
}

size_t cache_size(const Cache *c) {
        return c->n;
}
