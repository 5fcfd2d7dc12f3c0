"""The gradient of a two-layer MLP loss, as a ratio to hand-written numpy forward + backward.

    mean((W2 @ relu(W1 @ X + b1) + b2 - Y)^2)     784 -> 512 -> 10, a batch of 256, float64

Targets: a ratio of at most 1.3 (issue 2) and 1.05 (issue 15, where peers measured
PyTorch CPU 1.08-1.19, JAX without jit 1.64-1.74, JAX with jit 1.00), on one
thread as issue 15 measured it (`--threads` to change). Both sides compute the loss
and the gradients of W1, b1, W2, b2 (not of the data X, Y). The program is parsed
once, outside the timing.

Each side runs in a process of its own, as it would in a student's program, and the
two take turns call by call, so the machine's noise falls on both alike. In one
process they would share the C heap, and a quarter of a call's time here is fresh
pages: whether glibc hands memory back after a call depends on the whole process's
pattern of allocation, so each side's frees would set the other's page faults (by
hand's faults per call went from 1,520 to 257 when gradtutor's relu began writing
over its input). `--one-process` measures that way too, for comparison.
Run: python bench/mlp.py [--repeat N] [--sizes 784 512 10] [--one-process]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

if __name__ == "__main__":  # numpy reads its thread count once, when it is imported
    threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = threads

import numpy as np
from _timing import interleave, median_ms

import gradtutor
from gradtutor.graph import build

PROGRAM = "mean((W2 @ relu(W1 @ X + b1) + b2 - Y)^2)"
WRT = ["W1", "b1", "W2", "b2"]
SIDES = ("numpy by hand", "gradtutor.grad")


def by_hand(W1, b1, W2, b2, X, Y):
    z1 = W1 @ X + b1
    h = np.maximum(z1, 0.0)
    d = W2 @ h + b2 - Y
    loss = np.mean(d * d)
    dp = (2.0 / d.size) * d
    dW2 = dp @ h.T
    db2 = dp.sum(axis=1, keepdims=True)
    dz1 = (W2.T @ dp) * (z1 > 0)
    dW1 = dz1 @ X.T
    db1 = dz1.sum(axis=1, keepdims=True)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def calls(args) -> dict:
    """Each side as a call of no arguments, on the same values; checked to agree first."""
    rng = np.random.default_rng(0)
    (n_in, hidden, n_out), b = args.sizes, args.batch
    values = {
        "W1": rng.standard_normal((hidden, n_in)) / np.sqrt(n_in),
        "b1": rng.standard_normal((hidden, 1)),
        "W2": rng.standard_normal((n_out, hidden)) / np.sqrt(hidden),
        "b2": rng.standard_normal((n_out, 1)),
        "X": rng.standard_normal((n_in, b)),
        "Y": rng.standard_normal((n_out, b)),
    }
    graph = build(PROGRAM)
    ours = gradtutor.grad(graph, values, wrt=WRT)
    loss, grads = by_hand(**values)
    assert np.isclose(ours.value, loss)
    for name in WRT:
        np.testing.assert_allclose(ours.gradients[name], grads[name], rtol=1e-10, atol=1e-12)
    return {SIDES[0]: lambda: by_hand(**values), SIDES[1]: lambda: gradtutor.grad(graph, values, wrt=WRT)}


def worker(args) -> None:
    """One side in its own process: a line in, one call, its seconds out; at the end, page faults per call."""
    call = calls(args)[args.worker]
    call()
    faults, count = resource.getrusage(resource.RUSAGE_SELF).ru_minflt, 0
    for line in sys.stdin:
        if line.strip() != "run":
            break
        start = time.perf_counter()
        call()
        print(time.perf_counter() - start, flush=True)
        count += 1
    print(f"faults {(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) / max(count, 1):.0f}", flush=True)


def in_processes(args) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Wall times of each side, taking turns call by call, each in a process of its own."""
    argv = [sys.executable, os.path.abspath(__file__), "--threads", args.threads, "--batch", str(args.batch)]
    argv += ["--sizes", *map(str, args.sizes)]
    procs = {
        side: subprocess.Popen(argv + ["--worker", side], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for side in SIDES
    }
    times: dict[str, list[float]] = {side: [] for side in SIDES}
    for _ in range(args.repeat):
        for side, proc in procs.items():
            proc.stdin.write("run\n")
            proc.stdin.flush()
            times[side].append(float(proc.stdout.readline()))
    faults = {}
    for side, proc in procs.items():
        proc.stdin.write("stop\n")
        proc.stdin.close()
        faults[side] = proc.stdout.readline().split()[-1]
        if proc.wait() != 0:
            raise SystemExit(f"the {side} worker failed")
    return times, faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sizes", type=int, nargs=3, default=[784, 512, 10], metavar=("IN", "HIDDEN", "OUT"))
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", default="1", help="BLAS threads (read at start-up)")
    parser.add_argument("--one-process", action="store_true", help="also time both sides in this one process")
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    calls(args)  # the two agree, before anything is timed
    times, faults = in_processes(args)
    base = median_ms(times[SIDES[0]])
    (n_in, hidden, n_out), b = args.sizes, args.batch
    print(
        f"{PROGRAM}   ({n_in} -> {hidden} -> {n_out}, batch {b}, {args.threads} BLAS thread(s); "
        f"medians of {args.repeat} interleaved runs, each side in its own process; "
        f"load average {os.getloadavg()[0]:.1f})"
    )
    for side, samples in times.items():
        print(
            f"  {side:16s} {median_ms(samples):7.2f} ms   ratio {median_ms(samples) / base:4.2f}"
            f"   ({faults[side]} page faults a call)"
        )
    if args.one_process:
        shared = interleave(calls(args), args.repeat)
        both = ", ".join(f"{side} {median_ms(t):.2f} ms" for side, t in shared.items())
        print(f"  in this one process, sharing a heap: {both}")
    print("targets: ratio <= 1.3 (issue 2), <= 1.05 (issue 15)")


if __name__ == "__main__":
    main()
