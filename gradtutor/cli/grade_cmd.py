"""`gradtutor grade`: grade submission files non-interactively, for instructors."""

from __future__ import annotations

import json
import os

import click

from . import finish
from .common import budget_option
from .practice_cmd import sets_option


@click.command("grade")
@budget_option
@click.argument("submissions", nargs=-1, required=True, type=click.Path())
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print Gradescope's results.json (one JSON object per line for several files).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    help="Write NAME.results.json for each submission into this folder.",
)
@sets_option
def command(submissions, as_json, out_dir, sets_dir) -> None:
    """Grade SUBMISSION files (JSON or TOML; folders are read for *.json and *.toml), and
    code files (NAME.py, named as the code problem's starter file).

    A submission maps "SET/PROBLEM" to answers keyed by question, plus "seed" for
    problems with random values; see problems/README.md. Exit status: 0 when every
    answer is right, 1 when some are wrong, 2 on a malformed submission.
    """
    from ..course.batch import Grader, read_submission, submission_files
    from ..course.problems import load_all

    sets = load_all(sets_dir)
    grader = Grader(sets)
    code = [p for p in submissions if p.endswith(".py")]  # one file per code problem, graded in children
    files = submission_files([p for p in submissions if not p.endswith(".py")]) if len(code) < len(submissions) else []
    results = [grader.grade(path, read_submission(path)) for path in files]
    if code:
        from ..course.code.grading import grade_many
        from .check_code_cmd import find_code_problem

        results += grade_many([(find_code_problem(sets, None, path), path) for path in code])
    if out_dir:
        os.makedirs(out_dir, exist_ok=True)
        for graded in results:
            stem = os.path.splitext(os.path.basename(graded.submission))[0]
            with open(os.path.join(out_dir, f"{stem}.results.json"), "w", encoding="utf-8") as handle:
                json.dump(graded.gradescope(), handle, indent=1)
    if as_json:
        for graded in results:
            data = graded.gradescope()
            if len(results) > 1:
                data = {"submission": graded.submission, **data}
            click.echo(json.dumps(data))
    elif not out_dir or len(results) == 1:
        from ..render.console import stdout
        from ..render.grade_view import graded_table

        for graded in results:
            stdout().print(graded_table(graded))
    else:
        full = sum(g.full_marks for g in results)
        click.echo(f"graded {len(results)} submissions into {out_dir}; {full} with full marks")
    finish(0 if all(g.full_marks for g in results) else 1)
