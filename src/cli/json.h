/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * JSON output through libyajl: `pvboot-select inspect --json` and
 * `pvboot-select status --json`.  The inspection schema is documented in
 * pvboot-select(1) and stable: keys are only ever added.  Every string
 * written is printable ASCII already (text.h escapes whatever the guest
 * or argv gave), so the output is valid JSON and safe on a terminal.
 */

#include <stdio.h>
#include <yajl/yajl_gen.h>

#include "selector/decide.h"
#include "selector/report.h"
#include "shared/macro.h"

#define INSPECT_JSON_VERSION 1

/* An inspection as `inspect --json` prints it.  rep NULL: it failed
 * before there was a report; error is then set. */
typedef struct InspectJson {
        const char *disk;               /* as given on the command line */
        DecisionMode mode;
        const InspectReport *rep;
        const char *stage1;             /* the host stage 1 chosen, or NULL */
        const Policy *policy;           /* the search lists decided with; NULL: not known */
        const char *error;              /* NULL: none */
} InspectJson;

/* Write it to f, one object and a newline.  0 or -errno. */
int inspect_json_write(const InspectJson *j, FILE *f);

/* Helpers for other objects (status): a generator for pretty output, a
 * string or null member, and the final write. */
yajl_gen json_new(void);
void json_key_string(yajl_gen g, const char *key, const char *value);
int json_write(yajl_gen g, FILE *f);

DEFINE_TRIVIAL_CLEANUP_FUNC(yajl_gen, yajl_gen_free);
