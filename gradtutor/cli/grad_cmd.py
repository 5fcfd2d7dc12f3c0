"""`gradtutor grad`: a program's value and its exact gradients."""

from __future__ import annotations

import json

import click

from .common import gather_values, json_option, read_program, value_options


@click.command("grad")
@click.argument("program", default="q = x + y; f = q * z")
@value_options
@click.option("--wrt", multiple=True, metavar="NAME", help="Only these inputs' gradients (repeatable).")
@json_option
def command(program: str, at, random_, seed, wrt, as_json: bool) -> None:
    """Compute the value of PROGRAM and its gradient with respect to each input.

    PROGRAM is an expression or statements separated by ';' or newlines, e.g.
    "q = x + y; f = q * z"; @file reads it from a file. Give each input a
    value with --at (or --random).

    \b
    Examples:
      gradtutor grad "(x + y) * z" --at x=-2 --at y=5 --at z=-4
      gradtutor grad "sum((W@x)^2)" --at "W=[[0.1,0.5],[-0.3,0.8]]" --at "x=[0.2,0.4]"
    """
    from ..engine import grad
    from ..graph import build

    graph = build(read_program(program))
    values, used_seed = gather_values(at, random_, seed)
    result = grad(graph, values, wrt=list(wrt) or None)
    if as_json:
        from ..values import to_python

        click.echo(json.dumps({"value": to_python(result.value),
                               "gradients": {k: to_python(v) for k, v in result.gradients.items()}}))
        return
    from ..render.console import stdout
    from ..render.tables import gradient_report

    gradient_report(stdout(), result, values, used_seed, random_names=[a.split("=")[0].strip() for a in random_])
