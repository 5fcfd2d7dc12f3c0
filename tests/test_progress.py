"""Progress in SQLite: survives processes, kill -9 and concurrent writers; migrates forward."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pexpect
import pytest
from conftest import GRADTUTOR

from gradtutor.course.progress import MIGRATIONS, SCHEMA_VERSION, Store

SETS = os.path.join(os.path.dirname(__file__), "data", "sets")


def gradtutor(home, *args, input=None):
    env = dict(os.environ, GRADTUTOR_HOME=str(home), NO_COLOR="1")
    return subprocess.run(GRADTUTOR + list(args), input=input, capture_output=True, text=True, env=env)


def answers_in(home) -> list[tuple]:
    with sqlite3.connect(os.path.join(home, "progress.sqlite3")) as conn:
        return conn.execute(
            "SELECT a.ask, a.given, a.correct, t.problem FROM answers a "
            "JOIN attempts t ON t.id = a.attempt_id ORDER BY a.id"
        ).fetchall()


@pytest.mark.slow
def test_progress_survives_across_processes(home):
    out = gradtutor(home, "practice", "mini/add", "--sets", SETS, input="1\n1\n")
    assert out.returncode == 0, out.stderr
    shown = gradtutor(home, "progress", "--sets", SETS)
    assert "mini" in shown.stdout and "1/3" in shown.stdout and "100%" in shown.stdout
    csv = gradtutor(home, "progress", "--export", "csv", "--sets", SETS).stdout.splitlines()
    assert csv[0].startswith("answered_at,set,problem,seed")
    assert [row.split(",")[5] for row in csv[1:]] == ["df/dx", "df/dy"]


@pytest.mark.slow
def test_a_killed_process_loses_nothing_already_answered(home):
    env = dict(os.environ, GRADTUTOR_HOME=str(home), NO_COLOR="1", TERM="dumb")
    child = pexpect.spawn(
        GRADTUTOR[0],
        GRADTUTOR[1:] + ["practice", "mini", "--sets", SETS],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 110),
    )
    child.expect_exact("df/dx = ")
    child.sendline("1")
    child.expect_exact("✔ correct")
    child.expect_exact("df/dy = ")
    child.sendline("7")  # wrong: recorded as a try
    child.expect_exact("try again")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    rows = answers_in(home)
    assert rows == [("df/dx", "1", 1, "mini/add"), ("df/dy", "7", 0, "mini/add")]
    with Store.open(os.path.join(home, "progress.sqlite3")) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        state = store.problem_states("mini")["mini/add"]
        assert not state.solved  # the attempt never finished


@pytest.mark.slow
def test_concurrent_writers_do_not_corrupt_the_file(home):
    script = textwrap.dedent(f"""
        import sys
        from gradtutor.course.progress import Store
        with Store.open({os.path.join(home, "progress.sqlite3")!r}) as store:
            attempt = store.start_attempt("mini", "mini/add", None, 2.0)
            for k in range(150):
                store.record_answer(attempt, f"q{{k}}", "local", str(k), k % 2 == 0, 1, "first-try", [], 1.0)
            store.finish_attempt(attempt, 150.0)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", script]) for _ in range(6)]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    with Store.open(os.path.join(home, "progress.sqlite3")) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == 6 * 150
        assert store.conn.execute("SELECT COUNT(*) FROM attempts WHERE finished_at IS NOT NULL").fetchone()[0] == 6
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_an_old_schema_migrates_forward_keeping_its_data(home):
    path = os.path.join(home, "progress.sqlite3")
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO attempts (set_id, problem, seed, started_at, max_score) "
        "VALUES ('mini', 'mini/add', NULL, '2026-01-01T10:00:00', 2)"
    )
    conn.execute(
        "INSERT INTO answers (attempt_id, ask, kind, given, correct, try, status, answered_at) "
        "VALUES (1, 'df/dx', 'local', '1', 1, 1, 'first-try', '2026-01-01T10:00:05')"
    )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        assert store.version == SCHEMA_VERSION == 3
        assert store.conn.execute("SELECT ask, hints FROM answers").fetchall() == [("df/dx", 0)]


def test_version_2_mistakes_are_renamed_to_their_stable_codes(home):
    path = os.path.join(home, "progress.sqlite3")
    conn = sqlite3.connect(path)
    for migration in MIGRATIONS[:2]:
        conn.executescript(migration)
    conn.execute("PRAGMA user_version = 2")
    conn.execute(
        "INSERT INTO attempts (set_id, problem, seed, started_at, max_score) "
        "VALUES ('mini', 'mini/add', NULL, '2026-01-01T10:00:00', 2)"
    )
    old = ["local-only,local-only,swap", "routing", "", "distribute,sign,only-here,upstream-only"]
    for k, mistakes in enumerate(old):
        conn.execute(
            "INSERT INTO answers (attempt_id, ask, kind, given, correct, try, status, answered_at, mistakes) "
            f"VALUES (1, 'q{k}', 'local', '1', 0, 1, 'retry', '2026-01-01T10:00:05', ?)",
            (mistakes,),
        )
    conn.commit()
    conn.close()
    with Store.open(path) as store:
        rows = [r[0] for r in store.conn.execute("SELECT mistakes FROM answers ORDER BY id")]
    assert rows == ["forgot-upstream,forgot-upstream,swap", "route", "", "split,sign,only-at-this-point,forgot-local"]


def test_reset_asks_first(home, run):
    gradtutor(home, "practice", "mini/add", "--sets", SETS, input="1\n1\n")
    kept = run("progress", "--reset", "mini", "--sets", SETS, input="n\n")
    assert "nothing deleted" in kept.stdout and len(answers_in(home)) == 2
    gone = run("progress", "--reset", "mini", "--sets", SETS, input="y\n")
    assert "deleted 1 attempt" in gone.stdout and answers_in(home) == []


def test_summary_counts_first_tries_mistakes_and_streak(home):
    gradtutor(home, "practice", "mini/mul", "--sets", SETS, input="2\n3\n2\n")  # df/dx swapped first
    with Store.open(os.path.join(home, "progress.sqlite3")) as store:
        summary = store.set_summary("mini", ["mini/add", "mini/mul", "mini/norm"], {})
        assert summary.solved == 1
        assert summary.first_try_rate == 0.5  # df/dx wrong first, df/dy right
        assert summary.top_mistakes == [("swap", 1)]
        assert store.streak() == 1


@pytest.mark.slow
def test_review_repeats_problems_answered_wrong(home):
    gradtutor(home, "practice", "mini/add", "--sets", SETS, input="show\n1\n")
    gradtutor(home, "practice", "mini/mul", "--sets", SETS, input="3\n2\n")
    review = gradtutor(home, "practice", "mini", "--review", "--sets", SETS, input="quit\n")
    assert "One add gate" in review.stdout and "One multiply gate" not in review.stdout
    nothing = gradtutor(home, "practice", "mini", "--review", "--sets", SETS, input="1\n1\n")
    again = gradtutor(home, "practice", "mini", "--review", "--sets", SETS, input="")
    assert "nothing to review" in again.stdout, nothing.stdout
