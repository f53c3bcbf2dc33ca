# SPDX-License-Identifier: LGPL-2.1-or-later
# Sourced by tests/daemon.sh and bench/run.sh: a private system bus with
# our policy, and the real pvboot-selectd on it as its own user.
#
#   start_bus WORKDIR          dbus-daemon on WORKDIR/bus; exports
#                              DBUS_SYSTEM_BUS_ADDRESS
#   start_daemon BIN [ARGS]    sets $dpid; log in WORKDIR/daemon.log, or with
#                              DAEMON_TO_JOURNAL=TAG in the journal
#   stop_daemon
#   prop NAME                  a Manager property's value
#   wait_prop NAME VALUE [S]   until it has that value (default 180 s)
#   stop_bus

pvboot_user=pvboot-select
_libdaemon_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dpid=
buspid=
_bus_work=

start_bus() {
        _bus_work=$1
        cat >"$_bus_work/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path=$_bus_work/bus</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
  </policy>
  <include>$_libdaemon_here/../systemd/org.pvbootselect1.conf</include>
  ${BUS_EXTRA_POLICY:-}
</busconfig>
CONF
        dbus-daemon --config-file="$_bus_work/bus.conf" --nofork --nopidfile 2>"$_bus_work/bus.log" &
        buspid=$!
        for _ in $(seq 50); do [ -S "$_bus_work/bus" ] && break; sleep 0.1; done
        export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$_bus_work/bus"
}

stop_bus() {
        [ -n "$dpid" ] && kill -9 "$dpid" 2>/dev/null
        [ -n "$buspid" ] && kill "$buspid" 2>/dev/null
        dpid=
        buspid=
}

prop() {
        busctl get-property org.pvbootselect1 /org/pvbootselect1 org.pvbootselect1.Manager "$1" 2>/dev/null |
                awk '{print $2}'
}

# What the shipped unit gives the daemon: CAP_SETUID and CAP_SETGID, to
# hand each clone a uid of its own (and nothing else).
daemon_caps=(--inh-caps=-all,+setuid,+setgid --ambient-caps=-all,+setuid,+setgid --bounding-set=-all,+setuid,+setgid)
# And its ProtectProc=invisible: a /proc of its own where other users'
# processes (its callers, its clones) do not exist.
protect_proc=(unshare --mount --propagation private sh -c 'mount -t proc -o hidepid=invisible proc /proc && exec "$@"' sh)

start_daemon() {
        local bin=$1; shift
        if [ -n "${DAEMON_TO_JOURNAL:-}" ]; then
                # As systemd runs it: stderr is a journal stream, named in
                # JOURNAL_STREAM (systemd-cat connects, but does not say so).
                systemd-cat -t "$DAEMON_TO_JOURNAL" sh -c 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/self/fd/2) exec "$@"' \
                        sh "${protect_proc[@]}" setpriv "${daemon_caps[@]}" --reuid="$pvboot_user" --regid="$pvboot_user" \
                        --init-groups "$bin" "$@" &
        else
                "${protect_proc[@]}" setpriv "${daemon_caps[@]}" --reuid="$pvboot_user" --regid="$pvboot_user" \
                        --init-groups "$bin" "$@" >>"$_bus_work/daemon.log" 2>&1 &
        fi
        dpid=$!
        for _ in $(seq 100); do [ -n "$(prop PoolSize)" ] && return 0; sleep 0.1; done
        # Under a suite (tests/lib.sh) a setup failure is TAP's "Bail out!".
        if declare -F bail >/dev/null; then
                bail "the daemon did not come up: $(tail -5 "$_bus_work/daemon.log" | tr '\n' ' ')"
        fi
        echo "FAIL: the daemon did not come up: $(tail -5 "$_bus_work/daemon.log")"
        exit 1
}

stop_daemon() {
        local rc=0
        kill -TERM "$dpid"
        wait "$dpid" 2>/dev/null || rc=$?
        dpid=
        return $rc
}

wait_prop() {
        local i
        for i in $(seq $((${3:-180} * 5))); do [ "$(prop "$1")" = "$2" ] && return 0; sleep 0.2; done
        return 1
}
