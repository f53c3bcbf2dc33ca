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
} Policy;

/* The defaults: PV, decide, raw, TIMEOUT_DEFAULT, host not read yet. */
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

/* The rules between values, once all are set: -EINVAL for --force-arch
 * (ForceArch) with --pvh (Mode pvh). */
int policy_check(const Policy *p);

/* The host's capabilities, unless the caller gave them: read here, on
 * the privileged side.  -ENXIO when not on Xen (host.known stays false:
 * the caller says the width is not checked against the host). */
int policy_read_host(Policy *p);

bool policy_format_valid(const char *s);

const char *decision_mode_to_string(DecisionMode m);
/* The stable name (the D-Bus interface); the value or -EINVAL. */
int decision_mode_from_string(const char *s);
