"""Shared timing helpers: medians of interleaved runs, so machine noise hits both sides alike."""

from __future__ import annotations

import os
import pty
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def interleave(funcs: dict[str, Callable[[], object]], repeat: int) -> dict[str, list[float]]:
    """Run each function `repeat` times, round-robin, and return its wall times in seconds."""
    times: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(repeat):
        for name, func in funcs.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return times


def run_quiet(cmd: list[str]) -> None:
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)


def run_in_terminal(cmd: list[str]) -> None:
    """Run with stdout on a pseudo-terminal, as when a student types the command."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=slave, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    try:
        while True:
            try:
                if not os.read(master, 65536):
                    break
            except OSError:
                break
    finally:
        os.close(master)
    if proc.wait() != 0:
        raise RuntimeError(f"{cmd} failed")


def gradtutor_command() -> list[str]:
    """The installed console script next to this interpreter (what the README installs)."""
    here = os.path.join(os.path.dirname(sys.executable), "gradtutor")
    found = here if os.path.exists(here) else shutil.which("gradtutor")
    if not found:
        sys.exit("bench: install gradtutor first (see the README)")
    return [found]
