"""LEB128, the variable-length integers of protobuf (pprof), memray and Tachyon."""


def varint(v):
    """An unsigned LEB128 varint: 7 bits a byte, low first, the high bit set on all but the last."""
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)
