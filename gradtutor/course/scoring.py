"""Answers into points: partial credit and feedback a student can act on.

Each question of a problem earns its share of the problem's points. Policies
(course/assignment.py) decide the rest: all or nothing per problem, credit per
entry of a matrix answer (with a note such as "row 2 wrong"), and a penalty per
retry when the answers come from practice. Feedback repeats the student's answer
and names the diagnosis with its stable code; the expected answer is kept apart
(`expected`) so that Gradescope can show it only when the assignment allows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..autodiff.compare import relative_error
from ..errors import GradtutorError
from ..language.numbers import fmt_number, fmt_value
from ..teach.questions import Question
from .assignment import Item
from .exercise import Exercise

MAX_ANSWER = 10_000  # characters: longer is no hand-derived gradient


@dataclass
class QuestionResult:
    problem: str  # "SET/PROBLEM"
    ask: str
    kind: str
    score: float
    max_score: float
    status: str  # right, partial, wrong, unreadable, no-answer, not-submitted, not-graded
    output: str  # Markdown, for the student
    codes: list[str] = field(default_factory=list)
    tries: int = 0  # 0: no answer
    expected: str = ""

    @property
    def first_try(self) -> bool:
        return self.status == "right" and self.tries == 1


def read_answer(value: Any) -> tuple[str, int]:
    """(text, tries) from a submitted answer: text, a number, a matrix, or {"answer", "tries"}
    as `gradtutor submit` writes it. ValueError says what is wrong."""
    tries = 1
    if isinstance(value, dict):
        if set(value) - {"answer", "tries"} or "answer" not in value:
            raise ValueError('an answer is text, a number, or {"answer": ..., "tries": N}')
        tries = value.get("tries", 1)
        if not isinstance(tries, int) or isinstance(tries, bool) or not 1 <= tries <= 1000:
            raise ValueError(f'"tries" should be a whole number from 1, not {json.dumps(tries)}')
        value = value["answer"]
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{json.dumps(value)} is not an answer: write a number, a matrix or a formula")
    if isinstance(value, (int, float, list)):
        value = json.dumps(value)
    if not isinstance(value, str):
        raise ValueError("an answer is text, a number or a matrix")
    if len(value) > MAX_ANSWER:
        raise ValueError(f"the answer is {len(value)} characters long; the limit is {MAX_ANSWER}")
    return value, tries


def short_value(value: Any) -> str:
    """A small answer as nested lists of 4-figure numbers (numpy's printer costs a millisecond
    a call, and a class has a quarter of a million answers); large ones as fmt_value prints them."""
    if isinstance(value, float):
        return fmt_number(value)
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return fmt_number(float(arr))
    if arr.size > 36 or arr.ndim > 2:
        return fmt_value(arr)
    if arr.ndim == 1:
        return "[" + ", ".join(fmt_number(v, 4) for v in arr.tolist()) + "]"
    return "[" + ", ".join("[" + ", ".join(fmt_number(v, 4) for v in row) + "]" for row in arr.tolist()) + "]"


def code_span(text: str, limit: int = 200) -> str:
    """The student's answer as Markdown code, shortened and safe from backticks."""
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + "…"
    return "`` " + text.replace("`", "'") + " ``"


def score_problem(ex: Exercise, answers: dict[str, Any] | None, item: Item) -> list[QuestionResult]:
    """The problem's questions, scored under the item's policy (answers None: not submitted)."""
    worth = item.points / max(1, len(ex.questions))
    key = ex.problem.key
    results: list[QuestionResult] = []
    for q in ex.questions:
        expected = f"{q.ask} = {short_value(q.answer)}" if item.policy.answers != "hidden" else ""
        if answers is None:
            results.append(QuestionResult(key, q.ask, q.kind, 0.0, worth, "not-submitted", "not submitted"))
        elif q.ask not in answers:
            results.append(QuestionResult(key, q.ask, q.kind, 0.0, worth, "no-answer", "no answer"))
        else:
            results.append(_score(ex, q, answers[q.ask], worth, item))
        results[-1].expected = expected
    if item.policy.credit == "problem" and any(r.score < r.max_score for r in results):
        for r in results:
            if r.score:
                r.output += "\n\n(all or nothing: this problem counts only when every question is right)"
            r.score = 0.0
    return results


def _score(ex: Exercise, q: Question, raw: Any, worth: float, item: Item) -> QuestionResult:
    key = ex.problem.key
    try:
        text, tries = read_answer(raw)
    except ValueError as exc:
        return QuestionResult(key, q.ask, q.kind, 0.0, worth, "unreadable", f"could not read the answer: {exc}")
    shown = code_span(text)
    try:
        verdict = ex.grade(q, text)
    except GradtutorError as exc:  # this answer alone: the submission's other answers still count
        message = f"could not grade {shown}: {exc.message} (your instructor can see this)"
        return QuestionResult(key, q.ask, q.kind, 0.0, worth, "not-graded", message, [], tries)
    if verdict.unreadable:
        why = verdict.unreadable.splitlines()[0]
        return QuestionResult(key, q.ask, q.kind, 0.0, worth, "unreadable", f"could not read {shown}: {why}", [], tries)
    penalty = max(0.0, 1.0 - item.policy.retry_penalty * (tries - 1))
    retry_note = (
        f" ({tries} tries: {item.policy.retry_penalty * (tries - 1):.0%} off)"
        if tries > 1 and item.policy.retry_penalty
        else ""
    )
    codes = verdict.codes
    diagnosis = "; ".join(f"{m.message} (`{m.code}`)" for m in verdict.mistakes)
    if verdict.correct:
        note = f"\n\n{verdict.note}" if verdict.note else ""
        return QuestionResult(
            key, q.ask, q.kind, worth * penalty, worth, "right", f"✔ right: {shown}{retry_note}{note}", codes, tries
        )
    fraction, where = _entries(ex, q, verdict.value) if item.policy.per_entry and q.kind != "formula" else (0.0, "")
    detail = (
        "; ".join(x for x in (where if fraction > 0 else "", diagnosis) if x)
        or "not the right value, and no common mistake fits"
    )
    if fraction > 0:
        return QuestionResult(
            key,
            q.ask,
            q.kind,
            worth * fraction * penalty,
            worth,
            "partial",
            f"◐ partly right ({fraction:.0%} of the entries): {shown}: {detail}{retry_note}",
            codes,
            tries,
        )
    return QuestionResult(key, q.ask, q.kind, 0.0, worth, "wrong", f"✘ wrong: {shown}: {detail}", codes, tries)


def _entries(ex: Exercise, q: Question, value: Any) -> tuple[float, str]:
    """(share of entries right, where the wrong ones are) for a vector or matrix answer of the
    right shape; (0, "") otherwise."""
    expected = np.asarray(q.answer, dtype=float)
    got = np.asarray(value, dtype=float) if value is not None else None
    if got is None or got.shape != expected.shape or expected.ndim == 0:
        return 0.0, ""
    ok = entries_close(ex.problem.tolerance, got, expected, q.value_scale(ex.walk))
    wrong = np.argwhere(~ok)
    return float(ok.mean()), _where(ok, wrong)


def entries_close(tol, got: np.ndarray, expected: np.ndarray, scale: float) -> np.ndarray:
    """Tolerance.close entry by entry, on the whole answer's scale (vectorised: a class of
    matrices is graded in one go)."""
    if tol.atol == 0:
        return relative_error(got, expected) <= tol.rtol
    scale = max(scale, float(np.max(np.abs(expected), initial=0.0)))
    floor = tol.atol if tol.atol is not None else max(5e-3 * scale, 1e-12)
    diff = np.abs(got - expected)
    flipped = (got * expected < 0) & (diff > 1e-12 * max(scale, 1.0))
    return (diff <= np.maximum(floor, tol.rtol * np.abs(expected))) & ~flipped


def _where(ok: np.ndarray, wrong: np.ndarray) -> str:
    if not len(wrong):
        return ""
    if ok.ndim == 1:
        return _few([f"entry {i + 1}" for (i,) in wrong], len(ok))
    rows = sorted({int(i) for i, _ in wrong})
    cols = sorted({int(j) for _, j in wrong})
    if len(rows) == 1 and not ok[rows[0]].any():
        return f"row {rows[0] + 1} wrong"
    if len(cols) == 1 and not ok[:, cols[0]].any():
        return f"column {cols[0] + 1} wrong"
    return _few([f"entry ({i + 1}, {j + 1})" for i, j in wrong], ok.size)


def _few(names: list[str], total: int) -> str:
    if len(names) <= 3:
        return ", ".join(names) + " wrong"
    return f"{len(names)} of {total} entries wrong"
