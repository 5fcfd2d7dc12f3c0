"""How parse + gradient time grows with program size: 1k, 10k and 100k terms.

Each program is a sum of terms `sin(x{k}) * {i}` over 50 shared inputs, so
every input has many consumers (branches) and the graph has ~3 nodes a term.
Parsing and building the graph are one pass (the parser calls the builder), so
`build` is text to graph. The baseline, measured in the same run, is Python's
own `ast.parse` on the same terms, one per line (the same tokens, with newlines
for the `+`: a 10k-term sum nests too deep for it).
Targets (issue 15): build at most 12 µs per token and linear; 100k terms, build +
forward + backward, at most 4 s. Run: python bench/scaling.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import ast
import gc
import statistics
import time

import numpy as np

from gradtutor.autodiff.reverse import backward, forward
from gradtutor.graph import build
from gradtutor.language.parser import _get_tables


def program(terms: int) -> str:
    return " + ".join(f"sin(x{i % 50}) * {i % 7 + 1}" for i in range(terms))


def count_tokens(text: str) -> int:
    tables = _get_tables()
    return sum(1 for m in tables.scanner.finditer(text) if m.lastgroup not in tables.ignore)


def timed(func, repeat: int) -> float:
    """The median of `repeat` runs, with the cyclic collector paused as build() pauses it."""
    samples = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
        gc.enable()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    values = {f"x{k}": np.float64(0.01 * k) for k in range(50)}
    build("x")  # load the parser before timing
    print(f"medians of {args.repeat} runs")
    print(
        f"{'terms':>8} {'tokens':>8} {'nodes':>8} {'ast.parse':>10} {'build':>9} {'forward':>9} {'backward':>9} "
        f"{'total':>9} {'µs/token':>9} {'÷ ast':>6}"
    )
    for n in args.sizes:
        text = program(n)
        tokens = count_tokens(text)
        repeat = max(1, args.repeat if n <= 10000 else args.repeat // 2)
        lines = text.replace(" + ", "\n")
        base = timed(lambda lines=lines: ast.parse(lines), repeat)
        t_build = timed(lambda text=text: build(text), repeat)
        graph = build(text)
        t_forward = timed(lambda graph=graph: forward(graph, values), repeat)
        ev = forward(graph, values)
        t_backward = timed(lambda ev=ev: backward(ev), repeat)
        total = t_build + t_forward + t_backward
        per_token = t_build / tokens * 1e6
        print(
            f"{n:>8} {tokens:>8} {len(graph):>8} {base:>9.3f}s {t_build:>8.3f}s {t_forward:>8.3f}s "
            f"{t_backward:>8.3f}s {total:>8.3f}s {per_token:>9.2f} {t_build / base:>6.1f}"
        )
    print("targets: build <= 12 µs per token, growing linearly; 100k terms in total <= 4 s")


if __name__ == "__main__":
    main()
