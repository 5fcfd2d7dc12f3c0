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


def test_a_claim_over_the_budget_is_refused_with_exit_2_not_judged_wrong(run):
    args = ["check", "sum((W@x)^2)", "--shape", "W=300x300", "--shape", "x=300", "--max-elements", "100000"]
    ok = run(*args, "--grad", "W=2*outer(W@x, x)")
    assert ok.exit_code == 0, ok.stdout + ok.stderr
    big = run(*args, "--grad", "W=2*outer(W@x, x) + outer(x, x)*3")
    assert big.exit_code == 2 and "180,000" in big.stderr and "--max-elements" in big.stderr
    assert "wrong" not in big.stdout
