"""The gradient of a two-layer MLP loss, as a ratio to hand-written numpy forward + backward.

    mean((W2 @ relu(W1 @ X + b1) + b2 - Y)^2)     784 -> 512 -> 10, a batch of 256, float64

Targets: a ratio of at most 1.3 (issue 2) and 1.05 (issue 15, where peers measured
PyTorch CPU 1.08-1.19, JAX without jit 1.64-1.74, JAX with jit 1.00), on one
thread as issue 15 measured it (`--threads` to change). Both sides compute the loss
and the gradients of W1, b1, W2, b2 (not of the data X, Y). The program is parsed
once, outside the timing. Run: python bench/mlp.py [--repeat N] [--sizes 784 512 10]
"""

from __future__ import annotations

import argparse
import os
import sys

if __name__ == "__main__":  # numpy reads its thread count once, when it is imported
    threads = sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = threads

import numpy as np
from _timing import interleave, median_ms

import gradtutor
from gradtutor.graph import build

PROGRAM = "mean((W2 @ relu(W1 @ X + b1) + b2 - Y)^2)"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--sizes", type=int, nargs=3, default=[784, 512, 10], metavar=("IN", "HIDDEN", "OUT"))
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--threads", default="1", help="BLAS threads (read at start-up)")
    args = parser.parse_args()
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
    wrt = ["W1", "b1", "W2", "b2"]

    ours = gradtutor.grad(graph, values, wrt=wrt)
    loss, grads = by_hand(**values)
    assert np.isclose(ours.value, loss)
    for name in wrt:
        np.testing.assert_allclose(ours.gradients[name], grads[name], rtol=1e-10, atol=1e-12)

    times = interleave(
        {
            "numpy by hand": lambda: by_hand(**values),
            "gradtutor.grad": lambda: gradtutor.grad(graph, values, wrt=wrt),
        },
        args.repeat,
    )
    base = median_ms(times["numpy by hand"])
    print(
        f"{PROGRAM}   ({n_in} -> {hidden} -> {n_out}, batch {b}, {args.threads} BLAS thread(s); "
        f"medians of {args.repeat} interleaved runs; load average {os.getloadavg()[0]:.1f})"
    )
    for name, samples in times.items():
        print(f"  {name:16s} {median_ms(samples):7.2f} ms   ratio {median_ms(samples) / base:4.2f}")
    print("targets: ratio <= 1.3 (issue 2), <= 1.05 (issue 15)")


if __name__ == "__main__":
    main()
