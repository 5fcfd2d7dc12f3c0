"""Practising a set end to end in a real terminal, and watching its progress bar move."""

from __future__ import annotations

import os

import pexpect
import pytest
from conftest import GRADTUTOR

SETS = os.path.join(os.path.dirname(__file__), "data", "sets")


@pytest.mark.slow
def test_practise_a_set_and_see_the_progress_bar_move(home):
    env = dict(os.environ, GRADTUTOR_HOME=str(home), NO_COLOR="1", TERM="dumb")
    run = lambda *args: pexpect.spawn(
        GRADTUTOR[0],
        GRADTUTOR[1:] + list(args),
        env=env,  # noqa: E731
        encoding="utf-8",
        timeout=30,
        dimensions=(60, 120),
    )
    listing = run("practice", "--sets", SETS)
    listing.expect_exact("░░░░░░░░░░░░░░░░░░░░")  # nothing solved yet
    listing.expect_exact("0/3")
    listing.expect(pexpect.EOF)

    child = run("practice", "mini", "--sets", SETS)
    child.expect_exact("One add gate")
    for prompt, answer in [("df/dx = ", "1"), ("df/dy = ", "1")]:
        child.expect_exact(prompt)
        child.sendline(answer)
        child.expect_exact("✔ correct")
    child.expect_exact("mini ████████░░░░░░░░░░░░░░░░ 1/3 solved")
    child.expect_exact("next problem? [Y/n]")
    child.sendline("y")
    child.expect_exact("One multiply gate")
    child.expect_exact("df/dx = ")
    child.sendline("hint")
    child.expect_exact("mul gate (swaps)")
    child.expect_exact("df/dx = ")
    child.sendline("y")  # a formula: the other input
    child.expect_exact("✔ correct")
    child.expect_exact("df/dy = ")
    child.sendline("x")
    child.expect_exact("2/3 solved")
    child.expect_exact("next problem? [Y/n]")
    child.sendline("n")
    child.expect(pexpect.EOF)

    listing = run("practice", "--sets", SETS)
    listing.expect_exact("█████████████░░░░░░░")
    listing.expect_exact("2/3")
    listing.expect(pexpect.EOF)
