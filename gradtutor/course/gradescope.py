"""Gradescope's results.json, complete, and the metadata of a Gradescope run.

Each question is a test with its score, `status`, `visibility`, Markdown output,
a `number` (problem.question), `tags` (the stable diagnosis codes) and
`extra_data` (what `gradtutor report` reads back). The expected answers of a
problem form a test of their own, worth nothing, shown only as the assignment's
`answers` policy allows (for example after the due date). The top level carries
the summary in `output`, `execution_time` and `stdout_visibility`; the course key
never appears. Spec: https://gradescope-autograders.readthedocs.io/en/latest/specs/
"""

from __future__ import annotations

import json
import math
import os
from typing import Any

from .._version import __version__
from ..errors import ValueInputError
from .assignment import Assignment
from .batch import Graded
from .scoring import code_span


def results_json(graded: Graded, assignment: Assignment) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    by_problem: dict[str, list] = {}
    for r in graded.results:
        by_problem.setdefault(r.problem, []).append(r)
    missing = 0
    for item in assignment.items:
        rows = by_problem.get(item.problem.key, [])
        missing += bool(rows) and all(r.status == "not-submitted" for r in rows)
        for k, r in enumerate(rows, 1):
            tests.append(
                {
                    "name": f"{r.problem}: {r.ask}",
                    "number": f"{item.number}.{k}",
                    "score": round(r.score, 10),
                    "max_score": round(r.max_score, 10),
                    "status": "passed" if r.score >= r.max_score else "failed",
                    "output": r.output,
                    "output_format": "md",
                    "visibility": item.policy.visibility,
                    "tags": list(dict.fromkeys(r.codes)) if r.codes else [],
                    "extra_data": {
                        "problem": r.problem,
                        "ask": r.ask,
                        "kind": r.kind,
                        "status": r.status,
                        "tries": r.tries,
                        "codes": r.codes,
                    },
                }
            )
        shown = [r for r in rows if r.expected and r.status != "not-submitted"]
        if shown and item.policy.answers != "hidden":
            tests.append(
                {
                    "name": f"{item.problem.key}: expected answers",
                    "number": f"{item.number}.{len(rows) + 1}",
                    "score": 0.0,
                    "max_score": 0.0,
                    "status": "passed",
                    "output": "At your variant:\n\n" + "\n".join(f"- {code_span(r.expected, 400)}" for r in shown),
                    "output_format": "md",
                    "visibility": item.policy.answers,
                    "tags": [],
                    "extra_data": {"problem": item.problem.key, "ask": None, "kind": "answers"},
                }
            )
    summary = [f"**{graded.score:g} / {graded.max_score:g}** points on {assignment.title}."]
    if missing:
        summary.append(f"{missing} problem{'s' if missing != 1 else ''} not submitted (0 points each).")
    summary += [f"- {n}" for n in graded.notes]
    return {
        "score": graded.score,
        "max_score": graded.max_score,
        "execution_time": max(1, math.ceil(graded.seconds)),
        "output": "\n".join(summary),
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": assignment.stdout_visibility,
        "tests": tests,
        "extra_data": {
            "student": graded.student,
            "assignment": graded.assignment,
            "submission": os.path.basename(graded.submission),
            "gradtutor": __version__,
            "graded": graded.error is None,
        },
    }


def with_results(
    graded: Graded, assignment: Assignment, dest: str | None = None
) -> tuple[str, str | None, dict[str, Any]]:
    """(the submission's file, its results.json as text, the fields a run's summary needs): what a
    batch worker hands back. The rows become JSON in the process that graded them, and only
    text crosses back: pickling the rows to the parent cost nearly as much as writing them.
    Given `dest`, the worker writes the file itself and hands back no text (a class's results
    are 200 MB: sent to the parent and written there, they were its serial tail)."""
    data = results_json(graded, assignment)
    brief = {
        "score": data["score"],
        "max_score": data["max_score"],
        "student": data["extra_data"]["student"],
        "graded": data["extra_data"]["graded"],
    }
    # No spaces and no cycle check (the rows are fresh dicts): 2.7 ms a submission became 1.7.
    text = json.dumps(data, allow_nan=False, check_circular=False, separators=(",", ":"))
    if dest is None:
        return graded.submission, text, brief
    with open(dest, "w", encoding="utf-8") as handle:
        handle.write(text)
    return graded.submission, None, brief


def error_results(message: str) -> dict[str, Any]:
    """results.json for a run that could not grade at all (the inputs are unusable): the
    student sees that it is not their fault, the instructor sees the message."""
    return {
        "score": 0.0,
        "execution_time": 1,
        "output": f"The autograder could not grade this submission; your instructor has been told.\n\n{message}",
        "output_format": "md",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [],
        "extra_data": {"graded": False, "error": message},
    }


def gradescope_student(root: str) -> tuple[str, list[str]]:
    """(the student id, notes) from Gradescope's submission_metadata.json: users[0].id."""
    path = os.path.join(root, "submission_metadata.json")
    try:
        with open(path, encoding="utf-8") as handle:
            meta = json.load(handle)
    except OSError:
        raise ValueInputError(f"{path}: users: Gradescope's submission metadata is missing") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueInputError(f"{path}:1: users: not valid JSON ({exc})") from None
    users = meta.get("users") if isinstance(meta, dict) else None
    if not isinstance(users, list) or not users or not isinstance(users[0], dict) or "id" not in users[0]:
        raise ValueInputError(f"{path}:1: users: should list the submitting users, each with an id")
    notes = []
    if len(users) > 1:
        notes.append(f"a group submission: graded at the variant of {users[0].get('name') or users[0]['id']}")
    return str(users[0]["id"]), notes


def gradescope_submission(root: str) -> tuple[str | None, list[str]]:
    """(the submission file in ROOT/submission, notes): `submission.json` if there, else the first
    .json or .toml file; None when there is none."""
    folder = os.path.join(root, "submission")
    names = sorted(n for n in os.listdir(folder) if n.endswith((".json", ".toml"))) if os.path.isdir(folder) else []
    if not names:
        return None, []
    chosen = next((n for n in names if n in ("submission.json", "submission.toml")), names[0])
    notes = [f"graded {chosen}; also uploaded, not graded: {', '.join(n for n in names if n != chosen)}"]
    return os.path.join(folder, chosen), notes if len(names) > 1 else []
