"""Gradient descent you can watch: a live loss chart in the terminal, then a summary per rate.

The chart is plain text (one dot per column, rows scaled between the lowest
and highest loss so far, logarithmic when the losses span decades), so it
works in any terminal and reads the same in a screenshot. Rich's Live redraws
it as the steps arrive; in a pipe only the final frame is printed.
"""

from __future__ import annotations

import math
import time

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..language.numbers import fmt_number

WIDTH, HEIGHT = 56, 10


def _num(v: float) -> str:
    return fmt_number(v, 4)


DOTS = "●"


def _scale(losses: list[float]) -> tuple[list[float], bool]:
    """The values to plot, and whether they are log10 of the losses (when they span more than 2 decades)."""
    finite = [v for v in losses if math.isfinite(v)]
    if finite and min(finite) > 0 and max(finite) / min(finite) > 100:
        return [math.log10(v) if math.isfinite(v) and v > 0 else math.nan for v in losses], True
    return list(losses), False


def chart(losses: list[float], width: int = WIDTH, height: int = HEIGHT) -> Text:
    """The loss curve as text: steps left to right, loss bottom to top."""
    values, logarithmic = _scale(losses)
    finite = [v for v in values if math.isfinite(v)]
    text = Text()
    if not finite:
        return text.append("(no finite loss yet)", "muted")
    lo, hi = min(finite), max(finite)
    span = hi - lo or 1.0
    n = len(values)
    columns = min(width, n)
    rows = [[" "] * columns for _ in range(height)]
    for c in range(columns):
        k = c if n <= width else round(c * (n - 1) / (columns - 1))
        v = values[k]
        if math.isfinite(v):
            r = round((hi - v) / span * (height - 1))
            rows[r][c] = DOTS
    label = (lambda v: _num(10**v)) if logarithmic else _num
    top, bottom = label(hi), label(lo)
    pad = max(len(top), len(bottom))
    for r, row in enumerate(rows):
        axis = top if r == 0 else bottom if r == height - 1 else ""
        text.append(f"{axis:>{pad}} │", "muted").append("".join(row), "value").append("\n")
    text.append(" " * pad + " └" + "─" * columns + "\n", "muted")
    scale = "  (log scale)" if logarithmic else ""
    text.append(" " * pad + f"  step 0{' ' * max(1, columns - 7 - len(str(n - 1)))}{n - 1}{scale}\n", "muted")
    return text


def status(run, step, total: int) -> Text:
    line = Text()
    line.append(f"lr {_num(run.lr)}", "name").append(f"   step {step.step}/{total}   ")
    line.append("loss ").append(_num(step.loss), "value")
    if step.grad_norm is not None:
        line.append("   |grad| ").append(_num(step.grad_norm), "grad")
    return line


class LiveDescent:
    """A callback for descend(): redraws the chart at most every 1/20 s, and once at the end."""

    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.total = total
        self.live: Live | None = None
        self.shown = 0.0
        self.latest: tuple | None = None

    def __enter__(self) -> LiveDescent:
        self.live = Live(Text(""), console=self.console, auto_refresh=False, transient=False)
        self.live.__enter__()
        return self

    def __call__(self, run, step) -> None:
        self.latest = (run, step)
        now = time.monotonic()
        if now - self.shown < 0.05 and step.step not in (0, self.total):
            return
        self.shown = now
        self.show(run, step)

    def show(self, run, step) -> None:
        assert self.live is not None
        self.live.update(Group(status(run, step, self.total), chart(run.losses)), refresh=True)

    def __exit__(self, *exc) -> None:
        assert self.live is not None
        if self.latest is not None:  # the last step may have been skipped (or the run stopped early)
            self.show(*self.latest)
        self.live.__exit__(*exc)


def summary(console: Console, runs: list) -> None:
    """One row per learning rate: where it ended and whether it diverged, then what divergence means."""
    table = Table(header_style="title")
    for column in ("lr", "steps", "first loss", "last loss", "verdict"):
        table.add_column(column, justify="right" if column != "verdict" else "left")
    for run in runs:
        verdict = Text("diverged", "bad") if run.diverged else Text("converging" if _falls(run) else "slow", "ok")
        table.add_row(
            _num(run.lr),
            str(run.steps[-1].step),
            _num(run.steps[0].loss),
            _num(run.steps[-1].loss),
            verdict,
        )
    console.print(table)
    for run in runs:
        if run.diverged:
            console.print(Text(f"lr {_num(run.lr)}: {run.diverged}.", "bad"))
            console.print(Text(explain(run), "hint"))
        elif run.stable_lr is not None and len(runs) == 1:
            note = f"the largest stable rate near the start is {_num(_round(run.stable_lr))}"
            console.print(Text(f"{note} (2/λmax, λmax = {_num(_round(run.curvature))})", "muted"))


def _falls(run) -> bool:
    return run.steps[-1].loss < run.steps[0].loss


def _round(v: float) -> float:
    return float(f"{v:.4g}")


def explain(run) -> str:
    """What divergence means, with the largest stable rate where the Hessian was computed."""
    text = (
        "the learning rate is too large for the curvature of this loss: each step overshoots the "
        "minimum by more than it started from, so the loss grows instead of shrinking"
    )
    stable = run.stable_lr
    if stable is not None:
        bound = "2(1 + β)/λmax" if run.optimizer == "momentum" else "2/λmax"
        text += (
            f". The Hessian's largest eigenvalue at the start is λmax = {_num(_round(run.curvature))}, "
            f"so rates below {bound} = {_num(_round(stable))} are stable there"
        )
    else:
        text += "; try a rate ten times smaller"
    return text
