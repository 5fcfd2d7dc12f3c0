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
from .runner import Child, Limits

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
    started = Child(path, the_plan.job, limits)
    the_plan.evaluate()  # the engine's answers, while the child imports numpy
    child = started.result()
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


def lint_code(problem: Problem) -> list[str]:
    """What is wrong with a code problem's shipped files: the reference solution must pass
    every case, and the starter must not (else there is nothing to do)."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor

    def run(what: str) -> CodeReport:
        with tempfile.TemporaryDirectory(prefix="gradtutor-lint-") as folder:
            path = os.path.join(folder, problem.code.file)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(getattr(problem.code, what))
            return check_file(problem, path)

    trouble = []
    with ThreadPoolExecutor(2) as pool:  # two children at once: one per core
        reports = dict(zip(("solution", "starter"), pool.map(run, ("solution", "starter"))))
    for what, want in (("solution", "right"), ("starter", "not right")):
        report = reports[what]
        if (report.status == "right") != (want == "right"):
            wrong = [
                f"{r.name}: {'; '.join(m.message for m in r.mistakes) or 'wrong'}" for r in report.rows if not r.ok
            ]
            detail = (report.error or {}).get("message") or ", ".join(wrong)
            trouble.append(
                f"its {what} should be {want}, but it is {report.status}" + (f" ({detail})" if detail else "")
            )
    return trouble
