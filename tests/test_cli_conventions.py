"""Conventions every command keeps: help without arguments, --json where results are printed, copyable LaTeX."""

from __future__ import annotations

import glob
import json
import os

import pytest

from gradtutor.resources import problems_dir

WALK_SETS = sorted(p for p in glob.glob(os.path.join(problems_dir(), "*.toml")) if not p.endswith("-code.toml"))


def test_plain_gradtutor_shows_help_and_succeeds(run):
    result = run()
    assert result.exit_code == 0 and "Commands:" in result.stdout and "solve" in result.stdout


@pytest.mark.parametrize(
    "args, check",
    [
        (["code", "x*y"], lambda d: d["language"] == "python" and "grad_x = grad_f * y" in d["code"]),
        (
            ["graph", "(x+y)*z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4"],
            lambda d: (
                {n["node"]: n["gradient"] for n in d["nodes"]} == {"x": -4.0, "y": -4.0, "t1": -4.0, "z": 3.0, "f": 1.0}
            ),
        ),
        (
            ["graph", "q = x + y; f = q * z", "--at", "x=-2", "--at", "y=5", "--at", "z=-4", "--backward"],
            lambda d: {n["node"]: n["computed_as"] for n in d["backward"]}["dq"] == "df*z",
        ),
        (
            ["descend", "(w - 3)^2", "--at", "w=0", "--wrt", "w", "--steps", "3"],
            lambda d: len(d["runs"][0]["losses"]) == 4,
        ),
        (["practice"], lambda d: d[0]["set"] == "chain-rule" and d[0]["solved"] == 0),
        (["progress"], lambda d: d["streak"] == 0 and len(d["sets"]) == 12),
        (["problems", "list"], lambda d: sum(s["problems"] for s in d) == 81 + 14),  # 14 code problems
        (["problems", "list", "gates"], lambda d: all(p["problem"].startswith("gates/") for p in d)),
        # the walk sets only: linting the code set runs 28 child processes (tests/test_code_problems.py)
        (["problems", "lint", "--samples", "2", *WALK_SETS], lambda d: d["errors"] == [] and d["problems"] == 81),
    ],
)
def test_every_command_that_prints_results_speaks_json(run, home, args, check):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    assert check(json.loads(result.stdout)), result.stdout


def test_latex_is_printed_to_be_copied(run, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    result = run("grad", "sum((W@x)^2)", "--random", "W=2x2", "--random", "x=2", "--latex")
    lines = [line for line in result.stdout.splitlines() if line.startswith("\\frac")]
    assert len(lines) == 2 and all("│" not in line for line in lines)
    assert lines[1] == r"\frac{\partial f}{\partial x} = 2 \cdot \left(W^\top \left(W x\right)\right)"


def test_a_program_from_a_file_or_starting_with_a_minus(run, tmp_path):
    program = tmp_path / "loss.txt"
    program.write_text("-log(softmax(W@x)[1])\n")
    claim = ["--shape", "W=3x2", "--shape", "x=2", "--grad", "x=W.T@(softmax(W@x) - onehot(1, 3))"]
    assert run("check", "-f", str(program), *claim).exit_code == 0
    assert run("check", "-log(softmax(W@x)[1])", *claim).exit_code == 0


def test_one_formula_that_cannot_be_evaluated_does_not_stop_the_others(run):
    result = run(
        "check",
        "sum((W@x)^2)",
        "--shape",
        "W=2x2",
        "--shape",
        "x=2",
        "--json",
        "--grad",
        "W=2*outer(W@x, x)",
        "--grad",
        "x=W@x + [1,2,3]",
    )
    assert result.exit_code == 1, result.stderr
    targets = {t["name"]: t for t in json.loads(result.stdout)["targets"]}
    assert targets["W"]["verdict"] == "right" and targets["x"]["verdict"] == "wrong"
    assert any("cannot combine shapes (2,) and (3,)" in note for note in targets["x"]["diagnosis"])
