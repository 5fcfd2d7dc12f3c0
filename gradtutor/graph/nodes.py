"""The computational graph: a DAG of op-table entries in topological order.

A name used twice is one node with two consumers, so gradients add there.
Statement names name their nodes (the lectures' flat form `s0 = w0*x0`);
every other name is an input variable; unnamed operations get short names
(t1, t2, ...) for display.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import Span
from ..language.numbers import format_number
from ..language.syntax import infix
from ..ops import TABLE, Op

VAR = TABLE["var"]
CONST = TABLE["const"]


class Node:
    __slots__ = ("op", "inputs", "name", "span", "value", "params")

    def __init__(
        self,
        op: Op,
        inputs: tuple[int, ...] = (),
        name: str | None = None,
        span: Span | None = None,
        value: Any = None,
        params: tuple[int, ...] = (),
    ) -> None:
        self.op = op
        self.inputs = inputs
        self.name = name
        self.span = span
        self.value = value  # constants only
        self.params = params  # whole-number arguments: indices, onehot(i, n)

    def __repr__(self) -> str:
        return f"Node({self.op.name}, {self.inputs}, name={self.name!r})"


class Graph:
    """The DAG in topological order. (Plain classes here: start-up time counts.)"""

    def __init__(
        self,
        source: str,
        nodes: list[Node],
        output: int,
        variables: dict[str, int],
        names: dict[str, int],
        warnings: list[str] | None = None,
    ) -> None:
        self.source = source
        self.nodes = nodes
        self.output = output
        self.variables = variables  # input name -> node, in order of first use
        self._names = names  # statement names and inputs; the labels add the rest
        self._labels: list[str] | None = None
        self._consumers: list[list[int]] | None = None
        self.warnings = warnings or []

    def __len__(self) -> int:
        return len(self.nodes)

    # Labels, names and consumers are made on first use: the gradient of a 100,000-term
    # program asks for none of them, and making them was a sixth of its parse.
    @property
    def labels(self) -> list[str]:
        """Every node's label: its name, its number, or t1, t2, ..."""
        if self._labels is None:
            return assign_labels(self)
        return self._labels

    @property
    def names(self) -> dict[str, int]:
        """Every non-constant node's label -> node."""
        if self._labels is None:
            assign_labels(self)
        return self._names

    @property
    def consumers(self) -> list[list[int]]:
        """The nodes that use each node, in order."""
        if self._consumers is None:
            consumers: list[list[int]] = [[] for _ in self.nodes]
            for i, node in enumerate(self.nodes):
                for j in node.inputs:
                    consumers[j].append(i)
            self._consumers = consumers
        return self._consumers

    def is_leaf(self, i: int) -> bool:
        return self.nodes[i].op.form == "leaf"

    def constant_operand(self, i: int) -> int | None:
        """Which input slot of a binary operator is a constant, when exactly one is: x + 1, 2 * x.

        Such a gate is taught by its own rule (adding a constant passes the gradient
        through, multiplying by one scales it), and labelled by it ('+1', '*2')."""
        node = self.nodes[i]
        if node.op.form != "infix":
            return None
        consts = [self.nodes[j].op is CONST for j in node.inputs]
        return consts.index(True) if consts.count(True) == 1 else None

    def describe(self, i: int) -> str:
        """The node's operation written with its inputs' labels: 'x + y', 'max(y, z)'."""
        node = self.nodes[i]
        args = [self.labels[j] for j in node.inputs]
        if node.op.form != "call":
            args = [f"({a})" if a.startswith("-") else a for a in args]
        return format_op(node.op, args, node.params)


def format_op(op: Op, args: list[str], params: tuple = ()) -> str:
    """One operation written out with already-formatted operands."""
    if op.form == "infix":
        return infix(op.symbol, args[0], args[1], display=True)
    if op.form == "prefix":
        return f"-{args[0]}"
    if op.form == "postfix":
        return f"{args[0]}.T"
    if op.form == "subscript":
        return f"{args[0]}[{', '.join(args[1:] or list(map(str, params)))}]"
    if op.form == "call":
        return f"{op.symbol}({', '.join(list(args) + op.param_text(params))})"
    return args[0] if args else op.name


def assign_labels(graph: Graph) -> list[str]:
    """Labels for display and for formulas: names as written, `f` for an unnamed output
    (as in the lectures), t1, t2, ... for other unnamed operations."""
    taken = set(graph._names)
    output_name = next(n for n in ("f", "out", "output", "f_out") if n not in taken)
    counter = 0
    names = dict(graph._names)  # filled before it is shown: two threads may label at once
    labels: list[str] = []
    numbers: dict[Any, str] = {}  # a program uses the same few constants again and again
    for i, node in enumerate(graph.nodes):
        if node.name is not None:
            labels.append(node.name)
        elif node.op is CONST:
            value = node.value
            text = numbers.get(value) if type(value) is np.float64 else None
            if text is None:
                text = format_number(value)
                if type(value) is np.float64:
                    numbers[value] = text
            labels.append(text)
        elif i == graph.output:
            labels.append(output_name)
            names[output_name] = i
        else:
            counter += 1
            label = f"t{counter}"
            while label in taken:
                counter += 1
                label = f"t{counter}"
            labels.append(label)
            names[label] = i
    graph._names = names
    graph._labels = labels
    return labels
