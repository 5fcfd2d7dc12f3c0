"""`gradtutor problems`: lint problem files, or list the sets."""

from __future__ import annotations

import contextlib

import click

from . import finish
from .common import budget_option, json_option
from .practice_cmd import sets_option


@click.group("problems")
def command() -> None:
    """Work with problem sets: check files (lint) or list what is there."""


@command.command("lint")
@budget_option
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--samples",
    type=click.IntRange(1, 10_000),
    default=200,
    show_default=True,
    help="Random variants built per problem to look for domain errors.",
)
@json_option
def lint_command(paths, samples, as_json) -> None:
    """Check problem files (the shipped sets by default); exit 2 on any error."""
    from ..course.lint import lint
    from ..resources import problems_dir

    with _progress_bar(enabled=not as_json) as progress:
        sets, errors = lint(list(paths) or [problems_dir()], samples, progress)
    problems = sum(len(s.problems) for s in sets)
    unread = sum(s.unread for s in sets)
    if as_json:
        import json

        click.echo(json.dumps({"sets": len(sets), "problems": problems, "unread": unread, "errors": errors}))
        finish(2 if errors else 0)
    for error in errors:
        click.echo(f"error: {error}", err=True)
    summary = f"{_count(len(sets), 'set')}, {_count(problems, 'problem')} checked"
    if unread:
        summary += f" and {_count(unread, 'problem')} that could not be read"
    click.echo(f"{summary}; {_count(len(errors), 'error')}")
    finish(2 if errors else 0)


@command.command("show")
@click.argument("key", metavar="SET/PROBLEM")
@click.option("--seed", type=int, default=None, help="The variant (problems with random values).")
@click.option("--student", help="The student's own variant (with the course key).")
@click.option("--key-file", type=click.Path(dir_okay=False), help="The course key (default: $GRADTUTOR_COURSE_KEY).")
@sets_option
@json_option
def show_command(key, seed, student, key_file, sets_dir, as_json) -> None:
    """Print one variant of a problem and its answers, without the interactive loop."""
    from ..course.exercise import exercise
    from ..course.problems import find, load_all
    from ..errors import GradtutorError
    from ..language.numbers import fmt_value

    _, problem = find(load_all(sets_dir), key)
    if problem is None or problem.kind == "code":
        raise GradtutorError(f"{key} is not a problem with questions", hint="name one as SET/PROBLEM")
    if student:
        from .practice_cmd import _student_seeds

        seed = _student_seeds([_one(problem)], student, key_file)[problem.key]
    ex = exercise(problem, seed if seed is not None else 0)
    answers = [(q.ask, q.kind, fmt_value(q.answer)) for q in ex.questions]
    values = {n: " ".join(fmt_value(v).split()) for n, v in ex.values.items()}
    if as_json:
        import json

        data = {"problem": problem.key, "seed": ex.seed, "values": values}
        data["questions"] = [{"ask": a, "kind": k, "answer": v} for a, k, v in answers]
        click.echo(json.dumps(data))
        return
    from rich.table import Table
    from rich.text import Text

    from ..render.console import stdout

    console = stdout()
    variant = f"  variant {ex.seed}" if ex.seed is not None else ""
    console.print(Text(problem.title, "title"), Text(f"  {problem.key}{variant}", "muted"))
    console.print(Text(problem.prompt))
    console.print(Text(problem.program.strip(), "name"))
    console.print(Text("at " + ", ".join(f"{n} = {v}" for n, v in values.items())))
    table = Table(header_style="title")
    for column in ("question", "kind", "answer"):
        table.add_column(column)
    for row in answers:
        table.add_row(*(Text(c) for c in row))
    console.print(table)


def _one(problem):
    from ..course.problem import ProblemSet

    return ProblemSet(problem.set_id, "", 0, "", [problem])


@command.command("list")
@click.argument("set_id", required=False)
@sets_option
@json_option
def list_command(set_id, sets_dir, as_json) -> None:
    """List the sets (the shipped ones, or --sets), or the problems of one set."""
    from rich.table import Table

    from ..course.problems import find, load_all
    from ..render.console import stdout

    sets = load_all(sets_dir)
    if as_json:
        import json

        click.echo(json.dumps(_listing(sets, set_id)))
        return
    console = stdout()
    if set_id is None:
        table = Table(header_style="title")
        for column in ("set", "title", "problems"):
            table.add_column(column)
        for s in sets:
            table.add_row(s.id, s.title, str(len(s.problems)))
        console.print(table)
        return
    chosen, _ = find(sets, set_id)
    table = Table(title=chosen.title, title_justify="left", header_style="title")
    for column in ("problem", "title", "asks"):
        table.add_column(column)
    for p in chosen.problems:
        asks = (
            "the backward walk"
            if p.targets is None
            else ", ".join(t.ask + (" (formula)" if t.form == "formula" else "") for t in p.targets)
        )
        table.add_row(f"{chosen.id}/{p.id}", p.title, asks)
    console.print(table)


def _listing(sets, set_id) -> list[dict]:
    from ..course.problems import find

    if set_id is None:
        return [{"set": s.id, "title": s.title, "problems": len(s.problems)} for s in sets]
    chosen, _ = find(sets, set_id)
    return [
        {
            "problem": p.key,
            "title": p.title,
            "asks": None if p.targets is None else [{"ask": t.ask, "form": t.form} for t in p.targets],
        }
        for p in chosen.problems
    ]


@contextlib.contextmanager
def _progress_bar(enabled: bool):
    """A bar on a terminal's stderr while the variants are sampled (nothing when piped)."""
    import sys

    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..render.console import stderr

    with Progress(
        TextColumn("sampling variants"), BarColumn(), MofNCompleteColumn(), console=stderr(), transient=True
    ) as bar:
        task = bar.add_task("lint", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
