"""Writing an assignment out for a class: a handout per student and the answer key.

Each student's variants come from the course key (course/variants.py), the same
seeds the grader recomputes, so the handout a student works from is the one they
are graded on. Files are named by `safe_name`, so no id can write outside the folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from ..language.numbers import fmt_value
from .assignment import Assignment
from .exercise import Exercise, exercise
from .roster import Student
from .variants import inside, safe_name, student_seed

Writer = Callable[[Assignment, str, list[Exercise]], str]


def student_exercises(assignment: Assignment, student: str, key: bytes | None) -> list[Exercise]:
    out = []
    for item in assignment.items:
        p = item.problem
        seed = student_seed(key, student, p.key) if p.has_random and key is not None else (0 if p.has_random else None)
        out.append(exercise(p, seed))
    return out


def write_assignment(
    assignment: Assignment,
    students: list[Student],
    key: bytes | None,
    out: str,
    writers: dict[str, Writer],
    on_student: Callable[[int], None] | None = None,
) -> dict[str, str]:
    """Write OUT/handouts/<id>.md|.tex, OUT/key/<id>.md and OUT/answer-key.json; returns id -> file stem."""
    for sub in ("handouts", "key"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    stems: dict[str, str] = {}
    answers: dict[str, dict] = {}
    for k, student in enumerate(students):
        stem = safe_name(student.id)
        stems[student.id] = stem
        exercises = student_exercises(assignment, student.id, key)
        for suffix, write in writers.items():
            folder = "key" if suffix == "key.md" else "handouts"
            name = f"{stem}.md" if suffix == "key.md" else f"{stem}.{suffix}"
            with open(inside(os.path.join(out, folder), name), "w", encoding="utf-8") as handle:
                handle.write(write(assignment, student.id, exercises))
        answers[student.id] = {
            ex.problem.key: {
                "seed": ex.seed,
                "answers": {q.ask: fmt_value(q.answer) for q in ex.questions},
            }
            for ex in exercises
        }
        if on_student:
            on_student(k + 1)
    with open(os.path.join(out, "answer-key.json"), "w", encoding="utf-8") as handle:
        json.dump({"assignment": assignment.id, "students": answers}, handle, indent=1)
    return stems
