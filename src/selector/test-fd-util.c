/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* loop_write(): whole buffers through a pipe that takes them in pieces. */
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "test-util.h"

int main(void) {
        static unsigned char big[1 << 20], back[1 << 20];
        int p[2];
        pid_t pid;

        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (unsigned char) (i * 131 + 7);

        /* 1 MiB through a 64 KiB pipe: many short writes. */
        CHECK(pipe(p) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                _exit(loop_write(p[1], big, sizeof(big)) == 0 ? 0 : 1);
        }
        close(p[1]);
        size_t got = 0;
        for (;;) {
                ssize_t n = read(p[0], back + got, sizeof(back) - got);
                CHECK(n >= 0);
                if (n == 0)
                        break;
                got += (size_t) n;
        }
        int status;
        CHECK(waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK_EQ(got, sizeof(big));
        CHECK(memcmp(big, back, sizeof(big)) == 0);
        close(p[0]);

        CHECK_EQ(loop_write(-1, big, 1), -EBADF);
        CHECK_EQ(loop_write(-1, big, 0), 0);
        return 0;
}
