"""A progress database gradtutor cannot use is a message with what to do, never exit 3,
and the student's file is never replaced or changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile

import pytest
from conftest import GRADTUTOR


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def answered(run, home) -> None:
    result = run("practice", "chain-rule/add-then-multiply", input="z\nq\n")
    assert result.exit_code == 0
    assert (home / "progress.sqlite3").exists()


def test_a_file_that_is_not_a_database_is_left_alone(run, home):
    path = home / "progress.sqlite3"
    path.write_bytes(b"my notes, not a database " * 100)
    before = digest(path)
    for args in (["progress"], ["practice"], ["practice", "chain-rule/add-then-multiply"]):
        result = run(*args, input="z\n")
        assert result.exit_code == 2 and "is not a gradtutor progress database" in result.stderr
        assert "move it away" in result.stderr
    assert digest(path) == before


def test_a_database_from_a_newer_gradtutor(run, home):
    answered(run, home)
    with sqlite3.connect(home / "progress.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 99")
    before = digest(home / "progress.sqlite3")
    result = run("progress")
    assert result.exit_code == 2 and "newer gradtutor" in result.stderr and "upgrade" in result.stderr
    assert digest(home / "progress.sqlite3") == before


def test_a_row_with_a_bad_timestamp_counts_for_nothing(run, home):
    answered(run, home)
    with sqlite3.connect(home / "progress.sqlite3") as conn:
        conn.execute("UPDATE answers SET answered_at = 'yesterday-ish'")
    result = run("progress")
    assert result.exit_code == 0 and "streak 0 days" in result.stdout


def test_a_home_that_is_a_file_and_a_database_that_is_a_folder(run, home, monkeypatch):
    (home / "file").write_text("x")
    monkeypatch.setenv("GRADTUTOR_HOME", str(home / "file"))
    result = run("progress")
    assert result.exit_code == 2 and "but that is a file" in result.stderr
    monkeypatch.setenv("GRADTUTOR_HOME", str(home / "h"))
    (home / "h" / "progress.sqlite3").mkdir(parents=True)
    result = run("practice", "chain-rule/add-then-multiply", input="z\n")
    assert result.exit_code == 2 and "is a folder" in result.stderr


def _as_nobody() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] if setpriv else None


@pytest.mark.slow
def test_a_read_only_home_still_shows_progress():
    """`progress` reads a read-only database; practice says it cannot save, before any question."""
    prefix = _as_nobody()
    if prefix is None:
        pytest.skip("needs a user that file permissions apply to")
    home = tempfile.mkdtemp(prefix="gradtutor-readonly-")  # outside pytest's private (0700) folders
    env = dict(os.environ, GRADTUTOR_HOME=home)
    first = subprocess.run(
        [*GRADTUTOR, "practice", "chain-rule/add-then-multiply"], env=env, input=b"z\nq\n", capture_output=True
    )
    assert first.returncode == 0
    os.chmod(os.path.join(home, "progress.sqlite3"), 0o444)
    os.chmod(home, 0o555)
    try:
        shown = subprocess.run([*prefix, *GRADTUTOR, "progress"], env=env, capture_output=True, text=True)
        assert shown.returncode == 0, shown.stderr
        assert "streak 1 day" in shown.stdout
        practice = subprocess.run(
            [*prefix, *GRADTUTOR, "practice", "chain-rule/add-then-multiply"],
            env=env,
            input="z\n",
            capture_output=True,
            text=True,
        )
        assert practice.returncode == 2 and "cannot save progress" in practice.stderr
        assert "permissions" in practice.stderr
    finally:
        os.chmod(home, 0o755)
        shutil.rmtree(home)
