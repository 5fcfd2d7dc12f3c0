"""Practising problem sets: which problem comes next, and an attempt that stores every answer.

Each answer goes to the progress store the moment the session reports it
(before the student is told anything about it), so a killed process loses
nothing already answered; an attempt is marked finished only when its last
question is done. The terminal loop lives in render/practice_view.py.
"""

from __future__ import annotations

import numpy as np

from ..teach.session import Outcome, Session, SessionResult
from .exercise import Exercise, exercise
from .problem import Problem, ProblemSet
from .progress import Store


class Attempt:
    """One attempt at one problem: its exercise, its session and its row in the store."""

    def __init__(self, problem: Problem, store: Store, seed: int | None = None) -> None:
        if problem.has_random and seed is None:
            seed = int(np.random.default_rng().integers(0, 10**6))
        self.exercise: Exercise = exercise(problem, seed)
        self.store = store
        self.id = store.start_attempt(problem.set_id, problem.key, self.exercise.seed, self.exercise.max_points)
        ex = self.exercise
        self.session = Session(
            ex.walk,
            questions=None if problem.targets is None else ex.questions,
            grader=ex.grade,
            tolerance=problem.tolerance,
            hints=problem.hints,
            worth=ex.points_per_question,
        )

    def record(self, outcome: Outcome, text: str, verdict) -> None:
        """Store one answer (the session's Answered event)."""
        status = "retry" if outcome.status == "unanswered" else outcome.status
        self.store.record_answer(
            self.id,
            outcome.question.ask,
            outcome.question.kind,
            text.strip(),
            bool(verdict is not None and verdict.correct),
            outcome.attempts if verdict is not None else 0,
            status,
            verdict.codes if verdict is not None else [],
            0.0 if status == "retry" else outcome.points,
            outcome.hints,
        )

    def close(self, result: SessionResult) -> None:
        if result.finished:
            self.store.finish_attempt(self.id, result.score)


def choose(problem_set: ProblemSet, store: Store, review: bool) -> list[Problem]:
    """The next unsolved problems, or (review) those whose last attempt had mistakes."""
    states = store.problem_states(problem_set.id)
    if review:
        return [
            p
            for p in problem_set.problems
            if p.key in states and (states[p.key].last_wrong or not states[p.key].last_all_right)
        ]
    return [p for p in problem_set.problems if not (p.key in states and states[p.key].solved)]


def summary_of(problem_set: ProblemSet, store: Store, points: bool = True):
    """The set's progress; scores weigh problems by their points (or count them, without `points`)."""
    weights = {p.key: (_max_points(p) if points else 1.0) for p in problem_set.problems}
    return store.set_summary(problem_set.id, [p.key for p in problem_set.problems], weights)


def _max_points(problem: Problem) -> float:
    if problem.points is not None:
        return problem.points
    return 1.0 if problem.kind == "code" else exercise(problem, 0).max_points  # a code problem: one check


def summary_json(problem_set: ProblemSet, store: Store) -> dict:
    s = summary_of(problem_set, store)
    return {
        "set": problem_set.id,
        "title": problem_set.title,
        "problems": s.problems,
        "solved": s.solved,
        "score": s.score,
        "max_score": s.max_score,
        "first_try_rate": s.first_try_rate,
        "top_mistakes": [{"code": code, "count": n} for code, n in s.top_mistakes],
    }
