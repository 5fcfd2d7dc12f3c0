"""Grading 100 code submissions with `gradtutor grade`, using both cores.

Target (issue 9): at most 60 s on a 2-core machine. Each submission is one .py file
for one of the shipped code problems, in its own folder: most are the reference
solution, some have a typical bug, a few raise or loop for a while. The run uses one
child process per core at a time. `--workers 1` shows what one core would take.
Run: python bench/code_batch.py [--count N] [--workers N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time

from _timing import gradtutor_command

from gradtutor.course.problems import load_all

BUGS = ["\ndef _unused():\n    pass\n", "\nraise RuntimeError('not done')\n"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    args = parser.parse_args()
    problems = [p for s in load_all() for p in s.problems if p.kind == "code"]
    folder = tempfile.mkdtemp(prefix="gradtutor-code-bench-")
    try:
        files = []
        for k in range(args.count):
            problem = problems[k % len(problems)]
            source = problem.code.solution
            if k % 5 == 3:
                source = problem.code.starter  # not done yet: an exception or missing gradients
            elif k % 7 == 0:
                source += BUGS[k % 2]
            path = os.path.join(folder, f"student{k:03d}", problem.code.file)
            os.makedirs(os.path.dirname(path))
            with open(path, "w") as handle:
                handle.write(source)
            files.append(path)
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        if args.workers:
            env["GRADTUTOR_WORKERS"] = str(args.workers)
        start = time.perf_counter()
        done = subprocess.run(gradtutor_command() + ["grade", *files, "--json"], env=env, capture_output=True)
        seconds = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr.decode())
        graded = len(done.stdout.splitlines())
        assert graded == args.count, graded
        cores = args.workers or os.cpu_count()
        print(
            f"{args.count} code submissions graded in {seconds:.1f} s with {cores} at a time "
            f"({seconds / args.count * 1000:.0f} ms each)"
        )
        print("target: at most 60 s on 2 cores")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
