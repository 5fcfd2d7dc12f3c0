"""Options shared by several commands: the program argument and the values of its inputs."""

from __future__ import annotations

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
seed_option = click.option("--seed", type=int, default=None, help="Seed for random values (printed when omitted).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")


def value_options(f: Callable) -> Callable:
    return at_option(random_option(seed_option(f)))


def read_program(text: str) -> str:
    """The PROGRAM argument: the program itself, @file to read one, or - for standard input."""
    if text == "-":
        return sys.stdin.read()
    if text.startswith("@"):
        path = text[1:]
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except OSError as exc:
            raise ValueInputError(f"cannot read the program file {path}: {exc.strerror}") from None
    return text


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
