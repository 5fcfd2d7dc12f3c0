"""Practising a code problem: the starter is written once, watch mode redraws on every save,
hints unlock one at a time, and the solved problem shows in the progress store."""

from __future__ import annotations

import os
import time

import pexpect
import pytest
from code_helpers import problem
from conftest import GRADTUTOR

from gradtutor.course.code.practice import write_starter
from gradtutor.course.progress import Store


def read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def test_the_starter_never_overwrites_the_students_file(tmp_path):
    p = problem("code/affine-layer")
    path, created = write_starter(p, str(tmp_path))
    assert created and read(path).startswith('"""A fully connected layer')
    with open(path, "w") as handle:
        handle.write("# my work\n")
    assert write_starter(p, str(tmp_path)) == (path, False)
    assert read(path) == "# my work\n"


@pytest.mark.slow
def test_watch_mode_redraws_the_table_when_the_file_changes(tmp_path):
    env = dict(os.environ, GRADTUTOR_HOME=str(tmp_path / "home"), NO_COLOR="1", TERM="dumb")
    work = tmp_path / "work"
    child = pexpect.spawn(
        GRADTUTOR[0],
        [*GRADTUTOR[1:], "practice", "code/branch-flat", "--dir", str(work)],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(100, 400),
    )
    child.expect_exact("wrote the starter")
    child.expect_exact("grad_y is never set in f()")
    child.expect_exact("type hint, check or quit")
    child.sendline("hint")
    child.expect_exact("hint 1: y reaches f through a and through s")

    source = problem("code/branch-flat").code.solution
    target = work / "branch_flat.py"
    time.sleep(0.3)
    target.write_text(source.replace("grad_y += grad_a * x", "grad_y = grad_a * x"))
    child.expect_exact("check 2")
    child.expect_exact("missed a branch")
    child.expect_exact("✘ 1 wrong; start with line")

    time.sleep(0.3)
    target.write_text(source)
    child.expect_exact("check 3")
    child.expect_exact("✔ all")
    child.expect_exact("code/branch-flat solved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    with Store.open(str(tmp_path / "home" / "progress.sqlite3")) as store:
        state = store.problem_states("code")["code/branch-flat"]
        assert state.solved
        rows = store.conn.execute("SELECT correct, mistakes, hints FROM answers ORDER BY id").fetchall()
    assert rows == [(0, "missing", 0), (0, "missed-branch", 1), (1, "", 1)]
