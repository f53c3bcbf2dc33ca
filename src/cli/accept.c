/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The parent's checks of an answer (see accept.h). */
#include <errno.h>
#include <stdio.h>

#include "cli/accept.h"

int accept_worker_identity(const WorkerConfig *wc, const InspectReport *rep, char *err, size_t errsz) {
        /* Restrict mode is only real if the worker says it ran as that uid. */
        if (wc->runas_set && rep->worker_uid != (uint32_t) wc->runas) {
                snprintf(err, errsz, "inspection worker ran as uid %u, not %u; refusing", rep->worker_uid,
                         (unsigned) wc->runas);
                return -EPERM;
        }
        if (wc->uids.count > 0 &&
            (rep->worker_uid < wc->uids.base || rep->worker_uid - wc->uids.base >= wc->uids.count)) {
                snprintf(err, errsz, "inspection worker ran as uid %u, outside the clone uid range; refusing",
                         rep->worker_uid);
                return -EPERM;
        }
        return 0;
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
        if (!host_caps_allow(&p->host, p->mode != MODE_PV, (PvArch) rep->arch)) {
                snprintf(err, errsz, "inspection worker chose a width the hypervisor cannot run; refusing");
                return NULL;
        }
        return p->mode == MODE_PVH ? o->stage1_pvh : o->stage1[rep->arch];
}
