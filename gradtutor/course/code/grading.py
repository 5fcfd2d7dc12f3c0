"""Grading code submissions: one .py file per code problem, each inside its own boundary.

Every file runs in its own child process (course/code/runner.py), so a hostile or broken
submission can only spoil its own result: it cannot stop the batch or touch another
student's. Files are graded on several threads at once; the threads mostly wait for
their children, so the children use every core. Each checked value becomes one test in
Gradescope's shape (course/batch.py's TestResult); issue 10 builds assignments on this.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from ...errors import GradtutorError
from ..batch import Graded, TestResult
from ..problem import Problem
from .check import check_file
from .runner import Limits


def grade_code(problem: Problem, path: str, seed: int = 0, limits: Limits = Limits()) -> Graded:
    """One submission file against one code problem; never raises."""
    worth = problem.points if problem.points is not None else 1.0
    try:
        report = check_file(problem, path, seed, limits)
    except GradtutorError as exc:
        return Graded(path, [TestResult(problem.key, 0.0, worth, exc.render().removeprefix("error: "))])
    except Exception as exc:  # a gradtutor bug must not take the other submissions down
        return Graded(path, [TestResult(problem.key, 0.0, worth, f"internal error while grading: {exc!r}")])
    if report.error is not None:
        text = f"your file could not be checked: {report.error.get('message', '')}"
        if report.error.get("traceback"):
            text += "\n" + report.error["traceback"]
        return Graded(path, [TestResult(problem.key, 0.0, worth, text)])
    each = worth / max(1, len(report.rows))
    tests = []
    for row in report.rows:
        if row.ok:
            output = "correct"
        else:
            why = "; ".join(m.message for m in row.mistakes) or (f"follows from {row.follows}" if row.follows else "")
            output = f"wrong: {why or 'not the right value'}" + (f" ({row.case})" if row.case else "")
        tests.append(TestResult(f"{problem.key}: {row.name}", each if row.ok else 0.0, each, output))
    return Graded(path, tests)


def grade_many(items: Iterable[tuple[Problem, str]], workers: int | None = None, seed: int = 0) -> list[Graded]:
    """Grade (problem, file) pairs, one child per core at a time (GRADTUTOR_WORKERS overrides),
    results in the given order."""
    items = list(items)
    workers = workers or int(os.environ.get("GRADTUTOR_WORKERS", 0)) or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: grade_code(item[0], item[1], seed), items))
