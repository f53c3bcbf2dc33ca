/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The width decision (see decide.h). */
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "text.h"

static bool before(const Candidate *a, const Candidate *b) {
        unsigned ra = pvboot_paths[a->path_index].rank, rb = pvboot_paths[b->path_index].rank;
        if (ra != rb)
                return ra < rb;
        return a->fs_index < b->fs_index;
}

static bool boots(const Candidate *c) {
        return c->kind == FOUND_REGULAR && c->verdict == ELF_PV_OK;
}

void decide(const DecisionInput *in, Decision *ret) {
        Decision d = { .chosen = -1 };
        bool valid[_PV_ARCH_MAX] = {};
        unsigned n_valid = 0;

        for (int a = 0; a < _PV_ARCH_MAX; a++)
                d.per_arch[a] = -1;

        for (size_t i = 0; i < in->n_candidates; i++) {
                const Candidate *c = &in->candidates[i];
                PvArch a;
                int *slot;

                if (c->path_index >= PVBOOT_N_PATHS)
                        continue;
                /* GRUB's search -f skips what it cannot open as a file. */
                if (c->kind == FOUND_NOT_REGULAR || c->kind == FOUND_SYMLINK_LOOP)
                        continue;
                a = pvboot_paths[c->path_index].arch;
                slot = &d.per_arch[a];
                if (*slot < 0 || before(c, &in->candidates[*slot]))
                        *slot = (int) i;
        }

        for (int a = PV_ARCH_I386; a < _PV_ARCH_MAX; a++)
                if (d.per_arch[a] >= 0 && boots(&in->candidates[d.per_arch[a]])) {
                        valid[a] = true;
                        n_valid++;
                }

        if (in->force_arch != PV_ARCH_NONE && in->force_arch != PV_ARCH_I386 && in->force_arch != PV_ARCH_X86_64) {
                d.outcome = DECISION_FORCED_UNAVAILABLE;
        } else if (in->force_arch != PV_ARCH_NONE) {
                if (valid[in->force_arch]) {
                        d.outcome = DECISION_OK;
                        d.arch = in->force_arch;
                } else
                        d.outcome = DECISION_FORCED_UNAVAILABLE;
        } else if (n_valid == 1) {
                d.outcome = DECISION_OK;
                d.arch = valid[PV_ARCH_I386] ? PV_ARCH_I386 : PV_ARCH_X86_64;
        } else if (n_valid == 2)
                d.outcome = DECISION_AMBIGUOUS;
        else if (d.per_arch[PV_ARCH_I386] >= 0 || d.per_arch[PV_ARCH_X86_64] >= 0)
                d.outcome = DECISION_NONE_VALID;
        else
                d.outcome = DECISION_NOTHING_FOUND;

        if (d.outcome == DECISION_OK)
                d.chosen = d.per_arch[d.arch];
        *ret = d;
}

const char *found_kind_to_string(FoundKind k) {
        switch (k) {
        case FOUND_REGULAR:      return "regular file";
        case FOUND_NOT_REGULAR:  return "not a regular file";
        case FOUND_SYMLINK_LOOP: return "symlink loop or dangling symlink";
        case FOUND_TOO_LARGE:    return "file too large";
        case FOUND_UNREADABLE:   return "unreadable";
        default:                 return "unknown";
        }
}

static const char *candidate_problem(const Candidate *c) {
        if (c->kind != FOUND_REGULAR)
                return found_kind_to_string(c->kind);
        return elf_verdict_to_string((ElfVerdict) c->verdict);
}

static void describe_candidate(const Candidate *c, char *buf, size_t size) {
        char fs[FS_NAME_MAX * 4 + 4];

        snprintf(buf, size, "%s:%s", text_escape(c->fs, strnlen(c->fs, sizeof(c->fs)), fs, sizeof(fs)),
                 pvboot_paths[c->path_index].path);
}

void decision_describe(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char where[FS_NAME_MAX * 4 + 64];

        switch (d->outcome) {
        case DECISION_OK: {
                const Candidate *c = &in->candidates[d->chosen];
                describe_candidate(c, where, sizeof(where));
                snprintf(buf, size, "found %s pvboot ELF %s%s; booting the %s pvgrub2 stage 1",
                         pv_arch_to_string(d->arch), where,
                         in->force_arch != PV_ARCH_NONE ? " (forced)" : "",
                         pv_arch_to_string(d->arch));
                break;
        }
        case DECISION_NOTHING_FOUND:
                snprintf(buf, size,
                         "no pvboot ELF: looked for /boot/xen/pvboot-{x86_64,i386}.elf and "
                         "/xen/pvboot-{x86_64,i386}.elf on %u filesystem(s)",
                         in->n_filesystems);
                break;
        case DECISION_NONE_VALID:
        case DECISION_FORCED_UNAVAILABLE: {
                /* Name the file a stage 1 would have loaded, widest first. */
                bool forced = in->force_arch == PV_ARCH_I386 || in->force_arch == PV_ARCH_X86_64;
                int idx = forced ? d->per_arch[in->force_arch]
                        : d->per_arch[PV_ARCH_X86_64] >= 0 ? d->per_arch[PV_ARCH_X86_64]
                        : d->per_arch[PV_ARCH_I386];
                if (idx < 0) {
                        snprintf(buf, size, "--force-arch=%s: no %s pvboot ELF on %u filesystem(s)",
                                 pv_arch_to_string(in->force_arch), pv_arch_to_string(in->force_arch),
                                 in->n_filesystems);
                        break;
                }
                describe_candidate(&in->candidates[idx], where, sizeof(where));
                snprintf(buf, size, "%sno bootable pvboot ELF: %s: %s",
                         d->outcome == DECISION_FORCED_UNAVAILABLE ? "--force-arch: " : "",
                         where, candidate_problem(&in->candidates[idx]));
                break;
        }
        case DECISION_AMBIGUOUS:
                snprintf(buf, size,
                         "both i386 and x86_64 pvboot ELFs are valid; choose with --force-arch=i386|x86_64");
                break;
        default:
                snprintf(buf, size, "internal error: unknown decision");
        }
}
