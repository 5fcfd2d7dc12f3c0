"""A code check at the terminal: one row per checked value (✔ or ✘, the diagnosis, the
largest relative error), the first wrong line, or why the file could not run."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..course.code.report import CodeReport


def _err(value: float | None) -> str:
    return "—" if value is None else f"{value:.1e}"


def report_view(report: CodeReport) -> RenderableType:
    parts: list[RenderableType] = []
    if report.error is not None:
        parts.append(Text(f"✘ your file could not be checked: {report.error.get('message', '')}", "bad"))
        trace = report.error.get("traceback")
        if trace:
            parts.append(Text(trace.rstrip(), "muted"))
        if report.error.get("line"):
            parts.append(Text(f"look at line {report.error['line']}", "hint"))
    else:
        table = Table(header_style="title")
        table.add_column("", no_wrap=True)
        table.add_column("checked", no_wrap=True)
        table.add_column("line", justify="right")
        table.add_column("max rel. error", justify="right", no_wrap=True)
        table.add_column("diagnosis", overflow="fold")
        for row in report.rows:
            mark = Text("✔", "ok") if row.ok else Text("✘", "bad")
            why = "; ".join(m.message for m in row.mistakes) or ("" if row.ok else "not the right value")
            if row.follows:
                why = f"follows from {row.follows}"
            if not row.ok and row.case and len(report.cases) > 1 and not row.follows:
                why += f" ({row.case})"
            table.add_row(mark, Text(row.name, "name"), str(row.line or ""), _err(row.error), Text(why))
        parts.append(table)
        first = report.first_wrong
        if first is None:
            parts.append(Text(f"✔ all {len(report.rows)} checks pass on {len(report.cases)} cases", "ok"))
        else:
            where = f"line {first.line}: " if first.line else ""
            wrong = sum(not r.ok for r in report.rows)
            parts.append(Text(f"✘ {wrong} wrong; start with {where}{first.name}", "bad"))
    if report.stdout_chars:
        shown = report.stdout if len(report.stdout) < 400 else report.stdout[:400] + "…"
        parts.append(Text(f"your code printed {report.stdout_chars:,} characters: {shown.strip()}", "muted"))
    return Group(*parts)
