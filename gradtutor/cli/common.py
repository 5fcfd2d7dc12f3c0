"""Options shared by several commands: the program argument and the values of its inputs."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from ..errors import ValueInputError

at_option = click.option(
    "--at",
    "at",
    multiple=True,
    metavar="NAME=VALUE",
    help="A value for an input: a number, a JSON list like [[1,2],[3,4]], or @file (.json or .npy).",
)
random_option = click.option(
    "--random",
    "random_",
    multiple=True,
    metavar="NAME=SHAPE",
    help="Fill an input with normal samples of this shape, e.g. W=3x4 (x=3 for a vector).",
)
seed_option = click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    default=None,
    help="Seed for random values, a whole number from 0 (printed when omitted).",
)


class _Count(click.ParamType):
    """A positive whole number, also written 3e8 or 300_000_000."""

    name = "N"

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).replace("_", "").replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            self.fail(f"{value!r} is not a number", param, ctx)
        if not (1 <= number < 1e18) or number != int(number):
            self.fail(f"{value!r} should be a whole number from 1 up", param, ctx)
        return int(number)


def _set_budget(ctx, param, value):
    if value is not None:
        from ..budget import set_limit

        set_limit(value)
    return value


budget_option = click.option(
    "--max-elements",
    type=_Count(),
    callback=_set_budget,
    expose_value=False,
    is_eager=True,
    envvar="GRADTUTOR_MAX_ELEMENTS",
    help="The most numbers a command may hold at once (default 20,000,000: 160 MB); "
    "its work may be 50 operations per number. Raise it for large inputs.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def value_options(f: Callable) -> Callable:
    return at_option(random_option(seed_option(budget_option(f))))


MAX_PROGRAM_BYTES = 50_000_000  # a 100,000-term program is a few megabytes


def read_program(text: str) -> str:
    """The PROGRAM argument: the program itself, @file to read one, or - for standard input."""
    if text == "-":
        program = sys.stdin.read(MAX_PROGRAM_BYTES + 1)
        if len(program) > MAX_PROGRAM_BYTES:
            raise ValueInputError(f"the program on standard input is over {MAX_PROGRAM_BYTES:,} characters")
        return program
    if text.startswith("@"):
        path = text[1:]
        try:
            if os.path.getsize(path) > MAX_PROGRAM_BYTES:
                raise ValueInputError(f"the program file {path} is over {MAX_PROGRAM_BYTES:,} bytes")
            with open(path, "rb") as handle:
                data = handle.read()
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            raise ValueInputError(
                f"cannot read the program file {path!r}: {getattr(exc, 'strerror', None) or exc}"
            ) from None
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ValueInputError(
                f"the program file {path} is not UTF-8 text (line {line})", hint="save it as UTF-8"
            ) from None
    return text


def write_output(path: str, data: str | bytes) -> None:
    """Write a file the user asked for (-o): a missing folder or a full disk is their problem to
    fix, so it is a message, and nothing is left half written under the name."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    special = os.path.exists(path) and not os.path.isfile(path)  # /dev/stdout, /dev/null, a fifo
    try:
        if special:
            with open(path, "wb" if isinstance(data, bytes) else "w") as handle:
                handle.write(data)
            return
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".gradtutor-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError as exc:
        where = "its folder does not exist" if not os.path.isdir(folder) else (exc.strerror or str(exc))
        raise ValueInputError(f"cannot write {path}: {where}") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def parse_at(at: tuple[str, ...]) -> dict[str, Any]:
    """--at NAME=VALUE options as arrays."""
    from ..language.values import parse_value, split_assignment

    values: dict[str, Any] = {}
    for item in at:
        name, text = split_assignment(item, "--at")
        if name in values:
            raise ValueInputError(f"'{name}' is given twice with --at")
        values[name] = parse_value(name, text)
    return values


def parse_shapes(shapes: tuple[str, ...], option: str = "--shape") -> dict[str, tuple[int, ...]]:
    """--shape NAME=3x4 options as shapes."""
    from ..language.values import parse_shape, split_assignment

    out: dict[str, tuple[int, ...]] = {}
    for item in shapes:
        name, text = split_assignment(item, option)
        out[name] = parse_shape(name, text)
    return out


def gather_values(
    at: tuple[str, ...],
    random_: tuple[str, ...],
    seed: int | None,
    draw_missing: list[str] | None = None,
    shapes: dict[str, tuple[int, ...]] | None = None,
) -> tuple[dict[str, Any], int | None]:
    """Values from --at and --random; `draw_missing` names are drawn too (scalar unless in shapes).

    Returns the values and the seed used for any random draws (None if nothing was drawn).
    """
    import numpy as np

    from ..language.values import random_value

    values = parse_at(at)
    wanted = parse_shapes(random_, "--random")
    for name in wanted:
        if name in values:
            raise ValueInputError(f"'{name}' is given both with --at and with --random")
    for name in draw_missing or ():
        if name not in values and name not in wanted:
            wanted[name] = (shapes or {}).get(name, ())
    used_seed = None
    if wanted:
        used_seed = seed if seed is not None else int(np.random.default_rng().integers(0, 10**6))
        rng = np.random.default_rng(used_seed)
        for name, shape in wanted.items():
            values[name] = random_value(rng, shape)
    return values, used_seed
