"""`gradtutor graph`: a picture of the computational graph with values and gradients."""

from __future__ import annotations

import click

from .common import at_option, budget_option, json_option, read_program, seed_option, write_output


@click.command("graph")
@click.argument("program")
@at_option
@budget_option
@click.option(
    "--shape", "shapes", multiple=True, metavar="NAME=SHAPE", help="Shape for an input drawn at random, e.g. W=2x3."
)
@seed_option
@click.option(
    "--backward",
    is_flag=True,
    help="Also draw the backward pass as a graph of its own: each gradient from the one it came from.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="FILE.svg, FILE.png (needs Graphviz's dot program) or FILE.dot.",
)
@json_option
def command(program, at, shapes, seed, backward, output, as_json) -> None:
    """Draw PROGRAM's computational graph: forward values above the edges (green) and
    gradients below them (red), as the lectures draw it. Without -o, the terminal
    shows the graph as a tree with each node's value and gradient.

    With --backward the backward pass is drawn too, as its own graph: each
    gradient computed from the one it came from by the gate's rule, with the
    program's names (W.T @ dz, dh * step(z), df * z), branches joined by +.

    SVG and PNG are drawn by Graphviz: install it with `sudo apt install graphviz`
    (Debian/Ubuntu) or `brew install graphviz` (macOS). FILE.dot needs nothing.
    """
    from ..errors import GradtutorError
    from ..graph import build
    from ..render.console import stdout
    from ..render.picture import picture, value_tree
    from ..teach.walk import build_walk
    from .values_draw import draw_values

    graph = build(read_program(program))
    values, drawn, used_seed = draw_values(graph, at, shapes, seed)
    walk = build_walk(graph, values, explain=False)
    console = stdout()
    if as_json and output is None:
        import json

        data = walk.graph_json()
        if backward:
            from ..render.backward_picture import backward_json

            data["backward"] = backward_json(walk)
        click.echo(json.dumps(data))
        return
    if output is None:
        console.print(value_tree(walk))
        if backward:
            from ..render.backward_picture import backward_table

            console.print(backward_table(walk))
        return
    suffix = output.rsplit(".", 1)[-1].lower() if "." in output else ""
    if suffix not in ("svg", "png", "dot"):
        raise GradtutorError(f"cannot tell the picture format of {output!r}", hint="end the name in .svg, .png or .dot")
    import graphviz

    try:
        if backward:
            from ..render.backward_picture import backward_digraph

            dot = backward_digraph(walk)
            data = dot.source if suffix == "dot" else dot.pipe(format=suffix)
        else:
            data = picture(walk, suffix)
    except graphviz.ExecutableNotFound:
        console.print(value_tree(walk))
        raise GradtutorError(
            f"Graphviz's dot program is needed to draw {suffix.upper()}, and it is not installed; "
            f"the graph is shown above instead",
            hint="install it (sudo apt install graphviz), or write a .dot file instead",
        ) from None
    write_output(output, data)
    click.echo(f"wrote {output}")
