/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The command line libxl builds (make_bootloader_args() in
 * tools/libs/light/libxl_bootloader.c):
 *
 *   BL [--kernel=K] [--ramdisk=R] [--args=A] [--runas=UID --quiet]
 *      --output=F --output-format=simple0 --output-directory=D
 *      [bootloader_args...] DISK
 *
 * plus pygrub's options an admin may already use, and ours, which reach us
 * through xl's bootloader_args.  argv comes from the xl config, so from the
 * host admin; it is still checked like any other input.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "selector/config.h"
#include "selector/decide.h"
#include "selector/policy.h"
#include "cli/output.h"
#include "pvboot-select.h"

typedef struct Options {
        const char *disk;
        const char *config;             /* --config, NULL: CONFIG_DEFAULT_PATH */
        bool inspect;                   /* pvboot-select inspect [--json] DISK */
        bool status;                    /* pvboot-select status [--json] */
        bool json;                      /* --json: inspect and status only */
        const char *output;             /* NULL or "-": stdout */
        const char *output_directory;
        OutputFormat output_format;
        const char *args;               /* passed on as the "args" record */
        const char *kernel, *ramdisk;   /* refused: see args.c */
        const char *stage1[_PV_ARCH_MAX];
        const char *stage1_pvh;
        int stage1_status[_STAGE1_KIND_MAX];    /* policy_read_search()'s, per image */
        Policy policy;                  /* --pvh/--pvshim, --force-arch, --prefer, --format,
                                         * --timeout, --host-caps (else read by policy_read_host) */
        const char *record, *replay;    /* e2e builds only (-De2e_replay=true) */
        const char *appliance_cache;    /* appliance_cache: the template (NULL: the default) */
        int memsize_mb;                 /* memsize: the template's appliance memory (0: the default) */
        unsigned long clone_uid_base;   /* clone_uid_base/count: the uids clones run as */
        unsigned clone_uid_count;       /* (0: none, the pvboot-select user instead) */
        bool runas_set;
        uid_t runas;
        bool quiet;
        bool not_really;
        bool no_daemon;                 /* --no-daemon: always the in-process cold path */
        bool debug;
        bool verbose;
        bool help;
} Options;

/* 0 on success; -EINVAL with a one-line reason in err on bad usage. */

int options_parse(int argc, char **argv, Options *ret, char *err, size_t errsz);

/* The same, over the defaults as the config file sets them (config.h):
 * what the command line gives wins.  conf may be NULL. */
int options_parse_config(int argc, char **argv, const Config *conf, Options *ret, char *err, size_t errsz);

extern const char options_usage[];
