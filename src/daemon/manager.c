/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-selectd's pool of clones and queue of requests (see manager.h).
 * The bus object that feeds it and answers for it is manager-bus.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "daemon/manager-internal.h"
#include "pvboot-select-bus.h"
#include "record/journal.h"
#include "shared/macro.h"

unsigned manager_count_slots(const Manager *m, SlotState state, bool pooled_only) {
        unsigned n = 0;
        for (unsigned i = 0; i < m->n_slots; i++)
                if (m->slots[i]->state == state && (!pooled_only || m->slots[i]->pooled))
                        n++;
        return n;
}

unsigned manager_count_queued(const Manager *m) {
        unsigned n = 0;
        for (unsigned i = 0; i < m->n_requests; i++)
                if (!m->requests[i]->slot)
                        n++;
        return n;
}

/* The pool's state changed: for systemctl status, and for bus watchers. */
static void state_changed(Manager *m) {
        sd_notifyf(false, "STATUS=%u ready, %u launching, %u busy, %u queued; %" PRIu64 " requests (%" PRIu64
                   " warm, %" PRIu64 " cold, %" PRIu64 " cached, %" PRIu64 " failed)",
                   manager_count_slots(m, SLOT_READY, false), manager_count_slots(m, SLOT_LAUNCHING, false),
                   manager_count_slots(m, SLOT_BUSY, false), manager_count_queued(m),
                   m->n_total, m->n_warm, m->n_cold, m->n_cached, m->n_failed);
        manager_bus_emit_changed(m);
}

static void dispatch(Manager *m);
static void refill(Manager *m);

/* ---- the dead ----
 *
 * A finished worker is killed at once and reaped as its processes die,
 * on SIGCHLD: the loop never waits for one.  A qemu stuck in the kernel
 * (a read from a hung NFS or iSCSI disk) may take minutes, or forever,
 * to die; until it does, its grave holds its directory and clone uid, and
 * every other request goes on. */

#define USEC_PER_SEC 1000000ULL
#define LINGER_USEC (5 * USEC_PER_SEC)

unsigned manager_count_reaping(const Manager *m) {
        return m->n_graves;
}

static int linger_timer_fired(sd_event_source *es, uint64_t usec, void *userdata);

static void linger_arm(Manager *m) {
        uint64_t next = UINT64_MAX;

        for (unsigned i = 0; i < m->n_graves; i++)
                if (!m->graves[i].reported && m->graves[i].since_usec + LINGER_USEC < next)
                        next = m->graves[i].since_usec + LINGER_USEC;
        if (next == UINT64_MAX) {
                m->linger_timer = sd_event_source_disable_unref(m->linger_timer);
                return;
        }
        if (m->linger_timer) {
                (void) sd_event_source_set_time(m->linger_timer, next);
                (void) sd_event_source_set_enabled(m->linger_timer, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_add_time(m->event, &m->linger_timer, CLOCK_MONOTONIC, next, 0,
                                         linger_timer_fired, m);
}

static int linger_timer_fired(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;

        (void) es;
        for (unsigned i = 0; i < m->n_graves; i++) {
                Grave *g = &m->graves[i];
                if (g->reported || g->since_usec + LINGER_USEC > usec)
                        continue;
                g->reported = true;
                fprintf(stderr, "pvboot-selectd: the processes of worker %d are still alive %llu s after it was "
                                "killed (stuck in the kernel: a hung disk?); its clone uid stays reserved until "
                                "they die; other requests are not affected\n",
                        (int) g->pid, (unsigned long long) ((usec - g->since_usec) / USEC_PER_SEC));
        }
        linger_arm(m);
        return 0;
}

/* Reap what has died; free the graves that are empty. */
static void reap_graves(Manager *m) {
        unsigned before = m->n_graves;

        for (unsigned i = 0; i < m->n_graves;) {
                Grave *g = &m->graves[i];
                if (worker_reap(g->w) != 1) {
                        i++;
                        continue;
                }
                if (g->reported)
                        fprintf(stderr, "pvboot-selectd: the processes of worker %d died %llu s after it was "
                                        "killed; its clone uid is free again\n",
                                (int) g->pid, (unsigned long long) ((now_usec() - g->since_usec) / USEC_PER_SEC));
                worker_free(g->w);
                *g = m->graves[--m->n_graves];
        }
        if (m->n_graves != before) {
                linger_arm(m);
                state_changed(m);
        }
}

static int on_sigchld(sd_event_source *es, const struct signalfd_siginfo *si, void *userdata) {
        (void) es;
        (void) si;
        reap_graves(userdata);
        return 0;
}

static void bury(Manager *m, Worker *w) {
        worker_kill(w);
        if (worker_reap(w) == 1) {
                worker_free(w);
                return;
        }
        if (m->n_graves == m->graves_alloc) {
                unsigned n = m->graves_alloc ? 2 * m->graves_alloc : 8;
                Grave *g = reallocarray(m->graves, n, sizeof(*g));
                if (!g) {
                        /* Not kept, so not waited for either: its uid may
                         * serve again before it is gone. */
                        worker_abandon(w);
                        return;
                }
                m->graves = g;
                m->graves_alloc = n;
        }
        m->graves[m->n_graves++] = (Grave) { .w = w, .pid = worker_pid(w), .since_usec = now_usec() };
        linger_arm(m);
}

/* ---- slots ---- */

static void slot_free(Slot *s) {
        Manager *m = s->m;

        for (unsigned i = 0; i < m->n_slots; i++)
                if (m->slots[i] == s) {
                        m->slots[i] = m->slots[--m->n_slots];
                        break;
                }
        if (s->req)
                s->req->slot = NULL;
        sd_event_source_disable_unref(s->io);
        bury(m, s->w);
        free(s);
}

static void request_answer(Request *r, const InspectReport *rep, bool warm, bool cached);

static int slot_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Slot *s = userdata;
        Manager *m = s->m;
        InspectReport rep;
        int r;

        (void) es;
        (void) fd;
        (void) revents;
        for (;;) {
                r = worker_receive(s->w, &rep);
                if (r == -EAGAIN)
                        return 0;
                if (r == WORKER_READY && s->state == SLOT_LAUNCHING) {
                        s->state = SLOT_READY;
                        m->launch_failures = 0;
                        m->n_launched++;
                        state_changed(m);
                        dispatch(m);
                        return 0;
                }
                if (r == WORKER_REPORT && s->state == SLOT_BUSY && s->req) {
                        Request *req = s->req;
                        bool warm = s->pooled;
                        slot_free(s);
                        request_answer(req, &rep, warm, false);
                        break;
                }
                if (s->state == SLOT_BUSY && s->req) {
                        Request *req = s->req;
                        slot_free(s);
                        request_fail(req, PVBOOT_BUS_ERROR_INSPECTION_FAILED, "inspection failed: %s",
                                     r == -EPIPE ? "the inspection worker died without an answer" :
                                     r == -EPERM ? "the inspection worker answered from another uid than it was given" :
                                     "the inspection worker sent a malformed message");
                        break;
                }
                /* A pooled appliance that failed to start, died idle or
                 * talked out of turn: replace it, more slowly each time. */
                fprintf(stderr, "pvboot-selectd: pooled appliance lost: %s\n",
                        r == WORKER_REPORT ? rep.message :
                        r == -EPIPE ? "its worker exited" : "it sent a malformed message");
                /* 1, 2, 4 ... 256 s: a host that cannot launch appliances
                 * must not spin; requests still take the cold path. */
                if (m->launch_failures < 9)
                        m->launch_failures++;
                m->next_launch_usec = now_usec() + ((uint64_t) 1000000 << (m->launch_failures - 1));
                slot_free(s);
                break;
        }
        state_changed(m);
        dispatch(m);
        refill(m);
        return 0;
}

static int slot_new(Manager *m, bool pooled, const char *format, Slot **ret) {
        _cleanup_free_ Slot *s = NULL;
        WorkerConfig wc = m->worker;
        int r;

        if (m->n_slots >= MAX_SLOTS)
                return -EBUSY;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->m = m;
        s->pooled = pooled;
        s->state = pooled ? SLOT_LAUNCHING : SLOT_BUSY;
        wc.pooled = pooled;
        wc.format = format;
        r = worker_spawn(&wc, &s->w);
        if (r < 0)
                return r;
        r = sd_event_add_io(m->event, &s->io, worker_fd(s->w), EPOLLIN, slot_io, s);
        if (r < 0) {
                bury(m, s->w);
                return r;
        }
        m->slots[m->n_slots++] = s;
        *ret = TAKE_PTR(s);
        return 0;
}

static int refill_timer_fired(sd_event_source *es, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        (void) es;
        (void) usec;
        m->refill_timer = sd_event_source_disable_unref(m->refill_timer);
        refill(m);
        return 0;
}

static void refill(Manager *m) {
        unsigned have;
        uint64_t now = now_usec();

        /* While requests wait, the CPU goes to their appliances: a pooled
         * launch now would be ready no sooner than a cold one. */
        if (m->stopping || m->refill_timer || manager_count_queued(m) > 0)
                return;
        if (now < m->next_launch_usec) {
                if (sd_event_add_time_relative(m->event, &m->refill_timer, CLOCK_MONOTONIC,
                                               m->next_launch_usec - now, 0, refill_timer_fired, m) >= 0)
                        return;
        }
        have = manager_count_slots(m, SLOT_LAUNCHING, true) + manager_count_slots(m, SLOT_READY, true);
        while (have < m->cfg.pool_size) {
                Slot *s;
                int r = slot_new(m, true, "raw", &s);
                if (r < 0) {
                        fprintf(stderr, "pvboot-selectd: cannot start a pooled appliance: %s\n", strerror(-r));
                        break;
                }
                have++;
        }
        state_changed(m);
}

/* ---- requests ---- */

int request_new(Manager *m, Request **ret) {
        Request *r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->m = m;
        r->disk_fd = -EBADF;
        r->arrived_usec = now_usec();
        r->use_cache = true;
        policy_init(&r->policy);
        r->policy.host = m->host;
        /* Until the caller says what its stage 1s search (SearchLists). */
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++)
                search_list_spec_default(k, "the caller sent no search list", &r->policy.search[k]);
        *ret = r;
        return 0;
}

Request *request_free(Request *r) {
        Manager *m;

        if (!r)
                return NULL;
        m = r->m;
        for (unsigned i = 0; i < m->n_requests; i++)
                if (m->requests[i] == r) {
                        memmove(&m->requests[i], &m->requests[i + 1], (m->n_requests - i - 1) * sizeof(Request *));
                        m->n_requests--;
                        break;
                }
        if (r->slot)
                slot_free(r->slot);     /* kills the appliance: single use, even when cancelled */
        sd_event_source_disable_unref(r->timer);
        sd_bus_track_unref(r->track);
        sd_bus_message_unref(r->call);
        safe_close(r->disk_fd);
        free(r->sender);
        free(r);
        return NULL;
}

static void request_finish(Request *r) {
        Manager *m = r->m;
        request_free(r);
        state_changed(m);
        dispatch(m);
        refill(m);
}

static void request_log(const Request *r, int priority, const char *path, const InspectReport *rep, const char *msg,
                        double seconds) {
        journal_record_send(&(JournalRecord) {
                .identifier = "pvboot-selectd",
                .priority = priority,
                .request_id = r->id,
                .caller = r->sender,
                .domid = r->domid,
                .disk = r->disk,
                .path = path,
                .report = rep,
                .message = msg,
                .seconds = seconds,
        });
}

void request_fail(Request *r, const char *error, const char *fmt, ...) {
        char msg[700];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (strcmp(error, PVBOOT_BUS_ERROR_CANCELLED) == 0)
                r->m->n_cancelled++;
        else
                r->m->n_failed++;
        request_log(r, LOG_WARNING, NULL, NULL, msg, (double) (now_usec() - r->arrived_usec) / 1e6);
        manager_bus_reply_error(r, error, msg);
        request_finish(r);
}

static void request_answer(Request *r, const InspectReport *rep, bool warm, bool cached) {
        Manager *m = r->m;
        BusDetails d = {
                .warm = warm,
                .cached = cached,
                .seconds = (double) (now_usec() - r->arrived_usec) / 1e6,
                .request_id = r->id,
        };

        if (rep->status < 0) {
                request_fail(r, PVBOOT_BUS_ERROR_INSPECTION_FAILED, "cannot inspect the disk: %s", rep->message);
                return;
        }
        if (!cached) {
                struct stat st;
                CacheKey after;
                (*(warm ? &m->n_warm : &m->n_cold))++;
                /* Remember it only if the disk is the one we started with. */
                if (r->use_cache && fstat(r->disk_fd, &st) == 0 &&
                    cache_key(m->cache, &st, &r->policy, &after) == 0 && cache_key_equal(&after, &r->key))
                        cache_store(m->cache, &r->key, rep);
        } else
                m->n_cached++;
        request_log(r, LOG_INFO, cached ? "cache" : warm ? "warm" : "cold", rep, rep->message, d.seconds);
        manager_bus_reply_report(r, rep, &d);
        request_finish(r);
}

static int request_deadline(sd_event_source *es, uint64_t usec, void *userdata) {
        Request *r = userdata;
        (void) es;
        (void) usec;
        r->timer = sd_event_source_disable_unref(r->timer);
        request_fail(r, PVBOOT_BUS_ERROR_TIMEOUT, "the inspection did not finish in time; its appliance was destroyed");
        return 0;
}

static int request_client_gone(sd_bus_track *t, void *userdata) {
        Request *r = userdata;
        (void) t;
        /* Nobody to answer: drop the call, kill the appliance. */
        r->call = sd_bus_message_unref(r->call);
        request_fail(r, PVBOOT_BUS_ERROR_CANCELLED, "the caller disconnected");
        return 0;
}

/* May this request use a pooled clone?  One that has seen no disk takes
 * any disk, of any size, by hot-plug; only the format must be raw, as
 * pooled workers attach raw. */
static bool warm_eligible(const Request *r) {
        return strcmp(r->policy.format, "raw") == 0;
}

static void dispatch(Manager *m) {
        for (unsigned i = 0; i < m->n_requests && !m->stopping; i++) {
                Request *r = m->requests[i];
                Slot *s = NULL;
                int k;

                if (r->slot)
                        continue;
                if (manager_count_slots(m, SLOT_BUSY, false) >= m->cfg.max_busy)
                        return;
                if (warm_eligible(r))
                        for (unsigned j = 0; j < m->n_slots && !s; j++)
                                if (m->slots[j]->state == SLOT_READY)
                                        s = m->slots[j];
                if (s)
                        s->state = SLOT_BUSY;
                else {
                        /* Pool empty: this request gets a cold appliance of its own. */
                        k = slot_new(m, false, r->policy.format, &s);
                        if (k < 0) {
                                request_fail(r, PVBOOT_BUS_ERROR_BUSY, "cannot start an appliance: %s", strerror(-k));
                                return;         /* the list changed: dispatch runs again from request_finish */
                        }
                }
                s->req = r;
                r->slot = s;
                k = worker_send(s->w, &r->disk_fd, 1, &r->policy, r->deadline_usec);
                if (k < 0) {
                        request_fail(r, PVBOOT_BUS_ERROR_INSPECTION_FAILED, "cannot hand the disk to the appliance: %s",
                                     strerror(-k));
                        return;
                }
                /* The worker has its own copy now; ours stays open for the
                 * cache's second fstat. */
                refill(m);
        }
}

void manager_submit(Manager *m, Request *r) {
        InspectReport cached;
        int k;

        r->id = ++m->next_id;
        m->n_total++;
        if (m->n_requests >= MAX_REQUESTS) {
                request_fail(r, PVBOOT_BUS_ERROR_BUSY, "too many requests waiting (%u); try again", m->cfg.queue_limit);
                return;
        }
        m->requests[m->n_requests++] = r;       /* request_finish removes it */

        if (r->use_cache && cache_key(m->cache, &r->st, &r->policy, &r->key) == 0) {
                if (cache_lookup(m->cache, &r->key, &cached) == 0) {
                        /* No appliance worked on this answer. */
                        memset(cached.stage_us, 0, sizeof(cached.stage_us));
                        request_answer(r, &cached, false, true);
                        return;
                }
        } else
                r->use_cache = false;

        /* This one is queued already: more than the limit waiting refuses it. */
        if (manager_count_queued(m) > m->cfg.queue_limit) {
                request_fail(r, PVBOOT_BUS_ERROR_BUSY, "too many requests waiting (%u); try again", m->cfg.queue_limit);
                return;
        }
        r->deadline_usec = now_usec() + (uint64_t) r->policy.timeout_sec * 1000000;
        /* The caller leaving cancels it.  (On a direct connection there is
         * no sender to track: the caller is the connection itself.) */
        if ((sd_bus_message_get_sender(r->call) &&
             ((k = sd_bus_track_new(m->bus, &r->track, request_client_gone, r)) < 0 ||
              (k = sd_bus_track_add_sender(r->track, r->call)) < 0)) ||
            (k = sd_event_add_time(m->event, &r->timer, CLOCK_MONOTONIC,
                                   r->deadline_usec, 100000, request_deadline, r)) < 0) {
                request_fail(r, PVBOOT_BUS_ERROR_INSPECTION_FAILED, "cannot track the request: %s", strerror(-k));
                return;
        }
        state_changed(m);
        dispatch(m);
}

/* ---- the manager ---- */

int manager_new(const ManagerConfig *cfg, Template *template, sd_event *event, sd_bus *bus, Manager **ret) {
        char why[512];
        int k;

        if (cfg->pool_size > MAX_SLOTS / 2 || cfg->max_busy == 0 || cfg->max_busy > MAX_SLOTS / 2 ||
            cfg->queue_limit > MAX_REQUESTS - MAX_SLOTS) {
                template_free(template);
                return -EINVAL;
        }
        _cleanup_(manager_freep) Manager *m = calloc(1, sizeof(*m));
        if (!m) {
                template_free(template);
                return -ENOMEM;
        }
        m->cfg = *cfg;
        m->template = template;
        m->event = sd_event_ref(event);
        m->bus = sd_bus_ref(bus);
        k = cache_new(cfg->cache_size, cfg->cache_block_devices, &m->cache);
        if (k < 0)
                return k;

        if (host_caps_read(&m->host) < 0)
                fprintf(stderr, "pvboot-selectd: hypervisor capabilities unknown (not running on Xen?); "
                                "widths are checked by the client only\n");

        /* Who runs the clones, by the one rule (worker.h): a uid per clone,
         * which we must be able to hand out; we may then change uids, but
         * only into the range, and never run guest bytes as our own. */
        WorkerSetup setup = {
                .template = template,
                .tcg_cache_mb = cfg->tcg_cache_mb,
                .debug = cfg->debug,
                .uids = cfg->clone_uids,
                .uids_required = true,
        };
        k = worker_config_new(&setup, &m->worker, why, sizeof(why));
        if (k == WORKER_USER_CLONE_UIDS) {
                k = clone_uid_confine(&cfg->clone_uids);
                if (k < 0)
                        snprintf(why, sizeof(why), "cannot confine setuid to the clone uid range: %s", strerror(-k));
        } else if (k == WORKER_USER_ROOT)
                fprintf(stderr, "pvboot-selectd: running as root and no user '" PVBOOT_WORKER_USER
                                "': appliances run as root\n");
        if (k < 0) {
                fprintf(stderr, "pvboot-selectd: %s\n", why);
                return k;
        }

        /* The caller blocked SIGCHLD (sd_event_add_signal needs it). */
        k = sd_event_add_signal(event, &m->sigchld, SIGCHLD, on_sigchld, m);
        if (k < 0)
                return k;
        k = manager_bus_register(m);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(m);
        return 0;
}

void manager_start(Manager *m) {
        refill(m);
}

void manager_stop(Manager *m) {
        m->stopping = true;
        while (m->n_requests > 0)
                request_fail(m->requests[0], PVBOOT_BUS_ERROR_STOPPING, "pvboot-selectd is stopping");
        while (m->n_slots > 0)
                slot_free(m->slots[0]);
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        manager_stop(m);
        /* The loop is over: give the clones just killed up to 2 s to die,
         * so that a stopped daemon leaves none behind; what is stuck in
         * the kernel after that dies with its I/O (under systemd, in the
         * unit's cgroup, which systemd kills too). */
        for (int i = 0; i < 200 && m->n_graves > 0; i++) {
                reap_graves(m);
                if (m->n_graves > 0)
                        usleep(10000);
        }
        for (unsigned i = 0; i < m->n_graves; i++)
                worker_abandon(m->graves[i].w);
        free(m->graves);
        sd_event_source_disable_unref(m->linger_timer);
        sd_event_source_disable_unref(m->sigchld);
        sd_event_source_disable_unref(m->refill_timer);
        sd_bus_slot_unref(m->object);
        cache_free(m->cache);
        template_free(m->template);
        sd_bus_unref(m->bus);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}
