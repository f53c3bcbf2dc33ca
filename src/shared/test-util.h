/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Minimal assertions for the per-module test programs (exit 77 = skip). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_TEST_SKIP 77

#define CHECK(cond)                                                              \
        do {                                                                     \
                if (!(cond)) {                                                   \
                        fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,   \
                                __LINE__, #cond);                                \
                        exit(EXIT_FAILURE);                                      \
                }                                                                \
        } while (0)

#define CHECK_EQ(a, b)                                                           \
        do {                                                                     \
                long long _a = (long long) (a), _b = (long long) (b);            \
                if (_a != _b) {                                                  \
                        fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", \
                                __FILE__, __LINE__, #a, _a, #b, _b);             \
                        exit(EXIT_FAILURE);                                      \
                }                                                                \
        } while (0)

#define CHECK_STREQ(a, b)                                                        \
        do {                                                                     \
                const char *_a = (a), *_b = (b);                                 \
                if (strcmp(_a, _b) != 0) {                                       \
                        fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__,   \
                                __LINE__, _a, _b);                               \
                        exit(EXIT_FAILURE);                                      \
                }                                                                \
        } while (0)
