"""Gradient-flow patterns, as the lectures name them, and the mistakes typical of each.

Every op names its pattern (and the one it follows when an operand is a
constant), so a new op inherits its pattern's typical mistakes. A typical
mistake says which wrong value a student produces at such a gate, as a
function of what the gate saw, and what to tell them; the walk's grader tries
each one on a wrong answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


class GateContext:
    """What a typical mistake is computed from: one input of one gate, at one point.

    `scale` is 1 for a local gradient and the upstream gradient for a downstream one;
    `own` is the input's own value, `out` the gate's value."""

    __slots__ = ("scale", "own", "out", "answer")

    def __init__(self, scale: Any, own: Any, out: Any, answer: Any) -> None:
        self.scale = scale
        self.own = own
        self.out = out  # the gate's output
        self.answer = answer


class TypicalMistake:
    __slots__ = ("code", "message", "wrong", "two_inputs")

    def __init__(
        self, *, code: str, message: str, wrong: Callable[[GateContext], list[Any]], two_inputs: bool = False
    ) -> None:
        self.code = code  # a stable diagnosis code (gradtutor.mistakes)
        self.message = message  # a template over the gate's names: x, other, gate, title, rule
        self.wrong = wrong  # the values a student with this mistake would give
        self.two_inputs = two_inputs  # only at gates with two different inputs

    def applies(self, distinct_inputs: int) -> bool:
        return distinct_inputs == 2 or not self.two_inputs


def _swap(c: GateContext) -> list[Any]:
    return [np.multiply(c.scale, c.own)]


def _route(c: GateContext) -> list[Any]:
    return [c.scale, np.zeros_like(np.asarray(c.answer, dtype=float))]


def _split(c: GateContext) -> list[Any]:
    return [np.multiply(0.5, c.scale)]


MISTAKES: dict[str, tuple[TypicalMistake, ...]] = {
    "swaps": (
        TypicalMistake(
            code="swap",
            two_inputs=True,
            wrong=_swap,
            message="a {title} gate swaps: the gradient for {x} uses the *other* input's value ({other}), "
            "not {x}'s own",
        ),
    ),
    "routes": (TypicalMistake(code="route", two_inputs=True, wrong=_route, message="{rule}"),),
    "distributes": (
        TypicalMistake(
            code="split", wrong=_split, message="an add gate does not split the gradient: each input gets all of it"
        ),
    ),
}


def typical_mistakes(pattern: str) -> tuple[TypicalMistake, ...]:
    return MISTAKES.get(pattern, ())
