"""Batch grading: 1,000 submissions of every shipped problem through `gradtutor grade`.

Target (issue 10): 20 s on both cores for 66 problems. The class is an assignment of
every shipped walk and target problem (81 now; the figure for 66 is scaled from the
CPU time per problem) with a variant per student (a course key); each student answers
their own variant like a class would: most answers right, some wrong, some missing, some
unreadable, numbers and matrices as text. A question that asks for a formula is answered
with numbers too, unless `--formulas`: then with the formula (or twice it), as a class
would, and each of those costs about four times a number (it is checked at three more
points). The grader runs as the real command with numpy's threads limited to one;
`--cores 1` pins it to one CPU (taskset) for the old single-core figure.
Run: python bench/grade_batch.py [--count N] [--formulas]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time

import numpy as np
from _timing import gradtutor_command

from gradtutor.autodiff.symbolic import symbolic_gradients
from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all
from gradtutor.course.variants import student_seed
from gradtutor.teach.targets import FormulaQuestion

KEY = b"bench-course-key-0123456789"


FORMULAS: dict[tuple[str, str], str | None] = {}  # (problem, question): the same at every variant


def formula_of(ex, q) -> str | None:
    """The gradient asked as a formula, as a student would type it (one line), if it has one."""
    key = (ex.problem.key, q.ask)
    if key not in FORMULAS:
        name = ex.walk.graph.labels[q.input]
        text = None
        if name in ex.problem.graph.variables:
            shapes = {k: np.shape(v) for k, v in ex.values.items()}
            text = symbolic_gradients(ex.problem.graph, shapes, [name]).as_dict().get(name)
        FORMULAS[key] = text if text and "\n" not in text else None
    return FORMULAS[key]


def submission(sets, student: str, rng: np.random.Generator, formulas: bool = False) -> dict:
    data = {}
    for problem_set in sets:
        for problem in problem_set.problems:
            if problem.kind == "code":
                continue
            seed = student_seed(KEY, student, problem.key) if problem.has_random else None
            ex = exercise(problem, seed, explain=False)
            answers: dict = {}
            for q in ex.questions:
                roll = rng.random()
                value = np.round(np.asarray(q.answer, dtype=float), 4)
                formula = formula_of(ex, q) if formulas and isinstance(q, FormulaQuestion) else None
                if formula is not None and roll < 0.85:  # the formula, or a factor of 2 off
                    answers[q.ask] = formula if roll < 0.7 else f"2*({formula})"
                elif roll < 0.7:
                    answers[q.ask] = json.dumps(value.tolist())
                elif roll < 0.85:
                    answers[q.ask] = json.dumps((-value + 1).tolist())
                elif roll < 0.95:
                    continue
                else:
                    answers[q.ask] = "(oops"
            data[problem.key] = answers
    return {"answers": data}


def make_class(folder: str, count: int, formulas: bool = False) -> tuple[str, str, str, int, int]:
    """(assignment file, key file, submissions folder, answers, problems) for `count` students."""
    sets = load_all()
    rng = np.random.default_rng(0)
    subs = os.path.join(folder, "submissions")
    os.makedirs(subs)
    assignment = os.path.join(folder, "all.toml")
    with open(assignment, "w") as handle:
        handle.write('id = "all"\ntitle = "Every shipped problem"\n[policy]\nper_entry = true\n')
        for s in sets:
            for p in s.problems:
                if p.kind != "code":
                    handle.write(f'[[problem]]\nkey = "{p.key}"\n')
    key = os.path.join(folder, "course.key")
    with open(key, "wb") as handle:
        handle.write(KEY)
    answers = 0
    for k in range(count):
        data = submission(sets, f"student{k:04d}", rng, formulas)
        answers += sum(len(v) for v in data["answers"].values())
        with open(os.path.join(subs, f"student{k:04d}.json"), "w") as handle:
            json.dump(data, handle)
    problems = sum(p.kind != "code" for s in sets for p in s.problems)
    return assignment, key, subs, answers, problems


def grade(folder: str, assignment: str, key: str, subs: str, cores: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the grading processes): on a busy machine the CPU time
    divided by the cores is what the run would take on free ones."""
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    pin = ["taskset", "-c", ",".join(str(c) for c in range(cores))] if shutil.which("taskset") else []
    cmd = pin + gradtutor_command() + ["grade", subs, "-a", assignment, "--key-file", key]
    cmd += ["--out", os.path.join(folder, "results"), "--jobs", str(cores)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return seconds, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--cores", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument(
        "--formulas",
        action="store_true",
        help="answer formula questions with formulas (the symbolic gradient, or twice it), not numbers",
    )
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gradtutor-bench-")
    try:
        assignment, key, subs, answers, problems = make_class(folder, args.count, args.formulas)
        seconds, cpu = grade(folder, assignment, key, subs, args.cores)
        results = os.listdir(os.path.join(folder, "results"))
        assert len(results) == args.count
        print(
            f"{args.count} submissions x {problems} problems ({answers} answers) graded in {seconds:.1f} s on "
            f"{args.cores} core{'s' if args.cores > 1 else ''}: {seconds / args.count * 1000:.1f} ms per submission"
        )
        print(
            f"CPU time {cpu:.1f} s: {cpu / args.cores:.1f} s on {args.cores} free cores; "
            f"load average {os.getloadavg()[0]:.1f} while it ran"
        )
        print(
            f"at 66 problems: {cpu / args.cores * 66 / problems:.1f} s on {args.cores} free cores "
            f"({cpu / args.count * 1000:.0f} ms of CPU per submission of {problems})"
        )
        print("target: 20 s on both cores (1,000 submissions x 66 problems)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
