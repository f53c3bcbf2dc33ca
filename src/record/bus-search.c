/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Search lists <-> the SearchLists option (see bus-search.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "record/bus-search.h"

int bus_search_append(sd_bus_message *m, const Policy *p) {
        int k;

        k = sd_bus_message_open_container(m, 'e', "sv");
        if (k >= 0)
                k = sd_bus_message_append(m, "s", BUS_SEARCH_KEY);
        if (k >= 0)
                k = sd_bus_message_open_container(m, 'v', BUS_SEARCH_SIGNATURE);
        if (k >= 0)
                k = sd_bus_message_open_container(m, 'a', "(ssba(ss)bas)");
        for (Stage1Kind s = 0; k >= 0 && s < _STAGE1_KIND_MAX; s++) {
                const SearchList *l = &p->search[s];

                if (!policy_uses_stage1(p, s))
                        continue;
                k = sd_bus_message_open_container(m, 'r', "ssba(ss)bas");
                if (k >= 0)
                        k = sd_bus_message_append(m, "ssb", stage1_kind_to_string(s), l->origin, (int) l->from_image);
                if (k >= 0)
                        k = sd_bus_message_open_container(m, 'a', "(ss)");
                for (uint32_t i = 0; k >= 0 && i < l->n && i < SEARCH_MAX_ENTRIES; i++)
                        k = sd_bus_message_append(m, "(ss)", search_action_to_string((SearchAction) l->entries[i].action),
                                                  l->entries[i].path);
                if (k >= 0)
                        k = sd_bus_message_close_container(m);
                if (k >= 0)
                        k = sd_bus_message_append(m, "b", (int) l->modules_known);
                if (k >= 0)
                        k = sd_bus_message_open_container(m, 'a', "s");
                for (unsigned i = 0; k >= 0 && search_module_name(i); i++)
                        if ((l->modules >> i) & 1)
                                k = sd_bus_message_append(m, "s", search_module_name(i));
                if (k >= 0)
                        k = sd_bus_message_close_container(m);
                if (k >= 0)
                        k = sd_bus_message_close_container(m);
        }
        for (int i = 0; k >= 0 && i < 3; i++)
                k = sd_bus_message_close_container(m);
        return k;
}

static int bad(char *err, size_t errsz, int r, const char *what) {
        snprintf(err, errsz, BUS_SEARCH_KEY " %s", what);
        return r;
}

/* One (ssba(ss)bas), entered. */
static int read_one(sd_bus_message *m, Policy *p, char *err, size_t errsz) {
        const char *kind, *origin, *action, *path, *name;
        int from_image, known, k, s;
        unsigned n_names = 0;
        SearchList l;

        k = sd_bus_message_read(m, "ssb", &kind, &origin, &from_image);
        if (k < 0)
                return bad(err, errsz, -EBADMSG, "must have type " BUS_SEARCH_SIGNATURE);
        s = stage1_kind_from_string(kind);
        if (s < 0)
                return bad(err, errsz, -EINVAL, "names a stage 1 other than x86_64, i386 or pvh");
        search_list_init(&l, from_image, origin);
        if (sd_bus_message_enter_container(m, 'a', "(ss)") < 0)
                return bad(err, errsz, -EBADMSG, "must have type " BUS_SEARCH_SIGNATURE);
        while ((k = sd_bus_message_read(m, "(ss)", &action, &path)) > 0) {
                SearchAction a = strcmp(action, "chainload") == 0 ? SEARCH_CHAINLOAD
                               : strcmp(action, "config") == 0 ? SEARCH_CONFIG : 0;
                k = search_list_add(&l, (Stage1Kind) s, a, path);
                if (k == -E2BIG)
                        return bad(err, errsz, -EINVAL, "has a list longer than the bound");
                if (k < 0)
                        return bad(err, errsz, -EINVAL,
                                   "has an entry that is not chainload or config of an absolute printable path "
                                   "(or a chainload for pvh)");
        }
        if (k < 0 || sd_bus_message_exit_container(m) < 0 || sd_bus_message_read(m, "b", &known) < 0 ||
            sd_bus_message_enter_container(m, 'a', "s") < 0)
                return bad(err, errsz, -EBADMSG, "must have type " BUS_SEARCH_SIGNATURE);
        l.modules_known = known != 0;
        while ((k = sd_bus_message_read(m, "s", &name)) > 0) {
                int i = search_module_index(name);
                if (++n_names > BUS_SEARCH_MAX_MODULES)
                        return bad(err, errsz, -EINVAL, "names too many modules");
                if (i >= 0 && known)
                        l.modules |= UINT64_C(1) << i;
        }
        if (k < 0 || sd_bus_message_exit_container(m) < 0)
                return bad(err, errsz, -EBADMSG, "must have type " BUS_SEARCH_SIGNATURE);
        if (policy_set_search(p, (Stage1Kind) s, &l) < 0)
                return bad(err, errsz, -EINVAL, "is not a search list");
        return 0;
}

int bus_search_read(sd_bus_message *m, Policy *p, char *err, size_t errsz) {
        int k;

        if (sd_bus_message_enter_container(m, 'v', BUS_SEARCH_SIGNATURE) < 0 ||
            sd_bus_message_enter_container(m, 'a', "(ssba(ss)bas)") < 0)
                return bad(err, errsz, -EINVAL, "must have type " BUS_SEARCH_SIGNATURE);
        while ((k = sd_bus_message_enter_container(m, 'r', "ssba(ss)bas")) > 0) {
                k = read_one(m, p, err, errsz);
                if (k < 0)
                        return k;
                if (sd_bus_message_exit_container(m) < 0)
                        return bad(err, errsz, -EBADMSG, "must have type " BUS_SEARCH_SIGNATURE);
        }
        if (k < 0 || sd_bus_message_exit_container(m) < 0 || sd_bus_message_exit_container(m) < 0)
                return bad(err, errsz, -EBADMSG, "must have type " BUS_SEARCH_SIGNATURE);
        return 0;
}
