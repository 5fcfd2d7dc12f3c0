"""Values for a walk by hand: given ones from --at, the rest small random integers."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DomainError, GradtutorError, NameLookupError, suggest
from ..graph import Graph
from .common import parse_at, parse_shapes

HAND_VALUES = np.array([-4, -3, -2, -1, 1, 2, 3, 4], dtype=float)  # friendly for arithmetic by hand


def draw_values(
    graph: Graph, at, shapes, seed: int | None, attempts: int = 200
) -> tuple[dict[str, Any], dict[str, Any], int | None]:
    """(all values, the ones drawn at random, the seed used)."""
    values = parse_at(at)
    shape_of = parse_shapes(shapes)
    for name in list(values) + list(shape_of):
        if name not in graph.variables:
            hint = suggest(name, graph.variables) or f"the inputs are {', '.join(graph.variables)}"
            raise NameLookupError(f"'{name}' is not an input of the program", hint=hint)
    missing = [n for n in graph.variables if n not in values]
    if not missing:
        return values, {}, None
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 10**6))
    rng = np.random.default_rng(seed)
    from ..autodiff.reverse import forward

    last: GradtutorError | None = None
    for _ in range(attempts):  # redraw until the program is defined at the point (no log(-1), 1/0)
        drawn = {n: rng.choice(HAND_VALUES, size=shape_of.get(n, ())).astype(float) for n in missing}
        try:
            forward(graph, {**values, **drawn})
            return {**values, **drawn}, drawn, seed
        except DomainError as exc:
            last = exc
    assert last is not None
    raise last
