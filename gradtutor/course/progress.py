"""Practice progress, kept in SQLite so that nothing answered is ever lost.

Every graded answer is committed the moment it is given (autocommit, WAL,
synchronous=FULL), so killing the process, even with kill -9, loses nothing
already answered. Two terminals practising at once share the file safely: WAL
lets readers and a writer work together, and a busy timeout makes writers
wait their turn. The schema carries a version (PRAGMA user_version) and
migrates forward step by step when an older file is opened.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TextIO

from ..mistakes import RENAMED
from .progress_file import ELSEWHERE, Guarded, ProgressError, explain, prepare_folder, read_only, writable

DB_NAME = "progress.sqlite3"


def _rename_codes_sql() -> str:
    """One UPDATE renaming every pre-stable mistake code inside the comma-separated column
    (each replacement twice, since back-to-back repeats share their comma)."""
    column = "',' || mistakes || ','"
    for old, new in RENAMED.items():
        for _ in range(2):
            column = f"replace({column}, ',{old},', ',{new},')"
    return f"UPDATE answers SET mistakes = trim({column}, ',') WHERE mistakes != ''"


# Each entry moves the schema from version k-1 to k. Never edit an entry once it has
# shipped: add a new one.
MIGRATIONS: list[str] = [
    # 1: attempts at problems, and every answer given in them
    """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        set_id TEXT NOT NULL,
        problem TEXT NOT NULL,              -- 'set/problem'
        seed INTEGER,                       -- the variant (NULL when the values are fixed)
        started_at TEXT NOT NULL,
        finished_at TEXT,
        score REAL,
        max_score REAL NOT NULL
    );
    CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
        ask TEXT NOT NULL,
        kind TEXT NOT NULL,
        given TEXT NOT NULL,
        correct INTEGER NOT NULL,
        try INTEGER NOT NULL,
        status TEXT NOT NULL,               -- first-try, later-try, retry, revealed, skipped
        mistakes TEXT NOT NULL DEFAULT '',  -- comma-separated diagnosis codes
        points REAL NOT NULL DEFAULT 0,
        answered_at TEXT NOT NULL
    );
    """,
    # 2: hints used per answer, and indexes for the progress summary
    """
    ALTER TABLE answers ADD COLUMN hints INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX answers_by_attempt ON answers(attempt_id);
    CREATE INDEX attempts_by_problem ON attempts(problem);
    """,
    # 3: mistakes are stored by their stable codes (gradtutor.mistakes); rename the old ones
    _rename_codes_sql(),
]
SCHEMA_VERSION = len(MIGRATIONS)


def default_path() -> str:
    home = os.environ.get("GRADTUTOR_HOME")
    if home:
        return os.path.join(home, DB_NAME)
    import platformdirs

    return os.path.join(platformdirs.user_data_dir("gradtutor", appauthor=False), DB_NAME)


def _use_wal(conn: sqlite3.Connection, patience: float = 30.0) -> None:
    """Switch a new file to WAL (the mode then stays with the file). When several processes
    create the file at once, the switch can report "locked" without waiting on the busy
    timeout, so wait and retry here."""
    import time

    deadline = time.monotonic() + patience
    delay = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def _now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


class Store:
    """The progress database: open with `Store.open()`, close when done."""

    def __init__(self, conn: Guarded, path: str) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: str | None = None, readonly: bool = False) -> Store:
        """The database, created and migrated as needed. `readonly` (for showing progress) also
        works where gradtutor may not write: the file is read as it is, or taken as empty."""
        path = path or default_path()
        reading_only = readonly and not writable(path)
        prepare_folder(path, create=not reading_only)
        try:
            if reading_only:
                store = cls(Guarded(read_only(path), path), path)
                store.migrate(readonly=path if os.path.exists(path) else None)
                return store
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)  # autocommit: each write is final
            conn.execute("PRAGMA busy_timeout = 30000")
            _use_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise explain(exc, path) from None
        store = cls(Guarded(conn, path), path)
        store.migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self, readonly: str | None = None) -> None:
        if self.version >= SCHEMA_VERSION:
            if self.version > SCHEMA_VERSION:
                raise ProgressError(
                    f"{self.path} was written by a newer gradtutor (its schema is {self.version}; "
                    f"this one reads up to {SCHEMA_VERSION})",
                    hint=f"upgrade gradtutor (pip install --upgrade gradtutor), {ELSEWHERE}",
                )
            return
        if readonly:
            raise ProgressError(
                f"{readonly} needs an upgrade to this gradtutor's schema, and gradtutor may not write it",
                hint=f"check its permissions, {ELSEWHERE}",
            )
        self.conn.execute("BEGIN IMMEDIATE")  # one process migrates; the others wait, then see it done
        try:
            for version in range(self.version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version}")
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # ---- writing, one committed statement at a time
    def start_attempt(self, set_id: str, problem: str, seed: int | None, max_score: float) -> int:
        cur = self.conn.execute(
            "INSERT INTO attempts (set_id, problem, seed, started_at, max_score) VALUES (?, ?, ?, ?, ?)",
            (set_id, problem, seed, _now(), max_score),
        )
        return int(cur.lastrowid)

    def record_answer(
        self,
        attempt: int,
        ask: str,
        kind: str,
        given: str,
        correct: bool,
        try_number: int,
        status: str,
        mistakes: Iterable[str],
        points: float,
        hints: int = 0,
    ) -> None:
        self.conn.execute(
            "INSERT INTO answers (attempt_id, ask, kind, given, correct, try, status, mistakes, points, "
            "answered_at, hints) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (attempt, ask, kind, given, int(correct), try_number, status, ",".join(mistakes), points, _now(), hints),
        )

    def finish_attempt(self, attempt: int, score: float) -> None:
        self.conn.execute("UPDATE attempts SET finished_at = ?, score = ? WHERE id = ?", (_now(), score, attempt))

    def reset(self, set_id: str) -> int:
        cur = self.conn.execute("DELETE FROM attempts WHERE set_id = ?", (set_id,))
        return cur.rowcount

    # ---- reading
    def final_statuses(self, attempt: int) -> dict[str, str]:
        rows = self.conn.execute("SELECT ask, status FROM answers WHERE attempt_id = ? ORDER BY id", (attempt,))
        return dict(rows)

    def problem_states(self, set_id: str) -> dict[str, ProblemState]:
        states: dict[str, ProblemState] = {}
        attempts = self.conn.execute(
            "SELECT id, problem, score, max_score, finished_at FROM attempts WHERE set_id = ? ORDER BY id", (set_id,)
        ).fetchall()
        for attempt, problem, score, max_score, finished in attempts:
            state = states.setdefault(problem, ProblemState(problem))
            state.attempts += 1
            statuses = self.final_statuses(attempt)
            counted = (
                score
                if score is not None
                else self.conn.execute(
                    "SELECT COALESCE(SUM(points), 0) FROM answers WHERE attempt_id = ? AND status != 'retry'",
                    (attempt,),
                ).fetchone()[0]
            )
            state.best = max(state.best, counted)
            state.max_score = max_score
            all_right = bool(statuses) and all(s in ("first-try", "later-try") for s in statuses.values())
            if finished and all_right:
                state.solved = True
            state.last_all_right = bool(finished) and all_right
            state.last_wrong = any(s in ("revealed", "skipped", "retry") for s in statuses.values())
        return states

    def set_summary(self, set_id: str, problem_ids: list[str], max_points: dict[str, float]) -> SetSummary:
        states = self.problem_states(set_id)
        # A question's first row decides: a graded first try (try 1) right or wrong, or a
        # show/skip before any try (try 0), which counts as not right first time.
        first: dict[tuple[int, str], bool] = {}
        for attempt, ask, try_number, correct in self.conn.execute(
            "SELECT a.attempt_id, a.ask, a.try, a.correct FROM answers a JOIN attempts t "
            "ON t.id = a.attempt_id WHERE t.set_id = ? ORDER BY a.id",
            (set_id,),
        ):
            first.setdefault((attempt, ask), try_number == 1 and bool(correct))
        first_try = list(first.values())
        mistakes = Counter()
        for (text,) in self.conn.execute(
            "SELECT a.mistakes FROM answers a JOIN attempts t ON t.id = a.attempt_id "
            "WHERE t.set_id = ? AND a.mistakes != ''",
            (set_id,),
        ):
            mistakes.update(k for k in text.split(",") if k)
        score = sum(states[p].best for p in problem_ids if p in states)
        total = sum(max_points.values())
        solved = sum(1 for p in problem_ids if p in states and states[p].solved)
        return SetSummary(
            set_id,
            len(problem_ids),
            solved,
            score,
            total,
            (sum(first_try) / len(first_try)) if first_try else None,
            mistakes.most_common(3),
            states,
        )

    def streak(self, today: dt.date | None = None) -> int:
        """Days in a row, up to today (or yesterday), with at least one answer."""
        today = today or dt.date.today()
        days = set()
        for (d,) in self.conn.execute("SELECT DISTINCT substr(answered_at, 1, 10) FROM answers"):
            try:
                days.add(dt.date.fromisoformat(d))
            except (TypeError, ValueError):
                continue  # a row edited by hand: it counts for nothing, and nothing fails
        day = today if today in days else today - dt.timedelta(days=1)
        count = 0
        while day in days:
            count += 1
            day -= dt.timedelta(days=1)
        return count

    def export_csv(self, out: TextIO) -> int:
        writer = csv.writer(out)
        writer.writerow(
            [
                "answered_at",
                "set",
                "problem",
                "seed",
                "attempt",
                "question",
                "kind",
                "try",
                "answer",
                "correct",
                "status",
                "mistakes",
                "points",
                "hints",
            ]
        )
        rows = self.conn.execute(
            "SELECT a.answered_at, t.set_id, t.problem, t.seed, t.id, a.ask, a.kind, a.try, a.given, a.correct, "
            "a.status, a.mistakes, a.points, a.hints FROM answers a JOIN attempts t ON t.id = a.attempt_id "
            "ORDER BY a.id"
        ).fetchall()
        writer.writerows(rows)
        return len(rows)


@dataclass
class ProblemState:
    key: str
    attempts: int = 0
    best: float = 0.0
    max_score: float = 0.0
    solved: bool = False
    last_all_right: bool = False
    last_wrong: bool = False


@dataclass
class SetSummary:
    set_id: str
    problems: int
    solved: int
    score: float
    max_score: float
    first_try_rate: float | None
    top_mistakes: list[tuple[str, int]]
    states: dict[str, ProblemState]
