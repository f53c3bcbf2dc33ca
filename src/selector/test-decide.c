/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for the width decision (decide.c).
 *
 * The rule under test is what the Debian stage 1 does at boot: per width,
 * the first regular file in (path rank, filesystem order) is the one GRUB
 * chainloads, so that file alone decides whether the width can boot.  The
 * cases below are a table; each lists what the probe found (in whatever
 * order the array happens to hold it) and what must be decided and said.
 */
#include <stdbool.h>

#include "decide.h"
#include "test-util.h"

/* Indexes into pvboot_paths[]; checked against the table in main(). */
enum {
        BOOT_X86_64 = 0,        /* /boot/xen/pvboot-x86_64.elf */
        XEN_X86_64  = 1,        /* /xen/pvboot-x86_64.elf */
        BOOT_I386   = 2,        /* /boot/xen/pvboot-i386.elf */
        XEN_I386    = 3,        /* /xen/pvboot-i386.elf */
};

#define MAX_CANDIDATES 4
#define MAX_NEEDLES    3

typedef struct CandidateSpec {
        unsigned path_index, fs_index;
        FoundKind kind;
        int verdict;
} CandidateSpec;

typedef struct Case {
        const char *name;
        CandidateSpec c[MAX_CANDIDATES];
        size_t n;
        PvArch force;
        DecisionOutcome outcome;
        PvArch arch;            /* when DECISION_OK */
        int chosen;
        int per_x86_64, per_i386;
        const char *says[MAX_NEEDLES];  /* substrings of the description */
} Case;

#define OK_FILE(p, f)      { (p), (f), FOUND_REGULAR, ELF_PV_OK }
#define BAD_FILE(p, f, v)  { (p), (f), FOUND_REGULAR, (v) }
#define ODD(p, f, k)       { (p), (f), (k), ELF_PV_OK }

static const Case cases[] = {
        {
                .name = "nothing anywhere",
                .n = 0,
                .outcome = DECISION_NOTHING_FOUND, .chosen = -1, .per_x86_64 = -1, .per_i386 = -1,
                .says = { "/boot/xen/pvboot-", "/xen/pvboot-", "on 3 filesystem(s)" },
        }, {
                /* GRUB's search -f does not see directories or loops, so
                 * neither do we: still nothing to boot, nothing to blame. */
                .name = "only things GRUB skips",
                .c = { ODD(BOOT_X86_64, 0, FOUND_NOT_REGULAR), ODD(XEN_I386, 1, FOUND_SYMLINK_LOOP) },
                .n = 2,
                .outcome = DECISION_NOTHING_FOUND, .chosen = -1, .per_x86_64 = -1, .per_i386 = -1,
                .says = { "/boot/xen/pvboot-", "3 filesystem" },
        }, {
                .name = "one valid x86_64 at /boot/xen",
                .c = { OK_FILE(BOOT_X86_64, 0) },
                .n = 1,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .chosen = 0, .per_x86_64 = 0, .per_i386 = -1,
                .says = { "found x86_64", "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "x86_64 pvgrub2" },
        }, {
                .name = "one valid i386 at /xen",
                .c = { OK_FILE(XEN_I386, 0) },
                .n = 1,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .chosen = 0, .per_x86_64 = -1, .per_i386 = 0,
                .says = { "found i386", "/dev/sda1:/xen/pvboot-i386.elf", "i386 pvgrub2" },
        }, {
                /* /boot/xen is searched on every filesystem before /xen. */
                .name = "path rank beats filesystem order",
                .c = { OK_FILE(XEN_X86_64, 0), OK_FILE(BOOT_X86_64, 1) },
                .n = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .chosen = 1, .per_x86_64 = 1, .per_i386 = -1,
                .says = { "/dev/sdb1:/boot/xen/pvboot-x86_64.elf" },
        }, {
                /* Same path: probe order decides, not array order. */
                .name = "same path, first filesystem wins",
                .c = { OK_FILE(BOOT_X86_64, 1), OK_FILE(BOOT_X86_64, 0) },
                .n = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .chosen = 1, .per_x86_64 = 1, .per_i386 = -1,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf" },
        }, {
                /* The stage 1 loads the first file and fails; it never
                 * gets to the valid one. */
                .name = "first x86_64 invalid shadows a valid one",
                .c = { OK_FILE(BOOT_X86_64, 1), BAD_FILE(BOOT_X86_64, 0, ELF_BAD_NOTES) },
                .n = 2,
                .outcome = DECISION_NONE_VALID, .chosen = -1, .per_x86_64 = 1, .per_i386 = -1,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "malformed ELF notes" },
        }, {
                .name = "invalid /boot/xen shadows valid /xen on an earlier filesystem",
                .c = { OK_FILE(XEN_X86_64, 0), BAD_FILE(BOOT_X86_64, 1, ELF_BAD_LOADER) },
                .n = 2,
                .outcome = DECISION_NONE_VALID, .chosen = -1, .per_x86_64 = 1, .per_i386 = -1,
                .says = { "/dev/sdb1:/boot/xen/pvboot-x86_64.elf", "LOADER" },
        }, {
                .name = "directory at /boot/xen is skipped",
                .c = { ODD(BOOT_X86_64, 0, FOUND_NOT_REGULAR), OK_FILE(XEN_X86_64, 0) },
                .n = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .chosen = 1, .per_x86_64 = 1, .per_i386 = -1,
                .says = { "/dev/sda1:/xen/pvboot-x86_64.elf" },
        }, {
                .name = "symlink loop at /boot/xen is skipped",
                .c = { ODD(BOOT_I386, 0, FOUND_SYMLINK_LOOP), OK_FILE(XEN_I386, 1) },
                .n = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .chosen = 1, .per_x86_64 = -1, .per_i386 = 1,
                .says = { "/dev/sdb1:/xen/pvboot-i386.elf" },
        }, {
                /* A too-large file is still a regular file GRUB would load. */
                .name = "too large is not skipped",
                .c = { ODD(BOOT_X86_64, 0, FOUND_TOO_LARGE), OK_FILE(XEN_X86_64, 0) },
                .n = 2,
                .outcome = DECISION_NONE_VALID, .chosen = -1, .per_x86_64 = 0, .per_i386 = -1,
                .says = { "/dev/sda1:/boot/xen/pvboot-x86_64.elf", "file too large" },
        }, {
                .name = "unreadable is not skipped",
                .c = { ODD(BOOT_I386, 0, FOUND_UNREADABLE), OK_FILE(XEN_I386, 0) },
                .n = 2,
                .outcome = DECISION_NONE_VALID, .chosen = -1, .per_x86_64 = -1, .per_i386 = 0,
                .says = { "/dev/sda1:/boot/xen/pvboot-i386.elf", "unreadable" },
        }, {
                .name = "both widths valid",
                .c = { OK_FILE(BOOT_X86_64, 0), OK_FILE(BOOT_I386, 0) },
                .n = 2,
                .outcome = DECISION_AMBIGUOUS, .chosen = -1, .per_x86_64 = 0, .per_i386 = 1,
                .says = { "both i386 and x86_64", "--force-arch" },
        }, {
                .name = "both widths valid, i386 forced",
                .c = { OK_FILE(BOOT_X86_64, 0), OK_FILE(BOOT_I386, 0) },
                .n = 2, .force = PV_ARCH_I386,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .chosen = 1, .per_x86_64 = 0, .per_i386 = 1,
                .says = { "(forced)", "/dev/sda1:/boot/xen/pvboot-i386.elf" },
        }, {
                .name = "i386 forced, only x86_64 there",
                .c = { OK_FILE(BOOT_X86_64, 0) },
                .n = 1, .force = PV_ARCH_I386,
                .outcome = DECISION_FORCED_UNAVAILABLE, .chosen = -1, .per_x86_64 = 0, .per_i386 = -1,
                .says = { "--force-arch=i386", "no i386 pvboot ELF", "3 filesystem" },
        }, {
                .name = "i386 forced, i386 invalid",
                .c = { OK_FILE(BOOT_X86_64, 0), BAD_FILE(XEN_I386, 2, ELF_NO_PAE) },
                .n = 2, .force = PV_ARCH_I386,
                .outcome = DECISION_FORCED_UNAVAILABLE, .chosen = -1, .per_x86_64 = 0, .per_i386 = 1,
                .says = { "--force-arch", "/dev/sdc1:/xen/pvboot-i386.elf", "PAE_MODE" },
        }, {
                .name = "x86_64 invalid, i386 valid",
                .c = { BAD_FILE(BOOT_X86_64, 0, ELF_NAME_MISMATCH), OK_FILE(BOOT_I386, 0) },
                .n = 2,
                .outcome = DECISION_OK, .arch = PV_ARCH_I386, .chosen = 1, .per_x86_64 = 0, .per_i386 = 1,
                .says = { "found i386", "/dev/sda1:/boot/xen/pvboot-i386.elf" },
        }, {
                /* Only the probe's own table indexes mean anything. */
                .name = "path index out of range is ignored",
                .c = { OK_FILE(PVBOOT_N_PATHS, 0), OK_FILE(99, 0), OK_FILE(XEN_X86_64, 1) },
                .n = 3,
                .outcome = DECISION_OK, .arch = PV_ARCH_X86_64, .chosen = 2, .per_x86_64 = 2, .per_i386 = -1,
                .says = { "/dev/sdb1:/xen/pvboot-x86_64.elf" },
        }, {
                .name = "only out-of-range path indexes",
                .c = { OK_FILE(PVBOOT_N_PATHS, 0), BAD_FILE(1000, 1, ELF_BAD_NOTES) },
                .n = 2,
                .outcome = DECISION_NOTHING_FOUND, .chosen = -1, .per_x86_64 = -1, .per_i386 = -1,
                .says = { "no pvboot ELF" },
        },
};

/* Expands a spec into a Candidate, named after its filesystem index
 * (0 -> /dev/sda1, 1 -> /dev/sdb1, ...). */
static Candidate make_candidate(const CandidateSpec *s) {
        Candidate c = {
                .path_index = s->path_index,
                .fs_index = s->fs_index,
                .kind = s->kind,
                .verdict = s->verdict,
        };

        snprintf(c.fs, sizeof(c.fs), "/dev/sd%c1", 'a' + (int) (s->fs_index % 26));
        return c;
}

/* Every description goes to a vt100 console: printable ASCII, one line. */
static void check_printable(const char *what, const char *s) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                if (*p < 0x20 || *p > 0x7e) {
                        fprintf(stderr, "%s: byte 0x%02x at %zu in \"%s\"\n", what, *p,
                                (size_t) (p - (const unsigned char *) s), s);
                        exit(EXIT_FAILURE);
                }
}

static void run_case(const Case *t) {
        Candidate c[MAX_CANDIDATES];
        DecisionInput in = { .candidates = c, .n_candidates = t->n, .n_filesystems = 3, .force_arch = t->force };
        Decision d;
        char desc[512];

        fprintf(stderr, "case: %s\n", t->name);
        for (size_t i = 0; i < t->n; i++)
                c[i] = make_candidate(&t->c[i]);

        decide(&in, &d);
        CHECK_EQ(d.outcome, t->outcome);
        if (t->outcome == DECISION_OK)
                CHECK_EQ(d.arch, t->arch);
        CHECK_EQ(d.chosen, t->chosen);
        CHECK_EQ(d.per_arch[PV_ARCH_X86_64], t->per_x86_64);
        CHECK_EQ(d.per_arch[PV_ARCH_I386], t->per_i386);

        decision_describe(&in, &d, desc, sizeof(desc));
        fprintf(stderr, "  -> %s\n", desc);
        check_printable(t->name, desc);
        CHECK((strstr(desc, "(forced)") != NULL) == (t->outcome == DECISION_OK && t->force != PV_ARCH_NONE));
        for (size_t i = 0; i < MAX_NEEDLES && t->says[i]; i++)
                if (!strstr(desc, t->says[i])) {
                        fprintf(stderr, "%s: description lacks \"%s\"\n", t->name, t->says[i]);
                        exit(EXIT_FAILURE);
                }
}

/*
 * A filesystem name is guest-influenced text: whatever it holds, the
 * description must not carry control bytes to the console.  Checked for
 * both outcomes that name a file.
 */
static void test_hostile_fs_name(void) {
        static const int verdicts[] = { ELF_PV_OK, ELF_BAD_NOTES };

        for (size_t v = 0; v < sizeof(verdicts) / sizeof(verdicts[0]); v++) {
                Candidate c = make_candidate(&(CandidateSpec) OK_FILE(BOOT_X86_64, 0));
                DecisionInput in = { .candidates = &c, .n_candidates = 1, .n_filesystems = 1 };
                Decision d;
                char desc[512];

                c.verdict = verdicts[v];
                snprintf(c.fs, sizeof(c.fs), "/dev/sda1\x1b[2J\n");
                decide(&in, &d);
                CHECK_EQ(d.outcome, verdicts[v] == ELF_PV_OK ? DECISION_OK : DECISION_NONE_VALID);
                decision_describe(&in, &d, desc, sizeof(desc));
                check_printable("ESC in fs name", desc);
                CHECK(!strchr(desc, '\x1b'));
                CHECK(strstr(desc, "/dev/sda1"));

                /* A full, unterminated name of high bytes still ends up
                 * bounded and printable. */
                memset(c.fs, 0xff, sizeof(c.fs));
                decision_describe(&in, &d, desc, sizeof(desc));
                check_printable("0xff fs name", desc);
                CHECK(strstr(desc, "/boot/xen/pvboot-x86_64.elf"));
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

static void test_kind_strings(void) {
        for (int i = 0; i < _FOUND_KIND_MAX; i++) {
                const char *s = found_kind_to_string((FoundKind) i);
                CHECK(s);
                CHECK(strcmp(s, "unknown") != 0);
                for (int j = 0; j < i; j++)
                        CHECK(strcmp(s, found_kind_to_string((FoundKind) j)) != 0);
        }
}

int main(void) {
        /* The case table names paths by index; make sure they still mean
         * what the table says. */
        CHECK_EQ(PVBOOT_N_PATHS, 4);
        CHECK_STREQ(pvboot_paths[BOOT_X86_64].path, "/boot/xen/pvboot-x86_64.elf");
        CHECK_STREQ(pvboot_paths[XEN_X86_64].path, "/xen/pvboot-x86_64.elf");
        CHECK_STREQ(pvboot_paths[BOOT_I386].path, "/boot/xen/pvboot-i386.elf");
        CHECK_STREQ(pvboot_paths[XEN_I386].path, "/xen/pvboot-i386.elf");

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                run_case(&cases[i]);
        test_hostile_fs_name();
        test_small_buffer();
        test_kind_strings();
        return EXIT_SUCCESS;
}
