"""How parse + gradient time grows with program size: 1k, 10k and 100k terms.

Each program is a sum of terms `sin(x{k}) * {i}` over 50 shared inputs, so
every input has many consumers (branches) and the graph has ~3 nodes a term.
Run: python bench/scaling.py [--sizes 1000 10000 100000]
"""

from __future__ import annotations

import argparse
import gc
import time

import numpy as np

from gradtutor import grammar
from gradtutor.autodiff.reverse import backward, forward
from gradtutor.graph import build


def program(terms: int) -> str:
    return " + ".join(f"sin(x{i % 50}) * {i % 7 + 1}" for i in range(terms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    args = parser.parse_args()
    values = {f"x{k}": np.float64(0.01 * k) for k in range(50)}
    grammar.parse("x")  # load the parser before timing
    print(
        f"{'terms':>8} {'nodes':>8} {'parse':>9} {'build':>9} {'forward':>9} {'backward':>9} "
        f"{'total':>9} {'µs/term':>8}"
    )
    for n in args.sizes:
        text = program(n)
        gc.disable()  # as build() does: parse alone, under the same conditions
        t0 = time.perf_counter()
        grammar.parse(text)
        parse = time.perf_counter() - t0
        gc.enable()
        t0 = time.perf_counter()
        graph = build(text)  # parse + graph
        t1 = time.perf_counter()
        ev = forward(graph, values)
        t2 = time.perf_counter()
        backward(ev)
        t3 = time.perf_counter()
        total = t3 - t0
        print(
            f"{n:>8} {len(graph):>8} {parse:>8.3f}s {t1 - t0:>8.3f}s {t2 - t1:>8.3f}s {t3 - t2:>8.3f}s "
            f"{total:>8.3f}s {total / n * 1e6:>8.1f}"
        )
    print("parse is included in build; total = build + forward + backward")


if __name__ == "__main__":
    main()
