"""The interactive backward walk: a patient teaching assistant at the terminal.

The session receives its console and an input function from the caller (the
CLI passes Rich's input for a terminal, or a line reader for piped answers), so
tests can drive it in-process and the CLI stays the only place that exits.
Every graded answer is reported to `on_graded` as soon as it is given; practice
mode stores it there, so a killed process loses nothing already answered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..language.numbers import fmt_value
from ..render.walk_view import (
    forward_table,
    gate_flow,
    gate_label,
    gradient_table,
    graph_tree,
    inputs_table,
    step_header,
    sweeps_note,
    tangent_header,
)
from .grading import Tolerance, grade
from .walk import Question, Walk

POINTS = {"first-try": 1.0, "later-try": 0.5, "revealed": 0.0, "skipped": 0.0, "unanswered": 0.0}
COMMANDS = "hint (a nudge), show (reveal the answer), skip, quit"


@dataclass
class Outcome:
    question: Question
    status: str = "unanswered"
    attempts: int = 0
    given: list[str] = field(default_factory=list)
    mistakes: list[str] = field(default_factory=list)
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
    walk: Walk
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


class Stop(Exception):
    """The student ended the session (quit, Ctrl-C or end of input)."""


class Session:
    """One walk (or one problem's targets), asked question by question.

    `questions` replaces the walk's own questions (a problem's chosen targets, graded by
    `grader`); `hints` are the problem's hints, unlocked one at a time after the gate's own.
    """

    def __init__(
        self,
        walk: Walk,
        console: Console,
        read: Callable[[str], str],
        *,
        tries: int = 2,
        tolerance: Tolerance = Tolerance(),
        echo: bool = False,
        quiet: bool = False,
        on_graded: Callable[[Outcome, str, Any], None] | None = None,
        questions: list[Question] | None = None,
        grader: Callable[[Question, str], Any] | None = None,
        hints: list[str] | tuple = (),
        worth: float = 1.0,
    ) -> None:
        self.walk = walk
        self.console = console
        self.read = read
        self.tries = max(1, tries)
        self.tolerance = tolerance
        self.echo = echo  # piped answers: print them after the prompt, like a transcript
        self.quiet = quiet  # --json: print nothing but the result
        self.on_graded = on_graded
        self.by_step = questions is None
        self.grader = grader or (lambda q, text: grade(walk, q, text, tolerance))
        self.problem_hints = list(hints)
        self.problem_hints_shown = 0
        self.outcomes = [Outcome(q, worth=worth) for q in (walk.questions if questions is None else questions)]

    # ---- output helpers
    def say(self, *parts: Any) -> None:
        if not self.quiet:
            self.console.print(*parts)

    def run(self, intro: bool = True) -> SessionResult:
        finished = False
        try:
            if intro:
                self.introduce()
            self.backward()
            finished = True
        except Stop as stop:
            self.say(Text(f"\n{stop}", "warn"))
        self.summarise(finished)
        return SessionResult(self.walk, self.outcomes, finished)

    def introduce(self) -> None:
        walk = self.walk
        self.say(Text.assemble(("program  ", "muted"), (walk.graph.source.strip(), "name")))
        tree = graph_tree(walk)
        if tree is not None:
            self.say(Text("the computational graph (output at the top):", "title"))
            self.say(tree)
        if not self.by_step:  # targets may ask forward values: show only the inputs
            self.say(inputs_table(walk))
            return
        self.say(forward_table(walk))
        out = walk.output
        if walk.mode == "forward":
            self.say(
                Text.assemble(
                    ("\nforward mode: ", "title"),
                    f"carry the derivative with respect to {walk.wrt} forward, node by node. "
                    f"Seed d{walk.wrt} = 1 and 0 for the other inputs; each node's tangent is the "
                    f"sum over its inputs of (local derivative) × (the input's tangent). Answers "
                    f"can be numbers or formulas using the names above and tangents such as "
                    f"d{walk.wrt}. Commands: {COMMANDS}.",
                )
            )
            return
        self.say(
            Text.assemble(
                ("\nbackward pass: ", "title"),
                f"start at the output with d{out}/d{out} = 1 and visit the nodes in reverse. "
                f"At each node, type the local gradients, then each downstream gradient "
                f"(upstream × local). Answers can be numbers, matrices like [[1, 2], [3, 4]] "
                f"or formulas using the names above and grad (the upstream gradient). "
                f"Commands: {COMMANDS}.",
            )
        )

    def backward(self) -> None:
        by_question = {id(o.question): o for o in self.outcomes}
        if not self.by_step:
            self.say(
                Text(
                    f"\nanswer with numbers, matrices or formulas in the program's names. Commands: {COMMANDS}.",
                    "muted",
                )
            )
            for outcome in self.outcomes:
                self.ask(outcome)
            return
        for step in self.walk.steps:
            if not step.questions:
                continue
            self.say("")
            self.say(tangent_header(self.walk, step) if self.walk.mode == "forward" else step_header(self.walk, step))
            for question in step.questions:
                self.note_branches(question)
                self.ask(by_question[id(question)])

    def note_branches(self, q: Question) -> None:
        graph = self.walk.graph
        x = graph.labels[q.input]
        users = [graph.labels[c] for c in graph.consumers[q.input]]
        if q.kind != "downstream" or len(users) < 2:
            return
        if q.is_total:
            self.say(
                Text(
                    f"{x} feeds {len(users)} nodes ({', '.join(users)}) and this is its last branch: "
                    f"d{self.walk.output}/d{x} is the sum of the shares from all of them.",
                    "hint",
                )
            )
        else:
            self.say(
                Text(
                    f"{x} feeds {len(users)} nodes ({', '.join(users)}): first, its share through "
                    f"{graph.labels[q.node]}.",
                    "hint",
                )
            )

    def ask(self, outcome: Outcome) -> None:
        q = outcome.question
        what = {
            "local": "local gradient",
            "downstream": "downstream gradient",
            "tangent": "tangent",
            "value": "value",
            "gradient": "gradient",
            "formula": "gradient, as a formula,",
        }[q.kind]
        prompt = f"{q.ask} = "
        while True:
            try:
                text = self.read(prompt)
            except (EOFError, KeyboardInterrupt):
                raise Stop("session ended early: the score counts the questions answered so far") from None
            if self.echo:
                self.say(Text.assemble((prompt, "ask"), text))
            # Whole words only: q, h and s are common node names. A node really called
            # `show` can still be typed as (show).
            command = text.strip().lower()
            if command in ("quit", "exit"):
                raise Stop("you stopped the session: the score counts the questions answered so far")
            if command in ("help", "?"):
                self.say(Text(f"type the {what} {q.ask}, or one of: {COMMANDS}", "muted"))
                continue
            if command == "hint":
                outcome.hints += 1
                self.say(Text(self.next_hint(q, outcome.hints), "hint"))
                continue
            if command in ("show", "reveal"):
                outcome.status = "revealed"
                self.reveal(q)
                self.graded(outcome, text, None)
                return
            if command == "skip":
                outcome.status = "skipped"
                self.say(Text(f"skipped; {q.ask} = {fmt_value(q.answer)}", "muted"))
                self.graded(outcome, text, None)
                return
            verdict = self.grader(q, text)
            if verdict.unreadable:
                self.say(Text(f"I could not read that (no try used): {verdict.unreadable}", "warn"))
                continue
            outcome.attempts += 1
            outcome.given.append(text.strip())
            outcome.mistakes += verdict.codes
            if verdict.correct:
                outcome.status = "first-try" if outcome.attempts == 1 else "later-try"
                shown = "" if text.strip() == fmt_value(q.answer) else f"  ({q.ask} = {fmt_value(q.answer)})"
                self.say(Text.assemble(("✔ correct", "ok"), (shown, "muted")))
                self.graded(outcome, text, verdict)
                return
            feedback = verdict.mistakes[0].message if verdict.mistakes else "not quite"
            self.say(Text.assemble(("✘ ", "bad"), (feedback, "bad")))
            for extra in verdict.mistakes[1:]:
                self.say(Text(f"  also: {extra.message}", "bad"))
            if outcome.attempts >= self.tries:
                outcome.status = "revealed"
                self.reveal(q)
                self.graded(outcome, text, verdict)
                return
            left = self.tries - outcome.attempts
            self.say(Text(f"try again ({left} {'try' if left == 1 else 'tries'} left; type hint for a nudge)", "muted"))
            self.graded(outcome, text, verdict)

    def graded(self, outcome: Outcome, text: str, verdict: Any) -> None:
        if self.on_graded is not None:
            self.on_graded(outcome, text, verdict)

    def next_hint(self, q: Question, level: int) -> str:
        """The gate's own hints for this question first, then the problem's, one at a time."""
        own = 2 if q.kind in ("local", "downstream", "tangent") else 0
        if level <= own:
            return self.hint(q, level)
        if self.problem_hints_shown < len(self.problem_hints):
            self.problem_hints_shown += 1
            return self.problem_hints[self.problem_hints_shown - 1]
        if q.kind in ("gradient", "formula") and level == own + 1 + len(self.problem_hints):
            x = self.walk.graph.labels[q.input]
            from ..language.numbers import describe_shape

            return f"the gradient has {x}'s shape: {describe_shape(q.shape)} (the shape convention)"
        return "no more hints; type show to see the answer"

    def hint(self, q: Question, level: int) -> str:
        graph = self.walk.graph
        gate = gate_label(graph, q.node)
        out = self.walk.output
        if q.kind == "tangent":
            if level == 1:
                return (
                    f"{gate} gate: its tangent is the sum over its inputs of (local derivative) × (that "
                    f"input's tangent); {gate_flow(graph, q.node)[1]}"
                )
            return f"{q.ask} = {q.rule}, where d<name> is that node's tangent"
        if q.is_total:
            shares = " + ".join(
                f"d{out}/d{graph.labels[c]} * d{graph.labels[c]}/d{graph.labels[q.input]}" for c, _ in q.branches
            )
            return (
                ("gradients add at branches: " + shares)
                if level == 1
                else "the shares were: " + " + ".join(fmt_value(s) for _, s in q.branches)
            )
        if level == 1:
            pattern, rule = gate_flow(graph, q.node)
            return f"{gate} gate ({pattern}): {rule}"
        if q.kind == "local":
            return f"{q.ask} = {q.rule}"
        if q.local is not None:
            return (
                f"downstream = upstream × local: d{out}/d{graph.labels[q.node]} × "
                f"d{graph.labels[q.node]}/d{graph.labels[q.input]} = {fmt_value(q.upstream)} × "
                f"{fmt_value(q.local)}"
            )
        return f"{q.ask} = {q.rule}, with grad = {fmt_value(q.upstream)}"

    def reveal(self, q: Question) -> None:
        self.say(Text.assemble(("answer: ", "muted"), (f"{q.ask} = {fmt_value(q.answer)}", "grad")))
        self.say(Text.assemble(("because ", "muted"), self.explain(q)))

    def explain(self, q: Question) -> str:
        """How the answer comes about, in lecture notation, with the numbers."""
        graph = self.walk.graph
        out = self.walk.output
        if q.kind == "value":
            return f"{q.ask} = {graph.describe(q.node)} in the forward pass"
        if q.kind == "tangent":
            return f"{q.ask} = {q.rule}: {q.working}"
        if q.kind in ("gradient", "formula"):
            return f"{q.ask} by reverse mode at this point"
        gate, x = graph.labels[q.node], graph.labels[q.input]
        rule = gate_flow(graph, q.node)[1]
        if q.kind == "local":
            return f"{q.ask} = {q.rule} = {fmt_value(q.answer)}: {rule}"
        if q.is_total:
            return f"{q.ask} = {q.rule} = {q.working}: gradients add at branches"
        if q.local is not None:
            return f"{q.ask} = d{out}/d{gate} × d{gate}/d{x} = {q.working} (downstream = upstream × local)"
        return f"{q.ask} = {q.rule} with grad = d{out}/d{gate}, the upstream gradient; {rule}"

    def summarise(self, finished: bool) -> None:
        walk = self.walk
        graph = walk.graph
        table = Table(title="score", title_justify="left", header_style="title")
        table.add_column("node", style="name")
        table.add_column("question")
        table.add_column("result")
        table.add_column("tries", justify="right")
        table.add_column("points", justify="right")
        styles = {"first-try": "ok", "later-try": "warn", "revealed": "bad", "skipped": "muted", "unanswered": "muted"}
        last = None
        for o in self.outcomes:
            node = graph.labels[o.question.node] if self.by_step else ""
            table.add_row(
                node if node != last else "",
                o.question.ask,
                Text(o.status, styles[o.status]),
                str(o.attempts),
                f"{o.points:g}",
            )
            last = node
        score = sum(o.points for o in self.outcomes)
        total = sum(o.worth for o in self.outcomes)
        self.say("")
        self.say(table)
        self.say(Text.assemble(("score ", "title"), (f"{score:g} / {total:g}", "ok" if finished else "warn")))
        if self.by_step and walk.mode == "forward":
            self.say(sweeps_note(walk))
        elif self.by_step:
            self.say(gradient_table(walk))
