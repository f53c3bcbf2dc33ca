/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * pvboot-select's side of the daemon: one Inspect() call.
 *
 * The disk is opened by pvboot-select (root, from libxl) and passed as a
 * descriptor; the daemon never opens a guest path.  The answer is
 * rebuilt into an InspectReport and validated like a worker's.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-bus.h>

#include "record/bus-report.h"
#include "selector/decide.h"
#include "selector/policy.h"

typedef struct ClientRequest {
        const Policy *policy;   /* mode, widths, format, timeout; the host caps only when given */
        uint32_t domid;         /* 0: unknown */
        const char *disk;       /* our name for the disk, for the daemon's log; NULL: none */
        int stop_fd;            /* readable: stop waiting, cancel the request (stop.h); -1: none */
} ClientRequest;

/* How long past the request's Timeout the client waits for the daemon's
 * answer, so that the daemon's Timeout error, not ours, is what is said. */
#define CLIENT_REPLY_GRACE_SEC 5

/* How long Cancel may take once we were told to stop. */
#define CLIENT_CANCEL_USEC (500 * 1000)

/* Outcomes the caller branches on (negative values are failures). */
enum {
        CLIENT_ANSWERED = 0,    /* *ret is the daemon's validated report (status 0) */
        CLIENT_NO_DAEMON = 1,   /* nobody (fit) to answer: take the cold path; err says why */
};

/*
 * CLIENT_ANSWERED, or CLIENT_NO_DAEMON: no bus, no owner, refused, busy,
 *   stopping, or a daemon that inspected as root (misconfigured: its
 *   answer is not the deprivileged one we require).
 * -ECANCELED: req->stop_fd became readable while we waited; the request
 *   carried a random Cookie and we called Cancel(cookie) (at most
 *   CLIENT_CANCEL_USEC), so the daemon destroyed its clone; err says
 *   whether that was confirmed.
 * -errno: the daemon inspected and failed, or answered garbage; err is
 *   the reason, for the console.
 */
int client_inspect(int disk_fd, const ClientRequest *req, InspectReport *ret, BusDetails *ret_details,
                   char *err, size_t errlen);

/* The same on a bus we hold, to daemon (its unique name, authenticated
 * by the caller; NULL on a direct connection): for the tests. */
int client_inspect_on(sd_bus *bus, const char *daemon, int disk_fd, const ClientRequest *req, InspectReport *ret,
                      BusDetails *ret_details, char *err, size_t errlen);

/*
 * `pvboot-select status`: the daemon's pool, queue, cache and counters
 * (its Manager properties), as text or JSON on out.  CLIENT_ANSWERED;
 * CLIENT_NO_DAEMON when none answers (err says why); -errno.
 */
int client_status(FILE *out, bool json, char *err, size_t errlen);

/* libxl names its output file /var/lib/xen/bootloader.<domid>.out: the
 * domain id when path has that shape, else 0. */
uint32_t client_domid_from_output(const char *path);
