"""Latency of `gradtutor solve`: the first prompt, each step of the walk, the final score table.

A step is the time from the student pressing Enter to the next prompt: parse
and grade the answer, print the feedback, render the next node. Targets:
every step well under 100 ms (issue 3); on a 501-node graph the first prompt
within 0.3 s and the final score table within 0.5 s (issue 15). The session
runs in-process with its output rendered by Rich into a buffer, answering
alternately right and wrong (a wrong answer costs more: it is diagnosed).
Run: python bench/solve_step.py [--nodes 501]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
from rich.console import Console

from gradtutor.graph import build
from gradtutor.render.console import THEME
from gradtutor.render.session_view import run_session
from gradtutor.teach.session import Session
from gradtutor.teach.walk import build_walk


def program(gates: int) -> str:
    """A flat program of scalar gates of every kind, each reusing earlier results (branches);
    the squashing gates keep the values finite however long it runs."""
    lines = []
    ops = ["{a} * {b}", "{a} + {b}", "sigmoid({a})", "max({a}, {b})", "tanh({a}) - {b}", "exp(-{a}^2)"]
    names = [f"x{k}" for k in range(6)]
    for k in range(gates):
        a, b = names[-1], names[-3 - (k % 3)]
        lines.append(f"s{k} = " + ops[k % len(ops)].format(a=a, b=b))
        names.append(f"s{k}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=50, help="graph size (the program grows until it has this many)")
    args = parser.parse_args()
    gates = 1
    while len(build(program(gates + 1))) <= args.nodes:
        gates += 1
    text = program(gates)
    graph = build(text)
    rng = np.random.default_rng(0)
    values = {n: np.float64(rng.uniform(-1, 1)) for n in graph.variables}

    t0 = time.perf_counter()
    walk = build_walk(graph, values)
    build_ms = (time.perf_counter() - t0) * 1000

    answers = []
    for k, q in enumerate(walk.questions):
        if k % 2:
            answers.append(str(-float(q.answer) + 1.0))  # wrong first...
        answers.append(repr(float(q.answer)))  # ...then right
    stamps: list[float] = []

    def read(prompt: str) -> str:
        stamps.append(time.perf_counter())
        if not answers:
            raise EOFError
        return answers.pop(0)

    console = Console(file=io.StringIO(), theme=THEME, markup=False, width=100, force_terminal=True)
    start = time.perf_counter()
    run_session(Session(walk), console, read)
    end = time.perf_counter()
    steps = [(b - a) * 1000 for a, b in zip(stamps, stamps[1:])]
    print(
        f"graph: {len(graph.nodes)} nodes, {len(walk.questions)} questions "
        f"({len(steps)} answers given, half of them wrong first)"
    )
    print(f"  build the worked solution      {build_ms:7.2f} ms")
    print(f"  start to first prompt          {(stamps[0] - start) * 1000:7.2f} ms (graph, forward table)")
    print(f"  step, median                   {statistics.median(steps):7.2f} ms")
    print(f"  step, 95th percentile          {np.percentile(steps, 95):7.2f} ms")
    print(f"  step, worst                    {max(steps):7.2f} ms")
    print(f"  final score table              {(end - stamps[-1]) * 1000:7.2f} ms")
    print("targets: every step well under 100 ms; at 501 nodes, first prompt <= 300 ms, score table <= 500 ms")


if __name__ == "__main__":
    main()
