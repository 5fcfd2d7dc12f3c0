"""Pictures of the graph, drawn as the lectures draw them: values above the edges (green),
gradients below (red), gates labelled +, *, max, exp, 1/x, *-1 ...

Graphviz lays the picture out (the `graphviz` package writes DOT; Graphviz's `dot`
program renders SVG or PNG). Without the program, DOT files can still be written and
the terminal shows the same numbers as a Rich tree.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
from rich.text import Text
from rich.tree import Tree  # noqa: F401 (the return type of value_tree)

from ..autodiff.reverse import unbroadcast, vjp
from ..graph import CONST
from ..language.numbers import fmt_value
from ..teach.gates import gate_label, gate_symbol
from ..teach.walk import Walk
from .walk_view import build_tree

PNG_DPI = 200  # sharp in a browser and on a slide; SVG scales by itself
VALUE_COLOUR = "#1a7f37"
GRAD_COLOUR = "#cf222e"


SMALL = 6  # entries: an array this small is printed on its edge; a larger one by its shape


def short(value: Any, rows: bool = False) -> str:
    """A value on an edge: small arrays in full (one line, or with `rows` a line per row), large
    ones by their shape."""
    arr = np.asarray(value, dtype=float)
    if arr.size > SMALL:
        return "×".join(map(str, arr.shape))
    text = fmt_value(arr, digits=3) if arr.ndim else f"{float(arr):.3g}"
    return "\n".join(line.strip() for line in text.splitlines()) if rows else " ".join(text.split())


def edge_shares(walk: Walk) -> dict[tuple[int, int], Any]:
    """The gradient each edge carries back: its consumer's upstream times the local gradient."""
    graph = walk.graph
    shares: dict[tuple[int, int], Any] = {}
    for i, node in enumerate(graph.nodes):
        if not node.inputs or walk.evaluation.grads[i] is None:
            continue
        ins = [walk.value(j) for j in node.inputs]
        need = [graph.nodes[j].op is not CONST for j in node.inputs]
        parts = vjp(node.op, walk.evaluation.grads[i], walk.value(i), ins, need, node.params)
        for j, part in zip(node.inputs, parts):
            if part is None:
                continue
            part = unbroadcast(part, np.shape(walk.value(j)))
            shares[(j, i)] = part if (j, i) not in shares else shares[(j, i)] + part
    return shares


def digraph(walk: Walk, dpi: int | None = None):
    import graphviz
    from graphviz import escape

    graph = walk.graph
    out = graph.labels[graph.output]
    attrs = {
        "rankdir": "LR",
        "fontname": "Helvetica",
        "nodesep": "0.5",
        "labelloc": "b",
        "labeljust": "l",
        "fontsize": "12",
        "label": _legend(out),
    }
    if dpi:
        attrs["dpi"] = str(dpi)
    dot = graphviz.Digraph(
        "gradtutor",
        graph_attr=attrs,
        node_attr={"fontname": "Helvetica"},
        edge_attr={"fontname": "Helvetica", "fontsize": "11"},
    )
    shares = edge_shares(walk)
    for i, node in enumerate(graph.nodes):
        if node.op is CONST:
            continue
        name = html.escape(graph.labels[i])
        if not node.inputs:  # an input: its name, and its total gradient (the sum over its edges)
            total = _multiline(short(walk.gradient(i), rows=True))
            dot.node(
                f"n{i}",
                f'<<b>{name}</b><br/><font color="{GRAD_COLOUR}" point-size="11">{total}</font>>',
                shape="plaintext",
                fontsize="14",
            )
        else:  # a gate: its symbol, and the name of the value it computes, inside the circle
            gate = html.escape(gate_symbol(graph, i))
            dot.node(
                f"n{i}",
                f'<<b>{gate}</b><br/><font point-size="10">{name}</font>>',
                shape="circle",
                tooltip=escape(f"{graph.labels[i]} = {graph.describe(i)}"),  # a backslash stays one
            )
    for (j, i), share in shares.items():
        dot.edge(f"n{j}", f"n{i}", label=_label(walk.value(j), share))
    for j, i in ((j, i) for i, n in enumerate(graph.nodes) for j in dict.fromkeys(n.inputs)):
        if (j, i) not in shares and graph.nodes[j].op is not CONST:
            dot.edge(f"n{j}", f"n{i}", label=_label(walk.value(j), None))
    dot.node("out", "", shape="point", width="0.05")
    dot.edge(f"n{graph.output}", "out", label=_label(walk.value(graph.output), 1.0))
    return dot


def _legend(out: str) -> str:
    out = html.escape(out)
    return (
        f'<<font color="{VALUE_COLOUR}">green: the value (forward pass)</font><br align="left"/>'
        f'<font color="{GRAD_COLOUR}">red: the gradient d{out}/d(value) (backward pass)</font><br align="left"/>>'
    )


def _multiline(text: str) -> str:
    return "<br/>".join(html.escape(line.strip()) for line in text.splitlines())


def _label(value: Any, grad: Any) -> str:
    top = f'<font color="{VALUE_COLOUR}">{_multiline(short(value, rows=True))}</font>'
    bottom = f'<font color="{GRAD_COLOUR}">{_multiline(short(grad, rows=True))}</font>' if grad is not None else ""
    return f"<{top}<br/>{bottom}>"


def dot_source(walk: Walk) -> str:
    return digraph(walk).source


def picture(walk: Walk, fmt: str) -> str | bytes:
    """The picture as .dot text, or .svg or .png bytes (those two need Graphviz's dot program)."""
    if fmt == "dot":
        return dot_source(walk)
    return digraph(walk, dpi=PNG_DPI if fmt == "png" else None).pipe(format=fmt)


def value_tree(walk: Walk) -> Tree:
    """The graph in the terminal, from the output down, with each node's value and gradient."""
    graph = walk.graph

    def label(i: int) -> Text:
        text = Text()
        text.append(graph.labels[i], "name")
        if graph.nodes[i].inputs:
            text.append(f" = {graph.describe(i)}  [{gate_label(graph, i)}]")
        text.append("   value ", "muted").append(short(walk.value(i)), "value")
        text.append("   gradient ", "muted").append(short(walk.gradient(i)), "grad")
        return text

    return build_tree(graph, label)
