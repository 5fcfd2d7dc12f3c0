"""Practice at the terminal: each problem introduced, walked as a session, the set's bar after it."""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from ..course.practice import Attempt, choose
from ..course.problem import Problem, ProblemSet
from ..course.progress import Store
from ..teach.session import SessionResult
from .progress_view import set_bar
from .session_view import run_session


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
    attempt = Attempt(problem, store, seed)
    _introduce(console, attempt, number)
    result = run_session(attempt.session, console, read, echo=not interactive, on_answered=attempt.record)
    attempt.close(result)
    return result


def _introduce(console: Console, attempt: Attempt, number: str) -> None:
    ex = attempt.exercise
    problem = ex.problem
    console.print()
    console.rule(style="muted")  # a rule's own title is cut short on a narrow terminal: the title goes below
    console.print(
        Text.assemble(
            (f"{number}  " if number else "", "muted"), (problem.title, "title"), (f"   {problem.key}", "muted")
        )
    )
    console.print(Text(problem.prompt))
    if ex.seed is not None:
        console.print(Text(f"variant {ex.seed} (values drawn for this attempt)", "muted"))


def practice_set(
    problem_set: ProblemSet,
    store: Store,
    console: Console,
    read: Callable[[str], str],
    *,
    interactive: bool,
    review: bool = False,
    seed: int | None = None,
    seeds: dict[str, int] | None = None,
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
            problem,
            store,
            console,
            read,
            interactive=interactive,
            seed=(seeds or {}).get(problem.key, seed),
            number=f"{k + 1}/{len(todo)}",
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
