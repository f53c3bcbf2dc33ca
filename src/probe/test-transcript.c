/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The e2e record/replay seam: round trip, and every way a transcript can
 * fail to match the inspection or the disk it is replayed against. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "shared/test-util.h"
#include "probe/transcript.h"

static char dir[] = "/tmp/test-transcript.XXXXXX";

static int mkfile(const char *name, const void *data, size_t len) {
        return test_mkfile(dir, name, data, len);
}

/* Record a small conversation about disk_fd into a new file; return its fd. */
static int record(int disk_fd) {
        Transcript *t = NULL;
        int fd = mkfile("tx", "", 0);
        static const char bytes[] = { 0x7f, 'E', 'L', 'F', 0, '\n', ' ', (char) 0xff };

        CHECK_EQ(transcript_record(fd, disk_fd, &t), 0);
        CHECK_EQ(transcript_put(t, "launch", (TxField[]) { TX_INT(0) }, 1), 0);
        CHECK_EQ(transcript_put(t, "lstat", (TxField[]) { TX_STR("/boot/xen evil\n"), TX_INT(-2), TX_INT(0), TX_INT(0) }, 4), 0);
        CHECK_EQ(transcript_put(t, "pread", (TxField[]) { TX_STR("/f"), TX_INT(0), TX_INT(8), TX_INT(0),
                                                          TX_BYTES(bytes, sizeof(bytes)) }, 5), 0);
        CHECK_EQ(transcript_put(t, "readlink", (TxField[]) { TX_STR("/l"), TX_INT(0), TX_STR("") }, 3), 0);
        transcript_free(t);
        return fd;
}

int main(void) {
        Transcript *t = NULL;
        char *b;
        size_t len;
        int64_t v;
        int disk, tx, other;

        CHECK(mkdtemp(dir));
        disk = mkfile("disk", "0123456789", 10);
        tx = record(disk);

        /* Round trip: same calls, same arguments, same answers. */
        CHECK_EQ(transcript_replay(tx, disk, &t), 0);
        CHECK_EQ(transcript_next(t, "launch", NULL, 0), 0);
        CHECK_EQ(transcript_result_int(t, 0, &v), 0);
        CHECK_EQ(v, 0);
        CHECK_EQ(transcript_next(t, "lstat", (TxField[]) { TX_STR("/boot/xen evil\n") }, 1), 0);
        CHECK_EQ(transcript_n_results(t), 3);
        CHECK_EQ(transcript_result_int(t, 0, &v), 0);
        CHECK_EQ(v, -2);
        CHECK_EQ(transcript_next(t, "pread", (TxField[]) { TX_STR("/f"), TX_INT(0), TX_INT(8) }, 3), 0);
        CHECK_EQ(transcript_result_bytes(t, 1, &b, &len), 0);
        CHECK_EQ(len, 8);
        CHECK(memcmp(b, "\x7f" "ELF\0\n \xff", 8) == 0);
        free(b);
        CHECK_EQ(transcript_result_int(t, 1, &v), -EBADMSG);    /* bytes are not an int */
        CHECK_EQ(transcript_result_bytes(t, 9, &b, &len), -EBADMSG);
        CHECK_EQ(transcript_next(t, "readlink", (TxField[]) { TX_STR("/l") }, 1), 0);
        CHECK_EQ(transcript_result_bytes(t, 1, &b, &len), 0);
        CHECK_EQ(len, 0);
        free(b);
        /* Asking more than was recorded. */
        CHECK_EQ(transcript_next(t, "umount", NULL, 0), -EBADMSG);
        transcript_free(t);

        /* A different call, or a different argument, is a mismatch. */
        CHECK_EQ(transcript_replay(tx, disk, &t), 0);
        CHECK_EQ(transcript_next(t, "mount", NULL, 0), -EBADMSG);
        transcript_free(t);
        CHECK_EQ(transcript_replay(tx, disk, &t), 0);
        CHECK_EQ(transcript_next(t, "launch", NULL, 0), 0);
        CHECK_EQ(transcript_next(t, "lstat", (TxField[]) { TX_STR("/boot/xen evil") }, 1), -EBADMSG);
        transcript_free(t);
        CHECK_EQ(transcript_replay(tx, disk, &t), 0);
        CHECK_EQ(transcript_next(t, "launch", (TxField[]) { TX_INT(0), TX_INT(0) }, 2), -EBADMSG);
        transcript_free(t);

        /* Another disk (same size, one byte changed), or another size. */
        other = mkfile("other", "0123456780", 10);
        CHECK_EQ(transcript_replay(tx, other, &t), -ESTALE);
        close(other);
        other = mkfile("other2", "01234567890", 11);
        CHECK_EQ(transcript_replay(tx, other, &t), -ESTALE);
        close(other);

        /* Not a transcript: wrong magic, a NUL inside, empty, bad hex. */
        other = mkfile("bad1", "hello\n", 6);
        CHECK_EQ(transcript_replay(other, disk, &t), -EBADMSG);
        close(other);
        other = mkfile("bad2", "pvboot-select-transcript 1\0\n", 28);
        CHECK_EQ(transcript_replay(other, disk, &t), -EBADMSG);
        close(other);
        other = mkfile("bad3", "", 0);
        CHECK_EQ(transcript_replay(other, disk, &t), -EFBIG);
        close(other);

        {
                char sha[65], text[512];
                uint64_t size;
                CHECK_EQ(transcript_disk_identity(disk, &size, sha), 0);
                CHECK_EQ(size, 10);
                /* sha256("0123456789") */
                CHECK_STREQ(sha, "84d89877f0d4041efb6bf91a16f0248f2fd573e6af05c19f96bedb9f882f7882");
                snprintf(text, sizeof(text), "pvboot-select-transcript 1\ndisk 10 %s\nlstat xZZ 0 0 0\npread x2f 0 1 0 x0\n", sha);
                other = mkfile("bad4", text, strlen(text));
                CHECK_EQ(transcript_replay(other, disk, &t), 0);
                CHECK_EQ(transcript_next(t, "lstat", (TxField[]) { TX_STR("/") }, 1), -EBADMSG);
                CHECK_EQ(transcript_next(t, "pread", (TxField[]) { TX_STR("/"), TX_INT(0), TX_INT(1) }, 3), 0);
                CHECK_EQ(transcript_result_bytes(t, 1, &b, &len), -EBADMSG);     /* odd hex */
                transcript_free(t);
                close(other);
        }

        close(tx);
        close(disk);
        {
                char cmd[64];
                snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
                CHECK(system(cmd) == 0);
        }
        return 0;
}
