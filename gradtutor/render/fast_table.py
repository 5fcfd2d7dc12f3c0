"""Drawing a long table of plain cells the way Rich's Table draws it, without measuring every cell.

Rich's Table measures every cell, then renders every cell through its
wrapping machinery: for the forward pass and the score of a 500-node graph
that is most of a second. When every cell is a string (or a one-style Text)
on one line and the table fits the width, `plain_table` draws exactly what
Rich would (the same heavy-head box, padding, styles and title) straight as
segments, in milliseconds; otherwise it declines and Rich draws the table.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

COLUMN_OPTIONS = {"style", "no_wrap", "justify"}  # what is drawn here; other options go to Rich


def _plain_cells(rows: list[list[Any] | None]) -> list[list[tuple[str, str]]] | None:
    """Every cell as (text, its own style), or None if one is richer than that (or a row is a section)."""
    out = []
    for row in rows:
        if row is None:
            return None
        cells = []
        for cell in row:
            if isinstance(cell, str):
                cells.append((cell, ""))
            elif isinstance(cell, Text) and not cell.spans:
                cells.append((cell.plain, str(cell.style)))
            else:
                return None
            if "\n" in cells[-1][0]:
                return None
        out.append(cells)
    return out


def plain_table(
    console: Console,
    options: ConsoleOptions,
    title: str | None,
    table_options: dict[str, Any],
    columns: list[tuple[str, dict[str, Any]]],
    rows: list[list[Any] | None],
) -> list[Segment] | None:
    """The segments Rich's Table(title, title_justify="left", **table_options) would give, or None."""
    if set(table_options) - {"header_style"} or any(set(opts) - COLUMN_OPTIONS for _, opts in columns):
        return None
    cells = _plain_cells(rows)
    if cells is None:
        return None
    widths = [cell_len(header) for header, _ in columns]
    for row in cells:
        for k, (text, _) in enumerate(row):
            widths[k] = max(widths[k], cell_len(text))
    total = sum(widths) + 3 * len(widths) + 1
    if total > options.max_width:
        return None
    get = console.get_style
    styles = [get(opts.get("style") or "") for _, opts in columns]
    right = [opts.get("justify") == "right" for _, opts in columns]
    header = get(table_options.get("header_style") or "")
    new_line = Segment.line()
    out: list[Segment] = []
    if title:
        out += console.render(Text(title, style="table.title", justify="left"), options.update(width=total))

    def rule(left: str, fill: str, mid: str, end: str) -> None:
        out.extend((Segment(left + mid.join(fill * (w + 2) for w in widths) + end), new_line))

    def line(edge: str, row: list[tuple[str, Style, Style]]) -> None:
        out.append(Segment(edge))
        for (text, pad, style), width, to_right in zip(row, widths, right):
            gap = " " * (width - cell_len(text))
            text = gap + text if to_right else text + gap
            out.extend((Segment(" ", pad), Segment(text, style), Segment(" ", pad), Segment(edge)))
        out.append(new_line)

    rule("┏", "━", "┳", "┓")
    line("┃", [(h, header, header) for h, _ in columns])
    rule("┡", "━", "╇", "┩")
    for row in cells:
        line("│", [(text, s, s + get(own) if own else s) for (text, own), s in zip(row, styles)])
    rule("└", "─", "┴", "┘")
    return out
