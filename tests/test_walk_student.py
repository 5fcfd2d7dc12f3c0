"""The walk as a student meets it (issue 12): each finding reproduced in a real terminal."""

from __future__ import annotations

import os
import re
import signal

import numpy as np
import pexpect
import pytest
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


@pytest.mark.slow
def test_small_values_get_a_tolerance_of_their_own_size():
    child = spawn("solve", "f = x*y", "--at", "x=0.001", "--at", "y=0.002", "--tries", "3")
    shown = answers(child, ("df/dx = ", "-0.002"), ("df/dx = ", "0"), ("df/dx = ", "0.002"), ("df/dy = ", "quit"))
    child.expect(pexpect.EOF)
    shown += plain(child.before)
    assert shown.count("✘") == 2 and "sign flipped" in shown and "✔ correct" in shown


@pytest.mark.slow
def test_hand_rounding_is_still_accepted_at_ordinary_sizes():
    child = spawn("solve", "L = sigmoid(x)", "--at", "x=1")
    shown = answers(child, ("dL/dx = ", "0.2"))
    child.expect(pexpect.EOF)
    assert "✔ correct" in plain(child.before) and "✘" not in shown


@pytest.mark.slow
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


def transcript(args: list[str], typed: list[tuple[str, str]], columns: int = 110) -> str:
    """Walk as a student would: `show` every question until the next one in `typed` (ask, answer)
    comes up, answer it, and return the screen's text."""
    child = spawn(*args, columns=columns)
    seen = ""
    todo = list(typed)
    while todo:
        child.expect(r"(?m)^(\S[^\r\n]*) = $")
        seen += plain(child.before + child.after)
        ask = plain(child.match.group(1)).strip()
        if ask == todo[0][0]:
            child.sendline(todo.pop(0)[1])
        else:
            child.sendline("show")
    child.sendline("quit")
    child.expect(pexpect.EOF)
    return " ".join((seen + plain(child.before)).split())


FINDINGS = [
    pytest.param(
        ["solve", "L = sigmoid(s)", "--at", "s=0.5"],
        [("dL/ds", "sigmoid(s)")],
        "that is the value of L in the forward pass, not its derivative",
        id="forward-value",
    ),
    pytest.param(
        ["solve", "--mode", "forward"],
        [("dw4/dx1", "sin(x1)")],
        "value of w4 in the forward pass",
        id="forward-value-in-forward-mode",
    ),
    pytest.param(
        ["solve", "q = x * y; f = q * z", "--at", "x=3", "--at", "y=2", "--at", "z=2"],
        [("dq/dx", "6")],
        "that is the value of q in the forward pass",
        id="node-value-is-not-a-factor",
    ),
    pytest.param(
        ["solve", "p = softmax(s); L = -log(p[1])", "--at", "s=[1,2,0.5]"],
        [("dL/ds", "p - 1")],
        "subtract 1 only at the correct class",
        id="softmax-p-minus-1",
    ),
    pytest.param(
        [
            "solve",
            "e = W@x - y; L = sum(e^2) + 0.1*sum(W*W)",
            "--at",
            "W=[[1,2],[3,-1]]",
            "--at",
            "x=[0.5,-1]",
            "--at",
            "y=[1,1]",
        ],
        [("dL/dW", "2*outer(e, x)")],
        "that is only the branch through",
        id="matrix-missed-branch",
    ),
    pytest.param(
        ["solve", "a = x*y; b = x + y; c = x*2; f = a*b + c", "--at", "x=3", "--at", "y=2"],
        [("df/dx", "0")],
        "its share through c (branch 1 of 3)",
        id="three-branches",
    ),
    pytest.param(
        ["solve", "h = 2*x; f = sum(h^2)", "--at", "x=[-4, 2.5]"],
        [("df/dx", "0")],
        "input h = [-8, 5] │",
        id="constants-are-no-inputs",
    ),
    pytest.param(["solve", "f = sum(x)", "--at", "x=[1, 2]"], [], "gate sum: distributes", id="sum-distributes"),
    pytest.param(
        ["solve", "L = max(x, y) * z", "--at", "x=1", "--at", "y=3", "--at", "z=2"],
        [("dt1/dy", "hint")],
        "max gate (routes): a max gate routes",
        id="hint-is-a-nudge-first",
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize("args, typed, expected", FINDINGS)
def test_a_students_run(args, typed, expected):
    assert expected in transcript(args, typed)


@pytest.mark.slow
def test_the_max_gate_feedback_does_not_repeat_itself():
    shown = transcript(
        ["solve", "a = x + y; b = max(y, z); f = a * b", "--at", "x=1", "--at", "y=2", "--at", "z=0"],
        [("db/dz", "1")],
    )
    assert "✘" in shown
    assert "routes: a max gate routes" not in shown
