"""Gradient checking: claimed formulas against exact reverse mode and central differences.

A claimed gradient is checked at several random points (like WeBWorK), so a
formula that agrees at one point by accident still fails. At each point it is
compared entry by entry with the exact gradient (the verdict) and with
central differences (an independent second opinion). Without claims, the
engine's own gradient is checked against central differences and the result
is placed in the CS231n relative-error bands.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..budget import BudgetError
from ..errors import GradtutorError, NameLookupError, suggest
from ..graph import Graph
from ..language.values import random_value
from ..mistakes import Mistake
from .blocks import diagnose_large, make_all_rows, max_relative_error
from .compare import diagnose
from .formula import compile_formula, evaluate, program_env
from .numeric import branch_signature, on_kink, plan, probe, score
from .reverse import forward, require_scalar
from .row_gradient import by_rows, exact_gradients
from .variants import chain_rule_mistakes

EXACT_TOL = 1e-6  # claimed vs exact: both exact, so only rounding separates them
NUMERIC_PASS = 1e-4  # engine vs central differences (CS231n: "usually okay" below this)
FULL_CHECK_LIMIT = 100  # entries; past this, sample entries and random directions
SAMPLED_ENTRIES = 20
DIRECTIONS = 4

BANDS = [  # (upper bound, label, meaning) - after the CS231n notes on gradient checks
    (1e-7, "excellent", "below 1e-7: the gradient is right"),
    (1e-4, "acceptable", "1e-7 to 1e-4: fine where there are kinks, suspicious for smooth functions"),
    (1e-2, "suspicious", "1e-4 to 1e-2: probably a bug, unless near a kink"),
    (float("inf"), "wrong", "above 1e-2: the gradient is almost certainly wrong"),
]


def band(error: float) -> str:
    return next(label for bound, label, _ in BANDS if error < bound)


@dataclass
class PointResult:
    passed: bool
    max_error: float | None  # claimed vs exact (None without a claim)
    worst_index: tuple[int, ...] | None
    numeric_error: float | None  # (claimed or exact) vs central differences
    kinks: int  # numeric probes skipped because they straddle a kink
    probes: int
    mistakes: list[Mistake]
    on_kink: bool  # the point itself sits exactly on a kink


@dataclass
class TargetReport:
    name: str
    shape: tuple[int, ...]
    formula: str | None
    points: list[PointResult] = field(default_factory=list)
    sampled: bool = False

    @property
    def passed(self) -> bool:
        return all(p.passed for p in self.points)

    @property
    def verdict(self) -> str:
        """'right', 'wrong', or 'kink' when every numeric estimate straddled a kink (engine mode)."""
        if not self.passed:
            return "wrong"
        if self.formula is None and self.numeric_error is None and self.kinks:
            return "kink"
        return "right"

    @property
    def max_error(self) -> float | None:
        return max((p.max_error for p in self.points if p.max_error is not None), default=None)

    @property
    def worst_index(self) -> tuple[int, ...] | None:
        scored = [p for p in self.points if p.max_error is not None]
        return max(scored, key=lambda p: p.max_error).worst_index if scored else None

    @property
    def numeric_error(self) -> float | None:
        return max((p.numeric_error for p in self.points if p.numeric_error is not None), default=None)

    @property
    def kinks(self) -> int:
        return sum(p.kinks for p in self.points)

    @property
    def diagnosis(self) -> list[str]:
        """Mistakes seen at every failing point, then a note if some points passed."""
        failing = [p for p in self.points if not p.passed]
        notes: list[str] = []
        if failing:
            kinds = [{m.code for m in p.mistakes} for p in failing]
            common = set.intersection(*kinds) if kinds else set()
            seen = set()
            for m in failing[0].mistakes + [m for p in failing[1:] for m in p.mistakes]:
                if m.code in common and m.code not in seen:
                    seen.add(m.code)
                    messages = {x.message for p in failing for x in p.mistakes if x.code == m.code}
                    if m.code == "factor" and len(messages) > 1:
                        continue  # a different factor at each point is no constant factor
                    notes.append(m.message)
            if len(failing) < len(self.points):
                notes.append(
                    f"it matches at {len(self.points) - len(failing)} of {len(self.points)} points, "
                    f"which is a coincidence at those points"
                )
        if any(p.on_kink for p in self.points):
            notes.append(
                "the point sits exactly on a kink (relu/abs at 0 or a max tie); gradtutor uses "
                "relu'(0) = 0, abs'(0) = 0 and splits a max or min tie evenly, as PyTorch does"
            )
        if self.kinks:
            notes.append(f"{self.kinks} numeric estimate(s) straddled a kink and were not counted")
        return notes


@dataclass
class CheckReport:
    program: str
    output: str
    mode: str  # 'claims' or 'engine'
    points: int
    seed: int | None
    targets: list[TargetReport]
    fixed: list[str]

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.targets)

    def to_json(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "mode": self.mode,
            "output": self.output,
            "passed": self.passed,
            "points": self.points,
            "seed": self.seed,
            "targets": [
                {
                    "name": t.name,
                    "shape": list(t.shape),
                    "formula": t.formula,
                    "passed": t.passed,
                    "verdict": t.verdict,
                    "max_rel_error": t.max_error,
                    "worst_index": list(t.worst_index) if t.worst_index is not None else None,
                    "numeric_rel_error": t.numeric_error,
                    "band": band(t.numeric_error) if t.numeric_error is not None else None,
                    "kinks": t.kinks,
                    "sampled": t.sampled,
                    "diagnosis": t.diagnosis,
                }
                for t in self.targets
            ],
        }


def run_check(
    graph: Graph,
    claims: Mapping[str, str],
    fixed: Mapping[str, np.ndarray],
    shapes: Mapping[str, tuple[int, ...]],
    points: int = 3,
    seed: int | None = None,
) -> CheckReport:
    """Check `claims` (name -> formula) or, without claims, the engine itself."""
    for name in claims:
        if name not in graph.names:
            hint = suggest(name, graph.names) or f"the program's names are {', '.join(graph.names)}"
            raise NameLookupError(f"--grad names '{name}', which is not a name in the program", hint=hint)
    for name in list(fixed) + list(shapes):
        if name not in graph.variables:
            hint = suggest(name, graph.variables) or f"the inputs are {', '.join(graph.variables)}"
            raise NameLookupError(f"'{name}' is not an input of the program", hint=hint)
    formulas = {
        name: compile_formula(text, graph.names, what=f"gradient formula for {name}") for name, text in claims.items()
    }
    targets = list(claims) if claims else list(graph.variables)
    if all(name in fixed for name in graph.variables):
        points = 1  # every input is fixed: the other points would be the same point
    rng = np.random.default_rng(seed)
    reports = {name: TargetReport(name, (), claims.get(name)) for name in targets}

    drawn: dict[str, np.ndarray] = {}
    for _ in range(points):
        values = dict(fixed)
        for name in graph.variables:
            if name not in values:
                values[name] = drawn[name] = _draw(rng, shapes.get(name, ()), drawn.get(name))
        evaluation = forward(graph, values)
        require_scalar(evaluation)
        env = program_env(graph, evaluation.values)
        kinked = bool(on_kink(branch_signature(graph, evaluation)))
        nodes = {name: graph.names[name] for name in targets}
        # The claims first, then the exact gradients, so that no claim's temporaries meet a large
        # exact gradient; but a large matrix's exact gradient comes by rows (row_gradient.py), and its
        # claim waits for its turn: of the arrays that size, only one claim is held at a time.
        later = by_rows(evaluation, [nodes[n] for n in formulas])
        claimed: dict[str, np.ndarray] = {}
        failed: dict[str, str] = {}
        for name in formulas:
            if nodes[name] not in later:
                _claim(formulas, name, env, claimed, failed)
        exacts = exact_gradients(evaluation, list(nodes.values()), later)
        exacts = {name: exacts[nodes[name]] for name in targets}
        evaluation.grads = []  # the values stay (chain-rule diagnoses sweep again); the exact ones are in exacts
        for name in targets:
            report = reports[name]
            if nodes[name] in later:
                _claim(formulas, name, env, claimed, failed)
            if name in failed:  # this formula's own trouble: its row says so, the others go on
                make_all_rows(exacts[name])  # an overflow in its exact gradient is still refused
                report.shape = exacts.pop(name).shape
                report.points.append(
                    PointResult(False, None, None, None, 0, 0, [Mistake("cannot-evaluate", failed[name])], kinked)
                )
                continue
            # On a large input the numbers are a second opinion on a claim already compared
            # entry by entry with the exact gradient: one point's worth is enough.
            numbers = name not in claimed or not report.sampled
            result, sampled = _check_point(graph, values, name, exacts, claimed, rng, kinked, numbers, evaluation)
            report.shape = result.shape
            report.sampled = report.sampled or sampled
            report.points.append(result.point)
        del env
    return CheckReport(
        graph.source,
        graph.labels[graph.output],
        "claims" if claims else "engine",
        points,
        seed,
        list(reports.values()),
        sorted(fixed),
    )


def _claim(formulas: dict, name: str, env: Any, claimed: dict, failed: dict) -> None:
    """A claim's value into `claimed`, or its trouble into `failed`. No name holds the value here:
    one would keep this point's claim alive while the next point's is made."""
    try:
        claimed[name] = np.asarray(evaluate(formulas[name], env, f"gradient formula for {name}"), dtype=float)
    except BudgetError:
        raise  # too big to check is the command's trouble (exit 2), not a wrong formula
    except GradtutorError as exc:
        failed[name] = exc.message


def _draw(rng: np.random.Generator, shape: tuple[int, ...], previous: np.ndarray | None) -> np.ndarray:
    """A random input; the previous point's array is refilled (the same numbers as a fresh
    draw) because fresh memory for a large input costs as much as the drawing."""
    if previous is not None and previous.ndim:
        return rng.standard_normal(out=previous)
    return random_value(rng, shape)


@dataclass
class _Checked:
    point: PointResult
    shape: tuple[int, ...]


def _check_point(
    graph: Graph,
    values: dict[str, Any],
    name: str,
    exacts: dict[str, np.ndarray],
    claims: dict[str, np.ndarray],
    rng: np.random.Generator,
    kinked: bool,
    numbers: bool = True,
    evaluation=None,
) -> tuple[_Checked, bool]:
    """One target at one point: the claim against the exact gradient, then (if `numbers`)
    central differences against the claim (or, without one, against the exact gradient).

    The arrays are popped from the caller's dicts, so that dropping them here frees them."""
    exact, claimed = exacts.pop(name), claims.pop(name, None)
    mistakes: list[Mistake] = []
    max_error = worst = None
    passed = True
    shape = exact.shape
    reference = exact
    if claimed is not None:
        if claimed.shape != exact.shape:
            # a claim of the wrong shape cannot be compared entry by entry, with numbers or otherwise
            mistakes = diagnose(claimed, np.asarray(exact), name=name)
            return _Checked(PointResult(False, None, None, None, 0, 0, mistakes, kinked), shape), False
        max_error, worst = max_relative_error(claimed, exact)
        passed = max_error <= EXACT_TOL
        if not passed:
            mistakes = diagnose_large(claimed, exact, name, rng)
            if evaluation is not None:
                mistakes = chain_rule_mistakes(evaluation, graph.names[name], exact, claimed, mistakes, EXACT_TOL)
        reference = claimed
    engine_mode = claimed is None
    del exact, claimed  # the exact gradient is no longer needed once a claim is compared
    size = int(np.prod(shape, dtype=int))
    sampled = size > FULL_CHECK_LIMIT
    if not numbers:
        return _Checked(PointResult(passed, max_error, worst, None, 0, 0, mistakes, kinked), shape), sampled

    planned = plan(reference, rng, SAMPLED_ENTRIES if sampled else None, DIRECTIONS if sampled else 0)
    del reference  # what the probes should find is planned: the perturbed copy of x may take its place
    probes = probe(graph, values, graph.names[name], planned)
    numeric_error, errors, usable = score(probes, planned.scale)
    if numeric_error is not None and engine_mode:
        passed = numeric_error <= NUMERIC_PASS
        if not passed:
            worst_probe = usable[int(np.argmax(errors))][0]
            worst = worst_probe.where if isinstance(worst_probe.where, tuple) else None
            max_error = numeric_error
    kinks = sum(1 for p, _ in probes if p.kink)
    point = PointResult(passed, max_error, worst, numeric_error, kinks, len(probes), mistakes, kinked)
    return _Checked(point, shape), sampled
