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

static bool boots(const Candidate *c) {
        return c->kind == FOUND_REGULAR && c->verdict == ELF_PV_OK;
}

static PvArch arch_of(Stage1Kind k) {
        return k == STAGE1_X86_64 ? PV_ARCH_X86_64 : k == STAGE1_I386 ? PV_ARCH_I386 : PV_ARCH_NONE;
}

/* The list entry a candidate or a config hit names, NULL when it names
 * none of that action (a report from a confused probe counts nothing). */
static const SearchEntry *entry_of(const DecisionInput *in, Stage1Kind k, unsigned e, SearchAction a) {
        const SearchList *l;

        if ((unsigned) k >= _STAGE1_KIND_MAX)
                return NULL;
        l = &in->policy.search[k];
        if (e >= l->n || e >= SEARCH_MAX_ENTRIES || l->entries[e].action != (uint32_t) a)
                return NULL;
        return &l->entries[e];
}

static const char *candidate_path(const DecisionInput *in, const Candidate *c) {
        const SearchEntry *e = entry_of(in, c->stage1, c->entry, SEARCH_CHAINLOAD);
        return e && arch_of(c->stage1) != PV_ARCH_NONE ? e->path : NULL;
}

static const char *config_path(const DecisionInput *in, const ConfigHit *h) {
        const SearchEntry *e = entry_of(in, h->stage1, h->entry, SEARCH_CONFIG);
        return e ? e->path : NULL;
}

/*
 * What the stage 1 of list k does: the first entry, in its order, with a
 * hit on some filesystem (the first in probe order).  A chainload entry
 * hits on anything GRUB's search -f opens as a file; a config entry on a
 * regular file (ConfigHit).  *ret_chain or *ret_config is that hit (the
 * other -1, both -1 when nothing hits); *ret_first_config the first
 * config entry with a hit, reached or not (for the evidence).
 */
static void walk_list(const DecisionInput *in, Stage1Kind k, int *ret_chain, int *ret_config, int *ret_first_config) {
        const SearchList *l = &in->policy.search[k];
        bool decided = false;

        *ret_chain = *ret_config = *ret_first_config = -1;
        for (unsigned e = 0; e < l->n && e < SEARCH_MAX_ENTRIES; e++) {
                int hit = -1;

                if (l->entries[e].action == SEARCH_CHAINLOAD) {
                        for (size_t i = 0; i < in->n_candidates; i++) {
                                const Candidate *c = &in->candidates[i];
                                /* GRUB's search -f skips what it cannot open as a file. */
                                if (c->stage1 != k || c->entry != e || !candidate_path(in, c) ||
                                    c->kind == FOUND_NOT_REGULAR || c->kind == FOUND_SYMLINK_LOOP)
                                        continue;
                                if (hit < 0 || c->fs_index < in->candidates[hit].fs_index)
                                        hit = (int) i;
                        }
                        if (hit >= 0 && !decided) {
                                *ret_chain = hit;
                                decided = true;
                        }
                        continue;
                }
                for (size_t i = 0; i < in->n_configs; i++) {
                        const ConfigHit *h = &in->configs[i];
                        if (h->stage1 != k || h->entry != e || !config_path(in, h))
                                continue;
                        if (hit < 0 || h->fs_index < in->configs[hit].fs_index)
                                hit = (int) i;
                }
                if (hit >= 0 && *ret_first_config < 0)
                        *ret_first_config = hit;
                if (hit >= 0 && !decided) {
                        *ret_config = hit;
                        decided = true;
                }
        }
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

static Stage1Kind chosen_stage1(const DecisionInput *in, const Decision *d) {
        return in->policy.mode == MODE_PVH ? STAGE1_PVH : stage1_kind_of_arch(d->arch);
}

/* The filesystem type and layers of the file the decision uses. */
static void chosen_device(const DecisionInput *in, const Decision *d, const char **ret_fstype, uint32_t *ret_via) {
        if (d->source == SOURCE_PVBOOT) {
                *ret_fstype = in->candidates[d->chosen].fstype;
                *ret_via = in->candidates[d->chosen].via;
        } else {
                *ret_fstype = in->configs[d->config].fstype;
                *ret_via = in->configs[d->config].via;
        }
}

/* Rule 6: the chosen stage 1 must reach the file it uses: its
 * filesystem, and every layer below that. */
static void module_check(const DecisionInput *in, Decision *d) {
        const SearchList *l = &in->policy.search[chosen_stage1(in, d)];
        const char *fstype;
        uint32_t via;

        chosen_device(in, d, &fstype, &via);
        if (!search_list_can_read(l, fstype, via, &d->module))
                d->outcome = DECISION_STAGE1_CANNOT_READ;
}

/* Rule 7: the grub.cfg it reads must give the stage 1 a menu. */
static bool menu_needs_blscfg(const ConfigHit *h) {
        return h->scanned && h->menu.blscfg_line && !h->menu.entries && !h->menu.unsure_line;
}

static void menu_check(const DecisionInput *in, Decision *d) {
        if (d->source == SOURCE_GRUBCFG && menu_needs_blscfg(&in->configs[d->config]) &&
            search_list_has_blscfg(&in->policy.search[chosen_stage1(in, d)]) == 0)
                d->outcome = DECISION_STAGE1_NO_BLSCFG;
}

static void host_check(const DecisionInput *in, Decision *d) {
        /* Unknown caps are said in the evidence, not a block. */
        if (!host_caps_allow(&in->policy.host, in->policy.mode == MODE_PVH || in->policy.mode == MODE_PVSHIM, d->arch))
                d->outcome = DECISION_HOST_CANNOT;
}

void decide(const DecisionInput *in, Decision *ret) {
        Decision d = { .chosen = -1, .config = -1, .outcome = DECISION_OK };
        bool valid[_PV_ARCH_MAX] = {}, absent[_PV_ARCH_MAX] = {}, any_config = false;
        unsigned n_valid = 0;
        int first_hit;

        for (int a = 0; a < _PV_ARCH_MAX; a++)
                d.per_arch[a] = d.falls_back[a] = -1;
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                int chain, config;
                walk_list(in, k, &chain, &config, &d.first_config[k]);
                if (arch_of(k) != PV_ARCH_NONE) {
                        d.per_arch[arch_of(k)] = chain;
                        d.falls_back[arch_of(k)] = config;
                        any_config = any_config || d.first_config[k] >= 0;
                }
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
                walk_list(in, STAGE1_PVH, &first_hit, &d.config, &d.first_config[STAGE1_PVH]);
                if (d.config < 0) {
                        d.outcome = DECISION_NO_GRUB_CFG;
                        d.arch = PV_ARCH_NONE;
                        d.source = SOURCE_NONE;
                } else {
                        module_check(in, &d);
                        if (d.outcome == DECISION_OK)
                                menu_check(in, &d);
                        if (d.outcome == DECISION_OK)
                                host_check(in, &d);
                }
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
                } else if (d.falls_back[w] >= 0) {
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
                PvArch w = any_config ? kernel_rule(in, &d, true, &d.rule) : PV_ARCH_NONE;
                bool any_found = !absent[PV_ARCH_I386] || !absent[PV_ARCH_X86_64];

                if (arch_ok(w) && d.falls_back[w] >= 0) {
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
                else
                        d.config = d.falls_back[d.arch];
                module_check(in, &d);
                if (d.outcome == DECISION_OK)
                        menu_check(in, &d);
                if (d.outcome == DECISION_OK)
                        host_check(in, &d);
        }
        if (d.outcome != DECISION_OK && d.outcome != DECISION_HOST_CANNOT &&
            d.outcome != DECISION_STAGE1_CANNOT_READ && d.outcome != DECISION_STAGE1_NO_BLSCFG) {
                d.arch = PV_ARCH_NONE;
                d.source = SOURCE_NONE;
                d.chosen = -1;
                d.config = -1;
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
        [DECISION_STAGE1_CANNOT_READ] = "stage1-cannot-read",
        [DECISION_STAGE1_NO_BLSCFG] = "stage1-no-blscfg",
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

static void where(const DecisionInput *in, const Candidate *c, char *buf, size_t size) {
        char fs[FS_NAME_MAX * 4 + 4];
        const char *p = candidate_path(in, c);
        snprintf(buf, size, "%s:%s", text_printable(c->fs, sizeof(c->fs), fs, sizeof(fs)), p ? p : "?");
}

static void config_where(const DecisionInput *in, int idx, char *buf, size_t size) {
        char fs[FS_NAME_MAX * 4 + 4];
        const char *p;

        if (idx < 0) {
                snprintf(buf, size, "none");
                return;
        }
        p = config_path(in, &in->configs[idx]);
        snprintf(buf, size, "%s:%s", text_printable(in->configs[idx].fs, sizeof(in->configs[idx].fs), fs, sizeof(fs)),
                 p ? p : "?");
}

/* "a", "a or b", "a, b or c" into buf. */
static void join_or(const char *const *items, size_t n, char *buf, size_t size) {
        size_t len = 0;

        buf[0] = 0;
        for (size_t i = 0; i < n && len < size; i++) {
                int k = snprintf(buf + len, size - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", items[i]);
                if (k < 0)
                        break;
                len += (size_t) k;
        }
}

/* Paths of one action in the lists of mask's kinds, in list order, each once. */
static size_t list_paths(const DecisionInput *in, unsigned mask, SearchAction a, const char **items, size_t max) {
        size_t n = 0;

        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                const SearchList *l = &in->policy.search[k];
                if (!(mask & (1u << k)))
                        continue;
                for (unsigned e = 0; e < l->n && e < SEARCH_MAX_ENTRIES; e++) {
                        bool seen = false;
                        if (l->entries[e].action != (uint32_t) a)
                                continue;
                        for (size_t j = 0; j < n; j++)
                                seen = seen || strcmp(items[j], l->entries[e].path) == 0;
                        if (!seen && n < max)
                                items[n++] = l->entries[e].path;
                }
        }
        return n;
}

#define PV_KINDS ((1u << STAGE1_X86_64) | (1u << STAGE1_I386))

/*
 * What the PV stage 1s chainload, for a message: when the i386 list is
 * the x86_64 one with "x86_64" read as "i386" (the spec's, Debian's),
 * "/boot/xen/pvboot-{x86_64,i386}.elf or /xen/pvboot-{x86_64,i386}.elf";
 * else every path.  0 when neither chainloads anything.
 */
static size_t chainload_summary(const DecisionInput *in, char *buf, size_t size) {
        const char *x[SEARCH_MAX_ENTRIES], *i[SEARCH_MAX_ENTRIES], *all[2 * SEARCH_MAX_ENTRIES];
        char paired[SEARCH_MAX_ENTRIES][SEARCH_PATH_MAX + 16];
        size_t nx = list_paths(in, 1u << STAGE1_X86_64, SEARCH_CHAINLOAD, x, SEARCH_MAX_ENTRIES),
               ni = list_paths(in, 1u << STAGE1_I386, SEARCH_CHAINLOAD, i, SEARCH_MAX_ENTRIES);
        bool pair = nx == ni && nx > 0;

        for (size_t k = 0; pair && k < nx; k++) {
                const char *w = strstr(x[k], "x86_64");
                size_t pre = w ? (size_t) (w - x[k]) : 0;
                pair = w && strlen(i[k]) == strlen(x[k]) - 2 && strncmp(i[k], x[k], pre) == 0 &&
                       strncmp(i[k] + pre, "i386", 4) == 0 && strcmp(i[k] + pre + 4, w + 6) == 0;
                if (pair) {
                        snprintf(paired[k], sizeof(paired[k]), "%.*s{x86_64,i386}%s", (int) pre, x[k], w + 6);
                        all[k] = paired[k];
                }
        }
        if (pair) {
                join_or(all, nx, buf, size);
                return nx;
        }
        size_t n = list_paths(in, PV_KINDS, SEARCH_CHAINLOAD, all, 2 * SEARCH_MAX_ENTRIES);
        join_or(all, n, buf, size);
        return n;
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

static void describe_cannot_read(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char w[FS_NAME_MAX * 4 + SEARCH_PATH_MAX + 8], t[FS_TYPE_MAX * 4 + 4], layers[256];
        const char *fstype;
        uint32_t via;

        chosen_device(in, d, &fstype, &via);
        if (d->source == SOURCE_PVBOOT)
                where(in, &in->candidates[d->chosen], w, sizeof(w));
        else
                config_where(in, d->config, w, sizeof(w));
        search_device_describe(NULL, via, layers, sizeof(layers));
        snprintf(buf, size,
                 "the %s stage 1 cannot read %s: it is on %s%s%s and the stage 1 has no GRUB module %s; "
                 "use a stage 1 built with %s, or put the file on a filesystem it reads",
                 in->policy.mode == MODE_PVH ? "PVH" : pv_arch_to_string(d->arch), w,
                 text_printable(fstype, sizeof(in->candidates[0].fstype), t, sizeof(t)),
                 via ? " reached through " : "", via ? layers : "",
                 d->module ? d->module : "?", d->module ? d->module : "?");
}

/* For the evidence: "; needs ext2 part_gpt lvm", "" when no module is known. */
static void needs(const char *fstype, uint32_t via, char *buf, size_t size) {
        char names[256];

        search_device_describe(fstype, via, names, sizeof(names));
        snprintf(buf, size, "%s%s", names[0] ? "; needs " : "", names);
}

/* A config hit for the evidence: where, and what reaching it needs. */
static void config_needs(const DecisionInput *in, int idx, char *buf, size_t size) {
        char need[300];

        config_where(in, idx, buf, size);
        if (idx < 0)
                return;
        needs(in->configs[idx].fstype, in->configs[idx].via, need, sizeof(need));
        if (strlen(buf) + strlen(need) < size)
                strcat(buf, need);
}

/*
 * A PV stage 1 that falls back to grub.cfg loads the guest's kernel with
 * GRUB's Xen loader, which reads a bzImage payload compressed with gzip,
 * xz or lzo only (kernel-header.h).  When every kernel of the chosen width
 * is known to be compressed otherwise (Ubuntu's lz4, zstd), the stage 1
 * will find its grub.cfg and fail to load: say so, and what to change.
 */
static void unloadable_kernels(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        KernelPayload bad = PAYLOAD_UNKNOWN;
        size_t len = strlen(buf);

        for (size_t i = 0; i < in->n_kernels; i++) {
                const KernelInfo *k = &in->kernels[i].info;
                if (in->kernels[i].kind != FOUND_REGULAR || k->width != d->arch)
                        continue;
                if (kernel_payload_xen_loadable(k->payload))
                        return;         /* one the stage 1 can load */
                bad = k->payload;
        }
        if (bad == PAYLOAD_UNKNOWN || len + 2 >= size)
                return;
        snprintf(buf + len, size - len,
                 "; but every %s kernel of the guest is %s-compressed, and the PV stage 1's Xen loader reads "
                 "gzip, xz and lzo only: in the guest install a kernel built with CONFIG_KERNEL_XZ or "
                 "CONFIG_KERNEL_GZIP, or boot it as type=\"pvh\"",
                 pv_arch_to_string(d->arch), kernel_payload_to_string(bad));
}

static const char *stage1_name(const DecisionInput *in, const Decision *d) {
        return in->policy.mode == MODE_PVH ? "PVH" : pv_arch_to_string(d->arch);
}

static void describe_no_blscfg(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char cfg[FS_NAME_MAX * 4 + SEARCH_PATH_MAX + 8];

        config_where(in, d->config, cfg, sizeof(cfg));
        snprintf(buf, size,
                 "the guest's grub.cfg %s builds its menu with blscfg (line %u) and has no menuentry of its own, "
                 "and the %s stage 1 has no blscfg command (GRUB module blscfg or blsuki): its menu would be empty",
                 cfg, (unsigned) in->configs[d->config].menu.blscfg_line, stage1_name(in, d));
}

/*
 * A grub.cfg that runs blscfg, read by a stage 1 that may not have it
 * (rule 7 did not refuse): what the guest will miss, appended to the
 * decision's line.
 */
static void blscfg_warning(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        const ConfigHit *h = &in->configs[d->config];
        int has = search_list_has_blscfg(&in->policy.search[chosen_stage1(in, d)]);
        size_t len = strlen(buf);
        char bls[sizeof(in->bls) * 4 + 4] = "";

        if (!h->scanned || !h->menu.blscfg_line || has == 1 || len + 2 >= size)
                return;
        if (in->bls[0]) {
                char b[sizeof(in->bls) * 4];
                snprintf(bls, sizeof(bls), " (%s)", text_printable(in->bls, sizeof(in->bls), b, sizeof(b)));
        }
        if (has < 0)
                snprintf(buf + len, size - len,
                         "; but its grub.cfg runs blscfg (line %u) and the %s stage 1's modules are unknown: without "
                         "blscfg the Boot Loader Specification entries%s %s",
                         (unsigned) h->menu.blscfg_line, stage1_name(in, d), bls,
                         h->menu.entries ? "will be missing from its menu" : "are all it has and its menu is empty");
        else if (h->menu.entries)
                snprintf(buf + len, size - len,
                         "; but the %s stage 1 has no blscfg, which its grub.cfg runs (line %u): the Boot Loader "
                         "Specification entries%s will be missing from its menu, only its %u menuentry/submenu shown",
                         stage1_name(in, d), (unsigned) h->menu.blscfg_line, bls, (unsigned) h->menu.entries);
        else
                snprintf(buf + len, size - len,
                         "; but the %s stage 1 has no blscfg, which its grub.cfg runs (line %u) for its menu: only "
                         "what line %u brings in will be shown",
                         stage1_name(in, d), (unsigned) h->menu.blscfg_line, (unsigned) h->menu.unsure_line);
}

void decision_describe(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char w[FS_NAME_MAX * 4 + SEARCH_PATH_MAX + 8], cfg[FS_NAME_MAX * 4 + SEARCH_PATH_MAX + 8], paths[1024];
        const char *items[3 * SEARCH_MAX_ENTRIES];
        size_t n;
        int idx;

        config_where(in, d->config, cfg, sizeof(cfg));
        switch (d->outcome) {
        case DECISION_OK:
                if (d->source == SOURCE_PVBOOT) {
                        where(in, &in->candidates[d->chosen], w, sizeof(w));
                        snprintf(buf, size, "found %s pvboot ELF %s (%s); booting the %s pvgrub2 stage 1",
                                 pv_arch_to_string(d->arch), w, d->rule, pv_arch_to_string(d->arch));
                } else if (in->policy.mode == MODE_PVH) {
                        snprintf(buf, size, "--pvh: booting the PVH pvgrub2 stage 1, which reads %s", cfg);
                        blscfg_warning(in, d, buf, size);
                } else {
                        snprintf(buf, size, "no %s pvboot ELF; %s: booting the %s pvgrub2 stage 1, which reads %s",
                                 pv_arch_to_string(d->arch), d->rule, pv_arch_to_string(d->arch), cfg);
                        unloadable_kernels(in, d, buf, size);
                        blscfg_warning(in, d, buf, size);
                }
                break;
        case DECISION_NOTHING_FOUND:
                if (chainload_summary(in, paths, sizeof(paths)) == 0)
                        snprintf(buf, size,
                                 "nothing to boot: the stage 1s chainload no pvboot ELF, and there is no kernel of "
                                 "known width in /boot or / on %u filesystem(s)%s",
                                 in->n_filesystems, d->kernels[PV_ARCH_NONE] ? " (only kernels of unknown width)" : "");
                else
                        snprintf(buf, size,
                                 "nothing to boot: no %s and no kernel of known width in /boot or / on %u filesystem(s)%s",
                                 paths, in->n_filesystems,
                                 d->kernels[PV_ARCH_NONE] ? " (only kernels of unknown width)" : "");
                break;
        case DECISION_NO_GRUB_CFG:
                n = list_paths(in, in->policy.mode == MODE_PVH ? 1u << STAGE1_PVH : PV_KINDS, SEARCH_CONFIG, items,
                               sizeof(items) / sizeof(items[0]));
                join_or(items, n, paths, sizeof(paths));
                if (in->policy.mode == MODE_PVH && n == 0)
                        snprintf(buf, size, "--pvh: the PVH stage 1 reads no grub.cfg: its search list names none");
                else if (in->policy.mode == MODE_PVH)
                        snprintf(buf, size, "--pvh: the PVH stage 1 needs %s and the guest has %s", paths,
                                 n == 2 ? "neither" : "none");
                else if (n == 0)
                        snprintf(buf, size, "no pvboot ELF, and the stage 1s read no grub.cfg to fall back to");
                else
                        snprintf(buf, size, "no pvboot ELF, and no %s for the stage 1 to fall back to", paths);
                break;
        case DECISION_NONE_VALID:
        case DECISION_FORCED_UNAVAILABLE:
                idx = blocking_candidate(in, d);
                if (idx < 0) {
                        snprintf(buf, size, "--force-arch=%s: no %s pvboot ELF and no grub.cfg to fall back to",
                                 pv_arch_to_string(in->policy.force_arch), pv_arch_to_string(in->policy.force_arch));
                        break;
                }
                where(in, &in->candidates[idx], w, sizeof(w));
                snprintf(buf, size, "%sno bootable pvboot ELF: %s: %s",
                         d->outcome == DECISION_FORCED_UNAVAILABLE ? "--force-arch: " : "",
                         w, candidate_problem(&in->candidates[idx]));
                break;
        case DECISION_HOST_CANNOT:
                describe_host(in, d, buf, size);
                break;
        case DECISION_STAGE1_CANNOT_READ:
                describe_cannot_read(in, d, buf, size);
                break;
        case DECISION_STAGE1_NO_BLSCFG:
                describe_no_blscfg(in, d, buf, size);
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

/* The first pvboot ELF the chosen stage 1 chainloads, NULL when none. */
static const char *first_chainload(const DecisionInput *in, const Decision *d) {
        const SearchList *l = &in->policy.search[chosen_stage1(in, d)];

        for (unsigned e = 0; e < l->n && e < SEARCH_MAX_ENTRIES; e++)
                if (l->entries[e].action == SEARCH_CHAINLOAD)
                        return l->entries[e].path;
        return NULL;
}

bool decision_fix(const DecisionInput *in, const Decision *d, char *buf, size_t size) {
        char a[sizeof(in->hidden) * 4];
        bool no_config = d->outcome == DECISION_NO_GRUB_CFG || d->outcome == DECISION_NOTHING_FOUND;

        if (d->outcome == DECISION_STAGE1_NO_BLSCFG) {
                const char *path = config_path(in, &in->configs[d->config]);
                const char *elf = first_chainload(in, d);
                /* /grub/... is found on a separate /boot, where the guest sees /boot/grub/... */
                snprintf(buf, size,
                         "in the guest set GRUB_ENABLE_BLSCFG=false in /etc/default/grub and run grub2-mkconfig -o "
                         "%s%s%s%s",
                         path && strncmp(path, "/grub/", 6) == 0 ? "/boot" : "", path ? path : "/boot/grub/grub.cfg",
                         elf ? ", or install a PV GRUB of its own as " : "", elf ? elf : "");
        } else if (in->hidden[0])
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
        char line[2048], w[FS_NAME_MAX * 4 + SEARCH_PATH_MAX + 8], a[GUEST_NAME_MAX * 4], b[ELF_NOTE_SHOW * 4 + 4],
             list[1024], need[300];
        unsigned n = 0;

        /* The premises first: what each stage 1 that counts here searches, and from where. */
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                const SearchList *l = &in->policy.search[k];
                if (!policy_uses_stage1(&in->policy, k))
                        continue;
                search_list_describe_modules(l, list, sizeof(list));
                snprintf(line, sizeof(line), "stage 1 %s: %s; modules: %s", stage1_kind_to_string(k),
                         text_printable(l->origin, sizeof(l->origin), a, sizeof(a)), list);
                emit(userdata, line), n++;
                search_list_describe(l, list, sizeof(list));
                snprintf(line, sizeof(line), "search %s: %s", stage1_kind_to_string(k), list);
                emit(userdata, line), n++;
        }
        for (size_t i = 0; i < in->n_candidates; i++) {
                const Candidate *c = &in->candidates[i];
                const XenNote *v = &c->image.notes[XEN_ELFNOTE_XEN_VERSION];
                const XenNote *l = &c->image.notes[XEN_ELFNOTE_LOADER];

                if (!candidate_path(in, c))
                        continue;
                where(in, c, w, sizeof(w));
                needs(c->fstype, c->via, need, sizeof(need));
                if (c->kind == FOUND_REGULAR && (v->present || l->present))
                        snprintf(line, sizeof(line), "pvboot %s: %s (XEN_VERSION \"%s\", LOADER \"%s\")%s%s", w,
                                 candidate_problem(c), text_escape(v->str, strlen(v->str), a, sizeof(a)),
                                 text_escape(l->str, strlen(l->str), b, sizeof(b)), need,
                                 (int) i == d->chosen ? " <- chosen" : "");
                else
                        snprintf(line, sizeof(line), "pvboot %s: %s%s%s", w, candidate_problem(c), need,
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
                        snprintf(line, sizeof(line), "kernel %s:%s: %s (%s, boot protocol %u.%02u%s%s)", kfs, kpath,
                                 pv_arch_to_string(k->info.width), kernel_reason_to_string(k->info.reason),
                                 k->info.protocol >> 8, k->info.protocol & 0xff,
                                 k->info.payload != PAYLOAD_UNKNOWN ? ", payload " : "",
                                 k->info.payload != PAYLOAD_UNKNOWN ? kernel_payload_to_string(k->info.payload) : "");
                else
                        snprintf(line, sizeof(line), "kernel %s:%s: %s", kfs, kpath, kernel_reason_to_string(k->info.reason));
                emit(userdata, line), n++;
        }
        /* The first grub.cfg each stage 1 would read; one line when they agree. */
        if (in->policy.mode == MODE_PVH) {
                config_needs(in, d->first_config[STAGE1_PVH], w, sizeof(w));
                snprintf(line, sizeof(line), "grub.cfg: %s", w);
                emit(userdata, line), n++;
        } else {
                char w32[sizeof(w)];
                config_needs(in, d->first_config[STAGE1_X86_64], w, sizeof(w));
                config_needs(in, d->first_config[STAGE1_I386], w32, sizeof(w32));
                if (strcmp(w, w32) == 0) {
                        snprintf(line, sizeof(line), "grub.cfg: %s", w);
                        emit(userdata, line), n++;
                } else {
                        snprintf(line, sizeof(line), "grub.cfg x86_64: %s", w);
                        emit(userdata, line), n++;
                        snprintf(line, sizeof(line), "grub.cfg i386: %s", w32);
                        emit(userdata, line), n++;
                }
        }
        /* What the grub.cfg the stage 1 reads builds its menu with (rule 7). */
        if (d->config >= 0) {
                const ConfigHit *h = &in->configs[d->config];
                int has = search_list_has_blscfg(&in->policy.search[chosen_stage1(in, d)]);
                char why[MENU_WHY_MAX * 4];

                config_where(in, d->config, w, sizeof(w));
                if (!h->scanned)
                        snprintf(line, sizeof(line), "grub.cfg menu: %s: not scanned: %s", w,
                                 h->menu_why[0] ? text_printable(h->menu_why, sizeof(h->menu_why), why, sizeof(why))
                                                : "not read");
                else {
                        int k = snprintf(line, sizeof(line), "grub.cfg menu: %s: %u menuentry/submenu", w,
                                         (unsigned) h->menu.entries);
                        if (h->menu.blscfg_line && k > 0 && (size_t) k < sizeof(line))
                                k += snprintf(line + k, sizeof(line) - (size_t) k, ", blscfg at line %u (the %s stage 1 %s)",
                                              (unsigned) h->menu.blscfg_line, stage1_name(in, d),
                                              has == 1 ? "has it" : has == 0 ? "has no blscfg" : "modules unknown");
                        else if (k > 0 && (size_t) k < sizeof(line))
                                k += snprintf(line + k, sizeof(line) - (size_t) k, ", no blscfg");
                        if (h->menu.unsure_line && k > 0 && (size_t) k < sizeof(line))
                                snprintf(line + k, sizeof(line) - (size_t) k,
                                         ", line %u may bring in entries not seen here", (unsigned) h->menu.unsure_line);
                }
                emit(userdata, line), n++;
        }
        if (in->hidden[0]) {
                char h[sizeof(in->hidden) * 4];
                snprintf(line, sizeof(line), "not seen by the stage 1: %s",
                         text_printable(in->hidden, sizeof(in->hidden), h, sizeof(h)));
                emit(userdata, line), n++;
        }
        if (in->unread[0]) {
                char u[sizeof(in->unread) * 4];
                snprintf(line, sizeof(line), "not read here, so not evidence: %s",
                         text_printable(in->unread, sizeof(in->unread), u, sizeof(u)));
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
        bool named = d->outcome == DECISION_OK || d->outcome == DECISION_HOST_CANNOT ||
                     d->outcome == DECISION_STAGE1_CANNOT_READ || d->outcome == DECISION_STAGE1_NO_BLSCFG;
        snprintf(line, sizeof(line), "rule: mode %s; %s -> %s%s", decision_mode_to_string(in->policy.mode),
                 d->rule ? d->rule : "no rule applied", named ? pv_arch_to_string(d->arch) : "no boot",
                 d->outcome == DECISION_HOST_CANNOT ? ", which the host cannot run"
                 : d->outcome == DECISION_STAGE1_CANNOT_READ ? ", whose stage 1 cannot read that filesystem"
                 : d->outcome == DECISION_STAGE1_NO_BLSCFG ? ", whose stage 1 cannot run the grub.cfg's blscfg" : "");
        emit(userdata, line), n++;
        return n;
}
