/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Printable-ASCII escaping of untrusted bytes (see text.h). */
#include <string.h>

#include "shared/text.h"

const char *text_printable(const char *s, size_t max, char *out, size_t outsz) {
        if (text_is_printable(s, max))
                return s;
        return text_escape(s, strnlen(s, max), out, outsz);
}

char *text_escape(const void *in, size_t len, char *out, size_t outsz) {
        static const char hex[] = "0123456789abcdef";
        const unsigned char *p = in;
        size_t o = 0;

        if (outsz < 4) {
                if (outsz > 0)
                        out[0] = 0;
                return out;
        }

        /* Room for "..." is only kept when the whole result cannot fit. */
        size_t full = 0;
        for (size_t i = 0; i < len; i++)
                full += (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\') ? 1 : 4;
        size_t reserve = full + 1 <= outsz ? 1 : 4;

        for (size_t i = 0; i < len; i++) {
                unsigned char c = p[i];
                size_t need = (c >= 0x20 && c < 0x7f && c != '\\') ? 1 : 4;

                if (o + need + reserve > outsz) {
                        memcpy(out + o, "...", 3);
                        o += 3;
                        break;
                }
                if (need == 1)
                        out[o++] = (char) c;
                else {
                        out[o++] = '\\';
                        out[o++] = 'x';
                        out[o++] = hex[c >> 4];
                        out[o++] = hex[c & 15];
                }
        }
        out[o] = 0;
        return out;
}

bool text_is_printable(const char *s, size_t max) {
        for (size_t i = 0; i < max; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c == 0)
                        return true;
                if (c < 0x20 || c >= 0x7f)
                        return false;
        }
        return false; /* no NUL within max */
}
