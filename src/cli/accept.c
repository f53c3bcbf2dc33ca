/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's checks of an answer (see accept.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/accept.h"

/* The stage 1 a report's width (or --pvh) names. */
static Stage1Kind kind_of(const Options *o, const InspectReport *rep) {
        return o->policy.mode == MODE_PVH ? STAGE1_PVH : stage1_kind_of_arch((PvArch) rep->arch);
}

const Stage1Digest *accept_stage1_digest(const Options *o, const InspectReport *rep) {
        Stage1Kind k = kind_of(o, rep);
        return (unsigned) k < _STAGE1_KIND_MAX ? &o->stage1_digest[k] : NULL;
}

const char *accept_stage1(const Options *o, const InspectReport *rep, char *err, size_t errsz) {
        const Policy *p = &o->policy;

        /* What the admin decided holds whoever answered: a compromised
         * worker or daemon cannot pick another width than --force-arch,
         * nor anything but the PVH stage 1's reading of grub.cfg. */
        if (p->mode == MODE_PVH && (rep->arch != PV_ARCH_I386 || rep->source != SOURCE_GRUBCFG)) {
                snprintf(err, errsz, "inspection worker answered a PV decision for a PVH guest; refusing");
                return NULL;
        }
        if (p->mode != MODE_PVH && p->force_arch != PV_ARCH_NONE && rep->arch != (uint32_t) p->force_arch) {
                snprintf(err, errsz, "inspection worker chose %s where --force-arch=%s; refusing",
                         pv_arch_to_string((PvArch) rep->arch), pv_arch_to_string(p->force_arch));
                return NULL;
        }
        /* The file it names is one our own list for that width chainloads,
         * never a path of its choosing. */
        if (p->mode != MODE_PVH && rep->source == SOURCE_PVBOOT &&
            !policy_chainload_path(p, (PvArch) rep->arch, rep->path_index)) {
                snprintf(err, errsz, "inspection worker named no file the %s stage 1 chainloads; refusing",
                         pv_arch_to_string((PvArch) rep->arch));
                return NULL;
        }
        if (!host_caps_allow(&p->host, p->mode != MODE_PV, (PvArch) rep->arch)) {
                snprintf(err, errsz, "inspection worker chose a width the hypervisor cannot run; refusing");
                return NULL;
        }
        /* A stage 1 that is no Xen image of its kind (not an ELF, cut
         * short, the other width) boots nothing: decided for with the
         * spec's paths, it is still not handed to libxl. */
        Stage1Kind k = kind_of(o, rep);
        if (o->stage1_status[k] == -EMEDIUMTYPE) {
                const char *why = p->search[k].origin;
                if (strncmp(why, "spec default: ", 14) == 0)
                        why += 14;
                snprintf(err, errsz, "the %s stage 1 cannot boot anything: %s; fix stage1_%s (pvboot-select.conf(5))",
                         stage1_kind_to_string(k), why, stage1_kind_to_string(k));
                return NULL;
        }
        return p->mode == MODE_PVH ? o->stage1_pvh : o->stage1[rep->arch];
}
