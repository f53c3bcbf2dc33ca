/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What the admin decided about one inspection, in one type carried from
 * where it is said (argv and the config file in pvboot-select, the
 * options of the daemon's Inspect call) to the decision (decide.h) and
 * to the parent's check of the answer.  Every source sets it through the
 * same setters, so a value is checked by the same rule wherever it is
 * given, and means the same.
 *
 * The timeout is the whole inspection's: libxl kills a bootloader in
 * restrict mode after LIBXL_BOOTLOADER_TIMEOUT (120 s by default,
 * libxl_internal.h), so ours stays below that with room for the copy;
 * pvboot-select lowers it further to fit the timeout libxl really has
 * (cli/inspection.h: inspection_fit_libxl()).
 */

#include <stdbool.h>

#include "selector/host-caps.h"
#include "selector/search-list.h"
#include "selector/stage1-file.h"
#include "pvboot-select.h"

#define TIMEOUT_MIN 5
#define TIMEOUT_DEFAULT 100
#define TIMEOUT_MAX 110

#define STAGE1_DEFAULT_X86_64 "/usr/lib/grub-xen/grub-x86_64-xen.bin"
#define STAGE1_DEFAULT_I386   "/usr/lib/grub-xen/grub-i386-xen.bin"
#define STAGE1_DEFAULT_PVH    "/usr/lib/grub-xen/grub-i386-xen_pvh.bin"

/* A disk format name as qemu spells them (--format, the daemon's Format). */
#define POLICY_FORMAT_MAX 32

typedef enum DecisionMode {
        MODE_PV = 0,
        MODE_PVH,       /* --pvh: type="pvh" */
        MODE_PVSHIM,    /* --pvshim: type="pvh" + pvshim=1, runs the PV stage 1 */
        _MODE_MAX,
} DecisionMode;

typedef struct Policy {
        DecisionMode mode;
        PvArch force_arch;              /* PV_ARCH_NONE: decide */
        PvArch prefer;                  /* tie-break; PV_ARCH_NONE means x86_64 */
        HostCaps host;                  /* what the hypervisor runs (host.known false: unknown) */
        bool host_given;                /* host came from the caller (--host-caps, HostCaps), not read */
        char format[POLICY_FORMAT_MAX + 1];
        unsigned timeout_sec;
        SearchList search[_STAGE1_KIND_MAX];    /* what each stage 1 searches (policy_read_search) */
} Policy;

/* The defaults: PV, decide, raw, TIMEOUT_DEFAULT, host not read yet,
 * the spec's search lists ("not read"). */
void policy_init(Policy *p);

/* The setters, one rule each wherever the value comes from: 0, or
 * -EINVAL (-ERANGE for a timeout out of TIMEOUT_MIN..TIMEOUT_MAX) with p
 * unchanged.  Each front end words its own message. */
int policy_set_mode(Policy *p, const char *name);               /* pv, pvh, pvshim */
int policy_set_force_arch(Policy *p, const char *name);         /* i386, x86_64 */
int policy_set_prefer(Policy *p, const char *name);             /* i386, x86_64 */
int policy_set_format(Policy *p, const char *name);             /* policy_format_valid() */
int policy_set_timeout(Policy *p, unsigned long sec);
int policy_set_host_caps(Policy *p, const char *caps, const char *source);

/* A stage 1's list from elsewhere (the worker's request, the daemon's
 * caller): 0, or -EINVAL when search_list_check() refuses it. */
int policy_set_search(Policy *p, Stage1Kind k, const SearchList *l);

/* The rules between values, once all are set: -EINVAL for --force-arch
 * (ForceArch) with --pvh (Mode pvh). */
int policy_check(const Policy *p);

/* The host's capabilities, unless the caller gave them: read here, on
 * the privileged side.  -ENXIO when not on Xen (host.known stays false:
 * the caller says the width is not checked against the host). */
int policy_read_host(Policy *p);

/*
 * The search lists of the stage 1s this mode uses (x86_64 and i386 for
 * PV and the shim, pvh for PVH), read from the images at paths[kind] on
 * the privileged side (stage1.h).  An image that cannot be read, or whose
 * config is not modelled, gets the spec's list, its origin saying
 * "spec default: PATH: why".  Returns how many fell back (0: none);
 * ret_status (may be NULL) gets each image's result: 0, or the -errno
 * that made it fall back (-EMEDIUMTYPE: not a Xen image of its kind,
 * which no guest can boot from; 0 for a kind the mode does not use).
 * ret_digest (may be NULL) gets which bytes of each image the decision
 * is made for (stage1-file.h), unknown for an image not read; the copy
 * handed to libxl must be those bytes.
 */
int policy_read_search(Policy *p, const char *const paths[_STAGE1_KIND_MAX], int ret_status[_STAGE1_KIND_MAX],
                       Stage1Digest ret_digest[_STAGE1_KIND_MAX]);
bool policy_uses_stage1(const Policy *p, Stage1Kind k);

/* The path a report's path_index names: entry index of the list of the
 * PV stage 1 of width a, which must chainload; NULL if it does not. */
const char *policy_chainload_path(const Policy *p, PvArch a, uint32_t index);

bool policy_format_valid(const char *s);

const char *decision_mode_to_string(DecisionMode m);
/* The stable name (the D-Bus interface); the value or -EINVAL. */
int decision_mode_from_string(const char *s);
