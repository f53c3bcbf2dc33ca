/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The worker's containment beyond its uid (see docs/SECURITY.md).
 *
 * sandbox_private_tmp(): a mount namespace of the worker's own whose /tmp
 * is a small, empty tmpfs.  The clone's qemu inherits it, so what it
 * writes there (the snapshot of the appliance's root disk, the only thing
 * a clone ever writes) vanishes with the inspection, and a guest that
 * makes the appliance write cannot fill the host's /tmp.
 *
 * sandbox_parser(): once the appliance is up and holds the disk, the
 * worker only talks over descriptors it already has and parses what comes
 * back.  A seccomp filter then allows exactly that: no call that takes a
 * path (not even fstat: the kernel cannot tell it from a lookup), no
 * exec, socket, fork, ptrace, no descriptor received or made, fcntl that
 * only asks, no signal but to the calling thread, no executable memory;
 * an address-space limit bounds what a parser bug could allocate. */
#pragma once

#include <stdint.h>
#include <sys/types.h>

/* The tmpfs over /tmp: enough for the snapshot of the appliance's root
 * disk (the appliance writes little: mounts of the guest are read-only). */
#define SANDBOX_TMP_SIZE_MB 128
/* What the worker may still map on top of what it has when the filter
 * goes on: libguestfs messages are at most 4 MiB, our reads 4 MiB per
 * inspection, a /boot/xen listing a few MiB. */
#define SANDBOX_AS_HEADROOM_MB 256

/* Unshare the mount namespace, make it private, mount the tmpfs on /tmp
 * and recreate WORKDIR (0700, owned by uid:gid) inside it.  KEEP (NULL-
 * terminated, may be NULL) names files and directories the worker still
 * needs; those under /tmp (a build tree) are bound back read-only: a directory itself, a file's directory.
 * Needs CAP_SYS_ADMIN: -EPERM means the caller had none (an unprivileged
 * daemon, whose /tmp is systemd's PrivateTmp) and nothing was changed. */
#define SANDBOX_MAX_KEEP 4
int sandbox_private_tmp(const char *workdir, uid_t uid, gid_t gid, const char *const *keep);

/* Cap the address space at what is mapped now plus the headroom, then
 * load the filter (after PR_SET_NO_NEW_PRIVS).  Irreversible. */
int sandbox_parser(void);
