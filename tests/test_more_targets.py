"""Problem targets for gradient descent and Jacobians, against answers computed here by hand."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.course.exercise import exercise
from gradtutor.course.problems import load_all, load_set
from gradtutor.errors import GradtutorError

SETS = {s.id: s for s in load_all()}


def problem(key):
    set_id, pid = key.split("/")
    return SETS[set_id].problem(pid)


def questions(key, seed=0):
    ex = exercise(problem(key), seed)
    return ex, {q.ask: q for q in ex.questions}


def test_one_step_and_two_steps_by_hand():
    ex, q = questions("descent/one-step", seed=5)
    w, x, t = (float(ex.values[n]) for n in ("w", "x", "t"))
    grad = -(t - w * x) * x
    w1 = w - 0.1 * grad
    w2 = w1 - 0.1 * (-(t - w1 * x) * x)
    assert q["dJ/dw"].answer == pytest.approx(grad)
    assert q["w after 1 step at lr 0.1"].answer == pytest.approx(w1, rel=1e-12)
    assert q["J after 2 steps at lr 0.1"].answer == pytest.approx(0.5 * (t - w2 * x) ** 2, rel=1e-12)
    assert ex.grade(q["w after 1 step at lr 0.1"], f"{w1:.4f}").correct
    verdict = ex.grade(q["w after 1 step at lr 0.1"], f"{w + 0.1 * grad:.6f}")  # a step up the gradient
    assert not verdict.correct and "sign" in verdict.codes


def test_the_lectures_neuron_after_one_step():
    _, q = questions("descent/neuron-step")
    L = 1 / (1 + np.exp(-1.0))  # s = 2*-1 + -3*-2 - 3 = 1
    ds = -(1 - L) * L * (1 - L)
    assert q["w0 after 1 step at lr 1"].answer == pytest.approx(2 - ds * -1)
    assert q["w2 after 1 step at lr 1"].answer == pytest.approx(-3 - ds)


def test_the_rate_above_two_over_the_curvature_grows():
    ex, q = questions("descent/too-fast", seed=2)
    w = float(ex.values["w"])
    slow, fast = q["J after 3 steps at lr 0.2"].answer, q["J after 3 steps at lr 0.6"].answer
    assert slow == pytest.approx(2 * (0.2**3 * w) ** 2) and fast == pytest.approx(2 * ((-1.4) ** 3 * w) ** 2)
    assert fast > 2 * w**2 > slow


def test_layer_jacobians_are_diag_w_identity_and_their_product():
    ex, q = questions("modules/layer-jacobians", seed=3)
    W, x, b = (ex.values[n] for n in ("W", "x", "b"))
    mask = np.diag((W @ x + b > 0).astype(float))
    np.testing.assert_array_equal(q["dh/dz"].answer, mask)
    np.testing.assert_allclose(q["dz/dx"].answer, W)
    np.testing.assert_array_equal(q["dz/db"].answer, np.eye(3))
    np.testing.assert_allclose(q["dh/dx"].answer, mask @ W)
    assert ex.grade(q["dh/dz"], "diag(step(z))").correct
    assert ex.grade(q["dh/dx"], "diag(step(z)) @ W").correct
    assert ex.grade(q["dz/db"], "eye(3)").correct
    assert not ex.grade(q["dz/dx"], "W @ diag(step(z))").correct  # the product in the wrong order has no shape


def test_full_objective_gradients_by_hand():
    ex, q = questions("modules/full-objective", seed=1)
    W1, W2, X, Y, lam = (ex.values[n] for n in ("W1", "W2", "X", "Y", "lam"))
    Z = W1 @ X
    H = np.maximum(Z, 0)
    S = W2 @ H
    margins = S - np.sum(S * Y, axis=0) + 1
    active = (margins > 0) & (Y == 0)
    dS = active / 3.0
    dS -= Y * active.sum(axis=0) / 3.0
    dW2 = dS @ H.T + 2 * lam * W2
    dW1 = ((W2.T @ dS) * (Z > 0)) @ X.T + 2 * lam * W1
    np.testing.assert_allclose(q["dJ/dW2"].answer, dW2, rtol=1e-12)
    np.testing.assert_allclose(q["dJ/dW1"].answer, dW1, rtol=1e-12)


@pytest.mark.parametrize(
    "target, message",
    [
        ('{ ask = "w", after = 1, wrt = ["w"] }', "a descent target is"),
        ('{ ask = "w", after = 0, lr = 0.1, wrt = ["w"] }', "after should be"),
        ('{ ask = "w", after = 1, lr = -1, wrt = ["w"] }', "lr should be"),
        ('{ ask = "w", after = 1, lr = 0.1, wrt = ["q"] }', "wrt should list"),
        ('{ ask = "dJ/dq", form = "jacobian" }', "no node 'q'"),
    ],
)
def test_bad_targets_are_named(tmp_path, target, message):
    path = tmp_path / "bad.toml"
    path.write_text(
        'id = "bad"\ntitle = "t"\norder = 1\nsummary = "s"\n[[problem]]\nid = "p"\ntitle = "t"\nprompt = "p"\n'
        f'program = "J = (w - 1)^2"\nvalues = {{ w = 0 }}\nask = [{target}]\n'
    )
    with pytest.raises(GradtutorError, match=message):
        load_set(str(path))
