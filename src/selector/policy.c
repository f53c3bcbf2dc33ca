/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin's policy for an inspection (see policy.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/policy.h"
#include "selector/stage1.h"
#include "shared/fd-util.h"
#include "shared/macro.h"

static const char *const mode_names[_MODE_MAX] = {
        [MODE_PV] = "pv",
        [MODE_PVH] = "pvh",
        [MODE_PVSHIM] = "pvshim",
};

const char *decision_mode_to_string(DecisionMode m) {
        return m < _MODE_MAX ? mode_names[m] : "unknown";
}

int decision_mode_from_string(const char *s) {
        for (int m = 0; s && m < _MODE_MAX; m++)
                if (strcmp(s, mode_names[m]) == 0)
                        return m;
        return -EINVAL;
}

bool policy_format_valid(const char *s) {
        /* libguestfs and qemu take plain identifiers: keep to those. */
        return s && *s && strlen(s) <= POLICY_FORMAT_MAX &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(s);
}

void policy_init(Policy *p) {
        *p = (Policy) { .mode = MODE_PV, .timeout_sec = TIMEOUT_DEFAULT };
        snprintf(p->format, sizeof(p->format), "raw");
        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++)
                search_list_spec_default(k, "no stage 1 read", &p->search[k]);
}

int policy_set_search(Policy *p, Stage1Kind k, const SearchList *l) {
        if ((unsigned) k >= _STAGE1_KIND_MAX || search_list_check(l, k) < 0)
                return -EINVAL;
        p->search[k] = *l;
        return 0;
}

bool policy_uses_stage1(const Policy *p, Stage1Kind k) {
        return p->mode == MODE_PVH ? k == STAGE1_PVH : k != STAGE1_PVH;
}

const char *policy_chainload_path(const Policy *p, PvArch a, uint32_t index) {
        Stage1Kind k = stage1_kind_of_arch(a);
        const SearchList *l;

        if (k == _STAGE1_KIND_MAX)
                return NULL;
        l = &p->search[k];
        if (index >= l->n || index >= SEARCH_MAX_ENTRIES || l->entries[index].action != SEARCH_CHAINLOAD)
                return NULL;
        return l->entries[index].path;
}

/*
 * An image read through a window of its bytes: the reader's walk is
 * forward and small-stepped (four reads per module), so one pread(2)
 * serves many reads (1.7 ms of 2000 syscalls per PV decision without it).
 */
#define IMAGE_WINDOW (256u << 10)
typedef struct ImageFile {
        int fd;
        uint64_t at;            /* file offset of window[0] */
        size_t have;
        unsigned char window[IMAGE_WINDOW];
} ImageFile;

static int image_read(void *userdata, uint64_t offset, void *buf, size_t len) {
        ImageFile *f = userdata;
        ssize_t n;

        if (len > IMAGE_WINDOW) {
                n = loop_pread(f->fd, buf, len, offset);
                return n < 0 ? (int) n : (size_t) n == len ? 0 : -EBADMSG;     /* shorter than it was */
        }
        if (offset < f->at || offset + len > f->at + f->have) {
                n = loop_pread(f->fd, f->window, IMAGE_WINDOW, offset);
                if (n < 0)
                        return (int) n;
                f->at = offset;
                f->have = (size_t) n;
                if (f->have < len)
                        return -EBADMSG;
        }
        memcpy(buf, f->window + (offset - f->at), len);
        return 0;
}

/* One image: 0 with its list, or -errno with why. */
static int read_one(const char *path, Stage1Kind k, SearchList *ret, char *why, size_t whysz) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        static ImageFile file;  /* 256 KiB: off the stack; one image at a time */
        struct stat st;

        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = -errno;
                snprintf(why, whysz, "%s", strerror(-r));
                return r;
        }
        if (!S_ISREG(st.st_mode)) {
                snprintf(why, whysz, "not a regular file");
                return -EINVAL;
        }
        file.fd = fd;
        file.at = 0;
        file.have = 0;
        ByteSource src = { .size = (uint64_t) st.st_size, .read = image_read, .userdata = &file };
        return stage1_read(&src, k, path, ret, why, whysz);
}

int policy_read_search(Policy *p, const char *const paths[_STAGE1_KIND_MAX], int ret_status[_STAGE1_KIND_MAX]) {
        int fell_back = 0;

        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                char why[512], reason[1024];
                int r = -ENOENT;

                if (ret_status)
                        ret_status[k] = 0;
                if (!policy_uses_stage1(p, k)) {
                        snprintf(reason, sizeof(reason), "not used in mode %s", decision_mode_to_string(p->mode));
                        search_list_spec_default(k, reason, &p->search[k]);
                        continue;
                }
                if (paths[k] && (r = read_one(paths[k], k, &p->search[k], why, sizeof(why))) == 0)
                        continue;
                if (ret_status)
                        ret_status[k] = r;
                snprintf(reason, sizeof(reason), "%s: %s", paths[k] ? paths[k] : "no image", paths[k] ? why : "");
                search_list_spec_default(k, reason, &p->search[k]);
                fell_back++;
        }
        return fell_back;
}

int policy_set_mode(Policy *p, const char *name) {
        int m = decision_mode_from_string(name);
        if (m < 0)
                return m;
        p->mode = (DecisionMode) m;
        return 0;
}

static int width(const char *name, PvArch *ret) {
        PvArch a = pv_arch_from_string(name);
        if (a != PV_ARCH_I386 && a != PV_ARCH_X86_64)
                return -EINVAL;
        *ret = a;
        return 0;
}

int policy_set_force_arch(Policy *p, const char *name) {
        return width(name, &p->force_arch);
}

int policy_set_prefer(Policy *p, const char *name) {
        return width(name, &p->prefer);
}

int policy_set_format(Policy *p, const char *name) {
        if (!policy_format_valid(name))
                return -EINVAL;
        snprintf(p->format, sizeof(p->format), "%s", name);
        return 0;
}

int policy_set_timeout(Policy *p, unsigned long sec) {
        if (sec < TIMEOUT_MIN || sec > TIMEOUT_MAX)
                return -ERANGE;
        p->timeout_sec = (unsigned) sec;
        return 0;
}

int policy_set_host_caps(Policy *p, const char *caps, const char *source) {
        HostCaps h;
        if (!caps || host_caps_parse(caps, source, &h) < 0)
                return -EINVAL;
        p->host = h;
        p->host_given = true;
        return 0;
}

int policy_read_host(Policy *p) {
        if (p->host_given)
                return 0;
        return host_caps_read(&p->host);
}

int policy_check(const Policy *p) {
        /* The PVH stage 1 has one width: a width forced on it means nothing. */
        if (p->mode == MODE_PVH && p->force_arch != PV_ARCH_NONE)
                return -EINVAL;
        return 0;
}
