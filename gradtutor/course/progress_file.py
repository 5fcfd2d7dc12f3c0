"""Opening the progress database, and every way that can fail, as a message with what to do.

The file is the student's record of every answer, so nothing here ever replaces or
"repairs" it: a file that is not a database, one written by a newer gradtutor, or one
gradtutor may not write is left as it is, and the message says what to do instead (move
it away, upgrade, fix the permissions, or point GRADTUTOR_HOME elsewhere). Reading needs
no write access: `gradtutor progress` in a read-only home opens the file read-only, and
shows an empty record when there is no file yet.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Any
from urllib.parse import quote

from ..errors import GradtutorError

ELSEWHERE = "or set GRADTUTOR_HOME to another folder"


class ProgressError(GradtutorError):
    """The progress database cannot be opened, read or written: exit 2 with what to do."""


def explain(exc: sqlite3.Error, path: str) -> ProgressError:
    """An sqlite error on the progress database as a message a student can act on."""
    text = str(exc).lower()
    if "not a database" in text or "malformed" in text:
        return ProgressError(
            f"{path} is not a gradtutor progress database, or it is damaged",
            hint=f"gradtutor leaves it untouched: move it away to start a fresh record, {ELSEWHERE}",
        )
    if "readonly" in text or "read-only" in text or "permission" in text or "unable to open" in text:
        return ProgressError(
            f"cannot save progress in {path}: gradtutor may not write there",
            hint=f"check the permissions of the file and its folder, {ELSEWHERE}",
        )
    if "disk" in text or "full" in text:
        return ProgressError(f"cannot save progress in {path}: {exc}", hint="free some disk space, " + ELSEWHERE)
    return ProgressError(f"the progress database {path} cannot be used: {exc}", hint=ELSEWHERE)


class Guarded:
    """The connection, with sqlite's errors turned into ProgressErrors (so exit 2, not 3)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        try:
            return self.conn.execute(sql, params)
        except sqlite3.DatabaseError as exc:
            raise explain(exc, self.path) from None

    def close(self) -> None:
        self.conn.close()


def prepare_folder(path: str, create: bool = True) -> None:
    """The database is not a folder and its folder is not a file; with `create`, the folder exists."""
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise ProgressError(f"the progress database {path} is a folder", hint=f"move the folder away, {ELSEWHERE}")
    if os.path.exists(folder) and not os.path.isdir(folder):
        raise ProgressError(
            f"progress is kept in the folder {folder}, but that is a file", hint=f"move the file away, {ELSEWHERE}"
        )
    if not create:
        return
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as exc:
        raise ProgressError(
            f"cannot create the folder {folder} for your progress: {exc.strerror or exc}",
            hint=f"check the permissions of its parent folder, {ELSEWHERE}",
        ) from None


def writable(path: str) -> bool:
    """Whether the database can be written: the file if it exists, else its folder."""
    if os.path.exists(path):
        return os.access(path, os.W_OK) and os.access(os.path.dirname(os.path.abspath(path)), os.W_OK)
    return os.access(os.path.dirname(os.path.abspath(path)), os.W_OK | os.X_OK)


def read_only(path: str) -> sqlite3.Connection:
    """The database opened for reading only; an empty in-memory one when there is no file yet."""
    if not os.path.exists(path):
        return sqlite3.connect(":memory:", isolation_level=None)
    uri = "file:" + quote(os.path.abspath(path))
    conn = sqlite3.connect(uri + "?mode=ro", uri=True, isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # a WAL file in a folder we may not write has no -shm to share: nobody can write
        # it either, so reading it as an unchanging file is safe
        conn.close()
        return sqlite3.connect(uri + "?immutable=1", uri=True, isolation_level=None)
