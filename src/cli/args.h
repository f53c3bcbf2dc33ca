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
 *
 * libxl also lets its bootloader inherit xl's environment (libxl__exec()
 * only adds TERM), which is where its timeout comes from: LibxlTimeout.
 */

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "selector/config.h"
#include "selector/decide.h"
#include "selector/policy.h"
#include "cli/output.h"
#include "pvboot-select.h"

/* --disk: the domain's disks after DISK, 15 more make xvda..xvdp. */
#define OPTIONS_EXTRA_DISKS_MAX 15

/*
 * pygrub's flags (tools/pygrub/src/pygrub, its getopt list; and xend's
 * --default_args/--extra_args) that mean nothing under pvgrub2: accepted,
 * so that an xl config written for pygrub works by changing bootloader=,
 * and each said once with what to do instead (options_pygrub_note()).
 * -q, -n, -l, --output*, --runas and --debug are honoured.
 */
typedef enum PygrubFlag {
        PYGRUB_INTERACTIVE,     /* -i, --interactive */
        PYGRUB_ENTRY,           /* --entry= */
        PYGRUB_ISCONFIG,        /* --isconfig */
        PYGRUB_OFFSET,          /* --offset= */
        PYGRUB_KERNEL,          /* --kernel=, --ramdisk= (xl's kernel=, ramdisk=) */
        PYGRUB_ARGS,            /* a non-empty --args= (xl's extra=, root=, cmdline=) */
        PYGRUB_XEND_ARGS,       /* --default_args=, --extra_args= */
        _PYGRUB_MAX,
} PygrubFlag;

typedef struct Options {
        const char *disk;
        const char *extra_disks[OPTIONS_EXTRA_DISKS_MAX];  /* --disk, in order (cli/extra-disks.h) */
        unsigned n_extra_disks;
        const char *config;             /* --config, NULL: CONFIG_DEFAULT_PATH */
        bool inspect;                   /* pvboot-select inspect [--json] DISK */
        bool status;                    /* pvboot-select status [--json] */
        bool json;                      /* --json: inspect and status only */
        const char *output;             /* NULL or "-": stdout */
        const char *output_directory;
        OutputFormat output_format;
        const char *args;               /* passed on as the "args" record: the stage 1's command line */
        const char *kernel, *ramdisk;   /* pygrub's: ignored, said (PYGRUB_KERNEL) */
        unsigned pygrub_ignored;        /* 1u << PygrubFlag, for each one given */
        bool list;                      /* -l: print the decision as inspect does, exit 0 */
        const char *stage1[_PV_ARCH_MAX];
        const char *stage1_pvh;
        int stage1_status[_STAGE1_KIND_MAX];    /* policy_read_search()'s, per image */
        Stage1Digest stage1_digest[_STAGE1_KIND_MAX];   /* the bytes of each image decided for */
        Policy policy;                  /* --pvh/--pvshim, --force-arch, --prefer, --format,
                                         * --timeout, --host-caps (else read by policy_read_host) */
        bool mode_given;                /* --pvh or --pvshim: else libxl's record sets it (cli/domain.h) */
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

/* The one line for a pygrub flag we accept but cannot honour: what it
 * would have done, and what to do instead.  xen_grub_env: the stage 1
 * returned sets GRUB variables from xen_grub_env_* words of its command
 * line (output.h: stage1_reads_xen_grub_env), so extra= still has a use. */
const char *options_pygrub_note(PygrubFlag f, bool xen_grub_env);

/*
 * libxl's timeout (Xen 4.17 with the XSA-443 backport, libxl_bootloader.c,
 * bootloader_gotptys()): only in restrict mode, i.e. with
 * LIBXL_BOOTLOADER_RESTRICT or LIBXL_BOOTLOADER_USER set in xl's
 * environment (to any value), libxl arms a timer just before it forks its
 * bootloader and SIGKILLs it when it fires (bootloader_timeout()).  The
 * seconds are atoi(LIBXL_BOOTLOADER_TIMEOUT), or the build-time
 * LIBXL_BOOTLOADER_TIMEOUT of libxl_internal.h (120) when unset; 0 arms
 * nothing, and a negative value arms a timer that never fires
 * (libxl__ev_time_register_rel() reads negative milliseconds as
 * "forever").  The seconds are multiplied by 1000 in an int: beyond
 * LIBXL_TIMEOUT_MAX either way, libxl's own behaviour is undefined.
 */
#define LIBXL_TIMEOUT_DEFAULT 120
#define LIBXL_TIMEOUT_MAX 2147483
_Static_assert(LIBXL_TIMEOUT_MAX == INT_MAX / 1000, "libxl's milliseconds are an int");

typedef struct LibxlTimeout {
        bool restrict_mode;     /* LIBXL_BOOTLOADER_RESTRICT or _USER set */
        const char *text;       /* LIBXL_BOOTLOADER_TIMEOUT as set, NULL: unset */
        long value;             /* what libxl's atoi() makes of it (the default when unset) */
        bool trailing;          /* atoi() stopped before the end of text */
        unsigned kill_sec;      /* libxl kills us this long after forking us; 0: never */
} LibxlTimeout;

/*
 * What libxl will do, from the three variables (NULL: unset), read the
 * way libxl reads them.  0, or -ERANGE in restrict mode for a value libxl
 * cannot multiply by 1000 (its timeout undefined), with the line in err.
 */
int libxl_timeout_parse(const char *restrict_env, const char *user_env, const char *timeout_env,
                        LibxlTimeout *ret, char *err, size_t errsz);
