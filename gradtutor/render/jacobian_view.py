"""The Jacobian of a vector-output program as tables, with the sweep counts of both modes."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..language.numbers import fmt_value

MAX_COLUMNS = 10  # wider Jacobians are printed as one matrix, not a labelled table


def _entry(name: str, idx: tuple[int, ...]) -> str:
    return f"{name}[{', '.join(map(str, idx))}]" if idx else name


def jacobian_report(console: Console, graph, result, values: dict[str, Any]) -> None:
    out = graph.labels[graph.output]
    out_shape = np.shape(result.value)
    header = Text()
    header.append(out, "name").append(" = ").append(fmt_value(result.value), "value")
    header.append(f"   ({result.outputs} output entries)", "muted")
    console.print(header)
    rows = [_entry(out, idx) for idx in np.ndindex(*out_shape)]
    for name in result.blocks:
        in_shape = np.shape(values[name])
        matrix = result.matrix(name)
        title = f"the Jacobian d{out}/d{name}: {matrix.shape[0]} × {matrix.shape[1]}"
        if matrix.shape[1] > MAX_COLUMNS:
            console.print(Text(title, "title"))
            console.print(Text(fmt_value(matrix), "grad"))
            continue
        table = Table(title=title, title_justify="left", header_style="title")
        table.add_column("", style="name", no_wrap=True)
        for idx in np.ndindex(*in_shape):
            table.add_column(_entry(name, idx), justify="right", style="grad")
        for label, row in zip(rows, matrix):
            table.add_row(label, *(fmt_value(float(v)) for v in row))
        console.print(table)
    console.print(sweeps_note(result))


def sweeps_note(result) -> Text:
    """How many sweeps each mode takes for this Jacobian, and which one wins."""
    m = result.outputs
    n = sum(int(np.prod(b.shape[len(np.shape(result.value)) :])) for b in result.blocks.values())
    plural = "s" if result.sweeps != 1 else ""
    rows, columns = "one per output entry (a row each)", "one per input entry (a column each)"
    if result.mode == "reverse":
        text = f"reverse mode: {result.sweeps} backward sweep{plural}, {rows}; forward mode would need {n}, {columns}"
    else:
        text = f"forward mode: {result.sweeps} sweep{plural}, {columns}; reverse mode would need {m}, {rows}"
    if m != n:
        text += f". With {m} outputs and {n} inputs, {'forward' if m > n else 'reverse'} mode needs fewer."
    return Text(text, "muted")
