"""Practising a code problem: the starter file, one check per save, hints, and progress.

Each check is stored in the progress database the moment it is judged, as one answer
to the problem's single question ("code"), with the diagnosis codes of its wrong rows;
the attempt is finished (and the problem solved) by the first check that is all right.
"""

from __future__ import annotations

import hashlib
import os

from ..problem import Problem
from ..progress import Store
from .check import check_file, read_source
from .report import CodeReport


def write_starter(problem: Problem, folder: str) -> tuple[str, bool]:
    """(the file's path, whether it was written now). An existing file is the student's work:
    it is never overwritten."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, problem.code.file)
    if os.path.exists(path):
        return path, False
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(problem.code.starter.lstrip("\n"))
    return path, True


class CodeAttempt:
    """One attempt at a code problem, from the first check to the first all-right check."""

    def __init__(self, problem: Problem, store: Store, path: str, seed: int = 0) -> None:
        self.problem, self.store, self.path, self.seed = problem, store, path, seed
        self.points = problem.points if problem.points is not None else 1.0
        self.id = store.start_attempt(problem.set_id, problem.key, seed, self.points)
        self.checks = 0
        self.hints_shown = 0
        self.solved = False
        self.last_digest = ""

    def digest(self) -> str:
        try:
            return hashlib.sha1(read_source(self.path).encode()).hexdigest()[:12]
        except Exception:  # a file mid-save or removed: it will be read again on the next change
            return ""

    def check(self) -> CodeReport:
        self.last_digest = self.digest()
        report = check_file(self.problem, self.path, self.seed)
        self.checks += 1
        right = report.status == "right"
        status = ("first-try" if self.checks == 1 else "later-try") if right else "retry"
        codes = [report.error["kind"]] if report.error else report.codes
        codes = [c for c in codes if c in _known()]
        self.store.record_answer(
            self.id, "code", "code", f"{os.path.basename(self.path)} sha1:{self.last_digest}", right,
            self.checks, status, codes, self.points if right else 0.0, self.hints_shown,
        )  # fmt: skip
        if right and not self.solved:
            self.solved = True
            self.store.finish_attempt(self.id, self.points)
        return report

    def next_hint(self) -> str | None:
        if self.hints_shown >= len(self.problem.hints):
            return None
        self.hints_shown += 1
        return self.problem.hints[self.hints_shown - 1]


def _known() -> set[str]:
    from ...mistakes import CODES

    return set(CODES)
