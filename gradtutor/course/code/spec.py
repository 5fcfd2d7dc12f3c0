"""Code problems as data: what the student implements, and the cases it is run on.

A code problem (`kind = "code"` in a set file, documented in problems/README.md) holds
the reference program in gradtutor's language, the interface to implement (flat code,
a layer's forward/backward pair, one function returning the value and gradients, or
gate classes), the inputs with shapes written in named dimensions (`"NxD"`), the shape
cases that fix those dimensions, hints, and the starter and reference solution files.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...autodiff.compare import Tolerance
from ...errors import GradtutorError
from ...graph import shared
from ...language.values import as_array
from ..problem import Problem

STYLES = ("flat", "layer", "function", "gates")
CODE_FIELDS = {"style", "function", "forward", "backward", "args", "grads", "gates", "labels", "inputs", "cases"}
CODE_FIELDS |= {"starter", "solution", "file"}
PROBLEM_FIELDS = {"id", "kind", "title", "prompt", "program", "hints", "points", "code"}


@dataclass(frozen=True)
class InputSpec:
    """One program input: a fixed value, a uniform range with a shape in named dimensions,
    or (for labels) one-hot rows."""

    low: float = -1.0
    high: float = 1.0
    shape: tuple[str, ...] = ()  # '3', 'N', 'D' ...
    value: Any = None
    onehot: bool = False


@dataclass(frozen=True)
class CodeCase:
    dims: dict[str, int]
    values: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class CodeSpec:
    style: str
    names: dict[str, str]
    args: list[str]
    grads: list[str]
    gates: dict[str, str]
    labels: dict[str, str]  # the student's name -> the program's one-hot input
    inputs: dict[str, InputSpec]
    cases: list[CodeCase]
    starter: str
    solution: str
    file: str

    def draw(self, key: str, seed: int, k: int) -> dict[str, np.ndarray]:
        """The program's input values for case k (the same key, seed and k, the same values)."""
        case = self.cases[k]
        rng = np.random.default_rng([zlib.crc32(key.encode()), int(seed), k])
        values: dict[str, np.ndarray] = {}
        for name in sorted(self.inputs):
            spec = self.inputs[name]
            shape = tuple(case.dims[d] if d in case.dims else int(d) for d in spec.shape)
            if name in case.values:
                values[name] = case.values[name]
            elif spec.value is not None:
                values[name] = spec.value
            elif spec.onehot:
                rows, classes = shape
                values[name] = np.eye(classes)[rng.integers(0, classes, size=rows)]
            else:
                values[name] = rng.uniform(spec.low, spec.high, size=shape)
        return values

    def student_name(self, program_name: str) -> str:
        return next((s for s, p in self.labels.items() if p == program_name), program_name)


class _Reader:
    """Field checks that name the file, line and field (the set reader's conventions)."""

    def __init__(self, path: str, line, k: int) -> None:
        self.path, self.line, self.k = path, line, k

    def fail(self, key: str, message: str) -> GradtutorError:
        from ..setfile import fail as _fail

        return _fail(self.path, self.line(self.k, key.removeprefix("problem.")), key, message)

    def text(self, raw: dict, key: str, where: str, default: str | None = None) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{where}{key}", "is missing" if value is None else "should be non-empty text")
        return value

    def names(self, raw: dict, key: str, default: list[str]) -> list[str]:
        value = raw.get(key, default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"problem.code.{key}", "should be a list of names")
        return list(value)

    def table(self, raw: dict, key: str) -> dict:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"problem.code.{key}", "should be a table")
        return value


def load_code_problem(path: str, line, set_id: str, k: int, raw: dict) -> Problem:
    """A [[problem]] with kind = "code" (problems.py hands it over); errors name file, line, field."""
    read = _Reader(path, line, k)
    for key in raw:
        if key not in PROBLEM_FIELDS:
            raise read.fail(f"problem.{key}", f"unknown field for a code problem ({', '.join(sorted(PROBLEM_FIELDS))})")
    pid = read.text(raw, "id", "problem.")
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", pid):
        raise read.fail("problem.id", f"{pid!r} should be lowercase letters, digits and dashes")
    title, prompt = read.text(raw, "title", "problem."), read.text(raw, "prompt", "problem.").strip()
    program = read.text(raw, "program", "problem.")
    try:
        graph = shared(program)
    except GradtutorError as exc:
        raise read.fail("problem.program", exc.render().removeprefix("error: ")) from None
    code = raw.get("code")
    if not isinstance(code, dict):
        raise read.fail("problem.code", "a code problem needs a [problem.code] table")
    for key in code:
        if key not in CODE_FIELDS:
            raise read.fail(f"problem.code.{key}", f"unknown field (the fields are {', '.join(sorted(CODE_FIELDS))})")
    spec = _spec(read, code, graph)
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise read.fail("problem.hints", "should be a list of non-empty strings")
    points = raw.get("points")
    if points is not None and (not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0):
        raise read.fail("problem.points", "should be a positive number")
    return Problem(
        set_id, pid, title, prompt, program, {}, {}, None, Tolerance(1e-6, 0.0),
        None if points is None else float(points), [h.strip() for h in hints], path, line(k, "@"),
        kind="code", code=spec,
    )  # fmt: skip


def _spec(read: _Reader, code: dict, graph) -> CodeSpec:
    style = code.get("style")
    if style not in STYLES:
        raise read.fail("problem.code.style", f"should be one of {', '.join(STYLES)}, got {style!r}")
    labels = {str(s): str(p) for s, p in read.table(code, "labels").items()}
    variables = list(graph.variables)
    for program in labels.values():
        if program not in graph.variables:
            raise read.fail("problem.code.labels", f"'{program}' is not an input of the program")
    args = read.names(code, "args", [read_label(labels, v) for v in variables])
    grads = read.names(code, "grads", [v for v in variables if v not in labels.values()])
    names = {}
    for key, default in {
        "flat": {"function": "f"},
        "function": {"function": "loss"},
        "layer": {"forward": "forward", "backward": "backward"},
        "gates": {},
    }[style].items():
        names[key] = str(code.get(key, default))
    for name in grads + [labels.get(a, a) for a in args]:
        if name not in graph.variables:
            raise read.fail("problem.code.args", f"'{name}' is not an input of the program")
    gates = {str(op): str(cls) for op, cls in read.table(code, "gates").items()}
    if style == "gates":
        missing = sorted(
            {graph.nodes[i].op.name for i in range(len(graph.nodes)) if graph.nodes[i].inputs} - set(gates)
        )
        if missing:
            raise read.fail("problem.code.gates", f"no gate class for the program's {', '.join(missing)} nodes")
    inputs = {name: _input(read, name, raw) for name, raw in read.table(code, "inputs").items()}
    for name in variables:
        if name not in inputs:
            raise read.fail("problem.code.inputs", f"no value or range for the input '{name}'")
    cases = _cases(read, code.get("cases", [{}]), inputs)
    starter, solution = read.text(code, "starter", "problem.code."), read.text(code, "solution", "problem.code.")
    file = read.text(code, "file", "problem.code.", "solution.py")
    return CodeSpec(style, names, args, grads, gates, labels, inputs, cases, starter, solution, file)


def read_label(labels: dict[str, str], program_name: str) -> str:
    return next((s for s, p in labels.items() if p == program_name), program_name)


def _input(read: _Reader, name: str, raw: Any) -> InputSpec:
    where = f"problem.code.inputs.{name}"
    if not isinstance(raw, dict):
        try:
            return InputSpec(value=as_array(name, raw))
        except GradtutorError as exc:
            raise read.fail(where, exc.message) from None
    if not set(raw) <= {"range", "shape", "onehot"}:
        raise read.fail(where, 'should be a value, or a table like { range = [-1, 1], shape = "NxD" }')
    rng = raw.get("range", [-1, 1])
    if not (isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, (int, float)) for v in rng)):
        raise read.fail(f"{where}.range", "should be [low, high]")
    shape = tuple(p for p in re.split(r"\s*x\s*", str(raw.get("shape", "")).strip()) if p)
    if len(shape) > 2 or not all(re.fullmatch(r"[A-Za-z]\w*|[1-9]\d*", p) for p in shape):
        raise read.fail(f"{where}.shape", "should be up to two sizes or dimension names, like 3, NxD or Dx4")
    onehot = bool(raw.get("onehot", False))
    if onehot and len(shape) != 2:
        raise read.fail(f"{where}.onehot", "one-hot labels need a shape of two sizes: examples x classes")
    return InputSpec(float(rng[0]), float(rng[1]), shape, None, onehot)


def _cases(read: _Reader, raw: Any, inputs: dict[str, InputSpec]) -> list[CodeCase]:
    if not isinstance(raw, list) or not raw:
        raise read.fail("problem.code.cases", "should be a list of tables like { N = 2, D = 3 }")
    needed = {d for spec in inputs.values() for d in spec.shape if not d.isdigit()}
    cases = []
    for item in raw:
        if not isinstance(item, dict):
            raise read.fail("problem.code.cases", "each case is a table like { N = 2, D = 3 }")
        fixed = item.get("values", {})
        dims = {k: v for k, v in item.items() if k != "values"}
        if not all(isinstance(v, int) and v >= 1 for v in dims.values()) or not isinstance(fixed, dict):
            raise read.fail("problem.code.cases", "dimensions are positive whole numbers; values = { x = ... }")
        if needed - set(dims):
            raise read.fail("problem.code.cases", f"a case leaves {', '.join(sorted(needed - set(dims)))} unset")
        try:
            values = {n: as_array(n, v) for n, v in fixed.items()}
        except GradtutorError as exc:
            raise read.fail("problem.code.cases", exc.message) from None
        for n, v in values.items():
            want = tuple(dims.get(d) or int(d) for d in inputs[n].shape) if n in inputs else None
            if want is None or v.shape != want:
                raise read.fail("problem.code.cases", f"the case's value of '{n}' has shape {v.shape}, not {want}")
        cases.append(CodeCase(dims, values))
    return cases
