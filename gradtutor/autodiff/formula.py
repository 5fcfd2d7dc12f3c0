"""Formulas that talk about another program: claimed gradients and the tutor's answers.

A formula is written in the same language and may use the program's names
(inputs, statement names, the t1, t2 ... of unnamed nodes) plus any extra
names the caller allows, such as `grad` for the upstream gradient. It is
parsed by the grammar and evaluated by the engine, never by Python.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import ArityError, GradtutorError, NameLookupError, ParseError, suggest
from ..graph import Graph, build, shared
from .reverse import forward


def compile_formula(text: str, known: Iterable[str], what: str = "formula") -> Graph:
    """Parse a formula and check that every name it uses is one of `known`."""
    known = list(known)
    formula = parsed(text)
    for name, index in formula.variables.items():
        if name not in known:
            hint = suggest(name, known) or f"it can use {', '.join(known)}"
            raise NameLookupError(
                f"the {what} uses '{name}', which is not a name in the program",
                source=text,
                span=formula.nodes[index].span,
                hint=hint,
            )
    return formula


def parsed(text: str) -> Graph:
    """The graph of an answer's text; a short one (most answers) from memory, refusals included."""
    return _parsed(text) if len(text) <= 400 else build(text)


def _parsed(text: str) -> Graph:
    """A class types the same few formulas hundreds of times; each is parsed once (graph.shared).
    A text the grammar refuses (a class's `(oops` is typed thousands of times) is refused again
    from memory: a copy of its error each time, as callers may add to it. Budget errors depend
    on what was spent, and are not kept."""
    failed = _REFUSED.get(text)
    if failed is not None:
        raise copy.copy(failed)
    try:
        return shared(text)
    except (ParseError, NameLookupError, ArityError) as exc:
        if len(_REFUSED) < 2048:
            _REFUSED[text] = copy.copy(exc)
        raise


_REFUSED: dict[str, GradtutorError] = {}


def evaluate(formula: Graph, env: Mapping[str, Any], what: str = "formula") -> Any:
    """The formula's value, with its names looked up in `env`."""
    try:
        return forward(formula, {name: env[name] for name in formula.variables}, value_only=True).value
    except GradtutorError as exc:
        exc.message = f"while evaluating the {what}: {exc.message}"
        raise


def program_env(graph: Graph, values: list[Any]) -> dict[str, Any]:
    """Every named node's value: what a formula about this program may refer to."""
    return {name: values[i] for name, i in graph.names.items()}
