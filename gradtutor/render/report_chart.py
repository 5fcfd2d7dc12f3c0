"""The class mistake report as a picture: mean score per problem, and the diagnoses by how many
students made them. matplotlib is an optional extra (pip install 'gradtutor[charts]'), imported
only here and only when a chart is asked for."""

from __future__ import annotations

from ..course.report import Report
from ..errors import GradtutorError
from ..mistakes import CODES


def write_chart(report: Report, path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise GradtutorError(
            "a chart needs matplotlib, which is not installed",
            hint="pip install 'gradtutor[charts]' (or leave out -o for the table)",
        ) from None
    problems = report.problems[::-1]  # top to bottom in the assignment's order
    codes = report.codes.most_common(12)[::-1]
    height = max(3.0, 0.32 * max(len(problems), len(codes)) + 1.2)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, height), gridspec_kw={"width_ratios": [1, 1.2]})
    means = [p.mean * 100 for p in problems]
    colours = ["#CF222E" if m < 50 else "#BF8700" if m < 75 else "#1A7F37" for m in means]
    left.barh([p.problem for p in problems], means, color=colours)
    left.set_xlim(0, 100)
    left.set_xlabel("mean score (% of the problem's points)")
    left.set_title("score per problem")
    for y, m in enumerate(means):
        left.text(min(m + 1, 88), y, f"{m:.0f}%", va="center", fontsize=8)
    if codes:
        right.barh([f"{c}: {CODES.get(c, '')[:38]}" for c, _ in codes], [n for _, n in codes], color="#0969DA")
        right.set_xlabel(f"students who made the mistake (of {report.students})")
        right.set_xlim(0, max(1, report.students))
    else:
        right.text(0.5, 0.5, "no diagnosed mistakes", ha="center", va="center", transform=right.transAxes)
    right.set_title("most common diagnoses")
    for axis in (left, right):
        axis.tick_params(axis="y", labelsize=8)
        axis.spines[["top", "right"]].set_visible(False)
    fig.suptitle(f"Class mistake report: {report.students} students", fontsize=12)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=150)
    except (OSError, ValueError) as exc:
        raise GradtutorError(f"cannot write {path}: {exc}") from None
    finally:
        plt.close(fig)
