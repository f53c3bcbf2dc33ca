/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The admin's policy for an inspection (see policy.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/policy.h"
#include "selector/stage1-file.h"
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

/* One image: 0 with its list, or -errno with why; *ret_digest says
 * which bytes the list was read from (stage1-file.h). */
static int read_one(const char *path, Stage1Kind k, SearchList *ret, Stage1Digest *ret_digest, char *why,
                    size_t whysz) {
        _cleanup_free_ uint8_t *bytes = NULL;
        size_t size = 0;
        ByteSource src;
        int r;

        r = stage1_file_load(path, &bytes, &size, ret_digest);
        if (r == -EINVAL)
                snprintf(why, whysz, "not a regular file");
        else if (r == -EFBIG)
                snprintf(why, whysz, "larger than %u MiB", STAGE1_MAX_IMAGE >> 20);
        else if (r < 0)
                snprintf(why, whysz, "%s", strerror(-r));
        if (r < 0)
                return r;
        byte_source_from_buffer(&src, bytes, size);
        return stage1_read(&src, k, path, ret, why, whysz);
}

int policy_read_search(Policy *p, const char *const paths[_STAGE1_KIND_MAX], int ret_status[_STAGE1_KIND_MAX],
                       Stage1Digest ret_digest[_STAGE1_KIND_MAX]) {
        int fell_back = 0;

        for (Stage1Kind k = 0; k < _STAGE1_KIND_MAX; k++) {
                char why[512], reason[1024];
                Stage1Digest ignored, *digest = ret_digest ? &ret_digest[k] : &ignored;
                int r = -ENOENT;

                *digest = (Stage1Digest) { .known = false };
                if (ret_status)
                        ret_status[k] = 0;
                if (!policy_uses_stage1(p, k)) {
                        snprintf(reason, sizeof(reason), "not used in mode %s", decision_mode_to_string(p->mode));
                        search_list_spec_default(k, reason, &p->search[k]);
                        continue;
                }
                if (paths[k] && (r = read_one(paths[k], k, &p->search[k], digest, why, sizeof(why))) == 0)
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
