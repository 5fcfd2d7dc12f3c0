"""Every view keeps its headers and its content readable at 40, 80 and 120 columns."""

from __future__ import annotations

import io

import numpy as np
import pytest
from rich.console import Console

from gradtutor.autodiff.check import run_check
from gradtutor.course.problems import load_all
from gradtutor.course.progress import Store
from gradtutor.graph import build
from gradtutor.render.adaptive import AdaptiveTable
from gradtutor.render.check_report import render_check
from gradtutor.render.console import THEME
from gradtutor.render.progress_view import progress_table, sets_table
from gradtutor.render.walk_view import forward_table, gradient_table, solution_view
from gradtutor.teach.walk import build_walk

WIDTHS = [40, 80, 120]


def render(width: int, *views) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, theme=THEME, markup=False, highlight=False, color_system=None)
    for view in views:
        console.print(view)
    return out.getvalue()


def cells(table: AdaptiveTable) -> list[str]:
    return [str(getattr(c, "plain", c)) for row in table.rows if row for c in row]


def assert_readable(text: str, table: AdaptiveTable, width: int) -> None:
    headers = [header for header, _ in table.columns]
    if width < table.min_width:  # stacked records: each opens with its first cell, in place of that header
        headers = headers[1:]
    for header in headers:
        assert header in text, f"header {header!r} lost"
    for cell in cells(table):
        for token in cell.split():
            assert token in text, f"{token!r} (from {cell!r}) broken or lost"


@pytest.fixture(scope="module")
def matrix_walk():
    values = {"W": np.array([[0.1, 0.5], [-0.3, 0.8]]), "x": np.array([0.2, 0.4])}
    return build_walk(build("h = W@x\nL = sum(h^2)"), values)


@pytest.mark.parametrize("width", WIDTHS)
def test_forward_and_gradient_tables(width, matrix_walk):
    for table in (forward_table(matrix_walk), gradient_table(matrix_walk)):
        assert_readable(render(width, table), table, width)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_worked_solution(width, matrix_walk):
    text = render(width, *solution_view(matrix_walk))
    for needle in ("gate", "upstream", "downstream", "dL/dW", "[[0.088, 0.176],", "[0.104, 0.208]]"):
        assert needle in text, needle
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_practice_and_progress(width, home):
    sets = load_all()
    with Store.open() as store:
        table = sets_table(sets, store)
        text = render(width, table, progress_table(sets, store))
    assert_readable(text, table, width)
    for s in sets:
        assert s.title in " ".join(text.split()) or width >= 60


@pytest.mark.parametrize("width", WIDTHS)
def test_check_reports_keep_the_formula(width):
    graph = build("sum((W@x)^2)")
    report = run_check(graph, {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"}, {}, {"W": (2, 2), "x": (2,)})
    out = io.StringIO()
    render_check(Console(file=out, width=width, theme=THEME, markup=False, highlight=False), report)
    text = out.getvalue()
    for needle in ("your formula", "2*outer(W@x, x)", "2*W.T@(W@x)", "verdict", "✔ right"):
        assert needle in text, (needle, text)
