"""`gradtutor check-code`: run a student's backward-pass code against a code problem, once."""

from __future__ import annotations

import json
import os

import click

from . import finish
from .common import json_option
from .practice_cmd import sets_option


def find_code_problem(sets, key: str | None, path: str):
    """The problem named by --problem, or the one whose starter file has this file's name."""
    from ..course.problems import find
    from ..errors import GradtutorError

    if key:
        _, problem = find(sets, key)
        if problem is None or problem.kind != "code":
            raise GradtutorError(f"{key} is not a code problem", hint="try --problem code/neuron-flat")
        return problem
    name = os.path.basename(path)
    found = [p for s in sets for p in s.problems if p.kind == "code" and p.code.file == name]
    if len(found) != 1:
        raise GradtutorError(
            f"which problem is {name} for?", hint="name it with --problem SET/ID, e.g. code/affine-layer"
        )
    return found[0]


def _sets(key: str | None, sets_dir: str | None) -> list:
    """Only the set that --problem names, found by its id without building the other sets'
    programs: loading every set costs more than the check itself. Empty when not found."""
    from ..course.problems import load_set
    from ..course.setfile import read_toml as _toml
    from ..resources import problems_dir

    if not key:
        return []
    folder = sets_dir or problems_dir()
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".toml") and _toml(path)[0].get("id") == key.partition("/")[0]:
            return [load_set(path)]
    return []


@click.command("check-code")
@click.argument("file", type=click.Path())
@click.option("--problem", "key", metavar="SET/ID", help="The code problem (found from the file's name if left out).")
@click.option("--seed", type=int, default=0, show_default=True, help="Which random cases to run.")
@click.option(
    "--timeout", type=click.FloatRange(0.5, 600), default=10.0, show_default=True, help="Wall-clock seconds allowed."
)
@json_option
@sets_option
def command(file, key, seed, timeout, as_json, sets_dir) -> None:
    """Check the backward pass written in FILE against a code problem.

    The file runs in a separate Python with limits on time and memory; every forward
    value and gradient it produces is compared with gradtutor's exact gradients, and a
    wrong one is named (sign, transposed, missed branch, forgot to sum over the batch...).

    Exit status: 0 when everything is right, 1 when something is wrong, 2 when the
    file could not be run (an exception, a syntax error, a timeout) or bad input.
    """
    from ..course.code.check import check_file
    from ..course.code.runner import Limits
    from ..course.problems import load_all

    problem = find_code_problem(_sets(key, sets_dir) or load_all(sets_dir), key, file)
    limits = Limits(wall_seconds=timeout, cpu_seconds=max(1, int(timeout)))
    report = check_file(problem, file, seed, limits)
    if as_json:
        click.echo(json.dumps(report.to_json()))
    else:
        from ..render.code_view import report_view
        from ..render.console import stdout

        stdout().print(report_view(report))
    finish(report.exit_code)
