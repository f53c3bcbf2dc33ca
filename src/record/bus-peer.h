/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Who is on the other end, from the bus driver: the uid and groups the
 * driver took from the peer's socket (SO_PEERCRED, SO_PEERGROUPS) when
 * it connected, by GetConnectionCredentials.  Not /proc: the daemon's
 * unit hides other users' processes (ProtectProc=invisible), and a
 * process's /proc entry may change under the reader anyway.  The daemon
 * asks it of its callers; the client of whoever owns the daemon's name.
 */

#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-bus.h>

#define BUS_PEER_MAX_GROUPS 256

/* name (unique or well-known): its uid, and its groups (primary and
 * supplementary, at most BUS_PEER_MAX_GROUPS) in gids.  -ENODATA when the
 * driver gives no uid. */
int bus_peer_creds(sd_bus *bus, const char *name, uid_t *ret_uid, gid_t *gids, size_t *n_gids);

/* The unique name owning a well-known one, now: talk to that, so that the
 * name changing hands after a check cannot redirect the call.  -ENXIO:
 * no owner. */
int bus_peer_owner(sd_bus *bus, const char *name, char **ret_unique);
