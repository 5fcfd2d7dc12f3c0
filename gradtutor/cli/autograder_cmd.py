"""`gradtutor autograder`: a ready Gradescope autograder bundle for an assignment."""

from __future__ import annotations

import click

from . import finish
from .grade_cmd import key_option
from .practice_cmd import sets_option


@click.command("autograder")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), default="autograder.zip", show_default=True)
@key_option
@sets_option
def command(assignment, out, key_file, sets_dir) -> None:
    """Write a Gradescope autograder zip for ASSIGNMENT: setup.sh installs gradtutor from a
    wheel inside the zip; run_autograder grades /autograder/submission into
    /autograder/results/results.json. Upload the zip as a "Zip file upload" autograder.

    Students upload the file `gradtutor submit` writes. With per-student variants the
    course key goes into the zip (Gradescope keeps it from students) and never into results.
    """
    from ..course.autograder import write_bundle
    from .grade_cmd import load

    grader, plan = load(assignment, key_file, sets_dir)
    names = write_bundle(plan, grader.key, out)
    click.echo(f"wrote {out}: {', '.join(names)}")
    finish(0)
