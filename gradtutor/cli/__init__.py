"""The command line: the only layer that uses click and the only one that exits.

Commands live one per module and are imported when run, so `gradtutor grad`
pays only for what it uses. User errors (GradtutorError) print a message and
exit 2; a command returns 0 (success) or 1 (checked, and wrong).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys

import click

from .. import __version__, budget
from ..errors import GradtutorError

COMMANDS = {
    "solve": ("solve_cmd", "Walk through backpropagation on an expression, graded step by step."),
    "grad": ("grad_cmd", "Compute the value and exact gradients of a program."),
    "check": ("check_cmd", "Check gradient formulas against reverse mode and central differences."),
    "practice": ("practice_cmd", "Practise the problem sets, with saved progress."),
    "progress": ("progress_cmd", "Show (or export, or reset) your practice progress."),
    "problems": ("problems_cmd", "Work with problem files (lint them)."),
    "grade": ("grade_cmd", "Grade submissions against an assignment, as Gradescope reads them (instructors)."),
    "submit": ("submit_cmd", "Export your practice answers for an assignment as a submission file."),
    "assign": ("assign_cmd", "Write each student's handout of an assignment, and the answer key (instructors)."),
    "autograder": ("autograder_cmd", "Write a ready Gradescope autograder bundle for an assignment (instructors)."),
    "report": ("report_cmd", "The class mistake report: scores and diagnoses per question (instructors)."),
    "check-code": ("check_code_cmd", "Check backward-pass code you wrote for a code problem."),
    "code": ("code_cmd", "Write out the forward and backward pass as flat Python code."),
    "graph": ("graph_cmd", "Draw the computational graph with values and gradients."),
    "descend": ("descend_cmd", "Run gradient descent on a program and watch the loss fall (or blow up)."),
}


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs; turns user errors into exit 2."""

    def list_commands(self, ctx):
        return [name for name, (module, _) in COMMANDS.items() if _available(module)]

    def get_command(self, ctx, name):
        if name not in COMMANDS or not _available(COMMANDS[name][0]):
            return None
        module = importlib.import_module(f"{__name__}.{COMMANDS[name][0]}")
        return module.command

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and any(p.name == "program" for p in command.params):
            rest = protect_program(command, ctx, rest)
        return name, command, rest

    def format_commands(self, ctx, formatter):
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        budget.set_limit(budget.DEFAULT_MAX_ELEMENTS)  # until this command's --max-elements says otherwise
        try:
            with budget.scope():  # one command's work is metered (gradtutor/budget.py)
                return super().invoke(ctx)
        except GradtutorError as exc:
            raise UserError(exc) from None
        except KeyboardInterrupt:  # click would print "Aborted!" and exit 1; shells expect 130
            raise click.exceptions.Exit(130) from None


class UserError(click.ClickException):
    """A GradtutorError on its way out: click prints it with `show` and exits with its code."""

    def __init__(self, error: GradtutorError) -> None:
        super().__init__(error.message)
        self.error = error
        self.exit_code = error.exit_code

    def show(self, file=None) -> None:
        _print_error(self.error.render())


def protect_program(command: click.Command, ctx: click.Context, args: list[str]) -> list[str]:
    """Move a PROGRAM that starts with '-' (`-x^2`, `-log(p)`) behind a `--`, so click reads it as
    the program instead of an unknown option. `cmd -- PROGRAM --at x=3` works too: everything
    but the program after the `--` is still read as options."""
    if "--" in args:
        i = args.index("--")
        return args[:i] + args[i + 2 :] + args[i : i + 2] if i + 1 < len(args) else args
    takes_value = dict.fromkeys(ctx.help_option_names, False)
    for param in command.params:
        if isinstance(param, click.Option):
            for name in param.opts + param.secondary_opts:
                takes_value[name] = not param.is_flag and not param.count
    for flag in ("-f", "--file"):  # -f FILE: the program from a file, as @FILE
        if flag in args and flag not in takes_value and args.index(flag) + 1 < len(args):
            k = args.index(flag)
            return args[:k] + args[k + 2 :] + ["--", "@" + args[k + 1]]
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in takes_value:
            i += 2 if takes_value[arg] else 1
        elif arg.startswith("--") and arg.partition("=")[0] in takes_value:
            i += 1
        elif arg.startswith("-") and len(arg) > 1:
            return args[:i] + args[i + 1 :] + ["--", arg]
        else:
            return args  # the program is an ordinary positional argument
    return args


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"{__name__}.{module}") is not None


def finish(code: int) -> None:
    """End a command with an exit code: 0 success, 1 checked and wrong."""
    click.get_current_context().exit(code)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gradtutor")
def cli() -> None:
    """gradtutor: learn backpropagation one gate at a time.

    Start with `gradtutor solve`, which walks the classic (x + y) * z example.
    """
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is None:  # plain `gradtutor` is a question, not a mistake
        click.echo(ctx.get_help())


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (what `python -m gradtutor` and the script use)."""
    _sane_streams()
    try:
        cli.main(args=argv, prog_name="gradtutor", standalone_mode=True)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:  # Ctrl-C: whatever was on its way is shown; the shell's convention
        return 130
    except Exception as exc:  # a bug in gradtutor, not the user's fault
        if os.environ.get("GRADTUTOR_DEBUG"):
            raise
        _print_error(
            f"internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug in gradtutor; run again with GRADTUTOR_DEBUG=1 to see the traceback"
        )
        return 3
    return 0


def _sane_streams() -> None:
    """Closed or oddly encoded standard streams are the user's setup, not bad input to fail on:
    a closed stdin reads as empty (the walk ends, `-` is an empty program), a closed stdout or
    stderr discards, and text that a stream cannot encode (a Latin-1 terminal, bytes that are
    not UTF-8 on stdin) is replaced rather than raising."""
    for name, mode in (("stdin", "r"), ("stdout", "w"), ("stderr", "w")):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, open(os.devnull, mode, encoding="utf-8"))  # noqa: SIM115 (lives as long as the process)
        elif hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(errors="replace")


def run() -> None:
    """The console script. Exits without tearing the interpreter down (as mypy's fast_exit
    does): freeing numpy, click and rich module by module costs ~15 ms, a fifth of
    numpy's import, and the operating system reclaims it all anyway.

    Ctrl-C is restored to Python's KeyboardInterrupt first: a shell that starts
    gradtutor in the background, or a parent that ignores SIGINT, would otherwise
    pass the ignored disposition on, and Ctrl-C would do nothing at the prompt."""
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


def _print_error(text: str) -> None:
    if sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
        head, _, rest = text.partition(":")
        text = click.style(head + ":", fg="red", bold=True) + rest
    click.echo(text, err=True)
