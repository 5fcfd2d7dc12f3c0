"""A variant for each student: seeds that the course key fixes and nobody can choose.

A student's seed for a problem is HMAC-SHA256(course key, student id + problem key),
so the grader recomputes it from the student id alone and any seed a submission
states is ignored: students can neither pick an easy variant nor share one. The key
comes from a file or from $GRADTUTOR_COURSE_KEY and is never written into results.
Student ids also name output files, so `safe_name` makes any id (with `/`, `..`,
NUL) a single harmless file name.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

from ..errors import ValueInputError

KEY_ENV = "GRADTUTOR_COURSE_KEY"
SEED_SPACE = 10**6  # seeds stay short enough to read out in a handout


def read_key(path: str | None = None) -> bytes | None:
    """The course key from `path`, else from $GRADTUTOR_COURSE_KEY, else None."""
    if path is not None:
        try:
            with open(path, "rb") as handle:
                key = handle.read().strip()
        except OSError as exc:
            raise ValueInputError(f"{path}: key: cannot read the course key ({exc.strerror})") from None
        if len(key) < 8:
            raise ValueInputError(f"{path}:1: key: a course key needs at least 8 characters (it has {len(key)})")
        return key
    text = os.environ.get(KEY_ENV, "").strip()
    if not text:
        return None
    if len(text) < 8:
        raise ValueInputError(f"${KEY_ENV}: key: a course key needs at least 8 characters")
    return text.encode()


def new_key() -> str:
    """A fresh course key: 32 random bytes as hex."""
    import secrets

    return secrets.token_hex(32)


def student_seed(key: bytes, student: str, problem_key: str) -> int:
    """The student's variant of one problem. The NUL between the two parts keeps ('ab', 'c/d')
    and ('a', 'bc/d') apart."""
    digest = hmac.new(key, f"{student}\0{problem_key}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % SEED_SPACE


def class_seed(key: bytes, problem_key: str) -> int:
    """The seed of the further points at which a formula answer is checked (exercise.py), for a
    whole class: evaluated once per problem rather than once per student, and, drawn with the
    course key, as unknown to the students as their variants. (A student id that began with
    two NULs could share it, and would gain nothing.)"""
    return student_seed(key, "\0\0further points", problem_key)


_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def safe_name(student: str) -> str:
    """A file name for a student id that cannot leave its folder: anything but letters, digits
    and `._@+-` becomes `_`, no leading dot, and an id that had to change gets a short hash of
    the original so that two ids never share a name."""
    name = _UNSAFE.sub("_", student).lstrip(".")[:80]
    if name != student or not name:
        name = f"{name or 'student'}-{hashlib.sha256(student.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    return name


def inside(folder: str, name: str) -> str:
    """folder/name, refusing (ValueInputError) anything that would resolve outside `folder`."""
    root = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(root, name))
    if os.path.commonpath([root, path]) != root or path == root:
        raise ValueInputError(f"{name!r} would be written outside {folder}")
    return path
