"""Watch mode for a code problem: re-check the file on every save and redraw the table.

Changes are noticed with the watchfiles library when it is installed, and by polling
the file's contents otherwise. Typed commands (`hint`, `check`, `quit`) are read on a
background thread so that a save and a command can both wake the loop. The loop
ends when the file passes, on `quit`, or on Ctrl-C.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from collections.abc import Iterator

from rich.console import Console
from rich.text import Text

from ..course.code.practice import CodeAttempt
from .code_view import report_view

TICK = 0.2  # seconds between looks at the file and the keyboard


def _ticks(path: str, stop: threading.Event) -> Iterator[None]:
    """Yields every TICK seconds, and soon after the folder changes (watchfiles), until stopped."""
    try:
        import watchfiles
    except ImportError:
        watchfiles = None
    if watchfiles is not None:
        folder = os.path.dirname(os.path.abspath(path))
        for _ in watchfiles.watch(
            folder, stop_event=stop, yield_on_timeout=True, rust_timeout=int(TICK * 1000), debounce=50
        ):
            yield
        return
    while not stop.is_set():
        time.sleep(TICK)
        yield


def _commands(lines: queue.Queue) -> None:
    while True:
        line = sys.stdin.readline()
        lines.put(line if line else None)
        if not line:
            return


def show(console: Console, attempt: CodeAttempt) -> None:
    console.print(Text(f"checking {attempt.path} (check {attempt.checks + 1})", "muted"))
    report = attempt.check()
    console.print(report_view(report))
    if report.status != "right":
        console.print(Text("save the file to check again; type hint, check or quit", "muted"))


def watch(console: Console, attempt: CodeAttempt) -> None:
    """Check now, then on every change of the file, until it passes or the student quits."""
    show(console, attempt)
    if attempt.solved:
        return
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_commands, args=(lines,), daemon=True).start()
    stop = threading.Event()
    try:
        for _ in _ticks(attempt.path, stop):
            command = None
            while not lines.empty():
                command = lines.get()
                if command is None or command.strip().lower() in ("q", "quit", "exit"):
                    return
                word = command.strip().lower()
                if word == "hint":
                    hint = attempt.next_hint()
                    console.print(Text(f"hint {attempt.hints_shown}: {hint}" if hint else "no more hints", "hint"))
                elif word == "check":
                    show(console, attempt)
            if attempt.digest() not in ("", attempt.last_digest):
                show(console, attempt)
            if attempt.solved:
                console.print(Text(f"✔ {attempt.problem.key} solved", "ok"))
                return
    finally:
        stop.set()
