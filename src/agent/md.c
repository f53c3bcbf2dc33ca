/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* md RAID mirrors without md (see md.h). */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "agent/dm.h"
#include "agent/md.h"
#include "shared/fd-util.h"
#include "shared/macro.h"

#define MD_MAGIC UINT32_C(0xa92b4efc)
#define MD_FEATURE_RESHAPE_ACTIVE 4u

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t le64(const uint8_t *p) {
        return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

/* Metadata 1.x (1.0 near the end, 1.1 at 0, 1.2 at 4 KiB). */
static int read_v1(const uint8_t *sb, uint64_t sectors, MdMember *ret) {
        if (le32(sb + 8) & MD_FEATURE_RESHAPE_ACTIVE)
                return -EBADMSG;        /* half reshaped: no single layout holds */
        ret->version = 1;
        memcpy(ret->uuid, sb + 16, 16);
        memcpy(ret->name, sb + 32, 32);
        ret->name[32] = 0;
        ret->level = (int32_t) le32(sb + 72);
        ret->size = le64(sb + 80);
        ret->data_offset = le64(sb + 128);
        ret->events = le64(sb + 200);
        if (ret->size == 0 || ret->data_offset > sectors || ret->size > sectors - ret->data_offset)
                return -EBADMSG;
        return 0;
}

/* Metadata 0.90 (native-endian words; x86 only, like the appliance). */
static int read_v090(const uint8_t *sb, uint64_t sectors, uint64_t sb_sector, MdMember *ret) {
        ret->version = 0;
        memcpy(ret->uuid, sb + 5 * 4, 4);
        memcpy(ret->uuid + 4, sb + 13 * 4, 12);
        ret->level = (int32_t) le32(sb + 7 * 4);
        ret->size = (uint64_t) le32(sb + 8 * 4) * 2;   /* KiB */
        ret->data_offset = 0;
        ret->events = (uint64_t) le32(sb + 40 * 4) << 32 | le32(sb + 39 * 4);
        if (ret->size == 0 || ret->size > sb_sector || sb_sector >= sectors)
                return -EBADMSG;
        return 0;
}

int md_member_read(int fd, MdMember *ret) {
        uint8_t sb[256 * 4];
        uint64_t bytes, sectors;
        struct stat st;

        memset(ret, 0, sizeof(*ret));
        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode) || ioctl(fd, BLKGETSIZE64, &bytes) < 0 ||
            bytes < 128 * 1024)
                return -ENOENT;
        ret->major = major(st.st_rdev);
        ret->minor = minor(st.st_rdev);
        sectors = bytes >> 9;
        const uint64_t v1[] = { 0, 8, (sectors - 16) & ~UINT64_C(7) };        /* 1.1, 1.2, 1.0 */
        for (size_t i = 0; i < ELEMENTSOF(v1); i++)
                if (loop_pread(fd, sb, sizeof(sb), v1[i] << 9) == (ssize_t) sizeof(sb) && le32(sb) == MD_MAGIC &&
                    le32(sb + 4) == 1)
                        return read_v1(sb, sectors, ret);
        uint64_t s090 = ((bytes & ~UINT64_C(0xffff)) - 0x10000) >> 9;
        if (loop_pread(fd, sb, sizeof(sb), s090 << 9) == (ssize_t) sizeof(sb) && le32(sb) == MD_MAGIC &&
            le32(sb + 4) == 0 && le32(sb + 8) == 90)
                return read_v090(sb, sectors, s090, ret);
        return -ENOENT;
}

int md_table(const MdMember *m, char *buf, size_t size) {
        int n = snprintf(buf, size, "0 %" PRIu64 " linear %u:%u %" PRIu64, m->size, m->major, m->minor,
                         m->data_offset);
        return n > 0 && (size_t) n < size ? 0 : -E2BIG;
}

/* The array's name as /dev/md/ shows it: the part of a 1.x set name after
 * "host:", if it is tame; else its number among the arrays. */
static void display_name(const MdMember *m, unsigned index, char *out, size_t size) {
        const char *n = strchr(m->name, ':');
        bool ok;

        n = n ? n + 1 : m->name;
        ok = *n && strlen(n) <= 32;
        for (const char *c = n; ok && *c; c++)
                ok = isalnum((unsigned char) *c) || *c == '_' || *c == '-' || *c == '.';
        if (ok)
                snprintf(out, size, "/dev/md/%s", n);
        else
                snprintf(out, size, "/dev/md/%u", index);
}

int md_activate(const MdMember *m, size_t n, MdArray *ret, size_t max, unsigned *ret_skipped) {
        bool done[MD_MAX_MEMBERS] = { false };
        int control = -EBADF;
        size_t out = 0;

        *ret_skipped = 0;
        if (n > MD_MAX_MEMBERS)
                n = MD_MAX_MEMBERS;
        for (size_t i = 0; i < n; i++) {
                size_t best = i;
                char table[128], name[32];

                if (done[i])
                        continue;
                for (size_t j = i; j < n; j++)
                        if (memcmp(m[j].uuid, m[i].uuid, 16) == 0 && m[j].version == m[i].version) {
                                done[j] = true;
                                if (m[j].events > m[best].events)
                                        best = j;
                        }
                if (m[best].level != 1) {
                        (*ret_skipped)++;
                        continue;
                }
                if (out >= max || md_table(&m[best], table, sizeof(table)) < 0)
                        continue;
                if (control < 0)
                        control = dm_open_control();
                if (control < 0)
                        break;
                MdArray *a = &ret[out];
                snprintf(name, sizeof(name), "pvboot-md%zu", out);
                if (dm_create(control, name, table, 1, &a->major, &a->minor) < 0)
                        continue;
                display_name(&m[best], (unsigned) out, a->display, sizeof(a->display));
                a->member = best;
                out++;
        }
        safe_close(control);
        return (int) out;
}
