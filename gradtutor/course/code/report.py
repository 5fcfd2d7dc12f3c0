"""The result of checking a code file: one row per checked value, or why the file could not run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...mistakes import Mistake
from .verdicts import Verdict


@dataclass
class Row:
    """One checked value (a forward value, a gradient, a gate) over all the cases."""

    name: str
    ok: bool = True
    error: float | None = None  # the largest relative error over the cases
    mistakes: list[Mistake] = field(default_factory=list)
    line: int | None = None  # flat code: the line that last set it
    case: str = ""  # the first case where it went wrong
    follows: str = ""  # wrong only because an earlier line is: 'line 10 (grad_s3)'

    def add(self, verdict: Verdict, case: str) -> None:
        if verdict.error is not None:
            self.error = verdict.error if self.error is None else max(self.error, verdict.error)
        if not verdict.ok and self.ok:
            self.ok, self.mistakes, self.case = False, list(verdict.mistakes), case

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "max_rel_error": self.error,
            "codes": [m.code for m in self.mistakes],
            "diagnosis": [m.message for m in self.mistakes],
            "line": self.line,
            "case": self.case or None,
            "follows": self.follows or None,
        }


class Rows(dict):
    """Rows by name, in the order they were first met."""

    def row(self, name: str, line: int | None = None) -> Row:
        if name not in self:
            self[name] = Row(name, line=line)
        return self[name]


@dataclass
class CodeReport:
    problem: str
    path: str
    rows: list[Row] = field(default_factory=list)
    error: dict[str, Any] | None = None  # the file could not be run: kind, message, traceback, line
    stdout: str = ""
    stdout_chars: int = 0
    seconds: float = 0.0
    cases: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.error is not None:
            return "error"
        return "right" if all(r.ok for r in self.rows) else "wrong"

    @property
    def exit_code(self) -> int:
        return {"right": 0, "wrong": 1, "error": 2}[self.status]

    @property
    def first_wrong(self) -> Row | None:
        wrong = [r for r in self.rows if not r.ok]
        if not wrong:
            return None
        return min(wrong, key=lambda r: (r.line is None, r.line or 0, self.rows.index(r)))

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(m.code for r in self.rows for m in r.mistakes))

    def to_json(self) -> dict[str, Any]:
        first = self.first_wrong
        return {
            "problem": self.problem,
            "file": self.path,
            "status": self.status,
            "rows": [r.to_json() for r in self.rows],
            "first_wrong": None if first is None else first.name,
            "error": self.error,
            "cases": self.cases,
            "stdout": self.stdout,
            "stdout_chars": self.stdout_chars,
            "seconds": round(self.seconds, 3),
        }
