"""Diagnoses of the common mistakes (issue 12), over the op table and on the lectures' examples."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gradtutor.graph import build
from gradtutor.ops import TABLE
from gradtutor.teach.grading import grade
from gradtutor.teach.targets import ValueQuestion
from gradtutor.teach.walk import build_walk

X, Y = 0.7, 0.4  # scalars where the op takes them, so its value and gradient have one shape
VX, VY = [0.3, 0.7, 1.2], [0.5, 0.4, 2.0]
VECTORS = {"dot", "outer", "matmul", "softmax", "log_softmax", "logsumexp", "subscript", "transpose", "sum_axis"}
VECTORS |= {"concat", "slice", "max_all", "min_all", "diag"}
SQUARE = {"trace", "det", "inv", "logdet"}
MX = [[2.0, 0.5], [0.3, 1.5]]
SPECIAL = {  # how each op is written when it is not a plain call f(x) or f(x, y)
    "add": "x + y",
    "sub": "x - y",
    "mul": "x * y",
    "div": "x / y",
    "pow": "x ^ y",
    "neg": "-x",
    "matmul": "x @ y",
    "transpose": "x.T",
    "subscript": "x[1]",
    "sum_axis": "sum(x, 0)",
    "slice": "x[1:]",
    "max_all": "max(x)",
    "heaviside": "step(x, y)",
    "min_all": "min(x)",
}
# x gets no gradient through them
NO_QUESTION = {"var", "const", "onehot", "onehot_at", "ones", "step", "heaviside", "sign", "take", "eye"}
SAME = {"exp"}  # exp's derivative is its own value: the forward value is the right answer


def walk_for(name: str):
    op = TABLE[name]
    text = SPECIAL.get(name) or (f"{name}(x)" if op.arity == 1 else f"{name}(x, y)")
    graph = build(f"t = {text}\nf = sum(t)")
    x, y = (VX, VY) if name in VECTORS else (MX, MX) if name in SQUARE else (X, Y)
    walk = build_walk(graph, {n: np.array(v) for n, v in (("x", x), ("y", y)) if n in graph.variables})
    graph = walk.graph
    node = graph.names["t"]
    question = next(q for q in walk.questions if q.node == node and q.input == graph.variables["x"])
    return walk, question


@pytest.mark.parametrize("name", sorted(set(TABLE) - NO_QUESTION - SAME))
def test_the_forward_value_given_as_a_derivative_is_named(name):
    walk, question = walk_for(name)
    value = walk.value(question.node)
    if np.shape(value) != np.shape(question.answer):
        pytest.skip(f"{name}'s value has another shape than the gradient, so it cannot be mistaken for it")
    verdict = grade(walk, question, json.dumps(np.asarray(value).tolist()))
    assert not verdict.correct and "forward-value" in verdict.codes, (name, verdict.mistakes)
    assert "value of t in the forward pass" in verdict.mistakes[verdict.codes.index("forward-value")].message


def test_exp_is_the_one_op_whose_value_is_its_derivative():
    walk, question = walk_for("exp")
    assert grade(walk, question, json.dumps(np.asarray(walk.value(question.node)).tolist())).correct


def setup(program, **values):
    walk = build_walk(build(program), {k: np.asarray(v, dtype=float) for k, v in values.items()})
    return walk, {q.ask: q for q in walk.questions}


def test_the_node_value_for_a_local_gradient_is_not_called_a_factor():
    walk, q = setup("q = x * y\nf = q * z", x=3, y=2, z=2)
    verdict = grade(walk, q["dq/dx"], "6")  # q = 6 is 3 times dq/dx = y = 2
    assert verdict.codes == ["forward-value"]


def test_softmax_gradient_with_p_minus_1_or_p_alone():
    walk, q = setup("p = softmax(s)\nL = -log(p[1])", s=[1.0, 2.0, 0.5])
    question = q["dL/ds"]
    assert grade(walk, question, "p - onehot(1, 3)").correct
    for wrong in ("p - 1", "p"):
        verdict = grade(walk, question, wrong)
        assert verdict.codes[:1] == ["onehot"], (wrong, verdict.mistakes)
        assert "onehot(y)" in verdict.mistakes[0].message


def test_a_matrix_answer_that_misses_the_regularisation_branch():
    walk, q = setup("e = W @ x - y\nL = sum(e^2) + 0.1 * sum(W * W)", W=[[1, 2], [3, -1]], x=[0.5, -1], y=[1, 1])
    question = q["dL/dW"]
    assert grade(walk, question, "2*outer(e, x) + 0.2*W").correct
    verdict = grade(walk, question, "2*outer(e, x)")
    assert verdict.codes == ["missed-branch"], verdict.mistakes


def test_a_value_question_calls_a_wrong_sign_the_negative_of_the_value():
    walk, _ = setup("e = yhat - y\nL = e^2", yhat=3, y=1)
    node = walk.graph.names["e"]
    question = ValueQuestion("e", node, node, walk.value(node), upstream=1.0)
    verdict = grade(walk, question, "y - yhat")
    assert verdict.codes == ["sign"] and "negative of the value" in verdict.mistakes[0].message


@pytest.mark.parametrize(
    "program, values, ask, answers",
    [
        ("L = relu(x) * y", {"x": 0, "y": 3}, "dt1/dx", ["0", "1"]),  # PyTorch's 0, the lectures' 1
        ("L = relu(x) * y", {"x": 0, "y": 3}, "dL/dx", ["0", "3"]),
        ("L = abs(x) * y", {"x": 0, "y": 3}, "dt1/dx", ["0", "1", "-1"]),
        ("a = x + y\nb = max(y, z)\nf = a * b", {"x": 1, "y": 2, "z": 2}, "db/dz", ["0.5", "1", "0"]),
    ],
)
def test_either_one_sided_slope_counts_at_a_kink(program, values, ask, answers):
    walk, q = setup(program, **values)
    first = grade(walk, q[ask], answers[0])
    assert first.correct and first.note is None  # gradtutor's own convention: nothing to explain
    for other in answers[1:]:
        verdict = grade(walk, q[ask], other)
        assert verdict.correct and "kink" in verdict.note and "PyTorch" in verdict.note, other
    assert not grade(walk, q[ask], "7").correct


def test_away_from_a_kink_only_the_derivative_counts():
    walk, q = setup("L = relu(x) * y", x=0.5, y=3)
    assert grade(walk, q["dt1/dx"], "1").correct
    assert not grade(walk, q["dt1/dx"], "0").correct


@pytest.mark.parametrize(
    "program, ask, restated, number",
    [
        ("p = softmax(s)\nL = -log(p[0])", "p", "softmax(s)", "[0.0900, 0.2447, 0.6652]"),
        ("e = yhat - y\nL = e^2", "e", "yhat - y", "2"),
    ],
)
def test_restating_the_program_is_not_a_value(program, ask, restated, number):
    values = {"s": [1.0, 2.0, 3.0]} if "softmax" in program else {"yhat": 3, "y": 1}
    walk, _ = setup(program, **values)
    node = walk.graph.names[ask]
    question = ValueQuestion(ask, node, node, walk.value(node), upstream=1.0)
    verdict = grade(walk, question, restated)
    assert not verdict.correct and "how the program defines" in verdict.unreadable
    assert grade(walk, question, number).correct
