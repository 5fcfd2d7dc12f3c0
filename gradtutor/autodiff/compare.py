"""Comparing a claimed gradient with the true one, and naming the likely mistake.

Shared by `check` (a student's formula against reverse mode) and the tutor
(a typed answer against the node's gradient). The relative error is the
CS231n one, |a - b| / max(|a|, |b|), with a floor so that entries that are
both (nearly) zero do not divide by zero.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..language.numbers import describe_shape
from ..mistakes import Mistake


def relative_error(claimed: Any, true: Any, floor: float | None = None) -> np.ndarray:
    """Entry-wise |a - b| / max(|a|, |b|, floor).

    The floor is a thousandth of the gradient's largest entry (and at least
    1e-8): an entry a thousand times smaller than the rest is judged on the
    gradient's scale, so the rounding error of a central difference
    (~1e-11) does not look like a mistake in a near-zero entry.
    """
    a = np.asarray(claimed, dtype=float)
    b = np.asarray(true, dtype=float)
    if floor is None:
        scale = max(float(np.abs(a).max(initial=0.0)), float(np.abs(b).max(initial=0.0)))
        floor = max(1e-8, 1e-3 * scale)
    return np.abs(a - b) / np.maximum(np.maximum(np.abs(a), np.abs(b)), floor)


SMALL = 36  # entries: a typed matrix this size is compared faster in floats than by numpy's calls


@dataclass(frozen=True)
class Tolerance:
    """When a claimed value counts as the true one: the one closeness test for answers and checks.

    Typed answers (the default) are rounded by hand: each entry must be within `rtol` of the
    true entry, or within an absolute floor. The floor is `atol` when one is given, and
    otherwise half a percent of the scale of the numbers the question is about (`scale`,
    by default the answer's largest entry), so the tolerance scales with the values:
    at x = 0.001 it accepts neither 0 nor -0.002 for 0.002, while at x = 1 it still
    accepts 0.2 for sigmoid's 0.1966. A sign flip is never close. With `atol` = 0
    (formulas, `check`) the relative error, with its floor, must be at most `rtol`."""

    rtol: float = 1e-2
    atol: float | None = None

    def close(self, claimed: Any, true: Any, scale: float | None = None) -> bool:
        a, b = _number(claimed), _number(true)
        if a is not None and b is not None:
            return self.close_numbers(a, b, scale)
        a = np.asarray(claimed, dtype=float)
        b = np.asarray(true, dtype=float)
        if a.shape != b.shape:
            return False
        if a.ndim == 0:
            return self.close_numbers(float(a), float(b), scale)
        if a.size <= SMALL:  # entry by entry in floats, on the whole array's scale: the same rules
            return self._close_entries(a.ravel().tolist(), b.ravel().tolist(), scale)
        if self.atol == 0:
            return bool(np.max(relative_error(a, b), initial=0.0) <= self.rtol)
        size = np.abs(b)  # the arrays' own methods: np.max & co. add a wrapper's cost to each call
        largest = float(size.max(initial=0.0))
        scale = largest if scale is None else max(scale, largest)
        floor = self.atol if self.atol is not None else max(5e-3 * scale, 1e-12)
        diff = np.abs(a - b)
        if ((a * b < 0) & (diff > 1e-12 * max(scale, 1.0))).any():
            return False  # opposite signs: a flipped sign is a mistake at any size
        return bool((diff <= np.maximum(floor, self.rtol * size)).all())

    def _close_entries(self, claimed: list[float], true: list[float], scale: float | None) -> bool:
        if self.atol == 0:  # relative_error's rule, its floor from the largest entry of either
            floor = max(1e-8, 1e-3 * max(map(abs, claimed + true), default=0.0))
            return all(abs(x - y) / max(abs(x), abs(y), floor) <= self.rtol for x, y in zip(claimed, true))
        largest = max(map(abs, true), default=0.0)
        scale = largest if scale is None else max(scale, largest)
        return all(self.close_numbers(x, y, scale) for x, y in zip(claimed, true))

    def close_numbers(self, a: float, b: float, scale: float | None = None) -> bool:
        """`close` for two numbers, in plain floats (most answers are numbers, and numpy's
        per-call cost is most of the time for them); the same rules, entry for entry."""
        if self.atol == 0:
            floor = max(1e-8, 1e-3 * max(abs(a), abs(b)))
            return abs(a - b) / max(abs(a), abs(b), floor) <= self.rtol
        scale = abs(b) if scale is None else max(scale, abs(b))
        floor = self.atol if self.atol is not None else max(5e-3 * scale, 1e-12)
        diff = abs(a - b)
        if a * b < 0 and diff > 1e-12 * max(scale, 1.0):
            return False
        return diff <= max(floor, self.rtol * abs(b))


def _number(x: Any) -> float | None:
    """A float or a 0-d array as a float (None: anything else), without np.asarray's per-call cost."""
    if isinstance(x, float):
        return x
    if type(x) is np.ndarray and x.ndim == 0:
        return float(x)
    return None


def close(claimed: Any, true: Any, rtol: float = 1e-6, atol: float = 0.0) -> bool:
    return Tolerance(rtol, atol).close(claimed, true)


def nice_factor(k: float) -> str:
    """2, 1/2, -3, 0.37 ... : a factor as a student would say it."""
    frac = Fraction(k).limit_denominator(12)
    if abs(float(frac) - k) <= 1e-6 * max(1.0, abs(k)):
        return str(frac.numerator) if frac.denominator == 1 else f"{frac.numerator}/{frac.denominator}"
    return f"{k:.4g}"


def diagnose(
    claimed: Any, true: Any, rtol: float = 1e-6, atol: float = 0.0, name: str = "the variable", noun: str = "gradient"
) -> list[Mistake]:
    """The likely mistakes that turn `true` into `claimed` (empty if none fits); `noun` says
    what was asked (a gradient, or a forward value)."""
    a = np.asarray(claimed, dtype=float)
    b = np.asarray(true, dtype=float)
    if a.shape != b.shape:
        if a.ndim == 2 and b.ndim == 2 and a.shape == b.shape[::-1] and close(a.T, b, rtol, atol):
            return [
                Mistake(
                    "transposed",
                    f"transposed: this is the transpose of the {noun}, which has "
                    f"{name}'s shape {b.shape} (the shape convention)",
                )
            ]
        if a.size == b.size and close(a.reshape(b.shape), b, rtol, atol):
            return [
                Mistake(
                    "shape",
                    f"the numbers are right but arranged as {describe_shape(a.shape)}; "
                    f"the {noun} has {name}'s shape, {describe_shape(b.shape)}",
                )
            ]
        return [
            Mistake(
                "shape",
                f"wrong shape: this is {describe_shape(a.shape)}, but the {noun} must have "
                f"{name}'s shape, {describe_shape(b.shape)}",
            )
        ]
    if a.ndim == 0:  # two numbers: the same tests in plain floats (most wrong answers are numbers)
        return _diagnose_numbers(float(a), float(b), rtol, atol, noun)
    if not b.any() and not a.any():
        return []
    if close(a, -b, rtol, atol):
        return [Mistake("sign", f"sign flipped: this is the negative of the {noun}")]
    if a.ndim == 2 and a.shape[0] == a.shape[1] and close(a.T, b, rtol, atol):
        return [Mistake("transposed", "transposed: the rows and columns are swapped")]
    if not a.any():
        return [Mistake("zero", f"this is zero, but the {noun} is not")]
    denom = float(np.vdot(b, b))
    if denom > 0:
        k = float(np.vdot(a, b)) / denom
        simple = a.size > 1 or _simple(k)
        if abs(k - 1) > 1e-3 and abs(k) > 1e-9 and simple and close(a, k * b, rtol, atol):
            return [_factor(k, noun)]
    return []


def _diagnose_numbers(a: float, b: float, rtol: float, atol: float, noun: str) -> list[Mistake]:
    if b == 0 and a == 0:
        return []
    if close(a, -b, rtol, atol):
        return [Mistake("sign", f"sign flipped: this is the negative of the {noun}")]
    if a == 0:
        return [Mistake("zero", f"this is zero, but the {noun} is not")]
    denom = b * b
    if denom > 0:
        k = a * b / denom
        if abs(k - 1) > 1e-3 and abs(k) > 1e-9 and _simple(k) and close(a, k * b, rtol, atol):
            return [_factor(k, noun)]
    return []


def _simple(k: float) -> bool:
    """Two single numbers always differ by *some* factor; only a simple one (2, 1/2, 3 ...) says
    something about the mistake. For arrays, any common factor does."""
    return any(abs(k - c) <= 1e-2 * abs(c) for c in (2, 0.5, 3, 1 / 3, 4, 0.25))


def _factor(k: float, noun: str) -> Mistake:
    return Mistake("factor", f"off by a constant factor: this is {nice_factor(k)} times the {noun}")
