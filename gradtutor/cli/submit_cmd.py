"""`gradtutor submit`: export your practice answers for an assignment as a submission file."""

from __future__ import annotations

import json

import click

from . import finish
from .grade_cmd import key_option
from .practice_cmd import sets_option


@click.command("submit")
@click.argument("assignment", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False), help="The file to write (default: stdout).")
@click.option("--student", help="Your student id: picks the attempts at your own variants.")
@key_option
@sets_option
def command(assignment, out, student, key_file, sets_dir) -> None:
    """Write your answers to ASSIGNMENT's problems, from your saved practice, as a submission.

    For each problem the latest attempt counts (at your own variant with
    --student), and for each question the last answer you typed and how many
    tries it took. Upload the file (submission.json) or hand it in.
    """
    from ..course.assignment import load_assignment
    from ..course.progress import Store
    from ..course.submit import export
    from ..course.variants import read_key

    plan = load_assignment(assignment, sets_dir)
    key = read_key(key_file)
    if student and key is None and plan.variants == "student":
        click.echo("note: no course key, so your own variants cannot be picked; the latest attempts are used", err=True)
    with Store.open() as store:
        data, notes = export(store, plan, student, key)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if out:
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"wrote {len(data['answers'])} of {len(plan.items)} problems to {out}", err=True)
    else:
        click.echo(text, nl=False)
    finish(0)
