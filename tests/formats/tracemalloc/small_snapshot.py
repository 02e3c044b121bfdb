#!/usr/bin/env python3
"""Write a small real tracemalloc snapshot (a few kB: a fuzzing seed).

usage: small_snapshot.py OUT"""
import sys
import tracemalloc


def nested(depth, out):
    if depth:
        return nested(depth - 1, out)
    out.extend(bytes(100 + i) for i in range(20))
    return out


tracemalloc.start(8)
kept = nested(4, [])
kept.append("x" * 5000)
snap = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, __file__)])
snap.dump(sys.argv[1])
