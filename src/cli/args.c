/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Command-line parsing for the libxl contract (see args.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/args.h"
#include "shared/macro.h"
#include "shared/text.h"

enum {
        ARG_OUTPUT = 0x100,
        ARG_OUTPUT_FORMAT,
        ARG_OUTPUT_DIRECTORY,
        ARG_KERNEL,
        ARG_RAMDISK,
        ARG_ARGS,
        ARG_RUNAS,
        ARG_FORMAT,
        ARG_STAGE1_X86_64,
        ARG_STAGE1_I386,
        ARG_STAGE1_PVH,
        ARG_FORCE_ARCH,
        ARG_ENTRY,
        ARG_DEBUG,
        ARG_PREFER,
        ARG_PVH,
        ARG_PVSHIM,
        ARG_HOST_CAPS,
        ARG_TIMEOUT,
        ARG_NO_DAEMON,
        ARG_CONFIG,
        ARG_JSON,
        ARG_EXTRA_DISK,
        /* pygrub's, accepted for an xl config written for pygrub */
        ARG_ISCONFIG,
        ARG_OFFSET,
        ARG_XEND_ARGS,
};

const char options_usage[] =
        "Usage: pvboot-select [OPTIONS] DISK              (as libxl's bootloader)\n"
        "       pvboot-select inspect [--json] [OPTIONS] DISK\n"
        "       pvboot-select status [--json]\n"
        "Choose the 32- or 64-bit pvgrub2 stage 1 for a Xen PV guest, as libxl's bootloader.\n"
        "\n"
        "libxl contract:\n"
        "  --output=FILE             write the records here (default: stdout)\n"
        "  --output-format=FMT       simple0 (default), simple or sxp\n"
        "  --output-directory=DIR    where the stage 1 copy is created\n"
        "  --args=STRING             returned to libxl as the stage 1's command line\n"
        "  --runas=UID               inspect the disk as this uid (libxl restrict mode)\n"
        "  -q, --quiet               no interactive use (always true here)\n"
        "Selection (via bootloader_args):\n"
        "  --format=FMT              disk image format (default raw)\n"
        "  --stage1-x86_64=PATH      64-bit stage 1 (default " STAGE1_DEFAULT_X86_64 ")\n"
        "  --stage1-i386=PATH        32-bit stage 1 (default " STAGE1_DEFAULT_I386 ")\n"
        "  --stage1-pvh=PATH         PVH stage 1 (default " STAGE1_DEFAULT_PVH ")\n"
        "  --force-arch=i386|x86_64  use this width (still checked against the guest and the host)\n"
        "  --prefer=i386|x86_64      tie-break when the kernels do not decide (default x86_64)\n"
        "  --pvh                     type=\"pvh\": return the PVH stage 1 (default: the type libxl recorded)\n"
        "  --pvshim                  type=\"pvh\" + pvshim=1: PV stage 1 run by the shim\n"
        "  --disk=PATH               the domain's next disk after DISK, in its order (repeatable)\n"
        "  --host-caps=CAPS          the hypervisor's xen_caps (default: read from Xen)\n"
        "  --timeout=SEC             give up on the inspection after SEC seconds (" STRINGIFY(TIMEOUT_MIN) "-"
        STRINGIFY(TIMEOUT_MAX) ", default " STRINGIFY(TIMEOUT_DEFAULT) ")\n"
        "  --no-daemon               inspect here even when pvboot-selectd is running\n"
        "Other:\n"
        "  --config=FILE             settings file (default " CONFIG_DEFAULT_PATH ")\n"
        "  --json                    inspect, status: one JSON object on stdout\n"
        "  -n, --not-really          print the decision, copy and write nothing\n"
        "  -v, --verbose             print the evidence behind the decision\n"
        "  --debug                   show the appliance's output (implies -v)\n"
        "  -h, --help                this text\n"
        "pygrub's flags (accepted; see \"Switching from pygrub\" in pvboot-select(1)):\n"
        "  -l, --list-entries        print what the stage 1 would boot, write nothing, exit 0\n"
        "  -i, --interactive, --entry=E, --isconfig, --offset=N, --kernel=K, --ramdisk=R,\n"
        "  --default_args=A, --extra_args=A\n"
        "                            ignored, each with one line saying what to do instead\n";

/* "before 'what' after", with what escaped: argv may hold anything. */
static int fail(char *err, size_t errsz, const char *before, const char *what, const char *after) {
        char safe[256];
        text_escape(what, strlen(what), safe, sizeof(safe));
        snprintf(err, errsz, "%s%s%s", before, safe, after);
        return -EINVAL;
}

static bool parse_uid(const char *s, uid_t *ret) {
        unsigned long v;
        char *end;

        if (!s || *s < '0' || *s > '9')
                return false;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != 0 || v == 0 || v >= (unsigned long) (uid_t) -1)
                return false;
        *ret = (uid_t) v;
        return true;
}

/* pygrub's flags we cannot honour: one line each (args.h). */
static const char *const pygrub_notes[_PYGRUB_MAX] = {
        [PYGRUB_INTERACTIVE] = "-i/--interactive ignored: the boot menu is the guest's own GRUB's, shown by the "
                               "stage 1 on the guest console (xl create -c)",
        [PYGRUB_ENTRY] = "--entry ignored: the boot menu is the guest's own GRUB's, on the guest console (xl create -c); "
                         "set the default entry inside the guest (GRUB_DEFAULT, grub-set-default)",
        [PYGRUB_ISCONFIG] = "--isconfig ignored: pvboot-select reads the disk libxl passes, never a config file; "
                            "remove it from bootloader_args",
        [PYGRUB_OFFSET] = "--offset ignored: the stage 1 searches every partition of the disk itself; "
                          "remove it from bootloader_args",
        [PYGRUB_KERNEL] = "--kernel/--ramdisk ignored: they name files inside the guest for pygrub, and pvgrub2 boots "
                          "what the guest's grub.cfg names; remove kernel= and ramdisk= from the xl config",
        [PYGRUB_ARGS] = "--args (xl's extra=, root= or cmdline=) does not reach the guest kernel: pvgrub2 boots it "
                        "with the command line of the guest's grub.cfg; put it there (GRUB_CMDLINE_LINUX in the "
                        "guest's /etc/default/grub, then update-grub)",
        [PYGRUB_XEND_ARGS] = "--default_args/--extra_args ignored: pvgrub2 boots the guest kernel with the command "
                             "line of the guest's grub.cfg; put it there (GRUB_CMDLINE_LINUX in the guest's "
                             "/etc/default/grub, then update-grub)",
};

const char *options_pygrub_note(PygrubFlag f, bool xen_grub_env) {
        /* GRUB's kern/xen/cmdline.c (upstream since August 2025, in no
         * release Debian 12 ships) turns xen_grub_env_NAME=VALUE words of
         * its own command line, i.e. of extra=, into GRUB variables that
         * the guest's grub.cfg may use. */
        if (f == PYGRUB_ARGS && xen_grub_env)
                return "--args (xl's extra=, root= or cmdline=) does not reach the guest kernel: pvgrub2 boots it with "
                       "the command line of the guest's grub.cfg; put it there, or pass xen_grub_env_NAME=VALUE words "
                       "in extra=, which this stage 1 sets as GRUB variables for the guest's grub.cfg to use";
        return f < _PYGRUB_MAX ? pygrub_notes[f] : "";
}

/* What the config file sets, over the built-in defaults. */
static void apply_config(const Config *c, Options *o) {
        if (c->set[CONF_STAGE1_X86_64])
                o->stage1[PV_ARCH_X86_64] = c->str[CONF_STAGE1_X86_64];
        if (c->set[CONF_STAGE1_I386])
                o->stage1[PV_ARCH_I386] = c->str[CONF_STAGE1_I386];
        if (c->set[CONF_STAGE1_PVH])
                o->stage1_pvh = c->str[CONF_STAGE1_PVH];
        if (c->set[CONF_PREFER])
                o->policy.prefer = (PvArch) c->num[CONF_PREFER];
        if (c->set[CONF_TIMEOUT])
                o->policy.timeout_sec = (unsigned) c->num[CONF_TIMEOUT];
        if (c->set[CONF_APPLIANCE_CACHE])
                o->appliance_cache = c->str[CONF_APPLIANCE_CACHE];
        if (c->set[CONF_MEMSIZE])
                o->memsize_mb = (int) c->num[CONF_MEMSIZE];
        if (c->set[CONF_CLONE_UID_BASE])
                o->clone_uid_base = (unsigned long) c->num[CONF_CLONE_UID_BASE];
        if (c->set[CONF_CLONE_UID_COUNT])
                o->clone_uid_count = (unsigned) c->num[CONF_CLONE_UID_COUNT];
        if (c->set[CONF_USE_DAEMON])
                o->no_daemon = c->num[CONF_USE_DAEMON] == 0;
        if (c->set[CONF_LOG_LEVEL]) {
                o->verbose = c->num[CONF_LOG_LEVEL] >= LOG_LEVEL_INFO;
                o->debug = c->num[CONF_LOG_LEVEL] >= LOG_LEVEL_DEBUG;
        }
}

int options_parse(int argc, char **argv, Options *ret, char *err, size_t errsz) {
        return options_parse_config(argc, argv, NULL, ret, err, errsz);
}

int options_parse_config(int argc, char **argv, const Config *conf, Options *ret, char *err, size_t errsz) {
        static const struct option longopts[] = {
                { "output",           required_argument, NULL, ARG_OUTPUT },
                { "output-format",    required_argument, NULL, ARG_OUTPUT_FORMAT },
                { "output-directory", required_argument, NULL, ARG_OUTPUT_DIRECTORY },
                { "kernel",           required_argument, NULL, ARG_KERNEL },
                { "ramdisk",          required_argument, NULL, ARG_RAMDISK },
                { "args",             required_argument, NULL, ARG_ARGS },
                { "runas",            required_argument, NULL, ARG_RUNAS },
                { "format",           required_argument, NULL, ARG_FORMAT },
                { "stage1-x86_64",    required_argument, NULL, ARG_STAGE1_X86_64 },
                { "stage1-i386",      required_argument, NULL, ARG_STAGE1_I386 },
                { "stage1-pvh",       required_argument, NULL, ARG_STAGE1_PVH },
                { "force-arch",       required_argument, NULL, ARG_FORCE_ARCH },
                { "entry",            required_argument, NULL, ARG_ENTRY },
                { "debug",            no_argument,       NULL, ARG_DEBUG },
                { "prefer",           required_argument, NULL, ARG_PREFER },
                { "pvh",              no_argument,       NULL, ARG_PVH },
                { "pvshim",           no_argument,       NULL, ARG_PVSHIM },
                { "host-caps",        required_argument, NULL, ARG_HOST_CAPS },
                { "verbose",          no_argument,       NULL, 'v' },
                { "timeout",          required_argument, NULL, ARG_TIMEOUT },
                { "disk",             required_argument, NULL, ARG_EXTRA_DISK },
                { "no-daemon",        no_argument,       NULL, ARG_NO_DAEMON },
                { "config",           required_argument, NULL, ARG_CONFIG },
                { "json",             no_argument,       NULL, ARG_JSON },
                { "quiet",            no_argument,       NULL, 'q' },
                { "not-really",       no_argument,       NULL, 'n' },
                { "help",             no_argument,       NULL, 'h' },
                /* pygrub's (and xend's --default_args/--extra_args): an
                 * xl config written for pygrub works as it is.  --entry,
                 * --kernel, --ramdisk, --args, --runas and --debug are above. */
                { "interactive",      no_argument,       NULL, 'i' },
                { "list-entries",     no_argument,       NULL, 'l' },
                { "isconfig",         no_argument,       NULL, ARG_ISCONFIG },
                { "offset",           required_argument, NULL, ARG_OFFSET },
                { "default_args",     required_argument, NULL, ARG_XEND_ARGS },
                { "extra_args",       required_argument, NULL, ARG_XEND_ARGS },
                {}
        };
        Options o = {
                .output_format = OUTPUT_SIMPLE0,
                .stage1 = {
                        [PV_ARCH_X86_64] = STAGE1_DEFAULT_X86_64,
                        [PV_ARCH_I386] = STAGE1_DEFAULT_I386,
                },
                .stage1_pvh = STAGE1_DEFAULT_PVH,
                .clone_uid_base = PVBOOT_CLONE_UID_BASE_DEFAULT,
                .clone_uid_count = PVBOOT_CLONE_UID_COUNT_DEFAULT,
        };
        int c, li;

        policy_init(&o.policy);
        if (conf)
                apply_config(conf, &o);
        /* Subcommands come first; the word then stands in for argv[0]. */
        if (argc > 1 && (strcmp(argv[1], "inspect") == 0 || strcmp(argv[1], "status") == 0)) {
                *(argv[1][0] == 'i' ? &o.inspect : &o.status) = true;
                argc--;
                argv++;
        }
        err[0] = 0;
        optind = 0;     /* glibc: full re-initialisation, so tests can parse twice */
        opterr = 0;     /* we word the errors ourselves */

        /* "+" is not used: libxl puts options after nothing positional but
         * an admin may write DISK first; GNU permutation handles both. */
        while ((li = -1, c = getopt_long(argc, argv, ":qnhvil", longopts, &li)) >= 0) {
                /* status reads the daemon's properties: an option that
                 * would change a decision means the admin expects one. */
                if (o.status && c != ARG_JSON && c != ARG_CONFIG && c != 'h' && c != ':' && c != '?') {
                        char name[32];
                        if (li >= 0)
                                snprintf(name, sizeof(name), "--%s", longopts[li].name);
                        else
                                snprintf(name, sizeof(name), "-%c", c);
                        return fail(err, errsz, "status takes only --json and --config, not ", name, "");
                }
                switch (c) {
                case ARG_OUTPUT:
                        o.output = optarg;
                        break;
                case ARG_OUTPUT_FORMAT:
                        if (output_format_from_string(optarg, &o.output_format) < 0)
                                return fail(err, errsz, "unknown --output-format '", optarg, "' (simple0, simple or sxp)");
                        break;
                case ARG_OUTPUT_DIRECTORY:
                        o.output_directory = optarg;
                        break;
                case ARG_KERNEL:
                        o.kernel = optarg;
                        o.pygrub_ignored |= 1u << PYGRUB_KERNEL;
                        break;
                case ARG_RAMDISK:
                        o.ramdisk = optarg;
                        o.pygrub_ignored |= 1u << PYGRUB_KERNEL;
                        break;
                case ARG_ARGS:
                        o.args = optarg;
                        if (*optarg)
                                o.pygrub_ignored |= 1u << PYGRUB_ARGS;
                        else
                                o.pygrub_ignored &= ~(1u << PYGRUB_ARGS);
                        break;
                case ARG_RUNAS:
                        if (!parse_uid(optarg, &o.runas))
                                return fail(err, errsz, "--runas='", optarg, "' is not a non-zero numeric uid");
                        o.runas_set = true;
                        break;
                case ARG_FORMAT:
                        /* libguestfs takes a qemu format name; keep it to
                         * the plain identifiers qemu uses. */
                        if (policy_set_format(&o.policy, optarg) < 0)
                                return fail(err, errsz, "bad --format '", optarg, "'");
                        break;
                case ARG_STAGE1_X86_64:
                        o.stage1[PV_ARCH_X86_64] = optarg;
                        break;
                case ARG_STAGE1_I386:
                        o.stage1[PV_ARCH_I386] = optarg;
                        break;
                case ARG_STAGE1_PVH:
                        o.stage1_pvh = optarg;
                        break;
                case ARG_FORCE_ARCH:
                        if (policy_set_force_arch(&o.policy, optarg) < 0)
                                return fail(err, errsz, "--force-arch='", optarg, "': use i386 or x86_64");
                        break;
                case ARG_ENTRY:
                        /* pygrub's menu entry: the guest's own GRUB owns its
                         * menu, so there is nothing to select here. */
                        o.pygrub_ignored |= 1u << PYGRUB_ENTRY;
                        break;
                case ARG_DEBUG:
                        o.debug = o.verbose = true;
                        break;
                case 'v':
                        o.verbose = true;
                        break;
                case ARG_PREFER:
                        if (policy_set_prefer(&o.policy, optarg) < 0)
                                return fail(err, errsz, "--prefer='", optarg, "': use i386 or x86_64");
                        break;
                case ARG_PVH:
                        if (o.policy.mode == MODE_PVSHIM)
                                return fail(err, errsz, "", "--pvh and --pvshim conflict: a guest is one or the other", "");
                        o.policy.mode = MODE_PVH;
                        o.mode_given = true;
                        break;
                case ARG_PVSHIM:
                        if (o.policy.mode == MODE_PVH)
                                return fail(err, errsz, "", "--pvh and --pvshim conflict: a guest is one or the other", "");
                        o.policy.mode = MODE_PVSHIM;
                        o.mode_given = true;
                        break;
                case ARG_TIMEOUT: {
                        char *end;
                        unsigned long v;
                        errno = 0;
                        v = strtoul(optarg, &end, 10);
                        if (errno != 0 || *end != 0 || *optarg < '1' || *optarg > '9' ||
                            policy_set_timeout(&o.policy, v) < 0)
                                return fail(err, errsz, "--timeout='", optarg, "': seconds from " STRINGIFY(TIMEOUT_MIN) " to "
                                            STRINGIFY(TIMEOUT_MAX) " (libxl's own timeout may lower it)");
                        break;
                }
                case ARG_HOST_CAPS:
                        if (policy_set_host_caps(&o.policy, optarg, "--host-caps") < 0)
                                return fail(err, errsz, "", "--host-caps: not a space-separated xen_caps list", "");
                        break;
                case ARG_EXTRA_DISK:
                        /* Opened, checked and ordered by extra-disks.c. */
                        if (optarg[0] != '/')
                                return fail(err, errsz, "--disk='", optarg, "': give an absolute path");
                        if (o.n_extra_disks >= OPTIONS_EXTRA_DISKS_MAX)
                                return fail(err, errsz, "", "more than " STRINGIFY(OPTIONS_EXTRA_DISKS_MAX)
                                            " --disk given (the stage 1 sees xvda..xvdp)", "");
                        o.extra_disks[o.n_extra_disks++] = optarg;
                        break;
                case ARG_NO_DAEMON:
                        o.no_daemon = true;
                        break;
                case ARG_JSON:
                        o.json = true;
                        break;
                case ARG_CONFIG:
                        /* Read before this parse (config_path_from_argv). */
                        if (optarg[0] != '/' && optarg[0] != '.')
                                return fail(err, errsz, "--config='", optarg, "': give a path (/... or ./...)");
                        o.config = optarg;
                        break;
                case 'q':
                        o.quiet = true;
                        break;
                case 'n':
                        o.not_really = true;
                        break;
                case 'h':
                        o.help = true;
                        break;
                case 'i':
                        o.pygrub_ignored |= 1u << PYGRUB_INTERACTIVE;
                        break;
                case 'l':
                        o.list = true;
                        break;
                case ARG_ISCONFIG:
                        o.pygrub_ignored |= 1u << PYGRUB_ISCONFIG;
                        break;
                case ARG_OFFSET: {
                        /* pygrub takes a byte offset (int()); so do we, to ignore it. */
                        char *end;
                        errno = 0;
                        (void) strtoll(optarg, &end, 10);
                        if (errno != 0 || end == optarg || *end != 0)
                                return fail(err, errsz, "--offset='", optarg, "' is not a byte offset");
                        o.pygrub_ignored |= 1u << PYGRUB_OFFSET;
                        break;
                }
                case ARG_XEND_ARGS:
                        o.pygrub_ignored |= 1u << PYGRUB_XEND_ARGS;
                        break;
                case ':':
                        return fail(err, errsz, "option '", argv[optind - 1], "' needs a value");
                default:
                        if (optopt > 0 && optopt < 0x100) {
                                char so[3] = { '-', (char) optopt, 0 };
                                return fail(err, errsz, "unknown option '", so, "' (see --help)");
                        }
                        return fail(err, errsz, "unknown option '", argv[optind - 1], "' (see --help)");
                }
        }

        if (o.help) {
                *ret = o;
                return 0;
        }
        if (o.json && !o.inspect && !o.status)
                return fail(err, errsz, "", "--json is for the inspect and status commands", "");
        if (o.status) {
                if (optind != argc)
                        return fail(err, errsz, "", "status takes no DISK", "");
                *ret = o;
                return 0;
        }
        if (optind != argc - 1)
                return fail(err, errsz, "", optind >= argc ? "no DISK given" : "more than one DISK given", "");
        o.disk = argv[optind];

        /* With bootloader= set, libxl builds the domain from the records
         * we write and nothing else (libxl__bootloader_run(): kernel= and
         * ramdisk= only become our --kernel/--ramdisk, as pygrub's names
         * of files inside the guest).  We return the host's own stage 1
         * whatever they say: they are ignored, and said so. */
        /* -l: pygrub's listing; here inspect's answer, on stdout. */
        if (o.list)
                o.inspect = true;
        /* libxl hands its bootloader a raw device: a qcow2, vhd or
         * script= disk is attached in dom0 first and passed as /dev/xvdX
         * (libxl_bootloader.c).  Another format here could only make the
         * host follow paths written in the image. */
        if (!o.inspect && strcmp(o.policy.format, "raw") != 0)
                return fail(err, errsz, "--format='", o.policy.format, "': libxl always hands its bootloader a raw "
                            "device; only 'pvboot-select inspect' and -l read image files (raw or qcow2)");
        if (policy_check(&o.policy) < 0)
                return fail(err, errsz, "", "--force-arch has no meaning with --pvh: the PVH stage 1 has one width", "");
        if (!o.not_really && !o.inspect && !o.output_directory)
                return fail(err, errsz, "", "--output-directory is required (libxl always passes it)", "");
        for (int a = PV_ARCH_I386; a < _PV_ARCH_MAX; a++)
                if (!*o.stage1[a] || o.stage1[a][0] != '/')
                        return fail(err, errsz, "stage 1 path '", o.stage1[a], "' must be absolute");
        if (!*o.stage1_pvh || o.stage1_pvh[0] != '/')
                return fail(err, errsz, "stage 1 path '", o.stage1_pvh, "' must be absolute");

        *ret = o;
        return 0;
}

/* atoi() as glibc has it, (int) strtol(s, NULL, 10), with what it hides:
 * where it stopped, and whether strtol() itself overflowed. */
int libxl_timeout_parse(const char *restrict_env, const char *user_env, const char *timeout_env,
                        LibxlTimeout *ret, char *err, size_t errsz) {
        LibxlTimeout t = {
                .restrict_mode = restrict_env || user_env,
                .text = timeout_env,
                .value = LIBXL_TIMEOUT_DEFAULT,
        };
        bool overflow = false;

        err[0] = 0;
        if (timeout_env) {
                char *end;
                errno = 0;
                t.value = strtol(timeout_env, &end, 10);
                overflow = errno == ERANGE || t.value > LIBXL_TIMEOUT_MAX || t.value < -LIBXL_TIMEOUT_MAX;
                /* Leading white space and a sign are atoi()'s too. */
                t.trailing = *end != 0;
        }
        if (t.restrict_mode && overflow) {
                fail(err, errsz, "LIBXL_BOOTLOADER_TIMEOUT='", timeout_env,
                     "' is out of libxl's range (0 to " STRINGIFY(LIBXL_TIMEOUT_MAX) " s; beyond it libxl's timeout "
                     "is undefined): not starting; set 0 (no timeout) to " STRINGIFY(LIBXL_TIMEOUT_MAX)
                     ", or unset it for libxl's " STRINGIFY(LIBXL_TIMEOUT_DEFAULT) " s");
                return -ERANGE;
        }
        if (t.restrict_mode && t.value > 0 && !overflow)
                t.kill_sec = (unsigned) t.value;
        *ret = t;
        return 0;
}
