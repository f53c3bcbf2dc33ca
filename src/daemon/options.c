/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pvboot-selectd's settings: defaults < pvboot-select.conf < argv (see options.h). */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/options.h"
#include "probe/worker.h"

const char daemon_usage[] =
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

static int parse_args(int argc, char **argv, DaemonOptions *d) {
        ManagerConfig *cfg = &d->manager;
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

        optind = 0;     /* glibc: a full re-initialisation, so a test can parse twice */
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
                        d->janitor = true;
                        break;
                case CONFIG:
                        break;  /* read before (config_path_from_argv) */
                case 'h':
                        d->help = true;
                        return 0;
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

void daemon_options_init(DaemonOptions *o) {
        *o = (DaemonOptions) {
                .manager = {
                        .pool_size = 2,
                        .max_busy = 4,
                        .queue_limit = 32,
                        .cache_size = 64,
                        .memsize_mb = PVBOOT_APPLIANCE_MEMSIZE_MB,
                        /* Measured (bench/run.sh): a 32 MiB translation cache
                         * keeps an idle clone near 80 MiB RSS; qemu's
                         * default is 1 GiB. */
                        .tcg_cache_mb = PVBOOT_TCG_CACHE_MB_DEFAULT,
                        .clone_uids = { PVBOOT_CLONE_UID_BASE_DEFAULT, PVBOOT_CLONE_UID_COUNT_DEFAULT },
                },
        };
}

int daemon_options_parse(int argc, char **argv, const Config *conf, DaemonOptions *o) {
        daemon_options_init(o);
        if (conf && apply_config(conf, &o->manager) < 0)
                return -EINVAL;
        return parse_args(argc, argv, o);
}
