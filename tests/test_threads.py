"""The Python API from many threads at once: the lazily built parser must be built exactly once."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = r"""
import json, sys, threading
import gradtutor

errors, results = [], []
start = threading.Barrier(16)

def worker():
    start.wait()  # all 16 threads make their first call together
    for k in range(100):
        try:
            r = gradtutor.grad("q = x + y; f = q * z", {"x": -2.0, "y": 5.0, "z": float(k)})
            results.append(r.gradients["z"] == 3.0 and r.gradients["x"] == float(k))
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

threads = [threading.Thread(target=worker) for _ in range(16)]
for t in threads:
    t.start()
for t in threads:
    t.join()
after = gradtutor.grad("x * y", {"x": 2.0, "y": 3.0}).gradients  # still usable afterwards
print(json.dumps({"errors": errors[:5], "count": len(errors), "right": sum(results), "after": after}))
"""


def test_sixteen_threads_of_first_calls_in_a_fresh_process(tmp_path):
    # a fresh GRADTUTOR_HOME: no cached parser, so the threads race to build and write it
    env = {"GRADTUTOR_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["count"] == 0, report["errors"]
    assert report["right"] == 1600
    assert report["after"] == {"x": 3.0, "y": 2.0}
