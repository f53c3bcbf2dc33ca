/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stage 1 reader on real images: Debian 12's shipped ones, and
 * grub-mkimage -O {x86_64,i386}-xen / i386-xen_pvh images built here from
 * the host's platform files with different embedded configs (-c), memdisk
 * archives (-m, made by tar --format=ustar) and module sets; then those
 * images damaged: not an ELF, cut short anywhere, object sizes that
 * overflow, configs over the bound, archives with bogus headers.
 *
 * Needs $GRUB_MKIMAGE (meson passes the one it found) and tar; without
 * them the real-image part is skipped (exit 77 if nothing ran).
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "selector/elf-notes.h"
#include "pvboot-agent.h"
#include "selector/stage1.h"
#include "selector/test-blob.h"
#include "shared/text.h"

static const char *mkimage;
static char dir[PATH_MAX];
static unsigned n_built;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f) {
        (void) st, (void) flag, (void) f;
        return remove(path) < 0 ? -1 : 0;
}

static void cleanup(void) {
        if (dir[0])
                (void) nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int run(const char *const argv[]) {
        int status;
        pid_t pid = fork();

        CHECK(pid >= 0);
        if (pid == 0) {
                execvp(argv[0], (char *const *) argv);
                _exit(127);
        }
        CHECK(waitpid(pid, &status, 0) == pid);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* dir/rel with text, its directories made. */
static void write_file(const char *rel, const char *text, size_t len) {
        char path[PATH_MAX + 256];

        snprintf(path, sizeof(path), "%s/%s", dir, rel);
        for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                CHECK(mkdir(path, 0700) == 0 || errno == EEXIST);
                *s = '/';
        }
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        CHECK(fd >= 0);
        CHECK(write(fd, text, len) == (ssize_t) len);
        close(fd);
}

typedef struct Image {
        const char *format;             /* x86_64-xen, i386-xen, i386-xen_pvh */
        const char *config;             /* -c, NULL: none */
        const char *const *memdisk;     /* -m: name, text, name, text, ..., NULL */
        const char *prefix;             /* -p */
        const char *modules;            /* space-separated */
} Image;

/* grub-mkimage it; false when the tools cannot. */
static bool build(const Image *im, Blob *ret) {
        char img[PATH_MAX + 32], cfg[PATH_MAX + 32], tar[PATH_MAX + 32], md[PATH_MAX + 32], mods[512];
        const char *argv[64];
        unsigned n = 0, id = n_built++;

        snprintf(img, sizeof(img), "%s/img-%u", dir, id);
        argv[n++] = mkimage;
        argv[n++] = "-O";
        argv[n++] = im->format;
        argv[n++] = "-o";
        argv[n++] = img;
        argv[n++] = "-p";
        argv[n++] = im->prefix ? im->prefix : "/boot/grub";
        if (im->config) {
                char rel[32];
                snprintf(rel, sizeof(rel), "cfg-%u", id);
                write_file(rel, im->config, strlen(im->config));
                snprintf(cfg, sizeof(cfg), "%s/%s", dir, rel);
                argv[n++] = "-c";
                argv[n++] = cfg;
        }
        if (im->memdisk) {
                const char *targv[40] = { "tar", "--format=ustar", "-C", md, "-cf", tar };
                unsigned tn = 6;
                snprintf(md, sizeof(md), "%s/md-%u", dir, id);
                snprintf(tar, sizeof(tar), "%s/md-%u.tar", dir, id);
                for (const char *const *f = im->memdisk; *f; f += 2) {
                        char rel[PATH_MAX];
                        snprintf(rel, sizeof(rel), "md-%u/%s", id, f[0]);
                        write_file(rel, f[1], strlen(f[1]));
                        targv[tn++] = f[0];
                }
                targv[tn] = NULL;
                if (run(targv) != 0)
                        return false;
                argv[n++] = "-m";
                argv[n++] = tar;
        }
        snprintf(mods, sizeof(mods), "%s", im->modules ? im->modules : "");
        for (char *s = strtok(mods, " "); s && n < 62; s = strtok(NULL, " "))
                argv[n++] = s;
        argv[n] = NULL;
        if (run(argv) != 0)
                return false;
        return read_whole_file(img, ret);
}

static int read_list(const Blob *b, Stage1Kind kind, SearchList *l, char *why, size_t whysz) {
        ByteSource s;
        byte_source_from_buffer(&s, b->data, b->len);
        why[0] = 0;
        int r = stage1_read(&s, kind, "IMG", l, why, whysz);
        if (r == 0)
                CHECK_EQ(search_list_check(l, kind), 0);
        else {
                /* A reason, one printable line. */
                CHECK(why[0] && text_is_printable(why, whysz));
        }
        return r;
}

static void expect_list(const Blob *b, Stage1Kind kind, const char *want, const char *origin, const char *modules) {
        SearchList l;
        char why[512], d[2048];
        int r = read_list(b, kind, &l, why, sizeof(why));

        if (r < 0)
                fprintf(stderr, "unexpected failure: %s\n", why);
        CHECK_EQ(r, 0);
        search_list_describe(&l, d, sizeof(d));
        CHECK_STREQ(d, want);
        CHECK(l.from_image && l.modules_known);
        if (origin)
                CHECK_STREQ(l.origin, origin);
        if (modules) {
                search_list_describe_modules(&l, d, sizeof(d));
                CHECK_STREQ(d, modules);
        }
}

static void expect_error(const Blob *b, Stage1Kind kind, const char *fragment) {
        SearchList l;
        char why[512];
        int r = read_list(b, kind, &l, why, sizeof(why));

        if (r >= 0 || !strstr(why, fragment))
                fprintf(stderr, "expected \"%s\", got %d \"%s\"\n", fragment, r, why);
        CHECK(r < 0);
        CHECK(strstr(why, fragment));
}

static const char *const spec_x86_64 =
        "chainload /boot/xen/pvboot-x86_64.elf, chainload /xen/pvboot-x86_64.elf, "
        "config /boot/grub/grub.cfg, config /grub/grub.cfg";
static const char *const spec_i386 =
        "chainload /boot/xen/pvboot-i386.elf, chainload /xen/pvboot-i386.elf, "
        "config /boot/grub/grub.cfg, config /grub/grub.cfg";
static const char *const spec_pvh = "config /boot/grub/grub.cfg, config /grub/grub.cfg";

/* Debian 12's grub-xen-host images, as installed. */
static bool test_debian(void) {
        static const struct {
                const char *path;
                Stage1Kind kind;
                const char *const *want;
        } imgs[] = {
                { "/usr/lib/grub-xen/grub-x86_64-xen.bin", STAGE1_X86_64, &spec_x86_64 },
                { "/usr/lib/grub-xen/grub-i386-xen.bin", STAGE1_I386, &spec_i386 },
                { "/usr/lib/grub-xen/grub-i386-xen_pvh.bin", STAGE1_PVH, &spec_pvh },
        };
        bool any = false;

        for (size_t i = 0; i < sizeof(imgs) / sizeof(imgs[0]); i++) {
                SearchList l;
                char why[512];
                Blob b;

                if (!read_whole_file(imgs[i].path, &b)) {
                        fprintf(stderr, "%s not installed: not tested\n", imgs[i].path);
                        continue;
                }
                any = true;
                uint64_t t0 = now_usec();
                expect_list(&b, imgs[i].kind, *imgs[i].want, "IMG: memdisk grub.cfg", NULL);
                fprintf(stderr, "%s: read in %llu us\n", imgs[i].path, (unsigned long long) (now_usec() - t0));
                CHECK_EQ(read_list(&b, imgs[i].kind, &l, why, sizeof(why)), 0);
                /* Every filesystem and volume module pvboot-select checks for. */
                static const char *const need[] = { "ext2", "xfs", "btrfs", "fat", "zfs", "iso9660", "lvm",
                                                    "mdraid09", "mdraid1x", "part_msdos", "part_gpt", "diskfilter",
                                                    "raid5rec", "raid6rec", NULL };
                for (const char *const *m = need; *m; m++)
                        CHECK((l.modules >> search_module_index(*m)) & 1);
                /* Debian 12's GRUB 2.06 has no blscfg command (neither module). */
                CHECK_EQ(search_list_has_blscfg(&l), 0);
                /* Another slot's image is refused, with the reason. */
                expect_error(&b, imgs[i].kind == STAGE1_X86_64 ? STAGE1_I386 : STAGE1_X86_64,
                             imgs[i].kind == STAGE1_X86_64 ? "an x86_64 image where the i386 stage 1 belongs"
                             : imgs[i].kind == STAGE1_I386 ? "an i386 image where the x86_64 stage 1 belongs"
                                                           : "not a Xen PV image: PVH-only image");
                if (imgs[i].kind != STAGE1_PVH)
                        expect_error(&b, STAGE1_PVH, "a PV image where the PVH stage 1 belongs");
                blob_free(&b);
        }
        return any;
}

static const char debian_i386_cfg[] =
        "# First search for a suitable grub to chainload\n"
        "if search -s -f /boot/xen/pvboot-i386.elf ; then\n"
        "\techo \"Chainloading (${root})/boot/xen/pvboot-i386.elf\"\n"
        "\tmultiboot \"/boot/xen/pvboot-i386.elf\"\n\tboot\nfi\n\n"
        "if search -s -f /xen/pvboot-i386.elf ; then\n"
        "\techo \"Chainloading (${root})/xen/pvboot-i386.elf\"\n"
        "\tmultiboot \"/xen/pvboot-i386.elf\"\n\tboot\nfi\n\n"
        "# Second try looking for grub.cfg\n\n"
        "if search -s -f /boot/grub/grub.cfg ; then\n"
        "\techo \"Reading (${root})/boot/grub/grub.cfg\"\n\tconfigfile /boot/grub/grub.cfg\nfi\n\n"
        "if search -s -f /grub/grub.cfg ; then\n"
        "\techo \"Reading (${root})/grub/grub.cfg\"\n\tconfigfile /grub/grub.cfg\nfi\n";

static const char *const debian_like_memdisk[] = { "grub.cfg", debian_i386_cfg, NULL };

/* The image the hostile tests damage: Debian's layout, few modules. */
static const Image debian_like = {
        .format = "i386-xen",
        .config = "normal (memdisk)/grub.cfg\n",
        .memdisk = debian_like_memdisk,
        .prefix = "(memdisk)/boot/grub",
        .modules = "ext2 part_msdos memdisk tar search configfile normal",
};

static void test_built(void) {
        Blob b;

        /* Debian's layout, its module set cut down: no xfs. */
        CHECK(build(&debian_like, &b));
        expect_list(&b, STAGE1_I386, spec_i386, "IMG: memdisk grub.cfg", "ext2 part_msdos");
        {
                SearchList l;
                char why[256];
                CHECK_EQ(read_list(&b, STAGE1_I386, &l, why, sizeof(why)), 0);
                const char *m;
                CHECK(search_list_can_read(&l, "ext4", AGENT_VIA_PART_MSDOS, NULL));
                CHECK(!search_list_can_read(&l, "xfs", 0, NULL));
                /* A real image's partition and volume modules count too. */
                CHECK(!search_list_can_read(&l, "ext4", AGENT_VIA_PART_GPT, &m));
                CHECK_STREQ(m, "part_gpt");
                CHECK(!search_list_can_read(&l, "ext4", AGENT_VIA_PART_MSDOS | AGENT_VIA_LVM, &m));
                CHECK_STREQ(m, "lvm");
        }
        blob_free(&b);

        /* openSUSE's order: its own grub2 config first; searches embedded directly. */
        CHECK(build(&(Image) {
                .format = "x86_64-xen",
                .config = "if search -s -f /boot/grub2/grub.cfg ; then\n  configfile /boot/grub2/grub.cfg\nfi\n"
                          "if search --set=root --file /boot/xen/pvboot-x86_64.elf; then\n"
                          "  multiboot ($root)/boot/xen/pvboot-x86_64.elf console=hvc0\n  boot\nfi\n",
                .modules = "ext2 xfs btrfs part_gpt search configfile linux",
        }, &b));
        expect_list(&b, STAGE1_X86_64, "config /boot/grub2/grub.cfg, chainload /boot/xen/pvboot-x86_64.elf",
                    "IMG: embedded config", "ext2 xfs btrfs part_gpt diskfilter raid6rec");
        blob_free(&b);

        /* No embedded config: normal mode reads $prefix/grub.cfg from the memdisk. */
        CHECK(build(&(Image) {
                .format = "x86_64-xen",
                .memdisk = (const char *const[]) {
                        "boot/grub/grub.cfg", "if search -s -f /boot/grub2/grub.cfg; then configfile /boot/grub2/grub.cfg; fi\n",
                        "boot/grub/x86_64-xen/xfs.mod", "(a module in the memdisk counts)",
                        "boot/grub/x86_64-xen/blscfg.mod", "(so does Fedora's blscfg)",
                        NULL },
                .prefix = "(memdisk)/boot/grub",
                .modules = "ext2 memdisk tar",
        }, &b));
        expect_list(&b, STAGE1_X86_64, "config /boot/grub2/grub.cfg", "IMG: memdisk boot/grub/grub.cfg",
                    "ext2 xfs blscfg");
        {
                SearchList l;
                char why[256];
                CHECK_EQ(read_list(&b, STAGE1_X86_64, &l, why, sizeof(why)), 0);
                CHECK_EQ(search_list_has_blscfg(&l), 1);
        }
        blob_free(&b);

        /* An embedded config that ends without `normal FILE': the prefix's grub.cfg follows it. */
        CHECK(build(&(Image) {
                .format = "x86_64-xen",
                .config = "if search -s -f /boot/xen/pvboot-x86_64.elf; then multiboot /boot/xen/pvboot-x86_64.elf; boot; fi\n",
                .memdisk = (const char *const[]) { "boot/grub/grub.cfg",
                                                   "if search -s -f /grub.cfg; then configfile /grub.cfg; fi\n", NULL },
                .prefix = "(memdisk)/boot/grub",
                .modules = "ext2",
        }, &b));
        expect_list(&b, STAGE1_X86_64, "chainload /boot/xen/pvboot-x86_64.elf, config /grub.cfg",
                    "IMG: embedded config, memdisk boot/grub/grub.cfg", NULL);
        blob_free(&b);

        /* Nothing to run: a stage 1 that searches nothing, said so. */
        CHECK(build(&(Image) { .format = "x86_64-xen", .modules = "ext2" }, &b));
        expect_list(&b, STAGE1_X86_64, "nothing", "IMG: no config", "ext2");
        blob_free(&b);

        /* The PVH stage 1: configs only. */
        CHECK(build(&(Image) {
                .format = "i386-xen_pvh",
                .config = "if search -s -f /grub2/grub.cfg; then configfile /grub2/grub.cfg; fi\n",
                .modules = "ext2 xfs",
        }, &b));
        expect_list(&b, STAGE1_PVH, "config /grub2/grub.cfg", "IMG: embedded config", "ext2 xfs");
        expect_error(&b, STAGE1_I386, "not a Xen PV image");
        blob_free(&b);
        CHECK(build(&(Image) {
                .format = "i386-xen_pvh",
                .config = "if search -s -f /k; then multiboot /k; boot; fi\n",
        }, &b));
        expect_error(&b, STAGE1_PVH, "embedded config line 1: the PVH stage 1 chainloading /k is not modelled");
        blob_free(&b);

        /* Not modelled: the spec's paths then, with the line. */
        CHECK(build(&(Image) {
                .format = "x86_64-xen",
                .config = "set timeout=1\nif search -s -f /boot/grub/grub.cfg; then\n  terminal_output console\n"
                          "  configfile /boot/grub/grub.cfg\nfi\n",
        }, &b));
        expect_error(&b, STAGE1_X86_64, "embedded config line 3: `terminal_output' is not modelled");
        blob_free(&b);
        CHECK(build(&(Image) {
                .format = "x86_64-xen",
                .config = "normal (memdisk)/grub.cfg\n",
                .memdisk = (const char *const[]) { "grub.cfg", "\nsearch --fs-uuid -s 1234\n", NULL },
        }, &b));
        expect_error(&b, STAGE1_X86_64, "memdisk grub.cfg line 2: `search' is not modelled");
        blob_free(&b);
        CHECK(build(&(Image) {
                .format = "x86_64-xen",
                .config = "normal (memdisk)/missing.cfg\n",
                .memdisk = (const char *const[]) { "grub.cfg", "", NULL },
        }, &b));
        expect_error(&b, STAGE1_X86_64, "reads (memdisk)/missing.cfg, which its memdisk does not hold");
        blob_free(&b);
        CHECK(build(&(Image) { .format = "x86_64-xen", .config = "normal (memdisk)/grub.cfg\n" }, &b));
        expect_error(&b, STAGE1_X86_64, "and has no memdisk");
        blob_free(&b);
        CHECK(build(&(Image) { .format = "x86_64-xen", .prefix = "(hd0,msdos1)/boot/grub" }, &b));
        expect_error(&b, STAGE1_X86_64, "names a device other than (memdisk)");
        blob_free(&b);

        /* The config bounds: embedded, and in the memdisk. */
        {
                size_t big = STAGE1_MAX_CONFIG + 100;
                char *text = malloc(big + 1);
                CHECK(text);
                memset(text, '#', big);
                text[big] = 0;
                for (size_t i = 79; i < big; i += 80)
                        text[i] = '\n';
                CHECK(build(&(Image) { .format = "x86_64-xen", .config = text }, &b));
                expect_error(&b, STAGE1_X86_64, "embedded config is");
                expect_error(&b, STAGE1_X86_64, "above the 65536-byte bound");
                blob_free(&b);
                CHECK(build(&(Image) {
                        .format = "x86_64-xen",
                        .config = "normal (memdisk)/grub.cfg\n",
                        .memdisk = (const char *const[]) { "grub.cfg", text, NULL },
                }, &b));
                expect_error(&b, STAGE1_X86_64, "memdisk grub.cfg is");
                blob_free(&b);
                free(text);
        }
}

/* Where things are in a built image, found independently of the reader. */
typedef struct Layout {
        uint64_t mods, mods_size;       /* the section */
        uint64_t first_object;          /* file offset of the first object header */
        uint64_t memdisk, config;       /* file offsets of their object headers, 0: none */
        bool is64;
} Layout;

static void layout(const Blob *b, Layout *ret) {
        ByteSource s;
        *ret = (Layout) { .is64 = b->data[4] == 2 };
        byte_source_from_buffer(&s, b->data, b->len);
        CHECK_EQ(elf_find_section(&s, "mods", &ret->mods, &ret->mods_size), 0);
        uint64_t off = ret->is64 ? get64(b->data + ret->mods + 8) : get32(b->data + ret->mods + 4);
        uint64_t area = ret->is64 ? get64(b->data + ret->mods + 16) : get32(b->data + ret->mods + 8);
        ret->first_object = ret->mods + off;
        for (uint64_t p = off; p < area;) {
                uint32_t type = get32(b->data + ret->mods + p), size = get32(b->data + ret->mods + p + 4);
                if (type == STAGE1_OBJ_MEMDISK)
                        ret->memdisk = ret->mods + p;
                if (type == STAGE1_OBJ_CONFIG)
                        ret->config = ret->mods + p;
                p += (size + (ret->is64 ? 7u : 3u)) & ~(uint64_t) (ret->is64 ? 7 : 3);
        }
}

static Blob copy(const Blob *b) {
        Blob c = blob_zero(b->len);
        memcpy(c.data, b->data, b->len);
        return c;
}

/* A ustar header's checksum, recomputed after a change. */
static void tar_fix_sum(unsigned char *h) {
        unsigned sum = 0;
        memset(h + 148, ' ', 8);
        for (unsigned i = 0; i < 512; i++)
                sum += h[i];
        snprintf((char *) h + 148, 8, "%06o", sum);
}

static void test_hostile(void) {
        Blob good, b;
        Layout lo;

        CHECK(build(&debian_like, &good));
        layout(&good, &lo);
        CHECK(lo.memdisk && lo.config);

        /* Not an ELF, empty, too large. */
        b = blob_zero(0);
        blob_append(&b, "#!/bin/sh\necho this is no stage 1\n", 35);
        expect_error(&b, STAGE1_I386, "not a Xen PV image: not an ELF file");
        b.len = 0;
        expect_error(&b, STAGE1_I386, "not an ELF file");
        blob_free(&b);
        {
                ByteSource s;
                SearchList l;
                char why[256];
                byte_source_from_buffer(&s, good.data, good.len);
                s.size = (uint64_t) STAGE1_MAX_IMAGE + 1;
                CHECK_EQ(stage1_read(&s, STAGE1_I386, "IMG", &l, why, sizeof(why)), -EFBIG);
                CHECK(strstr(why, "above the 64 MiB bound"));
        }

        /* Cut short anywhere: always an error (the Xen notes sit at the end). */
        const uint64_t cuts[] = { 4, 16, 51, 52, 100, 300, lo.mods, lo.mods + 4, lo.mods + 11, lo.first_object + 4,
                                  lo.first_object + 100, lo.memdisk + 8, lo.memdisk + 600, lo.config + 4,
                                  good.len / 2, good.len - 200, good.len - 1 };
        for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
                SearchList l;
                char why[512];
                b = copy(&good);
                b.len = (size_t) cuts[i];
                CHECK(read_list(&b, STAGE1_I386, &l, why, sizeof(why)) < 0);
                blob_free(&b);
        }

        /* The module area's header. */
        b = copy(&good);
        put32(b.data + lo.mods, 0x12345678);
        expect_error(&b, STAGE1_I386, "no GRUB module area (magic 0x12345678)");
        blob_free(&b);
        b = copy(&good);
        put32(b.data + lo.mods + 8, (uint32_t) lo.mods_size + 1);       /* area past its section */
        expect_error(&b, STAGE1_I386, "lies outside its");
        blob_free(&b);
        b = copy(&good);
        put32(b.data + lo.mods + 4, 0xfffffff0);                        /* first object past the area */
        expect_error(&b, STAGE1_I386, "lies outside its");
        blob_free(&b);

        /* Object sizes: wrapping, short of a header, one past the area. */
        const uint32_t bad_sizes[] = { 0xffffffff, 0xfffffff9, 0, 7 };
        for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
                b = copy(&good);
                put32(b.data + lo.first_object + 4, bad_sizes[i]);
                expect_error(&b, STAGE1_I386, "past its module area");
                blob_free(&b);
        }
        b = copy(&good);
        put32(b.data + lo.memdisk + 4, (uint32_t) (lo.mods + lo.mods_size - lo.memdisk + 4));
        expect_error(&b, STAGE1_I386, "past its module area");
        blob_free(&b);

        /* A module that is no ELF. */
        b = copy(&good);
        memcpy(b.data + lo.first_object + 8, "XELF", 4);
        expect_error(&b, STAGE1_I386, "object 0 is no GRUB module");
        blob_free(&b);

        /* More objects than the bound: the area rewritten as 8-byte objects of an ignored type. */
        b = copy(&good);
        {
                uint64_t area = get32(b.data + lo.mods + 8), start = lo.first_object - lo.mods;
                CHECK(area - start >= 8 * (STAGE1_MAX_OBJECTS + 1));
                for (uint64_t p = start; p + 8 <= area; p += 8) {
                        put32(b.data + lo.mods + p, 5);         /* OBJ_TYPE_DTB */
                        put32(b.data + lo.mods + p + 4, 8);
                }
        }
        expect_error(&b, STAGE1_I386, "more than 1024 objects");
        blob_free(&b);

        /* The memdisk archive: sizes past it, non-octal, base-256, bad checksum, no ustar. */
        unsigned char *h = NULL;
#define TAR_CASE(mutate, fix, fragment)                                                  \
        do {                                                                             \
                b = copy(&good);                                                         \
                h = b.data + lo.memdisk + 8;                                             \
                mutate;                                                                  \
                if (fix)                                                                 \
                        tar_fix_sum(h);                                                  \
                expect_error(&b, STAGE1_I386, fragment);                                 \
                blob_free(&b);                                                           \
        } while (0)
        TAR_CASE(memcpy(h + 124, "77777777777", 11), true, "runs past the memdisk");
        TAR_CASE(memcpy(h + 124, "00000100000", 11), true, "runs past the memdisk");
        TAR_CASE(memcpy(h + 124, "0000000x000", 11), true, "has a bad header");
        TAR_CASE((h[124] = 0x80, memset(h + 125, 0xff, 11)), true, "has a bad header");
        TAR_CASE(h[0] ^= 1, false, "has a bad header");
        TAR_CASE(memcpy(h + 257, "xxxxx", 5), true, "is not a ustar archive");
        TAR_CASE(h[156] = 'L', true, "extended header");
        TAR_CASE(h[156] = '5', true, "which its memdisk does not hold");   /* grub.cfg a directory */
#undef TAR_CASE
        (void) h;

        /* The embedded config turned into an object of another type: GRUB
         * goes to normal mode on the prefix's grub.cfg, which the memdisk
         * lacks, and searches nothing. */
        b = copy(&good);
        put32(b.data + lo.config, 5);
        expect_list(&b, STAGE1_I386, "nothing", "IMG: no config", NULL);
        blob_free(&b);
        blob_free(&good);
}

int main(void) {
        char *t = getenv("TMPDIR");
        bool debian;

        debian = test_debian();
        mkimage = getenv("GRUB_MKIMAGE");
        if (!mkimage || !*mkimage || access(mkimage, X_OK) < 0) {
                fprintf(stderr, "GRUB_MKIMAGE unset or not executable: built images not tested\n");
                return debian ? 0 : EXIT_TEST_SKIP;
        }
        snprintf(dir, sizeof(dir), "%s/test-stage1-XXXXXX", t && *t ? t : "/tmp");
        CHECK(mkdtemp(dir));
        atexit(cleanup);
        Blob probe = {};
        if (!build(&(Image) { .format = "x86_64-xen" }, &probe)) {
                fprintf(stderr, "grub-mkimage cannot build x86_64-xen images here: built images not tested\n");
                return debian ? 0 : EXIT_TEST_SKIP;
        }
        blob_free(&probe);
        test_built();
        test_hostile();
        return 0;
}
