/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * LVM in the agent, without running lvm: under TCG every exec of the 3 MiB
 * lvm binary costs ~0.3 s of retranslation, most of an LVM guest's
 * inspection.  We read what GRUB's lvm module reads (the PV label, the
 * first metadata area, the current metadata text), and map each visible
 * LV made of striped (incl. linear) segments with device-mapper ioctls,
 * read-only.  Anything else (thin, raid, mirror, snapshots, missing PVs)
 * is left out: what we cannot read is not evidence.
 *
 * Everything here parses guest bytes inside the appliance; it is bounded
 * (metadata 1 MiB, 4096 parse nodes, depth 8) so that a hostile VG costs
 * time and memory we chose, and the host treats the result as it treats
 * every answer of the agent.
 */

#include <stddef.h>
#include <stdint.h>

#define LVM_MAX_PVS 16
#define LVM_MAX_METADATA (1u << 20)

typedef struct LvmPv {
        char node[128];         /* our device node */
        unsigned major, minor;
        char uuid[33];          /* from the label: 32 characters, no dashes */
        char vg_name[128], vg_id[64];
        uint64_t seqno;
        char *text;             /* this PV's current metadata, malloc'd */
} LvmPv;

/* Read a PV's label and current metadata: 0 or -EBADMSG. */
int lvm_pv_read(const char *node, LvmPv *ret);

/* A mapped LV, as the agent lists it. */
typedef struct LvmLv {
        char display[256];      /* /dev/VG/LV */
        unsigned major, minor;
} LvmLv;

/* Map every readable LV of the VGs these PVs hold (the newest metadata of
 * each VG wins) through /dev/mapper/control: the number mapped, at most
 * max, or -errno.  Pure parsing is lvm_parse_lvs(), for tests. */
int lvm_activate(LvmPv *pvs, size_t n, LvmLv *ret, size_t max);

/* The tables lvm_activate() would load for one VG's metadata text, given
 * its PVs: callback per LV with its dm name and table lines ("START LEN
 * TARGET ARGS", NUL-separated).  0, or -EBADMSG for text we cannot parse. */
typedef void (*LvmTableFn)(void *userdata, const char *vg, const char *lv, const char *table, size_t n_lines);
int lvm_parse_lvs(const char *text, const LvmPv *pvs, size_t n, LvmTableFn fn, void *userdata);

void lvm_pv_done(LvmPv *pv);
