"""The one place that makes Rich consoles and names the styles.

Consoles are created with markup off, so user text such as the answer
`[[0.1, 0.5]]` is printed as written and never read as a Rich tag.
"""

from __future__ import annotations

from rich.console import Console
from rich.theme import Theme

THEME = Theme(
    {
        "value": "green",  # forward values, drawn green in the lectures
        "grad": "red",  # gradients, drawn red
        "name": "bold cyan",
        "op": "magenta",
        "ok": "bold green",
        "bad": "bold red",
        "warn": "yellow",
        "hint": "yellow",
        "muted": "dim",
        "title": "bold",
        "ask": "bold",
    }
)


def stdout() -> Console:
    return Console(theme=THEME, markup=False, highlight=False, emoji=False)


def stderr() -> Console:
    return Console(theme=THEME, markup=False, highlight=False, emoji=False, stderr=True)
