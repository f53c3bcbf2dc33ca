/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pvboot-selectd's state: the warm pool, the request queue, the cache, the
 * bus object.
 *
 * Every appliance is one worker process (worker.h) with one clone of the
 * template (clone.h): pooled workers restore theirs ahead of time and
 * wait; a request takes a ready one, which hot-plugs its disk and reports;
 * the worker is then destroyed and the pool refilled (a restore takes well
 * under a second).  When no pooled clone is ready, the request gets a
 * worker of its own that restores one on demand: the cold path, exactly as
 * pvboot-select runs it without a daemon.  A request never fails because
 * the pool is empty.
 *
 * One thread, one sd-event loop: the slow parts (appliance launch,
 * inspection) run in the workers, and the loop only moves messages.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "probe/clone-uid.h"
#include "probe/template.h"
#include "shared/macro.h"
#include "selector/host-caps.h"

typedef struct ManagerConfig {
        unsigned pool_size;             /* pooled appliances kept warm */
        unsigned max_busy;              /* inspections at once, warm or cold */
        unsigned queue_limit;           /* requests waiting beyond max_busy */
        unsigned cache_size;            /* 0: no decision cache */
        bool cache_block_devices;
        int memsize_mb;                 /* appliance memory: part of the template's key */
        unsigned tcg_cache_mb;          /* each clone's TCG translation cache, 0: qemu's 1 GiB */
        bool allow_gid_set;             /* callers in this group may inspect, besides root */
        gid_t allow_gid;
        const char *cachedir;           /* the appliance and its template (template.h), NULL: the default */
        CloneUidRange clone_uids;       /* a uid per live clone (clone-uid.h); count 0: our own */
        bool debug;
} ManagerConfig;

typedef struct Manager Manager;

/* Takes template (opened and verified by the caller, template_ensure),
 * also on failure.  Registers the bus object (org.pvbootselect1(5)). */
int manager_new(const ManagerConfig *cfg, Template *template, sd_event *event, sd_bus *bus, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Start filling the pool.  Call once the bus object is registered. */
void manager_start(Manager *m);

/* Fail every request (Stopping) and destroy every appliance. */
void manager_stop(Manager *m);
