/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Evidence gathering for one disk (see inspect.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/elf-notes.h"
#include "probe/inspect.h"
#include "selector/kernel-header.h"
#include "shared/text.h"

/*
 * Resolve path in the mounted filesystem and say what is there, the same
 * way for pvboot files and kernels: -ENOENT when nothing is (not
 * evidence), else 0 with *ret_kind set, and the malloc'd symlink-free path
 * in *ret_path whenever resolution succeeded (NULL otherwise).  Only a
 * FOUND_REGULAR file is within its size bound and may be read.
 */
static int find_file(Probe *p, const char *path, uint64_t max_size, FoundKind *ret_kind,
                     char **ret_path, uint64_t *ret_size) {
        GuestFsOps ops;
        GuestStat st;
        char *resolved = NULL;
        int r;

        *ret_path = NULL;
        *ret_size = 0;
        probe_fs_ops(p, &ops);
        r = guest_path_resolve(&ops, path, &resolved, &st);
        if (r == -ENOENT || r == -ENOTDIR)
                return -ENOENT;
        if (r < 0)
                *ret_kind = r == -ELOOP || r == -ENAMETOOLONG ? FOUND_SYMLINK_LOOP : FOUND_UNREADABLE;
        else if (st.type != GUEST_FILE_REGULAR)
                *ret_kind = FOUND_NOT_REGULAR;
        else if (st.size > max_size)
                *ret_kind = FOUND_TOO_LARGE;
        else
                *ret_kind = FOUND_REGULAR;
        *ret_size = r == 0 ? st.size : 0;
        *ret_path = resolved;
        return 0;
}

/* Is there a regular file at path (symlinks followed as GRUB does)? */
static bool regular_file_at(const GuestFsOps *ops, const char *path) {
        _cleanup_free_ char *resolved = NULL;
        GuestStat st;
        return guest_path_resolve(ops, path, &resolved, &st) == 0 && st.type == GUEST_FILE_REGULAR;
}

/* A reader's failure as evidence: over the read budget is "too large". */
static FoundKind read_failure(int r) {
        return r == -E2BIG ? FOUND_TOO_LARGE : FOUND_UNREADABLE;
}

/* One filesystem being looked at. */
typedef struct Where {
        unsigned index;
        const char *dev;
        char fstype[FS_TYPE_MAX];
        uint32_t via;           /* the layers it is reached through (clone_attach checked them) */
} Where;

static void look_at(Probe *p, Inspection *in, const Where *fs, Stage1Kind k, unsigned entry, const char *path) {
        Candidate c = { .stage1 = k, .entry = entry, .fs_index = fs->index };
        _cleanup_free_ char *resolved = NULL;
        int r;

        if (find_file(p, path, PVBOOT_MAX_FILE_SIZE, &c.kind, &resolved, &c.size) < 0)
                return;
        if (in->n_candidates >= INSPECT_MAX_CANDIDATES) {
                in->too_many = true;
                return;
        }
        text_escape(fs->dev, strlen(fs->dev), c.fs, sizeof(c.fs));
        memcpy(c.fstype, fs->fstype, sizeof(c.fstype));
        c.via = fs->via;
        if (c.kind == FOUND_REGULAR) {
                ProbeFile f;
                uint64_t t0 = now_usec();
                probe_file_init(&f, p, resolved, c.size);
                /* The stage 1 loads only a PV kernel of its own width. */
                r = elf_inspect(&f.source, k == STAGE1_I386 ? PV_ARCH_I386 : PV_ARCH_X86_64, &c.image);
                in->stage_us[STAGE_VALIDATE] += now_usec() - t0;
                if (r < 0)
                        c.kind = read_failure(r);
                else
                        c.verdict = r;
        }
        in->candidates[in->n_candidates++] = c;
}

/* Where distributions put kernels: /boot, and / for a separate /boot or
 * the /vmlinuz convenience links. */
static const char *const kernel_globs[] = {
        "/boot/vmlinuz*", "/boot/vmlinux*", "/boot/bzImage*", "/boot/kernel-*",
        "/vmlinuz*", "/vmlinux*", NULL
};

static void look_for_kernels(Probe *p, Inspection *in, unsigned fs_index, const char *dev) {
        char *seen[INSPECT_MAX_KERNELS];        /* resolved paths, so /vmlinuz and its target count once */
        size_t n_seen = 0;
        GuestFsOps ops;

        probe_fs_ops(p, &ops);
        for (const char *const *g = kernel_globs; *g; g++) {
                _cleanup_(probe_strv_freep) char **names = NULL;

                if (probe_glob(p, *g, &names) < 0)
                        continue;
                for (char **n = names; *n && in->n_kernels < INSPECT_MAX_KERNELS; n++) {
                        KernelEvidence k = { .fs_index = fs_index };
                        _cleanup_free_ char *resolved = NULL;
                        uint64_t size;
                        bool dup = false;

                        if (find_file(p, *n, KERNEL_MAX_FILE_SIZE, &k.kind, &resolved, &size) < 0)
                                continue;
                        for (size_t i = 0; resolved && i < n_seen; i++)
                                dup = dup || strcmp(seen[i], resolved) == 0;
                        if (dup)
                                continue;
                        /* Shown by the name the guest gave it. */
                        text_escape(*n, strlen(*n), k.path, sizeof(k.path));
                        text_escape(dev, strlen(dev), k.fs, sizeof(k.fs));
                        if (k.kind == FOUND_REGULAR) {
                                ProbeFile f;
                                int r;
                                uint64_t t0 = now_usec();
                                probe_file_init(&f, p, resolved, size);
                                r = kernel_inspect(&f.source, &k.info);
                                in->stage_us[STAGE_VALIDATE] += now_usec() - t0;
                                if (r < 0)
                                        k.kind = read_failure(r);
                        }
                        in->kernels[in->n_kernels++] = k;
                        if (resolved)
                                seen[n_seen++] = TAKE_PTR(resolved);    /* n_seen <= kernels added <= INSPECT_MAX_KERNELS */
                }
        }
        for (size_t i = 0; i < n_seen; i++)
                free(seen[i]);
}

/* A file next to the grub.cfg, for its ${config_directory}/NAME. */
typedef struct MenuDir {
        const GuestFsOps *ops;
        const char *cfg;        /* the grub.cfg as the stage 1 names it */
} MenuDir;

static bool menu_file_exists(void *userdata, const char *name) {
        const MenuDir *m = userdata;
        const char *slash = strrchr(m->cfg, '/');
        char path[2 * SEARCH_PATH_MAX];

        /* GRUB sets config_directory from the name it was given
         * (normal/main.c read_config_file), not where a symlink leads. */
        if (!slash || snprintf(path, sizeof(path), "%.*s/%s", (int) (slash - m->cfg), m->cfg, name) >= (int) sizeof(path))
                return true;    /* cannot look: it may be there */
        return regular_file_at(m->ops, path);
}

/*
 * What menu the grub.cfg at path builds (grub-script.h): its first
 * GRUB_MENU_SCAN_MAX bytes, no more, read through the agent like any
 * other guest file and scanned here, in the worker.  Why not, when not.
 */
static void scan_menu(Probe *p, Inspection *in, const char *path, ConfigHit *h) {
        _cleanup_free_ char *resolved = NULL, *text = NULL;
        char why[MENU_WHY_MAX];
        FoundKind kind = FOUND_UNREADABLE;
        uint64_t size, t0 = now_usec();
        GuestFsOps ops;
        ProbeFile f;
        int r;

        probe_fs_ops(p, &ops);
        h->scanned = false;
        if (find_file(p, path, GRUB_MENU_SCAN_MAX, &kind, &resolved, &size) < 0 || kind != FOUND_REGULAR) {
                if (kind == FOUND_TOO_LARGE)
                        snprintf(h->menu_why, sizeof(h->menu_why), "over %u KiB", GRUB_MENU_SCAN_MAX >> 10);
                else
                        snprintf(h->menu_why, sizeof(h->menu_why), "%s", found_kind_to_string(kind));
                return;
        }
        text = malloc(size + 1);        /* size <= GRUB_MENU_SCAN_MAX */
        if (!text) {
                snprintf(h->menu_why, sizeof(h->menu_why), "out of memory");
                return;
        }
        probe_file_init(&f, p, resolved, size);
        r = byte_source_read(&f.source, 0, text, (size_t) size);
        if (r < 0) {
                snprintf(h->menu_why, sizeof(h->menu_why), "cannot read it: %s", strerror(-r));
                return;
        }
        text[size] = 0;
        MenuDir dir = { .ops = &ops, .cfg = path };
        r = grub_menu_scan(text, (size_t) size, menu_file_exists, &dir, &h->menu, why, sizeof(why));
        if (r < 0)
                text_escape(why, strnlen(why, sizeof(why)), h->menu_why, sizeof(h->menu_why));
        else
                h->scanned = true;
        in->stage_us[STAGE_VALIDATE] += now_usec() - t0;
}

/* Has an entry of list k at or before this one a config found? */
static bool has_config(const Inspection *in, Stage1Kind k, unsigned entry) {
        for (size_t i = 0; i < in->n_configs; i++)
                if (in->configs[i].stage1 == k && in->configs[i].entry <= entry)
                        return true;
        return false;
}

/*
 * The config entries of every list, on this filesystem: the first
 * filesystem (in probe order) with a regular file there is the one
 * GRUB's search -f stops at, so an entry found already is not looked up
 * again, nor one after it (the stage 1 never gets that far); and a path
 * two lists share (Debian's all three) once.
 */
static void look_for_configs(Probe *p, Inspection *in, const Where *fs, const Policy *policy) {
        const char *looked[INSPECT_MAX_CONFIGS];
        bool found[INSPECT_MAX_CONFIGS];
        size_t hit_of[INSPECT_MAX_CONFIGS];     /* the config that scanned a path found */
        size_t n_looked = 0;
        GuestFsOps ops;

        probe_fs_ops(p, &ops);
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                const SearchList *l = &policy->search[k];
                for (unsigned e = 0; e < l->n && e < SEARCH_MAX_ENTRIES; e++) {
                        const char *path = l->entries[e].path;
                        bool hit = false, known = false;
                        size_t at = 0;

                        if (l->entries[e].action != SEARCH_CONFIG || has_config(in, k, e))
                                continue;
                        for (size_t j = 0; j < n_looked && !known; j++)
                                if (strcmp(looked[j], path) == 0) {
                                        known = true;
                                        hit = found[j];
                                        at = j;
                                }
                        if (!known) {
                                hit = regular_file_at(&ops, path);
                                at = n_looked;
                                looked[n_looked] = path;
                                found[n_looked++] = hit;
                        }
                        if (!hit)
                                continue;
                        ConfigHit *h = &in->configs[in->n_configs++];   /* one per (list, entry): fits */
                        *h = (ConfigHit) { .stage1 = k, .entry = e, .fs_index = fs->index, .via = fs->via };
                        text_escape(fs->dev, strlen(fs->dev), h->fs, sizeof(h->fs));
                        memcpy(h->fstype, fs->fstype, sizeof(h->fstype));
                        /* A path two lists share is read once. */
                        if (known) {
                                const ConfigHit *first = &in->configs[hit_of[at]];
                                h->scanned = first->scanned;
                                h->menu = first->menu;
                                memcpy(h->menu_why, first->menu_why, sizeof(h->menu_why));
                        } else {
                                hit_of[at] = in->n_configs - 1;
                                scan_menu(p, in, path, h);
                        }
                }
        }
}

/*
 * Boot configurations pvgrub2 does not read: extlinux/syslinux, and Boot
 * Loader Specification entries (which GRUB reads only with blscfg, a
 * Fedora/SUSE patch).  The first of each, for the fix a refusal names.
 */
static void look_for_other_boot(Probe *p, Inspection *in, const char *dev) {
        static const char *const extlinux[] = {
                "/boot/extlinux/extlinux.conf", "/extlinux/extlinux.conf", "/boot/syslinux/syslinux.cfg",
                "/syslinux/syslinux.cfg", "/extlinux.conf",
        };
        static const char *const bls[] = { "/boot/loader/entries/*.conf", "/loader/entries/*.conf" };
        GuestFsOps ops;
        char fs[FS_NAME_MAX];

        probe_fs_ops(p, &ops);
        text_escape(dev, strlen(dev), fs, sizeof(fs));
        for (size_t k = 0; k < ELEMENTSOF(extlinux) && !in->extlinux[0]; k++) {
                if (regular_file_at(&ops, extlinux[k]))
                        snprintf(in->extlinux, sizeof(in->extlinux), "%s:%s", fs, extlinux[k]);
        }
        for (size_t k = 0; k < ELEMENTSOF(bls) && !in->bls[0]; k++) {
                _cleanup_(probe_strv_freep) char **names = NULL;
                if (probe_glob(p, bls[k], &names) == 0 && names[0])
                        snprintf(in->bls, sizeof(in->bls), "%s:%.*s/", fs, (int) (strrchr(bls[k], '/') - bls[k]),
                                 bls[k]);
        }
}

/* Did the top level of filesystem fs show entry e of list k? */
static bool seen_at_top(const Inspection *in, Stage1Kind k, unsigned e, const char *fs) {
        for (size_t i = 0; i < in->n_candidates; i++)
                if (in->candidates[i].stage1 == k && in->candidates[i].entry == e && strcmp(in->candidates[i].fs, fs) == 0)
                        return true;
        for (size_t i = 0; i < in->n_configs; i++)
                if (in->configs[i].stage1 == k && in->configs[i].entry == e && strcmp(in->configs[i].fs, fs) == 0)
                        return true;
        return false;
}

/*
 * A btrfs's default subvolume, a view the stage 1 does not have (it reads
 * the top level): the first file of the search lists found there and not
 * at the top level, so that a guest whose files are only there is told
 * why the stage 1 will not find them.  Evidence for that message only,
 * never for the decision.
 */
static void look_in_default_subvol(Probe *p, Inspection *in, const char *dev, const AgentDevice *info,
                                   const Policy *policy) {
        char fs[FS_NAME_MAX];
        GuestFsOps ops;

        if (in->hidden[0])
                return;
        /* The view's name is the filesystem's and a suffix (agent.c); the
         * filesystem itself was looked at already, under its own name. */
        text_escape(dev, strcspn(dev, " "), fs, sizeof(fs));
        probe_fs_ops(p, &ops);
        /* Every path of every stage 1's list, in the lists' order. */
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++)
                for (unsigned e = 0; e < policy->search[k].n && e < SEARCH_MAX_ENTRIES; e++) {
                        const char *path = policy->search[k].entries[e].path;
                        if (seen_at_top(in, k, e, fs) || !regular_file_at(&ops, path))
                                continue;
                        snprintf(in->hidden, sizeof(in->hidden),
                                 "%s exists only in btrfs subvolume %llu, the default of %s; the stage 1 reads the "
                                 "top-level subvolume (5) and will not find it: put it there too "
                                 "(mount -o subvolid=5 the filesystem and install it at that path)",
                                 path, (unsigned long long) info->subvol, fs);
                        return;
                }
}

static uint64_t minus(uint64_t a, uint64_t b) {
        return a > b ? a - b : 0;
}

/*
 * The stages of one inspection: the probe's own (launch, bind, rescan,
 * read) as it counted them; validate is the time in the ELF and kernel
 * readers less the reads they made; search is everything else here
 * (mounts, lookups, globs).
 */
static void account(Probe *p, Inspection *in, uint64_t start, uint64_t rescan0, uint64_t read0) {
        uint64_t total = now_usec() - start, parse = in->stage_us[STAGE_VALIDATE];

        for (ReportStage s = 0; s < _STAGE_MAX; s++)
                if (s != STAGE_VALIDATE)
                        in->stage_us[s] = probe_stage_usec(p, s);
        in->stage_us[STAGE_VALIDATE] = minus(parse, probe_stage_usec(p, STAGE_READ) - read0);
        in->stage_us[STAGE_SEARCH] = minus(total, probe_stage_usec(p, STAGE_RESCAN) - rescan0 + parse);
}

int inspect_disk(Probe *p, const Policy *policy, Inspection *ret) {
        uint64_t start = now_usec(), rescan0 = probe_stage_usec(p, STAGE_RESCAN),
                 read0 = probe_stage_usec(p, STAGE_READ);
        _cleanup_(probe_strv_freep) char **fss = NULL;
        int r;

        memset(ret, 0, sizeof(*ret));
        r = probe_list_filesystems(p, &fss);
        if (r < 0) {
                snprintf(ret->error, sizeof(ret->error), "cannot list filesystems: %s", probe_last_error(p));
                goto out;
        }

        /* One mount per filesystem; every path of every list looked up
         * while it is mounted.  The lists' order is applied later, by
         * decide(). */
        for (unsigned i = 0; fss[i]; i++) {
                Where fs = { .index = i, .dev = fss[i] };

                ret->n_filesystems++;
                probe_filesystem_type(p, fss[i], fs.fstype, sizeof(fs.fstype));
                const AgentDevice *info = probe_filesystem(p, fss[i]);
                /* What the stage 1 may read and the appliance could not:
                 * its name says why (pvboot-agent.h); not a filesystem. */
                if (info && (info->flags & AGENT_DEVICE_UNREAD)) {
                        size_t l = strlen(ret->unread);
                        char name[FS_NAME_MAX * 4];
                        ret->n_filesystems--;
                        text_escape(fss[i], strlen(fss[i]), name, sizeof(name));
                        snprintf(ret->unread + l, sizeof(ret->unread) - l, "%s%s", l ? "; " : "", name);
                        continue;
                }
                if (probe_mount(p, fss[i]) < 0) {
                        if (!probe_alive(p))
                                break;
                        continue;       /* unmountable (corrupt, unsupported): GRUB cannot read it either */
                }
                fs.via = info ? info->via : 0;
                if (info && (info->flags & AGENT_DEVICE_DEFAULT_SUBVOL)) {
                        ret->n_filesystems--;   /* not one the stage 1 sees */
                        look_in_default_subvol(p, ret, fss[i], info, policy);
                } else {
                        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++)
                                for (unsigned e = 0; e < policy->search[k].n && e < SEARCH_MAX_ENTRIES; e++)
                                        if (policy->search[k].entries[e].action == SEARCH_CHAINLOAD)
                                                look_at(p, ret, &fs, k, e, policy->search[k].entries[e].path);
                        look_for_kernels(p, ret, i, fss[i]);
                        look_for_configs(p, ret, &fs, policy);
                        look_for_other_boot(p, ret, fss[i]);
                }
                if (ret->too_many)
                        break;
                if (!probe_alive(p))
                        break;
                if (probe_umount(p) < 0) {
                        snprintf(ret->error, sizeof(ret->error), "cannot unmount: %s", probe_last_error(p));
                        r = -EIO;
                        goto out;
                }
        }
        /* A partial view is worse than none: with one width's file seen
         * and the other's lookup lost, the wrong width would win. */
        if (ret->too_many) {
                snprintf(ret->error, sizeof(ret->error),
                         "more than %u pvboot files at the stage 1s' chainload paths: not deciding on part of them",
                         INSPECT_MAX_CANDIDATES);
                r = -E2BIG;
                goto out;
        }
        if (!probe_alive(p)) {
                snprintf(ret->error, sizeof(ret->error), "the appliance died during the inspection%s%s",
                         *probe_last_error(p) ? ": " : "", probe_last_error(p));
                r = -EIO;
                goto out;
        }
        r = 0;
out:
        account(p, ret, start, rescan0, read0);
        return r;
}

typedef struct EvidenceSink {
        InspectReport *report;
        unsigned dropped;
} EvidenceSink;

static void add_evidence(void *userdata, const char *line) {
        EvidenceSink *e = userdata;
        InspectReport *r = e->report;
        bool rule = strncmp(line, "rule:", 5) == 0;

        /* Two slots stay free for a "N more" line and the rule, which
         * decision_evidence() always emits last. */
        if (!rule && r->n_evidence >= REPORT_MAX_EVIDENCE - 2) {
                e->dropped++;
                return;
        }
        if (rule && e->dropped > 0)
                snprintf(r->evidence[r->n_evidence++], REPORT_LINE, "(%u more evidence lines not shown)", e->dropped);
        char safe[REPORT_LINE];
        const char *t = text_printable(line, strlen(line) + 1, safe, sizeof(safe));
        char *slot = r->evidence[r->n_evidence++];
        if (strlen(t) < REPORT_LINE)
                memcpy(slot, t, strlen(t) + 1);
        else
                snprintf(slot, REPORT_LINE, "%.*s...", REPORT_LINE - 4, t);     /* too long: said so */
}

void inspect_report(const Inspection *in, int status, const Policy *policy, InspectReport *ret) {
        uint64_t start = now_usec();

        *ret = (InspectReport) { .magic = REPORT_MAGIC, .version = REPORT_VERSION, .status = status };
        for (ReportStage s = 0; s < _STAGE_MAX; s++)
                ret->stage_us[s] = (uint32_t) (in->stage_us[s] < UINT32_MAX ? in->stage_us[s] : UINT32_MAX);

        if (status < 0) {
                text_escape(in->error, strnlen(in->error, sizeof(in->error)), ret->message, sizeof(ret->message));
                return;
        }

        DecisionInput di = { .policy = *policy };
        di.candidates = in->candidates;
        di.n_candidates = in->n_candidates;
        di.kernels = in->kernels;
        di.n_kernels = in->n_kernels;
        di.configs = in->configs;
        di.n_configs = in->n_configs;
        di.n_filesystems = in->n_filesystems;
        memcpy(di.hidden, in->hidden, sizeof(di.hidden));
        memcpy(di.extlinux, in->extlinux, sizeof(di.extlinux));
        memcpy(di.bls, in->bls, sizeof(di.bls));
        memcpy(di.unread, in->unread, sizeof(di.unread));

        Decision d;
        decide(&di, &d);
        ret->outcome = d.outcome;
        if (d.outcome == DECISION_OK) {
                ret->arch = d.arch;
                ret->source = d.source;
                if (d.source == SOURCE_PVBOOT) {
                        const Candidate *c = &in->candidates[d.chosen];
                        ret->path_index = c->entry;
                        memcpy(ret->fs, c->fs, sizeof(ret->fs));
                }
        }
        decision_describe(&di, &d, ret->message, sizeof(ret->message));

        EvidenceSink sink = { .report = ret };
        decision_evidence(&di, &d, add_evidence, &sink);
        ret->stage_us[STAGE_VALIDATE] += (uint32_t) minus(now_usec(), start);
}
