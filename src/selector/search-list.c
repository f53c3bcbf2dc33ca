/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a stage 1 searches (see search-list.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pvboot-agent.h"
#include "selector/search-list.h"
#include "shared/text.h"

static const char *const kind_names[_STAGE1_KIND_MAX] = {
        [STAGE1_X86_64] = "x86_64",
        [STAGE1_I386] = "i386",
        [STAGE1_PVH] = "pvh",
};

const char *stage1_kind_to_string(Stage1Kind k) {
        return (unsigned) k < _STAGE1_KIND_MAX ? kind_names[k] : "unknown";
}

int stage1_kind_from_string(const char *s) {
        for (int k = 0; s && k < _STAGE1_KIND_MAX; k++)
                if (strcmp(s, kind_names[k]) == 0)
                        return k;
        return -EINVAL;
}

Stage1Kind stage1_kind_of_arch(PvArch a) {
        return a == PV_ARCH_X86_64 ? STAGE1_X86_64 : a == PV_ARCH_I386 ? STAGE1_I386 : _STAGE1_KIND_MAX;
}

const char *search_action_to_string(SearchAction a) {
        return a == SEARCH_CHAINLOAD ? "chainload" : a == SEARCH_CONFIG ? "config" : "unknown";
}

void search_list_set_origin(SearchList *l, const char *origin) {
        /* Escaped once: a printable origin stays as it is, so that a list
         * rebuilt from its own bytes (search_list_check) is the same. */
        char safe[SEARCH_ORIGIN_MAX], copy[SEARCH_ORIGIN_MAX];

        snprintf(copy, sizeof(copy), "%s", text_printable(origin, strlen(origin) + 1, safe, sizeof(safe)));
        memset(l->origin, 0, sizeof(l->origin));
        memcpy(l->origin, copy, strlen(copy) + 1);
}

void search_list_init(SearchList *l, bool from_image, const char *origin) {
        memset(l, 0, sizeof(*l));
        l->from_image = from_image;
        search_list_set_origin(l, origin);
}

/*
 * A path the stage 1 names and the worker looks up: absolute, printable,
 * short, and plain: no "." or ".." component (GRUB hands those to the
 * filesystem driver, whose answers differ by filesystem), no device or
 * variable syntax (the reader resolves those, or gives up).
 */
bool search_path_valid(const char *path) {
        size_t len;

        if (!path || path[0] != '/')
                return false;
        len = strnlen(path, SEARCH_PATH_MAX);
        if (len >= SEARCH_PATH_MAX || !text_is_printable(path, SEARCH_PATH_MAX))
                return false;
        if (strpbrk(path, "$()\\"))
                return false;
        for (const char *c = path; c; c = strchr(c + 1, '/')) {
                size_t n = strcspn(c + 1, "/");
                if ((n == 1 && c[1] == '.') || (n == 2 && c[1] == '.' && c[2] == '.'))
                        return false;
        }
        return true;
}

int search_list_add(SearchList *l, Stage1Kind kind, SearchAction action, const char *path) {
        if ((action != SEARCH_CHAINLOAD && action != SEARCH_CONFIG) || !search_path_valid(path))
                return -EINVAL;
        /* The PVH stage 1 boots a guest by its grub.cfg only: what its
         * `multiboot` would load is no PV kernel, and nothing here judges it. */
        if (kind == STAGE1_PVH && action == SEARCH_CHAINLOAD)
                return -EINVAL;
        if (l->n >= SEARCH_MAX_ENTRIES)
                return -E2BIG;
        l->entries[l->n].action = action;
        memcpy(l->entries[l->n].path, path, strlen(path) + 1);
        l->n++;
        return 0;
}

void search_list_spec_default(Stage1Kind kind, const char *reason, SearchList *ret) {
        char origin[SEARCH_ORIGIN_MAX];

        snprintf(origin, sizeof(origin), "spec default: %s", reason);
        search_list_init(ret, false, origin);
        if (kind == STAGE1_X86_64 || kind == STAGE1_I386) {
                const char *w = kind == STAGE1_X86_64 ? "x86_64" : "i386";
                char p[SEARCH_PATH_MAX];
                snprintf(p, sizeof(p), "/boot/xen/pvboot-%s.elf", w);
                (void) search_list_add(ret, kind, SEARCH_CHAINLOAD, p);
                snprintf(p, sizeof(p), "/xen/pvboot-%s.elf", w);
                (void) search_list_add(ret, kind, SEARCH_CHAINLOAD, p);
        }
        (void) search_list_add(ret, kind, SEARCH_CONFIG, "/boot/grub/grub.cfg");
        (void) search_list_add(ret, kind, SEARCH_CONFIG, "/grub/grub.cfg");
}

static bool zero_after_nul(const char *s, size_t size) {
        const char *nul = memchr(s, 0, size);
        if (!nul)
                return false;
        for (const char *c = nul; c < s + size; c++)
                if (*c)
                        return false;
        return true;
}

int search_list_check(const SearchList *l, Stage1Kind kind) {
        SearchList copy;

        if ((unsigned) kind >= _STAGE1_KIND_MAX || l->n > SEARCH_MAX_ENTRIES || l->from_image > 1 ||
            l->modules_known > 1 || (!l->modules_known && l->modules) ||
            !zero_after_nul(l->origin, sizeof(l->origin)) || !text_is_printable(l->origin, sizeof(l->origin)))
                return -EBADMSG;
        for (unsigned i = SEARCH_MAX_MODULES; i-- > 0;)
                if ((l->modules >> i & 1) && !search_module_name(i))
                        return -EBADMSG;
        /* Rebuilt by the one set of rules, it must come out the same bytes. */
        search_list_init(&copy, l->from_image, l->origin);
        copy.modules_known = l->modules_known;
        copy.modules = l->modules;
        for (uint32_t i = 0; i < l->n; i++) {
                if (!zero_after_nul(l->entries[i].path, sizeof(l->entries[i].path)) ||
                    search_list_add(&copy, kind, (SearchAction) l->entries[i].action, l->entries[i].path) < 0)
                        return -EBADMSG;
        }
        return memcmp(&copy, l, sizeof(copy)) == 0 ? 0 : -EBADMSG;
}

/*
 * The modules.  Filesystems by blkid's type names as the agent reports
 * them (it says ext4 for ext2/3/4 alike: GRUB's ext2 reads all three);
 * then what partitions and volumes need, shown in the evidence.
 */
static const struct {
        const char *fstype;
        const char *module;
} fs_modules[] = {
        { "ext2", "ext2" },
        { "ext3", "ext2" },
        { "ext4", "ext2" },
        { "xfs", "xfs" },
        { "btrfs", "btrfs" },
        { "vfat", "fat" },
        { "exfat", "exfat" },
        { "ntfs", "ntfs" },
        { "iso9660", "iso9660" },
        { "udf", "udf" },
        { "jfs", "jfs" },
        { "reiserfs", "reiserfs" },
        { "f2fs", "f2fs" },
        { "hfsplus", "hfsplus" },
        { "hfs", "hfs" },
        { "squashfs", "squash4" },
        { "nilfs2", "nilfs2" },
        { "zfs", "zfs" },               /* the agent reads pools through GRUB's own driver */
        { "zfs_member", "zfs" },
        { "minix", "minix" },
};

static const char *const modules[] = {
        "ext2", "xfs", "btrfs", "fat", "exfat", "ntfs", "iso9660", "udf", "jfs", "reiserfs", "f2fs",
        "hfsplus", "hfs", "squash4", "nilfs2", "zfs", "minix",
        /* partitions and volumes */
        "part_msdos", "part_gpt", "lvm", "mdraid09", "mdraid1x", "diskfilter", "raid5rec", "raid6rec",
        /* the blscfg command (grub-script.h): Fedora's patch, then GRUB 2.14's */
        "blscfg", "blsuki",
};
_Static_assert(sizeof(modules) / sizeof(modules[0]) <= SEARCH_MAX_MODULES, "modules fit the mask");

const char *search_module_name(unsigned i) {
        return i < sizeof(modules) / sizeof(modules[0]) ? modules[i] : NULL;
}

int search_module_index(const char *name) {
        for (unsigned i = 0; name && i < sizeof(modules) / sizeof(modules[0]); i++)
                if (strcmp(name, modules[i]) == 0)
                        return (int) i;
        return -ENOENT;
}

const char *search_fs_module(const char *fstype) {
        for (size_t i = 0; fstype && i < sizeof(fs_modules) / sizeof(fs_modules[0]); i++)
                if (strcmp(fstype, fs_modules[i].fstype) == 0)
                        return fs_modules[i].module;
        return NULL;
}

static void append(char *buf, size_t size, const char *s);

/* What each layer needs, in the order a missing one is named: from the
 * disk up (GRUB's grub-probe: probe_partmap, probe_abstraction). */
static const struct {
        uint32_t via;
        const char *module;
} via_modules[] = {
        { AGENT_VIA_PART_MSDOS, "part_msdos" },
        { AGENT_VIA_PART_GPT, "part_gpt" },
        { AGENT_VIA_MD_METADATA, "diskfilter" },
        { AGENT_VIA_MD_090, "mdraid09" },
        { AGENT_VIA_MD_1X, "mdraid1x" },
        { AGENT_VIA_MD_RAID5, "raid5rec" },
        { AGENT_VIA_MD_RAID6, "raid6rec" },
        { AGENT_VIA_LVM, "lvm" },
};

static uint64_t module_bit(const char *name) {
        int i = search_module_index(name);
        return i < 0 ? 0 : UINT64_C(1) << i;
}

void search_device_describe(const char *fstype, uint32_t via, char *buf, size_t size) {
        const char *fs = search_fs_module(fstype);

        if (size == 0)
                return;
        buf[0] = 0;
        if (fs)
                append(buf, size, fs);
        for (size_t i = 0; i < sizeof(via_modules) / sizeof(via_modules[0]); i++) {
                /* diskfilter once, whatever the md metadata */
                if (!(via & via_modules[i].via) || strstr(buf, via_modules[i].module))
                        continue;
                if (buf[0])
                        append(buf, size, " ");
                append(buf, size, via_modules[i].module);
        }
}

bool search_list_can_read(const SearchList *l, const char *fstype, uint32_t via, const char **ret_missing) {
        const char *fs = search_fs_module(fstype);
        const char *missing = NULL;

        if (l->modules_known) {
                if (fs && !(l->modules & module_bit(fs)))
                        missing = fs;
                for (size_t i = 0; !missing && i < sizeof(via_modules) / sizeof(via_modules[0]); i++)
                        if ((via & via_modules[i].via) && !(l->modules & module_bit(via_modules[i].module)))
                                missing = via_modules[i].module;
        }
        if (ret_missing)
                *ret_missing = missing;
        return !missing;
}

int search_list_has_blscfg(const SearchList *l) {
        if (!l->modules_known)
                return -ENODATA;
        return ((l->modules >> search_module_index("blscfg")) & 1) || ((l->modules >> search_module_index("blsuki")) & 1);
}

/* Append to buf as far as it fits; a cut ends in "...". */
static void append(char *buf, size_t size, const char *s) {
        size_t len = strlen(buf), n = strlen(s);

        if (len + n < size) {
                memcpy(buf + len, s, n + 1);
                return;
        }
        if (size >= 4 && len + 3 < size) {
                size_t keep = size - 4 - len;
                memcpy(buf + len, s, keep);
                memcpy(buf + len + keep, "...", 4);
        } else if (size >= 4)
                memcpy(buf + size - 4, "...", 4);
}

void search_list_describe(const SearchList *l, char *buf, size_t size) {
        if (size == 0)
                return;
        buf[0] = 0;
        if (l->n == 0)
                append(buf, size, "nothing");
        for (uint32_t i = 0; i < l->n && i < SEARCH_MAX_ENTRIES; i++) {
                if (i > 0)
                        append(buf, size, ", ");
                append(buf, size, search_action_to_string((SearchAction) l->entries[i].action));
                append(buf, size, " ");
                append(buf, size, l->entries[i].path);
        }
}

static void modules_describe(uint64_t mask, char *buf, size_t size) {
        if (size == 0)
                return;
        buf[0] = 0;
        for (unsigned i = 0; search_module_name(i); i++)
                if ((mask >> i) & 1) {
                        if (buf[0])
                                append(buf, size, " ");
                        append(buf, size, search_module_name(i));
                }
        if (!buf[0])
                append(buf, size, "none");
}

void search_list_describe_modules(const SearchList *l, char *buf, size_t size) {
        if (size == 0)
                return;
        if (!l->modules_known) {
                buf[0] = 0;
                append(buf, size, "unknown");
                return;
        }
        modules_describe(l->modules, buf, size);
}
