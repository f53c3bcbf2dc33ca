/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Record and replay of the probe's conversation with the appliance.
 *
 * Only for the end-to-end test (tests/e2e): a libguestfs appliance inside
 * an emulated dom0 is TCG inside TCG and does not reach its disks in 30
 * minutes, so the outer machine records what the real probe asked and got
 * (file lists, stat results, link targets, the bytes of headers and notes)
 * and the dom0 binary replays exactly that, with everything after the
 * probe running for real.  Built only with -De2e_replay=true.
 *
 * A transcript is text: a header line with the disk's size and SHA-256,
 * then one line per probe call, "<call> <field>...", every string and byte
 * run hex-encoded so no guest byte is ever interpreted.  Replay insists on
 * the same calls with the same arguments in the same order, and refuses a
 * transcript whose disk size or checksum differs from the disk it is given.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shared/macro.h"

typedef struct Transcript Transcript;

#define TRANSCRIPT_MAX_SIZE (16u << 20)
#define TRANSCRIPT_MAX_FIELDS 70

/* The disk's identity: size and SHA-256 of every byte, read from fd. */
int transcript_disk_identity(int fd, uint64_t *ret_size, char ret_sha256[65]);

/* Start recording to fd; writes the header. */
int transcript_record(int fd, int disk_fd, Transcript **ret);
/* Load a transcript from fd and check it belongs to disk_fd. */
int transcript_replay(int fd, int disk_fd, Transcript **ret);
Transcript *transcript_free(Transcript *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Transcript *, transcript_free);

typedef struct TxField {
        const char *s;          /* string/bytes (hex in the file) or NULL */
        size_t len;
        int64_t i;              /* integer field when s == NULL */
} TxField;

#define TX_INT(v) ((TxField) { .s = NULL, .i = (int64_t) (v) })
#define TX_STR(v) ((TxField) { .s = (v), .len = strlen(v) })
#define TX_BYTES(p, n) ((TxField) { .s = (const char *) (p), .len = (n) })

/* Record one call: its name, its argument fields, its result fields. */
int transcript_put(Transcript *t, const char *call, const TxField *fields, size_t n);

/*
 * Replay: the next entry must be `call` with leading fields equal to
 * args[0..n_args).  On success the remaining fields are available through
 * transcript_field_* until the next call.  -EBADMSG on any mismatch.
 */
int transcript_next(Transcript *t, const char *call, const TxField *args, size_t n_args);
size_t transcript_n_results(Transcript *t);
int transcript_result_int(Transcript *t, size_t idx, int64_t *ret);
/* A malloc'd, NUL-terminated copy of a string/bytes result and its length. */
int transcript_result_bytes(Transcript *t, size_t idx, char **ret, size_t *ret_len);
