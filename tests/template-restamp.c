/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * template-restamp: the e2e's (tests/e2e/run.sh) way to carry a template
 * into its dom0.  The template is captured on the outer machine in a
 * chroot of the dom0 image, with dom0's own qemu, kernel and libguestfs;
 * its key names the host boot and the inodes of qemu, template-qemu and
 * libguestfs.so, and all four differ in dom0, which then refuses it.
 * This computes the key with template.c's own template_key() (no second
 * copy of its rules to drift) for the installed pvboot-select:
 *
 *   template-restamp text      the key's input, one part per line
 *   template-restamp key       its SHA-256
 *   template-restamp restamp   write this host's key into the template's
 *                              meta; nothing else changes, and
 *                              template_open() still checks every file's
 *                              owner, mode and digest
 *
 * Test-only, never installed: the product never takes a template from
 * another boot (template.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe/template.h"
#include "probe/worker.h"

static int restamp(const TemplateConfig *tc, const char *key) {
        char path[4200], tmp[4300], meta[4096], out[4200];
        FILE *f;
        size_t n;
        char *k;

        snprintf(path, sizeof(path), "%s/template/meta", tc->dir);
        snprintf(tmp, sizeof(tmp), "%s.new", path);
        f = fopen(path, "re");
        if (!f)
                return -errno;
        n = fread(meta, 1, sizeof(meta) - 1, f);
        fclose(f);
        meta[n] = 0;
        /* "key <64 hex>\n" is the first line (template.c writes it so). */
        if (strncmp(meta, "key ", 4) != 0 || !(k = strchr(meta, '\n')))
                return -EBADMSG;
        snprintf(out, sizeof(out), "key %s%s", key, k);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0444);
        if (fd < 0)
                return -errno;
        ssize_t w = write(fd, out, strlen(out));
        close(fd);
        if (w != (ssize_t) strlen(out) || rename(tmp, path) < 0)
                return -EIO;
        return 0;
}

int main(int argc, char **argv) {
        static char text[TEMPLATE_KEY_TEXT_MAX];
        TemplateConfig tc;
        char key[65];
        int r;

        if (argc != 2 || (strcmp(argv[1], "text") != 0 && strcmp(argv[1], "key") != 0 &&
                          strcmp(argv[1], "restamp") != 0)) {
                fprintf(stderr, "usage: template-restamp text|key|restamp\n");
                return 2;
        }
        worker_template_config(NULL, 0, false, &tc);
        r = strcmp(argv[1], "text") == 0 ? template_key_text(&tc, text, sizeof(text)) : template_key(&tc, key);
        if (r >= 0 && strcmp(argv[1], "restamp") == 0)
                r = restamp(&tc, key);
        if (r < 0) {
                fprintf(stderr, "template-restamp %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        if (strcmp(argv[1], "text") == 0)
                fputs(text, stdout);
        else
                printf("%s\n", key);
        return 0;
}
