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
from typing import Any

import numpy as np

from ..autodiff.compare import Tolerance
from ..errors import GradtutorError
from ..graph import shared
from ..language.values import as_array
from ..resources import problems_dir
from .problem import FORMAT, Problem, ProblemFileError, ProblemSet, RandomSpec
from .setfile import Lines, check_id, fail, number, random_spec, read_toml, target


def load_set(path: str, errors: list[str] | None = None) -> ProblemSet:
    """Read and check one set file; raise ProblemFileError naming file, line and field.

    With `errors`, a linter's list, every problem is read whatever is wrong with the others:
    each problem's first error, and every unknown field, go to the list instead of stopping."""
    data, text = read_toml(path)
    lines = Lines(text)

    def need(table: dict, key: str, kind: type, owner: int, what: str) -> Any:
        if key not in table:
            raise fail(path, lines.line(owner, "@") if owner >= 0 else 1, f"{what}{key}", "is missing")
        value = table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise fail(
                path, lines.line(owner, key), f"{what}{key}", f"should be {kind.__name__}, got {type(value).__name__}"
            )
        return value

    version = data.get("format", FORMAT)
    if version != FORMAT:
        raise fail(
            path, lines.line(-1, "format"), "format", f"this gradtutor reads format {FORMAT}, the file says {version!r}"
        )
    set_id = need(data, "id", str, -1, "")
    check_id(path, lines.line(-1, "id"), "id", set_id)
    title = need(data, "title", str, -1, "")
    order = need(data, "order", int, -1, "")
    summary = data.get("summary", "")
    problems_raw = data.get("problem")
    if not isinstance(problems_raw, list) or not problems_raw:
        raise fail(path, 1, "problem", "a set needs at least one [[problem]]")
    if not all(isinstance(raw, dict) for raw in problems_raw):
        raise fail(path, lines.line(-1, "problem"), "problem", "each problem is a [[problem]] table")
    problems: list[Problem] = []
    seen: set[str] = set()
    known = {"format", "id", "title", "order", "summary", "problem"}
    for key in data:
        if key not in known:
            unknown = fail(path, lines.line(-1, key), key, _unknown(key, known))
            if errors is None:
                raise unknown
            errors.append(unknown.message)
    for k, raw in enumerate(problems_raw):
        try:
            problem = _load_problem(path, lines, set_id, k, raw, need, errors)
        except ProblemFileError as exc:
            if errors is None:
                raise
            errors.append(exc.message)
            continue
        if problem.id in seen:
            twice = fail(path, lines.line(k, "id"), "problem.id", f"'{problem.id}' is used twice in this set")
            if errors is None:
                raise twice
            errors.append(twice.message)
        seen.add(problem.id)
        problems.append(problem)
    return ProblemSet(set_id, title, order, summary, problems, path, len(problems_raw) - len(problems))


_PROBLEM_FIELDS = {"id", "kind", "title", "prompt", "program", "values", "random", "ask", "tolerance", "points"}
_PROBLEM_FIELDS |= {"hints", "jacobians"}


def _unknown(key: str, known) -> str:
    from ..errors import suggest

    return f"unknown field ({suggest(key, known) or 'the fields are ' + ', '.join(sorted(known))})"


def _load_problem(path: str, lines: Lines, set_id: str, k: int, raw: dict, need, errors=None) -> Problem:
    if raw.get("kind", "walk") == "code":
        from .code.spec import load_code_problem

        return load_code_problem(path, lines.line, set_id, k, raw)
    what = "problem."
    for key in raw:
        if key not in _PROBLEM_FIELDS:
            unknown = fail(path, lines.line(k, key), f"problem.{key}", _unknown(key, _PROBLEM_FIELDS))
            if errors is None:
                raise unknown
            errors.append(unknown.message)  # a linter reads on: the rest of the problem may hold more
    pid = need(raw, "id", str, k, what)
    check_id(path, lines.line(k, "id"), "problem.id", pid)
    title = need(raw, "title", str, k, what)
    prompt = need(raw, "prompt", str, k, what).strip()
    program = need(raw, "program", str, k, what)
    try:
        graph = shared(program)
    except GradtutorError as exc:
        raise fail(path, lines.line(k, "program"), "problem.program", exc.render().removeprefix("error: ")) from None

    for table in ("values", "random"):
        if not isinstance(raw.get(table, {}), dict):
            raise fail(
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
            raise fail(
                path,
                where,
                f"problem.values.{name}",
                f"'{name}' is not an input of the program (the inputs are {', '.join(graph.variables)})",
            )
        try:
            values[name] = as_array(name, value)
        except GradtutorError as exc:
            raise fail(path, where, f"problem.values.{name}", exc.message) from None

    randoms: dict[str, RandomSpec] = {}
    for name, spec in (raw.get("random") or {}).items():
        where = lines.line(k, f"random.{name}")
        if name not in graph.variables:
            raise fail(path, where, f"problem.random.{name}", f"'{name}' is not an input of the program")
        if name in values:
            raise fail(path, where, f"problem.random.{name}", f"'{name}' also has a fixed value")
        randoms[name] = random_spec(path, where, name, spec)
    missing = [n for n in graph.variables if n not in values and n not in randoms]
    if missing:
        raise fail(
            path, lines.line(k, "program"), "problem.values", f"no value or random range for {', '.join(missing)}"
        )

    targets = None
    ask = raw.get("ask", "walk")
    if ask != "walk":
        if not isinstance(ask, list) or not ask:
            raise fail(path, lines.line(k, "ask"), "problem.ask", 'should be "walk" or a list of targets')
        targets = [target(path, lines.line(k, "ask"), item, graph) for item in ask]
        asks = [t.ask for t in targets]
        if len(set(asks)) != len(asks):
            twice = next(a for a in asks if asks.count(a) > 1)
            raise fail(
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
            or not all(number(v) and v >= 0 for v in tol.values())
        ):
            raise fail(
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
        if not number(points) or points <= 0:
            raise fail(path, lines.line(k, "points"), "problem.points", "should be a positive (finite) number")
        points = float(points)
    hints = raw.get("hints", [])
    if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
        raise fail(path, lines.line(k, "hints"), "problem.hints", "should be a list of non-empty strings")
    jacobians = raw.get("jacobians", [])
    if (
        not isinstance(jacobians, list)
        or not all(isinstance(j, str) and "/" in j for j in jacobians)
        or (jacobians and targets is not None)
    ):
        raise fail(
            path,
            lines.line(k, "jacobians"),
            "problem.jacobians",
            'a walk\'s local Jacobians to ask as matrices, e.g. ["dh/dz"] (with ask = "walk")',
        )
    problem = Problem(
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
    problem.jacobians = tuple(j.replace(" ", "") for j in jacobians)
    return problem


def load_all(folder: str | None = None) -> list[ProblemSet]:
    """Every set in a folder (the shipped problems by default), in their order."""
    folder = folder or problems_dir()
    sets = [load_set(path) for path in set_paths(folder)]
    ids: dict[str, str] = {}
    for s in sets:
        if s.id in ids:
            raise ProblemFileError(f"{s.path}: id: set '{s.id}' is also defined in {ids[s.id]}")
        ids[s.id] = s.path
    return sorted(sets, key=lambda s: (s.order, s.id))


def set_paths(folder: str) -> list[str]:
    """The set files in a folder: its *.toml files (a folder that happens to be named x.toml is not one)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise ProblemFileError(f"{folder}: cannot list the folder: {exc.strerror or exc}") from None
    paths = [os.path.join(folder, name) for name in names if name.endswith(".toml")]
    return [p for p in paths if not os.path.isdir(p)]


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
