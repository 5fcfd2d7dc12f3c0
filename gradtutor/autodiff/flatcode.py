"""Backprop written out as "flat" code: the forward pass, then the backward pass line by line.

The lectures write the sigmoid neuron as

    s0 = w0 * x0 ... L = sigmoid(s3)
    grad_L = 1.0
    grad_s3 = grad_L * (1 - L) * L
    grad_w2 = grad_s3 ...

and this module writes any program that way, in Python with numpy: each
backward line is the op's own rule (from the op table) with the program's
names, and a value used by several nodes collects its branches with +=.
The code is written for the shapes it was given (a matrix product's rule
depends on whether its operands are vectors or matrices).
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..graph import CONST, VAR, Graph
from ..graph.expr import apply, const, from_text, sym
from ..graph.printing import to_python
from ..ops import Shape
from .node_shapes import infer_shapes
from .reverse import requires_grad
from .symbolic import unbroadcast

# Names the generated file uses for itself: numpy, the helpers, Python's keywords (and
# __debug__, which cannot be assigned). A program's name among them is renamed.
RESERVED = frozenset(keyword.kwlist) | {"__debug__", "np", "grad", "sigmoid", "softmax", "logsumexp", "onehot"}


def python_names(graph: Graph) -> tuple[list[str], str]:
    """A Python name for every node and the prefix of the gradient names, collision-free by
    construction: names that are not reserved stay as written; a reserved one gets trailing
    underscores until it is taken by nobody (so `np` and a user's `np_` stay apart); and the
    gradient prefix `grad_` grows underscores until no name starts with it, so `grad_x`
    the user's never meets grad_x the gradient."""
    labels = graph.labels
    named = [i for i, node in enumerate(graph.nodes) if node.op is not CONST]
    names = list(labels)
    used = {labels[i] for i in named if labels[i] not in RESERVED}
    for i in named:
        if labels[i] in RESERVED:
            candidate = labels[i] + "_"
            while candidate in used or candidate in RESERVED:
                candidate += "_"
            used.add(candidate)
            names[i] = candidate
    prefix = "grad_"
    while any(name.startswith(prefix) for name in used):
        prefix += "_"
    return names, prefix


def python_code(graph: Graph, shapes: Mapping[str, Shape], values: Mapping[str, Any] | None = None) -> str:
    labels = graph.labels
    function = "f"  # the lectures' def f(...); an output also called f is just a local variable inside
    names, grad = python_names(graph)
    python = {labels[i]: names[i] for i, node in enumerate(graph.nodes) if node.op is not CONST}

    def rename(name: str) -> str:
        return python.get(name, name)  # gradient names are already Python names

    shape_of = infer_shapes(graph, shapes)
    if shape_of[graph.output] != ():
        from ..errors import NotScalarError
        from ..language.numbers import describe_shape

        raise NotScalarError(
            f"the output is {describe_shape(shape_of[graph.output])}, but a gradient needs a scalar output",
            source=graph.source,
            span=graph.nodes[graph.output].span,
            hint="reduce it to one number, e.g. sum(...) or mean(...) around the output",
        )

    def ref(j: int):
        node = graph.nodes[j]
        return const(node.value) if node.op is CONST else sym(labels[j], shape_of[j])

    lines = [
        f"def {function}({', '.join(names[i] for i in graph.variables.values())}):",
        # the program's text goes in as a string literal: repr() escapes whatever it holds
        f"    {_one_line(graph.source) + ': the value and its gradient, written out as flat code.'!r}",
        "    # forward pass",
    ]
    helpers: dict[str, str] = {}
    for i, node in enumerate(graph.nodes):
        if node.op is VAR or node.op is CONST:  # leaves; onehot(1, 3) and eye(2) have no inputs but are computed
            continue
        expr = apply(node.op.name, *(ref(j) for j in node.inputs), params=node.params)
        for e_op in _ops(expr):
            if e_op.py_helper:
                helpers[e_op.name] = e_op.py_helper
        lines.append(f"    {names[i]} = {to_python(expr, rename=rename)}")

    out = graph.output
    if graph.nodes[out].op is CONST:  # a constant program: give its value a name to return
        names[out] = "f"  # (a constant program has no other names)
        lines.append(f"    f = {to_python(const(graph.nodes[out].value))}")
    need = requires_grad(graph, graph.variables.values())
    consumers = {j: [c for c in graph.consumers[j] if need[c]] for j in range(len(graph.nodes))}
    lines.append("    # backward pass")
    lines.append(f"    {grad}{names[out]} = 1.0")
    started: set[int] = set()
    for i in range(len(graph.nodes) - 1, -1, -1):
        node = graph.nodes[i]
        if not node.inputs or not need[i]:
            continue
        pattern = node.op.flow(graph.constant_operand(i) is not None)[0]
        lines.append(f"    # {_comment(f'{names[i]} = {graph.describe(i)}')}: {node.op.name} gate, {pattern}")
        env = {"out": sym(labels[i], shape_of[i]), "grad": sym(f"{grad}{names[i]}", shape_of[i])}
        for slot, j in zip(("a", "b"), node.inputs):
            env[slot] = ref(j)
        templates = node.op.backward_text([shape_of[j] for j in node.inputs], node.params)
        for j in dict.fromkeys(node.inputs):
            if not need[j] or graph.nodes[j].op is CONST:
                continue
            parts = [
                from_text(templates[k], env) for k, jj in enumerate(node.inputs) if jj == j and templates[k] != "0"
            ]
            if not parts:
                continue
            expr = parts[0] if len(parts) == 1 else apply("add", *parts[:2])
            expr = unbroadcast(expr, shape_of[j])
            for e_op in _ops(expr):
                if e_op.py_helper:
                    helpers[e_op.name] = e_op.py_helper
            code = to_python(expr, rename=rename)
            target = f"{grad}{names[j]}"
            if len(consumers[j]) > 1:
                if j not in started:
                    started.add(j)
                    lines.append(
                        f"    {target} = 0.0  # {labels[j]} feeds {len(consumers[j])} nodes: "
                        f"its gradients add at the branches"
                    )
                lines.append(f"    {target} += {code}")
            else:
                lines.append(f"    {target} = {code}")
    for j in graph.variables.values():
        if j != out and not any(line.startswith(f"    {grad}{names[j]} ") for line in lines):
            lines.append(f"    {grad}{names[j]} = {_zero(shape_of[j])}  # no gradient reaches it")
    grads = ", ".join(f"{labels[j]!r}: {grad}{names[j]}" for j in graph.variables.values())
    lines.append(f"    return {names[out]}, {{{grads}}}")

    header = [
        "# Generated by gradtutor: the forward and backward pass as flat code.",
        f"# Shapes: {', '.join(f'{n} {_shape_text(shape_of[i])}' for n, i in graph.variables.items())}"
        if graph.variables
        else "",
        "import numpy as np",
        "",
    ]
    for helper in helpers.values():
        header += [helper, ""]
    body = "\n".join(header + lines)
    if values is not None:
        args = ", ".join(f"{names[i]}={_literal(values[n])}" for n, i in graph.variables.items())
        body += (
            '\n\n\nif __name__ == "__main__":\n'
            f"    value, gradients = {function}({args})\n"
            "    print(value)\n"
            "    for name, g in gradients.items():\n"
            "        print(name, g)\n"
        )
    return body + ("" if body.endswith("\n") else "\n")


def _ops(expr) -> list:
    from ..graph.expr import postorder

    return [e.op for e in postorder(expr)]


def _zero(shape: Shape) -> str:
    return "0.0" if not shape else f"np.zeros({tuple(shape)})"


def _shape_text(shape: Shape) -> str:
    return "scalar" if not shape else "x".join(map(str, shape))


def _literal(value: Any) -> str:
    arr = np.asarray(value, dtype=float)
    return repr(float(arr)) if arr.ndim == 0 else f"np.array({arr.tolist()!r})"


def _one_line(source: str) -> str:
    return "; ".join(line.strip() for line in source.strip().splitlines() if line.strip())


def _comment(text: str) -> str:
    """Text for a # comment: on one line by every reckoning (splitlines knows them all)."""
    return " ".join(text.splitlines())
