/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pvboot-select's commands for people and scripts, beside the libxl
 * contract in main.c: they answer on stdout, say everything else on
 * stderr, and never write an output directory.
 *
 *   inspect [--json] DISK   the decision; exit 0 bootable, 1 not, 2 usage
 *   -l DISK                 pygrub's -l: the same answer, exit 0 once the disk was read
 *   status [--json]         the daemon's pool and counters; 3: not running
 *   template [--force]      build or verify the appliance and its template
 */

#include "cli/args.h"
#include "selector/report.h"

/* argv over the config file, as every run reads them: 0, or the exit
 * code 2 with the usage error said (as one JSON object for inspect
 * --json). */
int command_parse(int argc, char **argv, Config *conf, Options *o);

int command_inspect(const Options *o);
int command_status(const Options *o);
int command_template(int argc, char **argv);

/* inspect's failure, as text or (--json) one JSON object with "error"
 * set: returns rc.  rep may be NULL; policy too (the options were never
 * read: no search lists to show). */
int command_inspect_failed(const Options *o, const Policy *policy, const InspectReport *rep, const char *msg, int rc);
