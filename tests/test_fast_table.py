"""Plain cells are drawn exactly as Rich's Table draws them, and anything richer is left to Rich."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.text import Text

from gradtutor.render.adaptive import AdaptiveTable
from gradtutor.render.console import THEME

COLUMNS = [
    ("node", {"style": "name", "no_wrap": True}),
    ("computes", {}),
    ("gate", {"style": "op"}),
    ("value", {"style": "value"}),
    ("shape", {"style": "muted"}),
    ("result", {}),
    ("points", {"justify": "right"}),
]
ROWS = [
    ("x", "input", "", "-2", "scalar", Text("first-try", "ok"), "1"),
    ("t12", "max(s3, s4) × 2", "max", "0.0001234", "scalar", Text("revealed", "bad"), "0.5"),
    ("f", "q * z", "*", "-12", "(2,)", Text("skipped"), "12"),
]


def both(width: int, tty: bool, rows=ROWS) -> tuple[str, str]:
    table = AdaptiveTable(title="forward pass", header_style="title", min_width=20)
    for header, options in COLUMNS:
        table.add_column(header, **options)
    for row in rows:
        table.add_row(*row)
    outputs = []
    for drawn in (table, table.as_table()):
        out = io.StringIO()
        console = Console(file=out, theme=THEME, markup=False, width=width, force_terminal=tty, color_system="standard")
        console.print(drawn)
        outputs.append(out.getvalue())
    return outputs[0], outputs[1]


@pytest.mark.parametrize("tty", [False, True])
def test_plain_cells_are_drawn_as_rich_draws_them(tty):
    fast, rich = both(100, tty)
    assert fast == rich


def test_a_table_wider_than_the_console_and_rich_cells_go_to_rich():
    fast, rich = both(40, True)
    assert fast == rich
    mixed = [("x", "a", "", "1", "s", Text.assemble(("two", "ok"), (" styles", "bad")), "1")]
    fast, rich = both(100, True, mixed)
    assert fast == rich
