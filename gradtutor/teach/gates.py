"""What a gate teaches, read from its op-table entry: its label, its pattern, its typical mistakes.

The op table holds the teaching (ops/op.py, ops/patterns.py); the graph
decides, in one place, whether an operand is a constant (`x + 1` passes the
gradient through, `2 * x` scales it). Walk, grading, hints and the views all
ask here, so a gate is labelled and taught the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..graph import Graph
from ..language.numbers import format_number
from ..mistakes import Mistake
from ..ops.patterns import GateContext


def gate_label(graph: Graph, i: int) -> str:
    """How the lectures label a gate: '+', '*', 'max', 'exp', and '+1', '*-1', '1/x', '^2' with a constant."""
    node = graph.nodes[i]
    slot = graph.constant_operand(i)
    if slot is not None:
        value = graph.nodes[node.inputs[slot]].value
        if np.ndim(value) == 0:
            return node.op.gate_label(format_number(value), constant_first=slot == 0)
    return node.op.gate_label()


def gate_symbol(graph: Graph, i: int) -> str:
    """How a picture labels a gate: as the lectures draw it, '+', '*', '@', with a constant '+1', '*2'."""
    node = graph.nodes[i]
    slot = graph.constant_operand(i)
    if slot is not None or node.op.form not in ("infix",):
        return gate_label(graph, i)
    return node.op.symbol


def gate_flow(graph: Graph, i: int) -> tuple[str, str]:
    """The gate's pattern and rule: a multiply by a constant scales, it does not swap."""
    return graph.nodes[i].op.flow(graph.constant_operand(i) is not None)


def gate_mistakes(walk, question, near: Callable[[Any], bool]) -> list[Mistake]:
    """The mistakes typical of the gate's pattern (from the op table) that explain the answer.
    The message's names are looked up only for a mistake that fits (most wrong answers fit none)."""
    graph = walk.graph
    node = graph.nodes[question.node]
    context = GateContext(
        scale=question.scale, own=walk.value(question.input), out=walk.value(question.node), answer=question.answer
    )
    distinct = len(set(node.inputs))
    found, names = [], None
    for mistake in node.op.typical_mistakes(graph.constant_operand(question.node) is not None):
        if mistake.applies(distinct) and any(near(wrong) for wrong in mistake.wrong(context)):
            names = names or _names(graph, question)
            found.append(Mistake(mistake.code, mistake.message.format(**names)))
    return found


def _names(graph: Graph, question) -> dict[str, str]:
    node = graph.nodes[question.node]
    x = question.input
    others = [j for j in node.inputs if j != x]
    return {
        "x": graph.labels[x],
        "other": graph.labels[others[0]] if others else "",
        "gate": gate_label(graph, question.node),
        "title": node.op.title,
        "rule": gate_flow(graph, question.node)[1],
    }
