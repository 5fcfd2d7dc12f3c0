"""Reading a set file: its TOML text, where each key was written, and the checks of single fields.

course/problems.py reads a set with these; every message names the file, the line and the field.
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

import numpy as np

from ..errors import GradtutorError
from ..graph import Graph
from ..language.values import parse_shape
from .problem import ASK_FORMS, ProblemFileError, RandomSpec, Target


def read_toml(path: str) -> tuple[dict[str, Any], str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        if os.path.getsize(path) > MAX_SET_BYTES:
            raise ProblemFileError(f"{path}: {os.path.getsize(path):,} bytes is too large for a problem set file")
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        raise ProblemFileError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ProblemFileError(f"{path}:{line}: not UTF-8 text (save the file as UTF-8)") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ProblemFileError(f"{path}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ProblemFileError(f"{path}: not valid TOML: arrays or tables are nested too deeply") from None


class Lines:
    """Where each key of a TOML file was written: for error messages that name a line."""

    _HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\-]+)\s*\]\]?")
    _KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+)\s*=")

    def __init__(self, text: str) -> None:
        self.at: dict[tuple[int, str], int] = {}
        problem = -1
        section = ""
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                name = header.group(1)
                if line.lstrip().startswith("[[") and name == "problem":
                    problem += 1
                    section = "problem"
                    self.at.setdefault((problem, "@"), number)
                else:
                    section = name
                continue
            key = self._KEY.match(line)
            if key:
                owner = -1 if section == "" else problem
                path = key.group(1) if section in ("", "problem") else f"{section.split('.', 1)[-1]}.{key.group(1)}"
                self.at.setdefault((owner, path), number)

    def line(self, problem: int, key: str) -> int:
        return (
            self.at.get((problem, key)) or self.at.get((problem, key.split(".")[0])) or self.at.get((problem, "@"), 0)
        )


def fail(path: str, line: int, field_name: str, message: str) -> ProblemFileError:
    where = f"{path}:{line}" if line else path
    return ProblemFileError(f"{where}: {field_name}: {message}")


MAX_SET_BYTES = 10_000_000  # a set of problems is a few kilobytes of TOML


def check_id(path: str, line: int, name: str, value: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", value):
        raise fail(path, line, name, f"{value!r} should be lowercase letters, digits and dashes")


def random_spec(path: str, where: int, name: str, spec: Any) -> RandomSpec:
    field_name = f"problem.random.{name}"
    if isinstance(spec, list):
        spec = {"range": spec}
    if not isinstance(spec, dict) or not set(spec) <= {"range", "integer", "nonzero", "shape"}:
        raise fail(
            path,
            where,
            field_name,
            'should be a range like [-3, 3] or a table like { range = [-1, 1], shape = "2x3", '
            "integer = true, nonzero = true }",
        )
    rng = spec.get("range")
    if not (isinstance(rng, list) and len(rng) == 2 and all(number(v) for v in rng) and rng[0] < rng[1]):
        raise fail(path, where, f"{field_name}.range", "should be [low, high] of finite numbers with low < high")
    if not all(abs(v) <= MAX_RANGE for v in rng):
        raise fail(path, where, f"{field_name}.range", f"should lie within ±{MAX_RANGE:.0e}")
    try:
        shape = parse_shape(name, str(spec.get("shape", "")))
    except GradtutorError as exc:
        raise fail(path, where, f"{field_name}.shape", exc.message) from None
    integer = bool(spec.get("integer", False))
    nonzero = bool(spec.get("nonzero", False))
    if integer and int(np.floor(rng[1])) < int(np.ceil(rng[0])):
        raise fail(path, where, f"{field_name}.range", "holds no whole number")
    if integer and nonzero and int(np.floor(rng[1])) == int(np.ceil(rng[0])) == 0:
        raise fail(path, where, f"{field_name}.range", "holds no whole number but 0, which nonzero rules out")
    return RandomSpec(float(rng[0]), float(rng[1]), integer, nonzero, shape)


MAX_RANGE = 1e15  # whole numbers are exact in float64 up to 2^53; sizes past 1e15 only overflow


def number(value: Any) -> bool:
    """A finite int or float from TOML (which also has true/false, inf and nan)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_GRADIENT = re.compile(r"^d([A-Za-z_][A-Za-z_0-9]*)/d([A-Za-z_][A-Za-z_0-9]*)$")


def target(path: str, line: int, item: Any, graph: Graph) -> Target:
    if isinstance(item, str):
        item = {"ask": item}
    if isinstance(item, dict) and ("after" in item or item.get("form") == "jacobian") and "ask" in item:
        from .more_targets import special_target

        return special_target(item, graph, lambda message: fail(path, line, "problem.ask", message))
    if not isinstance(item, dict) or "ask" not in item or not set(item) <= {"ask", "form"}:
        raise fail(
            path, line, "problem.ask", 'each target is "df/dx", a node name, or { ask = "df/dx", form = "formula" }'
        )
    ask = str(item["ask"]).replace(" ", "")
    form = item.get("form", "value")
    if form not in ASK_FORMS:
        raise fail(path, line, "problem.ask", f"form should be one of {', '.join(ASK_FORMS)}, got {form!r}")
    out = graph.labels[graph.output]
    match = _GRADIENT.match(ask)
    if match:
        top, wrt = match.groups()
        if top != out:
            raise fail(path, line, "problem.ask", f"'{ask}': gradients are of the output, {out} (d{out}/d...)")
        if wrt not in graph.names:
            raise fail(path, line, "problem.ask", f"'{ask}': there is no node '{wrt}' in the program")
    elif ask in graph.names:
        if form == "formula":
            raise fail(path, line, "problem.ask", f"'{ask}' is a value; only gradients can be asked as formulas")
    else:
        raise fail(path, line, "problem.ask", f"'{ask}' is neither d{out}/d<name> nor a node of the program")
    return Target(ask, form)
