"""The class mistake report as a picture: mean score per problem, and the diagnoses by how many
students made them. matplotlib is an optional extra (pip install 'gradtutor[charts]'), imported
only here and only when a chart is asked for."""

from __future__ import annotations

from ..course.report import Report
from ..errors import GradtutorError


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
    rows_top, rows_bottom = max(2, len(codes)), max(2, len(problems))
    fig, (top, bottom) = plt.subplots(
        2,
        1,
        figsize=(9, 1.6 + 0.26 * (rows_top + rows_bottom)),
        gridspec_kw={"height_ratios": [rows_top + 1.5, rows_bottom + 1.5]},
    )
    if codes:
        counts = [n for _, n in codes]
        top.barh([c for c, _ in codes], counts, color="#0969DA", height=0.6)
        for y, n in enumerate(counts):
            top.text(n + report.students * 0.01, y, f"{n}", va="center", fontsize=8)
        top.set_xlim(0, max(1, report.students) * 1.08)
        top.set_xlabel(f"students who made the mistake at least once (of {report.students})")
    else:
        top.text(0.5, 0.5, "no diagnosed mistakes", ha="center", va="center", transform=top.transAxes)
    top.set_title("the most common diagnoses (codes as in gradtutor's README)", loc="left", fontsize=10)
    means = [p.mean * 100 for p in problems]
    colours = ["#CF222E" if m < 50 else "#BF8700" if m < 75 else "#1A7F37" for m in means]
    bottom.barh([p.problem for p in problems], means, color=colours, height=0.7)
    for y, m in enumerate(means):
        bottom.text(m + 1, y, f"{m:.0f}%", va="center", fontsize=7)
    bottom.set_xlim(0, 108)
    bottom.set_xlabel("mean score (% of the problem's points): red below 50%, amber below 75%")
    bottom.set_title("score per problem", loc="left", fontsize=10)
    for axis in (top, bottom):
        axis.tick_params(axis="y", labelsize=7 if len(problems) > 30 else 8)
        axis.spines[["top", "right"]].set_visible(False)
        axis.margins(y=0.01)
    fig.suptitle(f"Class mistake report: {report.students} students", fontsize=12, x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.45 / fig.get_figheight()))  # room for the title
    try:
        fig.savefig(path, dpi=150)
    except (OSError, ValueError) as exc:
        raise GradtutorError(f"cannot write {path}: {exc}") from None
    finally:
        plt.close(fig)
