/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * /etc/xen/pvboot-select.conf: settings shared by pvboot-select and
 * pvboot-selectd, in xl.cfg syntax, parsed by libxlutil (the parser xl
 * itself uses).  Defaults < this file < the command line; --config=PATH
 * reads another file.  See pvboot-select.conf(5).
 *
 * Each key has one type and one range, and the command-line options that
 * set the same thing are checked against the same table
 * (config_parse_number), so a value means the same wherever it is given.
 */

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_PATH "/etc/xen/pvboot-select.conf"
#define CONFIG_MAX_SIZE (64 * 1024)

typedef enum ConfigKey {
        CONF_STAGE1_X86_64,
        CONF_STAGE1_I386,
        CONF_STAGE1_PVH,
        CONF_PREFER,
        CONF_TIMEOUT,
        CONF_USE_DAEMON,
        CONF_LOG_LEVEL,
        CONF_POOL_SIZE,
        CONF_MAX_BUSY,
        CONF_QUEUE_LIMIT,
        CONF_MEMSIZE,
        CONF_TCG_CACHE,
        CONF_CACHE_SIZE,
        CONF_CACHE_BLOCK_DEVICES,
        CONF_ALLOW_GROUP,
        CONF_APPLIANCE_CACHE,
        CONF_CLONE_UID_BASE,
        CONF_CLONE_UID_COUNT,
        _CONF_MAX,
} ConfigKey;

typedef enum LogLevel {
        LOG_LEVEL_NOTICE,       /* the decision line only */
        LOG_LEVEL_INFO,         /* plus evidence and timing (-v) */
        LOG_LEVEL_DEBUG,        /* plus the appliance's output (--debug) */
        _LOG_LEVEL_MAX,
} LogLevel;

typedef struct Config {
        bool set[_CONF_MAX];
        long num[_CONF_MAX];    /* numbers, booleans (0/1), PvArch, LogLevel */
        char *str[_CONF_MAX];   /* paths and names, malloc'd */
        char path[256];         /* the file read, for messages */
} Config;

const char *config_key_name(ConfigKey k);

/*
 * Read a config file.  path NULL: CONFIG_DEFAULT_PATH, which may be
 * absent (an empty config); a path given explicitly must exist.  0 on
 * success; -errno with one line in err ("FILE:LINE: ...") otherwise.
 */
int config_load(const char *path, Config *ret, char *err, size_t errsz);
void config_free(Config *c);

/* A command-line value for a numeric key, checked by the key's rule;
 * -EINVAL with the allowed range in err. */
int config_parse_number(ConfigKey k, const char *s, long *ret, char *err, size_t errsz);

/* A path value (stage1_*, appliance_cache), from the file or a command
 * line: absolute, printable, and for appliance_cache not under /tmp (each
 * inspection has a private /tmp).  -EINVAL with the reason in err. */
int config_check_path(ConfigKey k, const char *s, char *err, size_t errsz);

/* The value of --config=PATH or --config PATH in argv, or NULL. */
const char *config_path_from_argv(int argc, char **argv);
