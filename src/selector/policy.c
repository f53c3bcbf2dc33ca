/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin's policy for an inspection (see policy.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "selector/policy.h"

static const char *const mode_names[_MODE_MAX] = {
        [MODE_PV] = "pv",
        [MODE_PVH] = "pvh",
        [MODE_PVSHIM] = "pvshim",
};

const char *decision_mode_to_string(DecisionMode m) {
        return m < _MODE_MAX ? mode_names[m] : "unknown";
}

int decision_mode_from_string(const char *s) {
        for (int m = 0; s && m < _MODE_MAX; m++)
                if (strcmp(s, mode_names[m]) == 0)
                        return m;
        return -EINVAL;
}

bool policy_format_valid(const char *s) {
        /* libguestfs and qemu take plain identifiers: keep to those. */
        return s && *s && strlen(s) <= POLICY_FORMAT_MAX &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

void policy_init(Policy *p) {
        *p = (Policy) { .mode = MODE_PV, .timeout_sec = TIMEOUT_DEFAULT };
        snprintf(p->format, sizeof(p->format), "raw");
}

int policy_set_mode(Policy *p, const char *name) {
        int m = decision_mode_from_string(name);
        if (m < 0)
                return m;
        p->mode = (DecisionMode) m;
        return 0;
}

static int width(const char *name, PvArch *ret) {
        PvArch a = pv_arch_from_string(name);
        if (a != PV_ARCH_I386 && a != PV_ARCH_X86_64)
                return -EINVAL;
        *ret = a;
        return 0;
}

int policy_set_force_arch(Policy *p, const char *name) {
        return width(name, &p->force_arch);
}

int policy_set_prefer(Policy *p, const char *name) {
        return width(name, &p->prefer);
}

int policy_set_format(Policy *p, const char *name) {
        if (!policy_format_valid(name))
                return -EINVAL;
        snprintf(p->format, sizeof(p->format), "%s", name);
        return 0;
}

int policy_set_timeout(Policy *p, unsigned long sec) {
        if (sec < TIMEOUT_MIN || sec > TIMEOUT_MAX)
                return -ERANGE;
        p->timeout_sec = (unsigned) sec;
        return 0;
}

int policy_set_host_caps(Policy *p, const char *caps, const char *source) {
        HostCaps h;
        if (!caps || host_caps_parse(caps, source, &h) < 0)
                return -EINVAL;
        p->host = h;
        p->host_given = true;
        return 0;
}

int policy_read_host(Policy *p) {
        if (p->host_given)
                return 0;
        return host_caps_read(&p->host);
}

int policy_check(const Policy *p) {
        /* The PVH stage 1 has one width: a width forced on it means nothing. */
        if (p->mode == MODE_PVH && p->force_arch != PV_ARCH_NONE)
                return -EINVAL;
        return 0;
}
