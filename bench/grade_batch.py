"""Batch grading: 1,000 submissions through `gradtutor grade`, on one core.

Target (issue 4): under a minute. Each submission answers every shipped
problem at its own random variant, like a class would: most answers right,
some wrong, some missing, some unreadable, numbers and matrices as text. The
grader runs as the real command in one process, pinned to one CPU (taskset)
with numpy's threads limited to one. Run: python bench/grade_batch.py [--count N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import time

import numpy as np
from _timing import gradtutor_command

from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all


def submission(sets, rng: np.random.Generator) -> dict:
    data = {}
    for problem_set in sets:
        for problem in problem_set.problems:
            if problem.kind == "code":  # graded from .py files: bench/code_batch.py
                continue
            seed = int(rng.integers(0, 10**6))
            ex = exercise(problem, seed)
            answers: dict = {"seed": seed} if problem.has_random else {}
            for q in ex.questions:
                roll = rng.random()
                value = np.round(np.asarray(q.answer, dtype=float), 4)
                if roll < 0.7:
                    answers[q.ask] = json.dumps(value.tolist())
                elif roll < 0.85:
                    answers[q.ask] = json.dumps((-value + 1).tolist())
                elif roll < 0.95:
                    continue
                else:
                    answers[q.ask] = "(oops"
            data[problem.key] = answers
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    sets = load_all()
    rng = np.random.default_rng(0)
    folder = tempfile.mkdtemp(prefix="gradtutor-bench-")
    try:
        subs = os.path.join(folder, "submissions")
        os.makedirs(subs)
        questions = 0
        for k in range(args.count):
            data = submission(sets, rng)
            questions += sum(len(v) - ("seed" in v) for v in data.values())
            with open(os.path.join(subs, f"student{k:04d}.json"), "w") as handle:
                json.dump(data, handle)
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        cmd = pin + gradtutor_command() + ["grade", subs, "--out", os.path.join(folder, "results")]
        start = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if done.returncode not in (0, 1):
            raise SystemExit(done.stderr)
        results = os.listdir(os.path.join(folder, "results"))
        assert len(results) == args.count
        problems = sum(p.kind != "code" for s in sets for p in s.problems)
        print(
            f"{args.count} submissions x {problems} problems ({questions} answers) graded in {seconds:.1f} s "
            f"on {'one pinned core' if pin else 'an unpinned process'}: {seconds / args.count * 1000:.1f} ms "
            f"per submission"
        )
        print("target: under 60 s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
