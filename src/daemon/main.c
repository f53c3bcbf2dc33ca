/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pvboot-selectd: keeps single-use libguestfs appliances warm so that
 * pvboot-select decides in about a second instead of a cold appliance's
 * 15-20 s under TCG.  See pvboot-selectd(8) and org.pvbootselect1(5).
 *
 * Thin: read the options (options.c), connect to the system bus (or the
 * one in DBUS_SYSTEM_BUS_ADDRESS), take the name, run the loop.  The pool
 * and the queue are manager.c, the bus object manager-bus.c.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/prctl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "selector/config.h"
#include "daemon/manager.h"
#include "daemon/options.h"
#include "probe/worker.h"
#include "pvboot-select-bus.h"
#include "record/xs-record.h"

/*
 * --xenstore-janitor: the one part that needs xenstore, which only root
 * reaches.  It runs as its own service (pvboot-select-xenstore.service,
 * root with no capability, no bus, no guest bytes) and removes the records
 * pvboot-select wrote for domains that are gone, by the hypervisor's
 * domain list (xs-record.h).
 */
typedef struct Janitor {
        XsRecord *x;
        bool said;      /* that the hypervisor's list cannot be read, once until it can */
} Janitor;

static void janitor_swept(Janitor *j, int n) {
        if (n > 0)
                fprintf(stderr, "pvboot-selectd: removed the xenstore records of %d released domain(s)\n", n);
        if (n < 0 && !j->said)
                fprintf(stderr, "pvboot-selectd: cannot read the hypervisor's domain list (%s); "
                        "no xenstore record is removed until it can be read\n", strerror(-n));
        j->said = n < 0;
}

static int janitor_io(sd_event_source *es, int fd, uint32_t revents, void *userdata) {
        Janitor *j = userdata;
        (void) es;
        (void) fd;
        (void) revents;
        janitor_swept(j, xs_record_dispatch(j->x));
        return 0;
}

static int run_janitor(sd_event *event) {
        _cleanup_(xs_record_freep) XsRecord *x = NULL;
        Janitor j = { 0 };
        int r = xs_record_open(true, &x);

        if (r < 0) {
                fprintf(stderr, "pvboot-selectd: no xenstore (%s); nothing to clean up\n",
                        r == -ENOENT ? "not running on Xen" : strerror(-r));
                return r == -ENOENT ? 0 : r;
        }
        j.x = x;
        /* Records of domains that went away while we were not running. */
        janitor_swept(&j, xs_record_sweep(x));
        r = sd_event_add_io(event, NULL, xs_record_fd(x), EPOLLIN, janitor_io, &j);
        if (r >= 0) {
                fprintf(stderr, "pvboot-selectd: watching @releaseDomain for " XS_RECORD_BASE "\n");
                sd_notify(false, "READY=1");
                r = sd_event_loop(event);
        }
        return r;
}

/* The daemon proper: the bus, the template, the manager, the loop. */
static int serve(const ManagerConfig *cfg, sd_event *event) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(manager_freep) Manager *m = NULL;     /* first to go: every waiting caller hears why */
        Template *t = NULL;
        TemplateConfig tc;
        char err[512];
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot connect to the system bus: %s\n", strerror(-r)), r;
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        /* The template is root's (pvboot-select template, run by the unit's
         * ExecStartPre): refused here if missing, stale or damaged. */
        worker_template_config(cfg->cachedir, cfg->memsize_mb, cfg->debug, &tc);
        r = template_ensure(&tc, &t, NULL, err, sizeof(err));
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: %s\n", err), r;
        r = manager_new(cfg, t, event, bus, &m);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot start: %s\n", strerror(-r)), r;
        r = sd_bus_request_name(bus, PVBOOT_BUS_NAME, 0);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot own %s: %s\n", PVBOOT_BUS_NAME, strerror(-r)), r;
        manager_start(m);
        fprintf(stderr, "pvboot-selectd: ready on %s: pool of %u, %u at once, %u queued at most, cache of %u\n",
                PVBOOT_BUS_NAME, cfg->pool_size, cfg->max_busy, cfg->queue_limit, cfg->cache_size);
        sd_notify(false, "READY=1");

        r = sd_event_loop(event);
        sd_notify(false, "STOPPING=1");
        if (r < 0)
                fprintf(stderr, "pvboot-selectd: event loop failed: %s\n", strerror(-r));
        return r;
}

int main(int argc, char **argv) {
        DaemonOptions o;
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(config_free) Config conf = { 0 };
        char err[512];
        sigset_t ss;
        int r;

        setvbuf(stderr, NULL, _IOLBF, 0);
        /* It holds every caller's disk descriptor for a while: no core
         * file of it, and no ptrace or /proc/PID/fd by its own uid. */
        (void) prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* Defaults < pvboot-select.conf < the command line. */
        if (config_load(config_path_from_argv(argc, argv), &conf, err, sizeof(err)) < 0)
                return fprintf(stderr, "pvboot-selectd: %s\n", err), 2;
        if (daemon_options_parse(argc, argv, &conf, &o) < 0)
                return 2;
        if (o.help)
                return fputs(daemon_usage, stdout) < 0;

        /* Termination signals go through the loop, and so does SIGCHLD:
         * the manager reaps its workers as they die, never waiting for
         * one (a worker's child blocks nothing it inherits: worker.h). */
        sigemptyset(&ss);
        sigaddset(&ss, SIGTERM);
        sigaddset(&ss, SIGINT);
        sigaddset(&ss, SIGCHLD);
        sigprocmask(SIG_BLOCK, &ss, NULL);
        signal(SIGPIPE, SIG_IGN);

        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, NULL, NULL);
        if (r >= 0)
                r = sd_event_set_watchdog(event, true);
        if (r < 0)
                return fprintf(stderr, "pvboot-selectd: cannot set up the event loop: %s\n", strerror(-r)), 1;
        r = o.janitor ? run_janitor(event) : serve(&o.manager, event);
        return r < 0 ? 1 : 0;
}
