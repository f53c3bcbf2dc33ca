/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config file: libxlutil syntax, our keys and ranges, file:line errors,
 * and the order defaults < file < command line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pvboot-select.h"
#include "selector/policy.h"
#include "selector/config.h"
#include "shared/test-util.h"

static char dir[] = "/tmp/test-config.XXXXXX";

static const char *write_conf(const char *name, const char *text) {
        static char path[256];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "w");
        CHECK(f != NULL);
        fputs(text, f);
        CHECK_EQ(fclose(f), 0);
        return path;
}

/* Load text; expect failure whose message contains want (NULL: success). */
static void load(const char *text, const char *want, Config *ret) {
        char err[512];
        int r = config_load(write_conf("c.conf", text), ret, err, sizeof(err));
        if (!want) {
                if (r != 0)
                        fprintf(stderr, "unexpected: %s\n", err);
                CHECK_EQ(r, 0);
                return;
        }
        CHECK(r < 0);
        if (!strstr(err, want))
                fprintf(stderr, "got '%s', want '%s'\n", err, want);
        CHECK(strstr(err, want) != NULL);
        config_free(ret);
}

static void test_good(void) {
        Config c;

        load("# pvboot-select settings\n"
             "stage1_x86_64 = \"/opt/grub/x64.bin\"  # our own build\n"
             "stage1_i386 = '/opt/grub/i386.bin'\n"
             "prefer = \"i386\"; timeout = 60\n"
             "pool_size = 3\nmemsize = 0\ntcg_cache = 64\n"
             "log_level = \"debug\"\n"
             "use_daemon = 0\n"
             "allow_group = \"xen-admins\"\n",
             NULL, &c);
        CHECK_STREQ(c.str[CONF_STAGE1_X86_64], "/opt/grub/x64.bin");
        CHECK_STREQ(c.str[CONF_STAGE1_I386], "/opt/grub/i386.bin");
        CHECK(c.set[CONF_PREFER] && c.num[CONF_PREFER] == PV_ARCH_I386);
        CHECK(c.num[CONF_TIMEOUT] == 60 && c.num[CONF_POOL_SIZE] == 3);
        CHECK(c.set[CONF_MEMSIZE] && c.num[CONF_MEMSIZE] == 0);
        CHECK(c.num[CONF_TCG_CACHE] == 64 && c.num[CONF_LOG_LEVEL] == LOG_LEVEL_DEBUG);
        CHECK(!c.set[CONF_MAX_BUSY] && !c.set[CONF_STAGE1_PVH]);
        CHECK_STREQ(c.str[CONF_ALLOW_GROUP], "xen-admins");

        config_free(&c);

        /* Settings may be repeated: the last one counts, as in xl. */
        load("pool_size = 1\npool_size = 4\n", NULL, &c);
        CHECK(c.num[CONF_POOL_SIZE] == 4);
        config_free(&c);

        /* Comments and strings that look like settings are not keys. */
        load("stage1_pvh = \"/a#b;c = d\" # bogus = 1\n# also_bogus = 2\n", NULL, &c);
        CHECK_STREQ(c.str[CONF_STAGE1_PVH], "/a#b;c = d");
        config_free(&c);
}

static void test_bad(void) {
        Config c;

        load("pool_size = 2\n\nfrobnicate = 1\n", "c.conf:3: unknown key `frobnicate'", &c);
        load("pool_size = 2\ntimeout = 3\n", "c.conf:2: timeout must be 5 to 110", &c);
        load("memsize = 100\n", "c.conf:1: memsize must be 0 or 256 to 65536", &c);
        load("clone_uid_base = 1000\n", "c.conf:1: clone_uid_base must be 65536 to 2147483647", &c);
        load("clone_uid_count = 1\n", "c.conf:1: clone_uid_count must be 0 or 2 to 65536", &c);
        load("\nprefer = \"arm\"\n", "c.conf:2: prefer must be i386 or x86_64, not `arm'", &c);
        load("log_level = \"loud\"\n", "c.conf:1: log_level must be notice, info or debug", &c);
        load("stage1_i386 = \"grub.bin\"\n", "c.conf:1: stage1_i386 must be an absolute path", &c);
        load("stage1_i386 = \"/x\x1b[2J\"\n", "must be an absolute path", &c);
        /* Each inspection has a private /tmp: a cache there never persists. */
        load("\nappliance_cache = \"/tmp/cache\"\n", "c.conf:2: appliance_cache must not be under /tmp", &c);
        load("appliance_cache = \"/tmp\"\n", "c.conf:1: appliance_cache must not be under /tmp", &c);
        {
                char err[256];
                CHECK_EQ(config_check_path(CONF_APPLIANCE_CACHE, "/tmpfoo/cache", err, sizeof(err)), 0);
                CHECK_EQ(config_check_path(CONF_APPLIANCE_CACHE, "/tmp/x", err, sizeof(err)), -EINVAL);
                CHECK_EQ(config_check_path(CONF_STAGE1_I386, "/tmp/grub.bin", err, sizeof(err)), 0);
                CHECK_EQ(config_check_path(CONF_POOL_SIZE, "/x", err, sizeof(err)), -EINVAL);
        }
        load("pool_size = \"two\"\n", "c.conf:1: parameter `pool_size' is not a valid number", &c);
        load("pool_size = [ 1, 2 ]\n", "c.conf:1:", &c);
        load("pool_size = = 2\n", "c.conf:1: config parsing error: syntax error", &c);
        /* The file's text is not quoted back (it may be any file root reads). */
        load("secret_token_x = 1 2\n", "c.conf:1: config parsing error: syntax error", &c);
        {
                char err[512];
                CHECK(config_load(write_conf("s.conf", "secret_token_x = 1 2\n"), &c, err, sizeof(err)) < 0);
                CHECK(strstr(err, "secret") == NULL && strstr(err, "1 2") == NULL);
        }
        load("allow_group = \"../etc\"\n", "allow_group must be a group name", &c);
        load("use_daemon = 2\n", "c.conf:1: use_daemon must be 0 to 1", &c);
        /* A key hidden after a multi-line list is still found, on its line. */
        load("stage1_pvh = \"/x\"\nfoo_list = [ \"a\",\n  \"b\" ]\n", "c.conf:2: unknown key `foo_list'", &c);
}

static void test_files(void) {
        char err[256];
        Config c;

        /* The default file may be absent; a named one may not. */
        CHECK_EQ(config_load(write_conf("x", "") /* exists, empty */, &c, err, sizeof(err)), 0);
        config_free(&c);
        char missing[300];
        snprintf(missing, sizeof(missing), "%s/none.conf", dir);
        CHECK_EQ(config_load(missing, &c, err, sizeof(err)), -ENOENT);
        CHECK(strstr(err, "none.conf: No such file") != NULL);
        CHECK_EQ(config_load(dir, &c, err, sizeof(err)), -EINVAL);      /* a directory */
        CHECK(strstr(err, "not a regular file") != NULL);
        char longpath[400];
        memset(longpath, 'a', sizeof(longpath) - 1);
        longpath[0] = '/';
        longpath[sizeof(longpath) - 1] = 0;
        CHECK_EQ(config_load(longpath, &c, err, sizeof(err)), -ENAMETOOLONG);
        const char *nul = write_conf("nul.conf", "pool_size = 2\n");
        FILE *f = fopen(nul, "a");
        fputc(0, f);
        fclose(f);
        CHECK_EQ(config_load(nul, &c, err, sizeof(err)), -EINVAL);
        /* Unreadable: as root, look at it as nobody (the daemon runs as
         * its own user and must say so clearly). */
        const char *p = write_conf("unreadable.conf", "pool_size = 2\n");
        CHECK_EQ(chmod(p, 0600), 0);
        CHECK_EQ(chmod(dir, 0755), 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                if (getuid() == 0 ? setuid(65534) < 0 : chmod(p, 0) < 0)
                        _exit(3);
                _exit(config_load(p, &c, err, sizeof(err)) == -EACCES && strstr(err, "Permission denied") ? 0 : 1);
        }
        int status;
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

        /* Command-line numbers follow the same table. */
        long v;
        CHECK_EQ(config_parse_number(CONF_MEMSIZE, "0", &v, err, sizeof(err)), 0);
        CHECK_EQ(config_parse_number(CONF_MEMSIZE, "100", &v, err, sizeof(err)), -EINVAL);
        CHECK(strstr(err, "memsize must be 0 or 256 to 65536") != NULL);
        CHECK_EQ(config_parse_number(CONF_POOL_SIZE, "17", &v, err, sizeof(err)), -EINVAL);
        CHECK_EQ(config_parse_number(CONF_POOL_SIZE, "2x", &v, err, sizeof(err)), -EINVAL);
        CHECK_EQ(config_parse_number(CONF_STAGE1_PVH, "2", &v, err, sizeof(err)), -EINVAL);

        char a0[] = "x", a1[] = "--config", a2[] = "/etc/a.conf", a3[] = "--", a4[] = "--config=/b";
        char *argv[] = { a0, a1, a2, NULL };
        CHECK_STREQ(config_path_from_argv(3, argv), "/etc/a.conf");
        char *argv2[] = { a0, a3, a4, NULL };
        CHECK(config_path_from_argv(3, argv2) == NULL);
}

/* The shipped example: loads as it is (all commented out), and with every
 * "#key = value" line uncommented it still loads and states the defaults. */
static void test_example(void) {
        const char *path = getenv("EXAMPLE_CONFIG");
        char err[512], line[512], *text = NULL;
        size_t len = 0;
        Config c;
        FILE *in, *out;

        if (!path)
                return;
        CHECK_EQ(config_load(path, &c, err, sizeof(err)), 0);
        for (int k = 0; k < _CONF_MAX; k++)
                CHECK(!c.set[k]);
        in = fopen(path, "r");
        out = open_memstream(&text, &len);
        CHECK(in && out);
        while (fgets(line, sizeof(line), in))
                fputs(line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && strstr(line, " = ") ? line + 1 : line, out);
        fclose(in);
        fclose(out);
        load(text, NULL, &c);
        for (int k = 0; k < _CONF_MAX; k++)
                CHECK(c.set[k]);        /* every key is shown */
        CHECK_STREQ(c.str[CONF_STAGE1_X86_64], STAGE1_DEFAULT_X86_64);
        CHECK_STREQ(c.str[CONF_STAGE1_I386], STAGE1_DEFAULT_I386);
        CHECK_STREQ(c.str[CONF_STAGE1_PVH], STAGE1_DEFAULT_PVH);
        CHECK(c.num[CONF_TIMEOUT] == TIMEOUT_DEFAULT && c.num[CONF_PREFER] == PV_ARCH_X86_64);
        CHECK(c.num[CONF_POOL_SIZE] == 2 && c.num[CONF_MAX_BUSY] == 4 && c.num[CONF_QUEUE_LIMIT] == 32);
        CHECK(c.num[CONF_MEMSIZE] == 512 && c.num[CONF_TCG_CACHE] == 32 && c.num[CONF_CACHE_SIZE] == 64);
        CHECK(c.num[CONF_USE_DAEMON] == 1 && c.num[CONF_LOG_LEVEL] == LOG_LEVEL_NOTICE);
        CHECK(c.num[CONF_CLONE_UID_BASE] == PVBOOT_CLONE_UID_BASE_DEFAULT &&
              c.num[CONF_CLONE_UID_COUNT] == PVBOOT_CLONE_UID_COUNT_DEFAULT);
        config_free(&c);
        free(text);
}

/* FILE.d/NAME.conf: in name order, each over what came before; only
 * *.conf; a bad one stops the load with its own file and line. */
static void test_dropins(void) {
        char err[512], d[320], cmd[700];
        Config c;

        char main_conf[300], loop_conf[300];    /* write_conf's buffer is reused */
        snprintf(main_conf, sizeof(main_conf), "%s", write_conf("m.conf", "pool_size = 3\nprefer = \"i386\"\nmax_busy = 2\n"));
        snprintf(d, sizeof(d), "%s.d", main_conf);
        CHECK_EQ(mkdir(d, 0755), 0);
        write_conf("m.conf.d/20-later.conf", "pool_size = 5\nappliance_cache = \"/var/cache/b\"\n");
        write_conf("m.conf.d/10-first.conf", "pool_size = 4\nappliance_cache = \"/var/cache/a\"\ntimeout = 60\n");
        write_conf("m.conf.d/30-ignored.conf.dpkg-old", "pool_size = 99\n");
        write_conf("m.conf.d/.hidden.conf", "pool_size = 98\n");
        CHECK_EQ(config_load(main_conf, &c, err, sizeof(err)), 0);
        CHECK_EQ(c.num[CONF_POOL_SIZE], 5);                     /* 20 after 10 after the file */
        CHECK_STREQ(c.str[CONF_APPLIANCE_CACHE], "/var/cache/b");
        CHECK(c.num[CONF_TIMEOUT] == 60 && c.num[CONF_MAX_BUSY] == 2 && c.num[CONF_PREFER] == PV_ARCH_I386);
        config_free(&c);

        /* An unknown key in a drop-in: its file and line. */
        write_conf("m.conf.d/15-typo.conf", "\npool_sise = 3\n");
        CHECK(config_load(main_conf, &c, err, sizeof(err)) < 0);
        CHECK(strstr(err, "m.conf.d/15-typo.conf:2: unknown key `pool_sise'"));
        snprintf(cmd, sizeof(cmd), "%s/15-typo.conf", d);
        CHECK_EQ(unlink(cmd), 0);
        /* A bad value likewise. */
        write_conf("m.conf.d/15-bad.conf", "timeout = 3\n");
        CHECK(config_load(main_conf, &c, err, sizeof(err)) < 0);
        CHECK(strstr(err, "15-bad.conf:1: timeout must be 5 to 110"));
        snprintf(cmd, sizeof(cmd), "%s/15-bad.conf", d);
        CHECK_EQ(unlink(cmd), 0);
        /* One that cannot be read (a directory so named): said, not skipped. */
        snprintf(cmd, sizeof(cmd), "%s/15-dir.conf", d);
        CHECK_EQ(mkdir(cmd, 0755), 0);
        CHECK(config_load(main_conf, &c, err, sizeof(err)) < 0);
        CHECK(strstr(err, "15-dir.conf") && strstr(err, "not a regular file"));
        CHECK_EQ(rmdir(cmd), 0);
        CHECK_EQ(config_load(main_conf, &c, err, sizeof(err)), 0);
        config_free(&c);

        /* A name that would not print: refused, escaped in the message. */
        write_conf("m.conf.d/\033[2J.conf", "pool_size = 1\n");
        CHECK(config_load(main_conf, &c, err, sizeof(err)) == -EINVAL);
        CHECK(strstr(err, "\\x1b[2J.conf': rename it"));
        snprintf(cmd, sizeof(cmd), "%s/\033[2J.conf", d);
        CHECK_EQ(unlink(cmd), 0);

        /* The drop-in directory a symlink loop: an error, nothing loaded. */
        snprintf(loop_conf, sizeof(loop_conf), "%s", write_conf("loop.conf", "pool_size = 3\n"));
        snprintf(d, sizeof(d), "%s.d", loop_conf);
        CHECK_EQ(symlink(d, d), 0);
        CHECK(config_load(loop_conf, &c, err, sizeof(err)) < 0);
        CHECK(strstr(err, "loop.conf.d") && strstr(err, "Too many levels of symbolic links"));
        /* Without a drop-in directory: the file alone. */
        CHECK_EQ(unlink(d), 0);
        CHECK_EQ(config_load(loop_conf, &c, err, sizeof(err)), 0);
        CHECK_EQ(c.num[CONF_POOL_SIZE], 3);
        config_free(&c);
}

int main(void) {
        CHECK(mkdtemp(dir) != NULL);
        test_good();
        test_bad();
        test_files();
        test_dropins();
        test_example();
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        CHECK_EQ(system(cmd), 0);
        return 0;
}
