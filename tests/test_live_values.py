"""A formula evaluated for its value alone (check's claims, typed answers): intermediates go
once used and large dead ones are overwritten in place, yet the value is bit for bit the full
forward pass's, the inputs are untouched, and the budget counts what is alive at once."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor import budget
from gradtutor.autodiff.formula import compile_formula, evaluate
from gradtutor.autodiff.reverse import forward

BIG = 300  # 300x300 = 90,000 entries: over the in-place threshold


@pytest.mark.parametrize(
    "formula",
    [
        "2*outer(W@x, x)",
        "2*outer(x, W@x) + outer(x, x)*3",
        "exp(W*0.01) + W",  # the input W must not be written into
        "-(W + W)*W.T",  # a transpose is a view of W: never a buffer to write into
        "t = W*2; t*3 + t",  # t is read twice: it stays until its last reader
        "log(sigmoid(W*2))",  # a stable pair reads its inner input from the outer node
        "sum((W - 1)^2) + max(W@x - 2, 0)[0]",
        "tanh(W)*sigmoid(W) - W/3",
        "s = tanh(W).T; mean(W / (abs(log(abs(sin(s) + W*W) + 1)) + 1))",  # column-major s: not a buffer
    ],
)
def test_value_only_evaluation_is_the_forward_value_and_leaves_inputs_alone(formula):
    rng = np.random.default_rng(7)
    env = {"W": rng.standard_normal((BIG, BIG)), "x": rng.standard_normal(BIG)}
    before = {k: v.copy() for k, v in env.items()}
    graph = compile_formula(formula, env)
    full = forward(graph, {n: env[n] for n in graph.variables}).value
    alone = evaluate(graph, env)
    assert np.array_equal(alone, full)
    for name, value in env.items():
        assert np.array_equal(value, before[name]), f"{name} was written into"


def test_the_budget_counts_the_numbers_alive_at_once():
    env = {"W": np.ones((BIG, BIG)), "x": np.ones(BIG)}
    old = budget.limit()
    try:
        budget.set_limit(100_000)  # the input alone holds 90,000; an outer product 90,000 more
        assert evaluate(compile_formula("2*outer(W@x, x)", env), env).shape == (BIG, BIG)
        with pytest.raises(budget.BudgetError, match="180,000 numbers"):
            evaluate(compile_formula("2*outer(W@x, x) + outer(x, x)", env), env)
    finally:
        budget.set_limit(old)


def test_a_made_value_with_no_inputs_is_let_go_and_written_over_like_any_other():
    """eye(n) and onehot(i, n) are made by the pass, not given: tanh may write over them."""
    old = budget.limit()
    try:
        budget.set_limit(150_000)  # eye(300) holds 90,000; a second 300x300 would be over
        assert np.isclose(evaluate(compile_formula("sum(tanh(eye(300)))", []), {}), 300 * np.tanh(1.0))
        assert np.isclose(evaluate(compile_formula("sum(exp(onehot(3, 100000)))", []), {}), np.e + 99_999)
    finally:
        budget.set_limit(old)


def test_a_claim_over_the_budget_is_refused_with_exit_2_not_judged_wrong(run):
    args = ["check", "sum((W@x)^2)", "--shape", "W=300x300", "--shape", "x=300", "--max-elements", "100000"]
    ok = run(*args, "--grad", "W=2*outer(W@x, x)")
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    big = run(*args, "--grad", "W=2*outer(W@x, x) + outer(x, x)*3")
    assert big.exit_code == 2 and "180,000" in big.stderr and "--max-elements" in big.stderr
    assert "wrong" not in big.stdout


def test_an_overflow_in_a_formula_is_blamed_on_its_node_though_its_inputs_were_let_go():
    """The first overflowing node's inputs are gone by the time the output shows inf; the error
    still names that node (from a pass that keeps every value), with its inputs."""
    from gradtutor.errors import DomainError

    with pytest.raises(DomainError) as raised:
        evaluate(compile_formula("exp(x*1000)*2 + 1", ["x"]), {"x": np.ones(3)}, "answer")
    message = raised.value.render()
    assert "overflowed" in message and "exp" in message and "vector of length 3" in message


def test_a_view_keeps_its_base_counted():
    """outer(x, x).T is a view: the first outer product's numbers live on under it, so with two
    more outer products 270,000 numbers are held at once (counted as 180,000 before)."""
    x = np.random.default_rng(1).standard_normal(BIG)
    formula = compile_formula("outer(x, x).T + outer(x, x) * outer(x, x)", ["x"])
    old = budget.limit()
    try:
        budget.set_limit(200_000)
        with pytest.raises(budget.BudgetError, match="270,000"):
            evaluate(formula, {"x": x})
        budget.set_limit(300_000)
        outer = np.outer(x, x)
        assert np.array_equal(evaluate(formula, {"x": x}), outer.T + outer * outer)
    finally:
        budget.set_limit(old)


def test_an_override_is_never_written_into():
    """An override is the caller's array, whatever the pass: a value-only one may not reuse it."""
    from gradtutor.graph import build

    graph = build("exp(W*2) + 1")
    W = np.random.default_rng(2).standard_normal((BIG, BIG))
    exp_node = next(i for i, node in enumerate(graph.nodes) if node.op.name == "exp")
    given = np.full((BIG, BIG), 0.5)
    value = forward(graph, {"W": W}, overrides={exp_node: given}, value_only=True).value
    assert np.array_equal(given, np.full((BIG, BIG), 0.5)) and np.array_equal(value, given + 1)
