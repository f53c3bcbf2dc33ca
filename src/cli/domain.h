/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The domain a libxl run is for, as far as libxl lets its bootloader know
 * it (record/domain-type.h): its domid, from the --output file name
 * (client_domid_from_output()), and the type libxl recorded for it
 * before running us, which sets the mode:
 *
 *   recorded   no flag    --pvh          --pvshim
 *   pv         pv         pvh (said)     pvshim (said)
 *   pvh        pvh        pvh            pvshim
 *   none       pv         pvh            pvshim
 *
 * A flag is the admin's explicit word and wins; when it contradicts the
 * record, one console line says so.  --pvshim agrees with "pvh": libxl
 * records a pvshim guest as pvh and records pvshim nowhere, so --pvshim
 * remains the only way to ask for it.  No domid, no xenstore, no record:
 * the flags alone, quietly (a -v line says why).  A record that is not a
 * type, or that the hypervisor contradicts: the flags alone, said.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/args.h"

/* Pure: the mode, given the flag (flag_given false: neither --pvh nor
 * --pvshim) and recorded, domain_type_read()'s answer for domid (a
 * DomainType, or its -errno).  line gets the sentence about it, loud
 * (*ret_loud: the console) or for -v. */
DecisionMode domain_mode_resolve(bool flag_given, DecisionMode flag, uint32_t domid, int recorded, char *line,
                                 size_t linesz, bool *ret_loud);

/* Read domid's type (domid 0: unknown), set o->policy.mode by the rule
 * above and check the policy again (--force-arch has no meaning for a
 * PVH domain).  0, or -EINVAL with the reason in line, which also carries
 * the sentence (loud or for -v) when 0. */
int domain_mode_apply(Options *o, uint32_t domid, char *line, size_t linesz, bool *ret_loud);
