#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# patch.py: hostile edits of real images, for tests/hostile/build.sh.
#
# Every hostile ELF starts as real grub-mkimage output and every hostile
# partition table as real sfdisk output; this only changes the bytes a
# hostile guest would change, the way it would change them.
#
#   patch.py elf FILE OP...
#       note=TYPE:TEXT          set Xen note TYPE's string (TEXT takes Python
#                               escapes: \x1b, \n, \0; a NUL is appended)
#       first-note-sizes=N:D    the first note's namesz/descsz, in place
#       empty-notes-before=N    N zero-length notes ahead of the real ones
#       empty-notes-after=N     N zero-length notes after them
#       big-note=BYTES          one unknown-type Xen note of BYTES after them
#       note-phdrs=N            N more PT_NOTE headers on the same note area
#   patch.py mbr IMG SECTOR SLOT TYPE START SIZE
#       write partition entry SLOT (0-3) of the table in SECTOR (the MBR is
#       0, an extended boot record anywhere) and its 55AA signature
#   patch.py gpt IMG OP...
#       primary-header-crc | primary-entries-crc | backup-header-crc |
#       backup-entries-crc      break that CRC (the rest stays valid;
#                               X-entries-crc rewrites X's header CRC, so
#                               give X-header-crc after it)
import codecs
import struct
import sys
import zlib

PT_NOTE = 4
XEN = b"Xen\0"


def die(msg):
        sys.exit("patch.py: " + msg)


# ---------------------------------------------------------------- ELF


class Elf:
        def __init__(self, data):
                if data[:4] != b"\x7fELF":
                        die("not an ELF file")
                self.data = bytearray(data)
                self.is64 = data[4] == 2
                if self.is64:
                        self.phoff, = struct.unpack_from("<Q", data, 32)
                        self.phentsize, self.phnum = struct.unpack_from("<HH", data, 54)
                else:
                        self.phoff, = struct.unpack_from("<I", data, 28)
                        self.phentsize, self.phnum = struct.unpack_from("<HH", data, 42)

        def phdr(self, i):
                return self.phoff + i * self.phentsize

        def note_phdr(self):
                for i in range(self.phnum):
                        if struct.unpack_from("<I", self.data, self.phdr(i))[0] == PT_NOTE:
                                return self.phdr(i)
                die("no PT_NOTE")

        def note_area(self, ph):
                if self.is64:
                        off, = struct.unpack_from("<Q", self.data, ph + 8)
                        size, = struct.unpack_from("<Q", self.data, ph + 32)
                else:
                        off, = struct.unpack_from("<I", self.data, ph + 4)
                        size, = struct.unpack_from("<I", self.data, ph + 16)
                return off, size

        def set_note_area(self, ph, off, size):
                # Xen's libelf pads notes to 4 bytes in both classes; say so
                # in p_align too, so that readelf reads them the same way.
                if self.is64:
                        struct.pack_into("<Q", self.data, ph + 8, off)
                        struct.pack_into("<QQQ", self.data, ph + 32, size, size, 4)
                else:
                        struct.pack_into("<I", self.data, ph + 4, off)
                        struct.pack_into("<II", self.data, ph + 16, size, size)
                        struct.pack_into("<I", self.data, ph + 28, 4)

        def append(self, blob, align=8):
                while len(self.data) % align:
                        self.data.append(0)
                off = len(self.data)
                self.data += blob
                return off


def parse_notes(buf):
        notes, pos = [], 0
        while len(buf) - pos >= 12:
                namesz, descsz, typ = struct.unpack_from("<III", buf, pos)
                name_end = pos + 12 + ((namesz + 3) & ~3)
                name = bytes(buf[pos + 12:pos + 12 + namesz])
                # grub-mkimage's i386 PAE_MODE note ends past its segment:
                # keep what is there.
                desc = bytes(buf[name_end:name_end + descsz])
                notes.append((name, typ, desc))
                pos = name_end + ((descsz + 3) & ~3)
        return notes


def pack_note(name, typ, desc):
        pad = lambda b: b + b"\0" * (-len(b) % 4)
        return struct.pack("<III", len(name), len(desc), typ) + pad(name) + pad(desc)


def elf_cmd(path, ops):
        e = Elf(open(path, "rb").read())
        ph = e.note_phdr()
        off, size = e.note_area(ph)
        notes = parse_notes(e.data[off:off + size])
        before, after, extra_phdrs, relocate = b"", b"", 0, False

        for op in ops:
                key, _, val = op.partition("=")
                if key == "note":
                        typ, _, text = val.partition(":")
                        desc = codecs.escape_decode(text.encode())[0] + b"\0"
                        notes = [n for n in notes if n[1] != int(typ)] + [(XEN, int(typ), desc)]
                        relocate = True
                elif key == "first-note-sizes":
                        namesz, descsz = (int(x, 0) for x in val.split(":"))
                        struct.pack_into("<II", e.data, off, namesz, descsz)
                elif key == "empty-notes-before":
                        before += b"\0" * 12 * int(val)
                        relocate = True
                elif key == "empty-notes-after":
                        after += b"\0" * 12 * int(val)
                        relocate = True
                elif key == "big-note":
                        after += pack_note(XEN, 0x7fff, b"\0" * int(val))
                        relocate = True
                elif key == "note-phdrs":
                        extra_phdrs = int(val)
                else:
                        die("unknown elf op " + op)

        if relocate:
                # A new note area at the end of the file; the PT_NOTE header
                # is pointed at it, the old area is left as dead bytes.
                area = before + b"".join(pack_note(*n) for n in notes) + after
                e.set_note_area(ph, e.append(area), len(area))
        if extra_phdrs:
                # A new program header table: the real one, then copies of
                # its PT_NOTE entry, all naming the same note area.
                table = bytes(e.data[e.phoff:e.phoff + e.phnum * e.phentsize])
                note = bytes(e.data[ph:ph + e.phentsize])
                new = e.append(table + note * extra_phdrs)
                e.phnum += extra_phdrs
                if e.phnum > 0xffff:
                        die("too many program headers")
                if e.is64:
                        struct.pack_into("<Q", e.data, 32, new)
                        struct.pack_into("<H", e.data, 56, e.phnum)
                else:
                        struct.pack_into("<I", e.data, 28, new)
                        struct.pack_into("<H", e.data, 44, e.phnum)
        open(path, "wb").write(e.data)


# ---------------------------------------------------------------- MBR


def mbr_cmd(path, sector, slot, typ, start, size):
        with open(path, "r+b") as f:
                f.seek(sector * 512 + 446 + 16 * slot)
                f.write(struct.pack("<B3sB3sII", 0, b"\0\0\0", typ, b"\0\0\0", start, size))
                f.seek(sector * 512 + 510)
                f.write(b"\x55\xaa")


# ---------------------------------------------------------------- GPT


def gpt_headers(f):
        f.seek(512)
        primary = bytearray(f.read(92))
        if primary[:8] != b"EFI PART":
                die("no primary GPT header")
        backup_lba, = struct.unpack_from("<Q", primary, 32)
        f.seek(backup_lba * 512)
        backup = bytearray(f.read(92))
        if backup[:8] != b"EFI PART":
                die("no backup GPT header")
        return {"primary": (1, primary), "backup": (backup_lba, backup)}


def write_header(f, lba, h, fix_crc=True):
        if fix_crc:
                struct.pack_into("<I", h, 16, 0)
                struct.pack_into("<I", h, 16, zlib.crc32(bytes(h[:92])))
        f.seek(lba * 512)
        f.write(h)


def gpt_cmd(path, ops):
        with open(path, "r+b") as f:
                for op in ops:
                        which, _, what = op.partition("-")
                        if which not in ("primary", "backup"):
                                die("unknown gpt op " + op)
                        lba, h = gpt_headers(f)[which]
                        if what == "header-crc":
                                crc, = struct.unpack_from("<I", h, 16)
                                struct.pack_into("<I", h, 16, crc ^ 0xdeadbeef)
                                write_header(f, lba, h, fix_crc=False)
                        elif what == "entries-crc":
                                # The entries' CRC lives in the header, which
                                # stays self-consistent: only the entries lie.
                                crc, = struct.unpack_from("<I", h, 88)
                                struct.pack_into("<I", h, 88, crc ^ 0xdeadbeef)
                                write_header(f, lba, h)
                        else:
                                die("unknown gpt op " + op)


def main(argv):
        if len(argv) >= 3 and argv[1] == "elf":
                elf_cmd(argv[2], argv[3:])
        elif len(argv) == 8 and argv[1] == "mbr":
                mbr_cmd(argv[2], *(int(x, 0) for x in argv[3:]))
        elif len(argv) >= 3 and argv[1] == "gpt":
                gpt_cmd(argv[2], argv[3:])
        else:
                die("usage: see the header of this file")


main(sys.argv)
