"""`gradtutor grade`: grade submission files against an assignment, for instructors."""

from __future__ import annotations

import json
import os

import click

from ..errors import GradtutorError
from . import finish
from .common import budget_option
from .practice_cmd import sets_option

assignment_option = click.option(
    "-a",
    "--assignment",
    "assignment_path",
    type=click.Path(dir_okay=False),
    help="The assignment (TOML): problems, points, policies. Default: every problem of the sets.",
)
key_option = click.option(
    "--key-file",
    type=click.Path(dir_okay=False),
    help="The course key that fixes each student's variants (default: $GRADTUTOR_COURSE_KEY).",
)


@click.command("grade")
@click.argument("submissions", nargs=-1, type=click.Path())
@assignment_option
@key_option
@click.option("--json", "as_json", is_flag=True, help="Print results.json (one object per line for several files).")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False), help="Write DIR/STUDENT/results.json for each submission."
)
@click.option(
    "--gradescope",
    "root",
    type=click.Path(file_okay=False),
    help="Grade as Gradescope's autograder: ROOT/submission in, ROOT/results/results.json out.",
)
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Processes to use (default: every core).")
@sets_option
@budget_option
def command(submissions, assignment_path, key_file, as_json, out_dir, root, jobs, sets_dir) -> None:
    """Grade SUBMISSION files (JSON or TOML; a folder is read for *.json and *.toml).

    \b
    A submission maps "SET/PROBLEM" to answers keyed by question, as
    `gradtutor submit` writes it:
      {"chain-rule/add-then-multiply": {"df/dq": "-4", "df/dx": "z"}}
    Answers are numbers, matrices such as [[1, 2], [3, 4]] or formulas in the
    program's names. The student id is the file's name (under --gradescope,
    Gradescope's user id); with a course key each student's variant comes from
    it, and a seed stated in the submission is ignored.

    Exit status: 0 when every submission was graded, whatever the scores (a
    broken submission scores 0 with a message); 2 when the assignment, the
    problem sets or the key cannot be used.
    """
    try:
        code = _grade(submissions, assignment_path, key_file, as_json, out_dir, root, jobs, sets_dir)
    except GradtutorError as exc:
        if root:
            _write_results(root, _error_results(exc.message))
        if as_json or root:
            click.echo(json.dumps({"error": exc.message}))
            finish(exc.exit_code)
        raise
    finish(code)


def load(assignment_path, key_file, sets_dir):
    """(grader, assignment): the inputs every grading command shares; GradtutorError if unusable."""
    from ..course.assignment import load_assignment, whole_sets
    from ..course.batch import Grader
    from ..course.problems import load_all
    from ..course.variants import read_key

    if assignment_path:
        assignment = load_assignment(assignment_path, sets_dir)
    else:
        assignment = whole_sets(load_all(sets_dir))
    return Grader(assignment, read_key(key_file)), assignment


def _grade(submissions, assignment_path, key_file, as_json, out_dir, root, jobs, sets_dir) -> int:
    from ..course.batch import batch_grade, student_of, submission_files
    from ..course.gradescope import gradescope_student, gradescope_submission, results_json, with_results

    if not submissions and not root:
        raise click.UsageError("give SUBMISSION files or a folder (or --gradescope ROOT)")
    grader, assignment = load(assignment_path, key_file, sets_dir)
    if out_dir:
        _check_out(out_dir)  # before any grading: a run must not end unable to write what it graded
    if root:
        student, notes = gradescope_student(root)
        path, more = gradescope_submission(root)
        if path is None:
            graded = grader.failed("(none)", student, "no submission file: upload submission.json")
        else:
            graded = grader.grade_file(path, student)
        graded.notes += notes + more
        data = results_json(graded, assignment)
        _write_results(root, data)
        click.echo(f"graded {graded.submission} for {student}: {graded.score:g} / {graded.max_score:g}")
        return 0
    code = [p for p in submissions if p.endswith(".py")]  # code files alone: each against its problem
    files = submission_files([p for p in submissions if not p.endswith(".py")]) if len(code) < len(submissions) else []
    used: set[str] = set()
    if out_dir and not as_json and len(files) + len(code) > 1:  # each worker writes what it graded
        work = [(f, None, _result_path(out_dir, student_of(f), used)) for f in files]
    else:
        work = [(f, None) for f in files]
    results = batch_grade(grader, work, jobs, with_results) + _code_files(code, sets_dir)
    if out_dir:
        _write_all(out_dir, [r for r in results if r[1] is not None], used)
    if as_json:
        for path, text, _ in results:
            data = json.loads(text)
            click.echo(json.dumps({"submission": path, **data} if len(results) > 1 else data))
    elif not out_dir or len(results) == 1:
        from ..render.console import stdout
        from ..render.grade_view import graded_table

        for path, text, _ in results:
            stdout().print(graded_table(path, json.loads(text)))
    else:
        full = sum(brief["score"] == brief["max_score"] for _, _, brief in results)
        broken = sum(not brief["graded"] for _, _, brief in results)
        click.echo(
            f"graded {len(results)} submissions into {out_dir}; {full} with full marks"
            + (f"; {broken} could not be read (0 points, the reason in their results)" if broken else "")
        )
    return 0


def _code_files(paths: list[str], sets_dir) -> list:
    """Code files handed in on their own: each graded against the code problem its name is the
    starter of, in children on every core, as a one-problem assignment."""
    if not paths:
        return []
    from ..course.assignment import Assignment, Item, Policy, default_points
    from ..course.code.grading import grade_many
    from ..course.gradescope import with_results
    from ..course.problems import load_all
    from .check_code_cmd import find_code_problem

    sets = load_all(sets_dir)
    problems = [find_code_problem(sets, None, path) for path in paths]
    out = []
    for problem, graded in zip(problems, grade_many(list(zip(problems, paths)))):
        plan = Assignment(problem.key, problem.title, [Item(problem, default_points(problem), Policy(), 1)])
        out.append(with_results(graded, plan))
    return out


def _check_out(out_dir: str) -> None:
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise GradtutorError(f"--out {out_dir} is not a folder", hint="name a folder for the results")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise GradtutorError(f"--out: cannot create the folder {out_dir} ({exc.strerror})") from None
    if not os.access(out_dir, os.W_OK):
        raise GradtutorError(f"--out: the folder {out_dir} cannot be written to", hint="check its permissions")


def _write_all(out_dir: str, results, used: set[str]) -> None:
    for _, text, brief in results:
        with open(_result_path(out_dir, brief["student"], used), "w", encoding="utf-8") as handle:
            handle.write(text)


def _result_path(out_dir: str, student: str, used: set[str]) -> str:
    """DIR/STUDENT/results.json, under a name that stays inside DIR and is not yet `used`."""
    from ..course.variants import inside, safe_name

    name = safe_name(student)
    base, k = name, 1
    while name in used:
        k += 1
        name = f"{base}-{k}"
    used.add(name)
    folder = inside(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, "results.json")


def _write_results(root: str, data: dict) -> None:
    folder = os.path.join(root, "results")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "results.json"), "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)


def _error_results(message: str) -> dict:
    from ..course.gradescope import error_results

    return error_results(message)
