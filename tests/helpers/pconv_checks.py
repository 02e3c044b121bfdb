"""What the tests of damaged and unusual input share: pconv run on bytes
written to a scratch file, and checks that print and count their failures."""
import json
import os
import subprocess
import tempfile


class Checks:
    def __init__(self, pconv, input_name):
        """input_name: the scratch file's name, whose suffix may tell the format."""
        self.pconv, self.input_name, self.failures = pconv, input_name, []

    def run(self, data, *extra):
        """pconv -t json on DATA: (result, model or None, input path, whether output was left)."""
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, self.input_name)
            out = os.path.join(tmp, "out.json")
            with open(src, "wb") as f:
                f.write(data if isinstance(data, bytes) else data.encode())
            r = subprocess.run([self.pconv, "-t", "json", src, "-o", out, *extra],
                               capture_output=True, text=True, timeout=60)
            model = json.load(open(out)) if r.returncode == 0 else None
            return r, model, src, os.path.exists(out)

    def expect(self, cond, what):
        if not cond:
            self.failures.append(what)
        print(("ok   " if cond else "FAIL ") + what)

    def refused(self, label, data, where=None):
        """DATA ends with one line naming the input (and WHERE), exit 2, nothing written."""
        r, _, src, wrote = self.run(data)
        lines = r.stderr.strip().splitlines()
        self.expect(r.returncode == 2 and len(lines) == 1 and src in lines[0] and not wrote,
                    f"{label}: one line, exit 2, nothing written "
                    f"({r.returncode}: {r.stderr.strip()[:200]})")
        if where and lines:
            self.expect(where in lines[0], f"{label}: says where ({where})")
