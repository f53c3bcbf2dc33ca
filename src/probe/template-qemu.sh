#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# template-qemu: the qemu libguestfs runs when pvboot-select captures its
# appliance template (guestfs(3), "QEMU WRAPPERS"; probe/template.c).
#
# It passes libguestfs's arguments through, except that:
#  - the appliance's root drive writes into $PVBOOT_TEMPLATE_DIR/root.qcow2
#    (an overlay of the fixed appliance) instead of a temporary snapshot,
#    so that every clone starts from exactly the disk the template saw;
#  - the /dev/null drive libguestfs insists on is dropped (clones get the
#    guest disk by hot-plug);
#  - guest RAM is a shared file, $PVBOOT_TEMPLATE_DIR/ram, which migration
#    with x-ignore-shared leaves out of the state stream;
#  - the agent's virtio-serial port, a QMP socket and a vmgenid device are
#    added (clones must have the same devices as the template).
# The full command line is saved (NUL-separated) for the clones.
# libguestfs's feature probes (no -kernel) go to qemu untouched.
set -eu
case " $* " in *" -kernel "*) ;; *) exec qemu-system-x86_64 "$@" ;; esac
dir=${PVBOOT_TEMPLATE_DIR:?}
out=()
mem=
while [ $# -gt 0 ]; do
        a=$1
        shift
        case "$a" in
        -drive)
                d=$1
                shift
                case "$d" in
                *id=appliance,*|*id=appliance) out+=(-drive "file=$dir/root.qcow2,format=qcow2,id=appliance,cache=unsafe,if=none") ;;
                *id=hd0,*|*id=hd0) ;;
                *) echo "template-qemu: unexpected drive $d" >&2; exit 2 ;;
                esac ;;
        -device)
                d=$1
                shift
                [ "$d" = scsi-hd,drive=hd0 ] || out+=(-device "$d") ;;
        -m)
                mem=$1
                shift
                out+=(-m "$mem") ;;
        *)
                out+=("$a") ;;
        esac
done
case "$mem" in ''|*[!0-9]*) echo "template-qemu: no -m SIZE in MiB" >&2; exit 2 ;; esac
out+=(-object "memory-backend-file,id=pvbram,size=${mem}M,mem-path=$dir/ram,share=on"
      -machine memory-backend=pvbram
      -chardev "socket,id=pvbagent,path=$dir/agent.sock,server=on,wait=off"
      -device virtserialport,chardev=pvbagent,name=org.pvbootselect.agent
      -chardev "socket,id=pvbqmp,path=$dir/qmp.sock,server=on,wait=off"
      -mon chardev=pvbqmp,mode=control
      -device vmgenid,guid=auto)
printf '%s\0' qemu-system-x86_64 "${out[@]}" >"$dir/argv"
exec qemu-system-x86_64 "${out[@]}"
