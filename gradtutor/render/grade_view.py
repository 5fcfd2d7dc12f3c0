"""A graded submission (its results.json) as a Rich table."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text

from .adaptive import AdaptiveTable


def graded_table(title: str, results: dict[str, Any]) -> Group:
    table = AdaptiveTable(title=title, header_style="title")
    table.add_column("question", style="name")
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("output")
    for t in results["tests"]:
        if t["max_score"] == 0 and t["extra_data"].get("kind") == "answers":
            continue
        style = "ok" if t["status"] == "passed" else "bad"
        output = t["output"].replace("`` ", "").replace(" ``", "").replace("`", "")  # Markdown code, shown plain
        table.add_row(t["name"], Text(f"{t['score']:g} / {t['max_score']:g}", style), Text(output))
    full = results["score"] == results["max_score"]
    total = Text.assemble(
        ("total ", "title"), (f"{results['score']:g} / {results['max_score']:g}", "ok" if full else "bad")
    )
    notes = [Text(line.removeprefix("- "), "muted") for line in results["output"].splitlines()[1:]]
    return Group(table, total, *notes)
