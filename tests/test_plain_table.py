"""`grad`'s report drawn without Rich is exactly what Rich draws: piped, in a terminal, without colour."""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from rich.console import Console

from gradtutor.autodiff.reverse import grad
from gradtutor.graph import build
from gradtutor.language.values import values_from_mapping
from gradtutor.render import plain, tables
from gradtutor.render.console import THEME

CASES = [
    ("q = x + y; f = q * z", {"x": -2, "y": 5, "z": -4}, None, []),
    ("sum((W@x)^2)", {"W": [[0.1, 0.5], [-0.3, 0.8]], "x": [0.2, 0.4]}, 7, ["W"]),
    ("a = x * 2\nb = y + 1", {"x": 1, "y": 2}, None, []),
    ("sum(W @ x)", {"W": np.arange(12.0).reshape(3, 4) / 7, "x": np.arange(4.0)}, 3, ["W", "x"]),
]


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("program, raw, seed, drawn", CASES)
@pytest.mark.parametrize("tty, no_color", [(False, False), (True, False), (True, True)])
def test_the_plain_report_is_byte_for_byte_richs(monkeypatch, program, raw, seed, drawn, tty, no_color):
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    graph = build(program)
    values = values_from_mapping(raw)
    result = grad(graph, values)
    rich_out = io.StringIO()
    console = Console(
        file=rich_out, theme=THEME, markup=False, highlight=False, emoji=False, width=80, force_terminal=tty
    )
    tables.gradient_report(console, graph, result.value, result.gradients, values, seed, random_names=drawn)
    ours = Stream(tty)
    monkeypatch.setattr("sys.stdout", ours)
    monkeypatch.setattr("os.get_terminal_size", lambda fd: os.terminal_size((80, 24)))
    assert plain.gradient_report(graph, result.value, result.gradients, values, seed, drawn)
    assert ours.getvalue() == rich_out.getvalue()


def test_a_table_wider_than_the_terminal_is_left_to_rich(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    graph = build("sum(W @ x)")
    values = values_from_mapping({"W": np.arange(12.0).reshape(3, 4) / 7, "x": np.arange(4.0)})
    result = grad(graph, values)
    monkeypatch.setattr("sys.stdout", Stream(False))
    assert not plain.gradient_report(graph, result.value, result.gradients, values, None, [])
