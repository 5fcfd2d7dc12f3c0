"""Problem sets: reading the TOML files of problems/ into problems (course/problem.py).

A set file holds a set's id, title and order, and its problems. Each problem
has a program, values (fixed, or drawn at random from ranges so that every
attempt is a fresh variant, reproducible from a seed), what to ask (the whole
backward walk, or chosen targets), a tolerance, points and hints. The format
is documented in problems/README.md; `gradtutor problems lint` checks files
against it and names the file, line and field of every mistake.
"""

from __future__ import annotations

import os
import re
from typing import Any

import numpy as np

from ..autodiff.compare import Tolerance
from ..errors import GradtutorError
from ..graph import Graph
from ..language.values import as_array, parse_shape
from ..resources import problems_dir
from .problem import ASK_FORMS, FORMAT, Problem, ProblemFileError, ProblemSet, RandomSpec, Target, program_graph


def _toml(path: str) -> tuple[dict[str, Any], str]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    with open(path, "rb") as handle:
        raw = handle.read()
    text = raw.decode("utf-8")
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ProblemFileError(f"{path}: not valid TOML: {exc}") from None


class _Lines:
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


def _fail(path: str, line: int, field_name: str, message: str) -> ProblemFileError:
    where = f"{path}:{line}" if line else path
    return ProblemFileError(f"{where}: {field_name}: {message}")


def load_set(path: str) -> ProblemSet:
    """Read and check one set file; raise ProblemFileError naming file, line and field."""
    data, text = _toml(path)
    lines = _Lines(text)

    def need(table: dict, key: str, kind: type, owner: int, what: str) -> Any:
        if key not in table:
            raise _fail(path, lines.line(owner, "@") if owner >= 0 else 1, f"{what}{key}", "is missing")
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise _fail(
                path, lines.line(owner, key), f"{what}{key}", f"should be {kind.__name__}, got {type(value).__name__}"
            )
        return value

    version = data.get("format", FORMAT)
    if version != FORMAT:
        raise _fail(
            path, lines.line(-1, "format"), "format", f"this gradtutor reads format {FORMAT}, the file says {version!r}"
        )
    set_id = need(data, "id", str, -1, "")
    _check_id(path, lines.line(-1, "id"), "id", set_id)
    title = need(data, "title", str, -1, "")
    order = need(data, "order", int, -1, "")
    summary = data.get("summary", "")
    problems_raw = data.get("problem")
    if not isinstance(problems_raw, list) or not problems_raw:
        raise _fail(path, 1, "problem", "a set needs at least one [[problem]]")
    problems: list[Problem] = []
    seen: set[str] = set()
    known = {"format", "id", "title", "order", "summary", "problem"}
    for key in data:
        if key not in known:
            raise _fail(path, lines.line(-1, key), key, f"unknown field (the fields are {', '.join(sorted(known))})")
    for k, raw in enumerate(problems_raw):
        problem = _load_problem(path, lines, set_id, k, raw, need)
        if problem.id in seen:
            raise _fail(path, lines.line(k, "id"), "problem.id", f"'{problem.id}' is used twice in this set")
        seen.add(problem.id)
        problems.append(problem)
    return ProblemSet(set_id, title, order, summary, problems, path)


_PROBLEM_FIELDS = {"id", "kind", "title", "prompt", "program", "values", "random", "ask", "tolerance", "points"}
_PROBLEM_FIELDS.add("hints")


def _check_id(path: str, line: int, name: str, value: str) -> None:
    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]*", value):
        raise _fail(path, line, name, f"{value!r} should be lowercase letters, digits and dashes")


def _load_problem(path: str, lines: _Lines, set_id: str, k: int, raw: dict, need) -> Problem:
    if raw.get("kind", "walk") == "code":
        from .code.spec import load_code_problem

        return load_code_problem(path, lines.line, set_id, k, raw)
    what = "problem."
    for key in raw:
        if key not in _PROBLEM_FIELDS:
            raise _fail(
                path,
                lines.line(k, key),
                f"problem.{key}",
                f"unknown field (the fields are {', '.join(sorted(_PROBLEM_FIELDS))})",
            )
    pid = need(raw, "id", str, k, what)
    _check_id(path, lines.line(k, "id"), "problem.id", pid)
    title = need(raw, "title", str, k, what)
    prompt = need(raw, "prompt", str, k, what).strip()
    program = need(raw, "program", str, k, what)
    try:
        graph = program_graph(program)
    except GradtutorError as exc:
        raise _fail(path, lines.line(k, "program"), "problem.program", exc.render().removeprefix("error: ")) from None

    for table in ("values", "random"):
        if not isinstance(raw.get(table, {}), dict):
            raise _fail(
                path,
                lines.line(k, table),
                f"problem.{table}",
                "should be a table, such as { x = 1, y = 2 }"
                if table == "values"
                else "should be a table, such as { x = [-3, 3] }",
            )
    values: dict[str, np.ndarray] = {}
    for name, value in (raw.get("values") or {}).items():
        where = lines.line(k, f"values.{name}")
        if name not in graph.variables:
            raise _fail(
                path,
                where,
                f"problem.values.{name}",
                f"'{name}' is not an input of the program (the inputs are {', '.join(graph.variables)})",
            )
        try:
            values[name] = as_array(name, value)
        except GradtutorError as exc:
            raise _fail(path, where, f"problem.values.{name}", exc.message) from None

    randoms: dict[str, RandomSpec] = {}
    for name, spec in (raw.get("random") or {}).items():
        where = lines.line(k, f"random.{name}")
        if name not in graph.variables:
            raise _fail(path, where, f"problem.random.{name}", f"'{name}' is not an input of the program")
        if name in values:
            raise _fail(path, where, f"problem.random.{name}", f"'{name}' also has a fixed value")
        randoms[name] = _random_spec(path, where, name, spec)
    missing = [n for n in graph.variables if n not in values and n not in randoms]
    if missing:
        raise _fail(
            path, lines.line(k, "program"), "problem.values", f"no value or random range for {', '.join(missing)}"
        )

    targets = None
    ask = raw.get("ask", "walk")
    if ask != "walk":
        if not isinstance(ask, list) or not ask:
            raise _fail(path, lines.line(k, "ask"), "problem.ask", 'should be "walk" or a list of targets')
        targets = [_target(path, lines.line(k, "ask"), item, graph) for item in ask]
        asks = [t.ask for t in targets]
        if len(set(asks)) != len(asks):
            twice = next(a for a in asks if asks.count(a) > 1)
            raise _fail(
                path,
                lines.line(k, "ask"),
                "problem.ask",
                f"'{twice}' is asked twice; answers are keyed by the question, so each target may appear once",
            )

    tolerance = Tolerance()
    if "tolerance" in raw:
        tol = raw["tolerance"]
        if (
            not isinstance(tol, dict)
            or not set(tol) <= {"rtol", "atol"}
            or not all(isinstance(v, (int, float)) and v >= 0 for v in tol.values())
        ):
            raise _fail(
                path,
                lines.line(k, "tolerance"),
                "problem.tolerance",
                "should be a table such as { rtol = 0.01, atol = 0.005 }",
            )
        atol = tol.get("atol")
        tolerance = Tolerance(float(tol.get("rtol", tolerance.rtol)), None if atol is None else float(atol))
    points = None
    if "points" in raw:
        points = raw["points"]
        if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
            raise _fail(path, lines.line(k, "points"), "problem.points", "should be a positive number")
        points = float(points)
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise _fail(path, lines.line(k, "hints"), "problem.hints", "should be a list of non-empty strings")
    return Problem(
        set_id,
        pid,
        title,
        prompt,
        program,
        values,
        randoms,
        targets,
        tolerance,
        points,
        [h.strip() for h in hints],
        path,
        lines.line(k, "@"),
    )


def _random_spec(path: str, where: int, name: str, spec: Any) -> RandomSpec:
    field_name = f"problem.random.{name}"
    if isinstance(spec, list):
        spec = {"range": spec}
    if not isinstance(spec, dict) or not set(spec) <= {"range", "integer", "nonzero", "shape"}:
        raise _fail(
            path,
            where,
            field_name,
            'should be a range like [-3, 3] or a table like { range = [-1, 1], shape = "2x3", '
            "integer = true, nonzero = true }",
        )
    rng = spec.get("range")
    if not (
        isinstance(rng, list) and len(rng) == 2 and all(isinstance(v, (int, float)) for v in rng) and rng[0] < rng[1]
    ):
        raise _fail(path, where, f"{field_name}.range", "should be [low, high] with low < high")
    try:
        shape = parse_shape(name, str(spec.get("shape", "")))
    except GradtutorError as exc:
        raise _fail(path, where, f"{field_name}.shape", exc.message) from None
    integer = bool(spec.get("integer", False))
    if integer and int(np.floor(rng[1])) < int(np.ceil(rng[0])):
        raise _fail(path, where, f"{field_name}.range", "holds no whole number")
    return RandomSpec(float(rng[0]), float(rng[1]), integer, bool(spec.get("nonzero", False)), shape)


_GRADIENT = re.compile(r"^d([A-Za-z_][A-Za-z_0-9]*)/d([A-Za-z_][A-Za-z_0-9]*)$")


def _target(path: str, line: int, item: Any, graph: Graph) -> Target:
    if isinstance(item, str):
        item = {"ask": item}
    if isinstance(item, dict) and ("after" in item or item.get("form") == "jacobian") and "ask" in item:
        from .more_targets import special_target

        return special_target(item, graph, lambda message: _fail(path, line, "problem.ask", message))
    if not isinstance(item, dict) or "ask" not in item or not set(item) <= {"ask", "form"}:
        raise _fail(
            path, line, "problem.ask", 'each target is "df/dx", a node name, or { ask = "df/dx", form = "formula" }'
        )
    ask = str(item["ask"]).replace(" ", "")
    form = item.get("form", "value")
    if form not in ASK_FORMS:
        raise _fail(path, line, "problem.ask", f"form should be one of {', '.join(ASK_FORMS)}, got {form!r}")
    out = graph.labels[graph.output]
    match = _GRADIENT.match(ask)
    if match:
        top, wrt = match.groups()
        if top != out:
            raise _fail(path, line, "problem.ask", f"'{ask}': gradients are of the output, {out} (d{out}/d...)")
        if wrt not in graph.names:
            raise _fail(path, line, "problem.ask", f"'{ask}': there is no node '{wrt}' in the program")
    elif ask in graph.names:
        if form == "formula":
            raise _fail(path, line, "problem.ask", f"'{ask}' is a value; only gradients can be asked as formulas")
    else:
        raise _fail(path, line, "problem.ask", f"'{ask}' is neither d{out}/d<name> nor a node of the program")
    return Target(ask, form)


def load_all(folder: str | None = None) -> list[ProblemSet]:
    """Every set in a folder (the shipped problems by default), in their order."""
    folder = folder or problems_dir()
    sets = [load_set(os.path.join(folder, name)) for name in sorted(os.listdir(folder)) if name.endswith(".toml")]
    ids: dict[str, str] = {}
    for s in sets:
        if s.id in ids:
            raise ProblemFileError(f"{s.path}: id: set '{s.id}' is also defined in {ids[s.id]}")
        ids[s.id] = s.path
    return sorted(sets, key=lambda s: (s.order, s.id))


def find(sets: list[ProblemSet], key: str) -> tuple[ProblemSet, Problem | None]:
    """'SET' or 'SET/PROBLEM' -> the set (and problem); a GradtutorError with a suggestion if unknown."""
    from ..errors import NameLookupError, suggest

    set_id, _, problem_id = key.partition("/")
    chosen = next((s for s in sets if s.id == set_id), None)
    if chosen is None:
        raise NameLookupError(
            f"there is no problem set '{set_id}'",
            hint=suggest(set_id, [s.id for s in sets]) or f"the sets are: {', '.join(s.id for s in sets)}",
        )
    if not problem_id:
        return chosen, None
    problem = chosen.problem(problem_id)
    if problem is None:
        raise NameLookupError(
            f"set '{set_id}' has no problem '{problem_id}'",
            hint=suggest(problem_id, [p.id for p in chosen.problems])
            or f"its problems are: {', '.join(p.id for p in chosen.problems)}",
        )
    return chosen, problem
