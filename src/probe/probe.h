/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The probe: the only code that talks to a libguestfs appliance.
 *
 * A Probe is one single-use appliance looking at one guest disk.  The disk
 * never reaches qemu by path: the caller binds an open, read-only file
 * descriptor to our nbdkit plugin (nbdkit-fd-plugin.c), which serves it
 * read-only on a unix socket in a private directory, and the appliance's
 * only drive is that NBD export.  This is what lets an unprivileged
 * inspection child use a disk only root could open.
 *
 * The binding is one mechanism with two timings:
 *  - cold: probe_bind() before probe_launch(); the export is exactly the
 *    disk, as if qemu had opened it;
 *  - warm: probe_launch() first, on an export of unbound_size zeros, and
 *    probe_bind() when the guest is known.  The kernel in the appliance
 *    then has to forget the zeros it saw: probe_bind() rereads the
 *    partition table (BLKRRPART, which also drops the device's cache) and
 *    probe_list_filesystems() rescans LVM when it finds a physical volume.
 * Everything after the bind is the same code in both timings.
 *
 * Everything the appliance returns is treated as hostile: names are
 * escaped before display, sizes are bounds only, reads are capped.
 */

#include <stdbool.h>

#include "decide.h"
#include "guest-path.h"
#include "pvboot-select.h"
#include "report.h"

typedef struct Probe Probe;

typedef struct ProbeConfig {
        const char *format;     /* "raw", "qcow2", ...; warm: "raw" only */
        uint64_t unbound_size;  /* 0: cold; else warm, the export's size before the bind */
        int memsize_mb;         /* appliance memory, 0: libguestfs's default */
        const char *cachedir;   /* supermin appliance cache, NULL: libguestfs's default */
        const char *hv;         /* qemu to run, NULL: libguestfs's default */
        const char *workdir;    /* private, empty, owned by the current uid */
        const char *nbdkit;     /* nbdkit binary */
        const char *plugin;     /* our nbdkit fd plugin */
        bool debug;             /* appliance and nbdkit output to stderr */
        /* e2e builds only (-De2e_replay=true), else must be -1: record
         * every probe call to this fd, or replay them from it. */
        int record_fd;
        int replay_fd;
} ProbeConfig;

#define PROBE_MAX_FILESYSTEMS 64

int probe_new(const ProbeConfig *cfg, Probe **ret);
Probe *probe_free(Probe *p);

/* Last libguestfs error (already escaped to printable ASCII), or "". */
const char *probe_last_error(Probe *p);

/* Is the appliance still there?  After it dies every call fails, and a
 * failed lookup must not pass for "nothing there": evidence gathered
 * around a death is incomplete, so the inspection as a whole fails. */
bool probe_alive(Probe *p);

/* Start nbdkit (if the bind did not already) and the appliance. */
int probe_launch(Probe *p);

/* Bind the guest disk, once (see above).  disk_fd is borrowed: nbdkit
 * gets its own duplicate.  -EBADF/-EINVAL/-ENODATA/-EFBIG: the plugin
 * refused the descriptor, probe_last_error() says why. */
int probe_bind(Probe *p, int disk_fd);

/* Candidate filesystems in probe order (whole-disk, partitions, LVs):
 * a NULL-terminated, malloc'd array of malloc'd device names. */
int probe_list_filesystems(Probe *p, char ***ret);

int probe_mount(Probe *p, const char *device);
int probe_umount(Probe *p);

/* Paths in the mounted filesystem matching a shell glob, expanded inside
 * the appliance: a NULL-terminated malloc'd array, at most
 * PROBE_MAX_GLOB entries (the rest is dropped). */
#define PROBE_MAX_GLOB 64
int probe_glob(Probe *p, const char *pattern, char ***ret);

/* Time spent so far in the stages the probe itself runs (launch, bind,
 * rescan, read; see report.h), in microseconds. */
uint64_t probe_stage_usec(const Probe *p, ReportStage s);

/* The GuestFsOps of the mounted filesystem. */
void probe_fs_ops(Probe *p, GuestFsOps *ret);

/* A bounded ByteSource over a resolved regular file of the given size.
 * Reads are chunked and capped at PVBOOT_MAX_READ_TOTAL for the file and
 * PVBOOT_MAX_READ_INSPECTION for the whole inspection.  path is borrowed
 * and must outlive the ProbeFile. */
typedef struct ProbeFile {
        Probe *probe;
        const char *path;
        uint64_t read;
        ByteSource source;
} ProbeFile;

void probe_file_init(ProbeFile *f, Probe *p, const char *path, uint64_t size);
