/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for the width decision (decide.c).
 *
 * The rules under test are decide.h's: what the Debian stage 1 does at
 * boot (per width, the first regular pvboot file in (path rank,
 * filesystem order) is the one GRUB chainloads; without one it reads
 * grub.cfg), the kernels' widths as tie-break and fallback evidence,
 * --force-arch, --prefer, the modes and the host's capabilities.  The
 * cases are a table; each lists what the probe found (in whatever order
 * the array happens to hold it), the policy, and what must be decided and
 * said.  Every case's description and evidence are also checked for shape:
 * printable ASCII, one line each, in the documented order.
 */
#include <stdbool.h>

#include "selector/decide.h"
#include "shared/test-util.h"

/* Indexes into pvboot_paths[]; checked against the table in main(). */
enum {
        BOOT_X86_64 = 0,        /* /boot/xen/pvboot-x86_64.elf */
        XEN_X86_64  = 1,        /* /xen/pvboot-x86_64.elf */
        BOOT_I386   = 2,        /* /boot/xen/pvboot-i386.elf */
        XEN_I386    = 3,        /* /xen/pvboot-i386.elf */
};

#define MAX_CANDIDATES 4
#define MAX_KERNELS    4
#define MAX_NEEDLES    3
#define N_FILESYSTEMS  3
#define GRUB_CFG_WHERE "/dev/sda1:/boot/grub/grub.cfg"

/* xen_caps as Xen prints them. */
#define CAPS_DEBIAN  "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
#define CAPS_PV32    "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
#define CAPS_NO_HVM  "xen-3.0-x86_64 xen-3.0-x86_32p"
#define CAPS_ONLY_32 "xen-3.0-x86_32p hvm-3.0-x86_32"

typedef struct CandidateSpec {
        unsigned path_index, fs_index;
        FoundKind kind;
        int verdict;
} CandidateSpec;

typedef struct KernelSpec {
        unsigned fs_index;
        FoundKind kind;
        PvArch width;
        KernelReason reason;
} KernelSpec;

typedef struct Case {
        const char *name;
        CandidateSpec c[MAX_CANDIDATES];
        size_t n;
        KernelSpec k[MAX_KERNELS];
        size_t nk;
        bool grub_cfg;
        DecisionMode mode;
        PvArch force, prefer;
        const char *caps;               /* NULL: host unknown */

        DecisionOutcome outcome;
        PvArch arch;                    /* when DECISION_OK or DECISION_HOST_CANNOT */
        DecisionSource source;          /* likewise */
        int per_x86_64, per_i386;       /* chosen is derived: per_arch[arch] for SOURCE_PVBOOT, else -1 */
        const char *says[MAX_NEEDLES];  /* substrings of the description */
        const char *rule;               /* substring of the rule, if any */
} Case;

#define OK_FILE(p, f)      { (p), (f), FOUND_REGULAR, ELF_PV_OK }
#define BAD_FILE(p, f, v)  { (p), (f), FOUND_REGULAR, (v) }
#define ODD(p, f, k)       { (p), (f), (k), ELF_PV_OK }

#define K64(f)       { (f), FOUND_REGULAR, PV_ARCH_X86_64, KERNEL_BZIMAGE_64 }
#define K32(f)       { (f), FOUND_REGULAR, PV_ARCH_I386, KERNEL_BZIMAGE_32 }
#define KELF64(f)    { (f), FOUND_REGULAR, PV_ARCH_X86_64, KERNEL_ELF }
#define KUNK(f, r)   { (f), FOUND_REGULAR, PV_ARCH_NONE, (r) }
/* Not a regular file, yet info claims a width: it must not count. */
#define KODD(f, k)   { (f), (k), PV_ARCH_X86_64, KERNEL_BZIMAGE_64 }

#define PER(x, i)    .per_x86_64 = (x), .per_i386 = (i)
#define NO_PER       PER(-1, -1)
#define BOTH_VALID   { OK_FILE(BOOT_X86_64, 0), OK_FILE(BOOT_I386, 0) }, .n = 2, PER(0, 1)

static const Case cases[] = {
        /* ---------------- Rule 3: exactly one valid width ---------------- */
        {
                .name = "one valid x86_64 at /boot/xen",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1),
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "found x86_64", "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "x86_64 pvgrub2" },
                .rule = "only one width",
        }, {
                .name = "one valid i386 at /xen",
                .c = { OK_FILE(XEN_I386, 0) }, .n = 1, PER(-1, 0),
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "found i386", "/dev/sda1:/xen/pvboot-i386.elf", "i386 pvgrub2" },
        }, {
                .name = "one valid i386, 64-bit kernels and grub.cfg do not matter",
                .c = { OK_FILE(BOOT_I386, 1) }, .n = 1, PER(-1, 0),
                .k = { K64(0), K64(1) }, .nk = 2, .grub_cfg = true,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdb1:/boot/xen/pvboot-i386.elf" },
                .rule = "only one width",
        }, {
                .name = "one valid x86_64, 32-bit kernels do not matter",
                .c = { OK_FILE(XEN_X86_64, 2) }, .n = 1, PER(0, -1),
                .k = { K32(2) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdc1:/xen/pvboot-x86_64.elf" },
        }, {
                .name = "one valid x86_64, --prefer=i386 does not matter",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1),
                .k = { K32(0), K64(0) }, .nk = 2, .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
        }, {
                .name = "x86_64 invalid, i386 valid",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_NAME_MISMATCH), OK_FILE(BOOT_I386, 0) }, .n = 2, PER(0, 1),
                .k = { K64(0) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "found i386", "/dev/sda1:/boot/xen/pvboot-i386.elf" },
        },

        /* ---------------- Rule 4: both valid, the kernels decide ---------------- */
        {
                .name = "both valid, only 32-bit kernels",
                .c = BOTH_VALID, .k = { K32(0), K32(1) }, .nk = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "found i386", "/dev/sda1:/boot/xen/pvboot-i386.elf" },
                .rule = "32-bit",
        }, {
                .name = "both valid, only 32-bit kernels beat --prefer=x86_64",
                .c = BOTH_VALID, .k = { K32(0) }, .nk = 1, .prefer = PV_ARCH_X86_64,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "both valid, 32-bit and unknown kernels",
                .c = BOTH_VALID, .k = { KUNK(0, KERNEL_COMPRESSED), K32(0), KODD(1, FOUND_UNREADABLE) }, .nk = 3,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "both valid, only 64-bit kernels",
                .c = BOTH_VALID, .k = { K64(0), KELF64(1) }, .nk = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "found x86_64", "/dev/sda1:/boot/xen/pvboot-x86_64.elf" },
                .rule = "64-bit",
        }, {
                /* --prefer only breaks a tie: 64-bit kernels alone are none. */
                .name = "both valid, only 64-bit kernels beat --prefer=i386",
                .c = BOTH_VALID, .k = { K64(0) }, .nk = 1, .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
        }, {
                .name = "both valid, mixed kernels",
                .c = BOTH_VALID, .k = { K32(0), K64(0), K32(1) }, .nk = 3,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .rule = "64-bit kernel wins",
        }, {
                .name = "both valid, mixed kernels, --prefer=x86_64",
                .c = BOTH_VALID, .k = { K32(0), K64(0) }, .nk = 2, .prefer = PV_ARCH_X86_64,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
        }, {
                .name = "both valid, mixed kernels, --prefer=i386",
                .c = BOTH_VALID, .k = { K64(0), K32(0) }, .nk = 2, .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "/dev/sda1:/boot/xen/pvboot-i386.elf" },
                .rule = "--prefer=i386",
        }, {
                .name = "both valid, no kernels: default x86_64",
                .c = BOTH_VALID,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .rule = "default",
        }, {
                .name = "both valid, no kernels, --prefer=i386",
                .c = BOTH_VALID, .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .rule = "--prefer=i386",
        }, {
                .name = "both valid, no kernels, --prefer=x86_64",
                .c = BOTH_VALID, .prefer = PV_ARCH_X86_64,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .rule = "--prefer=x86_64",
        }, {
                .name = "both valid, only kernels of unknown width",
                .c = BOTH_VALID,
                .k = { KUNK(0, KERNEL_COMPRESSED), KUNK(0, KERNEL_OLD_PROTOCOL), KODD(1, FOUND_TOO_LARGE),
                       KODD(2, FOUND_SYMLINK_LOOP) }, .nk = 4,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .rule = "no kernel of known width",
        }, {
                .name = "both valid, only kernels of unknown width, --prefer=i386",
                .c = BOTH_VALID, .k = { KUNK(0, KERNEL_SHORT_FILE), KODD(0, FOUND_NOT_REGULAR) }, .nk = 2,
                .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                /* Both valid at /xen, on different filesystems. */
                .name = "both valid at /xen, 32-bit kernels",
                .c = { OK_FILE(XEN_I386, 2), OK_FILE(XEN_X86_64, 1) }, .n = 2, PER(1, 0),
                .k = { K32(2) }, .nk = 1,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdc1:/xen/pvboot-i386.elf" },
        },

        /* ---------------- Rule 5: none valid, grub.cfg fallback ---------------- */
        {
                .name = "no pvboot, grub.cfg, 32-bit kernels",
                .k = { K32(0), K32(1) }, .nk = 2, .grub_cfg = true, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "no i386 pvboot ELF", "i386 pvgrub2", GRUB_CFG_WHERE },
                .rule = "32-bit",
        }, {
                .name = "no pvboot, grub.cfg, 64-bit kernels",
                .k = { K64(0) }, .nk = 1, .grub_cfg = true, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_GRUBCFG,
                .says = { "no x86_64 pvboot ELF", "x86_64 pvgrub2", GRUB_CFG_WHERE },
        }, {
                .name = "no pvboot, grub.cfg, mixed kernels",
                .k = { K32(0), K64(0) }, .nk = 2, .grub_cfg = true, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_GRUBCFG,
        }, {
                .name = "no pvboot, grub.cfg, mixed kernels, --prefer=i386",
                .k = { K32(0), K64(0) }, .nk = 2, .grub_cfg = true, .prefer = PV_ARCH_I386, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { GRUB_CFG_WHERE },
        }, {
                .name = "no pvboot, grub.cfg, 32-bit and unknown kernels",
                .k = { KUNK(0, KERNEL_COMPRESSED), K32(0), KODD(0, FOUND_TOO_LARGE) }, .nk = 3, .grub_cfg = true,
                NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
        }, {
                /* Never a guess: unknown widths pick nothing, --prefer neither. */
                .name = "no pvboot, grub.cfg, only kernels of unknown width",
                .k = { KUNK(0, KERNEL_COMPRESSED), KUNK(1, KERNEL_NOT_KERNEL), KODD(0, FOUND_UNREADABLE) }, .nk = 3,
                .grub_cfg = true, NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
                .says = { "nothing to boot", "3 filesystem(s)", "unknown width" },
        }, {
                .name = "no pvboot, grub.cfg, only kernels of unknown width, --prefer=i386",
                .k = { KUNK(0, KERNEL_ELF_OTHER) }, .nk = 1, .grub_cfg = true, .prefer = PV_ARCH_I386, NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
        }, {
                .name = "no pvboot, grub.cfg, no kernels, --prefer=x86_64",
                .grub_cfg = true, .prefer = PV_ARCH_X86_64, NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
                .says = { "nothing to boot" },
        }, {
                .name = "no pvboot, 64-bit kernels, no grub.cfg",
                .k = { K64(0) }, .nk = 1, NO_PER,
                .outcome = DECISION_NO_GRUB_CFG,
                .says = { "grub.cfg" },
        }, {
                .name = "no pvboot, 32-bit kernels, no grub.cfg",
                .k = { K32(0), KUNK(1, KERNEL_COMPRESSED) }, .nk = 2, NO_PER,
                .outcome = DECISION_NO_GRUB_CFG,
                .says = { "/boot/grub/grub.cfg", "/grub/grub.cfg" },
        }, {
                .name = "nothing anywhere",
                NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
                .says = { "/boot/xen/pvboot-", "/xen/pvboot-", "on 3 filesystem(s)" },
        }, {
                .name = "nothing but grub.cfg",
                .grub_cfg = true, NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
                .says = { "nothing to boot" },
        }, {
                /* The x86_64 stage 1 would load the broken file, not grub.cfg. */
                .name = "invalid x86_64 pvboot, 64-bit kernels, grub.cfg",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_BAD_NOTES) }, .n = 1, PER(0, -1),
                .k = { K64(0) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "malformed ELF notes" },
        }, {
                .name = "invalid x86_64 pvboot, mixed kernels, grub.cfg",
                .c = { BAD_FILE(XEN_X86_64, 1, ELF_NO_XEN_NOTES) }, .n = 1, PER(0, -1),
                .k = { K64(0), K32(0) }, .nk = 2, .grub_cfg = true,
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sdb1:/xen/pvboot-x86_64.elf", "no Xen ELF notes" },
        }, {
                /* The i386 stage 1 finds no pvboot file and reads grub.cfg. */
                .name = "invalid x86_64 pvboot, 32-bit kernels, grub.cfg",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_BAD_LOADER) }, .n = 1, PER(0, -1),
                .k = { K32(0) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "no i386 pvboot ELF", GRUB_CFG_WHERE },
        }, {
                .name = "invalid x86_64 pvboot, mixed kernels, --prefer=i386, grub.cfg",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_BAD_LOADER) }, .n = 1, PER(0, -1),
                .k = { K32(0), K64(0) }, .nk = 2, .grub_cfg = true, .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
        }, {
                .name = "invalid x86_64 pvboot, 32-bit kernels, no grub.cfg",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_BAD_LOADER) }, .n = 1, PER(0, -1),
                .k = { K32(0) }, .nk = 1,
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "LOADER" },
        }, {
                .name = "invalid x86_64 pvboot, no kernels, grub.cfg",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_TRUNCATED) }, .n = 1, PER(0, -1),
                .grub_cfg = true,
                .outcome = DECISION_NONE_VALID,
                .says = { "truncated ELF" },
        }, {
                .name = "invalid i386 pvboot, 64-bit kernels, grub.cfg",
                .c = { BAD_FILE(XEN_I386, 0, ELF_NO_PAE) }, .n = 1, PER(-1, 0),
                .k = { K64(0) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_GRUBCFG,
                .says = { "no x86_64 pvboot ELF", GRUB_CFG_WHERE },
        }, {
                .name = "PVH-only ELF at pvboot-i386, 32-bit kernels, grub.cfg",
                .c = { BAD_FILE(BOOT_I386, 0, ELF_PVH_ONLY) }, .n = 1, PER(-1, 0),
                .k = { K32(0) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-i386.elf", "PVH" },
        }, {
                .name = "PVH-only ELF at pvboot-i386, nothing else",
                .c = { BAD_FILE(BOOT_I386, 1, ELF_PVH_ONLY) }, .n = 1, PER(-1, 0),
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sdb1:/boot/xen/pvboot-i386.elf", "PVH" },
        }, {
                /* GRUB's search -f does not see directories or loops, so
                 * neither do we: still nothing to boot, nothing to blame. */
                .name = "only things GRUB skips",
                .c = { ODD(BOOT_X86_64, 0, FOUND_NOT_REGULAR), ODD(XEN_I386, 1, FOUND_SYMLINK_LOOP) }, .n = 2,
                NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
                .says = { "/boot/xen/pvboot-", "3 filesystem" },
        }, {
                .name = "only things GRUB skips, grub.cfg, 32-bit kernels",
                .c = { ODD(BOOT_I386, 0, FOUND_NOT_REGULAR), ODD(XEN_X86_64, 1, FOUND_SYMLINK_LOOP) }, .n = 2,
                .k = { K32(0) }, .nk = 1, .grub_cfg = true, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
        },

        /* ---------------- Which file a stage 1 loads ---------------- */
        {
                /* /boot/xen is searched on every filesystem before /xen. */
                .name = "path rank beats filesystem order",
                .c = { OK_FILE(XEN_X86_64, 0), OK_FILE(BOOT_X86_64, 1) }, .n = 2, PER(1, -1),
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdb1:/boot/xen/pvboot-x86_64.elf" },
        }, {
                /* Same path: probe order decides, not array order. */
                .name = "same path, first filesystem wins",
                .c = { OK_FILE(BOOT_X86_64, 1), OK_FILE(BOOT_X86_64, 0) }, .n = 2, PER(1, -1),
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf" },
        }, {
                /* The stage 1 loads the first file and fails; it never
                 * gets to the valid one. */
                .name = "first x86_64 invalid shadows a valid one",
                .c = { OK_FILE(BOOT_X86_64, 1), BAD_FILE(BOOT_X86_64, 0, ELF_BAD_NOTES) }, .n = 2, PER(1, -1),
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "malformed ELF notes" },
        }, {
                .name = "invalid /boot/xen shadows valid /xen on an earlier filesystem",
                .c = { OK_FILE(XEN_X86_64, 0), BAD_FILE(BOOT_X86_64, 1, ELF_BAD_LOADER) }, .n = 2, PER(1, -1),
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sdb1:/boot/xen/pvboot-x86_64.elf", "LOADER" },
        }, {
                .name = "directory at /boot/xen is skipped",
                .c = { ODD(BOOT_X86_64, 0, FOUND_NOT_REGULAR), OK_FILE(XEN_X86_64, 0) }, .n = 2, PER(1, -1),
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "/dev/sda1:/xen/pvboot-x86_64.elf" },
        }, {
                .name = "symlink loop at /boot/xen is skipped",
                .c = { ODD(BOOT_I386, 0, FOUND_SYMLINK_LOOP), OK_FILE(XEN_I386, 1) }, .n = 2, PER(-1, 1),
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdb1:/xen/pvboot-i386.elf" },
        }, {
                /* A too-large file is still a regular file GRUB would load. */
                .name = "too large is not skipped",
                .c = { ODD(BOOT_X86_64, 0, FOUND_TOO_LARGE), OK_FILE(XEN_X86_64, 0) }, .n = 2, PER(0, -1),
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "file too large" },
        }, {
                .name = "too large is not skipped, not even for grub.cfg",
                .c = { ODD(BOOT_I386, 0, FOUND_TOO_LARGE) }, .n = 1, PER(-1, 0),
                .k = { K32(0) }, .nk = 1, .grub_cfg = true,
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-i386.elf", "file too large" },
        }, {
                .name = "unreadable is not skipped",
                .c = { ODD(BOOT_I386, 0, FOUND_UNREADABLE), OK_FILE(XEN_I386, 0) }, .n = 2, PER(-1, 0),
                .outcome = DECISION_NONE_VALID,
                .says = { "/dev/sda1:/boot/xen/pvboot-i386.elf", "unreadable" },
        }, {
                /* Only the probe's own table indexes mean anything. */
                .name = "path index out of range is ignored",
                .c = { OK_FILE(PVBOOT_N_PATHS, 0), OK_FILE(99, 0), OK_FILE(XEN_X86_64, 1) }, .n = 3, PER(2, -1),
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdb1:/xen/pvboot-x86_64.elf" },
        }, {
                .name = "only out-of-range path indexes",
                .c = { OK_FILE(PVBOOT_N_PATHS, 0), BAD_FILE(1000, 1, ELF_BAD_NOTES) }, .n = 2, NO_PER,
                .outcome = DECISION_NOTHING_FOUND,
                .says = { "no /boot/xen/pvboot-" },
        },

        /* ---------------- Rule 2: --force-arch ---------------- */
        {
                .name = "both valid, i386 forced",
                .c = BOTH_VALID, .k = { K64(0) }, .nk = 1, .force = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "--force-arch", "/dev/sda1:/boot/xen/pvboot-i386.elf" },
                .rule = "--force-arch",
        }, {
                .name = "both valid, x86_64 forced against 32-bit kernels and --prefer",
                .c = BOTH_VALID, .k = { K32(0) }, .nk = 1, .force = PV_ARCH_X86_64, .prefer = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "--force-arch", "/dev/sda1:/boot/xen/pvboot-x86_64.elf" },
        }, {
                .name = "i386 forced, no i386 file, grub.cfg",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1),
                .k = { K64(0) }, .nk = 1, .grub_cfg = true, .force = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "--force-arch", GRUB_CFG_WHERE, "i386 pvgrub2" },
        }, {
                .name = "x86_64 forced, nothing but grub.cfg",
                .grub_cfg = true, .force = PV_ARCH_X86_64, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_GRUBCFG,
                .says = { "--force-arch", GRUB_CFG_WHERE },
        }, {
                .name = "i386 forced, only x86_64 there, no grub.cfg",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1), .force = PV_ARCH_I386,
                .outcome = DECISION_FORCED_UNAVAILABLE,
                .says = { "--force-arch=i386", "no i386 pvboot ELF", "no grub.cfg" },
        }, {
                /* The i386 stage 1 loads the broken file; grub.cfg is never reached. */
                .name = "i386 forced, i386 invalid, grub.cfg",
                .c = { OK_FILE(BOOT_X86_64, 0), BAD_FILE(XEN_I386, 2, ELF_NO_PAE) }, .n = 2, PER(0, 1),
                .k = { K32(2) }, .nk = 1, .grub_cfg = true, .force = PV_ARCH_I386,
                .outcome = DECISION_FORCED_UNAVAILABLE,
                .says = { "--force-arch", "/dev/sdc1:/xen/pvboot-i386.elf", "PAE_MODE" },
        }, {
                .name = "x86_64 forced, x86_64 too large",
                .c = { ODD(XEN_X86_64, 0, FOUND_TOO_LARGE), OK_FILE(BOOT_I386, 0) }, .n = 2, PER(0, 1),
                .force = PV_ARCH_X86_64, .grub_cfg = true,
                .outcome = DECISION_FORCED_UNAVAILABLE,
                .says = { "--force-arch", "/dev/sda1:/xen/pvboot-x86_64.elf", "file too large" },
        }, {
                .name = "i386 forced, host without 32-bit PV",
                .c = BOTH_VALID, .force = PV_ARCH_I386, .caps = CAPS_DEBIAN,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "CONFIG_PV32", "pvshim" },
        }, {
                .name = "--force-arch is checked under --pvshim too",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1),
                .mode = MODE_PVSHIM, .force = PV_ARCH_I386,
                .outcome = DECISION_FORCED_UNAVAILABLE,
                .says = { "--force-arch=i386" },
        },

        /* ---------------- Rule 6: the host ---------------- */
        {
                .name = "i386 pvboot, PV, host without xen-3.0-x86_32p",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .caps = CAPS_DEBIAN,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "xen-3.0-x86_32p", "CONFIG_PV32", "pvshim=1" },
        }, {
                .name = "i386 via grub.cfg, PV, host without xen-3.0-x86_32p",
                .k = { K32(0) }, .nk = 1, .grub_cfg = true, NO_PER, .caps = CAPS_DEBIAN,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "CONFIG_PV32", "pvshim" },
        }, {
                .name = "i386 pvboot, PV, host with xen-3.0-x86_32pxx (not a whole token)",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .caps = CAPS_NO_HVM "xx",
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "CONFIG_PV32", "pvshim" },
        }, {
                /* The shim is a 64-bit PV hypervisor in a PVH domain. */
                .name = "i386 pvboot, --pvshim, Debian host",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .caps = CAPS_DEBIAN, .mode = MODE_PVSHIM,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "/dev/sda1:/boot/xen/pvboot-i386.elf" },
        }, {
                .name = "i386 via grub.cfg, --pvshim, Debian host",
                .k = { K32(0) }, .nk = 1, .grub_cfg = true, NO_PER, .caps = CAPS_DEBIAN, .mode = MODE_PVSHIM,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
        }, {
                .name = "both valid, 32-bit kernels, --pvshim",
                .c = BOTH_VALID, .k = { K32(0) }, .nk = 1, .caps = CAPS_DEBIAN, .mode = MODE_PVSHIM,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "i386 pvboot, --pvshim, host without HVM",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .caps = CAPS_NO_HVM, .mode = MODE_PVSHIM,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
                .says = { "hvm" },
        }, {
                .name = "x86_64 pvboot, --pvshim, host without HVM",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1), .caps = "xen-3.0-x86_64", .mode = MODE_PVSHIM,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "hvm" },
        }, {
                .name = "i386 pvboot, PV, host unknown",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0),
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "i386 pvboot, --pvshim, host unknown",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .mode = MODE_PVSHIM,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "i386 pvboot, PV, host with xen-3.0-x86_32p",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .caps = CAPS_PV32,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "i386 pvboot, PV, host with only xen-3.0-x86_32p",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .caps = "xen-3.0-x86_32p",
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_PVBOOT,
        }, {
                .name = "x86_64 pvboot, PV, Debian host",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1), .caps = CAPS_DEBIAN,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
        }, {
                .name = "x86_64 pvboot, PV, host without xen-3.0-x86_64",
                .c = { OK_FILE(BOOT_X86_64, 0) }, .n = 1, PER(0, -1), .caps = CAPS_ONLY_32,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "xen-3.0-x86_64" },
        }, {
                /* The host is only asked about a width that was chosen. */
                .name = "no grub.cfg, host without anything",
                .k = { K32(0) }, .nk = 1, NO_PER, .caps = "frobnicate",
                .outcome = DECISION_NO_GRUB_CFG,
        }, {
                .name = "none valid, Debian host",
                .c = { BAD_FILE(BOOT_I386, 0, ELF_NO_PAE) }, .n = 1, PER(-1, 0), .caps = CAPS_DEBIAN,
                .outcome = DECISION_NONE_VALID,
                .says = { "PAE_MODE" },
        },

        /* ---------------- --pvh ---------------- */
        {
                .name = "--pvh, grub.cfg",
                .k = { K64(0) }, .nk = 1, .grub_cfg = true, .mode = MODE_PVH, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "PVH", GRUB_CFG_WHERE },
                .rule = "--pvh",
        }, {
                .name = "--pvh, grub.cfg, nothing else",
                .grub_cfg = true, .mode = MODE_PVH, NO_PER,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "PVH" },
        }, {
                .name = "--pvh, no grub.cfg",
                .k = { K64(0) }, .nk = 1, .mode = MODE_PVH, NO_PER,
                .outcome = DECISION_NO_GRUB_CFG,
                .says = { "--pvh", "PVH", "grub.cfg" },
        }, {
                .name = "--pvh ignores valid pvboot files",
                .c = BOTH_VALID, .k = { K32(0) }, .nk = 1, .grub_cfg = true, .mode = MODE_PVH,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "PVH", GRUB_CFG_WHERE },
        }, {
                .name = "--pvh ignores valid pvboot files without grub.cfg",
                .c = { OK_FILE(BOOT_I386, 0) }, .n = 1, PER(-1, 0), .mode = MODE_PVH,
                .outcome = DECISION_NO_GRUB_CFG,
        }, {
                .name = "--pvh ignores invalid pvboot files",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_BAD_NOTES), BAD_FILE(BOOT_I386, 0, ELF_PVH_ONLY) }, .n = 2,
                PER(0, 1), .grub_cfg = true, .mode = MODE_PVH,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
        }, {
                .name = "--pvh, Debian host",
                .grub_cfg = true, .mode = MODE_PVH, NO_PER, .caps = CAPS_DEBIAN,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
        }, {
                .name = "--pvh, host without HVM",
                .grub_cfg = true, .mode = MODE_PVH, NO_PER, .caps = CAPS_NO_HVM,
                .outcome = DECISION_HOST_CANNOT, .arch = PV_ARCH_I386, .source = SOURCE_GRUBCFG,
                .says = { "PVH", "hvm" },
        },
};

/* ------------------------------------------------------------------ */
/* Building inputs                                                      */

static void fs_name(char *buf, size_t size, unsigned fs_index) {
        snprintf(buf, size, "/dev/sd%c1", 'a' + (int) (fs_index % 26));
}

/* Expands a spec into a Candidate, named after its filesystem index
 * (0 -> /dev/sda1, 1 -> /dev/sdb1, ...). */
static Candidate make_candidate(const CandidateSpec *s) {
        Candidate c = {
                .path_index = s->path_index,
                .fs_index = s->fs_index,
                .kind = s->kind,
                .verdict = s->verdict,
                .size = 4 << 20,
        };

        fs_name(c.fs, sizeof(c.fs), s->fs_index);
        return c;
}

static KernelEvidence make_kernel(const KernelSpec *s, unsigned i) {
        KernelEvidence k = {
                .fs_index = s->fs_index,
                .kind = s->kind,
                .info = {
                        .width = s->width,
                        .reason = s->reason,
                        .protocol = s->reason == KERNEL_BZIMAGE_64 || s->reason == KERNEL_BZIMAGE_32 ? 0x20f : 0,
                },
        };

        fs_name(k.fs, sizeof(k.fs), s->fs_index);
        snprintf(k.path, sizeof(k.path), "/boot/vmlinuz-6.1.0-%u-%s", i,
                 s->width == PV_ARCH_I386 ? "686-pae" : "amd64");
        return k;
}

static void set_host(DecisionInput *in, const char *caps) {
        if (!caps) {
                in->policy.host = (HostCaps) { .known = false };
                return;
        }
        CHECK_EQ(host_caps_parse(caps, "--host-caps", &in->policy.host), 0);
}

typedef struct Input {
        Candidate c[MAX_CANDIDATES];
        KernelEvidence k[MAX_KERNELS];
        DecisionInput in;
} Input;

static void make_input(const Case *t, Input *x) {
        memset(x, 0, sizeof(*x));
        CHECK(t->n <= MAX_CANDIDATES);
        CHECK(t->nk <= MAX_KERNELS);
        for (size_t i = 0; i < t->n; i++)
                x->c[i] = make_candidate(&t->c[i]);
        for (size_t i = 0; i < t->nk; i++)
                x->k[i] = make_kernel(&t->k[i], (unsigned) i);
        x->in = (DecisionInput) {
                .candidates = x->c,
                .n_candidates = t->n,
                .kernels = x->k,
                .n_kernels = t->nk,
                .n_filesystems = N_FILESYSTEMS,
                .grub_cfg = t->grub_cfg,
                .policy = { .mode = t->mode, .force_arch = t->force, .prefer = t->prefer },
        };
        if (t->grub_cfg)
                snprintf(x->in.grub_cfg_where, sizeof(x->in.grub_cfg_where), "%s", GRUB_CFG_WHERE);
        set_host(&x->in, t->caps);
}

/* ------------------------------------------------------------------ */
/* Checking outputs                                                     */

/* Every line goes to a vt100 console or a log: printable ASCII, one line. */
static void check_printable(const char *what, const char *s, size_t max) {
        size_t n = strnlen(s, max);

        CHECK(n < max);
        CHECK(n > 0);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c < 0x20 || c > 0x7e) {
                        fprintf(stderr, "%s: byte 0x%02x at %zu in \"%s\"\n", what, c, i, s);
                        exit(EXIT_FAILURE);
                }
        }
}

#define MAX_LINES 64
#define LINE_MAX_LEN 4096

typedef struct Lines {
        unsigned n;
        char line[MAX_LINES][LINE_MAX_LEN];
} Lines;

static Lines lines;

static void collect(void *userdata, const char *line) {
        Lines *l = userdata;

        CHECK(l == &lines);
        CHECK(line);
        CHECK(l->n < MAX_LINES);
        check_printable("evidence line", line, LINE_MAX_LEN);
        memcpy(l->line[l->n], line, strlen(line) + 1);
        l->n++;
}

static bool starts_with(const char *s, const char *prefix) {
        return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * decision_evidence(): one line per candidate with a real path index, one
 * per kernel, then grub.cfg, host, and the rule last; the chosen file's
 * line, and no other, marked.
 */
static void check_evidence(const char *name, const DecisionInput *in, const Decision *d) {
        unsigned n, at = 0, in_range = 0;

        memset(&lines, 0, sizeof(lines));
        n = decision_evidence(in, d, collect, &lines);
        CHECK_EQ(n, lines.n);

        for (size_t i = 0; i < in->n_candidates; i++)
                in_range += in->candidates[i].path_index < PVBOOT_N_PATHS;
        if (n != in_range + in->n_kernels + 3) {
                fprintf(stderr, "%s: %u evidence lines, expected %u\n", name, n,
                        (unsigned) (in_range + in->n_kernels + 3));
                exit(EXIT_FAILURE);
        }

        for (size_t i = 0; i < in->n_candidates; i++) {
                const Candidate *c = &in->candidates[i];
                const char *l;

                if (c->path_index >= PVBOOT_N_PATHS)
                        continue;
                l = lines.line[at++];
                CHECK(starts_with(l, "pvboot "));
                CHECK(strstr(l, pvboot_paths[c->path_index].path));
                CHECK((strstr(l, "<- chosen") != NULL) == ((int) i == d->chosen));
        }
        for (size_t i = 0; i < in->n_kernels; i++) {
                const char *l = lines.line[at++];
                const KernelEvidence *k = &in->kernels[i];

                CHECK(starts_with(l, "kernel "));
                CHECK(!strstr(l, "<- chosen"));
                if (k->kind == FOUND_REGULAR && k->info.width != PV_ARCH_NONE)
                        CHECK(strstr(l, pv_arch_to_string(k->info.width)));
                else
                        CHECK(strstr(l, "unknown width"));
        }

        CHECK(starts_with(lines.line[at], "grub.cfg: "));
        CHECK(strstr(lines.line[at], in->grub_cfg ? in->grub_cfg_where : "none"));
        at++;

        CHECK(starts_with(lines.line[at], "host: "));
        if (in->policy.host.known) {
                CHECK(strstr(lines.line[at], in->policy.host.text));
                CHECK(strstr(lines.line[at], in->policy.host.source));
        } else
                CHECK(strstr(lines.line[at], "unknown"));
        at++;

        CHECK(starts_with(lines.line[at], "rule: "));
        CHECK(strstr(lines.line[at], decision_mode_to_string(in->policy.mode)));
        if (d->outcome == DECISION_OK || d->outcome == DECISION_HOST_CANNOT) {
                CHECK(strstr(lines.line[at], pv_arch_to_string(d->arch)));
                CHECK((strstr(lines.line[at], "host cannot") != NULL) == (d->outcome == DECISION_HOST_CANNOT));
        } else
                CHECK(strstr(lines.line[at], "no boot"));
        if (d->rule)
                CHECK(strstr(lines.line[at], d->rule));
        CHECK(!strstr(lines.line[at], "<- chosen"));
        at++;
        CHECK_EQ(at, n);
}

static unsigned expected_kernels(const Case *t, PvArch w) {
        unsigned n = 0;

        for (size_t i = 0; i < t->nk; i++) {
                const KernelSpec *k = &t->k[i];
                PvArch kw = k->kind == FOUND_REGULAR ? k->width : PV_ARCH_NONE;
                n += kw == w;
        }
        return n;
}

static void run_case(const Case *t) {
        static Input x;
        Decision d;
        char desc[1024];
        int chosen;

        fprintf(stderr, "case: %s\n", t->name);
        make_input(t, &x);

        memset(&d, 0xa5, sizeof(d));
        decide(&x.in, &d);

        if (d.outcome != t->outcome) {
                fprintf(stderr, "%s: outcome %d, expected %d\n", t->name, (int) d.outcome, (int) t->outcome);
                exit(EXIT_FAILURE);
        }
        CHECK_EQ(d.per_arch[PV_ARCH_X86_64], t->per_x86_64);
        CHECK_EQ(d.per_arch[PV_ARCH_I386], t->per_i386);
        CHECK_EQ(d.per_arch[PV_ARCH_NONE], -1);
        for (int a = 0; a < _PV_ARCH_MAX; a++)
                CHECK_EQ(d.kernels[a], expected_kernels(t, (PvArch) a));

        if (t->outcome == DECISION_OK || t->outcome == DECISION_HOST_CANNOT) {
                CHECK_EQ(d.arch, t->arch);
                CHECK_EQ(d.source, t->source);
                chosen = t->source == SOURCE_PVBOOT ? (t->arch == PV_ARCH_I386 ? t->per_i386 : t->per_x86_64) : -1;
                CHECK(t->source != SOURCE_PVBOOT || chosen >= 0);
                CHECK(d.rule);
        } else {
                chosen = -1;
                /* A failed decision names no width to boot.  (Under
                 * --pvh decide() keeps the PVH stage 1's width; the
                 * outcome is what counts there.) */
                if (t->mode != MODE_PVH) {
                        CHECK_EQ(d.arch, PV_ARCH_NONE);
                        CHECK_EQ(d.source, SOURCE_NONE);
                }
        }
        CHECK_EQ(d.chosen, chosen);
        if (chosen >= 0)
                CHECK_EQ(pvboot_paths[x.c[chosen].path_index].arch, d.arch);
        if (t->rule) {
                CHECK(d.rule);
                if (!strstr(d.rule, t->rule)) {
                        fprintf(stderr, "%s: rule \"%s\" lacks \"%s\"\n", t->name, d.rule, t->rule);
                        exit(EXIT_FAILURE);
                }
        }

        memset(desc, 'X', sizeof(desc));
        decision_describe(&x.in, &d, desc, sizeof(desc));
        fprintf(stderr, "  -> %s\n", desc);
        check_printable(t->name, desc, sizeof(desc));
        CHECK(!strstr(desc, "internal error"));
        for (size_t i = 0; i < MAX_NEEDLES && t->says[i]; i++)
                if (!strstr(desc, t->says[i])) {
                        fprintf(stderr, "%s: description lacks \"%s\"\n", t->name, t->says[i]);
                        exit(EXIT_FAILURE);
                }
        /* A failure never reads like a boot. */
        CHECK((strstr(desc, "booting") != NULL) == (t->outcome == DECISION_OK));

        check_evidence(t->name, &x.in, &d);
}

/* The case list names what the brief's rules name; keep it honest. */
static void test_case_table(void) {
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const Case *t = &cases[i];
                CHECK(t->name);
                CHECK((unsigned) t->outcome < _DECISION_OUTCOME_MAX);
                for (size_t j = 0; j < i; j++)
                        CHECK(strcmp(t->name, cases[j].name) != 0);
        }
}

/* Every mode, force and prefer over a few inputs: never a crash, always a
 * well-formed answer that obeys the invariants. */
static void test_invariants(void) {
        static const CandidateSpec pool[] = {
                OK_FILE(BOOT_X86_64, 0), OK_FILE(XEN_I386, 1), BAD_FILE(BOOT_I386, 0, ELF_PVH_ONLY),
                ODD(XEN_X86_64, 2, FOUND_TOO_LARGE),
        };
        static const KernelSpec kpool[] = { K32(0), K64(1), KUNK(0, KERNEL_COMPRESSED) };
        static const char *const caps[] = { NULL, CAPS_DEBIAN, CAPS_PV32, CAPS_NO_HVM };
        static Input x;

        for (unsigned cm = 0; cm < 1u << 4; cm++)
                for (unsigned km = 0; km < 1u << 3; km++)
                        for (unsigned v = 0; v < 2 * _MODE_MAX * 3 * 3 * 4; v++) {
                                Case t = { .name = "invariants" };
                                Decision d;
                                char desc[512];
                                unsigned q = v;

                                for (unsigned i = 0; i < 4; i++)
                                        if (cm & (1u << i))
                                                t.c[t.n++] = pool[i];
                                for (unsigned i = 0; i < 3; i++)
                                        if (km & (1u << i))
                                                t.k[t.nk++] = kpool[i];
                                t.grub_cfg = q % 2, q /= 2;
                                t.mode = (DecisionMode) (q % _MODE_MAX), q /= _MODE_MAX;
                                t.force = (PvArch) (q % 3), q /= 3;
                                t.prefer = (PvArch) (q % 3), q /= 3;
                                t.caps = caps[q % 4];
                                if (t.mode == MODE_PVH)
                                        t.force = PV_ARCH_NONE; /* options_parse() refuses it */

                                make_input(&t, &x);
                                decide(&x.in, &d);
                                CHECK((unsigned) d.outcome < _DECISION_OUTCOME_MAX);
                                if (d.outcome == DECISION_OK || d.outcome == DECISION_HOST_CANNOT) {
                                        CHECK(d.arch == PV_ARCH_I386 || d.arch == PV_ARCH_X86_64);
                                        CHECK(d.source == SOURCE_PVBOOT || d.source == SOURCE_GRUBCFG);
                                        if (d.source == SOURCE_PVBOOT) {
                                                CHECK(t.mode != MODE_PVH);
                                                CHECK(d.chosen >= 0 && (size_t) d.chosen < t.n);
                                                CHECK_EQ(d.chosen, d.per_arch[d.arch]);
                                                CHECK_EQ(x.c[d.chosen].kind, FOUND_REGULAR);
                                                CHECK_EQ(x.c[d.chosen].verdict, ELF_PV_OK);
                                        } else {
                                                CHECK_EQ(d.chosen, -1);
                                                CHECK(t.grub_cfg);
                                                /* grub.cfg is only reached with no file of that width. */
                                                if (t.mode != MODE_PVH)
                                                        CHECK_EQ(d.per_arch[d.arch], -1);
                                        }
                                        if (t.mode == MODE_PVH)
                                                CHECK_EQ(d.arch, PV_ARCH_I386);
                                        else if (t.force != PV_ARCH_NONE)
                                                CHECK_EQ(d.arch, t.force);
                                } else
                                        CHECK_EQ(d.chosen, -1);
                                /* Without a known host nothing is blocked. */
                                if (!t.caps)
                                        CHECK(d.outcome != DECISION_HOST_CANNOT);

                                decision_describe(&x.in, &d, desc, sizeof(desc));
                                check_printable("invariants", desc, sizeof(desc));
                                check_evidence("invariants", &x.in, &d);
                        }
}

/* ------------------------------------------------------------------ */
/* Hostile text                                                         */

static void check_no_raw(const char *what, const char *s) {
        if (strchr(s, '\x1b') || strchr(s, '\n') || strchr(s, '\r') || strchr(s, '\a')) {
                fprintf(stderr, "%s: raw control byte in \"%s\"\n", what, s);
                exit(EXIT_FAILURE);
        }
}

/*
 * File system names, kernel paths and note strings are guest-influenced
 * text: whatever they hold, the description and every evidence line stay
 * printable, and what was escaped shows as \xNN.
 */
/*
 * Names as the inspection delivers them, escaped once where they left the
 * guest (decide.h): shown as they are, not escaped again.  (Before, a
 * kernel named with ESC reached the console as \x5cx5cx5cx1b.)
 */
static void test_escaped_once(void) {
        Candidate c = make_candidate(&(CandidateSpec) OK_FILE(BOOT_X86_64, 0));
        KernelEvidence k = make_kernel(&(KernelSpec) K64(0), 0);
        DecisionInput in = {
                .candidates = &c, .n_candidates = 1, .kernels = &k, .n_kernels = 1, .n_filesystems = 1,
                .grub_cfg = true, .grub_cfg_where = GRUB_CFG_WHERE,
        };
        Decision d;
        char desc[512];

        snprintf(c.fs, sizeof(c.fs), "/dev/sda1\\x1b[2J");
        snprintf(k.path, sizeof(k.path), "/boot/vmlinuz-\\x1b[31mRED");
        decide(&in, &d);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "/dev/sda1\\x1b[2J:/boot/xen/pvboot-x86_64.elf"));
        check_evidence("escaped once", &in, &d);
        CHECK(strstr(lines.line[1], "/boot/vmlinuz-\\x1b[31mRED: x86_64"));
        for (unsigned i = 0; i < lines.n; i++)
                CHECK(strstr(lines.line[i], "x5c") == NULL);
}

static void test_hostile_names(void) {
        static const int verdicts[] = { ELF_PV_OK, ELF_BAD_NOTES };

        for (size_t v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
                Candidate c = make_candidate(&(CandidateSpec) OK_FILE(BOOT_X86_64, 0));
                KernelEvidence k[2] = {
                        make_kernel(&(KernelSpec) K64(0), 0),
                        make_kernel(&(KernelSpec) KUNK(1, KERNEL_COMPRESSED), 1),
                };
                DecisionInput in = {
                        .candidates = &c, .n_candidates = 1, .kernels = k, .n_kernels = 2, .n_filesystems = 2,
                        .grub_cfg = true, .grub_cfg_where = GRUB_CFG_WHERE,
                };
                Decision d;
                char desc[512];
                bool escaped = false;

                c.verdict = verdicts[v];
                snprintf(c.fs, sizeof(c.fs), "/dev/sda1\x1b[2J\n");
                snprintf(k[0].fs, sizeof(k[0].fs), "/dev/sda1\x1b]0;owned\a");
                snprintf(k[0].path, sizeof(k[0].path), "/boot/vmlinuz\n\x1b[31mroot\r");
                snprintf(k[1].path, sizeof(k[1].path), "/vmlinuz\x9b" "2J\x7f");
                c.image.notes[XEN_ELFNOTE_XEN_VERSION] = (XenNote) { .present = true, .valid = true };
                snprintf(c.image.notes[XEN_ELFNOTE_XEN_VERSION].str, sizeof(c.image.notes[0].str),
                         "xen-3.0\x1b[2J\n");
                c.image.notes[XEN_ELFNOTE_LOADER] = (XenNote) { .present = true, .valid = true };
                snprintf(c.image.notes[XEN_ELFNOTE_LOADER].str, sizeof(c.image.notes[0].str), "generic\r\x1b");

                decide(&in, &d);
                CHECK_EQ(d.outcome, verdicts[v] == ELF_PV_OK ? DECISION_OK : DECISION_NONE_VALID);
                decision_describe(&in, &d, desc, sizeof(desc));
                check_printable("hostile names", desc, sizeof(desc));
                check_no_raw("description", desc);
                CHECK(strstr(desc, "/dev/sda1"));
                CHECK(strstr(desc, "\\x1b"));

                check_evidence("hostile names", &in, &d);
                for (unsigned i = 0; i < lines.n; i++) {
                        check_no_raw("evidence", lines.line[i]);
                        escaped |= strstr(lines.line[i], "\\x1b") != NULL;
                }
                CHECK(escaped);
                /* The kernel lines show the paths, escaped. */
                CHECK(strstr(lines.line[1], "/boot/vmlinuz\\x0a\\x1b[31mroot\\x0d"));
                CHECK(strstr(lines.line[2], "/vmlinuz\\x9b2J\\x7f"));
                /* ... and the notes. */
                CHECK(strstr(lines.line[0], "xen-3.0\\x1b[2J\\x0a"));

                /* Full, unterminated names of high bytes still end up
                 * bounded and printable. */
                memset(c.fs, 0xff, sizeof(c.fs));
                memset(k[0].fs, 0xff, sizeof(k[0].fs));
                memset(k[0].path, 0x1b, sizeof(k[0].path));
                memset(k[1].path, '\n', sizeof(k[1].path));
                memset(c.image.notes[XEN_ELFNOTE_XEN_VERSION].str, 0x9b,
                       sizeof(c.image.notes[0].str) - 1);
                decision_describe(&in, &d, desc, sizeof(desc));
                check_printable("0xff fs name", desc, sizeof(desc));
                CHECK(strstr(desc, "/boot/xen/pvboot-x86_64.elf"));
                check_evidence("unterminated names", &in, &d);
                for (unsigned i = 0; i < lines.n; i++)
                        check_no_raw("evidence", lines.line[i]);
        }
}

/* A short output buffer truncates but stays a terminated string. */
static void test_small_buffer(void) {
        Candidate c = make_candidate(&(CandidateSpec) OK_FILE(BOOT_X86_64, 0));
        DecisionInput in = { .candidates = &c, .n_candidates = 1, .n_filesystems = 1 };
        Decision d;
        char desc[16];

        memset(desc, 'X', sizeof(desc));
        decide(&in, &d);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK_EQ(strnlen(desc, sizeof(desc)), sizeof(desc) - 1);
}

static void count_line(void *userdata, const char *line) {
        if (strncmp(line, "not seen by the stage 1: ", 25) == 0)
                (*(unsigned *) userdata)++;
}

/* A file where the stage 1 does not look (a btrfs default subvolume) is
 * said with a refusal and in the evidence, never with a decision made. */
static void test_hidden(void) {
        Candidate c = make_candidate(&(CandidateSpec) OK_FILE(BOOT_X86_64, 0));
        DecisionInput in = { .n_filesystems = 1 };
        Decision d;
        char desc[1024];
        unsigned seen = 0;

        snprintf(in.hidden, sizeof(in.hidden), "/boot/xen/pvboot-x86_64.elf exists only in btrfs subvolume 256\x01");
        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_NOTHING_FOUND);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "; /boot/xen/pvboot-x86_64.elf exists only in btrfs subvolume 256"));
        CHECK(!strchr(desc, '\x01'));  /* printable, whatever it holds */
        decision_evidence(&in, &d, count_line, &seen);
        CHECK_EQ(seen, 1u);

        in.candidates = &c;
        in.n_candidates = 1;
        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_OK);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(!strstr(desc, "subvolume"));
}

/* A refusal names the fix for what the guest has instead of a grub.cfg. */
static void test_fix(void) {
        DecisionInput in = { .n_filesystems = 1 };
        Decision d;
        char desc[2048], fix[1024];

        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_NOTHING_FOUND);
        CHECK(!decision_fix(&in, &d, fix, sizeof(fix)));        /* nothing to say */

        snprintf(in.extlinux, sizeof(in.extlinux), "/dev/sda1:/boot/extlinux/extlinux.conf");
        snprintf(in.bls, sizeof(in.bls), "/dev/sda1:/boot/loader/entries/");
        decide(&in, &d);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "nothing to boot"));
        CHECK(strstr(desc, "boots with extlinux/syslinux (/dev/sda1:/boot/extlinux/extlinux.conf)"));
        CHECK(strstr(desc, "grub-install --target=x86_64-xen"));
        in.extlinux[0] = 0;
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "Boot Loader Specification entries (/dev/sda1:/boot/loader/entries/)"));

        /* A kernel of known width and no grub.cfg. */
        in.bls[0] = 0;
        KernelEvidence k = { .kind = FOUND_REGULAR, .info = { .width = PV_ARCH_X86_64, .reason = KERNEL_BZIMAGE_64 } };
        in.kernels = &k;
        in.n_kernels = 1;
        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_NO_GRUB_CFG);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "update-grub"));

        /* PVH (libxl's record) with no grub.cfg: maybe a pvshim guest. */
        in.policy.mode = MODE_PVH;
        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_NO_GRUB_CFG);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "bootloader_args = [\"--pvshim\"]"));
        in.policy.mode = MODE_PV;

        /* A decision made is never followed by a fix. */
        Candidate c = make_candidate(&(CandidateSpec) OK_FILE(BOOT_X86_64, 0));
        in.candidates = &c;
        in.n_candidates = 1;
        snprintf(in.extlinux, sizeof(in.extlinux), "/dev/sda1:/extlinux.conf");
        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_OK);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(!strstr(desc, "extlinux"));
}

static void test_strings(void) {
        for (int i = 0; i < _FOUND_KIND_MAX; i++) {
                const char *s = found_kind_to_string((FoundKind) i);
                CHECK(s);
                CHECK(strcmp(s, "unknown") != 0);
                for (int j = 0; j < i; j++)
                        CHECK(strcmp(s, found_kind_to_string((FoundKind) j)) != 0);
        }
        CHECK(found_kind_to_string(_FOUND_KIND_MAX));
        for (int i = 0; i < _MODE_MAX; i++) {
                const char *s = decision_mode_to_string((DecisionMode) i);
                CHECK(s);
                CHECK(strcmp(s, "unknown") != 0);
                for (int j = 0; j < i; j++)
                        CHECK(strcmp(s, decision_mode_to_string((DecisionMode) j)) != 0);
        }
        CHECK(decision_mode_to_string(_MODE_MAX));
}

int main(void) {
        /* The case table names paths by index; make sure they still mean
         * what the table says. */
        CHECK_EQ(PVBOOT_N_PATHS, 4);
        CHECK_STREQ(pvboot_paths[BOOT_X86_64].path, "/boot/xen/pvboot-x86_64.elf");
        CHECK_STREQ(pvboot_paths[XEN_X86_64].path, "/xen/pvboot-x86_64.elf");
        CHECK_STREQ(pvboot_paths[BOOT_I386].path, "/boot/xen/pvboot-i386.elf");
        CHECK_STREQ(pvboot_paths[XEN_I386].path, "/xen/pvboot-i386.elf");

        test_case_table();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                run_case(&cases[i]);
        test_invariants();
        test_escaped_once();
        test_hostile_names();
        test_small_buffer();
        test_hidden();
        test_fix();
        test_strings();
        return EXIT_SUCCESS;
}
