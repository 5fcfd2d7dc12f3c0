"""A variant seed names the same values it always has.

Students' seeds are stored in progress databases and recomputed by the grader from the
course key, so the generator behind `Problem.variant` must draw exactly what
`np.random.default_rng([crc32(key), seed])` draws, whatever route it takes to build it.
"""

from __future__ import annotations

import zlib

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from gradtutor.course.problem import RandomSpec, _generator
from gradtutor.course.problems import load_all


@given(st.integers(0, 2**32 - 1), st.integers(0, 2**64 + 7))
def test_the_generator_is_default_rng_of_the_list(crc, seed):
    ours = _generator(crc, seed)
    numpy = np.random.default_rng([crc, seed])
    assert ours.integers(0, 2**62, size=6).tolist() == numpy.integers(0, 2**62, size=6).tolist()
    assert ours.uniform(-5, 5) == numpy.uniform(-5, 5)


def _by_default_rng(problem, seed):
    rng = np.random.default_rng([zlib.crc32(problem.key.encode()), int(seed or 0)])
    values = dict(problem.values)
    for name in sorted(problem.random):
        spec: RandomSpec = problem.random[name]
        values[name] = spec.draw(rng)
    return values


def test_every_shipped_variant_is_the_one_default_rng_names():
    problems = [p for s in load_all() for p in s.problems if p.has_random]
    assert problems
    for problem in problems:
        for seed in (0, 1, 41, 2**31 + 5, 2**63 - 1):
            ours, theirs = problem.variant(seed), _by_default_rng(problem, seed)
            assert ours.keys() == theirs.keys()
            for name in ours:
                assert np.array_equal(ours[name], theirs[name]), (problem.key, seed, name)
