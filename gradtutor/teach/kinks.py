"""Answers at a kink: where relu, abs, max or min has no derivative, either side's slope counts.

At relu(0) the slope is 0 just left of the kink and 1 just right of it; the
lectures use 1 (x ≥ 0), PyTorch and gradtutor use 0. A student who takes
either one-sided slope is right, and is told that this is a kink and which
convention gradtutor follows. The one-sided answers come from the same walk
computed with each kinked input moved by one unit in the last place, to
either side: every rule then sees which side it is on, and nothing else moves
measurably.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autodiff.reverse import forward
from ..errors import GradtutorError


def kinked_nodes(walk) -> list[int]:
    """Nodes whose inputs sit exactly on a kink of their op (relu at 0, a tie of max ...)."""
    graph, values = walk.graph, walk.evaluation.values
    found = []
    for i, node in enumerate(graph.nodes):
        if node.op.branch is None or not node.inputs:
            continue
        with np.errstate(all="ignore"):
            side = node.op.branch(*(values[j] for j in node.inputs))
        if np.any(np.asarray(side) == 0):
            found.append(i)
    return found


def one_sided_walks(walk) -> list[Any]:
    """The walk recomputed just left and just right of every kink (none when there is no kink);
    kept on the walk, since only wrong answers ask for them."""
    cached = getattr(walk, "_one_sided", None)
    if cached is not None:
        return cached
    from .walk import walk_of

    graph, values = walk.graph, walk.evaluation.values
    kinked = kinked_nodes(walk)
    inputs = {name: values[i] for name, i in graph.variables.items()}
    walks = []
    for direction in (np.inf, -np.inf) if kinked else ():
        # Only the kinked inputs move; everything after them is computed again, so a later
        # min(z) or max(h) sees its own input as moved (its tie mask would be empty otherwise).
        moved = {}
        for i in kinked:
            j = graph.nodes[i].inputs[0]
            moved[j] = np.nextafter(np.asarray(values[j], dtype=float), direction)
        try:
            walks.append(walk_of(forward(graph, inputs, overrides=moved), explain=False))
        except GradtutorError:
            continue  # no walk on this side (a gradient that is not finite there): no other answer
    walk._one_sided = walks
    return walks


def one_sided_answers(walk, question) -> list[Any]:
    """The question's answer on either side of the kinks that differ from gradtutor's own."""
    answers = []
    for other in one_sided_walks(walk):
        value = question.answer_in(other)
        if value is not None and not np.allclose(value, question.answer, rtol=1e-9, atol=1e-12):
            answers.append(value)
    return answers


def kink_note(walk) -> str:
    """What to tell a student who used the other side of a kink."""
    graph = walk.graph
    ops = list(dict.fromkeys(graph.nodes[i].op for i in kinked_nodes(walk)))
    where = ", ".join(f"{graph.labels[i]} = {graph.describe(i)}" for i in kinked_nodes(walk))
    conventions = "; ".join(op.kink for op in ops if op.kink)
    return (
        f"a kink: {where} sits exactly where the slope jumps, so either one-sided slope is right; "
        f"you used the other side from gradtutor, which follows PyTorch ({conventions})"
    )
