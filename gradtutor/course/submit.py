"""A student's work, exported from their progress database as a submission.

Nobody writes submission keys such as "df/da * da/dy" by hand: for each problem
of the assignment this takes the student's latest attempt (at their own variant,
when the assignment gives each student one), and for each question the last
answer typed and how many tries it took. `gradtutor grade` reads the file back.
"""

from __future__ import annotations

from typing import Any

from .assignment import Assignment
from .progress import Store
from .variants import student_seed

FORMAT = 1


def export(store: Store, assignment: Assignment, student: str | None, key: bytes | None) -> tuple[dict, list[str]]:
    """(the submission, notes on what is missing)."""
    answers: dict[str, Any] = {}
    notes: list[str] = []
    for item in assignment.items:
        problem = item.problem
        want = None
        if problem.has_random and assignment.variants == "student" and key is not None and student:
            want = student_seed(key, student, problem.key)
        attempt = _latest(store, problem.key, want, problem.has_random)
        if attempt is None:
            where = f" at your variant (practice {problem.key} --student {student})" if want is not None else ""
            notes.append(f"{problem.key}: no attempt{where}; not included")
            continue
        attempt_id, seed = attempt
        table: dict[str, Any] = {"seed": seed} if problem.has_random else {}
        for ask, given, tries in _final_answers(store, attempt_id):
            table[ask] = {"answer": given, "tries": tries}
        if len(table) <= (1 if problem.has_random else 0):
            notes.append(f"{problem.key}: the latest attempt has no answers yet; not included")
            continue
        answers[problem.key] = table
    data = {"gradtutor": FORMAT, "assignment": assignment.id, **({"student": student} if student else {})}
    return {**data, "answers": answers}, notes


def _latest(store: Store, key: str, seed: int | None, random: bool) -> tuple[int, int | None] | None:
    if seed is not None:
        sql, args = "SELECT id, seed FROM attempts WHERE problem = ? AND seed = ? ORDER BY id DESC LIMIT 1", (key, seed)
    else:
        sql, args = "SELECT id, seed FROM attempts WHERE problem = ? ORDER BY id DESC LIMIT 1", (key,)
    row = store.conn.execute(sql, args).fetchone()
    return None if row is None else (int(row[0]), row[1] if random else None)


def _final_answers(store: Store, attempt: int) -> list[tuple[str, str, int]]:
    """(question, the last answer typed, tries) in the order asked; shown or skipped questions
    without a typed answer are left out."""
    rows = store.conn.execute(
        "SELECT ask, given, try FROM answers WHERE attempt_id = ? AND try > 0 AND given != '' ORDER BY id",
        (attempt,),
    ).fetchall()
    final: dict[str, tuple[str, int]] = {}
    for ask, given, tries in rows:
        final[ask] = (given, max(tries, final.get(ask, ("", 0))[1]))
    return [(ask, given, tries) for ask, (given, tries) in final.items()]
