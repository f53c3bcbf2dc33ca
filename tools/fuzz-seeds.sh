#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tools/fuzz-seeds.sh [TARGET...]
#
# (Re)writes the committed seed inputs, src/fuzz/corpus/TARGET/seed-*, from
# real artifacts: grub-mkimage's three Xen images (Debian 12's
# grub-xen-bin), the setup headers of the Debian kernels that
# tools/fetch-kernels.sh caches, libxl's argv and output formats, LVM 2.03
# metadata, an agent and a QMP session.  For developers only: the tests
# replay the committed files (src/fuzz/meson.build) and tools/fuzz.sh starts
# libFuzzer from them, so nothing is generated at test time and nothing is
# random.  Run it when an input format changes, then review and commit the
# difference.  The same tools give the same bytes (grub-mkimage is
# deterministic); regression inputs (any name but seed-*) are never touched.
#
# The seeds are kept small on purpose:
#   - a stage 1 image (the stage1 target) keeps its ELF header, program
#     headers, Xen notes and section table, and its module area with the
#     memdisk, embedded config and prefix as grub-mkimage wrote them; its
#     code is dropped and each module becomes a minimal ELF holding only
#     its .modname;
#   - a grub image's code is of no interest to the readers fuzzed here, so
#     each image is cut down to its ELF header, program headers and Xen
#     notes (LOAD segments keep their addresses, lose their bytes);
#   - a guest grub.cfg (grub-menu) is a whole file, Fedora's as the
#     integration disks carry it;
#   - of a kernel, only the bzImage setup header (boot.rst: 0x1f1 up to the
#     end its jump at 0x200 names) is kept, at its offset in 4 KiB of
#     zeros: the fields kernel-header.c reads, none of the kernel's code.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=src/fuzz/corpus
kernels=${KERNEL_DIR:-/var/cache/pvboot-select-tests/kernels}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(elf-notes kernel-header output args report agent-reply qmp lvm-metadata stage1 grub-menu)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# compact_elf IN OUT: IN's ELF header, program headers and PT_NOTE bytes,
# laid out afresh; no sections, no loadable bytes.
compact_elf() {
        python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
is64 = d[4] == 2
if is64:
    eh, phoff, phentsize, phnum = 64, struct.unpack_from('<Q', d, 32)[0], *struct.unpack_from('<HH', d, 54)
    ph_fmt, off_at, filesz_at = "<IIQQQQQQ", 2, 5
else:
    eh, phoff, phentsize, phnum = 52, struct.unpack_from('<I', d, 28)[0], *struct.unpack_from('<HH', d, 42)
    ph_fmt, off_at, filesz_at = '<IIIIIIII', 1, 4
phs = [list(struct.unpack_from(ph_fmt, d, phoff + i * phentsize)) for i in range(phnum)]
out = bytearray(d[:eh])
notes = bytearray()
base = eh + phnum * phentsize
for p in phs:
    if p[0] == 4:                       # PT_NOTE: its bytes follow the table
        src, size = p[off_at], p[filesz_at]
        while (base + len(notes)) % 8:
            notes += b'\0'
        p[off_at] = base + len(notes)
        notes += d[src:src + size]
    else:                               # PT_LOAD and the rest: no bytes
        p[off_at] = 0
        p[filesz_at] = 0
for p in phs:
    out += struct.pack(ph_fmt, *p)
out += notes
# e_phoff right after the header, no section header table
if is64:
    struct.pack_into('<QQ', out, 32, eh, 0)
    struct.pack_into('<HH', out, 58, 0, 0)
    struct.pack_into('<H', out, 62, 0)
else:
    struct.pack_into('<II', out, 28, eh, 0)
    struct.pack_into('<HH', out, 46, 0, 0)
    struct.pack_into('<H', out, 50, 0)
open(sys.argv[2], 'wb').write(out)
PY
}

# setup_header KERNEL OUT [SYSSIZE]: KERNEL's bzImage setup header in 4 KiB
# of zeros; with SYSSIZE (in 16-byte units) the header is made to fit the
# 4 KiB (setup_sects 1), so that the reader gets as far as xloadflags.
setup_header() {
        python3 - "$@" <<'PY'
import struct, sys
k = open(sys.argv[1], 'rb').read(4096)
assert k[0x1fe:0x200] == b'\x55\xaa' and k[0x202:0x206] == b'HdrS', sys.argv[1]
end = 0x202 + k[0x201]                  # the jump at 0x200 skips the header
out = bytearray(4096)
out[0x1f1:end] = k[0x1f1:end]
if len(sys.argv) > 3:
    out[0x1f1] = 1
    struct.pack_into('<I', out, 0x1f4, int(sys.argv[3]))
open(sys.argv[2], 'wb').write(out)
PY
}

# compact_stage1 IN OUT: IN's ELF and module area without code (above).
compact_stage1() {
        python3 - "$1" "$2" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
is64 = d[4] == 2
E = '<' + ('HHIQQQIHHHHHH' if is64 else 'HHIIIIIHHHHHH')
eh = 64 if is64 else 52
(typ, mach, ver, entry, phoff, shoff, flags, ehsize, phentsize, phnum, shentsize, shnum, shstrndx) = struct.unpack_from(E, d, 16)
PH = '<IIQQQQQQ' if is64 else '<IIIIIIII'
SH = '<IIQQQQIIQQ' if is64 else '<IIIIIIIIII'
phs = [list(struct.unpack_from(PH, d, phoff + i * phentsize)) for i in range(phnum)]
shs = [list(struct.unpack_from(SH, d, shoff + i * shentsize)) for i in range(shnum)]
OFF, SIZE = (4, 5) if is64 else (4, 5)
strtab = d[shs[shstrndx][OFF]:shs[shstrndx][OFF] + shs[shstrndx][SIZE]]
name = lambda s: strtab[s[0]:strtab.index(b'\0', s[0])].decode()
mods = next(s for s in shs if name(s) == 'mods')
area = d[mods[OFF]:mods[OFF] + mods[SIZE]]
align = 8 if is64 else 4
pad = lambda b: b + b'\0' * (-len(b) % align)
hsize = 24 if is64 else 12
off, size = struct.unpack_from('<QQ' if is64 else '<II', area, 8 if is64 else 4)

def modname(body):
    c64 = body[4] == 2
    (_, _, _, _, _, so, _, _, _, _, se, sn, si) = struct.unpack_from(E, body, 16)
    ss = [struct.unpack_from(SH, body, so + i * se) for i in range(sn)]
    st = body[ss[si][OFF]:ss[si][OFF] + ss[si][SIZE]]
    for s in ss:
        if st[s[0]:st.index(b'\0', s[0])] == b'.modname':
            return body[s[OFF]:s[OFF] + s[SIZE]]
    raise SystemExit('no .modname')

def tiny_module(n):
    names = b'\0.shstrtab\0.modname\0'
    se = 64 if is64 else 40
    hdr = bytearray(eh)
    hdr[0:16] = b'\x7fELF' + bytes([2 if is64 else 1, 1, 1]) + b'\0' * 9
    struct.pack_into(E, hdr, 16, 1, mach, 1, 0, 0, eh, 0, eh, 0, 0, se, 3, 1)
    base = eh + 3 * se
    secs = [(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), (1, 3, 0, 0, base, len(names), 0, 0, 1, 0),
            (11, 1, 0, 0, base + len(names), len(n), 0, 0, 1, 0)]
    return bytes(hdr) + b''.join(struct.pack(SH, *s) for s in secs) + names + n

objs = bytearray()
p = off
while p < size:
    t, sz = struct.unpack_from('<II', area, p)
    body = area[p + 8:p + sz]
    if t == 0:
        body = tiny_module(modname(body))
    objs += pad(struct.pack('<II', t, len(body) + 8) + body)
    p += (sz + align - 1) // align * align
newarea = bytearray(hsize) + objs
struct.pack_into('<I', newarea, 0, 0x676d696d)
struct.pack_into('<QQ' if is64 else '<II', newarea, 8 if is64 else 4, hsize, len(newarea))

# Lay out afresh: header, program headers, section headers, strings, module area, notes.
out = bytearray(eh)
out[0:16] = d[0:16]
at_ph = eh
at_sh = at_ph + phnum * phentsize
at_str = at_sh + shnum * shentsize
at_mods = at_str + len(strtab)
at_mods += -at_mods % 8
at_notes = at_mods + len(newarea)
at_notes += -at_notes % 8
notes = bytearray()
PO, PF = (2, 5) if is64 else (1, 4)     # p_offset, p_filesz
for ph in phs:
    if ph[0] == 4:
        src, n = ph[PO], ph[PF]
        ph[PO] = at_notes + len(notes)
        notes += d[src:src + n]
        notes += b'\0' * (-len(notes) % 8)
    elif ph[0] == 1:
        ph[PO], ph[PF] = 0, 0
for s in shs:
    nm = name(s) if s[0] or s[1] else ''
    if s[1] == 3:
        s[OFF], s[SIZE] = at_str, len(strtab)
    elif nm == 'mods':
        s[OFF], s[SIZE] = at_mods, len(newarea)
    elif s[1] != 0:
        s[OFF], s[SIZE] = at_mods, 0
struct.pack_into(E, out, 16, typ, mach, ver, entry, at_ph, at_sh, flags, ehsize, phentsize, phnum, shentsize, shnum, shstrndx)
body = bytearray()
body += b''.join(struct.pack(PH, *ph) for ph in phs)
body += b''.join(struct.pack(SH, *s) for s in shs)
body += strtab
out += body
out += b'\0' * (at_mods - len(out))
out += newarea
out += b'\0' * (at_notes - len(out))
out += notes
open(sys.argv[2], 'wb').write(out)
PY
}

# stage1_image OUT FORMAT CONFIG MEMDISK-DIR PREFIX MODULES...: a real image, compacted.
stage1_image() {
        local out=$1 format=$2 cfg=$3 md=$4 prefix=$5
        shift 5
        local -a a=(-O "$format" -o "$tmp/s1.img" -p "$prefix")
        [ -z "$cfg" ] || { printf '%b' "$cfg" >"$tmp/s1.cfg"; a+=(-c "$tmp/s1.cfg"); }
        [ -z "$md" ] || { tar --format=ustar -b 1 --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
                -C "$md" -cf "$tmp/s1.tar" .; a+=(-m "$tmp/s1.tar"); }
        grub-mkimage "${a[@]}" "$@"
        compact_stage1 "$tmp/s1.img" "$out"
}

grub_images() {
        local k
        command -v grub-mkimage >/dev/null || { echo "fuzz-seeds: grub-mkimage missing (grub-xen-bin)" >&2; exit 1; }
        for k in x86_64-xen i386-xen i386-xen_pvh; do
                [ -s "$tmp/grub-$k" ] || grub-mkimage -O "$k" -o "$tmp/grub-$k" -p /boot/grub echo
                compact_elf "$tmp/grub-$k" "$1/seed-grub-$k"
        done
}

for t in "${targets[@]}"; do
        out=$corpus/$t
        mkdir -p "$out"
        rm -f "$out"/seed-*
        case "$t" in
        elf-notes)
                grub_images "$out"
                ;;
        kernel-header)
                grub_images "$out"
                for k in amd64 686-pae; do
                        [ -s "$kernels/vmlinuz-$k" ] ||
                                { echo "fuzz-seeds: no $kernels/vmlinuz-$k (tools/fetch-kernels.sh)" >&2; exit 1; }
                        setup_header "$kernels/vmlinuz-$k" "$out/seed-bzimage-$k"
                        setup_header "$kernels/vmlinuz-$k" "$out/seed-bzimage-$k-fits" 100
                done
                printf '\037\213\010\000\000\000\000\000\002\003' >"$out/seed-gzip"
                ;;
        output)
                printf '\000/var/lib/xen/bootloader.7.d/pvboot-select-stage1-x86_64\000root=/dev/xvda1 console=hvc0' >"$out/seed-simple0"
                printf '\001/var/lib/xen/bootloader.7.d/pvboot-select-stage1-i386\000quiet' >"$out/seed-simple"
                printf '\002/k\000a b' >"$out/seed-sxp"
                ;;
        args)
                printf -- '--output=/var/lib/xen/bootloader.7.out\000--output-format=simple0\000--output-directory=/var/lib/xen/bootloader.7.d\000/dev/xvda' >"$out/seed-libxl"
                printf -- '--args=root=/dev/xvda1\000--runas=131079\000--quiet\000--output=/o\000--output-format=simple0\000--output-directory=/d\000--pvshim\000--prefer=i386\000/dev/xvda' >"$out/seed-restrict"
                printf -- '-n\000--force-arch=i386\000--host-caps=xen-3.0-x86_64 hvm-3.0-x86_32\000disk.img' >"$out/seed-n"
                ;;
        report)
                head -c 7000 /dev/zero >"$out/seed-zero"
                ;;
        stage1)
                command -v grub-mkimage >/dev/null || { echo "fuzz-seeds: grub-mkimage missing (grub-xen-bin)" >&2; exit 1; }
                # Debian's layout: the searches in the memdisk's grub.cfg.
                mkdir -p "$tmp/md-debian"
                printf 'if search -s -f /boot/xen/pvboot-%s.elf ; then\n\techo "Chainloading (${root})/boot/xen/pvboot-%s.elf"\n\tmultiboot "/boot/xen/pvboot-%s.elf"\n\tboot\nfi\n\nif search -s -f /boot/grub/grub.cfg ; then\n\tconfigfile /boot/grub/grub.cfg\nfi\n' \
                        x86_64 x86_64 x86_64 >"$tmp/md-debian/grub.cfg"
                stage1_image "$out/seed-x86_64-debian" x86_64-xen 'normal (memdisk)/grub.cfg\n' "$tmp/md-debian" \
                        '(memdisk)/boot/grub' ext2 xfs part_msdos
                # An admin's image: the searches in the embedded config, another order.
                stage1_image "$out/seed-i386-embedded" i386-xen \
                        'if search --set=root --file /boot/grub2/grub.cfg; then configfile /boot/grub2/grub.cfg; fi\nif search -s -f /boot/pv32.elf; then\n  linux ($root)/boot/pv32.elf console=hvc0\n  boot\nfi\n' \
                        "" /boot/grub ext2 btrfs
                # No embedded config: normal mode reads the prefix's grub.cfg from the memdisk.
                mkdir -p "$tmp/md-prefix/boot/grub"
                printf 'if search -s -f /grub2/grub.cfg; then configfile /grub2/grub.cfg; fi\n' >"$tmp/md-prefix/boot/grub/grub.cfg"
                stage1_image "$out/seed-pvh-prefix" i386-xen_pvh "" "$tmp/md-prefix" '(memdisk)/boot/grub' ext2
                # A command the model does not know, with its line.
                stage1_image "$out/seed-x86_64-unmodelled" x86_64-xen \
                        'set timeout=1\nterminal_output console\n' "" /boot/grub ext2
                ;;
        grub-menu)
                # Fedora's BLS grub.cfg, as the integration disks carry it
                # (tests/mkdisk.sh fedora_grubcfg), with and without an
                # entry of its own; and the shapes the scan follows.
                (seeds=$out; set -- none /dev/null "$tmp"; . tests/mkdisk.sh
                 fedora_grubcfg "$seeds/seed-fedora-blscfg"
                 fedora_grubcfg "$seeds/seed-fedora-blscfg-menu" extra)
                printf 'function bls {\n  if [ "$grub_platform" != "efi" ]; then blscfg; fi\n}\nwhile false; do menuentry a { linux /k; }; done\nbls\nsource ${config_directory}/x.cfg\nsubmenu s { menuentry b { true; } }\n' \
                        >"$out/seed-shapes"
                ;;
        agent-reply)
                # buffer-size selector, then replies: "PVBR", status, length, reserved, payload
                printf '\003PVBR\000\000\000\000\003\000\000\000\000\000\000\000abc' >"$out/seed-ok"
                printf '\003PVBR\376\377\377\377\000\000\000\000\000\000\000\000PVBR\000\000\000\000\001\000\000\000\000\000\000\000x' >"$out/seed-enoent-then-ok"
                ;;
        lvm-metadata)
                # What LVM 2.03 writes (src/agent/test-lvm.c has the annotated case).
                printf 'vg0 {\nid = "6V6S1J-fF1F-V9cT-rm55-9WZW-lGkx-baXW0M"\nseqno = 4\nextent_size = 8192\nphysical_volumes {\npv0 {\nid = "NbWBKx-2PUE-JnaF-83u7-3dks-1iFF-eoqOGw"\npe_start = 2048\n}\npv1 {\nid = "AAAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAAAA"\npe_start = 4096\n}\n}\nlogical_volumes {\nroot {\nstatus = ["READ", "VISIBLE"]\nsegment_count = 2\nsegment1 {\nstart_extent = 0\nextent_count = 5\ntype = "striped"\nstripe_count = 1\nstripes = ["pv0", 3]\n}\nsegment2 {\nstart_extent = 5\nextent_count = 4\ntype = "striped"\nstripe_count = 2\nstripe_size = 128\nstripes = ["pv0", 10, "pv1", 0]\n}\n}\n}\n}\n' >"$out/seed-two-segments"
                ;;
        qmp)
                printf '{"QMP": {"version": {}, "capabilities": []}}\n{"return": {}}\n{"event": "RESUME"}\n{"return": {"status": "running"}}\n{"error": {"desc": "no"}}\n' >"$out/seed-session"
                ;;
        *)
                echo "fuzz-seeds: unknown target $t" >&2
                exit 2
                ;;
        esac
        echo "$out: $(ls "$out" | wc -l) inputs, $(du -sk "$out" | cut -f1) KiB"
done
