/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config file, parsed by libxlutil (see config.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libxlutil.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "selector/config.h"
#include "selector/policy.h"
#include "pvboot-select.h"
#include "shared/macro.h"
#include "shared/text.h"

typedef enum ValueType { T_PATH, T_NAME, T_ARCH, T_LEVEL, T_NUMBER, T_BOOL } ValueType;

/* One row per key: its name in the file, its type, and for numbers the
 * range ("zero_ok": 0 is allowed besides min..max, meaning "off" or
 * "the library's default"). */
static const struct {
        const char *name;
        ValueType type;
        long min, max;
        bool zero_ok;
} keys[_CONF_MAX] = {
        [CONF_STAGE1_X86_64]       = { "stage1_x86_64", T_PATH },
        [CONF_STAGE1_I386]         = { "stage1_i386", T_PATH },
        [CONF_STAGE1_PVH]          = { "stage1_pvh", T_PATH },
        [CONF_PREFER]              = { "prefer", T_ARCH },
        [CONF_TIMEOUT]             = { "timeout", T_NUMBER, TIMEOUT_MIN, TIMEOUT_MAX },
        [CONF_USE_DAEMON]          = { "use_daemon", T_BOOL, 0, 1 },
        [CONF_LOG_LEVEL]           = { "log_level", T_LEVEL },
        [CONF_POOL_SIZE]           = { "pool_size", T_NUMBER, 0, 16 },
        [CONF_MAX_BUSY]            = { "max_busy", T_NUMBER, 1, 16 },
        [CONF_QUEUE_LIMIT]         = { "queue_limit", T_NUMBER, 0, 128 },
        [CONF_MEMSIZE]             = { "memsize", T_NUMBER, 256, 65536, true },
        [CONF_TCG_CACHE]           = { "tcg_cache", T_NUMBER, 8, 4096, true },
        [CONF_CACHE_SIZE]          = { "cache_size", T_NUMBER, 0, 4096 },
        [CONF_CACHE_BLOCK_DEVICES] = { "cache_block_devices", T_BOOL, 0, 1 },
        [CONF_ALLOW_GROUP]         = { "allow_group", T_NAME },
        [CONF_APPLIANCE_CACHE]     = { "appliance_cache", T_PATH },
        /* Power-of-two size and alignment are checked where the range is
         * used (clone-uid.h), with the reason. */
        [CONF_CLONE_UID_BASE]      = { "clone_uid_base", T_NUMBER, 65536, 2147483647 },
        [CONF_CLONE_UID_COUNT]     = { "clone_uid_count", T_NUMBER, 2, 65536, true },
};

static const char *const level_names[_LOG_LEVEL_MAX] = { "notice", "info", "debug" };

const char *config_key_name(ConfigKey k) {
        return k < _CONF_MAX ? keys[k].name : NULL;
}

static int key_from_name(const char *s, size_t n) {
        for (int k = 0; k < _CONF_MAX; k++)
                if (strlen(keys[k].name) == n && memcmp(keys[k].name, s, n) == 0)
                        return k;
        return -1;
}

static int range_error(ConfigKey k, char *err, size_t errsz, const char *where) {
        if (keys[k].zero_ok)
                snprintf(err, errsz, "%s%s must be 0 or %ld to %ld", where, keys[k].name, keys[k].min, keys[k].max);
        else
                snprintf(err, errsz, "%s%s must be %ld to %ld", where, keys[k].name, keys[k].min, keys[k].max);
        return -EINVAL;
}

static bool in_range(ConfigKey k, long v) {
        return (keys[k].zero_ok && v == 0) || (v >= keys[k].min && v <= keys[k].max);
}

int config_parse_number(ConfigKey k, const char *s, long *ret, char *err, size_t errsz) {
        char *end;
        long v;

        if (k >= _CONF_MAX || (keys[k].type != T_NUMBER && keys[k].type != T_BOOL))
                return -EINVAL;
        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || !in_range(k, v))
                return range_error(k, err, errsz, "");
        *ret = v;
        return 0;
}

int config_check_path(ConfigKey k, const char *s, char *err, size_t errsz) {
        char safe[128];

        if (k >= _CONF_MAX || keys[k].type != T_PATH)
                return -EINVAL;
        text_escape(s, strlen(s), safe, sizeof(safe));
        if (s[0] != '/' || strlen(s) >= PATH_MAX || !text_is_printable(s, strlen(s) + 1)) {
                snprintf(err, errsz, "%s must be an absolute path, not `%s'", keys[k].name, safe);
                return -EINVAL;
        }
        if (k == CONF_APPLIANCE_CACHE && (strcmp(s, "/tmp") == 0 || strncmp(s, "/tmp/", 5) == 0)) {
                snprintf(err, errsz, "%s must not be under /tmp (each inspection has a private /tmp), not `%s'",
                         keys[k].name, safe);
                return -EINVAL;
        }
        return 0;
}

const char *config_path_from_argv(int argc, char **argv) {
        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--") == 0)
                        break;
                if (strncmp(argv[i], "--config=", 9) == 0)
                        return argv[i] + 9;
                if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
                        return argv[i + 1];
        }
        return NULL;
}

/*
 * libxlutil has no way to list the settings it parsed, so unknown keys
 * would pass silently.  This walks text libxlutil has already accepted
 * and calls fn for the name at the start of each setting, with its line:
 * it only has to skip what libxlutil's lexer skips (comments, strings,
 * multi-line lists), not judge anything.
 */
typedef int (*KeyFn)(const char *name, size_t n, unsigned line, void *userdata);

static int scan_keys(const char *s, size_t len, KeyFn fn, void *userdata) {
        unsigned line = 1;
        size_t i = 0;

        while (i < len) {
                /* Between settings. */
                if (s[i] == '\n') {
                        line++;
                        i++;
                        continue;
                }
                if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == ';') {
                        i++;
                        continue;
                }
                if (s[i] == '#') {
                        while (i < len && s[i] != '\n')
                                i++;
                        continue;
                }
                /* A setting: NAME [+]= VALUE, up to a newline or ';'
                 * outside strings and lists. */
                size_t start = i;
                unsigned at = line, depth = 0;
                while (i < len && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.", s[i]))
                        i++;
                int r = fn(s + start, i - start, at, userdata);
                if (r < 0)
                        return r;
                while (i < len && (depth > 0 || (s[i] != '\n' && s[i] != ';'))) {
                        char q = s[i];
                        if (q == '"' || q == '\'') {
                                for (i++; i < len && s[i] != q; i++) {
                                        if (q == '"' && s[i] == '\\' && i + 1 < len)
                                                i++;
                                        if (s[i] == '\n')
                                                line++;
                                }
                        } else if (q == '#') {
                                while (i + 1 < len && s[i + 1] != '\n')
                                        i++;
                        } else if (q == '[')
                                depth++;
                        else if (q == ']' && depth > 0)
                                depth--;
                        else if (q == '\n')
                                line++;
                        i++;
                }
        }
        return 0;
}

typedef struct ScanState {
        Config *config;
        unsigned line[_CONF_MAX];
        char *err;
        size_t errsz;
} ScanState;

static int on_key(const char *name, size_t n, unsigned line, void *userdata) {
        ScanState *st = userdata;
        int k = key_from_name(name, n);

        if (k < 0) {
                char safe[64];
                text_escape(name, n < 48 ? n : 48, safe, sizeof(safe));
                snprintf(st->err, st->errsz, "%s:%u: unknown key `%s'", st->config->path, line, safe);
                return -EINVAL;
        }
        st->line[k] = line;     /* the last one is the one libxlutil uses */
        return 0;
}

/* libxlutil's own message for a bad value, already "FILE:LINE: ...";
 * what it calls a warning is an error here.  Its syntax errors quote the
 * token ("near `...'"): dropped, because --config can name any file root
 * reads and this line goes to a guest console; the line number stays. */
static int xlu_error(FILE *report, char **buf, char *err, size_t errsz, int r) {
        char *nl, *w, *end;

        fflush(report);
        if (*buf && **buf) {
                if ((nl = strchr(*buf, '\n')))
                        *nl = 0;
                if ((w = strstr(*buf, " warning:")))
                        memmove(w, w + 9, strlen(w + 9) + 1);
                if ((w = strstr(*buf, " near ")) && (end = strstr(w, "': ")))
                        memmove(w, end + 1, strlen(end + 1) + 1);
                text_escape(*buf, strlen(*buf), err, errsz);
        } else
                snprintf(err, errsz, "cannot parse: %s", strerror(r));
        return -EINVAL;
}

static int get_value(XLU_Config *x, FILE *report, char **buf, ScanState *st, ConfigKey k) {
        Config *c = st->config;
        char where[300];
        const char *s;
        long v;

        snprintf(where, sizeof(where), "%s:%u: ", c->path, st->line[k]);
        if (keys[k].type == T_NUMBER || keys[k].type == T_BOOL) {
                int r = xlu_cfg_get_long(x, keys[k].name, &v, 0);
                if (r)
                        return xlu_error(report, buf, st->err, st->errsz, r);
                if (!in_range(k, v))
                        return range_error(k, st->err, st->errsz, where);
                c->num[k] = v;
                c->set[k] = true;
                return 0;
        }

        int r = xlu_cfg_get_string(x, keys[k].name, &s, 0);
        if (r)
                return xlu_error(report, buf, st->err, st->errsz, r);
        char safe[128];
        text_escape(s, strlen(s), safe, sizeof(safe));
        switch (keys[k].type) {
        case T_PATH: {
                char why[256];
                if (config_check_path(k, s, why, sizeof(why)) < 0) {
                        snprintf(st->err, st->errsz, "%s%s", where, why);
                        return -EINVAL;
                }
                break;
        }
        case T_NAME:
                if (!*s || strlen(s) > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(s)) {
                        snprintf(st->err, st->errsz, "%s%s must be a group name, not `%s'", where, keys[k].name, safe);
                        return -EINVAL;
                }
                break;
        case T_ARCH:
                v = pv_arch_from_string(s);
                if (v == PV_ARCH_NONE) {
                        snprintf(st->err, st->errsz, "%s%s must be i386 or x86_64, not `%s'", where, keys[k].name, safe);
                        return -EINVAL;
                }
                c->num[k] = v;
                break;
        default:        /* T_LEVEL */
                for (v = 0; v < _LOG_LEVEL_MAX && strcmp(s, level_names[v]) != 0; v++)
                        ;
                if (v == _LOG_LEVEL_MAX) {
                        snprintf(st->err, st->errsz, "%s%s must be notice, info or debug, not `%s'", where,
                                 keys[k].name, safe);
                        return -EINVAL;
                }
                c->num[k] = v;
                break;
        }
        if (keys[k].type == T_PATH || keys[k].type == T_NAME) {
                c->str[k] = strdup(s);
                if (!c->str[k])
                        return -ENOMEM;
        }
        c->set[k] = true;
        return 0;
}

static int read_all(const char *path, bool must_exist, char **ret, size_t *ret_len, char *err, size_t errsz) {
        _cleanup_close_ int fd = -EBADF;
        _cleanup_free_ char *data = NULL;
        struct stat st;
        ssize_t n;

        *ret = NULL;
        *ret_len = 0;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ENOENT && !must_exist)
                        return 0;
                snprintf(err, errsz, "%s: %s", path, strerror(errno));
                return -errno;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_MAX_SIZE) {
                snprintf(err, errsz, "%s: not a regular file of at most %d bytes", path, CONFIG_MAX_SIZE);
                return -EINVAL;
        }
        data = malloc((size_t) st.st_size + 1);
        if (!data)
                return -ENOMEM;
        n = read(fd, data, (size_t) st.st_size);
        if (n != st.st_size || memchr(data, 0, (size_t) n)) {
                snprintf(err, errsz, "%s: %s", path, n < 0 ? strerror(errno) : "short read or a NUL byte");
                return -EINVAL;
        }
        data[n] = 0;
        *ret = TAKE_PTR(data);
        *ret_len = (size_t) n;
        return 0;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(XLU_Config *, xlu_cfg_destroy);
/* A failed load leaves nothing allocated in the Config it was filling. */
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

static int load_one(const char *path, bool must_exist, Config *ret, char *err, size_t errsz) {
        ScanState st = { .config = ret, .err = err, .errsz = errsz };
        /* Released in reverse: x, report (which sets buf), buf, data, then
         * the half-filled Config of a failure. */
        _cleanup_(config_freep) Config *unwind = NULL;
        _cleanup_free_ char *data = NULL, *buf = NULL;
        _cleanup_(fclosep) FILE *report = NULL;
        _cleanup_(xlu_cfg_destroyp) XLU_Config *x = NULL;
        size_t len, buflen = 0;
        int r;

        *ret = (Config) { 0 };
        err[0] = 0;
        snprintf(ret->path, sizeof(ret->path), "%s", path);
        r = read_all(ret->path, must_exist, &data, &len, err, errsz);
        if (r < 0 || !data)
                return r;

        unwind = ret;
        report = open_memstream(&buf, &buflen);
        if (!report)
                return -ENOMEM;
        x = xlu_cfg_init(report, ret->path);
        if (!x)
                return -ENOMEM;
        r = xlu_cfg_readdata(x, data, (int) len);
        if (r)
                return xlu_error(report, &buf, err, errsz, r);
        r = scan_keys(data, len, on_key, &st);
        if (r < 0)
                return r;
        for (ConfigKey k = 0; k < _CONF_MAX; k++)
                if (st.line[k]) {
                        r = get_value(x, report, &buf, &st, k);
                        if (r < 0)
                                return r;
                }
        TAKE_PTR(unwind);
        return 0;
}

/* What a drop-in sets, over what came before: later wins, key by key. */
static void merge(Config *into, Config *from) {
        for (ConfigKey k = 0; k < _CONF_MAX; k++) {
                if (!from->set[k])
                        continue;
                into->set[k] = true;
                into->num[k] = from->num[k];
                free(into->str[k]);
                into->str[k] = TAKE_PTR(from->str[k]);
        }
}

static int no_dot_conf(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
}

#define CONFIG_MAX_DROPINS 128

int config_load(const char *path, Config *ret, char *err, size_t errsz) {
        _cleanup_(config_freep) Config *unwind = NULL;
        struct dirent **list = NULL;
        char dir[sizeof(ret->path) + 2];
        int n, r;

        if (path && strlen(path) >= sizeof(ret->path) - 8) {
                /* Never open a truncated name: it would be another file. */
                snprintf(err, errsz, "--config: path longer than %zu bytes", sizeof(ret->path) - 9);
                *ret = (Config) { 0 };
                return -ENAMETOOLONG;
        }
        r = load_one(path ? path : CONFIG_DEFAULT_PATH, path != NULL, ret, err, errsz);
        if (r < 0)
                return r;
        unwind = ret;

        /* The drop-ins, FILE.d/NAME.conf, in name order, each over what
         * came before. */
        snprintf(dir, sizeof(dir), "%s.d", ret->path);
        n = scandir(dir, &list, no_dot_conf, alphasort);
        if (n < 0) {
                if (errno == ENOENT)
                        return (void) TAKE_PTR(unwind), 0;
                r = -errno;
                snprintf(err, errsz, "%s: %s", dir, strerror(-r));
                return r;
        }
        /* Names go into messages that must be printable; and a bound. */
        for (int i = 0; i < n && r == 0; i++)
                if (!text_is_printable(list[i]->d_name, 256)) {
                        char safe[256];
                        text_escape(list[i]->d_name, strlen(list[i]->d_name), safe, sizeof(safe));
                        snprintf(err, errsz, "%s: a drop-in named '%s': rename it", dir, safe);
                        r = -EINVAL;
                }
        if (r == 0 && n > CONFIG_MAX_DROPINS) {
                snprintf(err, errsz, "%s: %d drop-ins, more than %d", dir, n, CONFIG_MAX_DROPINS);
                r = -E2BIG;
        }
        for (int i = 0; i < n; i++) {
                char file[sizeof(ret->path) * 2];
                Config d;
                if (r == 0) {
                        int len = snprintf(file, sizeof(file), "%s/%.255s", dir, list[i]->d_name);
                        if (len < 0 || (size_t) len >= sizeof(d.path)) {
                                snprintf(err, errsz, "%s: path longer than %zu bytes", file, sizeof(d.path) - 1);
                                r = -ENAMETOOLONG;
                        } else if ((r = load_one(file, true, &d, err, errsz)) == 0) {
                                merge(ret, &d);
                                config_free(&d);
                        }
                }
                free(list[i]);
        }
        free(list);
        if (r < 0)
                return r;
        TAKE_PTR(unwind);
        return 0;
}

void config_free(Config *c) {
        for (int k = 0; k < _CONF_MAX; k++) {
                free(c->str[k]);
                c->str[k] = NULL;
        }
}
