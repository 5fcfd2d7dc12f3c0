"""Full precision where the textbook formula loses it: sigmoid, log(sigmoid), softplus, log(softmax).

References come from mpmath at 50 digits, independent of numpy; the bar is 1e-15
relative over [-700, 700], for values and for gradients.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gradtutor
from gradtutor.ops.stable import sigmoid

mpmath = pytest.importorskip("mpmath")
mpmath.mp.dps = 50

POINTS = np.concatenate([np.linspace(-700, 700, 561), np.linspace(-5, 5, 201), [-40.0, -30.0, 1e-300, -1e-300]])


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


CASES = {
    "sigmoid(x)": (_sigmoid, lambda x: _sigmoid(x) * _sigmoid(-x)),
    "log(sigmoid(x))": (lambda x: -mpmath.log1p(mpmath.exp(-x)), lambda x: _sigmoid(-x)),
    "softplus(x)": (lambda x: mpmath.log1p(mpmath.exp(x)), _sigmoid),
    "-softplus(-x)": (lambda x: -mpmath.log1p(mpmath.exp(-x)), lambda x: _sigmoid(-x)),
}


def _relative(got: float, want) -> float:
    return float(abs(mpmath.mpf(got) - want) / abs(want))


def _worst(program: str, points) -> tuple[float, float]:
    value, slope = CASES[program]
    worst_value = worst_slope = 0.0
    for x in points:
        result = gradtutor.grad(program, {"x": float(x)})
        exact = mpmath.mpf(float(x))
        worst_value = max(worst_value, _relative(result.value, value(exact)))
        worst_slope = max(worst_slope, _relative(result.gradients["x"], slope(exact)))
    return worst_value, worst_slope


@pytest.mark.parametrize("program", list(CASES))
def test_value_and_gradient_to_1e_15_at_the_ends_and_the_middle(program):
    worst = _worst(program, [-700.0, -100.0, -40.0, -1.0, 0.0, 1e-300, 1.0, 40.0, 100.0, 700.0])
    assert max(worst) < 1e-15, worst


@pytest.mark.slow
@pytest.mark.parametrize("program", list(CASES))
def test_value_and_gradient_to_1e_15_over_the_whole_range(program):
    worst = _worst(program, POINTS)
    assert max(worst) < 1e-15, worst


def test_binary_cross_entropy_at_minus_40_is_not_refused():
    result = gradtutor.grad("log(sigmoid(x))", {"x": -40.0})
    assert result.value == -40.0 and result.gradients["x"] == 1.0  # as PyTorch gives


def _log_softmax(row, k):
    with mpmath.workdps(2000):  # e^-1400 next to 1 needs ~600 digits to survive the sum
        row = [mpmath.mpf(float(v)) for v in row]
        return +(row[k] - mpmath.log(mpmath.fsum(mpmath.exp(v) for v in row)))


@pytest.mark.parametrize("s", [[700.0, 0.0, -700.0], [1.0, 2.0, 3.0], [-700.0, 700.0, 699.0], [0.0, -30.0, -60.0]])
def test_log_of_a_softmax_entry_is_exact(s):
    for k in range(3):
        for program in (f"log(softmax(s)[{k}])", f"log_softmax(s)[{k}]"):
            result = gradtutor.grad(program, {"s": s})
            assert _relative(result.value, _log_softmax(s, k)) < 1e-15, program
            e = np.exp(np.array(s) - max(s))
            expected = np.eye(3)[k] - e / e.sum()  # d/ds log p_k = onehot(k) - p
            # 1 - p_k at the largest entry cancels, as in every float64 library: exact to 1e-15 absolute
            np.testing.assert_allclose(result.gradients["s"], expected, rtol=1e-12, atol=1e-15)


def test_softmax_family_works_row_by_row_on_a_batch():
    rng = np.random.default_rng(0)
    S = rng.standard_normal((4, 3)) * 3
    Y = np.eye(3)[[0, 2, 1, 1]]
    p = np.exp(S - S.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    lse = np.log(np.exp(S).sum(axis=1))
    loss = gradtutor.grad("-sum(log_softmax(S)*Y)/4", {"S": S, "Y": Y})
    assert loss.value == pytest.approx(-np.sum((S - lse[:, None]) * Y) / 4, rel=1e-14)
    np.testing.assert_allclose(loss.gradients["S"], (p - Y) / 4, rtol=1e-12)  # (softmax(S) - Y)/N
    same = gradtutor.grad("-sum(log(softmax(S))*Y)/4", {"S": S, "Y": Y})
    np.testing.assert_allclose(same.gradients["S"], loss.gradients["S"], rtol=1e-12)
    rows = gradtutor.grad("sum(logsumexp(S)*[1, 2, 3, 4])", {"S": S})
    assert rows.value == pytest.approx(float(lse @ [1, 2, 3, 4]), rel=1e-14)
    np.testing.assert_allclose(rows.gradients["S"], p * np.array([1, 2, 3, 4])[:, None], rtol=1e-12)


@settings(max_examples=300)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_sigmoid_of_one_number_is_the_arrays_bit_for_bit(x):
    """A single float64 takes sigmoid's short cut; it must be the array form's value exactly."""
    one, arr = sigmoid(np.float64(x)), sigmoid(np.array([x]))[0]
    assert type(one) is np.float64
    assert np.array_equal(one, arr, equal_nan=True) and np.signbit(one) == np.signbit(arr)


@pytest.mark.parametrize("offset", [0.0, 1e10, -1e10, 1e15])
def test_the_gradient_of_logsumexp_is_the_softmax_even_far_from_0(offset):
    """exp(a - logsumexp(a)) loses the digits of logsumexp that round away at 1e10 (2e-7 of the
    gradient); the softmax of a does not."""
    s = [offset, offset + 1.0, offset - 3.0]
    gradient = gradtutor.grad("logsumexp(s)", {"s": s}).gradients["s"]
    exact = [mpmath.mpf(float(v)) - mpmath.mpf(s[0]) for v in s]  # the softmax is unmoved by the shift
    total = mpmath.fsum(mpmath.exp(v) for v in exact)
    for got, v in zip(gradient, exact):
        assert _relative(float(got), mpmath.exp(v) / total) < 1e-15
