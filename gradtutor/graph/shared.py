"""Graphs kept by their text, for texts that come again and again."""

from __future__ import annotations

import threading
from collections import OrderedDict

from .build import build
from .nodes import Graph

SHARED_MAX = 20_000  # characters: a longer program is built afresh each time, not kept
KEPT_CHARS = 400_000  # characters of text kept in all: a graph costs ~120 bytes a character, so ~50 MB
ENTRY_CHARS = 100  # what a short text is counted as: its graph's own objects cost that much at least

_kept: OrderedDict[str, Graph] = OrderedDict()  # least recently used first
_chars = 0
_lock = threading.Lock()


def shared(source: str) -> Graph:
    """The graph of a text that comes again and again: a loop calling grad("x*y", ...), a
    problem's program for every variant, a formula a class types hundreds of times. Graphs
    are never changed once built, so one may be shared; parsing cost three times the
    gradient of x*y. What is kept is bounded by its text's length, not by a count: 2,048
    generated programs of 20,000 characters would have held 4.7 GB."""
    global _chars
    with _lock:
        graph = _kept.get(source)
        if graph is not None:
            _kept.move_to_end(source)
            return graph
    graph = build(source)  # outside the lock: another thread may parse another text meanwhile
    if len(source) <= SHARED_MAX:
        with _lock:
            if source not in _kept:
                _kept[source] = graph
                _chars += max(len(source), ENTRY_CHARS)
                while _chars > KEPT_CHARS:
                    text, _ = _kept.popitem(last=False)
                    _chars -= max(len(text), ENTRY_CHARS)
    return graph


def kept_chars() -> int:
    """Characters of text whose graphs are kept now (what the bound holds)."""
    return _chars
