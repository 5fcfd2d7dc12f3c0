"""Practising problem sets: pick the next problems, run each as a session, save every answer.

Each answer goes to the progress store the moment it is graded (the session's
`on_graded` hook), so a killed process loses nothing already answered; an
attempt is marked finished only when its last question is done.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from rich.console import Console
from rich.text import Text

from ..render.progress_view import set_bar
from ..teach.session import Outcome, Session, SessionResult
from .exercise import Exercise, exercise
from .problems import Problem, ProblemSet
from .progress import Store


def run_problem(
    problem: Problem,
    store: Store,
    console: Console,
    read: Callable[[str], str],
    *,
    interactive: bool,
    seed: int | None = None,
    number: str = "",
) -> SessionResult:
    if problem.has_random and seed is None:
        seed = int(np.random.default_rng().integers(0, 10**6))
    ex = exercise(problem, seed)
    attempt = store.start_attempt(problem.set_id, problem.key, ex.seed, ex.max_points)
    _introduce(console, ex, number)

    def on_graded(outcome: Outcome, text: str, verdict) -> None:
        status = "retry" if outcome.status == "unanswered" else outcome.status
        store.record_answer(
            attempt,
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

    session = Session(
        ex.walk,
        console,
        read,
        tolerance=problem.tolerance,
        echo=not interactive,
        on_graded=on_graded,
        questions=None if problem.targets is None else ex.questions,
        grader=ex.grade,
        hints=problem.hints,
        worth=ex.points_per_question,
    )
    result = session.run()
    if result.finished:
        store.finish_attempt(attempt, result.score)
    return result


def _introduce(console: Console, ex: Exercise, number: str) -> None:
    problem = ex.problem
    console.print()
    console.rule(
        Text.assemble(
            (f"{number}  " if number else "", "muted"), (problem.title, "title"), (f"   {problem.key}", "muted")
        ),
        align="left",
        style="muted",
    )
    console.print(Text(problem.prompt))
    if ex.seed is not None:
        console.print(Text(f"variant {ex.seed} (values drawn for this attempt)", "muted"))


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


def practice_set(
    problem_set: ProblemSet,
    store: Store,
    console: Console,
    read: Callable[[str], str],
    *,
    interactive: bool,
    review: bool = False,
    seed: int | None = None,
) -> None:
    todo = choose(problem_set, store, review)
    if not todo:
        what = (
            "nothing to review: every problem you tried went right"
            if review
            else "every problem in this set is solved; try --review or another set"
        )
        console.print(Text(what, "ok"))
        return
    for k, problem in enumerate(todo):
        result = run_problem(
            problem, store, console, read, interactive=interactive, seed=seed, number=f"{k + 1}/{len(todo)}"
        )
        console.print(set_bar(problem_set, store))
        if not result.finished:
            return
        if k + 1 < len(todo) and interactive:
            try:
                again = read("next problem? [Y/n] ").strip().lower()
            except (EOFError, KeyboardInterrupt):
                return
            if again in ("n", "no", "quit"):
                return
    console.print(Text(f"that was the last {'review ' if review else ''}problem of {problem_set.id}", "ok"))
