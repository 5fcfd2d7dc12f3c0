"""`gradtutor check`: are these gradient formulas right?"""

from __future__ import annotations

import json

import click

from . import finish
from .common import at_option, budget_option, json_option, read_program, seed_option


@click.command("check")
@click.argument("program")
@click.option(
    "--grad",
    "claims",
    multiple=True,
    metavar="NAME=FORMULA",
    help='Your gradient of the output with respect to NAME, e.g. "x=2*W.T@(W@x)" (repeatable).',
)
@at_option
@budget_option
@click.option(
    "--shape",
    "shapes",
    multiple=True,
    metavar="NAME=SHAPE",
    help="Shape of an input drawn at random, e.g. W=3x4 (scalar by default).",
)
@click.option(
    "--points",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Random points to check at, so a formula cannot pass by coincidence.",
)
@seed_option
@json_option
def command(program: str, claims, at, shapes, points: int, seed, as_json: bool) -> None:
    """Check gradient formulas for PROGRAM against exact reverse-mode gradients and
    central differences.

    Each --grad formula is in the gradtutor language and may use the program's
    inputs and statement names. Without --grad, gradtutor checks its own
    gradient against central differences.

    Exit status: 0 when every gradient is right, 1 when one is wrong, 2 on bad input.

    \b
    Examples:
      gradtutor check "sum((W@x)^2)" --shape W=3x2 --shape x=2 --grad "x=2*W.T@(W@x)" --grad "W=2*outer(W@x, x)"
      gradtutor check "q = x + y; f = q * z" --grad x=z --grad y=z --grad z=q
    """
    import numpy as np

    from ..autodiff.check import run_check
    from ..autodiff.cost import require_check
    from ..graph import build
    from ..language.values import split_assignment
    from .common import parse_at, parse_shapes

    graph = build(read_program(program))
    claimed = {}
    for item in claims:
        name, formula = split_assignment(item, "--grad")
        if not formula:
            raise click.BadParameter(f"the formula for {name} is empty", param_hint="--grad")
        claimed[name] = formula
    fixed = parse_at(at)
    shape_map = parse_shapes(shapes)
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 10**6))
    require_check(graph, fixed, shape_map, claimed, points)  # the budget, before any evaluation
    report = run_check(graph, claimed, fixed, shape_map, points=points, seed=seed)
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        from ..render.check_report import render_check
        from ..render.console import stdout

        render_check(stdout(), report)
    finish(0 if report.passed else 1)
