/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The domain type libxl recorded, as the mode (see domain.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/domain.h"
#include "record/domain-type.h"

/* Why there is no type to go by, in a few words. */
static const char *unknown_reason(int r) {
        switch (r) {
        case -EINVAL:
                return "no domid in the --output file name";
        case -ENXIO:
                return "no xenstore";
        case -ENOENT:
                return "libxl recorded none";
        case -ESRCH:
                return "the hypervisor has no such live domain";
        default:
                return strerror(-r);
        }
}

DecisionMode domain_mode_resolve(bool flag_given, DecisionMode flag, uint32_t domid, int recorded, char *line,
                                 size_t linesz, bool *ret_loud) {
        const char *fl = decision_mode_to_string(flag);
        DecisionMode mode = flag_given ? flag : MODE_PV;

        *ret_loud = false;
        if (recorded == -EBADMSG || recorded == -EPROTO) {
                *ret_loud = true;
                snprintf(line, linesz, "libxl's /libxl/%u/type %s: going by the flags (%s)", domid,
                         recorded == -EBADMSG ? "is not a type libxl writes" : "contradicts the hypervisor's domain",
                         decision_mode_to_string(mode));
                return mode;
        }
        if (recorded < 0 || recorded >= _DOMAIN_TYPE_MAX) {
                snprintf(line, linesz, "domain type not known from libxl (%s): %s",
                         unknown_reason(recorded < 0 ? recorded : -EBADMSG), decision_mode_to_string(mode));
                return mode;
        }
        if (recorded == DOMAIN_TYPE_PVH && !flag_given) {
                snprintf(line, linesz, "domain %u is type pvh (/libxl/%u/type): the PVH stage 1 "
                         "(a pvshim=1 guest needs --pvshim: libxl does not record it)", domid, domid);
                return MODE_PVH;
        }
        if (recorded == DOMAIN_TYPE_PV && flag_given && flag != MODE_PV) {
                *ret_loud = true;
                snprintf(line, linesz, "domain %u is type pv (/libxl/%u/type), but --%s was given: going by --%s",
                         domid, domid, fl, fl);
                return mode;
        }
        snprintf(line, linesz, "domain %u is type %s (/libxl/%u/type)%s%s%s", domid,
                 domain_type_to_string((DomainType) recorded), domid, flag_given ? ", and --" : "",
                 flag_given ? fl : "", flag_given ? " agrees" : "");
        return mode;
}

int domain_mode_apply(Options *o, uint32_t domid, char *line, size_t linesz, bool *ret_loud) {
        DomainType t = DOMAIN_TYPE_PV;
        int r = domid ? domain_type_read(domid, &t) : -EINVAL;

        o->policy.mode = domain_mode_resolve(o->mode_given, o->policy.mode, domid, r < 0 ? r : (int) t, line, linesz,
                                             ret_loud);
        if (policy_check(&o->policy) < 0) {
                snprintf(line, linesz, "domain %u is type pvh (/libxl/%u/type) and --force-arch has no meaning "
                         "for the PVH stage 1: give --pvshim if the guest has pvshim=1 (libxl does not record it), "
                         "or drop --force-arch", domid, domid);
                return -EINVAL;
        }
        return 0;
}
