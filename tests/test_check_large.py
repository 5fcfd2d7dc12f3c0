"""`check` on large arrays: block-wise comparison gives the same numbers, sampled diagnoses agree
with full ones, and probing an input perturbs it in place but leaves it exactly as it was."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.autodiff.blocks import diagnose_large, max_relative_error
from gradtutor.autodiff.check import run_check
from gradtutor.autodiff.compare import diagnose, relative_error
from gradtutor.autodiff.numeric import Differencer, plan
from gradtutor.graph import build


@pytest.mark.parametrize("shape", [(), (7,), (300, 700), (3, 100_000), (100_000, 2)])
def test_block_wise_max_error_matches_the_full_computation(shape):
    rng = np.random.default_rng(0)
    a = rng.standard_normal(shape)
    b = a + rng.standard_normal(shape) * 1e-4
    if np.ndim(b):
        b.flat[rng.integers(b.size)] *= 3  # one clear worst entry
    full = relative_error(a, b)
    worst, index = max_relative_error(a, b)
    assert worst == np.max(full)
    assert index == (tuple(int(i) for i in np.unravel_index(np.argmax(full), np.shape(full))) if shape else ())


@pytest.mark.parametrize(
    "make",
    [
        lambda g: -g,
        lambda g: g.T.copy(),
        lambda g: 2.5 * g,
        lambda g: np.zeros_like(g),
        lambda g: g + 1.0,
        lambda g: g * (1 + (np.arange(g.size).reshape(g.shape) % 2)),  # a factor on half the entries only
    ],
)
def test_a_sampled_diagnosis_agrees_with_the_full_one(make):
    rng = np.random.default_rng(1)
    g = rng.standard_normal((600, 600))
    claim = make(g)
    assert diagnose_large(claim, g, "W", rng) == diagnose(claim, g, name="W")


def test_a_hypothesis_that_fits_the_sample_only_is_not_reported():
    rng = np.random.default_rng(2)
    g = rng.standard_normal((600, 600))
    claim = -g
    claim[599, 0] = 5.0  # one entry breaks the sign flip, and most samples miss it
    assert diagnose_large(claim, g, "W", rng) == diagnose(claim, g, name="W") == []


def test_probes_perturb_the_input_in_place_and_restore_it_exactly():
    graph = build("sum(relu(W@x))")
    rng = np.random.default_rng(3)
    W, x = rng.standard_normal((30, 40)), rng.standard_normal(40)
    before = W.copy()
    differ = Differencer(graph, {"W": W, "x": x}, graph.variables["W"])
    probe = differ.entry((2, 3))
    planned = plan(np.ones_like(W), rng, None, 1)
    along = differ.direction(planned.directions[0][0], "direction 1")
    assert np.array_equal(W, before) and differ.base_value is W
    assert np.isfinite(probe.numeric) and np.isfinite(along.numeric) and np.isfinite(planned.directions[0][1])
    frozen = before.copy()
    frozen.flags.writeable = False  # a read-only input is copied, never written
    Differencer(graph, {"W": frozen, "x": x}, graph.variables["W"]).entry((0, 0))
    assert np.array_equal(frozen, before)


def test_a_large_check_keeps_its_verdicts_and_takes_the_numbers_once():
    graph = build("sum((W@x)^2)")
    shapes = {"W": (400, 400), "x": (400,)}
    right = run_check(graph, {"W": "2*outer(W@x, x)", "x": "2*W.T@(W@x)"}, {}, shapes, points=3, seed=4)
    assert right.passed
    for target in right.targets:
        assert target.sampled and target.numeric_error < 1e-6
        assert [p.probes > 0 for p in target.points] == [True, False, False]
    wrong = run_check(graph, {"W": "2*outer(x, W@x)"}, {}, shapes, points=3, seed=4)
    assert not wrong.passed
    assert wrong.targets[0].diagnosis == ["transposed: the rows and columns are swapped"]


@pytest.mark.parametrize("shape", [(300, 700), (100_003,), (7, 9, 2001)])
def test_a_direction_is_the_same_signs_in_every_block_and_its_derivative_matches(shape):
    """The planned dot product, the probe's perturbation and an independent unpacking of the bits
    all see one u; on a linear function the central difference along u is u . gradient."""
    rng = np.random.default_rng(5)
    coeffs = rng.standard_normal(shape)
    graph = build("sum(A*W)")
    W = rng.standard_normal(shape)
    planned = plan(coeffs, rng, 3, 2)
    for bits, dot in planned.directions:
        u = 0.5 - np.unpackbits(bits)[: W.size].astype(float).reshape(shape)
        assert set(np.unique(u)) == {-0.5, 0.5}
        assert dot == pytest.approx(float(np.vdot(coeffs, u)), rel=1e-12)
        along = Differencer(graph, {"A": coeffs, "W": W}, graph.variables["W"]).direction(bits, "d")
        assert along.numeric == pytest.approx(dot, rel=1e-6)


def test_sampled_entries_are_judged_on_the_whole_gradients_scale():
    """Entries a thousand times smaller than the gradient's largest are judged on its scale (the
    floor of relative_error), also when the sample holds none of the large ones: before, twenty
    tiny entries set their own floor, and the rounding of a difference of large values failed a
    right gradient (a saturated tanh layer did this at about one seed in thirty)."""
    graph = build("sum(C*W)")
    C = np.full((100, 101), 1e-9)
    C[0, 0] = 1e3  # d/dW = C: one large entry, and the sample of 20 will almost surely miss it
    report = run_check(graph, {}, {"C": C}, {"W": (100, 101)}, points=1, seed=3)
    target = next(t for t in report.targets if t.name == "W")
    assert target.sampled and target.passed, target.numeric_error
