/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Where pvboot-select speaks.  Run by libxl, stdout is the guest's
 * console (libxl's pty, shown by `xl create -c`) and stderr is libxl's
 * log: a line for the admin goes to both, once when they are the same
 * file.  For the inspect, status and template commands stdout is the
 * answer, so messages go to stderr only.  Every line is printable ASCII:
 * report text was escaped where it came from, argv's is escaped here.
 */

#include <stdbool.h>
#include <stdint.h>

#include "selector/report.h"

/* false: stdout is an answer (a subcommand), not the console. */
void console_set_stdout_is_console(bool yes);

/* "pvboot-select: LINE" on the console and in the log. */
void console_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "pvboot-select: LINE" in the log only (stderr). */
void console_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The evidence lines and the worker's uid (-v, -n). */
void console_evidence(const InspectReport *rep);

/*
 * Where this decision's time went (-v), one line for scripts (bench/):
 * the worker's stages (report.h; launch only when an appliance started
 * for this decision), then "reply": the rest of the inspection call
 * (worker or daemon round trip, queueing, the report's journey), "copy":
 * the stage 1 and the output records, and "total": this process.
 */
void console_timing(const InspectReport *rep, uint64_t inspect_usec, uint64_t copy_usec, uint64_t total_usec);
