/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GRUB-like symlink resolution inside one filesystem (see guest-path.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probe/guest-path.h"
#include "pvboot-select.h"

/* The part of the path still to walk, as one string we consume from the
 * front; symlink targets are spliced in ahead of what remains. */
static int splice(char *todo, const char *target, const char *rest) {
        size_t tl = strlen(target), rl = strlen(rest);
        char tmp[PVBOOT_MAX_GUEST_PATH + 1];

        if (tl + 1 + rl > PVBOOT_MAX_GUEST_PATH)
                return -ENAMETOOLONG;
        memcpy(tmp, target, tl);
        tmp[tl] = '/';
        memcpy(tmp + tl + 1, rest, rl + 1);
        memcpy(todo, tmp, tl + 1 + rl + 1);
        return 0;
}

int guest_path_resolve(const GuestFsOps *ops, const char *path, char **ret_path, GuestStat *ret_st) {
        char todo[PVBOOT_MAX_GUEST_PATH + 1], cur[PVBOOT_MAX_GUEST_PATH + 1];
        GuestStat st = { .type = GUEST_FILE_DIRECTORY };
        unsigned links = 0;
        size_t curlen = 0;
        char *p;
        int r;

        if (!path || path[0] != '/')
                return -EINVAL;
        if (strlen(path) > PVBOOT_MAX_GUEST_PATH)
                return -ENAMETOOLONG;
        strcpy(todo, path);
        cur[0] = 0;     /* "" is the root; components are appended as "/name" */

        p = todo;
        for (;;) {
                char comp[PVBOOT_MAX_GUEST_PATH + 1], next[PVBOOT_MAX_GUEST_PATH + 1];
                size_t cl;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                cl = strcspn(p, "/");
                memcpy(comp, p, cl);
                comp[cl] = 0;
                p += cl;

                /* GRUB checks for a directory before it looks at the
                 * name, so "file/.." and "file/." fail like "file/x". */
                if (st.type != GUEST_FILE_DIRECTORY)
                        return -ENOTDIR;
                if (strcmp(comp, ".") == 0)
                        continue;
                if (strcmp(comp, "..") == 0) {
                        char *slash = strrchr(cur, '/');
                        if (slash)
                                *slash = 0;     /* at the root, ".." stays there */
                        curlen = strlen(cur);
                        st.type = GUEST_FILE_DIRECTORY;
                        continue;
                }

                if (curlen + 1 + cl > PVBOOT_MAX_GUEST_PATH)
                        return -ENAMETOOLONG;
                memcpy(next, cur, curlen);
                next[curlen] = '/';
                memcpy(next + curlen + 1, comp, cl + 1);

                r = ops->lstat(ops->userdata, next, &st);
                if (r < 0)
                        return r;

                if (st.type == GUEST_FILE_SYMLINK) {
                        char *target = NULL;
                        size_t tl;

                        /* grub-core/fs/fshelp.c gives up when its nesting
                         * count reaches 8: at most 7 links are followed. */
                        if (++links >= PVBOOT_MAX_SYMLINKS)
                                return -ELOOP;
                        r = ops->readlink(ops->userdata, next, &target);
                        if (r < 0)
                                return r;
                        tl = strlen(target);
                        if (tl == 0) {
                                free(target);
                                return -ENOENT;
                        }
                        if (tl > PVBOOT_MAX_GUEST_PATH) {
                                free(target);
                                return -ENAMETOOLONG;
                        }
                        if (target[0] == '/')
                                cur[0] = 0, curlen = 0;
                        /* Relative targets resolve against cur, which is
                         * still the link's directory. */
                        r = splice(todo, target, p);
                        free(target);
                        if (r < 0)
                                return r;
                        p = todo;
                        st.type = GUEST_FILE_DIRECTORY;
                        continue;
                }

                memcpy(cur, next, curlen + 1 + cl + 1);
                curlen += 1 + cl;
        }

        if (curlen == 0) {
                /* The root itself: a directory. */
                cur[0] = '/';
                cur[1] = 0;
                st.type = GUEST_FILE_DIRECTORY;
                st.size = 0;
        }
        *ret_path = strdup(cur);
        if (!*ret_path)
                return -ENOMEM;
        *ret_st = st;
        return 0;
}
