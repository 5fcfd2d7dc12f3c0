"""Graphs kept by their text, for texts that come again and again."""

from __future__ import annotations

from functools import lru_cache

from .build import build
from .nodes import Graph

SHARED_MAX = 20_000  # characters: a longer program is built afresh each time, not kept


def shared(source: str) -> Graph:
    """The graph of a text that comes again and again: a loop calling grad("x*y", ...), a
    problem's program for every variant, a formula a class types hundreds of times. Graphs
    are never changed once built, so one may be shared; parsing cost three times the
    gradient of x*y. Long programs are not kept."""
    return build(source) if len(source) > SHARED_MAX else _shared(source)


@lru_cache(maxsize=2048)
def _shared(source: str) -> Graph:
    return build(source)
