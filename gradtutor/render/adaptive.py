"""Tables that keep every column readable at any terminal width.

A Rich table squeezed into 40 columns shrinks its widest columns to nothing
and wraps a matrix one number per line. `AdaptiveTable` is built like a Rich
`Table`, but decides at drawing time: where the table fits, it is a table;
where it does not, each row becomes a small record, its first cell as a
heading and every other cell under its column's name, so nothing is lost.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from .fast_table import plain_table

NARROW = 60  # below this many columns, rows are stacked


class AdaptiveTable:
    def __init__(self, *, title: str | None = None, min_width: int = NARROW, **table_options: Any) -> None:
        self.title = title
        self.min_width = min_width
        self.table_options = table_options
        self.columns: list[tuple[str, dict[str, Any]]] = []
        self.rows: list[list[Any] | None] = []  # None: a section break

    def add_column(self, header: str = "", **options: Any) -> None:
        self.columns.append((header, options))

    def add_row(self, *cells: Any) -> None:
        self.rows.append(list(cells))

    def add_section(self) -> None:
        self.rows.append(None)

    @property
    def row_count(self) -> int:
        return sum(1 for row in self.rows if row is not None)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if options.max_width >= self.min_width:
            # plain cells are drawn without Rich measuring each one (a 1,000-row score in ms)
            drawn = plain_table(console, options, self.title, self.table_options, self.columns, self.rows)
            yield from drawn if drawn is not None else [self.as_table()]
        else:
            yield self.as_records()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(1, options.max_width)

    def as_table(self) -> Table:
        table = Table(title=self.title, title_justify="left", **self.table_options)
        for header, options in self.columns:
            table.add_column(header, **options)
        for row in self.rows:
            if row is None:
                table.add_section()
            else:
                table.add_row(*row)
        return table

    def as_records(self) -> Group:
        parts: list[Any] = []
        if self.title:
            parts.append(Text(self.title, "title"))
        grid: Table | None = None
        for row in self.rows:
            if row is None:
                continue
            head = _text(row[0], self.columns[0][1].get("style")) if row else Text("")
            if head.plain or grid is None:  # a row with no first cell continues the record above it
                parts.append(Text.assemble("─ ", _indent(head, 2)))
                grid = Table.grid(padding=(0, 2, 0, 0), pad_edge=False)
                grid.add_column(style="muted", no_wrap=True)
                grid.add_column(overflow="fold")
                parts.append(Padding(grid, (0, 0, 0, 2)))
            for (header, options), cell in zip(self.columns[1:], row[1:]):
                text = _text(cell, options.get("style"))
                if text.plain:
                    grid.add_row(header, text)
        return Group(*parts)


def _text(cell: Any, style: str | None) -> Text:
    if isinstance(cell, Text):
        return cell
    return Text(str(cell), style or "")


def _indent(text: Text, by: int) -> Text:
    """Continuation lines of a multi-line cell (a matrix) line up under its first line."""
    if "\n" not in text.plain:
        return text
    lines = text.split("\n")
    joined = Text()
    for k, line in enumerate(lines):
        if k:
            joined.append("\n" + " " * by)
        joined.append_text(line)
    return joined
