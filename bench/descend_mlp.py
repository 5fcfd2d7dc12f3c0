"""100 steps of gradient descent on a two-layer MLP, as a ratio to a hand-written numpy loop.

    h = relu(X@W1 + b1); s = h@W2 + b2; J = mean(logsumexp(s) - sum(s*Y, 1))
    784 inputs, 512 hidden, 10 classes, a batch of 256 (softmax cross-entropy)

Target (issue 13): a ratio of at most 1.3. Both sides make 100 updates of W1,
b1, W2, b2 and evaluate the loss once more at the end; the program is parsed
once, outside the timing. The two trajectories are compared first.
Run: python bench/descend_mlp.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from _timing import interleave, median_ms

from gradtutor.autodiff.descent import descend
from gradtutor.graph import build

PROGRAM = "h = relu(X@W1 + b1); s = h@W2 + b2; J = mean(logsumexp(s) - sum(s*Y, 1))"
WRT = ["W1", "b1", "W2", "b2"]


def by_hand(values, lr, steps):
    p = {k: values[k].copy() for k in WRT}
    X, Y = values["X"], values["Y"]
    losses = []
    for k in range(steps + 1):
        z = X @ p["W1"] + p["b1"]
        h = np.maximum(z, 0.0)
        s = h @ p["W2"] + p["b2"]
        m = s.max(axis=1, keepdims=True)
        e = np.exp(s - m)
        total = e.sum(axis=1, keepdims=True)
        losses.append(float(np.mean(m[:, 0] + np.log(total[:, 0]) - np.sum(s * Y, axis=1))))
        if k == steps:
            break
        ds = (e / total - Y) / len(X)
        dh = (ds @ p["W2"].T) * (z > 0)
        p["W2"] -= lr * (h.T @ ds)
        p["b2"] -= lr * ds.sum(axis=0)
        p["W1"] -= lr * (X.T @ dh)
        p["b1"] -= lr * dh.sum(axis=0)
    return p, losses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n_in, hidden, classes, batch = 784, 512, 10, 256
    values = {
        "W1": rng.standard_normal((n_in, hidden)) / np.sqrt(n_in),
        "b1": np.zeros(hidden),
        "W2": rng.standard_normal((hidden, classes)) / np.sqrt(hidden),
        "b2": np.zeros(classes),
        "X": rng.standard_normal((batch, n_in)),
        "Y": np.eye(classes)[rng.integers(0, classes, batch)],
    }
    graph = build(PROGRAM)
    lr = 0.1

    run = descend(graph, values, WRT, lr, args.steps)
    params, losses = by_hand(values, lr, args.steps)
    loss_error = float(np.max(np.abs(np.array(run.losses) - losses) / np.abs(losses)))
    param_error = max(float(np.max(np.abs(run.final[k] - params[k])) / np.max(np.abs(params[k]))) for k in WRT)
    assert loss_error < 1e-12 and param_error < 1e-12, (loss_error, param_error)

    times = interleave(
        {
            "numpy by hand": lambda: by_hand(values, lr, args.steps),
            "gradtutor descend": lambda: descend(graph, values, WRT, lr, args.steps),
        },
        args.repeat,
    )
    base = median_ms(times["numpy by hand"])
    print(
        f"{PROGRAM}\n  {n_in}→{hidden}→{classes}, batch {batch}, {args.steps} steps, lr {lr}; "
        f"medians of {args.repeat} interleaved runs; load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"  loss {losses[0]:.4f} → {losses[-1]:.4f}; largest relative difference: losses {loss_error:.1e}, "
        f"parameters {param_error:.1e}"
    )
    for name, samples in times.items():
        print(f"  {name:18s} {median_ms(samples):8.1f} ms   ratio {median_ms(samples) / base:4.2f}")
    print("target: ratio <= 1.3")


if __name__ == "__main__":
    main()
