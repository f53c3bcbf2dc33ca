/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The probe: the only code that asks questions about a guest disk.
 *
 * A Probe is one appliance clone (clone.h) looking at one guest disk.  The
 * disk never reaches qemu by path: probe_bind() takes an open, read-only
 * descriptor and the clone hot-plugs it (QMP add-fd), read-only, into the
 * restored appliance, whose agent then finds its filesystems.
 *
 * The binding is one mechanism with two timings:
 *  - cold: probe_bind() before probe_launch(); the disk is attached as soon
 *    as the clone runs;
 *  - warm: probe_launch() first (a clone restored ahead, in a pool), and
 *    probe_bind() when the guest is known.
 * Either way the clone never saw another disk, and everything after the
 * attach is the same code.
 *
 * Everything the appliance returns is treated as hostile: names are
 * escaped before display, sizes are bounds only, reads are capped.
 */

#include <stdbool.h>

#include "selector/decide.h"
#include "probe/guest-path.h"
#include "pvboot-agent.h"
#include "pvboot-select.h"
#include "selector/report.h"
#include "probe/template.h"
#include "shared/macro.h"

typedef struct Probe Probe;

typedef struct ProbeConfig {
        const char *format;     /* "raw" or "qcow2" (no backing file is ever opened) */
        const Template *template;       /* what clones start from */
        unsigned tcg_cache_mb;  /* TCG translation cache, 0: qemu's default */
        /* now_usec() by which the clone's every step and question ends;
         * probe_set_deadline() moves it (a clone restored ahead gets its
         * request's deadline). */
        uint64_t deadline;
        bool debug;             /* qemu's and the appliance's output to stderr */
} ProbeConfig;

#define PROBE_MAX_FILESYSTEMS 64
#define PROBE_MAX_DISKS AGENT_MAX_DISKS

int probe_new(const ProbeConfig *cfg, Probe **ret);
Probe *probe_free(Probe *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Probe *, probe_free);

/* Last error (printable ASCII), or "". */
const char *probe_last_error(Probe *p);

/* Is the appliance still there?  After it dies every call fails, and a
 * failed lookup must not pass for "nothing there": evidence gathered
 * around a death is incomplete, so the inspection as a whole fails. */
bool probe_alive(Probe *p);

/* From now on the clone's steps end by usec (now_usec()). */
void probe_set_deadline(Probe *p, uint64_t usec);

/* Restore the clone (and attach the disk if it is bound already). */
int probe_launch(Probe *p);

/* Bind the guest's disks, once (see above), in the domain's order (the
 * disk libxl gave, then the others: the stage 1 sees them in that order);
 * at most PROBE_MAX_DISKS.  The descriptors are borrowed; the clone gets
 * its own duplicates.  probe_last_error() says why it failed. */
int probe_bind(Probe *p, const int *disk_fds, size_t n_disks);

/* Candidate filesystems in probe order (whole-disk, partitions, LVs):
 * a NULL-terminated, malloc'd array of malloc'd device names. */
int probe_list_filesystems(Probe *p, char ***ret);

/* What the agent said of a filesystem probe_list_filesystems() named: its
 * type, disk, btrfs subvolume and flags (AGENT_DEVICE_*), the strings
 * NUL-terminated; NULL for a name it did not list. */
const AgentDevice *probe_filesystem(Probe *p, const char *device);

/* The filesystem type the agent recognised on a listed device, as blkid
 * names them (ext4, xfs, btrfs, vfat, ...) into ret: only [a-z0-9_] is
 * kept; "" when unknown or odd.  Says which GRUB module reads it
 * (search-list.h). */
void probe_filesystem_type(Probe *p, const char *device, char *ret, size_t size);

int probe_mount(Probe *p, const char *device);
int probe_umount(Probe *p);

/* Paths in the mounted filesystem matching a shell glob, expanded inside
 * the appliance: a NULL-terminated malloc'd array, at most
 * PROBE_MAX_GLOB entries (the rest is dropped). */
#define PROBE_MAX_GLOB 64
int probe_glob(Probe *p, const char *pattern, char ***ret);

/* Free such an array (NULL-safe); returns NULL. */
char **probe_strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, probe_strv_free);

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
