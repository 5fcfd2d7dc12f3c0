"""A tutoring session as a pure state machine: answers in, events out.

The session decides everything a teaching assistant decides (what to ask
next, whether an answer is right, which mistake it is, when to hint and when
to reveal, the score) and does no input or output. Each call returns the
events that happened, in order; a front end draws them: the terminal walk
(render/session_view.py), piped answers, JSON, or a notebook. An `Answered`
event comes first in its batch, so a front end that stores answers commits
one before it tells the student anything about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..autodiff.compare import Tolerance
from ..language.numbers import fmt_value
from .grading import ANSWERS, Verdict, grade
from .questions import Question

POINTS = {"first-try": 1.0, "later-try": 0.5, "revealed": 0.0, "skipped": 0.0, "unanswered": 0.0}
COMMANDS = "hint (a nudge), show (reveal the answer), skip, quit"
EARLY_END = "session ended early: the score counts the questions answered so far"
QUIT = "you stopped the session: the score counts the questions answered so far"


@dataclass
class Outcome:
    question: Question
    status: str = "unanswered"
    attempts: int = 0
    given: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)  # diagnosis codes, one per diagnosis
    hints: int = 0
    worth: float = 1.0  # the question's share of the problem's points

    @property
    def points(self) -> float:
        return POINTS[self.status] * self.worth

    @property
    def correct(self) -> bool:
        return self.status in ("first-try", "later-try")


@dataclass
class SessionResult:
    walk: Any
    outcomes: list[Outcome]
    finished: bool

    @property
    def score(self) -> float:
        return sum(o.points for o in self.outcomes)

    @property
    def max_score(self) -> float:
        return float(sum(o.worth for o in self.outcomes))

    def to_json(self) -> dict[str, Any]:
        from ..language.values import to_python

        return {
            "program": self.walk.graph.source,
            "score": self.score,
            "max_score": self.max_score,
            "finished": self.finished,
            "questions": [
                {
                    "ask": o.question.ask,
                    "kind": o.question.kind,
                    "correct": o.correct,
                    "attempts": o.attempts,
                    "status": o.status,
                    "given": o.given,
                    "mistakes": o.mistakes,
                    "answer": to_python(o.question.answer),
                }
                for o in self.outcomes
            ],
        }


# ---- events -------------------------------------------------------------------------------


@dataclass
class StepStarted:
    """The walk arrives at a gate (its questions follow)."""

    step: Any


@dataclass
class Note:
    text: str


@dataclass
class Asked:
    outcome: Outcome
    prompt: str


@dataclass
class Unreadable:
    """The answer could not be read; no try is used."""

    message: str


@dataclass
class Help:
    text: str


@dataclass
class Hint:
    text: str


@dataclass
class Answered:
    """An answer to store: given, shown or skipped. Comes first in its batch."""

    outcome: Outcome
    text: str
    verdict: Verdict | None


@dataclass
class Graded:
    outcome: Outcome
    verdict: Verdict
    tries_left: int


@dataclass
class Revealed:
    outcome: Outcome
    explanation: str


@dataclass
class Skipped:
    outcome: Outcome


@dataclass
class Finished:
    result: SessionResult
    stopped: str | None = None  # why the session ended early


Event = StepStarted | Note | Asked | Unreadable | Help | Hint | Answered | Graded | Revealed | Skipped | Finished


class Session:
    """One walk, or one problem's chosen questions, asked one at a time.

    `questions` replaces the walk's own questions (a problem's targets, graded by
    `grader`); `hints` are the problem's hints, unlocked after the question's own."""

    def __init__(
        self,
        walk: Any,
        *,
        questions: list[Question] | None = None,
        grader: Callable[[Question, str], Verdict] | None = None,
        tries: int = 2,
        tolerance: Tolerance = ANSWERS,
        hints: list[str] | tuple = (),
        worth: float = 1.0,
    ) -> None:
        self.walk = walk
        self.by_step = questions is None  # the walk's own questions, gate by gate
        self.tries = max(1, tries)
        self.grader = grader or (lambda q, text: grade(walk, q, text, tolerance))
        self.problem_hints = list(hints)
        plan: list[tuple[Any, Question]] = []
        if self.by_step:
            plan = [(step, q) for step in walk.steps for q in step.questions]
        else:
            plan = [(None, q) for q in questions]
        self.plan = [(step, Outcome(q, worth=worth)) for step, q in plan]
        self.position = -1
        self.finished = False
        self.stopped: str | None = None

    # ---- state
    @property
    def outcomes(self) -> list[Outcome]:
        return [o for _, o in self.plan]

    @property
    def done(self) -> bool:
        return self.finished or self.stopped is not None

    @property
    def current(self) -> Outcome:
        return self.plan[self.position][1]

    @property
    def prompt(self) -> str:
        return f"{self.current.question.ask} = "

    def result(self) -> SessionResult:
        return SessionResult(self.walk, self.outcomes, self.finished)

    # ---- inputs
    def start(self) -> list[Event]:
        return self._advance()

    def stop(self, reason: str = EARLY_END) -> list[Event]:
        """The student left (quit, Ctrl-C, end of input)."""
        if self.done:
            return []
        self.stopped = reason
        return [Finished(self.result(), reason)]

    def submit(self, text: str) -> list[Event]:
        """One line typed at the prompt: a command or an answer (nothing, once the session is over)."""
        if self.done:
            return []
        outcome = self.current
        q = outcome.question
        # Whole words only: q, h and s are common node names. A node really called
        # `show` can still be typed as (show).
        command = text.strip().lower()
        if command in ("quit", "exit"):
            return self.stop(QUIT)
        if command in ("help", "?"):
            return [Help(f"type the {q.what} {q.ask}, or one of: {COMMANDS}")]
        if command == "hint":
            outcome.hints += 1
            return [Hint(self._next_hint(q, outcome.hints))]
        if command in ("show", "reveal"):
            outcome.status = "revealed"
            return [Answered(outcome, text, None), Revealed(outcome, q.explain(self.walk)), *self._advance()]
        if command == "skip":
            outcome.status = "skipped"
            return [Answered(outcome, text, None), Skipped(outcome), *self._advance()]
        verdict = self.grader(q, text)
        if verdict.unreadable:
            return [Unreadable(verdict.unreadable)]
        outcome.attempts += 1
        outcome.given.append(text.strip())
        outcome.mistakes += verdict.codes
        if verdict.correct:
            outcome.status = "first-try" if outcome.attempts == 1 else "later-try"
            return [Answered(outcome, text, verdict), Graded(outcome, verdict, 0), *self._advance()]
        left = self.tries - outcome.attempts
        if left > 0:
            return [Answered(outcome, text, verdict), Graded(outcome, verdict, left)]
        outcome.status = "revealed"
        return [
            Answered(outcome, text, verdict),
            Graded(outcome, verdict, 0),
            Revealed(outcome, q.explain(self.walk)),
            *self._advance(),
        ]

    # ---- internals
    def _advance(self) -> list[Event]:
        self.position += 1
        if self.position >= len(self.plan):
            self.finished = True
            return [Finished(self.result())]
        step, outcome = self.plan[self.position]
        events: list[Event] = []
        if step is not None and (self.position == 0 or self.plan[self.position - 1][0] is not step):
            events.append(StepStarted(step))
        note = outcome.question.note(self.walk)
        if note:
            events.append(Note(note))
        events.append(Asked(outcome, self.prompt))
        return events

    def _next_hint(self, q: Question, level: int) -> str:
        """From a nudge to a reveal: the question's own nudges, the problem's hints, then the
        rule that gives the answer."""
        ladder = [*q.hints(self.walk), *self.problem_hints, *q.closing_hints(self.walk)]
        if level <= len(ladder):
            return ladder[level - 1]
        return "no more hints; type show to see the answer"


def answer_line(q: Question) -> str:
    """'dq/dx = 3': how a revealed or skipped answer is shown."""
    return f"{q.ask} = {fmt_value(q.answer)}"
