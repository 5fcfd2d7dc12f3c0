"""`gradtutor progress`: scores, solved problems, first-try rate, frequent mistakes, streak."""

from __future__ import annotations

import sys

import click

from .common import json_option
from .practice_cmd import sets_option


@click.command("progress")
@click.option("--export", type=click.Choice(["csv"]), help="Write every answer you gave, as CSV, to stdout.")
@click.option("--reset", "reset_set", metavar="SET", help="Delete your progress in one set (asks first).")
@click.option("--yes", is_flag=True, help="Do not ask before --reset.")
@sets_option
@json_option
def command(export, reset_set, yes, sets_dir, as_json) -> None:
    """Show your practice progress, per set."""
    from ..course.problems import find, load_all
    from ..course.progress import Store
    from ..render.console import stdout

    sets = load_all(sets_dir)
    with Store.open(readonly=not reset_set) as store:
        if export:
            store.export_csv(sys.stdout)
            return
        if reset_set:
            chosen, _ = find(sets, reset_set)
            if not yes and not click.confirm(f"Delete all your progress in '{chosen.id}'?", default=False):
                click.echo("nothing deleted")
                return
            removed = store.reset(chosen.id)
            click.echo(f"deleted {removed} attempt{'s' if removed != 1 else ''} in '{chosen.id}'")
            return
        if as_json:
            import json

            from ..course.practice import summary_json

            click.echo(json.dumps({"sets": [summary_json(s, store) for s in sets], "streak": store.streak()}))
            return
        from ..render.progress_view import progress_table

        stdout().print(progress_table(sets, store))
