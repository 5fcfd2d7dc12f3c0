"""Grading typed answers: tolerance, formulas, and the diagnosis of each common mistake."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.graph import build
from gradtutor.teach.grading import Tolerance, grade
from gradtutor.teach.walk import build_walk


def setup(program, **values):
    walk = build_walk(build(program), {k: np.asarray(v, dtype=float) for k, v in values.items()})
    return walk, {q.ask: q for q in walk.questions}


@pytest.fixture(scope="module")
def mul():
    return setup("q = x + y; f = q * z", x=-2, y=5, z=-4)


@pytest.mark.parametrize(
    "ask, answer",
    [
        ("df/dq", "-4"),
        ("df/dq", "z"),
        ("df/dq", "-4.002"),
        ("df/dz", "x + y"),
        ("df/dx", "grad"),
        ("df/dx", "grad * 1"),
        ("df/dx", "-3.97"),
    ],
)
def test_right_answers_in_any_form(mul, ask, answer):
    walk, q = mul
    assert grade(walk, q[ask], answer).correct


@pytest.mark.parametrize(
    "ask, answer, kind",
    [
        ("df/dq", "4", "sign"),
        ("df/dq", "q", "swap"),  # mul gate: used its own input instead of the other
        ("df/dx", "1", "forgot-upstream"),  # forgot to multiply by the upstream
        ("dq/dx", "-4", "local-not-downstream"),
    ],
)
def test_mistakes_are_named(mul, ask, answer, kind):
    walk, q = mul
    verdict = grade(walk, q[ask], answer)
    assert not verdict.correct and kind in verdict.codes


def test_upstream_only_swap_and_local_only_are_told_apart():
    # df/da = z = 5, da/dx = y = 2, so df/dx = 10; the wrong answers are all different numbers
    walk, q = setup("a = x * y\nf = a * z", x=3, y=2, z=5)
    assert grade(walk, q["df/dx"], "10").correct
    assert grade(walk, q["df/dx"], "5").codes == ["forgot-local"]
    assert grade(walk, q["df/dx"], "2").codes == ["forgot-upstream"]
    assert grade(walk, q["df/dx"], "15").codes == ["swap"]


def test_missed_branch():
    walk, q = setup("a = x + y\nb = max(y, z)\nf = a * b", x=1, y=2, z=0)
    for share in (3, 2):  # the share through b, or through a, alone
        verdict = grade(walk, q["df/dy"], str(share))
        assert verdict.codes == ["missed-branch"]
        assert "gradients add at branches" in verdict.mistakes[0].message


def test_max_routes():
    walk, q = setup("a = x + y\nb = max(y, z)\nf = a * b", x=1, y=2, z=0)
    verdict = grade(walk, q["db/dz"], "1")
    assert verdict.codes == ["route"]


def test_matrix_answers_shape_and_transpose():
    walk, q = setup("q = W @ x\nf = sum(q^2)", W=[[0.1, 0.5], [-0.3, 0.8]], x=[0.2, 0.4])
    assert grade(walk, q["df/dW"], "[[0.088, 0.176], [0.104, 0.208]]").correct
    assert grade(walk, q["df/dW"], "outer(grad, x)").correct
    assert grade(walk, q["df/dW"], "2*outer(q, x)").correct
    assert grade(walk, q["df/dx"], "2*W.T@q").correct
    assert grade(walk, q["df/dW"], "outer(x, grad)").codes == ["transposed"]
    verdict = grade(walk, q["df/dx"], "[[-0.112], [0.636]]")
    assert verdict.codes == ["shape"] and "vector of length 2" in verdict.mistakes[0].message
    assert grade(walk, q["df/dx"], "W@grad").codes == []  # wrong, with nothing more specific to say


def test_unreadable_answers_explain_and_use_no_try(mul):
    walk, q = mul
    verdict = grade(walk, q["df/dq"], "zz")
    assert verdict.unreadable and "did you mean 'z'?" in verdict.unreadable
    assert grade(walk, q["df/dq"], "(z").unreadable
    assert grade(walk, q["df/dq"], "").unreadable


def test_tolerance_accepts_hand_rounding_and_is_configurable(mul):
    walk, q = mul
    assert grade(walk, q["df/dq"], "-3.97").correct  # within 1%
    assert not grade(walk, q["df/dq"], "-3.9").correct
    assert grade(walk, q["df/dq"], "-3.9", Tolerance(rtol=0.05, atol=0)).correct
    walk2, q2 = setup("sigmoid(x)", x=1)
    assert grade(walk2, q2["df/dx"], "0.2").correct  # 0.1966 by hand: absolute 5e-3 allows it


def test_a_kink_before_a_min_accepts_either_slope_and_grades_wrong_answers():
    """z0 = 0 is leaky_relu's kink and max(h)'s winner; min(z) comes after z. Moving z to either
    side of the kink must move min(z) with it (it once left min's tie mask empty, and a wrong
    answer then failed the whole submission with 'not finite')."""
    walk, asked = setup("h = leaky_relu(z); f = max(h) - min(z)", z=[0, -1, -0.5, -0.2])
    q = asked["df/dz"]
    assert np.allclose(q.answer, [0.01, -1, 0, 0])
    other_side = grade(walk, q, "[1, -1, 0, 0]")
    assert other_side.correct and other_side.note and "kink" in other_side.note
    wrong = grade(walk, q, "[5, 5, 5, 5]")
    assert not wrong.correct and wrong.unreadable is None
