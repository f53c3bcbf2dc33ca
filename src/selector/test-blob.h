/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Byte helpers shared by the image-reader tests: little-endian access, growable
 * buffers, a PRNG for fuzzing, whole-file reads and grub-mkimage images. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/test-util.h"

/* ------------------------------------------------------------------ */
/* Little-endian access                                                */

static inline void put16(unsigned char *p, uint16_t v) {
        p[0] = (unsigned char) v;
        p[1] = (unsigned char) (v >> 8);
}

static inline void put32(unsigned char *p, uint32_t v) {
        put16(p, (uint16_t) v);
        put16(p + 2, (uint16_t) (v >> 16));
}

static inline void put64(unsigned char *p, uint64_t v) {
        put32(p, (uint32_t) v);
        put32(p + 4, (uint32_t) (v >> 32));
}

static inline uint16_t get16(const unsigned char *p) {
        return (uint16_t) (p[0] | (p[1] << 8));
}

static inline uint32_t get32(const unsigned char *p) {
        return (uint32_t) get16(p) | ((uint32_t) get16(p + 2) << 16);
}

static inline uint64_t get64(const unsigned char *p) {
        return (uint64_t) get32(p) | ((uint64_t) get32(p + 4) << 32);
}

/* ------------------------------------------------------------------ */
/* Growable byte buffers                                               */

typedef struct Blob {
        unsigned char *data;
        size_t len, cap;        /* cap: bytes allocated at data */
} Blob;

/* len zero bytes. */
static inline Blob blob_zero(size_t len) {
        /* calloc(0) may return NULL; keep a real pointer for empty blobs. */
        size_t cap = len ? len : 1;
        Blob b = { .data = calloc(1, cap), .len = len, .cap = cap };

        CHECK(b.data);
        return b;
}

/* Append n bytes from p, or n zero bytes if p is NULL. */
static inline void blob_append(Blob *b, const void *p, size_t n) {
        if (b->len + n > b->cap) {
                size_t cap = b->cap ? b->cap : 256;
                while (cap < b->len + n)
                        cap *= 2;
                b->data = realloc(b->data, cap);
                CHECK(b->data);
                b->cap = cap;
        }
        if (p)
                memcpy(b->data + b->len, p, n);
        else
                memset(b->data + b->len, 0, n);
        b->len += n;
}

static inline void blob_free(Blob *b) {
        free(b->data);
        *b = (Blob) {};
}

static inline uint64_t xorshift64(uint64_t *s) {
        uint64_t x = *s;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return *s = x;
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

/* A regular, non-empty file into *ret; false if it cannot be opened or is
 * not one.  A failing read is a failed check. */
static inline bool read_whole_file(const char *path, Blob *ret) {
        struct stat st;
        Blob b;
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        if (fd < 0)
                return false;
        CHECK(fstat(fd, &st) == 0);
        if (!S_ISREG(st.st_mode) || st.st_size <= 0) {
                close(fd);
                return false;
        }
        b = blob_zero((size_t) st.st_size);
        for (size_t done = 0; done < b.len;) {
                ssize_t n = read(fd, b.data + done, b.len - done);
                CHECK(n > 0);
                done += (size_t) n;
        }
        close(fd);
        *ret = b;
        return true;
}

/* grub-mkimage writes into $TMPDIR/<program>-XXXXXX, made on first use. */
static char tmp_dir[PATH_MAX];
static char tmp_file[PATH_MAX + 32];

/* atexit(): also runs when a CHECK fails, so no temp dir is left behind. */
static inline void remove_tmp(void) {
        if (tmp_file[0])
                (void) unlink(tmp_file);
        if (tmp_dir[0])
                (void) rmdir(tmp_dir);
        tmp_file[0] = tmp_dir[0] = 0;
}

/*
 * A real pvgrub2 ELF: $GRUB_MKIMAGE -O format, read back into *ret.
 * -1 if GRUB_MKIMAGE is unset, not executable or fails; 0 if it succeeded
 * but left no regular, non-empty file; 1 if *ret holds the image.
 */
static inline int grub_mkimage(const char *format, Blob *ret) {
        const char *tool = getenv("GRUB_MKIMAGE"), *t = getenv("TMPDIR");
        int status, r;
        pid_t pid;

        if (!tool || !*tool || access(tool, X_OK) < 0)
                return -1;
        if (!tmp_dir[0]) {
                snprintf(tmp_dir, sizeof(tmp_dir), "%s/%s-XXXXXX", t && *t ? t : "/tmp",
                         program_invocation_short_name);
                CHECK(mkdtemp(tmp_dir));
                atexit(remove_tmp);
        }
        snprintf(tmp_file, sizeof(tmp_file), "%s/img", tmp_dir);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                execl(tool, tool, "-O", format, "-o", tmp_file, "-p", "/boot/grub", "echo", (char *) NULL);
                _exit(127);
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                r = -1;
        else
                r = read_whole_file(tmp_file, ret) ? 1 : 0;
        (void) unlink(tmp_file);
        return r;
}
