/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tests for bus-peer.c against a real dbus-daemon of our own: a peer's
 * uid and groups as the driver saw them when it connected, and the owner
 * of a name as a unique name.  Root (a peer as another uid), exit 77 else.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/bus-peer.h"
#include "shared/macro.h"
#include "shared/test-util.h"

static char dir[] = "/tmp/test-bus-peer.XXXXXX";
static char address[400];
static pid_t daemon_pid = -1, peer_pid = -1;

static void cleanup(void) {
        if (peer_pid > 0)
                kill(peer_pid, SIGKILL), waitpid(peer_pid, NULL, 0);
        if (daemon_pid > 0)
                kill(daemon_pid, SIGKILL), waitpid(daemon_pid, NULL, 0);
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        if (system(cmd) != 0)
                fprintf(stderr, "cannot remove %s\n", dir);
}

static sd_bus *connect_bus(void) {
        sd_bus *b = NULL;
        if (sd_bus_new(&b) < 0 || sd_bus_set_address(b, address) < 0 || sd_bus_set_bus_client(b, 1) < 0 ||
            sd_bus_start(b) < 0)
                return NULL;
        return b;
}

static int start_bus(void) {
        char conf[300], sock[300];
        FILE *f;

        snprintf(conf, sizeof(conf), "%s/bus.conf", dir);
        snprintf(sock, sizeof(sock), "%s/bus", dir);
        snprintf(address, sizeof(address), "unix:path=%s", sock);
        f = fopen(conf, "w");
        CHECK(f);
        fprintf(f, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\" "
                   "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                   "<busconfig><type>system</type><listen>%s</listen><auth>EXTERNAL</auth>"
                   "<policy context=\"default\"><allow user=\"*\"/><allow own=\"*\"/>"
                   "<allow send_destination=\"*\"/><allow receive_sender=\"*\"/></policy></busconfig>\n", address);
        fclose(f);
        daemon_pid = fork();
        CHECK(daemon_pid >= 0);
        if (daemon_pid == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                execlp("dbus-daemon", "dbus-daemon", "--nofork", "--nopidfile", "--nosyslog", "--config-file", conf,
                       (char *) NULL);
                _exit(127);
        }
        for (int i = 0; i < 500; i++) {
                struct stat st;
                int status;
                if (stat(sock, &st) == 0)
                        return chmod(sock, 0777) == 0 ? 0 : -errno;
                if (waitpid(daemon_pid, &status, WNOHANG) == daemon_pid) {
                        daemon_pid = -1;
                        return -ENOENT;
                }
                usleep(10000);
        }
        return -ETIMEDOUT;
}

int main(void) {
        int ready[2];
        char c;

        if (geteuid() != 0 || system("command -v dbus-daemon >/dev/null") != 0) {
                fprintf(stderr, "SKIP: needs root and dbus-daemon\n");
                return EXIT_TEST_SKIP;
        }
        CHECK(mkdtemp(dir));
        CHECK_EQ(chmod(dir, 0755), 0);
        atexit(cleanup);
        if (start_bus() < 0) {
                fprintf(stderr, "SKIP: dbus-daemon did not start\n");
                return EXIT_TEST_SKIP;
        }

        /* A peer as nobody, in a group of its own besides its primary one,
         * owning a name. */
        CHECK_EQ(pipe(ready), 0);
        peer_pid = fork();
        CHECK(peer_pid >= 0);
        if (peer_pid == 0) {
                gid_t groups[] = { 4242 };
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (setgroups(1, groups) < 0 || setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
                        _exit(2);
                sd_bus *b = connect_bus();
                if (!b || sd_bus_request_name(b, "org.pvbootselect1.TestPeer", 0) < 0)
                        _exit(3);
                (void) !write(ready[1], "x", 1);
                for (;;)
                        pause();
        }
        close(ready[1]);
        CHECK_EQ(read(ready[0], &c, 1), 1);

        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *b = connect_bus();
        _cleanup_free_ char *owner = NULL;
        gid_t gids[BUS_PEER_MAX_GROUPS];
        size_t n = 0;
        uid_t uid = 0;
        bool primary = false, extra = false;
        CHECK(b);

        CHECK_EQ(bus_peer_owner(b, "org.pvbootselect1.TestPeer", &owner), 0);
        CHECK(owner[0] == ':');
        CHECK_EQ(bus_peer_creds(b, owner, &uid, gids, &n), 0);
        CHECK_EQ(uid, 65534);
        for (size_t i = 0; i < n; i++) {
                primary = primary || gids[i] == 65534;
                extra = extra || gids[i] == 4242;
        }
        CHECK(extra);   /* the supplementary group, from the driver */
        CHECK(primary);  /* the primary group too: allow_group may be that one */

        /* By well-known name too; and nobody owns an unknown one. */
        CHECK_EQ(bus_peer_creds(b, "org.pvbootselect1.TestPeer", &uid, gids, &n), 0);
        CHECK_EQ(uid, 65534);
        char *none = NULL;
        CHECK_EQ(bus_peer_owner(b, "org.pvbootselect1.Nobody", &none), -ENXIO);
        CHECK(bus_peer_creds(b, "org.pvbootselect1.Nobody", &uid, gids, &n) < 0);

        /* Ourselves: root. */
        const char *self;
        CHECK(sd_bus_get_unique_name(b, &self) >= 0);
        CHECK_EQ(bus_peer_creds(b, self, &uid, gids, &n), 0);
        CHECK_EQ(uid, 0);
        return 0;
}
