/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Evidence gathering for one disk (see inspect.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elf-notes.h"
#include "inspect.h"
#include "text.h"

static void look_at(Probe *p, Inspection *in, unsigned fs_index, const char *dev, unsigned path_index) {
        Candidate *c;
        GuestFsOps ops;
        GuestStat st;
        char *resolved = NULL;
        int r;

        probe_fs_ops(p, &ops);
        r = guest_path_resolve(&ops, pvboot_paths[path_index].path, &resolved, &st);
        if (r == -ENOENT || r == -ENOTDIR)
                return;         /* nothing there: not evidence */

        c = &in->candidates[in->n_candidates++];
        *c = (Candidate) { .path_index = path_index, .fs_index = fs_index };
        text_escape(dev, strlen(dev), c->fs, sizeof(c->fs));

        if (r == -ELOOP || r == -ENAMETOOLONG) {
                c->kind = FOUND_SYMLINK_LOOP;
                return;
        }
        if (r < 0) {
                c->kind = FOUND_UNREADABLE;
                return;
        }
        if (st.type != GUEST_FILE_REGULAR) {
                c->kind = FOUND_NOT_REGULAR;
                free(resolved);
                return;
        }
        c->size = st.size;
        if (st.size > PVBOOT_MAX_FILE_SIZE) {
                c->kind = FOUND_TOO_LARGE;
                free(resolved);
                return;
        }

        ProbeFile f;
        probe_file_init(&f, p, resolved, st.size);
        r = elf_inspect(&f.source, pvboot_paths[path_index].arch, &c->image);
        if (r < 0)
                c->kind = r == -E2BIG ? FOUND_TOO_LARGE : FOUND_UNREADABLE;
        else {
                c->kind = FOUND_REGULAR;
                c->verdict = r;
        }
        free(resolved);
}

int inspect_disk(const ProbeConfig *cfg, Inspection *ret) {
        Probe *p = NULL;
        char **fss = NULL;
        int r;

        memset(ret, 0, sizeof(*ret));
        r = probe_new(cfg, &p);
        if (r < 0) {
                snprintf(ret->error, sizeof(ret->error), "cannot set up the appliance: %s", strerror(-r));
                return r;
        }
        r = probe_launch(p);
        if (r < 0) {
                snprintf(ret->error, sizeof(ret->error), "appliance failed to start: %s", probe_last_error(p));
                goto out;
        }
        r = probe_list_filesystems(p, &fss);
        if (r < 0) {
                snprintf(ret->error, sizeof(ret->error), "cannot list filesystems: %s", probe_last_error(p));
                goto out;
        }

        /* One mount per filesystem; all four paths looked up while it is
         * mounted.  The spec's order is applied later, by decide(). */
        for (unsigned i = 0; fss[i]; i++) {
                ret->n_filesystems++;
                if (probe_mount(p, fss[i]) < 0)
                        continue;       /* unmountable (corrupt, unsupported): GRUB cannot read it either */
                for (unsigned k = 0; k < PVBOOT_N_PATHS; k++)
                        look_at(p, ret, i, fss[i], k);
                if (probe_umount(p) < 0) {
                        snprintf(ret->error, sizeof(ret->error), "cannot unmount: %s", probe_last_error(p));
                        r = -EIO;
                        goto out;
                }
        }
        r = 0;
out:
        if (fss) {
                for (char **d = fss; *d; d++)
                        free(*d);
                free(fss);
        }
        probe_free(p);
        return r;
}

void inspect_report(const Inspection *in, int status, PvArch force_arch, InspectReport *ret) {
        *ret = (InspectReport) { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .status = status };

        if (status < 0) {
                text_escape(in->error, strnlen(in->error, sizeof(in->error)), ret->message, sizeof(ret->message));
                return;
        }

        DecisionInput di = {
                .candidates = in->candidates,
                .n_candidates = in->n_candidates,
                .n_filesystems = in->n_filesystems,
                .force_arch = force_arch,
        };
        Decision d;
        decide(&di, &d);
        ret->outcome = d.outcome;
        if (d.outcome == DECISION_OK) {
                const Candidate *c = &in->candidates[d.chosen];
                ret->arch = d.arch;
                ret->path_index = c->path_index;
                memcpy(ret->fs, c->fs, sizeof(ret->fs));
        }
        decision_describe(&di, &d, ret->message, sizeof(ret->message));
}
