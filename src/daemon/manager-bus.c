/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-selectd's bus object, org.pvbootselect1.Manager
 * (org.pvbootselect1(5)), in the shape of systemd's hostnamed: each
 * handler reads its arguments, validates them (InvalidArgs), checks who
 * calls, and hands a Request to the pool (manager.c), which answers
 * through manager_bus_reply_*() here.  Properties are the pool's state
 * and counters; PropertiesChanged goes out when they change.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/manager-internal.h"
#include "probe/disk-fd.h"
#include "pvboot-select-bus.h"
#include "record/bus-peer.h"
#include "record/bus-search.h"
#include "shared/macro.h"
#include "shared/text.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(Request *, request_free);

/* A direct connection (tests, no driver): the socket's own peer
 * credentials, likewise taken at connect time, likewise not /proc. */
static int peer_creds(sd_bus *bus, uid_t *ret_uid, gid_t *gids, size_t *n_gids) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *c = NULL;
        const gid_t *g;
        gid_t gid;
        size_t n = 0;
        int k;

        k = sd_bus_get_owner_creds(bus, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID | SD_BUS_CREDS_SUPPLEMENTARY_GIDS, &c);
        if (k < 0 || (k = sd_bus_creds_get_euid(c, ret_uid)) < 0)
                return k;
        if (sd_bus_creds_get_egid(c, &gid) >= 0)
                gids[n++] = gid;
        k = sd_bus_creds_get_supplementary_gids(c, &g);
        for (int i = 0; i < k && n < BUS_PEER_MAX_GROUPS; i++)
                gids[n++] = g[i];
        *n_gids = n;
        return 0;
}

static int check_caller(Manager *m, sd_bus_message *msg, sd_bus_error *error) {
        const char *sender = sd_bus_message_get_sender(msg);
        gid_t gids[BUS_PEER_MAX_GROUPS];
        size_t n = 0;
        uid_t uid;
        int k;

        k = sender ? bus_peer_creds(m->bus, sender, &uid, gids, &n) : peer_creds(m->bus, &uid, gids, &n);
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "cannot identify the caller: %s", strerror(-k));
        if (uid == 0)
                return 0;
        for (size_t i = 0; m->cfg.allow_gid_set && i < n; i++)
                if (gids[i] == m->cfg.allow_gid)
                        return 0;
        return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
                                "only root or the configured group may ask pvboot-selectd to inspect disks");
}

/* One option of the a{sv}, by the policy's setters (policy.h). */
static int read_option(sd_bus_message *msg, const char *key, Request *r, sd_bus_error *error) {
        const char *s;
        uint32_t u;
        int b, k;

#define READ_V(sig, ptr)                                                                                 \
        do {                                                                                             \
                k = sd_bus_message_read(msg, "v", sig, ptr);                                             \
                if (k < 0)                                                                               \
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,                       \
                                                 "option %s must have type %s", key, sig);               \
        } while (0)
        if (strcmp(key, "Mode") == 0) {
                READ_V("s", &s);
                if (policy_set_mode(&r->policy, s) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Mode must be pv, pvh or pvshim");
        } else if (strcmp(key, "ForceArch") == 0 || strcmp(key, "Prefer") == 0) {
                READ_V("s", &s);
                if ((key[0] == 'F' ? policy_set_force_arch : policy_set_prefer)(&r->policy, s) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s must be i386 or x86_64", key);
        } else if (strcmp(key, "HostCaps") == 0) {
                READ_V("s", &s);
                if (policy_set_host_caps(&r->policy, s, "caller") < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "HostCaps is not a xen_caps list");
        } else if (strcmp(key, "Format") == 0) {
                READ_V("s", &s);
                if (policy_set_format(&r->policy, s) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Format is not a disk format name");
        } else if (strcmp(key, "Timeout") == 0) {
                READ_V("u", &u);
                if (policy_set_timeout(&r->policy, u) < 0)
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Timeout must be %d..%d seconds", TIMEOUT_MIN, TIMEOUT_MAX);
        } else if (strcmp(key, "DomainId") == 0) {
                READ_V("u", &u);
                if (u == 0 || u >= 0x7FF0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "DomainId must name a guest domain");
                r->domid = u;
        } else if (strcmp(key, "Disk") == 0) {
                READ_V("s", &s);
                char buf[sizeof(r->disk)];     /* our client sends it escaped already */
                snprintf(r->disk, sizeof(r->disk), "%s", text_printable(s, strlen(s) + 1, buf, sizeof(buf)));
        } else if (strcmp(key, "Cookie") == 0) {
                READ_V("t", &r->cookie);
        } else if (strcmp(key, "NoCache") == 0) {
                READ_V("b", &b);
                r->use_cache = !b;
        } else if (strcmp(key, BUS_SEARCH_KEY) == 0) {
                char err[256];
                if (bus_search_read(msg, &r->policy, err, sizeof(err)) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, err);
        } else {
                /* Escaped: a name cut inside a UTF-8 sequence would make
                 * the error itself unsendable (sd-bus refuses it). */
                char name[64 * 4 + 1];
                text_escape(key, strnlen(key, 64), name, sizeof(name));
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown option '%s'", name);
        }
#undef READ_V
        return 0;
}

static int read_options(sd_bus_message *msg, Request *r, sd_bus_error *error) {
        const char *key;
        int k;

        k = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (k < 0)
                return k;
        while ((k = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                if ((k = sd_bus_message_read(msg, "s", &key)) < 0 ||
                    (k = read_option(msg, key, r, error)) < 0 ||
                    (k = sd_bus_message_exit_container(msg)) < 0)
                        return k;
        }
        if (k < 0)
                return k;
        return sd_bus_message_exit_container(msg);
}

/* The caller opened the disk; we check what kind of descriptor it is
 * with the one rule for them (disk-fd.h), keep its size, and our copy. */
static int take_disk_fd(int fd, Request *r, sd_bus_error *error) {
        char err[256];

        if (disk_fd_check(fd, 0, &r->size, err, sizeof(err)) < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, err);
        if (fstat(fd, &r->st) < 0)
                return sd_bus_error_set_errnof(error, errno, "cannot stat the disk descriptor: %s", strerror(errno));
        r->disk_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (r->disk_fd < 0)
                return -errno;
        return 0;
}

static int method_inspect(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(request_freep) Request *r = NULL;
        const char *sender;
        int fd, k;

        k = check_caller(m, msg, error);
        if (k < 0)
                return k;
        if (m->stopping)
                return sd_bus_error_set(error, PVBOOT_BUS_ERROR_STOPPING, "pvboot-selectd is stopping");
        k = sd_bus_message_read(msg, "h", &fd);
        if (k < 0)
                return k;
        k = request_new(m, &r);
        if (k < 0)
                return k;
        k = take_disk_fd(fd, r, error);
        if (k < 0)
                return k;
        k = read_options(msg, r, error);
        if (k < 0)
                return k;
        if (policy_check(&r->policy) < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "ForceArch has no meaning with Mode pvh: the PVH stage 1 has one width");
        char why[256];
        if (disk_fd_check_format(r->disk_fd, r->policy.format, why, sizeof(why)) < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, why);
        sender = sd_bus_message_get_sender(msg);
        r->sender = strdup(sender ? sender : "(direct)");
        if (!r->sender)
                return -ENOMEM;
        r->call = sd_bus_message_ref(msg);
        manager_submit(m, TAKE_PTR(r));
        return 1;
}

static int method_cancel(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *sender = sd_bus_message_get_sender(msg);
        uint64_t cookie;
        unsigned n = 0;
        int k;

        k = check_caller(m, msg, error);
        if (k < 0)
                return k;
        k = sd_bus_message_read(msg, "t", &cookie);
        if (k < 0)
                return k;
        /* A caller cancels its own requests only. */
        for (unsigned i = 0; i < m->n_requests;) {
                Request *r = m->requests[i];
                if (r->cookie == cookie && sender && strcmp(r->sender, sender) == 0) {
                        request_fail(r, PVBOOT_BUS_ERROR_CANCELLED, "cancelled by the caller");
                        n++;
                        i = 0;  /* the list changed */
                } else
                        i++;
        }
        return sd_bus_reply_method_return(msg, "u", n);
}

void manager_bus_reply_error(Request *r, const char *error, const char *msg) {
        if (r->call)
                (void) sd_bus_reply_method_errorf(r->call, error, "%s", msg);
}

void manager_bus_reply_report(Request *r, const InspectReport *rep, const BusDetails *d) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int k;

        if (!r->call)
                return;
        k = sd_bus_message_new_method_return(r->call, &reply);
        if (k >= 0)
                k = bus_report_append(reply, rep, d);
        if (k >= 0)
                k = sd_bus_send(NULL, reply, NULL);
        if (k < 0)
                fprintf(stderr, "pvboot-selectd: cannot answer request %" PRIu64 ": %s\n", r->id, strerror(-k));
}

#define PROP(name, sig, type, expr)                                                                     \
        static int prop_##name(sd_bus *b, const char *p, const char *i, const char *pr,                \
                               sd_bus_message *reply, void *userdata, sd_bus_error *e) {               \
                Manager *m = userdata;                                                                  \
                (void) b; (void) p; (void) i; (void) pr; (void) e;                                      \
                return sd_bus_message_append(reply, sig, (type) (expr));                                \
        }
#define PROP_U(name, expr) PROP(name, "u", uint32_t, expr)
#define PROP_T(name, expr) PROP(name, "t", uint64_t, expr)
PROP_U(pool_size, m->cfg.pool_size)
PROP_U(pool_ready, manager_count_slots(m, SLOT_READY, false))
PROP_U(pool_launching, manager_count_slots(m, SLOT_LAUNCHING, false))
PROP_U(busy, manager_count_slots(m, SLOT_BUSY, false))
PROP_U(queued, manager_count_queued(m))
PROP_U(reaping, manager_count_reaping(m))
PROP_U(max_busy, m->cfg.max_busy)
PROP_U(queue_limit, m->cfg.queue_limit)
PROP_U(memory_mb, m->template ? m->template->memsize_mb : 0)
PROP_U(tcg_cache_mb, m->cfg.tcg_cache_mb)
PROP_U(cache_entries, cache_size(m->cache))
PROP_U(cache_limit, m->cfg.cache_size)
PROP_T(requests, m->n_total)
PROP_T(warm, m->n_warm)
PROP_T(cold, m->n_cold)
PROP_T(cached, m->n_cached)
PROP_T(failed, m->n_failed)
PROP_T(cancelled, m->n_cancelled)
PROP_T(launched, m->n_launched)

#define CHANGES SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE
#define CONST SD_BUS_VTABLE_PROPERTY_CONST
static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("PoolSize", "u", prop_pool_size, 0, CONST),
        SD_BUS_PROPERTY("PoolReady", "u", prop_pool_ready, 0, CHANGES),
        SD_BUS_PROPERTY("PoolLaunching", "u", prop_pool_launching, 0, CHANGES),
        SD_BUS_PROPERTY("Busy", "u", prop_busy, 0, CHANGES),
        SD_BUS_PROPERTY("Queued", "u", prop_queued, 0, CHANGES),
        SD_BUS_PROPERTY("Reaping", "u", prop_reaping, 0, CHANGES),
        SD_BUS_PROPERTY("MaxBusy", "u", prop_max_busy, 0, CONST),
        SD_BUS_PROPERTY("QueueLimit", "u", prop_queue_limit, 0, CONST),
        SD_BUS_PROPERTY("ApplianceMemoryMB", "u", prop_memory_mb, 0, CONST),
        SD_BUS_PROPERTY("TcgCacheMB", "u", prop_tcg_cache_mb, 0, CONST),
        SD_BUS_PROPERTY("CacheEntries", "u", prop_cache_entries, 0, CHANGES),
        SD_BUS_PROPERTY("CacheLimit", "u", prop_cache_limit, 0, CONST),
        SD_BUS_PROPERTY("RequestsTotal", "t", prop_requests, 0, CHANGES),
        SD_BUS_PROPERTY("WarmAnswers", "t", prop_warm, 0, CHANGES),
        SD_BUS_PROPERTY("ColdAnswers", "t", prop_cold, 0, CHANGES),
        SD_BUS_PROPERTY("CachedAnswers", "t", prop_cached, 0, CHANGES),
        SD_BUS_PROPERTY("Failures", "t", prop_failed, 0, CHANGES),
        SD_BUS_PROPERTY("Cancellations", "t", prop_cancelled, 0, CHANGES),
        SD_BUS_PROPERTY("AppliancesLaunched", "t", prop_launched, 0, CHANGES),
        SD_BUS_METHOD_WITH_ARGS("Inspect",
                                SD_BUS_ARGS("h", disk, "a{sv}", options),
                                SD_BUS_RESULT("s", outcome, "s", arch, "s", source, "u", path_index,
                                              "s", filesystem, "s", message, "u", worker_uid,
                                              "as", evidence, "a{sv}", details),
                                method_inspect, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_ARGS("Cancel",
                                SD_BUS_ARGS("t", cookie),
                                SD_BUS_RESULT("u", cancelled),
                                method_cancel, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END
};

int manager_bus_register(Manager *m) {
        return sd_bus_add_object_vtable(m->bus, &m->object, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, manager_vtable, m);
}

void manager_bus_emit_changed(Manager *m) {
        /* Only when registered; a bus gone away is no reason to fail a request. */
        if (m->object)
                (void) sd_bus_emit_properties_changed(m->bus, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "PoolReady",
                                                      "PoolLaunching", "Busy", "Queued", "Reaping", "CacheEntries",
                                                      "RequestsTotal", "WarmAnswers", "ColdAnswers", "CachedAnswers",
                                                      "Failures", "Cancellations", "AppliancesLaunched", NULL);
}
