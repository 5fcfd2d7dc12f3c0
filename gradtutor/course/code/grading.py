"""Grading code submissions: one .py file per code problem, each inside its own boundary.

Every file runs in its own child process (course/code/runner.py), so a hostile or broken
submission can only spoil its own result: it cannot stop the batch or touch another
student's. Files are graded on several threads at once; the threads mostly wait for
their children, so the children use every core. Each checked value becomes one test in
Gradescope's shape (course/scoring.py's QuestionResult); assignments grade a code problem
from the starter's file name next to the submission (course/batch.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from ...errors import GradtutorError
from ..batch import Graded
from ..problem import Problem
from ..scoring import QuestionResult
from .check import check_file
from .runner import Limits


def code_rows(problem: Problem, path: str, worth: float, seed: int = 0, limits: Limits = Limits()) -> list:
    """One code file's checked values as result rows sharing `worth`; never raises."""
    key = problem.key

    def whole(text: str) -> list[QuestionResult]:
        return [QuestionResult(key, "(file)", "code", 0.0, worth, "unreadable", text)]

    try:
        report = check_file(problem, path, seed, limits)
    except GradtutorError as exc:
        return whole(exc.render().removeprefix("error: "))
    except Exception as exc:  # a gradtutor bug must not take the other submissions down
        return whole(f"internal error while grading: {exc!r}")
    if report.error is not None:
        text = f"your file could not be checked: {report.error.get('message', '')}"
        if report.error.get("traceback"):
            text += "\n```\n" + report.error["traceback"] + "\n```"
        return whole(text)
    each = worth / max(1, len(report.rows))
    rows = []
    for row in report.rows:
        codes = [m.code for m in row.mistakes]
        if row.ok:
            rows.append(QuestionResult(key, row.name, "code", each, each, "right", "✔ right", codes, 1))
            continue
        why = "; ".join(f"{m.message} (`{m.code}`)" for m in row.mistakes) or (
            f"follows from {row.follows}" if row.follows else ""
        )
        output = f"✘ wrong: {why or 'not the right value'}" + (f" ({row.case})" if row.case else "")
        rows.append(QuestionResult(key, row.name, "code", 0.0, each, "wrong", output, codes, 1))
    return rows


def grade_code(problem: Problem, path: str, seed: int = 0, limits: Limits = Limits()) -> Graded:
    """One submission file against one code problem, worth the problem's points; never raises."""
    worth = problem.points if problem.points is not None else 1.0
    graded = Graded(path, os.path.splitext(os.path.basename(path))[0], problem.key, worth)
    graded.results = code_rows(problem, path, worth, seed, limits)
    return graded


def grade_many(items: Iterable[tuple[Problem, str]], workers: int | None = None, seed: int = 0) -> list[Graded]:
    """Grade (problem, file) pairs, one child per core at a time (GRADTUTOR_WORKERS overrides),
    results in the given order."""
    items = list(items)
    workers = workers or int(os.environ.get("GRADTUTOR_WORKERS", 0)) or os.cpu_count() or 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda item: grade_code(item[0], item[1], seed), items))
