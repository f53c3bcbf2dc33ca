/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* md RAID without md (see md.h). */
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

/* include/uapi/linux/raid/md_p.h */
#define MD_MAGIC UINT32_C(0xa92b4efc)
#define MD_FEATURE_RECOVERY_OFFSET 2u   /* a member rebuilt only up to recovery_offset */
#define MD_FEATURE_RESHAPE_ACTIVE 4u
#define MD_SB1_ROLES 256                /* dev_roles[] of a 1.x superblock, le16 each */
#define MD_SB1_BYTES 1024               /* what we read of it: room for 384 roles */
#define MD_SB090_BYTES 4096
#define MD_DISK_FAULTY 0
#define MD_DISK_ACTIVE 1
#define MD_DISK_SYNC 2

/* Chunks md and dm's striped/raid targets agree on: powers of two from
 * 4 KiB (a page) to 256 MiB, in sectors. */
#define CHUNK_MIN 8u
#define CHUNK_MAX (UINT32_C(1) << 19)

static uint16_t le16(const uint8_t *p) {
        return (uint16_t) (p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p) {
        return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t le64(const uint8_t *p) {
        return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

/* Metadata 1.x (1.0 near the end, 1.1 at 0, 1.2 at 4 KiB): struct
 * mdp_superblock_1. */
static int read_v1(const uint8_t *sb, uint64_t sectors, MdMember *ret) {
        uint32_t features = le32(sb + 8), dev_number = le32(sb + 160), max_dev = le32(sb + 220);

        if (features & MD_FEATURE_RESHAPE_ACTIVE)
                return -EBADMSG;        /* half reshaped: no single layout holds */
        ret->version = 1;
        memcpy(ret->uuid, sb + 16, 16);
        memcpy(ret->name, sb + 32, 32);
        ret->name[32] = 0;
        ret->level = (int32_t) le32(sb + 72);
        ret->layout = le32(sb + 76);
        ret->size = le64(sb + 80);
        ret->chunk = le32(sb + 88);
        ret->raid_disks = le32(sb + 92);
        ret->data_offset = le64(sb + 128);
        ret->data_size = le64(sb + 136);
        ret->events = le64(sb + 200);
        ret->role = MD_ROLE_NONE;
        /* dev_roles[dev_number], if both lie inside what we read; roles
         * from 0xff00 up are spare/faulty/journal. */
        if (dev_number < max_dev && dev_number < (MD_SB1_BYTES - MD_SB1_ROLES) / 2 &&
            !(features & MD_FEATURE_RECOVERY_OFFSET)) {
                uint16_t role = le16(sb + MD_SB1_ROLES + 2 * dev_number);
                if (role < 0xff00)
                        ret->role = role;
        }
        /* RAID0 leaves size 0 (md stripes each member's data_size). */
        if ((ret->size == 0 && ret->level != 0) || ret->data_offset > sectors ||
            ret->size > sectors - ret->data_offset || ret->data_size > sectors - ret->data_offset)
                return -EBADMSG;
        return 0;
}

/* Metadata 0.90 (mdp_super_t: native-endian words; x86 only, like the
 * appliance): data from 0 up to the superblock. */
static int read_v090(const uint8_t *sb, uint64_t sectors, uint64_t sb_sector, MdMember *ret) {
        const uint8_t *this_disk = sb + 992 * 4;        /* MD_SB_DESCRIPTOR_OFFSET */
        uint32_t state = le32(this_disk + 4 * 4);

        ret->version = 0;
        memcpy(ret->uuid, sb + 5 * 4, 4);
        memcpy(ret->uuid + 4, sb + 13 * 4, 12);
        ret->level = (int32_t) le32(sb + 7 * 4);
        ret->size = (uint64_t) le32(sb + 8 * 4) * 2;   /* KiB */
        ret->raid_disks = le32(sb + 10 * 4);
        ret->layout = le32(sb + 64 * 4);
        ret->chunk = le32(sb + 65 * 4) / 512;           /* bytes */
        ret->data_offset = 0;
        ret->data_size = sb_sector;
        ret->events = (uint64_t) le32(sb + 40 * 4) << 32 | le32(sb + 39 * 4);
        ret->role = MD_ROLE_NONE;
        if ((state & (1u << MD_DISK_ACTIVE)) && (state & (1u << MD_DISK_SYNC)) && !(state & (1u << MD_DISK_FAULTY)))
                ret->role = le32(this_disk + 3 * 4);
        if (ret->size == 0 || ret->size > sb_sector || sb_sector >= sectors)
                return -EBADMSG;
        return 0;
}

int md_member_read(int fd, MdMember *ret) {
        uint8_t sb[MD_SB090_BYTES];
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
                if (loop_pread(fd, sb, MD_SB1_BYTES, v1[i] << 9) == MD_SB1_BYTES && le32(sb) == MD_MAGIC &&
                    le32(sb + 4) == 1)
                        return read_v1(sb, sectors, ret);
        uint64_t s090 = ((bytes & ~UINT64_C(0xffff)) - 0x10000) >> 9;
        if (loop_pread(fd, sb, MD_SB090_BYTES, s090 << 9) == MD_SB090_BYTES && le32(sb) == MD_MAGIC &&
            le32(sb + 4) == 0 && le32(sb + 8) == 90)
                return read_v090(sb, sectors, s090, ret);
        return -ENOENT;
}

/* dm-raid's name for md's raid4/5 layout (md's ALGORITHM_* numbers, in
 * drivers/md/raid5.h; dm-raid's raid_types[]), NULL when it has none.
 * md's RAID4 keeps parity on the last member: dm-raid's raid5_n. */
static const char *raid45_type(int32_t level, uint32_t layout) {
        static const char *const raid5[] = { "raid5_la", "raid5_ra", "raid5_ls", "raid5_rs", "raid4", "raid5_n" };

        if (level == 4)
                return "raid5_n";
        return layout < ELEMENTSOF(raid5) ? raid5[layout] : NULL;
}

#define REFUSE(r, ...) (snprintf(why, why_size, __VA_ARGS__), (r))

int md_plan(const MdMember *m, size_t n, MdPlan *p, char *why, size_t why_size) {
        size_t best = 0;
        unsigned missing = 0;

        memset(p, 0, sizeof(*p));
        if (n == 0)
                return REFUSE(-EINVAL, "no members");
        for (size_t i = 1; i < n; i++)
                if (m[i].events > m[best].events)
                        best = i;
        const MdMember *b = &m[best];
        p->level = b->level;
        /* A mirror: the freshest member alone is the whole array. */
        if (b->level == 1) {
                p->target = "linear";
                p->slots = 1;
                p->member[0] = (int) best;
                p->per_member = p->length = b->size;
                return 0;
        }
        if (b->level == 6)
                return REFUSE(-EOPNOTSUPP, "raid6: no read-only device-mapper target");
        if (b->level != 0 && b->level != 4 && b->level != 5 && b->level != 10)
                return REFUSE(-EOPNOTSUPP, "md level %" PRId32 ": not read", b->level);
        if (b->raid_disks < 2 || b->raid_disks > MD_MAX_MEMBERS)
                return REFUSE(-EOPNOTSUPP, "raid%" PRId32 " of %" PRIu32 " members: not read", b->level,
                              b->raid_disks);
        if (b->chunk < CHUNK_MIN || b->chunk > CHUNK_MAX || (b->chunk & (b->chunk - 1)))
                return REFUSE(-EBADMSG, "raid%" PRId32 ": chunk of %" PRIu32 " sectors not read", b->level, b->chunk);
        p->slots = b->raid_disks;
        p->chunk = b->chunk;
        for (uint32_t s = 0; s < p->slots; s++)
                p->member[s] = -1;
        /* Each slot from a member as fresh as the freshest (older ones
         * missed writes: md leaves them out too), the array's shape
         * agreed on by all of them. */
        for (size_t i = 0; i < n; i++) {
                const MdMember *x = &m[i];
                if (x->events != b->events || x->role >= p->slots)
                        continue;
                if (x->level != b->level || x->layout != b->layout || x->chunk != b->chunk ||
                    x->raid_disks != b->raid_disks || x->size != b->size)
                        return REFUSE(-EBADMSG, "raid%" PRId32 ": members disagree on its shape", b->level);
                if (p->member[x->role] >= 0)
                        return REFUSE(-EBADMSG, "raid%" PRId32 ": two members claim slot %" PRIu32, b->level, x->role);
                p->member[x->role] = (int) i;
        }
        for (uint32_t s = 0; s < p->slots; s++)
                missing += p->member[s] < 0;

        if (b->level == 0) {
                if (missing > 0)
                        return REFUSE(-EOPNOTSUPP, "raid0: %u of %" PRIu32 " members missing", missing, p->slots);
                /* md stripes each member's whole data area, in chunks; one
                 * zone when they are equal, several (not mapped) when not. */
                for (uint32_t s = 0; s < p->slots; s++) {
                        uint64_t sz = m[p->member[s]].data_size & ~(uint64_t) (p->chunk - 1);
                        if (s > 0 && sz != p->per_member)
                                return REFUSE(-EOPNOTSUPP, "raid0: members of different sizes (zones)");
                        p->per_member = sz;
                }
                p->target = "striped";
        } else if (b->level == 4 || b->level == 5) {
                p->raid_type = raid45_type(b->level, b->layout);
                if (!p->raid_type)
                        return REFUSE(-EOPNOTSUPP, "raid5: layout %" PRIu32 " not read", b->layout);
                if (missing > 1)
                        return REFUSE(-EOPNOTSUPP, "raid%" PRId32 ": %u of %" PRIu32 " members missing", b->level,
                                      missing, p->slots);
                p->per_member = b->size & ~(uint64_t) (p->chunk - 1);
                p->target = "raid";
        } else {
                /* md's raid10 layout word: near copies in bits 0-7, far
                 * copies in 8-15, bit 16 "offset".  Near, with the members a
                 * multiple of the copies: chunk L's copies fill the `near`
                 * slots of set L % sets, at row L / sets, so the array is
                 * striped over one member of each set (any survivor). */
                uint32_t near = b->layout & 0xff, sets;
                if ((b->layout >> 8) != 1 || near < 2 || near > p->slots)
                        return REFUSE(-EOPNOTSUPP, "raid10: layout %#" PRIx32 " not read (near is)", b->layout);
                if (p->slots % near != 0)
                        return REFUSE(-EOPNOTSUPP, "raid10: %" PRIu32 " members, %" PRIu32 " copies: not read",
                                      p->slots, near);
                sets = p->slots / near;
                for (uint32_t s = 0; s < sets; s++) {
                        int pick = -1;
                        for (uint32_t c = 0; c < near && pick < 0; c++)
                                pick = p->member[s * near + c];
                        if (pick < 0)
                                return REFUSE(-EOPNOTSUPP, "raid10: %u of %" PRIu32 " missing, chunks lost", missing,
                                              p->slots);
                        p->member[s] = pick;
                }
                for (uint32_t s = sets; s < p->slots; s++)
                        p->member[s] = -1;
                p->slots = sets;
                p->per_member = b->size & ~(uint64_t) (p->chunk - 1);
                p->target = "striped";
        }
        if (p->per_member == 0)
                return REFUSE(-EBADMSG, "raid%" PRId32 ": no whole chunk per member", b->level);
        if (p->length == 0) {
                uint64_t data = p->slots - (b->level == 4 || b->level == 5);
                if (__builtin_mul_overflow(p->per_member, data, &p->length))
                        return REFUSE(-EBADMSG, "raid%" PRId32 ": size overflows", b->level);
        }
        return 0;
}

int md_table(const MdPlan *p, const char (*dev)[MD_DEV_NAME], const uint64_t *off, char *buf, size_t size) {
        size_t len = 0;
        int k;

#define PUT(...)                                                                        \
        do {                                                                            \
                k = snprintf(buf + len, size - len, __VA_ARGS__);                       \
                if (k < 0 || (size_t) k >= size - len)                                  \
                        return -E2BIG;                                                  \
                len += (size_t) k;                                                      \
        } while (0)

        if (size == 0)
                return -E2BIG;
        PUT("0 %" PRIu64 " %s", p->length, p->target);
        if (strcmp(p->target, "linear") == 0)
                PUT(" %s %" PRIu64, dev[0], off[0]);
        else if (strcmp(p->target, "striped") == 0) {
                PUT(" %" PRIu32 " %" PRIu32, p->slots, p->chunk);
                for (uint32_t s = 0; s < p->slots; s++)
                        PUT(" %s %" PRIu64, dev[s], off[s]);
        } else {
                /* No metadata devices ("-"), nothing resynced: read only. */
                PUT(" %s 2 %" PRIu32 " nosync", p->raid_type, p->chunk);
                PUT(" %" PRIu32, p->slots);
                for (uint32_t s = 0; s < p->slots; s++)
                        PUT(" - %s", p->member[s] >= 0 ? dev[s] : "-");
        }
#undef PUT
        return 0;
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

/* Map the planned array a (dm name pvboot-mdI); dm-raid reads each slot
 * through a read-only view of its member's data area (pvboot-mdI-S):
 * it has no per-member data offset of its own. */
static int map(int control, const MdPlan *p, const MdMember *grp, size_t index, MdArray *a) {
        char dev[MD_MAX_MEMBERS][MD_DEV_NAME], name[48], table[1024];
        uint64_t off[MD_MAX_MEMBERS] = { 0 };
        bool views = strcmp(p->target, "raid") == 0;
        int r;

        for (uint32_t s = 0; s < p->slots; s++) {
                const MdMember *x = p->member[s] >= 0 ? &grp[p->member[s]] : NULL;
                unsigned ma, mi;
                if (!x)
                        continue;
                if (!views) {
                        snprintf(dev[s], sizeof(dev[s]), "%u:%u", x->major, x->minor);
                        off[s] = x->data_offset;
                        continue;
                }
                snprintf(table, sizeof(table), "0 %" PRIu64 " linear %u:%u %" PRIu64, p->per_member, x->major,
                         x->minor, x->data_offset);
                snprintf(name, sizeof(name), "pvboot-md%zu-%" PRIu32, index, s);
                r = dm_create(control, name, table, 1, &ma, &mi);
                if (r < 0)
                        return r;
                snprintf(dev[s], sizeof(dev[s]), "%u:%u", ma, mi);
        }
        r = md_table(p, dev, off, table, sizeof(table));
        if (r < 0)
                return r;
        snprintf(name, sizeof(name), "pvboot-md%zu", index);
        return dm_create(control, name, table, 1, &a->major, &a->minor);
}

int md_activate(const MdMember *m, size_t n, MdArray *ret, size_t max) {
        bool done[MD_MAX_MEMBERS] = { false };
        int control = -EBADF;
        size_t out = 0;

        if (n > MD_MAX_MEMBERS)
                n = MD_MAX_MEMBERS;
        for (size_t i = 0; i < n && out < max; i++) {
                MdMember grp[MD_MAX_MEMBERS];
                size_t idx[MD_MAX_MEMBERS], k = 0;
                MdPlan p;

                if (done[i])
                        continue;
                for (size_t j = i; j < n; j++)
                        if (memcmp(m[j].uuid, m[i].uuid, 16) == 0 && m[j].version == m[i].version) {
                                done[j] = true;
                                idx[k] = j;
                                grp[k++] = m[j];
                        }
                MdArray *a = &ret[out];
                memset(a, 0, sizeof(*a));
                int r = md_plan(grp, k, &p, a->why, sizeof(a->why));
                /* Named after a current member: the freshest. */
                size_t fresh = 0;
                for (size_t j = 1; j < k; j++)
                        if (grp[j].events > grp[fresh].events)
                                fresh = j;
                a->member = idx[fresh];
                display_name(&grp[fresh], (unsigned) out, a->display, sizeof(a->display));
                if (r >= 0) {
                        if (control < 0)
                                control = dm_open_control();
                        r = control < 0 ? control : map(control, &p, grp, out, a);
                        if (r < 0)
                                snprintf(a->why, sizeof(a->why), "raid%" PRId32 ": device-mapper refused: %s",
                                         p.level, strerror(-r));
                        a->mapped = r >= 0;
                }
                out++;
        }
        safe_close(control);
        return (int) out;
}
