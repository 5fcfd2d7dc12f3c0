"""Grading one typed answer to one question.

An answer is a number, a matrix literal or a formula in the gradtutor language
using the graph's names and `grad` (the node's upstream gradient). It is
parsed and evaluated by gradtutor itself, compared with hand-rounding
tolerance, and when wrong, matched against the mistakes typical of the
question (questions.py) and of the gate's pattern (the op table), then
against the generic ones: a flipped sign, a transpose, a factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import budget
from ..autodiff.compare import Tolerance, diagnose
from ..autodiff.formula import compile_formula, evaluate
from ..budget import BudgetError
from ..errors import GradtutorError
from ..mistakes import Mistake
from .kinks import kink_note, one_sided_answers
from .questions import Question

ANSWERS = Tolerance()  # hand rounding: within 1% or 0.005
MAX_ANSWER_CHARS = 10_000  # a formula longer than this is no answer to one question (and slow to parse)


@dataclass
class Verdict:
    correct: bool
    value: Any = None  # what the answer evaluated to
    mistakes: list[Mistake] = field(default_factory=list)
    unreadable: str | None = None  # why the answer could not be read (no try is used up)
    note: str | None = None  # said with a right answer: it took the other side of a kink

    @property
    def codes(self) -> list[str]:
        return [m.code for m in self.mistakes]


def check_length(text: str) -> None:
    """Refuse an answer too long to be one: a 2 MB `z+z+...` would take a grader minutes."""
    if len(text) > MAX_ANSWER_CHARS and not text.startswith("["):
        raise BudgetError(
            f"the answer is {len(text):,} characters long; an answer may have at most {MAX_ANSWER_CHARS:,}",
            hint="write the formula shorter, e.g. 3*z rather than z + z + z",
        )


def read_answer(walk, question: Question, text: str) -> Any:
    check_length(text)
    plain = _plain_number(text)
    if plain is not None:
        return plain
    env = walk.answer_env(question)
    formula = compile_formula(text, env, what="answer")
    return np.asarray(evaluate(formula, env, what="answer"), dtype=float)


def _plain_number(text: str) -> np.ndarray | None:
    """A number or a JSON matrix, read without the parser (most batch answers are these);
    anything else goes through the grammar. Nothing is evaluated as Python."""
    if not text.startswith("["):  # float() refusing a matrix would cost an exception
        try:
            return np.asarray(float(text))
        except ValueError:
            return None
    import json

    budget.text_limit("the answer", len(text))
    try:
        value = np.asarray(json.loads(text), dtype=float)
    except (ValueError, TypeError, RecursionError):
        return None
    return value if value.ndim <= 2 and value.size and np.isfinite(value).all() else None


def grade(walk, question: Question, text: str, tolerance: Tolerance = ANSWERS) -> Verdict:
    text = text.strip()
    if not text:
        return Verdict(False, unreadable="type a number, a matrix such as [[1, 2], [3, 4]], or a formula")
    quick = _right_number(walk, question, text, tolerance)
    if quick is not None:
        return quick
    value = _plain_number(text)  # most batch answers: no parse, and no definition typed back
    if value is None:
        refusal = question.refusal(walk, text)
        if refusal:
            return Verdict(False, unreadable=refusal)
        try:
            with budget.scope():  # each answer gets the work of one command, and no more
                value = read_answer(walk, question, text)
        except GradtutorError as exc:
            return Verdict(False, unreadable=exc.render().removeprefix("error: "))
    if not (math.isfinite(value) if value.ndim == 0 else np.isfinite(value).all()):
        return Verdict(False, unreadable="that is not a finite number")
    expected = np.asarray(question.answer, dtype=float)
    if tolerance.close(value, expected):  # close at the answer's own scale is close at any larger one
        return Verdict(True, value)
    scale = question.value_scale(walk)
    if tolerance.close(value, expected, scale):
        return Verdict(True, value)
    if any(tolerance.close(value, other, scale) for other in one_sided_answers(walk, question)):
        return Verdict(True, value, note=kink_note(walk))
    return Verdict(False, value, likely_mistakes(walk, question, value, tolerance))


def _right_number(walk, question: Question, text: str, tolerance: Tolerance) -> Verdict | None:
    """A right number for a number question, decided in plain floats (most answers of a class
    are these, and numpy's per-call cost was most of their time); None: take the full path."""
    if text.startswith("["):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    answer = question.answer
    if not math.isfinite(value) or not (isinstance(answer, float) or np.ndim(answer) == 0):
        return None
    expected = float(answer)
    # The scale only widens the tolerance: close at the answer's own size needs no other.
    if not tolerance.close_numbers(value, expected) and not tolerance.close_numbers(
        value, expected, question.value_scale(walk)
    ):
        return None
    return Verdict(True, np.asarray(value))


def likely_mistakes(walk, question: Question, value: np.ndarray, tol: Tolerance) -> list[Mistake]:
    expected = np.asarray(question.answer, dtype=float)
    name = walk.graph.labels[question.input]
    if value.shape != expected.shape:
        return diagnose(value, expected, name=name, noun=question.noun)

    scale = question.value_scale(walk)
    if expected.ndim == 0:  # numbers (most questions): the same tests in plain floats
        v, e = float(value), float(expected)

        def near(candidate: Any) -> bool:
            c = np.asarray(candidate, dtype=float)
            return c.ndim == 0 and tol.close_numbers(v, float(c), scale) and not tol.close_numbers(float(c), e, scale)

    else:

        def near(candidate: Any) -> bool:
            c = np.asarray(candidate, dtype=float)
            # the answer's closeness first: most candidates are far from it, and then the other test is not needed
            return c.shape == expected.shape and tol.close(value, c, scale) and not tol.close(c, expected, scale)

    return question.mistakes(walk, near) or diagnose(
        value, expected, rtol=tol.rtol, atol=tol.atol or 0.0, name=name, noun=question.noun
    )
