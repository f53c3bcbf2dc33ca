/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-agent: the resident half of the probe inside every appliance
 * clone (the protocol is include/pvboot-agent.h).
 *
 * It is started once, in the template appliance, before the template is
 * captured; every clone restored from the template has it running and
 * waiting on its virtio-serial port.  Each exec under TCG costs a
 * retranslation, so it does with syscalls what guestfsd does with
 * programs: the hot-plugged disk is found by its SCSI target in sysfs
 * (kernel names are assigned asynchronously), its partitions are reread
 * with BLKRRPART, filesystems are recognised by their magic numbers, and
 * files are reached with openat2(RESOLVE_IN_ROOT) below the mount point,
 * so no path the guest chose can lead out of the guest's filesystem.
 * LVM too is read and mapped here, with device-mapper ioctls (lvm.c):
 * the lvm program would cost 0.3 s of retranslation; so are md RAID
 * arrays (md.c: mdadm and md cannot assemble from read-only members).
 * Filesystems are shown as the stage 1's GRUB sees them: btrfs from its
 * top-level subvolume (GRUB's "/" is subvolume 5, not the default one);
 * each with the layers it is reached through (AGENT_VIA_*: partition
 * tables, md, LVM), for the host to say which GRUB modules that takes.
 *
 * Nothing here decides anything: the host parses every answer as hostile.
 *
 * Usage: pvboot-agent --daemon            (in the appliance)
 *        pvboot-agent --fd=N --disk=PATH... (tests: serve fd N, the disks given)
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/fs.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent/lvm.h"
#include "agent/md.h"
#include "agent/partition.h"
#include "agent/zfs.h"
#include "pvboot-agent.h"
#include "shared/fd-util.h"
#include "shared/macro.h"

#define RUN_DIR "/run/pvboot-agent"
#define DEV_DIR RUN_DIR "/dev"
#define MNT_DIR RUN_DIR "/mnt"
#define PATH_MAX_SYSFS 1024

typedef struct Device {
        AgentDevice pub;
        char node[128];         /* our own device node under DEV_DIR */
        MdMember md;            /* an md_member's superblock, read once by sniff() */
} Device;

static Device devices[AGENT_MAX_DEVICES];
static unsigned n_devices;
static bool attached, mounted;
static int mnt_fd = -1;
static const Device *zfs_mounted;   /* no kernel mount: GRUB's driver reads it (zfs.h) */
static const char *test_disks[AGENT_MAX_DISKS];     /* --disk: tests on the host */
static unsigned n_test_disks;

static uint8_t reply_buf[AGENT_MAX_REPLY];

static void sleep_ms(unsigned ms) {
        struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long) (ms % 1000) * 1000000L };
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

static int read_small(const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t n;
        if (fd < 0)
                return -errno;
        n = read(fd, buf, size - 1);
        if (n < 0)
                return -errno;
        buf[n] = 0;
        while (n > 0 && isspace((unsigned char) buf[n - 1]))
                buf[--n] = 0;
        return 0;
}

/* The block device's own node, made from its sysfs dev numbers: devtmpfs
 * creates nodes asynchronously, and udev is not running in the appliance. */
static int make_node(const char *kname, char *ret, size_t size) {
        char path[PATH_MAX_SYSFS], dev[32];
        unsigned ma, mi;
        int r;

        snprintf(path, sizeof(path), "/sys/class/block/%s/dev", kname);
        r = read_small(path, dev, sizeof(dev));
        if (r < 0)
                return r;
        if (sscanf(dev, "%u:%u", &ma, &mi) != 2)
                return -EBADMSG;
        snprintf(ret, size, DEV_DIR "/%s", kname);
        (void) unlink(ret);
        if (mknod(ret, S_IFBLK | 0600, makedev(ma, mi)) < 0)
                return -errno;
        return 0;
}

/* Recognise a filesystem (or a container) by its magic numbers, as blkid
 * would, reading only the few sectors that carry them. */
static const char *sniff(const char *node, MdMember *md) {
        static uint8_t b[68 * 1024];
        _cleanup_close_ int fd = open(node, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return NULL;
        /* md first: a mirror's member also looks like the filesystem it
         * holds, as blkid and GRUB's diskfilter know. */
        if (md_member_read(fd, md) == 0)
                return "md_member";
        memset(b, 0, sizeof(b));
        n = pread(fd, b, sizeof(b), 0);
        if (n < 4096)
                return NULL;
        for (unsigned s = 0; s < 4; s++)
                if (memcmp(b + s * 512, "LABELONE", 8) == 0 && memcmp(b + s * 512 + 24, "LVM2 001", 8) == 0)
                        return "LVM2_member";
        if (memcmp(b, "LUKS\xba\xbe", 6) == 0)
                return "crypto_LUKS";
        if (b[1080] == 0x53 && b[1081] == 0xef)
                return "ext4";
        if (memcmp(b, "XFSB", 4) == 0)
                return "xfs";
        if ((size_t) n >= 65536 + 72 && memcmp(b + 65536 + 64, "_BHRfS_M", 8) == 0)
                return "btrfs";
        if ((size_t) n >= 32774 && memcmp(b + 32769, "CD001", 5) == 0)
                return "iso9660";
        if (memcmp(b + 4086, "SWAPSPACE2", 10) == 0 || memcmp(b + 4086, "SWAP-SPACE", 10) == 0)
                return "swap";
        if (b[510] == 0x55 && b[511] == 0xaa &&
            (memcmp(b + 54, "FAT1", 4) == 0 || memcmp(b + 82, "FAT32", 5) == 0))
                return "vfat";
        if (zfs_is_member(fd))
                return "zfs";   /* the stage 1's module's name; read through it (zfs.h) */
        return NULL;
}

static Device *add_device(const char *kname, const char *display, unsigned disk, uint32_t via) {
        Device *d;
        const char *t;

        if (n_devices >= AGENT_MAX_DEVICES)
                return NULL;
        d = &devices[n_devices];
        memset(d, 0, sizeof(*d));
        if (make_node(kname, d->node, sizeof(d->node)) < 0)
                return NULL;
        t = sniff(d->node, &d->md);
        if (!t)
                return NULL;
        snprintf(d->pub.name, sizeof(d->pub.name), "%s", display);
        snprintf(d->pub.fstype, sizeof(d->pub.fstype), "%s", t);
        d->pub.disk = disk;
        d->pub.via = via;
        n_devices++;
        return d;
}

/* The disk at SCSI target T: /sys/bus/scsi/devices/H:0:T:0/block/<name>. */
static int find_disk_once(unsigned target, char *ret, size_t size) {
        _cleanup_(closedirp) DIR *d = opendir("/sys/bus/scsi/devices");
        struct dirent *e;

        while (d && (e = readdir(d))) {
                unsigned h, c, t, l;
                char path[PATH_MAX_SYSFS];
                if (sscanf(e->d_name, "%u:%u:%u:%u", &h, &c, &t, &l) != 4 || t != target || l != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/block", e->d_name);
                _cleanup_(closedirp) DIR *b = opendir(path);
                struct dirent *f;
                while (b && (f = readdir(b)))
                        if (f->d_name[0] != '.' && strlen(f->d_name) < size) {
                                snprintf(ret, size, "%s", f->d_name);
                                return 0;
                        }
        }
        return -ENODEV;
}

static int find_disk(unsigned target, char *ret, size_t size) {
        for (unsigned tries = 0; tries < 1000; tries++) {       /* 5 s */
                if (find_disk_once(target, ret, size) == 0)
                        return 0;
                sleep_ms(5);
        }
        return -ENODEV;
}

static int cmp_part(const void *a, const void *b) {
        return *(const unsigned *) a < *(const unsigned *) b ? -1 : *(const unsigned *) a > *(const unsigned *) b;
}

/* The disk's partition numbers from sysfs, ascending, at most max. */
static size_t list_partitions(const char *disk, unsigned *parts, size_t max) {
        char path[PATH_MAX_SYSFS];
        size_t n = 0;

        snprintf(path, sizeof(path), "/sys/class/block/%s", disk);
        _cleanup_(closedirp) DIR *d = opendir(path);
        struct dirent *e;
        while (d && (e = readdir(d)) && n < max) {
                char p[PATH_MAX_SYSFS], num[16];
                if (strncmp(e->d_name, disk, strlen(disk)) != 0)
                        continue;
                if (snprintf(p, sizeof(p), "%s/%s/partition", path, e->d_name) >= (int) sizeof(p) ||
                    read_small(p, num, sizeof(num)) < 0)
                        continue;
                parts[n++] = (unsigned) strtoul(num, NULL, 10);
        }
        qsort(parts, n, sizeof(parts[0]), cmp_part);
        return n;
}

/* The kind of kname's partition table (partition.h). */
static uint32_t table_of(const char *kname) {
        char node[128];
        _cleanup_close_ int fd = -EBADF;

        if (make_node(kname, node, sizeof(node)) < 0)
                return 0;
        fd = open(node, O_RDONLY | O_CLOEXEC);
        return fd < 0 ? 0 : partition_table_read(fd);
}

/* A block device and its partitions, in table order, as the stage 1
 * iterates them: display is the name the host shows ("/dev/sdb"), its
 * partitions get display + number; via is how the device itself is
 * reached, its partitions add their table's kind. */
static void add_with_partitions(const char *kname, const char *display, unsigned disk, uint32_t via) {
        static unsigned parts[1024];    /* the kernel's own bound is far lower */
        size_t n_parts;

        add_device(kname, display, disk, via);
        n_parts = list_partitions(kname, parts, ELEMENTSOF(parts));
        if (n_parts > 0)
                via |= table_of(kname);
        for (size_t i = 0; i < n_parts && n_devices < AGENT_MAX_DEVICES; i++) {
                char kpart[80], dpart[AGENT_DEVICE_NAME + 16];
                /* sdb1, but md127p1, nvme0n1p1 / loop0p1 in tests */
                snprintf(kpart, sizeof(kpart), "%s%s%u", kname,
                         isdigit((unsigned char) kname[strlen(kname) - 1]) ? "p" : "", parts[i]);
                snprintf(dpart, sizeof(dpart), "%s%s%u", display,
                         isdigit((unsigned char) display[strlen(display) - 1]) ? "p" : "", parts[i]);
                add_device(kpart, dpart, disk, via);
        }
}

static bool is_type(const Device *d, const char *t) {
        return strcmp(d->pub.fstype, t) == 0;
}

/* The md facts of an array, from its member's superblock: metadata
 * version and level (md_p.h's level numbers; -1 is linear). */
static uint32_t md_via(const MdMember *m) {
        static const struct {
                int32_t level;
                uint32_t via;
        } levels[] = {
                { -1, AGENT_VIA_MD_LINEAR }, { 0, AGENT_VIA_MD_RAID0 }, { 1, AGENT_VIA_MD_RAID1 },
                { 4, AGENT_VIA_MD_RAID4 },   { 5, AGENT_VIA_MD_RAID5 }, { 6, AGENT_VIA_MD_RAID6 },
                { 10, AGENT_VIA_MD_RAID10 },
        };
        uint32_t via = m->version == 0 ? AGENT_VIA_MD_090 : AGENT_VIA_MD_1X;

        for (size_t i = 0; i < ELEMENTSOF(levels); i++)
                if (levels[i].level == m->level)
                        via |= levels[i].via;
        return via;
}

/* md RAID: each array whose members are among our devices, mapped as
 * md.h says; one that cannot be is listed, flagged, with its reason in
 * place of a type, so that the host can say what it did not read.  An
 * array is reached through each of its members' ways. */
static void activate_md(void) {
        MdMember members[MD_MAX_MEMBERS];
        unsigned disk[MD_MAX_MEMBERS];
        uint32_t member_via[MD_MAX_MEMBERS];
        MdArray arrays[MD_MAX_MEMBERS];
        size_t n = 0;

        for (unsigned i = 0; i < n_devices && n < MD_MAX_MEMBERS; i++)
                if (is_type(&devices[i], "md_member")) {
                        members[n] = devices[i].md;
                        member_via[n] = devices[i].pub.via;
                        disk[n++] = devices[i].pub.disk;
                }
        int k = md_activate(members, n, arrays, ELEMENTSOF(arrays));
        for (int i = 0; i < k; i++) {
                const MdMember *m = &members[arrays[i].member];
                uint32_t via = md_via(m);
                char kname[32];
                if (arrays[i].mapped) {
                        for (size_t j = 0; j < n; j++)
                                if (memcmp(members[j].uuid, m->uuid, sizeof(m->uuid)) == 0 &&
                                    members[j].version == m->version)
                                        via |= member_via[j];
                        snprintf(kname, sizeof(kname), "dm-%u", arrays[i].minor);
                        add_with_partitions(kname, arrays[i].display, disk[arrays[i].member], via);
                } else if (n_devices < AGENT_MAX_DEVICES) {
                        Device *d = &devices[n_devices++];
                        memset(d, 0, sizeof(*d));
                        char line[sizeof(arrays[i].display) + sizeof(arrays[i].why) + 2];
                        snprintf(line, sizeof(line), "%.63s: %.47s", arrays[i].display, arrays[i].why);
                        memcpy(d->pub.name, line, sizeof(d->pub.name) - 1);    /* cut to fit */
                        snprintf(d->pub.fstype, sizeof(d->pub.fstype), "md_unread");
                        d->pub.disk = disk[arrays[i].member];
                        d->pub.flags = AGENT_DEVICE_UNREAD;
                }
        }
}

/*
 * LVM, read and mapped by the agent itself (lvm.h).  Two VGs of one name
 * with different UUIDs, or a PV we cannot place: which LV a name means is
 * then anybody's guess, so none is mapped.
 */
static void activate_lvm(void) {
        static LvmPv pvs[LVM_MAX_PVS];
        unsigned pv_disk[LVM_MAX_PVS];
        uint32_t pv_via[LVM_MAX_PVS];
        LvmLv lvs[AGENT_MAX_DEVICES];
        size_t npv = 0;
        bool ok = true;

        for (unsigned i = 0; ok && i < n_devices; i++) {
                if (!is_type(&devices[i], "LVM2_member"))
                        continue;
                if (npv >= LVM_MAX_PVS || lvm_pv_read(devices[i].node, &pvs[npv]) < 0) {
                        ok = false;
                        break;
                }
                pv_disk[npv] = devices[i].pub.disk;
                pv_via[npv] = devices[i].pub.via;
                for (size_t j = 0; j < npv; j++)
                        if (strcmp(pvs[j].vg_name, pvs[npv].vg_name) == 0 && strcmp(pvs[j].vg_id, pvs[npv].vg_id) != 0)
                                ok = false;
                npv++;
        }
        int n = ok ? lvm_activate(pvs, npv, lvs, AGENT_MAX_DEVICES) : 0;
        for (int i = 0; i < n; i++) {
                char kname[32];
                unsigned disk = 0;
                uint32_t via = AGENT_VIA_LVM;
                /* An LV belongs to the disk of its VG's first PV: "/dev/VG/LV";
                 * it is reached through every PV of its VG. */
                for (size_t j = npv; j-- > 0;) {
                        size_t l = strlen(pvs[j].vg_name);
                        if (strncmp(lvs[i].display + 5, pvs[j].vg_name, l) == 0 && lvs[i].display[5 + l] == '/') {
                                disk = pv_disk[j];
                                via |= pv_via[j];
                        }
                }
                snprintf(kname, sizeof(kname), "dm-%u", lvs[i].minor);
                add_device(kname, lvs[i].display, disk, via);
        }
        for (size_t i = 0; i < npv; i++)
                lvm_pv_done(&pvs[i]);
}

/* The subvolume a btrfs mount shows at its root. */
static uint64_t btrfs_root_subvol(int dirfd) {
        struct btrfs_ioctl_ino_lookup_args a = { .treeid = 0, .objectid = BTRFS_FIRST_FREE_OBJECTID };
        return ioctl(dirfd, BTRFS_IOC_INO_LOOKUP, &a) < 0 ? 0 : a.treeid;
}

/*
 * Each btrfs is listed at its top level, which is what GRUB reads; when
 * its default subvolume is another one (Ubuntu's and SUSE's "@"), that view
 * is listed after it, flagged, so that a file found only there can be
 * explained.  Learning the default costs one mount, only for btrfs.
 */
static void add_btrfs_default_views(void) {
        unsigned n = n_devices;

        for (unsigned i = 0; i < n && n_devices < AGENT_MAX_DEVICES; i++) {
                Device *d = &devices[i];
                uint64_t id;
                if (!is_type(d, "btrfs"))
                        continue;
                d->pub.subvol = BTRFS_FS_TREE_OBJECTID;
                if (mount(d->node, MNT_DIR, "btrfs", MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_NOATIME,
                          "nologreplay") < 0)
                        continue;
                int fd = open(MNT_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                id = fd < 0 ? 0 : btrfs_root_subvol(fd);
                if (fd >= 0)
                        close(fd);
                (void) umount2(MNT_DIR, MNT_DETACH);
                if (id == 0 || id == BTRFS_FS_TREE_OBJECTID)
                        continue;
                Device *v = &devices[n_devices++];
                *v = *d;
                v->pub.flags = AGENT_DEVICE_DEFAULT_SUBVOL;
                v->pub.subvol = id;
                snprintf(v->pub.name, sizeof(v->pub.name), "%.40s (default subvolume)", d->pub.name);
        }
}

/* Disk i of this attach: the SCSI target first + i in the appliance, the
 * i-th --disk in tests. */
static int open_disk(unsigned first, unsigned i, char *kname, size_t size) {
        char path[PATH_MAX_SYSFS];
        int r, fd;

        if (test_disks[0]) {
                const char *b;
                if (i >= ELEMENTSOF(test_disks) || !test_disks[i])
                        return -ENODEV;
                b = strrchr(test_disks[i], '/');
                snprintf(kname, size, "%s", b ? b + 1 : test_disks[i]);
        } else {
                r = find_disk(first + i, kname, size);
                if (r < 0)
                        return r;
        }
        /* The disk's sysfs entries appear one by one, and before the disk
         * can be opened: wait (bounded) until it can. */
        for (unsigned tries = 0;; tries++) {
                r = make_node(kname, path, sizeof(path));
                fd = r < 0 ? r : open(path, O_RDONLY | O_CLOEXEC);
                if (fd < 0 && r >= 0)
                        r = -errno;
                if (fd >= 0 || (r != -ENOENT && r != -ENXIO && r != -ENODEV) || tries >= 1000)
                        break;
                sleep_ms(5);
        }
        if (fd < 0)
                return r;
        /* The kernel scans partitions while it adds the disk, racing our
         * lookup: scan again, synchronously, so the list below is whole. */
        (void) ioctl(fd, BLKRRPART);
        close(fd);
        return 0;
}

static int do_attach(unsigned first, uint64_t count, uint32_t *ret_len) {
        bool md = false, lvm = false;
        int r;

        if (attached)
                return -EALREADY;
        if (count == 0)
                count = 1;      /* a version 1 host */
        if (count > AGENT_MAX_DISKS)
                return -EINVAL;
        attached = true;
        for (unsigned i = 0; i < count; i++) {
                char kname[64], display[16];
                r = open_disk(first, i, kname, sizeof(kname));
                if (r < 0)
                        return r;
                snprintf(display, sizeof(display), "/dev/sd%c", 'a' + i);
                add_with_partitions(kname, display, i, 0);
        }
        for (unsigned i = 0; i < n_devices; i++)
                md = md || is_type(&devices[i], "md_member");
        if (md)
                activate_md();
        for (unsigned i = 0; i < n_devices; i++)
                lvm = lvm || is_type(&devices[i], "LVM2_member");
        if (lvm)
                activate_lvm();
        add_btrfs_default_views();

        /* Only what can be mounted stays; MOUNT's index refers to this list. */
        unsigned kept = 0;
        for (unsigned i = 0; i < n_devices; i++) {
                if (is_type(&devices[i], "LVM2_member") || is_type(&devices[i], "swap") ||
                    is_type(&devices[i], "crypto_LUKS") || is_type(&devices[i], "md_member"))
                        continue;
                devices[kept++] = devices[i];
        }
        n_devices = kept;
        size_t len = 0;
        for (unsigned i = 0; i < n_devices; i++) {
                memcpy(reply_buf + len, &devices[i].pub, sizeof(AgentDevice));
                len += sizeof(AgentDevice);
        }
        *ret_len = (uint32_t) len;
        return 0;
}

static int do_mount(unsigned idx) {
        const Device *d;
        const char *opts = NULL;

        if (mounted)
                return -EBUSY;
        if (idx >= n_devices)
                return -EINVAL;
        d = &devices[idx];
        if (is_type(d, "zfs")) {
                if (!zfs_available())
                        return -EOPNOTSUPP;
                zfs_mounted = d;
                mounted = true;
                return 0;
        }
        /* What GRUB sees: no journal replayed (it has no replay either),
         * and nothing on the disk changes (the device is read-only). */
        if (is_type(d, "ext4"))
                opts = "noload";
        else if (is_type(d, "xfs"))
                opts = "norecovery";
        else if (is_type(d, "btrfs"))
                /* GRUB's "/" is the top level, whatever the default; and a
                 * dirty log is not replayed (btrfs refuses to mount a
                 * read-only device that has one, GRUB reads it as it is). */
                opts = d->pub.flags & AGENT_DEVICE_DEFAULT_SUBVOL ? "nologreplay" : "subvolid=5,nologreplay";
        if (mount(d->node, MNT_DIR, d->pub.fstype,
                  MS_RDONLY | MS_NODEV | MS_NOSUID | MS_NOEXEC | MS_NOATIME, opts) < 0)
                return -errno;
        mnt_fd = open(MNT_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (mnt_fd < 0) {
                int r = -errno;
                (void) umount2(MNT_DIR, MNT_DETACH);
                return r;
        }
        mounted = true;
        return 0;
}

static int do_umount(void) {
        if (!mounted)
                return -EINVAL;
        if (zfs_mounted) {
                zfs_mounted = NULL;
                mounted = false;
                return 0;
        }
        close(mnt_fd);
        mnt_fd = -1;
        mounted = false;
        if (umount2(MNT_DIR, MNT_DETACH) < 0)
                return -errno;
        return 0;
}

/* Open below the mount point as if it were the root directory: ".." and
 * absolute links stop there, nothing crosses into another mount. */
static int open_in_root(const char *path, uint64_t flags, uint64_t resolve) {
        struct open_how how = {
                .flags = flags | O_CLOEXEC,
                .resolve = resolve | RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        long fd;

        if (!mounted)
                return -EINVAL;
        while (*path == '/')
                path++;
        fd = syscall(SYS_openat2, mnt_fd, *path ? path : ".", &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

static int do_lstat(const char *path, uint32_t *ret_len) {
        AgentStat st = { 0 };
        struct stat s;
        if (zfs_mounted) {
                int r = zfs_lstat(zfs_mounted->node, path, &st);
                if (r < 0)
                        return r;
                memcpy(reply_buf, &st, sizeof(st));
                *ret_len = sizeof(st);
                return 0;
        }
        _cleanup_close_ int fd = open_in_root(path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
        if (fd < 0)
                return fd;
        if (fstat(fd, &s) < 0)
                return -errno;
        st.type = S_ISREG(s.st_mode) ? AGENT_TYPE_REGULAR : S_ISDIR(s.st_mode) ? AGENT_TYPE_DIRECTORY
                : S_ISLNK(s.st_mode) ? AGENT_TYPE_SYMLINK : AGENT_TYPE_OTHER;
        st.size = s.st_size > 0 ? (uint64_t) s.st_size : 0;
        memcpy(reply_buf, &st, sizeof(st));
        *ret_len = sizeof(st);
        return 0;
}

static int do_readlink(const char *path, uint32_t *ret_len) {
        if (zfs_mounted)
                return -EINVAL;         /* GRUB's zfs follows links itself: none in its view */
        _cleanup_close_ int fd = open_in_root(path, O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
        ssize_t n;
        if (fd < 0)
                return fd;
        n = readlinkat(fd, "", (char *) reply_buf, 4096);
        if (n < 0)
                return -errno;
        *ret_len = (uint32_t) n;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int do_glob(const char *pattern, uint32_t *ret_len) {
        char dir[AGENT_MAX_REQUEST + 1], *slash, *names[AGENT_MAX_GLOB];
        const char *base;
        size_t n = 0, len = 0;
        _cleanup_close_ int fd = -EBADF;

        if (zfs_mounted)
                return zfs_glob(zfs_mounted->node, pattern, reply_buf, sizeof(reply_buf), ret_len);
        snprintf(dir, sizeof(dir), "%s", pattern);
        slash = strrchr(dir, '/');
        if (!slash || strpbrk(dir, "*?[") < slash)
                return -EINVAL;
        *slash = 0;
        base = slash + 1;
        /* Directories are followed as a chroot'd glob(3) would. */
        fd = open_in_root(dir, O_RDONLY | O_DIRECTORY, 0);
        if (fd < 0)
                return fd == -ENOTDIR ? -ENOENT : fd;
        _cleanup_(closedirp) DIR *d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);    /* d's now */
        struct dirent *e;
        while ((e = readdir(d)) && n < AGENT_MAX_GLOB)
                if (fnmatch(base, e->d_name, FNM_PERIOD) == 0)
                        names[n++] = strdup(e->d_name);
        qsort(names, n, sizeof(names[0]), cmp_str);
        for (size_t i = 0; i < n; i++) {
                if (names[i]) {
                        int w = snprintf((char *) reply_buf + len, sizeof(reply_buf) - len, "%s/%s", dir, names[i]);
                        if (w > 0 && (size_t) w < sizeof(reply_buf) - len)
                                len += (size_t) w + 1;
                }
                free(names[i]);
        }
        *ret_len = (uint32_t) len;
        return 0;
}

static int do_pread(const char *path, uint64_t offset, uint32_t size, uint32_t *ret_len) {
        _cleanup_close_ int fd = -EBADF;
        struct stat s;
        ssize_t n;

        if (zfs_mounted)
                return zfs_pread(zfs_mounted->node, path, offset, size, reply_buf, ret_len);
        if (size > AGENT_MAX_READ || offset > (uint64_t) INT64_MAX - size)
                return -EINVAL;
        fd = open_in_root(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, RESOLVE_NO_SYMLINKS);
        if (fd < 0)
                return fd;
        if (fstat(fd, &s) < 0 || !S_ISREG(s.st_mode))
                return -EINVAL;
        /* Short only at the end of the file; a failure sends no bytes. */
        n = loop_pread(fd, reply_buf, size, offset);
        if (n < 0)
                return (int) n;
        *ret_len = (uint32_t) n;
        return 0;
}

static int serve(int fd) {
        for (;;) {
                AgentRequest q;
                char payload[AGENT_MAX_REQUEST + 1];
                AgentReply a = { .magic = AGENT_MAGIC_REPLY };
                uint32_t len = 0;
                int r;

                /* No deadline: the host end may be silent for as long as
                 * the template sits on disk; -EPIPE when it goes away. */
                r = fd_read_full(fd, &q, sizeof(q), USEC_INFINITY);
                if (r < 0)
                        return r;
                if (q.magic != AGENT_MAGIC_REQUEST || q.len > AGENT_MAX_REQUEST)
                        return -EBADMSG;        /* out of step: nothing after this can be trusted */
                r = fd_read_full(fd, payload, q.len, USEC_INFINITY);
                if (r < 0)
                        return r;
                payload[q.len] = 0;
                if (strlen(payload) != q.len)
                        r = -EINVAL;
                else
                        switch (q.op) {
                        case AGENT_OP_HELLO:
                                len = (uint32_t) snprintf((char *) reply_buf, 64, "pvboot-agent %d", AGENT_VERSION);
                                r = 0;
                                break;
                        case AGENT_OP_ATTACH:   r = do_attach(q.arg, q.offset, &len); break;
                        case AGENT_OP_MOUNT:    r = do_mount(q.arg); break;
                        case AGENT_OP_UMOUNT:   r = do_umount(); break;
                        case AGENT_OP_LSTAT:    r = do_lstat(payload, &len); break;
                        case AGENT_OP_READLINK: r = do_readlink(payload, &len); break;
                        case AGENT_OP_GLOB:     r = do_glob(payload, &len); break;
                        case AGENT_OP_PREAD:    r = do_pread(payload, q.offset, q.arg, &len); break;
                        default:                r = -EOPNOTSUPP; break;
                        }
                a.status = r;
                a.len = r < 0 ? 0 : len;
                r = loop_write(fd, &a, sizeof(a));
                if (r >= 0 && a.len > 0)
                        r = loop_write(fd, reply_buf, a.len);
                if (r < 0)
                        return r;
        }
}

static int open_port(void) {
        _cleanup_(closedirp) DIR *d = opendir("/sys/class/virtio-ports");
        struct dirent *e;
        int fd = -ENOENT;

        while (d && (e = readdir(d))) {
                char path[PATH_MAX_SYSFS], name[128];
                if (e->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", e->d_name);
                if (read_small(path, name, sizeof(name)) < 0 || strcmp(name, AGENT_PORT_NAME) != 0)
                        continue;
                snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s", e->d_name);
                if (make_node(e->d_name, path, sizeof(path)) < 0) {
                        /* virtio ports are char devices: not in /sys/class/block */
                        char dev[32];
                        unsigned ma, mi;
                        snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/dev", e->d_name);
                        if (read_small(path, dev, sizeof(dev)) < 0 || sscanf(dev, "%u:%u", &ma, &mi) != 2)
                                continue;
                        snprintf(path, sizeof(path), RUN_DIR "/port");
                        (void) unlink(path);
                        if (mknod(path, S_IFCHR | 0600, makedev(ma, mi)) < 0)
                                continue;
                }
                fd = open(path, O_RDWR | O_CLOEXEC);
                if (fd < 0)
                        fd = -errno;
                break;
        }
        return fd;
}

int main(int argc, char **argv) {
        int fd = -1;
        bool daemon = false;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--daemon") == 0)
                        daemon = true;
                else if (strncmp(argv[i], "--fd=", 5) == 0)
                        fd = atoi(argv[i] + 5);
                else if (strncmp(argv[i], "--disk=", 7) == 0 && n_test_disks < AGENT_MAX_DISKS)
                        test_disks[n_test_disks++] = argv[i] + 7;
                else {
                        fprintf(stderr, "usage: pvboot-agent --daemon | --fd=N --disk=PATH...\n");
                        return 2;
                }
        }
        (void) mkdir(RUN_DIR, 0700);
        (void) mkdir(DEV_DIR, 0700);
        (void) mkdir(MNT_DIR, 0700);
        if (daemon) {
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid > 0)
                        return 0;
                (void) setsid();
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, 0);
                        dup2(null, 1);
                        dup2(null, 2);
                }
                /* The appliance's OOM killer should take anything but us. */
                int adj = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
                if (adj >= 0) {
                        (void) !write(adj, "-1000", 5);
                        close(adj);
                }
                for (;;) {
                        fd = open_port();
                        if (fd >= 0)
                                break;
                        sleep_ms(10);
                }
        }
        if (fd < 0)
                return 2;
        /* A clone's host end may connect late or go away: an EOF on the
         * port is not fatal, the next request may still come. */
        for (;;) {
                int r = serve(fd);
                if (!daemon || r == -EBADMSG)
                        return r == -EPIPE ? 0 : 1;
                sleep_ms(5);
        }
}
