"""The walk as a student meets it (issue 12): each finding reproduced in a real terminal."""

from __future__ import annotations

import os
import re
import signal

import numpy as np
import pexpect
from conftest import GRADTUTOR

from gradtutor.graph import build
from gradtutor.teach.walk import build_walk

TIMEOUT = 30


def spawn(*args: str, columns: int = 110) -> pexpect.spawn:
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", COLUMNS=str(columns), LINES="60")
    return pexpect.spawn(
        GRADTUTOR[0],
        GRADTUTOR[1:] + list(args),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(60, columns),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_the_matrix_walk_never_shows_an_answers_formula_before_its_prompt():
    program = "h = W@x; L = sum(h^2)"
    args = ["--shape", "W=2x3", "--shape", "x=3", "--seed", "1"]
    values = {"W": np.zeros((2, 3)), "x": np.zeros(3)}
    rules = [q.rule for q in build_walk(build(program), values).questions]
    assert {"outer(grad, x)", "W.T@grad", "2*grad*h"} <= set(rules)
    child = spawn("solve", program, *args)
    seen = ""
    for _ in rules:
        child.expect(r"\S+ = $")
        seen += plain(child.before)
        for rule in rules:
            if len(rule) > 4:  # a bare 'grad' is every gate's upstream, not a giveaway
                assert rule not in seen, f"{rule!r} shown before its answer:\n{seen}"
        child.sendline("skip")
    child.expect(pexpect.EOF)


def answers(child: pexpect.spawn, *pairs: tuple[str, str]) -> str:
    """Type each answer at its prompt; return everything shown."""
    shown = ""
    for prompt, text in pairs:
        child.expect_exact(prompt)
        shown += plain(child.before)
        child.sendline(text)
    return shown


def test_small_values_get_a_tolerance_of_their_own_size():
    child = spawn("solve", "f = x*y", "--at", "x=0.001", "--at", "y=0.002", "--tries", "3")
    shown = answers(child, ("df/dx = ", "-0.002"), ("df/dx = ", "0"), ("df/dx = ", "0.002"), ("df/dy = ", "quit"))
    child.expect(pexpect.EOF)
    shown += plain(child.before)
    assert shown.count("✘") == 2 and "sign flipped" in shown and "✔ correct" in shown


def test_hand_rounding_is_still_accepted_at_ordinary_sizes():
    child = spawn("solve", "L = sigmoid(x)", "--at", "x=1")
    shown = answers(child, ("dL/dx = ", "0.2"))
    child.expect(pexpect.EOF)
    assert "✔ correct" in plain(child.before) and "✘" not in shown


def test_the_lectures_relu_slope_at_zero_counts_and_the_kink_is_explained():
    child = spawn("solve", "L = relu(x) * y", "--at", "x=0", "--at", "y=3")
    answers(child, ("dL/dt1 = ", "3"), ("dL/dy = ", "0"), ("dt1/dx = ", "1"))
    child.expect_exact("dL/dx = ")
    shown = " ".join(plain(child.before).split())
    assert "✔ correct" in shown and "kink" in shown and "relu'(0) = 0" in shown
    child.sendline("quit")
    child.expect(pexpect.EOF)


LEFT, UP = "\x1b[D", "\x1b[A"


def test_arrow_keys_edit_an_answer_and_recall_earlier_ones():
    child = spawn("solve")
    child.expect_exact("df/dq = ")
    child.send("4" + LEFT + "-\r")  # typed 4, went back, put the sign in front
    child.expect_exact("✔ correct")
    child.expect_exact("df/dz = ")
    child.send(UP + "\r")  # the previous answer again
    child.expect_exact("✘")
    assert "^[[" not in plain(child.before)
    child.sendline("quit")
    child.expect(pexpect.EOF)
