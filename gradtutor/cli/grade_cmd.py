"""`gradtutor grade`: grade submission files non-interactively, for instructors."""

from __future__ import annotations

import json
import os

import click

from . import _print_error, finish
from .common import budget_option, write_output
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
    problems with random values; see problems/README.md. Every submission is graded,
    whatever the others hold. Exit status: 0 when every answer is right, 1 when some
    are wrong, 2 when a submission could not be graded (its results say why).
    """
    from ..course.batch import Grader, result_names, submission_files
    from ..course.problems import load_all

    sets = load_all(sets_dir)
    grader = Grader(sets)
    code = [p for p in submissions if p.endswith(".py")]  # one file per code problem, graded in children
    others = [p for p in submissions if not p.endswith(".py")]
    files = submission_files(others) if others else []
    if out_dir:
        _prepare(out_dir)
    results = [grader.grade_file(path) for path in files]
    if code:
        results += _grade_code(sets, code)
    files += code
    failed = [g for g in results if g.error]
    for graded in failed:
        where = "" if graded.submission in graded.error else f"{graded.submission}: "
        _print_error(f"{'internal ' if graded.internal else ''}error: {where}{graded.error}")
    if out_dir:
        for graded, name in zip(results, result_names(files)):
            write_output(os.path.join(out_dir, name), json.dumps(graded.gradescope(), indent=1, allow_nan=False))
    if as_json:
        for graded in results:
            data = graded.gradescope()
            if len(results) > 1:
                data = {"submission": graded.submission, **data}
            click.echo(json.dumps(data, allow_nan=False))
    elif not out_dir or len(results) == 1:
        from ..render.console import stdout
        from ..render.grade_view import graded_table

        for graded in results:
            if not graded.error:
                stdout().print(graded_table(graded))
    else:
        full = sum(g.full_marks and not g.error for g in results)
        click.echo(f"graded {len(results)} submissions into {out_dir}; {full} with full marks")
    if any(g.internal for g in results):
        finish(3)
    finish(2 if failed else 0 if all(g.full_marks for g in results) else 1)


def _grade_code(sets, paths: list[str]) -> list:
    """Code files, in children; a file that names no code problem is its own error, as above."""
    from ..course.batch import Graded
    from ..course.code.grading import grade_many
    from ..errors import GradtutorError
    from .check_code_cmd import find_code_problem

    jobs, failed = [], {}
    for path in paths:
        try:
            jobs.append((find_code_problem(sets, None, path), path))
        except GradtutorError as exc:
            failed[path] = Graded(path, [], error=exc.render().removeprefix("error: "))
    graded = iter(grade_many(jobs)) if jobs else iter(())
    return [failed[path] if path in failed else next(graded) for path in paths]


def _prepare(out_dir: str) -> None:
    """The results folder exists and takes files, checked before any grading is done."""
    from ..errors import ValueInputError

    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise ValueInputError(f"--out {out_dir} is not a folder")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise ValueInputError(f"cannot create the folder {out_dir}: {exc.strerror or exc}") from None
    if not os.access(out_dir, os.W_OK | os.X_OK):
        raise ValueInputError(f"cannot write into the folder {out_dir}", hint="check its permissions")
