"""`gradtutor solve` driven in a real pseudo-terminal, the way a student uses it."""

from __future__ import annotations

import os
import signal

import pexpect
import pytest
from conftest import GRADTUTOR

TIMEOUT = 30


def spawn(*args: str, sigint: object = signal.SIG_DFL) -> pexpect.spawn:
    """gradtutor solve in a pty; `sigint` is the SIGINT disposition it inherits (as from a shell
    that ran it in the background, which ignores it), so no test depends on the caller's."""
    env = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="110", LINES="60")
    child = pexpect.spawn(
        GRADTUTOR[0],
        GRADTUTOR[1:] + ["solve", *args],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(60, 110),
        preexec_fn=lambda: signal.signal(signal.SIGINT, sigint),
    )
    return child


def answer(child: pexpect.spawn, prompt: str, text: str) -> None:
    child.expect_exact(prompt)
    child.sendline(text)


def finish(child: pexpect.spawn) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_all_correct_run_ends_with_full_marks():
    child = spawn()
    child.expect_exact("q = x + y")  # the default walks the classic example
    for prompt, text in [
        ("df/dq = ", "z"),
        ("df/dz = ", "3"),
        ("dq/dx = ", "1"),
        ("df/dx = ", "-4"),
        ("dq/dy = ", "1"),
        ("df/dy = ", "grad"),
    ]:
        answer(child, prompt, text)
        child.expect_exact("✔ correct")
    child.expect_exact("score 6 / 6")
    assert finish(child) == 0


@pytest.mark.slow
def test_a_sign_flipped_answer_is_diagnosed_and_can_be_retried():
    child = spawn()
    answer(child, "df/dq = ", "4")
    child.expect_exact("sign flipped")
    child.expect_exact("1 try left")
    answer(child, "df/dq = ", "-4")
    child.expect_exact("✔ correct")
    child.sendline("quit")
    child.expect_exact("score 0.5 / 6")
    assert finish(child) == 0


@pytest.mark.slow
def test_hint_shows_the_gate_pattern_then_the_rule():
    child = spawn("(x + y) * max(y, z)", "--at", "x=1", "--at", "y=2", "--at", "z=0")
    answer(child, "df/dt1 = ", "hint")
    child.expect_exact("mul gate (swaps)")
    answer(child, "df/dt1 = ", "hint")
    child.expect_exact("df/dt1 = t2")
    answer(child, "df/dt1 = ", "t2")
    child.expect_exact("✔ correct")
    answer(child, "df/dt2 = ", "3")
    answer(child, "dt2/dy = ", "hint")
    child.expect_exact("max gate (routes)")
    child.sendline("quit")
    assert finish(child) == 0


@pytest.mark.slow
def test_two_wrong_tries_reveal_the_answer_with_its_rule():
    child = spawn()
    answer(child, "df/dq = ", "1")
    answer(child, "df/dq = ", "2")
    child.expect_exact("answer: df/dq = -4")
    child.expect_exact("df/dq = z = -4")
    child.sendline("quit")
    child.expect_exact("revealed")
    assert finish(child) == 0


@pytest.mark.slow
def test_quit_ends_cleanly_with_the_partial_score():
    child = spawn()
    answer(child, "df/dq = ", "-4")
    answer(child, "df/dz = ", "quit")
    child.expect_exact("you stopped the session")
    child.expect_exact("score 1 / 6")
    output = child.before
    assert finish(child) == 0
    assert "Traceback" not in output


@pytest.mark.parametrize("how", ["ctrl-c", "ctrl-c, inherited ignored", "ctrl-d"])
def test_interrupt_and_end_of_input_end_cleanly(how):
    child = spawn(sigint=signal.SIG_IGN if "ignored" in how else signal.SIG_DFL)
    answer(child, "df/dq = ", "-4")
    child.expect_exact("df/dz = ")
    if how.startswith("ctrl-c"):
        child.sendintr()
    else:
        child.sendeof()
    child.expect_exact("session ended early")
    child.expect_exact("score 1 / 6")
    assert "Traceback" not in child.before
    assert finish(child) == (130 if how.startswith("ctrl-c") else 0)  # 128 + SIGINT, as shells expect
