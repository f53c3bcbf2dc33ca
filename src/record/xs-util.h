/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the files of this layer that talk to xenstore share. */

#include <xenstore.h>

#include "shared/macro.h"

/* Xen's guest domids: 1 up to DOMID_FIRST_RESERVED (0x7FF0), excluded. */
#define XS_DOMID_MAX 0x7FEF

DEFINE_TRIVIAL_CLEANUP_FUNC(struct xs_handle *, xs_close);
