"""Checking one student file against one code problem: plan the cases, run the child, judge.

This is the whole check behind `gradtutor check-code`, the watch loop of
`gradtutor practice code/...`, `problems lint` (the shipped solution must pass and
the starter must fail) and grading a code submission. The child only reports
values; every verdict is made here, on plain numbers.
"""

from __future__ import annotations

import os

from ...errors import ValueInputError
from ..problem import Problem
from .cases import plan
from .gatecheck import judge_gates
from .judge import judge_flat, judge_returns
from .report import CodeReport
from .runner import Limits, run_child

MAX_SOURCE = 1_000_000  # bytes: a larger "solution" is not a solution


def read_source(path: str) -> str:
    """The student's file as text, or a user error (exit 2) when it cannot be read."""
    if not os.path.isfile(path):
        raise ValueInputError(f"there is no file {path}")
    if os.path.getsize(path) > MAX_SOURCE:
        raise ValueInputError(f"{path} is larger than {MAX_SOURCE // 1000} kB; is it the right file?")
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueInputError(f"cannot read {path}: {exc}") from None


def check_file(problem: Problem, path: str, seed: int = 0, limits: Limits = Limits()) -> CodeReport:
    """Run the file at `path` on every case of the problem and judge each value it produced."""
    if problem.kind != "code":
        raise ValueInputError(f"{problem.key} is not a code problem", hint="code problems are listed by problems list")
    source = read_source(path)
    the_plan = plan(problem, seed)
    child = run_child(path, the_plan.job, limits)
    report = CodeReport(problem.key, path, seconds=child.seconds, cases=[c.label for c in the_plan.cases])
    report.stdout = child.report.get("stdout", "")
    report.stdout_chars = int(child.report.get("stdout_chars", 0))
    if child.error is not None:
        report.error = dict(child.error)
        return report
    reports = child.report.get("cases", [])
    style = problem.code.style
    if style == "flat":
        report.rows = judge_flat(the_plan, reports, source)
    elif style == "gates":
        report.rows = judge_gates(the_plan, reports)
    else:
        report.rows = judge_returns(the_plan, reports)
    return report
