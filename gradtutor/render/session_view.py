"""The terminal front end of a tutoring session: reads answers, draws the session's events.

All the teaching decisions live in teach/session.py; this module only asks for
a line and draws what comes back, in Rich. The caller passes the console and
the input function (Rich's input for a terminal, a line reader for piped
answers), so the CLI stays the only place that exits. Answers are handed to
`on_answered` before anything about them is printed: a student is never told
about an answer that has not been stored.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text

from ..language.numbers import fmt_value
from ..teach.session import (
    COMMANDS,
    Answered,
    Event,
    Finished,
    Graded,
    Help,
    Hint,
    Note,
    Revealed,
    Session,
    SessionResult,
    Skipped,
    StepStarted,
    Unreadable,
    answer_line,
)
from .adaptive import AdaptiveTable
from .walk_view import forward_table, gradient_table, graph_tree, inputs_table, step_header, sweeps_note, tangent_header

OnAnswered = Callable[[Any, str, Any], None]


def run_session(
    session: Session,
    console: Console,
    read: Callable[[str], str],
    *,
    echo: bool = False,
    quiet: bool = False,
    intro: bool = True,
    on_answered: OnAnswered | None = None,
) -> SessionResult:
    """Ask until the session is done; `echo` prints piped answers after their prompt, like a
    transcript; `quiet` (--json) prints nothing."""
    view = SessionView(session, console, quiet)
    if intro:
        view.introduce()
    events = session.start()
    interrupted = False
    while True:
        for event in events:
            if isinstance(event, Answered) and on_answered is not None:
                on_answered(event.outcome, event.text, event.verdict)
        view.draw(events)
        if session.done:
            if interrupted:
                raise KeyboardInterrupt  # the score is shown; the command exits 130, as Ctrl-C should
            return session.result()
        try:
            text = read(session.prompt)
        except EOFError:
            events = session.stop()
            continue
        except KeyboardInterrupt:
            interrupted = True
            events = session.stop()
            continue
        if echo:
            view.say(Text.assemble((session.prompt, "ask"), text))
        events = session.submit(text)


class SessionView:
    def __init__(self, session: Session, console: Console, quiet: bool = False) -> None:
        self.session = session
        self.walk = session.walk
        self.console = console
        self.quiet = quiet

    def say(self, *parts: Any) -> None:
        if not self.quiet:
            self.console.print(*parts)

    def introduce(self) -> None:
        walk = self.walk
        self.say(Text.assemble(("program  ", "muted"), (walk.graph.source.strip(), "name")))
        tree = graph_tree(walk)
        if tree is not None:
            self.say(Text("the computational graph (output at the top):", "title"))
            self.say(tree)
        if not self.session.by_step:  # targets may ask forward values: show only the inputs
            self.say(inputs_table(walk))
            self.say(
                Text(
                    f"\nanswer with numbers, matrices or formulas in the program's names. Commands: {COMMANDS}.",
                    "muted",
                )
            )
            return
        self.say(forward_table(walk))
        if walk.mode == "forward":
            self.say(
                Text.assemble(
                    ("\nforward mode: ", "title"),
                    f"carry the derivative with respect to {walk.wrt} forward, node by node. Seed d{walk.wrt} = 1 "
                    f"and 0 for the other inputs; each node's tangent is the sum over its inputs of (local "
                    f"derivative) × (the input's tangent). Answers can be numbers or formulas using the names "
                    f"above and tangents such as d{walk.wrt}. Commands: {COMMANDS}.",
                )
            )
            return
        self.say(
            Text.assemble(
                ("\nbackward pass: ", "title"),
                f"start at the output with {_seed_text(walk)} and visit the nodes in reverse. At each node, type "
                f"the local gradients, then each downstream gradient (upstream × local). Answers can be numbers, "
                f"matrices like [[1, 2], [3, 4]] or formulas using the names above and grad (the upstream "
                f"gradient). Commands: {COMMANDS}.",
            )
        )

    def draw(self, events: list[Event]) -> None:
        for event in events:
            self.draw_one(event)

    def draw_one(self, event: Event) -> None:
        if isinstance(event, StepStarted):
            self.say("")
            self.say(
                tangent_header(self.walk, event.step)
                if self.walk.mode == "forward"
                else step_header(self.walk, event.step)
            )
        elif isinstance(event, Note):
            self.say(Text(event.text, "hint"))
        elif isinstance(event, Unreadable):
            self.say(Text(f"I could not read that (no try used): {event.message}", "warn"))
        elif isinstance(event, Help):
            self.say(Text(event.text, "muted"))
        elif isinstance(event, Hint):
            self.say(Text(event.text, "hint"))
        elif isinstance(event, Graded):
            self.graded(event)
        elif isinstance(event, Revealed):
            self.say(Text.assemble(("answer: ", "muted"), (answer_line(event.outcome.question), "grad")))
            self.say(Text.assemble(("because ", "muted"), event.explanation))
        elif isinstance(event, Skipped):
            self.say(Text(f"skipped; {answer_line(event.outcome.question)}", "muted"))
        elif isinstance(event, Finished):
            if event.stopped:
                self.say(Text(f"\n{event.stopped}", "warn"))
            self.summarise(event.result)
        # Asked and Answered draw nothing: the prompt is the question, storing is the caller's

    def graded(self, event: Graded) -> None:
        q = event.outcome.question
        if event.verdict.correct:
            given = event.outcome.given[-1]
            shown = "" if given == fmt_value(q.answer) else f"  ({answer_line(q)})"
            self.say(Text.assemble(("✔ correct", "ok"), (shown, "muted")))
            if event.verdict.note:
                self.say(Text(event.verdict.note, "hint"))
            return
        mistakes = event.verdict.mistakes
        self.say(Text.assemble(("✘ ", "bad"), (mistakes[0].message if mistakes else "not quite", "bad")))
        for extra in mistakes[1:]:
            self.say(Text(f"  also: {extra.message}", "bad"))
        if event.tries_left:
            left = event.tries_left
            self.say(Text(f"try again ({left} {'try' if left == 1 else 'tries'} left; type hint for a nudge)", "muted"))

    def summarise(self, result: SessionResult) -> None:
        graph = self.walk.graph
        by_step = self.session.by_step
        table = AdaptiveTable(title="score", header_style="title")
        table.add_column("node", style="name")
        table.add_column("question")
        table.add_column("result")
        table.add_column("tries", justify="right")
        table.add_column("points", justify="right")
        styles = {"first-try": "ok", "later-try": "warn", "revealed": "bad", "skipped": "muted", "unanswered": "muted"}
        last = None
        for o in result.outcomes:
            node = graph.labels[o.question.node] if by_step else ""
            table.add_row(
                node if node != last else "",
                o.question.ask,
                Text(o.status, styles[o.status]),
                str(o.attempts),
                f"{o.points:g}",
            )
            last = node
        self.say("")
        self.say(table)
        self.say(
            Text.assemble(
                ("score ", "title"), (f"{result.score:g} / {result.max_score:g}", "ok" if result.finished else "warn")
            )
        )
        if by_step and self.walk.mode == "forward":
            self.say(sweeps_note(self.walk))
        elif by_step:
            self.say(gradient_table(self.walk))


def _seed_text(walk) -> str:
    """How the backward pass is seeded: d{out}/d{out} = 1, or a vector output's upstream gradient."""
    out = walk.output
    if getattr(walk, "seed", None) is None:
        return f"d{out}/d{out} = 1"
    from ..language.numbers import fmt_value

    return f"the upstream gradient d{out} = {fmt_value(walk.seed)} (a vector output is seeded with one)"
