/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pvboot-selectd's pool, queue and bus object (see manager.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <time.h>
#include <unistd.h>

#include "record/bus-report.h"
#include "daemon/cache.h"
#include "daemon/manager.h"
#include "selector/policy.h"
#include "probe/disk-fd.h"
#include "pvboot-select-bus.h"
#include "shared/text.h"
#include "probe/worker.h"

#define MAX_SLOTS 64
#define MAX_REQUESTS 256

typedef struct Request Request;

typedef enum SlotState {
        SLOT_LAUNCHING,         /* pooled, appliance starting */
        SLOT_READY,             /* pooled, waiting for a request */
        SLOT_BUSY,              /* bound to a request */
} SlotState;

/* One worker: one appliance. */
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
        sd_bus_message *call;
        sd_bus_track *track;
        sd_event_source *timer;
        char *sender;
        int disk_fd;
        struct stat st;
        uint64_t size;          /* regular file or block device, as the plugin sizes it */
        DecisionInput policy;
        char format[33];
        uint32_t domid;
        char disk[128];         /* the caller's name for the disk, escaped: for the log only */
        bool use_cache;
        CacheKey key;
        uint64_t arrived_usec;
        Slot *slot;             /* NULL while queued */
};

struct Manager {
        Template *template;     /* what every clone starts from, verified once */
        ManagerConfig cfg;
        sd_event *event;
        sd_bus *bus;
        sd_bus_slot *object;
        sd_event_source *refill_timer;
        Cache *cache;
        HostCaps host;
        bool worker_drop;       /* running as root: workers drop to our system user */
        uid_t worker_uid;
        gid_t worker_gid;

        Slot *slots[MAX_SLOTS];
        unsigned n_slots;
        Request *requests[MAX_REQUESTS];        /* arrival order */
        unsigned n_requests;
        uint64_t next_id;
        unsigned launch_failures;       /* in a row: backoff */
        uint64_t next_launch_usec;      /* no pooled launch before this */
        bool stopping;

        /* counters, as properties */
        uint64_t n_total, n_warm, n_cold, n_cached, n_failed, n_cancelled, n_launched;
};

static unsigned count_slots(const Manager *m, SlotState state, bool pooled_only) {
        unsigned n = 0;
        for (unsigned i = 0; i < m->n_slots; i++)
                if (m->slots[i]->state == state && (!pooled_only || m->slots[i]->pooled))
                        n++;
        return n;
}

static unsigned count_queued(const Manager *m) {
        unsigned n = 0;
        for (unsigned i = 0; i < m->n_requests; i++)
                if (!m->requests[i]->slot)
                        n++;
        return n;
}

static void notify_status(Manager *m) {
        sd_notifyf(false, "STATUS=%u ready, %u launching, %u busy, %u queued; %" PRIu64 " requests (%" PRIu64
                   " warm, %" PRIu64 " cold, %" PRIu64 " cached, %" PRIu64 " failed)",
                   count_slots(m, SLOT_READY, false), count_slots(m, SLOT_LAUNCHING, false),
                   count_slots(m, SLOT_BUSY, false), count_queued(m),
                   m->n_total, m->n_warm, m->n_cold, m->n_cached, m->n_failed);
}

static void dispatch(Manager *m);
static void refill(Manager *m);

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
        worker_free(s->w);
        free(s);
}

static void request_finish(Request *r);
static void request_fail(Request *r, const char *error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
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
                        notify_status(m);
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
        notify_status(m);
        dispatch(m);
        refill(m);
        return 0;
}

static int slot_new(Manager *m, bool pooled, const char *format, Slot **ret) {
        WorkerConfig wc = {
                .format = format,
                .template = m->template,
                .runas_set = m->worker_drop,
                .runas = m->worker_uid,
                .runas_gid = m->worker_gid,
                .uids = m->cfg.clone_uids,
                .pooled = pooled,
                .tcg_cache_mb = m->cfg.tcg_cache_mb,
                .debug = m->cfg.debug,
                .record_fd = -1,
                .replay_fd = -1,
        };
        Slot *s;
        int r;

        if (m->n_slots >= MAX_SLOTS)
                return -EBUSY;
        s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        s->m = m;
        s->pooled = pooled;
        s->state = pooled ? SLOT_LAUNCHING : SLOT_BUSY;
        r = worker_spawn(&wc, &s->w);
        if (r < 0) {
                free(s);
                return r;
        }
        r = sd_event_add_io(m->event, &s->io, worker_fd(s->w), EPOLLIN, slot_io, s);
        if (r < 0) {
                worker_free(s->w);
                free(s);
                return r;
        }
        m->slots[m->n_slots++] = s;
        *ret = s;
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
        if (m->stopping || m->refill_timer || count_queued(m) > 0)
                return;
        if (now < m->next_launch_usec) {
                if (sd_event_add_time_relative(m->event, &m->refill_timer, CLOCK_MONOTONIC,
                                               m->next_launch_usec - now, 0, refill_timer_fired, m) >= 0)
                        return;
        }
        have = count_slots(m, SLOT_LAUNCHING, true) + count_slots(m, SLOT_READY, true);
        while (have < m->cfg.pool_size) {
                Slot *s;
                int r = slot_new(m, true, "raw", &s);
                if (r < 0) {
                        fprintf(stderr, "pvboot-selectd: cannot start a pooled appliance: %s\n", strerror(-r));
                        break;
                }
                have++;
        }
        notify_status(m);
}

/* ---- requests ---- */

static void request_free(Request *r) {
        Manager *m = r->m;

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
        if (r->disk_fd >= 0)
                close(r->disk_fd);
        free(r->sender);
        free(r);
}

static void request_finish(Request *r) {
        Manager *m = r->m;
        request_free(r);
        notify_status(m);
        dispatch(m);
        refill(m);
}

/* A stage's name as a journal field name part: upper case. */
static const char *stage_field(ReportStage st) {
        static char up[16];
        const char *name = report_stage_to_string(st);
        size_t i;
        for (i = 0; name[i] && i < sizeof(up) - 1; i++)
                up[i] = (char) (name[i] >= 'a' && name[i] <= 'z' ? name[i] - 'a' + 'A' : name[i]);
        up[i] = 0;
        return up;
}

/* Is stderr the journal's stream (systemd sets JOURNAL_STREAM for our
 * unit)?  Then structured entries say more than the line. */
static bool stderr_is_journal(void) {
        static int cached = -1;
        if (cached < 0) {
                const char *e = getenv("JOURNAL_STREAM");
                unsigned long long dev, ino;
                struct stat st;
                cached = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
                         st.st_dev == (dev_t) dev && st.st_ino == (ino_t) ino;
        }
        return cached;
}

/*
 * One line per request.  In the journal it carries fields an admin can
 * match on: journalctl -u pvboot-selectd PVBOOT_DOMID=5, PVBOOT_PATH=cold,
 * PVBOOT_DECISION=nothing-found; with the stages' microseconds.
 * how: warm, cold, cache or NULL (failed); rep NULL for a failure.
 */
static void log_request(const Request *r, int priority, const char *how, const InspectReport *rep, const char *msg,
                        double seconds) {
        char line[900], dom[32] = "", disk[160] = "";

        if (r->domid)
                snprintf(dom, sizeof(dom), " for domain %u", r->domid);
        if (r->disk[0])
                snprintf(disk, sizeof(disk), " (%s)", r->disk);
        snprintf(line, sizeof(line), "request %" PRIu64 " from %s%s%s: %s (%s, %.2f s)", r->id, r->sender, dom,
                 disk, msg, how ? how : "failed", seconds);
        if (!stderr_is_journal()) {
                fprintf(stderr, "pvboot-selectd: %s\n", line);
                return;
        }

        char f[12 + _STAGE_MAX][200];
        struct iovec iov[12 + _STAGE_MAX];
        size_t n = 0;
#define FIELD(...) do { snprintf(f[n], sizeof(f[n]), __VA_ARGS__); iov[n] = (struct iovec) { f[n], strlen(f[n]) }; n++; } while (0)
        FIELD("PRIORITY=%d", priority);
        FIELD("SYSLOG_IDENTIFIER=pvboot-selectd");
        FIELD("PVBOOT_REQUEST=%" PRIu64, r->id);
        FIELD("PVBOOT_CALLER=%s", r->sender);
        FIELD("PVBOOT_DURATION_SEC=%.3f", seconds);
        FIELD("PVBOOT_PATH=%s", how ? how : "failed");
        if (r->domid)
                FIELD("PVBOOT_DOMID=%u", r->domid);
        if (r->disk[0])
                FIELD("PVBOOT_DISK=%s", r->disk);
        if (rep) {
                FIELD("PVBOOT_DECISION=%s", decision_outcome_to_string((DecisionOutcome) rep->outcome));
                if (rep->outcome == DECISION_OK)
                        FIELD("PVBOOT_ARCH=%s", pv_arch_to_string((PvArch) rep->arch));
                for (ReportStage st = 0; st < _STAGE_MAX; st++)
                        if (rep->stage_us[st])
                                FIELD("PVBOOT_STAGE_%s_USEC=%u", stage_field(st), rep->stage_us[st]);
        } else
                FIELD("PVBOOT_DECISION=error");
#undef FIELD
        /* MESSAGE last: the longest, and any truncation stays within it. */
        char message[sizeof(line) + 9];
        snprintf(message, sizeof(message), "MESSAGE=%s", line);
        iov[n++] = (struct iovec) { message, strlen(message) };
        if (sd_journal_sendv(iov, (int) n) < 0)
                fprintf(stderr, "pvboot-selectd: %s\n", line);
}

static void request_fail(Request *r, const char *error, const char *fmt, ...) {
        char msg[700];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (strcmp(error, PVBOOT_BUS_ERROR_CANCELLED) == 0)
                r->m->n_cancelled++;
        else
                r->m->n_failed++;
        log_request(r, LOG_WARNING, NULL, NULL, msg, (double) (now_usec() - r->arrived_usec) / 1e6);
        if (r->call)
                (void) sd_bus_reply_method_errorf(r->call, error, "%s", msg);
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
        sd_bus_message *reply = NULL;
        int k;

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
                    cache_key(m->cache, &st, &r->policy, r->format, &after) == 0 &&
                    cache_key_equal(&after, &r->key))
                        cache_store(m->cache, &r->key, rep);
        } else
                m->n_cached++;
        log_request(r, LOG_INFO, cached ? "cache" : warm ? "warm" : "cold", rep, rep->message, d.seconds);
        k = sd_bus_message_new_method_return(r->call, &reply);
        if (k >= 0)
                k = bus_report_append(reply, rep, &d);
        if (k >= 0)
                k = sd_bus_send(NULL, reply, NULL);
        if (k < 0)
                fprintf(stderr, "pvboot-selectd: cannot answer request %" PRIu64 ": %s\n", r->id, strerror(-k));
        sd_bus_message_unref(reply);
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
static bool warm_eligible(const Manager *m, const Request *r) {
        (void) m;
        return strcmp(r->format, "raw") == 0;
}

static void dispatch(Manager *m) {
        for (unsigned i = 0; i < m->n_requests && !m->stopping; i++) {
                Request *r = m->requests[i];
                Slot *s = NULL;
                int k;

                if (r->slot)
                        continue;
                if (count_slots(m, SLOT_BUSY, false) >= m->cfg.max_busy)
                        return;
                if (warm_eligible(m, r))
                        for (unsigned j = 0; j < m->n_slots && !s; j++)
                                if (m->slots[j]->state == SLOT_READY)
                                        s = m->slots[j];
                if (s)
                        s->state = SLOT_BUSY;
                else {
                        /* Pool empty: this request gets a cold appliance of its own. */
                        k = slot_new(m, false, r->format, &s);
                        if (k < 0) {
                                request_fail(r, PVBOOT_BUS_ERROR_BUSY, "cannot start an appliance: %s", strerror(-k));
                                return;         /* the list changed: dispatch runs again from request_finish */
                        }
                }
                s->req = r;
                r->slot = s;
                k = worker_send(s->w, r->disk_fd, &r->policy);
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

/* ---- the bus ---- */

static int check_caller(Manager *m, sd_bus_message *msg, sd_bus_error *error) {
        sd_bus_creds *c = NULL;
        uid_t uid;
        gid_t gid;
        const gid_t *gids;
        int k, n;
        bool ok = false;

        k = sd_bus_query_sender_creds(msg, SD_BUS_CREDS_EUID | SD_BUS_CREDS_EGID |
                                              SD_BUS_CREDS_SUPPLEMENTARY_GIDS | SD_BUS_CREDS_AUGMENT, &c);
        if (k < 0)
                return sd_bus_error_set_errnof(error, k, "cannot identify the caller: %s", strerror(-k));
        if (sd_bus_creds_get_euid(c, &uid) >= 0 && uid == 0)
                ok = true;
        else if (m->cfg.allow_gid_set) {
                if (sd_bus_creds_get_egid(c, &gid) >= 0 && gid == m->cfg.allow_gid)
                        ok = true;
                n = sd_bus_creds_get_supplementary_gids(c, &gids);
                for (int i = 0; i < n && !ok; i++)
                        ok = gids[i] == m->cfg.allow_gid;
        }
        sd_bus_creds_unref(c);
        if (!ok)
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED,
                                        "only root or the configured group may ask pvboot-selectd to inspect disks");
        return 0;
}

static int read_options(Manager *m, sd_bus_message *msg, Request *r, unsigned *ret_timeout, sd_bus_error *error) {
        unsigned timeout = TIMEOUT_DEFAULT;
        int k;

        r->policy.host = m->host;
        snprintf(r->format, sizeof(r->format), "raw");
        r->use_cache = true;

        k = sd_bus_message_enter_container(msg, 'a', "{sv}");
        if (k < 0)
                return k;
        while ((k = sd_bus_message_enter_container(msg, 'e', "sv")) > 0) {
                const char *key, *s;
                uint32_t u;
                int b;

                k = sd_bus_message_read(msg, "s", &key);
                if (k < 0)
                        return k;
#define READ_V(sig, ptr) do { k = sd_bus_message_read(msg, "v", sig, ptr); if (k < 0) return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "option %s must have type %s", key, sig); } while (0)
                if (strcmp(key, "Mode") == 0) {
                        READ_V("s", &s);
                        k = decision_mode_from_string(s);
                        if (k < 0)
                                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Mode must be pv, pvh or pvshim");
                        r->policy.mode = (DecisionMode) k;
                } else if (strcmp(key, "ForceArch") == 0 || strcmp(key, "Prefer") == 0) {
                        PvArch a;
                        READ_V("s", &s);
                        a = pv_arch_from_string(s);
                        if (a != PV_ARCH_I386 && a != PV_ARCH_X86_64)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "%s must be i386 or x86_64", key);
                        *(key[0] == 'F' ? &r->policy.force_arch : &r->policy.prefer) = a;
                } else if (strcmp(key, "HostCaps") == 0) {
                        READ_V("s", &s);
                        if (host_caps_parse(s, "caller", &r->policy.host) < 0)
                                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "HostCaps is not a xen_caps list");
                } else if (strcmp(key, "Format") == 0) {
                        READ_V("s", &s);
                        if (!policy_format_valid(s))
                                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "Format is not a disk format name");
                        snprintf(r->format, sizeof(r->format), "%s", s);
                } else if (strcmp(key, "Timeout") == 0) {
                        READ_V("u", &u);
                        if (u < TIMEOUT_MIN || u > TIMEOUT_MAX)
                                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                         "Timeout must be %d..%d seconds", TIMEOUT_MIN, TIMEOUT_MAX);
                        timeout = u;
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
                } else
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "unknown option '%.64s'", key);
#undef READ_V
                k = sd_bus_message_exit_container(msg);
                if (k < 0)
                        return k;
        }
        if (k < 0)
                return k;
        k = sd_bus_message_exit_container(msg);
        if (k < 0)
                return k;
        *ret_timeout = timeout;
        return 0;
}

/* The caller opened the disk; we check what kind of descriptor it is
 * with the one rule for them (disk-fd.h), and keep its size. */
static int check_disk_fd(int fd, Request *r, sd_bus_error *error) {
        char err[256];

        if (disk_fd_check(fd, 0, &r->size, err, sizeof(err)) < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, err);
        if (fstat(fd, &r->st) < 0)
                return sd_bus_error_set_errnof(error, errno, "cannot stat the disk descriptor: %s", strerror(errno));
        return 0;
}

static int method_inspect(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Request *r;
        InspectReport cached;
        unsigned timeout = TIMEOUT_DEFAULT;
        int fd, k;

        k = check_caller(m, msg, error);
        if (k < 0)
                return k;
        if (m->stopping)
                return sd_bus_error_set(error, PVBOOT_BUS_ERROR_STOPPING, "pvboot-selectd is stopping");
        k = sd_bus_message_read(msg, "h", &fd);
        if (k < 0)
                return k;

        r = calloc(1, sizeof(*r));
        if (!r)
                return -ENOMEM;
        r->m = m;
        r->disk_fd = -1;
        r->arrived_usec = now_usec();
        k = check_disk_fd(fd, r, error);
        if (k >= 0)
                k = read_options(m, msg, r, &timeout, error);
        if (k >= 0) {
                r->disk_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
                if (r->disk_fd < 0)
                        k = -errno;
        }
        if (k >= 0) {
                r->sender = strdup(sd_bus_message_get_sender(msg) ? sd_bus_message_get_sender(msg) : "(direct)");
                if (!r->sender)
                        k = -ENOMEM;
        }
        if (k < 0) {
                if (r->disk_fd >= 0)
                        close(r->disk_fd);
                free(r->sender);
                free(r);
                return k;
        }
        r->id = ++m->next_id;
        r->call = sd_bus_message_ref(msg);
        m->n_total++;

        if (r->use_cache && cache_key(m->cache, &r->st, &r->policy, r->format, &r->key) == 0) {
                if (cache_lookup(m->cache, &r->key, &cached) == 0) {
                        /* No appliance worked on this answer. */
                        memset(cached.stage_us, 0, sizeof(cached.stage_us));
                        m->requests[m->n_requests++] = r;       /* request_finish removes it */
                        request_answer(r, &cached, false, true);
                        return 1;
                }
        } else
                r->use_cache = false;

        if (m->n_requests >= MAX_REQUESTS || count_queued(m) >= m->cfg.queue_limit) {
                m->requests[m->n_requests++] = r;
                request_fail(r, PVBOOT_BUS_ERROR_BUSY, "too many requests waiting (%u); try again", m->cfg.queue_limit);
                return 1;
        }
        m->requests[m->n_requests++] = r;
        if ((k = sd_bus_track_new(m->bus, &r->track, request_client_gone, r)) < 0 ||
            (k = sd_bus_track_add_sender(r->track, msg)) < 0 ||
            (k = sd_event_add_time_relative(m->event, &r->timer, CLOCK_MONOTONIC, (uint64_t) timeout * 1000000,
                                            100000, request_deadline, r)) < 0) {
                request_fail(r, PVBOOT_BUS_ERROR_INSPECTION_FAILED, "cannot track the request: %s", strerror(-k));
                return 1;
        }
        notify_status(m);
        dispatch(m);
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

#define PROP_U(name, expr)                                                                      \
        static int prop_##name(sd_bus *b, const char *p, const char *i, const char *pr,        \
                               sd_bus_message *reply, void *userdata, sd_bus_error *e) {       \
                Manager *m = userdata;                                                          \
                (void) b; (void) p; (void) i; (void) pr; (void) e;                              \
                return sd_bus_message_append(reply, "u", (uint32_t) (expr));                    \
        }
#define PROP_T(name, field)                                                                     \
        static int prop_##name(sd_bus *b, const char *p, const char *i, const char *pr,        \
                               sd_bus_message *reply, void *userdata, sd_bus_error *e) {       \
                Manager *m = userdata;                                                          \
                (void) b; (void) p; (void) i; (void) pr; (void) e;                              \
                return sd_bus_message_append(reply, "t", m->field);                             \
        }
PROP_U(pool_size, m->cfg.pool_size)
PROP_U(pool_ready, count_slots(m, SLOT_READY, false))
PROP_U(pool_launching, count_slots(m, SLOT_LAUNCHING, false))
PROP_U(busy, count_slots(m, SLOT_BUSY, false))
PROP_U(queued, count_queued(m))
PROP_U(max_busy, m->cfg.max_busy)
PROP_U(queue_limit, m->cfg.queue_limit)
PROP_U(memory_mb, m->template ? m->template->memsize_mb : 0)
PROP_U(tcg_cache_mb, m->cfg.tcg_cache_mb)
PROP_U(cache_entries, cache_size(m->cache))
PROP_U(cache_limit, m->cfg.cache_size)
PROP_T(requests, n_total)
PROP_T(warm, n_warm)
PROP_T(cold, n_cold)
PROP_T(cached, n_cached)
PROP_T(failed, n_failed)
PROP_T(cancelled, n_cancelled)
PROP_T(launched, n_launched)

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("PoolSize", "u", prop_pool_size, 0, 0),
        SD_BUS_PROPERTY("PoolReady", "u", prop_pool_ready, 0, 0),
        SD_BUS_PROPERTY("PoolLaunching", "u", prop_pool_launching, 0, 0),
        SD_BUS_PROPERTY("Busy", "u", prop_busy, 0, 0),
        SD_BUS_PROPERTY("Queued", "u", prop_queued, 0, 0),
        SD_BUS_PROPERTY("MaxBusy", "u", prop_max_busy, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("QueueLimit", "u", prop_queue_limit, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("ApplianceMemoryMB", "u", prop_memory_mb, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("TcgCacheMB", "u", prop_tcg_cache_mb, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("CacheEntries", "u", prop_cache_entries, 0, 0),
        SD_BUS_PROPERTY("CacheLimit", "u", prop_cache_limit, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("RequestsTotal", "t", prop_requests, 0, 0),
        SD_BUS_PROPERTY("WarmAnswers", "t", prop_warm, 0, 0),
        SD_BUS_PROPERTY("ColdAnswers", "t", prop_cold, 0, 0),
        SD_BUS_PROPERTY("CachedAnswers", "t", prop_cached, 0, 0),
        SD_BUS_PROPERTY("Failures", "t", prop_failed, 0, 0),
        SD_BUS_PROPERTY("Cancellations", "t", prop_cancelled, 0, 0),
        SD_BUS_PROPERTY("AppliancesLaunched", "t", prop_launched, 0, 0),
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

/* May we hand out uids: root, or CAP_SETUID and CAP_SETGID in effect? */
static bool can_setuid(void) {
        struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];

        if (geteuid() == 0)
                return true;
        if (syscall(SYS_capget, &h, d) < 0)
                return false;
        return (d[0].effective & (1u << CAP_SETUID)) && (d[0].effective & (1u << CAP_SETGID));
}

int manager_new(const ManagerConfig *cfg, sd_event *event, sd_bus *bus, Manager **ret) {
        Manager *m;
        int k;

        if (cfg->pool_size > MAX_SLOTS / 2 || cfg->max_busy == 0 || cfg->max_busy > MAX_SLOTS / 2 ||
            cfg->queue_limit > MAX_REQUESTS - MAX_SLOTS)
                return -EINVAL;
        m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->cfg = *cfg;
        m->event = sd_event_ref(event);
        m->bus = sd_bus_ref(bus);
        k = cache_new(cfg->cache_size, cfg->cache_block_devices, &m->cache);
        if (k < 0)
                goto fail;

        /* The template is root's (pvboot-select template, run by the unit's
         * ExecStartPre): refused here if missing, stale or damaged. */
        TemplateConfig tc;
        char why[512];
        worker_template_config(cfg->cachedir, cfg->memsize_mb, cfg->debug, &tc);
        k = template_ensure(&tc, &m->template, NULL, why, sizeof(why));
        if (k < 0) {
                fprintf(stderr, "pvboot-selectd: %s\n", why);
                goto fail;
        }

        if (host_caps_read(&m->host) < 0)
                fprintf(stderr, "pvboot-selectd: hypervisor capabilities unknown (not running on Xen?); "
                                "widths are checked by the client only\n");

        /* A uid per clone: we may then change uids, but only into the
         * range (clone_uid_confine), and never run guest bytes as our own. */
        if (cfg->clone_uids.count > 0) {
                k = clone_uid_range_check(&cfg->clone_uids, why, sizeof(why));
                if (k >= 0 && !can_setuid()) {
                        snprintf(why, sizeof(why), "clone uids need CAP_SETUID and CAP_SETGID (the shipped unit "
                                 "grants them) or root; or set clone_uid_count = 0");
                        k = -EPERM;
                }
                if (k >= 0) {
                        k = clone_uid_confine(&cfg->clone_uids);
                        if (k < 0)
                                snprintf(why, sizeof(why), "cannot confine setuid to the clone uid range: %s",
                                         strerror(-k));
                }
                if (k < 0) {
                        fprintf(stderr, "pvboot-selectd: %s\n", why);
                        goto fail;
                }
        } else if (geteuid() == 0) {
                if (worker_default_user(&m->worker_uid, &m->worker_gid) == 0)
                        m->worker_drop = true;
                else
                        fprintf(stderr, "pvboot-selectd: running as root and no user '" PVBOOT_WORKER_USER
                                        "': appliances run as root\n");
        }

        k = sd_bus_add_object_vtable(bus, &m->object, PVBOOT_BUS_PATH, PVBOOT_BUS_INTERFACE, manager_vtable, m);
        if (k < 0)
                goto fail;
        *ret = m;
        return 0;
fail:
        manager_free(m);
        return k;
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
        sd_event_source_disable_unref(m->refill_timer);
        sd_bus_slot_unref(m->object);
        cache_free(m->cache);
        template_free(m->template);
        sd_bus_unref(m->bus);
        sd_event_unref(m->event);
        free(m);
        return NULL;
}
