/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Inside pvboot-selectd's manager, shared by its two halves: manager.c
 * (the pool of clones and the queue of requests) and manager-bus.c (the
 * bus object: methods, caller checks, properties, replies).  Nothing
 * outside src/daemon sees these.
 */

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "daemon/cache.h"
#include "daemon/manager.h"
#include "probe/worker.h"
#include "record/bus-report.h"
#include "selector/policy.h"

#define MAX_SLOTS 64
#define MAX_REQUESTS 256

typedef struct Request Request;

typedef enum SlotState {
        SLOT_LAUNCHING,         /* pooled, appliance starting */
        SLOT_READY,             /* pooled, waiting for a request */
        SLOT_BUSY,              /* bound to a request */
} SlotState;

/* One worker: one clone. */
typedef struct Slot {
        Manager *m;
        Worker *w;
        sd_event_source *io;
        SlotState state;
        bool pooled;
        Request *req;
} Slot;

struct Request {
        Manager *m;
        uint64_t id;
        uint64_t cookie;
        sd_bus_message *call;   /* NULL once the caller is gone */
        sd_bus_track *track;
        sd_event_source *timer;
        char *sender;
        int disk_fd;
        struct stat st;
        uint64_t size;          /* regular file or block device */
        Policy policy;          /* the caller's options over our defaults */
        uint32_t domid;
        char disk[128];         /* the caller's name for the disk, escaped: for the log only */
        bool use_cache;
        CacheKey key;
        uint64_t arrived_usec;
        uint64_t deadline_usec; /* the timer's: its worker's clone ends every step by then */
        Slot *slot;             /* NULL while queued */
};

/* A finished worker whose processes have not all died yet (worker.h):
 * reaped on SIGCHLD, never waited for. */
typedef struct Grave {
        Worker *w;
        pid_t pid;
        uint64_t since_usec;
        bool reported;          /* logged as stuck */
} Grave;

struct Manager {
        ManagerConfig cfg;
        Template *template;     /* what every clone starts from (owned) */
        WorkerConfig worker;    /* who runs the clones, and how: per slot, pooled and format change */
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *object;
        sd_event_source *refill_timer;
        Cache *cache;
        HostCaps host;

        Slot *slots[MAX_SLOTS];
        unsigned n_slots;
        Request *requests[MAX_REQUESTS];        /* arrival order */
        unsigned n_requests;
        uint64_t next_id;
        unsigned launch_failures;       /* in a row: backoff */
        uint64_t next_launch_usec;      /* no pooled launch before this */
        bool stopping;
        Grave *graves;
        unsigned n_graves, graves_alloc;
        sd_event_source *sigchld;
        sd_event_source *linger_timer;  /* names a grave still there after LINGER_USEC */

        /* counters, as properties */
        uint64_t n_total, n_warm, n_cold, n_cached, n_failed, n_cancelled, n_launched;
};

/* manager.c */
unsigned manager_count_slots(const Manager *m, SlotState state, bool pooled_only);
unsigned manager_count_queued(const Manager *m);
/* Finished workers with processes still alive (the Reaping property). */
unsigned manager_count_reaping(const Manager *m);
/* A request read from a call: blank, with the daemon's defaults. */
int request_new(Manager *m, Request **ret);
Request *request_free(Request *r);
/* Take r: answer it from the cache, refuse it when the queue is full, or
 * queue it and hand it to a clone.  Its answer goes out through
 * manager_bus_reply_*(). */
void manager_submit(Manager *m, Request *r);
void request_fail(Request *r, const char *error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* manager-bus.c */
int manager_bus_register(Manager *m);
void manager_bus_reply_error(Request *r, const char *error, const char *msg);
void manager_bus_reply_report(Request *r, const InspectReport *rep, const BusDetails *d);
/* PropertiesChanged for the pool, queue, cache and counters. */
void manager_bus_emit_changed(Manager *m);
