/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pty-run PROGRAM [ARG...]: run PROGRAM the way libxl runs a bootloader
 * (tests/libxl-run.c): on a fresh pty (forkpty, login_tty), with an
 * environment of TERM=vt100 alone, everything it prints copied to our
 * stdout.  Exits with its exit status (128 + signal if killed).
 *
 * For pygrub, whose answer (a copy of the guest's kernel and initrd)
 * libxl-run's stage 1 check does not fit; bench/run.sh builds libxl's
 * argv and output directory and checks the output file itself.  script(1)
 * would do the pty too, but adds ~20 ms per run, a third of pygrub's time.
 */
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utmp.h>

int main(int argc, char **argv) {
        char buf[4096];
        int master, status;
        pid_t pid;

        if (argc < 2) {
                fprintf(stderr, "usage: pty-run PROGRAM [ARG...]\n");
                return 2;
        }
        pid = forkpty(&master, NULL, NULL, NULL);
        if (pid < 0) {
                perror("pty-run: forkpty");
                return 2;
        }
        if (pid == 0) {
                char *env[] = { "TERM=vt100", NULL };
                execve(argv[1], argv + 1, env);
                _exit(127);
        }
        for (;;) {
                ssize_t r = read(master, buf, sizeof(buf));
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break;  /* EIO: the slave side is gone */
                fwrite(buf, 1, (size_t) r, stdout);
        }
        if (waitpid(pid, &status, 0) < 0) {
                perror("pty-run: waitpid");
                return 2;
        }
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
