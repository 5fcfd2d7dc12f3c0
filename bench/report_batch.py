"""The class mistake report over 1,000 results: `gradtutor report RESULTS --json`.

Target (issue 10): 5 s. The results are those `grade` writes for the class of
bench/grade_batch.py answering every shipped walk and target problem (its --all: more
rows than the issue's 66). Run: python bench/report_batch.py [--count N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time

from _timing import gradtutor_command
from grade_batch import grade, make_class


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gradtutor-bench-")
    try:
        assignment, key, subs, _, _ = make_class(folder, args.count, every=True)
        grade(folder, assignment, key, subs, min(2, os.cpu_count() or 1))  # (wall, cpu) unused
        times = []
        for _ in range(3):
            start = time.perf_counter()
            cmd = gradtutor_command() + ["report", os.path.join(folder, "results"), "--json"]
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        print(
            f"report over {args.count} results: {sorted(times)[1]:.2f} s "
            f"(the median of 3; runs {', '.join(f'{t:.2f}' for t in times)})"
        )
        print("target: 5 s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
