/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The wire protocol between the probe (host) and pvboot-agent, the small
 * static program resident in every appliance clone (src/agent/).
 *
 * Under TCG every exec in the appliance costs a retranslation of the
 * program it runs (0.3-1 s each for blkid, lvs, mount); one resident
 * program answering with syscalls does the same work in milliseconds.
 * The agent runs inside the sandbox that holds the guest disk, so the
 * host treats everything it says exactly as it treats the appliance:
 * hostile.  It parses no ELF and decides nothing; it finds filesystems,
 * mounts them read-only and answers lstat/readlink/glob/pread questions
 * with bounded, length-prefixed replies over its own virtio-serial port.
 *
 * A request is an AgentRequest followed by len bytes of payload (a path
 * or pattern, no NUL); a reply is an AgentReply followed by len bytes.
 * One request, one reply, strictly in turn.
 */

#include <stdint.h>

#define AGENT_PORT_NAME "org.pvbootselect.agent"
#define AGENT_MAGIC_REQUEST UINT32_C(0x51425650)        /* "PVBQ" */
#define AGENT_MAGIC_REPLY   UINT32_C(0x52425650)        /* "PVBR" */
#define AGENT_VERSION 4

#define AGENT_MAX_REQUEST 4096          /* payload of a request */
#define AGENT_MAX_READ    (256u << 10)  /* bytes one PREAD may return */
#define AGENT_MAX_REPLY   (AGENT_MAX_READ + 64)
#define AGENT_MAX_DEVICES 64            /* filesystems one ATTACH reports */
#define AGENT_MAX_DISKS   16            /* disks one ATTACH takes: SCSI targets arg .. arg+N-1 */
#define AGENT_MAX_GLOB    64            /* names one GLOB returns */
#define AGENT_DEVICE_NAME 64            /* "/dev/..." incl. NUL */

typedef enum AgentOp {
        AGENT_OP_HELLO = 1,     /* -> "pvboot-agent <version>" */
        AGENT_OP_ATTACH,        /* arg = SCSI target of the first hot-plugged disk, offset = number of
                                 * disks (1..AGENT_MAX_DISKS, on consecutive targets); -> devices */
        AGENT_OP_MOUNT,         /* arg = index into ATTACH's list; read-only, nodev, nosuid, noexec */
        AGENT_OP_UMOUNT,
        AGENT_OP_LSTAT,         /* payload path, symlink-free -> AgentStat */
        AGENT_OP_READLINK,      /* payload path -> the link's target */
        AGENT_OP_GLOB,          /* payload pattern, wildcards in the last component only -> NUL-separated paths */
        AGENT_OP_PREAD,         /* payload path, offset, arg = length (<= AGENT_MAX_READ) -> bytes */
        _AGENT_OP_MAX,
} AgentOp;

typedef struct AgentRequest {
        uint32_t magic;
        uint32_t op;
        uint32_t arg;
        uint32_t len;
        uint64_t offset;
} AgentRequest;

typedef struct AgentReply {
        uint32_t magic;
        int32_t status;         /* 0 or -errno */
        uint32_t len;
        uint32_t reserved;
} AgentReply;

/* ATTACH's payload: one record per filesystem the disks hold, in probe
 * order (each disk in turn: the whole disk, its partitions; then md RAID
 * arrays, then LVM logical volumes). */
typedef struct AgentDevice {
        char name[AGENT_DEVICE_NAME];   /* NUL-terminated */
        char fstype[16];                /* NUL-terminated */
        uint32_t disk;                  /* which disk (0-based); arrays and LVs: their first member's */
        uint32_t flags;                 /* AGENT_DEVICE_* */
        uint64_t subvol;                /* btrfs: the subvolume MOUNT shows (5: the top level) */
        uint32_t via;                   /* AGENT_VIA_*: what lies between the disks and the filesystem */
        uint32_t reserved;              /* 0 */
} AgentDevice;

/*
 * How a filesystem is reached from the disks: every layer on every path
 * to it, as a set (an LV over two PVs: both PVs' ways, an md array: all
 * its members').  Facts only, as the agent found them; the host decides
 * which GRUB modules a stage 1 needs for them (selector/search-list.h),
 * as grub-probe --target=partmap,abstraction would.  0: a whole disk.
 */
#define AGENT_VIA_PART_MSDOS UINT32_C(0x0001)  /* a partition of an MBR table (primary or logical) */
#define AGENT_VIA_PART_GPT   UINT32_C(0x0002)  /* a partition of a GPT */
#define AGENT_VIA_LVM        UINT32_C(0x0004)  /* an LVM2 logical volume */
#define AGENT_VIA_MD_090     UINT32_C(0x0010)  /* an md array, metadata 0.90 */
#define AGENT_VIA_MD_1X      UINT32_C(0x0020)  /* an md array, metadata 1.x */
#define AGENT_VIA_MD_LINEAR  UINT32_C(0x0100)  /* the md array's level (mdp_superblock level -1) */
#define AGENT_VIA_MD_RAID0   UINT32_C(0x0200)
#define AGENT_VIA_MD_RAID1   UINT32_C(0x0400)
#define AGENT_VIA_MD_RAID4   UINT32_C(0x0800)
#define AGENT_VIA_MD_RAID5   UINT32_C(0x1000)
#define AGENT_VIA_MD_RAID6   UINT32_C(0x2000)
#define AGENT_VIA_MD_RAID10  UINT32_C(0x4000)
#define AGENT_VIA_MD_METADATA (AGENT_VIA_MD_090 | AGENT_VIA_MD_1X)
#define AGENT_VIA_MD_LEVELS  UINT32_C(0x7f00)
#define AGENT_VIA_ALL (AGENT_VIA_PART_MSDOS | AGENT_VIA_PART_GPT | AGENT_VIA_LVM | AGENT_VIA_MD_METADATA | \
                       AGENT_VIA_MD_LEVELS)

/* A view GRUB does not have: a btrfs filesystem's default subvolume, where
 * the kernel (and the guest's own /) would look, listed after the same
 * filesystem's top level so that the host can say why a file there will
 * not be found by the stage 1. */
#define AGENT_DEVICE_DEFAULT_SUBVOL UINT32_C(1)

/* Something the stage 1 may read that the agent could not map (an md
 * array of a level or state it does not read): never mounted; the name is
 * "DEVICE: why", for the host to show. */
#define AGENT_DEVICE_UNREAD UINT32_C(2)

enum {
        AGENT_TYPE_REGULAR = 1,
        AGENT_TYPE_DIRECTORY,
        AGENT_TYPE_SYMLINK,
        AGENT_TYPE_OTHER,
};

typedef struct AgentStat {
        uint32_t type;
        uint32_t reserved;
        uint64_t size;
} AgentStat;
