/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A stage 1 image, read for what it searches (see stage1.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "selector/elf-notes.h"
#include "selector/grub-script.h"
#include "selector/stage1.h"
#include "shared/macro.h"

#define TAR_BLOCK 512u

typedef struct Reader {
        const ByteSource *src;
        Stage1Kind kind;
        bool is64;
        bool memdisk;
        uint64_t memdisk_off, memdisk_size;     /* in the file */
        char *config;                           /* the first embedded config, NUL-terminated */
        size_t config_len;
        bool has_prefix;
        char prefix[STAGE1_MAX_PREFIX];
        uint64_t modules;
        SearchList *list;
        uint32_t nested;                /* entries from followed files so far */
        char read[128];                 /* the scripts run, for the origin */
        char contributed[128];          /* those that gave entries */
} Reader;

static uint32_t le32(const unsigned char *p) {
        return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
}

static uint64_t le64(const unsigned char *p) {
        return (uint64_t) le32(p) | ((uint64_t) le32(p + 4) << 32);
}

static int say(char *why, size_t whysz, int r, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int say(char *why, size_t whysz, int r, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(why, whysz, fmt, ap);
        va_end(ap);
        return r;
}

static void add_name(char *buf, size_t size, const char *name) {
        size_t len = strlen(buf);
        if (!strstr(buf, name))
                snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

static void mark_module(Reader *rd, const char *name) {
        int i = search_module_index(name);
        if (i >= 0)
                rd->modules |= UINT64_C(1) << i;
}

/* A module object's name: its ELF's ".modname" section. */
static int module_name(Reader *rd, uint64_t off, uint64_t size, char *ret, size_t retsz) {
        uint64_t so, ss;
        ByteWindow w;
        int r;

        if (byte_window_init(&w, rd->src, off, size) < 0)
                return -EBADMSG;
        r = elf_find_section(&w.source, ".modname", &so, &ss);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r != 0 || ss == 0 || ss >= retsz)
                return -EBADMSG;
        r = byte_source_read(&w.source, so, ret, (size_t) ss);
        if (r < 0)
                return r;
        ret[ss] = 0;
        return ret[0] ? 0 : -EBADMSG;
}

static int read_string(Reader *rd, uint64_t off, uint64_t size, size_t max, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        int r;

        if (size > max)
                return -E2BIG;
        buf = malloc((size_t) size + 1);
        if (!buf)
                return -ENOMEM;
        r = byte_source_read(rd->src, off, buf, (size_t) size);
        if (r < 0)
                return r;
        buf[size] = 0;
        *ret_len = strlen(buf);        /* GRUB reads it as a string */
        *ret = TAKE_PTR(buf);
        return 0;
}

/* The objects of the module area (FOR_MODULES in include/grub/kernel.h). */
static int walk_objects(Reader *rd, uint64_t sec_off, uint64_t sec_size, char *why, size_t whysz) {
        uint64_t hsize = rd->is64 ? 24 : 12, align = rd->is64 ? 8 : 4, pos, area;
        unsigned char h[24];
        int r;

        if (sec_size < hsize)
                return say(why, whysz, -EBADMSG, "its module area is shorter than GRUB's module header");
        r = byte_source_read(rd->src, sec_off, h, (size_t) hsize);
        if (r < 0)
                return say(why, whysz, r, "cannot read its module header: %s", strerror(-r));
        if (le32(h) != STAGE1_MODULE_MAGIC)
                return say(why, whysz, -EBADMSG, "no GRUB module area (magic 0x%08x)", le32(h));
        pos = rd->is64 ? le64(h + 8) : le32(h + 4);
        area = rd->is64 ? le64(h + 16) : le32(h + 8);
        if (area > sec_size || pos < hsize || pos > area)
                return say(why, whysz, -EBADMSG, "its module header (offset %llu, size %llu) lies outside its "
                           "%llu-byte mods section", (unsigned long long) pos, (unsigned long long) area,
                           (unsigned long long) sec_size);

        for (unsigned n = 0; pos < area; n++) {
                unsigned char oh[8];
                uint32_t type, size;
                uint64_t body, body_size;

                if (n >= STAGE1_MAX_OBJECTS)
                        return say(why, whysz, -E2BIG, "more than %u objects in its module area", STAGE1_MAX_OBJECTS);
                if (area - pos < 8)
                        return say(why, whysz, -EBADMSG, "object %u is cut short", n);
                r = byte_source_read(rd->src, sec_off + pos, oh, 8);
                if (r < 0)
                        return say(why, whysz, r, "cannot read object %u: %s", n, strerror(-r));
                type = le32(oh);
                size = le32(oh + 4);
                if (size < 8 || size > area - pos)
                        return say(why, whysz, -EBADMSG, "object %u (type %u) claims %u bytes, past its module area",
                                   n, type, size);
                body = sec_off + pos + 8;
                body_size = size - 8;

                if (type == STAGE1_OBJ_ELF) {
                        char name[64];
                        r = module_name(rd, body, body_size, name, sizeof(name));
                        if (r < 0)
                                return say(why, whysz, r, "object %u is no GRUB module (no .modname)", n);
                        mark_module(rd, name);
                } else if (type == STAGE1_OBJ_MEMDISK && !rd->memdisk) {
                        rd->memdisk = true;
                        rd->memdisk_off = body;
                        rd->memdisk_size = body_size;
                } else if (type == STAGE1_OBJ_CONFIG && !rd->config) {
                        r = read_string(rd, body, body_size, STAGE1_MAX_CONFIG, &rd->config, &rd->config_len);
                        if (r == -E2BIG)
                                return say(why, whysz, r, "its embedded config is %llu bytes, above the %u-byte bound",
                                           (unsigned long long) body_size, STAGE1_MAX_CONFIG);
                        if (r < 0)
                                return say(why, whysz, r, "cannot read its embedded config: %s", strerror(-r));
                } else if (type == STAGE1_OBJ_PREFIX && !rd->has_prefix) {
                        _cleanup_free_ char *p = NULL;
                        size_t len;
                        r = read_string(rd, body, body_size < STAGE1_MAX_PREFIX ? body_size : STAGE1_MAX_PREFIX,
                                        STAGE1_MAX_PREFIX, &p, &len);
                        if (r < 0)
                                return say(why, whysz, r, "cannot read its prefix: %s", strerror(-r));
                        if (len >= STAGE1_MAX_PREFIX - 1)
                                return say(why, whysz, -E2BIG, "its prefix is longer than %u bytes", STAGE1_MAX_PREFIX - 2);
                        memcpy(rd->prefix, p, len + 1);
                        rd->has_prefix = true;
                }
                /* Other objects (keys, a DTB, disable-cli) search nothing. */
                pos += ((uint64_t) size + align - 1) / align * align;
        }
        return 0;
}

/* A ustar number: octal digits, space- or NUL-padded. */
static int tar_number(const unsigned char *f, size_t len, uint64_t *ret) {
        uint64_t v = 0;
        size_t i = 0;
        bool digits = false;

        while (i < len && f[i] == ' ')
                i++;
        for (; i < len && f[i] >= '0' && f[i] <= '7'; i++) {
                if (v >> 60)
                        return -EBADMSG;
                v = v * 8 + (uint64_t) (f[i] - '0');
                digits = true;
        }
        for (; i < len; i++)
                if (f[i] != ' ' && f[i] != 0)
                        return -EBADMSG;        /* base-256 sizes included */
        if (!digits)
                return -EBADMSG;
        *ret = v;
        return 0;
}

static const char *tar_normalize(const char *n) {
        for (;;) {
                if (n[0] == '/')
                        n++;
                else if (n[0] == '.' && n[1] == '/')
                        n += 2;
                else
                        return n;
        }
}

typedef int (*tar_member_fn)(Reader *rd, void *ud, const char *name, uint64_t off, uint64_t size);

/* Regular members of the memdisk archive, in order: 1 when fn stopped
 * the walk, 0 at the archive's end, -errno with why. */
static int tar_walk(Reader *rd, tar_member_fn fn, void *ud, char *why, size_t whysz) {
        uint64_t pos = 0, end = rd->memdisk_size;
        unsigned char h[TAR_BLOCK];
        int r;

        for (unsigned n = 0;; n++) {
                uint64_t size, sum = 0, want;
                char name[256 + 2];

                if (end - pos < TAR_BLOCK)
                        return 0;       /* no end-of-archive blocks: the end all the same */
                if (n >= STAGE1_MAX_TAR_MEMBERS)
                        return say(why, whysz, -E2BIG, "its memdisk has more than %u members", STAGE1_MAX_TAR_MEMBERS);
                r = byte_source_read(rd->src, rd->memdisk_off + pos, h, TAR_BLOCK);
                if (r < 0)
                        return say(why, whysz, r, "cannot read its memdisk: %s", strerror(-r));
                bool zero = true;
                for (size_t i = 0; i < TAR_BLOCK && zero; i++)
                        zero = h[i] == 0;
                if (zero)
                        return 0;
                if (memcmp(h + 257, "ustar", 5) != 0)
                        return say(why, whysz, -EBADMSG, "its memdisk is not a ustar archive");
                for (size_t i = 0; i < TAR_BLOCK; i++)
                        sum += i >= 148 && i < 156 ? ' ' : h[i];
                if (tar_number(h + 148, 8, &want) < 0 || want != sum || tar_number(h + 124, 12, &size) < 0)
                        return say(why, whysz, -EBADMSG, "member %u of its memdisk has a bad header", n);
                if (size > end - pos - TAR_BLOCK)
                        return say(why, whysz, -EBADMSG, "member %u of its memdisk runs past the memdisk", n);
                /* POSIX ustar ("ustar\0"): prefix "/" name; GNU's old format uses the prefix field otherwise. */
                if (h[262] == 0 && h[345])
                        snprintf(name, sizeof(name), "%.155s/%.100s", (const char *) h + 345, (const char *) h);
                else
                        snprintf(name, sizeof(name), "%.100s", (const char *) h);
                if (h[156] == '0' || h[156] == 0) {
                        r = fn(rd, ud, tar_normalize(name), rd->memdisk_off + pos + TAR_BLOCK, size);
                        if (r != 0)
                                return r;
                } else if (strchr("LKxg", h[156]))
                        return say(why, whysz, -EOPNOTSUPP, "member %u of its memdisk has an extended header "
                                   "(not modelled; make it with tar --format=ustar)", n);
                pos += TAR_BLOCK + (size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
                if (pos > end)
                        return 0;
        }
}

/* Modules in the memdisk can be loaded (insmod, normal mode's fs
 * autoload from $prefix): they count as carried. */
static int memdisk_module(Reader *rd, void *ud, const char *name, uint64_t off, uint64_t size) {
        const char *base = strrchr(name, '/'), *dot;
        char mod[64];

        (void) ud, (void) off, (void) size;
        base = base ? base + 1 : name;
        dot = strrchr(base, '.');
        if (dot && strcmp(dot, ".mod") == 0 && (size_t) (dot - base) < sizeof(mod)) {
                snprintf(mod, sizeof(mod), "%.*s", (int) (dot - base), base);
                mark_module(rd, mod);
        }
        return 0;
}

typedef struct Lookup {
        const char *want;
        uint64_t off, size;
} Lookup;

static int memdisk_lookup(Reader *rd, void *ud, const char *name, uint64_t off, uint64_t size) {
        Lookup *l = ud;
        (void) rd;
        if (strcmp(name, l->want) != 0)
                return 0;
        l->off = off;
        l->size = size;
        return 1;
}

static int run_script(Reader *rd, const char *text, size_t len, const char *what, bool top, ScriptEnd *ret_end,
                      char *why, size_t whysz);

/* Model the memdisk file at path (absolute in the memdisk).  must: its
 * absence is an error (a script named it), not the end of the list. */
static int run_memdisk_file(Reader *rd, const char *path, bool must, char *why, size_t whysz) {
        Lookup l = { .want = tar_normalize(path) };
        _cleanup_free_ char *text = NULL;
        char what[SEARCH_PATH_MAX + 16];
        size_t len;
        int r;

        if (!rd->memdisk)
                return must ? say(why, whysz, -ENOENT, "it reads (memdisk)%.60s and has no memdisk", path) : 0;
        r = tar_walk(rd, memdisk_lookup, &l, why, whysz);
        if (r < 0)
                return r;
        if (r == 0)
                return must ? say(why, whysz, -ENOENT, "it reads (memdisk)%.60s, which its memdisk does not hold", path)
                            : 0;
        snprintf(what, sizeof(what), "memdisk %.100s", l.want);
        r = read_string(rd, l.off, l.size, STAGE1_MAX_CONFIG, &text, &len);
        if (r == -E2BIG)
                return say(why, whysz, r, "its %s is %llu bytes, above the %u-byte bound", what,
                           (unsigned long long) l.size, STAGE1_MAX_CONFIG);
        if (r < 0)
                return say(why, whysz, r, "cannot read its %s: %s", what, strerror(-r));
        ScriptEnd end;
        return run_script(rd, text, len, what, false, &end, why, whysz);
}

static int follow_memdisk(void *userdata, const char *memdisk_path, char *why, size_t whysz) {
        return run_memdisk_file(userdata, memdisk_path, true, why, whysz);
}

static int run_script(Reader *rd, const char *text, size_t len, const char *what, bool top, ScriptEnd *ret_end,
                      char *why, size_t whysz) {
        uint32_t before = rd->list->n, nested = rd->nested;
        char inner[512];
        int r;

        add_name(rd->read, sizeof(rd->read), what);
        inner[0] = 0;
        r = grub_script_model(text, len, rd->kind, rd->list, top ? follow_memdisk : NULL, rd, ret_end, inner,
                              sizeof(inner));
        if (r < 0)
                /* A followed file's error is already whole; ours gets its name. */
                return strncmp(inner, "line ", 5) == 0 ? say(why, whysz, r, "%s %s", what, inner)
                                                       : say(why, whysz, r, "%s", inner);
        /* Its own entries, not those of the files it followed. */
        uint32_t added = rd->list->n - before;
        if (added > rd->nested - nested)
                add_name(rd->contributed, sizeof(rd->contributed), what);
        if (!top)
                rd->nested += added;
        return 0;
}

/* After the embedded config, GRUB's normal mode reads $prefix/grub.cfg
 * (kern/main.c grub_main, normal/main.c grub_cmd_normal); on Xen, where
 * the firmware names no boot device, only a prefix with a device counts. */
static int run_prefix(Reader *rd, char *why, size_t whysz) {
        const char *close;
        char file[STAGE1_MAX_PREFIX + 16];

        if (!rd->has_prefix || rd->prefix[0] != '(')
                return 0;               /* no device: GRUB on Xen sets no prefix, reads nothing */
        close = strchr(rd->prefix, ')');
        if (!close || close - rd->prefix != (long) strlen("(memdisk") || strncmp(rd->prefix, "(memdisk)", 9) != 0)
                return say(why, whysz, -EOPNOTSUPP, "its prefix %.60s names a device other than (memdisk): not modelled",
                           rd->prefix);
        snprintf(file, sizeof(file), "%s/grub.cfg", close + 1);
        return run_memdisk_file(rd, file, false, why, whysz);
}

static int check_kind(const ByteSource *src, Stage1Kind kind, bool *ret_is64, char *why, size_t whysz) {
        ElfImage img;
        int r = elf_inspect(src, PV_ARCH_NONE, &img);

        if (r < 0)
                return say(why, whysz, r, "cannot read it: %s", strerror(-r));
        *ret_is64 = img.elf_class == 2;
        if (kind == STAGE1_PVH) {
                if (r == ELF_PV_OK)
                        return say(why, whysz, -EMEDIUMTYPE, "a PV image where the PVH stage 1 belongs");
                if (r != ELF_PVH_ONLY)
                        return say(why, whysz, -EMEDIUMTYPE, "not a Xen PVH image: %s", elf_verdict_to_string(r));
                return 0;
        }
        if (r != ELF_PV_OK)
                return say(why, whysz, -EMEDIUMTYPE, "not a Xen PV image: %s", elf_verdict_to_string(r));
        if (stage1_kind_of_arch(img.arch) != kind)
                return say(why, whysz, -EMEDIUMTYPE, "an %s image where the %s stage 1 belongs",
                           pv_arch_to_string(img.arch), stage1_kind_to_string(kind));
        return 0;
}

int stage1_read(const ByteSource *src, Stage1Kind kind, const char *name, SearchList *ret, char *why, size_t whysz) {
        Reader rd = { .src = src, .kind = kind, .list = ret };
        uint64_t sec_off, sec_size;
        char ignored[256], origin[SEARCH_ORIGIN_MAX];
        int r;

        if ((unsigned) kind >= _STAGE1_KIND_MAX)
                return say(why, whysz, -EINVAL, "no such stage 1");
        if (src->size > STAGE1_MAX_IMAGE)
                return say(why, whysz, -EFBIG, "it is %llu bytes, above the %u MiB bound",
                           (unsigned long long) src->size, STAGE1_MAX_IMAGE >> 20);
        r = check_kind(src, kind, &rd.is64, why, whysz);
        if (r < 0)
                return r;
        r = elf_find_section(src, "mods", &sec_off, &sec_size);
        if (r == -ENOENT)
                return say(why, whysz, -EMEDIUMTYPE, "no `mods' section: not a grub-mkimage image");
        if (r > 0)
                return say(why, whysz, -EBADMSG, "its section table: %s", elf_verdict_to_string(r));
        if (r < 0)
                return say(why, whysz, r, "cannot read its sections: %s", strerror(-r));

        search_list_init(ret, true, "");
        r = walk_objects(&rd, sec_off, sec_size, why, whysz);
        if (r >= 0 && rd.memdisk)
                (void) tar_walk(&rd, memdisk_module, NULL, ignored, sizeof(ignored));
        ScriptEnd end = SCRIPT_END_FALLTHROUGH;
        if (r >= 0 && rd.config)
                r = run_script(&rd, rd.config, rd.config_len, "embedded config", true, &end, why, whysz);
        if (r >= 0 && end == SCRIPT_END_FALLTHROUGH)
                r = run_prefix(&rd, why, whysz);
        free(rd.config);
        if (r < 0)
                return r;

        ret->modules_known = 1;
        ret->modules = rd.modules;
        snprintf(origin, sizeof(origin), "%s: %s", name,
                 rd.contributed[0] ? rd.contributed : rd.read[0] ? rd.read : "no config");
        search_list_set_origin(ret, origin);
        return 0;
}
