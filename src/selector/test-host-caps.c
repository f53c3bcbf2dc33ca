/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for the hypervisor capability reader (host-caps.c).
 *
 * The strings are what Xen really prints in xen_caps: Debian's stock
 * hypervisor (built without CONFIG_PV32), one with 32-bit PV, and sysfs's
 * copy with its trailing newline.  Only whole tokens count.
 */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "selector/host-caps.h"
#include "shared/test-util.h"

#define DEBIAN_CAPS "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"
#define PV32_CAPS   "xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64"

static const char src_test[] = "test";

/* Parses s and insists on the three flags. */
static void expect_caps(const char *s, bool pv64, bool pv32, bool hvm) {
        HostCaps c;
        int r;

        memset(&c, 0xa5, sizeof(c));
        r = host_caps_parse(s, src_test, &c);
        if (r != 0 || !c.known || c.pv64 != pv64 || c.pv32 != pv32 || c.hvm != hvm) {
                fprintf(stderr, "host_caps_parse(\"%s\") = %d, known=%d pv64=%d pv32=%d hvm=%d; "
                        "expected 0, known=1 pv64=%d pv32=%d hvm=%d\n",
                        s, r, c.known, c.pv64, c.pv32, c.hvm, pv64, pv32, hvm);
                exit(EXIT_FAILURE);
        }
        /* The source is kept as given (a pointer to static text), and the
         * text is a printable copy. */
        CHECK(c.source == src_test);
        CHECK(memchr(c.text, 0, sizeof(c.text)));
        for (const unsigned char *p = (const unsigned char *) c.text; *p; p++)
                CHECK(*p >= 0x20 && *p < 0x7f);
        CHECK(strlen(c.text) > 0);
        CHECK(strncmp(c.text, s, strlen(c.text)) == 0);
}

static void expect_einval(const char *what, const char *s) {
        HostCaps c;
        int r;

        memset(&c, 0, sizeof(c));
        r = host_caps_parse(s, src_test, &c);
        if (r != -EINVAL) {
                fprintf(stderr, "%s: host_caps_parse() = %d, expected -EINVAL\n", what, r);
                exit(EXIT_FAILURE);
        }
}

static void test_real_strings(void) {
        HostCaps c;

        /* Debian's stock Xen: no 32-bit PV. */
        expect_caps(DEBIAN_CAPS, true, false, true);
        CHECK_EQ(host_caps_parse(DEBIAN_CAPS, "libxenlight", &c), 0);
        CHECK_STREQ(c.text, DEBIAN_CAPS);
        CHECK_STREQ(c.source, "libxenlight");

        /* CONFIG_PV32=y. */
        expect_caps(PV32_CAPS, true, true, true);
        expect_caps("xen-3.0-x86_32p", false, true, false);
        expect_caps("xen-3.0-x86_64", true, false, false);
        expect_caps("hvm-3.0-x86_64", false, false, true);
        expect_caps("hvm-3.0-x86_32", false, false, true);
        /* Order does not matter. */
        expect_caps("hvm-3.0-x86_64 xen-3.0-x86_32p xen-3.0-x86_64", true, true, true);

        /* sysfs ends in a newline; it is not part of the text. */
        expect_caps(DEBIAN_CAPS "\n", true, false, true);
        CHECK_EQ(host_caps_parse(PV32_CAPS "\n", "sysfs", &c), 0);
        CHECK(c.pv32);
        CHECK_STREQ(c.text, PV32_CAPS);
        CHECK_STREQ(c.source, "sysfs");
        /* The last token before the newline is still a whole token. */
        CHECK_EQ(host_caps_parse("xen-3.0-x86_64 xen-3.0-x86_32p\n", "sysfs", &c), 0);
        CHECK(c.pv32);
        CHECK(c.pv64);

        /* Extra spaces between and around tokens. */
        expect_caps("  xen-3.0-x86_64   xen-3.0-x86_32p  ", true, true, false);

        /* Unknown tokens are ignored. */
        expect_caps("xen-3.0-x86_64 frobnicate-9.9 hvm-3.0-x86_64", true, false, true);
        expect_caps("frobnicate", false, false, false);
}

static void test_whole_tokens(void) {
        /* A token is the name, not something that starts or ends with it. */
        expect_caps("xen-3.0-x86_32p-extra", false, false, false);
        expect_caps("xxen-3.0-x86_32p", false, false, false);
        expect_caps("xen-3.0-x86_32", false, false, false);              /* non-PAE, long gone */
        expect_caps("xen-3.0-x86_32pp xen-3.0-x86_64x", false, false, false);
        expect_caps("xen-3.0-x86_64 xen-3.0-x86_32p-extra", true, false, false);
        expect_caps("xen-3.0-x86_64 xxen-3.0-x86_32p", true, false, false);
        /* A token of the right length is compared with itself, not with
         * what follows it. */
        expect_caps("hvm-3.0-x86_32p xen-3.0-x86_32p-extra", false, false, true);
        expect_caps("hvm-3.0-x86_32p xxen-3.0-x86_64", false, false, true);
        expect_caps("xen-3.0-x86_64,xen-3.0-x86_32p", false, false, false);
        expect_caps("XEN-3.0-X86_32P", false, false, false);
        expect_caps("xen-3.0-x86_32p" "xen-3.0-x86_64", false, false, false);
        /* "hvm-3.0-" alone names no guest type. */
        expect_caps("hvm-3.0-", false, false, false);
        expect_caps("xhvm-3.0-x86_64", false, false, false);
}

static void test_rejected(void) {
        char big[HOST_CAPS_MAX + 64];

        expect_einval("empty", "");
        expect_einval("one space", " ");
        expect_einval("only spaces", "     ");
        expect_einval("only a newline", "\n");
        expect_einval("spaces and newlines", " \n \n");

        /* Control bytes anywhere. */
        expect_einval("tab", "xen-3.0-x86_64\thvm-3.0-x86_64");
        expect_einval("inner newline", "xen-3.0-x86_64\nxen-3.0-x86_32p");
        expect_einval("CR LF", "xen-3.0-x86_64\r\n");
        expect_einval("leading newline", "\nxen-3.0-x86_64");
        expect_einval("BEL", "xen-3.0-x86_64\a");
        expect_einval("0x01", "\x01xen-3.0-x86_32p");
        expect_einval("DEL", "xen-3.0-x86_64\x7f");

        /* Escape sequences. */
        expect_einval("CSI clear", "xen-3.0-x86_64 \x1b[2J");
        expect_einval("OSC title", "\x1b]0;owned\a xen-3.0-x86_32p");
        expect_einval("8-bit CSI", "xen-3.0-x86_64 \x9b" "2J");

        /* Non-ASCII. */
        expect_einval("UTF-8", "xen-3.0-x86_64 h\xc3\xa9vm-3.0-x86_64");
        expect_einval("0xff", "\xff");
        expect_einval("0x80", "xen-3.0-x86_32p\x80");

        /* Too long: HOST_CAPS_MAX bytes and more (the text would not fit). */
        memset(big, 'a', sizeof(big));
        big[HOST_CAPS_MAX] = 0;
        expect_einval("HOST_CAPS_MAX bytes", big);
        big[sizeof(big) - 1] = 0;
        expect_einval("more than HOST_CAPS_MAX bytes", big);
        /* ... also when it is a list of good tokens. */
        big[0] = 0;
        while (strlen(big) < HOST_CAPS_MAX)
                strcat(big, "hvm-3.0-x86_64 ");
        big[HOST_CAPS_MAX] = 0;
        CHECK(big[HOST_CAPS_MAX - 1] != ' ');
        expect_einval("long list", big);

        /* One byte less fits. */
        memset(big, 'a', sizeof(big));
        big[HOST_CAPS_MAX - 1] = 0;
        {
                HostCaps c;
                CHECK_EQ(host_caps_parse(big, src_test, &c), 0);
                CHECK_EQ(strlen(c.text), HOST_CAPS_MAX - 1);
        }
}

static void test_read(void) {
        HostCaps c;
        int r;

        memset(&c, 0xa5, sizeof(c));
        r = host_caps_read(&c);
        if (access("/sys/hypervisor/properties/capabilities", F_OK) == 0 ||
            access("/proc/xen/capabilities", F_OK) == 0) {
                /* Running on Xen: either answer is possible (no privileges). */
                fprintf(stderr, "on Xen: host_caps_read() = %d, known=%d\n", r, c.known);
                CHECK(r == 0 || r == -ENXIO);
                CHECK(c.known == (r == 0));
                if (r == 0) {
                        CHECK(c.source);
                        CHECK(memchr(c.text, 0, sizeof(c.text)));
                        CHECK(strlen(c.text) > 0);
                }
                return;
        }
        CHECK_EQ(r, -ENXIO);
        CHECK(!c.known);
        CHECK(!c.pv32);
        CHECK(!c.pv64);
        CHECK(!c.hvm);
}

/* The one statement of "can this host run it", used by decide() and by the
 * parent's re-check of the worker. */
static void test_allow(void) {
        HostCaps stock, pv32, nohvm, unknown = { .known = false };

        CHECK_EQ(host_caps_parse("xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64", "t", &stock), 0);
        CHECK_EQ(host_caps_parse("xen-3.0-x86_64 xen-3.0-x86_32p", "t", &nohvm), 0);
        CHECK_EQ(host_caps_parse("xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_64", "t", &pv32), 0);

        /* PV: the width's own PV cap. */
        CHECK(host_caps_allow(&stock, false, PV_ARCH_X86_64));
        CHECK(!host_caps_allow(&stock, false, PV_ARCH_I386));
        CHECK(host_caps_allow(&pv32, false, PV_ARCH_I386));
        CHECK(!host_caps_allow(&stock, false, PV_ARCH_NONE));
        /* PVH or the shim: HVM support, whatever the width. */
        CHECK(host_caps_allow(&stock, true, PV_ARCH_I386));
        CHECK(!host_caps_allow(&nohvm, true, PV_ARCH_I386));
        CHECK(!host_caps_allow(&nohvm, true, PV_ARCH_X86_64));
        /* Unknown caps never block. */
        CHECK(host_caps_allow(&unknown, false, PV_ARCH_I386));
        CHECK(host_caps_allow(&unknown, true, PV_ARCH_I386));
}

int main(void) {
        test_allow();
        test_real_strings();
        test_whole_tokens();
        test_rejected();
        test_read();
        return EXIT_SUCCESS;
}
