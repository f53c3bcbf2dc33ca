/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxl-run: run a bootloader exactly the way libxl does, and check what it
 * hands back.
 *
 * Mirrors tools/libs/light/libxl_bootloader.c: the output directory is
 * created mode 0600 and the output file precreated empty (O_TRUNC, 0600);
 * argv is built in make_bootloader_args() order; the child runs on a pty
 * (login_tty) with TERM=vt100 added to xl's environment, which here is
 * reduced to DBUS_SYSTEM_BUS_ADDRESS when set (the tests' private bus)
 * and what --xl-env=NAME=VALUE gives (repeatable: xl's environment, which
 * libxl reads too).  It is sent SIGTERM when libxl-run gets SIGUSR1 (the
 * test's `xl destroy`: libxl's bootloader_stop() sends SIGTERM).
 *
 * libxl's timeout (Xen 4.17 + XSA-443, bootloader_gotptys() and
 * bootloader_timeout()): in restrict mode only, that is with
 * LIBXL_BOOTLOADER_RESTRICT or LIBXL_BOOTLOADER_USER in xl's environment
 * (--runas alone adds LIBXL_BOOTLOADER_RESTRICT=1: libxl passes --runas
 * in restrict mode only), a timer armed just before the fork, of
 * atoi(LIBXL_BOOTLOADER_TIMEOUT) seconds or 120, none for 0, never firing
 * for less, SIGKILLs the bootloader.  A bootloader killed so has failed
 * the contract: FAIL, whatever was expected.  Outside restrict mode libxl
 * waits forever; here --timeout (default 300 s) ends a hung test, FAIL.
 * The output file is parsed like
 * parse_bootloader_result() (NUL-terminated records, a keyword, white
 * space, the value), each returned file is mapped and then unlinked.
 *
 * With --libexec-dir=DIR, a BOOTLOADER without a slash is found the way
 * libxl finds a relative bootloader= (bootloader_disk_attached_cb():
 * lstat() of LIBEXEC_BIN/NAME, Debian's /usr/lib/xen-4.17/bin; if nothing
 * is there, the bare name, which libxl__exec() runs with execvp(), i.e. on
 * PATH, which the child then also gets, as it gets xl's environment).
 * Without it BOOTLOADER is run as given.
 *
 * Then it checks what libxl cannot: the returned kernel lies inside the
 * output directory and is byte-identical to the expected stage 1, and on
 * failure nothing but what "libxl" created is left behind.
 *
 *   libxl-run [--domid=N] [--kernel=K] [--ramdisk=R] [--args=S] [--runas=UID]
 *             [--xl-env=NAME=VALUE]... [--timeout=SEC]
 *             [--stop-signal=NUM] [--stop-within=MS] [--libexec-dir=DIR]
 *             (--expect-stage1=FILE | --expect-fail=TEXT | both)
 *             BOOTLOADER DISK [BOOTLOADER_ARG...]
 *
 * With both: either that stage 1, or a clean failure saying TEXT (for a
 * run that may meet a daemon going away, an upgrade).
 *
 * --stop-signal: what SIGUSR1 makes us send (default SIGTERM, libxl's);
 * --stop-within: a stop must have been sent, and the bootloader must
 * have exited at most MS milliseconds after it (the time is printed).
 *
 * Exit 0 when the outcome is the expected one, 1 otherwise, 77 if the
 * environment cannot run the test.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include "cli/test-libxl.h"

static char console[65536];
static size_t console_len;
static volatile sig_atomic_t destroy_requested;

static void on_usr1(int sig) {
        (void) sig;
        destroy_requested = 1;
}

static void die(const char *what) {
        fprintf(stderr, "libxl-run: %s: %s\n", what, strerror(errno));
        exit(77);
}

static long long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Count directory entries other than . and .. */
static int count_entries(const char *dir) {
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;
        if (!d)
                return -1;
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
                        n++;
        closedir(d);
        return n;
}

static bool same_bytes(const void *a, size_t alen, const char *path) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        struct stat st;
        void *m;
        bool same;

        if (fd < 0 || fstat(fd, &st) < 0)
                return false;
        if ((size_t) st.st_size != alen) {
                close(fd);
                return false;
        }
        m = mmap(NULL, alen, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (m == MAP_FAILED)
                return false;
        same = memcmp(a, m, alen) == 0;
        munmap(m, alen);
        return same;
}

int main(int argc, char **argv) {
        static const struct option opts[] = {
                { "domid", required_argument, NULL, 'd' },
                { "runas", required_argument, NULL, 'u' },
                { "args", required_argument, NULL, 'a' },
                { "timeout", required_argument, NULL, 't' },
                { "expect-stage1", required_argument, NULL, 's' },
                { "expect-fail", required_argument, NULL, 'f' },
                { "stop-signal", required_argument, NULL, 'S' },
                { "stop-within", required_argument, NULL, 'W' },
                { "libexec-dir", required_argument, NULL, 'L' },
                { "xl-env", required_argument, NULL, 'E' },
                { "kernel", required_argument, NULL, 'k' },
                { "ramdisk", required_argument, NULL, 'r' },
                {}
        };
        const char *runas = NULL, *cmdline = NULL, *expect_stage1 = NULL, *expect_fail = NULL, *libexec = NULL;
        bool on_path = false;
        unsigned domid = 7, timeout = 300;
        char *xl_env[16];
        int n_xl_env = 0;
        const char *restrict_env = NULL, *user_env = NULL, *timeout_env = NULL;
        const char *kernel_cfg = NULL, *ramdisk_cfg = NULL;     /* xl's kernel=, ramdisk= */
        int stop_signal = SIGTERM;
        long long stop_within = -1, stop_ms = -1, exit_ms = -1;
        bool exited = false;
        char base[] = "/tmp/libxl-run.XXXXXX", outdir[PATH_MAX], outpath[PATH_MAX];
        char *blargv[64];
        int n = 0, c, master, status, fd;
        pid_t pid;
        long long deadline;
        bool ok = true, timed_out = false, libxl_killed = false;
        long long libxl_ms = -1;       /* libxl's timer, -1: none */

        while ((c = getopt_long(argc, argv, "+", opts, NULL)) >= 0) {
                switch (c) {
                case 'd': domid = (unsigned) strtoul(optarg, NULL, 10); break;
                case 'u': runas = optarg; break;
                case 'a': cmdline = optarg; break;
                case 't': timeout = (unsigned) strtoul(optarg, NULL, 10); break;
                case 's': expect_stage1 = optarg; break;
                case 'f': expect_fail = optarg; break;
                case 'S': stop_signal = (int) strtol(optarg, NULL, 10); break;
                case 'W': stop_within = strtoll(optarg, NULL, 10); break;
                case 'L': libexec = optarg; break;
                case 'k': kernel_cfg = optarg; break;
                case 'r': ramdisk_cfg = optarg; break;
                case 'E':
                        if (!strchr(optarg, '=') || n_xl_env >= (int) (sizeof(xl_env) / sizeof(xl_env[0])) - 1)
                                return 2;
                        xl_env[n_xl_env++] = optarg;
                        break;
                default: return 2;
                }
        }
        if (argc - optind < 2 || (!expect_stage1 && !expect_fail) || argc - optind > 40) {
                fprintf(stderr, "usage: libxl-run [options] (--expect-stage1=F and/or --expect-fail=T) BOOTLOADER DISK [ARGS...]\n");
                return 2;
        }

        /* What libxl reads from xl's environment (getenv(): the first). */
        for (int i = n_xl_env - 1; i >= 0; i--) {
                const char *v = strchr(xl_env[i], '=') + 1;
                size_t l = (size_t) (v - 1 - xl_env[i]);
                if (l == 25 && strncmp(xl_env[i], "LIBXL_BOOTLOADER_RESTRICT", l) == 0)
                        restrict_env = v;
                else if (l == 21 && strncmp(xl_env[i], "LIBXL_BOOTLOADER_USER", l) == 0)
                        user_env = v;
                else if (l == 24 && strncmp(xl_env[i], "LIBXL_BOOTLOADER_TIMEOUT", l) == 0)
                        timeout_env = v;
        }
        if ((restrict_env || user_env) && !runas) {
                fprintf(stderr, "libxl-run: restrict mode needs --runas=UID (libxl passes the uid it looked up)\n");
                return 2;
        }
        if (runas && !restrict_env && !user_env) {
                static char restrict_one[] = "LIBXL_BOOTLOADER_RESTRICT=1";
                xl_env[n_xl_env++] = restrict_one;
                restrict_env = "1";
        }
        if (restrict_env || user_env) {
                /* int timeout = atoi(...); if (timeout) register(timeout * 1000),
                 * where a negative time never fires.  Beyond int, libxl's
                 * arithmetic is undefined: the harness does not guess. */
                long t = timeout_env ? strtol(timeout_env, NULL, 10) : 120;
                if (t > 2147483 || t < -2147483)
                        printf("libxl timeout: LIBXL_BOOTLOADER_TIMEOUT=%s is undefined in libxl; none armed here\n",
                               timeout_env);
                else if (t > 0)
                        libxl_ms = t * 1000;
        }

        /* XEN_LIB_DIR stand-in: libxl's own names inside a private dir. */
        if (!mkdtemp(base))
                die("mkdtemp");
        snprintf(outdir, sizeof(outdir), "%s/bootloader.%u.d", base, domid);
        snprintf(outpath, sizeof(outpath), "%s/bootloader.%u.out", base, domid);
        if (mkdir(outdir, 0600) < 0)
                die("mkdir output directory");
        fd = open(outpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0)
                die("precreate output");
        close(fd);

        /* bootloader_disk_attached_cb(): a name without a leading slash is
         * LIBEXEC_BIN/NAME if that exists (lstat), else left as it is. */
        static char in_libexec[PATH_MAX];
        const char *bl = argv[optind];
        if (libexec && bl[0] != '/') {
                struct stat st;
                snprintf(in_libexec, sizeof(in_libexec), "%s/%s", libexec, bl);
                if (lstat(in_libexec, &st) == 0)
                        bl = in_libexec;
                else
                        on_path = true;
                printf("bootloader: %s%s%s\n", bl, on_path ? ", run from PATH: nothing at " : "",
                       on_path ? in_libexec : "");
        }

        /* make_bootloader_args() order. */
        static char a_args[4096], a_runas[64], a_out[PATH_MAX + 16], a_dir[PATH_MAX + 32];
        static char a_kernel[PATH_MAX + 16], a_ramdisk[PATH_MAX + 16];
        blargv[n++] = (char *) bl;
        if (kernel_cfg) {
                snprintf(a_kernel, sizeof(a_kernel), "--kernel=%s", kernel_cfg);
                blargv[n++] = a_kernel;
        }
        if (ramdisk_cfg) {
                snprintf(a_ramdisk, sizeof(a_ramdisk), "--ramdisk=%s", ramdisk_cfg);
                blargv[n++] = a_ramdisk;
        }
        if (cmdline && *cmdline) {
                snprintf(a_args, sizeof(a_args), "--args=%s", cmdline);
                blargv[n++] = a_args;
        }
        if (runas) {
                snprintf(a_runas, sizeof(a_runas), "--runas=%s", runas);
                blargv[n++] = a_runas;
                blargv[n++] = "--quiet";
        }
        snprintf(a_out, sizeof(a_out), "--output=%s", outpath);
        snprintf(a_dir, sizeof(a_dir), "--output-directory=%s", outdir);
        blargv[n++] = a_out;
        blargv[n++] = "--output-format=simple0";
        blargv[n++] = a_dir;
        for (int i = optind + 2; i < argc; i++)
                blargv[n++] = argv[i];
        blargv[n++] = argv[optind + 1];
        blargv[n] = NULL;

        pid = forkpty(&master, NULL, NULL, NULL);
        if (pid < 0)
                die("forkpty");
        if (pid == 0) {
                static char bus_env[1024], path_env[4096];
                const char *bus = getenv("DBUS_SYSTEM_BUS_ADDRESS"), *path = getenv("PATH");
                char *env[4 + 16] = { "TERM=vt100" };
                int e = 1;
                for (int i = 0; i < n_xl_env; i++)
                        env[e++] = xl_env[i];
                if (bus) {
                        snprintf(bus_env, sizeof(bus_env), "DBUS_SYSTEM_BUS_ADDRESS=%s", bus);
                        env[e++] = bus_env;
                }
                if (on_path && path) {
                        snprintf(path_env, sizeof(path_env), "PATH=%s", path);
                        env[e++] = path_env;
                }
                env[e] = NULL;
                /* libxl__exec(): execvp(), which searches our PATH. */
                if (on_path)
                        execvpe(blargv[0], blargv, env);
                else
                        execve(blargv[0], blargv, env);
                _exit(127);
        }

        /* No SA_RESTART: poll() returns and the loop sends the stop. */
        struct sigaction sa = { .sa_handler = on_usr1 };
        sigaction(SIGUSR1, &sa, NULL);

        /* The "display" datacopier: everything the bootloader prints.
         * libxl's timer runs from the fork (just before it, in libxl). */
        long long started = now_ms();
        deadline = started + (long long) timeout * 1000;
        if (libxl_ms >= 0 && started + libxl_ms < deadline)
                deadline = started + libxl_ms;
        for (;;) {
                struct pollfd p = { .fd = master, .events = POLLIN };
                long long left = deadline - now_ms();
                ssize_t r;
                /* bootloader_timeout(): SIGKILL, and libxl goes on at once
                 * (the child is deregistered); here, reaped to report. */
                if (left <= 0 && libxl_ms >= 0 && !libxl_killed && !timed_out && !exited &&
                    now_ms() - started >= libxl_ms) {
                        kill(pid, SIGKILL);
                        libxl_killed = true;
                        waitpid(pid, &status, 0);
                        exited = true;
                        exit_ms = now_ms();
                        break;
                }
                if (destroy_requested && stop_ms < 0) {
                        kill(pid, stop_signal); /* xl destroy: libxl's bootloader_stop() */
                        stop_ms = now_ms();
                        printf("stop: sent signal %d to the bootloader\n", stop_signal);
                }
                /* Once stopped, when it exits is what is measured. */
                if (stop_ms >= 0 && !exited && waitpid(pid, &status, WNOHANG) == pid) {
                        exited = true;
                        exit_ms = now_ms();
                }
                if (left <= 0 && !timed_out) {
                        kill(pid, SIGTERM);     /* the harness's own limit */
                        timed_out = true;
                        if (stop_ms < 0)
                                stop_ms = now_ms();
                        deadline = now_ms() + 10000;
                        continue;
                }
                if (left <= 0)
                        break;
                if (stop_ms >= 0 && !exited && left > 10)
                        left = 10;
                if (poll(&p, 1, (int) (left > 1000 ? 1000 : left)) <= 0)
                        continue;
                r = read(master, console + console_len, sizeof(console) - 1 - console_len);
                if (r <= 0)
                        break;  /* EIO: the slave side is gone */
                console_len += (size_t) r;
        }
        console[console_len] = 0;
        if (!exited) {
                waitpid(pid, &status, 0);
                exit_ms = now_ms();
        }
        close(master);

        printf("--- console (%zu bytes) ---\n%s%s--- end console ---\n", console_len, console,
               console_len && console[console_len - 1] != '\n' ? "\n" : "");
        if (libxl_killed) {
                printf("FAIL: libxl's timeout killed the bootloader (SIGKILL) after %lld ms, before it ended itself\n",
                       libxl_ms);
                ok = false;
        } else if (libxl_ms >= 0)
                printf("libxl timeout: %lld ms; the bootloader ended after %lld ms\n", libxl_ms,
                       (exit_ms >= 0 ? exit_ms : now_ms()) - started);
        if (timed_out) {
                printf("FAIL: the harness gave up after %u s (libxl would have waited on)\n", timeout);
                ok = false;
        }
        if (stop_ms >= 0)
                printf("stop: the bootloader exited %lld ms after the signal\n", exit_ms - stop_ms);
        if (stop_within >= 0 && stop_ms < 0) {
                printf("FAIL: no stop was requested (SIGUSR1)\n");
                ok = false;
        } else if (stop_within >= 0 && exit_ms - stop_ms > stop_within) {
                printf("FAIL: the bootloader took %lld ms to exit after the signal, more than %lld\n",
                       exit_ms - stop_ms, stop_within);
                ok = false;
        }

        bool exited_0 = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (expect_fail && !(expect_stage1 && exited_0)) {
                struct stat st;
                if (exited_0) {
                        printf("FAIL: exit status 0, expected a failure\n");
                        ok = false;
                }
                if (!strstr(console, expect_fail)) {
                        printf("FAIL: console lacks \"%s\"\n", expect_fail);
                        ok = false;
                }
                if (count_entries(outdir) != 0) {
                        printf("FAIL: output directory not empty after failure\n");
                        ok = false;
                }
                if (stat(outpath, &st) == 0 && st.st_size != 0) {
                        printf("FAIL: output file not empty after failure\n");
                        ok = false;
                }
                if (ok)
                        printf("OK: failed as expected\n");
        } else {
                FILE *f;
                char buf[PATH_MAX * 2], *kernel = NULL, *args = NULL;
                int records = 0;

                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                        printf("FAIL: bootloader exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
                        ok = false;
                }
                f = fopen(outpath, "r");
                if (!f)
                        die("open output");
                /* parse_bootloader_result() */
                for (;;) {
                        int l = 0, ch;
                        const char *rhs;
                        while ((ch = getc(f)) != EOF && ch != '\0') {
                                if (l < (int) sizeof(buf) - 1)
                                        buf[l] = (char) ch;
                                l++;
                        }
                        if (ch == EOF && !l)
                                break;
                        if (l >= (int) sizeof(buf)) {
                                printf("FAIL: overly long record\n");
                                ok = false;
                                continue;
                        }
                        buf[l] = 0;
                        records++;
                        if ((rhs = libxl_result_command(buf, "kernel")))
                                kernel = strdup(rhs);
                        else if ((rhs = libxl_result_command(buf, "args")))
                                args = strdup(rhs);
                        else if (l) {
                                printf("FAIL: unexpected record `%s'\n", buf);
                                ok = false;
                        }
                }
                fclose(f);

                if (!kernel) {
                        printf("FAIL: no kernel record\n");
                        ok = false;
                } else {
                        char real[PATH_MAX], realdir[PATH_MAX];
                        struct stat st;
                        if (!realpath(kernel, real) || !realpath(outdir, realdir) ||
                            strncmp(real, realdir, strlen(realdir)) != 0 || real[strlen(realdir)] != '/') {
                                printf("FAIL: kernel %s is not inside the output directory\n", kernel);
                                ok = false;
                        }
                        /* libxl__file_reference_map(), then unlink(). */
                        fd = open(kernel, O_RDONLY | O_CLOEXEC);
                        if (fd < 0 || fstat(fd, &st) < 0) {
                                printf("FAIL: cannot open returned kernel %s\n", kernel);
                                ok = false;
                        } else {
                                void *m = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_SHARED, fd, 0);
                                if (m == MAP_FAILED || !same_bytes(m, (size_t) st.st_size, expect_stage1)) {
                                        printf("FAIL: returned kernel differs from %s\n", expect_stage1);
                                        ok = false;
                                } else
                                        printf("kernel: %s (%lld bytes, identical to %s)\n", kernel,
                                               (long long) st.st_size, expect_stage1);
                                if ((st.st_mode & 07777) != 0600) {
                                        printf("FAIL: returned kernel mode %o, expected 0600\n", st.st_mode & 07777);
                                        ok = false;
                                }
                                if (m != MAP_FAILED)
                                        munmap(m, (size_t) st.st_size);
                        }
                        if (fd >= 0)
                                close(fd);
                        unlink(kernel);
                }
                if (cmdline && *cmdline && (!args || strcmp(args, cmdline) != 0)) {
                        printf("FAIL: args record \"%s\", expected \"%s\"\n", args ? args : "(none)", cmdline);
                        ok = false;
                }
                if (args)
                        printf("args: %s\n", args);
                if (count_entries(outdir) != 0) {
                        printf("FAIL: output directory holds more than the returned kernel\n");
                        ok = false;
                }
                if (ok)
                        printf("OK: booted with the expected stage 1 (%d records)\n", records);
                free(kernel);
                free(args);
        }

        /* libxl__bootloader_cleanup(): remove output and directory. */
        unlink(outpath);
        rmdir(outdir);
        rmdir(base);
        return ok ? 0 : 1;
}
