/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The appliance and its template snapshot: what every clone starts from.
 *
 * Under one root-owned directory (the appliance cache, default
 * /var/cache/pvboot-select), built by root and never written by anything
 * that touches guest bytes:
 *
 *   appliance/   libguestfs's own appliance (supermin: kernel, initrd,
 *                root), a "fixed appliance" (guestfs(3)), so no process
 *                ever builds a per-uid appliance cache; keyed on what went
 *                into it (supermin and its inputs, the host kernels).
 *   template/    that appliance booted once by libguestfs with the kernel
 *                modules we need loaded, udev stopped and pvboot-agent
 *                resident, then captured as a qemu migration stream
 *                (state) whose RAM lives apart in a file (ram, left out of
 *                the stream by x-ignore-shared), the root disk's overlay
 *                (root.qcow2) and the qemu command line (argv).  meta holds
 *                the key (qemu build, appliance, agent, memory size, host
 *                boot) and the SHA-256 of each file.
 *
 * Opening a template checks owner, modes, key and every checksum, and
 * loads the RAM into a sealed memfd (F_SEAL_WRITE...): clones map it
 * copy-on-write, and none can change what the next one starts from.  A
 * stale, truncated or tampered template is refused (-ESTALE, -EBADMSG);
 * template_ensure() rebuilds it when the caller is root.
 */

#include <stdbool.h>
#include <stdint.h>

#include "shared/macro.h"

typedef struct TemplateConfig {
        const char *dir;        /* the appliance cache: root-owned, not writable by others */
        const char *agent;      /* the pvboot-agent binary */
        const char *wrapper;    /* template-qemu */
        int memsize_mb;         /* appliance memory */
        bool debug;             /* appliance output to stderr */
} TemplateConfig;

#define TEMPLATE_MAX_ARGS 256

typedef struct Template {
        int ram_fd;             /* sealed memfd holding the template's RAM */
        int state_fd;           /* the migration stream, read-only */
        uint64_t ram_size;
        int memsize_mb;
        char dir[4096];         /* .../template */
        char *argv[TEMPLATE_MAX_ARGS + 1];
        char key[65];
} Template;

/* The key the template must carry for this host, qemu, appliance and
 * agent: the SHA-256 of template_key_text(), which names each of them,
 * one per line (its length, or -errno; -ENOBUFS when size is too small). */
#define TEMPLATE_KEY_TEXT_MAX 8192
int template_key(const TemplateConfig *cfg, char ret[65]);
int template_key_text(const TemplateConfig *cfg, char *buf, size_t size);

/* Build the appliance (if its key changed) and a new template, atomically
 * replacing the old one.  Root only.  On failure *ret_error (if given)
 * says why in one line. */
int template_build(const TemplateConfig *cfg, char *ret_error, size_t errsz);

/* Seal the captured template in dir (argv, state, root.qcow2, ram): make
 * its files read-only and write meta, the key and each file's digest.
 * The builder's last step (and the unit test's way to a template). */
int template_seal(const char *dir, const TemplateConfig *cfg, char *err, size_t errsz);

/* Open and verify the template; -ENOENT, -ESTALE (another key), -EBADMSG
 * (truncated or tampered), -EPERM (wrong owner or mode). */
int template_open(const TemplateConfig *cfg, Template **ret);

/* Open it, rebuilding first when it is missing, stale or damaged and we
 * are root; *ret_rebuilt says whether that happened. */
int template_ensure(const TemplateConfig *cfg, Template **ret, bool *ret_rebuilt, char *ret_error, size_t errsz);

Template *template_free(Template *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Template *, template_free);

/* The memory size in MiB of a template's argv ("-m N"), or -EBADMSG. */
int template_argv_memsize(char *const *argv);
