"""The `check` report as a Rich table, one row per checked gradient."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from ..autodiff.check import BANDS, CheckReport, band
from .adaptive import AdaptiveTable

_VERDICTS = {"right": ("✔ right", "ok"), "wrong": ("✘ wrong", "bad"), "kink": ("⚠ at a kink", "warn")}


def _err(value: float | None) -> str:
    return "—" if value is None else f"{value:.1e}"


def render_check(console: Console, report: CheckReport) -> None:
    claims = report.mode == "claims"
    title = "your gradients" if claims else "gradtutor's gradients against central differences"
    console.print(
        Text.assemble(("checking ", "muted"), (title, "title"), (" for ", "muted"), (report.program.strip(), "name"))
    )
    if report.points == 1 and report.fixed:
        where = "at the point given by --at"
    else:
        where = f"at {report.points} random point{'s' if report.points != 1 else ''} (--seed {report.seed})"
        if report.fixed:
            where += f", with {', '.join(report.fixed)} fixed by --at"
    console.print(Text(where, "muted"))

    table = AdaptiveTable(header_style="title")
    table.add_column("gradient", no_wrap=True)
    if claims:
        table.add_column("your formula", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    if claims:
        table.add_column("vs exact", justify="right", no_wrap=True)
        table.add_column("worst at", justify="right", no_wrap=True)
    table.add_column("vs numeric", justify="right", no_wrap=True)
    if not claims:
        table.add_column("band", no_wrap=True)
    for t in report.targets:
        text, style = _VERDICTS[t.verdict]
        row: list = [Text(f"d{report.output}/d{t.name}", "name")]
        if claims:
            row.append(Text(t.formula or ""))
        row.append(Text(text, style))
        if claims:
            worst = (
                "—"
                if t.worst_index is None or not t.max_error
                else (str(list(t.worst_index)) if t.worst_index else "·")
            )
            row += [_err(t.max_error), worst]
        row.append(_err(t.numeric_error))
        if not claims:
            row.append(band(t.numeric_error) if t.numeric_error is not None else "—")
        table.add_row(*row)
    console.print(table)
    console.print(Text("relative error: |a - b| / max(|a|, |b|), the largest over entries and points", "muted"))
    for t in report.targets:
        for note in t.diagnosis:
            style = "bad" if not t.passed and not note.startswith(("the point", "it matches")) else "hint"
            console.print(Text.assemble((f"{t.name}: ", "name"), (note, style)))
        if t.sampled:
            console.print(
                Text(
                    f"{t.name}: large, so the numeric check used a random sample of entries "
                    f"and random directions (g·u against a difference along u)"
                    + (", at the first point" if t.formula is not None and len(t.points) > 1 else ""),
                    "muted",
                )
            )
    if not claims:
        console.print(Text("bands: " + "; ".join(meaning for _, _, meaning in BANDS), "muted"))
    if not report.passed:
        console.print(Text("some gradients are wrong", "bad"))
    elif any(t.verdict == "kink" for t in report.targets):
        console.print(
            Text("no errors found, but some gradients sit on a kink and could not be checked numerically here", "warn")
        )
    else:
        console.print(Text("all gradients are right", "ok"))
