"""Problems as data: a problem, its variants (values drawn from a seed), its targets, its set.

Reading and checking the TOML files that hold them is course/problems.py's job.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..autodiff.compare import Tolerance
from ..errors import GradtutorError
from ..graph import Graph, shared

FORMAT = 1
ASK_FORMS = ("value", "formula")


class ProblemFileError(GradtutorError):
    """A problem file that does not follow the format."""


@dataclass(frozen=True)
class RandomSpec:
    low: float
    high: float
    integer: bool = False
    nonzero: bool = False
    shape: tuple[int, ...] = ()

    def draw(self, rng: np.random.Generator) -> np.ndarray:
        if self.integer:
            # The k-th whole number of the range, without building the range (it may be
            # [0, 1e12]); the same draws as rng.choice(range) made before, so old seeds
            # still name the same variants.
            low, high = math.ceil(self.low), math.floor(self.high)
            skip_zero = self.nonzero and low <= 0 <= high
            if self.shape == ():  # numpy's scalar draw is the same draw, without an array's cost
                number = low + int(rng.integers(0, high - low + 1 - skip_zero))
                return np.asarray(float(number + 1 if skip_zero and number >= 0 else number))
            k = rng.integers(0, high - low + 1 - skip_zero, size=self.shape)
            value = low + k
            if skip_zero:
                value = np.where(value >= 0, value + 1, value)
            return np.asarray(value, dtype=float)
        if self.shape == ():  # as below, in plain floats: np.round is x * 100, rint, / 100
            x = rng.uniform(self.low, self.high)
            x = 0.5 if self.nonzero and abs(x) < 1e-3 else x
            return np.float64(math.copysign(float(round(x * 100.0)), x * 100.0) / 100.0)
        value = rng.uniform(self.low, self.high, size=self.shape)
        if self.nonzero:
            value = np.where(np.abs(value) < 1e-3, 0.5, value)
        return np.round(np.asarray(value, dtype=float), 2)  # two decimals: friendly by hand


@dataclass(frozen=True)
class Target:
    ask: str  # 'df/dW' (a gradient) or 'q' (a node's forward value)
    form: str = "value"  # 'value': a number or matrix at this variant; 'formula': valid everywhere; 'jacobian'
    after: int = 0  # > 0: the value after this many gradient-descent steps (course/descent_targets.py)
    lr: float = 0.0
    wrt: tuple[str, ...] = ()


@dataclass
class Problem:
    set_id: str
    id: str
    title: str
    prompt: str
    program: str
    values: dict[str, np.ndarray]
    random: dict[str, RandomSpec]
    targets: list[Target] | None  # None: the whole backward walk
    tolerance: Tolerance
    points: float | None
    hints: list[str]
    path: str = ""
    line: int = 0
    kind: str = "walk"  # "code": the student writes the backward pass in Python (course/code/)
    jacobians: tuple[str, ...] = ()  # a walk's local Jacobians asked as matrices: "dh/dz"
    code: Any = None  # the CodeSpec of a code problem

    @cached_property
    def key(self) -> str:
        """The "SET/PROBLEM" name: asked for hundreds of times a submission by a grader, so made once."""
        return f"{self.set_id}/{self.id}"

    @property
    def has_random(self) -> bool:
        return bool(self.random)

    @property
    def graph(self) -> Graph:
        return shared(self.program)  # one graph for every variant and every student

    def variant(self, seed: int | None) -> dict[str, np.ndarray]:
        """The fixed values plus the random ones drawn for `seed` (the same seed, the same variant)."""
        return (
            self.draw(_generator(zlib.crc32(self.key.encode()), int(seed or 0))) if self.random else dict(self.values)
        )

    def draw(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """The fixed values plus random ones drawn from `rng`: a variant's values, from a generator
        the caller already has (a further point for a formula, without seeding one of its own)."""
        values = dict(self.values)
        for name in sorted(self.random):
            values[name] = self.random[name].draw(rng)
        return values


def _generator(*entropy: int) -> np.random.Generator:
    """np.random.default_rng(list(entropy)), drawing the same numbers: the entropy given as the
    32-bit words numpy would cut it into. A list is cut by a numpy helper that costs more than
    the rest of a variant (a batch draws one for each student and problem)."""
    words = []
    for n in entropy:
        while True:
            words.append(n & 0xFFFFFFFF)
            n >>= 32
            if not n:
                break
    return np.random.default_rng(np.random.SeedSequence(np.array(words, dtype=np.uint32)))


@dataclass
class ProblemSet:
    id: str
    title: str
    order: int
    summary: str
    problems: list[Problem]
    path: str = ""
    unread: int = 0  # [[problem]] tables a linter could not read (their errors say why)

    def problem(self, problem_id: str) -> Problem | None:
        return next((p for p in self.problems if p.id == problem_id), None)
