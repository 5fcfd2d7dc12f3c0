"""A graded submission as a Rich table."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from ..course.batch import Graded
from .adaptive import AdaptiveTable


def graded_table(graded: Graded) -> Group:
    table = AdaptiveTable(title=graded.submission, header_style="title")
    table.add_column("question", style="name")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("output")
    for t in graded.tests:
        style = "ok" if t.score == t.max_score and t.max_score else "bad"
        table.add_row(t.name, Text(f"{t.score:g} / {t.max_score:g}", style), t.output)
    total = Text.assemble(
        ("total ", "title"), (f"{graded.score:g} / {graded.max_score:g}", "ok" if graded.full_marks else "bad")
    )
    return Group(table, total)
