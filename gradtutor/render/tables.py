"""Rich tables for values and gradients (used by `grad`, `check` and the tutor)."""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..ops import fmt_shape
from .numbers import fmt_value


def output_label(graph) -> str:
    return graph.labels[graph.output]


def gradient_report(console: Console, result, values: dict[str, Any], seed: int | None = None,
                    random_names: Iterable[str] = ()) -> None:
    graph = result.graph
    out = output_label(graph)
    header = Text()
    header.append(out, "name").append(" = ").append(fmt_value(result.value), "value")
    console.print(header)
    table = Table(show_edge=True, header_style="title")
    table.add_column("input", style="name")
    table.add_column("shape", style="muted")
    table.add_column("value", style="value")
    table.add_column(f"d{out}/d(input)", style="grad")
    for name, g in result.gradients.items():
        table.add_row(name, fmt_shape(np.shape(values[name])), fmt_value(values[name]), fmt_value(g))
    console.print(table)
    drawn = [n for n in random_names]
    if seed is not None:
        note = "random values" + (f" for {', '.join(drawn)}" if drawn else "") + f" drawn with --seed {seed}"
        console.print(Text(note, "muted"))
    for warning in graph.warnings:
        console.print(Text(f"note: {warning}", "warn"))
