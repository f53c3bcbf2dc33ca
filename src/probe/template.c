/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The appliance and its template snapshot (see template.h). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <guestfs.h>
#include <limits.h>
#include <nettle/sha2.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shared/fd-util.h"
#include "pvboot-agent.h"
#include "pvboot-select.h"
#include "probe/agent-client.h"
#include "probe/qmp.h"
#include "probe/template.h"
#include "shared/macro.h"
#include "shared/text.h"

#define TEMPLATE_FORMAT 1
#define QEMU_BINARY "/usr/bin/qemu-system-x86_64"
#define QEMU_IMG "/usr/bin/qemu-img"
#define SUPERMIN "/usr/bin/supermin"
#define PAGE 4096u
#define MAX_ARGV_BYTES (64u << 10)
#define MAX_META 4096

/* The modules a clone needs, loaded before the capture: every later
 * modprobe would cost a retranslation of modprobe under TCG. */
#define PREPARE_CMD "modprobe -a ext4 xfs btrfs vfat isofs dm_mod md_mod raid0 raid1 raid10 raid456 dm_raid 2>/dev/null; " \
                    "udevadm control --exit; /pvboot-agent --daemon"

DEFINE_TRIVIAL_CLEANUP_FUNC(guestfs_h *, guestfs_close);

/* dir/name; cfg->dir is checked to be short (dir_ok), so nothing is cut. */
static int join(char *buf, size_t size, const char *dir, const char *name) {
        size_t a = strlen(dir), b = strlen(name);
        if (a + 1 + b >= size) {
                buf[0] = 0;
                return -ENAMETOOLONG;
        }
        memcpy(buf, dir, a);
        buf[a] = '/';
        memcpy(buf + a + 1, name, b + 1);
        return 0;
}

static bool dir_ok(const TemplateConfig *cfg) {
        return cfg->dir && cfg->dir[0] == '/' && strlen(cfg->dir) < 1024;
}

static void hex(const uint8_t *d, size_t n, char *out) {
        for (size_t i = 0; i < n; i++)
                snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* Append to the text in buf (len bytes so far, at most size): -ENOBUFS
 * when it does not fit. */
static int text_printf(char *buf, size_t size, size_t *len, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int text_printf(char *buf, size_t size, size_t *len, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf + *len, size - *len, fmt, ap);
        va_end(ap);
        if (n < 0 || (size_t) n >= size - *len)
                return -ENOBUFS;
        *len += (size_t) n;
        return 0;
}

static int text_stat(char *buf, size_t size, size_t *len, const char *path) {
        struct stat st;
        if (stat(path, &st) < 0)
                return text_printf(buf, size, len, "%s missing\n", path);
        return text_printf(buf, size, len, "%s %llu %llu %lld.%09ld\n", path, (unsigned long long) st.st_ino,
                           (unsigned long long) st.st_size, (long long) st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void sha_printf(struct sha256_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sha_printf(struct sha256_ctx *c, const char *fmt, ...) {
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (n > 0)
                sha256_update(c, (size_t) n < sizeof(buf) ? (size_t) n : sizeof(buf) - 1, (const uint8_t *) buf);
}

static void sha_stat(struct sha256_ctx *c, const char *path) {
        char line[PATH_MAX + 128];
        size_t len = 0;
        if (text_stat(line, sizeof(line), &len, path) >= 0)
                sha256_update(c, len, (const uint8_t *) line);
}

static int sha_fd(int fd, char out[65]) {
        static uint8_t buf[1u << 16];
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];
        uint64_t off = 0;
        ssize_t n;

        sha256_init(&c);
        while ((n = loop_pread(fd, buf, sizeof(buf), off)) > 0) {
                sha256_update(&c, (size_t) n, buf);
                off += (uint64_t) n;
        }
        if (n < 0)
                return (int) n;
        sha256_digest(&c, sizeof(d), d);
        hex(d, sizeof(d), out);
        return 0;
}

static int sha_file(const char *path, char out[65]) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        return sha_fd(fd, out);
}

/* Every entry of a directory by name, size and mtime, in sorted order. */
static void sha_dir(struct sha256_ctx *c, const char *dir, const char *prefix) {
        struct dirent **list = NULL;
        int n = scandir(dir, &list, NULL, alphasort);
        for (int i = 0; i < n; i++) {
                char p[PATH_MAX];
                if (list[i]->d_name[0] != '.' && strncmp(list[i]->d_name, prefix, strlen(prefix)) == 0 &&
                    snprintf(p, sizeof(p), "%s/%s", dir, list[i]->d_name) < (int) sizeof(p))
                        sha_stat(c, p);
                free(list[i]);
        }
        free(list);
}

static const char *guestfs_dir(void) {
        /* libguestfs's own default path (guestfs_get_path), where its
         * supermin.d lives. */
        static char path[PATH_MAX];
        if (!path[0]) {
                _cleanup_(guestfs_closep) guestfs_h *g = guestfs_create_flags(GUESTFS_CREATE_NO_ENVIRONMENT);
                const char *p = g ? guestfs_get_path(g) : NULL;
                snprintf(path, sizeof(path), "%s", p ? p : "/usr/lib/x86_64-linux-gnu/guestfs");
        }
        return path;
}

static void appliance_key(char out[65]) {
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];
        char sd[PATH_MAX];

        sha256_init(&c);
        sha_printf(&c, "appliance %d\n", TEMPLATE_FORMAT);
        sha_stat(&c, SUPERMIN);
        (void) join(sd, sizeof(sd), guestfs_dir(), "supermin.d");
        sha_dir(&c, sd, "");
        sha_dir(&c, "/boot", "vmlinuz-");
        sha_dir(&c, "/lib/modules", "");
        sha256_digest(&c, sizeof(d), d);
        hex(d, sizeof(d), out);
}

int template_key_text(const TemplateConfig *cfg, char *buf, size_t size) {
        char a[65], agent[65], boot[64] = "", path[PATH_MAX];
        size_t len = 0;
        Dl_info info;
        int r;

        r = sha_file(cfg->agent, agent);
        if (r < 0)
                return r;
        (void) join(path, sizeof(path), cfg->dir, "appliance/key");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        ssize_t n = fd >= 0 ? read(fd, a, 64) : -1;
        fd = safe_close(fd);
        if (n != 64)
                memset(a, '0', 64);
        a[64] = 0;
        fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
        n = fd >= 0 ? read(fd, boot, sizeof(boot) - 1) : -1;
        fd = safe_close(fd);
        boot[n > 0 ? n : 0] = 0;

        r = text_printf(buf, size, &len, "template %d\nappliance %s\nagent %s\nmemsize %d\nboot %s\nprepare %s\n",
                        TEMPLATE_FORMAT, a, agent, cfg->memsize_mb, boot, PREPARE_CMD);
        /* A migration stream is tied to the exact qemu build. */
        if (r >= 0)
                r = text_stat(buf, size, &len, QEMU_BINARY);
        if (r >= 0)
                r = text_stat(buf, size, &len, cfg->wrapper);
        if (r >= 0 && dladdr((void *) guestfs_create_flags, &info) && info.dli_fname)
                r = text_stat(buf, size, &len, info.dli_fname);
        return r < 0 ? r : (int) len;
}

int template_key(const TemplateConfig *cfg, char ret[65]) {
        char text[TEMPLATE_KEY_TEXT_MAX];
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];
        int n = template_key_text(cfg, text, sizeof(text));

        if (n < 0)
                return n;
        sha256_init(&c);
        sha256_update(&c, (size_t) n, (const uint8_t *) text);
        sha256_digest(&c, sizeof(d), d);
        hex(d, sizeof(d), ret);
        return 0;
}

/* ---- files we trust: root's, not writable by anyone else ---- */

static int check_owner_fd(int fd) {
        struct stat st;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (st.st_uid != 0 || (st.st_mode & 022))
                return -EPERM;
        return 0;
}

static int open_trusted(int dirfd, const char *name, int flags) {
        _cleanup_close_ int fd = openat(dirfd, name, flags | O_CLOEXEC | O_NOFOLLOW);
        int r;

        if (fd < 0)
                return -errno;
        r = check_owner_fd(fd);
        if (r < 0)
                return r;
        return TAKE_FD(fd);
}

/*
 * Copy the RAM image into a new sealed memfd (ret_memfd non-NULL) and
 * digest it canonically: only non-zero pages count, each with its offset,
 * so a hole and a page of zeros are the same to the digest and to a clone.
 */
static int ram_load(int fd, uint64_t size, int *ret_memfd, char out[65]) {
        static uint8_t buf[1u << 20];
        struct sha256_ctx c;
        uint8_t d[SHA256_DIGEST_SIZE];
        _cleanup_close_ int mfd = -EBADF;
        off_t data = 0;

        if (ret_memfd) {
                mfd = memfd_create("pvboot-template-ram", MFD_CLOEXEC | MFD_ALLOW_SEALING);
                if (mfd < 0)
                        return -errno;
                if (ftruncate(mfd, (off_t) size) < 0)
                        return -errno;
        }
        sha256_init(&c);
        sha_printf(&c, "ram %llu\n", (unsigned long long) size);
        for (;;) {
                data = lseek(fd, data, SEEK_DATA);
                if (data < 0 || (uint64_t) data >= size)
                        break;
                off_t hole = lseek(fd, data, SEEK_HOLE);
                if (hole < 0 || (uint64_t) hole > size)
                        hole = (off_t) size;
                while (data < hole) {
                        size_t want = (size_t) (hole - data) < sizeof(buf) ? (size_t) (hole - data) : sizeof(buf);
                        ssize_t n = pread(fd, buf, want, data);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0)
                                return n < 0 ? -errno : -EBADMSG;
                        for (size_t off = 0; off < (size_t) n; off += PAGE) {
                                size_t len = (size_t) n - off < PAGE ? (size_t) n - off : PAGE;
                                size_t z = 0;
                                while (z < len && buf[off + z] == 0)
                                        z++;
                                if (z == len)
                                        continue;
                                uint64_t at = (uint64_t) data + off;
                                sha_printf(&c, "%llu\n", (unsigned long long) at);
                                sha256_update(&c, len, buf + off);
                                if (mfd >= 0 && pwrite(mfd, buf + off, len, (off_t) at) != (ssize_t) len)
                                        return -EIO;
                        }
                        data += n;
                }
        }
        sha256_digest(&c, sizeof(d), d);
        hex(d, sizeof(d), out);
        if (mfd >= 0) {
                if (fcntl(mfd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
                        return -errno;
                *ret_memfd = TAKE_FD(mfd);
        }
        return 0;
}

/* meta: "name value" lines, all of them required. */
typedef struct Meta {
        char key[65], ram[65], state[65], root[65], argv[65];
        uint64_t ram_size;
} Meta;

static int meta_parse(const char *text, Meta *m) {
        unsigned seen = 0;
        const char *line = text;

        memset(m, 0, sizeof(*m));
        while (*line) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t) (nl - line) : strlen(line);
                char name[16], value[80];
                if (len >= 96 || sscanf(line, "%15s %79s", name, value) != 2 || strlen(value) > 64)
                        return -EBADMSG;
                struct { const char *n; char *v; unsigned bit; } f[] = {
                        { "key", m->key, 1 }, { "ram", m->ram, 2 }, { "state", m->state, 4 },
                        { "root", m->root, 8 }, { "argv", m->argv, 16 },
                };
                bool known = false;
                for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
                        if (strcmp(name, f[i].n) == 0 && strlen(value) == 64) {
                                memcpy(f[i].v, value, 65);
                                seen |= f[i].bit;
                                known = true;
                        }
                if (strcmp(name, "ram_size") == 0) {
                        char *end;
                        unsigned long long v = strtoull(value, &end, 10);
                        if (*end || v == 0 || v > (UINT64_C(64) << 30))
                                return -EBADMSG;
                        m->ram_size = v;
                        seen |= 32;
                        known = true;
                }
                if (!known)
                        return -EBADMSG;
                line += len + (nl ? 1 : 0);
        }
        return seen == 63 ? 0 : -EBADMSG;
}

int template_argv_memsize(char *const *argv) {
        for (size_t i = 0; argv[i]; i++)
                if (strcmp(argv[i], "-m") == 0 && argv[i + 1]) {
                        char *end;
                        long v = strtol(argv[i + 1], &end, 10);
                        if (*end || v < 64 || v > 65536)
                                return -EBADMSG;
                        return (int) v;
                }
        return -EBADMSG;
}

/* argv: NUL-separated, bounded, printable. */
static int argv_load(int fd, Template *t, char out[65]) {
        _cleanup_free_ char *buf = malloc(MAX_ARGV_BYTES + 1);
        ssize_t n;
        size_t i = 0, na = 0;
        int r;

        if (!buf)
                return -ENOMEM;
        n = pread(fd, buf, MAX_ARGV_BYTES + 1, 0);
        if (n <= 0 || n > (ssize_t) MAX_ARGV_BYTES || buf[n - 1] != 0)
                return -EBADMSG;
        r = sha_fd(fd, out);
        if (r < 0)
                return r;
        /* What is copied is t's, freed with it. */
        while (i < (size_t) n) {
                size_t len = strlen(buf + i);
                if (na >= TEMPLATE_MAX_ARGS || !text_is_printable(buf + i, len + 1))
                        return -EBADMSG;
                t->argv[na] = strdup(buf + i);
                if (!t->argv[na])
                        return -ENOMEM;
                na++;
                i += len + 1;
        }
        if (na < 2 || template_argv_memsize(t->argv) < 0)
                return -EBADMSG;
        return 0;
}

Template *template_free(Template *t) {
        if (!t)
                return NULL;
        safe_close(t->ram_fd);
        safe_close(t->state_fd);
        for (size_t i = 0; t->argv[i]; i++)
                free(t->argv[i]);
        free(t);
        return NULL;
}

/* The meta file, bounded and parsed. */
static int meta_load(int dfd, Meta *m) {
        _cleanup_close_ int fd = open_trusted(dfd, "meta", O_RDONLY);
        char text[MAX_META + 1];
        ssize_t n;

        if (fd < 0)
                return fd == -ENOENT ? -EBADMSG : fd;
        n = read(fd, text, MAX_META + 1);
        fd = safe_close(fd);
        if (n <= 0 || n > MAX_META)
                return -EBADMSG;
        text[n] = 0;
        return meta_parse(text, m);
}

int template_open(const TemplateConfig *cfg, Template **ret) {
        _cleanup_(template_freep) Template *t = NULL;
        char path[PATH_MAX], key[65], sum[65];
        Meta m;
        int r;
        struct stat st;

        if (!dir_ok(cfg))
                return -EINVAL;
        (void) join(path, sizeof(path), cfg->dir, "template");
        r = template_key(cfg, key);
        if (r < 0)
                return r;
        t = calloc(1, sizeof(*t));
        if (!t)
                return -ENOMEM;
        t->ram_fd = t->state_fd = -1;
        memcpy(t->dir, path, strlen(path) + 1);

        _cleanup_close_ int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        r = check_owner_fd(dfd);
        if (r < 0)
                return r;
        r = meta_load(dfd, &m);
        if (r < 0)
                return r;
        if (strcmp(m.key, key) != 0)
                return -ESTALE;
        memcpy(t->key, key, sizeof(t->key));

        /* Every file, then its digest: a truncated or changed file is
         * refused here, never restored. */
        static const char *const names[] = { "argv", "state", "root.qcow2", "ram" };
        const char *sums[] = { m.argv, m.state, m.root, m.ram };
        for (size_t i = 0; i < 4; i++) {
                _cleanup_close_ int fd = open_trusted(dfd, names[i], O_RDONLY);
                if (fd < 0)
                        return fd == -ENOENT ? -EBADMSG : fd;
                if (i == 0)
                        r = argv_load(fd, t, sum);
                else if (i == 3) {
                        if (fstat(fd, &st) < 0 || (uint64_t) st.st_size != m.ram_size)
                                r = -EBADMSG;
                        else
                                r = ram_load(fd, m.ram_size, &t->ram_fd, sum);
                        t->ram_size = m.ram_size;
                } else
                        r = sha_fd(fd, sum);
                if (r >= 0 && strcmp(sum, sums[i]) != 0)
                        r = -EBADMSG;
                if (r < 0)
                        return r;
                if (i == 1)
                        t->state_fd = TAKE_FD(fd);
        }
        t->memsize_mb = template_argv_memsize(t->argv);
        if ((uint64_t) t->memsize_mb << 20 != t->ram_size)
                return -EBADMSG;
        *ret = TAKE_PTR(t);
        return 0;
}

/* ---- building ---- */

static int run(char *const argv[], bool debug) {
        pid_t pid = fork();
        int status;

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (null >= 0) {
                        dup2(null, STDIN_FILENO);
                        if (!debug)
                                dup2(null, STDOUT_FILENO);
                        if (!debug)
                                dup2(null, STDERR_FILENO);
                }
                execv(argv[0], argv);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static void remove_tree(const char *path) {
        char *argv[] = { "/bin/rm", "-rf", "--", (char *) path, NULL };
        (void) run(argv, false);
}

static int write_file(const char *path, const char *text) {
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0444);
        int r;

        if (fd < 0)
                return -errno;
        r = loop_write(fd, text, strlen(text));
        if (r >= 0 && fsync(fd) < 0)
                r = -errno;
        return r;
}

/* Replace dir/name by dir/name.new, atomically enough: a reader sees the
 * old, nothing (and rebuilds or refuses), or the new. */
static int swap_in(const char *dir, const char *name) {
        char cur[PATH_MAX], tmp[PATH_MAX], old[PATH_MAX];
        char n_new[64], n_old[64];
        snprintf(n_new, sizeof(n_new), "%.50s.new", name);
        snprintf(n_old, sizeof(n_old), "%.50s.old", name);
        (void) join(cur, sizeof(cur), dir, name);
        (void) join(tmp, sizeof(tmp), dir, n_new);
        (void) join(old, sizeof(old), dir, n_old);
        remove_tree(old);
        if (rename(cur, old) < 0 && errno != ENOENT)
                return -errno;
        if (rename(tmp, cur) < 0)
                return -errno;
        remove_tree(old);
        return 0;
}

static int appliance_build(const TemplateConfig *cfg, char *err, size_t errsz) {
        char key[65], path[PATH_MAX], out[PATH_MAX], sd[PATH_MAX], cur[65] = "";
        int r;

        appliance_key(key);
        (void) join(path, sizeof(path), cfg->dir, "appliance/key");
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd >= 0) {
                ssize_t n = read(fd, cur, 64);
                cur[n == 64 ? 64 : 0] = 0;
                if (check_owner_fd(fd) < 0)
                        cur[0] = 0;
        }
        fd = safe_close(fd);
        if (strcmp(cur, key) == 0)
                return 0;

        (void) join(out, sizeof(out), cfg->dir, "appliance.new");
        (void) join(sd, sizeof(sd), guestfs_dir(), "supermin.d");
        remove_tree(out);
        if (mkdir(out, 0755) < 0)
                return -errno;
        char lock[PATH_MAX + 8];
        (void) join(lock, sizeof(lock), out, "lock");
        char *argv[] = { SUPERMIN, "--build", "--copy-kernel", "-f", "ext2", "--host-cpu", "x86_64",
                         "--lock", lock, sd, "-o", out, NULL };
        r = run(argv, cfg->debug);
        if (r < 0) {
                snprintf(err, errsz, "supermin could not build the appliance from %s", sd);
                return r;
        }
        (void) unlink(lock);
        (void) join(path, sizeof(path), out, "README.fixed");
        r = write_file(path, "A fixed libguestfs appliance built by pvboot-select (guestfs(3), FIXED APPLIANCE).\n");
        (void) join(path, sizeof(path), out, "key");
        if (r >= 0)
                r = write_file(path, key);
        static const char *const files[] = { "kernel", "initrd", "root" };
        for (size_t i = 0; r >= 0 && i < 3; i++) {
                (void) join(path, sizeof(path), out, files[i]);
                if (chmod(path, 0444) < 0)
                        r = -errno;
        }
        if (r >= 0)
                r = swap_in(cfg->dir, "appliance");
        if (r < 0)
                snprintf(err, errsz, "cannot install the appliance in %s: %s", cfg->dir, strerror(-r));
        return r;
}

static int connect_unix(const char *path, unsigned timeout_ms) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        for (unsigned waited = 0;; waited += 10) {
                _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return -errno;
                if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) == 0)
                        return TAKE_FD(fd);
                int r = -errno;
                fd = safe_close(fd);
                if (waited >= timeout_ms)
                        return r;
                usleep(10000);
        }
}

/* HELLO over the template's agent socket: the agent is resident. */
static int agent_hello(const char *path) {
        _cleanup_close_ int fd = connect_unix(path, 5000);
        char text[64];
        size_t len;
        bool failed;
        int r;

        if (fd < 0)
                return fd;
        /* The agent's one client: one deadline over the whole reply. */
        r = agent_call(fd, 10000, AGENT_OP_HELLO, 0, 0, NULL, text, sizeof(text) - 1, &len, &failed);
        return r < 0 ? r : len == 0 ? -EBADMSG : 0;
}

/* capture() sets PVBOOT_TEMPLATE_DIR for template-qemu; this drops it. */
static void unset_template_dirp(const char **dir) {
        if (*dir)
                (void) unsetenv("PVBOOT_TEMPLATE_DIR");
}

static int capture(const TemplateConfig *cfg, const char *dir, char *err, size_t errsz) {
        char path[PATH_MAX], appliance[PATH_MAX], mem[16];
        char *settings[] = { "force_tcg", NULL };
        /* Released in this order on every way out: the state file, the
         * monitor, the handle (which kills the template's qemu), the
         * environment. */
        _cleanup_(unset_template_dirp) const char *env = NULL;
        _cleanup_(guestfs_closep) guestfs_h *g = NULL;
        _cleanup_(qmp_freep) Qmp *q = NULL;
        _cleanup_close_ int state = -EBADF;
        int r;

        (void) join(appliance, sizeof(appliance), cfg->dir, "appliance");
        (void) join(path, sizeof(path), dir, "root.qcow2");
        char backing[PATH_MAX + 8];
        (void) join(backing, sizeof(backing), appliance, "root");
        char *img[] = { QEMU_IMG, "create", "-q", "-f", "qcow2", "-b", backing, "-F", "raw", path, NULL };
        r = run(img, cfg->debug);
        if (r < 0) {
                snprintf(err, errsz, "qemu-img could not create the template's root overlay");
                return r;
        }

        g = guestfs_create_flags(GUESTFS_CREATE_NO_ENVIRONMENT);
        if (!g) {
                snprintf(err, errsz, "cannot create a libguestfs handle");
                return -ENOMEM;
        }
        guestfs_set_error_handler(g, NULL, NULL);
        (void) setenv("PVBOOT_TEMPLATE_DIR", dir, 1);
        env = dir;
        snprintf(mem, sizeof(mem), "%d", cfg->memsize_mb);
        if (guestfs_set_backend(g, "direct") < 0 || guestfs_set_backend_settings(g, settings) < 0 ||
            guestfs_set_network(g, 0) < 0 || guestfs_set_autosync(g, 0) < 0 ||
            guestfs_set_verbose(g, cfg->debug) < 0 || guestfs_set_memsize(g, cfg->memsize_mb) < 0 ||
            guestfs_set_path(g, appliance) < 0 || guestfs_set_hv(g, cfg->wrapper) < 0 ||
            guestfs_add_drive_opts(g, "/dev/null", GUESTFS_ADD_DRIVE_OPTS_READONLY, 1,
                                   GUESTFS_ADD_DRIVE_OPTS_FORMAT, "raw", -1) < 0 ||
            guestfs_launch(g) < 0 ||
            guestfs_debug_upload(g, cfg->agent, "pvboot-agent", 0755) < 0) {
                const char *e = guestfs_last_error(g);
                snprintf(err, errsz, "the template appliance did not start: %s", e ? e : "unknown error");
                return -EIO;
        }
        char *sh[] = { PREPARE_CMD, NULL };
        char *o = guestfs_debug(g, "sh", sh);
        free(o);
        (void) join(path, sizeof(path), dir, "agent.sock");
        r = agent_hello(path);
        if (r < 0) {
                snprintf(err, errsz, "pvboot-agent did not answer in the template appliance: %s", strerror(-r));
                return r;
        }

        (void) join(path, sizeof(path), dir, "qmp.sock");
        r = connect_unix(path, 5000);
        if (r >= 0)
                r = qmp_new(r, 10000, &q);
        if (r < 0) {
                snprintf(err, errsz, "cannot talk to the template's qemu: %s", strerror(-r));
                return r;
        }
        (void) join(path, sizeof(path), dir, "state");
        state = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
        if (state < 0)
                return -errno;
        /* RAM stays in the shared file: x-ignore-shared leaves it out of the
         * stream (settable over QMP only).  No "stop" first, or every
         * clone would stay paused. */
        r = qmp_execute(q, "{\"execute\":\"migrate-set-capabilities\",\"arguments\":{\"capabilities\":"
                           "[{\"capability\":\"x-ignore-shared\",\"state\":true}]}}", -1, 10000, NULL);
        if (r >= 0)
                r = qmp_execute(q, "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"state\"}}", state, 10000, NULL);
        if (r >= 0)
                r = qmp_execute(q, "{\"execute\":\"migrate\",\"arguments\":{\"uri\":\"fd:state\"}}", -1, 10000, NULL);
        for (unsigned i = 0; r >= 0 && i < 6000; i++) {        /* 60 s */
                static const char *p_status[] = { "status", NULL };
                _cleanup_(yajl_tree_freep) yajl_val doc = NULL;
                yajl_val s;
                r = qmp_execute(q, "{\"execute\":\"query-migrate\"}", -1, 10000, &doc);
                if (r < 0)
                        break;
                s = yajl_tree_get(qmp_return(doc), p_status, yajl_t_string);
                const char *v = s ? YAJL_GET_STRING(s) : "";
                bool done = strcmp(v, "completed") == 0, failed = strcmp(v, "failed") == 0 || strcmp(v, "cancelled") == 0;
                if (done)
                        break;
                if (failed || i == 5999)
                        r = -EIO;
                else
                        usleep(10000);
        }
        if (r < 0)
                snprintf(err, errsz, "capturing the template failed: %s",
                         r == -EREMOTEIO ? qmp_last_error(q) : strerror(-r));
        else if (fsync(state) < 0)
                r = -errno;
        return r;
}

int template_seal(const char *dir, const TemplateConfig *cfg, char *err, size_t errsz) {
        char path[PATH_MAX], key[65], sums[4][65], meta[MAX_META];
        static const char *const names[] = { "argv", "state", "root.qcow2" };
        struct stat st;
        _cleanup_close_ int fd = -EBADF;
        int r;

        for (size_t i = 0; i < 3; i++) {
                (void) join(path, sizeof(path), dir, names[i]);
                r = sha_file(path, sums[i]);
                if (r < 0 || chmod(path, 0444) < 0) {
                        snprintf(err, errsz, "template file %s is missing", names[i]);
                        return r < 0 ? r : -errno;
                }
        }
        (void) join(path, sizeof(path), dir, "ram");
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || fstat(fd, &st) < 0) {
                r = -errno;
                snprintf(err, errsz, "the template's RAM file is missing");
                return r;
        }
        r = ram_load(fd, (uint64_t) st.st_size, NULL, sums[3]);
        fd = safe_close(fd);
        if (r < 0 || chmod(path, 0444) < 0)
                return r < 0 ? r : -errno;
        r = template_key(cfg, key);
        if (r < 0)
                return r;
        (void) join(path, sizeof(path), dir, "agent.sock");
        (void) unlink(path);
        (void) join(path, sizeof(path), dir, "qmp.sock");
        (void) unlink(path);
        snprintf(meta, sizeof(meta), "key %s\nargv %s\nstate %s\nroot %s\nram %s\nram_size %llu\n", key, sums[0],
                 sums[1], sums[2], sums[3], (unsigned long long) st.st_size);
        (void) join(path, sizeof(path), dir, "meta");
        return write_file(path, meta);
}

/* The cache directory, checked, and its lock held (flock, released on close). */
static int lock_dir(const TemplateConfig *cfg, char *err, size_t esz) {
        char lockpath[PATH_MAX];
        struct stat st;

        if (!dir_ok(cfg))
                return -EINVAL;
        if (geteuid() != 0) {
                snprintf(err, esz, "only root builds the appliance and its template");
                return -EPERM;
        }
        if (mkdir(cfg->dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        if (lstat(cfg->dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022)) {
                snprintf(err, esz, "%s must be a directory owned by root and writable by root only", cfg->dir);
                return -EPERM;
        }
        (void) join(lockpath, sizeof(lockpath), cfg->dir, ".lock");
        _cleanup_close_ int lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (lock < 0)
                return -errno;
        while (flock(lock, LOCK_EX) < 0)
                if (errno != EINTR)
                        return -errno;
        return TAKE_FD(lock);
}

static int build_locked(const TemplateConfig *cfg, char *err, size_t esz) {
        char dir[PATH_MAX];
        /* What we make must be readable by the daemon's user whatever the
         * caller's umask: systemd applies the unit's UMask=0077 to its
         * ExecStartPre=+ too, and supermin and qemu create files under
         * the process umask.  (Workers set their own: 077.) */
        mode_t old_umask = umask(022);
        int r = appliance_build(cfg, err, esz);

        (void) join(dir, sizeof(dir), cfg->dir, "template.new");
        if (r >= 0) {
                remove_tree(dir);
                if (mkdir(dir, 0755) < 0)
                        r = -errno;
        }
        if (r >= 0)
                r = capture(cfg, dir, err, esz);
        if (r >= 0)
                r = template_seal(dir, cfg, err, esz);
        if (r >= 0)
                r = swap_in(cfg->dir, "template");
        if (r < 0 && !err[0])
                snprintf(err, esz, "cannot build the template in %s: %s", cfg->dir, strerror(-r));
        if (r < 0)
                remove_tree(dir);
        umask(old_umask);
        return r;
}

int template_build(const TemplateConfig *cfg, char *ret_error, size_t errsz) {
        char dummy[8];
        char *err = ret_error ? ret_error : dummy;
        size_t esz = ret_error ? errsz : sizeof(dummy);

        err[0] = 0;
        _cleanup_close_ int lock = lock_dir(cfg, err, esz);     /* held until we return */
        if (lock < 0)
                return lock;
        return build_locked(cfg, err, esz);
}

int template_ensure(const TemplateConfig *cfg, Template **ret, bool *ret_rebuilt, char *ret_error, size_t errsz) {
        char dummy[8];
        char *err = ret_error ? ret_error : dummy;
        size_t esz = ret_error ? errsz : sizeof(dummy);
        int r = template_open(cfg, ret);

        if (ret_rebuilt)
                *ret_rebuilt = false;
        err[0] = 0;
        if (r == -ENOENT || r == -ESTALE || r == -EBADMSG || (r == -EPERM && geteuid() == 0)) {
                if (geteuid() != 0) {
                        snprintf(err, esz, "the appliance template in %s is %s; run 'pvboot-select template' as root",
                                 cfg->dir, r == -ENOENT ? "missing" : r == -ESTALE ? "out of date" : "damaged");
                        return r;
                }
                _cleanup_close_ int lock = lock_dir(cfg, err, esz);
                if (lock < 0)
                        return lock;
                /* Someone else may have built it while we waited. */
                r = template_open(cfg, ret);
                if (r < 0) {
                        r = build_locked(cfg, err, esz);
                        if (r >= 0 && ret_rebuilt)
                                *ret_rebuilt = true;
                        if (r >= 0)
                                r = template_open(cfg, ret);
                }
        }
        if (r < 0 && !err[0])
                snprintf(err, esz, "cannot use the appliance template in %s: %s", cfg->dir, strerror(-r));
        return r;
}
