/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for the width decision (decide.c).
 *
 * The rules under test are decide.h's: what the Debian stage 1 does at
 * boot (per width, the first regular pvboot file in (path rank,
 * filesystem order) is the one GRUB chainloads; without one it reads
 * grub.cfg), the kernels' widths as tie-break and fallback evidence,
 * --force-arch, --prefer, the modes and the host's capabilities.  The
 * cases are a table, decided with the spec's search lists (Debian's);
 * each lists what the probe found (in whatever order the array happens
 * to hold it), the policy, and what must be decided and said.  Every
 * case's description and evidence are also checked for shape: printable
 * ASCII, one line each, in the documented order.  Then lists of other
 * stage 1s: other paths, another order, fewer modules.
 */
#include <stdbool.h>

#include "pvboot-agent.h"
#include "selector/decide.h"
#include "shared/test-util.h"

/* The spec's four pvboot paths, as (list, entry) of the spec's lists;
 * checked against search_list_spec_default() in main(). */
enum {
        BOOT_X86_64 = 0,        /* /boot/xen/pvboot-x86_64.elf */
        XEN_X86_64  = 1,        /* /xen/pvboot-x86_64.elf */
        BOOT_I386   = 2,        /* /boot/xen/pvboot-i386.elf */
        XEN_I386    = 3,        /* /xen/pvboot-i386.elf */
        N_SPEC      = 4,        /* past the end of the x86_64 list */
        CONFIG_ENTRY = 5,       /* the x86_64 list's /boot/grub/grub.cfg */
        PVH_ENTRY   = 6,        /* the PVH list's first entry */
        BAD_KIND    = 7,        /* a list that does not exist */
};
static const struct {
        Stage1Kind stage1;
        unsigned entry;
        const char *path;
} spec_paths[4] = {
        { STAGE1_X86_64, 0, "/boot/xen/pvboot-x86_64.elf" },
        { STAGE1_X86_64, 1, "/xen/pvboot-x86_64.elf" },
        { STAGE1_I386, 0, "/boot/xen/pvboot-i386.elf" },
        { STAGE1_I386, 1, "/xen/pvboot-i386.elf" },
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
                .c = { OK_FILE(N_SPEC, 0), OK_FILE(99, 0), OK_FILE(XEN_X86_64, 1) }, .n = 3, PER(2, -1),
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .source = SOURCE_PVBOOT,
                .says = { "/dev/sdb1:/xen/pvboot-x86_64.elf" },
        }, {
                .name = "only out-of-range path indexes",
                .c = { OK_FILE(N_SPEC, 0), BAD_FILE(1000, 1, ELF_BAD_NOTES), OK_FILE(CONFIG_ENTRY, 0),
                       OK_FILE(BAD_KIND, 0) }, .n = 4, NO_PER,
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
        /* Past the four: entries no list chainloads (past the end, or a
         * config entry, or a list of no PV stage 1), which must count for
         * nothing. */
        bool spec = s->path_index < 4;
        Candidate c = {
                .stage1 = spec ? spec_paths[s->path_index].stage1
                        : s->path_index == PVH_ENTRY ? STAGE1_PVH
                        : s->path_index == BAD_KIND ? (Stage1Kind) 7 : STAGE1_X86_64,
                .entry = spec ? spec_paths[s->path_index].entry
                       : s->path_index == CONFIG_ENTRY ? 2 : s->path_index == PVH_ENTRY || s->path_index == BAD_KIND ? 0
                       : s->path_index,
                .fs_index = s->fs_index,
                .fstype = "ext4",
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

/* The spec's lists, and grub.cfg (when there is one) at /dev/sda1's
 * /boot/grub/grub.cfg for all three: each list's first config entry. */
static ConfigHit grub_cfg_hits[_STAGE1_KIND_MAX];

static void init_input(DecisionInput *in, bool grub_cfg) {
        *in = (DecisionInput) { .n_filesystems = N_FILESYSTEMS };
        policy_init(&in->policy);
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                grub_cfg_hits[k] = (ConfigHit) { .stage1 = k, .entry = k == STAGE1_PVH ? 0 : 2, .fstype = "ext4" };
                fs_name(grub_cfg_hits[k].fs, sizeof(grub_cfg_hits[k].fs), 0);
        }
        if (grub_cfg) {
                in->configs = grub_cfg_hits;
                in->n_configs = _STAGE1_KIND_MAX;
        }
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
        init_input(&x->in, t->grub_cfg);
        x->in.candidates = x->c;
        x->in.n_candidates = t->n;
        x->in.kernels = x->k;
        x->in.n_kernels = t->nk;
        x->in.policy.mode = t->mode;
        x->in.policy.force_arch = t->force;
        x->in.policy.prefer = t->prefer;
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

/* The path a candidate names in its list, NULL if none. */
static const char *candidate_path(const DecisionInput *in, const Candidate *c) {
        const SearchList *l;
        if ((unsigned) c->stage1 >= _STAGE1_KIND_MAX || c->stage1 == STAGE1_PVH)
                return NULL;
        l = &in->policy.search[c->stage1];
        return c->entry < l->n && l->entries[c->entry].action == SEARCH_CHAINLOAD ? l->entries[c->entry].path : NULL;
}

/*
 * decision_evidence(): two lines per stage 1 of the mode (where its list
 * came from, the list), one line per candidate with a real list entry,
 * one per kernel, then grub.cfg (one line when the lists agree), host,
 * and the rule last; the chosen file's line, and no other, marked.
 */
static void check_evidence(const char *name, const DecisionInput *in, const Decision *d) {
        unsigned n, at = 0, in_range = 0, n_lists = in->policy.mode == MODE_PVH ? 1 : 2, n_cfg,
                 n_menu = d->config >= 0, n_other = (in->hidden[0] != 0) + (in->extlinux[0] || in->bls[0]);

        memset(&lines, 0, sizeof(lines));
        n = decision_evidence(in, d, collect, &lines);
        CHECK_EQ(n, lines.n);

        for (size_t i = 0; i < in->n_candidates; i++)
                in_range += candidate_path(in, &in->candidates[i]) != NULL;
        n_cfg = n - 2 * n_lists - in_range - (unsigned) in->n_kernels - 2 - n_menu - n_other;
        if (n < 2 * n_lists + in_range + in->n_kernels + 3 + n_menu + n_other ||
            (n_cfg != 1 && (n_cfg != 2 || n_lists != 2))) {
                fprintf(stderr, "%s: %u evidence lines, expected %u\n", name, n,
                        (unsigned) (2 * n_lists + in_range + in->n_kernels + 3 + n_menu + n_other));
                exit(EXIT_FAILURE);
        }

        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                char want[64];
                if ((k == STAGE1_PVH) != (in->policy.mode == MODE_PVH))
                        continue;
                snprintf(want, sizeof(want), "stage 1 %s: ", stage1_kind_to_string(k));
                CHECK(starts_with(lines.line[at], want));
                CHECK(strstr(lines.line[at], in->policy.search[k].origin));
                CHECK(strstr(lines.line[at++], "; modules: "));
                snprintf(want, sizeof(want), "search %s: ", stage1_kind_to_string(k));
                CHECK(starts_with(lines.line[at++], want));
        }
        for (size_t i = 0; i < in->n_candidates; i++) {
                const Candidate *c = &in->candidates[i];
                const char *l;

                if (!candidate_path(in, c))
                        continue;
                l = lines.line[at++];
                CHECK(starts_with(l, "pvboot "));
                CHECK(strstr(l, candidate_path(in, c)));
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

        if (n_cfg == 1) {
                CHECK(starts_with(lines.line[at], "grub.cfg: "));
                if (in->configs == grub_cfg_hits)
                        CHECK(strstr(lines.line[at], in->n_configs ? GRUB_CFG_WHERE : "none"));
                at++;
        } else {
                CHECK(starts_with(lines.line[at++], "grub.cfg x86_64: "));
                CHECK(starts_with(lines.line[at++], "grub.cfg i386: "));
        }
        /* The menu of the grub.cfg the decision reads. */
        if (n_menu) {
                const ConfigHit *h = &in->configs[d->config];
                CHECK(starts_with(lines.line[at], "grub.cfg menu: "));
                CHECK((strstr(lines.line[at], "not scanned") != NULL) == !h->scanned);
                CHECK((strstr(lines.line[at], ", blscfg at line") != NULL) == (h->scanned && h->menu.blscfg_line));
                at++;
        }
        if (in->hidden[0])
                CHECK(starts_with(lines.line[at++], "not seen by the stage 1: "));
        if (in->extlinux[0] || in->bls[0])
                CHECK(starts_with(lines.line[at++], "not read by pvgrub2: "));

        CHECK(starts_with(lines.line[at], "host: "));
        if (in->policy.host.known) {
                CHECK(strstr(lines.line[at], in->policy.host.text));
                CHECK(strstr(lines.line[at], in->policy.host.source));
        } else
                CHECK(strstr(lines.line[at], "unknown"));
        at++;

        CHECK(starts_with(lines.line[at], "rule: "));
        CHECK(strstr(lines.line[at], decision_mode_to_string(in->policy.mode)));
        if (d->outcome == DECISION_OK || d->outcome == DECISION_HOST_CANNOT ||
            d->outcome == DECISION_STAGE1_CANNOT_READ || d->outcome == DECISION_STAGE1_NO_BLSCFG) {
                CHECK(strstr(lines.line[at], pv_arch_to_string(d->arch)));
                CHECK((strstr(lines.line[at], "host cannot") != NULL) == (d->outcome == DECISION_HOST_CANNOT));
                CHECK((strstr(lines.line[at], "cannot read") != NULL) == (d->outcome == DECISION_STAGE1_CANNOT_READ));
                CHECK((strstr(lines.line[at], "cannot run the grub.cfg's blscfg") != NULL) ==
                      (d->outcome == DECISION_STAGE1_NO_BLSCFG));
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
                CHECK_EQ(x.c[chosen].stage1, stage1_kind_of_arch(d.arch));
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
                                                CHECK(d.config >= 0);
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
        DecisionInput in;
        Decision d;

        init_input(&in, true);
        in.candidates = &c, in.n_candidates = 1, in.kernels = &k, in.n_kernels = 1, in.n_filesystems = 1;
        char desc[512];

        snprintf(c.fs, sizeof(c.fs), "/dev/sda1\\x1b[2J");
        snprintf(k.path, sizeof(k.path), "/boot/vmlinuz-\\x1b[31mRED");
        decide(&in, &d);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "/dev/sda1\\x1b[2J:/boot/xen/pvboot-x86_64.elf"));
        check_evidence("escaped once", &in, &d);
        CHECK(strstr(lines.line[5], "/boot/vmlinuz-\\x1b[31mRED: x86_64"));
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
                DecisionInput in;
                Decision d;
                char desc[512];
                bool escaped = false;

                init_input(&in, true);
                in.candidates = &c, in.n_candidates = 1, in.kernels = k, in.n_kernels = 2, in.n_filesystems = 2;
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
                /* The kernel lines show the paths, escaped (after four lines of lists). */
                CHECK(strstr(lines.line[5], "/boot/vmlinuz\\x0a\\x1b[31mroot\\x0d"));
                CHECK(strstr(lines.line[6], "/vmlinuz\\x9b2J\\x7f"));
                /* ... and the notes. */
                CHECK(strstr(lines.line[4], "xen-3.0\\x1b[2J\\x0a"));

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
        DecisionInput in;
        Decision d;
        char desc[16];

        init_input(&in, false);
        in.candidates = &c, in.n_candidates = 1, in.n_filesystems = 1;

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
        DecisionInput in;
        Decision d;
        char desc[1024];
        unsigned seen = 0;

        init_input(&in, false);

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

static void find_unread(void *userdata, const char *line) {
        if (strncmp(line, "not read here, so not evidence: /dev/md/r6: raid6: no read-only device-mapper target",
                    84) == 0 && !strchr(line, '\x01'))
                (*(unsigned *) userdata)++;
}

/* A device the appliance could not read (an md array it does not map) is
 * said in the evidence, printable, and changes no decision. */
static void test_unread(void) {
        DecisionInput in;
        Decision d, d0;
        unsigned seen = 0;

        init_input(&in, false);
        decide(&in, &d0);
        snprintf(in.unread, sizeof(in.unread), "/dev/md/r6: raid6: no read-only device-mapper target\x01");
        decide(&in, &d);
        CHECK_EQ(d.outcome, d0.outcome);
        decision_evidence(&in, &d, find_unread, &seen);
        CHECK_EQ(seen, 1u);
}

/* A refusal names the fix for what the guest has instead of a grub.cfg. */
static void test_fix(void) {
        DecisionInput in;
        Decision d;
        char desc[2048], fix[1024];

        init_input(&in, false);

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

/* A grub.cfg fallback whose kernels the PV stage 1 cannot load (an lz4 or
 * zstd payload): the decision stands, and says what to change. */
static void test_unloadable_kernels(void) {
        KernelEvidence k[2] = {
                { .kind = FOUND_REGULAR, .info = { .width = PV_ARCH_X86_64, .reason = KERNEL_BZIMAGE_64,
                                                   .protocol = 0x20f, .payload = PAYLOAD_LZ4 } },
                { .kind = FOUND_REGULAR, .info = { .width = PV_ARCH_X86_64, .reason = KERNEL_BZIMAGE_64,
                                                   .protocol = 0x20f, .payload = PAYLOAD_ZSTD } },
        };
        DecisionInput in;
        Decision d;
        char desc[2048];

        init_input(&in, true);
        in.kernels = k;
        in.n_kernels = 2;
        decide(&in, &d);
        CHECK_EQ(d.outcome, DECISION_OK);
        CHECK_EQ(d.source, SOURCE_GRUBCFG);
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(strstr(desc, "every x86_64 kernel of the guest is zstd-compressed"));
        CHECK(strstr(desc, "CONFIG_KERNEL_XZ"));
        /* One it can load is enough. */
        k[1].info.payload = PAYLOAD_XZ;
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(!strstr(desc, "compressed"));
        /* Unknown is not known to fail. */
        k[0].info.payload = k[1].info.payload = PAYLOAD_UNKNOWN;
        decision_describe(&in, &d, desc, sizeof(desc));
        CHECK(!strstr(desc, "compressed"));
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

/* ------------------------------------------------------------------ */
/* Lists other than the spec's                                          */

static Candidate file_at(Stage1Kind k, unsigned entry, unsigned fs, const char *fstype, int verdict) {
        Candidate c = { .stage1 = k, .entry = entry, .fs_index = fs, .kind = FOUND_REGULAR, .verdict = verdict,
                        .size = 1 << 20 };
        fs_name(c.fs, sizeof(c.fs), fs);
        snprintf(c.fstype, sizeof(c.fstype), "%s", fstype);
        return c;
}

static ConfigHit config_at(Stage1Kind k, unsigned entry, unsigned fs, const char *fstype) {
        ConfigHit h = { .stage1 = k, .entry = entry, .fs_index = fs };
        fs_name(h.fs, sizeof(h.fs), fs);
        snprintf(h.fstype, sizeof(h.fstype), "%s", fstype);
        return h;
}

static void set_list(DecisionInput *in, Stage1Kind k, const char *origin, const char *const *entries) {
        SearchList *l = &in->policy.search[k];
        search_list_init(l, true, origin);
        for (const char *const *e = entries; *e; e += 2)
                CHECK_EQ(search_list_add(l, k, strcmp(e[0], "chainload") == 0 ? SEARCH_CHAINLOAD : SEARCH_CONFIG,
                                         e[1]), 0);
        l->modules_known = 1;
        for (unsigned i = 0; search_module_name(i); i++)        /* every module tracked */
                l->modules |= UINT64_C(1) << i;
        CHECK_EQ(search_list_check(l, k), 0);
}

static void without_module(DecisionInput *in, Stage1Kind k, const char *module) {
        in->policy.search[k].modules &= ~(UINT64_C(1) << search_module_index(module));
}

static void decided(const DecisionInput *in, Decision *d, DecisionOutcome outcome, const char *says) {
        char desc[1024];

        decide(in, d);
        decision_describe(in, d, desc, sizeof(desc));
        fprintf(stderr, "  -> %s\n", desc);
        check_printable("other lists", desc, sizeof(desc));
        if (d->outcome != outcome || (says && !strstr(desc, says))) {
                fprintf(stderr, "outcome %d, expected %d%s%s\n", d->outcome, outcome, says ? " with " : "",
                        says ? says : "");
                exit(EXIT_FAILURE);
        }
        check_evidence("other lists", in, d);
}

static bool has_line(const char *fragment) {
        for (unsigned i = 0; i < lines.n; i++)
                if (strstr(lines.line[i], fragment))
                        return true;
        return false;
}

static void test_other_lists(void) {
        static const char *const suse[] = { "config", "/boot/grub2/grub.cfg", "chainload", "/boot/xen/pvboot-x86_64.elf",
                                           NULL };
        static const char *const own32[] = { "chainload", "/boot/pv32.elf", "config", "/boot/grub/grub.cfg", NULL };
        static const char *const none[] = { NULL };
        static const char *const pvh2[] = { "config", "/grub2/grub.cfg", NULL };
        DecisionInput in;
        Decision d;
        Candidate c[4];
        ConfigHit h[4];
        KernelEvidence k64 = make_kernel(&(KernelSpec) K64(0), 0);

        /* A list that reads its grub.cfg first: the valid pvboot ELF is never reached. */
        fprintf(stderr, "case: config before chainload\n");
        init_input(&in, false);
        set_list(&in, STAGE1_X86_64, "/opt/suse.bin: embedded config", suse);
        c[0] = file_at(STAGE1_X86_64, 1, 0, "ext4", ELF_PV_OK);
        h[0] = config_at(STAGE1_X86_64, 0, 1, "ext4");
        in.candidates = c, in.n_candidates = 1, in.configs = h, in.n_configs = 1, in.kernels = &k64, in.n_kernels = 1;
        decided(&in, &d, DECISION_OK, "which reads /dev/sdb1:/boot/grub2/grub.cfg");
        CHECK_EQ(d.source, SOURCE_GRUBCFG);
        CHECK_EQ(d.per_arch[PV_ARCH_X86_64], -1);
        CHECK_EQ(d.falls_back[PV_ARCH_X86_64], 0);
        CHECK(has_line("stage 1 x86_64: /opt/suse.bin: embedded config; modules: ext2 xfs"));
        CHECK(has_line("search x86_64: config /boot/grub2/grub.cfg, chainload /boot/xen/pvboot-x86_64.elf"));
        CHECK(has_line("grub.cfg x86_64: /dev/sdb1:/boot/grub2/grub.cfg"));
        CHECK(has_line("grub.cfg i386: none"));
        /* Without the grub2 config it chainloads. */
        in.n_configs = 0;
        decided(&in, &d, DECISION_OK, "found x86_64 pvboot ELF /dev/sda1:/boot/xen/pvboot-x86_64.elf");

        /* A pvboot ELF at a path of the stage 1's own choosing. */
        fprintf(stderr, "case: own path\n");
        init_input(&in, false);
        set_list(&in, STAGE1_I386, "/opt/own.bin: memdisk grub.cfg", own32);
        c[0] = file_at(STAGE1_I386, 0, 2, "ext4", ELF_PV_OK);
        c[1] = file_at(STAGE1_X86_64, 0, 0, "ext4", ELF_BAD_NOTES);    /* the spec's path: only x86_64 reads it */
        in.candidates = c, in.n_candidates = 2;
        decided(&in, &d, DECISION_OK, "found i386 pvboot ELF /dev/sdc1:/boot/pv32.elf");
        CHECK_EQ(d.chosen, 0);
        CHECK(has_line("pvboot /dev/sdc1:/boot/pv32.elf: valid PV image; needs ext2 <- chosen"));

        /* A stage 1 that searches nothing finds nothing; the other still decides. */
        fprintf(stderr, "case: empty list\n");
        set_list(&in, STAGE1_X86_64, "/opt/empty.bin: no config", none);
        decided(&in, &d, DECISION_OK, "found i386");
        CHECK(has_line("search x86_64: nothing"));
        set_list(&in, STAGE1_I386, "/opt/empty.bin: no config", none);
        decided(&in, &d, DECISION_NOTHING_FOUND, "the stage 1s chainload no pvboot ELF");
        decided(&in, &d, DECISION_NOTHING_FOUND, "on 3 filesystem(s)");
        in.kernels = &k64, in.n_kernels = 1;
        decided(&in, &d, DECISION_NO_GRUB_CFG, "the stage 1s read no grub.cfg to fall back to");

        /* Unpaired lists are named whole in the message. */
        fprintf(stderr, "case: unpaired lists\n");
        init_input(&in, false);
        set_list(&in, STAGE1_I386, "/opt/own.bin: memdisk grub.cfg", own32);
        decided(&in, &d, DECISION_NOTHING_FOUND,
                "no /boot/xen/pvboot-x86_64.elf, /xen/pvboot-x86_64.elf or /boot/pv32.elf and no kernel");
        in.kernels = &k64, in.n_kernels = 1;
        decided(&in, &d, DECISION_NO_GRUB_CFG, "no /boot/grub/grub.cfg or /grub/grub.cfg for the stage 1");

        /* Rule 6: the chosen file on a filesystem the stage 1 cannot read. */
        fprintf(stderr, "case: modules\n");
        init_input(&in, false);
        set_list(&in, STAGE1_X86_64, "/opt/x.bin: memdisk grub.cfg", suse + 2);   /* chainload only */
        without_module(&in, STAGE1_X86_64, "xfs");
        c[0] = file_at(STAGE1_X86_64, 0, 1, "xfs", ELF_PV_OK);
        in.candidates = c, in.n_candidates = 1;
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ,
                "the x86_64 stage 1 cannot read /dev/sdb1:/boot/xen/pvboot-x86_64.elf: it is on xfs and the stage 1 "
                "has no GRUB module xfs");
        CHECK_STREQ(d.module, "xfs");
        CHECK_EQ(d.arch, PV_ARCH_X86_64);
        CHECK(has_line("rule: mode pv; only one width has a valid pvboot ELF -> x86_64, whose stage 1 cannot read"));
        CHECK_EQ(decision_outcome_from_string("stage1-cannot-read"), DECISION_STAGE1_CANNOT_READ);
        /* ext2 reads ext4; a type with no module we know is not held against it. */
        snprintf(c[0].fstype, sizeof(c[0].fstype), "ext4");
        decided(&in, &d, DECISION_OK, "found x86_64");
        snprintf(c[0].fstype, sizeof(c[0].fstype), "weirdfs");
        decided(&in, &d, DECISION_OK, "found x86_64");
        c[0].fstype[0] = 0;
        decided(&in, &d, DECISION_OK, "found x86_64");
        /* The layers below the filesystem, each module in turn: LVM on an
         * md RAID1 (metadata 1.x) on msdos partitions. */
        snprintf(c[0].fstype, sizeof(c[0].fstype), "ext4");
        c[0].via = AGENT_VIA_PART_MSDOS | AGENT_VIA_MD_1X | AGENT_VIA_MD_RAID1 | AGENT_VIA_LVM;
        decided(&in, &d, DECISION_OK, "found x86_64");
        CHECK(has_line("pvboot /dev/sdb1:/boot/xen/pvboot-x86_64.elf: valid PV image; needs ext2 part_msdos diskfilter "
                       "mdraid1x lvm <- chosen"));
        static const char *const chain[] = { "part_msdos", "diskfilter", "mdraid1x", "lvm", NULL };
        for (const char *const *m = chain; *m; m++) {
                char says[256];
                set_list(&in, STAGE1_X86_64, "/opt/x.bin: memdisk grub.cfg", suse + 2);
                without_module(&in, STAGE1_X86_64, *m);
                snprintf(says, sizeof(says), "it is on ext4 reached through part_msdos diskfilter mdraid1x lvm and the "
                         "stage 1 has no GRUB module %s; use a stage 1 built with %s", *m, *m);
                decided(&in, &d, DECISION_STAGE1_CANNOT_READ, says);
                CHECK_STREQ(d.module, *m);
        }
        /* Two missing: the outermost layer is named. */
        without_module(&in, STAGE1_X86_64, "part_msdos");
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ, "has no GRUB module part_msdos");
        /* A GPT partition; RAID5 and RAID6 need their recovery modules. */
        set_list(&in, STAGE1_X86_64, "/opt/x.bin: memdisk grub.cfg", suse + 2);
        without_module(&in, STAGE1_X86_64, "part_gpt");
        c[0].via = AGENT_VIA_PART_MSDOS;
        decided(&in, &d, DECISION_OK, "found x86_64");
        c[0].via = AGENT_VIA_PART_GPT;
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ, "it is on ext4 reached through part_gpt and the stage 1 has no "
                "GRUB module part_gpt");
        set_list(&in, STAGE1_X86_64, "/opt/x.bin: memdisk grub.cfg", suse + 2);
        without_module(&in, STAGE1_X86_64, "raid5rec");
        c[0].via = AGENT_VIA_MD_090 | AGENT_VIA_MD_RAID6;
        decided(&in, &d, DECISION_OK, "found x86_64");
        c[0].via = AGENT_VIA_MD_090 | AGENT_VIA_MD_RAID5;
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ, "has no GRUB module raid5rec");
        /* Modules unknown (the spec's default): nothing checked. */
        snprintf(c[0].fstype, sizeof(c[0].fstype), "xfs");
        in.policy.search[STAGE1_X86_64].modules_known = 0;
        in.policy.search[STAGE1_X86_64].modules = 0;
        decided(&in, &d, DECISION_OK, "found x86_64");
        c[0].via = AGENT_VIA_ALL;
        decided(&in, &d, DECISION_OK, "found x86_64");
        /* The grub.cfg fallback is held to it too. */
        init_input(&in, false);
        set_list(&in, STAGE1_I386, "/opt/i.bin: memdisk grub.cfg", own32);
        without_module(&in, STAGE1_I386, "btrfs");
        h[0] = config_at(STAGE1_I386, 1, 0, "btrfs");
        KernelEvidence k32 = make_kernel(&(KernelSpec) K32(0), 0);
        in.configs = h, in.n_configs = 1, in.kernels = &k32, in.n_kernels = 1;
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ,
                "the i386 stage 1 cannot read /dev/sda1:/boot/grub/grub.cfg: it is on btrfs");
        /* ... its layers too, and the evidence says what it needs. */
        set_list(&in, STAGE1_I386, "/opt/i.bin: memdisk grub.cfg", own32);
        without_module(&in, STAGE1_I386, "lvm");
        h[0].via = AGENT_VIA_PART_GPT | AGENT_VIA_LVM;
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ,
                "the i386 stage 1 cannot read /dev/sda1:/boot/grub/grub.cfg: it is on btrfs reached through part_gpt "
                "lvm and the stage 1 has no GRUB module lvm");
        CHECK(has_line(" /dev/sda1:/boot/grub/grub.cfg; needs btrfs part_gpt lvm"));
        h[0].via = 0;
        /* ... and the PVH stage 1's. */
        init_input(&in, false);
        in.policy.mode = MODE_PVH;
        set_list(&in, STAGE1_PVH, "/opt/p.bin: embedded config", pvh2);
        without_module(&in, STAGE1_PVH, "fat");
        h[0] = config_at(STAGE1_PVH, 0, 0, "vfat");
        in.configs = h, in.n_configs = 1;
        decided(&in, &d, DECISION_STAGE1_CANNOT_READ, "the PVH stage 1 cannot read /dev/sda1:/grub2/grub.cfg");
        /* The PVH list's own paths. */
        h[0].fstype[0] = 0;
        decided(&in, &d, DECISION_OK, "which reads /dev/sda1:/grub2/grub.cfg");
        in.n_configs = 0;
        decided(&in, &d, DECISION_NO_GRUB_CFG, "--pvh: the PVH stage 1 needs /grub2/grub.cfg and the guest has none");
        set_list(&in, STAGE1_PVH, "/opt/p.bin: no config", none);
        decided(&in, &d, DECISION_NO_GRUB_CFG, "its search list names none");
}

/* Rule 7: a grub.cfg whose menu only blscfg builds, and a stage 1 without it. */
static void test_blscfg(void) {
        static const char *const debian64[] = { "chainload", "/boot/xen/pvboot-x86_64.elf", "chainload",
                                                "/xen/pvboot-x86_64.elf", "config", "/boot/grub/grub.cfg", "config",
                                                "/grub/grub.cfg", NULL };
        static const char *const pvh[] = { "config", "/boot/grub/grub.cfg", "config", "/grub/grub.cfg", NULL };
        KernelEvidence k64 = make_kernel(&(KernelSpec) K64(0), 0);
        ConfigHit h[1] = { config_at(STAGE1_X86_64, 2, 0, "ext4") };
        DecisionInput in;
        Decision d;
        char fix[1024];

        /* Debian's stage 1 (no blscfg, no blsuki), Fedora's grub.cfg at its config entry. */
        init_input(&in, false);
        set_list(&in, STAGE1_X86_64, "/usr/lib/grub-xen/grub-x86_64-xen.bin: memdisk grub.cfg", debian64);
        without_module(&in, STAGE1_X86_64, "blscfg");
        without_module(&in, STAGE1_X86_64, "blsuki");
        h[0].scanned = true;
        h[0].menu = (GrubMenuScan) { .blscfg_line = 38 };
        in.configs = h, in.n_configs = 1, in.kernels = &k64, in.n_kernels = 1;
        fprintf(stderr, "case: blscfg only, Debian's stage 1\n");
        decided(&in, &d, DECISION_STAGE1_NO_BLSCFG,
                "the guest's grub.cfg /dev/sda1:/boot/grub/grub.cfg builds its menu with blscfg (line 38) and has no "
                "menuentry of its own, and the x86_64 stage 1 has no blscfg command (GRUB module blscfg or blsuki): "
                "its menu would be empty; in the guest set GRUB_ENABLE_BLSCFG=false in /etc/default/grub and run "
                "grub2-mkconfig -o /boot/grub/grub.cfg, or install a PV GRUB of its own as /boot/xen/pvboot-x86_64.elf");
        CHECK_EQ(d.arch, PV_ARCH_X86_64);
        CHECK_EQ(d.source, SOURCE_GRUBCFG);
        CHECK_EQ(d.config, 0);
        CHECK(decision_fix(&in, &d, fix, sizeof(fix)));
        CHECK(strncmp(fix, "in the guest set GRUB_ENABLE_BLSCFG=false", 41) == 0);
        CHECK(has_line("grub.cfg menu: /dev/sda1:/boot/grub/grub.cfg: 0 menuentry/submenu, blscfg at line 38 (the "
                       "x86_64 stage 1 has no blscfg)"));
        CHECK(has_line("rule: mode pv; all kernels of known width are 64-bit -> x86_64, whose stage 1 cannot run the "
                       "grub.cfg's blscfg"));
        CHECK_EQ(decision_outcome_from_string("stage1-no-blscfg"), DECISION_STAGE1_NO_BLSCFG);
        CHECK_STREQ(decision_outcome_to_string(DECISION_STAGE1_NO_BLSCFG), "stage1-no-blscfg");

        /* Found on a separate /boot: the guest writes /boot/grub/grub.cfg. */
        h[0].entry = 3;
        decided(&in, &d, DECISION_STAGE1_NO_BLSCFG, "/dev/sda1:/grub/grub.cfg builds its menu with blscfg");
        CHECK(decision_fix(&in, &d, fix, sizeof(fix)));
        CHECK(strstr(fix, "grub2-mkconfig -o /boot/grub/grub.cfg,"));
        h[0].entry = 2;

        /* A stage 1 with the command: Fedora's module, or GRUB 2.14's. */
        in.policy.search[STAGE1_X86_64].modules |= UINT64_C(1) << search_module_index("blscfg");
        decided(&in, &d, DECISION_OK, "which reads /dev/sda1:/boot/grub/grub.cfg");
        CHECK(!strstr(lines.line[0], "but"));
        CHECK(has_line(", blscfg at line 38 (the x86_64 stage 1 has it)"));
        without_module(&in, STAGE1_X86_64, "blscfg");
        in.policy.search[STAGE1_X86_64].modules |= UINT64_C(1) << search_module_index("blsuki");
        decided(&in, &d, DECISION_OK, NULL);
        without_module(&in, STAGE1_X86_64, "blsuki");

        /* Entries of its own too: it boots, without the BLS ones. */
        h[0].menu.entries = 2;
        h[0].menu.entry_line = 40;
        snprintf(in.bls, sizeof(in.bls), "/dev/sda1:/boot/loader/entries/");
        decided(&in, &d, DECISION_OK,
                "; but the x86_64 stage 1 has no blscfg, which its grub.cfg runs (line 38): the Boot Loader "
                "Specification entries (/dev/sda1:/boot/loader/entries/) will be missing from its menu, only its 2 "
                "menuentry/submenu shown");
        in.bls[0] = 0;
        decided(&in, &d, DECISION_OK, "the Boot Loader Specification entries will be missing");
        h[0].menu.entries = 0;
        h[0].menu.entry_line = 0;

        /* A file it sources may hold entries: not refused, said. */
        h[0].menu.unsure_line = 52;
        decided(&in, &d, DECISION_OK, "for its menu: only what line 52 brings in will be shown");
        CHECK(has_line(", line 52 may bring in entries not seen here"));
        h[0].menu.unsure_line = 0;

        /* Modules unknown (the spec's paths): not refused, said. */
        in.policy.search[STAGE1_X86_64].modules_known = 0;
        in.policy.search[STAGE1_X86_64].modules = 0;
        decided(&in, &d, DECISION_OK,
                "; but its grub.cfg runs blscfg (line 38) and the x86_64 stage 1's modules are unknown: without blscfg "
                "the Boot Loader Specification entries are all it has and its menu is empty");
        CHECK(has_line("(the x86_64 stage 1 modules unknown)"));
        set_list(&in, STAGE1_X86_64, "/usr/lib/grub-xen/grub-x86_64-xen.bin: memdisk grub.cfg", debian64);
        without_module(&in, STAGE1_X86_64, "blscfg");
        without_module(&in, STAGE1_X86_64, "blsuki");

        /* Not scanned, or no blscfg: nothing to say but the evidence. */
        h[0].scanned = false;
        snprintf(h[0].menu_why, sizeof(h[0].menu_why), "line 3: unterminated quote");
        decided(&in, &d, DECISION_OK, NULL);
        CHECK(!strstr(lines.line[0], "blscfg"));
        CHECK(has_line("grub.cfg menu: /dev/sda1:/boot/grub/grub.cfg: not scanned: line 3: unterminated quote"));
        h[0].scanned = true;
        h[0].menu = (GrubMenuScan) { .entries = 1, .entry_line = 2 };
        decided(&in, &d, DECISION_OK, NULL);
        CHECK(has_line("grub.cfg menu: /dev/sda1:/boot/grub/grub.cfg: 1 menuentry/submenu, no blscfg"));
        h[0].menu = (GrubMenuScan) { .blscfg_line = 38 };

        /* The guest's pvboot ELF decides: its grub.cfg is not the stage 1's business. */
        Candidate c = file_at(STAGE1_X86_64, 0, 0, "ext4", ELF_PV_OK);
        in.candidates = &c, in.n_candidates = 1;
        decided(&in, &d, DECISION_OK, "found x86_64 pvboot ELF");
        CHECK(!has_line("grub.cfg menu:"));
        in.n_candidates = 0;

        /* The host is checked after: a refusal for the menu comes first. */
        set_host(&in, "xen-3.0-x86_32p");
        decided(&in, &d, DECISION_STAGE1_NO_BLSCFG, NULL);
        set_host(&in, NULL);

        /* The PVH stage 1: no pvboot ELF to offer instead. */
        fprintf(stderr, "case: blscfg only, PVH\n");
        in.policy.mode = MODE_PVH;
        set_list(&in, STAGE1_PVH, "/usr/lib/grub-xen/grub-i386-xen_pvh.bin: memdisk grub.cfg", pvh);
        without_module(&in, STAGE1_PVH, "blscfg");
        without_module(&in, STAGE1_PVH, "blsuki");
        h[0].stage1 = STAGE1_PVH;
        h[0].entry = 0;
        decided(&in, &d, DECISION_STAGE1_NO_BLSCFG, "and the PVH stage 1 has no blscfg command");
        CHECK(decision_fix(&in, &d, fix, sizeof(fix)));
        CHECK(strstr(fix, "grub2-mkconfig -o /boot/grub/grub.cfg"));
        CHECK(!strstr(fix, "pvboot"));
        h[0].menu.entries = 1;
        decided(&in, &d, DECISION_OK, "; but the PVH stage 1 has no blscfg");
}

int main(void) {
        /* The case table names paths by index; make sure they still mean
         * what the spec's lists say. */
        for (unsigned i = 0; i < 4; i++) {
                SearchList l;
                search_list_spec_default(spec_paths[i].stage1, "test", &l);
                CHECK_STREQ(l.entries[spec_paths[i].entry].path, spec_paths[i].path);
                CHECK_EQ(l.entries[spec_paths[i].entry].action, SEARCH_CHAINLOAD);
        }
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                SearchList l;
                search_list_spec_default(k, "test", &l);
                CHECK_STREQ(l.entries[k == STAGE1_PVH ? 0 : 2].path, "/boot/grub/grub.cfg");
        }

        test_case_table();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                run_case(&cases[i]);
        test_invariants();
        test_escaped_once();
        test_hostile_names();
        test_small_buffer();
        test_hidden();
        test_fix();
        test_unread();
        test_unloadable_kernels();
        test_other_lists();
        test_blscfg();
        test_strings();
        return EXIT_SUCCESS;
}
