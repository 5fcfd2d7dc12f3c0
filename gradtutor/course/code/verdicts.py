"""Comparing one value the student's code produced with the engine's, and naming the mistake.

The generic diagnoses (sign, transposed, factor, zero, shape) come from
autodiff/compare.py and the chain-rule ones (a missed branch, a forgotten local
gradient, σ for σ(1 − σ), W for W.T) from autodiff/variants.py; this module adds
what only code can get wrong: a NaN, an integer or single-precision dtype, a batch
axis left unsummed, a gradient not returned at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...autodiff.compare import close, diagnose, relative_error
from ...autodiff.reverse import Evaluation
from ...autodiff.variants import variants
from ...language.numbers import describe_shape
from ...mistakes import Mistake

RTOL = 1e-6  # code computes in float64: anything looser than this is a mistake, not rounding
GOOD_DTYPES = {"float64", "python-float", "python-int", "list", "tuple"}  # a Python int is exact


@dataclass
class Verdict:
    """One value in one case: right or not, its largest relative error, and why it is wrong."""

    ok: bool
    error: float | None = None
    mistakes: list[Mistake] = field(default_factory=list)


def decode(item: dict[str, Any] | None) -> tuple[np.ndarray | None, str]:
    """(the value as float64, its dtype) from the child's JSON; (None, type name) for a non-number."""
    if not item or "data" not in item:
        return None, (item or {}).get("type", "nothing")
    return np.asarray(item["data"], dtype=np.float64), item["dtype"]


def missing(name: str, what: str) -> Verdict:
    return Verdict(False, None, [Mistake("missing", f"{name} is {what}")])


def judge(
    item: dict[str, Any] | None,
    accepted: list[Any],
    name: str,
    noun: str = "gradient",
    evaluation: Evaluation | None = None,
    node: int | None = None,
) -> Verdict:
    """The child's `item` against the accepted answers (the engine's first; one-sided slopes
    after it at a kink). With an evaluation and node, chain-rule variants are tried too."""
    got, dtype = decode(item)
    if got is None:
        kind = "nothing (None)" if dtype == "None" else f"a {dtype}, not a number or an array"
        if item and item.get("too_large"):
            kind = f"an array of shape {tuple(item['shape'])}, far too large"
        return missing(name, f"{kind}")
    ref = np.asarray(accepted[0], dtype=float)
    if not np.all(np.isfinite(got)):
        bad = "NaN" if np.isnan(got).any() else "inf"
        return Verdict(False, None, [Mistake("nan", f"{name} holds {bad}: look for 0/0, log(0) or an overflow")])
    if got.shape != ref.shape:
        return Verdict(False, None, shape_mistakes(got, ref, name, noun))
    errors = np.min([relative_error(got, np.asarray(a, dtype=float)) for a in accepted], axis=0)
    worst = float(np.max(errors, initial=0.0))
    wrong_dtype = dtype not in GOOD_DTYPES
    if worst <= RTOL and not wrong_dtype:
        return Verdict(True, worst)
    found: list[Mistake] = []
    if wrong_dtype:
        found.append(
            Mistake(
                "dtype",
                f"{name} holds {dtype.removeprefix('python-')}, not float64 "
                f"(an integer array, e.g. from np.zeros(..., dtype=int), cuts off fractions)",
            )
        )
    if worst > RTOL:
        found += diagnose(got, ref, RTOL, 0.0, name=name, noun=noun) or _variant(got, evaluation, node)
    return Verdict(False, worst, found)


def shape_mistakes(got: np.ndarray, ref: np.ndarray, name: str, noun: str) -> list[Mistake]:
    if got.ndim == ref.ndim + 1 and got.shape[1:] == ref.shape and close(got.sum(axis=0), ref, RTOL):
        return [
            Mistake(
                "batch-sum",
                f"{name} has one row per example ({describe_shape(got.shape)}); a parameter used by every "
                f"example collects the sum over the batch axis: sum over axis 0 to get {describe_shape(ref.shape)}",
            )
        ]
    return diagnose(got, ref, RTOL, 0.0, name=name, noun=noun)


def _variant(got: np.ndarray, evaluation: Evaluation | None, node: int | None) -> list[Mistake]:
    if evaluation is None or node is None:
        return []
    for mistake, value in variants(evaluation, node):
        if np.shape(value) == got.shape and close(got, value, RTOL):
            return [mistake]
    return []


def swapped(items: list[Any], refs: list[Any], names: list[str]) -> dict[int, Mistake]:
    """Gradients returned in the wrong order: item i is gradient j and item j is gradient i."""
    found: dict[int, Mistake] = {}
    values = [decode(item)[0] for item in items]
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            a, b = values[i], values[j]
            if a is None or b is None or i in found or j in found:
                continue
            ri, rj = (np.asarray(refs[k], dtype=float) for k in (i, j))
            if a.shape == rj.shape and b.shape == ri.shape and close(a, rj, RTOL) and close(b, ri, RTOL):
                if a.shape == ri.shape and close(a, ri, RTOL):
                    continue  # equal gradients: the order cannot be told
                message = f"{names[i]} and {names[j]} are swapped: return them in the order {', '.join(names)}"
                found[i] = found[j] = Mistake("swapped", message)
    return found
