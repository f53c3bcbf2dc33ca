/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * hangfs IMAGE FLAG MOUNTPOINT: a disk on a filesystem that stops
 * answering, as an NFS or iSCSI disk does when its server goes away.
 *
 * Serves IMAGE, read-only, as MOUNTPOINT/disk.img (direct I/O: every read
 * comes here).  While the file FLAG exists, no read is answered: each is
 * parked, said on stderr ("hangfs: read parked at OFFSET"), and answered
 * once FLAG is gone.  A reader killed meanwhile stays in uninterruptible
 * sleep: the kernel waits without any signal for a request that userspace
 * has taken (fs/fuse/dev.c, request_wait_answer), which is how a process
 * on a hung disk cannot die.  Killing hangfs aborts the connection and
 * frees every reader (tests/daemon.sh does, whatever happens).
 *
 * Runs in the foreground, as root (allow_other: the reader is a clone's
 * uid), until unmounted or killed.
 */
#define FUSE_USE_VERSION 31
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *flag;
static int image = -1;
static struct stat image_st;

static int hang_getattr(const char *path, struct stat *st, struct fuse_file_info *fi) {
        (void) fi;
        memset(st, 0, sizeof(*st));
        if (strcmp(path, "/") == 0) {
                st->st_mode = S_IFDIR | 0755;
                st->st_nlink = 2;
                return 0;
        }
        if (strcmp(path, "/disk.img") != 0)
                return -ENOENT;
        st->st_mode = S_IFREG | 0444;
        st->st_nlink = 1;
        st->st_size = image_st.st_size;
        st->st_mtim = image_st.st_mtim;
        return 0;
}

static int hang_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off, struct fuse_file_info *fi,
                        enum fuse_readdir_flags flags) {
        (void) off;
        (void) fi;
        (void) flags;
        if (strcmp(path, "/") != 0)
                return -ENOENT;
        fill(buf, ".", NULL, 0, 0);
        fill(buf, "..", NULL, 0, 0);
        fill(buf, "disk.img", NULL, 0, 0);
        return 0;
}

static int hang_open(const char *path, struct fuse_file_info *fi) {
        if (strcmp(path, "/disk.img") != 0)
                return -ENOENT;
        if ((fi->flags & O_ACCMODE) != O_RDONLY)
                return -EROFS;
        fi->direct_io = 1;
        return 0;
}

static int hang_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi) {
        bool said = false;
        ssize_t n;

        (void) path;
        (void) fi;
        while (access(flag, F_OK) == 0) {
                if (!said) {
                        fprintf(stderr, "hangfs: read parked at %lld\n", (long long) off);
                        said = true;
                }
                usleep(20000);
        }
        if (said)
                fprintf(stderr, "hangfs: read answered at %lld\n", (long long) off);
        n = pread(image, buf, size, off);
        return n < 0 ? -errno : (int) n;
}

static const struct fuse_operations ops = {
        .getattr = hang_getattr,
        .readdir = hang_readdir,
        .open = hang_open,
        .read = hang_read,
};

int main(int argc, char **argv) {
        if (argc != 4) {
                fprintf(stderr, "usage: hangfs IMAGE FLAG MOUNTPOINT\n");
                return 2;
        }
        setvbuf(stderr, NULL, _IOLBF, 0);
        image = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (image < 0 || fstat(image, &image_st) < 0) {
                fprintf(stderr, "hangfs: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        flag = argv[2];
        /* Foreground, one thread per request: a parked read holds only its own. */
        char *fargv[] = { argv[0], "-f", "-o", "allow_other,ro,fsname=hangfs", argv[3], NULL };
        return fuse_main(5, fargv, &ops, NULL);
}
