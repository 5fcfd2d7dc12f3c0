"""Rich views of a walk: the graph, the forward pass, each backward step, the worked solution."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from ..graph import CONST, Graph
from ..language.numbers import fmt_shape, fmt_value
from ..teach.gates import gate_flow, gate_label
from ..teach.questions import DownstreamQuestion, LocalQuestion
from ..teach.walk import JacobianNote, Step, Walk, jacobian_bytes
from .adaptive import AdaptiveTable

TREE_LIMIT = 60  # past this many nodes the tree is too tall to read; the forward table remains


def graph_tree(walk: Walk) -> Tree | None:
    """The graph drawn from the output down; a node used twice is drawn once, then referred to."""
    if len(walk.graph.nodes) > TREE_LIMIT:
        return None
    return build_tree(walk.graph, lambda i: _tree_label(walk, i))


def build_tree(graph: Graph, label) -> Tree:
    """Depth first, left to right and without recursion, so a shared node is expanded where
    it is first read and later mentions can say it was shown above."""
    out = graph.output
    root = Tree(label(out), guide_style="muted")
    expanded = {out}
    stack = [(j, root) for j in reversed(graph.nodes[out].inputs) if graph.nodes[j].op is not CONST]
    while stack:
        j, parent = stack.pop()
        if j in expanded:
            parent.add(Text.assemble((graph.labels[j], "name"), (" (shared: shown above)", "muted")))
            continue
        expanded.add(j)
        branch = parent.add(label(j))
        stack.extend((k, branch) for k in reversed(graph.nodes[j].inputs) if graph.nodes[k].op is not CONST)
    return root


def _tree_label(walk: Walk, i: int) -> Text:
    graph = walk.graph
    node = graph.nodes[i]
    text = Text()
    text.append(graph.labels[i], "name")
    if node.inputs:
        text.append(" = ").append(graph.describe(i))
        text.append(f"   [{gate_label(graph, i)}]", "op")
    else:
        text.append("   input", "muted")
    uses = len(graph.consumers[i])
    if uses > 1:
        text.append(f"   feeds {uses} nodes", "warn")
    return text


def forward_table(walk: Walk) -> AdaptiveTable:
    graph = walk.graph
    table = AdaptiveTable(title="forward pass", header_style="title")
    table.add_column("node", style="name", no_wrap=True)
    table.add_column("computes")
    table.add_column("gate", style="op", no_wrap=True)
    table.add_column("value", style="value")
    table.add_column("shape", style="muted", no_wrap=True)
    for i, how, value in walk.forward_rows():
        gate = gate_label(graph, i) if graph.nodes[i].inputs else ""
        table.add_row(graph.labels[i], how, gate, fmt_value(value), fmt_shape(np.shape(value)))
    return table


def inputs_table(walk: Walk) -> AdaptiveTable:
    table = AdaptiveTable(title="inputs", header_style="title")
    table.add_column("input", style="name")
    table.add_column("value", style="value")
    table.add_column("shape", style="muted")
    for name, i in walk.graph.variables.items():
        table.add_row(name, fmt_value(walk.value(i)), fmt_shape(np.shape(walk.value(i))))
    return table


def step_header(walk: Walk, step: Step) -> Panel:
    """A gate of the backward walk: what comes in, what went out, the gradient arriving."""
    graph = walk.graph
    i = step.node
    node = graph.nodes[i]
    grid = _grid()
    grid.add_row("gate", Text(f"{gate_label(graph, i)}: {gate_flow(graph, i)[0]}", "op"))
    for j in dict.fromkeys(node.inputs):
        if graph.nodes[j].op is not CONST:  # '^2' is the gate's label, not an input
            grid.add_row("input", Text(f"{graph.labels[j]} = {fmt_value(walk.value(j))}", "value"))
    grid.add_row("output", Text(f"{graph.labels[i]} = {fmt_value(walk.value(i))}", "value"))
    grid.add_row("upstream", Text(f"d{walk.output}/d{graph.labels[i]} = {fmt_value(step.upstream)}", "grad"))
    for k, note in enumerate(step.jacobians):
        grid.add_row("jacobian", jacobian_text(walk, step, note, explain=k == 0))
    return Panel(grid, title=_node_title(graph, i), title_align="left", border_style="muted")


def tangent_header(walk, step: Step) -> Panel:
    """A forward step: the node, its inputs' values and tangents, its value."""
    graph = walk.graph
    i = step.node
    grid = _grid()
    grid.add_row("gate", Text(gate_label(graph, i), "op"))
    for j in dict.fromkeys(graph.nodes[i].inputs):
        if graph.nodes[j].op is not CONST:
            grid.add_row(
                "input",
                Text.assemble(
                    (f"{graph.labels[j]} = {fmt_value(walk.value(j))}", "value"),
                    (f" (d{graph.labels[j]} = {fmt_value(walk.tangent(j))})", "grad"),
                ),
            )
    grid.add_row("value", Text(f"{graph.labels[i]} = {fmt_value(walk.value(i))}", "value"))
    return Panel(grid, title=_node_title(graph, i), title_align="left", border_style="muted")


def _grid() -> Table:
    """Label and text side by side: wrapped text and matrices stay to the right of their label."""
    grid = Table.grid(padding=(0, 2, 0, 0))
    grid.add_column(style="muted", no_wrap=True)
    grid.add_column(overflow="fold")
    return grid


def _node_title(graph, i: int) -> Text:
    return Text.assemble(("node ", "muted"), (graph.labels[i], "name"), (" = ", ""), (graph.describe(i), ""))


def _pairs(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Join (value, tangent) pairs so _joined puts commas only between inputs."""
    return [(a[0] + b[0], "value") for a, b in zip(parts[::2], parts[1::2])]


def tangent_table(walk) -> AdaptiveTable:
    graph = walk.graph
    table = AdaptiveTable(
        title=f"forward mode: tangents d(node)/d{walk.wrt}, seeded with d{walk.wrt} = 1 and 0 for the other inputs",
        header_style="title",
    )
    table.add_column("node", style="name", no_wrap=True)
    table.add_column("computes")
    table.add_column("value", style="value")
    table.add_column("tangent rule")
    table.add_column("tangent", style="grad")
    steps = {s.node: s for s in walk.steps}
    for i, how, value in walk.forward_rows():
        if i in steps:
            q = steps[i].questions[0]
            table.add_row(graph.labels[i], how, fmt_value(value), f"d{graph.labels[i]} = {q.rule}", fmt_value(q.answer))
        else:
            table.add_row(graph.labels[i], how, fmt_value(value), "seed", fmt_value(walk.tangent(i)))
    return table


def sweeps_note(walk) -> Text:
    others = [n for n in walk.graph.variables if n != walk.wrt]
    out = walk.output
    text = f"one forward sweep gave d{out}/d{walk.wrt} = {fmt_value(walk.tangent(walk.graph.output))}."
    if others:
        what = (
            f"d{out}/d{others[0]} needs"
            if len(others) == 1
            else f"d{out}/d{others[0]} and the other {len(others) - 1} need"
        )
        text += (
            f" {what} {len(others)} more sweep{'s' if len(others) > 1 else ''} (--wrt {others[0]}); "
            f"one reverse sweep gives all {len(others) + 1} at once."
        )
    return Text(text, "muted")


def jacobian_text(walk: Walk, step: Step, note: JacobianNote, explain: bool = True) -> Text:
    graph = walk.graph
    name_i, name_j = graph.labels[step.node], graph.labels[note.input]
    size = note.rows * note.cols
    text = Text(
        f"d{name_i}/d{name_j} would be {note.rows:,} × {note.cols:,} = {size:,} numbers "
        f"({_bytes(jacobian_bytes(note))})"
    )
    if note.diagonal:
        text.append(", diagonal: each output entry depends only on the same input entry", "muted")
    if explain:
        text.append(
            "; gradtutor never builds it: it multiplies the upstream gradient through the gate directly "
            "(a vector-Jacobian product; type hint for it)",
            "muted",
        )
    return text


def _bytes(n: int) -> str:
    for unit in ("bytes", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1000
    return f"{n} bytes"


def _joined(parts: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for k, part in enumerate(parts):
        if k:
            out.append((",  ", "muted"))
        out.append(part)
    return out


def solution_view(walk: Walk) -> list[Any]:
    """The complete worked solution (solve --show): forward table, then the backward table."""
    graph = walk.graph
    out = walk.output
    views: list[Any] = [Text.assemble(("program  ", "muted"), (graph.source.strip(), "name"))]
    tree = graph_tree(walk)
    if tree is not None:
        views.append(tree)
    if walk.mode == "forward":
        return views + [tangent_table(walk), sweeps_note(walk)]
    views.append(forward_table(walk))
    table = AdaptiveTable(
        title=f"backward pass, seeded with {_seed(walk, out)}: upstream × local = downstream",
        header_style="title",
        min_width=80,
    )
    table.add_column("gate", no_wrap=True)
    table.add_column("input", style="name", no_wrap=True)
    table.add_column("upstream", style="grad")
    table.add_column("local")
    table.add_column("downstream", style="grad")
    rows, sums = edge_rows(walk)
    for k, row in enumerate(rows):
        if row.first and k:
            table.add_section()
        gate = Text()
        if row.first:
            gate.append(f"{row.gate}\n", "name").append(row.pattern, "op")
        table.add_row(gate, row.input, row.upstream, row.local, row.downstream)
    if sums:
        table.add_section()
    for name, text in sums:
        table.add_row(Text("branches add", "op"), name, "", "", text)
    views.append(table)
    views.append(gradient_table(walk))
    return views


@dataclass
class EdgeRow:
    """One edge of the backward table: upstream x local = downstream."""

    first: bool  # the first row of its gate
    gate: str  # 'q = x + y'
    pattern: str  # 'add: distributes'
    input: str
    upstream: str
    local: str
    downstream: str


def edge_rows(walk: Walk) -> tuple[list[EdgeRow], list[tuple[str, str]]]:
    """The worked solution's backward rows as plain text (for the terminal and the handouts),
    and the branch sums (input, 'share + share = total')."""
    graph = walk.graph
    out = walk.output
    rows: list[EdgeRow] = []
    sums: list[tuple[str, str]] = []
    for step in walk.steps:
        groups: dict[int, list] = {}
        for q in step.questions:
            groups.setdefault(q.input, []).append(q)
        for k, (j, qs) in enumerate(groups.items()):
            local = next((q for q in qs if isinstance(q, LocalQuestion)), None)
            down = next((q for q in qs if isinstance(q, DownstreamQuestion)), None)
            note = next((n for n in step.jacobians if n.input == j), None)
            if local is not None:
                value = fmt_value(local.answer)
                local_text = f"{local.ask} = {local.rule}" + ("" if local.rule == value else f" = {value}")
            elif note is not None:
                local_text = f"VJP {note.vjp}"
            else:  # the output gate and a branching input: the local gradient is this branch's share
                local_text = f"d{graph.labels[step.node]}/d{graph.labels[j]} = {fmt_value(down.local)}"
            if down is None:  # at the output the local gradient is already df/dx
                down_text = f"{local.ask} = {fmt_value(local.answer)}" if local is not None else ""
            elif down.is_total:
                down_text = f"share {fmt_value(down.branches[-1][1])}; total {down.ask} = {fmt_value(down.answer)}"
                sums.append((graph.labels[j], f"{down.rule} = {down.working}"))
            else:
                sep = "\n" if np.ndim(down.answer) else " "  # matrices read better on their own lines
                down_text = f"{down.ask} ={sep}{fmt_value(down.answer)}"
            rows.append(
                EdgeRow(
                    k == 0,
                    f"{graph.labels[step.node]} = {graph.describe(step.node)}",
                    f"{gate_label(graph, step.node)}: {gate_flow(graph, step.node)[0]}",
                    graph.labels[j],
                    f"d{out}/d{graph.labels[step.node]} = {fmt_value(step.upstream)}" if k == 0 else "",
                    local_text,
                    down_text,
                )
            )
    return rows, sums


def gradient_table(walk: Walk) -> AdaptiveTable:
    graph = walk.graph
    table = AdaptiveTable(title="the gradient", header_style="title")
    table.add_column("input", style="name")
    table.add_column("value", style="value")
    table.add_column(f"d{walk.output}/d(input)", style="grad")
    for name, i in graph.variables.items():
        table.add_row(name, fmt_value(walk.value(i)), fmt_value(walk.gradient(i)))
    return table


def _seed(walk, out: str) -> str:
    seed = getattr(walk, "seed", None)
    return f"d{out}/d{out} = 1" if seed is None else f"the upstream gradient d{out} = {fmt_value(seed)}"
