/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The hypervisor's own list of domains, through libxenctrl: which domids
 * exist, with which handle (the uuid libxl gives a domain when it creates
 * it), whether each is dying, and whether it is an HVM container (PVH or
 * HVM: libxl creates every domain but a PV one with XEN_DOMCTL_CDF_hvm,
 * libxl__domain_make).  This is what says whether a xenstore
 * record still has its domain (xs-record.h); xenstored's "introduced"
 * cannot, because a domain is introduced only once it is built, after
 * its bootloader ran.
 *
 * It needs /dev/xen/privcmd (and /dev/xen/hypercall where the kernel has
 * it): root's, mode 0600, no capability.  Only this file includes
 * xenctrl.h, whose Xen headers (xen/hvm/save.h) refuse strict ISO C; it
 * alone is built as GNU C (record/meson.build).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/macro.h"

#define DOMAIN_HANDLE_SIZE 16

typedef struct LiveDomain {
        uint32_t domid;
        uint8_t handle[DOMAIN_HANDLE_SIZE];
        bool dying;
        bool hvm;               /* XEN_DOMINF_hvm_guest */
} LiveDomain;

typedef struct Hypervisor Hypervisor;

/* -errno when the hypervisor cannot be asked (not on Xen, no permission). */
int hypervisor_open(Hypervisor **ret);
Hypervisor *hypervisor_free(Hypervisor *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Hypervisor *, hypervisor_free);

/* Every domain, in domid order; *ret is the caller's to free. */
int hypervisor_domains(Hypervisor *h, LiveDomain **ret, size_t *ret_n);
/* Domain domid, read now: *ret_n is 0 when there is none. */
int hypervisor_domain(Hypervisor *h, uint32_t domid, LiveDomain *ret, size_t *ret_n);
