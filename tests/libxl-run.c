/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libxl-run: run a bootloader exactly the way libxl does, and check what it
 * hands back.
 *
 * Mirrors tools/libs/light/libxl_bootloader.c: the output directory is
 * created mode 0600 and the output file precreated empty (O_TRUNC, 0600);
 * argv is built in make_bootloader_args() order; the child runs on a pty
 * (login_tty) with TERM=vt100 added to xl's environment, which here is
 * reduced to DBUS_SYSTEM_BUS_ADDRESS when set (the tests' private bus);
 * it is sent
 * SIGTERM after the timeout, and when libxl-run gets SIGUSR1 (the test's
 * `xl destroy`: libxl's bootloader_stop() sends SIGTERM); the output
 * file is parsed like
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
 *   libxl-run [--domid=N] [--runas=UID] [--args=S] [--timeout=SEC]
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
                {}
        };
        const char *runas = NULL, *cmdline = NULL, *expect_stage1 = NULL, *expect_fail = NULL, *libexec = NULL;
        bool on_path = false;
        unsigned domid = 7, timeout = 120;
        int stop_signal = SIGTERM;
        long long stop_within = -1, stop_ms = -1, exit_ms = -1;
        bool exited = false;
        char base[] = "/tmp/libxl-run.XXXXXX", outdir[PATH_MAX], outpath[PATH_MAX];
        char *blargv[64];
        int n = 0, c, master, status, fd;
        pid_t pid;
        long long deadline;
        bool ok = true, timed_out = false;

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
                default: return 2;
                }
        }
        if (argc - optind < 2 || (!expect_stage1 && !expect_fail) || argc - optind > 40) {
                fprintf(stderr, "usage: libxl-run [options] (--expect-stage1=F and/or --expect-fail=T) BOOTLOADER DISK [ARGS...]\n");
                return 2;
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
        blargv[n++] = (char *) bl;
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
                char *env[4] = { "TERM=vt100" };
                int e = 1;
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

        /* The "display" datacopier: everything the bootloader prints. */
        deadline = now_ms() + (long long) timeout * 1000;
        for (;;) {
                struct pollfd p = { .fd = master, .events = POLLIN };
                long long left = deadline - now_ms();
                ssize_t r;
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
                        kill(pid, SIGTERM);     /* libxl's bootloader_stop() */
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
        if (timed_out)
                printf("TIMEOUT: bootloader killed after %u s\n", timeout);
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
