"""`grad`'s small table drawn without Rich, the way Rich draws it.

Importing Rich's console and table costs about a quarter of numpy's import,
more than everything else `gradtutor grad` does. Its report is a few lines
and one small table, so it is drawn here: the same box (Rich's default
heavy head), padding and styles, as plain text and ANSI codes. Whatever
does not fit the terminal's width goes to Rich, which wraps it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from ..language.numbers import fmt_shape, fmt_value

# the theme's styles (render/console.py) as SGR codes
SGR = {"name": "1;36", "value": "32", "grad": "31", "muted": "2", "title": "1", "warn": "33"}
COLOURS = {"32", "31", "33", "36"}


class Terminal:
    """What Rich would decide about stdout: a terminal or not, colours or not, the width."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout
        env = os.environ
        forced = bool(env.get("FORCE_COLOR"))
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        self.styled = (tty or forced) and env.get("TERM", "").lower() not in ("dumb", "unknown")
        self.colour = self.styled and not env.get("NO_COLOR")
        columns = env.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            self.width = int(columns)
        elif tty:
            try:  # os, not shutil: shutil's import (with its compression modules) costs more than this table
                self.width = os.get_terminal_size(self.stream.fileno()).columns or 80
            except (AttributeError, OSError, ValueError):
                self.width = 80
        else:
            self.width = 80

    def paint(self, text: str, style: str | None) -> str:
        if not style or not self.styled or not text:
            return text
        codes = [c for c in SGR[style].split(";") if self.colour or c not in COLOURS]
        return f"\x1b[{';'.join(codes)}m{text}\x1b[0m" if codes else text


def table(
    term: Terminal, headers: Sequence[str], styles: Sequence[str | None], rows: Iterable[Sequence[str]]
) -> str | None:
    """A table as Rich's Table(header_style="title") draws it, or None if it is wider than the terminal."""
    rows = [[cell.split("\n") for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in rows:
        for k, lines in enumerate(row):
            widths[k] = max(widths[k], *(len(line) for line in lines))
    if sum(widths) + 3 * len(widths) + 1 > term.width:
        return None

    def rule(left: str, fill: str, mid: str, right: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    def line(edge: str, cells: Sequence[str | None], cell_styles: Sequence[str | None]) -> str:
        # Rich paints a cell's padding in the cell's style too, and a cell with no line left as one blank
        parts = [
            term.paint(" " * (w + 2), s)
            if c is None
            else term.paint(" ", s) + term.paint(c.ljust(w), s) + term.paint(" ", s)
            for c, s, w in zip(cells, cell_styles, widths)
        ]
        return edge + edge.join(parts) + edge

    out = [rule("┏", "━", "┳", "┓"), line("┃", headers, ["title"] * len(headers)), rule("┡", "━", "╇", "┩")]
    for row in rows:
        for k in range(max(len(lines) for lines in row)):
            out.append(line("│", [lines[k] if k < len(lines) else None for lines in row], styles))
    out.append(rule("└", "─", "┴", "┘"))
    return "\n".join(out)


def gradient_report(
    graph, value: Any, gradients: dict[str, Any], values: dict[str, Any], seed: int | None, random_names
) -> bool:
    """`grad`'s report (as render/tables.gradient_report prints it); False if Rich must draw it."""
    term = Terminal()
    out = graph.labels[graph.output]
    lines = [term.paint(out, "name") + " = " + term.paint(fmt_value(value), "value")]
    if len(out) + 3 + max(len(v) for v in fmt_value(value).split("\n")) > term.width:
        return False
    drawn = table(
        term,
        ["input", "shape", "value", f"d{out}/d(input)"],
        ["name", "muted", "value", "grad"],
        (
            [name, fmt_shape(_shape(values[name])), fmt_value(values[name]), fmt_value(g)]
            for name, g in gradients.items()
        ),
    )
    if drawn is None:
        return False
    lines.append(drawn)
    notes = []
    if seed is not None:
        drawn_names = list(random_names)
        notes.append(
            (
                "random values"
                + (f" for {', '.join(drawn_names)}" if drawn_names else "")
                + f" drawn with --seed {seed}",
                "muted",
            )
        )
    notes += [(f"note: {warning}", "warn") for warning in graph.warnings]
    if any(len(text) > term.width for text, _ in notes):
        return False
    lines += [term.paint(text, style) for text, style in notes]
    term.stream.write("\n".join(lines) + "\n")
    return True


def _shape(value: Any) -> tuple[int, ...]:
    import numpy as np

    return np.shape(value)
