"""Builders of small memray captures (header version 12, streamed or
aggregated), shared by the memray reader's tests and the budget test.
Record layouts: shared/formats/memray.md."""
import struct

from leb128 import varint  # noqa: F401 (also offered to the tests)


def svarint(v):
    """A zigzag-coded signed varint."""
    return varint((v << 1) ^ (v >> 63) if v < 0 else v << 1)


def header_v12(fmt=0, native=0):
    """A version 12 header: Python 3.11.2, file format fmt (0 streamed,
    1 aggregated), native traces or not, main thread 1."""
    return (b"memray\0" + struct.pack("<iIBB", 12, 0x030B02F0, native, fmt)
            + struct.pack("<QQqq", 0, 0, 1000, 2000) + b"cmd\0"
            + struct.pack("<iQQBBB", 42, 1, 0, 1, 0, 0))


def live_allocations_capture(n):
    """n allocations of 64 bytes at distinct addresses, never freed."""
    return (header_v12() + b"\x0c" + struct.pack("<Q", 1)
            + b"\x0e" + varint(1) + b"f\0f.py\0" + svarint(1) + varint(0)
            + b"\x41" + varint(1) + svarint(0)
            + (b"\xfe" + svarint(1) + varint(64)) * n + b"\x01")
