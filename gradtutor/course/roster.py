"""Class rosters: the student ids an assignment's handouts are written for.

A roster is a CSV file with a header; the id column is `id` (or `sid`, `student_id`,
`email`, in that order of preference), and a `name` column is used when present.
Mistakes name the file, line and column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass

from ..errors import ValueInputError

ID_COLUMNS = ("id", "sid", "student_id", "student id", "email")


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def read_roster(path: str) -> list[Student]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except OSError as exc:
        raise ValueInputError(f"{path}: roster: cannot read it ({exc.strerror})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueInputError(f"{path}:1: roster: not a UTF-8 CSV file ({exc})") from None
    if not rows:
        raise ValueInputError(f"{path}:1: roster: the file is empty; it needs a header such as id,name")
    header = [h.strip().lower() for h in rows[0]]
    column = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    if column is None:
        raise ValueInputError(
            f"{path}:1: id: no id column (the columns are {', '.join(rows[0]) or 'none'}; "
            f"name one {' or '.join(ID_COLUMNS[:2])})"
        )
    name_col = header.index("name") if "name" in header else None
    students: list[Student] = []
    seen: dict[str, int] = {}
    errors: list[str] = []
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        sid = row[column].strip() if column < len(row) else ""
        if not sid:
            errors.append(f"{path}:{line}: {header[column]}: empty")
            continue
        if "\0" in sid or len(sid) > 200:
            errors.append(f"{path}:{line}: {header[column]}: not a usable id")
            continue
        if sid in seen:
            errors.append(f"{path}:{line}: {header[column]}: {sid!r} is also on line {seen[sid]}")
            continue
        seen[sid] = line
        name = row[name_col].strip() if name_col is not None and name_col < len(row) else ""
        students.append(Student(sid, name))
    if errors:
        raise ValueInputError("\n".join(errors))
    if not students:
        raise ValueInputError(f"{path}:2: {header[column]}: the roster lists no students")
    return students
