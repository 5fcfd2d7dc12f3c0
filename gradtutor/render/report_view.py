"""The class mistake report as Rich tables: problems with their questions, then who struggles."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text

from ..course.report import Report
from .adaptive import AdaptiveTable


def _codes(counter, students: int, top: int = 3) -> Text:
    text = Text()
    for k, (code, n) in enumerate(counter.most_common(top)):
        if k:
            text.append(", ")
        text.append(code, "name")
        text.append(f" {n}/{students}", "muted")
    return text


def report_view(report: Report) -> Group:
    table = AdaptiveTable(title=f"{report.students} students", header_style="title")
    table.add_column("problem / question", style="name")
    table.add_column("mean", justify="right", no_wrap=True)
    table.add_column("first try", justify="right", no_wrap=True)
    table.add_column("most common mistakes (students)")
    for p in report.problems:
        table.add_row(
            Text(p.problem, "title"), f"{p.mean:.0%}", f"{p.first_try_rate:.0%}", _codes(p.codes, p.submitted)
        )
        for q in report.questions:
            if q.problem == p.problem:
                table.add_row(
                    Text("  " + q.ask), f"{q.mean:.0%}", f"{q.first_try_rate:.0%}", _codes(q.codes, q.submitted)
                )
    parts: list = [table]
    if report.struggling:
        who = AdaptiveTable(title="struggling (below half marks)", header_style="title")
        who.add_column("student", style="name")
        who.add_column("score", justify="right", no_wrap=True)
        who.add_column("their most common mistakes")
        for s in report.struggling[:30]:
            mistakes = ", ".join(f"{c} ×{n}" for c, n in s.codes) or "answers missing or unreadable"
            who.add_row(s.student, f"{s.score:g} / {s.max_score:g}", mistakes)
        parts.append(who)
        if len(report.struggling) > 30:
            parts.append(Text(f"... and {len(report.struggling) - 30} more (--csv or --json lists all)", "muted"))
    for path in report.unreadable:
        parts.append(Text(f"skipped {path}", "bad"))
    return Group(*parts)
