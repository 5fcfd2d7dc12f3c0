"""`gradtutor solve`: a graded, step-by-step backward walk in the terminal."""

from __future__ import annotations

import json

import click

from .common import (
    at_option,
    budget_option,
    json_option,
    read_program,
    seed_option,
)

DEFAULT_PROGRAM = "q = x + y; f = q * z"
DEFAULT_VALUES = ("x=-2", "y=5", "z=-4")
# the lectures' forward-accumulation example, z = x1*x2 + sin(x1)
FORWARD_PROGRAM = "w3 = x1 * x2\nw4 = sin(x1)\nw5 = w3 + w4"
FORWARD_VALUES = ("x1=1", "x2=2")


@click.command("solve")
@click.argument("program", required=False)
@at_option
@budget_option
@click.option(
    "--shape",
    "shapes",
    multiple=True,
    metavar="NAME=SHAPE",
    help="Shape for an input drawn at random, e.g. W=2x3 (scalar by default).",
)
@seed_option
@click.option("--show", is_flag=True, help="Print the complete worked solution instead of asking.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["terminal", "markdown", "latex"]),
    default="terminal",
    show_default=True,
    help="With --show: a handout in Markdown or LaTeX, with a picture of the graph.",
)
@json_option
@click.option(
    "--tries",
    type=click.IntRange(1, 10),
    default=2,
    show_default=True,
    help="Tries per question before the answer is revealed.",
)
@click.option("--rtol", type=float, default=1e-2, show_default=True, help="Relative tolerance for answers.")
@click.option(
    "--atol",
    type=float,
    default=None,
    help="Absolute tolerance for answers [default: half a percent of the answer's largest entry].",
)
@click.option(
    "--mode",
    type=click.Choice(["backward", "forward"]),
    default="backward",
    show_default=True,
    help="Walk the backward pass, or carry tangents forward (forward-mode differentiation).",
)
@click.option("--wrt", metavar="NAME", help="Forward mode: the input to differentiate with respect to.")
@click.option(
    "--jacobian",
    "jacobians",
    multiple=True,
    metavar="dGATE/dINPUT",
    help="Also ask this gate's local Jacobian, as a matrix, before its downstream gradient (e.g. dh/dz).",
)
@click.option(
    "--seed-grad",
    metavar="VALUE",
    help="A vector or matrix output: the upstream gradient to seed the backward pass with, e.g. [1, 0, 0].",
)
def command(program, at, shapes, seed, show, fmt, as_json, tries, rtol, atol, mode, wrt, jacobians, seed_grad) -> None:
    """Walk through the backward pass of PROGRAM one node at a time, typing the local and
    downstream gradients; gradtutor grades each answer and explains mistakes.

    Without PROGRAM it walks the classic q = x + y; f = q * z at x=-2, y=5, z=-4
    (with --mode forward: the lectures' z = x1*x2 + sin(x1), seeded on x1).
    Inputs without --at get small random values, which are shown.

    \b
    Answers: a number (0.39), a matrix ([[0.1, 0.2], [0.3, 0.4]]) or a formula
    using the graph's names and grad, the node's upstream gradient (2*q, grad*z).
    At the prompt: hint, show, skip, quit. With answers piped in (one per line),
    --json prints the graded result.

    \b
    Examples:
      gradtutor solve
      gradtutor solve "(x + y) * max(y, z)" --at x=1 --at y=2 --at z=0
      gradtutor solve "sum((W@x)^2)" --at "W=[[0.1,0.5],[-0.3,0.8]]" --at "x=[0.2,0.4]" --show
      gradtutor solve "h = relu(W@x)" --shape W=3x2 --shape x=2 --seed-grad "[1, -1, 0.5]"
    """
    from ..autodiff.compare import Tolerance
    from ..graph import build
    from ..render.console import answer_reader, stdout
    from .values_draw import draw_values

    if program is None:
        forward_mode = mode == "forward"
        program = FORWARD_PROGRAM if forward_mode else DEFAULT_PROGRAM
        at = at or (FORWARD_VALUES if forward_mode else DEFAULT_VALUES)
    graph = build(read_program(program))
    values, drawn, used_seed = draw_values(graph, at, shapes, seed)
    if mode == "forward":
        from ..teach.tangent_walk import build_tangent_walk

        walk = build_tangent_walk(graph, values, wrt)
    else:
        walk = _backward_walk(graph, values, seed_grad, tuple(jacobians))
    console = stdout()

    if show:
        if as_json:
            click.echo(json.dumps(walk.to_json()))
            return
        if fmt != "terminal":
            if walk.mode == "forward":
                raise click.UsageError("handouts (--format) are written for the backward walk")
            from ..render import handout

            click.echo(handout.markdown(walk) if fmt == "markdown" else handout.latex(walk), nl=False)
            return
        from ..render.walk_view import solution_view

        _say_drawn(console, drawn, used_seed)
        for view in solution_view(walk):
            console.print(view)
        return

    from ..render.session_view import run_session
    from ..teach.session import Session

    read, interactive = answer_reader()
    quiet = as_json and not interactive
    if not quiet:
        _say_drawn(console, drawn, used_seed)
    session = Session(walk, tries=tries, tolerance=Tolerance(rtol, atol))
    result = run_session(session, console, read, echo=not interactive, quiet=quiet)
    if as_json:
        click.echo(json.dumps(result.to_json()))


def _backward_walk(graph, values, seed_grad, jacobians=()):
    """The backward walk; a vector or matrix output is seeded with --seed-grad, or with an upstream
    gradient the student types when the terminal can ask for one."""
    import sys

    from ..errors import NotScalarError
    from ..language.values import parse_value
    from ..teach.walk import build_walk

    out = graph.labels[graph.output]
    if seed_grad is not None:
        return build_walk(graph, values, seed=parse_value(f"d{out}", seed_grad), jacobians=jacobians)
    try:
        return build_walk(graph, values, jacobians=jacobians)
    except NotScalarError as exc:
        if not sys.stdin.isatty():
            exc.hint = (
                f"reduce it with sum(...) or mean(...), or seed the backward pass with an upstream gradient "
                f"for {out}: --seed-grad [1, 0, ...]"
            )
            raise
        text = click.prompt(
            f"{out} is not a scalar: type the upstream gradient d{out} to seed the backward pass with "
            f"(it has {out}'s shape, e.g. a onehot row picks one output)"
        )
        return build_walk(graph, values, seed=parse_value(f"d{out}", text), jacobians=jacobians)


def _say_drawn(console, drawn: dict, seed: int | None) -> None:
    from rich.text import Text

    from ..language.numbers import fmt_value

    if drawn:
        shown = ", ".join(f"{name} = {fmt_value(value)}" for name, value in drawn.items())
        console.print(Text(f"values drawn at random (--seed {seed}): {shown}", "muted"))
