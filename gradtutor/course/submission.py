"""A submission file read into answers: JSON or TOML, either the plain mapping of
"SET/PROBLEM" to answers or `gradtutor submit`'s {"answers": {...}} with its metadata.
What is wrong with a file is said as `file:line: submission: what is wrong`, for the
batch to score that one submission 0 and go on."""

from __future__ import annotations

import json
import os
from typing import Any

from ..errors import ValueInputError

META = ("gradtutor", "assignment", "student", "answers")


def read_submission(path: str) -> dict[str, Any]:
    """The submission file as a table; ValueInputError as `file:line: submission: what is wrong`."""
    if not os.path.isfile(path):
        raise ValueInputError(f"{path}: submission: the file does not exist")
    try:
        with open(path, "rb") as handle:
            text = handle.read(5_000_001).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueInputError(f"{path}:1: submission: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ValueInputError(f"{path}: submission: cannot read it ({exc.strerror})") from None
    if len(text) > 5_000_000:
        raise ValueInputError(f"{path}:1: submission: larger than 5 MB; no submission needs that much")
    if path.endswith(".toml"):
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            line = getattr(exc, "lineno", None) or _line_of(str(exc))
            raise ValueInputError(f"{path}:{line}: submission: not valid TOML ({str(exc).split(' (at')[0]})") from None
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueInputError(f"{path}:{exc.lineno}: submission: not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ValueInputError(
            f'{path}:1: submission: should map "SET/PROBLEM" to a table of answers, '
            'for example {"chain-rule/add-then-multiply": {"df/dx": "-4"}}'
        )
    return data


def _line_of(message: str) -> int:
    import re

    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else 1


def split_submission(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(meta, answers by problem): `submit`'s {"answers": {...}} or the plain mapping."""
    if isinstance(data.get("answers"), dict):
        return {k: v for k, v in data.items() if k != "answers"}, data["answers"]
    meta = {k: v for k, v in data.items() if k in META and not isinstance(v, dict)}
    return meta, {k: v for k, v in data.items() if k not in meta}
