"""The one place that makes Rich consoles and names the styles.

Consoles are created with markup off, so user text such as the answer
`[[0.1, 0.5]]` is printed as written and never read as a Rich tag.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

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


def answer_reader() -> tuple[Callable[[str], str], bool]:
    """How answers are read, and whether a person is typing them.

    At a terminal, Python's readline gives line editing (arrows, editing in the middle
    of a formula) and a history of earlier answers (up arrow), kept between sessions.
    From a pipe, answers are read one line at a time and echoed by the caller."""
    stdin = sys.stdin
    if stdin is None or stdin.closed or not stdin.isatty():
        return _piped, False
    try:
        import readline
    except ImportError:  # Windows without pyreadline: plain input still works
        return input, True
    history = _history_file()
    if history:
        with contextlib.suppress(OSError):
            readline.read_history_file(history)
    readline.set_history_length(1000)

    def typed(prompt: str) -> str:
        line = input(prompt)
        if history and line.strip():
            with contextlib.suppress(OSError):
                readline.append_history_file(1, history)
        return line

    return typed, True


def _piped(prompt: str) -> str:
    stdin = sys.stdin
    line = stdin.readline() if stdin is not None and not stdin.closed else ""
    if not line:
        raise EOFError
    return line.rstrip("\r\n")


def _history_file() -> str | None:
    home = os.environ.get("GRADTUTOR_HOME")
    if not home:
        import platformdirs

        home = platformdirs.user_data_dir("gradtutor", appauthor=False)
    path = os.path.join(home, "answer_history")
    return path if os.path.isdir(home) or _makedirs(home) else None


def _makedirs(folder: str) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
        return True
    except OSError:
        return False
