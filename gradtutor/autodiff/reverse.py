"""The engine: a forward pass, then one reverse-mode sweep (exact gradients, float64).

The backward sweep visits nodes in reverse topological order, seeded with 1 at
the scalar output. Each node hands its upstream gradient to its op's
vector-Jacobian product; the results are un-broadcast to the inputs' shapes and
*added* into the inputs' gradients, so a node with several consumers collects
the sum over its branches without any special case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from typing import Any

import numpy as np

from .. import budget
from ..budget import BudgetError
from ..errors import GradtutorError, MissingValuesError, NameLookupError, NotScalarError, join_names, suggest
from ..graph import CONST, VAR, Graph, shared
from ..language.numbers import describe_shape
from ..language.values import isfinite, require_finite, values_from_mapping
from ..ops import Op
from . import composed, spare
from .blame import check_gradients, domain_error, raise_first_overflow
from .cost import Tally
from .live import LiveTally
from .node_shapes import check_shapes, shape_of
from .reads import DropTally
from .scalars import F64, FLIP, PASS, STEP, VJP


class Evaluation:
    """A graph evaluated at a point: every node's value, and (after backward) its gradient. A pass
    that lets values go (`release`, `value_only`) leaves None, or a value's shape alone (reads.py)."""

    def __init__(self, graph: Graph, values: list[Any], grads: list[Any] | None = None, work: int = 0) -> None:
        self.graph = graph
        self.values = values
        self.grads = grads or []
        self.work = work  # operations the forward pass took (the budget's unit)

    @property
    def value(self) -> Any:
        return self.values[self.graph.output]

    def gradient(self, i: int) -> Any:
        """d output / d node i, in the node's shape (zeros where no gradient reached it)."""
        g = self.grads[i] if self.grads else None
        if g is None:
            return np.zeros(np.shape(self.values[i]))
        return g


class Result:
    """What `gradtutor.grad` returns: `.value` and `.gradients` (name -> float or array).

    `.evaluation` keeps the inputs and the output; intermediate values are let go as soon as
    nothing reads them (use `forward`/`backward` to keep them all)."""

    def __init__(self, value: Any, gradients: dict[str, Any], evaluation: Evaluation) -> None:
        self.value = value
        self.gradients = gradients
        self.evaluation = evaluation

    def __repr__(self) -> str:
        return f"Result(value={self.value!r}, gradients={self.gradients!r})"

    @property
    def graph(self) -> Graph:
        return self.evaluation.graph


def grad(program: str | Graph, values: Mapping[str, Any], wrt: Iterable[str] | None = None) -> Result:
    """Value and exact gradients of a scalar program at `values`. The inputs are looked over for
    inf and nan only when something fails (a value or a gradient that is not finite fails too),
    and then an input holding one is what the error names. One that an index or a relu leaves
    out changes nothing, and looking first cost a pass over every input on every call."""
    graph = shared(program) if isinstance(program, str) else program
    inputs = values_from_mapping(values, finite=False)
    try:
        return _grad(graph, inputs, wrt)
    except GradtutorError as exc:
        failure = exc
    for name, value in inputs.items():
        require_finite(name, value)
    raise failure


def _grad(graph: Graph, inputs: dict[str, Any], wrt: Iterable[str] | None) -> Result:
    evaluation = forward(graph, inputs, release=True)
    names = list(graph.variables) if wrt is None else list(wrt)
    check_names(graph, names, what="--wrt")
    require_scalar(evaluation)
    targets = [graph.variables[n] for n in names]
    backward(evaluation, targets, release=True)
    if not all(isfinite(evaluation.gradient(t)) for t in targets):
        # Sweep again keeping every value: it says where it went wrong, and should a dropped value
        # have been read after all, its gradients are the right ones and are what is returned.
        evaluation = forward(graph, inputs)
        backward(evaluation, targets)
    gradients = {n: _plain(evaluation.gradient(graph.variables[n])) for n in names}
    return Result(_plain(evaluation.value), gradients, evaluation)


def _plain(value: Any) -> Any:
    arr = np.asarray(value, dtype=np.float64)
    return float(arr) if arr.ndim == 0 else arr


def check_names(graph: Graph, names: Iterable[str], what: str) -> None:
    for name in names:
        if name not in graph.variables:
            known = list(graph.variables)
            hint = suggest(name, known) or f"the inputs are {join_names(known)}"
            raise NameLookupError(f"{what} names '{name}', which is not an input of the program", hint=hint)


def check_values(graph: Graph, values: Mapping[str, Any]) -> None:
    missing = [n for n in graph.variables if n not in values]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise MissingValuesError(
            f"no value given for the input{plural} {join_names(missing)}",
            hint="give each one with --at, e.g. --at " + f"{missing[0]}=1.5",
        )
    for name in values:
        if name not in graph.variables:
            known = list(graph.variables)
            hint = suggest(name, known) or f"the inputs are {join_names(known)}"
            raise NameLookupError(f"a value was given for '{name}', which the program does not use", hint=hint)


def require_scalar(evaluation: Evaluation) -> None:
    shape = np.shape(evaluation.value)
    if shape != ():
        graph = evaluation.graph
        raise NotScalarError(
            f"the output is {describe_shape(shape)}, but a gradient needs a scalar output",
            source=graph.source,
            span=graph.nodes[graph.output].span,
            hint="reduce it to one number, e.g. sum(...) or mean(...) around the output",
        )


def forward(
    graph: Graph, values: Mapping[str, Any], overrides: Mapping | None = None, value_only=False, release=False
) -> Evaluation:
    """Evaluate every node; shape and domain problems name the node that has them. With
    `value_only` (a formula's value) intermediates go once used: see live.py. With `release`
    (a sweep back follows, with release too) large values no backward rule reads go once
    the forward pass is done with them, leaving their shapes: see reads.py."""
    check_values(graph, values)
    nodes = graph.nodes
    out: list[Any] = [None] * len(nodes)
    release = release and not overrides  # an override is the caller's array: never a buffer to write into
    tally = LiveTally(graph, out) if value_only else DropTally(graph, out, values) if release else Tally(graph)
    scalars, first_scalar = 0, -1  # elementwise steps on float64 scalars, tallied in one go
    room = tally.room()  # scalars that fit in the budget: one more is refused where node() would refuse it
    with np.errstate(all="ignore"):
        for i, node in enumerate(nodes):
            op = node.op
            if overrides and i in overrides:
                out[i] = overrides[i]
                tally.value(i, out[i])  # the caller's array: counted, and never written into
                room = tally.room()
                continue
            if op is VAR:
                v = values[node.name]  # a 0-d array as its np.float64, so a scalar program takes the short cut
                out[i] = v[()] if type(v) is np.ndarray and v.ndim == 0 else v
                tally.value(i, out[i])
                room = tally.room()
                continue
            if op is CONST:
                out[i] = node.value
                continue
            ins = [out[j] for j in node.inputs]
            step = STEP.get(op)
            if step is not None and type(ins[0]) is F64 and (len(ins) == 1 or type(ins[1]) is F64):
                scalars += 1
                if first_scalar < 0:
                    first_scalar = i
                if scalars > room:
                    tally.scalars(scalars, first_scalar)  # raises
                if op.domain is not None:
                    problem = op.domain(*ins)
                    if problem:
                        raise domain_error(graph, i, problem, ins)
                out[i] = step(*ins)
                continue
            if scalars:
                tally.scalars(scalars, first_scalar)
                scalars = 0
            tally.node(i, check_shapes(graph, i, op, ins), ins)
            room = tally.room()
            if op.composed:
                fused = composed.find(graph, i)
                if fused is not None and not (overrides and any(j in overrides for j in fused.between)):
                    out[i] = composed.value(fused, out)
                    continue
            if op.domain is not None:
                problem = op.domain(*ins, *node.params)  # whole-number arguments too: onehot(y, n) checks y < n
                if problem:
                    raise domain_error(graph, i, problem, ins)
            out[i] = tally.compute(i, op, ins, node.params)
    tally.scalars(scalars, first_scalar)
    budget.charge(tally.work)
    if not isfinite(out[graph.output]):
        if release or value_only:  # a dropped value may be where it started: blame from a pass keeping all
            with suppress(BudgetError):  # too big to keep them all: blamed from what is left
                forward(graph, values, overrides)
            for j in tally.dropped:
                out[j] = None  # a dropped value's nan stand-in is not where it started
        raise_first_overflow(graph, out)
    return Evaluation(graph, out, work=tally.work)


def requires_grad(graph: Graph, targets: Iterable[int]) -> list[bool]:
    """Which nodes lie on a path from a target variable: only they need backward work."""
    need = [False] * len(graph.nodes)
    for t in targets:
        need[t] = True
    for i, node in enumerate(graph.nodes):
        if not need[i]:
            for j in node.inputs:
                if need[j]:
                    need[i] = True
                    break
    return need


def backward(
    evaluation: Evaluation, targets: Iterable[int] | None = None, seed: Any = 1.0, release: bool = False
) -> list[Any]:
    """Reverse mode from the output. `targets` are the nodes whose gradients are wanted
    (all variables by default); work off their paths is skipped. With `release`, each
    intermediate value and gradient is dropped once its last use is done, and a gradient
    nothing else holds may be written into (spare.py); the tutor keeps them all to show."""
    graph = evaluation.graph
    values = evaluation.values
    nodes = graph.nodes
    targets = list(graph.variables.values() if targets is None else targets)
    keep = set(targets)
    need = requires_grad(graph, targets)
    grads: list[Any] = [None] * len(nodes)
    grads[graph.output] = np.float64(seed) if isinstance(seed, float) or np.ndim(seed) == 0 else seed
    # A stable pair (log(sigmoid(x))) hands x its gradient in one step; the nodes between still get
    # theirs the ordinary way (the walk shows them), but the inner one no longer passes it on to x.
    handed: dict[int, int] = {}
    unshared = [False] * len(nodes) if release else None  # gradients this sweep made, held nowhere else
    with np.errstate(all="ignore"):
        for i in range(len(nodes) - 1, -1, -1):
            g = grads[i]
            node = nodes[i]
            if g is None or not node.inputs:
                continue
            op = node.op
            steps = VJP.get(op)
            if steps is not None and type(g) is F64 and type(values[i]) is F64:
                # vjp() on scalars: the inputs are scalars too (broadcasting never shrinks), so nothing
                # is un-broadcast. The same products, added in the same order.
                handed_to = handed.get(i) if handed else None
                ins = None
                for j, local in zip(node.inputs, steps):
                    if not need[j] or handed_to == j:
                        continue
                    if local is PASS:
                        part = g
                    elif local is FLIP:
                        part = -g
                    else:
                        if ins is None:
                            ins = [values[k] for k in node.inputs]
                        part = g * local(*ins, values[i])
                    grads[j] = part if grads[j] is None else grads[j] + part
            else:
                free = unshared is not None and unshared[i] and i not in keep  # g is nobody else's, and goes after this
                _vjp_into(graph, i, g, values, grads, need, handed, unshared, free)
            if release and i not in keep:
                grads[i] = None
                if i != graph.output:
                    values[i] = None  # its consumers (later nodes) have all been visited
    evaluation.grads = grads
    budget.charge(2 * evaluation.work)
    if not release:
        check_gradients(graph, values, grads, targets)
    return grads


def _vjp_into(
    graph: Graph, i: int, g: Any, values: list[Any], grads: list[Any], need, handed: dict, unshared, free: bool
) -> None:
    """Hand node i's gradient to its inputs, whatever their shapes. `unshared` marks the
    gradients nothing else holds; `free`: g is one of them and is dropped after this, so it may be written into."""
    node = graph.nodes[i]
    wanted = [need[j] for j in node.inputs]
    if not any(wanted):
        return
    if node.op.composed:
        fused = composed.find(graph, i)
        if fused is not None and composed.backward(graph, fused, g, values, grads):
            handed[fused.inner] = fused.x
    ins = [values[j] for j in node.inputs]
    parts = vjp(node.op, g, values[i], ins, wanted, node.params, g if free else None)
    handed_to = handed.get(i)
    for j, part, w in zip(node.inputs, parts, wanted):
        if not w or part is None or handed_to == j:
            continue
        part = unbroadcast(part, shape_of(values[j]))
        if grads[j] is not None:
            part = grads[j] + part
        elif unshared is not None and type(part) is np.ndarray and part.size >= spare.IN_PLACE_MIN:  # small: no gain
            unshared[j] = spare.unshared(part, parts, g, free, ins, values[i])
        grads[j] = part


def vjp(op: Op, g: Any, out: Any, ins: list[Any], need: list[bool], params: tuple = (), into=None) -> list[Any]:
    """The op's vector-Jacobian product for each input (None where not needed). `into` is g when
    nothing else holds it: the last product may be written into it, if no input is handed g itself."""
    if op.local:
        parts = []
        last = -1  # the product that may go into `into`: the last one to read g
        if into is not None and not any(w and local == 1 for w, local in zip(need, op.local)):
            last = max((k for k, w in enumerate(need) if w), default=-1)
        for k, local in enumerate(op.local):
            if not need[k]:
                parts.append(None)
            elif local == 1:
                parts.append(g)
            elif local == -1:
                parts.append(-g)
            else:
                slope = local(*ins, out)
                parts.append(np.multiply(g, slope, out=into) if k == last and spare.fits(into, slope) else g * slope)
        return parts
    return op.vjp(g, out, *ins, need, *params)


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Undo numpy broadcasting: sum over the axes an input was stretched along."""
    gshape = shape_of(g)
    if gshape == shape:
        return g
    if len(gshape) < len(shape) or any(a < b for a, b in zip(gshape[len(gshape) - len(shape) :], shape)):
        return np.broadcast_to(g, shape)  # a gradient smaller than its input: every entry gets it
    extra = len(gshape) - len(shape)
    axes = tuple(range(extra)) + tuple(extra + k for k, n in enumerate(shape) if n == 1 and gshape[extra + k] != 1)
    summed = np.sum(g, axis=axes, keepdims=True)
    return summed.reshape(shape)
