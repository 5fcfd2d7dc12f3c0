"""Slices x[1:3] and W[:, 0]: parsed, printed back as written, differentiated, and refused when empty."""

from __future__ import annotations

import numpy as np
import pytest

import gradtutor
from gradtutor.errors import ParseError, ShapeError
from gradtutor.graph import build


@pytest.mark.parametrize(
    "text, picks",
    [
        ("x[1:3]", lambda x: x[1:3]),
        ("x[:-1]", lambda x: x[:-1]),
        ("x[2:]", lambda x: x[2:]),
        ("x[:]", lambda x: x[:]),
        ("W[:, 0]", lambda W: W[:, 0]),
        ("W[1:, :2]", lambda W: W[1:, :2]),
        ("W[-1, 1:]", lambda W: W[-1, 1:]),
    ],
)
def test_a_slice_picks_what_numpy_picks_and_prints_as_written(text, picks):
    name = text[0]
    value = np.arange(12.0).reshape(3, 4) if name == "W" else np.arange(5.0)
    graph = build(f"y = {text}\nf = sum(y * y)")
    assert graph.describe(graph.names["y"]) == text
    result = gradtutor.grad(graph, {name: value})
    expected = np.zeros_like(value)
    view = picks(expected)  # a view: write the gradient 2*y into the picked entries
    view += 2 * picks(value)
    np.testing.assert_array_equal(result.gradients[name], expected)


def test_empty_ranges_and_steps_are_refused():
    with pytest.raises(ShapeError, match="picks nothing"):
        gradtutor.grad("sum(x[3:1])", {"x": [1.0, 2.0, 3.0]})
    with pytest.raises(ParseError):
        build("x[1:2:3]")


def test_concat_of_slices_gives_back_the_whole():
    """concat(x[:2], x[2:]) is x, so its gradient is the upstream gradient unchanged: a merge splits, a slice routes."""
    x = np.array([0.5, -1.0, 2.0])
    result = gradtutor.grad("sum(concat(x[:2], x[2:]) * c)", {"x": x, "c": [1.0, 2.0, 3.0]})
    np.testing.assert_array_equal(result.gradients["x"], [1.0, 2.0, 3.0])


def test_a_merge_answered_with_the_other_inputs_part_is_named():
    import json

    from gradtutor.teach.grading import grade
    from gradtutor.teach.walk import build_walk

    c = np.array([1.0, 2.0, 3.0, 4.0])
    walk = build_walk(build("h = concat(a, b)\nf = sum(h * c)"), {"a": [0.5, 1.0], "b": [2.0, -1.0], "c": c})
    graph = walk.graph
    question = next(q for q in walk.questions if q.ask == "df/da")
    np.testing.assert_array_equal(question.answer, c[:2])
    verdict = grade(walk, question, json.dumps(c[2:].tolist()))
    assert not verdict.correct and verdict.codes[:1] == ["other-part"]
    assert graph.nodes[question.node].op.pattern == "splits"
