#!/usr/bin/env python3
"""btf_map_corrupt.py IN OUT: writes IN with one field of its .BTF changed.

The first member of the struct that describes the object's first map (the
type of the first variable of the .maps section) is made to name type
0xfffff, which does not exist. libbpf 1.1 follows it without a bounds check
while it parses the map definitions: opening the object crashes the process
that opens it. Tests use it as a stand-in for any object that crashes libbpf
(the flipped-byte object of issue 20)."""
import struct
import sys

KIND_VAR, KIND_DATASEC = 14, 15
# bytes after the 12-byte common header, by kind (vlen = number of records)
EXTRA = {1: lambda v: 4, 3: lambda v: 12, 4: lambda v: 12 * v, 5: lambda v: 12 * v,
         6: lambda v: 8 * v, 13: lambda v: 8 * v, 14: lambda v: 4, 15: lambda v: 12 * v,
         17: lambda v: 4, 19: lambda v: 12 * v}


def section(elf, want):
    shoff, = struct.unpack_from('<Q', elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from('<HHH', elf, 0x3a)
    hdrs = [struct.unpack_from('<IIQQQQIIQQ', elf, shoff + i * shentsize) for i in range(shnum)]
    names = hdrs[shstrndx][4]
    for h in hdrs:
        name = elf[names + h[0]:elf.index(b'\0', names + h[0])].decode()
        if name == want:
            return h[4], h[5]
    sys.exit(f'{want}: no such section')


def main():
    elf = bytearray(open(sys.argv[1], 'rb').read())
    off, _ = section(elf, '.BTF')
    _, _, _, hdr_len, type_off, type_len, str_off, _ = struct.unpack_from('<HBBIIIII', elf, off)
    strs = off + hdr_len + str_off
    types = {}  # id -> (file offset, kind, vlen, size_or_type)
    p, end, tid = off + hdr_len + type_off, off + hdr_len + type_off + type_len, 1
    while p < end:
        name_off, info, st = struct.unpack_from('<III', elf, p)
        kind, vlen = (info >> 24) & 0x1f, info & 0xffff
        types[tid] = (p, kind, vlen, st, name_off)
        p += 12 + EXTRA.get(kind, lambda v: 0)(vlen)
        tid += 1
    for p, kind, vlen, _, name_off in types.values():
        name = elf[strs + name_off:elf.index(b'\0', strs + name_off)]
        if kind == KIND_DATASEC and name == b'.maps' and vlen:
            var, = struct.unpack_from('<I', elf, p + 12)
            vp, vkind, _, struct_id, _ = types[var]
            assert vkind == KIND_VAR
            sp = types[struct_id][0]
            struct.pack_into('<I', elf, sp + 12 + 4, 0xfffff)  # member 0's type
            open(sys.argv[2], 'wb').write(elf)
            return
    sys.exit('no .maps section in the BTF')


main()
