"""`gradtutor assign`: each student's handout of an assignment, and the instructor's key."""

from __future__ import annotations

import click

from . import finish
from .grade_cmd import key_option
from .practice_cmd import sets_option


@click.command("assign")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.option("--roster", type=click.Path(dir_okay=False), help="A CSV file with an id column (and a name).")
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default="assignment", show_default=True)
@click.option("--new-key", type=click.Path(dir_okay=False), help="Write a fresh course key to this file and exit.")
@key_option
@sets_option
def command(assignment, roster, out, new_key, key_file, sets_dir) -> None:
    """Write OUT/handouts/ID.md and .tex for every student of the roster, at their own
    variants, plus OUT/key/ID.md (answers and worked solutions) and OUT/answer-key.json.

    Each student's variants come from the course key, exactly as `grade` recomputes them.
    """
    import os

    if new_key:
        from ..course.variants import new_key as fresh

        if os.path.exists(new_key):
            raise click.UsageError(f"{new_key} exists; a new key would change every student's variants")
        fd = os.open(new_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(fresh() + "\n")
        click.echo(f"wrote a new course key to {new_key}; keep it out of anything students can read")
        finish(0)
    if not roster:
        raise click.UsageError("give --roster roster.csv (or --new-key FILE)")
    from ..course.assign import write_assignment
    from ..course.roster import read_roster
    from ..render.assignment_doc import key_markdown, student_latex, student_markdown
    from ..render.console import stderr
    from .grade_cmd import load

    grader, plan = load(assignment, key_file, sets_dir)
    students = read_roster(roster)
    writers = {"md": student_markdown, "tex": student_latex, "key.md": key_markdown}
    from rich.progress import Progress

    with Progress(console=stderr(), transient=True) as bar:
        task = bar.add_task("handouts", total=len(students))
        write_assignment(plan, students, grader.key, out, writers, lambda n: bar.update(task, completed=n))
    click.echo(f"wrote handouts for {len(students)} students to {out}/handouts and the key to {out}/key")
    finish(0)
