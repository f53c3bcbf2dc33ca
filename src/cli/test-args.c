/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for args.c: the command line libxl builds, and what we refuse. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "shared/macro.h"
#include "shared/test-util.h"

#define MAX_ARGS 32

/* argv as exec would hand it over: writable, NULL-terminated, and kept
 * alive while the Options that point into it are checked. */
typedef struct Argv {
        int argc;
        char *argv[MAX_ARGS + 1];
} Argv;

static Argv cur_argv;
static char err[512];

static void argv_free(Argv *a) {
        for (int i = 0; i < a->argc; i++)
                free(a->argv[i]);
        *a = (Argv) {};
}

static int parse_v(Options *o, const char *first, va_list ap) {
        const char *s;

        argv_free(&cur_argv);
        for (s = first; s; s = va_arg(ap, const char *)) {
                CHECK(cur_argv.argc < MAX_ARGS);
                cur_argv.argv[cur_argv.argc] = strdup(s);
                CHECK(cur_argv.argv[cur_argv.argc]);
                cur_argv.argc++;
        }
        cur_argv.argv[cur_argv.argc] = NULL;
        memset(err, 'X', sizeof(err));
        memset(o, 0xa5, sizeof(*o));
        return options_parse(cur_argv.argc, cur_argv.argv, o, err, sizeof(err));
}

/* parse(&o, "pvboot-select", ..., NULL) */
static int parse(Options *o, const char *first, ...) {
        va_list ap;
        int r;

        va_start(ap, first);
        r = parse_v(o, first, ap);
        va_end(ap);
        return r;
}

/* The error is one printable ASCII line with something in it. */
static void check_err_line(void) {
        size_t n = strnlen(err, sizeof(err));

        CHECK(n < sizeof(err));
        CHECK(n > 0);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) err[i];
                if (c < 0x20 || c > 0x7e) {
                        fprintf(stderr, "non-printable byte 0x%02x at %zu in \"%s\"\n", c, i, err);
                        exit(EXIT_FAILURE);
                }
        }
}

static void expect_fail(const char *first, ...) {
        Options o;
        va_list ap;
        int r;

        va_start(ap, first);
        r = parse_v(&o, first, ap);
        va_end(ap);
        if (r != -EINVAL) {
                fprintf(stderr, "expected -EINVAL, got %d for:", r);
                for (int i = 0; i < cur_argv.argc; i++)
                        fprintf(stderr, " '%s'", cur_argv.argv[i]);
                fprintf(stderr, "\n");
                exit(EXIT_FAILURE);
        }
        check_err_line();
}

#define LIBXL_BASE                                               \
        "--output=/var/lib/xen/bootloader.7.out",                \
        "--output-format=simple0",                               \
        "--output-directory=/var/lib/xen/bootloader.7.d"

static void check_defaults(const Options *o) {
        CHECK_STREQ(o->stage1[PV_ARCH_X86_64], STAGE1_DEFAULT_X86_64);
        CHECK_STREQ(o->stage1[PV_ARCH_I386], STAGE1_DEFAULT_I386);
        CHECK_STREQ(o->stage1_pvh, STAGE1_DEFAULT_PVH);
        CHECK_STREQ(o->policy.format, "raw");
        CHECK_EQ(o->policy.force_arch, PV_ARCH_NONE);
        CHECK_EQ(o->policy.prefer, PV_ARCH_NONE);
        CHECK_EQ(o->policy.mode, MODE_PV);
        CHECK(!o->policy.host_given);
        CHECK(!o->verbose);
        CHECK(!o->debug);
        CHECK(!o->kernel);
        CHECK(!o->ramdisk);
}

static void test_libxl_argv(void) {
        Options o;

        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.disk, "/dev/xvda");
        CHECK_STREQ(o.output, "/var/lib/xen/bootloader.7.out");
        CHECK_STREQ(o.output_directory, "/var/lib/xen/bootloader.7.d");
        CHECK_EQ(o.output_format, OUTPUT_SIMPLE0);
        check_defaults(&o);
        CHECK(!o.args);
        CHECK(!o.runas_set);
        CHECK(!o.quiet);
        CHECK(!o.not_really);
        CHECK(!o.debug);
        CHECK(!o.help);
        CHECK_EQ(err[0], 0);

        /* Restrict mode. */
        CHECK_EQ(parse(&o, "pvboot-select", "--runas=131079", "--quiet", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK(o.runas_set);
        CHECK_EQ(o.runas, 131079);
        CHECK(o.quiet);
        CHECK_STREQ(o.disk, "/dev/xvda");
        check_defaults(&o);
        CHECK_EQ(parse(&o, "pvboot-select", "--runas=1", "-q", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK(o.runas_set);
        CHECK_EQ(o.runas, 1);
        CHECK(o.quiet);

        /* The kernel command line, verbatim. */
        CHECK_EQ(parse(&o, "pvboot-select", "--args=root=/dev/xvda1 console=hvc0", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.args, "root=/dev/xvda1 console=hvc0");
        CHECK_EQ(parse(&o, "pvboot-select", "--args=  x\t'y' \"z\" --bogus kernel /evil", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.args, "  x\t'y' \"z\" --bogus kernel /evil");
        CHECK_EQ(parse(&o, "pvboot-select", "--args", "a=b", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.args, "a=b");

        /* The other output formats. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--output-format=sxp", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.output_format, OUTPUT_SXP);
        CHECK_EQ(parse(&o, "pvboot-select", "--output-format=simple", "--output-directory=/d", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.output_format, OUTPUT_SIMPLE);
        CHECK(!o.output);

        /* DISK first, options after (GNU permutation), and "--". */
        CHECK_EQ(parse(&o, "pvboot-select", "/dev/xvdb", LIBXL_BASE, NULL), 0);
        CHECK_STREQ(o.disk, "/dev/xvdb");
        CHECK_STREQ(o.output, "/var/lib/xen/bootloader.7.out");
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--", "-disk-with-dash", NULL), 0);
        CHECK_STREQ(o.disk, "-disk-with-dash");
}

static void test_bootloader_args(void) {
        Options o;

        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE,
                       "--stage1-x86_64=/opt/x.bin", "--stage1-i386=/opt/i.bin", "--stage1-pvh=/opt/p.bin",
                       "--format=raw", "--force-arch=i386", "--debug", "--entry=foo",
                       "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.stage1[PV_ARCH_X86_64], "/opt/x.bin");
        CHECK_STREQ(o.stage1[PV_ARCH_I386], "/opt/i.bin");
        CHECK_STREQ(o.stage1_pvh, "/opt/p.bin");
        CHECK_STREQ(o.policy.format, "raw");
        CHECK_EQ(o.policy.force_arch, PV_ARCH_I386);
        CHECK(o.debug);
        CHECK(o.verbose);       /* --debug implies -v */
        CHECK(!o.not_really);
        CHECK_STREQ(o.disk, "/dev/xvda");
        CHECK_STREQ(o.output_directory, "/var/lib/xen/bootloader.7.d");

        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--force-arch=x86_64", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_X86_64);
        CHECK_STREQ(o.stage1[PV_ARCH_I386], STAGE1_DEFAULT_I386);

        /* libxl hands its bootloader a raw device: another format is a
         * mistake in the xl config, not something to follow.  inspect
         * reads image files. */
        expect_fail("pvboot-select", LIBXL_BASE, "--format=qcow2", "/dev/xvda", NULL);
        CHECK(strstr(err, "libxl always hands its bootloader a raw device"));
        expect_fail("pvboot-select", "-n", "--format=vmdk", "/dev/xvda", NULL);
        CHECK_EQ(parse(&o, "pvboot-select", "inspect", "--format=qcow2", "guest.qcow2", NULL), 0);
        CHECK_STREQ(o.policy.format, "qcow2");

        /* -n and --not-really; no --output-directory needed then. */
        CHECK_EQ(parse(&o, "pvboot-select", "-n", "/dev/xvda", NULL), 0);
        CHECK(o.not_really);
        CHECK(!o.output_directory);
        CHECK(!o.output);
        check_defaults(&o);
        CHECK_EQ(parse(&o, "pvboot-select", "--not-really", "disk.img", NULL), 0);
        CHECK(o.not_really);
        CHECK_STREQ(o.disk, "disk.img");
        CHECK_EQ(parse(&o, "pvboot-select", "-nq", "disk.img", NULL), 0);
        CHECK(o.not_really);
        CHECK(o.quiet);

        /* pygrub's --entry: accepted and ignored. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--entry=0", "/dev/xvda", NULL), 0);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--entry", "Debian GNU/Linux", "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.disk, "/dev/xvda");

        /* Help needs nothing else. */
        CHECK_EQ(parse(&o, "pvboot-select", "-h", NULL), 0);
        CHECK(o.help);
        CHECK_EQ(parse(&o, "pvboot-select", "--help", NULL), 0);
        CHECK(o.help);
        CHECK_EQ(parse(&o, "pvboot-select", "--help", "a", "b", NULL), 0);
        CHECK(o.help);
        CHECK(strlen(options_usage) > 0);
}

/* --prefer, --pvh, --pvshim, --host-caps, -v: the selection policy. */
static void test_policy(void) {
        Options o;
        static const char caps[] = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64";

        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--prefer=i386", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.prefer, PV_ARCH_I386);
        CHECK_EQ(o.policy.mode, MODE_PV);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_NONE);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--prefer=x86_64", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.prefer, PV_ARCH_X86_64);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--prefer", "i386", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.prefer, PV_ARCH_I386);
        CHECK_STREQ(o.disk, "/dev/xvda");
        /* The last one counts. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--prefer=i386", "--prefer=x86_64", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.prefer, PV_ARCH_X86_64);
        /* --prefer and --force-arch go together (force wins in decide()). */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--prefer=i386", "--force-arch=x86_64", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.prefer, PV_ARCH_I386);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_X86_64);

        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvh", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.mode, MODE_PVH);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_NONE);
        CHECK_STREQ(o.stage1_pvh, STAGE1_DEFAULT_PVH);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvh", "--pvh", "--prefer=i386", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.mode, MODE_PVH);
        CHECK_EQ(o.policy.prefer, PV_ARCH_I386);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvshim", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.mode, MODE_PVSHIM);
        /* The shim runs a PV stage 1 of either width: --force-arch is fine. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvshim", "--force-arch=i386", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.mode, MODE_PVSHIM);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_I386);

        /* --host-caps is the host's caps from now on, judged by host_caps_parse(). */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--host-caps=xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64",
                       "/dev/xvda", NULL), 0);
        CHECK(o.policy.host_given && o.policy.host.known && o.policy.host.pv64 && !o.policy.host.pv32 && o.policy.host.hvm);
        CHECK_STREQ(o.policy.host.text, caps);
        CHECK_STREQ(o.policy.host.source, "--host-caps");
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--host-caps", "  xen-3.0-x86_32p\n ", "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.policy.host.text, "  xen-3.0-x86_32p");
        CHECK(o.policy.host.pv32 && !o.policy.host.pv64);
        expect_fail("pvboot-select", LIBXL_BASE, "--host-caps=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--host-caps=xen-3.0-x86_64\001", "/dev/xvda", NULL);
        CHECK_EQ(o.policy.mode, MODE_PV);

        /* -v, --verbose; --debug implies verbose, not the other way round. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "-v", "/dev/xvda", NULL), 0);
        CHECK(o.verbose);
        CHECK(!o.debug);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--verbose", "/dev/xvda", NULL), 0);
        CHECK(o.verbose);
        CHECK(!o.debug);
        CHECK_EQ(parse(&o, "pvboot-select", "-nv", "/dev/xvda", NULL), 0);
        CHECK(o.verbose);
        CHECK(o.not_really);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--debug", "/dev/xvda", NULL), 0);
        CHECK(o.debug);
        CHECK(o.verbose);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK(!o.verbose);
        CHECK(!o.debug);
        check_defaults(&o);

        /* Bad values. */
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=arm", "/dev/xvda", NULL);
        CHECK(strstr(err, "--prefer"));
        CHECK(strstr(err, "arm"));
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=none", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=I386", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=x86_64 ", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=\x1b[2J", "/dev/xvda", NULL);
        CHECK(!strchr(err, 0x1b));
        expect_fail("pvboot-select", LIBXL_BASE, "--prefer=i386\n", "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-n", "/dev/xvda", "--prefer", NULL);
        expect_fail("pvboot-select", "-n", "/dev/xvda", "--host-caps", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--pvh=1", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--verbose=yes", "/dev/xvda", NULL);

        /* One guest type. */
        expect_fail("pvboot-select", LIBXL_BASE, "--pvh", "--pvshim", "/dev/xvda", NULL);
        CHECK(strstr(err, "conflict"));
        expect_fail("pvboot-select", LIBXL_BASE, "--pvshim", "--pvh", "/dev/xvda", NULL);
        CHECK(strstr(err, "conflict"));
        expect_fail("pvboot-select", "-n", "--pvshim", "/dev/xvda", "--pvh", NULL);
        CHECK(strstr(err, "conflict"));

        /* The PVH stage 1 has one width. */
        expect_fail("pvboot-select", LIBXL_BASE, "--pvh", "--force-arch=i386", "/dev/xvda", NULL);
        CHECK(strstr(err, "--force-arch"));
        CHECK(strstr(err, "--pvh"));
        expect_fail("pvboot-select", LIBXL_BASE, "--force-arch=x86_64", "--pvh", "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-n", "--pvh", "--force-arch", "i386", "/dev/xvda", NULL);
}

static void test_errors(void) {
        expect_fail("pvboot-select", "--bogus", LIBXL_BASE, "/dev/xvda", NULL);
        CHECK(strstr(err, "--bogus"));
        expect_fail("pvboot-select", "--bogus=1", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-x", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-xq", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-qx", LIBXL_BASE, "/dev/xvda", NULL);

        /* --runas: a non-zero numeric uid only. */
        expect_fail("pvboot-select", "--runas=0", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=-1", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=abc", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=12x", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas= 12", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=+12", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=4294967295", LIBXL_BASE, "/dev/xvda", NULL);
        expect_fail("pvboot-select", "--runas=99999999999999999999999", LIBXL_BASE, "/dev/xvda", NULL);

        expect_fail("pvboot-select", "--output-format=xml", LIBXL_BASE, "/dev/xvda", NULL);
        /* LIBXL_BASE comes first: the later value is the one checked. */
        expect_fail("pvboot-select", LIBXL_BASE, "--output-format=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--force-arch=arm", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--force-arch=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--force-arch=none", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--force-arch=X86_64", "/dev/xvda", NULL);

        /* --format: plain identifiers only. */
        expect_fail("pvboot-select", LIBXL_BASE, "--format=../x", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--format=qcow2;rm", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--format=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--format=raw,file", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--format=QCOW2", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--format=a b", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--format=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/dev/xvda", NULL);

        /* DISK: exactly one. */
        expect_fail("pvboot-select", LIBXL_BASE, NULL);
        CHECK(strstr(err, "DISK"));
        expect_fail("pvboot-select", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "/dev/xvda", "/dev/xvdb", NULL);
        CHECK(strstr(err, "DISK"));
        expect_fail("pvboot-select", "/dev/xvda", LIBXL_BASE, "/dev/xvdb", NULL);

        /* --output-directory, unless -n. */
        expect_fail("pvboot-select", "--output=/o", "/dev/xvda", NULL);
        CHECK(strstr(err, "--output-directory"));

        /* Stage 1 paths must be absolute. */
        expect_fail("pvboot-select", LIBXL_BASE, "--stage1-x86_64=x.bin", "/dev/xvda", NULL);
        CHECK(strstr(err, "x.bin"));
        expect_fail("pvboot-select", LIBXL_BASE, "--stage1-i386=i.bin", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--stage1-pvh=./p.bin", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--stage1-x86_64=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-n", "--stage1-i386=", "/dev/xvda", NULL);

        /* A value missing at the end. */
        expect_fail("pvboot-select", "/dev/xvda", "--output-directory", NULL);
        expect_fail("pvboot-select", "-n", "/dev/xvda", "--stage1-pvh", NULL);

        /* Escape sequences in argv never reach the error text. */
        expect_fail("pvboot-select", "--\x1b[31m", LIBXL_BASE, "/dev/xvda", NULL);
        CHECK(!strchr(err, '\x1b'));
        CHECK(strstr(err, "\\x1b"));
        expect_fail("pvboot-select", LIBXL_BASE, "--format=\x1b]0;pwned\a\n", "/dev/xvda", NULL);
        CHECK(!strchr(err, '\x1b'));
        expect_fail("pvboot-select", LIBXL_BASE, "--runas=1\n2", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--stage1-x86_64=\r\x9b" "2J", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--force-arch=\xff\xfe", "/dev/xvda", NULL);

        /* A small error buffer is still a terminated line. */
        {
                Options o;
                char small[8];
                char *v[] = { (char *) "pvboot-select", (char *) "--bogus-and-long", (char *) "/dev/xvda", NULL };
                memset(small, 'X', sizeof(small));
                CHECK_EQ(options_parse(3, v, &o, small, sizeof(small)), -EINVAL);
                CHECK(memchr(small, 0, sizeof(small)));
                CHECK(strlen(small) > 0);
        }
}

static void test_parse_twice(void) {
        Options o;

        /* Stop in the middle of a short-option cluster, then start over. */
        expect_fail("pvboot-select", "-qx", "/dev/xvda", NULL);
        expect_fail("pvboot-select", "-nxq", "/dev/xvda", NULL);
        CHECK_EQ(parse(&o, "pvboot-select", "-n", "/dev/xvdb", NULL), 0);
        CHECK_STREQ(o.disk, "/dev/xvdb");
        CHECK(!o.quiet);
        CHECK(o.not_really);

        for (int i = 0; i < 3; i++) {
                CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "/dev/xvda", NULL), 0);
                CHECK_STREQ(o.disk, "/dev/xvda");
                CHECK(!o.not_really);
                CHECK(!o.runas_set);
                CHECK_EQ(parse(&o, "pvboot-select", "--runas=5", "--quiet", LIBXL_BASE, "/dev/xvdc", NULL), 0);
                CHECK_STREQ(o.disk, "/dev/xvdc");
                CHECK_EQ(o.runas, 5);
                expect_fail("pvboot-select", "--bogus", LIBXL_BASE, "/dev/xvda", NULL);
                expect_fail("pvboot-select", LIBXL_BASE, "--output", NULL);
        }

        /* Nothing from the previous parse leaks into the next. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--force-arch=i386", "--args=x", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_I386);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.force_arch, PV_ARCH_NONE);
        CHECK(!o.args);

        /* Not the policy either, nor a mode from a failed parse. */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvshim", "--prefer=i386", "--host-caps=x", "--debug",
                       "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.mode, MODE_PVSHIM);
        expect_fail("pvboot-select", LIBXL_BASE, "--pvh", "--pvshim", "/dev/xvda", NULL);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvh", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.mode, MODE_PVH);
        CHECK_EQ(o.policy.prefer, PV_ARCH_NONE);
        CHECK(!o.policy.host_given);
        CHECK(!o.debug);
        CHECK(!o.verbose);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "/dev/xvda", NULL), 0);
        check_defaults(&o);
}

static void test_subcommands(void) {
        Options o;

        CHECK_EQ(parse(&o, "pvboot-select", "inspect", "--json", "/dev/xvda", NULL), 0);
        CHECK(o.inspect && o.json && !o.status);
        CHECK_STREQ(o.disk, "/dev/xvda");
        /* inspect writes nothing, so needs no --output-directory. */
        CHECK_EQ(parse(&o, "pvboot-select", "inspect", "--prefer=i386", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.policy.prefer, PV_ARCH_I386);
        expect_fail("pvboot-select", "inspect", NULL);
        expect_fail("pvboot-select", "inspect", "/dev/xvda", "/dev/xvdb", NULL);

        CHECK_EQ(parse(&o, "pvboot-select", "status", NULL), 0);
        CHECK(o.status && !o.json && !o.disk);
        CHECK_EQ(parse(&o, "pvboot-select", "status", "--json", "--config=/etc/x.conf", NULL), 0);
        CHECK(o.status && o.json);
        CHECK_EQ(parse(&o, "pvboot-select", "status", "--help", NULL), 0);
        CHECK(o.help);
        expect_fail("pvboot-select", "status", "/dev/xvda", NULL);
        /* Anything that would shape a decision is refused, abbreviated or
         * not (a fuzz finding: "status --k ''" set o.kernel). */
        expect_fail("pvboot-select", "status", "--k", "", NULL);
        CHECK(strstr(err, "--kernel"));
        expect_fail("pvboot-select", "status", "--output-directory=/tmp", NULL);
        expect_fail("pvboot-select", "status", "-n", NULL);
        CHECK(strstr(err, "-n"));
        expect_fail("pvboot-select", "status", "--prefer=i386", NULL);
        expect_fail("pvboot-select", "status", "--json", "-v", NULL);

        /* The subcommand word only counts first. */
        expect_fail("pvboot-select", "--json", "status", NULL);
        CHECK_EQ(parse(&o, "pvboot-select", "-n", "status", NULL), 0);
        CHECK(!o.status);
        CHECK_STREQ(o.disk, "status");
}

/* The config file over the defaults, the command line over the file. */
static void test_config_layering(void) {
        char path[] = "/tmp/test-args-conf.XXXXXX", why[256];
        const char text[] = "stage1_x86_64 = \"/opt/grub/x64.bin\"\nstage1_i386 = '/opt/grub/i386.bin'\n"
                            "prefer = \"i386\"; timeout = 60\nlog_level = \"debug\"\nuse_daemon = 0\n";
        int fd = mkstemp(path);
        Config c;

        CHECK(fd >= 0);
        CHECK_EQ(write(fd, text, sizeof(text) - 1), (long long) sizeof(text) - 1);
        close(fd);
        CHECK_EQ(config_load(path, &c, why, sizeof(why)), 0);
        unlink(path);

        char a0[] = "pvboot-select", a1[] = "--output-directory=/tmp", a2[] = "--prefer=x86_64",
             a3[] = "--stage1-i386=/cli/i386.bin", a4[] = "disk.img";
        char *argv[] = { a0, a1, a2, a3, a4, NULL };
        Options o;
        CHECK_EQ(options_parse_config(5, argv, &c, &o, why, sizeof(why)), 0);
        CHECK_STREQ(o.stage1[PV_ARCH_X86_64], "/opt/grub/x64.bin");
        CHECK_STREQ(o.stage1[PV_ARCH_I386], "/cli/i386.bin");
        CHECK_STREQ(o.stage1_pvh, STAGE1_DEFAULT_PVH);
        CHECK(o.policy.prefer == PV_ARCH_X86_64 && o.policy.timeout_sec == 60 && o.no_daemon && o.verbose && o.debug);
        config_free(&c);
}

/* --disk: the domain's other disks, in order; and whether a type flag was
 * given at all (else libxl's record decides: cli/domain.h). */
static void test_disks_and_mode_given(void) {
        Options o;

        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK_EQ(o.n_extra_disks, 0u);
        CHECK(!o.mode_given);
        CHECK_EQ(o.policy.mode, MODE_PV);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--disk=/dev/vg/b", "--disk", "/srv/c.img", "/dev/xvda",
                       "--pvh", NULL), 0);
        CHECK_EQ(o.n_extra_disks, 2u);
        CHECK_STREQ(o.extra_disks[0], "/dev/vg/b");
        CHECK_STREQ(o.extra_disks[1], "/srv/c.img");
        CHECK_STREQ(o.disk, "/dev/xvda");
        CHECK(o.mode_given);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--pvshim", "/dev/xvda", NULL), 0);
        CHECK(o.mode_given);

        expect_fail("pvboot-select", LIBXL_BASE, "--disk=b.img", "/dev/xvda", NULL);
        CHECK(strstr(err, "absolute"));
        expect_fail("pvboot-select", LIBXL_BASE, "--disk=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "/dev/xvda", "--disk", NULL);
        /* Fifteen more disks at most: xvdb..xvdp. */
        char *many[OPTIONS_EXTRA_DISKS_MAX + 8];
        char buf[OPTIONS_EXTRA_DISKS_MAX + 1][16];
        int n = 0;
        many[n++] = (char *) "pvboot-select";
        many[n++] = (char *) "--output-directory=/tmp";
        for (int i = 0; i <= OPTIONS_EXTRA_DISKS_MAX; i++) {
                snprintf(buf[i], sizeof(buf[i]), "--disk=/d%d", i);
                many[n++] = buf[i];
        }
        many[n++] = (char *) "/dev/xvda";
        many[n] = NULL;
        CHECK_EQ(options_parse(n, many, &o, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "more than 15 --disk"));
        many[n - 2] = many[n - 1];      /* one fewer: accepted */
        many[n - 1] = NULL;
        CHECK_EQ(options_parse(n - 1, many, &o, err, sizeof(err)), 0);
        CHECK_EQ(o.n_extra_disks, (unsigned) OPTIONS_EXTRA_DISKS_MAX);
        CHECK_STREQ(o.extra_disks[OPTIONS_EXTRA_DISKS_MAX - 1], "/d14");
}

/* pygrub's getopt list (tools/pygrub/src/pygrub), with what libxl itself
 * adds (make_bootloader_args()), and xend's --default_args/--extra_args:
 * all accepted; those we cannot honour marked, for one line each. */
static void test_pygrub_flags(void) {
        Options o;

        /* An xl config written for pygrub, bootloader= changed: libxl's
         * --kernel/--ramdisk/--args from kernel=, ramdisk=, extra=, then
         * restrict mode's --runas --quiet, then bootloader_args. */
        CHECK_EQ(parse(&o, "pvboot-select", "--kernel=/boot/vmlinuz", "--ramdisk=/boot/initrd.img",
                       "--args=root=/dev/xvda1 console=hvc0", "--runas=131079", "--quiet", LIBXL_BASE,
                       "-q", "--entry=1", "-i", "--isconfig", "--offset=1048576", "--default_args=ro",
                       "--extra_args=quiet", "--debug", "/dev/xvda", NULL), 0);
        CHECK_STREQ(o.kernel, "/boot/vmlinuz");
        CHECK_STREQ(o.ramdisk, "/boot/initrd.img");
        CHECK_STREQ(o.args, "root=/dev/xvda1 console=hvc0");
        CHECK_EQ(o.pygrub_ignored, (1u << PYGRUB_KERNEL) | (1u << PYGRUB_ARGS) | (1u << PYGRUB_ENTRY) |
                                   (1u << PYGRUB_INTERACTIVE) | (1u << PYGRUB_ISCONFIG) | (1u << PYGRUB_OFFSET) |
                                   (1u << PYGRUB_XEND_ARGS));
        CHECK(o.quiet && o.runas_set && o.debug && !o.list && !o.inspect);
        CHECK_STREQ(o.disk, "/dev/xvda");
        CHECK_STREQ(o.output_directory, "/var/lib/xen/bootloader.7.d");

        /* Each alone, long and short, marks only itself. */
        static const struct { const char *arg; PygrubFlag f; } one[] = {
                { "-i", PYGRUB_INTERACTIVE },         { "--interactive", PYGRUB_INTERACTIVE },
                { "--entry=Debian GNU/Linux", PYGRUB_ENTRY }, { "--isconfig", PYGRUB_ISCONFIG },
                { "--offset=0", PYGRUB_OFFSET },       { "--offset=-512", PYGRUB_OFFSET },
                { "--kernel=/k", PYGRUB_KERNEL },      { "--ramdisk=/r", PYGRUB_KERNEL },
                { "--args=x", PYGRUB_ARGS },           { "--default_args=a b", PYGRUB_XEND_ARGS },
                { "--extra_args=", PYGRUB_XEND_ARGS },
        };
        for (size_t i = 0; i < ELEMENTSOF(one); i++) {
                CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, one[i].arg, "/dev/xvda", NULL), 0);
                CHECK_EQ(o.pygrub_ignored, 1u << one[i].f);
                CHECK_STREQ(o.disk, "/dev/xvda");
                /* One printable line that says what to do instead. */
                const char *n = options_pygrub_note(one[i].f, false);
                CHECK(strlen(n) > 20 && !strchr(n, '\n'));
        }
        /* An empty --args is no command line (libxl never passes one). */
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--args=", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.pygrub_ignored, 0u);
        CHECK_EQ(parse(&o, "pvboot-select", LIBXL_BASE, "--args=x", "--args=", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.pygrub_ignored, 0u);
        /* Honoured ones mark nothing. */
        CHECK_EQ(parse(&o, "pvboot-select", "-q", "--quiet", "-n", "--not-really", "--debug", "/dev/xvda", NULL), 0);
        CHECK_EQ(o.pygrub_ignored, 0u);
        CHECK(o.not_really && o.quiet);

        /* What each line tells the admin to do. */
        CHECK(strstr(options_pygrub_note(PYGRUB_ENTRY, false), "guest console"));
        CHECK(strstr(options_pygrub_note(PYGRUB_INTERACTIVE, false), "guest console"));
        CHECK(strstr(options_pygrub_note(PYGRUB_KERNEL, false), "remove kernel= and ramdisk="));
        CHECK(strstr(options_pygrub_note(PYGRUB_ARGS, false), "grub.cfg"));
        CHECK(!strstr(options_pygrub_note(PYGRUB_ARGS, false), "xen_grub_env"));
        CHECK(strstr(options_pygrub_note(PYGRUB_ARGS, true), "xen_grub_env_"));
        CHECK_STREQ(options_pygrub_note(PYGRUB_ENTRY, true), options_pygrub_note(PYGRUB_ENTRY, false));
        CHECK_STREQ(options_pygrub_note(_PYGRUB_MAX, false), "");

        /* -l: inspect's answer; nothing written, so no directory needed;
         * image files as inspect reads them. */
        CHECK_EQ(parse(&o, "pvboot-select", "-l", "guest.img", NULL), 0);
        CHECK(o.list && o.inspect && !o.output_directory);
        CHECK_EQ(parse(&o, "pvboot-select", "--list-entries", "--format=qcow2", "guest.qcow2", NULL), 0);
        CHECK(o.list && o.inspect);
        CHECK_STREQ(o.policy.format, "qcow2");
        CHECK_EQ(parse(&o, "pvboot-select", "-lq", LIBXL_BASE, "/dev/xvda", NULL), 0);
        CHECK(o.list && o.quiet);
        CHECK_EQ(parse(&o, "pvboot-select", "-nil", "/dev/xvda", NULL), 0);
        CHECK(o.list && o.not_really && o.pygrub_ignored == 1u << PYGRUB_INTERACTIVE);

        /* Bad values are still refused, and unknown options still exit 2
         * (command_parse) with the option named. */
        expect_fail("pvboot-select", LIBXL_BASE, "--offset=abc", "/dev/xvda", NULL);
        CHECK(strstr(err, "--offset='abc'"));
        expect_fail("pvboot-select", LIBXL_BASE, "--offset=", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--offset=12k", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--offset=99999999999999999999999", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--isconfig=1", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--entry", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--list-entries=1", "/dev/xvda", NULL);
        expect_fail("pvboot-select", LIBXL_BASE, "--no-such-pygrub-flag", "/dev/xvda", NULL);
        CHECK(strstr(err, "unknown option '--no-such-pygrub-flag'"));
        expect_fail("pvboot-select", LIBXL_BASE, "-z", "/dev/xvda", NULL);
        CHECK(strstr(err, "unknown option '-z'"));
        /* status stays status. */
        expect_fail("pvboot-select", "status", "-l", NULL);
        expect_fail("pvboot-select", "status", "--entry=0", NULL);
}

/* LIBXL_BOOTLOADER_TIMEOUT as libxl reads it (libxl_bootloader.c,
 * bootloader_gotptys(): restrict mode only, atoi(), 0 and less: none). */
static void test_libxl_timeout(void) {
        static const struct {
                const char *restrict_env, *user, *timeout;
                int r;
                unsigned kill_sec;
                long value;
                bool trailing;
        } cases[] = {
                /* Not restrict mode: libxl arms nothing, whatever the value. */
                { NULL, NULL, NULL,            0, 0, LIBXL_TIMEOUT_DEFAULT, false },
                { NULL, NULL, "30",            0, 0, 30, false },
                { NULL, NULL, "99999999999",   0, 0, 99999999999L, false },
                { NULL, NULL, "text",          0, 0, 0, true },
                /* Restrict mode, by either variable, any value. */
                { "1", NULL, NULL,             0, 120, 120, false },
                { "0", NULL, NULL,             0, 120, 120, false },
                { "", NULL, NULL,              0, 120, 120, false },
                { NULL, "pvbootuser", NULL,    0, 120, 120, false },
                { "1", NULL, "30",             0, 30, 30, false },
                { "1", NULL, "99999",          0, 99999, 99999, false },
                { "1", NULL, "2147483",        0, 2147483, 2147483, false },
                /* 0, negative, text: libxl arms no timer that fires. */
                { "1", NULL, "0",              0, 0, 0, false },
                { "1", NULL, "-1",             0, 0, -1, false },
                { "1", NULL, "-2147483",       0, 0, -2147483, false },
                { "1", NULL, "text",           0, 0, 0, true },
                { "1", NULL, "",               0, 0, 0, false },
                { "1", NULL, "0x10",           0, 0, 0, true },
                /* atoi()'s white space, sign and trailing text. */
                { "1", NULL, " 30",            0, 30, 30, false },
                { "1", NULL, "+30",            0, 30, 30, false },
                { "1", NULL, "30s",            0, 30, 30, true },
                { "1", NULL, "12abc",          0, 12, 12, true },
                /* Beyond what libxl can multiply by 1000 in an int. */
                { "1", NULL, "2147484",        -ERANGE, 0, 0, false },
                { "1", NULL, "-2147484",       -ERANGE, 0, 0, false },
                { "1", NULL, "99999999999",    -ERANGE, 0, 0, false },
                { "1", NULL, "99999999999999999999999", -ERANGE, 0, 0, false },
                { NULL, "u", "3000000000",     -ERANGE, 0, 0, false },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                LibxlTimeout t = { .kill_sec = 77 };
                int r = libxl_timeout_parse(cases[i].restrict_env, cases[i].user, cases[i].timeout, &t, err,
                                            sizeof(err));
                if (r != cases[i].r || (r == 0 && (t.kill_sec != cases[i].kill_sec || t.value != cases[i].value ||
                                                   t.trailing != cases[i].trailing))) {
                        fprintf(stderr, "case %zu (%s): r=%d kill_sec=%u value=%ld trailing=%d\n", i,
                                cases[i].timeout ? cases[i].timeout : "unset", r, t.kill_sec, t.value, t.trailing);
                        exit(EXIT_FAILURE);
                }
                if (r < 0) {
                        check_err_line();
                        CHECK(strstr(err, "out of libxl's range"));
                        CHECK_EQ(t.kill_sec, 77u);      /* untouched */
                } else
                        CHECK_EQ(t.restrict_mode, cases[i].restrict_env || cases[i].user);
        }
        /* The value in the message is escaped. */
        LibxlTimeout t;
        CHECK_EQ(libxl_timeout_parse("1", NULL, "99999999999\x1b[2J", &t, err, sizeof(err)), -ERANGE);
        check_err_line();
        CHECK(!strchr(err, 0x1b));
}

int main(void) {
        test_libxl_argv();
        test_disks_and_mode_given();
        test_pygrub_flags();
        test_libxl_timeout();
        test_bootloader_args();
        test_policy();
        test_errors();
        test_parse_twice();
        test_subcommands();
        test_config_layering();
        argv_free(&cur_argv);
        return 0;
}
