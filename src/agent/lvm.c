/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LVM without lvm (see lvm.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/dm-ioctl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "agent/dm.h"
#include "agent/lvm.h"
#include "shared/fd-util.h"
#include "shared/macro.h"

/* ---- the label and the current metadata (LVM2's on-disk format) ---- */

#define MDA_MAGIC " LVM2 x[5A%r0N*>"
#define MDA_HEADER_SIZE 512

static uint64_t le64(const uint8_t *p) {
        uint64_t v;
        memcpy(&v, p, 8);
        return v;
}

static uint32_t le32(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
}

/* All of it, or the metadata is not there: a short read is a broken PV. */
static int pread_full(int fd, void *buf, size_t len, uint64_t off) {
        return loop_pread(fd, buf, len, off) == (ssize_t) len ? 0 : -EBADMSG;
}

void lvm_pv_done(LvmPv *pv) {
        free(pv->text);
        pv->text = NULL;
}

/* What a failed read filled in goes again. */
DEFINE_TRIVIAL_CLEANUP_FUNC(LvmPv *, lvm_pv_done);

int lvm_pv_read(const char *node, LvmPv *pv) {
        uint8_t b[2048], h[MDA_HEADER_SIZE];
        uint64_t mda = 0, mda_size = 0, off;
        unsigned s;
        _cleanup_(lvm_pv_donep) LvmPv *unwind = NULL;
        _cleanup_close_ int fd = -EBADF;

        memset(pv, 0, sizeof(*pv));
        snprintf(pv->node, sizeof(pv->node), "%s", node);
        fd = open(node, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        unwind = pv;
        if (pread_full(fd, b, sizeof(b), 0) < 0)
                return -EBADMSG;
        for (s = 0; s < 4 && memcmp(b + s * 512, "LABELONE", 8) != 0; s++)
                ;
        if (s == 4)
                return -EBADMSG;
        off = s * 512 + (uint64_t) le32(b + s * 512 + 20);     /* label_header.offset_xl */
        if (off + 32 + 8 + 16 > sizeof(b))
                return -EBADMSG;
        memcpy(pv->uuid, b + off, 32);
        for (unsigned i = 0; i < 32; i++)
                if (pv->uuid[i] < '!' || pv->uuid[i] > '~')
                        return -EBADMSG;
        /* Data areas, a zero entry, then metadata areas: take the first. */
        off += 32 + 8;
        for (unsigned list = 0, guard = 0; off + 16 <= sizeof(b) && guard < 64; off += 16, guard++) {
                uint64_t o = le64(b + off), z = le64(b + off + 8);
                if (o == 0 && z == 0) {
                        if (list++ == 1)
                                break;
                        continue;
                }
                if (list == 1) {
                        mda = o;
                        mda_size = z;
                        break;
                }
        }
        /* Guest numbers: an area within the first TiB, its end computed
         * without wrapping (pread takes a signed offset). */
        if (mda == 0 || mda > (UINT64_C(1) << 40) || mda_size <= MDA_HEADER_SIZE || mda_size > (UINT64_C(1) << 30) ||
            pread_full(fd, h, sizeof(h), mda) < 0 || memcmp(h + 4, MDA_MAGIC, 16) != 0)
                return -EBADMSG;
        /* mda_header: checksum, magic[16], version, start, size, then
         * raw_locn[]: offset, size, checksum, flags. */
        uint64_t t_off = le64(h + 40), t_size = le64(h + 48);
        if (t_off < MDA_HEADER_SIZE || t_off >= mda_size || t_size == 0 || t_size > LVM_MAX_METADATA ||
            t_size > mda_size - MDA_HEADER_SIZE)
                return -EBADMSG;
        pv->text = malloc(t_size + 1);
        if (!pv->text)
                return -ENOMEM;
        /* A circular buffer: the text may wrap to just past the header. */
        uint64_t first = t_size < mda_size - t_off ? t_size : mda_size - t_off;
        if (pread_full(fd, pv->text, first, mda + t_off) < 0 ||
            (first < t_size && pread_full(fd, pv->text + first, t_size - first, mda + MDA_HEADER_SIZE) < 0))
                return -EBADMSG;
        pv->text[t_size] = 0;   /* the text ends at its own NUL, or here */
        if (sscanf(pv->text, "%127[A-Za-z0-9+_.-] {\nid = \"%63[^\"]\"\nseqno = %" SCNu64, pv->vg_name, pv->vg_id,
                   &pv->seqno) != 3)
                return -EBADMSG;
        struct stat st;
        if (fstat(fd, &st) < 0 || !S_ISBLK(st.st_mode))
                return -EBADMSG;
        pv->major = major(st.st_rdev);
        pv->minor = minor(st.st_rdev);
        TAKE_PTR(unwind);
        return 0;
}

/* ---- the metadata text: LVM's config format, bounded ---- */

#define MAX_NODES 4096
#define MAX_DEPTH 8

typedef enum NodeType { N_SECTION, N_STRING, N_NUMBER, N_LIST } NodeType;

typedef struct Node {
        NodeType type;
        const char *key;        /* into the text; keylen bytes */
        size_t keylen;
        const char *str;        /* N_STRING: into the text, no quotes */
        size_t slen;
        uint64_t num;
        int child, next;        /* indexes, -1: none */
} Node;

typedef struct Parser {
        const char *p;
        Node nodes[MAX_NODES];
        int n;
} Parser;

static void skip_space(Parser *ps) {
        for (;;) {
                while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
                        ps->p++;
                if (*ps->p != '#')
                        return;
                while (*ps->p && *ps->p != '\n')
                        ps->p++;
        }
}

/* A character of a key or a name.  (Never NUL: strchr() finds the NUL
 * that ends its own string, which is how a fuzzer walked us off the end.) */
static bool name_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '+' || c == '_' || c == '.' || c == '-';
}

static int new_node(Parser *ps, NodeType t) {
        if (ps->n >= MAX_NODES)
                return -1;
        ps->nodes[ps->n] = (Node) { .type = t, .child = -1, .next = -1 };
        return ps->n++;
}

static int parse_scalar(Parser *ps) {
        int i;
        if (*ps->p == '"') {
                const char *s = ++ps->p;
                while (*ps->p && *ps->p != '"') {
                        if (*ps->p == '\\' && ps->p[1])
                                ps->p++;
                        ps->p++;
                }
                if (*ps->p != '"' || (i = new_node(ps, N_STRING)) < 0)
                        return -1;
                ps->nodes[i].str = s;
                ps->nodes[i].slen = (size_t) (ps->p - s);
                ps->p++;
                return i;
        }
        if (*ps->p >= '0' && *ps->p <= '9') {
                char *end;
                unsigned long long v = strtoull(ps->p, &end, 10);
                if ((i = new_node(ps, N_NUMBER)) < 0)
                        return -1;
                ps->nodes[i].num = v;
                ps->p = end;
                return i;
        }
        return -1;
}

static int parse_value(Parser *ps) {
        int i, last = -1;
        if (*ps->p != '[')
                return parse_scalar(ps);
        ps->p++;
        if ((i = new_node(ps, N_LIST)) < 0)
                return -1;
        for (;;) {
                skip_space(ps);
                if (*ps->p == ']') {
                        ps->p++;
                        return i;
                }
                int c = parse_scalar(ps);
                if (c < 0)
                        return -1;
                if (last < 0)
                        ps->nodes[i].child = c;
                else
                        ps->nodes[last].next = c;
                last = c;
                skip_space(ps);
                if (*ps->p == ',')
                        ps->p++;
        }
}

/* Items up to '}' (depth > 0) or the end: the first child's index, or -2. */
static int parse_items(Parser *ps, int depth) {
        int first = -1, last = -1;

        if (depth > MAX_DEPTH)
                return -2;
        for (;;) {
                skip_space(ps);
                if (!*ps->p)
                        return depth == 0 ? first : -2;
                if (*ps->p == '}') {
                        if (depth == 0)
                                return -2;
                        ps->p++;
                        return first;
                }
                const char *k = ps->p;
                while (name_char(*ps->p))
                        ps->p++;
                size_t kl = (size_t) (ps->p - k);
                if (kl == 0)
                        return -2;
                skip_space(ps);
                int i;
                if (*ps->p == '{') {
                        ps->p++;
                        if ((i = new_node(ps, N_SECTION)) < 0)
                                return -2;
                        int c = parse_items(ps, depth + 1);
                        if (c == -2)
                                return -2;
                        ps->nodes[i].child = c;
                } else if (*ps->p == '=') {
                        ps->p++;
                        skip_space(ps);
                        if ((i = parse_value(ps)) < 0)
                                return -2;
                } else
                        return -2;
                ps->nodes[i].key = k;
                ps->nodes[i].keylen = kl;
                if (last < 0)
                        first = i;
                else
                        ps->nodes[last].next = i;
                last = i;
        }
}

static int child(const Parser *ps, int node, const char *key) {
        size_t kl = strlen(key);
        for (int c = node < 0 ? -1 : ps->nodes[node].child; c >= 0; c = ps->nodes[c].next)
                if (ps->nodes[c].keylen == kl && memcmp(ps->nodes[c].key, key, kl) == 0)
                        return c;
        return -1;
}

static bool get_num(const Parser *ps, int node, const char *key, uint64_t *ret) {
        int c = child(ps, node, key);
        if (c < 0 || ps->nodes[c].type != N_NUMBER)
                return false;
        *ret = ps->nodes[c].num;
        return true;
}

static bool str_is(const Node *n, const char *s) {
        return n->type == N_STRING && n->slen == strlen(s) && memcmp(n->str, s, n->slen) == 0;
}

static bool name_ok(const char *s, size_t n) {
        if (n == 0 || n > 127)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!name_char(s[i]))
                        return false;
        return true;
}

/* The PV a metadata "pvN" section means, by its id (dashes dropped). */
static const LvmPv *pv_of(const Parser *ps, int pvsec, const LvmPv *pvs, size_t n) {
        int id = child(ps, pvsec, "id");
        char u[40];
        size_t k = 0;
        if (id < 0 || ps->nodes[id].type != N_STRING)
                return NULL;
        for (size_t i = 0; i < ps->nodes[id].slen && k < 32; i++)
                if (ps->nodes[id].str[i] != '-')
                        u[k++] = ps->nodes[id].str[i];
        u[k] = 0;
        for (size_t i = 0; i < n; i++)
                if (strcmp(pvs[i].uuid, u) == 0)
                        return &pvs[i];
        return NULL;
}

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = **(const uint64_t *const *) a, y = **(const uint64_t *const *) b;
        return x < y ? -1 : x > y;
}

#define MAX_SEGMENTS 64
#define MAX_STRIPES 16

/* One LV's table, or false when we do not map it. */
static bool lv_table(const Parser *ps, int vg, int lv, const LvmPv *pvs, size_t npv, char *out, size_t outsz,
                     size_t *ret_lines) {
        uint64_t extent, count, segs[MAX_SEGMENTS][2];
        const uint64_t *order[MAX_SEGMENTS];
        int segnode[MAX_SEGMENTS];
        int st = child(ps, lv, "status"), pvsecs = child(ps, vg, "physical_volumes");
        bool visible = false;
        size_t len = 0;

        if (!get_num(ps, vg, "extent_size", &extent) || extent == 0 || extent > (UINT64_C(1) << 32) ||
            !get_num(ps, lv, "segment_count", &count) || count == 0 || count > MAX_SEGMENTS || st < 0 || pvsecs < 0)
                return false;
        for (int c = ps->nodes[st].child; c >= 0; c = ps->nodes[c].next)
                visible = visible || str_is(&ps->nodes[c], "VISIBLE");
        if (!visible)
                return false;
        for (unsigned i = 0; i < count; i++) {
                char name[32];
                snprintf(name, sizeof(name), "segment%u", i + 1);
                segnode[i] = child(ps, lv, name);
                if (segnode[i] < 0 || !get_num(ps, segnode[i], "start_extent", &segs[i][0]) ||
                    !get_num(ps, segnode[i], "extent_count", &segs[i][1]) || segs[i][1] == 0)
                        return false;
                segs[i][1] = (uint64_t) i;      /* reuse: index, after the count is checked below */
                order[i] = segs[i];
        }
        qsort(order, count, sizeof(order[0]), cmp_u64);
        uint64_t next = 0;
        *ret_lines = 0;
        for (unsigned k = 0; k < count; k++) {
                int sn = segnode[order[k][1]];
                uint64_t start_ext = order[k][0], n_ext, stripes, stripe_size = 0, start, length;
                int type = child(ps, sn, "type"), list = child(ps, sn, "stripes");
                if (!get_num(ps, sn, "extent_count", &n_ext) || start_ext != next || type < 0 ||
                    !str_is(&ps->nodes[type], "striped") || !get_num(ps, sn, "stripe_count", &stripes) ||
                    stripes == 0 || stripes > MAX_STRIPES || list < 0 || ps->nodes[list].type != N_LIST ||
                    (stripes > 1 && (!get_num(ps, sn, "stripe_size", &stripe_size) || stripe_size == 0)) ||
                    __builtin_mul_overflow(start_ext, extent, &start) || __builtin_mul_overflow(n_ext, extent, &length) ||
                    __builtin_add_overflow(start_ext, n_ext, &next))
                        return false;
                int w = snprintf(out + len, outsz - len, "%llu %llu %s", (unsigned long long) start,
                                 (unsigned long long) length, stripes == 1 ? "linear" : "striped");
                if (w < 0 || (size_t) w >= outsz - len)
                        return false;
                len += (size_t) w;
                if (stripes > 1) {
                        w = snprintf(out + len, outsz - len, " %llu %llu", (unsigned long long) stripes,
                                     (unsigned long long) stripe_size);
                        if (w < 0 || (size_t) w >= outsz - len)
                                return false;
                        len += (size_t) w;
                }
                int e = ps->nodes[list].child;
                for (uint64_t s = 0; s < stripes; s++) {
                        uint64_t pe_start, pv_ext, sector;
                        if (e < 0 || ps->nodes[e].type != N_STRING)
                                return false;
                        char pvname[64];
                        if (ps->nodes[e].slen >= sizeof(pvname))
                                return false;
                        memcpy(pvname, ps->nodes[e].str, ps->nodes[e].slen);
                        pvname[ps->nodes[e].slen] = 0;
                        int pvsec = child(ps, pvsecs, pvname), ext = ps->nodes[e].next;
                        const LvmPv *pv = pvsec >= 0 ? pv_of(ps, pvsec, pvs, npv) : NULL;
                        if (!pv || ext < 0 || ps->nodes[ext].type != N_NUMBER || !get_num(ps, pvsec, "pe_start", &pe_start))
                                return false;
                        pv_ext = ps->nodes[ext].num;
                        if (__builtin_mul_overflow(pv_ext, extent, &sector) ||
                            __builtin_add_overflow(sector, pe_start, &sector))
                                return false;
                        w = snprintf(out + len, outsz - len, " %u:%u %llu", pv->major, pv->minor,
                                     (unsigned long long) sector);
                        if (w < 0 || (size_t) w >= outsz - len)
                                return false;
                        len += (size_t) w;
                        e = ps->nodes[ext].next;
                }
                if (len + 1 >= outsz)
                        return false;
                out[len++] = 0;
                (*ret_lines)++;
        }
        return true;
}

int lvm_parse_lvs(const char *text, const LvmPv *pvs, size_t n, LvmTableFn fn, void *userdata) {
        static Parser ps;
        static char table[8192];
        char vgname[128], lvname[128];
        int root, vg = -1, lvs;

        ps.p = text;
        ps.n = 0;
        root = parse_items(&ps, 0);
        if (root < 0)
                return -EBADMSG;
        for (int c = root; c >= 0; c = ps.nodes[c].next)
                if (ps.nodes[c].type == N_SECTION) {
                        vg = c;
                        break;
                }
        if (vg < 0 || !name_ok(ps.nodes[vg].key, ps.nodes[vg].keylen))
                return -EBADMSG;
        memcpy(vgname, ps.nodes[vg].key, ps.nodes[vg].keylen);
        vgname[ps.nodes[vg].keylen] = 0;
        lvs = child(&ps, vg, "logical_volumes");
        for (int lv = lvs >= 0 ? ps.nodes[lvs].child : -1; lv >= 0; lv = ps.nodes[lv].next) {
                size_t lines;
                if (ps.nodes[lv].type != N_SECTION || !name_ok(ps.nodes[lv].key, ps.nodes[lv].keylen))
                        continue;
                memcpy(lvname, ps.nodes[lv].key, ps.nodes[lv].keylen);
                lvname[ps.nodes[lv].keylen] = 0;
                if (lv_table(&ps, vg, lv, pvs, n, table, sizeof(table), &lines))
                        fn(userdata, vgname, lvname, table, lines);
        }
        return 0;
}

/* ---- device-mapper ---- */

typedef struct Activation {
        int control;
        LvmLv *out;
        size_t max, n;
} Activation;

static void dm_name(const char *vg, const char *lv, char *out, size_t size) {
        size_t k = 0;
        for (const char *s = vg; *s && k + 2 < size; s++) {
                if (*s == '-')
                        out[k++] = '-';
                out[k++] = *s;
        }
        if (k + 1 < size)
                out[k++] = '-';
        for (const char *s = lv; *s && k + 2 < size; s++) {
                if (*s == '-')
                        out[k++] = '-';
                out[k++] = *s;
        }
        out[k] = 0;
}

static void activate_one(void *userdata, const char *vg, const char *lv, const char *table, size_t n_lines) {
        Activation *a = userdata;
        char name[DM_NAME_LEN];
        unsigned ma, mi;

        if (a->n >= a->max)
                return;
        dm_name(vg, lv, name, sizeof(name));
        if (dm_create(a->control, name, table, n_lines, &ma, &mi) < 0)
                return;
        LvmLv *out = &a->out[a->n++];
        snprintf(out->display, sizeof(out->display), "/dev/%s/%s", vg, lv);
        out->major = ma;
        out->minor = mi;
}

int lvm_activate(LvmPv *pvs, size_t n, LvmLv *ret, size_t max) {
        Activation a = { .out = ret, .max = max };
        bool done[LVM_MAX_PVS] = { false };

        a.control = dm_open_control();
        if (a.control < 0)
                return a.control;
        /* Each VG once, from the PV with its newest metadata. */
        for (size_t i = 0; i < n && i < LVM_MAX_PVS; i++) {
                size_t best = i;
                if (done[i])
                        continue;
                for (size_t j = i; j < n && j < LVM_MAX_PVS; j++)
                        if (strcmp(pvs[j].vg_id, pvs[i].vg_id) == 0) {
                                done[j] = true;
                                if (pvs[j].seqno > pvs[best].seqno)
                                        best = j;
                        }
                (void) lvm_parse_lvs(pvs[best].text, pvs, n, activate_one, &a);
        }
        close(a.control);
        return (int) a.n;
}
