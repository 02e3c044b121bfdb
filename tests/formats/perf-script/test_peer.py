#!/usr/bin/env python3
"""stackcollapse-perf.pl and the model agree on `perf script` text the corpus
does not have: pid/tid and [cpu] fields, commands with spaces, a Java
command, inlined frames, symbols with parentheses, quotes and `;`, unknown
symbols with and without a dso, kernel modules, samples without frames, a
period of 0 and none, two events (the folded output keeps the first), and a
comment header. Usage: test_peer.py PCONV STACKCOLLAPSE_PERF_PL"""
import collections
import os
import subprocess
import sys
import tempfile

TEXT = """# ========
# cmdline : /usr/bin/perf record -g python3 x.py
# ========
#
python3 1234/1234 [001] 100.000001:    1001001 cpu-clock:ppp: 
\tffffffff81bd929c iowrite16+0xc ([kernel.kallsyms])
\tffffffffc0a1b2c3 nf_hook+0x10 ([nf_conntrack])
\t    7f8dbee3a10a py::fib:/srv/x.py+0xa (/tmp/perf-1234.map)
\t          356aa4 [unknown] (/usr/bin/python3.15)
\t    7f8dbee3a10a py::<module>:/srv/x.py+0xa (/tmp/perf-1234.map)
\t               0 [unknown] ([unknown])

V8 WorkerThread 1234/1240 100.000500: 2002 cpu-clock:ppp: 
\t  55d0 std::vector<int>::push_back(int const&)+0x10 (/usr/lib/libfoo.so)
\t  55e0 outer->inner (/usr/lib/libfoo.so)
\t  55f0 (anonymous namespace)::helper(int) (/usr/lib/libfoo.so)
\t  5600 net/http.(*Client).Do+0x1f (/usr/bin/server)
\t  5610 say"hi";there'x (/usr/lib/libfoo.so)

java 99 100.001000: 0 cpu-clock:ppp: 
\t  1000 Lorg/mozilla/javascript/ContextFactory;.call(Lorg/foo;)V+0x4 (/tmp/perf-99.map)
\t  1100 LFoo;bar+0x4 (/tmp/perf-99.map)

python3 1234/1234 [000] 100.002000:    1001001 cpu-clock:ppp: 

python3 1234/1234 [000] 100.003000:    5000 cycles: 
\t  2000 other_event_frame+0x1 (/usr/bin/python3.15)

python3 1234/1234 [000] 100.004000: cpu-clock:ppp: 
\t  3000 no_period+0x1 (/usr/bin/python3.15)

python3 1234/1234 [000] 100.005000:    1001001 cpu-clock:ppp: 
\tffffffff81bd929c iowrite16+0xc ([kernel.kallsyms])
\t    7f8dbee3a10a py::fib:/srv/x.py+0xa (/tmp/perf-1234.map)
\t          356aa4 [unknown] (/usr/bin/python3.15)
\t    7f8dbee3a10a py::<module>:/srv/x.py+0xa (/tmp/perf-1234.map)
\t               0 [unknown] ([unknown])

"""


def folded(text):
    return collections.Counter(line for line in text.split("\n") if line)


def main():
    pconv, script = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "x.perf.txt")
        with open(src, "w") as f:
            f.write(TEXT)
        perl = subprocess.run(["perl", script, src], capture_output=True, text=True, check=True)
        out = os.path.join(tmp, "out.folded")
        r = subprocess.run([pconv, "--threads", src, "-o", out], capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL pconv: " + r.stderr)
            return 1
        ours, want = folded(open(out).read()), folded(perl.stdout)
    for line in sorted(set(ours) | set(want)):
        ok = ours[line] == want[line]
        print(("ok   " if ok else "FAIL ") + f"{line!r}: {ours[line]} / {want[line]}")
    bad = ours != want
    print(f"{'FAILED' if bad else 'all passed'}: {len(set(ours) | set(want))} folded lines compared")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
