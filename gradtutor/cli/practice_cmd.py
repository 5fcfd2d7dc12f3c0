"""`gradtutor practice`: problem sets with saved progress."""

from __future__ import annotations

import click

sets_option = click.option(
    "--sets",
    "sets_dir",
    type=click.Path(exists=True, file_okay=False),
    help="A folder of problem sets (the shipped sets by default).",
)


@click.command("practice")
@click.argument("target", required=False, metavar="[SET | SET/PROBLEM]")
@click.option("--review", is_flag=True, help="Repeat the problems you answered wrong.")
@click.option("--seed", type=int, default=None, help="Pick the variant of a problem with random values.")
@sets_option
@click.option("--json", "as_json", is_flag=True, help="List the sets and your progress as JSON.")
def command(target, review, seed, sets_dir, as_json) -> None:
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
    with Store.open() as store:
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
        read, interactive = answer_reader()
        if problem is not None:
            run_problem(problem, store, console, read, interactive=interactive, seed=seed)
            from ..render.progress_view import set_bar

            console.print(set_bar(chosen, store))
        else:
            practice_set(chosen, store, console, read, interactive=interactive, review=review, seed=seed)
