"""Progress bars and the progress summary."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ..course.practice import summary_of
from ..course.problem import ProblemSet
from ..course.progress import Store
from ..mistakes import CODES
from .adaptive import AdaptiveTable


def bar(done: int, total: int, width: int = 20) -> Text:
    """█████░░░░░: visible without colour, unlike a bar drawn only in colour."""
    filled = round(width * done / total) if total else 0
    return Text.assemble(("█" * filled, "ok"), ("░" * (width - filled), "muted"))


def set_bar(problem_set: ProblemSet, store: Store) -> Table:
    s = summary_of(problem_set, store, points=False)
    grid = Table.grid(padding=(0, 1))
    grid.add_row(
        Text(problem_set.id, "name"), bar(s.solved, s.problems, 24), Text(f"{s.solved}/{s.problems} solved", "muted")
    )
    return grid


def sets_table(sets: list[ProblemSet], store: Store) -> AdaptiveTable:
    table = AdaptiveTable(header_style="title", title="problem sets (gradtutor practice SET)")
    table.add_column("set", style="name", no_wrap=True)
    table.add_column("title")
    table.add_column("progress", no_wrap=True)
    table.add_column("solved", justify="right", no_wrap=True)
    for s in sets:
        summary = summary_of(s, store, points=False)
        table.add_row(s.id, s.title, bar(summary.solved, summary.problems), f"{summary.solved}/{summary.problems}")
    return table


def progress_table(sets: list[ProblemSet], store: Store) -> Group:
    table = AdaptiveTable(header_style="title", title="your progress")
    table.add_column("set", style="name", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("solved", justify="right", no_wrap=True)
    table.add_column("first try", justify="right", no_wrap=True)
    table.add_column("most frequent mistakes")
    for s in sets:
        summary = summary_of(s, store)
        rate = "—" if summary.first_try_rate is None else f"{summary.first_try_rate:.0%}"
        mistakes = ", ".join(f"{CODES.get(k, k)} ×{n}" for k, n in summary.top_mistakes) or "—"
        table.add_row(
            s.id, f"{summary.score:g} / {summary.max_score:g}", f"{summary.solved}/{summary.problems}", rate, mistakes
        )
    streak = store.streak()
    line = Text.assemble(
        ("streak ", "title"), (f"{streak} day{'s' if streak != 1 else ''} in a row", "ok" if streak else "muted")
    )
    return Group(table, line)
