/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pvboot-selectd's settings: the built-in defaults, then the daemon's keys
 * of pvboot-select.conf(5), then the command line.  Numeric options are
 * the config keys of the same name, checked by the same table
 * (config_parse_number), so a value means the same wherever it is given.
 */

#include <stdbool.h>

#include "daemon/manager.h"
#include "selector/config.h"

typedef struct DaemonOptions {
        ManagerConfig manager;
        bool janitor;           /* --xenstore-janitor: only sweep xenstore records */
        bool help;
} DaemonOptions;

extern const char daemon_usage[];

/* The shipped defaults: a pool of 2, 4 at once, 32 queued, a cache of 64. */
void daemon_options_init(DaemonOptions *o);

/* Defaults < conf (may be NULL) < argv.  0, or -EINVAL with the reason
 * said on stderr ("pvboot-selectd: ..."). */
int daemon_options_parse(int argc, char **argv, const Config *conf, DaemonOptions *o);
