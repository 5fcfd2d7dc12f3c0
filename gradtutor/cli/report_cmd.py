"""`gradtutor report`: the class mistake report over a folder of results."""

from __future__ import annotations

import click

from . import finish
from .common import json_option


@click.command("report")
@click.argument("results", type=click.Path())
@click.option("--csv", "as_csv", is_flag=True, help="One row per question, as CSV.")
@json_option
@click.option("-o", "--output", "chart", type=click.Path(dir_okay=False), help="A chart: mistakes.png or .svg.")
@click.option(
    "--below", type=click.FloatRange(0, 1), default=0.5, show_default=True, help="Struggling: below this share."
)
def command(results, as_csv, as_json, chart, below) -> None:
    """The class mistake report over RESULTS (the folder `grade --out` wrote): per problem and
    question the mean score, the first-try rate and the most common diagnoses with how many
    students made each, and the students who are struggling."""
    from ..course.report import build_report, csv_rows
    from ..errors import GradtutorError

    if chart and not chart.lower().endswith((".png", ".svg", ".pdf")):
        raise GradtutorError(f"{chart}: the chart is written as .png, .svg or .pdf")
    report = build_report(results, below)
    if chart:
        from ..render.report_chart import write_chart

        write_chart(report, chart)
        click.echo(f"wrote {chart}", err=True)
    if as_json:
        import json

        click.echo(json.dumps(report.to_json()))
    elif as_csv:
        import csv
        import sys

        csv.writer(sys.stdout, lineterminator="\n").writerows(csv_rows(report))
    elif not chart:
        from ..render.console import stdout
        from ..render.report_view import report_view

        stdout().print(report_view(report))
    finish(0)
