/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* ZFS through GRUB's own driver (see zfs.h). */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent/zfs.h"
#include "shared/macro.h"
#include "pvboot-select.h"

#define UBERBLOCK_MAGIC UINT64_C(0x00bab10c)
#define LABEL_UB_OFFSET (128u << 10)    /* the uberblock ring in each 256 KiB label */
#define LABEL_UB_SIZE (128u << 10)

bool zfs_is_member(int fd) {
        static uint8_t ring[LABEL_UB_SIZE];
        ssize_t n = pread(fd, ring, sizeof(ring), LABEL_UB_OFFSET);

        /* Slots are 1 KiB or 2^ashift: every 1 KiB boundary covers both;
         * either byte order (GRUB reads both). */
        for (size_t o = 0; n > 0 && o + 8 <= (size_t) n; o += 1024) {
                uint64_t m;
                memcpy(&m, ring + o, 8);
                if (m == UBERBLOCK_MAGIC || __builtin_bswap64(m) == UBERBLOCK_MAGIC)
                        return true;
        }
        return false;
}

static bool all_digits(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return n > 0;
}

/* One line of `ls -l` (without its "\n"). */
static int parse_line(const char *s, size_t n, ZfsEntry *ret) {
        size_t digits = strspn(s, "0123456789");

        memset(ret, 0, sizeof(*ret));
        if (n < 13)
                return -EBADMSG;
        if (memcmp(s, "DIR         ", 12) == 0)
                ret->dir = true;
        else if (digits >= 1 && digits <= 11 && digits <= n) {
                /* 12 or more digits would leave no padding to end the field. */
                for (size_t i = digits; i < 12; i++)
                        if (s[i] != ' ')
                                return -EBADMSG;
                ret->size = strtoull(s, NULL, 10);
        } else
                return -EBADMSG;
        s += 12;
        n -= 12;
        if (n > 16 && s[0] == ' ' && s[15] == ' ' && all_digits(s + 1, 14)) {
                s += 16;
                n -= 16;
        }
        if (ret->dir) {
                if (n < 2 || s[n - 1] != '/')
                        return -EBADMSG;
                n--;
        }
        if (n == 0 || n > ZFS_MAX_NAME || memchr(s, '/', n) || memchr(s, 0, n))
                return -EBADMSG;
        memcpy(ret->name, s, n);
        ret->name[n] = 0;
        return 0;
}

int zfs_parse_listing(const char *buf, size_t len, ZfsEntry *ret, size_t max) {
        size_t count = 0;

        if (len == 0)
                return -ENOENT;
        /* GRUB ends a listing with an empty line. */
        if (buf[len - 1] != '\n' || (len >= 2 && buf[len - 2] != '\n') || len > ZFS_MAX_LISTING)
                return -EBADMSG;
        len--;
        for (size_t start = 0; start < len;) {
                const char *nl = memchr(buf + start, '\n', len - start);
                size_t n = (size_t) (nl - (buf + start));
                int r;

                if (count >= max)
                        return -E2BIG;
                r = parse_line(buf + start, n, &ret[count]);
                if (r < 0)
                        return r;
                count++;
                start += n + 1;
        }
        return (int) count;
}

static bool ends_with(const char *s, size_t len, const char *tail) {
        size_t t = strlen(tail);
        return len >= t && memcmp(s + len - t, tail, t) == 0;
}

int zfs_parse_error(const char *err, size_t len) {
        while (len > 0 && err[len - 1] == '\n')
                len--;
        /* Only the end is GRUB's own text; the path before it is ours. */
        if (ends_with(err, len, "': not a regular file.") || ends_with(err, len, "': missing `@' symbol."))
                return 1;
        if (ends_with(err, len, "' not found."))
                return -ENOENT;
        if (ends_with(err, len, "': not a directory."))
                return -ENOTDIR;
        return -EIO;
}

bool zfs_available(void) {
        return access(ZFS_GRUB_FSTEST, X_OK) == 0;
}

static uint64_t now_ms(void) {
        return now_usec() / 1000;
}

/*
 * Run grub-fstest with argv (after the program's name): at most out_max
 * bytes of its stdout into out, of its stderr into err (NUL-terminated).
 * Past either cap or the deadline it is killed: -EFBIG, -ETIMEDOUT.
 * Else its exit status in *ret_status (-1: killed by a signal).
 */
static int run(const char *const *args, uint8_t *out, size_t out_max, size_t *ret_out, char *err,
               size_t err_size, int *ret_status) {
        const char *argv[16] = { ZFS_GRUB_FSTEST };
        static char *const envp[] = { (char *) "PATH=/usr/sbin:/usr/bin:/sbin:/bin", (char *) "LC_ALL=C", NULL };
        _cleanup_close_pair_ int po[2] = { -EBADF, -EBADF }, pe[2] = { -EBADF, -EBADF };
        size_t n_out = 0, n_err = 0, i;
        uint64_t deadline = now_ms() + ZFS_EXEC_TIMEOUT_MS;
        int r = 0, status;
        pid_t pid;

        for (i = 0; args[i] && i + 2 < ELEMENTSOF(argv); i++)
                argv[i + 1] = args[i];
        if (args[i])
                return -E2BIG;
        if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
                if (null < 0 || dup2(null, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0)
                        _exit(127);
                execve(argv[0], (char *const *) argv, envp);
                _exit(127);
        }
        close(po[1]);
        close(pe[1]);
        po[1] = pe[1] = -EBADF;
        err[0] = 0;
        for (bool out_open = true, err_open = true; (out_open || err_open) && r == 0;) {
                struct pollfd p[2] = { { .fd = out_open ? po[0] : -1, .events = POLLIN },
                                       { .fd = err_open ? pe[0] : -1, .events = POLLIN } };
                uint64_t now = now_ms();
                if (now >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                if (poll(p, 2, (int) (deadline - now)) < 0) {
                        if (errno != EINTR)
                                r = -errno;
                        continue;
                }
                if (p[0].revents) {
                        /* One byte of room past the cap tells an overrun. */
                        uint8_t spill;
                        ssize_t n = n_out < out_max ? read(po[0], out + n_out, out_max - n_out)
                                                    : read(po[0], &spill, 1);
                        if (n < 0 && errno != EINTR && errno != EAGAIN)
                                r = -errno;
                        else if (n == 0)
                                out_open = false;
                        else if (n > 0 && n_out >= out_max)
                                r = -EFBIG;
                        else if (n > 0)
                                n_out += (size_t) n;
                }
                if (p[1].revents && r == 0) {
                        char spill;
                        ssize_t n = n_err + 1 < err_size ? read(pe[0], err + n_err, err_size - 1 - n_err)
                                                         : read(pe[0], &spill, 1);
                        if (n < 0 && errno != EINTR && errno != EAGAIN)
                                r = -errno;
                        else if (n == 0)
                                err_open = false;
                        else if (n > 0 && n_err + 1 >= err_size)
                                r = -EFBIG;
                        else if (n > 0) {
                                n_err += (size_t) n;
                                err[n_err] = 0;
                        }
                }
        }
        if (r < 0)
                (void) kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return r < 0 ? r : -errno;
        if (r < 0)
                return r;
        *ret_out = n_out;
        *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return 0;
}

/* "(loop0)" and path: grub-fstest's name for its first image. */
static int grub_name(const char *path, char *buf, size_t size) {
        while (*path == '/')
                path++;
        if ((size_t) snprintf(buf, size, "(loop0)/%s", path) >= size)
                return -ENAMETOOLONG;
        return 0;
}

/* cat -s skip -n len of path; the bytes in out (at most out_max). */
static int cat(const char *node, const char *path, uint64_t skip, uint32_t len, uint8_t *out, size_t out_max,
               size_t *ret_out) {
        char gpath[AGENT_MAX_REQUEST + 16], s[24], l[16], err[512];
        int r, status;

        r = grub_name(path, gpath, sizeof(gpath));
        if (r < 0)
                return r;
        snprintf(s, sizeof(s), "%" PRIu64, skip);
        snprintf(l, sizeof(l), "%" PRIu32, len);
        const char *args[] = { "-s", s, "-n", l, "--", node, "cat", gpath, NULL };
        r = run(args, out, out_max, ret_out, err, sizeof(err), &status);
        if (r < 0)
                return r;
        if (status == 0 && err[0] == 0)
                return 0;
        if (status != 1)
                return -EIO;
        r = zfs_parse_error(err, strlen(err));
        return r > 0 ? -EISDIR : r;
}

static int list(const char *node, const char *dir, ZfsEntry *ret, size_t max) {
        static char out[ZFS_MAX_LISTING];
        char gpath[AGENT_MAX_REQUEST + 16], err[512];
        size_t n;
        int r, status;

        r = grub_name(dir, gpath, sizeof(gpath) - 1);
        if (r < 0)
                return r;
        if (gpath[strlen(gpath) - 1] != '/')
                strcat(gpath, "/");
        const char *args[] = { "--", node, "ls", "-l", gpath, NULL };
        r = run(args, (uint8_t *) out, sizeof(out), &n, err, sizeof(err), &status);
        if (r < 0)
                return r;
        if (status != 0 || err[0])
                return -EIO;
        return zfs_parse_listing(out, n, ret, max);
}

#define ZFS_MAX_ENTRIES 1024

int zfs_lstat(const char *node, const char *path, AgentStat *ret) {
        static ZfsEntry entries[ZFS_MAX_ENTRIES];
        char parent[AGENT_MAX_REQUEST + 1];
        const char *base;
        uint8_t byte[1];
        size_t n;
        int r, k, found = -1;

        memset(ret, 0, sizeof(*ret));
        while (*path == '/')
                path++;
        if (!*path) {
                ret->type = AGENT_TYPE_DIRECTORY;
                return 0;
        }
        /* Is it a file GRUB opens?  A directory or dataset it refuses so. */
        r = cat(node, path, 0, 1, byte, sizeof(byte), &n);
        if (r == -EISDIR) {
                ret->type = AGENT_TYPE_DIRECTORY;
                return 0;
        }
        if (r < 0)
                return r;
        /* Its size, from its directory's listing... */
        snprintf(parent, sizeof(parent), "/%s", path);
        base = strrchr(parent, '/');
        *(char *) base = 0;
        base = path + (base - parent);  /* the same name, in path */
        k = list(node, parent, entries, ELEMENTSOF(entries));
        if (k < 0)
                return k == -ENOENT ? -EIO : k;
        for (int i = 0; i < k; i++)
                if (!entries[i].dir && strcmp(entries[i].name, base) == 0) {
                        if (found >= 0)
                                return -EBADMSG;        /* a name with a newline made a second line */
                        found = i;
                }
        if (found < 0)
                return -EBADMSG;
        /* ...and checked against the file: nothing left past that size. */
        r = cat(node, path, entries[found].size, 0, byte, sizeof(byte), &n);
        if (r == -EFBIG || (r == 0 && n > 0))
                return -EBADMSG;
        if (r < 0)
                return r;
        ret->type = AGENT_TYPE_REGULAR;
        ret->size = entries[found].size;
        return 0;
}

static int cmp_str(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int zfs_glob(const char *node, const char *pattern, uint8_t *buf, size_t size, uint32_t *ret_len) {
        static ZfsEntry entries[ZFS_MAX_ENTRIES];
        char dir[AGENT_MAX_REQUEST + 1], *slash;
        const char *names[AGENT_MAX_GLOB];
        size_t n = 0, len = 0;
        int k;

        snprintf(dir, sizeof(dir), "%s", pattern);
        slash = strrchr(dir, '/');
        if (!slash || strpbrk(dir, "*?[") < slash)
                return -EINVAL;
        *slash = 0;
        k = list(node, dir, entries, ELEMENTSOF(entries));
        if (k < 0)
                return k;
        for (int i = 0; i < k && n < AGENT_MAX_GLOB; i++)
                if (fnmatch(slash + 1, entries[i].name, FNM_PERIOD) == 0)
                        names[n++] = entries[i].name;
        qsort(names, n, sizeof(names[0]), cmp_str);
        for (size_t i = 0; i < n; i++) {
                int w = snprintf((char *) buf + len, size - len, "%s/%s", dir, names[i]);
                if (w > 0 && (size_t) w < size - len)
                        len += (size_t) w + 1;
        }
        *ret_len = (uint32_t) len;
        return 0;
}

int zfs_pread(const char *node, const char *path, uint64_t offset, uint32_t size, uint8_t *buf,
              uint32_t *ret_len) {
        size_t n;
        int r;

        if (size > AGENT_MAX_READ || offset > (uint64_t) INT64_MAX - size)
                return -EINVAL;
        *ret_len = 0;
        if (size == 0)
                return 0;       /* grub-fstest's -n 0 would mean "to the end" */
        r = cat(node, path, offset, size, buf, size, &n);
        if (r == -EIO)
                return -EIO;    /* also "invalid skip value": past the end, which the host knows not to ask */
        if (r < 0)
                return r == -EISDIR ? -EINVAL : r;
        *ret_len = (uint32_t) n;
        return 0;
}
