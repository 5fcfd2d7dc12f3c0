"""A number drawn on its own takes a short cut; it must be the very value (and type) the
array draw gave, or old seeds would name other variants."""

from __future__ import annotations

import numpy as np
import pytest

from gradtutor.course.problem import RandomSpec
from gradtutor.course.problems import load_all


def array_draw(spec: RandomSpec, rng: np.random.Generator):
    """The draw as every shape takes it."""
    if spec.integer:
        low, high = int(np.ceil(spec.low)), int(np.floor(spec.high))
        skip_zero = spec.nonzero and low <= 0 <= high
        value = low + rng.integers(0, high - low + 1 - skip_zero, size=spec.shape)
        if skip_zero:
            value = np.where(value >= 0, value + 1, value)
        return np.asarray(value, dtype=float)
    value = rng.uniform(spec.low, spec.high, size=spec.shape)
    if spec.nonzero:
        value = np.where(np.abs(value) < 1e-3, 0.5, value)
    return np.round(np.asarray(value, dtype=float), 2)


SPECS = sorted(
    {s for ps in load_all() for p in ps.problems for s in p.random.values()}
    | {
        RandomSpec(-3, 3, integer=True, nonzero=True),
        RandomSpec(-0.5, 2.5, integer=True),
        RandomSpec(0, 1e12, integer=True),
        RandomSpec(-0.01, 0.01, nonzero=True),
        RandomSpec(-1e6, 1e6),
        RandomSpec(-0.004, 0.004),
    },
    key=repr,
)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.shape == ()], ids=repr)
def test_a_number_is_drawn_as_the_array_draw_drew_it(spec):
    for seed in range(300):
        mine, theirs = np.random.default_rng([7, seed]), np.random.default_rng([7, seed])
        got, want = spec.draw(mine), array_draw(spec, theirs)
        assert type(got) is type(want) and np.shape(got) == np.shape(want)
        assert np.asarray(got).tobytes() == np.asarray(want).tobytes()
        assert mine.random() == theirs.random()  # the next name's draw starts where it did
