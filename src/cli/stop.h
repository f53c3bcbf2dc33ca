/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Being told to stop.  libxl sends its bootloader SIGTERM on `xl destroy`
 * (libxl_bootloader.c, bootloader_stop); an admin at a terminal sends
 * SIGINT, a closed console SIGHUP.  (libxl's timeout sends SIGKILL,
 * bootloader_timeout(): the inspection ends before it instead, see
 * inspection_fit_libxl().)  Any of
 * them, at any point, ends the run within a second with nothing left in
 * the output directory:
 *
 *  - the handler kills a running cold worker's process group
 *    (worker_kill_current), and no worker starts after it;
 *  - it makes stop_fd() readable, so that a loop waiting for pvboot-selectd
 *    sees it at once (a self-pipe: sd-bus may retry EINTR by itself) and
 *    cancels the request;
 *  - the steps in between ask stop_signal() before they begin, and the
 *    stage 1 copy between its blocks (output.c), removing what it wrote.
 *
 * Only the first signal counts; the process that installed the handlers
 * is the only one that acts on it (a worker forked before it reset its
 * handlers ignores the inherited one).
 */

#include <stdbool.h>

/* SIGTERM, SIGINT, SIGHUP to stop_request(); the self-pipe. */
void stop_catch_signals(void);

/* What the handler does, async-signal-safe; for tests too. */
void stop_request(int sig);

/* 0, or the first signal that asked us to stop. */
int stop_signal(void);

/* "SIGTERM", "SIGINT", "SIGHUP" (the signal stop_signal() names), else "a signal". */
const char *stop_signal_name(void);

/* Readable (for good) once a stop was requested; -1 before
 * stop_catch_signals(). */
int stop_fd(void);
