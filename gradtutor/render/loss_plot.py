"""The loss curves of a descent as a PNG or SVG, drawn with matplotlib (the optional `charts` extra).

matplotlib is imported here only, when a plot is asked for, so every other
command starts without it; when it is missing the user is told how to get it.
"""

from __future__ import annotations

import math

from ..errors import GradtutorError

INSTALL = "pip install 'gradtutor[charts]'"


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only: never open a window
        import matplotlib.pyplot as plt
    except ImportError:
        raise GradtutorError(
            "writing a loss plot needs matplotlib, which is not installed",
            hint=f"install it with: {INSTALL} (or drop -o to see the chart in the terminal)",
        ) from None
    return plt


def save_plot(runs: list, path: str, title: str) -> None:
    """One line per learning rate; a diverged run ends in a cross. Log scale when losses span decades."""
    if not path.lower().endswith((".png", ".svg")):
        raise GradtutorError(f"cannot write {path}: the plot is written as .png or .svg")
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=150)
    finite = [v for run in runs for v in run.losses if math.isfinite(v)]
    dotted = max(len(run.steps) for run in runs) <= 41  # a dot per step while the steps can be told apart
    for run in runs:
        steps = [s.step for s in run.steps]
        label = f"lr = {run.lr:g}" + (" (diverged)" if run.diverged else "")
        (line,) = ax.plot(steps, run.losses, marker="o" if dotted else None, markersize=3, label=label)
        if run.diverged and math.isfinite(run.losses[-1]):
            ax.plot(steps[-1], run.losses[-1], marker="x", markersize=10, color=line.get_color())
    if finite and min(finite) > 0 and max(finite) / min(finite) > 100:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss J")
    ax.set_title(f"gradient descent on {title}", fontsize=10)
    ax.grid(True, alpha=0.3)
    ax.legend(frameon=False)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as exc:
        raise GradtutorError(f"cannot write {path}: {exc.strerror}") from None
    finally:
        plt.close(fig)
