/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * An InspectReport on the bus: the reply of Inspect() (pvboot-select-bus.h).
 *
 * The same InspectReport travels worker -> daemon -> client; on the bus it
 * is typed fields with stable names, and the client rebuilds the record and
 * validates it exactly as the cold path validates a worker's (report.h):
 * the daemon is one more party whose answer is checked, not trusted.
 */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "selector/report.h"

typedef struct BusDetails {
        bool warm;              /* a pooled appliance answered */
        bool cached;            /* the decision cache answered */
        double seconds;         /* arrival to answer, in the daemon */
        uint64_t request_id;
} BusDetails;

/* Append a successful report (status 0) as Inspect()'s reply body. */
int bus_report_append(sd_bus_message *m, const InspectReport *r, const BusDetails *d);

/* Read Inspect()'s reply body into a validated report.  -EBADMSG for
 * anything a well-behaved daemon would not send. */
int bus_report_read(sd_bus_message *m, InspectReport *ret, BusDetails *ret_details);
