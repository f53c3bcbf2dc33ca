/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The stage 1s' search lists on the bus: the "SearchLists" option of
 * Inspect() (org.pvbootselect1(5)), written by the client from the lists
 * it read from its stage 1 images, read by pvboot-selectd into the
 * request's policy.  Its value, of type a(ssba(ss)bas), holds one
 * structure per stage 1: the kind ("x86_64", "i386", "pvh"), the origin
 * text, whether the list was read from the image, its entries as
 * (action "chainload"|"config", path), whether the modules are known,
 * and the module names.  The daemon rebuilds each list by the one set of
 * rules (search_list_add, policy_set_search): what the caller sends is
 * bounded and checked like any other option.
 */

#include <stddef.h>
#include <systemd/sd-bus.h>

#include "selector/policy.h"

#define BUS_SEARCH_KEY "SearchLists"
#define BUS_SEARCH_SIGNATURE "a(ssba(ss)bas)"
#define BUS_SEARCH_MAX_MODULES 256      /* names read per list; those we do not track are skipped */

/* Append the {sv} entry of the lists of the stage 1s p's mode uses. */
int bus_search_append(sd_bus_message *m, const Policy *p);

/* Read the variant after the key into p->search[]: 0, or -EINVAL with a
 * one-line reason in err (a malformed message: -EBADMSG, err set too). */
int bus_search_read(sd_bus_message *m, Policy *p, char *err, size_t errsz);
