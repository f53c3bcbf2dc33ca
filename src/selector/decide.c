/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The width decision (see decide.h for the rules). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "selector/decide.h"
#include "shared/text.h"

static bool arch_ok(PvArch a) {
        return a == PV_ARCH_I386 || a == PV_ARCH_X86_64;
}

static bool before(const Candidate *a, const Candidate *b) {
        unsigned ra = pvboot_paths[a->path_index].rank, rb = pvboot_paths[b->path_index].rank;
        if (ra != rb)
                return ra < rb;
        return a->fs_index < b->fs_index;
}

static bool boots(const Candidate *c) {
        return c->kind == FOUND_REGULAR && c->verdict == ELF_PV_OK;
}

/* Rule 4/5: the width the kernels ask for.  known_only: no tie-break on
 * kernels of unknown width (rule 5 never guesses). */
static PvArch kernel_rule(const DecisionInput *in, const Decision *d, bool known_only, const char **rule) {
        unsigned k32 = d->kernels[PV_ARCH_I386], k64 = d->kernels[PV_ARCH_X86_64];
        PvArch prefer = arch_ok(in->policy.prefer) ? in->policy.prefer : PV_ARCH_X86_64;

        if (k32 && !k64) {
                *rule = "all kernels of known width are 32-bit";
                return PV_ARCH_I386;
        }
        if (k64 && !k32) {
                *rule = "all kernels of known width are 64-bit";
                return PV_ARCH_X86_64;
        }
        if (k64 && k32) {
                if (prefer == PV_ARCH_I386) {
                        *rule = "32- and 64-bit kernels; --prefer=i386";
                        return PV_ARCH_I386;
                }
                *rule = "32- and 64-bit kernels; a 64-bit kernel wins";
                return PV_ARCH_X86_64;
        }
        if (known_only)
                return PV_ARCH_NONE;
        *rule = prefer == PV_ARCH_I386 && arch_ok(in->policy.prefer) ? "no kernel of known width; --prefer=i386"
              : arch_ok(in->policy.prefer) ? "no kernel of known width; --prefer=x86_64"
              : "no kernel of known width; default preference x86_64";
        return prefer;
}

static void host_check(const DecisionInput *in, Decision *d) {
        /* Unknown caps are said in the evidence, not a block. */
        if (!host_caps_allow(&in->policy.host, in->policy.mode == MODE_PVH || in->policy.mode == MODE_PVSHIM, d->arch))
                d->outcome = DECISION_HOST_CANNOT;
}

void decide(const DecisionInput *in, Decision *ret) {
        Decision d = { .chosen = -1, .outcome = DECISION_OK };
        bool valid[_PV_ARCH_MAX] = {}, absent[_PV_ARCH_MAX] = {};
        unsigned n_valid = 0;

        for (int a = 0; a < _PV_ARCH_MAX; a++)
                d.per_arch[a] = -1;

        for (size_t i = 0; i < in->n_candidates; i++) {
                const Candidate *c = &in->candidates[i];
                int *slot;

                if (c->path_index >= PVBOOT_N_PATHS)
                        continue;
                /* GRUB's search -f skips what it cannot open as a file. */
                if (c->kind == FOUND_NOT_REGULAR || c->kind == FOUND_SYMLINK_LOOP)
                        continue;
                slot = &d.per_arch[pvboot_paths[c->path_index].arch];
                if (*slot < 0 || before(c, &in->candidates[*slot]))
                        *slot = (int) i;
        }
        for (size_t i = 0; i < in->n_kernels; i++) {
                const KernelEvidence *k = &in->kernels[i];
                PvArch w = k->kind == FOUND_REGULAR && arch_ok(k->info.width) ? k->info.width : PV_ARCH_NONE;
                d.kernels[w]++;
        }
        for (int a = PV_ARCH_I386; a < _PV_ARCH_MAX; a++) {
                absent[a] = d.per_arch[a] < 0;
                valid[a] = !absent[a] && boots(&in->candidates[d.per_arch[a]]);
                n_valid += valid[a];
        }

        if (in->policy.mode == MODE_PVH) {
                d.arch = PV_ARCH_I386;
                d.source = SOURCE_GRUBCFG;
                d.rule = "--pvh: the PVH stage 1 reads the guest's grub.cfg";
                if (!in->grub_cfg) {
                        d.outcome = DECISION_NO_GRUB_CFG;
                        d.arch = PV_ARCH_NONE;
                        d.source = SOURCE_NONE;
                } else
                        host_check(in, &d);
                *ret = d;
                return;
        }

        if (in->policy.force_arch != PV_ARCH_NONE) {
                PvArch w = in->policy.force_arch;
                if (!arch_ok(w))
                        d.outcome = DECISION_FORCED_UNAVAILABLE;
                else if (valid[w]) {
                        d.arch = w;
                        d.source = SOURCE_PVBOOT;
                        d.rule = "--force-arch";
                } else if (absent[w] && in->grub_cfg) {
                        d.arch = w;
                        d.source = SOURCE_GRUBCFG;
                        d.rule = "--force-arch; no pvboot ELF of that width, the stage 1 reads grub.cfg";
                } else
                        d.outcome = DECISION_FORCED_UNAVAILABLE;
        } else if (n_valid == 1) {
                d.arch = valid[PV_ARCH_I386] ? PV_ARCH_I386 : PV_ARCH_X86_64;
                d.source = SOURCE_PVBOOT;
                d.rule = "only one width has a valid pvboot ELF";
        } else if (n_valid == 2) {
                d.arch = kernel_rule(in, &d, false, &d.rule);
                d.source = SOURCE_PVBOOT;
        } else {
                PvArch w = in->grub_cfg ? kernel_rule(in, &d, true, &d.rule) : PV_ARCH_NONE;
                bool any_found = !absent[PV_ARCH_I386] || !absent[PV_ARCH_X86_64];

                if (arch_ok(w) && absent[w]) {
                        d.arch = w;
                        d.source = SOURCE_GRUBCFG;
                } else if (any_found)
                        d.outcome = DECISION_NONE_VALID;
                else if (d.kernels[PV_ARCH_I386] + d.kernels[PV_ARCH_X86_64] > 0)
                        d.outcome = DECISION_NO_GRUB_CFG;
                else
                        d.outcome = DECISION_NOTHING_FOUND;
        }

        if (d.outcome == DECISION_OK) {
                if (d.source == SOURCE_PVBOOT)
                        d.chosen = d.per_arch[d.arch];
                host_check(in, &d);
        }
        if (d.outcome != DECISION_OK && d.outcome != DECISION_HOST_CANNOT) {
                d.arch = PV_ARCH_NONE;
                d.source = SOURCE_NONE;
                d.chosen = -1;
        }
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



/* Names on the D-Bus interface (pvboot-selectd(8)): stable, never reused. */
static const char *const outcome_names[_DECISION_OUTCOME_MAX] = {
        [DECISION_OK] = "ok",
        [DECISION_NOTHING_FOUND] = "nothing-found",
        [DECISION_NONE_VALID] = "none-valid",
        [DECISION_FORCED_UNAVAILABLE] = "forced-unavailable",
        [DECISION_NO_GRUB_CFG] = "no-grub-cfg",
        [DECISION_HOST_CANNOT] = "host-cannot",
};
static const char *const source_names[_SOURCE_MAX] = {
        [SOURCE_NONE] = "none",
        [SOURCE_PVBOOT] = "pvboot",
        [SOURCE_GRUBCFG] = "grub-cfg",
};

static int name_lookup(const char *const *names, int n, const char *s) {
        for (int i = 0; s && i < n; i++)
                if (strcmp(names[i], s) == 0)
                        return i;
        return -EINVAL;
}

const char *decision_outcome_to_string(DecisionOutcome o) {
        return (unsigned) o < _DECISION_OUTCOME_MAX ? outcome_names[o] : "unknown";
}

int decision_outcome_from_string(const char *s) {
        return name_lookup(outcome_names, _DECISION_OUTCOME_MAX, s);
}

const char *decision_source_to_string(DecisionSource src) {
        return (unsigned) src < _SOURCE_MAX ? source_names[src] : "unknown";
}

int decision_source_from_string(const char *s) {
        return name_lookup(source_names, _SOURCE_MAX, s);
}

static const char *candidate_problem(const Candidate *c) {
        if (c->kind != FOUND_REGULAR)
                return found_kind_to_string(c->kind);
        return elf_verdict_to_string((ElfVerdict) c->verdict);
}

static void where(const Candidate *c, char *buf, size_t size) {
        char fs[FS_NAME_MAX * 4 + 4];
        snprintf(buf, size, "%s:%s", text_printable(c->fs, sizeof(c->fs), fs, sizeof(fs)),
                 pvboot_paths[c->path_index].path);
}

/* The file a stage 1 would have loaded, for a failure message. */
static int blocking_candidate(const DecisionInput *in, const Decision *d) {
        if (arch_ok(in->policy.force_arch))
                return d->per_arch[in->policy.force_arch];
        return d->per_arch[PV_ARCH_X86_64] >= 0 ? d->per_arch[PV_ARCH_X86_64] : d->per_arch[PV_ARCH_I386];
}

static void describe_host(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        if (in->policy.mode == MODE_PVH || in->policy.mode == MODE_PVSHIM)
                snprintf(buf, size,
                         "the hypervisor cannot run %s guests (no hvm-3.0 in xen_caps); use type=\"pv\" "
                         "with a hypervisor that has the guest's width",
                         in->policy.mode == MODE_PVH ? "PVH" : "shim");
        else if (d->arch == PV_ARCH_I386)
                snprintf(buf, size,
                         "the guest needs a 32-bit PV domain but the hypervisor has no xen-3.0-x86_32p: "
                         "use a Xen built with CONFIG_PV32, or set type=\"pvh\", pvshim=1 and "
                         "bootloader_args=[\"--pvshim\"] in the guest config");
        else
                snprintf(buf, size, "the guest needs a 64-bit PV domain but the hypervisor has no xen-3.0-x86_64");
}

void decision_describe(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char w[FS_NAME_MAX * 4 + 64], cfgbuf[sizeof(in->grub_cfg_where) * 4];
        const char *cfg = text_printable(in->grub_cfg_where, sizeof(in->grub_cfg_where), cfgbuf, sizeof(cfgbuf));
        int idx;

        switch (d->outcome) {
        case DECISION_OK:
                if (d->source == SOURCE_PVBOOT) {
                        where(&in->candidates[d->chosen], w, sizeof(w));
                        snprintf(buf, size, "found %s pvboot ELF %s (%s); booting the %s pvgrub2 stage 1",
                                 pv_arch_to_string(d->arch), w, d->rule, pv_arch_to_string(d->arch));
                } else if (in->policy.mode == MODE_PVH)
                        snprintf(buf, size, "--pvh: booting the PVH pvgrub2 stage 1, which reads %s", cfg);
                else
                        snprintf(buf, size, "no %s pvboot ELF; %s: booting the %s pvgrub2 stage 1, which reads %s",
                                 pv_arch_to_string(d->arch), d->rule, pv_arch_to_string(d->arch),
                                 in->grub_cfg_where);
                break;
        case DECISION_NOTHING_FOUND:
                snprintf(buf, size,
                         "nothing to boot: no /boot/xen/pvboot-{x86_64,i386}.elf or /xen/pvboot-{x86_64,i386}.elf "
                         "and no kernel of known width in /boot or / on %u filesystem(s)%s",
                         in->n_filesystems, d->kernels[PV_ARCH_NONE] ? " (only kernels of unknown width)" : "");
                break;
        case DECISION_NO_GRUB_CFG:
                snprintf(buf, size,
                         in->policy.mode == MODE_PVH
                         ? "--pvh: the PVH stage 1 needs /boot/grub/grub.cfg or /grub/grub.cfg and the guest has neither"
                         : "no pvboot ELF, and no /boot/grub/grub.cfg or /grub/grub.cfg for the stage 1 to fall back to");
                break;
        case DECISION_NONE_VALID:
        case DECISION_FORCED_UNAVAILABLE:
                idx = blocking_candidate(in, d);
                if (idx < 0) {
                        snprintf(buf, size, "--force-arch=%s: no %s pvboot ELF and no grub.cfg to fall back to",
                                 pv_arch_to_string(in->policy.force_arch), pv_arch_to_string(in->policy.force_arch));
                        break;
                }
                where(&in->candidates[idx], w, sizeof(w));
                snprintf(buf, size, "%sno bootable pvboot ELF: %s: %s",
                         d->outcome == DECISION_FORCED_UNAVAILABLE ? "--force-arch: " : "",
                         w, candidate_problem(&in->candidates[idx]));
                break;
        case DECISION_HOST_CANNOT:
                describe_host(in, d, buf, size);
                break;
        default:
                snprintf(buf, size, "internal error: unknown decision");
        }
        /* A refusal says what the guest has where the stage 1 cannot see
         * it, or what it has instead, and what to change in the guest. */
        if (d->outcome != DECISION_OK && d->outcome != DECISION_HOST_CANNOT) {
                char fix[1024];
                if (decision_fix(in, d, fix, sizeof(fix)) && strlen(buf) + 2 < size)
                        snprintf(buf + strlen(buf), size - strlen(buf), "; %s", fix);
        }
}

bool decision_fix(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char a[sizeof(in->hidden) * 4];
        bool no_config = d->outcome == DECISION_NO_GRUB_CFG || d->outcome == DECISION_NOTHING_FOUND;

        if (in->hidden[0])
                snprintf(buf, size, "%s", text_printable(in->hidden, sizeof(in->hidden), a, sizeof(a)));
        else if (no_config && in->extlinux[0])
                snprintf(buf, size,
                         "the guest boots with extlinux/syslinux (%s), which pvgrub2 does not read: in the guest "
                         "install GRUB for Xen and write its grub.cfg (Debian: apt install grub-xen-bin; "
                         "grub-install --target=x86_64-xen; update-grub)",
                         text_printable(in->extlinux, sizeof(in->extlinux), a, sizeof(a)));
        else if (no_config && in->bls[0])
                snprintf(buf, size,
                         "the guest has Boot Loader Specification entries (%s) but no grub.cfg, and a stage 1 "
                         "reads grub.cfg: in the guest write one with the entries expanded "
                         "(GRUB_ENABLE_BLSCFG=false in /etc/default/grub; grub2-mkconfig -o /boot/grub/grub.cfg)",
                         text_printable(in->bls, sizeof(in->bls), a, sizeof(a)));
        else if (d->outcome == DECISION_NO_GRUB_CFG && in->policy.mode == MODE_PVH)
                snprintf(buf, size,
                         "in the guest write /boot/grub/grub.cfg; or, for a pvshim=1 guest (libxl records it as "
                         "pvh), add bootloader_args = [\"--pvshim\"]");
        else if (d->outcome == DECISION_NO_GRUB_CFG)
                snprintf(buf, size,
                         "in the guest write /boot/grub/grub.cfg for its kernels (Debian: apt install grub-xen-bin; "
                         "update-grub), or install a pvboot ELF (grub-install --target=x86_64-xen)");
        else
                return false;
        return true;
}

unsigned decision_evidence(const DecisionInput *in, const Decision *d, evidence_fn emit, void *userdata) {
        char line[2048], w[FS_NAME_MAX * 4 + 64], a[GUEST_NAME_MAX * 4], b[ELF_NOTE_SHOW * 4 + 4];
        unsigned n = 0;

        for (size_t i = 0; i < in->n_candidates; i++) {
                const Candidate *c = &in->candidates[i];
                const XenNote *v = &c->image.notes[XEN_ELFNOTE_XEN_VERSION];
                const XenNote *l = &c->image.notes[XEN_ELFNOTE_LOADER];

                if (c->path_index >= PVBOOT_N_PATHS)
                        continue;
                where(c, w, sizeof(w));
                if (c->kind == FOUND_REGULAR && (v->present || l->present))
                        snprintf(line, sizeof(line), "pvboot %s: %s (XEN_VERSION \"%s\", LOADER \"%s\")%s", w,
                                 candidate_problem(c), text_escape(v->str, strlen(v->str), a, sizeof(a)),
                                 text_escape(l->str, strlen(l->str), b, sizeof(b)),
                                 (int) i == d->chosen ? " <- chosen" : "");
                else
                        snprintf(line, sizeof(line), "pvboot %s: %s%s", w, candidate_problem(c),
                                 (int) i == d->chosen ? " <- chosen" : "");
                emit(userdata, line), n++;
        }
        for (size_t i = 0; i < in->n_kernels; i++) {
                const KernelEvidence *k = &in->kernels[i];
                const char *kfs = text_printable(k->fs, sizeof(k->fs), w, sizeof(w));
                const char *kpath = text_printable(k->path, sizeof(k->path), a, sizeof(a));
                if (k->kind != FOUND_REGULAR)
                        snprintf(line, sizeof(line), "kernel %s:%s: unknown width: %s", kfs, kpath,
                                 found_kind_to_string(k->kind));
                else if (arch_ok(k->info.width) && k->info.reason == KERNEL_ELF)
                        snprintf(line, sizeof(line), "kernel %s:%s: %s (%s)", kfs, kpath,
                                 pv_arch_to_string(k->info.width), kernel_reason_to_string(k->info.reason));
                else if (arch_ok(k->info.width))
                        snprintf(line, sizeof(line), "kernel %s:%s: %s (%s, boot protocol %u.%02u)", kfs, kpath,
                                 pv_arch_to_string(k->info.width), kernel_reason_to_string(k->info.reason),
                                 k->info.protocol >> 8, k->info.protocol & 0xff);
                else
                        snprintf(line, sizeof(line), "kernel %s:%s: %s", kfs, kpath, kernel_reason_to_string(k->info.reason));
                emit(userdata, line), n++;
        }
        snprintf(line, sizeof(line), "grub.cfg: %s",
                 in->grub_cfg ? text_printable(in->grub_cfg_where, sizeof(in->grub_cfg_where), a, sizeof(a)) : "none");
        emit(userdata, line), n++;
        if (in->hidden[0]) {
                char h[sizeof(in->hidden) * 4];
                snprintf(line, sizeof(line), "not seen by the stage 1: %s",
                         text_printable(in->hidden, sizeof(in->hidden), h, sizeof(h)));
                emit(userdata, line), n++;
        }
        if (in->extlinux[0] || in->bls[0]) {
                char e[sizeof(in->extlinux) * 4], bl[sizeof(in->bls) * 4];
                snprintf(line, sizeof(line), "not read by pvgrub2: %s%s%s%s",
                         in->extlinux[0] ? "extlinux/syslinux " : "",
                         in->extlinux[0] ? text_printable(in->extlinux, sizeof(in->extlinux), e, sizeof(e)) : "",
                         in->extlinux[0] && in->bls[0] ? ", " : "",
                         in->bls[0] ? text_printable(in->bls, sizeof(in->bls), bl, sizeof(bl)) : "");
                if (in->bls[0])
                        snprintf(line + strlen(line), sizeof(line) - strlen(line), " (BLS entries)");
                emit(userdata, line), n++;
        }
        if (in->policy.host.known)
                snprintf(line, sizeof(line), "host: xen_caps \"%s\" (%s)", in->policy.host.text,
                         in->policy.host.source ? in->policy.host.source : "?");
        else
                snprintf(line, sizeof(line), "host: capabilities unknown (not running on Xen?); not checked");
        emit(userdata, line), n++;
        snprintf(line, sizeof(line), "rule: mode %s; %s -> %s%s", decision_mode_to_string(in->policy.mode),
                 d->rule ? d->rule : "no rule applied",
                 d->outcome == DECISION_OK || d->outcome == DECISION_HOST_CANNOT ? pv_arch_to_string(d->arch) : "no boot",
                 d->outcome == DECISION_HOST_CANNOT ? ", which the host cannot run" : "");
        emit(userdata, line), n++;
        return n;
}
