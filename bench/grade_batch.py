"""Batch grading: 1,000 submissions through `gradtutor grade`, each answering every problem.

Target (issue 10): 20 s on both cores for 1,000 submissions x 66 problems. The 66 are the
problems shipped when the issue was filed (every walk and target problem then); the 15
added since (descent, Jacobians, modules) are among the costliest, so by default they are
left out, and `--all` grades every shipped walk and target problem (81 now) as well. The
class is an assignment with a variant per student (a course key); each student answers
their own variant like a class would: most answers right, some wrong, some missing, some
unreadable, numbers and matrices as text. A question that asks for a formula is answered
with numbers too, unless `--formulas`: then with the formula (or twice it), as a class
would, and each of those costs about four times a number (it is checked at three more
points). The grader runs as the real command with numpy's threads limited to one;
`--cores 1` pins it to one CPU (taskset) for the old single-core figure.
Run: python bench/grade_batch.py [--count N] [--formulas] [--all]
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
# The 66 walk and target problems shipped when issue 10 was filed, by set (those added since,
# descent, Jacobians and modules among them, are graded with --all).
ISSUE_PROBLEMS = {
    "chain-rule": (
        "add-then-multiply",
        "add-then-multiply-again",
        "three-x-squared-y",
        "gradient-formulas",
        "one-variable-chain",
        "squared-error",
        "three-gates-in-a-row",
    ),
    "gates": (
        "add-distributes",
        "mul-swaps",
        "max-routes",
        "max-routes-again",
        "copy-adds",
        "sub-gate",
        "min-routes",
    ),
    "neuron": (
        "local-exp",
        "local-reciprocal",
        "local-add-constant",
        "local-scale",
        "one-input-neuron",
        "neuron-gates",
        "neuron-sigmoid-gate",
        "neuron-sigmoid-random",
    ),
    "jacobians": (
        "diagonal-jacobian",
        "elementwise-walk",
        "linear-row",
        "linear-upstream",
        "one-layer-bias",
        "one-layer-weights",
        "two-layers",
    ),
    "shapes": (
        "lecture-norm",
        "norm-tall",
        "bilinear",
        "column-vectors",
        "row-convention",
        "matrix-product",
        "norm-batch",
    ),
    "losses": (
        "relu-kink",
        "l2-regression",
        "relu-mlp-l2",
        "svm-hinge",
        "svm-regularised",
        "softmax-scores",
        "softmax-layer",
        "batch-two",
        "batch-mean",
    ),
    "sharing": (
        "read-twice",
        "tied-recurrent-weight",
        "three-copies",
        "diamond",
        "score-to-input",
        "excite-a-neuron",
        "reuse-down-the-chain",
    ),
    "numeric": (
        "relative-not-absolute",
        "central-cube",
        "one-sided-vs-central",
        "catch-a-bug",
        "relu-kink",
        "hinge-near-tie",
        "test-a-formula",
    ),
    "modes": (
        "tangent-table-x1",
        "tangent-table-x2",
        "reverse-walk",
        "three-inputs",
        "sin-of-sin-of-sin",
        "differentiate-a-derivative",
        "sigmoid-curvature",
    ),
}


def graded_problems(every: bool = False) -> list:
    """The problems the class answers: the issue's 66, or every shipped walk and target problem."""
    chosen = [
        p
        for s in load_all()
        for p in s.problems
        if p.kind != "code" and (every or p.id in ISSUE_PROBLEMS.get(s.id, ()))
    ]
    assert every or len(chosen) == 66, "a problem of the issue's 66 is no longer shipped"
    return chosen


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


def submission(problems, student: str, rng: np.random.Generator, formulas: bool = False) -> dict:
    data = {}
    for problem in problems:
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


def make_class(folder: str, count: int, formulas: bool = False, every: bool = False) -> tuple[str, str, str, int, int]:
    """(assignment file, key file, submissions folder, answers, problems) for `count` students."""
    problems = graded_problems(every)
    rng = np.random.default_rng(0)
    subs = os.path.join(folder, "submissions")
    os.makedirs(subs)
    assignment = os.path.join(folder, "all.toml")
    with open(assignment, "w") as handle:
        handle.write('id = "all"\ntitle = "Every shipped problem"\n[policy]\nper_entry = true\n')
        for p in problems:
            handle.write(f'[[problem]]\nkey = "{p.key}"\n')
    key = os.path.join(folder, "course.key")
    with open(key, "wb") as handle:
        handle.write(KEY)
    answers = 0
    for k in range(count):
        data = submission(problems, f"student{k:04d}", rng, formulas)
        answers += sum(len(v) for v in data["answers"].values())
        with open(os.path.join(subs, f"student{k:04d}.json"), "w") as handle:
            json.dump(data, handle)
    return assignment, key, subs, answers, len(problems)


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
    parser.add_argument("--all", action="store_true", help="every shipped walk and target problem, not the issue's 66")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="gradtutor-bench-")
    try:
        assignment, key, subs, answers, problems = make_class(folder, args.count, args.formulas, args.all)
        seconds, cpu = grade(folder, assignment, key, subs, args.cores)
        results = os.listdir(os.path.join(folder, "results"))
        assert len(results) == args.count
        which = "every shipped problem" if args.all else "the issue's problems"
        print(
            f"{args.count} submissions x {problems} problems ({which}; {answers} answers"
            f"{', formulas typed as formulas' if args.formulas else ''}) graded in {seconds:.1f} s on "
            f"{args.cores} core{'s' if args.cores > 1 else ''}: {seconds / args.count * 1000:.1f} ms per submission"
        )
        print(
            f"CPU time {cpu:.1f} s: {cpu / args.cores:.1f} s on {args.cores} free cores "
            f"({cpu / args.count * 1000:.0f} ms of CPU per submission); load average {os.getloadavg()[0]:.1f}"
        )
        print("target: 20 s on both cores (1,000 submissions x the issue's 66 problems)")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
