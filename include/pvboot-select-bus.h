/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The D-Bus interface of pvboot-selectd, shared by the daemon and the
 * pvboot-select client.  Documented in org.pvbootselect1(5).
 */

#define PVBOOT_BUS_NAME      "org.pvbootselect1"
#define PVBOOT_BUS_PATH      "/org/pvbootselect1"
#define PVBOOT_BUS_INTERFACE "org.pvbootselect1.Manager"

/* Errors a caller branches on; others are the standard org.freedesktop.DBus.Error.* */
#define PVBOOT_BUS_ERROR_INSPECTION_FAILED "org.pvbootselect1.Error.InspectionFailed"
#define PVBOOT_BUS_ERROR_BUSY              "org.pvbootselect1.Error.Busy"
#define PVBOOT_BUS_ERROR_TIMEOUT           "org.pvbootselect1.Error.Timeout"
#define PVBOOT_BUS_ERROR_CANCELLED         "org.pvbootselect1.Error.Cancelled"
#define PVBOOT_BUS_ERROR_STOPPING          "org.pvbootselect1.Error.Stopping"

/* Inspect(h disk, a{sv} options) -> (s outcome, s arch, s source, u path_index,
 *                                    s filesystem, s message, u worker_uid,
 *                                    as evidence, a{sv} details) */
#define PVBOOT_BUS_INSPECT_IN  "ha{sv}"
#define PVBOOT_BUS_INSPECT_OUT "sssussuasa{sv}"
