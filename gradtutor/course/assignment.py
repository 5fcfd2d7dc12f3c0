"""Assignments: which problems a graded piece of work holds, their points and their policies.

An assignment file (TOML) names problems by their "SET/PROBLEM" key with the points each
is worth, and the policies that decide how answers become points and what a student
sees. `max_score` is the assignment's, never what a submission happened to contain: a
problem left out scores 0 ("not submitted"). Without a file, every problem of the sets
is the assignment (`whole_sets`). Mistakes name the file, line and field, all of them
in one go, so an instructor fixes a file in one pass.

    id = "hw1"
    title = "Homework 1: the chain rule"
    sets = "../problems"          # optional: problem sets, relative to this file
    variants = "student"          # "student": seeds from the course key; "stated": the submission's

    [policy]                      # defaults for every problem; each [[problem]] may override
    credit = "question"           # or "problem": all or nothing
    per_entry = false             # matrix answers earn credit entry by entry
    retry_penalty = 0.0           # share of a question's worth lost per extra try
    answers = "after_due_date"    # when the expected answers show: hidden, after_due_date, ...
    visibility = "visible"        # Gradescope visibility of the tests

    [[problem]]
    key = "chain-rule/add-then-multiply"
    points = 3
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import suggest
from .problem import Problem, ProblemFileError, ProblemSet
from .problems import load_all
from .setfile import Lines as _Lines
from .setfile import read_toml as _toml

VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
CREDITS = ("question", "problem")
VARIANTS = ("student", "stated")


@dataclass(frozen=True)
class Policy:
    credit: str = "question"
    per_entry: bool = False
    retry_penalty: float = 0.0
    answers: str = "after_due_date"
    visibility: str = "visible"


POLICY_FIELDS = tuple(Policy.__dataclass_fields__)


@dataclass
class Item:
    """One problem of the assignment, with its worth and policy."""

    problem: Problem
    points: float
    policy: Policy
    number: int  # 1, 2, ... in the assignment's order (Gradescope's test numbers start here)


@dataclass
class Assignment:
    id: str
    title: str
    items: list[Item]
    variants: str = "stated"
    path: str = ""
    sets: list[ProblemSet] = field(default_factory=list)
    stdout_visibility: str = "hidden"

    @property
    def max_score(self) -> float:
        return round(sum(i.points for i in self.items), 10)

    @property
    def keys(self) -> list[str]:
        return [i.problem.key for i in self.items]

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.problem.key == key), None)


def default_points(problem: Problem) -> float:
    """A problem's own worth: its `points`, or one point per question."""
    if problem.points is not None:
        return problem.points
    if problem.kind == "code":
        return 1.0
    from .exercise import exercise

    return float(len(exercise(problem, 0, explain=False).questions))


def whole_sets(sets: list[ProblemSet], policy: Policy | None = None) -> Assignment:
    """Every problem of the sets, each at its own worth: `grade` without an assignment file."""
    problems = [p for s in sets for p in s.problems]
    items = [Item(p, default_points(p), policy or Policy(), k) for k, p in enumerate(problems, 1)]
    return Assignment("all", "every problem of the sets", items, "stated", "", sets)


_TOP = {"format", "id", "title", "sets", "variants", "policy", "problem", "stdout_visibility"}
_ITEM = {"key", "points", *POLICY_FIELDS}


def load_assignment(path: str, sets_dir: str | None = None) -> Assignment:
    """Read an assignment file; one ProblemFileError lists every mistake as file:line: field: what."""
    if not os.path.isfile(path):
        raise ProblemFileError(f"{path}: the assignment file does not exist")
    try:
        data, text = _toml(path)
    except UnicodeDecodeError:
        raise ProblemFileError(f"{path}:1: assignment: not UTF-8 text") from None
    lines = _Lines(text)
    errors: list[str] = []

    def fail(owner: int, key: str, message: str, name: str | None = None) -> None:
        errors.append(f"{path}:{lines.line(owner, key) or 1}: {name or key}: {message}")

    def unknown(table: dict, known: set[str], owner: int, prefix: str) -> None:
        for key in table:
            if key not in known:
                hint = suggest(key, known)
                fail(
                    owner, key, f"unknown field ({hint or 'the fields are ' + ', '.join(sorted(known))})", prefix + key
                )

    unknown(data, _TOP, -1, "")
    if data.get("format", 1) != 1:
        fail(-1, "format", f"this gradtutor reads assignment format 1, the file says {data.get('format')!r}")
    aid = data.get("id")
    if not isinstance(aid, str) or not aid.strip():
        fail(-1, "id", "is missing" if aid is None else "should be a non-empty string")
    title = data.get("title", aid if isinstance(aid, str) else "")
    variants = data.get("variants", "student")
    if variants not in VARIANTS:
        fail(-1, "variants", f"should be one of {', '.join(VARIANTS)}, got {variants!r}")
    stdout_vis = data.get("stdout_visibility", "hidden")
    if stdout_vis not in VISIBILITIES:
        fail(-1, "stdout_visibility", f"should be one of {', '.join(VISIBILITIES)}, got {stdout_vis!r}")
    base = _policy(data.get("policy", {}), Policy(), lambda key, msg: fail(-1, f"policy.{key}", msg), True)

    folder = sets_dir
    if folder is None and isinstance(data.get("sets"), str):
        folder = os.path.join(os.path.dirname(os.path.abspath(path)), data["sets"])
        if not os.path.isdir(folder):
            fail(-1, "sets", f"there is no folder {data['sets']!r} next to the assignment")
            folder = None
    sets = load_all(folder)
    problems = {p.key: p for s in sets for p in s.problems}

    raw_items = data.get("problem")
    if not isinstance(raw_items, list) or not raw_items:
        fail(-1, "problem", 'an assignment needs at least one [[problem]] with a key = "SET/PROBLEM"')
        raw_items = []
    items: list[Item] = []
    seen: set[str] = set()
    for k, raw in enumerate(raw_items):
        if not isinstance(raw, dict):
            continue
        unknown(raw, _ITEM, k, "problem.")
        key = raw.get("key")
        problem = problems.get(key) if isinstance(key, str) else None
        if key is None:
            fail(k, "@", "is missing", "problem.key")
        elif problem is None:
            hint = suggest(str(key), problems) or "keys are SET/PROBLEM, as gradtutor problems list shows them"
            fail(k, "key", f"there is no problem {key!r} ({hint})", "problem.key")
        elif key in seen:
            fail(k, "key", f"{key!r} is in the assignment twice", "problem.key")
        seen.add(str(key))
        points = raw.get("points")
        if points is not None and (not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0):
            fail(k, "points", "should be a positive number", "problem.points")
            points = None
        overrides = {f: raw[f] for f in POLICY_FIELDS if f in raw}
        policy = _policy(overrides, base, lambda f, msg, k=k: fail(k, f, msg, f"problem.{f}"), False)
        if problem is not None:
            worth = float(points) if points is not None else default_points(problem)
            items.append(Item(problem, worth, policy, len(items) + 1))
    if errors:
        raise ProblemFileError("\n".join(errors))
    return Assignment(aid, str(title), items, variants, path, sets, stdout_vis)


def _policy(raw: Any, base: Policy, fail, check_unknown: bool) -> Policy:
    """The policy table read over `base`; each bad field is reported through `fail`."""
    if not isinstance(raw, dict):
        fail("", "should be a table of policies")
        return base
    if check_unknown:
        for key in raw:
            if key not in POLICY_FIELDS:
                hint = suggest(key, POLICY_FIELDS)
                fail(key, f"unknown policy ({hint or 'the policies are ' + ', '.join(POLICY_FIELDS)})")
    changes: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "credit" and value not in CREDITS:
            fail(name, f"should be one of {', '.join(CREDITS)}, got {value!r}")
        elif name in ("answers", "visibility") and value not in VISIBILITIES:
            fail(name, f"should be one of {', '.join(VISIBILITIES)}, got {value!r}")
        elif name == "per_entry" and not isinstance(value, bool):
            fail(name, f"should be true or false, got {value!r}")
        elif name == "retry_penalty" and (
            not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1
        ):
            fail(name, f"should be a number from 0 to 1, got {value!r}")
        elif name in POLICY_FIELDS:
            changes[name] = float(value) if name == "retry_penalty" else value
    return replace(base, **changes)
