"""One code check: the affine layer (5 shape cases) against its reference solution.

Target (issue 9): at most 1.0 s of wall time, the child's start included; watch mode
re-runs exactly this on every save. Measured twice: in-process (what watch mode does
per save) and as the whole `gradtutor check-code` command (start-up included).
Run: python bench/code_check.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import tempfile

from _timing import gradtutor_command, interleave, median_ms, run_quiet

from gradtutor.course.code.check import check_file
from gradtutor.course.problems import find, load_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    problem = find(load_all(), "code/affine-layer")[1]
    assert len(problem.code.cases) == 5
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, problem.code.file)
        with open(path, "w") as handle:
            handle.write(problem.code.solution)
        assert check_file(problem, path).status == "right"
        cli = gradtutor_command() + ["check-code", path]
        times = interleave(
            {"in-process check": lambda: check_file(problem, path), "gradtutor check-code": lambda: run_quiet(cli)},
            args.repeat,
        )
    for name, samples in times.items():
        print(f"{name:22} median {median_ms(samples):6.0f} ms   worst {max(samples) * 1000:6.0f} ms")
    print("target: at most 1000 ms")


if __name__ == "__main__":
    main()
