/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for text.c: escaping guest bytes for the console and the log. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "shared/text.h"
#include "shared/test-util.h"

#define CANARY 0xa5
#define BUFSZ 512

static bool printable_line(const char *s) {
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || (unsigned char) *s > 0x7e)
                        return false;
        return true;
}

/* Reference escaping: unbounded. */
static size_t ref_escape(const unsigned char *in, size_t len, char *out) {
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                if (in[i] >= 0x20 && in[i] <= 0x7e && in[i] != '\\')
                        out[o++] = (char) in[i];
                else
                        o += (size_t) sprintf(out + o, "\\x%02x", in[i]);
        }
        out[o] = 0;
        return o;
}

static void check_escape(const void *in, size_t len, const char *want) {
        char out[BUFSZ];
        CHECK(text_escape(in, len, out, sizeof(out)) == out);
        CHECK_STREQ(out, want);
}

static void test_escape_basic(void) {
        char all[0x7f - 0x20 + 1], want[BUFSZ];
        size_t n = 0, w = 0;

        /* Printable ASCII passes, except the backslash. */
        for (int c = 0x20; c < 0x7f; c++) {
                all[n++] = (char) c;
                if (c == '\\') {
                        memcpy(want + w, "\\x5c", 4);
                        w += 4;
                } else
                        want[w++] = (char) c;
        }
        want[w] = 0;
        check_escape(all, n, want);

        check_escape("hello world", 11, "hello world");
        check_escape("", 0, "");
        check_escape("abcdef", 3, "abc");
        check_escape("\\", 1, "\\x5c");
        check_escape("a\\x41", 5, "a\\x5cx41");   /* an escape cannot be forged */
        check_escape("\n", 1, "\\x0a");
        check_escape("a\nb\r\tc", 6, "a\\x0ab\\x0d\\x09c");
        check_escape("a\0b", 3, "a\\x00b");
        check_escape("\0\0", 2, "\\x00\\x00");
        check_escape("\x1b[31mred", 8, "\\x1b[31mred");
        check_escape("\x7f", 1, "\\x7f");
        check_escape("\xff", 1, "\\xff");
        check_escape("\x80\x9b\xc3\xa9", 4, "\\x80\\x9b\\xc3\\xa9");
        check_escape("\x1f \x20", 3, "\\x1f  ");

        /* Every byte value against the reference. */
        {
                unsigned char every[256];
                char ref[256 * 4 + 1];
                for (int i = 0; i < 256; i++)
                        every[i] = (unsigned char) i;
                CHECK_EQ(ref_escape(every, 256, ref), 94 + 162 * 4);
                {
                        char out[256 * 4 + 8];
                        text_escape(every, 256, out, sizeof(out));
                        CHECK_STREQ(out, ref);
                        CHECK(printable_line(out));
                }
        }
}

/* Byte patterns for the bounds tests. */
static void fill_input(unsigned char *in, size_t len, int pattern) {
        for (size_t i = 0; i < len; i++) {
                switch (pattern) {
                case 0: in[i] = 'a'; break;                             /* all plain */
                case 1: in[i] = 0xff; break;                            /* all escaped */
                case 2: in[i] = (i % 3 == 2) ? '\n' : 'x'; break;       /* mixed */
                case 3: in[i] = (unsigned char) (i * 37 + 11); break;   /* every kind */
                default: in[i] = (i & 1) ? '\\' : 'b'; break;
                }
        }
}

static void test_escape_bounds(void) {
        unsigned char in[300];
        char full[300 * 4 + 1];
        char out[BUFSZ];

        for (int pattern = 0; pattern < 5; pattern++)
                for (size_t len = 0; len <= sizeof(in); len += (len < 50 ? 1 : 25)) {
                        size_t full_len;

                        fill_input(in, len, pattern);
                        full_len = ref_escape(in, len, full);

                        for (size_t outsz = 4; outsz <= 40; outsz++) {
                                size_t ol;

                                memset(out, CANARY, sizeof(out));
                                CHECK(text_escape(in, len, out, outsz) == out);

                                /* Nothing written at or beyond outsz. */
                                for (size_t i = outsz; i < sizeof(out); i++)
                                        CHECK_EQ((unsigned char) out[i], CANARY);
                                ol = strnlen(out, outsz);
                                CHECK(ol < outsz);      /* NUL-terminated inside */
                                CHECK(printable_line(out));

                                if (full_len + 4 <= outsz) {
                                        /* Room to spare: the whole thing. */
                                        CHECK_STREQ(out, full);
                                } else if (full_len + 1 > outsz) {
                                        /* Cannot fit: a prefix of whole escapes, then "...". */
                                        CHECK(ol >= 3);
                                        CHECK(memcmp(out + ol - 3, "...", 3) == 0);
                                        CHECK(memcmp(out, full, ol - 3) == 0);
                                        /* No escape sequence cut in half. */
                                        {
                                                char pre[300 * 4 + 1];
                                                bool boundary = false;
                                                for (size_t k = 0; k <= len && !boundary; k++)
                                                        boundary = ref_escape(in, k, pre) == ol - 3;
                                                CHECK(boundary);
                                        }
                                        /* And not needlessly short. */
                                        CHECK(ol + 4 >= outsz || ol == 3);
                                } else {
                                        /* Fits exactly but within 3 bytes of the end: either
                                         * the whole thing or a marked truncation.  (text.h
                                         * promises the whole thing; text.c reserves room for
                                         * "..." even for the last byte, see the report.) */
                                        CHECK(strcmp(out, full) == 0 ||
                                              (ol >= 3 && memcmp(out + ol - 3, "...", 3) == 0 &&
                                               memcmp(out, full, ol - 3) == 0));
                                }
                        }
                }

        /* Below the documented minimum: still terminated, never overflowed. */
        for (size_t outsz = 0; outsz < 4; outsz++) {
                memset(out, CANARY, sizeof(out));
                text_escape("abcdef", 6, out, outsz);
                if (outsz > 0)
                        CHECK_EQ(out[0], 0);
                for (size_t i = outsz ? 1 : 0; i < sizeof(out); i++)
                        CHECK_EQ((unsigned char) out[i], CANARY);
        }

        /* A long input into a large buffer. */
        {
                static unsigned char big[100000];
                static char bigout[4096 + 64];
                memset(big, 0x1b, sizeof(big));
                memset(bigout, CANARY, sizeof(bigout));
                text_escape(big, sizeof(big), bigout, 4096);
                CHECK(strlen(bigout) < 4096);
                CHECK(strlen(bigout) >= 4096 - 8);
                CHECK(memcmp(bigout + strlen(bigout) - 3, "...", 3) == 0);
                for (size_t i = 4096; i < sizeof(bigout); i++)
                        CHECK_EQ((unsigned char) bigout[i], CANARY);
        }
}

/* Input placed right before an inaccessible page: any read past len
 * (or, for text_is_printable, past max) faults. */
static unsigned char *guard_region(size_t *ret_page) {
        long page = sysconf(_SC_PAGESIZE);
        unsigned char *m;

        CHECK(page > 0);
        m = mmap(NULL, (size_t) page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(m != MAP_FAILED);
        CHECK_EQ(mprotect(m + page, (size_t) page, PROT_NONE), 0);
        *ret_page = (size_t) page;
        return m;
}

static void test_no_overread(void) {
        size_t page;
        unsigned char *m = guard_region(&page);
        char out[64];

        /* text_escape reads exactly len bytes, NUL or not. */
        memcpy(m + page - 5, "ab\0cd", 5);
        text_escape(m + page - 5, 5, out, sizeof(out));
        CHECK_STREQ(out, "ab\\x00cd");

        /* text_is_printable stops at max when there is no NUL. */
        memcpy(m + page - 4, "abcd", 4);
        CHECK(!text_is_printable((const char *) m + page - 4, 4));
        memcpy(m + page - 4, "abc", 4);
        CHECK(text_is_printable((const char *) m + page - 4, 4));

        CHECK_EQ(munmap(m, page * 2), 0);
}

static void test_is_printable(void) {
        char buf[16];

        CHECK(text_is_printable("hello world", 12));
        CHECK(text_is_printable("hello world", 100));
        CHECK(text_is_printable("", 1));
        CHECK(text_is_printable("~ !\"#$%&'()*+,-./09:;<=>?@AZ[\\]^_`az{|}", 64));

        CHECK(!text_is_printable("a\nb", 4));
        CHECK(!text_is_printable("a\tb", 4));
        CHECK(!text_is_printable("\r", 2));
        CHECK(!text_is_printable("\x1b[31m", 8));
        CHECK(!text_is_printable("x\x7f", 3));
        CHECK(!text_is_printable("\x80", 2));
        CHECK(!text_is_printable("caf\xc3\xa9", 8));
        CHECK(!text_is_printable("\xff", 2));
        CHECK(!text_is_printable("\x01", 2));

        /* No NUL within max. */
        CHECK(!text_is_printable("abc", 3));
        CHECK(text_is_printable("abc", 4));
        CHECK(!text_is_printable("", 0));
        CHECK(!text_is_printable("abc", 0));
        memset(buf, 'a', sizeof(buf));
        CHECK(!text_is_printable(buf, sizeof(buf)));
        buf[sizeof(buf) - 1] = 0;
        CHECK(text_is_printable(buf, sizeof(buf)));

        /* A bad byte after the NUL is not looked at. */
        memcpy(buf, "ok\0\x1b\n", 5);
        CHECK(text_is_printable(buf, 5));
}

/* Already printable text passes as it is (an escape is not escaped
 * twice); anything else is escaped, even without a NUL within max. */
static void test_printable_once(void) {
        char out[64], raw[8] = { 'a', 0x1b, 'b', 'c', 'd', 'e', 'f', 'g' };
        const char *s = "vmlinuz-\\x1b[31m";

        CHECK(text_printable(s, strlen(s) + 1, out, sizeof(out)) == s);
        CHECK_STREQ(text_printable("a\x1b", 3, out, sizeof(out)), "a\\x1b");
        CHECK_STREQ(text_printable(raw, sizeof(raw), out, sizeof(out)), "a\\x1bbcdefg");
        CHECK_STREQ(text_printable("abcdef", 3, out, sizeof(out)), "abc");     /* no NUL within 3 */
}

int main(void) {
        test_escape_basic();
        test_escape_bounds();
        test_no_overread();
        test_is_printable();
        test_printable_once();
        return 0;
}
