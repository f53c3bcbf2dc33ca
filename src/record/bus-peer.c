/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Who is on the other end of a bus name (see bus-peer.h). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "record/bus-peer.h"
#include "shared/macro.h"

int bus_peer_creds(sd_bus *bus, const char *name, uid_t *ret_uid, gid_t *gids, size_t *n_gids) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        bool have_uid = false;
        const char *key;
        size_t n = 0;
        int k;

        k = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetConnectionCredentials", &e, &reply, "s", name);
        if (k < 0)
                return k;
        k = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (k >= 0 && (k = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                if ((k = sd_bus_message_read(reply, "s", &key)) < 0)
                        return k;
                if (strcmp(key, "UnixUserID") == 0) {
                        uint32_t u;
                        if ((k = sd_bus_message_read(reply, "v", "u", &u)) < 0)
                                return k;
                        *ret_uid = (uid_t) u;
                        have_uid = true;
                } else if (strcmp(key, "UnixGroupIDs") == 0) {
                        const uint32_t *g;
                        size_t size;
                        if ((k = sd_bus_message_enter_container(reply, 'v', "au")) < 0 ||
                            (k = sd_bus_message_read_array(reply, 'u', (const void **) &g, &size)) < 0 ||
                            (k = sd_bus_message_exit_container(reply)) < 0)
                                return k;
                        for (size_t i = 0; i < size / sizeof(uint32_t) && n < BUS_PEER_MAX_GROUPS; i++)
                                gids[n++] = (gid_t) g[i];
                } else if ((k = sd_bus_message_skip(reply, "v")) < 0)
                        return k;
                if ((k = sd_bus_message_exit_container(reply)) < 0)
                        return k;
        }
        if (k < 0)
                return k;
        *n_gids = n;
        return have_uid ? 0 : -ENODATA;
}


int bus_peer_owner(sd_bus *bus, const char *name, char **ret_unique) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *owner;
        int k;

        k = sd_bus_call_method(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                               "GetNameOwner", &e, &reply, "s", name);
        if (k < 0)
                return sd_bus_error_has_name(&e, SD_BUS_ERROR_NAME_HAS_NO_OWNER) ? -ENXIO : k;
        if ((k = sd_bus_message_read(reply, "s", &owner)) < 0)
                return k;
        /* A unique name: ":" then the driver's own numbering. */
        if (owner[0] != ':' || strlen(owner) > 255)
                return -EBADMSG;
        *ret_unique = strdup(owner);
        return *ret_unique ? 0 : -ENOMEM;
}
