"""Judging gate classes: each gate call on its own, then the gradients the whole net produced.

Every call is judged *locally*, with the inputs and the upstream gradient the
student's own net gave it, so one wrong gate does not make every gate before it
look wrong. A wrong backward is named by the mistakes typical of its gate (the
multiply gate's swap, the add gate's split, max routing to the loser, σ for
σ(1 − σ), the upstream gradient forgotten) and by the caching mistake only reused
objects can make: a second forward overwrote what the first one stashed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...autodiff.compare import close
from ...autodiff.reverse import unbroadcast, vjp
from ...mistakes import Mistake
from .cases import NUDGE, Plan
from .report import Row, Rows
from .verdicts import RTOL, decode, judge

STALE = (
    "{cls}.backward used inputs stashed by another call of the same object: this gate is used twice, and the "
    "second forward overwrote the first one's stash before backward ran. Keep one stash per call (push in "
    "forward, pop in backward)"
)


def _local(op, params, ins: list[Any], g: Any) -> tuple[Any, list[Any]]:
    with np.errstate(all="ignore"):
        out = op.forward(*ins, *params)
        parts = vjp(op, g, out, ins, [True] * len(ins), params)
    return out, [unbroadcast(p, np.shape(x)) for p, x in zip(parts, ins)]


def _accepted(op, params, ins: list[Any], g: Any) -> list[list[Any]]:
    """The local gradients, plus both one-sided ones when the call sits on a kink (a tie of max)."""
    found = [_local(op, params, ins, g)[1]]
    if op.branch is not None:
        mask = np.asarray(op.branch(*ins)) == 0
        if mask.any() and np.shape(ins[0]) in (mask.shape, ()):
            for sign in (1.0, -1.0):
                found.append(_local(op, params, [ins[0] + sign * NUDGE * mask, *ins[1:]], g)[1])
    return found


def _typical(op, params, ins, g, out) -> list[tuple[Mistake, list[Any]]]:
    """(mistake, the gradients a student making it returns) for this gate."""
    g = np.asarray(g, dtype=float)
    found = []
    if not np.allclose(g, 1.0):
        found.append(
            (
                Mistake("forgot-upstream", "returned the local gradient alone: multiply it by the upstream gradient"),
                _local(op, params, ins, np.ones_like(g))[1],
            )
        )
    if op.name == "mul":
        found.append(
            (
                Mistake("swap", "multiply gate: dx is dz times the *other* input (y), not x itself"),
                [g * ins[0], g * ins[1]],
            )
        )
    if op.name == "add":
        found.append(
            (Mistake("split", "add gate: each input gets the whole upstream gradient, not half"), [g / 2, g / 2])
        )
    if op.name in ("max", "min"):
        flipped = _local(op, params, ins, g)[1][::-1]
        found.append(
            (Mistake("route", "max gate: the gradient goes to the input that won, not the other one"), flipped)
        )
    if op.name == "sigmoid":
        found.append((Mistake("output-for-local", "sigmoid gate: used σ where its slope σ(1 − σ) belongs"), [g * out]))
        found.append(
            (Mistake("forgot-local", "sigmoid gate: passed the upstream gradient without the slope σ(1 − σ)"), [g])
        )
    return found


def judge_gates(plan: Plan, reports: list[dict[str, Any]]) -> list[Row]:
    graph = plan.graph
    out = graph.labels[graph.output]
    rows = Rows()
    for k, (case, report) in enumerate(zip(plan.cases, reports)):
        nodes = plan.job["cases"][k]["nodes"]
        calls = report.get("calls", [])
        student: list[Any] = []
        for call, spec in zip(calls, nodes):
            got, _ = decode(call.get("out"))
            student.append(got if got is not None else case.evaluation.values[spec["node"]])
        inputs_of = [[_input(r, case.values, student) for r in spec["inputs"]] for spec in nodes]
        for i, (call, spec) in enumerate(zip(calls, nodes)):
            node = graph.nodes[spec["node"]]
            row = rows.row(f"{spec['cls']}: {graph.labels[spec['node']]} = {graph.describe(spec['node'])}")
            ins = inputs_of[i]
            g = decode(call.get("upstream"))[0]
            g = np.float64(0.0) if g is None else g
            local_out, _ = _local(node.op, node.params, ins, g)
            row.add(judge(call.get("out"), [local_out], "forward", "forward value"), case.label)
            accepted = _accepted(node.op, node.params, ins, g)
            others = [inputs_of[j] for j, s in enumerate(nodes) if s["instance"] == spec["instance"] and j != i]
            for slot, item in enumerate(call.get("grads", [])):
                name = f"d{graph.labels[node.inputs[slot]]}"
                verdict = judge(item, [a[slot] for a in accepted], name)
                if not verdict.ok:
                    got = [decode(x)[0] for x in call.get("grads", [])]
                    named = _name(node.op, node.params, ins, g, local_out, slot, got, others, spec["cls"])
                    verdict.mistakes = named or verdict.mistakes
                row.add(verdict, case.label)
        for name, i in graph.variables.items():
            rows.row(f"d{out}/d{name}").add(
                judge(report.get("totals", {}).get(name), case.gradient(i), f"d{out}/d{name}"), case.label
            )
    return list(rows.values())


def _input(ref: list, values: dict[str, Any], student: list[Any]) -> Any:
    kind, what = ref
    if kind == "var":
        return values[what]
    return student[what] if kind == "node" else np.float64(what)


def _name(op, params, ins, g, out, slot, got: list[Any], others, cls: str) -> list[Mistake]:
    """The typical mistake that gives this call's gradient at `slot`; a stale cache only when every
    gradient of the call is what another call of the same object would have returned."""
    if got[slot] is None:
        return []

    def same(mine: Any, theirs: Any) -> bool:
        return mine is not None and np.shape(theirs) == mine.shape and close(mine, theirs, RTOL)

    own = _local(op, params, ins, g)[1]
    for other in others:
        theirs = _local(op, params, other, g)[1]
        if all(same(a, b) for a, b in zip(got, theirs)) and not all(same(a, b) for a, b in zip(got, own)):
            return [Mistake("stale-cache", STALE.format(cls=cls))]
    for mistake, parts in _typical(op, params, ins, g, out):
        if slot < len(parts) and same(got[slot], parts[slot]):
            return [mistake]
    return []
