/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-selectd: keeps single-use libguestfs appliances warm so that
 * pvboot-select decides in about a second instead of a cold appliance's
 * 15-20 s under TCG.  See pvboot-selectd(8) and org.pvbootselect1(5).
 *
 * Thin: parse the command line, connect to the system bus (or the one in
 * DBUS_SYSTEM_BUS_ADDRESS), take the name, run the loop.  The pool, the
 * queue and the bus object are manager.c.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "selector/config.h"
#include "daemon/manager.h"
#include "probe/worker.h"
#include "pvboot-select-bus.h"
#include "record/xs-record.h"

static const char usage[] =
        "Usage: pvboot-selectd [OPTIONS]\n"
        "\n"
        "Keep single-use inspection appliances warm for pvboot-select.\n"
        "\n"
        "  --pool-size=N             appliances kept ready (default 2, 0 disables the pool)\n"
        "  --max-busy=N              inspections at once, warm or cold (default 4)\n"
        "  --queue-limit=N           requests waiting beyond that (default 32)\n"
        "  --memsize=MB              appliance memory (default 512; 0: libguestfs's)\n"
        "  --tcg-cache=MB            pooled appliances' TCG translation cache (default 32; 0: qemu's 1 GiB)\n"
        "  --cache-size=N            decisions remembered (default 64, 0 disables)\n"
        "  --cache-block-devices     cache decisions for block devices too\n"
        "  --allow-group=GROUP       members may call Inspect, besides root\n"
        "  --appliance-cache=DIR     supermin appliance cache directory\n"
        "  --debug                   qemu's and the appliance's output to stderr\n"
        "  --xenstore-janitor        only remove the xenstore records of released domains\n"
        "  --config=FILE             settings file (default " CONFIG_DEFAULT_PATH ")\n"
        "  -h, --help                this text\n";

static bool janitor;

/* allow_group / --allow-group: the group's id, now. */
static int set_group(ManagerConfig *cfg, const char *name) {
        struct group *g = getgrnam(name);
        if (!g) {
                fprintf(stderr, "pvboot-selectd: no group '%s'\n", name);
                return -EINVAL;
        }
        cfg->allow_gid_set = true;
        cfg->allow_gid = g->gr_gid;
        return 0;
}

/* A numeric setting, from the config file or the command line. */
static void set_number(ManagerConfig *cfg, ConfigKey k, long v) {
        switch (k) {
        case CONF_POOL_SIZE:   cfg->pool_size = (unsigned) v; break;
        case CONF_MAX_BUSY:    cfg->max_busy = (unsigned) v; break;
        case CONF_QUEUE_LIMIT: cfg->queue_limit = (unsigned) v; break;
        case CONF_MEMSIZE:     cfg->memsize_mb = (int) v; break;
        case CONF_TCG_CACHE:   cfg->tcg_cache_mb = (unsigned) v; break;
        case CONF_CACHE_SIZE:  cfg->cache_size = (unsigned) v; break;
        case CONF_CACHE_BLOCK_DEVICES: cfg->cache_block_devices = v != 0; break;
        case CONF_CLONE_UID_BASE: cfg->clone_uids.base = (uid_t) v; break;
        case CONF_CLONE_UID_COUNT: cfg->clone_uids.count = (unsigned) v; break;
        default: break;
        }
}

/* The daemon's keys of pvboot-select.conf(5); the client's are ignored. */
static int apply_config(const Config *c, ManagerConfig *cfg) {
        static const ConfigKey numbers[] = { CONF_POOL_SIZE, CONF_MAX_BUSY, CONF_QUEUE_LIMIT, CONF_MEMSIZE,
                                             CONF_TCG_CACHE, CONF_CACHE_SIZE, CONF_CACHE_BLOCK_DEVICES,
                                             CONF_CLONE_UID_BASE, CONF_CLONE_UID_COUNT };
        for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++)
                if (c->set[numbers[i]])
                        set_number(cfg, numbers[i], c->num[numbers[i]]);
        if (c->set[CONF_APPLIANCE_CACHE])
                cfg->cachedir = c->str[CONF_APPLIANCE_CACHE];
        if (c->set[CONF_LOG_LEVEL])
                cfg->debug = c->num[CONF_LOG_LEVEL] >= LOG_LEVEL_DEBUG;
        if (c->set[CONF_ALLOW_GROUP])
                return set_group(cfg, c->str[CONF_ALLOW_GROUP]);
        return 0;
}

static int parse_args(int argc, char **argv, ManagerConfig *cfg) {
        enum { CACHE_BLK = 256, GROUP, ACACHE, DEBUG, JANITOR, CONFIG };
        /* Numeric options are the config keys of the same name: val is
         * the ConfigKey, so one table checks both. */
        static const struct option opts[] = {
                { "pool-size", required_argument, NULL, 1000 + CONF_POOL_SIZE },
                { "max-busy", required_argument, NULL, 1000 + CONF_MAX_BUSY },
                { "queue-limit", required_argument, NULL, 1000 + CONF_QUEUE_LIMIT },
                { "memsize", required_argument, NULL, 1000 + CONF_MEMSIZE },
                { "tcg-cache", required_argument, NULL, 1000 + CONF_TCG_CACHE },
                { "cache-size", required_argument, NULL, 1000 + CONF_CACHE_SIZE },
                { "clone-uid-base", required_argument, NULL, 1000 + CONF_CLONE_UID_BASE },
                { "clone-uid-count", required_argument, NULL, 1000 + CONF_CLONE_UID_COUNT },
                { "cache-block-devices", no_argument, NULL, CACHE_BLK },
                { "allow-group", required_argument, NULL, GROUP },
                { "appliance-cache", required_argument, NULL, ACACHE },
                { "debug", no_argument, NULL, DEBUG },
                { "xenstore-janitor", no_argument, NULL, JANITOR },
                { "config", required_argument, NULL, CONFIG },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        char err[256];
        long v;
        int c;

        while ((c = getopt_long(argc, argv, "h", opts, NULL)) >= 0) {
                if (c >= 1000 && c < 1000 + _CONF_MAX) {
                        if (config_parse_number((ConfigKey) (c - 1000), optarg, &v, err, sizeof(err)) < 0) {
                                const struct option *o = opts;
                                while (o->val != c)
                                        o++;
                                fprintf(stderr, "pvboot-selectd: bad value '%s' for --%s: %s\n", optarg, o->name, err);
                                return -EINVAL;
                        }
                        set_number(cfg, (ConfigKey) (c - 1000), v);
                        continue;
                }
                switch (c) {
                case CACHE_BLK:
                        cfg->cache_block_devices = true;
                        break;
                case GROUP:
                        if (set_group(cfg, optarg) < 0)
                                return -EINVAL;
                        break;
                case ACACHE:
                        if (config_check_path(CONF_APPLIANCE_CACHE, optarg, err, sizeof(err)) < 0) {
                                fprintf(stderr, "pvboot-selectd: --appliance-cache: %s\n", err);
                                return -EINVAL;
                        }
                        cfg->cachedir = optarg;
                        break;
                case DEBUG:
                        cfg->debug = true;
                        break;
                case JANITOR:
                        janitor = true;
                        break;
                case CONFIG:
                        break;  /* read before (config_path_from_argv) */
                case 'h':
                        fputs(usage, stdout);
                        exit(0);
                default:
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "pvboot-selectd: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

/*
 * --xenstore-janitor: the one part that needs xenstore, which only root
 * reaches.  It runs as its own service (pvboot-select-xenstore.service,
 * root with no capability, no bus, no guest bytes) and removes the records
 * pvboot-select wrote for domains that are gone.
 */
static int janitor_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        int n = xs_record_dispatch(userdata);
        (void) es;
        (void) fd;
        (void) revents;
        if (n > 0)
                fprintf(stderr, "pvboot-selectd: removed the xenstore records of %d released domain(s)\n", n);
        return 0;
}

static int run_janitor(sd_event *event) {
        XsRecord *x = NULL;
        int r = xs_record_open(true, &x);

        if (r < 0) {
                fprintf(stderr, "pvboot-selectd: no xenstore (%s); nothing to clean up\n",
                        r == -ENOENT ? "not running on Xen" : strerror(-r));
                return r == -ENOENT ? 0 : r;
        }
        r = sd_event_add_io(event, NULL, xs_record_fd(x), EPOLLIN, janitor_io, x);
        if (r >= 0) {
                fprintf(stderr, "pvboot-selectd: watching @releaseDomain for " XS_RECORD_BASE "\n");
                sd_notify(false, "READY=1");
                r = sd_event_loop(event);
        }
        xs_record_free(x);
        return r;
}

/* The daemon proper: the bus, the template, the manager, the loop. */
static int serve(const ManagerConfig *cfg, sd_event *event) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;     /* first to go: every waiting caller hears why */
        Template *t = NULL;
        TemplateConfig tc;
        char err[512];
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot connect to the system bus: %s\n", strerror(-r)), r;
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        /* The template is root's (pvboot-select template, run by the unit's
         * ExecStartPre): refused here if missing, stale or damaged. */
        worker_template_config(cfg->cachedir, cfg->memsize_mb, cfg->debug, &tc);
        r = template_ensure(&tc, &t, NULL, err, sizeof(err));
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: %s\n", err), r;
        r = manager_new(cfg, t, event, bus, &m);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot start: %s\n", strerror(-r)), r;
        r = sd_bus_request_name(bus, PVBOOT_BUS_NAME, 0);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot own %s: %s\n", PVBOOT_BUS_NAME, strerror(-r)), r;
        manager_start(m);
        fprintf(stderr, "pvboot-selectd: ready on %s: pool of %u, %u at once, %u queued at most, cache of %u\n",
                PVBOOT_BUS_NAME, cfg->pool_size, cfg->max_busy, cfg->queue_limit, cfg->cache_size);
        sd_notify(false, "READY=1");

        r = sd_event_loop(event);
        sd_notify(false, "STOPPING=1");
        if (r < 0)
                fprintf(stderr, "pvboot-selectd: event loop failed: %s\n", strerror(-r));
        return r;
}

int main(int argc, char **argv) {
        ManagerConfig cfg = {
                .pool_size = 2,
                .max_busy = 4,
                .queue_limit = 32,
                .cache_size = 64,
                /* Measured (bench/run.sh): a 32 MiB translation cache keeps
                 * an idle clone near 80 MiB RSS; qemu's default is 1 GiB. */
                .memsize_mb = PVBOOT_APPLIANCE_MEMSIZE_MB,
                .tcg_cache_mb = PVBOOT_TCG_CACHE_MB_DEFAULT,
                .clone_uids = { PVBOOT_CLONE_UID_BASE_DEFAULT, PVBOOT_CLONE_UID_COUNT_DEFAULT },
        };
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(config_free) Config conf = { 0 };
        char err[512];
        sigset_t ss;
        int r;

        setvbuf(stderr, NULL, _IOLBF, 0);
        /* It holds every caller's disk descriptor for a while: no core
         * file of it, and no ptrace or /proc/PID/fd by its own uid. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* Defaults < pvboot-select.conf < the command line. */
        if (config_load(config_path_from_argv(argc, argv), &conf, err, sizeof(err)) < 0)
                return fprintf(stderr, "pvboot-selectd: %s\n", err), 2;
        if (apply_config(&conf, &cfg) < 0 || parse_args(argc, argv, &cfg) < 0)
                return 2;

        /* SIGCHLD stays default: workers are reaped by worker_free().
         * Termination signals go through the loop. */
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigprocmask(SIG_BLOCK, &ss, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_set_watchdog(event, true);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot set up the event loop: %s\n", strerror(-r)), 1;
        r = janitor ? run_janitor(event) : serve(&cfg, event);
        return r < 0 ? 1 : 0;
}
