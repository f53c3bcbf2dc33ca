/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The decision cache.  It must never serve a stale width, so an entry is
 * keyed on everything that proves the disk unchanged and on everything
 * else the decision depends on:
 *
 *  - the disk: st_dev, st_ino, st_size, st_mtim and st_ctim to the
 *    nanosecond.  Any write to a regular file moves mtime and ctime, and
 *    ctime cannot be set from userspace, so a rewritten disk (even one
 *    whose mtime was put back with touch -d) misses.  A block device's
 *    inode times say nothing about its contents (the running guest
 *    writes its LV without touching them), so block devices are not
 *    cached unless the daemon is told to (--cache-block-devices), for
 *    devices nothing writes, such as read-only templates;
 *  - the request: mode, forced and preferred width, the format, the
 *    hypervisor capabilities the width was checked against, and the
 *    stage 1s' search lists (what was looked for, and where the stage 1
 *    can look: an image rebuilt with another config is another key).
 *
 * The daemon stats the disk before the inspection and again after it, and
 * stores nothing if the two differ (cache_key_equal): a disk rewritten
 * during its inspection is not remembered at all.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "selector/decide.h"
#include "selector/policy.h"
#include "selector/report.h"
#include "shared/macro.h"

typedef struct CacheKey {
        uint64_t dev, ino, size;
        int64_t mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
        uint32_t mode, force_arch, prefer;
        char format[POLICY_FORMAT_MAX + 1];
        char host_caps[HOST_CAPS_MAX];
        SearchList search[_STAGE1_KIND_MAX];    /* zero-padded by construction (search-list.h) */
} CacheKey;

typedef struct Cache Cache;

/* max_entries 0: a cache that never stores. */
int cache_new(size_t max_entries, bool block_devices, Cache **ret);
Cache *cache_free(Cache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Cache *, cache_free);

/* Build the key of a disk and request.  -ENOTSUP: this disk is never
 * cached (block device without block_devices, or neither kind). */
int cache_key(const Cache *c, const struct stat *st, const Policy *policy,
              CacheKey *ret);
bool cache_key_equal(const CacheKey *a, const CacheKey *b);

/* 0 and the report, or -ENOENT. */
int cache_lookup(Cache *c, const CacheKey *k, InspectReport *ret);
/* Remember a successful inspection (status 0); the oldest entry goes when full. */
void cache_store(Cache *c, const CacheKey *k, const InspectReport *r);
size_t cache_size(const Cache *c);
