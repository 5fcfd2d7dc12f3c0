"""The language: precedence, statements, literals, deep input and parse errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import gradtutor
from gradtutor.errors import ArityError, NameLookupError, ParseError
from gradtutor.graph import build


def value(program: str, **values) -> float:
    graph = build(program)
    return gradtutor.grad(graph, {k: v for k, v in values.items() if k in graph.variables}).value


@pytest.mark.parametrize(
    "program, expected",
    [
        ("-x^2", -9.0),  # unary minus binds looser than ^
        ("-x**2", -9.0),  # ** is a synonym for ^
        ("2^3^2", 512.0),  # ^ is right-associative: 2^(3^2)
        ("(2^3)^2", 64.0),
        ("x - 1 - 1", 1.0),  # - is left-associative
        ("12 / x / 2", 2.0),
        ("1 + 2 * x", 7.0),  # * before +
        ("2 * x ^ 2", 18.0),  # ^ before *
        ("x ^ -1", 1 / 3),  # the exponent may carry a sign, as in Python
        ("--x", 3.0),
        ("+x", 3.0),
        ("1e-3 * x", 3e-3),
        (".5 * x", 1.5),
    ],
)
def test_precedence_and_associativity_follow_python(program, expected):
    assert value(program, x=3.0) == pytest.approx(expected)


def test_transpose_and_indexing_bind_tightest():
    W = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert value("W.T[0, 1]", W=W) == 3.0
    assert value("-W[1, 0]^2", W=W) == -9.0
    assert value("sum(W[1])", W=W) == 7.0
    assert value("W[-1, -1]", W=W) == 4.0


def test_statements_are_separated_by_newlines_or_semicolons():
    assert value("q = x + y; f = q * z", x=-2, y=5, z=-4) == -12
    assert value("q = x + y\n\n# a comment\nf = q * z  # trailing comment\n", x=-2, y=5, z=-4) == -12


def test_newlines_inside_brackets_continue_the_expression():
    assert value("f = (x +\n   y) * max(\n x,\n y)", x=1.0, y=2.0) == 6.0


def test_matrix_literals_hold_numbers():
    assert value("sum([[1, -2], [+3, 4e-1]] * x)", x=2.0) == pytest.approx(2 * (1 - 2 + 3 + 0.4))


def test_names_used_twice_are_one_node_with_two_consumers():
    graph = build("a = x + y; b = max(y, z); f = a * b")
    y = graph.variables["y"]
    assert [graph.labels[i] for i in graph.consumers[y]] == ["a", "b"]
    assert list(graph.variables) == ["x", "y", "z"]
    assert graph.labels[graph.output] == "f"


def test_labels_and_names_are_the_same_whichever_is_asked_first():
    """Both are made on first use (Graph.labels, Graph.names), together."""
    program = "q = x * y; t1 = q + 1; t1 - 2 + x"
    first_names, first_labels = build(program), build(program)
    names = dict(first_names.names)
    labels = list(first_labels.labels)
    assert labels == first_names.labels == ["x", "y", "q", "1", "t1", "2", "t2", "f"]
    assert names == first_labels.names == {"x": 0, "y": 1, "q": 2, "t1": 4, "t2": 6, "f": 7}


def test_unnamed_nodes_get_short_names_and_the_output_is_f():
    graph = build("(x + y) * z")
    assert [graph.labels[i] for i in range(len(graph))] == ["x", "y", "t1", "z", "f"]
    assert graph.describe(graph.output) == "t1 * z"


def test_statements_that_do_not_reach_the_output_are_reported():
    graph = build("a = x * 2\nb = y + 1")
    assert graph.warnings == ["the statement on line 1 does not affect the output"]
    assert set(graph.variables) == {"x", "y"}  # x is still an input (its gradient is 0)


@pytest.mark.parametrize(
    "source, message, caret_column",
    [
        ("(x + y * z", "'(' is never closed; expected ')'", 0),
        ("x +", "the program ends too early; expected a number, a name or '('", 2),
        ("2x", "unexpected 'x'", 1),
        ("x $ y", "unexpected character '$'", 2),
        ("max(x,, y)", "unexpected ','", 6),
        ("x[1.5]", "indices are whole numbers", 2),
    ],
)
def test_parse_errors_show_the_line_a_caret_and_what_was_expected(source, message, caret_column):
    with pytest.raises(ParseError) as info:
        build(source)
    text = info.value.render()
    assert message in text
    line, caret = text.splitlines()[1:3]
    assert line.endswith(source)
    offset = line.index("| ") + 2
    assert caret.index("^") - offset == caret_column


def test_parse_error_on_a_later_line_names_that_line():
    with pytest.raises(ParseError) as info:
        build("q = x + y\nf = q * ")
    assert "line 2 | f = q * " in info.value.render()


def test_missing_operator_gets_a_hint():
    with pytest.raises(ParseError) as info:
        build("2x")
    assert "2*x" in info.value.render()


def test_unknown_function_suggests_the_nearest_name():
    with pytest.raises(NameLookupError) as info:
        build("sigmod(x)")
    assert "unknown function 'sigmod'" in str(info.value)
    assert "did you mean 'sigmoid'?" in str(info.value)


def test_wrong_number_of_arguments():
    with pytest.raises(ArityError, match="max takes 1 or 2 arguments, got 3"):
        build("max(x, y, z)")
    with pytest.raises(ArityError, match="sin takes 1 argument, got 2"):
        build("sin(x, y)")


@pytest.mark.parametrize(
    "source, message",
    [
        ("q = x; q = y", "'q' is assigned twice"),
        ("f = q * 2; q = x", "'q' is used before it is assigned"),
        ("exp = x + 1", "'exp' is a function name"),
        ("exp + 1", "'exp' is a function; call it with parentheses"),
        ("[[1, 2], [3]]", "different lengths"),
        ("", "the program is empty"),
    ],
)
def test_other_program_errors(source, message):
    with pytest.raises(gradtutor.errors.GradtutorError, match=message):
        build(source)


# Deep input: nothing on the path from text to gradients may recurse.
@pytest.mark.slow
def test_deep_inputs_work_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() <= 1000 + 100

    n = 10_000
    terms = " + ".join(f"x{i}" for i in range(n))
    result = gradtutor.grad(terms, {f"x{i}": float(i) for i in range(n)})
    assert result.value == sum(range(n))
    assert all(g == 1.0 for g in result.gradients.values())

    nested = "(" * n + "x" + ")" * n
    assert gradtutor.grad(nested, {"x": 2.0}).gradients["x"] == 1.0

    sines = "sin(" * 3000 + "x" + ")" * 3000
    result = gradtutor.grad(sines, {"x": 0.5})
    # d/dx of sin applied k times: product of cos over the chain, computed independently
    v, expected = 0.5, 1.0
    for _ in range(3000):
        expected *= np.cos(v)
        v = np.sin(v)
    assert result.value == pytest.approx(v)
    assert result.gradients["x"] == pytest.approx(expected)

    statements = ["s0 = x"] + [f"s{i} = s{i - 1} * 1.0001 + x" for i in range(1, 5000)]
    result = gradtutor.grad("\n".join(statements), {"x": 1.0})
    # s_i = a s_{i-1} + x with s_0 = x: ds_i/dx = a ds_{i-1}/dx + 1
    d = 1.0
    for _ in range(1, 5000):
        d = 1.0001 * d + 1
    assert result.gradients["x"] == pytest.approx(d)
