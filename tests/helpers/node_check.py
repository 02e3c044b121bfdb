"""Running a browser check of tests/node: its specs in a JSON file, its
results as JSON on stdout."""
import json
import os
import subprocess
import sys


def run_node_check(node_dir, script, chromium, out_dir, specs, timeout=900):
    """Run node_dir/script CHROMIUM OUT_DIR SPEC.json; its parsed stdout."""
    spec_file = os.path.join(out_dir, os.path.splitext(script)[0] + "-specs.json")
    with open(spec_file, "w") as f:
        json.dump(specs, f)
    r = subprocess.run(["node", os.path.join(node_dir, script), chromium, out_dir, spec_file],
                       capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        sys.exit("%s failed: %s" % (script, r.stderr))
    return json.loads(r.stdout)
