/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Record/replay of probe calls for the end-to-end test (see transcript.h). */
#include <errno.h>
#include <inttypes.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "probe/transcript.h"

#define MAGIC "pvboot-select-transcript 1"

struct Transcript {
        int fd;                 /* record: where lines go */
        char *data;             /* replay: the whole file, lines split in place */
        char *pos;
        /* replay: fields of the current entry after the call name */
        char *fields[TRANSCRIPT_MAX_FIELDS];
        size_t n_fields, n_args;
};

int transcript_disk_identity(int fd, uint64_t *ret_size, char ret_sha256[65]) {
        static unsigned char buf[1 << 20];
        struct sha256_ctx ctx;
        uint8_t digest[SHA256_DIGEST_SIZE];
        uint64_t off = 0;

        sha256_init(&ctx);
        for (;;) {
                ssize_t n = pread(fd, buf, sizeof(buf), (off_t) off);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (n == 0)
                        break;
                sha256_update(&ctx, (size_t) n, buf);
                off += (uint64_t) n;
        }
        sha256_digest(&ctx, sizeof(digest), digest);
        for (size_t i = 0; i < sizeof(digest); i++)
                snprintf(ret_sha256 + 2 * i, 3, "%02x", digest[i]);
        *ret_size = off;
        return 0;
}

int transcript_record(int fd, int disk_fd, Transcript **ret) {
        _cleanup_(transcript_freep) Transcript *t = NULL;
        char sha[65], line[160];
        uint64_t size;
        int r;

        r = transcript_disk_identity(disk_fd, &size, sha);
        if (r < 0)
                return r;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->fd = fd;
        snprintf(line, sizeof(line), MAGIC "\ndisk %" PRIu64 " %s\n", size, sha);
        r = loop_write(fd, line, strlen(line));
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

static char *next_line(Transcript *t) {
        char *l = t->pos, *nl;
        if (!l || !*l)
                return NULL;
        nl = strchr(l, '\n');
        if (nl) {
                *nl = 0;
                t->pos = nl + 1;
        } else
                t->pos = l + strlen(l);
        return l;
}

int transcript_replay(int fd, int disk_fd, Transcript **ret) {
        _cleanup_(transcript_freep) Transcript *t = NULL;
        char sha[65], want[160], *l;
        uint64_t size;
        struct stat st;
        size_t got = 0;
        int r;

        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t) st.st_size > TRANSCRIPT_MAX_SIZE)
                return -EFBIG;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->fd = -1;
        t->data = malloc((size_t) st.st_size + 1);
        if (!t->data)
                return -ENOMEM;
        ssize_t n = loop_pread(fd, t->data, (size_t) st.st_size, 0);
        if (n < 0)
                return (int) n;
        if ((size_t) n != (size_t) st.st_size)
                return -EBADMSG;
        got = (size_t) n;
        t->data[got] = 0;
        if (strlen(t->data) != got)     /* a NUL inside: not ours */
                return -EBADMSG;
        t->pos = t->data;

        r = transcript_disk_identity(disk_fd, &size, sha);
        if (r < 0)
                return r;
        l = next_line(t);
        if (!l || strcmp(l, MAGIC) != 0)
                return -EBADMSG;
        snprintf(want, sizeof(want), "disk %" PRIu64 " %s", size, sha);
        l = next_line(t);
        if (!l || strcmp(l, want) != 0)
                return -ESTALE;         /* recorded from another disk, or the disk changed */
        *ret = TAKE_PTR(t);
        return 0;
}

Transcript *transcript_free(Transcript *t) {
        if (!t)
                return NULL;
        free(t->data);
        free(t);
        return NULL;
}

static int put_field(FILE *f, const TxField *x) {
        if (!x->s)
                return fprintf(f, " %" PRId64, x->i) < 0 ? -EIO : 0;
        fputs(" x", f);
        for (size_t i = 0; i < x->len; i++)
                fprintf(f, "%02x", (unsigned char) x->s[i]);
        return ferror(f) ? -EIO : 0;
}

int transcript_put(Transcript *t, const char *call, const TxField *fields, size_t n) {
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f;
        int r = 0;

        if (!t || t->fd < 0 || n > TRANSCRIPT_MAX_FIELDS)
                return -EINVAL;
        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        fputs(call, f);
        for (size_t i = 0; i < n && r == 0; i++)
                r = put_field(f, &fields[i]);
        fputc('\n', f);
        if (fclose(f) != 0 && r == 0)
                r = -ENOMEM;
        if (r == 0)
                r = loop_write(t->fd, buf, len);
        return r;
}

/* Does the token equal the encoded field? */
static bool field_equals(const char *tok, const TxField *x) {
        char num[32];

        if (!x->s) {
                snprintf(num, sizeof(num), "%" PRId64, x->i);
                return strcmp(tok, num) == 0;
        }
        if (tok[0] != 'x' || strlen(tok + 1) != 2 * x->len)
                return false;
        for (size_t i = 0; i < x->len; i++) {
                int hi = unhex(tok[1 + 2 * i]), lo = unhex(tok[2 + 2 * i]);
                if (hi < 0 || lo < 0 || (char) (hi << 4 | lo) != x->s[i])
                        return false;
        }
        return true;
}

int transcript_next(Transcript *t, const char *call, const TxField *args, size_t n_args) {
        char *l, *tok, *save = NULL;

        if (!t || !t->data)
                return -EINVAL;
        l = next_line(t);
        if (!l)
                return -EBADMSG;        /* the inspection asked more than was recorded */
        tok = strtok_r(l, " ", &save);
        if (!tok || strcmp(tok, call) != 0)
                return -EBADMSG;
        t->n_fields = 0;
        while ((tok = strtok_r(NULL, " ", &save))) {
                if (t->n_fields >= TRANSCRIPT_MAX_FIELDS)
                        return -EBADMSG;
                t->fields[t->n_fields++] = tok;
        }
        if (t->n_fields < n_args)
                return -EBADMSG;
        for (size_t i = 0; i < n_args; i++)
                if (!field_equals(t->fields[i], &args[i]))
                        return -EBADMSG;
        t->n_args = n_args;
        return 0;
}

size_t transcript_n_results(Transcript *t) {
        return t->n_fields - t->n_args;
}

int transcript_result_int(Transcript *t, size_t idx, int64_t *ret) {
        char *end;
        long long v;

        if (idx >= transcript_n_results(t))
                return -EBADMSG;
        errno = 0;
        v = strtoll(t->fields[t->n_args + idx], &end, 10);
        if (errno != 0 || *end != 0 || end == t->fields[t->n_args + idx])
                return -EBADMSG;
        *ret = v;
        return 0;
}

int transcript_result_bytes(Transcript *t, size_t idx, char **ret, size_t *ret_len) {
        _cleanup_free_ char *b = NULL;
        const char *tok;
        size_t n;

        if (idx >= transcript_n_results(t))
                return -EBADMSG;
        tok = t->fields[t->n_args + idx];
        if (tok[0] != 'x' || strlen(tok + 1) % 2 != 0)
                return -EBADMSG;
        n = strlen(tok + 1) / 2;
        b = malloc(n + 1);
        if (!b)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                int hi = unhex(tok[1 + 2 * i]), lo = unhex(tok[2 + 2 * i]);
                if (hi < 0 || lo < 0)
                        return -EBADMSG;
                b[i] = (char) (hi << 4 | lo);
        }
        b[n] = 0;
        *ret = TAKE_PTR(b);
        *ret_len = n;
        return 0;
}
