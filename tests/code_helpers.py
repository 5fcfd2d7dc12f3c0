"""Shared by the code-exercise tests: run a source text against a shipped code problem."""

from __future__ import annotations

import textwrap

from gradtutor.course.code.check import check_file
from gradtutor.course.code.runner import Limits
from gradtutor.course.problems import find, load_all

SETS = load_all()


def problem(key: str):
    return find(SETS, key)[1]


def check(tmp_path, key: str, source: str, limits: Limits = Limits(), name: str | None = None):
    p = problem(key)
    path = tmp_path / (name or p.code.file)
    path.write_text(textwrap.dedent(source).lstrip("\n"), encoding="utf-8")
    return check_file(p, str(path), 0, limits)


def codes(report) -> dict[str, list[str]]:
    """Row name -> diagnosis codes, for the wrong rows."""
    return {r.name: [m.code for m in r.mistakes] for r in report.rows if not r.ok}
