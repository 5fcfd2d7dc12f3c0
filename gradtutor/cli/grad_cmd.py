"""`gradtutor grad`: a program's value and its exact gradients (and, on request, more)."""

from __future__ import annotations

import json

import click

from .common import gather_values, json_option, read_program, value_options


@click.command("grad")
@click.argument("program", default="q = x + y; f = q * z")
@value_options
@click.option("--wrt", multiple=True, metavar="NAME", help="Only these inputs' gradients (repeatable).")
@click.option(
    "--mode",
    type=click.Choice(["reverse", "forward"]),
    default=None,
    help="Accumulate the derivatives backward (one sweep) or forward (one sweep per input entry).",
)
@click.option("--symbolic", is_flag=True, help="Also give each gradient as a formula.")
@click.option("--latex", is_flag=True, help="Give the formulas as LaTeX (implies --symbolic).")
@click.option(
    "--order",
    type=click.IntRange(1, 2),
    default=1,
    show_default=True,
    help="2: also the Hessian, from differentiating the symbolic gradient again.",
)
@json_option
def command(program: str, at, random_, seed, wrt, mode, symbolic, latex, order, as_json: bool) -> None:
    """Compute the value of PROGRAM and its gradient with respect to each input.

    PROGRAM is an expression or statements separated by ';' or newlines, e.g.
    "q = x + y; f = q * z"; @file reads it from a file. Give each input a
    value with --at (or --random).

    \b
    Examples:
      gradtutor grad "(x + y) * z" --at x=-2 --at y=5 --at z=-4
      gradtutor grad "sum((W@x)^2)" --at "W=[[0.1,0.5],[-0.3,0.8]]" --at "x=[0.2,0.4]" --symbolic
      gradtutor grad "x1*x2 + sin(x1)" --at x1=1 --at x2=2 --mode forward

    A vector or matrix output gives its Jacobian (one sweep per output entry, or
    with --mode forward one per input entry):

    \b
      gradtutor grad "relu(W@x)" --random W=3x2 --random x=2 --mode forward
    """
    from ..autodiff.reverse import grad
    from ..graph import build
    from ..language.values import to_python

    graph = build(read_program(program))
    values, used_seed = gather_values(at, random_, seed)
    wanted = list(wrt) or None
    from ..errors import NotScalarError

    try:
        if mode == "forward":
            from ..autodiff.forward import forward_gradients
            from ..autodiff.reverse import check_values
            from ..language.values import values_from_mapping

            values = values_from_mapping(values)
            check_values(graph, values)
            value, gradients, sweeps = forward_gradients(graph, values, wanted)
        else:
            result = grad(graph, values, wrt=wanted)
            value, gradients, sweeps = result.value, result.gradients, 1
    except NotScalarError:  # a vector or matrix output: its Jacobian
        return _jacobian(graph, values, wanted, mode, symbolic or latex or order == 2, as_json)
    extras = _extras(graph, values, list(gradients), symbolic or latex, latex, order)
    if as_json:
        data = {"value": to_python(value), "gradients": {k: to_python(v) for k, v in gradients.items()}}
        if mode:
            data.update(mode=mode, sweeps=sweeps)
        data.update(extras.get("json", {}))
        click.echo(json.dumps(data))
        return
    if not mode and "symbolic" not in extras and "hessian" not in extras:
        from ..render.plain import gradient_report as plain_report

        names = [a.split("=")[0].strip() for a in random_]
        if plain_report(graph, value, gradients, values, used_seed, names):
            return  # drawn without importing Rich, which costs a quarter of numpy's start-up
    from ..render.console import stdout
    from ..render.tables import gradient_report, mode_note, symbolic_view

    console = stdout()
    gradient_report(
        console, graph, value, gradients, values, used_seed, random_names=[a.split("=")[0].strip() for a in random_]
    )
    if mode:
        console.print(mode_note(mode, sweeps, sum(int(_size(values[n])) for n in gradients)))
    for view in symbolic_view(graph, extras):
        console.print(view, soft_wrap=True)  # LaTeX lines stay whole, to be copied


def _jacobian(graph, values, wanted, mode, extras: bool, as_json: bool) -> None:
    """A vector or matrix output: its Jacobian, one sweep per output entry (or per input entry)."""
    import numpy as np

    from ..autodiff.jacobian import jacobian
    from ..errors import ValueInputError
    from ..language.values import to_python, values_from_mapping

    if extras:
        raise ValueInputError(
            "--symbolic, --latex and --order 2 need a scalar output; this program's output is a vector or matrix",
            hint="wrap the output in sum(...) to get formulas, or drop the option to see the Jacobian",
        )
    values = values_from_mapping(values)
    result = jacobian(graph, values, wanted, mode or "reverse")
    if as_json:
        data = {
            "value": to_python(result.value),
            "jacobian": {n: result.matrix(n).tolist() for n in result.blocks},
            "output_shape": list(np.shape(result.value)),
            "mode": result.mode,
            "sweeps": result.sweeps,
        }
        click.echo(json.dumps(data))
        return
    from ..render.console import stdout
    from ..render.jacobian_view import jacobian_report

    jacobian_report(stdout(), graph, result, values)


def _size(value) -> int:
    import numpy as np

    return int(np.size(value))


def _extras(graph, values, names, symbolic: bool, latex: bool, order: int) -> dict:
    """Symbolic formulas and the Hessian, for both the tables and --json."""
    import numpy as np

    extras: dict = {"json": {}}
    if symbolic:
        from ..autodiff.symbolic import symbolic_gradients

        shapes = {n: np.shape(v) for n, v in values.items()}
        result = symbolic_gradients(graph, shapes, names)
        extras["symbolic"] = result
        extras["json"]["symbolic"] = result.as_dict()
        if latex:
            extras["latex"] = True
            extras["json"]["latex"] = {f.name: f.latex for f in result.formulas}
    if order == 2:
        from ..autodiff.hessian_check import hessian_check

        check = hessian_check(graph, values)
        extras["hessian"] = check
        extras["json"]["hessian"] = {
            "entries": check.labels,
            "matrix": check.matrix.tolist(),
            "max_rel_error_vs_numeric": check.error,
        }
    return extras
