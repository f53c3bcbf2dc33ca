/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bare-find DISK FORMAT: the simplest correct libguestfs program that does
 * what pvboot-select's appliance does, the benchmark's floor: add the disk
 * read-only with an explicit format, launch (TCG, as pvboot-select must
 * here), list the filesystems (LVs included), mount each read-only and
 * look for the pvboot ELFs where a root filesystem (/boot/xen) or a
 * separate /boot (/xen) keeps them.  Prints DEVICE:PATH per ELF found.
 * Exit 0 when at least one was found, 1 otherwise.
 *
 * Everything else is libguestfs's defaults (memory, vCPUs, its own
 * appliance cache); nothing is validated, no sandbox, no daemon.
 */
#include <guestfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_strings(char **v) {
        for (size_t i = 0; v && v[i]; i++)
                free(v[i]);
        free(v);
}

int main(int argc, char **argv) {
        static const char *const patterns[] = { "/boot/xen/pvboot-*.elf", "/xen/pvboot-*.elf" };
        char *settings[] = { "force_tcg", NULL };
        guestfs_h *g;
        char **fs;
        int found = 0;

        if (argc != 3) {
                fprintf(stderr, "usage: bare-find DISK FORMAT\n");
                return 2;
        }
        g = guestfs_create();
        if (!g) {
                perror("guestfs_create");
                return 1;
        }
        if (guestfs_set_backend(g, "direct") < 0 || guestfs_set_backend_settings(g, settings) < 0 ||
            guestfs_add_drive_opts(g, argv[1], GUESTFS_ADD_DRIVE_OPTS_FORMAT, argv[2],
                                   GUESTFS_ADD_DRIVE_OPTS_READONLY, 1, -1) < 0 ||
            guestfs_launch(g) < 0)
                goto fail;
        fs = guestfs_list_filesystems(g);
        if (!fs)
                goto fail;
        for (size_t i = 0; fs[i] && fs[i + 1]; i += 2) {
                if (!strcmp(fs[i + 1], "swap") || !strcmp(fs[i + 1], "unknown"))
                        continue;
                if (guestfs_mount_ro(g, fs[i], "/") < 0)
                        continue;       /* said on stderr; the others may still hold it */
                for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
                        char **hits = guestfs_glob_expand(g, patterns[p]);
                        for (size_t h = 0; hits && hits[h]; h++, found++)
                                printf("%s:%s\n", fs[i], hits[h]);
                        free_strings(hits);
                }
                if (guestfs_umount(g, "/") < 0) {
                        free_strings(fs);
                        goto fail;
                }
        }
        free_strings(fs);
        if (guestfs_shutdown(g) < 0)
                goto fail;
        guestfs_close(g);
        return found ? 0 : 1;
fail:
        guestfs_close(g);
        return 1;
}
