"""The grader's short cuts decide as the general paths do: numbers diagnosed in plain floats,
a right answer accepted before its question's scale is known, refused formulas kept."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradtutor.autodiff.compare import Tolerance, diagnose
from gradtutor.autodiff.formula import compile_formula
from gradtutor.errors import GradtutorError

finite = st.floats(-1e6, 1e6, allow_nan=False)
simple = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 3.0, 0.25, 4.0, 1 / 3, 1.004, 1e-12])


@given(finite, st.one_of(finite, simple), simple)
def test_numbers_are_diagnosed_as_one_entry_vectors_are(b, a, k):
    """A vector of one entry takes the array path, whose tests a number's mirror."""
    for claimed in (a, k * b, -b, 0.0):
        for rtol, atol in ((1e-6, 0.0), (1e-2, 0.0), (1e-2, 1e-3)):
            got = diagnose(np.asarray(claimed), np.asarray(b), rtol, atol)
            want = diagnose(np.asarray([claimed]), np.asarray([b]), rtol, atol)
            assert [(m.code, m.message) for m in got] == [(m.code, m.message) for m in want]


@given(finite, finite, st.floats(0, 1e7), st.sampled_from([Tolerance(), Tolerance(1e-6, 0.0), Tolerance(1e-2, 1e-3)]))
def test_close_at_the_answers_own_scale_is_close_at_any_larger_one(a, b, scale, tol):
    if tol.close_numbers(a, b):
        assert tol.close_numbers(a, b, scale)
    va, vb = np.array([a, b / 2]), np.array([b, b / 2])
    if tol.close(va, vb):
        assert tol.close(va, vb, scale)


entry = st.one_of(finite, simple, st.sampled_from([5e-3, -5e-3, 1e-13, -1e-13, 1e-9, np.inf, -np.inf, np.nan]))
small = st.integers(1, 6).flatmap(
    lambda n: st.tuples(st.lists(entry, min_size=n, max_size=n), st.lists(entry, min_size=n, max_size=n))
)


@given(
    small,
    st.one_of(st.none(), st.floats(0, 1e7)),
    st.sampled_from([Tolerance(), Tolerance(1e-2, 1e-3), Tolerance(0.1, 0.0), Tolerance(1e-6, 0.0)]),
)
def test_a_small_answer_is_judged_entry_by_entry_as_numpy_judges_a_large_one(pair, scale, tol):
    """A typed matrix of up to SMALL entries is compared in floats; tiled past SMALL (the same
    entries, the same largest entry) it takes numpy's path, which must say the same."""
    a, b = np.array(pair[0]), np.array(pair[1])
    for shape in ((a.size,), (1, a.size), (a.size, 1)):
        x, y = a.reshape(shape), b.reshape(shape)
        with np.errstate(invalid="ignore"):  # inf - inf in numpy's path
            assert tol.close(x, y, scale) == tol.close(np.tile(x, (40, 1)), np.tile(y, (40, 1)), scale)
    if np.isfinite(b).all():
        near = b * (1 + tol.rtol / 2)  # within the tolerance entry by entry: both paths must accept it
        assert tol.close(near, b, scale) and tol.close(np.tile(near, 40), np.tile(b, 40), scale)
    assert tol.close(np.zeros(0), np.zeros(0)) and tol.close(np.zeros((0, 40)), np.zeros((0, 40)))


@pytest.mark.parametrize("text", ["(oops", "x +", "nosuch(x)", "exp(x, x)"])
def test_a_refused_formula_is_refused_the_same_way_every_time(text):
    def refusal():
        with pytest.raises(GradtutorError) as info:
            compile_formula(text, ["x"], what="answer")
        return info.value

    first = refusal()
    shown = first.render()
    first.message = "changed by a caller"
    second = refusal()
    assert second is not first
    assert type(second) is type(first) and second.render() == shown
