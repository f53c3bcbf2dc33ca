/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One Inspect() call (see client.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "cli/client.h"
#include "cli/json.h"
#include "probe/worker.h"
#include "pvboot-select-bus.h"
#include "record/bus-peer.h"
#include "record/bus-search.h"
#include "shared/macro.h"
#include "shared/text.h"

uint32_t client_domid_from_output(const char *path) {
        const char *base, *p;
        unsigned long v = 0;

        if (!path)
                return 0;
        base = strrchr(path, '/');
        base = base ? base + 1 : path;
        if (strncmp(base, "bootloader.", 11) != 0)
                return 0;
        p = base + 11;
        if (*p < '1' || *p > '9')
                return 0;
        for (; *p >= '0' && *p <= '9'; p++) {
                v = v * 10 + (unsigned long) (*p - '0');
                if (v >= 0x7FF0)
                        return 0;
        }
        return strcmp(p, ".out") == 0 ? (uint32_t) v : 0;
}

static bool unreachable_error(const sd_bus_error *e) {
        static const char *const names[] = {
                SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER, SD_BUS_ERROR_NO_REPLY,
                SD_BUS_ERROR_DISCONNECTED, SD_BUS_ERROR_ACCESS_DENIED, SD_BUS_ERROR_UNKNOWN_OBJECT,
                SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_INTERFACE, SD_BUS_ERROR_NO_SERVER,
                PVBOOT_BUS_ERROR_BUSY, PVBOOT_BUS_ERROR_STOPPING, NULL
        };
        for (const char *const *n = names; *n; n++)
                if (sd_bus_error_has_name(e, *n))
                        return true;
        return false;
}

static void set_err(char *err, size_t errlen, const char *what, const char *detail) {
        char raw[600];
        char buf[sizeof(raw) * 4];
        snprintf(raw, sizeof(raw), "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
        /* The daemon's words reach the guest console: printable only, and
         * a guest's byte escaped once (the worker did), not again. */
        snprintf(err, errlen, "%s", text_printable(raw, sizeof(raw), buf, sizeof(buf)));
}

/* The request: the disk and the admin's policy, as org.pvbootselect1(5)'s
 * options. */
static int append_request(sd_bus_message *m, int disk_fd, const ClientRequest *req, uint64_t cookie) {
        const Policy *p = req->policy;
        char disk[128];
        int k;

        if ((k = sd_bus_message_append(m, "h", disk_fd)) < 0 ||
            (k = sd_bus_message_open_container(m, 'a', "{sv}")) < 0 ||
            (k = sd_bus_message_append(m, "{sv}{sv}{sv}{sv}", "Mode", "s", decision_mode_to_string(p->mode),
                                       "Format", "s", p->format, "Timeout", "u", p->timeout_sec,
                                       "Cookie", "t", cookie)) < 0)
                return k;
        if (p->force_arch != PV_ARCH_NONE &&
            (k = sd_bus_message_append(m, "{sv}", "ForceArch", "s", pv_arch_to_string(p->force_arch))) < 0)
                return k;
        if (p->prefer != PV_ARCH_NONE &&
            (k = sd_bus_message_append(m, "{sv}", "Prefer", "s", pv_arch_to_string(p->prefer))) < 0)
                return k;
        if (p->host_given && (k = sd_bus_message_append(m, "{sv}", "HostCaps", "s", p->host.text)) < 0)
                return k;
        if (req->domid && (k = sd_bus_message_append(m, "{sv}", "DomainId", "u", req->domid)) < 0)
                return k;
        if ((k = bus_search_append(m, p)) < 0)
                return k;
        /* D-Bus strings must be UTF-8 and a path need not be: escaped, it is
         * ASCII (it only names the disk in the daemon's log). */
        if (req->disk && (k = sd_bus_message_append(m, "{sv}", "Disk", "s",
                                                     text_escape(req->disk, strlen(req->disk), disk, sizeof(disk)))) < 0)
                return k;
        return sd_bus_message_close_container(m);
}

/*
 * The system bus, and the daemon on it that we may trust with a guest's
 * disk: the unique name owning PVBOOT_BUS_NAME now, run (as the bus
 * driver saw when it connected) by root or by the pvboot-select user the
 * unit runs it as.  Whoever else owns the name (a user's process that
 * took it while the daemon was down) gets nothing: CLIENT_NO_DAEMON, said
 * in err.  Calls go to that unique name, so the well-known one changing
 * hands after this check cannot redirect them.
 */
static int connect_daemon(sd_bus **ret_bus, char **ret_owner, char *err, size_t errlen) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *owner = NULL;
        gid_t gids[BUS_PEER_MAX_GROUPS], daemon_gid;
        uid_t uid, daemon_uid = 0;
        size_t n;
        char why[128];
        int k;

        k = sd_bus_open_system(&bus);
        if (k < 0) {
                set_err(err, errlen, "no system bus", strerror(-k));
                return CLIENT_NO_DAEMON;
        }
        k = bus_peer_owner(bus, PVBOOT_BUS_NAME, &owner);
        if (k < 0) {
                set_err(err, errlen, "pvboot-selectd not reachable", k == -ENXIO ? "nobody owns " PVBOOT_BUS_NAME
                                                                                : strerror(-k));
                return CLIENT_NO_DAEMON;
        }
        k = bus_peer_creds(bus, owner, &uid, gids, &n);
        if (k < 0) {
                set_err(err, errlen, "pvboot-selectd not reachable: cannot identify its owner", strerror(-k));
                return CLIENT_NO_DAEMON;
        }
        if (uid != 0 && (worker_default_user(&daemon_uid, &daemon_gid) < 0 || uid != daemon_uid)) {
                snprintf(why, sizeof(why), "%s is owned by uid %u, not by root or the " PVBOOT_WORKER_USER
                         " user; not sending it the disk", PVBOOT_BUS_NAME, (unsigned) uid);
                set_err(err, errlen, why, NULL);
                return CLIENT_NO_DAEMON;
        }
        *ret_bus = TAKE_PTR(bus);
        *ret_owner = TAKE_PTR(owner);
        return CLIENT_ANSWERED;
}

/* A cookie for Cancel: unguessable is not needed (the daemon matches
 * the caller's bus name too), distinct from our other calls' is. */
static uint64_t new_cookie(void) {
        uint64_t c = 0;
        struct timespec ts;

        if (getrandom(&c, sizeof(c), GRND_NONBLOCK) != (ssize_t) sizeof(c)) {
                clock_gettime(CLOCK_MONOTONIC, &ts);
                c = ((uint64_t) getpid() << 32) ^ (uint64_t) ts.tv_sec * 1000000000u ^ (uint64_t) ts.tv_nsec;
        }
        return c ? c : 1;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        (void) ret_error;
        *(sd_bus_message **) userdata = sd_bus_message_ref(m);
        return 1;
}

/*
 * Wait for the reply to the call in flight (on_reply fills *reply) in a
 * loop of our own, so that stop_fd is watched with the bus: sd_bus_call()
 * would sit out a signal (newer sd-bus retries EINTR) until its timeout.
 * 0 with *reply (a method return or an error; sd-bus makes an error of a
 * timeout or a lost connection), -ECANCELED when stop_fd became readable,
 * or -errno from the bus.
 */
static int wait_reply(sd_bus *bus, int stop_fd, sd_bus_message **reply) {
        for (;;) {
                struct pollfd p[2] = { { .fd = -1 }, { .fd = stop_fd, .events = POLLIN } };
                uint64_t until = UINT64_MAX;
                int k = 0, ms = -1;

                while (!*reply && (k = sd_bus_process(bus, NULL)) > 0)
                        ;
                if (*reply)
                        return 0;
                if (k < 0)
                        return k;
                if ((k = p[0].fd = sd_bus_get_fd(bus)) < 0 || (k = sd_bus_get_events(bus)) < 0)
                        return k;
                p[0].events = (short) k;
                if ((k = sd_bus_get_timeout(bus, &until)) < 0)
                        return k;
                if (until != UINT64_MAX) {
                        struct timespec ts;
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        uint64_t now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
                        uint64_t left = until > now ? (until - now + 999) / 1000 : 0;
                        ms = left > 60000 ? 60000 : (int) left;
                }
                k = poll(p, stop_fd >= 0 ? 2 : 1, ms);
                if (k < 0 && errno != EINTR)
                        return -errno;
                if (k > 0 && (p[1].revents & POLLIN))
                        return -ECANCELED;
                /* EINTR: our handler wrote stop_fd first; the next poll sees it. */
        }
}

/* Cancel(cookie), bounded: whether or not it arrives, our leaving the bus
 * next cancels the request too ("the caller disconnected"). */
static void cancel_request(sd_bus *bus, const char *daemon, uint64_t cookie, char *err, size_t errlen) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        uint32_t n = 0;
        int k;

        k = sd_bus_message_new_method_call(bus, &m, daemon, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Cancel");
        if (k >= 0)
                k = sd_bus_message_set_auto_start(m, 0);
        if (k >= 0)
                k = sd_bus_message_append(m, "t", cookie);
        if (k >= 0)
                k = sd_bus_call(bus, m, CLIENT_CANCEL_USEC, &e, &reply);
        if (k >= 0)
                k = sd_bus_message_read(reply, "u", &n);
        if (k < 0)
                set_err(err, errlen, "the request could not be cancelled, it ends as we leave the bus",
                        sd_bus_error_is_set(&e) ? e.message : strerror(-k));
        else
                set_err(err, errlen, n > 0 ? "the request was cancelled" : "the request had already ended", NULL);
}

int client_inspect_on(sd_bus *bus, const char *daemon, int disk_fd, const ClientRequest *req, InspectReport *ret,
                      BusDetails *ret_details, char *err, size_t errlen) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        uint64_t cookie = new_cookie();
        int k;

        k = sd_bus_message_new_method_call(bus, &m, daemon, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, "Inspect");
        /* Never wait for bus activation: a daemon that is not running
         * now would start with an empty pool, no faster than we are. */
        if (k >= 0)
                k = sd_bus_message_set_auto_start(m, 0);
        if (k >= 0)
                k = append_request(m, disk_fd, req, cookie);
        if (k < 0) {
                set_err(err, errlen, "cannot build the request", strerror(-k));
                return CLIENT_NO_DAEMON;
        }

        /* The daemon enforces the deadline; a little more here so that
         * its Timeout error, not ours, is what we report. */
        k = sd_bus_call_async(bus, &slot, m, on_reply, &reply,
                              (uint64_t) (req->policy->timeout_sec + CLIENT_REPLY_GRACE_SEC) * 1000000);
        if (k >= 0)
                k = wait_reply(bus, req->stop_fd, &reply);
        if (k == -ECANCELED) {
                slot = sd_bus_slot_unref(slot);         /* its answer is nobody's now */
                cancel_request(bus, daemon, cookie, err, errlen);
                return -ECANCELED;
        }
        if (k >= 0 && sd_bus_message_is_method_error(reply, NULL)) {
                k = sd_bus_error_copy(&e, sd_bus_message_get_error(reply));
                k = k < 0 ? k : -EIO;
        }
        if (k < 0 && (!sd_bus_error_is_set(&e) || unreachable_error(&e))) {
                set_err(err, errlen, "pvboot-selectd not reachable", sd_bus_error_is_set(&e) ? e.message : strerror(-k));
                return CLIENT_NO_DAEMON;
        }
        if (k < 0) {
                set_err(err, errlen, e.message ? e.message : e.name, NULL);
                return sd_bus_error_has_name(&e, PVBOOT_BUS_ERROR_TIMEOUT) ? -ETIMEDOUT : -EREMOTEIO;
        }
        k = bus_report_read(reply, ret, ret_details);
        if (k < 0) {
                set_err(err, errlen, "pvboot-selectd sent a malformed answer", NULL);
                return k;
        }
        if (ret->worker_uid == 0) {
                set_err(err, errlen, "pvboot-selectd inspected as root; not using it", NULL);
                return CLIENT_NO_DAEMON;
        }
        return CLIENT_ANSWERED;
}

int client_inspect(int disk_fd, const ClientRequest *req, InspectReport *ret, BusDetails *ret_details,
                   char *err, size_t errlen) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *owner = NULL;
        int k;

        k = connect_daemon(&bus, &owner, err, errlen);
        if (k != CLIENT_ANSWERED)
                return k;
        return client_inspect_on(bus, owner, disk_fd, req, ret, ret_details, err, errlen);
}

/* The properties status shows, in the order it shows them. */
static const char *const status_props[] = {
        "PoolSize", "PoolReady", "PoolLaunching", "Busy", "MaxBusy", "Queued", "QueueLimit",
        "ApplianceMemoryMB", "TcgCacheMB", "CacheEntries", "CacheLimit", "RequestsTotal", "WarmAnswers",
        "ColdAnswers", "CachedAnswers", "Failures", "Cancellations", "AppliancesLaunched", "Reaping", NULL
};
#define N_STATUS (sizeof(status_props) / sizeof(status_props[0]) - 1)

/* GetAll into vals[] by status_props index; unknown or mistyped: absent. */
static int read_status(sd_bus_message *reply, uint64_t vals[static N_STATUS], bool have[static N_STATUS]) {
        int k = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (k >= 0 && (k = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *name, *type;
                size_t i;

                k = sd_bus_message_read(reply, "s", &name);
                if (k >= 0)
                        k = sd_bus_message_peek_type(reply, NULL, &type);
                for (i = 0; k >= 0 && i < N_STATUS && strcmp(status_props[i], name) != 0; i++)
                        ;
                if (k < 0)
                        break;
                if (i < N_STATUS && strcmp(type, "u") == 0) {
                        uint32_t u;
                        k = sd_bus_message_read(reply, "v", "u", &u);
                        vals[i] = u;
                        have[i] = k >= 0;
                } else if (i < N_STATUS && strcmp(type, "t") == 0) {
                        k = sd_bus_message_read(reply, "v", "t", &vals[i]);
                        have[i] = k >= 0;
                } else
                        k = sd_bus_message_skip(reply, "v");
                if (k >= 0)
                        k = sd_bus_message_exit_container(reply);
        }
        if (k >= 0)
                k = sd_bus_message_exit_container(reply);
        return k;
}

/* The properties as one JSON object, in status_props' order; null for
 * one the daemon did not send. */
static int write_status_json(FILE *out, const uint64_t v[static N_STATUS], const bool have[static N_STATUS]) {
        _cleanup_(yajl_gen_freep) yajl_gen g = json_new();

        if (!g)
                return -ENOMEM;
        yajl_gen_map_open(g);
        for (size_t i = 0; i < N_STATUS; i++) {
                yajl_gen_string(g, (const unsigned char *) status_props[i], strlen(status_props[i]));
                if (have[i])
                        yajl_gen_integer(g, (long long) v[i]);
                else
                        yajl_gen_null(g);
        }
        yajl_gen_map_close(g);
        return json_write(g, out);
}

int client_status(FILE *out, bool json, char *err, size_t errlen) {
        _cleanup_free_ char *owner = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        uint64_t v[N_STATUS] = { 0 };
        bool have[N_STATUS] = { false };
        int k;

        k = connect_daemon(&bus, &owner, err, errlen);
        if (k != CLIENT_ANSWERED)
                return k;
        k = sd_bus_call_method(bus, owner, PVBOOT_BUS_PATH, "org.freedesktop.DBus.Properties", "GetAll",
                               &e, &reply, "s", PVBOOT_BUS_INTERFACE);
        if (k < 0) {
                set_err(err, errlen, "pvboot-selectd is not running",
                        sd_bus_error_is_set(&e) ? e.message : strerror(-k));
                return CLIENT_NO_DAEMON;
        }
        k = read_status(reply, v, have);
        if (k < 0) {
                set_err(err, errlen, "pvboot-selectd sent malformed properties", NULL);
                return k;
        }
        if (json)
                return write_status_json(out, v, have);
#define V(name) (unsigned long long) v[name]
        enum { POOL, READY, LAUNCHING, BUSY, MAXBUSY, QUEUED, QLIMIT, MEM, TCG, CENTRIES, CLIMIT, TOTAL, WARM,
               COLD, CACHED, FAILED, CANCELLED, LAUNCHED, REAPING };
        fprintf(out, "pvboot-selectd on %s\n", PVBOOT_BUS_NAME);
        fprintf(out, "  pool:       %llu of %llu appliances ready, %llu starting\n", V(READY), V(POOL), V(LAUNCHING));
        fprintf(out, "  work:       %llu inspecting (at most %llu), %llu queued (at most %llu)\n", V(BUSY),
                V(MAXBUSY), V(QUEUED), V(QLIMIT));
        fprintf(out, "  appliance:  %llu MB memory%s, TCG cache %llu MB%s\n", V(MEM), v[MEM] ? "" : " (libguestfs default)",
                V(TCG), v[TCG] ? "" : " (qemu default)");
        fprintf(out, "  cache:      %llu of %llu decisions\n", V(CENTRIES), V(CLIMIT));
        fprintf(out, "  requests:   %llu: %llu warm, %llu cold, %llu from the cache, %llu failed, %llu cancelled\n",
                V(TOTAL), V(WARM), V(COLD), V(CACHED), V(FAILED), V(CANCELLED));
        fprintf(out, "  appliances: %llu started since the daemon started", V(LAUNCHED));
        /* Killed, but stuck in the kernel (a hung disk): worth a look. */
        if (have[REAPING] && v[REAPING])
                fprintf(out, "; %llu killed but not yet dead", V(REAPING));
        fputc('\n', out);
#undef V
        return fflush(out) == 0 ? 0 : -EIO;
}
