/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The width decision.
 *
 * Input: every place the probe looked at that held something at one of the
 * spec's pvboot paths, in the order the filesystems were probed.  Output:
 * the width whose host stage 1 will find and chainload a valid pvboot ELF,
 * or a reason why none will.
 *
 * The rule mirrors what the Debian stage 1 does at boot: for its own width
 * it runs `search -s -f /boot/xen/pvboot-<arch>.elf` over every filesystem,
 * then the same for /xen/...  (GRUB's search skips names that are not
 * regular files after following symlinks), and chainloads the first hit.
 * So for each width the first regular file in (path rank, filesystem order)
 * is the one that boots, and its validity decides whether that width can.
 */

#include <stdbool.h>

#include "elf-notes.h"
#include "pvboot-select.h"

#define FS_NAME_MAX 64

typedef enum FoundKind {
        FOUND_REGULAR = 0,      /* a regular file (after symlinks); see verdict */
        FOUND_NOT_REGULAR,      /* directory, device, FIFO, socket: GRUB skips it */
        FOUND_SYMLINK_LOOP,     /* too many symlinks or a dangling one: GRUB skips it */
        FOUND_TOO_LARGE,        /* regular but over PVBOOT_MAX_FILE_SIZE */
        FOUND_UNREADABLE,       /* the appliance failed to read it */
        _FOUND_KIND_MAX,
} FoundKind;

typedef struct Candidate {
        unsigned path_index;    /* into pvboot_paths[] */
        unsigned fs_index;      /* probe order */
        char fs[FS_NAME_MAX];   /* appliance device name, validated by the probe */
        FoundKind kind;
        int verdict;            /* ElfVerdict when kind == FOUND_REGULAR */
        uint64_t size;
        ElfImage image;
} Candidate;

typedef enum DecisionOutcome {
        DECISION_OK = 0,
        DECISION_NOTHING_FOUND,      /* no pvboot file anywhere */
        DECISION_NONE_VALID,         /* files found, none the stage 1 could boot */
        DECISION_AMBIGUOUS,          /* both widths valid, nothing says which */
        DECISION_FORCED_UNAVAILABLE, /* --force-arch names a width with no valid ELF */
        _DECISION_OUTCOME_MAX,
} DecisionOutcome;

typedef struct DecisionInput {
        const Candidate *candidates;
        size_t n_candidates;
        unsigned n_filesystems;
        PvArch force_arch;      /* PV_ARCH_NONE: decide automatically */
} DecisionInput;

typedef struct Decision {
        DecisionOutcome outcome;
        PvArch arch;
        int chosen;             /* index into candidates, -1 if none */
        int per_arch[_PV_ARCH_MAX]; /* the file each width's stage 1 would load, -1 if none */
} Decision;

void decide(const DecisionInput *in, Decision *ret);

/* One line for the guest console and the log: printable ASCII, no newline. */
void decision_describe(const DecisionInput *in, const Decision *d, char *buf, size_t size);

const char *found_kind_to_string(FoundKind k);
