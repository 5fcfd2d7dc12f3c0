"""`gradtutor code`: the forward and backward pass written out as flat code."""

from __future__ import annotations

import click

from .common import at_option, budget_option, json_option, read_program, write_output


@click.command("code")
@click.argument("program")
@at_option
@budget_option
@click.option(
    "--shape",
    "shapes",
    multiple=True,
    metavar="NAME=SHAPE",
    help="Shape of an input without --at, e.g. W=3x4 (scalar by default).",
)
@click.option(
    "--lang", type=click.Choice(["python"]), default="python", show_default=True, help="The language to write."
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to a file instead of the terminal.")
@json_option
def command(program, at, shapes, lang, output, as_json) -> None:
    """Write PROGRAM's forward pass and backward pass line by line, as the lectures' "flat"
    code: grad_L = 1.0, grad_s3 = grad_L * (1 - L) * L, ...; a value used twice collects
    its branches with +=. The code runs as it stands (with numpy).

    The backward code is written for the inputs' shapes (from --at or --shape), since
    a matrix product's rule depends on them. With --at values, running the file prints
    the value and the gradients.
    """
    import numpy as np

    from ..autodiff.flatcode import python_code
    from ..graph import build
    from .common import parse_at, parse_shapes

    graph = build(read_program(program))
    values = parse_at(at)
    shape_map = {n: np.shape(v) for n, v in values.items()}
    shape_map.update(parse_shapes(shapes))
    from ..autodiff.reverse import check_names

    check_names(graph, list(shape_map), what="--at/--shape")
    complete = values if set(values) == set(graph.variables) else None
    if complete is not None:
        from ..autodiff.reverse import forward

        forward(graph, values)  # bad values (log of a negative ...) are reported here, not in the code
    from ..errors import ShapeError

    try:
        code = python_code(graph, shape_map, complete)
    except ShapeError as exc:
        unsized = [n for n in graph.variables if n not in shape_map]
        if unsized and not exc.hint:
            exc.hint = (
                f"{', '.join(unsized)} {'is' if len(unsized) == 1 else 'are'} taken as scalars; "
                f"give shapes with --shape (e.g. --shape {unsized[0]}=3x4) or values with --at"
            )
        raise
    if as_json and not output:
        import json

        click.echo(json.dumps({"language": lang, "code": code}))
        return
    if output:
        write_output(output, code)
        click.echo(f"wrote {output}")
    else:
        click.echo(code, nl=False)
