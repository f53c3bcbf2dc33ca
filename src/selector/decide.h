/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The width decision.
 *
 * Input: what the probe found for each entry of the stage 1s' search
 * lists (search-list.h: chainloaded pvboot ELFs and config files), the
 * guest's kernels, in probe order; what the host can run; the mode the
 * xl config asked for.  Output: which host stage 1 boots this guest, why
 * (the rule, and evidence lines that name the lists and every file that
 * counted), or why none can.
 *
 * What a stage 1 does at boot: for each entry of its list in order, it
 * runs `search -s -f PATH` over every filesystem (GRUB's search skips
 * names that are not regular files after symlinks); the first entry with
 * a hit decides: it chainloads that pvboot ELF of its own width, or reads
 * that config file.  Debian's images search /boot/xen/pvboot-<arch>.elf,
 * /xen/pvboot-<arch>.elf, then /boot/grub/grub.cfg and /grub/grub.cfg;
 * the PVH one only the two grub.cfg.  So:
 *
 *  PV and PV-in-shim
 *  1. For each width, the first hit of its stage 1's list, in (entry,
 *     filesystem order), is what that stage 1 does; the width is "valid"
 *     when that is a pvboot ELF of that width, and "falls back" to a
 *     config file when that is one.
 *  2. --force-arch=W: W, if W is valid or falls back to a config.
 *  3. Exactly one valid width: that width.
 *  4. Both valid: the kernels decide.  Only 32-bit kernels: i386; any
 *     64-bit kernel: x86_64, unless --prefer=i386 and there are 32-bit
 *     kernels too; no kernel of known width: --prefer (default x86_64).
 *  5. None valid: a width that falls back to a config file; the kernels
 *     pick it as in 4, but only from known widths (no guessing).
 *  6. The stage 1 chosen must reach the file it uses: a stage 1 whose
 *     modules are known must carry the module of the filesystem the file
 *     sits on (ext2 for ext4, xfs, btrfs, ...) and of every layer that
 *     filesystem is reached through (part_msdos, part_gpt; diskfilter,
 *     mdraid09/mdraid1x, raid5rec/raid6rec; lvm), or it is refused, the
 *     first missing module named.  (GRUB would skip that filesystem and
 *     search on; we do not guess what it finds then.)
 *  7. A grub.cfg the chosen stage 1 reads must give it a menu: one
 *     whose entries come from blscfg alone (Fedora's GRUB_ENABLE_BLSCFG,
 *     grub-script.h), read by a stage 1 whose modules are known and
 *     have no blscfg, is refused.  With entries of its own too, or
 *     modules unknown, the decision stands and the console line says
 *     what will be missing.
 *  8. Host: a 32-bit PV domain needs xen-3.0-x86_32p (not for the shim,
 *     which brings its own); PVH and the shim need HVM support.
 *
 *  PVH (--pvh): the PVH stage 1, which needs a config file of its list
 *  (rules 6 to 8 apply).
 */

#include <stdbool.h>

#include "selector/elf-notes.h"
#include "selector/grub-script.h"
#include "selector/host-caps.h"
#include "selector/kernel-header.h"
#include "selector/policy.h"
#include "selector/search-list.h"
#include "pvboot-select.h"

#define FS_NAME_MAX 64
#define FS_TYPE_MAX 16          /* the agent's type names: [a-z0-9_], "" unknown */
#define GUEST_NAME_MAX 96

typedef enum FoundKind {
        FOUND_REGULAR = 0,      /* a regular file (after symlinks); see verdict */
        FOUND_NOT_REGULAR,      /* directory, device, FIFO, socket: GRUB skips it */
        FOUND_SYMLINK_LOOP,     /* too many symlinks or too long: GRUB skips it */
        FOUND_TOO_LARGE,        /* regular but over the size bound */
        FOUND_UNREADABLE,       /* the appliance failed to read it */
        _FOUND_KIND_MAX,
} FoundKind;

/* A file at a chainload entry of a PV stage 1's list. */
typedef struct Candidate {
        Stage1Kind stage1;      /* whose list (STAGE1_X86_64, STAGE1_I386) */
        unsigned entry;         /* index into that list */
        unsigned fs_index;      /* probe order */
        char fs[FS_NAME_MAX];   /* appliance device name, escaped */
        char fstype[FS_TYPE_MAX];
        uint32_t via;           /* AGENT_VIA_*: the layers its filesystem is reached through */
        FoundKind kind;
        int verdict;            /* ElfVerdict when kind == FOUND_REGULAR */
        uint64_t size;
        ElfImage image;
} Candidate;

/* The first filesystem (probe order) with a regular file at a config
 * entry of a list, and the menu its bytes build (grub-script.h). */
#define MENU_WHY_MAX 128
typedef struct ConfigHit {
        Stage1Kind stage1;
        unsigned entry;
        unsigned fs_index;
        char fs[FS_NAME_MAX];   /* escaped */
        char fstype[FS_TYPE_MAX];
        uint32_t via;           /* AGENT_VIA_* */
        bool scanned;           /* menu is what the file says */
        GrubMenuScan menu;
        char menu_why[MENU_WHY_MAX];    /* printable ASCII: why not scanned ("" before the probe tried) */
} ConfigHit;

typedef struct KernelEvidence {
        unsigned fs_index;
        char fs[FS_NAME_MAX];           /* escaped */
        char path[GUEST_NAME_MAX];      /* escaped guest path, for display only */
        FoundKind kind;
        KernelInfo info;                /* when kind == FOUND_REGULAR */
} KernelEvidence;

typedef enum DecisionSource {
        SOURCE_NONE = 0,
        SOURCE_PVBOOT,  /* the stage 1 chainloads the guest's pvboot ELF */
        SOURCE_GRUBCFG, /* the stage 1 reads the guest's grub.cfg */
        _SOURCE_MAX,
} DecisionSource;

typedef enum DecisionOutcome {
        DECISION_OK = 0,
        DECISION_NOTHING_FOUND,      /* no pvboot file, no kernel of known width */
        DECISION_NONE_VALID,         /* pvboot files found, none a stage 1 could boot */
        DECISION_FORCED_UNAVAILABLE, /* --force-arch names a width the guest cannot boot */
        DECISION_NO_GRUB_CFG,        /* a grub.cfg fallback is needed and there is none */
        DECISION_HOST_CANNOT,        /* the hypervisor cannot run the chosen domain */
        DECISION_STAGE1_CANNOT_READ, /* the chosen stage 1 lacks the module of the file's filesystem */
        DECISION_STAGE1_NO_BLSCFG,   /* the guest's grub.cfg has only blscfg's menu, the stage 1 no blscfg */
        _DECISION_OUTCOME_MAX,
} DecisionOutcome;

#define DECISION_HIDDEN_MAX 384

typedef struct DecisionInput {
        const Candidate *candidates;
        size_t n_candidates;
        const KernelEvidence *kernels;
        size_t n_kernels;
        const ConfigHit *configs;
        size_t n_configs;
        unsigned n_filesystems;
        /* A file of the search list that exists where the stage 1 does not
         * look (a btrfs default subvolume), with the fix; printable ASCII,
         * "" when none.  Said with a refusal and in the evidence. */
        char hidden[DECISION_HIDDEN_MAX];
        /* Boot configurations pvgrub2 does not read, "fs:path" ("" when
         * none): what a guest that cannot be booted has instead. */
        char extlinux[FS_NAME_MAX + 40];
        char bls[FS_NAME_MAX + 40];
        /* Devices the stage 1 may read that were not read here (an md
         * array of a level the appliance does not map), "NAME: why; ..."
         * ("" when none): said in the evidence, never evidence. */
        char unread[DECISION_HIDDEN_MAX];
        Policy policy;                  /* the admin's: mode, --force-arch, --prefer, the host, the lists */
} DecisionInput;

typedef struct Decision {
        DecisionOutcome outcome;
        PvArch arch;                    /* the stage 1's width (i386 for PVH) */
        DecisionSource source;
        int chosen;                     /* candidate index when SOURCE_PVBOOT, else -1 */
        int config;                     /* config hit index when SOURCE_GRUBCFG, else -1 */
        int per_arch[_PV_ARCH_MAX];     /* the file each width's stage 1 would load, -1: none */
        int falls_back[_PV_ARCH_MAX];   /* the config each width's stage 1 would read instead, -1: none */
        int first_config[_STAGE1_KIND_MAX];     /* each list's first config hit, -1: none */
        unsigned kernels[_PV_ARCH_MAX]; /* [PV_ARCH_NONE] counts unknown widths */
        const char *rule;               /* why, in a few words */
        const char *module;             /* DECISION_STAGE1_CANNOT_READ: the first module it lacks */
} Decision;

void decide(const DecisionInput *in, Decision *ret);

/* One line for the guest console: printable ASCII, no newline. */
void decision_describe(const DecisionInput *in, const Decision *d, char *buf, size_t size);

/* For a refusal: what the guest admin changes so that pvgrub2 can boot
 * it (a file only in a btrfs default subvolume, extlinux, BLS entries, no
 * grub.cfg, a grub.cfg that needs blscfg); false when there is nothing to
 * add.  Printable ASCII. */
bool decision_fix(const DecisionInput *in, const Decision *d, char *buf, size_t size);

/* The evidence, one printable line each, in a fixed order: each stage 1
 * that counts in this mode (where its list came from and its modules,
 * then the list), files, kernels, grub.cfg, host, rule.  Returns the
 * number of lines emitted. */
typedef void (*evidence_fn)(void *userdata, const char *line);
unsigned decision_evidence(const DecisionInput *in, const Decision *d, evidence_fn emit, void *userdata);

const char *found_kind_to_string(FoundKind k);
/* Stable names (the D-Bus interface); *_from_string: the value or -EINVAL. */
const char *decision_outcome_to_string(DecisionOutcome o);
int decision_outcome_from_string(const char *s);
const char *decision_source_to_string(DecisionSource src);
int decision_source_from_string(const char *s);
