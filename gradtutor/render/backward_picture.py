"""The backward pass drawn as a graph of its own (symbol-to-symbol), next to the forward graph.

Every gradient is a node, computed from the gradient of the node it feeds by
the op's backward rule, written with the program's names: a matrix product
becomes its transpose (`W.T @ dz`), a relu becomes a 0/1 gate (`dh * step(z)`),
a multiply swaps (`df * z`), and a value used twice gets one node per branch
and a `+` that adds them. Each gradient node shows its number too, and a
dashed green edge brings in every forward value the rule reads: the forward
pass parameterises the backward one, which is itself a linear network in the
upstream gradients. That is the lectures' picture, and because every label is
a formula in gradtutor's language, the backward graph can be differentiated
again (higher derivatives).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rich.table import Table

from ..autodiff.symbolic import unbroadcast
from ..graph import CONST
from ..graph.expr import const, from_text, sym, symbols
from ..graph.printing import to_text
from ..teach.gates import gate_flow
from ..teach.walk import Walk
from .picture import GRAD_COLOUR, VALUE_COLOUR, edge_shares, short

# what a forward gate becomes in the backward graph, where the pattern's name alone does not say it
BACKWARD_GATES = {
    "matrix product": "its transpose",
    "gates": "a 0/1 gate",
    "distributes": "passes it on",
    "splits": "picks its part",
}


@dataclass
class BackNode:
    key: str
    name: str  # 'dq', or '' for one branch's share
    formula: str  # how it is computed: 'df * z', '1', '+'
    value: Any
    note: str = ""  # the gate's pattern: 'mul: swaps'
    reads: list[int] = field(default_factory=list)  # forward nodes whose values the rule uses


@dataclass
class BackwardGraph:
    nodes: list[BackNode]
    edges: list[tuple[str, str]]  # gradient flow: (from, to)


def dname(walk: Walk, i: int) -> str:
    return "d" + walk.graph.labels[i]


def backward_graph(walk: Walk) -> BackwardGraph:
    """The gradient computation of `walk`'s graph, one node per gradient and per branch share."""
    graph = walk.graph
    shares = edge_shares(walk)
    ids = {label: i for i, label in enumerate(graph.labels) if graph.nodes[i].op is not CONST}
    nodes = [BackNode(f"g{graph.output}", dname(walk, graph.output), "1", 1.0, "the seed")]
    edges: list[tuple[str, str]] = []
    incoming: dict[int, list[str]] = {}
    for i in range(len(graph.nodes) - 1, -1, -1):
        node = graph.nodes[i]
        if i in incoming:  # every consumer comes later in the graph, so all of i's shares have arrived
            _gradient_node(walk, i, incoming.pop(i), nodes, edges)
        if not node.inputs or walk.evaluation.grads[i] is None:
            continue
        shapes = [np.shape(walk.value(j)) for j in node.inputs]
        texts = node.op.backward_text(shapes, node.params)
        env = {"grad": sym(dname(walk, i), np.shape(walk.value(i))), "out": _named(walk, i)}
        env.update(zip("ab", (_named(walk, j) for j in node.inputs)))
        pattern = gate_flow(graph, i)[0]
        pattern = BACKWARD_GATES.get(pattern, pattern)
        for k, (j, text) in enumerate(zip(node.inputs, texts)):
            if (j, i) not in shares or graph.nodes[j].op is CONST:
                continue
            formula = unbroadcast(from_text(text, env), shapes[k])
            key = f"s{i}_{k}"
            reads = [ids[s] for s in symbols(formula) if s in ids and s != dname(walk, i)]
            nodes.append(BackNode(key, "", to_text(formula), shares[(j, i)], f"{node.op.label}: {pattern}", reads))
            edges.append((f"g{i}", key))
            incoming.setdefault(j, []).append(key)
    return BackwardGraph(nodes, edges)


def _gradient_node(walk: Walk, j: int, parts: list[str], nodes: list[BackNode], edges: list) -> None:
    """j's gradient: its one share renamed, or a '+' of its branches."""
    value = walk.gradient(j)
    if len(parts) == 1:
        share = next(n for n in nodes if n.key == parts[0])
        share.key, share.name = f"g{j}", dname(walk, j)
        for k, (a, b) in enumerate(edges):
            if b == parts[0]:
                edges[k] = (a, share.key)
        return
    formulas = [next(n.formula for n in nodes if n.key == p) for p in parts]
    total = " + ".join(formulas) if sum(map(len, formulas)) <= 40 else f"the sum of {len(parts)} branches"
    nodes.append(BackNode(f"g{j}", dname(walk, j), total, value, "branches add"))
    edges.extend((p, f"g{j}") for p in parts)


def _named(walk: Walk, j: int):
    node = walk.graph.nodes[j]
    if node.op is CONST:
        return const(node.value)
    return sym(walk.graph.labels[j], np.shape(walk.value(j)))


# --- drawings -----------------------------------------------------------------------


def _html_label(n: BackNode) -> str:
    head = f"{n.name} = {n.formula}" if n.name else n.formula
    note = f'<br/><font point-size="9">{html.escape(n.note)}</font>' if n.note else ""
    value = f'<br/><font color="{GRAD_COLOUR}">{html.escape(short(n.value))}</font>'
    return f"<{html.escape(head)}{note}{value}>"


def backward_digraph(walk: Walk):
    """Graphviz: the forward graph on top, its backward graph below, values read by the rules dashed."""
    import graphviz

    from .picture import digraph

    dot = digraph(walk)
    back = backward_graph(walk)
    with dot.subgraph(name="cluster_backward") as sub:
        sub.attr(label="backward pass (the gradients flow right to left)", fontcolor=GRAD_COLOUR, color="#cccccc")
        for n in back.nodes:
            sub.node(n.key, _html_label(n), shape="box", style="rounded", color=GRAD_COLOUR)
        for a, b in back.edges:  # drawn from b to a with the arrow reversed: the layers line up with the forward ones
            sub.edge(b, a, dir="back", color=GRAD_COLOUR)
    for n in back.nodes:
        for j in dict.fromkeys(n.reads):
            dot.edge(f"n{j}", n.key, style="dashed", color=VALUE_COLOUR, constraint="false", arrowsize="0.5")
    assert isinstance(dot, graphviz.Digraph)
    return dot


def render_backward_file(walk: Walk, path: str) -> None:
    fmt = path.rsplit(".", 1)[-1].lower()
    dot = backward_digraph(walk)
    if fmt == "dot":
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(dot.source)
        return
    with open(path, "wb") as handle:
        handle.write(dot.pipe(format=fmt))


def backward_table(walk: Walk) -> Table:
    """The backward graph in the terminal: each gradient, the rule that computes it, its value."""
    table = Table(title="the backward pass as a graph (from the output back)", title_justify="left")
    table.add_column("gradient", style="name", no_wrap=True)
    table.add_column("computed as")
    table.add_column("value", style="grad")
    table.add_column("gate", style="muted")
    for n in backward_graph(walk).nodes:
        table.add_row(n.name or "  (a branch)", n.formula, short(n.value), n.note)
    return table


def backward_json(walk: Walk) -> list[dict[str, Any]]:
    """The backward graph as data (graph --backward --json): each node, its rule, value and sources."""
    from ..language.values import to_python

    back = backward_graph(walk)
    names = {n.key: n.name or n.key for n in back.nodes}
    return [
        {
            "node": names[n.key],
            "computed_as": n.formula,
            "value": to_python(n.value),
            "gate": n.note,
            "from": [names[a] for a, b in back.edges if b == n.key],
            "reads": [walk.graph.labels[j] for j in dict.fromkeys(n.reads)],
        }
        for n in back.nodes
    ]


def mermaid_lines(walk: Walk) -> list[str]:
    """A Mermaid flowchart of the backward graph (for the Markdown handout)."""
    back = backward_graph(walk)
    lines = ["```mermaid", "flowchart RL"]
    for n in back.nodes:
        head = f"{n.name} = {n.formula}" if n.name else n.formula
        text = f"{head}<br/>{short(n.value)}".replace('"', "'")
        lines.append(f'    {n.key}["{text}"]')
    lines += [f"    {a} --> {b}" for a, b in back.edges]
    return lines + ["```"]


def tikz_lines(walk: Walk, tex) -> list[str]:
    """A TikZ picture of the backward graph (for the LaTeX handout): one column per step back."""
    back = backward_graph(walk)
    depth = {n.key: 0 for n in back.nodes}
    for _ in back.nodes:  # longest path from the seed (the graph is small and acyclic)
        for a, b in back.edges:
            depth[b] = max(depth[b], depth[a] + 1)
    last = max(depth.values())
    rows: dict[int, int] = {}
    lines = [r"\begin{tikzpicture}[x=3.4cm, y=-1.4cm, g/.style={draw=bwd, rounded corners, font=\scriptsize}]"]
    for n in back.nodes:
        col = last - depth[n.key]
        row = rows.get(col, 0)
        rows[col] = row + 1
        head = f"{n.name} = {n.formula}" if n.name else n.formula
        lines.append(rf"  \node[g, align=center] ({n.key}) at ({col}, {row}) {{{tex(head)}\\{tex(short(n.value))}}};")
    lines += [rf"  \draw[->, bwd] ({a}) -- ({b});" for a, b in back.edges]
    return lines + [r"\end{tikzpicture}"]
