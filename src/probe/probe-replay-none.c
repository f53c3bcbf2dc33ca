/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The e2e seam where it is not built (every build without
 * -De2e_replay=true): only the appliance answers, and a record or replay
 * descriptor is refused, so that the caller can say "record/replay is not
 * built into this binary" instead of silently asking the appliance.
 */
#include <errno.h>

#include "probe/probe-internal.h"

int probe_backend_select(const ProbeConfig *cfg, const ProbeBackend **ret) {
        if (cfg->record_fd >= 0 || cfg->replay_fd >= 0)
                return -EOPNOTSUPP;
        *ret = &probe_live;
        return 0;
}
