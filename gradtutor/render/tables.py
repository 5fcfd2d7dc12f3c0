"""Rich tables for values and gradients (used by `grad`, `check` and the tutor)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..language.numbers import fmt_shape, fmt_value
from .adaptive import AdaptiveTable


def output_label(graph) -> str:
    return graph.labels[graph.output]


def gradient_report(
    console: Console,
    graph,
    value: Any,
    gradients: dict[str, Any],
    values: dict[str, Any],
    seed: int | None = None,
    random_names: Iterable[str] = (),
) -> None:
    out = output_label(graph)
    header = Text()
    header.append(out, "name").append(" = ").append(fmt_value(value), "value")
    console.print(header)
    table = AdaptiveTable(show_edge=True, header_style="title")
    table.add_column("input", style="name")
    table.add_column("shape", style="muted")
    table.add_column("value", style="value")
    table.add_column(f"d{out}/d(input)", style="grad")
    for name, g in gradients.items():
        table.add_row(name, fmt_shape(np.shape(values[name])), fmt_value(values[name]), fmt_value(g))
    console.print(table)
    drawn = list(random_names)
    if seed is not None:
        note = "random values" + (f" for {', '.join(drawn)}" if drawn else "") + f" drawn with --seed {seed}"
        console.print(Text(note, "muted"))
    for warning in graph.warnings:
        console.print(Text(f"note: {warning}", "warn"))


def mode_note(mode: str, sweeps: int, entries: int) -> Text:
    if mode == "forward":
        return Text(
            f"forward mode: {sweeps} sweep{'s' if sweeps != 1 else ''}, one per input entry; "
            f"reverse mode gets all {entries} from 1 backward sweep",
            "muted",
        )
    return Text(
        f"reverse mode: 1 backward sweep for all {entries} input entries; forward mode would need "
        f"{entries} sweep{'s' if entries != 1 else ''}",
        "muted",
    )


def _latex_lines(result, out: str) -> list[Any]:
    """LaTeX to copy: one equation a line, never wrapped or framed (a frame would be copied too)."""
    from ..graph.printing import latex_name  # here only: plain `grad` should not load the symbolic layer

    lines: list[Any] = [Text("gradients as LaTeX, one equation a line:", "title")]
    lines += [
        Text(f"% where {name} = {definition}", "muted", no_wrap=True, overflow="ignore")
        for name, definition in result.shared
    ]
    for f in result.formulas:
        equation = f"\\frac{{\\partial {latex_name(out)}}}{{\\partial {latex_name(f.name)}}} = {f.latex}"
        lines.append(Text(equation, no_wrap=True, overflow="ignore"))
    return lines


def symbolic_view(graph, extras: dict) -> list[Any]:
    views: list[Any] = []
    out = output_label(graph)
    result = extras.get("symbolic")
    if result is not None and extras.get("latex"):
        views += _latex_lines(result, out)
    elif result is not None:
        table = Table(title="gradients as formulas", title_justify="left", header_style="title", show_header=False)
        table.add_column("", style="name", no_wrap=True)
        table.add_column("")
        for name, definition in result.shared:
            table.add_row(f"where {name}", f"= {definition}")
        for f in result.formulas:
            table.add_row(f"d{out}/d{f.name}", f"= {f.body}")
        views.append(table)
    check = extras.get("hessian")
    if check is not None:
        views.append(Text("the Hessian: second derivatives", "title"))
        table = Table(header_style="title")
        table.add_column("", style="name", no_wrap=True)
        for label in check.labels:
            table.add_column(label, justify="right", style="grad")
        for label, row in zip(check.labels, check.matrix):
            table.add_row(label, *(fmt_value(v) for v in row))
        views.append(table)
        verdict = "agrees with" if check.error < 1e-4 else "DISAGREES with"
        views.append(
            Text(
                f"from differentiating the symbolic gradient again; {verdict} central differences "
                f"of the gradient (max relative error {check.error:.1e})",
                "muted" if check.error < 1e-4 else "bad",
            )
        )
    return views
