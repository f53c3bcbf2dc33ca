/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Tests for commands.c: the answers and exit codes scripts rely on when
 * nothing can be inspected (the decisions themselves run for real in
 * tests/integration.sh and tests/daemon.sh). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/console.h"
#include "shared/test-util.h"

typedef struct Run {
        int rc;
        char out[4096];
} Run;

static Options parse_options(int argc, char **argv) {
        char err[256];
        Options o;
        CHECK_EQ(options_parse(argc, argv, &o, err, sizeof(err)), 0);
        return o;
}

/* What a child said on stdout, and its exit code: fn(arg) is the code. */
static Run capture(int (*fn)(const void *arg), const void *arg) {
        int p[2], status;
        Run r = { 0 };
        ssize_t n, len = 0;

        CHECK_EQ(pipe(p), 0);
        pid_t pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                dup2(p[1], STDOUT_FILENO);
                console_set_stdout_is_console(false);
                int rc = fn(arg);
                fflush(stdout);
                _exit(rc);
        }
        close(p[1]);
        while ((n = read(p[0], r.out + len, sizeof(r.out) - 1 - (size_t) len)) > 0)
                len += n;
        r.out[len] = 0;
        close(p[0]);
        CHECK_EQ(waitpid(pid, &status, 0), pid);
        CHECK(WIFEXITED(status));
        r.rc = WEXITSTATUS(status);
        return r;
}

typedef struct Command {
        int (*fn)(const Options *);
        const Options *o;
} Command;

static int run_command(const void *arg) {
        const Command *c = arg;
        return c->fn(c->o);
}

/* Run the command in a child with stdout captured. */
static Run run(int (*fn)(const Options *), const Options *o) {
        return capture(run_command, &(Command) { fn, o });
}

typedef struct Argv {
        int argc;
        char **argv;
} Argv;

static int run_command_parse(const void *arg) {
        const Argv *a = arg;
        Config conf;
        Options o;
        return command_parse(a->argc, a->argv, &conf, &o);
}

/* command_parse in a child, stdout captured: its exit code and output. */
static Run run_parse(int argc, char **argv) {
        return capture(run_command_parse, &(Argv) { argc, argv });
}

int main(void) {
        CHECK_EQ(setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/pvboot-test-bus", 1), 0);

        /* status without a daemon: 3, as systemctl status says "not running". */
        char s0[] = "status", s1[] = "--json";
        char *status_argv[] = { (char *) "pvboot-select", s0, s1, NULL };
        Options o = parse_options(3, status_argv);
        Run r = run(command_status, &o);
        CHECK_EQ(r.rc, 3);
        CHECK(strstr(r.out, "\"error\""));
        o.json = false;
        r = run(command_status, &o);
        CHECK_EQ(r.rc, 3);
        CHECK_STREQ(r.out, "");         /* the message is for stderr */

        /* inspect of a disk that is not there: 1, and still one JSON object. */
        char i0[] = "inspect", i1[] = "--json", i2[] = "/nonexistent/disk.img";
        char *inspect_argv[] = { (char *) "pvboot-select", i0, i1, i2, NULL };
        o = parse_options(4, inspect_argv);
        r = run(command_inspect, &o);
        CHECK_EQ(r.rc, 1);
        CHECK(r.out[0] == '{' && strstr(r.out, "\"error\"") && strstr(r.out, "cannot use disk /nonexistent/disk.img"));
        CHECK(strstr(r.out, "\"disk\""));

        /* An empty disk is refused before anything starts. */
        char path[] = "/tmp/test-commands.XXXXXX";
        int fd = mkstemp(path);
        CHECK(fd >= 0);
        o.disk = path;
        o.json = false;
        r = run(command_inspect, &o);
        CHECK_EQ(r.rc, 1);
        close(fd);
        unlink(path);

        /* A usage error is exit 2; for inspect --json still one JSON object. */
        char p0[] = "pvboot-select", p1[] = "inspect", p2[] = "--json", p3[] = "--bogus", p4[] = "disk.img",
             p5[] = "--config=/nonexistent/pvboot-select.conf", p6[] = "--output-directory=/tmp";
        char *usage_json[] = { p0, p1, p2, p3, p4, NULL };
        r = run_parse(5, usage_json);
        CHECK_EQ(r.rc, 2);
        CHECK(r.out[0] == '{' && strstr(r.out, "unknown option"));
        char *usage[] = { p0, p3, p4, NULL };
        r = run_parse(3, usage);
        CHECK_EQ(r.rc, 2);
        CHECK_STREQ(r.out, "");         /* said on stderr: stdout is not the console here */
        char *missing_conf[] = { p0, p5, p4, NULL };
        r = run_parse(3, missing_conf);
        CHECK_EQ(r.rc, 2);
        char *good[] = { p0, p6, p4, NULL };
        r = run_parse(3, good);
        CHECK_EQ(r.rc, 0);

        /* template: usage errors are 2, before anything is built. */
        char t0[] = "pvboot-select", t1[] = "template", t2[] = "--bogus", t3[] = "--config=/nonexistent.conf";
        char *bad[] = { t0, t1, t2, NULL };
        CHECK_EQ(command_template(3, bad), 2);
        char *noconf[] = { t0, t1, t3, NULL };
        CHECK_EQ(command_template(3, noconf), 2);
        return 0;
}
