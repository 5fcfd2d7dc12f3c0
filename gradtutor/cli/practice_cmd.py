"""`gradtutor practice`: problem sets with saved progress."""

from __future__ import annotations

import sys

import click

from . import finish
from .common import budget_option

sets_option = click.option(
    "--sets",
    "sets_dir",
    type=click.Path(exists=True, file_okay=False),
    help="A folder of problem sets (the shipped sets by default).",
)


@click.command("practice")
@budget_option
@click.argument("target", required=False, metavar="[SET | SET/PROBLEM]")
@click.option("--review", is_flag=True, help="Repeat the problems you answered wrong.")
@click.option(
    "--seed", type=click.IntRange(0, 2**63 - 1), default=None, help="Pick the variant of a problem with random values."
)
@click.option("--student", help="Work your own variants (with the course key): those your assignment grades.")
@click.option("--key-file", type=click.Path(dir_okay=False), help="The course key (default: $GRADTUTOR_COURSE_KEY).")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False),
    default=".",
    help="Where code problems write their starter file (never overwriting yours).",
)
@sets_option
@click.option("--json", "as_json", is_flag=True, help="List the sets and your progress as JSON.")
def command(target, review, seed, student, key_file, folder, sets_dir, as_json) -> None:
    """Practise the problem sets. Without TARGET, list the sets with your progress;
    with SET, work through its next unsolved problems; with SET/PROBLEM, one problem.

    Every answer is saved as soon as it is graded (see gradtutor progress).
    """
    from ..course.problems import find, load_all
    from ..course.progress import Store
    from ..render.console import answer_reader, stdout
    from ..render.progress_view import sets_table

    sets = load_all(sets_dir)
    console = stdout()
    seeds = _student_seeds(sets, student, key_file) if student else None
    with Store.open(readonly=target is None) as store:
        if as_json:
            import json

            from ..course.practice import summary_json

            if target is not None:
                raise click.UsageError("--json lists the sets; it cannot run a problem")
            click.echo(json.dumps([summary_json(s, store) for s in sets]))
            return
        if target is None:
            console.print(sets_table(sets, store))
            return
        from ..render.practice_view import practice_set, run_problem

        chosen, problem = find(sets, target)
        if problem is None and chosen.problems and all(p.kind == "code" for p in chosen.problems):
            from ..course.practice import choose

            problem = (choose(chosen, store, review) or chosen.problems)[0]
        if problem is not None and problem.kind == "code":
            finish(_code(problem, store, console, folder, seed))
        read, interactive = answer_reader()
        if problem is not None:
            if seeds is not None and problem.has_random:
                seed = seeds[problem.key]
            run_problem(problem, store, console, read, interactive=interactive, seed=seed)
            from ..render.progress_view import set_bar

            console.print(set_bar(chosen, store))
        else:
            practice_set(chosen, store, console, read, interactive=interactive, review=review, seed=seed, seeds=seeds)


def _student_seeds(sets, student: str, key_file) -> dict[str, int]:
    """Each problem's seed for this student: the variants their assignment grades."""
    from ..course.variants import KEY_ENV, read_key, student_seed
    from ..errors import GradtutorError

    key = read_key(key_file)
    if key is None:
        raise GradtutorError(
            f"--student needs the course key: --key-file FILE or ${KEY_ENV}", hint="your instructor gives it out"
        )
    return {p.key: student_seed(key, student, p.key) for s in sets for p in s.problems}


def _code(problem, store, console, folder: str, seed) -> int:
    """A code problem: write the starter (never over the student's file), then watch it at a
    terminal, or check it once when input is not a terminal. Exit 0 solved, 1 not yet, 130 Ctrl-C."""
    from rich.text import Text

    from ..course.code.practice import CodeAttempt, write_starter
    from ..render.code_watch import show, watch

    path, created = write_starter(problem, folder)
    console.print(Text(problem.title, "title"), Text(f"  {problem.key}", "muted"))
    console.print(Text(problem.prompt))
    console.print(Text(f"wrote the starter {path}" if created else f"your file {path} (kept as it is)", "muted"))
    attempt = CodeAttempt(problem, store, path, seed or 0)
    try:
        watch(console, attempt) if sys.stdin.isatty() else show(console, attempt)
    except KeyboardInterrupt:
        console.print(Text("stopped; your file is kept", "muted"))
        return 130
    return 0 if attempt.solved else 1
